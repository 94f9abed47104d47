/*
 * pack.c - the pack set: loading files by type, the built-in pack, folders,
 * compile, statistics and description.
 *
 * How a file's type is decided (docs/packs.md):
 *   - compiled YARA: content starts with "YARA" (libyara's magic);
 *   - YARA source: extension .yar or .yara (or .rule/.rules);
 *   - by the tag in the name, as signature-base and THOR do: "hash" -> hash
 *     IOCs, "filename" -> file-name IOCs, "c2" -> C2 domains/IPs; and
 *     wormsign's own "c2-urls", "services", "net-patterns", "recon-commands",
 *     "event-rules" (docs/event-rules.md);
 *   - otherwise by content: a first data line that starts with 32/40/64 hex
 *     digits is a hash list; one shaped `regex;number` is a file-name list.
 * A folder with yara/ or iocs/ inside is read as a signature-base checkout
 * (only those two folders); any other folder is walked for pack files, and
 * files of no known type are reported as skipped, never silently.
 */
#include "core/compat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "core/lines.h"
#include "logs/rules.h"
#include "pack/pack_builtin.h"
#include "pack/pack_impl.h"

#define BUILTIN_LABEL "kwampirs (built-in)"

/* ---------------------------------------------------------------------------
 * Life cycle and string table
 * ------------------------------------------------------------------------- */

ws_status ws_pack_new(ws_pack **out)
{
    struct ws_pack *p = ws_calloc(1, sizeof *p);
    if (!p)
        return WS_E_NOMEM;
    *out = p;
    return WS_OK;
}

static void release_list(struct ws_line_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        ws_free(l->v[i]);
    ws_free(l->v);
    ws_free(l->origin);
    memset(l, 0, sizeof *l);
}

void ws_pack_free(ws_pack *p)
{
    if (!p)
        return;
    ws_pack_yara_release(p);
    ws_ioc_name_release(p);
    ws_variant_db_free(p->variants);
    for (int t = 0; t < WS_HASH_TYPES; t++)
        ws_free(p->hashes[t].v);
    release_list(&p->c2_domains);
    release_list(&p->c2_ips);
    release_list(&p->c2_urls);
    release_list(&p->net_patterns);
    release_list(&p->services);
    release_list(&p->recon);
    ws_event_rules_free(p->event_rules);
    for (size_t i = 0; i < p->n_strings; i++)
        ws_free(p->strings[i]);
    ws_free(p->strings);
    ws_free(p->origins);
    for (size_t i = 0; i < p->n_sources; i++)
        ws_free(p->sources[i].path);
    ws_free(p->sources);
    ws_free(p);
}

const char *ws_pack_strdup(struct ws_pack *p, const char *s, size_t n)
{
    /* reuse the last string when equal: origins repeat the same file name */
    if (p->n_strings && strlen(p->strings[p->n_strings - 1]) == n &&
        memcmp(p->strings[p->n_strings - 1], s, n) == 0)
        return p->strings[p->n_strings - 1];
    if (WS_GROW(p->strings, p->cap_strings, p->n_strings + 1) != 0)
        return NULL;
    char *d = ws_memdup0(s, n);
    if (!d)
        return NULL;
    p->strings[p->n_strings++] = d;
    return d;
}

uint32_t ws_pack_origin(struct ws_pack *p, const char *file, uint64_t line, const char *text,
                        size_t text_len)
{
    if (p->n_origins >= UINT32_MAX - 1)
        return UINT32_MAX;
    if (WS_GROW(p->origins, p->cap_origins, p->n_origins + 1) != 0)
        return UINT32_MAX;
    const char *f = ws_pack_strdup(p, file, strlen(file));
    const char *t = f ? ws_pack_strdup(p, text, text_len) : NULL;
    if (!t)
        return UINT32_MAX;
    p->origins[p->n_origins] = (struct ws_ioc_origin){f, line, t, p->current_pack};
    return (uint32_t)p->n_origins++;
}

