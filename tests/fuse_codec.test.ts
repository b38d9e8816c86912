// The FUSE codec and dispatcher without a kernel: requests decoded from
// bytes written out by hand, replies compared byte for byte with hand-checked
// layouts (drivers/fuse/abi.ts, checked against C by fuse_abi.test.ts),
// directory packing at the size limit, and the dispatcher's promises: one
// reply per request (ENOSYS for what nobody handles, EIO for a handler's
// bug), none for FORGET, BATCH_FORGET and INTERRUPT, and INIT's answer.

import assert from "node:assert/strict";
import { FuseOp, InitFlag, RENAME_NOREPLACE } from "../drivers/fuse/abi.ts";
import {
  decodeBatchForget,
  decodeRename,
  decodeSetattr,
  decodeSetxattr,
  ReplyWriter,
  Request,
} from "../drivers/fuse/codec.ts";
import { DirPacker } from "../drivers/fuse/dirent.ts";
import { dispatch, NO_REPLY, type Served } from "../drivers/fuse/dispatch.ts";
import type { Attr, FuseHandler } from "../drivers/fuse/handler.ts";
import { SessionShared, SessionStateValue } from "../drivers/fuse/shared.ts";
import { parseGroups } from "../drivers/fuse/credentials.ts";
import { connectionOf, parseMountinfo } from "../drivers/fuse/mountinfo.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";

const T = { entryMs: 1500, attrMs: 250 };

function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+|\/\/[^\n]*/g, "");
  return Uint8Array.from(
    { length: clean.length / 2 },
    (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16),
  );
}

function toHex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

const le32 = (n: number) => toHex(new Uint8Array(new Uint32Array([n >>> 0]).buffer));
const le64 = (n: bigint) =>
  toHex(new Uint8Array(new BigUint64Array([BigInt.asUintN(64, n)]).buffer));

/** A request: header (uid 1000, gid 100, pid 4242) and body. */
function request(opcode: number, nodeid: number, body: Uint8Array, unique = 16n): Uint8Array {
  const bytes = new Uint8Array(40 + body.length);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, bytes.length, true);
  v.setUint32(4, opcode, true);
  v.setBigUint64(8, unique, true);
  v.setBigUint64(16, BigInt(nodeid), true);
  v.setUint32(24, 1000, true);
  v.setUint32(28, 100, true);
  v.setUint32(32, 4242, true);
  bytes.set(body, 40);
  return bytes;
}

