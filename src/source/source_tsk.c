/*
 * source_tsk.c - disk images through The Sleuth Kit (libtsk), never mounted.
 *
 * Opening: the container is recognised by its magic (EWF "EVF\t\r\n\xff\0",
 * EWF2 "EVF2", VMDK "KDMV"/"COWD"/"# Disk DescriptorFile", VHD "conectix"
 * footer), anything else is raw; then tsk_img_open_utf8_sing() is asked for
 * exactly that type (libewf finds the .E02... segments of a split set
 * itself). Sniffing ourselves, rather than TSK_IMG_TYPE_DETECT, avoids
 * libtsk 4.11's detection path, which leaks the libvhdi/libvmdk handles it
 * tried on every file that is not of their type. Then a volume
 * system (DOS/MBR, GPT, ...) is tried; every allocated partition in it that
 * holds a file system libtsk recognises becomes "p<N>", N counting all
 * allocated partitions from 1 in disk order, as mmls lists them (so the
 * names do not shift when one partition is unreadable). Without a
 * volume system, or when none of its partitions has a file system, a file
 * system at offset 0 is tried. Neither: WS_E_UNSUPPORTED, and the scanner
 * reads the file as bytes.
 *
 * Naming: the walker hands us full paths. The image's own path is the root,
 * "<root>/p2/Windows/System32/x.dll" (partitioned) or
 * "<root>/Windows/System32/x.dll" (file system at offset 0), so a finding
 * names both the image and the path inside it, and the part after the root is
 * the Windows path with '/' for '\' (the name IOCs read it in Windows form).
 *
 * Directories: the walker lists a folder, then stats and opens each entry by
 * path. Resolving each path from the root would reparse every index on the
 * way (quadratic in big folders such as System32), so each listing (name ->
 * metadata address and stat) is cached while it is an ancestor of the folder
 * being walked: memory is the listings along one path, each capped at
 * WS_MAX_IMAGE_DIR_ENTRIES. What is listed:
 *   - allocated entries; with WS_TSK_DELETED also deleted ones whose metadata
 *     was not reallocated to another file (fls "(realloc)": its bytes belong
 *     to someone else), marked WS_STAT_DELETED;
 *   - not "." and "..", not libtsk's virtual files ($MBR, $FAT1, $FAT2),
 *     not NTFS's metadata files in the root ($MFT, $LogFile, $Extend, ...:
 *     MFT entries below 16), not the FAT volume label libtsk shows as an
 *     empty file "LABEL (Volume Label Entry)" in the root; libtsk's virtual
 *     folder $OrphanFiles (deleted files no folder names any more) only with
 *     WS_TSK_DELETED;
 *   - NTFS named $DATA streams (alternate data streams) of files and folders
 *     as entries "name:stream" beside their file, as Windows writes them
 *     (at most WS_MAX_IMAGE_STREAMS per file);
 *   - one entry per name (an allocated entry wins over a deleted one with
 *     the same name; the deleted one is dropped).
 * The scanner enters every folder of an image once by (dev, ino), which
 * breaks directory loops a hostile image may contain.
 *
 * Identity: dev is a hash of the image path with the top bit set (never a
 * local st_dev); ino is (partition index + 1) << 48 | metadata address.
 *
 * Threads: the walker and the workers share one context. One mutex guards
 * every libtsk call and the listing cache; tsk_error_* is thread-local.
 */
#include "core/compat.h"

#include "core/lsan.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tsk/libtsk.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "source/source_tsk.h"

/* NTFS reserves MFT entries 0..15 for its metadata files. */
#define NTFS_FIRST_USER_ENTRY 16
/* Partition index in the high bits of ino; an NTFS stream's attribute id
 * (+1) in the bits below (MFT entry numbers stay far under 2^32). */
#define INO_PART_SHIFT 48
#define STREAM_SHIFT 32

struct entry {
    char *name;
    TSK_INUM_T inum;
    int stream;         /* an NTFS named $DATA stream ("name:stream") */
    uint16_t stream_id; /* its attribute id */
    struct ws_stat st;
};

struct listing {
    int part;  /* -1: the virtual root of a partitioned image */
    char *dir; /* path inside the file system, "" for its root */
    size_t dir_len;
    struct entry *e;
    size_t n;
};

struct part {
    TSK_FS_INFO *fs;
    char name[32]; /* "p2"; "" when the file system is at offset 0 */
};