ws_status ws_pack_note_source(struct ws_pack *p, const char *path, const char *kind, size_t entries,
                              int failed)
{
    if (WS_GROW(p->sources, p->cap_sources, p->n_sources + 1) != 0)
        return WS_E_NOMEM;
    char *d = ws_strdup(path);
    if (!d)
        return WS_E_NOMEM;
    p->sources[p->n_sources++] = (struct ws_pack_source){d, kind, entries, failed};
    return WS_OK;
}

void ws_pack_emit_error(ws_emit_fn emit, void *user, const char *file, uint64_t line,
                        ws_status code, const char *fmt, ...)
{
    if (!emit)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct ws_finding f;
    ws_finding_init(&f, WS_FINDING_ERROR);
    f.ruleset = "pack";
    f.source = "pack";
    f.path = file;
    f.path_len = file ? strlen(file) : 0;
    f.error_code = code;
    char full[1200];
    if (line)
        snprintf(full, sizeof full, "line %llu: %s", (unsigned long long)line, msg);
    else
        snprintf(full, sizeof full, "%s", msg);
    f.message = full;
    struct ws_kv ev[1] = {{.key = "pack.line", .type = WS_KV_INT, .num = (int64_t)line}};
    f.evidence = ev;
    f.n_evidence = line ? 1 : 0;
    emit(user, &f);
}

/* ---------------------------------------------------------------------------
 * Plain line lists
 * ------------------------------------------------------------------------- */

ws_status ws_ioc_lines_load(struct ws_pack *p, struct ws_line_list *l, const char *file,
                            const char *data, size_t len, size_t *added)
{
    struct ws_lines it;
    const char *line;
    size_t n, count = 0;
    char src[1024];
    size_t src_len = 0;
    ws_lines_init(&it, data, len);
    while (ws_lines_next(&it, &line, &n)) {
        ws_trim(&line, &n);
        /* a "# Source: ..." header cites the source of the entries below it */
        if (n > 10 && strncasecmp(line, "# Source:", 9) == 0) {
            int w = snprintf(src, sizeof src, "[source: %.*s]", (int)(n - 10), line + 10);
            src_len = w > 0 && (size_t)w < sizeof src ? (size_t)w : 0;
            continue;
        }
        if (n == 0 || line[0] == '#' || n > WS_MAX_IOC_LINE)
            continue;
        if (WS_GROW(l->v, l->cap, l->n + 1) != 0)
            return WS_E_NOMEM;
        size_t ocap = l->cap;
        uint32_t *no = ws_realloc(l->origin, ocap * sizeof *l->origin);
        if (!no)
            return WS_E_NOMEM;
        l->origin = no;
        char *d = ws_memdup0(line, n);
        int cites = memmem(line, n, "[source: ", 9) != NULL;
        uint32_t o = ws_pack_origin(p, file, it.lineno, cites ? line : src, cites ? n : src_len);
        if (!d || o == UINT32_MAX) {
            ws_free(d);
            return WS_E_NOMEM;
        }
        l->v[l->n] = d;
        l->origin[l->n] = o;
        l->n++;
        count++;
    }
    *added = count;
    return WS_OK;
}

/* Split C2 entries into IPs and domains (Loki c2-iocs mixes them). */
static ws_status load_c2(struct ws_pack *p, const char *file, const char *data, size_t len,
                         size_t *added)
{
    struct ws_line_list tmp = {0};
    ws_status st = ws_ioc_lines_load(p, &tmp, file, data, len, added);
    for (size_t i = 0; i < tmp.n && st == WS_OK; i++) {
        const char *v = tmp.v[i];
        /* Loki c2 lines may carry ";score": keep the indicator only */
        char *semi = strchr(tmp.v[i], ';');
        if (semi)
            *semi = '\0';
        int ip = strspn(v, "0123456789.:/abcdefABCDEF") == strlen(v) && strchr(v, '.') != NULL &&
                 strspn(v, "0123456789./") == strlen(v);
        ip |= strchr(v, ':') != NULL && strspn(v, "0123456789abcdefABCDEF:./") == strlen(v);
        struct ws_line_list *l = ip ? &p->c2_ips : &p->c2_domains;
        if (WS_GROW(l->v, l->cap, l->n + 1) != 0) {
            st = WS_E_NOMEM;
            break;
        }
        uint32_t *no = ws_realloc(l->origin, l->cap * sizeof *l->origin);
        if (!no) {
            st = WS_E_NOMEM;
            break;
        }
        l->origin = no;
        l->v[l->n] = tmp.v[i];
        l->origin[l->n] = tmp.origin[i];
        tmp.v[i] = NULL;
        l->n++;
    }
    release_list(&tmp);
    return st;
}

