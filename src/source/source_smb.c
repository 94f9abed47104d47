/*
 * source_smb.c - an SMB server as a source, through libsmbclient.
 *
 * Design (see source_smb.h): a pool of SMBCCTX per server, each used by one
 * thread at a time. Every source operation borrows a context; an open file
 * keeps one from its first read to its close, so the queue of files the
 * walker has "opened" holds none.
 *
 * Threads: libsmbclient contexts are not thread-safe, and without
 * smbc_thread_posix() (declared in libsmbclient.h but not exported by
 * Debian's libsmbclient 4.17) the library keeps its talloc stack frames and
 * loaded configuration in process globals, so even calls on different
 * contexts from different threads race. Every libsmbclient call therefore
 * runs under one process-wide lock (smbc_lock below): it guards state that
 * libsmbclient itself keeps global, so it cannot live in any of our objects.
 * Hashing and YARA run outside it, in parallel; SMB requests are serial.
 *
 * Credentials come only from struct ws_smb_opts: the pool keeps its own copy
 * of the password, gives it to libsmbclient through the authentication
 * callback, and wipes it on free. Automatic anonymous fallback is turned off,
 * so a refused account is reported as refused rather than silently browsing
 * as guest. libsmbclient's own logging is off (debug level 0).
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libsmbclient.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/throttle.h"
#include "source/source_smb.h"

/* Guards libsmbclient's own process-wide state (see above). */
static pthread_mutex_t smbc_lock = PTHREAD_MUTEX_INITIALIZER; /* checksrc: allow */

static void smb_lock(void)
{
    pthread_mutex_lock(&smbc_lock);
}

static void smb_unlock(void)
{
    pthread_mutex_unlock(&smbc_lock);
}

struct conn {
    SMBCCTX *ctx;
    int busy;
};

struct ws_smb {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct conn conns[WS_SMB_MAX_CONNS];
    size_t n, max;
    char *user, *password, *domain;
    size_t password_len;
    int kerberos;
    int allow_smb1;
    int timeout_ms;
    uint16_t port;
    char *prefix; /* smb://server[:port] */
    char *host;   /* server without the port */
};

struct sdir {
    struct conn *c;
    SMBCFILE *dh;
};

struct sfile {
    struct ws_smb *p;
    struct conn *c; /* NULL until the first read */
    SMBCFILE *fh;
    char *url;
};

int ws_smb_is_url(const char *path)
{
    return path && strncasecmp(path, "smb://", 6) == 0;
}

static void wipe(char *s, size_t n)
{
    if (s)
        explicit_bzero(s, n);
}

/* ---------------------------------------------------------------------------
 * The pool
 * ------------------------------------------------------------------------- */

