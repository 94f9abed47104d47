/*
 * insdigest.c - the insertion-tolerant digest: compute, text form, match.
 *
 * Why it works (docs/variant-digest.md has the long form): let lcp and lcs
 * be the longest common prefix and suffix of C and R. C is R with one run
 * inserted iff lcp + lcs >= L (then every o in [L - lcs, lcp] is a valid
 * insertion offset). The digest stores P(R[0..q_i)) at checkpoints
 * q_i = i*L/K. Hashing C forward from its start, checkpoint by checkpoint,
 * until one differs brackets lcp in [q_a, q_a+1); hashing C backward from
 * its end (P(C[q_i+k..N)) against P(R[q_i..L)), which linearity gives from
 * the stored prefixes) brackets L - lcs in (q_b-1, q_b]. Both stop at the
 * first difference, so an unrelated file that shares R's head or tail costs
 * about 2L/K bytes of hashing. The smallest valid offset, L - lcs, is then
 * found by testing each o of that one segment in O(1):
 *   C minus [o, o+k) == R  <=>  P(C[0..o)) X^(L-o) + P(C[o+k..N)) == P(R)
 * and the first o that satisfies it is confirmed with SHA-256. Equal strings
 * always have equal P, so a true variant is never missed (short of a
 * 2^-61 accident in a checkpoint); a non-variant can only match by a SHA-256
 * collision.
 *
 * Binary layout of the digest (little-endian), text form "W1:" + base64:
 *   0  u8   version (1)
 *   1  u8   K, segments (1..64)
 *   2  u8   hlog: head/tail gate length is 2^hlog (5..12)
 *   3  u8   flags: 0 whole file; 1 body digest (a u32 skip follows the table)
 *   4  u64  L
 *   12 32B  SHA-256(R)
 *   44 u64  head = P(R[0..2^hlog))
 *   52 u64  tail = P(R[L-2^hlog..L))
 *   60 K x u64  P(R[0..q_i)) for i = 1..K (q_K = L)
 *   flag 1 only: u32 skip, the PE header bytes left out; L is then the
 *   body length (file size - skip)
 */
#include "core/compat.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/cur.h"
#include "variant/insdigest.h"
#include "variant/poly.h"

/* ---- helpers ---------------------------------------------------------- */

/* P over p[0..n), continuing h; four bytes per step on the dependency chain. */
static uint64_t poly(uint64_t h, const uint8_t *p, size_t n)
{
    const uint64_t x2 = ws_poly_mul(WS_POLY_X, WS_POLY_X);
    const uint64_t x3 = ws_poly_mul(x2, WS_POLY_X);
    const uint64_t x4 = ws_poly_mul(x3, WS_POLY_X);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        ws_u128 t =
            (ws_u128)p[i] * x3 + (ws_u128)p[i + 1] * x2 + (ws_u128)p[i + 2] * WS_POLY_X + p[i + 3];
        h = ws_poly_reduce((ws_u128)h * x4 + t);
    }
    return ws_poly_update(h, p + i, n - i);
}

/* Extend a suffix hash backwards over p[0..n): on entry *acc = P(S) and
 * *pw = X^|S|; on exit *acc = P(p[0..n) || S) and *pw = X^(n + |S|). */
static void poly_back(uint64_t *acc, uint64_t *pw, const uint8_t *p, size_t n)
{
    uint64_t a = *acc, w = *pw;
    const uint64_t x2 = ws_poly_mul(WS_POLY_X, WS_POLY_X);
    const uint64_t x3 = ws_poly_mul(x2, WS_POLY_X);
    const uint64_t x4 = ws_poly_mul(x3, WS_POLY_X);
    size_t i = n;
    while (i >= 4) { /* bytes p[i-4..i), last byte weighted by w */
        i -= 4;
        ws_u128 t = (ws_u128)p[i + 3] + (ws_u128)p[i + 2] * WS_POLY_X + (ws_u128)p[i + 1] * x2 +
                    (ws_u128)p[i] * x3;
        a = ws_poly_add(a, ws_poly_mul(ws_poly_reduce(t), w));
        w = ws_poly_mul(w, x4);
    }
    while (i > 0) {
        i--;
        a = ws_poly_add(a, ws_poly_mul(p[i], w));
        w = ws_poly_mul(w, WS_POLY_X);
    }
    *acc = a;
    *pw = w;
}

