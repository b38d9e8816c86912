// id: print real and effective user and group IDs.
//
//   id [-u | -g | -G] [-n] [-r] [USER]
//
// Names come from /etc/passwd and /etc/group (a number alone when an id has
// no name). Without options: uid=0(root) gid=0(root) groups=0(root), with
// euid= and egid= when they differ from the real ids.
import { getegid, geteuid, getgid, getgroups, getuid, print, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { groupById, groupsOf, userById, userByName } from "../coreutils/users.ts";

const USAGE = `Usage: id [OPTION]... [USER]...
Print user and group information for each specified USER,
or (when USER omitted) for the current process.

  -g, --group    print only the effective group ID
  -G, --groups   print all group IDs
  -n, --name     print a name instead a number, for -u,-g,-G
  -r, --real     print the real ID instead of the effective ID, with -u,-g,-G
  -u, --user     print only the effective user ID`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "aGgnruzZ",
    usage: USAGE,
    long: {
      group: { arg: "none", key: "g" },
      groups: { arg: "none", key: "G" },
      name: { arg: "none", key: "n" },
      real: { arg: "none", key: "r" },
      user: { arg: "none", key: "u" },
      zero: { arg: "none", key: "z" },
    },
  });
  if (typeof p === "number") return p;
  const has = (k: string) => p.opts.some((o) => o.key === k);
  const only = ["u", "g", "G"].filter(has);
  if (only.length > 1) {
    warn(`cannot print "only" of more than one choice`);
    return 1;
  }
  if (only.length === 0 && (has("n") || has("r"))) {
    warn("cannot print only names or real IDs in default format");
    return 1;
  }
  const users = p.operands.length === 0 ? [undefined] : p.operands;
  let status = 0;
  for (const u of users) {
    let ruid: number, euid: number, rgid: number, egid: number, groups: number[];
    if (u === undefined) {
      ruid = getuid();
      euid = geteuid();
      rgid = getgid();
      egid = getegid();
      groups = [rgid];
      if (egid !== rgid) groups.push(egid);
      for (const g of getgroups()) if (!groups.includes(g)) groups.push(g);
    } else {
      const pw = userByName(u) ?? (/^\+?\d+$/.test(u) ? userById(Number(u)) : undefined);
      if (pw === undefined) {
        warn(`${quoteAlways(u)}: no such user`);
        status = 1;
        continue;
      }
      ruid = euid = pw.uid;
      rgid = egid = pw.gid;
      groups = groupsOf(pw);
    }
    const name = has("n");
    const uname = (id: number) => userById(id)?.name ?? String(id);
    const gname = (id: number) => groupById(id)?.name ?? String(id);
    const showU = (id: number) => (name ? uname(id) : String(id));
    const showG = (id: number) => (name ? gname(id) : String(id));
    if (has("u")) {
      print(showU(has("r") ? ruid : euid));
    } else if (has("g")) {
      print(showG(has("r") ? rgid : egid));
    } else if (has("G")) {
      print(groups.map(showG).join(" "));
    } else {
      const withName = (id: number, n: string | undefined) =>
        n === undefined ? String(id) : `${id}(${n})`;
      let line = `uid=${withName(ruid, userById(ruid)?.name)} gid=${
        withName(rgid, groupById(rgid)?.name)
      }`;
      if (euid !== ruid) line += ` euid=${withName(euid, userById(euid)?.name)}`;
      if (egid !== rgid) line += ` egid=${withName(egid, groupById(egid)?.name)}`;
      line += ` groups=${groups.map((g) => withName(g, groupById(g)?.name)).join(",")}`;
      print(line);
    }
  }
  return status;
}
