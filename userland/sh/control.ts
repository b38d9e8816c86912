// How the shell unwinds: thrown objects (not Errors) that carry control to
// the construct that handles them.

/** `exit`, a fatal error in a non-interactive shell, or set -e. */
export class ExitShell {
  constructor(readonly status: number) {}
}

/** `break N` / `continue N`: handled by the Nth enclosing loop. */
export class LoopControl {
  constructor(readonly kind: "break" | "continue", public levels: number) {}
}

/** `return N` from a function (or a dot script). */
export class ReturnSignal {
  constructor(readonly status: number) {}
}
