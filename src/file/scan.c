/*
 * scan.c - the scanner: a walker that feeds a fixed pool of workers.
 *
 * The driving thread walks (through the source interface) and queues open
 * files in a bounded ring (WS_WORK_QUEUE): a huge tree never means a huge
 * queue, and the walker blocks while workers catch up. Each worker owns a
 * ws_filescan (its YARA scanners, digests, buffer). Memory is bounded by
 * threads x max_scan_size plus the queue, never by the tree.
 *
 * Walker rules (issue 2, item 6):
 *   - symbolic links are not followed unless WS_SCAN_FOLLOW_SYMLINKS; then
 *     every folder is entered once by (dev, ino), which breaks loops;
 *   - FIFOs, sockets and devices are never opened: a SKIP finding says so;
 *   - a file with several hard links is scanned once;
 *   - pseudo file systems (/proc, /sys, ...) are not entered by default;
 *   - unreadable folders and files become error findings.
 */
#include "core/compat.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/idset.h"
#include "core/limits.h"
#include "core/text.h"
#include "core/throttle.h"
#include "file/filescan.h"
#include "pack/pack_impl.h"
#include "source/source.h"
#include "source/source_smb.h"
#include "source/source_tsk.h"

/* YARA's CLI caps its threads at YR_MAX_THREADS (32): one scanner each. */
#define MAX_THREADS 32

struct work {
    const struct ws_source_ops *src; /* the source of the root the file came from */
    void *src_ctx;
    void *file;
    struct ws_stat st;
    char *path;
    size_t len;
};

struct worker {
    struct ws_scanner *s;
    struct ws_filescan *fs;
    pthread_t thread;
    int started;
};

struct ws_scanner {
    const struct ws_pack *pack;
    struct ws_scan_opts o;
    const struct ws_source_ops *src; /* the current root's source */
    void *src_ctx;
    struct ws_smb *smb[WS_SMB_MAX_SERVERS]; /* SMB pools, one per server, freed last */
    size_t n_smb;
    struct worker *workers;
    size_t n_workers;

    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    struct work q[WS_WORK_QUEUE];
    size_t head, count;
    int closing;
    atomic_int cancel;

    struct ws_throttle io, files;
    struct ws_idset links, dirs;
    struct ws_buf path;
    uint64_t root_dev;
    struct ws_scan_stats stats;
    atomic_uint_fast64_t done_files, done_bytes, too_large;
    double t0, last_progress;
    uint64_t ticks;
};

/* ---------------------------------------------------------------------------
 * Findings from the walker
 * ------------------------------------------------------------------------- */

static void walker_emit(struct ws_scanner *s, enum ws_finding_kind k, ws_status code,
                        const char *path, size_t len, const char *msg)
{
    struct ws_finding f;
    ws_finding_init(&f, k);
    f.ruleset = "scan";
    f.source = "file";
    f.path = path;
    f.path_len = len;
    f.error_code = code;
    f.message = msg;
    s->o.emit(s->o.emit_user, &f);
}

/* ---------------------------------------------------------------------------
 * Workers and the queue
 * ------------------------------------------------------------------------- */

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct ws_scanner *s = w->s;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->count == 0 && !s->closing)
            pthread_cond_wait(&s->not_empty, &s->lock);
        if (s->count == 0 && s->closing) {
            pthread_mutex_unlock(&s->lock);
            break;
        }
        struct work item = s->q[s->head];
        s->head = (s->head + 1) % WS_WORK_QUEUE;
        s->count--;
        pthread_cond_signal(&s->not_full);
        pthread_mutex_unlock(&s->lock);

        if (!atomic_load(&s->cancel)) {
            uint64_t f0, b0, t0, f1, b1, t1;
            ws_filescan_counts(w->fs, &f0, &b0, &t0);
            ws_status st = ws_filescan_file(w->fs, item.src, item.src_ctx, item.file, &item.st,
                                            item.path, item.len);
            if (st != WS_OK)
                walker_emit(s, WS_FINDING_ERROR, st, item.path, item.len, "file scan failed");
            ws_filescan_counts(w->fs, &f1, &b1, &t1);
            atomic_fetch_add(&s->done_files, f1 - f0);
            atomic_fetch_add(&s->done_bytes, b1 - b0);
            atomic_fetch_add(&s->too_large, t1 - t0);
        }
        item.src->close(item.src_ctx, item.file);
        ws_free(item.path);
    }
    return NULL;
}

