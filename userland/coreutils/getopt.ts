// Option parsing as glibc's getopt_long does it, for programs that must
// accept exactly what GNU coreutils accepts:
//   - short options bundle (`-la`), and a short option's argument may be
//     glued (`-n5`) or the next word (`-n 5`, also `-n -5`);
//   - long options take `--name=value` or `--name value`, and any unambiguous
//     prefix of a name (`--only-val`);
//   - options and operands mix (`ls dir -l`) unless the spec starts with "+";
//     `--` ends the options; a lone `-` is an operand;
//   - errors print glibc's words, then "Try 'PROG --help' ...".
// node:util parseArgs does the first but not the rest (no abbreviations, no
// option-like values, its own messages), so it is not used here.

import { eprint, print, progName } from "../lib/mod.ts";

/** How a long option takes its argument. */
export type ArgKind = "none" | "required" | "optional";

/** A long option: its argument kind and the key it is reported under (often its short letter). */
export interface LongOpt {
  arg: ArgKind;
  key: string;
}

export interface OptSpec {
  /**
   * getopt's optstring: letters, "X:" for a required argument, "X::" for an
   * optional (glued only) one; a leading "+" stops at the first operand.
   */
  short: string;
  long?: Record<string, LongOpt>;
  /** Text --help prints (the usage lines); --help and --version are answered here. */
  usage?: string;
  /** Exit status for a usage error (ls and grep use 2; most tools 1). */
  usageStatus?: number;
  /** What follows an option error instead of "Try 'PROG --help' ..." (attr's tools). */
  tryText?: string;
}

/** One option as given, in order. */
export interface Opt {
  key: string;
  value?: string;
}

export interface Parsed {
  opts: Opt[];
  operands: string[];
}

/** Print "Try 'PROG --help' for more information." on stderr. */
export function tryHelp(): void {
  eprint(`Try '${progName()} --help' for more information.`);
}

/** Report a usage error the GNU way; returns `status` for the caller to exit with. */
export function usageError(message: string, status = 1): number {
  eprint(`${progName()}: ${message}`);
  tryHelp();
  return status;
}

/**
 * Parse `argv` (argv[0] is the program name). Returns the options and
 * operands, or a number: the status to exit with (after an error message, or
 * after --help / --version printed their text).
 */
export function getopt(argv: string[], spec: OptSpec): Parsed | number {
  const status = spec.usageStatus ?? 1;
  const inOrder = spec.short.startsWith("+");
  const shorts = parseShort(inOrder ? spec.short.slice(1) : spec.short);
  const longs: Record<string, LongOpt> = {
    help: { arg: "none", key: "--help" },
    version: { arg: "none", key: "--version" },
    ...spec.long,
  };
  const opts: Opt[] = [];
  const operands: string[] = [];
  const fail = (msg: string) => {
    eprint(`${progName()}: ${msg}`);
    if (spec.tryText !== undefined) eprint(spec.tryText);
    else tryHelp();
    return status;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const found = findLong(longs, name);
      if (found === undefined) return fail(`unrecognized option '${a}'`);
      if ("ambiguous" in found) {
        return fail(
          `option '${a}' is ambiguous; possibilities: ${
            found.ambiguous.map((n) => `'--${n}'`).join(" ")
          }`,
        );
      }
      const { full, lo } = found;
      if (lo.arg === "none") {
        if (eq >= 0) return fail(`option '--${full}' doesn't allow an argument`);
        opts.push({ key: lo.key });
      } else if (eq >= 0) {
        opts.push({ key: lo.key, value: a.slice(eq + 1) });
      } else if (lo.arg === "required") {
        if (i + 1 >= argv.length) return fail(`option '--${full}' requires an argument`);
        opts.push({ key: lo.key, value: argv[++i] });
      } else {
        opts.push({ key: lo.key });
      }
      continue;
    }
    if (a.startsWith("-") && a !== "-") {
      for (let j = 1; j < a.length; j++) {
        const ch = a[j];
        const kind = shorts.get(ch);
        if (kind === undefined) return fail(`invalid option -- '${ch}'`);
        if (kind === "none") {
          opts.push({ key: ch });
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest !== "") opts.push({ key: ch, value: rest });
        else if (kind === "optional") opts.push({ key: ch });
        else if (i + 1 < argv.length) opts.push({ key: ch, value: argv[++i] });
        else return fail(`option requires an argument -- '${ch}'`);
        break;
      }
      continue;
    }
    if (inOrder) {
      operands.push(...argv.slice(i));
      break;
    }
    operands.push(a);
  }
  if (opts.some((o) => o.key === "--help")) {
    print(spec.usage ?? `Usage: ${progName()} [OPTION]... [FILE]...`);
    return 0;
  }
  if (opts.some((o) => o.key === "--version")) {
    print(`${progName()} (MelloOS coreutils) 9.1`);
    return 0;
  }
  return { opts, operands };
}

function parseShort(s: string): Map<string, ArgKind> {
  const m = new Map<string, ArgKind>();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (s[i + 1] === ":" && s[i + 2] === ":") {
      m.set(ch, "optional");
      i += 2;
    } else if (s[i + 1] === ":") {
      m.set(ch, "required");
      i += 1;
    } else {
      m.set(ch, "none");
    }
  }
  return m;
}

/** The long option `name` abbreviates: [full name, spec], the candidates if ambiguous, or undefined. */
function findLong(
  longs: Record<string, LongOpt>,
  name: string,
): { full: string; lo: LongOpt } | { ambiguous: string[] } | undefined {
  if (Object.hasOwn(longs, name)) return { full: name, lo: longs[name] };
  const hits = Object.keys(longs).filter((n) => n.startsWith(name));
  if (hits.length === 0 || name === "") return undefined;
  // Prefixes of several names that all mean the same option are not ambiguous.
  const first = longs[hits[0]];
  if (hits.every((n) => longs[n].key === first.key && longs[n].arg === first.arg)) {
    return { full: hits[0], lo: first };
  }
  return { ambiguous: hits };
}

/** True if option `key` was given. */
export function has(p: Parsed, key: string): boolean {
  return p.opts.some((o) => o.key === key);
}

/** The last value given for option `key`. */
export function last(p: Parsed, key: string): string | undefined {
  let v: string | undefined;
  for (const o of p.opts) if (o.key === key) v = o.value;
  return v;
}