function cat(...parts: Array<Uint8Array | string>): Uint8Array {
  const bytes = parts.map((p) => typeof p === "string" ? new TextEncoder().encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function served(handler: FuseHandler): Served & { logs: string[] } {
  const logs: string[] = [];
  return {
    handler,
    out: new ReplyWriter(new Uint8Array(1 << 16), T),
    dir: new DirPacker(T),
    shared: SessionShared.create(),
    log: (t) => logs.push(t),
    logs,
  };
}

/** Run one request through the dispatcher; the reply's bytes ([] for none). */
function roundTrip(s: Served, req: Uint8Array): Uint8Array {
  const len = dispatch(req, s);
  return s.out.bytes.slice(0, len);
}

/** The errno of a reply (its out header says -errno). */
function errnoOf(reply: Uint8Array): number {
  return -new DataView(reply.buffer, reply.byteOffset).getInt32(4, true);
}

const ATTR: Attr = {
  ino: 5,
  sizeBytes: 6,
  blocks: 1,
  atimeSec: 1700000000,
  atimeNsec: 1,
  mtimeSec: -1, // 1969-12-31T23:59:59Z: times are signed
  mtimeNsec: 2,
  ctimeSec: 0,
  ctimeNsec: 3,
  mode: 0o100644,
  nlink: 1,
  uid: 1000,
  gid: 100,
  rdev: 0,
  blksize: 4096,
};

// fuse_attr of ATTR, by hand (abi.ts ATTR layout).
const ATTR_HEX = `
  0500000000000000 0600000000000000 0100000000000000  // ino size blocks
  00f1536500000000 ffffffffffffffff 0000000000000000  // atime 1700000000, mtime -1, ctime 0
  01000000 02000000 03000000                          // atimensec mtimensec ctimensec
  a4810000 01000000 e8030000 64000000                 // mode 0100644, nlink, uid 1000, gid 100
  00000000 00100000 00000000                          // rdev, blksize 4096, flags`;

Deno.test("fuse codec: a LOOKUP written by hand decodes to its header and name", () => {
  const bytes = hex(`
    2e000000 01000000 1000000000000000 0100000000000000  // len 46, LOOKUP, unique 16, node 1
    e8030000 64000000 92100000 0000 0000                 // uid 1000, gid 100, pid 4242
    68656c6c6f00                                         // "hello\\0"`);
  const req = new Request(bytes);
  assert.deepEqual(req.header, {
    len: 46,
    opcode: FuseOp.LOOKUP,
    unique: 16n,
    nodeid: 1,
    uid: 1000,
    gid: 100,
    pid: 4242,
    extBytes: 0,
  });
  assert.deepEqual(req.name(0), [new TextEncoder().encode("hello"), 6]);
});

Deno.test("fuse codec: short or malformed requests are EIO, never RangeError", () => {
  const eio = (fn: () => unknown) =>
    assert.throws(fn, (e) => e instanceof ErrnoError && e.errno === Errno.EIO);
  eio(() => new Request(new Uint8Array(39)));
  const lying = request(FuseOp.LOOKUP, 1, hex("6100"));
  new DataView(lying.buffer).setUint32(0, 99, true); // len says 99, 42 bytes came
  eio(() => new Request(lying));
  eio(() => new Request(request(FuseOp.LOOKUP, 1, hex("616263"))).name(0)); // no NUL
  eio(() => decodeSetattr(new Request(request(FuseOp.SETATTR, 1, new Uint8Array(87)))));
  const batch = cat(hex(le32(3) + le32(0)), new Uint8Array(16 * 2)); // says 3, holds 2
  eio(() => decodeBatchForget(new Request(request(FuseOp.BATCH_FORGET, 0, batch))));
  // Extensions (total_extlen, 8-byte units) are not body: a name must end before them.
  const ext = request(FuseOp.LOOKUP, 1, cat("ab", new Uint8Array(6), hex("0000000000000000")));
  new DataView(ext.buffer).setUint16(36, 1, true);
  assert.equal(new Request(ext).bodyBytes, 8);
});

Deno.test("fuse dispatch: a malformed request with a readable header still gets its EIO reply", () => {
  const s = served({ lookup: () => assert.fail("not for a malformed request") });
  const lying = request(FuseOp.LOOKUP, 1, hex("6100"), 77n);
  new DataView(lying.buffer).setUint32(0, 99, true);
  const reply = roundTrip(s, lying);
  assert.equal(errnoOf(reply), Errno.EIO);
  assert.equal(new DataView(reply.buffer).getBigUint64(8, true), 77n);
  assert.equal(dispatch(new Uint8Array(12), s), NO_REPLY); // no header: nothing to answer
  assert.equal(s.shared.counters().bugs, 2);
});

Deno.test("fuse codec: names are bytes, not text, and are copied out of the buffer", () => {
  const raw = request(FuseOp.LOOKUP, 1, hex("ff fe 2f 80 00"));
  const name = new Request(raw).name(0)[0];
  raw.fill(0);
  assert.deepEqual([...name], [0xff, 0xfe, 0x2f, 0x80]);
});

Deno.test("fuse codec: an error reply is the 16-byte header with -errno", () => {
  const w = new ReplyWriter(new Uint8Array(64), T);
  const len = w.error(0x0102030405060708n, Errno.ENOENT);
  assert.equal(toHex(w.bytes.subarray(0, len)), "10000000" + "feffffff" + "0807060504030201");
});

Deno.test("fuse codec: an entry reply, byte for byte", () => {
  const s = served({ lookup: () => ({ nodeid: 5, generation: 7, attr: ATTR }) });
  const reply = roundTrip(s, request(FuseOp.LOOKUP, 1, hex("6100"), 42n));
  assert.equal(
    toHex(reply),
    toHex(hex(`
      90000000 00000000 2a00000000000000    // len 144, ok, unique 42
      0500000000000000 0700000000000000     // nodeid 5, generation 7
      0100000000000000 0000000000000000     // entry_valid 1 s, attr_valid 0 s
      0065cd1d 80b2e60e                     // entry_valid_nsec 500000000, attr_valid_nsec 250000000
      ${ATTR_HEX}`)),
  );
});

Deno.test("fuse codec: attr, open, create, write, statfs and lseek replies have their shapes", () => {
  const w = new ReplyWriter(new Uint8Array(1024), T);
  const out = (len: number) => toHex(w.bytes.subarray(16, len));
  assert.equal(
    out(w.attr(1n, ATTR)),
    toHex(hex(`0000000000000000 80b2e60e 00000000 ${ATTR_HEX}`)), // attr_valid 0 s + 250 ms
  );
  assert.equal(
    out(w.open(1n, { fh: 2 ** 40 + 3, openFlags: 2 })),
    "0300000000010000" + "02000000" + "00000000",
  );
  const created = w.create(1n, { entry: { nodeid: 9, generation: 0, attr: ATTR }, fh: 4 });
  assert.equal(created, 16 + 128 + 16);
  assert.equal(
    toHex(w.bytes.subarray(16 + 128, created)),
    "0400000000000000" + "00000000" + "00000000",
  );
  assert.equal(out(w.write(1n, 4096)), "00100000" + "00000000");
  assert.equal(out(w.lseek(1n, 2 ** 33)), "0000000002000000");
  const st = out(
    w.statfs(1n, {
      blocks: 10,
      bfree: 9,
      bavail: 8,
      files: 7,
      ffree: 6,
      bsize: 4096,
      namelen: 255,
      frsize: 512,
    }),
  );
  assert.equal(
    st,
    le64(10n) + le64(9n) + le64(8n) + le64(7n) + le64(6n) + le32(4096) + le32(255) + le32(512) +
      "00".repeat(4 + 24),
  );
});

Deno.test("fuse codec: readdir records are 8-byte aligned, zero-padded, and never cut at the limit", () => {
  const buf = new Uint8Array(256).fill(0xee); // dirty, as a reused reply buffer is
  const p = new DirPacker(T);
  p.reset(buf, 72);
  assert.ok(p.add(new TextEncoder().encode("a"), 2, 0o100644, 1)); // 24 + 1 -> 32
  assert.ok(p.add(new TextEncoder().encode("hello world!"), 3, 0o040755, 2)); // 24 + 12 -> 40
  assert.ok(!p.add(new TextEncoder().encode("b"), 4, 0o100644, 3)); // 72 used: no room for 32
  assert.equal(p.usedBytes, 72);
  assert.equal(
    toHex(buf.subarray(0, 72)),
    toHex(hex(`
      0200000000000000 0100000000000000 01000000 08000000  // ino 2, next off 1, namelen 1, DT_REG
      6100000000000000                                     // "a" + 7 zero bytes
      0300000000000000 0200000000000000 0c000000 04000000  // ino 3, next off 2, namelen 12, DT_DIR
      68656c6c6f20776f726c642100000000                     // "hello world!" + 4 zero bytes`)),
  );
  assert.equal(buf[72], 0xee, "nothing written past the limit");
});

Deno.test("fuse codec: a readdirplus record is an entry_out then a dirent, aligned to 8", () => {
  const buf = new Uint8Array(512).fill(0xee);
  const p = new DirPacker(T);
  p.reset(buf, 512);
  assert.ok(
    p.addPlus(new TextEncoder().encode("abc"), { nodeid: 5, generation: 7, attr: ATTR }, 9),
  );
  assert.equal(p.usedBytes, 160); // 152 + 3 -> 160
  assert.equal(toHex(buf.subarray(0, 8)), "0500000000000000"); // entry_out.nodeid
  assert.equal(toHex(buf.subarray(40, 128)), toHex(hex(ATTR_HEX))); // entry_out.attr
  assert.equal(
    toHex(buf.subarray(128, 160)),
    "0500000000000000" + "0900000000000000" + "03000000" + "08000000" + "6162630000000000",
  );
  p.reset(buf, 159);
  assert.ok(
    !p.addPlus(new TextEncoder().encode("abc"), { nodeid: 5, generation: 7, attr: ATTR }, 9),
  );
});

Deno.test("fuse dispatch: READDIR packs into the reply up to the size the kernel asked", () => {
  const names = ["one", "two", "three"];
  const s = served({
    readdir: (_ctx, req) => {
      for (let i = req.offset; i < names.length; i++) {
        if (!req.out.add(new TextEncoder().encode(names[i]), 10 + i, 0o100644, i + 1)) return;
      }
    },
  });
  const readIn = (offset: number, size: number) =>
    hex(le64(1n) + le64(BigInt(offset)) + le32(size) + le32(0) + le64(0n) + le32(0) + le32(0));
  const first = roundTrip(s, request(FuseOp.READDIR, 1, readIn(0, 64)));
  assert.equal(first.length, 16 + 64); // "one" and "two" (32 each); "three" waits
  const rest = roundTrip(s, request(FuseOp.READDIR, 1, readIn(2, 4096)));
  assert.equal(rest.length, 16 + 32);
  assert.equal(new TextDecoder().decode(rest.subarray(16 + 24, 16 + 29)), "three");
  const end = roundTrip(s, request(FuseOp.READDIR, 1, readIn(3, 4096)));
  assert.equal(end.length, 16); // empty: end of directory
});

Deno.test("fuse codec: SETATTR fields appear only when their FATTR bit is set", () => {
  const body = new Uint8Array(88);
  const v = new DataView(body.buffer);
  v.setUint32(0, (1 << 0) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 6), true); // MODE SIZE MTIME ATIME_NOW FH
  v.setBigUint64(8, 77n, true); // fh
  v.setBigUint64(16, 1234n, true); // size
  v.setBigInt64(40, -86400n, true); // mtime: a day before the epoch
  v.setUint32(60, 999, true); // mtimensec
  v.setUint32(68, 0o100600, true); // mode
  v.setUint32(76, 55, true); // uid: not valid, so not decoded
  assert.deepEqual(decodeSetattr(new Request(request(FuseOp.SETATTR, 3, body))), {
    nodeid: 3,
    fh: 77,
    mode: 0o100600,
    sizeBytes: 1234,
    atime: "now",
    mtime: { sec: -86400, nsec: 999 },
    killSuidgid: false,
    valid: 0b11101001,
  });
});

Deno.test("fuse codec: SETXATTR's fixed part is 8 bytes, or 16 with FUSE_SETXATTR_EXT", () => {
  const tail = cat("user.k\0", "value");
  const compat = decodeSetxattr(
    new Request(request(FuseOp.SETXATTR, 2, cat(hex(le32(5) + le32(1)), tail))),
    false,
  );
  const ext = decodeSetxattr(
    new Request(request(FuseOp.SETXATTR, 2, cat(hex(le32(5) + le32(2) + le32(1) + le32(0)), tail))),
    true,
  );
  for (const [got, flags] of [[compat, 1], [ext, 2]] as const) {
    assert.equal(new TextDecoder().decode(got.name), "user.k");
    assert.equal(new TextDecoder().decode(got.value), "value");
    assert.equal(got.flags, flags);
  }
});

Deno.test("fuse codec: RENAME and RENAME2 carry two names; BATCH_FORGET many nodes", () => {
  const r1 = decodeRename(
    new Request(request(FuseOp.RENAME, 1, cat(hex(le64(9n)), "a\0b\0"))),
    false,
  );
  assert.deepEqual([r1.newParent, r1.flags, r1.name[0], r1.newName[0]], [9, 0, 0x61, 0x62]);
  const body2 = cat(hex(le64(9n) + le32(RENAME_NOREPLACE) + le32(0)), "a\0b\0");
  const r2 = decodeRename(new Request(request(FuseOp.RENAME2, 1, body2)), true);
  assert.equal(r2.flags, RENAME_NOREPLACE);
  const batch = hex(le32(2) + le32(0) + le64(5n) + le64(1n) + le64(6n) + le64(3n));
  assert.deepEqual(decodeBatchForget(new Request(request(FuseOp.BATCH_FORGET, 0, batch))), [
    { nodeid: 5, nlookup: 1 },
    { nodeid: 6, nlookup: 3 },
  ]);
});

Deno.test("fuse dispatch: an opcode nobody knows, or a method the handler lacks, answers ENOSYS", () => {
  const s = served({});
  for (const op of [9999, FuseOp.IOCTL, FuseOp.COPY_FILE_RANGE, FuseOp.LOOKUP, FuseOp.STATFS]) {
    const reply = roundTrip(s, request(op, 1, hex("6100"), 100n));
    assert.equal(reply.length, 16);
    assert.equal(errnoOf(reply), Errno.ENOSYS, `opcode ${op}`);
    assert.equal(new DataView(reply.buffer).getBigUint64(8, true), 100n);
  }
});

Deno.test("fuse dispatch: FORGET, BATCH_FORGET and INTERRUPT get no reply, even when they fail", () => {
  const forgotten: number[] = [];
  const s = served({
    forget: (_ctx, fs) => fs.forEach((f) => forgotten.push(f.nodeid, f.nlookup)),
  });
  assert.equal(dispatch(request(FuseOp.FORGET, 7, hex(le64(2n))), s), NO_REPLY);
  assert.equal(
    dispatch(request(FuseOp.BATCH_FORGET, 0, hex(le32(1) + le32(0) + le64(8n) + le64(1n))), s),
    NO_REPLY,
  );
  assert.equal(dispatch(request(FuseOp.INTERRUPT, 0, hex(le64(44n))), s), NO_REPLY);
  assert.equal(dispatch(request(FuseOp.FORGET, 7, hex("00")), s), NO_REPLY); // short body
  assert.deepEqual(forgotten, [7, 2, 8, 1]);
});

Deno.test("fuse dispatch: ErrnoError answers its errno; any other exception answers EIO and is logged", () => {
  const s = served({
    getattr: (_ctx, req) => {
      if (req.nodeid === 2) throw new ErrnoError(Errno.ENOENT);
      throw new TypeError("a handler bug");
    },
  });
  const getattrIn = hex(le32(0) + le32(0) + le64(0n));
  assert.equal(errnoOf(roundTrip(s, request(FuseOp.GETATTR, 2, getattrIn))), Errno.ENOENT);
  assert.equal(errnoOf(roundTrip(s, request(FuseOp.GETATTR, 3, getattrIn))), Errno.EIO);
  assert.equal(s.shared.counters().bugs, 1);
  assert.match(s.logs.join("\n"), /a handler bug/);
});

Deno.test("fuse dispatch: GETXATTR answers size queries, ERANGE, or the value; LISTXATTR packs names", () => {
  const value = new TextEncoder().encode("0123456789");
  const s = served({
    getxattr: () => value,
    listxattr: () => [new TextEncoder().encode("user.a"), new TextEncoder().encode("user.bb")],
  });
  const get = (size: number) =>
    request(FuseOp.GETXATTR, 2, cat(hex(le32(size) + le32(0)), "user.x\0"));
  assert.equal(toHex(roundTrip(s, get(0)).subarray(16)), le32(10) + le32(0));
  assert.equal(errnoOf(roundTrip(s, get(9))), Errno.ERANGE);
  assert.equal(new TextDecoder().decode(roundTrip(s, get(64)).subarray(16)), "0123456789");
  const list = (size: number) => request(FuseOp.LISTXATTR, 2, hex(le32(size) + le32(0)));
  assert.equal(toHex(roundTrip(s, list(0)).subarray(16)), le32(15) + le32(0));
  assert.equal(new TextDecoder().decode(roundTrip(s, list(15)).subarray(16)), "user.a\0user.bb\0");
  assert.equal(errnoOf(roundTrip(s, list(14))), Errno.ERANGE);
});

Deno.test("fuse dispatch: READ data filled in place is not copied; other bytes are", () => {
  let inPlace = true;
  const s = served({
    read: (_ctx, req) => {
      if (!inPlace) return new TextEncoder().encode("copied");
      // The buffer offered is the reply's own payload area: filling it is answering.
      assert.equal(req.buffer.buffer, s.out.bytes.buffer);
      assert.equal(req.buffer.byteOffset, s.out.bytes.byteOffset + 16);
      req.buffer.set(new TextEncoder().encode("in place"));
      return req.buffer.subarray(0, 8);
    },
  });
  const readIn = hex(le64(1n) + le64(0n) + le32(100) + le32(0) + le64(0n) + le32(0) + le32(0));
  assert.equal(
    new TextDecoder().decode(roundTrip(s, request(FuseOp.READ, 2, readIn)).subarray(16)),
    "in place",
  );
  inPlace = false;
  assert.equal(
    new TextDecoder().decode(roundTrip(s, request(FuseOp.READ, 2, readIn)).subarray(16)),
    "copied",
  );
});

Deno.test("fuse dispatch: INTERRUPT is recorded, and the interrupted request's handler sees it", () => {
  const seen: boolean[] = [];
  const s = served({ access: (ctx) => void seen.push(ctx.interrupted()) });
  const accessIn = hex(le32(4) + le32(0));
  roundTrip(s, request(FuseOp.ACCESS, 1, accessIn, 50n));
  dispatch(request(FuseOp.INTERRUPT, 0, hex(le64(52n)), 53n), s);
  roundTrip(s, request(FuseOp.ACCESS, 1, accessIn, 52n));
  assert.deepEqual(seen, [false, true]);
});

Deno.test("fuse dispatch: INIT answers our minor and only the flags we honour", () => {
  const offered = 0xffffffff;
  const init = (major: number, minor: number) =>
    request(
      FuseOp.INIT,
      0,
      hex(le32(major) + le32(minor) + le32(131072) + le32(offered) + "00".repeat(48)),
    );
  const s = served({ readdir: () => {} });
  const reply = roundTrip(s, init(7, 45));
  assert.equal(reply.length, 16 + 64);
  const v = new DataView(reply.buffer, 16);
  assert.deepEqual(
    [
      v.getUint32(0, true),
      v.getUint32(4, true),
      v.getUint32(8, true),
      v.getUint32(20, true),
      v.getUint16(28, true),
    ],
    [7, 38, 131072, 1 << 20, 256], // major, minor, max_readahead, max_write, max_pages
  );
  const flags = v.getUint32(12, true);
  assert.equal(flags & InitFlag.DO_READDIRPLUS, 0, "no readdirplus without a handler for it");
  assert.equal(flags & InitFlag.WRITEBACK_CACHE, 0);
  assert.equal(flags & InitFlag.POSIX_ACL, 0);
  assert.notEqual(flags & InitFlag.MAX_PAGES, 0);
  assert.equal(s.shared.state, SessionStateValue.READY);
  assert.equal(s.shared.flags, flags);

  const plus = served({ readdirplus: () => {} });
  const plusFlags = new DataView(roundTrip(plus, init(7, 45)).buffer).getUint32(16 + 12, true);
  assert.notEqual(plusFlags & InitFlag.DO_READDIRPLUS, 0);

  const old = served({});
  assert.equal(errnoOf(roundTrip(old, init(7, 22))), Errno.EPROTO);
  assert.equal(old.shared.state, SessionStateValue.REFUSED);
  const low = served({});
  assert.equal(new DataView(roundTrip(low, init(7, 31)).buffer).getUint32(16 + 4, true), 31);
});

Deno.test("fuse credentials: the Groups line of /proc/<pid>/status", () => {
  assert.deepEqual(parseGroups("Name:\tx\nGroups:\t4 24 27 1000 \nNgid:\t0\n"), [4, 24, 27, 1000]);
  assert.deepEqual(parseGroups("Name:\tx\nGroups:\t\n"), []);
});

Deno.test("fuse mountinfo: escaped mount points, and the fusectl connection number", () => {
  const [m] = parseMountinfo(
    "41 27 0:300 / /tmp/a\\040b rw,nosuid,nodev,relatime shared:1 - fuse.melloos melloos rw,user_id=0\n",
  );
  assert.deepEqual(m, {
    major: 0,
    minor: 300,
    mountPoint: "/tmp/a b",
    fstype: "fuse.melloos",
    source: "melloos",
  });
  assert.equal(connectionOf(m), 300);
  assert.equal(connectionOf({ ...m, major: 1, minor: 2 }), (1 << 20) + 2);
});
