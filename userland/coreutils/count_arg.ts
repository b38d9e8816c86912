// Line and byte counts as head and tail take them: NUM with GNU's suffixes
// (b 512, kB 1000, K 1024, MB, M, ...), a leading "-" or "+" kept apart.
import { parseSize } from "./human.ts";

/** A count operand: its sign ("", "-" or "+") and value; undefined if malformed. */
export function parseCount(s: string): { sign: "" | "-" | "+"; n: number } | undefined {
  const sign = s.startsWith("-") ? "-" : s.startsWith("+") ? "+" : "";
  const n = parseSize(sign === "" ? s : s.slice(1));
  return n === undefined ? undefined : { sign, n };
}

/**
 * Rewrite the obsolete "-NUM[bcl]" first option (head -5, tail -5c) into
 * "-n NUM" / "-c NUM" so getopt sees modern options.
 */
export function obsoleteCount(argv: string[]): string[] {
  const m = /^-(\d+)([bcl]?)$/.exec(argv[1] ?? "");
  if (m === null) return argv;
  const unit = m[2] === "c" ? "-c" : m[2] === "b" ? "-c" : "-n";
  const value = m[2] === "b" ? `${m[1]}b` : m[1];
  return [argv[0], unit, value, ...argv.slice(2)];
}
