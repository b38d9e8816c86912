// Signal numbers (Linux x86_64) and their default actions.
//
// Delivery here: a signal whose action is "terminate" ends the process at once
// (its Worker is closed); a caught signal runs its handler when the program
// next returns from or waits for a syscall reply (or reaches a loop guard),
// and the call it interrupted carries on, as Linux does for a handler
// installed with SA_RESTART.

/** Signal numbers. */
export const Sig = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGWINCH: 28,
} as const;
export type Sig = typeof Sig[keyof typeof Sig];

/** Highest signal number we accept (Linux's _NSIG - 1 for standard signals). */
export const SIG_MAX = 31;

/** Dispositions a program can install with mello_sigaction. */
export const SigAction = {
  DEFAULT: 0,
  IGNORE: 1,
  CATCH: 2,
} as const;

const NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Sig).map(([name, value]) => [value, name]),
);

/** "SIGTERM" for 15. */
export function sigName(sig: number): string {
  return NAMES[sig] ?? `SIG${sig}`;
}

/** Signal number for "TERM", "SIGTERM" or "15"; undefined if unknown. */
export function parseSignal(text: string): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= 0 && n <= SIG_MAX ? n : undefined;
  }
  const name = text.toUpperCase().startsWith("SIG")
    ? text.toUpperCase()
    : `SIG${text.toUpperCase()}`;
  return (Sig as Record<string, number>)[name];
}

/** Signals whose default action is to be ignored (SIGCHLD, SIGCONT, SIGWINCH). */
export function ignoredByDefault(sig: number): boolean {
  return sig === Sig.SIGCHLD || sig === Sig.SIGCONT || sig === Sig.SIGWINCH;
}

/** psignal() texts, as `sh` prints them for a job killed by a signal. */
export function sigDescription(sig: number): string {
  switch (sig) {
    case Sig.SIGHUP:
      return "Hangup";
    case Sig.SIGINT:
      return "Interrupt";
    case Sig.SIGQUIT:
      return "Quit";
    case Sig.SIGABRT:
      return "Aborted";
    case Sig.SIGKILL:
      return "Killed";
    case Sig.SIGSEGV:
      return "Segmentation fault";
    case Sig.SIGPIPE:
      return "Broken pipe";
    case Sig.SIGALRM:
      return "Alarm clock";
    case Sig.SIGTERM:
      return "Terminated";
    case Sig.SIGUSR1:
      return "User defined signal 1";
    case Sig.SIGUSR2:
      return "User defined signal 2";
    default:
      return sigName(sig);
  }
}