static void progress(struct ws_scanner *s, int force)
{
    if (!s->o.progress)
        return;
    if (!force && (++s->ticks & 63) != 0)
        return;
    double now = ws_now_monotonic();
    if (!force && now - s->last_progress < 0.25)
        return;
    s->last_progress = now;
    struct ws_scan_progress p = {atomic_load(&s->done_files), atomic_load(&s->done_bytes),
                                 s->stats.files, now - s->t0, s->path.data};
    s->o.progress(s->o.progress_user, &p);
}

/* Queue an open file; takes ownership of file (closed by the worker). */
static ws_status enqueue(struct ws_scanner *s, void *file, const struct ws_stat *st)
{
    char *p = ws_memdup0(s->path.data, s->path.len);
    if (!p) {
        s->src->close(s->src_ctx, file);
        return WS_E_NOMEM;
    }
    ws_throttle_take(&s->files, 1);
    pthread_mutex_lock(&s->lock);
    while (s->count == WS_WORK_QUEUE)
        pthread_cond_wait(&s->not_full, &s->lock);
    s->q[(s->head + s->count) % WS_WORK_QUEUE] =
        (struct work){s->src, s->src_ctx, file, *st, p, s->path.len};
    s->count++;
    pthread_cond_signal(&s->not_empty);
    pthread_mutex_unlock(&s->lock);
    s->stats.files++;
    progress(s, 0);
    return WS_OK;
}

/* ---------------------------------------------------------------------------
 * Walking
 * ------------------------------------------------------------------------- */

static int excluded(struct ws_scanner *s, const char *name)
{
    for (size_t i = 0; i < s->o.n_excludes; i++)
        if (fnmatch(s->o.excludes[i], s->path.data, 0) == 0 ||
            fnmatch(s->o.excludes[i], name, 0) == 0)
            return 1;
    return 0;
}

static const char *type_name(enum ws_ftype t)
{
    switch (t) {
    case WS_FT_FIFO:
        return "a FIFO";
    case WS_FT_SOCK:
        return "a socket";
    case WS_FT_CHR:
        return "a character device";
    case WS_FT_BLK:
        return "a block device";
    default:
        return "not a regular file";
    }
}

static ws_status walk_dir(struct ws_scanner *s, uint64_t dev, int depth);

static ws_status open_and_queue(struct ws_scanner *s, int follow)
{
    void *file;
    struct ws_stat st = {0}; /* a source that does not set .flags leaves 0 */
    ws_status rs = s->src->open(s->src_ctx, s->path.data, follow, &file, &st);
    if (rs == WS_E_SKIPPED) {
        s->stats.special_skipped++;
        walker_emit(s, WS_FINDING_SKIP, rs, s->path.data, s->path.len,
                    "became something other than a regular file before it was opened; not read");
        return WS_OK;
    }
    if (rs != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, rs, s->path.data, s->path.len,
                    rs == WS_E_NOT_FOUND ? "file vanished before it could be read"
                                         : "cannot open file");
        return WS_OK;
    }
    if (st.nlink > 1 || follow) {
        int added;
        ws_status as = ws_idset_add(&s->links, st.dev, st.ino, &added);
        if (as != WS_OK) {
            s->src->close(s->src_ctx, file);
            return as;
        }
        if (!added) {
            s->stats.hardlinks_deduplicated++;
            s->src->close(s->src_ctx, file);
            return WS_OK;
        }
    }
    return enqueue(s, file, &st);
}

