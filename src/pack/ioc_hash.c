/*
 * ioc_hash.c - hash IOC lists: Loki/signature-base `HASH;DESCRIPTION` and
 * `HASH;SCORE;DESCRIPTION`, and plain lists (`HASH`, or `HASH  name` as
 * md5sum/sha256sum print them).
 *
 * The type is told by the length: 32 hex digits MD5, 40 SHA-1, 64 SHA-256.
 * Entries are kept per type in one array sorted by digest and found by
 * binary search: O(log n) per file whatever the list size (YARA's hash
 * module is linear per rule, VirusTotal/yara#592). Duplicates are kept; the
 * first one loaded wins at lookup.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "core/lines.h"
#include "core/text.h"
#include "pack/pack_impl.h"

/* Loki-RS gives 2-column hash IOCs 75, THOR 100; an exact hash match is as
 * strong as evidence gets, so we follow THOR. */
#define HASH_DEFAULT_SCORE 100

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static ws_status add(struct ws_hash_set *s, const uint8_t *d, size_t n, uint32_t origin, int score,
                     int exe_only)
{
    if (WS_GROW(s->v, s->cap, s->n + 1) != 0)
        return WS_E_NOMEM;
    struct ws_hash_ioc *h = &s->v[s->n++];
    memset(h->digest, 0, sizeof h->digest);
    memcpy(h->digest, d, n);
    h->origin = origin;
    h->score = score;
    h->exe_only = exe_only;
    return WS_OK;
}

ws_status ws_ioc_hash_load(struct ws_pack *p, const char *file, const char *data, size_t len,
                           ws_emit_fn emit, void *user, size_t *added)
{
    struct ws_lines it;
    const char *line;
    size_t n;
    size_t count = 0;
    int exe_only = 0;
    ws_lines_init(&it, data, len);
    while (ws_lines_next(&it, &line, &n)) {
        ws_trim(&line, &n);
        /* "# wormsign: filetype=EXE": the hashes below are of PE files only,
         * so only files that start with "MZ" need to be hashed for them */
        if (n >= 24 && memcmp(line, "# wormsign: filetype=EXE", 24) == 0) {
            exe_only = 1;
            continue;
        }
        if (n == 0 || line[0] == '#')
            continue;
        if (n > WS_MAX_IOC_LINE) {
            ws_pack_emit_error(emit, user, file, it.lineno, WS_E_TOO_LARGE,
                               "hash IOC line longer than %u bytes", WS_MAX_IOC_LINE);
            continue;
        }
        size_t h = 0;
        while (h < n && is_hex(line[h]))
            h++;
        int sep_ok =
            h == n || line[h] == ';' || line[h] == ' ' || line[h] == '\t' || line[h] == ',';
        if ((h != 32 && h != 40 && h != 64) || !sep_ok) {
            ws_pack_emit_error(emit, user, file, it.lineno, WS_E_SYNTAX,
                               "not a hash IOC line (expected 32, 40 or 64 hex digits, then ';')");
            continue;
        }
        uint8_t digest[32];
        if (ws_hex_decode(line, h / 2, digest) != WS_OK)
            continue; /* cannot happen: every digit was checked */
        const char *rest = line + h;
        size_t rn = n - h;
        int score = HASH_DEFAULT_SCORE;
        if (rn && (rest[0] == ';' || rest[0] == ',')) {
            rest++, rn--;
            /* optional SCORE column: digits (maybe signed) followed by ';' */
            const char *q = rest;
            const char *semi = memchr(rest, ';', rn);
            if (semi) {
                const char *num = q;
                int neg = 0;
                if (num < semi && *num == '-') {
                    neg = 1;
                    num++;
                }
                uint64_t v;
                const char *np = num;
                if (ws_parse_u64(&np, semi, 1000, &v) == WS_OK && np == semi) {
                    score = neg ? -(int)v : (int)v;
                    rn -= (size_t)(semi + 1 - rest);
                    rest = semi + 1;
                }
            }
        }
        ws_trim(&rest, &rn);
        uint32_t origin = ws_pack_origin(p, file, it.lineno, rest, rn);
        if (origin == UINT32_MAX)
            return WS_E_NOMEM;
        enum ws_hash_type t = h == 32 ? WS_HASH_MD5 : h == 40 ? WS_HASH_SHA1 : WS_HASH_SHA256;
        ws_status st = add(&p->hashes[t], digest, h / 2, origin, score, exe_only);
        if (exe_only)
            p->hash_need_exe |= 1u << t;
        else
            p->hash_need_any |= 1u << t;
        if (st != WS_OK)
            return st;
        count++;
    }
    *added = count;
    return WS_OK;
}

static int cmp_hash(const void *a, const void *b)
{
    const struct ws_hash_ioc *x = a, *y = b;
    int c = memcmp(x->digest, y->digest, sizeof x->digest);
    if (c)
        return c;
    return (x->origin > y->origin) - (x->origin < y->origin);
}

void ws_ioc_hash_sort(struct ws_pack *p)
{
    for (int t = 0; t < WS_HASH_TYPES; t++)
        if (p->hashes[t].n > 1)
            qsort(p->hashes[t].v, p->hashes[t].n, sizeof p->hashes[t].v[0], cmp_hash);
}

const struct ws_hash_ioc *ws_pack_hash_lookup(const struct ws_pack *p, enum ws_hash_type t,
                                              const uint8_t *digest)
{
    const struct ws_hash_set *s = &p->hashes[t];
    size_t dl = t == WS_HASH_MD5 ? 16 : t == WS_HASH_SHA1 ? 20 : 32;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(s->v[mid].digest, digest, dl);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < s->n && memcmp(s->v[lo].digest, digest, dl) == 0)
        return &s->v[lo];
    return NULL;
}