struct tctx {
    pthread_mutex_t lock;
    atomic_int refs;
    unsigned flags;
    ws_emit_fn emit;
    void *emit_user;
    char *root;
    size_t root_len;
    uint64_t dev;
    TSK_IMG_INFO *img;
    TSK_VS_INFO *vs;
    struct part *parts;
    size_t n_parts;
    int partitioned;
    struct listing **cache; /* ancestors of the folder being walked, outermost first */
    size_t n_cache, cap_cache;
};

struct tdir {
    struct listing *l;
    size_t i;
};

struct tfile {
    TSK_FS_FILE *f;
    TSK_OFF_T off;
    int stream;
    uint16_t stream_id;
    struct ws_stat st;
};

/* ---------------------------------------------------------------------------
 * Findings from the source (problems found while opening or listing)
 * ------------------------------------------------------------------------- */

static void note(struct tctx *c, enum ws_finding_kind k, ws_status code, const char *path,
                 size_t len, const char *what)
{
    if (!c->emit)
        return;
    char msg[512];
    const char *te = tsk_error_get();
    if (k == WS_FINDING_ERROR && te && *te)
        snprintf(msg, sizeof msg, "%s (libtsk: %s)", what, te);
    else
        snprintf(msg, sizeof msg, "%s", what);
    tsk_error_reset();
    struct ws_finding f;
    ws_finding_init(&f, k);
    f.ruleset = "scan";
    f.source = "file";
    f.path = path;
    f.path_len = len;
    f.error_code = code;
    f.message = msg;
    c->emit(c->emit_user, &f);
}

/* ---------------------------------------------------------------------------
 * Context lifetime
 * ------------------------------------------------------------------------- */

static void free_listing(struct listing *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        ws_free(l->e[i].name);
    ws_free(l->e);
    ws_free(l->dir);
    ws_free(l);
}

static void ctx_free(struct tctx *c)
{
    for (size_t i = 0; i < c->n_cache; i++)
        free_listing(c->cache[i]);
    ws_free(c->cache);
    for (size_t i = 0; i < c->n_parts; i++)
        if (c->parts[i].fs)
            tsk_fs_close(c->parts[i].fs);
    ws_free(c->parts);
    if (c->vs)
        tsk_vs_close(c->vs);
    if (c->img)
        tsk_img_close(c->img);
    ws_free(c->root);
    pthread_mutex_destroy(&c->lock);
    ws_free(c);
}

void ws_source_tsk_release(void *ctx)
{
    struct tctx *c = ctx;
    if (c && atomic_fetch_sub(&c->refs, 1) == 1)
        ctx_free(c);
}

static ws_status add_part(struct tctx *c, TSK_FS_INFO *fs, const char *name)
{
    if (c->n_parts >= WS_MAX_IMAGE_PARTS) {
        tsk_fs_close(fs);
        return WS_E_TOO_LARGE;
    }
    struct part *np = ws_realloc(c->parts, (c->n_parts + 1) * sizeof *np);
    if (!np) {
        tsk_fs_close(fs);
        return WS_E_NOMEM;
    }
    c->parts = np;
    c->parts[c->n_parts].fs = fs;
    snprintf(c->parts[c->n_parts].name, sizeof c->parts[c->n_parts].name, "%s", name);
    c->n_parts++;
    return WS_OK;
}

/* Walk the volume system: one part per allocated partition with a file system. */
static ws_status open_partitions(struct tctx *c)
{
    ws_status st = WS_OK;
    unsigned alloc_no = 0;
    TSK_PNUM_T n = c->vs->part_count;
    for (TSK_PNUM_T i = 0; i < n && st == WS_OK; i++) {
        const TSK_VS_PART_INFO *p = tsk_vs_part_get(c->vs, i);
        if (!p || !(p->flags & TSK_VS_PART_FLAG_ALLOC))
            continue;
        if (++alloc_no > WS_MAX_IMAGE_PARTS) {
            note(c, WS_FINDING_ERROR, WS_E_TOO_LARGE, c->root, c->root_len,
                 "too many partitions: the rest are not scanned");
            break;
        }
        char name[32], msg[160];
        snprintf(name, sizeof name, "p%u", alloc_no);
        TSK_FS_INFO *fs = tsk_fs_open_vol(p, TSK_FS_TYPE_DETECT);
        if (!fs) {
            /* not an error: extended-partition containers, swap, empty or
             * unknown file systems are ordinary on real disks */
            snprintf(msg, sizeof msg,
                     "partition %s (sector %llu, %llu sectors, %s): no file system libtsk "
                     "recognises; not scanned",
                     name, (unsigned long long)p->start, (unsigned long long)p->len,
                     p->desc ? p->desc : "?");
            tsk_error_reset();
            note(c, WS_FINDING_SKIP, WS_E_UNSUPPORTED, c->root, c->root_len, msg);
            continue;
        }
        st = add_part(c, fs, name);
    }
    return st;
}

