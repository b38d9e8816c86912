// The libc calls the FUSE driver makes, through Deno FFI (libc.so.6).
//
// Every call is synchronous: it blocks the calling thread, which is the point
// in a session Worker (MEASURED.md: nonblocking FFI calls hop through a thread
// pool, cost ~200 µs each, and leave errno unreadable). errno is thread-local,
// so each thread opens the library itself (`libc()` caches one per thread) and
// reads errno through a view made once: the read happens right after the call
// returns, with no allocation in between that could run other libc code.
//
// Opening the library needs Deno's ffi permission, and nothing else: files in
// /proc are read here rather than with Deno.readFile (Deno wants --allow-all
// for /proc/<pid>/*).

const SYMBOLS = {
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  mkdtemp: { parameters: ["buffer"], result: "pointer" },
  rmdir: { parameters: ["buffer"], result: "i32" },
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  realpath: { parameters: ["buffer", "buffer"], result: "pointer" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  getuid: { parameters: [], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** open(2) flags we use (x86-64 and aarch64 values). */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

/** mount(2) and umount2(2) flags. */
export const MS_NOSUID = 2;
export const MS_NODEV = 4;
export const MNT_DETACH = 2;

const EINTR = 4;
const PATH_MAX = 4096;

/** libc as one thread sees it: the symbols and this thread's errno. */
export class Libc {
  readonly #lib = Deno.dlopen("libc.so.6", SYMBOLS);
  readonly #errno = new Deno.UnsafePointerView(this.#lib.symbols.__errno_location()!);
  readonly fn = this.#lib.symbols;

  /** errno of this thread's last failed call; read it before any other libc call. */
  errno(): number {
    return this.#errno.getInt32(0);
  }

  /** open(2); returns the fd or -errno. */
  open(path: string, flags: number, mode = 0): number {
    const fd = this.fn.open(cString(path), flags, mode);
    return fd < 0 ? -this.errno() : fd;
  }

  /** close(2); returns 0 or -errno. */
  close(fd: number): number {
    return this.fn.close(fd) < 0 ? -this.errno() : 0;
  }

  /** read(2) into `buf`; returns the byte count or -errno. */
  read(fd: number, buf: Uint8Array): number {
    const n = Number(this.fn.read(fd, buf, BigInt(buf.length)));
    return n < 0 ? -this.errno() : n;
  }

  /** write(2) of all of `buf` in one call; returns the byte count or -errno. */
  write(fd: number, buf: Uint8Array): number {
    const n = Number(this.fn.write(fd, buf, BigInt(buf.length)));
    return n < 0 ? -this.errno() : n;
  }

  /** mount(2); returns 0 or -errno. */
  mount(source: string, target: string, fstype: string, flags: number, data: string): number {
    const r = this.fn.mount(
      cString(source),
      cString(target),
      cString(fstype),
      BigInt(flags),
      cString(data),
    );
    return r < 0 ? -this.errno() : 0;
  }

  /** umount2(2); returns 0 or -errno. */
  umount2(target: string, flags: number): number {
    return this.fn.umount2(cString(target), flags) < 0 ? -this.errno() : 0;
  }

  /** A whole (small) file, read with open/read/close; -errno on failure. */
  readFile(path: string): Uint8Array | number {
    const fd = this.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fd;
    try {
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const chunk = new Uint8Array(4096);
        const n = this.read(fd, chunk);
        if (n === -EINTR) continue;
        if (n < 0) return n;
        if (n === 0) break;
        chunks.push(chunk.subarray(0, n));
        total += n;
      }
      return concat(chunks, total);
    } finally {
      this.close(fd);
    }
  }

  /** Write `text` to an existing file (a control file in sysfs or fusectl); 0 or -errno. */
  writeFile(path: string, text: string): number {
    const fd = this.open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fd;
    try {
      const n = this.write(fd, new TextEncoder().encode(text));
      return n < 0 ? n : 0;
    } finally {
      this.close(fd);
    }
  }

  /** A new private directory under `parent`, made by mkdtemp(3); its path or -errno. */
  makeTempDir(parent: string, prefix: string): string | number {
    const template = cString(`${parent}/${prefix}XXXXXX`);
    if (this.fn.mkdtemp(template) === null) return -this.errno();
    return new TextDecoder().decode(template.subarray(0, template.length - 1));
  }

  /** realpath(3): `path` absolute, without symlinks or dot components; or -errno. */
  realpath(path: string): string | number {
    const out = new Uint8Array(PATH_MAX);
    if (this.fn.realpath(cString(path), out) === null) return -this.errno();
    return new TextDecoder().decode(out.subarray(0, out.indexOf(0)));
  }

  /** access(2) with mode X_OK and friends; 0 or -errno. */
  access(path: string, mode: number): number {
    return this.fn.access(cString(path), mode) < 0 ? -this.errno() : 0;
  }

  /** rmdir(2); returns 0 or -errno. */
  rmdir(path: string): number {
    return this.fn.rmdir(cString(path)) < 0 ? -this.errno() : 0;
  }
}

let perThread: Libc | undefined;

/** This thread's libc (each Worker is its own thread, with its own errno). */
export function libc(): Libc {
  perThread ??= new Libc();
  return perThread;
}

/** `s` as a NUL-terminated byte string. */
export function cString(s: string): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

/**
 * A buffer of `sizeBytes` that starts on a 4096-byte boundary, made as
 * MEASURED.md says (over-allocate by a page, take the aligned subarray).
 * /dev/fuse itself copies with copy_to_user and needs no alignment; an
 * aligned buffer lets a handler pass its pages straight to an O_DIRECT device.
 */
export function alignedBuffer(sizeBytes: number): Uint8Array {
  const raw = new Uint8Array(new ArrayBuffer(sizeBytes + 4096));
  const addr = Number(Deno.UnsafePointer.value(Deno.UnsafePointer.of(raw)));
  const skip = (4096 - (addr % 4096)) % 4096;
  return raw.subarray(skip, skip + sizeBytes);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
