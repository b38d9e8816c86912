// User and group names from /etc/passwd and /etc/group, when they exist.
// Without them every id prints as its number (and root as "root").

import { tryReadText } from "./files.ts";

/** One /etc/passwd entry. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

/** One /etc/group entry. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

let passwd: PasswdEntry[] | undefined;
let groups: GroupEntry[] | undefined;

/** Every /etc/passwd entry (none if the file is missing). */
export function passwdEntries(): PasswdEntry[] {
  if (passwd === undefined) {
    const text = tryReadText("/etc/passwd");
    passwd = [];
    if (text === undefined) passwd.push(ROOT);
    for (const line of (text ?? "").split("\n")) {
      const f = line.split(":");
      if (f.length < 7 || !/^\d+$/.test(f[2]) || !/^\d+$/.test(f[3])) continue;
      passwd.push({
        name: f[0],
        uid: Number(f[2]),
        gid: Number(f[3]),
        gecos: f[4],
        home: f[5],
        shell: f[6],
      });
    }
  }
  return passwd;
}

const ROOT: PasswdEntry = {
  name: "root",
  uid: 0,
  gid: 0,
  gecos: "root",
  home: "/",
  shell: "/bin/sh",
};

/** Every /etc/group entry. */
export function groupEntries(): GroupEntry[] {
  if (groups === undefined) {
    const text = tryReadText("/etc/group");
    groups = [];
    if (text === undefined) groups.push({ name: "root", gid: 0, members: [] });
    for (const line of (text ?? "").split("\n")) {
      const f = line.split(":");
      if (f.length < 4 || !/^\d+$/.test(f[2])) continue;
      groups.push({ name: f[0], gid: Number(f[2]), members: f[3] === "" ? [] : f[3].split(",") });
    }
  }
  return groups;
}

export function userById(uid: number): PasswdEntry | undefined {
  return passwdEntries().find((e) => e.uid === uid);
}

export function userByName(name: string): PasswdEntry | undefined {
  return passwdEntries().find((e) => e.name === name);
}

export function groupById(gid: number): GroupEntry | undefined {
  return groupEntries().find((e) => e.gid === gid);
}

export function groupByName(name: string): GroupEntry | undefined {
  return groupEntries().find((e) => e.name === name);
}

/** The user's name, or the number as text. */
export function userName(uid: number): string {
  return userById(uid)?.name ?? String(uid);
}

/** The group's name, or the number as text. */
export function groupName(gid: number): string {
  return groupById(gid)?.name ?? String(gid);
}

/** A user given by name or number (a name wins, as chown does); undefined if neither. */
export function parseUser(s: string): number | undefined {
  const e = userByName(s);
  if (e !== undefined) return e.uid;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

export function parseGroup(s: string): number | undefined {
  const e = groupByName(s);
  if (e !== undefined) return e.gid;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

/** The groups `user` is in: its login group, then those listing it, without repeats. */
export function groupsOf(user: PasswdEntry): number[] {
  const out = [user.gid];
  for (const g of groupEntries()) {
    if (g.members.includes(user.name) && !out.includes(g.gid)) out.push(g.gid);
  }
  return out;
}