static int has(const uint8_t *b, size_t n, const char *magic, size_t ml)
{
    return n >= ml && memcmp(b, magic, ml) == 0;
}

/* The container type by magic, or RAW; 0 if the file cannot be read. */
static TSK_IMG_TYPE_ENUM sniff_container(const char *path)
{
    uint8_t head[32], foot[8];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return TSK_IMG_TYPE_DETECT;
    struct stat sb;
    ssize_t hn = -1, fn = -1;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        hn = pread(fd, head, sizeof head, 0);
        if (sb.st_size >= 512)
            fn = pread(fd, foot, sizeof foot, sb.st_size - 512);
    }
    close(fd);
    if (hn < 0)
        return TSK_IMG_TYPE_DETECT;
    size_t n = (size_t)hn;
    if (has(head, n, "EVF\x09\x0d\x0a\xff\x00", 8) || has(head, n, "EVF2\x0d\x0a\x81\x00", 8))
        return TSK_IMG_TYPE_EWF_EWF;
    if (has(head, n, "KDMV", 4) || has(head, n, "COWD", 4) ||
        has(head, n, "# Disk DescriptorFile", 21))
        return TSK_IMG_TYPE_VMDK_VMDK;
    if ((fn == 8 && memcmp(foot, "conectix", 8) == 0) || has(head, n, "conectix", 8))
        return TSK_IMG_TYPE_VHD_VHD;
    return TSK_IMG_TYPE_RAW;
}

ws_status ws_source_tsk_open(const char *path, unsigned flags, ws_emit_fn emit, void *emit_user,
                             void **ctx)
{
    ws_status st = WS_OK;
    struct tctx *c = ws_calloc(1, sizeof *c);
    if (!c)
        return WS_E_NOMEM;
    pthread_mutex_init(&c->lock, NULL);
    atomic_init(&c->refs, 1);
    c->flags = flags;
    c->emit = emit;
    c->emit_user = emit_user;
    c->root_len = strlen(path);
    c->root = ws_strdup(path);
    if (!c->root) {
        st = WS_E_NOMEM;
        goto out;
    }
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < c->root_len; i++)
        h = (h ^ (uint8_t)path[i]) * 1099511628211ull;
    c->dev = h | (1ull << 63);

    tsk_error_reset();
    TSK_IMG_TYPE_ENUM type = sniff_container(path);
    if (type == TSK_IMG_TYPE_DETECT) {
        st = WS_E_UNSUPPORTED; /* unreadable: the byte scan reports why */
        goto out;
    }
    c->img = tsk_img_open_utf8_sing(path, type, 0);
    if (!c->img) {
        if (type != TSK_IMG_TYPE_RAW) {
            note(c, WS_FINDING_ERROR, WS_E_CORRUPT, c->root, c->root_len,
                 "has the magic of a disk image container but libtsk cannot open it: "
                 "scanned as bytes");
        }
        tsk_error_reset();
        st = WS_E_UNSUPPORTED;
        goto out;
    }
    c->vs = tsk_vs_open(c->img, 0, TSK_VS_TYPE_DETECT);
    if (c->vs) {
        WS_TRY(open_partitions(c));
        if (c->n_parts) {
            c->partitioned = 1;
            goto out;
        }
    }
    tsk_error_reset();
    TSK_FS_INFO *fs = tsk_fs_open_img(c->img, 0, TSK_FS_TYPE_DETECT);
    if (fs) {
        WS_TRY(add_part(c, fs, ""));
        goto out;
    }
    tsk_error_reset();
    if (c->vs) {
        /* a partition table whose partitions hold nothing we can read: the
         * image is recognised, the skips above say why nothing is listed */
        c->partitioned = 1;
        goto out;
    }
    if ((c->img->itype & TSK_IMG_TYPE_RAW) == 0) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "%s disk image without a volume system or file system libtsk recognises: "
                 "scanned as bytes",
                 tsk_img_type_toname(c->img->itype));
        note(c, WS_FINDING_SKIP, WS_E_UNSUPPORTED, c->root, c->root_len, msg);
    }
    st = WS_E_UNSUPPORTED;