static ws_status sha256_2(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t out[32])
{
    ws_status st = WS_E_NOMEM;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int len = 0;
    if (!c)
        return WS_E_NOMEM;
    if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, a, na) != 1 ||
        EVP_DigestUpdate(c, b, nb) != 1 || EVP_DigestFinal_ex(c, out, &len) != 1 || len != 32)
        goto out;
    st = WS_OK;
out:
    EVP_MD_CTX_free(c);
    return st;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const uint8_t *p, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[o++] = b64[(v >> 18) & 63];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Strict decoding: length a multiple of 4, padding only at the end. */
static ws_status b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
    if (n % 4 != 0)
        return WS_E_SYNTAX;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int j = 0; j < 4; j++) {
            char c = s[i + (size_t)j];
            if (c == '=' && i + 4 == n && j >= 2) {
                v[j] = 0;
                pad++;
                continue;
            }
            if (pad)
                return WS_E_SYNTAX;
            v[j] = b64_val(c);
            if (v[j] < 0)
                return WS_E_SYNTAX;
        }
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        size_t nb = 3 - (size_t)pad;
        if (o + nb > cap)
            return WS_E_TOO_LARGE;
        out[o++] = (uint8_t)(w >> 16);
        if (nb > 1)
            out[o++] = (uint8_t)(w >> 8);
        if (nb > 2)
            out[o++] = (uint8_t)w;
    }
    *outlen = o;
    return WS_OK;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t checkpoint(uint64_t i, uint64_t len, unsigned k)
{
    return i * len / k; /* len < 2^48, i <= 64: no overflow */
}

/* ---- compute ------------------------------------------------------------ */

ws_status ws_insdigest_compute(const void *buf, size_t n, struct ws_insdigest *out)
{
    const uint8_t *p = buf;
    if (n < WS_INSD_MIN_LEN)
        return WS_E_UNSUPPORTED;
    if (n > WS_INSD_MAX_LEN)
        return WS_E_TOO_LARGE;
    struct ws_insdigest d;
    memset(&d, 0, sizeof d);
    d.k = WS_INSD_K;
    d.len = n;
    unsigned hlog = WS_INSD_HLOG_MAX;
    while (hlog > WS_INSD_HLOG_MIN && ((size_t)1 << hlog) > n / 2)
        hlog--;
    d.hlog = (uint8_t)hlog;
    size_t h = (size_t)1 << hlog;
    d.head = poly(0, p, h);
    d.tail = poly(0, p + n - h, h);
    uint64_t acc = 0, pos = 0;
    for (unsigned i = 1; i <= d.k; i++) {
        uint64_t q = checkpoint(i, n, d.k);
        acc = poly(acc, p + pos, (size_t)(q - pos));
        pos = q;
        d.pre[i] = acc;
    }
    ws_status st = sha256_2(p, n, NULL, 0, d.sha256);
    if (st != WS_OK)
        return st;
    *out = d;
    return WS_OK;
}

