/*
 * tlsh.h - TLSH (Trend Micro Locality Sensitive Hash), our own C version.
 *
 * Produces the digests of the reference implementation (trendmicro/tlsh 4.x,
 * default build: 128 buckets, 1-byte checksum, window 5) in the "T1" string
 * form, and its distance. Checked against trendmicro's own test vectors in
 * tests/test-tlsh.c.
 *
 * Usage: ws_tlsh_init(); ws_tlsh_update() any number of times;
 * ws_tlsh_final() gives the digest, or WS_E_UNSUPPORTED when the input is too
 * short (< 50 bytes) or too uniform (half the buckets empty): the "TNULL"
 * case of the reference tool. The state is a plain struct owned by the
 * caller (no allocation); one thread at a time per state.
 */
#ifndef WS_VARIANT_TLSH_H
#define WS_VARIANT_TLSH_H

#include "core/compat.h"

#define WS_TLSH_BUCKETS 256 /* Pearson output range; 128 are used */
#define WS_TLSH_CODE 32     /* 128 buckets x 2 bits */
#define WS_TLSH_MIN_LEN 50  /* TLSH 4.x MIN_DATA_LENGTH */
#define WS_TLSH_STRLEN 72   /* "T1" + 70 hex digits */
/* The reference stores the length in an unsigned int. */
#define WS_TLSH_MAX_LEN 0xFFFFFFFFull

struct ws_tlsh {
    uint32_t bucket[WS_TLSH_BUCKETS];
    uint8_t window[4]; /* the last 4 bytes seen, window[3] most recent */
    uint8_t checksum;
    uint64_t len;
};

/* A finished digest in its binary form. */
struct ws_tlsh_digest {
    uint8_t checksum;
    uint8_t lvalue;
    uint8_t q1ratio;            /* 0..15 */
    uint8_t q2ratio;            /* 0..15 */
    uint8_t code[WS_TLSH_CODE]; /* code[i] covers buckets 4i..4i+3, as the reference's tmp_code */
};

void ws_tlsh_init(struct ws_tlsh *t);
void ws_tlsh_update(struct ws_tlsh *t, const void *p, size_t n);
/* WS_OK and *out, or WS_E_UNSUPPORTED (too short / too uniform), WS_E_TOO_LARGE (> 4 GiB). */
WS_MUST_CHECK ws_status ws_tlsh_final(const struct ws_tlsh *t, struct ws_tlsh_digest *out);
/* One call over a whole buffer. */
WS_MUST_CHECK ws_status ws_tlsh_buf(const void *p, size_t n, struct ws_tlsh_digest *out);

/* "T1" + 70 uppercase hex digits + NUL into out (WS_TLSH_STRLEN + 1 bytes). */
void ws_tlsh_format(const struct ws_tlsh_digest *d, char *out);
/* Parse "T1<70 hex>" (or the old 70-hex form without prefix) of exactly n chars. */
WS_MUST_CHECK ws_status ws_tlsh_parse(const char *s, size_t n, struct ws_tlsh_digest *out);

/* The reference distance (totalDiff); with_len adds the length component. */
int ws_tlsh_distance(const struct ws_tlsh_digest *a, const struct ws_tlsh_digest *b, int with_len);

/* Cost of one code byte pair (four 2-bit pairs: |d| 1, 2, 3 costs 1, 2, 6). */
int ws_tlsh_byte_diff(uint8_t a, uint8_t b);
/* ws_tlsh_distance with a precomputed table t[a * 256 + b] = ws_tlsh_byte_diff(a, b). */
int ws_tlsh_distance_table(const struct ws_tlsh_digest *a, const struct ws_tlsh_digest *b,
                           int with_len, const uint8_t *t);

#endif
