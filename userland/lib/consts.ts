// The Linux constants programs pass to the calls in this library (x86_64
// values, as <sys/stat.h>, <fcntl.h>, <sys/mount.h>, <sys/xattr.h> define
// them), and the dev_t helpers.
export {
  AT,
  AT_FDCWD,
  F_OK,
  MNT_DETACH,
  MNT_FORCE,
  MS,
  R_OK,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  W_OK,
  X_OK,
  XATTR_CREATE,
  XATTR_REPLACE,
} from "../../kernel/fcntl.ts";
export { major, makedev, minor, S } from "../../kernel/stat.ts";
