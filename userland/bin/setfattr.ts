// setfattr: set extended attributes of files, as attr's setfattr.
//
//   setfattr {-n NAME} [-v VALUE] [-h] FILE...
//   setfattr {-x NAME} [-h] FILE...
//
// VALUE is text, "quoted text" (with \ooo escapes), 0x hex or 0s base64.
import { eprint, lremovexattr, lsetxattr, removexattr, setxattr, strerror } from "../lib/mod.ts";
import { Errno } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { errnoOf } from "../coreutils/files.ts";
import { decodeValue } from "../coreutils/xattr_text.ts";

const SYNOPSIS = "Usage: setfattr {-n name} [-v value] [-h] file...\n" +
  "       setfattr {-x name} [-h] file...";
const TRY = "Try `setfattr --help' for more information.";
const USAGE = `setfattr 2.5.1 -- set extended attributes
${SYNOPSIS}
  -n, --name=name         set the value of the named extended attribute
  -x, --remove=name       remove the named extended attribute
  -v, --value=value       use value as the attribute value
  -h, --no-dereference    do not dereference symbolic links
      --raw               do not decode the value
      --version           print version and exit
      --help              this help text`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "n:x:v:h",
    usageStatus: 2,
    usage: USAGE,
    tryText: `${SYNOPSIS}\n${TRY}`,
    long: {
      name: { arg: "required", key: "n" },
      remove: { arg: "required", key: "x" },
      value: { arg: "required", key: "v" },
      "no-dereference": { arg: "none", key: "h" },
      raw: { arg: "none", key: "--raw" },
    },
  });
  if (typeof p === "number") return p;
  let name: string | undefined;
  let remove: string | undefined;
  let value: string | undefined;
  let deref = true;
  let raw = false;
  for (const o of p.opts) {
    if (o.key === "n") name = o.value;
    else if (o.key === "x") remove = o.value;
    else if (o.key === "v") value = o.value;
    else if (o.key === "h") deref = false;
    else if (o.key === "--raw") raw = true;
  }
  if ((name === undefined) === (remove === undefined) || p.operands.length === 0) {
    eprint(`${SYNOPSIS}\n${TRY}`);
    return 2;
  }
  let bytes: Uint8Array = new Uint8Array(0);
  if (name !== undefined && value !== undefined) {
    const v = raw ? new TextEncoder().encode(value) : decodeValue(value);
    if (v === undefined) {
      eprint(`setfattr: bad input encoding`);
      return 1;
    }
    bytes = v;
  }
  let status = 0;
  for (const file of p.operands) {
    try {
      if (name !== undefined) (deref ? setxattr : lsetxattr)(file, name, bytes, 0);
      else (deref ? removexattr : lremovexattr)(file, remove!);
    } catch (err) {
      const e = errnoOf(err);
      eprint(`setfattr: ${file}: ${e === Errno.ENODATA ? "No such attribute" : strerror(e)}`);
      status = 1;
    }
  }
  return status;
}
