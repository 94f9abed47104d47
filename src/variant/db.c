/*
 * db.c - the variant reference database, its indexes, and the matcher.
 *
 * Indexes (built once by ws_variant_db_finish, then read-only):
 *   - insertion: the head and tail gate keys of every W1 digest, sorted by
 *     (key, side, level). A file computes its own gate keys (P of its first
 *     and last 2^5..2^12 bytes) and looks them up: a variant of R always
 *     shares R's head or tail (docs/variant-digest.md), so the lookup finds
 *     every reference the file can be a variant of; the size window
 *     L < N <= L + max_insert and the exact check follow.
 *   - ssdeep: every 7-character window (ssdeep's common-substring rule) of
 *     both signature parts, keyed with the part's block size, sorted. A
 *     reference can score above 0 against a file only if they share one, so
 *     fuzzy_compare runs only on references the lookup returns.
 *   - TLSH: references grouped by L value (log length); a distance <= T
 *     needs |dL| <= max(1, T/12), so only those groups are scanned.
 *   - sizes of the references with ssdeep/TLSH, sorted: a file whose size is
 *     outside every reference's window [L/2, 2L + max_insert] is not
 *     fuzzy-hashed at all.
 * The matcher is per thread: option copy, a stamp array to report each
 * reference once per method, a message buffer.
 */
#include "core/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/limits.h"
#include "variant/ref.h"
#include "wormsign/variant.h"

/* ssdeep's ROLLING_WINDOW: scores need a common substring this long. */
#define SS_GRAM 7
/* Distinct PE header sizes among body digests: a file computes gate keys
 * once per distinct size (16 x 8 KiB of hashing at most). Real PEs use
 * 0x400 or 0x1000. */
#define MAX_SKIPS 16

struct ikey {
    uint64_t key;
    uint32_t tag; /* skip index + 1 (0: whole file) << 16 | side << 8 | level */
    uint32_t ref;
};

struct skey {
    uint64_t key;
    uint32_t ref;
};

struct ws_variant_db {
    struct ws_variant_ref *refs;
    size_t n, cap;
    char **origins;
    size_t norig, cap_orig;
    int finished;
    struct ikey *ins;
    size_t n_ins;
    uint32_t skips[MAX_SKIPS]; /* distinct body-digest header sizes */
    size_t n_skips;
    uint64_t *ins_sizes;
    size_t n_ins_sizes;
    struct skey *ss;
    size_t n_ss, cap_ss;
    uint64_t *fz_sizes;
    size_t n_fz;
    uint32_t *tl_refs;
    uint32_t tl_off[257];
    uint8_t *tdiff; /* [a * 256 + b] */
};

struct ws_variant_matcher {
    const ws_variant_db *db;
    struct ws_variant_opts o;
    uint32_t *stamp;
    uint32_t gen;
    uint32_t *won; /* won[ref] == file: its whole-file digest matched this file */
    uint32_t file;
    struct ws_buf msg;
};

void ws_variant_opts_init(struct ws_variant_opts *o)
{
    o->methods = WS_VARIANT_ALL;
    o->ssdeep_min_score = WS_VARIANT_DEFAULT_SSDEEP;
    o->tlsh_max_distance = WS_VARIANT_DEFAULT_TLSH;
    o->max_insert = WS_VARIANT_DEFAULT_MAX_INSERT;
    o->report_identical = 0;
}

int ws_variant_is_digest_file(const void *buf, size_t len)
{
    const char *p = buf;
    size_t hl = sizeof WS_VARIANT_HEADER - 1;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        len -= 3;
    }
    if (len < hl || memcmp(p, WS_VARIANT_HEADER, hl) != 0)
        return 0;
    return len == hl || p[hl] == '\n' || p[hl] == '\r';
}

/* ---- building ----------------------------------------------------------- */

ws_status ws_variant_db_new(ws_variant_db **out)
{
    ws_variant_db *db = ws_calloc(1, sizeof *db);
    if (!db)
        return WS_E_NOMEM;
    *out = db;
    return WS_OK;
}

