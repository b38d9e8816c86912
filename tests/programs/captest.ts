// Test program: capability checks seen from a process.
//   captest forge            present made-up tokens to the kernel
//   captest steal SLOT GEN   present another process's token
//   captest derive           derive a weaker copy of our kernel capability, use it, revoke it
//   captest spawn            try to spawn; exit with the errno (EPERM without the SPAWN right)
//   captest print            print our kernel capability token
import {
  capDerive,
  capRevoke,
  endpointCap,
  errnoName,
  getpid,
  print,
  rawCall,
  spawn,
  waitpid,
} from "../../userland/lib/mod.ts";
import { ErrnoError } from "../../userland/lib/syscall.ts";

const KERNEL = 0;
const GETPID = 39;
const KILL = 62;

export function main(argv: string[]): number {
  const mode = argv[1];
  if (mode === "forge") {
    const real = endpointCap(KERNEL);
    const tries = [
      { slot: real.slot + 1000, gen: 0 },
      { slot: real.slot, gen: real.gen + 1 },
      { slot: 0, gen: 0 },
      { slot: 2 ** 31, gen: 7 },
    ];
    for (const t of tries) {
      print(`forged ${t.slot}/${t.gen}: ${errnoName(rawCall(KERNEL, GETPID, t).errno)}`);
    }
    print(`real: pid ${rawCall(KERNEL, GETPID, real).value === getpid() ? "ok" : "wrong"}`);
    return 0;
  }
  if (mode === "steal") {
    const r = rawCall(KERNEL, GETPID, { slot: Number(argv[2]), gen: Number(argv[3]) });
    print(`stolen: ${errnoName(r.errno)}`);
    return 0;
  }
  if (mode === "print") {
    const c = endpointCap(KERNEL);
    print(`${c.slot} ${c.gen}`);
    return 0;
  }
  if (mode === "derive") {
    const CALL = 1 << 8;
    const weak = capDerive(endpointCap(KERNEL), CALL, getpid());
    print(`weak getpid: ${rawCall(KERNEL, GETPID, weak).value === getpid() ? "ok" : "wrong"}`);
    print(`weak kill: ${errnoName(rawCall(KERNEL, KILL, weak).errno)}`);
    capRevoke(weak);
    print(`revoked getpid: ${errnoName(rawCall(KERNEL, GETPID, weak).errno)}`);
    print(
      `own still: ${rawCall(KERNEL, GETPID, endpointCap(KERNEL)).errno === 0 ? "ok" : "broken"}`,
    );
    return 0;
  }
  if (mode === "spawn") {
    // Exit status, not output: the kernel starts this with no fds at all.
    try {
      waitpid(spawn("/bin/true", ["true"]), 0);
      return 0;
    } catch (err) {
      return err instanceof ErrnoError ? err.errno : 99;
    }
  }
  return 2;
}
