// POSIX regular expressions (basic, BRE, and extended, ERE, with GNU's
// extensions) translated to JavaScript RegExp source, for grep and
// getfattr -m.
//
// BRE: \( \) \{ \} \| \+ \? are operators and ( ) { } | + ? are literal;
// "*" is literal at the start of an expression, "^" is an anchor only at the
// start and "$" only at the end. ERE: the usual operators. Both: bracket
// expressions with [:classes:], back-references \1-\9, \< \> \b \B \w \W
// \s \S, and "." matching any character.

const CLASSES: Record<string, string> = {
  alpha: "a-zA-Z",
  digit: "0-9",
  alnum: "0-9A-Za-z",
  upper: "A-Z",
  lower: "a-z",
  space: " \\t\\n\\r\\f\\v",
  blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~",
  print: " -~",
  graph: "!-~",
  cntrl: "\\x00-\\x1f\\x7f",
  xdigit: "0-9A-Fa-f",
  word: "0-9A-Za-z_",
};

const JS_SPECIAL = /[\\^$.|?*+()[\]{}\/]/;

/** Thrown for a malformed expression; `message` is grep's wording. */
export class RegexError extends Error {}

function lit(ch: string): string {
  return JS_SPECIAL.test(ch) ? "\\" + ch : ch;
}

/** JavaScript source for the POSIX expression `re`. */
export function translateRegex(re: string, extended: boolean): string {
  let out = "";
  let i = 0;
  let depth = 0;
  // True where "*" is literal and (in a BRE) "^" is an anchor.
  let atStart = true;
  const endOfBranch = (j: number) =>
    j >= re.length ||
    (extended
      ? re[j] === "|" || re[j] === ")"
      : re.startsWith("\\|", j) || re.startsWith("\\)", j));
  while (i < re.length) {
    const c = re[i];
    const start = atStart;
    atStart = false;
    if (c === "\\") {
      const n = re[i + 1];
      i += 2;
      if (n === undefined) throw new RegexError("Trailing backslash");
      if (!extended && n === "(") {
        out += "(";
        depth++;
        atStart = true;
      } else if (!extended && n === ")") {
        if (depth === 0) throw new RegexError("Unmatched ) or \\)");
        out += ")";
        depth--;
      } else if (!extended && n === "|") {
        out += "|";
        atStart = true;
      } else if (!extended && (n === "+" || n === "?")) {
        out += start ? lit(n) : n;
      } else if (!extended && n === "{") {
        const m = /^(\d*)(,?)(\d*)\\\}/.exec(re.slice(i));
        if (m === null) throw new RegexError("Unmatched \\{");
        if (start) out += lit("{") + m[0].slice(0, -2) + lit("}");
        else out += `{${m[1] || "0"}${m[2]}${m[3]}}`;
        i += m[0].length;
      } else if (/[1-9]/.test(n)) {
        out += "\\" + n;
      } else if (n === "<") {
        out += "\\b(?=\\w)";
        atStart = true;
      } else if (n === ">") {
        out += "\\b(?<=\\w)";
      } else if ("bBwWsS".includes(n)) {
        out += "\\" + n;
      } else if (n === "`") {
        out += "^";
        atStart = true;
      } else if (n === "'") {
        out += "$";
      } else {
        out += lit(n);
      }
      continue;
    }
    if (c === "[") {
      const [cls, next] = bracket(re, i);
      out += cls;
      i = next;
      continue;
    }
    i++;
    if (c === "*") {
      out += start ? "\\*" : "*";
      continue;
    }
    if (c === "^") {
      if (extended || start) {
        out += "^";
        atStart = true;
      } else {
        out += "\\^";
      }
      continue;
    }
    if (c === "$") {
      out += extended || endOfBranch(i) ? "$" : "\\$";
      continue;
    }
    if (c === ".") {
      out += "[^\\n]";
      continue;
    }
    if (extended) {
      if (c === "(") {
        out += "(";
        depth++;
        atStart = true;
        continue;
      }
      if (c === ")") {
        if (depth === 0) {
          out += "\\)";
          continue;
        }
        out += ")";
        depth--;
        continue;
      }
      if (c === "|") {
        out += "|";
        atStart = true;
        continue;
      }
      if (c === "+" || c === "?") {
        out += start ? lit(c) : c;
        continue;
      }
      if (c === "{") {
        const m = /^(\d+)(,?)(\d*)\}/.exec(re.slice(i));
        if (m === null || start) {
          out += "\\{";
          continue;
        }
        out += `{${m[1]}${m[2]}${m[3]}}`;
        i += m[0].length;
        continue;
      }
    }
    out += lit(c);
  }
  if (depth > 0) throw new RegexError(extended ? "Unmatched ( or \\(" : "Unmatched ( or \\(");
  return out;
}

/** A bracket expression at re[i] === "[": its JS class and the index after it. */
function bracket(re: string, i: number): [string, number] {
  let j = i + 1;
  let negate = false;
  if (re[j] === "^") {
    negate = true;
    j++;
  }
  let body = "";
  let first = true;
  for (;;) {
    if (j >= re.length) throw new RegexError("Unmatched [, [^, [:, [., or [=");
    const c = re[j];
    if (c === "]" && !first) {
      j++;
      break;
    }
    first = false;
    if (c === "[" && (re[j + 1] === ":" || re[j + 1] === "=" || re[j + 1] === ".")) {
      const kind = re[j + 1];
      const end = re.indexOf(kind + "]", j + 2);
      if (end < 0) throw new RegexError("Unmatched [, [^, [:, [., or [=");
      const name = re.slice(j + 2, end);
      if (kind === ":") {
        const cls = CLASSES[name];
        if (cls === undefined) throw new RegexError("Invalid character class name");
        body += cls;
      } else {
        body += escapeInClass(name);
      }
      j = end + 2;
      continue;
    }
    if (c === "-" && body !== "" && re[j + 1] !== "]") {
      body += "-";
      j++;
      continue;
    }
    body += escapeInClass(c);
    j++;
  }
  return [`[${negate ? "^\\n" : ""}${body}]`, j];
}

function escapeInClass(s: string): string {
  return s.replace(/[\\\]\[^-]/g, (m) => "\\" + m);
}