/* ---------------------------------------------------------------------------
 * Type detection and loading of one buffer
 * ------------------------------------------------------------------------- */

enum ftype {
    FT_UNKNOWN,
    FT_YARA,
    FT_YARA_COMPILED,
    FT_HASH,
    FT_FILENAME,
    FT_C2,
    FT_C2_URLS,
    FT_SERVICES,
    FT_NET,
    FT_RECON,
    FT_VARIANT,
    FT_EVENT_RULES,
};

static const char *ftype_name(enum ftype t)
{
    static const char *const names[] = {
        "unknown", "yara",     "yara-compiled", "hash",           "filename",        "c2",
        "c2-urls", "services", "net-patterns",  "recon-commands", "variant-digests", "event-rules"};
    return names[t];
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static enum ftype sniff(const char *name, const char *data, size_t len)
{
    const char *b = base_name(name);
    if (len >= 4 && memcmp(data, "YARA", 4) == 0)
        return FT_YARA_COMPILED;
    if (ws_variant_is_digest_file(data, len))
        return FT_VARIANT;
    if (has_ext(b, ".yar") || has_ext(b, ".yara") || has_ext(b, ".rule") || has_ext(b, ".rules"))
        return FT_YARA;
    if (has_ext(b, ".yarc"))
        return FT_YARA_COMPILED;
    if (strcasestr(b, "event-rules"))
        return FT_EVENT_RULES;
    if (strcasestr(b, "c2-urls"))
        return FT_C2_URLS;
    if (strcasestr(b, "services"))
        return FT_SERVICES;
    if (strcasestr(b, "net-patterns"))
        return FT_NET;
    if (strcasestr(b, "recon-commands"))
        return FT_RECON;
    if (strcasestr(b, "filename"))
        return FT_FILENAME;
    if (strcasestr(b, "hash"))
        return FT_HASH;
    /* signature-base/THOR tag "c2" as a word: c2-iocs.txt, otx-c2-iocs.txt */
    for (const char *q = b; (q = strcasestr(q, "c2")) != NULL; q += 2) {
        char before = q == b ? '-' : q[-1], after = q[2];
        if (!((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z')) &&
            !((after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z') ||
              (after >= '0' && after <= '9')))
            return FT_C2;
    }
    /* by content: the first data line */
    struct ws_lines it;
    const char *line;
    size_t n;
    ws_lines_init(&it, data, len);
    while (ws_lines_next(&it, &line, &n)) {
        ws_trim(&line, &n);
        if (n == 0 || line[0] == '#')
            continue;
        size_t h = 0;
        while (h < n && strchr("0123456789abcdefABCDEF", line[h]) && line[h])
            h++;
        if ((h == 32 || h == 40 || h == 64) &&
            (h == n || line[h] == ';' || line[h] == ' ' || line[h] == '\t'))
            return FT_HASH;
        const char *semi = memchr(line, ';', n);
        if (semi && semi + 1 < line + n && (semi[1] == '-' || (semi[1] >= '0' && semi[1] <= '9')))
            return FT_FILENAME;
        break;
    }
    return FT_UNKNOWN;
}

struct variant_err {
    ws_emit_fn emit;
    void *user;
    const char *file;
};

static void variant_error(void *user, uint64_t line, ws_status st, const char *msg)
{
    struct variant_err *e = user;
    ws_pack_emit_error(e->emit, e->user, e->file, line, st, "%s", msg);
}

/* Reference digests printed by `wormsign digest` (docs/variant-digest.md). */
static ws_status load_variants(struct ws_pack *p, const char *name, const char *data, size_t len,
                               ws_emit_fn emit, void *user, size_t *added)
{
    if (!p->variants) {
        ws_status st = ws_variant_db_new(&p->variants);
        if (st != WS_OK)
            return st;
    }
    size_t before = ws_variant_db_count(p->variants);
    struct variant_err e = {emit, user, name};
    ws_status st = ws_variant_db_parse(p->variants, data, len, name, variant_error, &e);
    *added = ws_variant_db_count(p->variants) - before;
    if (st == WS_E_TOO_LARGE) {
        ws_pack_emit_error(emit, user, name, 0, st, "too many variant references; rest not loaded");
        st = WS_OK;
    }
    return st;
}

static ws_status load_typed(struct ws_pack *p, enum ftype t, const char *name, const char *data,
                            size_t len, ws_emit_fn emit, void *user, int builtin)
{
    size_t added = 0;
    ws_status st = WS_OK;
    switch (t) {
    case FT_YARA: {
        char dir[WS_MAX_PATH];
        const char *slash = strrchr(name, '/');
        size_t dl = slash ? (size_t)(slash - name) : 0;
        if (dl >= sizeof dir)
            dl = 0;
        memcpy(dir, name, dl);
        dir[dl] = '\0';
        st = ws_pack_yara_add_source(p, name, dl ? dir : NULL, data, len, builtin);
        added = 1;
        break;
    }
    case FT_YARA_COMPILED:
        if (builtin)
            return WS_E_UNSUPPORTED;
        st = ws_pack_yara_add_compiled(p, name, emit, user);
        added = st == WS_OK;
        if (st == WS_E_YARA) {
            ws_status ns = ws_pack_note_source(p, name, ftype_name(t), 0, 1);
            return ns != WS_OK ? ns : WS_OK;
        }
        break;
    case FT_HASH:
        st = ws_ioc_hash_load(p, name, data, len, emit, user, &added);
        break;
    case FT_FILENAME:
        st = ws_ioc_name_load(p, name, data, len, emit, user, &added);
        break;
    case FT_C2:
        st = load_c2(p, name, data, len, &added);
        break;
    case FT_VARIANT:
        st = load_variants(p, name, data, len, emit, user, &added);
        break;
    case FT_C2_URLS:
        st = ws_ioc_lines_load(p, &p->c2_urls, name, data, len, &added);
        break;
    case FT_SERVICES:
        st = ws_ioc_lines_load(p, &p->services, name, data, len, &added);
        break;
    case FT_NET:
        st = ws_ioc_lines_load(p, &p->net_patterns, name, data, len, &added);
        break;
    case FT_RECON:
        st = ws_ioc_lines_load(p, &p->recon, name, data, len, &added);
        break;
    case FT_EVENT_RULES:
        st = ws_event_rules_load(p, name, data, len, emit, user, &added);
        break;
    case FT_UNKNOWN:
        return WS_E_UNSUPPORTED;
    }
    if (st != WS_OK)
        return st;
    return ws_pack_note_source(p, name, ftype_name(t), added, 0);
}

ws_status ws_pack_add_buffer(ws_pack *p, const char *name, const void *data, size_t len,
                             ws_emit_fn emit, void *user)
{
    if (p->compiled)
        return WS_E_INVALID;
    enum ftype t = sniff(name, data, len);
    if (t == FT_UNKNOWN) {
        ws_pack_emit_error(emit, user, name, 0, WS_E_UNSUPPORTED,
                           "not a pack file of a known type (YARA, hash, filename, c2 IOCs)");
        return WS_E_UNSUPPORTED;
    }
    return load_typed(p, t, name, data, len, emit, user, 0);
}

ws_status ws_pack_add_builtin(ws_pack *p, ws_emit_fn emit, void *user)
{
    ws_status st = WS_OK;
    p->current_pack = BUILTIN_LABEL;
    for (const struct ws_builtin_file *f = ws_builtin_pack_files; f->name; f++) {
        char name[256];
        snprintf(name, sizeof name, "builtin:kwampirs/%s", f->name);
        enum ftype t = sniff(f->name, (const char *)f->data, f->len);
        if (t == FT_UNKNOWN)
            continue;
        st = load_typed(p, t, name, (const char *)f->data, f->len, emit, user, 1);
        if (st != WS_OK)
            break;
    }
    p->current_pack = NULL;
    return st;
}

/* ---------------------------------------------------------------------------
 * Files and folders
 * ------------------------------------------------------------------------- */

static ws_status read_file(const char *path, struct ws_buf *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == EACCES ? WS_E_PERM : errno == ENOENT ? WS_E_NOT_FOUND : WS_E_IO;
    struct stat sb;
    ws_status st = WS_OK;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = WS_E_UNSUPPORTED;
        goto out;
    }
    if ((uint64_t)sb.st_size > WS_MAX_PACK_FILE) {
        st = WS_E_TOO_LARGE;
        goto out;
    }
    for (;;) {
        char *dst;
        WS_TRY(ws_buf_reserve(out, 65536, &dst));
        ssize_t r = read(fd, dst, 65536);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            st = WS_E_IO;
            goto out;
        }
        if (r == 0)
            break;
        out->len += (size_t)r;
        out->data[out->len] = '\0';
    }
out:
    close(fd);
    return st;
}

static ws_status add_file(struct ws_pack *p, const char *path, ws_emit_fn emit, void *user,
                          int quiet_unknown, size_t *loaded)
{
    struct ws_buf b;
    ws_buf_init(&b, WS_MAX_PACK_FILE + 1);
    ws_status st = read_file(path, &b);
    if (st != WS_OK) {
        ws_pack_emit_error(emit, user, path, 0, st, "cannot read pack file: %s", ws_status_str(st));
        ws_buf_release(&b);
        return st;
    }
    enum ftype t = sniff(path, b.data, b.len);
    if (t == FT_UNKNOWN) {
        if (!quiet_unknown)
            ws_pack_emit_error(emit, user, path, 0, WS_E_UNSUPPORTED,
                               "not a pack file of a known type (YARA, hash, filename, c2 IOCs)");
        else if (emit) {
            struct ws_finding f;
            ws_finding_init(&f, WS_FINDING_SKIP);
            f.ruleset = "pack";
            f.source = "pack";
            f.path = path;
            f.path_len = strlen(path);
            f.error_code = WS_E_UNSUPPORTED;
            f.message = "file in pack folder is not a pack file; ignored";
            emit(user, &f);
        }
        ws_buf_release(&b);
        return WS_E_UNSUPPORTED;
    }
    st = load_typed(p, t, path, b.data, b.len, emit, user, 0);
    ws_buf_release(&b);
    if (st == WS_OK)
        (*loaded)++;
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk a folder (sorted, so loading order is stable), depth-capped. */
static ws_status add_dir(struct ws_pack *p, const char *dir, ws_emit_fn emit, void *user, int depth,
                         size_t *loaded, size_t *seen)
{
    if (depth > 32)
        return WS_OK;
    DIR *d = opendir(dir);
    if (!d) {
        ws_pack_emit_error(emit, user, dir, 0, WS_E_IO, "cannot open pack folder");
        return WS_E_IO;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    ws_status st = WS_OK;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ., .., .git, hidden files */
        if (WS_GROW(names, cap, n + 1) != 0 || !(names[n] = ws_strdup(e->d_name))) {
            st = WS_E_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && st == WS_OK; i++) {
        if (++*seen > WS_MAX_PACK_FILES) {
            ws_pack_emit_error(emit, user, dir, 0, WS_E_TOO_LARGE,
                               "pack folder holds more than %u files; rest not loaded",
                               WS_MAX_PACK_FILES);
            break;
        }
        char path[WS_MAX_PATH];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path)
            continue;
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            st = add_dir(p, path, emit, user, depth + 1, loaded, seen);
        else if (S_ISREG(sb.st_mode)) {
            ws_status fs = add_file(p, path, emit, user, 1, loaded);
            if (fs == WS_E_NOMEM)
                st = fs;
        }
    }
    for (size_t i = 0; i < n; i++)
        ws_free(names[i]);
    ws_free(names);
    return st;
}

ws_status ws_pack_add_path(ws_pack *p, const char *path, ws_emit_fn emit, void *user)
{
    if (p->compiled)
        return WS_E_INVALID;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        ws_pack_emit_error(emit, user, path, 0, WS_E_NOT_FOUND, "pack not found");
        return WS_E_NOT_FOUND;
    }
    p->current_pack = ws_pack_strdup(p, path, strlen(path));
    if (!p->current_pack)
        return WS_E_NOMEM;
    size_t loaded = 0, seen = 0;
    ws_status st;
    if (S_ISDIR(sb.st_mode)) {
        char sub[WS_MAX_PATH];
        struct stat s2;
        int sigbase = 0;
        const char *const parts[] = {"yara", "iocs"};
        st = WS_OK;
        for (size_t i = 0; i < 2 && st == WS_OK; i++) {
            snprintf(sub, sizeof sub, "%s/%s", path, parts[i]);
            if (stat(sub, &s2) == 0 && S_ISDIR(s2.st_mode)) {
                sigbase = 1;
                st = add_dir(p, sub, emit, user, 0, &loaded, &seen);
            }
        }
        if (!sigbase)
            st = add_dir(p, path, emit, user, 0, &loaded, &seen);
    } else {
        st = add_file(p, path, emit, user, 0, &loaded);
    }
    p->current_pack = NULL;
    if (st == WS_E_NOMEM)
        return st;
    return loaded ? WS_OK : (st != WS_OK ? st : WS_E_NOT_FOUND);
}

ws_status ws_pack_compile(ws_pack *p, ws_emit_fn emit, void *user)
{
    if (p->compiled)
        return WS_E_INVALID;
    ws_status st = ws_pack_yara_compile(p, emit, user);
    if (st == WS_OK)
        st = ws_ioc_name_compile(p);
    if (st == WS_OK && p->variants)
        st = ws_variant_db_finish(p->variants);
    if (st == WS_OK) {
        ws_ioc_hash_sort(p);
        p->compiled = 1;
    }
    return st;
}

/* ---------------------------------------------------------------------------
 * Statistics and description
 * ------------------------------------------------------------------------- */

void ws_pack_get_stats(const ws_pack *p, struct ws_pack_stats *s)
{
    memset(s, 0, sizeof *s);
    s->md5 = p->hashes[WS_HASH_MD5].n;
    s->sha1 = p->hashes[WS_HASH_SHA1].n;
    s->sha256 = p->hashes[WS_HASH_SHA256].n;
    s->name_iocs = p->n_names;
    s->yara_rules = p->yara_rules;
    s->yara_files = p->n_yara_src;
    s->yara_failed = p->yara_failed;
    for (size_t i = 0; i < p->n_sources; i++)
        if (strcmp(p->sources[i].kind, "yara-compiled") == 0 && !p->sources[i].failed)
            s->yara_files++;
    s->c2_domains = p->c2_domains.n;
    s->c2_ips = p->c2_ips.n;
    s->c2_urls = p->c2_urls.n;
    s->net_patterns = p->net_patterns.n;
    s->services = p->services.n;
    s->recon_commands = p->recon.n;
    s->sources = p->n_sources;
    s->variant_refs = p->variants ? ws_variant_db_count(p->variants) : 0;
}

/* Pull "[source: ...]" citations out of a description. */
static size_t citation(const char *text, const char **out)
{
    const char *s = strstr(text, "[source: ");
    if (!s)
        return 0;
    s += 9;
    const char *e = strrchr(s, ']');
    if (!e)
        return 0;
    *out = s;
    return (size_t)(e - s);
}

ws_status ws_pack_describe(const ws_pack *p, FILE *out, int verbose)
{
    struct ws_pack_stats s;
    ws_pack_get_stats(p, &s);
    fprintf(out, "Pack files (%zu):\n", p->n_sources);
    for (size_t i = 0; i < p->n_sources; i++)
        fprintf(out, "  %-15s %6zu  %s%s\n", p->sources[i].kind, p->sources[i].entries,
                p->sources[i].path, p->sources[i].failed ? "  [FAILED: see errors]" : "");
    fprintf(out,
            "\nTotals:\n"
            "  hash IOCs        %zu (MD5 %zu, SHA-1 %zu, SHA-256 %zu)\n"
            "  file-name IOCs   %zu\n"
            "  YARA rules       %zu (from %zu files, %zu failed to compile)\n"
            "  C2 domains       %zu\n"
            "  C2 IPs           %zu\n"
            "  C2 URLs          %zu\n"
            "  network patterns %zu\n"
            "  service IOCs     %zu\n"
            "  recon commands   %zu\n"
            "  variant refs     %zu\n",
            s.md5 + s.sha1 + s.sha256, s.md5, s.sha1, s.sha256, s.name_iocs, s.yara_rules,
            s.yara_files, s.yara_failed, s.c2_domains, s.c2_ips, s.c2_urls, s.net_patterns,
            s.services, s.recon_commands, s.variant_refs);
    if (p->n_yara) {
        fprintf(out, "\nYARA rules:\n");
        for (size_t i = 0; i < p->n_yara; i++) {
            if (p->yara_pf && p->yara_pf[i])
                fprintf(out, "  (rule set %zu: files are prefiltered by %zu literal windows)\n", i,
                        p->yara_pf[i]->n);
            YR_RULE *rule;
            yr_rules_foreach(p->yara[i], rule)
            {
                const char *ref = "";
                int score = -1;
                YR_META *meta;
                yr_rule_metas_foreach(rule, meta)
                {
                    if (strcmp(meta->identifier, "reference") == 0 &&
                        meta->type == META_TYPE_STRING)
                        ref = meta->string;
                    if (strcmp(meta->identifier, "score") == 0 && meta->type == META_TYPE_INTEGER)
                        score = (int)meta->integer;
                }
                fprintf(out, "  %s:%s", rule->ns->name, rule->identifier);
                if (score >= 0)
                    fprintf(out, " (score %d)", score);
                if (verbose && *ref)
                    fprintf(out, "\n      source: %s", ref);
                fputc('\n', out);
            }
        }
    }
    /* distinct citations of the IOC entries, with how many entries cite each */
    fprintf(out, "\nSources cited by IOC entries:\n");
    size_t shown = 0;
    for (size_t i = 0; i < p->n_origins; i++) {
        const char *c;
        size_t cl = citation(p->origins[i].text, &c);
        if (!cl)
            continue;
        int dup = 0;
        for (size_t k = 0; k < i && !dup; k++) {
            const char *c2;
            size_t l2 = citation(p->origins[k].text, &c2);
            dup = l2 == cl && memcmp(c, c2, cl) == 0;
        }
        if (dup)
            continue;
        size_t count = 0;
        for (size_t k = i; k < p->n_origins; k++) {
            const char *c2;
            size_t l2 = citation(p->origins[k].text, &c2);
            count += l2 == cl && memcmp(c, c2, cl) == 0;
        }
        fprintf(out, "  %4zu x %.*s\n", count, (int)cl, c);
        shown++;
    }
    if (!shown)
        fprintf(out, "  (none)\n");
    if (verbose) {
        fprintf(out, "\nFile-name IOCs:\n");
        for (size_t i = 0; i < p->n_names; i++)
            fprintf(out, "  [%d] %s\n", p->names[i].score, p->names[i].pattern);
        fprintf(out, "\nHash IOCs:\n");
        for (int t = 0; t < WS_HASH_TYPES; t++)
            for (size_t i = 0; i < p->hashes[t].n; i++) {
                char hex[65];
                size_t dl = t == WS_HASH_MD5 ? 16 : t == WS_HASH_SHA1 ? 20 : 32;
                for (size_t k = 0; k < dl; k++)
                    snprintf(hex + 2 * k, 3, "%02x", p->hashes[t].v[i].digest[k]);
                fprintf(out, "  %s  %s\n", hex, p->origins[p->hashes[t].v[i].origin].text);
            }
    }
    return ferror(out) ? WS_E_IO : WS_OK;
}