static void copy_field(char *dst, int len, const char *src)
{
    if (len <= 0)
        return;
    size_t n = src ? strlen(src) : 0;
    if (n >= (size_t)len)
        n = (size_t)len - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void auth_fn(SMBCCTX *c, const char *srv, const char *shr, char *wg, int wglen, char *un,
                    int unlen, char *pw, int pwlen)
{
    (void)srv;
    (void)shr;
    struct ws_smb *p = smbc_getOptionUserData(c);
    if (!p)
        return;
    if (p->domain)
        copy_field(wg, wglen, p->domain);
    copy_field(un, unlen, p->user ? p->user : "");
    copy_field(pw, pwlen, p->password ? p->password : "");
}

static SMBCCTX *make_ctx(struct ws_smb *p)
{
    SMBCCTX *c = smbc_new_context();
    if (!c)
        return NULL;
    smbc_setDebug(c, 0);
    smbc_setOptionDebugToStderr(c, 0);
    smbc_setOptionUserData(c, p);
    smbc_setFunctionAuthDataWithContext(c, auth_fn);
    smbc_setTimeout(c, p->timeout_ms);
    smbc_setOptionNoAutoAnonymousLogin(c, 1);
    smbc_setOptionUseKerberos(c, p->kerberos ? 1 : 0);
    smbc_setOptionFallbackAfterKerberos(c, p->kerberos && p->user && p->user[0] ? 1 : 0);
    smbc_setOptionUseCCache(c, 0); /* no password cache in winbind */
    if (p->port)
        smbc_setPort(c, p->port);
    if (p->allow_smb1)
        smbc_setOptionProtocols(c, "NT1", NULL);
    if (!smbc_init_context(c)) {
        smbc_free_context(c, 1);
        return NULL;
    }
    return c;
}

static ws_status acquire(struct ws_smb *p, struct conn **out)
{
    ws_status st = WS_OK;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        for (size_t i = 0; i < p->n; i++)
            if (!p->conns[i].busy) {
                p->conns[i].busy = 1;
                *out = &p->conns[i];
                goto out;
            }
        if (p->n < p->max) {
            /* context creation reads smb.conf into shared tables: keep it under the lock */
            smb_lock();
            SMBCCTX *c = make_ctx(p);
            smb_unlock();
            if (!c) {
                st = WS_E_NOMEM;
                goto out;
            }
            p->conns[p->n] = (struct conn){c, 1};
            *out = &p->conns[p->n++];
            goto out;
        }
        pthread_cond_wait(&p->freed, &p->lock);
    }
out:
    pthread_mutex_unlock(&p->lock);
    return st;
}

