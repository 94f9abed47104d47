/*
 * insdigest.h - the insertion-tolerant digest (see docs/variant-digest.md).
 *
 * A digest of a reference file R (length L) that recognises, exactly, every
 * file C equal to R with ONE run of k bytes (1 <= k <= max_insert) inserted
 * at any offset o: C = R[0..o) || X || R[o..L). It stores hashes only:
 * SHA-256(R), and polynomial hashes (mod 2^61-1) of R's head, tail and of
 * K+1 prefixes at evenly spaced checkpoints. A match is reported only after
 * SHA-256(C with the k bytes at o removed) == SHA-256(R): the decision is an
 * equality, not a threshold.
 *
 * Thread rule: digests and keys are plain values; every function is
 * reentrant.
 */
#ifndef WS_VARIANT_INSDIGEST_H
#define WS_VARIANT_INSDIGEST_H

#include "core/compat.h"

#define WS_INSD_VERSION 1
/* Checkpoints (segments) a digest stores: the window searched byte by byte
 * is one segment, L/16. 16 keeps the digest at 188 bytes. */
#define WS_INSD_K 16
#define WS_INSD_MAX_K 64
/* Head/tail gate lengths are powers of two from 2^5 to 2^12 bytes. */
#define WS_INSD_HLOG_MIN 5
#define WS_INSD_HLOG_MAX 12
#define WS_INSD_LEVELS (WS_INSD_HLOG_MAX - WS_INSD_HLOG_MIN + 1)
/* Smallest reference: the head and tail gates need L >= 2 * 32. */
#define WS_INSD_MIN_LEN 64
/* Largest reference (and candidate): keeps i * L / K inside 64 bits. */
#define WS_INSD_MAX_LEN (1ull << 48)
/* Binary size for K = 16, and its text form "W1:" + base64. */
#define WS_INSD_BIN_LEN(k) (4 + 8 + 32 + 16 + 8 * (size_t)(k))
/* A body digest (flag 1) appends the u32 number of header bytes skipped. */
#define WS_INSD_BIN_MAX (WS_INSD_BIN_LEN(WS_INSD_MAX_K) + 4)
#define WS_INSD_STR_MAX (3 + 4 * ((WS_INSD_BIN_MAX + 2) / 3))
/* Largest PE header size (SizeOfHeaders) a body digest skips: headers are
 * 0x400 or 0x1000 in practice; 64 KiB bounds a hostile value. */
#define WS_INSD_MAX_SKIP 65536
/* SHA-256 confirmations tried per (file, reference) pair before giving up:
 * each polynomial match that SHA-256 refutes is a 2^-61 accident or a crafted
 * file; this bounds the work (16 hashes of the file) such a file can cause. */
#define WS_INSD_MAX_VERIFY 16

struct ws_insdigest {
    uint32_t skip; /* 0: whole file; else a body digest of bytes [skip, size) */
    uint8_t k;     /* segments, 1..WS_INSD_MAX_K */
    uint8_t hlog;  /* head/tail gate length is 1 << hlog */
    uint64_t len;  /* L */
    uint8_t sha256[32];
    uint64_t head;                   /* P(R[0..h)) */
    uint64_t tail;                   /* P(R[L-h..L)) */
    uint64_t pre[WS_INSD_MAX_K + 1]; /* pre[i] = P(R[0..q_i)), q_i = i*L/k; pre[0] = 0 */
};

/* Gate keys of a candidate: P of its first and last 2^(lvl+5) bytes. */
struct ws_insd_keys {
    uint64_t head[WS_INSD_LEVELS];
    uint64_t tail[WS_INSD_LEVELS];
    unsigned have; /* bit lvl set when the file is long enough for that level */
};

struct ws_insd_match {
    uint64_t offset; /* o: where the inserted run starts in the candidate */
    uint64_t length; /* k */
};

/* Digest of a reference; WS_E_UNSUPPORTED if n < WS_INSD_MIN_LEN,
 * WS_E_TOO_LARGE above WS_INSD_MAX_LEN, WS_E_NOMEM if OpenSSL fails. */
WS_MUST_CHECK ws_status ws_insdigest_compute(const void *p, size_t n, struct ws_insdigest *out);
/* Body digest of a PE file: the W1 digest of p[skip..n), skip being the
 * PE's SizeOfHeaders, so that a variant whose headers were fixed up after
 * the insertion (checksum, section table) still matches on its body.
 * WS_E_UNSUPPORTED if p is not a PE with a usable SizeOfHeaders. */
WS_MUST_CHECK ws_status ws_insdigest_compute_body(const void *p, size_t n,
                                                  struct ws_insdigest *out);
/* SizeOfHeaders of a PE image (MZ, e_lfanew, "PE\0\0", optional header),
 * if 0 < it <= WS_INSD_MAX_SKIP and it leaves >= WS_INSD_MIN_LEN bytes. */
WS_MUST_CHECK ws_status ws_pe_header_size(const void *p, size_t n, uint32_t *out);

/* Text form into out (WS_INSD_STR_MAX + 1 bytes); returns its length. */
size_t ws_insdigest_format(const struct ws_insdigest *d, char *out);
/* Parse the text form of exactly n chars; WS_E_SYNTAX / WS_E_CORRUPT. */
WS_MUST_CHECK ws_status ws_insdigest_parse(const char *s, size_t n, struct ws_insdigest *out);

/* Gate level of a digest (hlog - WS_INSD_HLOG_MIN). */
static inline unsigned ws_insd_level(const struct ws_insdigest *d)
{
    return (unsigned)(d->hlog - WS_INSD_HLOG_MIN);
}

void ws_insd_keys_compute(const void *p, size_t n, struct ws_insd_keys *out);

/* Is C (p, n) R with one run of 1..max_insert bytes inserted? WS_OK and *m
 * on a match (m->offset is the smallest valid offset), WS_E_NOT_FOUND if
 * not, WS_E_NOMEM if OpenSSL fails. keys may be NULL (computed here). With
 * allow_identical, n == L and SHA-256 equality match with length 0. */
WS_MUST_CHECK ws_status ws_insdigest_match(const struct ws_insdigest *d, const void *p, size_t n,
                                           uint64_t max_insert, int allow_identical,
                                           const struct ws_insd_keys *keys,
                                           struct ws_insd_match *m);

#endif
