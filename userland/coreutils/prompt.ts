// Yes/no questions on standard error, answered by a line of standard input
// (rm -i, cp -i, mv -i).
import { read, stderr, stdout } from "../lib/mod.ts";

/** Ask `question` (no newline is added); true if the answer starts with y or Y. */
export function confirm(question: string): boolean {
  stdout().flush();
  stderr().write(question);
  const one = new Uint8Array(1);
  let first = -1;
  for (;;) {
    let n = 0;
    try {
      n = read(0, one);
    } catch {
      n = 0;
    }
    if (n === 0 || one[0] === 10) break;
    if (first < 0) first = one[0];
  }
  return first === 0x79 || first === 0x59;
}