void ws_variant_db_free(ws_variant_db *db)
{
    if (!db)
        return;
    for (size_t i = 0; i < db->n; i++)
        ws_variant_ref_release(&db->refs[i]);
    ws_free(db->refs);
    for (size_t i = 0; i < db->norig; i++)
        ws_free(db->origins[i]);
    ws_free(db->origins);
    ws_free(db->ins);
    ws_free(db->ins_sizes);
    ws_free(db->ss);
    ws_free(db->fz_sizes);
    ws_free(db->tl_refs);
    ws_free(db->tdiff);
    ws_free(db);
}

size_t ws_variant_db_count(const ws_variant_db *db)
{
    return db ? db->n : 0;
}

ws_status ws_variant_db_parse(ws_variant_db *db, const void *buf, size_t len, const char *origin,
                              ws_variant_error_fn errfn, void *user)
{
    ws_status st = WS_OK;
    struct ws_buf err;
    ws_buf_init(&err, 1024);
    const char *p = buf, *end = p + len;
    uint64_t lineno = 0;
    const char *org = NULL;

    if (db->finished)
        return WS_E_INVALID;
    if (WS_GROW(db->origins, db->cap_orig, db->norig + 1) != 0) {
        st = WS_E_NOMEM;
        goto out;
    }
    db->origins[db->norig] = ws_strdup(origin ? origin : "");
    if (!db->origins[db->norig]) {
        st = WS_E_NOMEM;
        goto out;
    }
    org = db->origins[db->norig++];
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    /* each pass consumes one line */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t ll = (size_t)(le - p);
        if (ll > 0 && p[ll - 1] == '\r')
            ll--;
        lineno++;
        struct ws_variant_ref r;
        ws_status ps = ws_variant_ref_parse(p, ll, &r, &err);
        p = nl ? nl + 1 : end;
        if (ps == WS_E_NOT_FOUND)
            continue;
        if (ps == WS_E_NOMEM) {
            st = ps;
            goto out;
        }
        if (ps != WS_OK) {
            if (errfn)
                errfn(user, lineno, ps, err.data);
            continue;
        }
        if (r.has_body) {
            size_t si = 0;
            while (si < db->n_skips && db->skips[si] != r.body.skip)
                si++;
            if (si == db->n_skips && db->n_skips == MAX_SKIPS) {
                r.has_body = 0;
                if (errfn)
                    errfn(user, lineno, WS_E_TOO_LARGE,
                          "field 7 (insertion): more than 16 distinct PE header sizes; "
                          "body digest ignored");
            } else if (si == db->n_skips) {
                db->skips[db->n_skips++] = r.body.skip;
            }
        }
        if (db->n >= WS_MAX_VARIANT_REFS) {
            ws_variant_ref_release(&r);
            st = WS_E_TOO_LARGE;
            goto out;
        }
        if (WS_GROW(db->refs, db->cap, db->n + 1) != 0) {
            ws_variant_ref_release(&r);
            st = WS_E_NOMEM;
            goto out;
        }
        r.line = lineno;
        r.origin = org;
        db->refs[db->n++] = r;
    }
out:
    ws_buf_release(&err);
    return st;
}

static int cmp_ikey(const void *a, const void *b)
{
    const struct ikey *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return (x->ref > y->ref) - (x->ref < y->ref);
}

static int cmp_skey(const void *a, const void *b)
{
    const struct skey *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->ref > y->ref) - (x->ref < y->ref);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ssdeep's eliminate_sequences: runs of more than 3 equal characters are cut to 3. */
static size_t normalise(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o >= 3 && s[i] == out[o - 1] && s[i] == out[o - 2] && s[i] == out[o - 3])
            continue;
        out[o++] = s[i];
    }
    return o;
}

static uint64_t gram_key(uint64_t bs, const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (bs * 0x9E3779B97F4A7C15ull) ^ n;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 29;
    return h;
}

