/*
 * filescan.c - the one-pass per-file pipeline.
 *
 * For each file:
 *   1. match the path against the file-name IOCs (no read needed);
 *   2. read the file once, in chunks, into the worker's buffer; each chunk is
 *      fed to the digests the pack needs while it is still in cache; a file
 *      larger than max_scan_size is streamed through a 1 MiB window instead
 *      (hashed, name-checked, not given to YARA: a SKIP finding says so);
 *   3. look the digests up in the hash IOC sets (binary search);
 *   4. run every YARA rule set over the same buffer, with Loki's externals;
 *   5. before the first finding of a file, complete its digests from the
 *      buffer, so every alert carries MD5, SHA-1 and SHA-256.
 * The file is never mapped, so a file that shrinks while read cannot raise
 * SIGBUS; size and mtime are compared before and after and a change gives an
 * error finding (the detections on what was read still stand).
 */
#include "core/compat.h"

#include <pwd.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "core/text.h"
#include "core/throttle.h"
#include "file/filescan.h"
#include "file/filetype.h"
#include "pack/ioc_name.h"
#include "pack/pack_impl.h"

/* Name IOC hits kept per file before emitting (Loki sums their scores). */
#define MAX_NAME_HITS 32
/* Default YARA time budget per file (seconds); a pathological rule/file pair
 * must not stall a sweep. */
#define DEFAULT_YARA_TIMEOUT 60

struct ws_filescan {
    const struct ws_pack *pack;
    struct ws_filescan_opts o;
    YR_SCANNER **yr;
    size_t n_yr;
    EVP_MD_CTX *md[WS_HASH_TYPES];
    const EVP_MD *type[WS_HASH_TYPES];
    unsigned need;     /* bit per hash type every file needs */
    unsigned need_exe; /* ... and those only PE files ("MZ") need */
    struct ws_name_matcher names;
    ws_variant_matcher *variant; /* NULL when the packs hold no reference digests */
    uint8_t *buf;
    size_t cap;
    /* the file being scanned */
    const char *path;
    size_t path_len;
    const uint8_t *data; /* whole file in memory, or NULL when streamed */
    size_t len;
    uint64_t size;
    int64_t mtime;
    unsigned have; /* digests computed */
    char hex[WS_HASH_TYPES][65];
    const struct ws_name_ioc *name_hits[MAX_NAME_HITS];
    size_t n_name_hits;
    int is_mz;   /* the file starts with "MZ" */
    int deleted; /* recovered from a disk image (WS_STAT_DELETED) */
    uint32_t owner_uid;
    char owner[64];
    int owner_valid;
    /* counters */
    uint64_t files, bytes, too_large;
};

static const size_t digest_len[WS_HASH_TYPES] = {16, 20, 32};

ws_status ws_filescan_new(const struct ws_pack *pack, const struct ws_filescan_opts *o,
                          struct ws_filescan **out)
{
    ws_status st = WS_OK;
    struct ws_filescan *fs = ws_calloc(1, sizeof *fs);
    if (!fs)
        return WS_E_NOMEM;
    fs->pack = pack;
    fs->o = *o;
    if (!fs->o.max_scan_size)
        fs->o.max_scan_size = WS_DEFAULT_MAX_SCAN_SIZE;
    if (!fs->o.yara_timeout)
        fs->o.yara_timeout = DEFAULT_YARA_TIMEOUT;
    fs->type[WS_HASH_MD5] = EVP_md5();
    fs->type[WS_HASH_SHA1] = EVP_sha1();
    fs->type[WS_HASH_SHA256] = EVP_sha256();
    for (int t = 0; t < WS_HASH_TYPES; t++) {
        fs->md[t] = EVP_MD_CTX_new();
        if (!fs->md[t]) {
            st = WS_E_NOMEM;
            goto out;
        }
    }
    fs->need = pack->hash_need_any;
    fs->need_exe = pack->hash_need_exe;
    if (pack->yara_uses_md5 && pack->n_yara)
        fs->need |= 1u << WS_HASH_MD5;
    if (pack->variants && ws_variant_db_count(pack->variants)) {
        st = ws_variant_matcher_new(pack->variants, o->variant, &fs->variant);
        if (st != WS_OK)
            goto out;
    }
    ws_name_matcher_init(&fs->names);
    if (!fs->names.md) {
        st = WS_E_NOMEM;
        goto out;
    }
    if (pack->n_yara) {
        fs->yr = ws_calloc(pack->n_yara, sizeof *fs->yr);
        if (!fs->yr) {
            st = WS_E_NOMEM;
            goto out;
        }
        for (size_t i = 0; i < pack->n_yara; i++) {
            if (yr_scanner_create(pack->yara[i], &fs->yr[i]) != ERROR_SUCCESS) {
                st = WS_E_NOMEM;
                goto out;
            }
            fs->n_yr++;
            yr_scanner_set_timeout(fs->yr[i], (int)fs->o.yara_timeout);
            yr_scanner_set_flags(fs->yr[i], SCAN_FLAGS_REPORT_RULES_MATCHING);
        }
    }
    fs->cap = WS_STREAM_CHUNK;
    fs->buf = ws_malloc(fs->cap);
    if (!fs->buf)
        st = WS_E_NOMEM;
out:
    if (st != WS_OK) {
        ws_filescan_free(fs);
        return st;
    }
    *out = fs;
    return WS_OK;
}

