// [: test(1) spelled "[ EXPRESSION ]"; the last argument must be "]".
import { eprint, print } from "../lib/mod.ts";
import { evalTest } from "../coreutils/test_expr.ts";

export function main(argv: string[]): number {
  const args = argv.slice(1);
  if (args.length === 1 && args[0] === "--help") {
    print(
      "Usage: test EXPRESSION\n  or:  test\n  or:  [ EXPRESSION ]\n  or:  [ ]\n  or:  [ OPTION",
    );
    return 0;
  }
  if (args.length === 1 && args[0] === "--version") {
    print("[ (MelloOS coreutils) 9.1");
    return 0;
  }
  if (args[args.length - 1] !== "]") {
    eprint("[: missing ']'");
    return 2;
  }
  return evalTest("[", args.slice(0, -1));
}
