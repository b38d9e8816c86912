/* What the host's C library and kernel say about the stat structures, for
 * tests/fs_stat_compat.test.ts (compiled there with the host's cc).
 *
 *   host_layout layout                 offset and size of every field of struct
 *                                      stat, struct statx and struct dirent64 (JSON)
 *   host_layout statx PATH FLAGS MASK  statx(2)'s answer, field by field (JSON),
 *                                      or {"errno": "EINVAL"}
 *   host_layout dents DIR BUFSIZE      getdents64(2) on DIR: each buffer's bytes
 *                                      in hex, one line per call
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

static int first;

#define FIELD(s, f)                                                                \
  printf("%s\"%s\": [%zu, %zu]", first++ ? ", " : "", #f, offsetof(struct s, f), \
         sizeof(((struct s *)0)->f))

static void layout(void) {
  printf("{\"stat\": {");
  first = 0;
  printf("\"size\": [0, %zu]", sizeof(struct stat));
  first = 1;
  FIELD(stat, st_dev);
  FIELD(stat, st_ino);
  FIELD(stat, st_nlink);
  FIELD(stat, st_mode);
  FIELD(stat, st_uid);
  FIELD(stat, st_gid);
  FIELD(stat, st_rdev);
  FIELD(stat, st_size);
  FIELD(stat, st_blksize);
  FIELD(stat, st_blocks);
  FIELD(stat, st_atim.tv_sec);
  FIELD(stat, st_atim.tv_nsec);
  FIELD(stat, st_mtim.tv_sec);
  FIELD(stat, st_mtim.tv_nsec);
  FIELD(stat, st_ctim.tv_sec);
  FIELD(stat, st_ctim.tv_nsec);
  printf("}, \"statx\": {\"size\": [0, %zu]", sizeof(struct statx));
  FIELD(statx, stx_mask);
  FIELD(statx, stx_blksize);
  FIELD(statx, stx_attributes);
  FIELD(statx, stx_nlink);
  FIELD(statx, stx_uid);
  FIELD(statx, stx_gid);
  FIELD(statx, stx_mode);
  FIELD(statx, stx_ino);
  FIELD(statx, stx_size);
  FIELD(statx, stx_blocks);
  FIELD(statx, stx_attributes_mask);
  FIELD(statx, stx_atime.tv_sec);
  FIELD(statx, stx_atime.tv_nsec);
  FIELD(statx, stx_btime.tv_sec);
  FIELD(statx, stx_btime.tv_nsec);
  FIELD(statx, stx_ctime.tv_sec);
  FIELD(statx, stx_ctime.tv_nsec);
  FIELD(statx, stx_mtime.tv_sec);
  FIELD(statx, stx_mtime.tv_nsec);
  FIELD(statx, stx_rdev_major);
  FIELD(statx, stx_rdev_minor);
  FIELD(statx, stx_dev_major);
  FIELD(statx, stx_dev_minor);
  printf("}, \"dirent64\": {\"size\": [0, %zu]", sizeof(struct dirent64));
  FIELD(dirent64, d_ino);
  FIELD(dirent64, d_off);
  FIELD(dirent64, d_reclen);
  FIELD(dirent64, d_type);
  FIELD(dirent64, d_name);
  /* glibc's dev_t encoding, for a major and a minor past 8 bits each. */
  printf("}, \"makedev_300_70000\": %llu}\n", (unsigned long long)makedev(300, 70000));
}

static int do_statx(const char *path, int flags, unsigned mask) {
  struct statx x;
  if (syscall(SYS_statx, AT_FDCWD, path, flags, mask, &x) < 0) {
    printf("{\"errno\": \"%s\"}\n", errno == EINVAL ? "EINVAL" : strerror(errno));
    return 0;
  }
  printf("{\"mask\": %u, \"blksize\": %u, \"attributes\": %llu, \"nlink\": %u, \"uid\": %u, "
         "\"gid\": %u, \"mode\": %u, \"size\": %llu, \"blocks\": %llu, \"rdev\": [%u, %u], "
         "\"dev\": [%u, %u]}\n",
         x.stx_mask, x.stx_blksize, (unsigned long long)x.stx_attributes, x.stx_nlink, x.stx_uid,
         x.stx_gid, x.stx_mode, (unsigned long long)x.stx_size, (unsigned long long)x.stx_blocks,
         x.stx_rdev_major, x.stx_rdev_minor, x.stx_dev_major, x.stx_dev_minor);
  return 0;
}

static int dents(const char *dir, size_t bufsize) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return 1;
  unsigned char *buf = malloc(bufsize);
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, bufsize);
    if (n < 0) return 1;
    if (n == 0) break;
    for (long i = 0; i < n; i++) printf("%02x", buf[i]);
    printf("\n");
  }
  free(buf);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "layout") == 0) {
    layout();
    return 0;
  }
  if (argc == 5 && strcmp(argv[1], "statx") == 0) {
    return do_statx(argv[2], (int)strtol(argv[3], 0, 0), (unsigned)strtoul(argv[4], 0, 0));
  }
  if (argc == 4 && strcmp(argv[1], "dents") == 0) return dents(argv[2], strtoul(argv[3], 0, 0));
  fprintf(stderr, "usage: host_layout layout | statx PATH FLAGS MASK | dents DIR BUFSIZE\n");
  return 2;
}
