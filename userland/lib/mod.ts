// The userland library: everything a MelloOS program uses to reach the system.
export * from "./proc.ts";
export * from "./io.ts";
export * from "./fs.ts";
export * from "./stdio.ts";
export * from "./errors.ts";
export * from "./mello.ts";
export { ErrnoError, quote } from "./syscall.ts";
export { Errno, errnoName, strerror } from "../../kernel/errno.ts";
export { parseSignal, Sig, sigDescription, sigName } from "../../kernel/signals.ts";
export * from "./consts.ts";