out:
    if (st != WS_OK) {
        ctx_free(c);
        return st;
    }
    *ctx = c;
    return WS_OK;
}

/* ---------------------------------------------------------------------------
 * Listings
 * ------------------------------------------------------------------------- */

static enum ws_ftype type_of_meta(TSK_FS_META_TYPE_ENUM t)
{
    switch (t) {
    case TSK_FS_META_TYPE_REG:
        return WS_FT_REG;
    case TSK_FS_META_TYPE_DIR:
        return WS_FT_DIR;
    case TSK_FS_META_TYPE_LNK:
        return WS_FT_LNK;
    case TSK_FS_META_TYPE_FIFO:
        return WS_FT_FIFO;
    case TSK_FS_META_TYPE_CHR:
        return WS_FT_CHR;
    case TSK_FS_META_TYPE_BLK:
        return WS_FT_BLK;
    case TSK_FS_META_TYPE_SOCK:
        return WS_FT_SOCK;
    default:
        return WS_FT_OTHER;
    }
}

static uint64_t make_ino(int part, TSK_INUM_T inum)
{
    return ((uint64_t)(part + 1) << INO_PART_SHIFT) |
           ((uint64_t)inum & ((1ull << INO_PART_SHIFT) - 1));
}

static void stat_of_meta(struct tctx *c, int part, const TSK_FS_META *m, struct ws_stat *st)
{
    memset(st, 0, sizeof *st);
    st->type = type_of_meta(m->type);
    st->dev = c->dev;
    st->ino = make_ino(part, m->addr);
    st->size = m->size > 0 ? (uint64_t)m->size : 0;
    st->nlink = m->nlink > 0 ? (uint64_t)m->nlink : 1;
    st->uid = (uint32_t)m->uid;
    st->mtime = (int64_t)m->mtime;
    st->mtime_nsec = (long)m->mtime_nano;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    /* allocated first, so the duplicate dropped is the deleted one */
    return (int)(x->st.flags & WS_STAT_DELETED) - (int)(y->st.flags & WS_STAT_DELETED);
}

/* Decide whether a directory entry is listed; fill e on yes. */
static int keep_entry(struct tctx *c, int part, const TSK_FS_FILE *f, int in_root, struct entry *e)
{
    const TSK_FS_NAME *nm = f->name;
    if (!nm || !nm->name || !nm->name[0])
        return 0;
    if (strcmp(nm->name, ".") == 0 || strcmp(nm->name, "..") == 0)
        return 0;
    if (nm->type == TSK_FS_NAME_TYPE_VIRT_DIR && (c->flags & WS_TSK_DELETED) && in_root &&
        strcmp(nm->name, "$OrphanFiles") == 0 && f->meta) {
        /* deleted files no folder names any more (libtsk finds them by
         * scanning the metadata table) */
        stat_of_meta(c, part, f->meta, &e->st);
        e->st.type = WS_FT_DIR;
        e->inum = nm->meta_addr;
        return 1;
    }
    if (nm->type == TSK_FS_NAME_TYPE_VIRT || nm->type == TSK_FS_NAME_TYPE_VIRT_DIR)
        return 0;
    TSK_FS_INFO *fs = c->parts[part].fs;
    if (in_root && TSK_FS_TYPE_ISNTFS(fs->ftype) && nm->name[0] == '$' &&
        nm->meta_addr < NTFS_FIRST_USER_ENTRY)
        return 0;
    if (in_root && TSK_FS_TYPE_ISFAT(fs->ftype)) {
        /* libtsk shows the FAT volume label as an empty file "LABEL (Volume Label Entry)" */
        static const char vl[] = "(Volume Label Entry)";
        size_t l = strlen(nm->name);
        if (l >= sizeof vl - 1 && strcmp(nm->name + l - (sizeof vl - 1), vl) == 0)
            return 0;
    }
    int deleted = (nm->flags & TSK_FS_NAME_FLAG_UNALLOC) != 0;
    if (deleted) {
        if (!(c->flags & WS_TSK_DELETED))
            return 0;
        if (!f->meta || (f->meta->flags & TSK_FS_META_FLAG_ALLOC))
            return 0; /* no metadata left, or reallocated to another file */
    }
    if (!f->meta)
        return 0;
    stat_of_meta(c, part, f->meta, &e->st);
    if (deleted)
        e->st.flags |= WS_STAT_DELETED;
    e->inum = nm->meta_addr;
    return 1;
}

