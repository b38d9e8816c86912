// A session Worker's own fds (its MelloOS fd table allows 1024), by key,
// least recently used first; an evicted or stale one is closed.

import { close } from "../../userland/lib/mod.ts";

/** A Worker's fds by key, least recently used first; the evicted are closed. */
export class FdCache {
  readonly #map = new Map<number, { fd: number; generation: number }>();

  constructor(readonly limit: number) {}

  get(key: number, generation: number): number | undefined {
    const e = this.#map.get(key);
    if (e === undefined) return undefined;
    this.#map.delete(key);
    if (e.generation !== generation) {
      close(e.fd);
      return undefined;
    }
    this.#map.set(key, e);
    return e.fd;
  }

  put(key: number, generation: number, fd: number): void {
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#map.delete(key);
      close(old.fd);
    }
    this.#map.set(key, { fd, generation });
    while (this.#map.size > this.limit) {
      const [k, e] = this.#map.entries().next().value!;
      this.#map.delete(k);
      close(e.fd);
    }
  }

  drop(key: number): void {
    const e = this.#map.get(key);
    if (e === undefined) return;
    this.#map.delete(key);
    close(e.fd);
  }

  /** Close every fd whose (key, generation) `stale` says is no longer needed. */
  prune(stale: (key: number, generation: number) => boolean): void {
    for (const [k, e] of this.#map) {
      if (!stale(k, e.generation)) continue;
      this.#map.delete(k);
      close(e.fd);
    }
  }
}