static void release(struct ws_smb *p, struct conn *c)
{
    pthread_mutex_lock(&p->lock);
    c->busy = 0;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* Split smb://server[:port]/... into host and port. */
static ws_status parse_server(const char *url, char **host, uint16_t *port, char **prefix)
{
    if (!ws_smb_is_url(url))
        return WS_E_INVALID;
    const char *s = url + 6;
    size_t n = strcspn(s, "/");
    if (n == 0 || n > 255)
        return WS_E_INVALID;
    const char *colon = memchr(s, ':', n);
    size_t hl = colon ? (size_t)(colon - s) : n;
    uint32_t pv = 0;
    if (colon) {
        const char *q = colon + 1;
        if (q == s + n)
            return WS_E_INVALID;
        for (; q < s + n; q++) {
            if (*q < '0' || *q > '9')
                return WS_E_INVALID;
            pv = pv * 10 + (uint32_t)(*q - '0');
            if (pv > 65535)
                return WS_E_INVALID;
        }
        if (pv == 0)
            return WS_E_INVALID;
    }
    if (hl == 0 || memchr(s, '@', n) || memchr(s, ';', n))
        return WS_E_INVALID; /* never credentials in a URL */
    char *h = ws_memdup0(s, hl);
    char *pre = ws_memdup0(url, 6 + n);
    if (!h || !pre) {
        ws_free(h);
        ws_free(pre);
        return WS_E_NOMEM;
    }
    *host = h;
    *port = (uint16_t)pv;
    *prefix = pre;
    return WS_OK;
}

ws_status ws_smb_new(const struct ws_smb_opts *o, const char *url, struct ws_smb **out)
{
    static const struct ws_smb_opts none = {0};
    if (!o)
        o = &none;
    struct ws_smb *p = ws_calloc(1, sizeof *p);
    if (!p)
        return WS_E_NOMEM;
    ws_status st = WS_OK;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->max = o->max_conns ? o->max_conns : 4;
    if (p->max > WS_SMB_MAX_CONNS)
        p->max = WS_SMB_MAX_CONNS;
    p->timeout_ms = (int)(o->timeout_ms && o->timeout_ms < 3600000u ? o->timeout_ms : 20000u);
    p->kerberos = o->kerberos;
    p->allow_smb1 = o->allow_smb1;
    WS_TRY(parse_server(url, &p->host, &p->port, &p->prefix));
    if ((o->user && !(p->user = ws_strdup(o->user))) ||
        (o->domain && !(p->domain = ws_strdup(o->domain)))) {
        st = WS_E_NOMEM;
        goto out;
    }
    if (o->password) {
        p->password_len = strlen(o->password);
        if (!(p->password = ws_strdup(o->password))) {
            st = WS_E_NOMEM;
            goto out;
        }
    }
out:
    if (st != WS_OK) {
        ws_smb_free(p);
        return st;
    }
    *out = p;
    return WS_OK;
}

void ws_smb_free(struct ws_smb *p)
{
    if (!p)
        return;
    smb_lock();
    for (size_t i = 0; i < p->n; i++)
        smbc_free_context(p->conns[i].ctx, 1);
    smb_unlock();
    wipe(p->password, p->password_len);
    ws_free(p->password);
    ws_free(p->user);
    ws_free(p->domain);
    ws_free(p->prefix);
    ws_free(p->host);
    pthread_cond_destroy(&p->freed);
    pthread_mutex_destroy(&p->lock);
    ws_free(p);
}

const char *ws_smb_prefix(const struct ws_smb *p)
{
    return p->prefix;
}

/* ---------------------------------------------------------------------------
 * Paths to libsmbclient URLs
 * ------------------------------------------------------------------------- */

static int plain(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '$' || ch == '/';
}

/* smb://server[:port]/rest (display) -> smb://host/%-encoded rest; owned. */
static ws_status to_url(struct ws_smb *p, const char *path, char **out)
{
    size_t pl = strlen(p->prefix);
    if (strncasecmp(path, p->prefix, pl) != 0 || (path[pl] != '\0' && path[pl] != '/'))
        return WS_E_INVALID; /* a path of another server */
    struct ws_buf b;
    ws_buf_init(&b, 3 * WS_MAX_PATH + 300);
    ws_status st = ws_buf_addf(&b, "smb://%s", p->host);
    for (const unsigned char *q = (const unsigned char *)path + pl; *q && st == WS_OK; q++)
        st = plain(*q) ? ws_buf_addc(&b, (char)*q) : ws_buf_addf(&b, "%%%02X", *q);
    if (st == WS_OK && b.len == strlen(p->host) + 6)
        st = ws_buf_addc(&b, '/');
    if (st != WS_OK) {
        ws_buf_release(&b);
        return st;
    }
    *out = ws_buf_detach(&b, NULL);
    return *out ? WS_OK : WS_E_NOMEM;
}

static void from_stat(const struct stat *sb, struct ws_stat *st)
{
    mode_t m = sb->st_mode;
    st->type = S_ISREG(m) ? WS_FT_REG : S_ISDIR(m) ? WS_FT_DIR : WS_FT_OTHER;
    st->dev = (uint64_t)sb->st_dev;
    st->ino = (uint64_t)sb->st_ino;
    st->size = sb->st_size > 0 ? (uint64_t)sb->st_size : 0;
    st->nlink = 1; /* SMB2 has no hard-link count worth trusting */
    st->uid = 0;
    st->mtime = (int64_t)sb->st_mtim.tv_sec;
    st->mtime_nsec = sb->st_mtim.tv_nsec;
}

/* A server without file ids (old SMB1) reports inode 0: derive one from the
 * URL (FNV-1a), so loop detection never takes two folders for one. */
static void fix_ino(struct ws_stat *st, const char *url)
{
    if (st->ino != 0)
        return;
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *q = (const unsigned char *)url; *q; q++)
        h = (h ^ *q) * 1099511628211ull;
    st->ino = h | 1;
}

/* Is the URL just smb://host/share (a share root)? */
static int is_share_root(const char *url)
{
    const char *s = strchr(url + 6, '/');
    if (!s || !s[1])
        return 0;
    const char *t = strchr(s + 1, '/');
    return !t || !t[1];
}