/* NTFS named $DATA streams of file f (entry base) as entries "name:stream"
 * of their own, as Windows writes them; the unnamed stream is the file. */
static ws_status add_streams(struct tctx *c, int part, TSK_FS_FILE *f, const struct entry *base,
                             struct listing *l, size_t *cap)
{
    int na = tsk_fs_file_attr_getsize(f);
    tsk_error_reset();
    size_t kept = 0;
    for (int i = 0; i < na; i++) {
        const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
        if (!a || a->type != TSK_FS_ATTR_TYPE_NTFS_DATA || !a->name || !a->name[0])
            continue;
        if (strchr(a->name, '/'))
            continue;
        if (++kept > WS_MAX_IMAGE_STREAMS) {
            note(c, WS_FINDING_SKIP, WS_E_TOO_LARGE, c->root, c->root_len,
                 "a file has too many NTFS alternate data streams: the rest are not scanned");
            break;
        }
        if (l->n >= WS_MAX_IMAGE_DIR_ENTRIES)
            return WS_E_TOO_LARGE;
        size_t bl = strlen(base->name), sl = strlen(a->name);
        struct entry e = *base;
        e.name = ws_malloc(bl + 1 + sl + 1);
        if (!e.name || WS_GROW(l->e, *cap, l->n + 1) != 0) {
            ws_free(e.name);
            return WS_E_NOMEM;
        }
        memcpy(e.name, base->name, bl);
        e.name[bl] = ':';
        memcpy(e.name + bl + 1, a->name, sl + 1);
        e.stream = 1;
        e.stream_id = a->id;
        e.st.type = WS_FT_REG;
        e.st.size = a->size > 0 ? (uint64_t)a->size : 0;
        e.st.nlink = 1;
        e.st.ino = make_ino(part, base->inum) | ((uint64_t)a->id + 1) << STREAM_SHIFT;
        l->e[l->n++] = e;
    }
    tsk_error_reset();
    return WS_OK;
}

