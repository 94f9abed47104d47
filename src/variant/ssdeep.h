/*
 * ssdeep.h - ssdeep (context-triggered piecewise hashing) through libfuzzy.
 *
 * Thin glue over Debian's libfuzzy (fuzzy_hash_buf, fuzzy_compare). Built
 * only when HAVE_FUZZY is set by CMake; otherwise every function returns
 * WS_E_UNSUPPORTED. Thread-safe (libfuzzy keeps no global state).
 */
#ifndef WS_VARIANT_SSDEEP_H
#define WS_VARIANT_SSDEEP_H

#include "core/compat.h"

/* FUZZY_MAX_RESULT of libfuzzy: 2 * 64 + 20 characters, plus the NUL. */
#define WS_SSDEEP_MAX 148

/* The ssdeep digest of a buffer ("bs:sig1:sig2") into out (WS_SSDEEP_MAX + 1). */
WS_MUST_CHECK ws_status ws_ssdeep_buf(const void *p, size_t n, char *out);
/* Score 0..100 of two digests; WS_E_SYNTAX if either is malformed. */
WS_MUST_CHECK ws_status ws_ssdeep_compare(const char *a, const char *b, int *score);
/* Check the syntax of a digest of n chars: "<blocksize>:<b64>:<b64>"; block size out. */
WS_MUST_CHECK ws_status ws_ssdeep_check(const char *s, size_t n, uint32_t *blocksize);

#endif
