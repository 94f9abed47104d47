/*
 * source.h - where evidence files come from.
 *
 * The walker and the per-file pipeline are written against this small
 * interface (stat, open dir, next entry, open file, read), so the same scan
 * runs on a local disk and, with another implementation, on an SMB share or
 * a disk image. A source only enumerates and reads; it never interprets.
 * Implementations must never change what they examine: read-only, no atime
 * update where the system allows it, never open FIFOs or devices, never
 * follow a symbolic link unless asked.
 */
#ifndef WS_SOURCE_H
#define WS_SOURCE_H

#include "core/compat.h"

#include <sys/stat.h>

enum ws_ftype {
    WS_FT_REG,
    WS_FT_DIR,
    WS_FT_LNK,
    WS_FT_FIFO,
    WS_FT_SOCK,
    WS_FT_CHR,
    WS_FT_BLK,
    WS_FT_OTHER
};

enum ws_stat_flags {
    WS_STAT_DELETED = 1u << 0, /* recovered from a disk image: the file was deleted */
};

struct ws_stat {
    enum ws_ftype type;
    uint64_t dev, ino, size, nlink;
    uint32_t uid;
    int64_t mtime;
    long mtime_nsec;
    unsigned flags; /* enum ws_stat_flags */
};

struct ws_source_ops {
    const char *name; /* "local", "smb", ... */
    /* lstat (follow == 0) or stat (follow == 1) a path */
    ws_status (*stat)(void *ctx, const char *path, int follow, struct ws_stat *st);
    /* open a folder; a final symbolic link is refused unless follow */
    ws_status (*opendir)(void *ctx, const char *path, int follow, void **dir);
    /* next entry name (borrowed until the next call); WS_E_NOT_FOUND at the end */
    ws_status (*readdir)(void *ctx, void *dir, const char **name);
    void (*closedir)(void *ctx, void *dir);
    /* open a regular file read-only without following a final symlink
     * (unless follow); fails with WS_E_SKIPPED if it is not a regular file */
    ws_status (*open)(void *ctx, const char *path, int follow, void **file, struct ws_stat *st);
    ws_status (*read)(void *ctx, void *file, void *buf, size_t n, size_t *got);
    ws_status (*fstat)(void *ctx, void *file, struct ws_stat *st);
    void (*close)(void *ctx, void *file);
    /* is path on a pseudo file system (proc, sysfs, ...) that must not be read? */
    int (*is_pseudo_fs)(void *ctx, const char *path);
};

extern const struct ws_source_ops ws_source_local;

/* errno to status, shared by sources */
ws_status ws_status_from_errno(int err);

/* Open a local file read-only as the walker does (O_NONBLOCK: a FIFO never
 * blocks the open; O_NOCTTY, O_CLOEXEC; O_NOATIME where the kernel allows it;
 * O_NOFOLLOW unless follow) and refuse anything but a regular file:
 * WS_E_SKIPPED for a folder, FIFO, socket or device. On success *fd and *sb;
 * else the status of errno (ws_status_from_errno), errno kept. For detectors
 * handed a path (logs, hive, net), so that none opens what the scan may not. */
WS_MUST_CHECK ws_status ws_open_regular(const char *path, int follow, int *fd, struct stat *sb);

#endif