void ws_filescan_free(struct ws_filescan *fs)
{
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n_yr; i++)
        yr_scanner_destroy(fs->yr[i]);
    ws_free(fs->yr);
    for (int t = 0; t < WS_HASH_TYPES; t++)
        EVP_MD_CTX_free(fs->md[t]);
    ws_name_matcher_release(&fs->names);
    ws_variant_matcher_free(fs->variant);
    ws_free(fs->buf);
    ws_free(fs);
}

void ws_filescan_counts(const struct ws_filescan *fs, uint64_t *files, uint64_t *bytes,
                        uint64_t *too_large)
{
    *files = fs->files;
    *bytes = fs->bytes;
    *too_large = fs->too_large;
}

/* ---------------------------------------------------------------------------
 * Digests
 * ------------------------------------------------------------------------- */

static void digests_begin(struct ws_filescan *fs, unsigned which)
{
    for (int t = 0; t < WS_HASH_TYPES; t++)
        if (which & (1u << t))
            EVP_DigestInit_ex(fs->md[t], fs->type[t], NULL);
}

static void digests_update(struct ws_filescan *fs, unsigned which, const void *p, size_t n)
{
    for (int t = 0; t < WS_HASH_TYPES; t++)
        if (which & (1u << t))
            EVP_DigestUpdate(fs->md[t], p, n);
}

static void digests_end(struct ws_filescan *fs, unsigned which)
{
    for (int t = 0; t < WS_HASH_TYPES; t++) {
        if (!(which & (1u << t)))
            continue;
        uint8_t d[EVP_MAX_MD_SIZE];
        unsigned dl = 0;
        EVP_DigestFinal_ex(fs->md[t], d, &dl);
        ws_hex_encode(d, digest_len[t], fs->hex[t]);
        fs->have |= 1u << t;
    }
}

/* Before the first finding: fill in the digests not yet computed, when the
 * whole file is in memory. */
static void complete_digests(struct ws_filescan *fs)
{
    unsigned missing = ((1u << WS_HASH_TYPES) - 1) & ~fs->have;
    if (!missing || !fs->data)
        return;
    digests_begin(fs, missing);
    digests_update(fs, missing, fs->data, fs->len);
    digests_end(fs, missing);
}

static void finding_base(struct ws_filescan *fs, struct ws_finding *f, enum ws_finding_kind k)
{
    ws_finding_init(f, k);
    f->source = "file";
    f->path = fs->path;
    f->path_len = fs->path_len;
    f->has_size = 1;
    f->size = fs->size;
    f->mtime = fs->mtime;
    if (k == WS_FINDING_ALERT)
        complete_digests(fs);
    f->md5 = (fs->have & 1u) ? fs->hex[WS_HASH_MD5] : NULL;
    f->sha1 = (fs->have & 2u) ? fs->hex[WS_HASH_SHA1] : NULL;
    f->sha256 = (fs->have & 4u) ? fs->hex[WS_HASH_SHA256] : NULL;
    if (fs->deleted) {
        /* a deleted file from a disk image: said in a field every record of
         * the file carries, and in the message of its alerts */
        static const struct ws_kv deleted_field = {
            .key = "wormsign.file.deleted", .type = WS_KV_BOOL, .num = 1};
        f->fields = &deleted_field;
        f->n_fields = 1;
        if (k == WS_FINDING_ALERT)
            f->message = "deleted file recovered from a disk image (its clusters may have "
                         "been reused)";
    }
}

