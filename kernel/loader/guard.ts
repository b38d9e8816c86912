// Loop guards: a check at the top of every loop body of a program, so that a
// program stuck in a loop can be killed.
//
// Why: Deno 2.9's worker.terminate() does not stop a Worker that is running
// JavaScript (denoland/deno#35657 is still open); only the Worker itself can
// end its isolate, with self.close(). So every loop a program runs counts
// down a budget; when it runs out (every GUARD_PERIOD iterations) the runtime
// looks at the kill word and pending signals (userland/runtime). A guard costs
// one property decrement and a compare per iteration.
//
// What stays true: the guarded code behaves exactly as the original, apart
// from those checks. Bodies that are not blocks are wrapped in braces, which
// keeps `if (x) for (;;) y;` and labels intact.

import * as acorn from "acorn";

/** The guard statement placed at the top of each loop body. */
export const GUARD = "if(--__mello_g.n<0)__mello_g.t();";

interface Node {
  type: string;
  start: number;
  end: number;
  body?: Node | Node[];
  [key: string]: unknown;
}

const LOOPS = new Set([
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "WhileStatement",
  "DoWhileStatement",
]);

/** Insert loop guards into JavaScript `code` (a script, not a module). */
export function insertGuards(code: string): string {
  const ast = acorn.parse(code, {
    ecmaVersion: "latest",
    sourceType: "script",
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
  }) as unknown as Node;
  const edits: Array<{ at: number; text: string }> = [];
  visit(ast, (node) => {
    if (!LOOPS.has(node.type)) return;
    const body = node.body as Node;
    if (body.type === "BlockStatement") {
      edits.push({ at: body.start + 1, text: GUARD });
    } else {
      edits.push({ at: body.start, text: `{${GUARD}` });
      edits.push({ at: body.end, text: "}" });
    }
  });
  // Apply from the end so earlier offsets stay valid; at equal offsets the
  // closing brace of an inner body goes before an outer one's.
  edits.sort((a, b) => b.at - a.at);
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.at);
  return out;
}

function visit(node: Node, fn: (n: Node) => void): void {
  fn(node);
  for (const key of Object.keys(node)) {
    const v = node[key];
    if (Array.isArray(v)) {
      for (const child of v) if (isNode(child)) visit(child, fn);
    } else if (isNode(v)) {
      visit(v, fn);
    }
  }
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as Node).type === "string";
}