/* ---------------------------------------------------------------------------
 * Source operations (ctx is the struct ws_smb)
 * ------------------------------------------------------------------------- */

static ws_status stat_url(struct ws_smb *p, struct conn *c, const char *url, struct ws_stat *st)
{
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    (void)p;
    smb_lock();
    int r = smbc_getFunctionStat(c->ctx)(c->ctx, url, &sb);
    int e = errno;
    if (r != 0 && is_share_root(url)) {
        /* some servers refuse a stat of the share itself: a share that opens is a folder */
        SMBCFILE *d = smbc_getFunctionOpendir(c->ctx)(c->ctx, url);
        e = errno;
        if (d) {
            smbc_getFunctionClosedir(c->ctx)(c->ctx, d);
            memset(&sb, 0, sizeof sb);
            sb.st_mode = S_IFDIR;
            r = 0;
        }
    }
    smb_unlock();
    if (r != 0)
        return ws_status_from_errno(e);
    from_stat(&sb, st);
    fix_ino(st, url);
    return WS_OK;
}

static ws_status s_stat(void *ctx, const char *path, int follow, struct ws_stat *st)
{
    (void)follow; /* SMB shows no symbolic links to the client */
    struct ws_smb *p = ctx;
    char *url = NULL;
    struct conn *c = NULL;
    ws_status rs = to_url(p, path, &url);
    if (rs != WS_OK)
        return rs;
    rs = acquire(p, &c);
    if (rs == WS_OK) {
        rs = stat_url(p, c, url, st);
        release(p, c);
    }
    ws_free(url);
    return rs;
}

static ws_status s_opendir(void *ctx, const char *path, int follow, void **dir)
{
    (void)follow;
    struct ws_smb *p = ctx;
    char *url = NULL;
    ws_status rs = to_url(p, path, &url);
    if (rs != WS_OK)
        return rs;
    struct sdir *d = ws_calloc(1, sizeof *d);
    if (!d) {
        ws_free(url);
        return WS_E_NOMEM;
    }
    rs = acquire(p, &d->c);
    if (rs != WS_OK)
        goto out;
    smb_lock();
    d->dh = smbc_getFunctionOpendir(d->c->ctx)(d->c->ctx, url);
    int e = errno;
    smb_unlock();
    if (!d->dh) {
        rs = ws_status_from_errno(e);
        release(p, d->c);
    }
out:
    ws_free(url);
    if (rs != WS_OK) {
        ws_free(d);
        return rs;
    }
    *dir = d;
    return WS_OK;
}

static ws_status s_readdir(void *ctx, void *dir, const char **name)
{
    (void)ctx;
    struct sdir *d = dir;
    for (size_t pass = 0; pass < WS_SMB_MAX_DIR_ENTRIES; pass++) {
        smb_lock();
        errno = 0;
        struct smbc_dirent *e = smbc_getFunctionReaddir(d->c->ctx)(d->c->ctx, d->dh);
        int err = errno;
        smb_unlock();
        if (!e)
            return err ? ws_status_from_errno(err) : WS_E_NOT_FOUND;
        if (e->name[0] == '.' && (e->name[1] == '\0' || (e->name[1] == '.' && e->name[2] == '\0')))
            continue;
        if (e->name[0] == '\0' || strchr(e->name, '/'))
            continue; /* a hostile server's name that would change the path */
        *name = e->name;
        return WS_OK;
    }
    return WS_E_TOO_LARGE;
}

static void s_closedir(void *ctx, void *dir)
{
    struct ws_smb *p = ctx;
    struct sdir *d = dir;
    smb_lock();
    smbc_getFunctionClosedir(d->c->ctx)(d->c->ctx, d->dh);
    smb_unlock();
    release(p, d->c);
    ws_free(d);
}