/* Examine the entry whose full path is in s->path. */
static ws_status visit(struct ws_scanner *s, const char *name, uint64_t parent_dev, int depth)
{
    struct ws_stat st = {0}; /* a source that does not set .flags leaves 0 */
    ws_status rs = s->src->stat(s->src_ctx, s->path.data, 0, &st);
    if (rs != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, rs, s->path.data, s->path.len,
                    rs == WS_E_NOT_FOUND ? "vanished while the folder was read" : "cannot stat");
        return WS_OK;
    }
    int follow = 0;
    if (st.type == WS_FT_LNK) {
        if (!(s->o.flags & WS_SCAN_FOLLOW_SYMLINKS)) {
            s->stats.symlinks_not_followed++;
            return WS_OK;
        }
        rs = s->src->stat(s->src_ctx, s->path.data, 1, &st);
        if (rs != WS_OK) {
            walker_emit(s, WS_FINDING_SKIP, rs, s->path.data, s->path.len,
                        "symbolic link points nowhere readable");
            return WS_OK;
        }
        follow = 1;
    }
    if (excluded(s, name)) {
        s->stats.excluded++;
        return WS_OK;
    }
    switch (st.type) {
    case WS_FT_REG:
        return open_and_queue(s, follow);
    case WS_FT_DIR:
        if (st.dev != parent_dev) {
            if ((s->o.flags & WS_SCAN_ONE_FILE_SYSTEM) && st.dev != s->root_dev) {
                walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len,
                            "another file system (--one-file-system): not entered");
                return WS_OK;
            }
            if (!(s->o.flags & WS_SCAN_PSEUDO_FS) && s->src->is_pseudo_fs &&
                s->src->is_pseudo_fs(s->src_ctx, s->path.data)) {
                walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len,
                            "pseudo file system (proc, sysfs, ...): not entered");
                return WS_OK;
            }
        }
        return walk_dir(s, st.dev, depth + 1);
    case WS_FT_LNK:
        return WS_OK;
    default:
        s->stats.special_skipped++;
        char msg[96];
        snprintf(msg, sizeof msg, "%s: never opened", type_name(st.type));
        walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len, msg);
        return WS_OK;
    }
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ws_free(names[i]);
    ws_free(names);
}

static ws_status walk_dir(struct ws_scanner *s, uint64_t dev, int depth)
{
    if (atomic_load(&s->cancel))
        return WS_E_CANCELLED;
    if (depth > WS_MAX_DEPTH) {
        walker_emit(s, WS_FINDING_ERROR, WS_E_TOO_LARGE, s->path.data, s->path.len,
                    "folders nested too deep: not entered");
        return WS_OK;
    }
    /* inside a disk image every folder is entered once too: a hostile image
     * may make a folder its own descendant */
    if ((s->o.flags & WS_SCAN_FOLLOW_SYMLINKS) || s->src != &ws_source_local) {
        struct ws_stat st = {0}; /* a source that does not set .flags leaves 0 */
        if (s->src->stat(s->src_ctx, s->path.data, 1, &st) == WS_OK) {
            int added;
            ws_status as = ws_idset_add(&s->dirs, st.dev, st.ino, &added);
            if (as != WS_OK)
                return as;
            if (!added) {
                walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len,
                            "folder already scanned (symbolic link loop or second link)");
                return WS_OK;
            }
        }
    }
    s->stats.dirs++;
    void *dir;
    ws_status rs = s->src->opendir(s->src_ctx, s->path.data,
                                   depth == 0 || (s->o.flags & WS_SCAN_FOLLOW_SYMLINKS), &dir);
    if (rs != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, rs, s->path.data, s->path.len, "cannot open folder");
        return WS_OK;
    }
    /* read the names first, then close: one open folder at a time whatever the depth */
    char **names = NULL;
    size_t n = 0, cap = 0;
    const char *name;
    ws_status st = WS_OK;
    while ((rs = s->src->readdir(s->src_ctx, dir, &name)) == WS_OK) {
        char *d = ws_strdup(name);
        if (!d || WS_GROW(names, cap, n + 1) != 0) {
            ws_free(d);
            st = WS_E_NOMEM;
            break;
        }
        names[n++] = d;
    }
    s->src->closedir(s->src_ctx, dir);
    if (st == WS_OK && rs != WS_E_NOT_FOUND)
        walker_emit(s, WS_FINDING_ERROR, rs, s->path.data, s->path.len,
                    "error while reading folder: some entries may be missing");
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_name); /* stable, reproducible order */
    size_t base = s->path.len;
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        ws_buf_truncate(&s->path, base);
        if ((base == 0 || s->path.data[base - 1] != '/') && ws_buf_addc(&s->path, '/') != WS_OK) {
            walker_emit(s, WS_FINDING_ERROR, WS_E_TOO_LARGE, s->path.data, s->path.len,
                        "path too long: entry not scanned");
            continue;
        }
        if (ws_buf_adds(&s->path, names[i]) != WS_OK) {
            ws_buf_truncate(&s->path, base);
            walker_emit(s, WS_FINDING_ERROR, WS_E_TOO_LARGE, s->path.data, s->path.len,
                        "path too long: entry not scanned");
            continue;
        }
        st = visit(s, names[i], dev, depth);
        if (atomic_load(&s->cancel))
            st = WS_E_CANCELLED;
    }
    ws_buf_truncate(&s->path, base);
    free_names(names, n);
    return st;
}

