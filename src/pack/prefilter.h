/*
 * prefilter.h - a literal prefilter that decides, in one cheap pass, whether a
 * YARA rule set can match a buffer at all.
 *
 * For a rule set whose every rule needs at least one hex string (the
 * built-in Kwampirs rules), a match implies that some 8-byte window of some
 * string occurs in the buffer. Every window free of wildcards is hashed into
 * a bitmap; the buffer is probed only at offsets that are multiples of 8. That
 * is sound when, for each string, every residue k mod 8 has a wildcard-free
 * window starting at some offset k' == k (mod 8): an occurrence at any offset
 * o covers an aligned probe position p with p - o == k' for one such window.
 * ws_prefilter_build() checks this and refuses (returns WS_E_UNSUPPORTED) a
 * rule set it cannot prove, which is then always scanned.
 *
 * Cost: one 64-bit load, multiply, shift and bit test per 8 bytes, versus
 * YARA's Aho-Corasick step per byte plus atom verification (x86 code is full
 * of the short atoms code signatures produce). A window hit is confirmed by
 * comparing the whole string (wildcards skipped) at the implied offset, so
 * the answer is exact: YARA runs only on files that hold one of the strings,
 * and decides the conditions. Immutable after build.
 */
#ifndef WS_PREFILTER_H
#define WS_PREFILTER_H

#include "core/compat.h"

#define WS_PREFILTER_BITS 16 /* 64 Ki-bit bitmap (8 KiB): stays in L1 */

struct ws_prefilter_window {
    uint64_t value;  /* the 8 bytes, loaded little-endian */
    uint32_t string; /* index into strings */
    uint32_t at;     /* offset of the window in its string */
};

struct ws_prefilter_string {
    uint8_t *bytes; /* with 0 where wild */
    uint8_t *wild;  /* 1 where the byte is a ?? wildcard */
    size_t len;
};

struct ws_prefilter {
    struct ws_prefilter_window *windows; /* sorted by value */
    size_t n;
    struct ws_prefilter_string *strings;
    size_t n_strings;
    uint64_t bitmap[(1u << WS_PREFILTER_BITS) / 64];
};

/* Parse the hex strings of YARA source (only { .. } hex strings with ??
 * wildcards are accepted) and build the filter. WS_E_UNSUPPORTED when the
 * source has anything the prefilter cannot reason about. */
WS_MUST_CHECK ws_status ws_prefilter_build(struct ws_prefilter *pf, const char *src, size_t len);
void ws_prefilter_release(struct ws_prefilter *pf);
/* 1 if some string of the rule set occurs in data (then run YARA): a window
 * found at an aligned position is confirmed by comparing its whole string. */
int ws_prefilter_may_match(const struct ws_prefilter *pf, const uint8_t *data, size_t len);

#endif