static ws_status s_open(void *ctx, const char *path, int follow, void **file, struct ws_stat *st)
{
    (void)follow;
    struct ws_smb *p = ctx;
    struct sfile *f = ws_calloc(1, sizeof *f);
    if (!f)
        return WS_E_NOMEM;
    f->p = p;
    ws_status rs = to_url(p, path, &f->url);
    struct conn *c = NULL;
    if (rs == WS_OK)
        rs = acquire(p, &c);
    if (rs == WS_OK) {
        rs = stat_url(p, c, f->url, st);
        release(p, c);
    }
    if (rs == WS_OK && st->type != WS_FT_REG)
        rs = WS_E_SKIPPED;
    if (rs != WS_OK) {
        ws_free(f->url);
        ws_free(f);
        return rs;
    }
    *file = f;
    return WS_OK;
}

/* The real open, on the reading thread. */
static ws_status open_now(struct sfile *f)
{
    ws_status rs = acquire(f->p, &f->c);
    if (rs != WS_OK)
        return rs;
    smb_lock();
    f->fh = smbc_getFunctionOpen(f->c->ctx)(f->c->ctx, f->url, O_RDONLY, 0);
    int e = errno;
    smb_unlock();
    if (!f->fh) {
        rs = ws_status_from_errno(e);
        release(f->p, f->c);
        f->c = NULL;
    }
    return rs;
}

static ws_status s_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    (void)ctx;
    struct sfile *f = file;
    if (!f->fh) {
        ws_status rs = open_now(f);
        if (rs != WS_OK)
            return rs;
    }
    smb_lock();
    ssize_t r = smbc_getFunctionRead(f->c->ctx)(f->c->ctx, f->fh, buf, n);
    int e = errno;
    smb_unlock();
    if (r < 0)
        return ws_status_from_errno(e);
    *got = (size_t)r;
    return WS_OK;
}

static ws_status s_fstat(void *ctx, void *file, struct ws_stat *st)
{
    struct sfile *f = file;
    (void)ctx;
    if (!f->fh) {
        ws_status rs = open_now(f);
        if (rs != WS_OK)
            return rs;
    }
    struct stat sb;
    memset(&sb, 0, sizeof sb);
    smb_lock();
    int r = smbc_getFunctionFstat(f->c->ctx)(f->c->ctx, f->fh, &sb);
    int e = errno;
    smb_unlock();
    if (r != 0)
        return ws_status_from_errno(e);
    from_stat(&sb, st);
    fix_ino(st, f->url);
    return WS_OK;
}

static void s_close(void *ctx, void *file)
{
    (void)ctx;
    struct sfile *f = file;
    if (f->fh) {
        smb_lock();
        smbc_getFunctionClose(f->c->ctx)(f->c->ctx, f->fh);
        smb_unlock();
        release(f->p, f->c);
    }
    ws_free(f->url);
    ws_free(f);
}

const struct ws_source_ops ws_source_smb = {
    "smb", s_stat, s_opendir, s_readdir, s_closedir, s_open, s_read, s_fstat, s_close, NULL,
};

/* ---------------------------------------------------------------------------
 * Sweep helpers
 * ------------------------------------------------------------------------- */

ws_status ws_smb_list_shares(struct ws_smb *p,
                             void (*fn)(void *user, const char *name, enum ws_smb_share_type t),
                             void *user)
{
    void *dir;
    ws_status rs = s_opendir(p, p->prefix, 0, &dir);
    if (rs != WS_OK)
        return rs;
    struct sdir *d = dir;
    for (size_t pass = 0; pass < WS_SMB_MAX_DIR_ENTRIES; pass++) {
        smb_lock();
        errno = 0;
        struct smbc_dirent *e = smbc_getFunctionReaddir(d->c->ctx)(d->c->ctx, d->dh);
        int err = errno;
        /* copy out under the lock: the entry belongs to libsmbclient */
        char name[256];
        unsigned type = e ? e->smbc_type : 0;
        if (e)
            copy_field(name, (int)sizeof name, e->name);
        smb_unlock();
        if (!e) {
            if (err)
                rs = ws_status_from_errno(err);
            break;
        }
        if (name[0] == '\0' || strchr(name, '/'))
            continue;
        enum ws_smb_share_type t = type == SMBC_FILE_SHARE      ? WS_SMB_SHARE_DISK
                                   : type == SMBC_IPC_SHARE     ? WS_SMB_SHARE_IPC
                                   : type == SMBC_PRINTER_SHARE ? WS_SMB_SHARE_PRINTER
                                                                : WS_SMB_SHARE_OTHER;
        if (type == SMBC_WORKGROUP || type == SMBC_SERVER)
            continue;
        fn(user, name, t);
    }
    s_closedir(p, dir);
    return rs;
}