/* Split "bs:p1:p2" into normalised parts; 0 if malformed. */
static int ss_split(const char *d, uint64_t *bs, char *p1, size_t *n1, char *p2, size_t *n2)
{
    char *e;
    unsigned long long b = strtoull(d, &e, 10);
    if (*e != ':')
        return 0;
    const char *a = e + 1;
    const char *c = strchr(a, ':');
    if (!c || (size_t)(c - a) > 64 || strlen(c + 1) > 64)
        return 0;
    *bs = b;
    *n1 = normalise(a, (size_t)(c - a), p1);
    *n2 = normalise(c + 1, strlen(c + 1), p2);
    return 1;
}

/* The gram keys of one part (the whole part if shorter than a gram) into
 * keys[64]; returns how many. */
static size_t gram_keys(uint64_t bs, const char *s, size_t n, uint64_t *keys)
{
    if (n < SS_GRAM) {
        keys[0] = gram_key(bs, s, n);
        return 1;
    }
    size_t k = 0;
    for (size_t i = 0; i + SS_GRAM <= n && k < 64; i++)
        keys[k++] = gram_key(bs, s + i, SS_GRAM);
    return k;
}

static ws_status add_skey(ws_variant_db *db, uint64_t key, uint32_t ref)
{
    if (WS_GROW(db->ss, db->cap_ss, db->n_ss + 1) != 0)
        return WS_E_NOMEM;
    db->ss[db->n_ss].key = key;
    db->ss[db->n_ss].ref = ref;
    db->n_ss++;
    return WS_OK;
}

ws_status ws_variant_db_finish(ws_variant_db *db)
{
    ws_status st = WS_OK;
    if (db->finished)
        return WS_OK;
    size_t nins = 0, nfz = 0, ntl = 0;
    for (size_t i = 0; i < db->n; i++) {
        nins += db->refs[i].has_ins;
        nfz += db->refs[i].has_tlsh || db->refs[i].ssdeep[0];
        ntl += db->refs[i].has_tlsh;
    }
    WS_ALLOC_ARRAY(db->ins, 4 * nins + 1);
    WS_ALLOC_ARRAY(db->ins_sizes, nins + 1);
    WS_ALLOC_ARRAY(db->fz_sizes, nfz + 1);
    WS_ALLOC_ARRAY(db->tl_refs, ntl + 1);
    db->tdiff = ws_malloc(256 * 256);
    if (!db->ins || !db->ins_sizes || !db->fz_sizes || !db->tl_refs || !db->tdiff)
        return WS_E_NOMEM;
    for (size_t i = 0; i < db->n; i++) {
        const struct ws_variant_ref *r = &db->refs[i];
        if (r->has_ins) {
            unsigned lvl = ws_insd_level(&r->ins);
            db->ins[db->n_ins++] = (struct ikey){r->ins.head, 0u << 8 | lvl, (uint32_t)i};
            db->ins[db->n_ins++] = (struct ikey){r->ins.tail, 1u << 8 | lvl, (uint32_t)i};
            db->ins_sizes[db->n_ins_sizes++] = r->size;
        }
        if (r->has_ins && r->has_body) {
            uint32_t si = 0;
            while (si < db->n_skips && db->skips[si] != r->body.skip)
                si++;
            if (WS_NEVER(si == db->n_skips))
                continue;
            uint32_t t = (si + 1) << 16;
            unsigned lvl = ws_insd_level(&r->body);
            db->ins[db->n_ins++] = (struct ikey){r->body.head, t | 0u << 8 | lvl, (uint32_t)i};
            db->ins[db->n_ins++] = (struct ikey){r->body.tail, t | 1u << 8 | lvl, (uint32_t)i};
        }
        if (r->has_tlsh || r->ssdeep[0])
            db->fz_sizes[db->n_fz++] = r->size;
        if (r->ssdeep[0]) {
            uint64_t bs;
            char p1[65], p2[65];
            size_t n1, n2;
            if (ss_split(r->ssdeep, &bs, p1, &n1, p2, &n2)) {
                uint64_t keys[64];
                size_t nk = gram_keys(bs, p1, n1, keys);
                for (size_t j = 0; j < nk; j++)
                    WS_TRY(add_skey(db, keys[j], (uint32_t)i));
                nk = gram_keys(2 * bs, p2, n2, keys);
                for (size_t j = 0; j < nk; j++)
                    WS_TRY(add_skey(db, keys[j], (uint32_t)i));
            }
        }
    }
    qsort(db->ins, db->n_ins, sizeof *db->ins, cmp_ikey);
    qsort(db->ins_sizes, db->n_ins_sizes, sizeof *db->ins_sizes, cmp_u64);
    qsort(db->fz_sizes, db->n_fz, sizeof *db->fz_sizes, cmp_u64);
    if (db->n_ss)
        qsort(db->ss, db->n_ss, sizeof *db->ss, cmp_skey);
    /* TLSH: counting sort by L value */
    memset(db->tl_off, 0, sizeof db->tl_off);
    for (size_t i = 0; i < db->n; i++)
        if (db->refs[i].has_tlsh)
            db->tl_off[db->refs[i].tlsh.lvalue + 1]++;
    for (int v = 0; v < 256; v++)
        db->tl_off[v + 1] += db->tl_off[v];
    {
        uint32_t fill[256];
        memcpy(fill, db->tl_off, sizeof fill);
        for (size_t i = 0; i < db->n; i++)
            if (db->refs[i].has_tlsh)
                db->tl_refs[fill[db->refs[i].tlsh.lvalue]++] = (uint32_t)i;
    }
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++)
            db->tdiff[a * 256 + b] = (uint8_t)ws_tlsh_byte_diff((uint8_t)a, (uint8_t)b);
    db->finished = 1;
