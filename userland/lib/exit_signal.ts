// ExitSignal: thrown by exit() to unwind a program back to the runtime.
//
// The process is already gone when it is thrown: catching it does not undo
// the exit, and every later syscall throws it again. (An exit that ends the
// Worker outright would work too, but then the Worker could not be reused
// for the next program; see userland/runtime/worker.ts.)

export class ExitSignal {
  constructor(readonly code: number) {}
}