ws_status ws_pe_header_size(const void *p, size_t n, uint32_t *out)
{
    /* IMAGE_DOS_HEADER: e_magic "MZ" at 0, e_lfanew (u32) at 0x3C.
     * IMAGE_NT_HEADERS: "PE\0\0", IMAGE_FILE_HEADER (20 bytes), then the
     * optional header, whose SizeOfHeaders is at offset 60 in both PE32 and
     * PE32+ (PE/COFF specification, "Optional Header Windows-Specific Fields"). */
    struct ws_cur c;
    uint32_t lfanew, sig, hdrs;
    uint16_t magic;
    ws_cur_init(&c, p, n);
    if (!ws_cur_has_prefix(&c, "MZ", 2))
        return WS_E_UNSUPPORTED;
    if (ws_cur_seek(&c, 0x3C) != WS_OK || ws_cur_le32(&c, &lfanew) != WS_OK)
        return WS_E_UNSUPPORTED;
    if (ws_cur_seek(&c, lfanew) != WS_OK || ws_cur_le32(&c, &sig) != WS_OK || sig != 0x00004550u)
        return WS_E_UNSUPPORTED;
    if (ws_cur_skip(&c, 20) != WS_OK || ws_cur_le16(&c, &magic) != WS_OK ||
        (magic != 0x10b && magic != 0x20b))
        return WS_E_UNSUPPORTED;
    if (ws_cur_skip(&c, 60 - 2) != WS_OK || ws_cur_le32(&c, &hdrs) != WS_OK)
        return WS_E_UNSUPPORTED;
    if (hdrs == 0 || hdrs > WS_INSD_MAX_SKIP || hdrs > n || n - hdrs < WS_INSD_MIN_LEN)
        return WS_E_UNSUPPORTED;
    *out = hdrs;
    return WS_OK;
}

ws_status ws_insdigest_compute_body(const void *p, size_t n, struct ws_insdigest *out)
{
    uint32_t skip;
    struct ws_insdigest d;
    ws_status st = ws_pe_header_size(p, n, &skip);
    if (st != WS_OK)
        return st;
    st = ws_insdigest_compute((const uint8_t *)p + skip, n - skip, &d);
    if (st != WS_OK)
        return st;
    d.skip = skip;
    *out = d;
    return WS_OK;
}

/* ---- text form ------------------------------------------------------- */

size_t ws_insdigest_format(const struct ws_insdigest *d, char *out)
{
    uint8_t bin[WS_INSD_BIN_MAX];
    size_t blen = WS_INSD_BIN_LEN(d->k);
    bin[0] = WS_INSD_VERSION;
    bin[1] = d->k;
    bin[2] = d->hlog;
    bin[3] = d->skip ? 1 : 0;
    put_le64(bin + 4, d->len);
    memcpy(bin + 12, d->sha256, 32);
    put_le64(bin + 44, d->head);
    put_le64(bin + 52, d->tail);
    for (unsigned i = 1; i <= d->k; i++)
        put_le64(bin + 60 + 8 * (i - 1), d->pre[i]);
    if (d->skip) {
        for (int i = 0; i < 4; i++)
            bin[blen + (size_t)i] = (uint8_t)(d->skip >> (8 * i));
        blen += 4;
    }
    memcpy(out, "W1:", 3);
    return 3 + b64_encode(bin, blen, out + 3);
}

ws_status ws_insdigest_parse(const char *s, size_t n, struct ws_insdigest *out)
{
    uint8_t bin[WS_INSD_BIN_MAX];
    size_t blen;
    if (n < 3 || memcmp(s, "W1:", 3) != 0)
        return WS_E_SYNTAX;
    if (n > WS_INSD_STR_MAX)
        return WS_E_TOO_LARGE;
    ws_status st = b64_decode(s + 3, n - 3, bin, sizeof bin, &blen);
    if (st != WS_OK)
        return st;
    struct ws_cur c;
    ws_cur_init(&c, bin, blen);
    struct ws_insdigest d;
    memset(&d, 0, sizeof d);
    uint8_t ver, flags;
    const uint8_t *sha;
    if (ws_cur_u8(&c, &ver) != WS_OK || ws_cur_u8(&c, &d.k) != WS_OK ||
        ws_cur_u8(&c, &d.hlog) != WS_OK || ws_cur_u8(&c, &flags) != WS_OK ||
        ws_cur_le64(&c, &d.len) != WS_OK || ws_cur_bytes(&c, 32, &sha) != WS_OK ||
        ws_cur_le64(&c, &d.head) != WS_OK || ws_cur_le64(&c, &d.tail) != WS_OK)
        return WS_E_TRUNCATED;
    if (ver != WS_INSD_VERSION || flags > 1 || d.k < 1 || d.k > WS_INSD_MAX_K)
        return WS_E_CORRUPT;
    if (d.hlog < WS_INSD_HLOG_MIN || d.hlog > WS_INSD_HLOG_MAX)
        return WS_E_CORRUPT;
    if (d.len < WS_INSD_MIN_LEN || d.len > WS_INSD_MAX_LEN || (1ull << d.hlog) > d.len / 2)
        return WS_E_CORRUPT;
    if (ws_cur_left(&c) != 8 * (size_t)d.k + (flags ? 4 : 0))
        return WS_E_CORRUPT;
    memcpy(d.sha256, sha, 32);
    for (unsigned i = 1; i <= d.k; i++)
        if (ws_cur_le64(&c, &d.pre[i]) != WS_OK)
            return WS_E_TRUNCATED;
    if (flags) {
        uint32_t skip;
        if (ws_cur_le32(&c, &skip) != WS_OK)
            return WS_E_TRUNCATED;
        if (skip == 0 || skip > WS_INSD_MAX_SKIP)
            return WS_E_CORRUPT;
        d.skip = skip;
    }
    if (d.head >= WS_POLY_P || d.tail >= WS_POLY_P)
        return WS_E_CORRUPT;
    for (unsigned i = 1; i <= d.k; i++)
        if (d.pre[i] >= WS_POLY_P)
            return WS_E_CORRUPT;
    *out = d;
    return WS_OK;
}