/* ---------------------------------------------------------------------------
 * Public API
 * ------------------------------------------------------------------------- */

ws_status ws_scanner_new(const ws_pack *pack, const struct ws_scan_opts *opts, ws_scanner **out)
{
    if (!pack || !pack->compiled || !opts || !opts->emit)
        return WS_E_INVALID;
    struct ws_scanner *s = ws_calloc(1, sizeof *s);
    if (!s)
        return WS_E_NOMEM;
    ws_status st = WS_OK;
    s->pack = pack;
    s->o = *opts;
    s->src = &ws_source_local;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->not_empty, NULL);
    pthread_cond_init(&s->not_full, NULL);
    ws_throttle_init(&s->io, opts->io_rate * 1e6);
    ws_throttle_init(&s->files, opts->file_rate);
    ws_idset_init(&s->links);
    ws_idset_init(&s->dirs);
    ws_buf_init(&s->path, WS_MAX_PATH);
    s->t0 = ws_now_monotonic();
    unsigned n = opts->threads;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    s->workers = ws_calloc(n, sizeof *s->workers);
    if (!s->workers) {
        st = WS_E_NOMEM;
        goto out;
    }
    struct ws_filescan_opts fo = {opts->max_scan_size,
                                  opts->yara_timeout,
                                  opts->emit,
                                  opts->emit_user,
                                  opts->io_rate > 0 ? &s->io : NULL,
                                  opts->variant};
    for (unsigned i = 0; i < n; i++) {
        s->workers[i].s = s;
        WS_TRY(ws_filescan_new(pack, &fo, &s->workers[i].fs));
        s->n_workers++;
    }
    for (size_t i = 0; i < s->n_workers; i++) {
        if (pthread_create(&s->workers[i].thread, NULL, worker_main, &s->workers[i]) != 0) {
            st = WS_E_NOMEM;
            goto out;
        }
        s->workers[i].started = 1;
    }
out:
    if (st != WS_OK) {
        ws_scanner_free(s);
        return st;
    }
    *out = s;
    return WS_OK;
}

/* Choose the source of a root: an smb:// URL gets its server's pool. */
static ws_status pick_source(struct ws_scanner *s, const char *path)
{
    if (!ws_smb_is_url(path)) {
        s->src = &ws_source_local;
        s->src_ctx = NULL;
        return WS_OK;
    }
    struct ws_smb *p = NULL;
    ws_status st = ws_smb_new(s->o.smb, path, &p);
    if (st != WS_OK)
        return st;
    const char *pre = ws_smb_prefix(p);
    for (size_t i = 0; i < s->n_smb; i++)
        if (strcasecmp(ws_smb_prefix(s->smb[i]), pre) == 0) {
            ws_smb_free(p);
            s->src = &ws_source_smb;
            s->src_ctx = s->smb[i];
            return WS_OK;
        }
    if (s->n_smb == WS_SMB_MAX_SERVERS) {
        ws_smb_free(p);
        return WS_E_TOO_LARGE;
    }
    s->smb[s->n_smb++] = p;
    s->src = &ws_source_smb;
    s->src_ctx = p;
    return WS_OK;
}