/* List folder inum of part (path dir) into a new listing. */
static ws_status list_dir(struct tctx *c, int part, TSK_INUM_T inum, int deleted, const char *dir,
                          size_t dir_len, struct listing **out)
{
    ws_status st = WS_OK;
    struct listing *l = ws_calloc(1, sizeof *l);
    if (!l)
        return WS_E_NOMEM;
    l->part = part;
    l->dir = ws_memdup0(dir, dir_len);
    l->dir_len = dir_len;
    if (!l->dir) {
        st = WS_E_NOMEM;
        goto out;
    }
    if (part < 0) {
        l->e = ws_calloc(c->n_parts ? c->n_parts : 1, sizeof *l->e);
        if (!l->e) {
            st = WS_E_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < c->n_parts; i++) {
            struct entry *e = &l->e[l->n];
            e->name = ws_strdup(c->parts[i].name);
            if (!e->name) {
                st = WS_E_NOMEM;
                goto out;
            }
            e->inum = c->parts[i].fs->root_inum;
            e->st.type = WS_FT_DIR;
            e->st.dev = c->dev;
            e->st.ino = make_ino((int)i, e->inum);
            e->st.nlink = 1;
            l->n++;
        }
        goto out;
    }
    TSK_FS_INFO *fs = c->parts[part].fs;
    tsk_error_reset();
    TSK_FS_DIR *d = tsk_fs_dir_open_meta(fs, inum);
    if (!d && inum == TSK_FS_ORPHANDIR_INUM(fs) && TSK_FS_TYPE_ISEXT(fs->ftype)) {
        /* libtsk 4.11's ext2/3/4 builds $OrphanFiles only when it is opened
         * by name (tried second: on failure that path leaks a name) */
        tsk_error_reset();
        d = tsk_fs_dir_open(fs, "/$OrphanFiles");
    }
    if (!d) {
        /* a deleted folder's index is often gone: list it as empty */
        st = deleted ? WS_OK : WS_E_CORRUPT;
        if (deleted)
            tsk_error_reset();
        goto out;
    }
    size_t n = tsk_fs_dir_getsize(d);
    size_t cap = 0;
    int in_root = inum == fs->root_inum;
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        TSK_FS_FILE *f = tsk_fs_dir_get(d, i);
        if (!f) {
            tsk_error_reset();
            continue;
        }
        if (!f->meta && f->name && f->name->meta_addr) {
            /* libtsk leaves orphans' metadata unloaded: load it by address */
            TSK_FS_FILE *m = tsk_fs_file_open_meta(fs, NULL, f->name->meta_addr);
            if (m && m->meta) {
                f->meta = m->meta;
                m->meta = NULL;
            }
            if (m)
                tsk_fs_file_close(m);
            tsk_error_reset();
        }
        struct entry e;
        memset(&e, 0, sizeof e);
        if (keep_entry(c, part, f, in_root, &e)) {
            if (l->n >= WS_MAX_IMAGE_DIR_ENTRIES) {
                st = WS_E_TOO_LARGE;
            } else if (strchr(f->name->name, '/')) {
                char msg[96];
                snprintf(msg, sizeof msg,
                         "entry %llu of this folder has '/' in its name: "
                         "not scanned",
                         (unsigned long long)i);
                note(c, WS_FINDING_SKIP, WS_E_SKIPPED, c->root, c->root_len, msg);
            } else if (WS_GROW(l->e, cap, l->n + 1) != 0 || !(e.name = ws_strdup(f->name->name))) {
                st = WS_E_NOMEM;
            } else {
                l->e[l->n++] = e;
                if (TSK_FS_TYPE_ISNTFS(fs->ftype))
                    st = add_streams(c, part, f, &e, l, &cap);
            }
        }
        tsk_fs_file_close(f);
    }
    tsk_fs_dir_close(d);
    if (l->n > 1)
        qsort(l->e, l->n, sizeof *l->e, cmp_entry);
    /* one entry per name */
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (w && strcmp(l->e[w - 1].name, l->e[i].name) == 0) {
            ws_free(l->e[i].name);
            continue;
        }
        l->e[w++] = l->e[i];
    }
    l->n = w;
out:
    if (st != WS_OK) {
        free_listing(l);
        return st;
    }
    *out = l;
    return WS_OK;
}

/* Is listing l (part, dir) the folder (part, path) or one of its ancestors? */
static int is_ancestor(const struct listing *l, int part, const char *path, size_t len)
{
    if (l->part != part)
        return l->part < 0; /* the virtual root is everyone's ancestor */
    if (l->dir_len > len || memcmp(l->dir, path, l->dir_len) != 0)
        return 0;
    return l->dir_len == len || path[l->dir_len] == '/';
}

static struct listing *find_listing(struct tctx *c, int part, const char *path, size_t len)
{
    for (size_t i = c->n_cache; i-- > 0;) {
        struct listing *l = c->cache[i];
        if (l->part == part && l->dir_len == len && memcmp(l->dir, path, len) == 0)
            return l;
    }
    return NULL;
}

/* Keep l in the cache, dropping listings that are not ancestors of it. */
static ws_status cache_push(struct tctx *c, struct listing *l)
{
    size_t w = 0;
    for (size_t i = 0; i < c->n_cache; i++) {
        if (is_ancestor(c->cache[i], l->part, l->dir, l->dir_len))
            c->cache[w++] = c->cache[i];
        else
            free_listing(c->cache[i]);
    }
    c->n_cache = w;
    if (WS_GROW(c->cache, c->cap_cache, c->n_cache + 1) != 0) {
        free_listing(l);
        return WS_E_NOMEM;
    }
    c->cache[c->n_cache++] = l;
    return WS_OK;
}

