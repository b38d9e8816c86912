// chown: change file owner and group.
//
//   chown [-Rhcfv] [--from=CUR] OWNER[:[GROUP]] FILE...      chown ... :GROUP FILE...
//   chown [-Rhcfv] --reference=RFILE FILE...
//
// OWNER and GROUP are names (from /etc/passwd and /etc/group) or numbers.
// "OWNER:" also sets the group to OWNER's login group. -h changes symlinks
// themselves; -R changes trees, without following symlinks inside them.
import { stat, warn } from "../lib/mod.ts";
import { getopt, last, usageError } from "../coreutils/getopt.ts";
import { CHOWN_LONG, CHOWN_SHORT, chownOptions, chownTree } from "../coreutils/chown_core.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import {
  groupById,
  groupName,
  parseGroup,
  parseUser,
  userByName,
  userName,
} from "../coreutils/users.ts";

const USAGE = `Usage: chown [OPTION]... [OWNER][:[GROUP]] FILE...
  or:  chown [OPTION]... --reference=RFILE FILE...
Change the owner and/or group of each FILE to OWNER and/or GROUP.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -h, --no-dereference   affect symbolic links instead of any referenced file
      --from=CURRENT_OWNER:CURRENT_GROUP
                         change only files owned so
      --reference=RFILE  use RFILE's owner and group rather than OWNER:GROUP
  -R, --recursive        operate on files and directories recursively`;

/** OWNER[:GROUP] parsed as chown takes it. */
export function parseSpec(
  text: string,
): { uid: number; gid: number; userText?: string; groupText?: string } | string {
  const sep = text.search(/[:.]/);
  const colon = sep >= 0 && (text[sep] === ":" || parseUser(text) === undefined);
  const user = colon ? text.slice(0, sep) : text;
  const group = colon ? text.slice(sep + 1) : undefined;
  let uid = -1;
  let gid = -1;
  let groupText = group;
  if (user !== "") {
    const u = parseUser(user);
    if (u === undefined) return `invalid user: ${quoteAlways(text)}`;
    uid = u;
  }
  if (group !== undefined && group !== "") {
    const g = parseGroup(group);
    if (g === undefined) return `invalid group: ${quoteAlways(text)}`;
    gid = g;
  } else if (group === "" && user !== "") {
    const e = userByName(user);
    if (e === undefined) return `invalid spec: ${quoteAlways(text)}`;
    gid = e.gid;
    groupText = groupById(e.gid)?.name ?? String(e.gid);
  }
  return {
    uid,
    gid,
    userText: user === "" ? undefined : user,
    groupText: groupText === "" ? undefined : groupText,
  };
}

export function main(argv: string[]): number {
  const p = getopt(argv, { short: CHOWN_SHORT, usage: USAGE, long: CHOWN_LONG });
  if (typeof p === "number") return p;
  const o = chownOptions(p);
  const files = [...p.operands];
  const from = last(p, "--from");
  if (from !== undefined) {
    const f = parseSpec(from);
    if (typeof f === "string") {
      warn(f);
      return 1;
    }
    o.fromUid = f.uid;
    o.fromGid = f.gid;
  }
  const ref = last(p, "--reference");
  if (ref !== undefined) {
    try {
      const st = stat(ref);
      o.uid = st.uid;
      o.gid = st.gid;
      o.userText = userName(st.uid);
      o.groupText = groupName(st.gid);
    } catch (err) {
      warn(`failed to get attributes of ${quoteAlways(ref)}`, err);
      return 1;
    }
  } else {
    const text = files.shift();
    if (text === undefined) return usageError("missing operand");
    if (files.length === 0) return usageError(`missing operand after ${quoteAlways(text)}`);
    const s = parseSpec(text);
    if (typeof s === "string") {
      warn(s);
      return 1;
    }
    Object.assign(o, s);
  }
  if (files.length === 0) return usageError("missing operand");
  let ok = true;
  for (const f of files) if (!chownTree(f, o)) ok = false;
  return ok ? 0 : 1;
}
