/*
 * tlsh.c - TLSH digests and distance, compatible with trendmicro/tlsh 4.x.
 *
 * Algorithm (Oliver, Cheng, Chen: "TLSH - A Locality Sensitive Hash", 2013),
 * default parameters: a 5-byte sliding window; for each position from the
 * fifth byte on, six byte triplets of the window are hashed with Pearson's
 * table (each with its own salt) into 256 buckets, of which the first 128
 * are used. A 1-byte checksum is a Pearson chain over (byte, previous byte).
 * At the end the quartiles q1, q2, q3 of the 128 counts code each bucket in
 * 2 bits; the header holds the checksum, a log-scale length (L value) and
 * q1/q3, q2/q3 ratios mod 16. The string form swaps the nibbles of each header
 * byte and writes the code bytes last-first.
 *
 * The Pearson table and the length formula are data fixed by the reference
 * (Apache-2.0 OR BSD-3-Clause, Trend Micro); the code here is ours. The
 * distance's per-byte table is computed from its definition (pair of 2-bit
 * values differing by 1, 2, 3 costs 1, 2, 6) instead of copied.
 *
 * No allocation, no state outside the caller's struct.
 */
#include "core/compat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "variant/tlsh.h"

/* Pearson's sample random table, as used by the reference (v_table). */
static const uint8_t pearson[256] = {
    1,   87,  49,  12,  176, 178, 102, 166, 121, 193, 6,   84,  249, 230, 44,  163, 14,  197, 213,
    181, 161, 85,  218, 80,  64,  239, 24,  226, 236, 142, 38,  200, 110, 177, 104, 103, 141, 253,
    255, 50,  77,  101, 81,  18,  45,  96,  31,  222, 25,  107, 190, 70,  86,  237, 240, 34,  72,
    242, 20,  214, 244, 227, 149, 235, 97,  234, 57,  22,  60,  250, 82,  175, 208, 5,   127, 199,
    111, 62,  135, 248, 174, 169, 211, 58,  66,  154, 106, 195, 245, 171, 17,  187, 182, 179, 0,
    243, 132, 56,  148, 75,  128, 133, 158, 100, 130, 126, 91,  13,  153, 246, 216, 219, 119, 68,
    223, 78,  83,  88,  201, 99,  122, 11,  92,  32,  136, 114, 52,  10,  138, 30,  48,  183, 156,
    35,  61,  26,  143, 74,  251, 94,  129, 162, 63,  152, 170, 7,   115, 167, 241, 206, 3,   150,
    55,  59,  151, 220, 90,  53,  23,  131, 125, 173, 15,  238, 79,  95,  89,  16,  105, 137, 225,
    224, 217, 160, 37,  123, 118, 73,  2,   157, 46,  116, 9,   145, 134, 228, 207, 212, 202, 215,
    69,  229, 27,  188, 67,  124, 168, 252, 42,  4,   29,  108, 21,  247, 19,  205, 39,  203, 233,
    40,  186, 147, 198, 192, 155, 33,  164, 191, 98,  204, 165, 180, 117, 76,  140, 36,  210, 172,
    41,  54,  159, 8,   185, 232, 113, 196, 231, 47,  146, 120, 51,  65,  28,  144, 254, 221, 93,
    189, 194, 139, 112, 43,  71,  109, 184, 209,
};

/* pearson[salt] for the checksum (salt 0) and the six triplets (salts 2, 3,
 * 5, 7, 11, 13). */
enum { S_CK = 1, S2 = 49, S3 = 12, S5 = 178, S7 = 166, S11 = 84, S13 = 230 };

void ws_tlsh_init(struct ws_tlsh *t)
{
    memset(t, 0, sizeof *t);
}

/* First Pearson step of the checksum and the six triplets, by newest byte:
 * first[c][j] = pearson[salt_j ^ c]. Filled once per update call (2 KiB of
 * table lookups), it turns 7 of the 21 dependent table loads per byte into
 * one 8-byte row load. */
struct first_tab {
    uint8_t row[256][8];
};

static void fill_first(struct first_tab *t)
{
    static const uint8_t salts[7] = {S_CK, S2, S3, S5, S7, S11, S13};
    for (int c = 0; c < 256; c++) {
        for (int j = 0; j < 7; j++)
            t->row[c][j] = pearson[salts[j] ^ c];
        t->row[c][7] = 0;
    }
}

