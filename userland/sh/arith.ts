// Arithmetic expansion, $(( expr )): integer expressions with C's operators
// and precedence, variables by name (unset or empty is 0), assignment
// operators, and dash's messages for errors. Values are 64-bit signed
// integers (BigInt), as dash computes them.

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Tok = { k: "num"; v: bigint } | { k: "name"; v: string } | { k: "op"; v: string };

const OPS = [
  "<<=",
  ">>=",
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "<<",
  ">>",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "^=",
  "|=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "<",
  ">",
  "&",
  "^",
  "|",
  "!",
  "~",
  "?",
  ":",
  "=",
  "(",
  ")",
];

/** Binary operators by precedence level, loosest first. */
const LEVELS = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

const wrap = (v: bigint) => BigInt.asIntN(64, v);

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (" \t\n".includes(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(src.slice(i));
    if (num !== null && /[0-9]/.test(c)) {
      const t = num[1];
      if (/^[0-9a-zA-Z_]/.test(src.slice(i + t.length))) {
        throw new ArithError(`expecting EOF: "${src}"`);
      }
      out.push({
        k: "num",
        v: BigInt(t.length > 1 && t[0] === "0" && !/[xX]/.test(t) ? "0o" + t.slice(1) : t),
      });
      i += t.length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name !== null) {
      out.push({ k: "name", v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new ArithError(`expecting EOF: "${src}"`);
    out.push({ k: "op", v: op });
    i += op.length;
  }
  return out;
}

/** Evaluate `src` (already expanded), reading and assigning shell variables through `vars`. */
export function evaluate(src: string, vars: ArithVars): bigint {
  const toks = tokenize(src);
  let at = 0;
  const peek = () => toks[at];
  const isOp = (v: string) => peek()?.k === "op" && peek().v === v;
  /** The next token's operator, if it is one. */
  const opAt = () => {
    const t = peek();
    return t?.k === "op" ? t.v : undefined;
  };
  const fail = (what: string): never => {
    throw new ArithError(`${what}: "${src}"`);
  };

  const valueOf = (name: string): bigint => {
    // As dash: a variable holds a number, not an expression.
    const text = (vars.get(name) ?? "").trim();
    if (text === "") return 0n;
    const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
    if (m === null) throw new ArithError(`Illegal number: ${text}`);
    const t = m[2];
    const v = BigInt(t.length > 1 && t[0] === "0" && !/[xX]/.test(t) ? "0o" + t.slice(1) : t);
    return m[1] === "-" ? wrap(-v) : v;
  };

  // skip: evaluate for syntax only (the branch not taken by && || ?:), with no assignments.
  function assignment(skip: boolean): bigint {
    const t = peek();
    const next = toks[at + 1];
    if (t?.k === "name" && next?.k === "op" && /^([-+*/%&^|]|<<|>>)?=$/.test(next.v)) {
      at += 2;
      const rhs = assignment(skip);
      if (skip) return 0n;
      const op = next.v.slice(0, -1);
      const v = op === "" ? rhs : binary(op, valueOf(t.v), rhs);
      vars.set(t.v, String(v));
      return v;
    }
    return conditional(skip);
  }

  function conditional(skip: boolean): bigint {
    const c = level(0, skip);
    if (!isOp("?")) return c;
    at++;
    const a = assignment(skip || c === 0n);
    if (!isOp(":")) fail("expecting ':'");
    at++;
    const b = conditional(skip || c !== 0n);
    return c !== 0n ? a : b;
  }

  function level(n: number, skip: boolean): bigint {
    if (n === LEVELS.length) return unary(skip);
    let v = level(n + 1, skip);
    for (let op = opAt(); op !== undefined && LEVELS[n].includes(op); op = opAt()) {
      at++;
      if (op === "&&" || op === "||") {
        const decided = op === "&&" ? v === 0n : v !== 0n;
        const r = level(n + 1, skip || decided);
        v = decided ? (op === "||" ? 1n : 0n) : (r !== 0n ? 1n : 0n);
        continue;
      }
      const r = level(n + 1, skip);
      v = skip ? 0n : binary(op, v, r);
    }
    return v;
  }

  function binary(op: string, a: bigint, b: bigint): bigint {
    switch (op) {
      case "+":
        return wrap(a + b);
      case "-":
        return wrap(a - b);
      case "*":
        return wrap(a * b);
      case "/":
      case "%":
        if (b === 0n) fail("division by zero");
        return wrap(op === "/" ? a / b : a % b);
      case "<<":
        return wrap(a << (b & 63n));
      case ">>":
        return a >> (b & 63n);
      case "&":
        return a & b;
      case "^":
        return a ^ b;
      case "|":
        return a | b;
      case "==":
        return a === b ? 1n : 0n;
      case "!=":
        return a !== b ? 1n : 0n;
      case "<":
        return a < b ? 1n : 0n;
      case "<=":
        return a <= b ? 1n : 0n;
      case ">":
        return a > b ? 1n : 0n;
      case ">=":
        return a >= b ? 1n : 0n;
    }
    return fail(`unknown operator ${op}`);
  }

  function unary(skip: boolean): bigint {
    const t = peek();
    if (t === undefined) return fail("expecting primary");
    if (t.k === "op" && ["+", "-", "!", "~"].includes(t.v)) {
      at++;
      const v = unary(skip);
      return t.v === "+" ? v : t.v === "-" ? wrap(-v) : t.v === "!" ? (v === 0n ? 1n : 0n) : ~v;
    }
    if (t.k === "op" && t.v === "(") {
      at++;
      const v = assignment(skip);
      if (!isOp(")")) fail("expecting ')'");
      at++;
      return v;
    }
    at++;
    if (t.k === "num") return t.v;
    if (t.k === "name") return skip ? 0n : valueOf(t.v);
    return fail("expecting primary");
  }

  if (toks.length === 0) return 0n;
  const v = assignment(false);
  if (at < toks.length) fail("expecting EOF");
  return v;
}
