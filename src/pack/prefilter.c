/*
 * prefilter.c - see prefilter.h for the soundness argument.
 *
 * What the parser accepts (else WS_E_UNSUPPORTED, and the rule set is always
 * scanned): rules whose strings are all hex strings of bytes and `??`
 * wildcards (no jumps, alternatives, nibble wildcards or text/regex strings),
 * each string at least 15 bytes long with a wildcard-free 8-byte window for
 * every residue mod 8, and whose condition cannot be true without a string
 * (it names a string or says "of them", and has no "or" and no "not").
 */
#include "core/compat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "pack/prefilter.h"

#define WINDOW 8
/* A hex string longer than this is not something we wrote; refuse it. */
#define MAX_HEX_BYTES 4096

static inline unsigned bucket(uint64_t v)
{
    return (unsigned)((v * 0x9E3779B97F4A7C15ull) >> (64 - WS_PREFILTER_BITS));
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int cmp_window(const void *a, const void *b)
{
    uint64_t x = ((const struct ws_prefilter_window *)a)->value;
    uint64_t y = ((const struct ws_prefilter_window *)b)->value;
    return (x > y) - (x < y);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Parse "{ AA BB ?? CC }" (p after '{') into bytes and a wildcard mask. */
static ws_status parse_hex(const char **pp, const char *end, uint8_t *b, uint8_t *wild, size_t *n)
{
    const char *p = *pp;
    size_t k = 0;
    while (p < end && *p != '}') {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if (p + 1 >= end || k >= MAX_HEX_BYTES)
            return WS_E_UNSUPPORTED;
        if (p[0] == '?' && p[1] == '?') {
            b[k] = 0;
            wild[k++] = 1;
        } else {
            int hi = hexval(p[0]), lo = hexval(p[1]);
            if (hi < 0 || lo < 0)
                return WS_E_UNSUPPORTED; /* jumps, alternatives, nibble wildcards */
            b[k] = (uint8_t)(hi << 4 | lo);
            wild[k++] = 0;
        }
        p += 2;
    }
    if (p >= end)
        return WS_E_UNSUPPORTED;
    *pp = p + 1;
    *n = k;
    return WS_OK;
}

static ws_status add_windows(struct ws_prefilter *pf, size_t *cap, size_t *scap, const uint8_t *b,
                             const uint8_t *wild, size_t n)
{
    if (n < 2 * WINDOW - 1)
        return WS_E_UNSUPPORTED;
    if (pf->n_strings >= UINT32_MAX || WS_GROW(pf->strings, *scap, pf->n_strings + 1) != 0)
        return WS_E_NOMEM;
    struct ws_prefilter_string *str = &pf->strings[pf->n_strings];
    str->bytes = (uint8_t *)ws_memdup0(b, n);
    str->wild = (uint8_t *)ws_memdup0(wild, n);
    str->len = n;
    if (!str->bytes || !str->wild) {
        ws_free(str->bytes);
        ws_free(str->wild);
        return WS_E_NOMEM;
    }
    uint32_t id = (uint32_t)pf->n_strings++;
    int residue_ok[WINDOW] = {0};
    for (size_t k = 0; k + WINDOW <= n; k++) {
        int fixed = 1;
        for (size_t i = 0; i < WINDOW; i++)
            fixed &= !wild[k + i];
        if (!fixed)
            continue;
        residue_ok[k % WINDOW] = 1;
        if (WS_GROW(pf->windows, *cap, pf->n + 1) != 0)
            return WS_E_NOMEM;
        uint64_t v = load64(b + k);
        pf->windows[pf->n++] = (struct ws_prefilter_window){v, id, (uint32_t)k};
        unsigned h = bucket(v);
        pf->bitmap[h / 64] |= 1ull << (h % 64);
    }
    for (size_t r = 0; r < WINDOW; r++)
        if (!residue_ok[r])
            return WS_E_UNSUPPORTED;
    return WS_OK;
}

/* Check one rule's condition text (between "condition:" and the closing brace). */
static int condition_needs_string(const char *c, size_t n)
{
    char buf[512];
    if (n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)c[i]);
    buf[n] = '\0';
    if (strstr(buf, " or ") || strstr(buf, "not ") || strstr(buf, "0 of"))
        return 0;
    return strstr(buf, "of them") != NULL || strchr(buf, '$') != NULL;
}

ws_status ws_prefilter_build(struct ws_prefilter *pf, const char *src, size_t len)
{
    memset(pf, 0, sizeof *pf);
    size_t cap = 0, scap = 0;
    ws_status st = WS_OK;
    uint8_t *b = ws_malloc(MAX_HEX_BYTES), *wild = ws_malloc(MAX_HEX_BYTES);
    const char *end = src + len;
    int rules = 0;
    if (!b || !wild) {
        st = WS_E_NOMEM;
        goto out;
    }
    for (const char *p = src; p < end;) {
        /* next "rule " at the start of a line */
        const char *r = NULL;
        for (const char *q = p; q + 5 <= end; q++) {
            q = memchr(q, 'r', (size_t)(end - q));
            if (!q || q + 5 > end)
                break;
            if (memcmp(q, "rule ", 5) == 0 && (q == src || q[-1] == '\n')) {
                r = q;
                break;
            }
        }
        if (!r)
            break;
        const char *body = memchr(r, '{', (size_t)(end - r));
        const char *cond = body ? memmem(body, (size_t)(end - body), "condition:", 10) : NULL;
        const char *strs =
            body ? memmem(body, (size_t)(cond ? cond - body : 0), "strings:", 8) : NULL;
        if (!cond || !strs) {
            st = WS_E_UNSUPPORTED;
            goto out;
        }
        /* strings: every "$name = {" ... "}" up to the condition */
        const char *q = strs + 8;
        int nstr = 0;
        while (q < cond) {
            const char *dollar = memchr(q, '$', (size_t)(cond - q));
            if (!dollar)
                break;
            const char *eq = memchr(dollar, '=', (size_t)(cond - dollar));
            if (!eq) {
                st = WS_E_UNSUPPORTED;
                goto out;
            }
            const char *v = eq + 1;
            while (v < cond && isspace((unsigned char)*v))
                v++;
            if (v >= cond || *v != '{') {
                st = WS_E_UNSUPPORTED; /* a text or regex string */
                goto out;
            }
            v++;
            size_t n;
            WS_TRY(parse_hex(&v, cond, b, wild, &n));
            /* modifiers after a hex string ("private") do not change the bytes */
            WS_TRY(add_windows(pf, &cap, &scap, b, wild, n));
            nstr++;
            q = v;
        }
        const char *ce = memchr(cond, '}', (size_t)(end - cond));
        if (!nstr || !ce || !condition_needs_string(cond + 10, (size_t)(ce - cond - 10))) {
            st = WS_E_UNSUPPORTED;
            goto out;
        }
        rules++;
        p = ce;
    }
    if (!rules)
        st = WS_E_UNSUPPORTED;
    else if (pf->n > 1)
        qsort(pf->windows, pf->n, sizeof *pf->windows, cmp_window);
out:
    ws_free(b);
    ws_free(wild);
    if (st != WS_OK)
        ws_prefilter_release(pf);
    return st;
}

void ws_prefilter_release(struct ws_prefilter *pf)
{
    for (size_t i = 0; i < pf->n_strings; i++) {
        ws_free(pf->strings[i].bytes);
        ws_free(pf->strings[i].wild);
    }
    ws_free(pf->strings);
    ws_free(pf->windows);
    memset(pf, 0, sizeof *pf);
}

/* Does string s occur at data[start..]? (bounds checked by the caller) */
static int string_at(const struct ws_prefilter_string *s, const uint8_t *data)
{
    for (size_t i = 0; i < s->len; i++)
        if (!s->wild[i] && data[i] != s->bytes[i])
            return 0;
    return 1;
}

/* Confirm a window value found at position p. */
static int confirm(const struct ws_prefilter *pf, uint64_t v, const uint8_t *data, size_t len,
                   size_t p)
{
    size_t lo = 0, hi = pf->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pf->windows[mid].value < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < pf->n && pf->windows[lo].value == v; lo++) {
        const struct ws_prefilter_window *w = &pf->windows[lo];
        const struct ws_prefilter_string *s = &pf->strings[w->string];
        if (p < w->at)
            continue;
        size_t start = p - w->at;
        if (s->len > len - start)
            continue;
        if (string_at(s, data + start))
            return 1;
    }
    return 0;
}

int ws_prefilter_may_match(const struct ws_prefilter *pf, const uint8_t *data, size_t len)
{
    if (len < WINDOW)
        return 0; /* every string is at least 15 bytes */
    const uint64_t *bm = pf->bitmap;
    for (size_t i = 0; i + WINDOW <= len; i += WINDOW) {
        uint64_t v = load64(data + i);
        unsigned h = bucket(v);
        if ((bm[h / 64] >> (h % 64)) & 1u && confirm(pf, v, data, len, i))
            return 1;
    }
    return 0;
}