static void emit_status(struct ws_filescan *fs, enum ws_finding_kind k, ws_status code,
                        const char *msg)
{
    struct ws_finding f;
    finding_base(fs, &f, k);
    f.ruleset = "scan";
    f.error_code = code;
    f.message = msg;
    fs->o.emit(fs->o.emit_user, &f);
}

/* Split "text [source: ref]" into name and reference. */
static void split_desc(const char *text, char *name, size_t nn, const char **ref, size_t *rl)
{
    const char *s = strstr(text, " [source: ");
    size_t l = s ? (size_t)(s - text) : strlen(text);
    if (l >= nn)
        l = nn - 1;
    memcpy(name, text, l);
    name[l] = '\0';
    *ref = NULL;
    *rl = 0;
    if (s) {
        const char *r = s + 10;
        const char *e = strrchr(r, ']');
        *ref = r;
        *rl = e ? (size_t)(e - r) : strlen(r);
    }
}

static int clamp_score(int s)
{
    return s < 0 ? 0 : s > 100 ? 100 : s;
}

/* ---------------------------------------------------------------------------
 * Hash and name detectors
 * ------------------------------------------------------------------------- */

/* One IOC alert: name and reference from the IOC's description, "text
 * [source: ref]"; ioc_text is the IOC as written (NULL: the description). */
static void emit_ioc(struct ws_filescan *fs, const char *ruleset, const char *id,
                     const char *description, uint32_t origin, int score, const char *ioc_text,
                     const struct ws_kv *ev, size_t n_ev)
{
    const struct ws_ioc_origin *o = &fs->pack->origins[origin];
    char name[512], ref[512];
    const char *r;
    size_t rl;
    split_desc(o->text, name, sizeof name, &r, &rl);
    snprintf(ref, sizeof ref, "%.*s", (int)rl, r ? r : "");
    struct ws_finding f;
    finding_base(fs, &f, WS_FINDING_ALERT);
    f.ruleset = ruleset;
    f.rule_id = id;
    f.rule_name = name[0] ? name : (ioc_text ? ioc_text : id);
    f.description = description;
    f.reference = rl ? ref : NULL;
    f.pack = o->pack;
    f.severity = clamp_score(score);
    f.ioc_file = o->file;
    f.ioc_line = o->line;
    f.ioc_text = ioc_text ? ioc_text : o->text;
    f.evidence = ev;
    f.n_evidence = n_ev;
    fs->o.emit(fs->o.emit_user, &f);
}

static void check_hashes(struct ws_filescan *fs)
{
    static const char *const label[] = {"md5", "sha1", "sha256"};
    for (int t = 0; t < WS_HASH_TYPES; t++) {
        if (!(fs->have & (1u << t)) || !fs->pack->hashes[t].n)
            continue;
        uint8_t d[32];
        if (ws_hex_decode(fs->hex[t], digest_len[t], d) != WS_OK)
            continue;
        const struct ws_hash_ioc *h = ws_pack_hash_lookup(fs->pack, (enum ws_hash_type)t, d);
        if (!h || h->score <= 0 || (h->exe_only && !fs->is_mz))
            continue;
        char id[96];
        snprintf(id, sizeof id, "hash.%s.%s", label[t], fs->hex[t]);
        struct ws_kv ev[1] = {
            {.key = "hash.type", .type = WS_KV_STR, .val = label[t], .len = strlen(label[t])}};
        emit_ioc(fs, "hash", id, "file hash equals a published indicator", h->origin, h->score,
                 NULL, ev, 1);
    }
}

static int on_name_hit(void *user, const struct ws_name_ioc *ioc)
{
    struct ws_filescan *fs = user;
    if (fs->n_name_hits < MAX_NAME_HITS)
        fs->name_hits[fs->n_name_hits++] = ioc;
    return 0;
}

static void emit_name_hits(struct ws_filescan *fs)
{
    int total = 0;
    for (size_t i = 0; i < fs->n_name_hits; i++)
        total += fs->name_hits[i]->score;
    if (total <= 0)
        return; /* negative entries (Loki's whitelisting) outweigh the rest */
    for (size_t i = 0; i < fs->n_name_hits; i++) {
        const struct ws_name_ioc *ioc = fs->name_hits[i];
        if (ioc->score <= 0)
            continue;
        char id[64];
        snprintf(id, sizeof id, "name.%u", (unsigned)ioc->origin);
        emit_ioc(fs, "name", id, "file name or path matches an indicator", ioc->origin, ioc->score,
                 ioc->pattern, NULL, 0);
    }
}

