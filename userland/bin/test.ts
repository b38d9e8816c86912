// test: check file types and compare values (exit 0 true, 1 false, 2 error).
//
//   test EXPRESSION      test
//
// EXPRESSION as POSIX and GNU test take it: -e -f -d -L -h -p -c -b -S -r -w
// -x -s -u -g -k -O -G -t -z -n, = != < > -eq -ne -lt -le -gt -ge -nt -ot
// -ef, ! -a -o and parentheses. See coreutils/test_expr.ts.
import { evalTest } from "../coreutils/test_expr.ts";

export function main(argv: string[]): number {
  return evalTest("test", argv.slice(1));
}
