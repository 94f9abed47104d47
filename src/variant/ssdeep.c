/*
 * ssdeep.c - libfuzzy glue, plus a syntax check of ssdeep digests so that a
 * pack's digests are validated when it is loaded rather than silently
 * scoring 0 at scan time.
 */
#include "core/compat.h"

#include <string.h>

#include "core/text.h"

#ifdef HAVE_FUZZY
#include <fuzzy.h>
#endif

#include "variant/ssdeep.h"

/* ssdeep block sizes are 3 * 2^i; libfuzzy caps i at 30. */
#define MAX_BLOCKSIZE (3u << 30)
/* Each signature part holds at most 64 base64 characters. */
#define MAX_PART 64

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

ws_status ws_ssdeep_check(const char *s, size_t n, uint32_t *blocksize)
{
    const char *p = s, *end = s + n;
    uint64_t bs;
    if (ws_parse_u64(&p, end, MAX_BLOCKSIZE, &bs) != WS_OK)
        return WS_E_SYNTAX;
    /* must be 3 * 2^i */
    if (bs < 3 || bs % 3 != 0 || ((bs / 3) & (bs / 3 - 1)) != 0)
        return WS_E_SYNTAX;
    for (int part = 0; part < 2; part++) {
        if (p == end || *p != ':')
            return WS_E_SYNTAX;
        p++;
        size_t len = 0;
        while (p < end && *p != ':' && len <= MAX_PART) {
            if (!is_b64(*p))
                return WS_E_SYNTAX;
            p++;
            len++;
        }
        if (len > MAX_PART)
            return WS_E_SYNTAX;
    }
    if (p != end)
        return WS_E_SYNTAX;
    *blocksize = (uint32_t)bs;
    return WS_OK;
}

#ifdef HAVE_FUZZY
ws_status ws_ssdeep_buf(const void *p, size_t n, char *out)
{
    /* libfuzzy takes a uint32_t length */
    if (n > UINT32_MAX)
        return WS_E_TOO_LARGE;
    char tmp[FUZZY_MAX_RESULT + 1];
    memset(tmp, 0, sizeof tmp);
    if (fuzzy_hash_buf(p, (uint32_t)n, tmp) != 0)
        return WS_E_NOMEM;
    size_t len = strnlen(tmp, sizeof tmp - 1);
    if (len > WS_SSDEEP_MAX)
        return WS_E_CORRUPT;
    memcpy(out, tmp, len);
    out[len] = '\0';
    return WS_OK;
}

ws_status ws_ssdeep_compare(const char *a, const char *b, int *score)
{
    uint32_t bs;
    if (ws_ssdeep_check(a, strlen(a), &bs) != WS_OK || ws_ssdeep_check(b, strlen(b), &bs) != WS_OK)
        return WS_E_SYNTAX;
    int r = fuzzy_compare(a, b);
    if (r < 0)
        return WS_E_SYNTAX;
    *score = r;
    return WS_OK;
}
#else
ws_status ws_ssdeep_buf(const void *p, size_t n, char *out)
{
    (void)p;
    (void)n;
    (void)out;
    return WS_E_UNSUPPORTED;
}

ws_status ws_ssdeep_compare(const char *a, const char *b, int *score)
{
    (void)a;
    (void)b;
    (void)score;
    return WS_E_UNSUPPORTED;
}
#endif