/* ---------------------------------------------------------------------------
 * YARA
 * ------------------------------------------------------------------------- */

struct yara_cb {
    struct ws_filescan *fs;
};

static int yara_callback(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    struct yara_cb *cb = user;
    struct ws_filescan *fs = cb->fs;
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    YR_RULE *rule = data;
    const char *desc = NULL, *ref = NULL, *author = NULL;
    int score = 70; /* Loki's default for a YARA match without a score */
    YR_META *meta;
    yr_rule_metas_foreach(rule, meta)
    {
        if (meta->type == META_TYPE_STRING) {
            if (strcmp(meta->identifier, "description") == 0)
                desc = meta->string;
            else if (strcmp(meta->identifier, "reference") == 0)
                ref = meta->string;
            else if (strcmp(meta->identifier, "author") == 0)
                author = meta->string;
            else if (strcmp(meta->identifier, "score") == 0) {
                const char *sp = meta->string;
                uint64_t v;
                if (ws_parse_u64(&sp, sp + strlen(sp), 1000, &v) == WS_OK)
                    score = (int)v;
            }
        } else if (meta->type == META_TYPE_INTEGER && strcmp(meta->identifier, "score") == 0) {
            score = (int)meta->integer;
        }
    }
    struct ws_match m[WS_MAX_REPORTED_MATCHES];
    size_t nm = 0;
    YR_STRING *string;
    yr_rule_strings_foreach(rule, string)
    {
        /* libyara 4.2 keeps matches in a notebook that does not align them
         * (fixed upstream in 4.3), so each YR_MATCH is copied out with memcpy
         * instead of dereferenced in place, which UBSan rightly rejects. */
        const YR_MATCH *mp = ctx->matches[string->idx].head;
        while (mp && nm < WS_MAX_REPORTED_MATCHES) {
            YR_MATCH match;
            memcpy(&match, mp, sizeof match);
            if (!match.is_private) {
                size_t dl = (size_t)match.data_length;
                m[nm].ident = string->identifier;
                m[nm].offset = (uint64_t)(match.base + match.offset);
                m[nm].data = match.data;
                m[nm].len = dl < WS_MAX_MATCH_BYTES ? dl : WS_MAX_MATCH_BYTES;
                m[nm].match_len = (size_t)match.match_length;
                nm++;
            }
            mp = match.next;
        }
    }
    char id[512];
    snprintf(id, sizeof id, "%s:%s", rule->ns->name, rule->identifier);
    struct ws_finding f;
    finding_base(fs, &f, WS_FINDING_ALERT);
    f.ruleset = "yara";
    f.rule_id = id;
    f.rule_name = rule->identifier;
    f.description = desc;
    f.reference = ref;
    f.pack = strcmp(rule->ns->name, "kwampirs") == 0 ? "kwampirs (built-in)" : rule->ns->name;
    f.severity = clamp_score(score);
    f.matches = m;
    f.n_matches = nm;
    struct ws_kv ev[2];
    size_t ne = 0;
    if (author)
        ev[ne++] = (struct ws_kv){.key = "yara.author", .val = author, .len = strlen(author)};
    ev[ne++] = (struct ws_kv){
        .key = "yara.namespace", .val = rule->ns->name, .len = strlen(rule->ns->name)};
    f.evidence = ev;
    f.n_evidence = ne;
    fs->o.emit(fs->o.emit_user, &f);
    return CALLBACK_CONTINUE;
}

static const char *owner_name(struct ws_filescan *fs, uint32_t uid)
{
    if (fs->owner_valid && fs->owner_uid == uid)
        return fs->owner;
    struct passwd pw, *res = NULL;
    char pwbuf[1024];
    if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof pwbuf, &res) == 0 && res)
        snprintf(fs->owner, sizeof fs->owner, "%s", res->pw_name);
    else
        snprintf(fs->owner, sizeof fs->owner, "%u", uid);
    fs->owner_uid = uid;
    fs->owner_valid = 1;
    return fs->owner;
}

