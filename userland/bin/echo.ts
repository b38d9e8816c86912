// echo: print the arguments (GNU: -n no newline, -e interpret escapes, -E not).
import { print, stdout } from "../lib/mod.ts";

export function main(argv: string[]): number {
  let newline = true;
  let escapes = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!/^-[neE]+$/.test(a)) break;
    for (const ch of a.slice(1)) {
      if (ch === "n") newline = false;
      else if (ch === "e") escapes = true;
      else escapes = false;
    }
  }
  let text = argv.slice(i).join(" ");
  if (escapes) {
    const cut = text.indexOf("\\c");
    if (cut >= 0) {
      text = text.slice(0, cut);
      newline = false;
    }
    text = unescape(text);
  }
  if (newline) print(text);
  else stdout().write(text);
  return 0;
}

function unescape(s: string): string {
  return s.replace(/\\(0[0-7]{0,3}|x[0-9a-fA-F]{1,2}|.)/g, (_m, e: string) => {
    if (e[0] === "0") return String.fromCharCode(parseInt(e.slice(1) || "0", 8));
    if (e[0] === "x") return String.fromCharCode(parseInt(e.slice(1), 16));
    const map: Record<string, string> = {
      n: "\n",
      t: "\t",
      r: "\r",
      a: "\x07",
      b: "\b",
      f: "\f",
      v: "\v",
      e: "\x1b",
      "\\": "\\",
    };
    return map[e] ?? `\\${e}`;
  });
}