out:
    return st;
}

/* ---- matching ---------------------------------------------------------- */

ws_status ws_variant_matcher_new(const ws_variant_db *db, const struct ws_variant_opts *opts,
                                 ws_variant_matcher **out)
{
    if (!db || !db->finished)
        return WS_E_INVALID;
    ws_variant_matcher *m = ws_calloc(1, sizeof *m);
    if (!m)
        return WS_E_NOMEM;
    m->db = db;
    if (opts)
        m->o = *opts;
    else
        ws_variant_opts_init(&m->o);
    ws_buf_init(&m->msg, 4096 + WS_MAX_DIGEST_LINE);
    m->stamp = ws_calloc(db->n + 1, sizeof *m->stamp);
    m->won = ws_calloc(db->n + 1, sizeof *m->won);
    if (!m->stamp || !m->won) {
        ws_variant_matcher_free(m);
        return WS_E_NOMEM;
    }
    *out = m;
    return WS_OK;
}

void ws_variant_matcher_free(ws_variant_matcher *m)
{
    if (!m)
        return;
    ws_free(m->stamp);
    ws_free(m->won);
    ws_buf_release(&m->msg);
    ws_free(m);
}

/* A fresh generation for the stamp array: each reference reported once. */
static void next_gen(ws_variant_matcher *m)
{
    if (++m->gen == 0) {
        memset(m->stamp, 0, (m->db->n + 1) * sizeof *m->stamp);
        m->gen = 1;
    }
}

static int first_seen(ws_variant_matcher *m, uint32_t ref)
{
    if (m->stamp[ref] == m->gen)
        return 0;
    m->stamp[ref] = m->gen;
    return 1;
}

/* Is there a size in sorted s[0..n) within [lo, hi]? */
static int any_in(const uint64_t *s, size_t n, uint64_t lo, uint64_t hi)
{
    size_t a = 0, b = n;
    while (a < b) { /* lower bound of lo: log2(n) passes */
        size_t mid = a + (b - a) / 2;
        if (s[mid] < lo)
            a = mid + 1;
        else
            b = mid;
    }
    return a < n && s[a] <= hi;
}

static int fuzzy_size_ok(const struct ws_variant_opts *o, uint64_t L, uint64_t n)
{
    /* n in [L/2, 2L + max_insert], without overflow */
    if (n < L / 2)
        return 0;
    if (n <= L)
        return 1;
    uint64_t d = n - L;
    return d <= L || d - L <= o->max_insert;
}

