// The Worker global as the code running inside a Worker sees it. Deno type-
// checks every module against the window lib, so Worker-only members are
// reached through this one typed view.

/** Members of a dedicated Worker's global scope that we use. */
export interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
}

/** This Worker's global scope. */
export const workerScope = globalThis as unknown as WorkerScope;
