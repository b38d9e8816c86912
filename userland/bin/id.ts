// id: print user and group ids (names come with /etc/passwd in a later issue).
import { getegid, geteuid, getgid, getgroups, getuid, print } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const uid = getuid();
  const euid = geteuid();
  const gid = getgid();
  const egid = getegid();
  const name = (id: number) => (id === 0 ? "root" : String(id));
  if (argv.includes("-u")) {
    print(String(argv.includes("-r") ? uid : euid));
    return 0;
  }
  if (argv.includes("-g")) {
    print(String(argv.includes("-r") ? gid : egid));
    return 0;
  }
  if (argv.includes("-G")) {
    print(getgroups().join(" "));
    return 0;
  }
  let line = `uid=${uid}(${name(uid)}) gid=${gid}(${name(gid)})`;
  if (euid !== uid) line += ` euid=${euid}(${name(euid)})`;
  if (egid !== gid) line += ` egid=${egid}(${name(egid)})`;
  line += ` groups=${getgroups().map((g) => `${g}(${name(g)})`).join(",")}`;
  print(line);
  return 0;
}