struct hit {
    const char *method;
    int severity;
    const struct ws_variant_ref *ref;
    uint64_t off, len;
    int64_t value; /* score or distance */
};

static ws_status emit_hit(ws_variant_matcher *m, const struct hit *h, const struct ws_finding *tmpl,
                          ws_emit_fn emit, void *user)
{
    struct ws_finding f;
    if (tmpl) {
        f = *tmpl;
    } else {
        /* as ws_finding_init() does; not called so that the variant code
         * links without the sink/report module */
        memset(&f, 0, sizeof f);
        f.mtime = WS_TIME_UNKNOWN;
    }
    f.kind = WS_FINDING_ALERT;
    f.ruleset = "variant";
    char rid[128];
    snprintf(rid, sizeof rid, "variant.%s.%s", h->method, h->ref->sha256);
    f.rule_id = rid;
    f.rule_name = h->ref->name;
    f.severity = h->severity;
    f.ioc_file = h->ref->origin;
    f.ioc_line = h->ref->line;
    f.ioc_text = NULL;
    struct ws_kv ev[6];
    size_t ne = 0;
    ev[ne++] = (struct ws_kv){"method", WS_KV_STR, h->method, strlen(h->method), 0};
    ev[ne++] = (struct ws_kv){"reference", WS_KV_STR, h->ref->name, h->ref->name_len, 0};
    ev[ne++] = (struct ws_kv){"reference_sha256", WS_KV_STR, h->ref->sha256, 64, 0};
    ev[ne++] = (struct ws_kv){"reference_size", WS_KV_INT, NULL, 0, (int64_t)h->ref->size};
    ws_buf_reset(&m->msg);
    ws_status st;
    if (strncmp(h->method, "insertion", 9) == 0) {
        ev[ne++] = (struct ws_kv){"insertion_offset", WS_KV_INT, NULL, 0, (int64_t)h->off};
        ev[ne++] = (struct ws_kv){"insertion_length", WS_KV_INT, NULL, 0, (int64_t)h->len};
        st = h->len ? ws_buf_addf(&m->msg,
                                  "file is the reference with %llu bytes inserted at offset %llu",
                                  (unsigned long long)h->len, (unsigned long long)h->off)
                    : ws_buf_adds(&m->msg, "file is identical to the reference");
    } else if (strcmp(h->method, "ssdeep") == 0) {
        ev[ne++] = (struct ws_kv){"score", WS_KV_INT, NULL, 0, h->value};
        st = ws_buf_addf(&m->msg, "ssdeep score %lld against the reference", (long long)h->value);
    } else {
        ev[ne++] = (struct ws_kv){"distance", WS_KV_INT, NULL, 0, h->value};
        st = ws_buf_addf(&m->msg, "TLSH distance %lld to the reference", (long long)h->value);
    }
    if (st != WS_OK)
        return st;
    f.message = m->msg.data;
    f.description = "variant of a known file (docs/variant-digest.md)";
    f.evidence = ev;
    f.n_evidence = ne;
    return emit(user, &f) ? WS_E_CANCELLED : WS_OK;
}