/* ---- candidate side ---------------------------------------------------- */

void ws_insd_keys_compute(const void *buf, size_t n, struct ws_insd_keys *out)
{
    const uint8_t *p = buf;
    memset(out, 0, sizeof *out);
    /* head keys: nested prefixes */
    uint64_t acc = 0;
    size_t pos = 0;
    for (unsigned l = 0; l < WS_INSD_LEVELS; l++) {
        size_t h = (size_t)1 << (l + WS_INSD_HLOG_MIN);
        if (h > n)
            break;
        acc = poly(acc, p + pos, h - pos);
        pos = h;
        out->head[l] = acc;
        out->have |= 1u << l;
    }
    /* tail keys: P(last h) = P(T) - P(T minus its last h) * X^h over the tail T */
    size_t tl = n < ((size_t)1 << WS_INSD_HLOG_MAX) ? n : ((size_t)1 << WS_INSD_HLOG_MAX);
    const uint8_t *t = p + n - tl;
    uint64_t mark[WS_INSD_LEVELS];
    acc = 0;
    pos = 0;
    for (int l = WS_INSD_LEVELS - 1; l >= 0; l--) {
        size_t h = (size_t)1 << (l + WS_INSD_HLOG_MIN);
        if (h > tl)
            continue;
        acc = poly(acc, t + pos, tl - h - pos);
        pos = tl - h;
        mark[l] = acc;
    }
    acc = poly(acc, t + pos, tl - pos);
    for (unsigned l = 0; l < WS_INSD_LEVELS; l++) {
        if (!(out->have & (1u << l)))
            continue;
        uint64_t xh = ws_poly_pow(WS_POLY_X, (uint64_t)1 << (l + WS_INSD_HLOG_MIN));
        out->tail[l] = ws_poly_sub(acc, ws_poly_mul(mark[l], xh));
    }
}

