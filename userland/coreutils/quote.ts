// GNU quoting of file names. Messages use the shell-escape-always style
// ('a b', "it's", 'a'$'\n''b'); ls output to a terminal uses shell-escape
// (quotes only when needed).

const SHELL_SPECIAL = /[\s"'`$\\|&;<>(){}[\]*?!#~=%^]/;
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/** shell-escape-always: always quoted, as error messages show names. */
export function quoteAlways(name: string): string {
  return shellQuote(name, true);
}

/** shell-escape: quoted only when the shell would need it. */
export function quoteIfNeeded(name: string): string {
  return shellQuote(name, false);
}

function shellQuote(name: string, always: boolean): string {
  if (!CONTROL.test(name)) {
    if (!always && name !== "" && !SHELL_SPECIAL.test(name)) return name;
    if (!name.includes("'")) return `'${name}'`;
    if (!/[\\"`$]/.test(name)) return `"${name}"`;
    return `'${name.replace(/'/g, "'\\''")}'`;
  }
  // Control characters go outside the quotes as $'\n'.
  let out = "";
  let plain = "";
  const flush = () => {
    if (plain !== "") out += `'${plain.replace(/'/g, "'\\''")}'`;
    plain = "";
  };
  for (const ch of name) {
    if (CONTROL.test(ch)) {
      flush();
      out += `$'${controlEscape(ch)}'`;
    } else {
      plain += ch;
    }
  }
  flush();
  return out;
}

function controlEscape(ch: string): string {
  const named: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\x1b": "\\E",
  };
  return named[ch] ?? `\\${ch.charCodeAt(0).toString(8).padStart(3, "0")}`;
}