/* Make path absolute and drop trailing slashes, into s->path. */
static ws_status set_root(struct ws_scanner *s, const char *path)
{
    ws_buf_reset(&s->path);
    if (path[0] != '/' && !ws_smb_is_url(path)) {
        char cwd[WS_MAX_PATH];
        if (!getcwd(cwd, sizeof cwd))
            return WS_E_TOO_LARGE;
        if (ws_buf_adds(&s->path, cwd) != WS_OK || ws_buf_addc(&s->path, '/') != WS_OK)
            return WS_E_TOO_LARGE;
        while (path[0] == '.' && path[1] == '/')
            path += 2;
        if (strcmp(path, ".") == 0)
            path = "";
    }
    if (ws_buf_adds(&s->path, path) != WS_OK)
        return WS_E_TOO_LARGE;
    while (s->path.len > 1 && s->path.data[s->path.len - 1] == '/')
        ws_buf_truncate(&s->path, s->path.len - 1);
    return WS_OK;
}

/* Walk the root in s->path, which stats as sb, through the current source. */
static ws_status walk_root(struct ws_scanner *s, const struct ws_stat *sb)
{
    ws_status st = WS_OK;
    s->root_dev = sb->dev;
    if (sb->type == WS_FT_DIR) {
        if (!(s->o.flags & WS_SCAN_PSEUDO_FS) && s->src->is_pseudo_fs &&
            s->src->is_pseudo_fs(s->src_ctx, s->path.data)) {
            walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len,
                        "pseudo file system (proc, sysfs, ...): not scanned");
            return WS_OK;
        }
        st = walk_dir(s, sb->dev, 0);
    } else if (sb->type == WS_FT_REG) {
        st = open_and_queue(s, 1);
    } else {
        s->stats.special_skipped++;
        walker_emit(s, WS_FINDING_SKIP, WS_E_SKIPPED, s->path.data, s->path.len,
                    "not a regular file or folder: never opened");
    }
    return st;
}

/* A regular file named by the user: if libtsk opens it as a disk image, walk
 * the file systems inside it instead of reading its bytes. *walked says so. */
static ws_status try_image(struct ws_scanner *s, int *walked)
{
    void *ctx;
    *walked = 0;
    unsigned tf = (s->o.flags & WS_SCAN_DELETED) ? WS_TSK_DELETED : 0;
    ws_status st = ws_source_tsk_open(s->path.data, tf, s->o.emit, s->o.emit_user, &ctx);
    if (st == WS_E_UNSUPPORTED)
        return WS_OK; /* not an image: scanned as bytes */
    if (st != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, st, s->path.data, s->path.len, "cannot open disk image");
        *walked = 1;
        return st == WS_E_NOMEM ? st : WS_OK;
    }
    *walked = 1;
    const struct ws_source_ops *old = s->src;
    void *old_ctx = s->src_ctx;
    s->src = &ws_source_tsk;
    s->src_ctx = ctx;
    struct ws_stat sb = {0};
    st = s->src->stat(s->src_ctx, s->path.data, 1, &sb);
    if (st == WS_OK)
        st = walk_root(s, &sb);
    else
        walker_emit(s, WS_FINDING_ERROR, st, s->path.data, s->path.len,
                    "cannot read the root of the disk image");
    s->src = old;
    s->src_ctx = old_ctx;
    ws_source_tsk_release(ctx); /* queued files keep their own references */
    return st == WS_E_NOMEM || st == WS_E_CANCELLED ? st : WS_OK;
}

ws_status ws_scanner_add_path(ws_scanner *s, const char *path)
{
    ws_status st = pick_source(s, path);
    if (st != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, st, path, strlen(path),
                    st == WS_E_INVALID ? "not a valid smb://host[:port]/share/path URL"
                                       : "cannot set up the SMB connection");
        return st;
    }
    st = set_root(s, path);
    if (st != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, st, path, strlen(path), "path too long");
        return st;
    }
    struct ws_stat sb = {0};
    /* a path named by the user is followed even if it is a link (find -H) */
    st = s->src->stat(s->src_ctx, s->path.data, 1, &sb);
    if (st != WS_OK) {
        walker_emit(s, WS_FINDING_ERROR, st, s->path.data, s->path.len,
                    st == WS_E_NOT_FOUND ? "no such file or folder" : "cannot stat");
        return st;
    }
    int walked = 0;
    if (sb.type == WS_FT_REG && !(s->o.flags & WS_SCAN_NO_IMAGES) && s->src == &ws_source_local)
        st = try_image(s, &walked);
    if (!walked)
        st = walk_root(s, &sb);
    progress(s, 1);
    return st;
}

