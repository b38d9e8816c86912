// The operand forms cp, mv and ln share:
//   PROG SRC DEST        PROG SRC... DIR        PROG -t DIR SRC...        PROG -T SRC DEST
import { Errno, ErrnoError, stat, warn } from "../lib/mod.ts";
import { isDir } from "./consts.ts";
import { usageError } from "./getopt.ts";
import { baseName, join } from "./path.ts";
import { quoteAlways } from "./quote.ts";

/** [source, destination] pairs, or the exit status after an error message. */
export function pairs(
  operands: string[],
  targetDir: string | undefined,
  noTargetDir: boolean,
): Array<[string, string]> | number {
  if (targetDir !== undefined) {
    if (noTargetDir) {
      return usageError("cannot combine --target-directory (-t) and --no-target-directory (-T)");
    }
    if (operands.length === 0) return usageError("missing file operand");
    if (!isDirectory(targetDir)) {
      warn(`target directory ${quoteAlways(targetDir)}`, whyNotDir(targetDir));
      return 1;
    }
    return operands.map((s) => [s, join(targetDir, baseName(s))]);
  }
  if (operands.length === 0) return usageError("missing file operand");
  if (operands.length === 1) {
    return usageError(`missing destination file operand after ${quoteAlways(operands[0])}`);
  }
  const dest = operands[operands.length - 1];
  if (noTargetDir) {
    if (operands.length > 2) return usageError(`extra operand ${quoteAlways(operands[2])}`);
    return [[operands[0], dest]];
  }
  if (isDirectory(dest)) return operands.slice(0, -1).map((s) => [s, join(dest, baseName(s))]);
  if (operands.length === 2) return [[operands[0], dest]];
  warn(`target ${quoteAlways(dest)}`, whyNotDir(dest));
  return 1;
}

function isDirectory(path: string): boolean {
  try {
    return isDir(stat(path).mode);
  } catch {
    return false;
  }
}

function whyNotDir(path: string): unknown {
  try {
    stat(path);
    return new ErrnoError(Errno.ENOTDIR, path);
  } catch (err) {
    return err;
  }
}