static void run_yara(struct ws_filescan *fs, uint32_t uid)
{
    if (!fs->n_yr)
        return;
    /* Loki's externals: filename, filepath (the folder), extension (lower
     * case, with the dot), filetype (from magic), owner, md5 */
    char name[1024], dir[WS_MAX_PATH], ext[64];
    size_t b = ws_path_base_off(fs->path, fs->path_len);
    snprintf(name, sizeof name, "%.*s", (int)(fs->path_len - b), fs->path + b);
    snprintf(dir, sizeof dir, "%.*s", (int)(b ? b - 1 : 0), fs->path);
    const char *dot = strrchr(name, '.');
    size_t el = 0;
    if (dot && dot != name)
        for (; dot[el] && el + 1 < sizeof ext; el++)
            ext[el] = (char)((dot[el] >= 'A' && dot[el] <= 'Z') ? dot[el] + 32 : dot[el]);
    ext[el] = '\0';
    const char *ftype = ws_filetype_of(fs->data, fs->len);
    const char *owner = owner_name(fs, uid);
    for (size_t i = 0; i < fs->n_yr; i++) {
        const struct ws_prefilter *pf = fs->pack->yara_pf[i];
        if (pf && !ws_prefilter_may_match(pf, fs->data, fs->len))
            continue; /* no rule of this set can match these bytes */
        YR_SCANNER *sc = fs->yr[i];
        yr_scanner_define_string_variable(sc, "filename", name);
        yr_scanner_define_string_variable(sc, "filepath", dir);
        yr_scanner_define_string_variable(sc, "extension", ext);
        yr_scanner_define_string_variable(sc, "filetype", ftype);
        yr_scanner_define_string_variable(sc, "owner", owner);
        yr_scanner_define_string_variable(sc, "md5", (fs->have & 1u) ? fs->hex[0] : "");
        struct yara_cb cb = {fs};
        yr_scanner_set_callback(sc, yara_callback, &cb);
        int rc = yr_scanner_scan_mem(sc, fs->data, fs->len);
        if (rc == ERROR_SCAN_TIMEOUT)
            emit_status(fs, WS_FINDING_ERROR, WS_E_YARA,
                        "YARA scan timed out: rules after the timeout did not run on this file");
        else if (rc != ERROR_SUCCESS) {
            char msg[96];
            snprintf(msg, sizeof msg, "YARA scan failed (libyara error %d)", rc);
            emit_status(fs, WS_FINDING_ERROR, WS_E_YARA, msg);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------- */

static void begin_file(struct ws_filescan *fs, const char *path, size_t path_len, uint64_t size,
                       int64_t mtime)
{
    fs->path = path;
    fs->path_len = path_len;
    fs->size = size;
    fs->mtime = mtime;
    fs->have = 0;
    fs->data = NULL;
    fs->len = 0;
    fs->n_name_hits = 0;
    fs->deleted = 0;
    fs->files++;
    ws_status st = ws_ioc_name_match(fs->pack, &fs->names, path, path_len, on_name_hit, fs);
    if (st != WS_OK)
        emit_status(fs, WS_FINDING_ERROR, st, "path too long for file-name IOC matching");
}

/* The variant matcher's findings get this file's complete digests. */
static int variant_emit(void *user, const struct ws_finding *f)
{
    struct ws_filescan *fs = user;
    struct ws_finding c = *f;
    complete_digests(fs);
    c.source = "file";
    c.path = fs->path;
    c.path_len = fs->path_len;
    c.has_size = 1;
    c.size = fs->size;
    c.mtime = fs->mtime;
    c.md5 = (fs->have & 1u) ? fs->hex[WS_HASH_MD5] : NULL;
    c.sha1 = (fs->have & 2u) ? fs->hex[WS_HASH_SHA1] : NULL;
    c.sha256 = (fs->have & 4u) ? fs->hex[WS_HASH_SHA256] : NULL;
    return fs->o.emit(fs->o.emit_user, &c);
}

static void detect(struct ws_filescan *fs, uint32_t uid)
{
    emit_name_hits(fs);
    check_hashes(fs);
    if (!fs->data)
        return;
    run_yara(fs, uid);
    if (fs->variant) {
        ws_status st = ws_variant_match(fs->variant, fs->data, fs->len, NULL, variant_emit, fs);
        if (st != WS_OK && st != WS_E_CANCELLED)
            emit_status(fs, WS_FINDING_ERROR, st, "variant matching failed");
    }
}

ws_status ws_filescan_buffer(struct ws_filescan *fs, const char *path, size_t path_len,
                             const uint8_t *data, size_t len, int64_t mtime, uint32_t uid)
{
    begin_file(fs, path, path_len, len, mtime);
    fs->data = data;
    fs->len = len;
    fs->bytes += len;
    fs->is_mz = len >= 2 && data[0] == 'M' && data[1] == 'Z';
    unsigned which = fs->need | (fs->is_mz ? fs->need_exe : 0);
    digests_begin(fs, which);
    digests_update(fs, which, data, len);
    digests_end(fs, which);
    detect(fs, uid);
    return WS_OK;
}

void ws_filescan_name(struct ws_filescan *fs, const char *path, size_t path_len, uint64_t size)
{
    begin_file(fs, path, path_len, size, WS_TIME_UNKNOWN);
    emit_name_hits(fs); /* no bytes: no digests, no YARA, no variants */
}

static ws_status grow_buf(struct ws_filescan *fs, size_t need)
{
    if (need <= fs->cap)
        return WS_OK;
    size_t nc = fs->cap;
    while (nc < need)
        nc = nc > SIZE_MAX / 2 ? need : nc * 2;
    uint8_t *nb = ws_realloc(fs->buf, nc);
    if (!nb)
        return WS_E_NOMEM;
    fs->buf = nb;
    fs->cap = nc;
    return WS_OK;
}

ws_status ws_filescan_file(struct ws_filescan *fs, const struct ws_source_ops *src, void *ctx,
                           void *file, const struct ws_stat *st0, const char *path, size_t path_len)
{
    ws_status st = WS_OK;
    begin_file(fs, path, path_len, st0->size, st0->mtime);
    fs->deleted = (st0->flags & WS_STAT_DELETED) != 0;
    int whole = st0->size <= fs->o.max_scan_size;
    unsigned which = 0;
    if (whole) {
        /* room for the whole file plus one byte, to notice growth */
        st = grow_buf(fs, (size_t)st0->size + 1);
        if (st != WS_OK) {
            emit_status(fs, WS_FINDING_ERROR, st, "no memory to read file");
            emit_name_hits(fs);
            return WS_OK;
        }
    }
    uint64_t total = 0;
    ws_status rs = WS_OK;
    fs->is_mz = 0;
    for (;;) {
        size_t off = whole ? (size_t)total : 0;
        size_t room = whole ? fs->cap - off : fs->cap;
        if (room == 0)
            break; /* file grew past the buffer: reported below as a change */
        size_t want = room < WS_STREAM_CHUNK ? room : WS_STREAM_CHUNK;
        size_t got = 0;
        rs = src->read(ctx, file, fs->buf + off, want, &got);
        /* charge what was read, not what was asked for: a small file read
         * into a large buffer must not cost a whole chunk of the budget */
        ws_throttle_take(fs->o.throttle, (double)got);
        if (rs != WS_OK || got == 0)
            break;
        if (total == 0) {
            /* the first bytes decide which digests this file needs */
            fs->is_mz = got >= 2 && fs->buf[off] == 'M' && fs->buf[off + 1] == 'Z';
            which = fs->need | (fs->is_mz ? fs->need_exe : 0);
            if (!whole && fs->n_name_hits)
                which = (1u << WS_HASH_TYPES) - 1; /* no buffer to complete them later */
            digests_begin(fs, which);
        }
        digests_update(fs, which, fs->buf + off, got);
        total += got;
    }
    if (total == 0) {
        which = fs->need;
        digests_begin(fs, which);
    }
    digests_end(fs, which);
    fs->bytes += total;
    if (whole) {
        fs->data = fs->buf;
        fs->len = (size_t)total;
    }
    fs->size = total;
    if (rs != WS_OK) {
        emit_status(fs, WS_FINDING_ERROR, rs,
                    "read error: detections ran on the part that could be read");
    } else {
        struct ws_stat st1;
        int changed = total != st0->size;
        if (!changed && src->fstat(ctx, file, &st1) == WS_OK)
            changed = st1.size != st0->size || st1.mtime != st0->mtime ||
                      st1.mtime_nsec != st0->mtime_nsec;
        if (changed)
            emit_status(fs, WS_FINDING_ERROR, WS_E_CHANGED,
                        "file changed while it was read: detections ran on what was read");
    }
    if (!whole) {
        fs->too_large++;
        char msg[160];
        snprintf(msg, sizeof msg,
                 "not given to YARA: %llu bytes is over --max-size %llu (hashed and "
                 "name-checked)",
                 (unsigned long long)total, (unsigned long long)fs->o.max_scan_size);
        emit_status(fs, WS_FINDING_SKIP, WS_E_TOO_LARGE, msg);
    }
    detect(fs, st0->uid);
    return WS_OK;
}
