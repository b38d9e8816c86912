// Error messages the way GNU coreutils prints them:
//   ls: cannot access 'x': No such file or directory

import { ErrnoError, strerror } from "../../kernel/errno.ts";
import { ctx } from "./context.ts";
import { eprint } from "./stdio.ts";

/** The program's name as errors show it (argv[0] without its directory). */
export function progName(): string {
  const a0 = ctx().argv[0] ?? "?";
  return a0.slice(a0.lastIndexOf("/") + 1);
}

/** strerror() text of an error (its errno's, or its message). */
export function errText(err: unknown): string {
  if (err instanceof ErrnoError) return strerror(err.errno);
  return err instanceof Error ? err.message : String(err);
}

/** Print "prog: what: reason" on stderr. */
export function warn(what: string, err?: unknown): void {
  eprint(err === undefined ? `${progName()}: ${what}` : `${progName()}: ${what}: ${errText(err)}`);
}

/** GNU quoting of a file name in messages: 'name'. */
export function q(name: string): string {
  return `'${name.replace(/'/g, "'\\''")}'`;
}