static void stop_workers(struct ws_scanner *s)
{
    pthread_mutex_lock(&s->lock);
    s->closing = 1;
    pthread_cond_broadcast(&s->not_empty);
    pthread_mutex_unlock(&s->lock);
    for (size_t i = 0; i < s->n_workers; i++)
        if (s->workers[i].started) {
            pthread_join(s->workers[i].thread, NULL);
            s->workers[i].started = 0;
        }
}

ws_status ws_scanner_finish(ws_scanner *s, struct ws_scan_stats *stats)
{
    stop_workers(s);
    progress(s, 1);
    s->stats.files = atomic_load(&s->done_files);
    s->stats.bytes = atomic_load(&s->done_bytes);
    s->stats.too_large = atomic_load(&s->too_large);
    s->stats.seconds = ws_now_monotonic() - s->t0;
    if (stats)
        *stats = s->stats;
    return atomic_load(&s->cancel) ? WS_E_CANCELLED : WS_OK;
}

void ws_scanner_cancel(ws_scanner *s)
{
    atomic_store(&s->cancel, 1);
}

void ws_scanner_free(ws_scanner *s)
{
    if (!s)
        return;
    stop_workers(s);
    /* files still queued after a cancel */
    while (s->count) {
        struct work *w = &s->q[s->head];
        w->src->close(w->src_ctx, w->file);
        ws_free(w->path);
        s->head = (s->head + 1) % WS_WORK_QUEUE;
        s->count--;
    }
    for (size_t i = 0; i < s->n_workers; i++)
        ws_filescan_free(s->workers[i].fs);
    ws_free(s->workers);
    for (size_t i = 0; i < s->n_smb; i++)
        ws_smb_free(s->smb[i]);
    ws_idset_release(&s->links);
    ws_idset_release(&s->dirs);
    ws_buf_release(&s->path);
    ws_throttle_release(&s->io);
    ws_throttle_release(&s->files);
    pthread_cond_destroy(&s->not_empty);
    pthread_cond_destroy(&s->not_full);
    pthread_mutex_destroy(&s->lock);
    ws_free(s);
}

/* A per-file pipeline for one object outside any scanner (ws_scan_buffer,
 * ws_scan_name): no limits, no variant database, findings to emit. */
static ws_status one_shot_filescan(const ws_pack *pack, ws_emit_fn emit, void *user,
                                   struct ws_filescan **fs)
{
    if (!pack || !pack->compiled || !emit)
        return WS_E_INVALID;
    struct ws_filescan_opts fo = {0, 0, emit, user, NULL, NULL};
    return ws_filescan_new(pack, &fo, fs);
}

ws_status ws_scan_buffer(const ws_pack *pack, const char *name, const void *data, size_t len,
                         ws_emit_fn emit, void *user)
{
    struct ws_filescan *fs;
    ws_status st = one_shot_filescan(pack, emit, user, &fs);
    if (st != WS_OK)
        return st;
    st = ws_filescan_buffer(fs, name, strlen(name), data, len, WS_TIME_UNKNOWN, 0);
    ws_filescan_free(fs);
    return st;
}

ws_status ws_scan_name(const ws_pack *pack, const char *name, uint64_t size, ws_emit_fn emit,
                       void *user)
{
    if (!name)
        return WS_E_INVALID;
    struct ws_filescan *fs;
    ws_status st = one_shot_filescan(pack, emit, user, &fs);
    if (st != WS_OK)
        return st;
    ws_filescan_name(fs, name, strlen(name), size);
    ws_filescan_free(fs);
    return WS_OK;
}