static const struct entry *find_entry(const struct listing *l, const char *name, size_t len)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *n = l->e[mid].name;
        int r = strncmp(n, name, len);
        if (r == 0)
            r = n[len] ? 1 : 0;
        if (r == 0)
            return &l->e[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* A resolved path: the partition (-1: virtual root) and, for a folder or a
 * file, its entry. */
struct where {
    int part;
    const char *fspath; /* "" or "/a/b" inside the file system */
    size_t fslen;
    struct entry root; /* filled when the path names a root */
};

static ws_status lookup(struct tctx *c, int part, const char *p, size_t len, int depth,
                        const struct entry **out);

/* The listing of folder (part, p), from the cache or read now. */
static ws_status get_listing(struct tctx *c, int part, const char *p, size_t len, int depth,
                             struct listing **out)
{
    struct listing *l = find_listing(c, part, p, len);
    if (l) {
        *out = l;
        return WS_OK;
    }
    TSK_INUM_T inum;
    int deleted = 0;
    if (part < 0) {
        inum = 0;
    } else if (len == 0) {
        inum = c->parts[part].fs->root_inum;
    } else {
        const struct entry *e;
        ws_status st = lookup(c, part, p, len, depth + 1, &e);
        if (st != WS_OK)
            return st;
        if (e->st.type != WS_FT_DIR)
            return WS_E_NOT_FOUND;
        inum = e->inum;
        deleted = (e->st.flags & WS_STAT_DELETED) != 0;
    }
    ws_status st = list_dir(c, part, inum, deleted, p, len, &l);
    if (st != WS_OK)
        return st;
    st = cache_push(c, l);
    if (st != WS_OK)
        return st;
    *out = l;
    return WS_OK;
}

/* The entry for (part, "/a/b"). */
static ws_status lookup(struct tctx *c, int part, const char *p, size_t len, int depth,
                        const struct entry **out)
{
    if (depth > WS_MAX_DEPTH)
        return WS_E_TOO_LARGE;
    size_t k = len;
    while (k > 0 && p[k - 1] != '/')
        k--;
    if (k == 0)
        return WS_E_NOT_FOUND;
    struct listing *l;
    ws_status st = get_listing(c, part, p, k - 1, depth, &l);
    if (st != WS_OK)
        return st;
    const struct entry *e = find_entry(l, p + k, len - k);
    if (!e)
        return WS_E_NOT_FOUND;
    *out = e;
    return WS_OK;
}

/* Split a walker path into partition and path inside it. */
static ws_status resolve(struct tctx *c, const char *path, struct where *w)
{
    size_t len = strlen(path);
    if (len < c->root_len || memcmp(path, c->root, c->root_len) != 0 ||
        (len > c->root_len && path[c->root_len] != '/'))
        return WS_E_NOT_FOUND;
    const char *r = path + c->root_len;
    size_t rl = len - c->root_len;
    memset(w, 0, sizeof *w);
    w->root.st.type = WS_FT_DIR;
    w->root.st.dev = c->dev;
    w->root.st.nlink = 1;
    if (c->partitioned) {
        if (rl == 0) {
            w->part = -1;
            w->fspath = "";
            return WS_OK;
        }
        const char *s = memchr(r + 1, '/', rl - 1);
        size_t nl = s ? (size_t)(s - (r + 1)) : rl - 1;
        w->part = -2;
        for (size_t i = 0; i < c->n_parts; i++)
            if (strlen(c->parts[i].name) == nl && memcmp(c->parts[i].name, r + 1, nl) == 0)
                w->part = (int)i;
        if (w->part < 0)
            return WS_E_NOT_FOUND;
        r += 1 + nl;
        rl -= 1 + nl;
    } else {
        w->part = 0;
    }
    w->fspath = r;
    w->fslen = rl;
    if (w->part >= 0) {
        w->root.inum = c->parts[w->part].fs->root_inum;
        w->root.st.ino = make_ino(w->part, w->root.inum);
    }
    return WS_OK;
}

/* (part, entry) for a path, under the lock. */
static ws_status locate(struct tctx *c, const char *path, int *part, const struct entry **e,
                        struct entry *rootbuf)
{
    struct where w;
    ws_status st = resolve(c, path, &w);
    if (st != WS_OK)
        return st;
    *part = w.part;
    if (w.part < 0 || w.fslen == 0) {
        *rootbuf = w.root;
        *e = rootbuf;
        return WS_OK;
    }
    return lookup(c, w.part, w.fspath, w.fslen, 0, e);
}

/* ---------------------------------------------------------------------------
 * The source operations
 * ------------------------------------------------------------------------- */

static ws_status t_stat(void *ctx, const char *path, int follow, struct ws_stat *st)
{
    struct tctx *c = ctx;
    (void)follow; /* links inside an image point into the imaged system, never ours */
    pthread_mutex_lock(&c->lock);
    int part;
    const struct entry *e;
    struct entry rootbuf;
    ws_status rs = locate(c, path, &part, &e, &rootbuf);
    if (rs == WS_OK)
        *st = e->st;
    pthread_mutex_unlock(&c->lock);
    return rs;
}

static ws_status t_opendir(void *ctx, const char *path, int follow, void **dir)
{
    struct tctx *c = ctx;
    (void)follow;
    struct tdir *d = ws_calloc(1, sizeof *d);
    if (!d)
        return WS_E_NOMEM;
    pthread_mutex_lock(&c->lock);
    struct where w;
    ws_status rs = resolve(c, path, &w);
    if (rs == WS_OK)
        rs = get_listing(c, w.part, w.fspath, w.fslen, 0, &d->l);
    pthread_mutex_unlock(&c->lock);
    if (rs != WS_OK) {
        ws_free(d);
        return rs;
    }
    *dir = d;
    return WS_OK;
}

static ws_status t_readdir(void *ctx, void *dir, const char **name)
{
    (void)ctx;
    struct tdir *d = dir;
    if (d->i >= d->l->n)
        return WS_E_NOT_FOUND;
    *name = d->l->e[d->i++].name;
    return WS_OK;
}

static void t_closedir(void *ctx, void *dir)
{
    (void)ctx;
    ws_free(dir);
}

static ws_status t_open(void *ctx, const char *path, int follow, void **file, struct ws_stat *st)
{
    struct tctx *c = ctx;
    (void)follow;
    struct tfile *tf = ws_calloc(1, sizeof *tf);
    if (!tf)
        return WS_E_NOMEM;
    pthread_mutex_lock(&c->lock);
    int part;
    const struct entry *e;
    struct entry rootbuf;
    ws_status rs = locate(c, path, &part, &e, &rootbuf);
    if (rs == WS_OK && (part < 0 || e->st.type != WS_FT_REG))
        rs = WS_E_SKIPPED;
    if (rs == WS_OK) {
        tsk_error_reset();
        tf->f = tsk_fs_file_open_meta(c->parts[part].fs, NULL, e->inum);
        if (!tf->f || !tf->f->meta) {
            rs = WS_E_CORRUPT;
        } else {
            tf->st = e->st;
            tf->stream = e->stream;
            tf->stream_id = e->stream_id;
            atomic_fetch_add(&c->refs, 1);
        }
    }
    pthread_mutex_unlock(&c->lock);
    if (rs != WS_OK) {
        if (tf->f)
            tsk_fs_file_close(tf->f);
        ws_free(tf);
        return rs;
    }
    *st = tf->st;
    *file = tf;
    return WS_OK;
}

static ws_status t_read(void *ctx, void *file, void *buf, size_t n, size_t *got)
{
    struct tctx *c = ctx;
    struct tfile *tf = file;
    TSK_OFF_T size = (TSK_OFF_T)tf->st.size;
    if (tf->off >= size) {
        *got = 0;
        return WS_OK;
    }
    uint64_t left = (uint64_t)(size - tf->off);
    if (n > left)
        n = (size_t)left;
    pthread_mutex_lock(&c->lock);
    tsk_error_reset();
    ssize_t r = tf->stream ? tsk_fs_file_read_type(tf->f, TSK_FS_ATTR_TYPE_NTFS_DATA, tf->stream_id,
                                                   tf->off, buf, n, TSK_FS_FILE_READ_FLAG_NONE)
                           : tsk_fs_file_read(tf->f, tf->off, buf, n, TSK_FS_FILE_READ_FLAG_NONE);
    pthread_mutex_unlock(&c->lock);
    if (r < 0 || (size_t)r > n) {
        tsk_error_reset();
        return WS_E_IO;
    }
    tf->off += (TSK_OFF_T)r;
    *got = (size_t)r;
    return WS_OK;
}

static ws_status t_fstat(void *ctx, void *file, struct ws_stat *st)
{
    (void)ctx;
    *st = ((struct tfile *)file)->st;
    return WS_OK;
}

static void t_close(void *ctx, void *file)
{
    struct tctx *c = ctx;
    struct tfile *tf = file;
    pthread_mutex_lock(&c->lock);
    tsk_fs_file_close(tf->f);
    pthread_mutex_unlock(&c->lock);
    ws_free(tf);
    ws_source_tsk_release(c);
}

const struct ws_source_ops ws_source_tsk = {
    "image", t_stat, t_opendir, t_readdir, t_closedir, t_open, t_read, t_fstat, t_close, NULL,
};

WS_DEFINE_LSAN_SUPPRESSIONS()