/* Look up one gate key; call the exact check on each reference found. */
static ws_status ins_lookup(ws_variant_matcher *m, uint64_t key, uint32_t tag, const uint8_t *buf,
                            size_t len, uint32_t skip, const struct ws_insd_keys *keys, uint64_t lo,
                            uint64_t hi, const struct ws_finding *tmpl, ws_emit_fn emit, void *user)
{
    const ws_variant_db *db = m->db;
    struct ikey want = {key, tag, 0};
    size_t a = 0, b = db->n_ins;
    while (a < b) { /* lower bound: log2(n) passes */
        size_t mid = a + (b - a) / 2;
        if (cmp_ikey(&db->ins[mid], &want) < 0)
            a = mid + 1;
        else
            b = mid;
    }
    /* every entry with this key and tag; one per pass */
    for (; a < db->n_ins && db->ins[a].key == key && db->ins[a].tag == tag; a++) {
        uint32_t ri = db->ins[a].ref;
        const struct ws_variant_ref *r = &db->refs[ri];
        if (r->size < lo || r->size > hi || !first_seen(m, ri))
            continue;
        if (skip && m->won[ri] == m->file)
            continue; /* already reported on the whole file */
        const struct ws_insdigest *d = skip ? &r->body : &r->ins;
        struct ws_insd_match im;
        ws_status st = ws_insdigest_match(d, buf + skip, len - skip, m->o.max_insert,
                                          m->o.report_identical, keys, &im);
        if (st == WS_E_NOT_FOUND)
            continue;
        if (st != WS_OK)
            return st;
        if (!skip)
            m->won[ri] = m->file;
        struct hit h = {skip ? "insertion-body" : "insertion",
                        skip ? 80 : 85,
                        r,
                        im.offset + skip,
                        im.length,
                        0};
        st = emit_hit(m, &h, tmpl, emit, user);
        if (st != WS_OK)
            return st;
    }
    return WS_OK;
}

static ws_status match_insertion(ws_variant_matcher *m, const uint8_t *buf, size_t len,
                                 const struct ws_finding *tmpl, ws_emit_fn emit, void *user)
{
    const ws_variant_db *db = m->db;
    uint64_t lo = len > m->o.max_insert ? len - m->o.max_insert : 0;
    uint64_t hi = m->o.report_identical ? len : (len ? len - 1 : 0);
    if (len == 0 || !any_in(db->ins_sizes, db->n_ins_sizes, lo, hi))
        return WS_OK;
    if (++m->file == 0) {
        memset(m->won, 0, (db->n + 1) * sizeof *m->won);
        m->file = 1;
    }
    /* pass 0: whole-file digests; pass 1..n_skips: body digests of each
     * distinct PE header size */
    for (size_t pass = 0; pass <= db->n_skips; pass++) {
        uint32_t skip = pass ? db->skips[pass - 1] : 0;
        if (skip >= len)
            continue;
        struct ws_insd_keys keys;
        ws_insd_keys_compute(buf + skip, len - skip, &keys);
        next_gen(m);
        for (uint32_t side = 0; side < 2; side++) {
            for (uint32_t lvl = 0; lvl < WS_INSD_LEVELS; lvl++) {
                if (!(keys.have & (1u << lvl)))
                    continue;
                uint32_t tag = (uint32_t)pass << 16 | side << 8 | lvl;
                ws_status st = ins_lookup(m, side ? keys.tail[lvl] : keys.head[lvl], tag, buf, len,
                                          skip, &keys, lo, hi, tmpl, emit, user);
                if (st != WS_OK)
                    return st;
            }
        }
    }
    return WS_OK;
}

static ws_status match_ssdeep(ws_variant_matcher *m, const char *digest,
                              const struct ws_finding *tmpl, ws_emit_fn emit, void *user,
                              size_t len)
{
    const ws_variant_db *db = m->db;
    uint64_t bs;
    char p1[65], p2[65];
    size_t n1, n2;
    if (!ss_split(digest, &bs, p1, &n1, p2, &n2))
        return WS_OK;
    next_gen(m);
    for (int part = 0; part < 2; part++) {
        const char *s = part ? p2 : p1;
        size_t n = part ? n2 : n1;
        uint64_t pbs = part ? 2 * bs : bs;
        ws_status st = WS_OK;
        uint64_t keys[64];
        size_t nk = gram_keys(pbs, s, n, keys);
        for (size_t j = 0; j < nk && st == WS_OK; j++) {
            uint64_t key = keys[j];
            size_t a = 0, b = db->n_ss;
            while (a < b) { /* lower bound: log2(n) passes */
                size_t mid = a + (b - a) / 2;
                if (db->ss[mid].key < key)
                    a = mid + 1;
                else
                    b = mid;
            }
            for (; st == WS_OK && a < db->n_ss && db->ss[a].key == key; a++) {
                uint32_t ri = db->ss[a].ref;
                const struct ws_variant_ref *r = &db->refs[ri];
                if (!fuzzy_size_ok(&m->o, r->size, len) || !first_seen(m, ri))
                    continue;
                int score = 0;
                if (ws_ssdeep_compare(r->ssdeep, digest, &score) != WS_OK)
                    continue;
                if (score < m->o.ssdeep_min_score)
                    continue;
                struct hit h = {"ssdeep", 70, r, 0, 0, score};
                st = emit_hit(m, &h, tmpl, emit, user);
            }
        }
        if (st != WS_OK)
            return st;
    }
    return WS_OK;
}