static inline void step(uint32_t *b, uint8_t *ck, const uint8_t *f, uint8_t a3, uint8_t a2,
                        uint8_t a1, uint8_t a0)
{
    /* f = first[newest byte]; a0 is the oldest byte of the window. */
    *ck = pearson[pearson[f[0] ^ a3] ^ *ck];
    b[pearson[pearson[f[1] ^ a3] ^ a2]]++;
    b[pearson[pearson[f[2] ^ a3] ^ a1]]++;
    b[pearson[pearson[f[3] ^ a2] ^ a1]]++;
    b[pearson[pearson[f[4] ^ a2] ^ a0]]++;
    b[pearson[pearson[f[5] ^ a3] ^ a0]]++;
    b[pearson[pearson[f[6] ^ a1] ^ a0]]++;
}

void ws_tlsh_update(struct ws_tlsh *t, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint8_t w0 = t->window[0], w1 = t->window[1], w2 = t->window[2], w3 = t->window[3];
    uint64_t fed = t->len;
    uint8_t ck = t->checksum;
    struct first_tab ft;
    size_t i = 0;
    /* the first four bytes of the input only fill the window */
    for (; i < n && fed < 4; i++, fed++) {
        w0 = w1;
        w1 = w2;
        w2 = w3;
        w3 = p[i];
    }
    if (i < n) {
        fill_first(&ft);
        for (; i < n; i++) {
            uint8_t c = p[i];
            step(t->bucket, &ck, ft.row[c], w3, w2, w1, w0);
            w0 = w1;
            w1 = w2;
            w2 = w3;
            w3 = c;
        }
    }
    t->window[0] = w0;
    t->window[1] = w1;
    t->window[2] = w2;
    t->window[3] = w3;
    t->checksum = ck;
    t->len = t->len + n;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The reference's l_capturing: std::log on a float argument is the float
 * overload (logf), divided by double constants, floored. */
static uint8_t lcapture(uint32_t len)
{
    double lg = (double)logf((float)len);
    int i;
    if (len <= 656)
        i = (int)floor(lg / 0.4054651);
    else if (len <= 3199)
        i = (int)floor(lg / 0.26236426 - 8.72777);
    else
        i = (int)floor(lg / 0.095310180 - 62.5472);
    return (uint8_t)(i & 0xFF);
}

ws_status ws_tlsh_final(const struct ws_tlsh *t, struct ws_tlsh_digest *out)
{
    if (t->len > WS_TLSH_MAX_LEN)
        return WS_E_TOO_LARGE;
    if (t->len < WS_TLSH_MIN_LEN)
        return WS_E_UNSUPPORTED;
    uint32_t sorted[128];
    memcpy(sorted, t->bucket, sizeof sorted);
    qsort(sorted, 128, sizeof sorted[0], cmp_u32);
    /* the order statistics the reference's find_quartile selects */
    uint32_t q1 = sorted[31], q2 = sorted[63], q3 = sorted[95];
    if (q3 == 0)
        return WS_E_UNSUPPORTED;
    int nonzero = 0;
    for (int i = 0; i < 128; i++)
        nonzero += t->bucket[i] > 0;
    if (nonzero <= 64)
        return WS_E_UNSUPPORTED;

    struct ws_tlsh_digest d;
    memset(&d, 0, sizeof d);
    for (int i = 0; i < WS_TLSH_CODE; i++) {
        unsigned h = 0;
        for (int j = 0; j < 4; j++) {
            uint32_t k = t->bucket[4 * i + j];
            if (q3 < k)
                h += 3u << (j * 2);
            else if (q2 < k)
                h += 2u << (j * 2);
            else if (q1 < k)
                h += 1u << (j * 2);
        }
        d.code[i] = (uint8_t)h;
    }
    d.checksum = t->checksum;
    d.lvalue = lcapture((uint32_t)t->len);
    /* The reference computes (unsigned)((float)(q*100) / (float)q3) % 16,
     * with q*100 in unsigned int arithmetic (wraps only above 42M per bucket,
     * i.e. inputs > 4 GiB, which we refuse above). */
    d.q1ratio = (uint8_t)((unsigned)((float)(q1 * 100u) / (float)q3) % 16u);
    d.q2ratio = (uint8_t)((unsigned)((float)(q2 * 100u) / (float)q3) % 16u);
    *out = d;
    return WS_OK;
}

ws_status ws_tlsh_buf(const void *p, size_t n, struct ws_tlsh_digest *out)
{
    struct ws_tlsh t;
    ws_tlsh_init(&t);
    ws_tlsh_update(&t, p, n);
    return ws_tlsh_final(&t, out);
}

static uint8_t swapn(uint8_t b)
{
    return (uint8_t)((b >> 4) | (b << 4));
}

void ws_tlsh_format(const struct ws_tlsh_digest *d, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t raw[3 + WS_TLSH_CODE];
    raw[0] = swapn(d->checksum);
    raw[1] = swapn(d->lvalue);
    /* Q byte: Q1ratio is the low nibble of the reference's bitfield, and the
     * string form swaps nibbles, so Q1 comes first. */
    raw[2] = (uint8_t)((d->q1ratio << 4) | (d->q2ratio & 15));
    for (int i = 0; i < WS_TLSH_CODE; i++)
        raw[3 + i] = d->code[WS_TLSH_CODE - 1 - i];
    out[0] = 'T';
    out[1] = '1';
    for (size_t i = 0; i < sizeof raw; i++) {
        out[2 + 2 * i] = hex[raw[i] >> 4];
        out[3 + 2 * i] = hex[raw[i] & 15];
    }
    out[WS_TLSH_STRLEN] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

ws_status ws_tlsh_parse(const char *s, size_t n, struct ws_tlsh_digest *out)
{
    if (n == WS_TLSH_STRLEN && s[0] == 'T' && s[1] == '1') {
        s += 2;
        n -= 2;
    }
    if (n != WS_TLSH_STRLEN - 2)
        return WS_E_SYNTAX;
    uint8_t raw[3 + WS_TLSH_CODE];
    for (size_t i = 0; i < sizeof raw; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return WS_E_SYNTAX;
        raw[i] = (uint8_t)(hi << 4 | lo);
    }
    struct ws_tlsh_digest d;
    d.checksum = swapn(raw[0]);
    d.lvalue = swapn(raw[1]);
    d.q1ratio = (uint8_t)(raw[2] >> 4);
    d.q2ratio = (uint8_t)(raw[2] & 15);
    for (int i = 0; i < WS_TLSH_CODE; i++)
        d.code[i] = raw[3 + WS_TLSH_CODE - 1 - i];
    *out = d;
    return WS_OK;
}

static int mod_diff(int x, int y, int range)
{
    int dl = x > y ? x - y : y - x;
    int dr = range - dl;
    return dl < dr ? dl : dr;
}

/* Distance of two code bytes: four 2-bit pairs, |a-b| of 1, 2, 3 costs 1, 2, 6. */
int ws_tlsh_byte_diff(uint8_t a, uint8_t b)
{
    int d = 0;
    for (int s = 0; s < 8; s += 2) {
        int x = (a >> s) & 3, y = (b >> s) & 3;
        int e = x > y ? x - y : y - x;
        d += e == 3 ? 6 : e;
    }
    return d;
}

int ws_tlsh_distance(const struct ws_tlsh_digest *a, const struct ws_tlsh_digest *b, int with_len)
{
    int diff = 0;
    if (with_len) {
        int ld = mod_diff(a->lvalue, b->lvalue, 256);
        diff = ld <= 1 ? ld : ld * 12;
    }
    int q1 = mod_diff(a->q1ratio, b->q1ratio, 16);
    diff += q1 <= 1 ? q1 : (q1 - 1) * 12;
    int q2 = mod_diff(a->q2ratio, b->q2ratio, 16);
    diff += q2 <= 1 ? q2 : (q2 - 1) * 12;
    if (a->checksum != b->checksum)
        diff++;
    for (int i = 0; i < WS_TLSH_CODE; i++)
        diff += ws_tlsh_byte_diff(a->code[i], b->code[i]);
    return diff;
}

static int header_diff(const struct ws_tlsh_digest *a, const struct ws_tlsh_digest *b, int with_len)
{
    int diff = 0;
    if (with_len) {
        int ld = mod_diff(a->lvalue, b->lvalue, 256);
        diff = ld <= 1 ? ld : ld * 12;
    }
    int q1 = mod_diff(a->q1ratio, b->q1ratio, 16);
    diff += q1 <= 1 ? q1 : (q1 - 1) * 12;
    int q2 = mod_diff(a->q2ratio, b->q2ratio, 16);
    diff += q2 <= 1 ? q2 : (q2 - 1) * 12;
    return diff + (a->checksum != b->checksum);
}

int ws_tlsh_distance_table(const struct ws_tlsh_digest *a, const struct ws_tlsh_digest *b,
                           int with_len, const uint8_t *t)
{
    int diff = header_diff(a, b, with_len);
    for (int i = 0; i < WS_TLSH_CODE; i++)
        diff += t[a->code[i] * 256 + b->code[i]];
    return diff;
}
