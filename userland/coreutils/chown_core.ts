// What chown and chgrp share: changing owner and group of files and trees,
// and the messages GNU's chown-core.c prints.
import { chown, lchown, lstat, print, type Stat, stat, warn } from "../lib/mod.ts";
import { isDir, isLnk } from "./consts.ts";
import { listNames } from "./dir.ts";
import type { LongOpt, Parsed } from "./getopt.ts";
import { join } from "./path.ts";
import { quoteAlways } from "./quote.ts";
import { groupName, userName } from "./users.ts";

export interface ChownOptions {
  /** -1 leaves it alone. */
  uid: number;
  gid: number;
  /** The new owner and group as the user spelled them (for messages). */
  userText?: string;
  groupText?: string;
  recursive: boolean;
  /** -h: change symlinks themselves. */
  noDeref: boolean;
  verbosity: "quiet" | "normal" | "changes" | "verbose";
  /** --from: change only files owned so. */
  fromUid: number;
  fromGid: number;
}

/** The options chown and chgrp both take (getopt spec: short letters and long names). */
export const CHOWN_SHORT = "cfvhRHLP";
export const CHOWN_LONG: Record<string, LongOpt> = {
  changes: { arg: "none", key: "c" },
  silent: { arg: "none", key: "f" },
  quiet: { arg: "none", key: "f" },
  verbose: { arg: "none", key: "v" },
  "no-dereference": { arg: "none", key: "h" },
  dereference: { arg: "none", key: "--dereference" },
  recursive: { arg: "none", key: "R" },
  from: { arg: "required", key: "--from" },
  reference: { arg: "required", key: "--reference" },
  "preserve-root": { arg: "none", key: "--preserve-root" },
  "no-preserve-root": { arg: "none", key: "--no-preserve-root" },
};

/** chgrp takes the same, but --from. */
export const CHGRP_LONG: Record<string, LongOpt> = Object.fromEntries(
  Object.entries(CHOWN_LONG).filter(([name]) => name !== "from"),
);

/** ChownOptions from parsed flags (the owner, group and --from are the caller's). */
export function chownOptions(p: Parsed): ChownOptions {
  const o: ChownOptions = {
    uid: -1,
    gid: -1,
    recursive: false,
    noDeref: false,
    verbosity: "normal",
    fromUid: -1,
    fromGid: -1,
  };
  for (const { key } of p.opts) {
    if (key === "c") o.verbosity = "changes";
    else if (key === "f") o.verbosity = "quiet";
    else if (key === "v") o.verbosity = "verbose";
    else if (key === "h") o.noDeref = true;
    else if (key === "--dereference") o.noDeref = false;
    else if (key === "R") o.recursive = true;
  }
  return o;
}

/** Change `path` (and what is under it with -R); false if anything failed. */
export function chownTree(path: string, o: ChownOptions): boolean {
  let st: Stat;
  // -R works on the tree as it is (GNU's default -P): symlinks are changed, never followed.
  const physical = o.noDeref || o.recursive;
  try {
    st = physical ? lstat(path) : stat(path);
  } catch (err) {
    if (o.verbosity !== "quiet") warn(`cannot access ${quoteAlways(path)}`, err);
    return false;
  }
  let ok = changeOne(path, st, o);
  if (o.recursive && isDir(st.mode)) {
    let names: string[];
    try {
      names = listNames(path);
    } catch (err) {
      if (o.verbosity !== "quiet") warn(`cannot read directory ${quoteAlways(path)}`, err);
      return false;
    }
    for (const n of names) if (!chownTree(join(path, n), o)) ok = false;
  }
  return ok;
}

function changeOne(path: string, st: Stat, o: ChownOptions): boolean {
  const matches = (o.fromUid === -1 || o.fromUid === st.uid) &&
    (o.fromGid === -1 || o.fromGid === st.gid);
  const { uid, gid } = o;
  const wantUser = o.uid !== -1;
  const wantGroup = o.gid !== -1;
  if (!matches) {
    if (o.verbosity === "verbose") report("retained", path, st, o);
    return true;
  }
  const changed = (wantUser && st.uid !== uid) || (wantGroup && st.gid !== gid);
  try {
    if (isLnk(st.mode)) lchown(path, uid, gid);
    else chown(path, uid, gid);
  } catch (err) {
    if (o.verbosity !== "quiet") {
      warn(`changing ${wantUser ? "ownership" : "group"} of ${quoteAlways(path)}`, err);
    }
    if (o.verbosity === "verbose") report("failed", path, st, o);
    return false;
  }
  if (o.verbosity === "verbose" || (o.verbosity === "changes" && changed)) {
    report(changed ? "changed" : "retained", path, st, o);
  }
  return true;
}

function spec(user: string | undefined, group: string | undefined): string {
  if (user !== undefined && group !== undefined) return `${user}:${group}`;
  return user ?? group ?? "";
}

function report(what: "changed" | "retained" | "failed", path: string, st: Stat, o: ChownOptions) {
  const wantUser = o.uid !== -1;
  const wantGroup = o.gid !== -1;
  const newSpec = spec(wantUser ? o.userText : undefined, wantGroup ? o.groupText : undefined);
  const oldSpec = spec(
    wantUser ? userName(st.uid) : undefined,
    wantGroup ? groupName(st.gid) : undefined,
  );
  const noun = wantUser ? "ownership" : wantGroup ? "group" : "ownership";
  const q = quoteAlways(path);
  if (what === "changed") print(`changed ${noun} of ${q} from ${oldSpec} to ${newSpec}`);
  // GNU prints the file's current owner here, not the one asked for.
  else if (what === "retained") print(`${noun} of ${q} retained as ${oldSpec}`);
  else print(`failed to change ${noun} of ${q} from ${oldSpec} to ${newSpec}`);
}