static ws_status match_tlsh(ws_variant_matcher *m, const struct ws_tlsh_digest *d,
                            const struct ws_finding *tmpl, ws_emit_fn emit, void *user, size_t len)
{
    const ws_variant_db *db = m->db;
    int T = m->o.tlsh_max_distance;
    int maxld = T / 12 > 1 ? T / 12 : 1;
    if (maxld > 127)
        maxld = 127;
    for (int dl = -maxld; dl <= maxld; dl++) {
        unsigned lv = (unsigned)(d->lvalue + dl) & 255u;
        for (uint32_t i = db->tl_off[lv]; i < db->tl_off[lv + 1]; i++) {
            const struct ws_variant_ref *r = &db->refs[db->tl_refs[i]];
            if (!fuzzy_size_ok(&m->o, r->size, len))
                continue;
            int dist = ws_tlsh_distance_table(&r->tlsh, d, 1, db->tdiff);
            if (dist > T)
                continue;
            struct hit h = {"tlsh", 65, r, 0, 0, dist};
            ws_status st = emit_hit(m, &h, tmpl, emit, user);
            if (st != WS_OK)
                return st;
        }
    }
    return WS_OK;
}

ws_status ws_variant_match(ws_variant_matcher *m, const void *buf, size_t len,
                           const struct ws_finding *tmpl, ws_emit_fn emit, void *user)
{
    const ws_variant_db *db = m->db;
    ws_status st = WS_OK;
    if (m->o.methods & WS_VARIANT_INSERTION)
        WS_TRY(match_insertion(m, buf, len, tmpl, emit, user));
    if (!(m->o.methods & (WS_VARIANT_SSDEEP | WS_VARIANT_TLSH)) || db->n_fz == 0)
        goto out;
    {
        uint64_t lo = len > m->o.max_insert ? (len - m->o.max_insert) / 2 : 0;
        uint64_t hi = len > UINT64_MAX / 2 - 1 ? UINT64_MAX : 2 * (uint64_t)len + 1;
        if (!any_in(db->fz_sizes, db->n_fz, lo, hi))
            goto out;
    }
    if ((m->o.methods & WS_VARIANT_SSDEEP) && db->n_ss) {
        char digest[WS_SSDEEP_MAX + 1];
        if (ws_ssdeep_buf(buf, len, digest) == WS_OK)
            WS_TRY(match_ssdeep(m, digest, tmpl, emit, user, len));
    }
    if ((m->o.methods & WS_VARIANT_TLSH) && db->tl_off[256]) {
        struct ws_tlsh_digest d;
        if (ws_tlsh_buf(buf, len, &d) == WS_OK)
            WS_TRY(match_tlsh(m, &d, tmpl, emit, user, len));
    }
out:
    return st;
}

/* ---- digest lines ---------------------------------------------------- */

ws_status ws_variant_digest_line(const void *buf, size_t len, const char *name, size_t name_len,
                                 char **line, size_t *line_len)
{
    struct ws_buf b;
    ws_buf_init(&b, WS_MAX_DIGEST_LINE + 1);
    ws_status st = ws_variant_ref_format(buf, len, name, name_len, &b);
    if (st != WS_OK) {
        ws_buf_release(&b);
        return st;
    }
    size_t n;
    char *s = ws_buf_detach(&b, &n);
    if (!s)
        return WS_E_NOMEM;
    *line = s;
    *line_len = n;
    return WS_OK;
}

void ws_variant_line_free(char *line)
{
    ws_free(line);
}
