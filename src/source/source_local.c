/*
 * source_local.c - the local file system as a source.
 *
 * Files are opened O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, with
 * O_NOATIME where the kernel allows it (owner or CAP_FOWNER; EPERM otherwise,
 * then we retry without). O_NONBLOCK means a FIFO that slipped in between
 * lstat and open cannot block us; fstat after open then rejects anything that
 * is not a regular file. Directories are read with opendir/readdir.
 */
#include "core/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/alloc.h"
#include "source/source.h"

ws_status ws_status_from_errno(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return WS_E_PERM;
    case ENOENT:
    case ENOTDIR:
        return WS_E_NOT_FOUND;
    case ENOMEM:
        return WS_E_NOMEM;
    case ENAMETOOLONG:
        return WS_E_TOO_LARGE;
    case ELOOP:
        return WS_E_SKIPPED;
    default:
        return WS_E_IO;
    }
}

static void from_stat(const struct stat *sb, struct ws_stat *st)
{
    mode_t m = sb->st_mode;
    st->type = S_ISREG(m)    ? WS_FT_REG
               : S_ISDIR(m)  ? WS_FT_DIR
               : S_ISLNK(m)  ? WS_FT_LNK
               : S_ISFIFO(m) ? WS_FT_FIFO
               : S_ISSOCK(m) ? WS_FT_SOCK
               : S_ISCHR(m)  ? WS_FT_CHR
               : S_ISBLK(m)  ? WS_FT_BLK
                             : WS_FT_OTHER;
    st->dev = (uint64_t)sb->st_dev;
    st->ino = (uint64_t)sb->st_ino;
    st->size = sb->st_size > 0 ? (uint64_t)sb->st_size : 0;
    st->nlink = (uint64_t)sb->st_nlink;
    st->uid = (uint32_t)sb->st_uid;
    st->mtime = (int64_t)sb->st_mtim.tv_sec;
    st->mtime_nsec = sb->st_mtim.tv_nsec;
    st->flags = 0;
}

static ws_status l_stat(void *ctx, const char *path, int follow, struct ws_stat *st)
{
    struct stat sb;
    (void)ctx;
    if ((follow ? stat(path, &sb) : lstat(path, &sb)) != 0)
        return ws_status_from_errno(errno);
    from_stat(&sb, st);
    return WS_OK;
}

static ws_status l_opendir(void *ctx, const char *path, int follow, void **dir)
{
    (void)ctx;
    int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    int fd = open(path, flags | O_NOATIME);
    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    if (fd < 0)
        return ws_status_from_errno(errno);
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return ws_status_from_errno(e);
    }
    *dir = d;
    return WS_OK;
}

static ws_status l_readdir(void *ctx, void *dir, const char **name)
{
    (void)ctx;
    for (;;) {
        errno = 0;
        struct dirent *e = readdir((DIR *)dir);
        if (!e)
            return errno ? ws_status_from_errno(errno) : WS_E_NOT_FOUND;
        if (e->d_name[0] == '.' &&
            (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
            continue;
        *name = e->d_name;
        return WS_OK;
    }
}

static void l_closedir(void *ctx, void *dir)
{
    (void)ctx;
    closedir((DIR *)dir);
}

ws_status ws_open_regular(const char *path, int follow, int *fd, struct stat *sb)
{
    int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    int f = open(path, flags | O_NOATIME);
    if (f < 0 && errno == EPERM)
        f = open(path, flags);
    if (f < 0)
        return ws_status_from_errno(errno);
    if (fstat(f, sb) != 0) {
        int e = errno;
        close(f);
        errno = e;
        return ws_status_from_errno(e);
    }
    if (!S_ISREG(sb->st_mode)) {
        close(f);
        return WS_E_SKIPPED;
    }
    *fd = f;
    return WS_OK;
}

static ws_status l_open(void *ctx, const char *path, int follow, void **file, struct ws_stat *st)
{
    (void)ctx;
    int fd = -1;
    struct stat sb;
    ws_status rs = ws_open_regular(path, follow, &fd, &sb);
    if (rs != WS_OK)
        return rs;
    from_stat(&sb, st);
    *file = (void *)(intptr_t)(fd + 1); /* +1: never NULL */
    return WS_OK;
}

static ws_status l_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    (void)ctx;
    int fd = (int)(intptr_t)file - 1;
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0) {
            *got = (size_t)r;
            return WS_OK;
        }
        if (errno != EINTR)
            return ws_status_from_errno(errno);
    }
}

static ws_status l_fstat(void *ctx, void *file, struct ws_stat *st)
{
    (void)ctx;
    struct stat sb;
    if (fstat((int)(intptr_t)file - 1, &sb) != 0)
        return ws_status_from_errno(errno);
    from_stat(&sb, st);
    return WS_OK;
}

static void l_close(void *ctx, void *file)
{
    (void)ctx;
    close((int)(intptr_t)file - 1);
}

/* Magic numbers from statfs(2); pseudo file systems whose files are not
 * evidence and may block or be endless (/proc/kmsg, sysfs attributes). */
static int l_is_pseudo(void *ctx, const char *path)
{
    (void)ctx;
    struct statfs fs;
    if (statfs(path, &fs) != 0)
        return 0;
    switch ((unsigned long)fs.f_type) {
    case 0x9fa0UL:     /* proc */
    case 0x62656572UL: /* sysfs */
    case 0x1cd1UL:     /* devpts */
    case 0x27e0ebUL:   /* cgroup */
    case 0x63677270UL: /* cgroup2 */
    case 0x64626720UL: /* debugfs */
    case 0x74726163UL: /* tracefs */
    case 0x73636673UL: /* securityfs */
    case 0xcafe4a11UL: /* bpf */
    case 0x6e736673UL: /* nsfs */
    case 0x42494e4dUL: /* binfmt_misc */
    case 0x1373UL:     /* devfs */
        return 1;
    default:
        return 0;
    }
}

const struct ws_source_ops ws_source_local = {
    "local", l_stat, l_opendir, l_readdir, l_closedir,
    l_open,  l_read, l_fstat,   l_close,   l_is_pseudo,
};
