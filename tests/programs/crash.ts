// Test program: fails the way a buggy program does.
//   crash throw     an uncaught exception in main
//   crash async     a rejected promise after main returned one
//   crash nomain    (see crash_nomain.ts)
export function main(argv: string[]): number | Promise<number> {
  if (argv[1] === "async") return Promise.reject(new Error("async kaboom"));
  throw new TypeError("kaboom");
}
