// chgrp: change group ownership.
//
//   chgrp [-Rhcfv] GROUP FILE...      chgrp [-Rhcfv] --reference=RFILE FILE...
import { stat, warn } from "../lib/mod.ts";
import { getopt, last, usageError } from "../coreutils/getopt.ts";
import { CHGRP_LONG, CHOWN_SHORT, chownOptions, chownTree } from "../coreutils/chown_core.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { groupName, parseGroup } from "../coreutils/users.ts";

const USAGE = `Usage: chgrp [OPTION]... GROUP FILE...
  or:  chgrp [OPTION]... --reference=RFILE FILE...
Change the group of each FILE to GROUP.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
  -h, --no-dereference   affect symbolic links instead of any referenced file
      --reference=RFILE  use RFILE's group rather than specifying a GROUP value
  -R, --recursive        operate on files and directories recursively`;

export function main(argv: string[]): number {
  const p = getopt(argv, { short: CHOWN_SHORT, usage: USAGE, long: CHGRP_LONG });
  if (typeof p === "number") return p;
  const o = chownOptions(p);
  const files = [...p.operands];
  const ref = last(p, "--reference");
  if (ref !== undefined) {
    try {
      o.gid = stat(ref).gid;
      o.groupText = groupName(o.gid);
    } catch (err) {
      warn(`failed to get attributes of ${quoteAlways(ref)}`, err);
      return 1;
    }
  } else {
    const text = files.shift();
    if (text === undefined) return usageError("missing operand");
    if (files.length === 0) return usageError(`missing operand after ${quoteAlways(text)}`);
    const gid = parseGroup(text);
    if (gid === undefined) {
      warn(`invalid group: ${quoteAlways(text)}`);
      return 1;
    }
    o.gid = gid;
    o.groupText = text;
  }
  let ok = true;
  for (const f of files) if (!chownTree(f, o)) ok = false;
  return ok ? 0 : 1;
}
