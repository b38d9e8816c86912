// df: report file system space usage.
//
//   df [-ahHiTk] [-t TYPE] [-x TYPE] [FILE]...
//
// Mounts come from /proc/mounts, sizes from statfs(2). Columns as GNU's:
// Filesystem 1K-blocks Used Available Use% Mounted on (-h: Size Used Avail;
// -i: Inodes IUsed IFree IUse%; -T adds Type). Without FILEs, pseudo file
// systems and those of size 0 are left out unless -a.
import { statfs, type StatfsRecord, stdout, warn } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { humanSize } from "../coreutils/human.ts";
import { type MountEntry, mountOf, readMounts } from "../coreutils/mounts.ts";
import { quoteIfNeeded } from "../coreutils/quote.ts";

const USAGE = `Usage: df [OPTION]... [FILE]...
Show information about the file system on which each FILE resides,
or all file systems by default.

  -a, --all             include pseudo, duplicate, inaccessible file systems
  -h, --human-readable  print sizes in powers of 1024 (e.g., 1023M)
  -H, --si              print sizes in powers of 1000 (e.g., 1.1G)
  -i, --inodes          list inode information instead of block usage
  -k                    like --block-size=1K
  -t, --type=TYPE       limit listing to file systems of type TYPE
  -T, --print-type      print file system type
  -x, --exclude-type=TYPE   limit listing to file systems not of type TYPE`;

const DUMMY_TYPES = new Set([
  "autofs",
  "proc",
  "subfs",
  "debugfs",
  "devpts",
  "fusectl",
  "mqueue",
  "rpc_pipefs",
  "sysfs",
  "devfs",
  "kernfs",
  "ignore",
  "none",
  "cgroup",
  "cgroup2",
  "securityfs",
  "pstore",
  "bpf",
  "tracefs",
  "configfs",
  "binfmt_misc",
]);

interface Row {
  m: MountEntry;
  sf: StatfsRecord;
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "ahHikt:Tx:Pl",
    usage: USAGE,
    long: {
      all: { arg: "none", key: "a" },
      "human-readable": { arg: "none", key: "h" },
      si: { arg: "none", key: "H" },
      inodes: { arg: "none", key: "i" },
      type: { arg: "required", key: "t" },
      "print-type": { arg: "none", key: "T" },
      "exclude-type": { arg: "required", key: "x" },
      local: { arg: "none", key: "l" },
      portability: { arg: "none", key: "P" },
    },
  });
  if (typeof p === "number") return p;
  let all = false;
  let human = 0;
  let inodes = false;
  let showType = false;
  const only: string[] = [];
  const exclude: string[] = [];
  for (const { key, value } of p.opts) {
    if (key === "a") all = true;
    else if (key === "h") human = 1024;
    else if (key === "H") human = 1000;
    else if (key === "k") human = 0;
    else if (key === "i") inodes = true;
    else if (key === "T") showType = true;
    else if (key === "t") only.push(value!);
    else if (key === "x") exclude.push(value!);
  }
  if (only.some((t) => exclude.includes(t))) {
    return usageError(
      `file system type ${
        quoteIfNeeded(only.find((t) => exclude.includes(t))!)
      } both selected and excluded`,
    );
  }
  let status = 0;
  const rows: Row[] = [];
  if (p.operands.length > 0) {
    for (const f of p.operands) {
      let sf: StatfsRecord;
      try {
        sf = statfs(f);
      } catch (err) {
        warn(quoteIfNeeded(f), err);
        status = 1;
        continue;
      }
      const m = mountOf(f) ?? { source: "-", target: "-", fstype: "-", options: "" };
      rows.push({ m, sf });
    }
  } else {
    const seen = new Set<string>();
    for (const m of readMounts()) {
      if (only.length > 0 && !only.includes(m.fstype)) continue;
      if (exclude.includes(m.fstype)) continue;
      if (!all && DUMMY_TYPES.has(m.fstype)) continue;
      let sf: StatfsRecord;
      try {
        sf = statfs(m.target);
      } catch (err) {
        if (all) {
          warn(quoteIfNeeded(m.target), err);
          status = 1;
        }
        continue;
      }
      if (!all && sf.blocks === 0 && !inodes) continue;
      // One line per mounted device: a later mount of the same source shadows none before it.
      const key = `${m.source}\0${m.fstype}`;
      if (!all && seen.has(key) && m.source !== "none") continue;
      seen.add(key);
      rows.push({ m, sf });
    }
  }
  if (rows.length === 0) {
    if (status === 0) {
      warn("no file systems processed");
      return 1;
    }
    return status;
  }
  printTable(rows, { human, inodes, showType });
  return status;
}

function printTable(
  rows: Row[],
  o: { human: number; inodes: boolean; showType: boolean },
): void {
  const header = ["Filesystem"];
  const minWidth = [14];
  const right = [false];
  if (o.showType) {
    header.push("Type");
    minWidth.push(4);
    right.push(false);
  }
  if (o.inodes) header.push("Inodes", "IUsed", "IFree", "IUse%");
  else if (o.human) header.push("Size", "Used", "Avail", "Use%");
  else header.push("1K-blocks", "Used", "Available", "Use%");
  minWidth.push(5, 5, 5, 4);
  right.push(true, true, true, true);
  header.push("Mounted on");
  minWidth.push(0);
  right.push(false);

  const table: string[][] = [header];
  for (const { m, sf } of rows) {
    const row = [m.source];
    if (o.showType) row.push(m.fstype);
    if (o.inodes) {
      const used = Math.max(0, sf.files - sf.ffree);
      row.push(String(sf.files), String(used), String(sf.ffree), percent(used, sf.ffree));
    } else {
      const unit = sf.frsize || sf.bsize;
      const used = Math.max(0, sf.blocks - sf.bfree);
      const size = (blocks: number) =>
        o.human ? humanSize(blocks * unit, o.human) : String(Math.ceil((blocks * unit) / 1024));
      row.push(size(sf.blocks), size(used), size(sf.bavail), percent(used, sf.bavail));
    }
    row.push(m.target);
    table.push(row);
  }
  const widths = header.map((_, i) => Math.max(minWidth[i], ...table.map((r) => r[i].length)));
  const out = stdout();
  for (const r of table) {
    const cells = r.map((c, i) => {
      if (i === r.length - 1) return c;
      return right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]);
    });
    out.write(cells.join(" ") + "\n");
  }
}

/** Use%: used / (used + available), rounded up; "-" when both are 0. */
function percent(used: number, avail: number): string {
  const total = used + avail;
  if (total === 0) return "-";
  return `${Math.ceil((used * 100) / total)}%`;
}