ws_status ws_smb_can_read(struct ws_smb *p, const char *path)
{
    void *dir;
    ws_status rs = s_opendir(p, path, 0, &dir);
    if (rs != WS_OK)
        return rs;
    const char *name;
    rs = s_readdir(p, dir, &name);
    s_closedir(p, dir);
    return rs == WS_E_NOT_FOUND ? WS_OK : rs;
}

ws_status ws_smb_write_test(struct ws_smb *p, const char *path, int *left)
{
    char *url = NULL;
    struct conn *c = NULL;
    *left = 0;
    ws_status rs = to_url(p, path, &url);
    if (rs != WS_OK)
        return rs;
    rs = acquire(p, &c);
    if (rs != WS_OK)
        goto out;
    smb_lock();
    SMBCFILE *fh = smbc_getFunctionOpen(c->ctx)(c->ctx, url, O_WRONLY | O_CREAT | O_EXCL, 0600);
    int e = errno;
    if (fh) {
        smbc_getFunctionClose(c->ctx)(c->ctx, fh);
        if (smbc_getFunctionUnlink(c->ctx)(c->ctx, url) != 0)
            *left = 1;
    }
    smb_unlock();
    if (!fh)
        rs = ws_status_from_errno(e);
    release(p, c);
out:
    ws_free(url);
    return rs;
}

ws_status ws_smb_fetch(struct ws_smb *p, const char *path, const char *dest, uint64_t max,
                       struct ws_throttle *throttle, uint64_t *bytes)
{
    struct sfile *f = NULL;
    struct ws_stat st;
    int fd = -1;
    uint64_t total = 0;
    uint8_t *buf = NULL;
    void *vf;
    ws_status rs = s_open(p, path, 0, &vf, &st);
    if (rs != WS_OK)
        return rs;
    f = vf;
    if (st.size > max) {
        rs = WS_E_TOO_LARGE;
        goto out;
    }
    buf = ws_malloc(WS_STREAM_CHUNK);
    if (!buf) {
        rs = WS_E_NOMEM;
        goto out;
    }
    fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rs = ws_status_from_errno(errno);
        goto out;
    }
    for (uint64_t pass = 0; pass <= max / WS_STREAM_CHUNK + 1; pass++) {
        size_t got = 0;
        rs = s_read(p, f, buf, WS_STREAM_CHUNK, &got);
        ws_throttle_take(throttle, (double)got);
        if (rs != WS_OK || got == 0)
            break;
        if (total + got > max) {
            rs = WS_E_TOO_LARGE;
            break;
        }
        for (size_t off = 0; off < got;) {
            ssize_t w = write(fd, buf + off, got - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rs = WS_E_IO;
                break;
            }
            off += (size_t)w;
        }
        if (rs != WS_OK)
            break;
        total += got;
    }
    if (rs == WS_OK && close(fd) != 0)
        rs = WS_E_IO;
    else if (rs != WS_OK)
        close(fd);
    fd = -1;
    if (rs != WS_OK)
        unlink(dest);
out:
    ws_free(buf);
    s_close(p, f);
    if (rs == WS_OK && bytes)
        *bytes = total;
    return rs;
}
