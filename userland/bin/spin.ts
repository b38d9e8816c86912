// spin: compute for SECONDS (default: for ever) without making a syscall.
// A test and demo program: it can only be stopped by a signal.
export function main(argv: string[]): number {
  const seconds = argv.length > 1 ? Number(argv[1]) : Infinity;
  const until = Date.now() + seconds * 1000;
  let x = 0;
  while (Date.now() < until) {
    for (let i = 0; i < 1000; i++) x = (x * 31 + i) | 0;
  }
  return x === 42 ? 1 : 0;
}