ws_status ws_insdigest_match(const struct ws_insdigest *d, const void *buf, size_t n,
                             uint64_t max_insert, int allow_identical,
                             const struct ws_insd_keys *keys, struct ws_insd_match *m)
{
    const uint8_t *c = buf;
    const uint64_t len = d->len;
    struct ws_insd_keys local;
    uint8_t sha[32];
    ws_status st;

    if (n < len || n - len > max_insert || (n == len && !allow_identical))
        return WS_E_NOT_FOUND;
    if (!keys) {
        ws_insd_keys_compute(buf, n, &local);
        keys = &local;
    }
    /* Gate: a variant keeps R's head (o >= h) or R's tail (L - o >= h),
     * since h <= L/2. */
    unsigned lvl = ws_insd_level(d);
    if (!(keys->have & (1u << lvl)) || (keys->head[lvl] != d->head && keys->tail[lvl] != d->tail))
        return WS_E_NOT_FOUND;
    const uint64_t k = n - len;
    if (k == 0) {
        st = sha256_2(c, n, NULL, 0, sha);
        if (st != WS_OK)
            return st;
        if (memcmp(sha, d->sha256, 32) != 0)
            return WS_E_NOT_FOUND;
        m->offset = 0;
        m->length = 0;
        return WS_OK;
    }

    /* Forward: P(C[0..q_i)) for i = 1.., stopping at the first checkpoint
     * that differs from R's: lcp lies in [q_a, q_a+1). */
    const unsigned K = d->k;
    uint64_t q[WS_INSD_MAX_K + 1], pre[WS_INSD_MAX_K + 1], suf[WS_INSD_MAX_K + 1];
    for (unsigned i = 0; i <= K; i++)
        q[i] = checkpoint(i, len, K);
    unsigned a = 0;
    {
        uint64_t acc = 0, pos = 0;
        pre[0] = 0;
        for (unsigned i = 1; i <= K; i++) {
            acc = poly(acc, c + pos, (size_t)(q[i] - pos));
            pos = q[i];
            pre[i] = acc;
            if (acc != d->pre[i])
                break;
            a = i;
        }
    }
    /* Backward: suf[i] = P(C[q_i + k..N)), C's last L - q_i bytes, against
     * P(R[q_i..L)) = P(R) - P(R[0..q_i)) X^(L-q_i), for i = K-1 down,
     * stopping at the first difference: L - lcs lies in (q_b-1, q_b]. */
    const uint64_t pr = d->pre[K]; /* P(R) */
    unsigned b = K;
    {
        uint64_t acc = 0, pw = 1, pos = n; /* acc = P(C[pos..N)), pw = X^(N-pos) */
        suf[K] = 0;
        for (unsigned i = K; i-- > 0;) {
            uint64_t t = q[i] + k;
            poly_back(&acc, &pw, c + t, (size_t)(pos - t));
            pos = t;
            suf[i] = acc;
            if (acc != ws_poly_sub(pr, ws_poly_mul(d->pre[i], pw)))
                break;
            b = i;
        }
    }
    /* The smallest valid offset L - lcs lies in (q_b-1, q_b] (or [0, q_0]),
     * and must not exceed lcp < q_a+1. The search runs from q_b-1 up to
     * q_a+1 - 1, not only to q_b: a checkpoint can only be wrongly "equal"
     * (a polynomial collision, e.g. crafted into the inserted run), which
     * can lower b or raise a but never exclude the true offset from
     * [q_b-1, q_a+1). For a real variant the offset is found within one
     * segment of the start. */
    unsigned sb = b > 0 ? b - 1 : 0;
    uint64_t s = q[sb];
    uint64_t hi = a < K ? q[a + 1] - 1 : len;
    if (hi < s)
        return WS_E_NOT_FOUND;
    /* hi >= s implies sb <= a: pre[sb] and suf[sb] were both computed. */

    /* Test every o in [s, hi] in O(1): C minus [o, o+k) == R iff
     * P(C[0..o)) X^(L-o) + P(C[o+k..N)) == P(R). */
    const uint64_t xinv = ws_poly_xinv();
    uint64_t f = pre[sb], g = suf[sb], pw = ws_poly_pow(WS_POLY_X, len - s);
    int verifs = 0;
    for (uint64_t o = s;; o++) {
        if (ws_poly_add(ws_poly_mul(f, pw), g) == pr) {
            st = sha256_2(c, (size_t)o, c + o + k, (size_t)(n - o - k), sha);
            if (st != WS_OK)
                return st;
            if (memcmp(sha, d->sha256, 32) == 0) {
                m->offset = o;
                m->length = k;
                return WS_OK;
            }
            if (++verifs >= WS_INSD_MAX_VERIFY)
                return WS_E_NOT_FOUND;
        }
        if (o >= hi)
            break;
        f = ws_poly_reduce((ws_u128)f * WS_POLY_X + c[o]);
        pw = ws_poly_mul(pw, xinv); /* X^(L-o-1) */
        g = ws_poly_sub(g, ws_poly_mul(c[o + k], pw));
    }
    return WS_E_NOT_FOUND;
}
