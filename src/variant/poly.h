/*
 * poly.h - polynomial string hashing modulo the Mersenne prime 2^61 - 1.
 *
 * P(s) = sum s[i] * X^(n-1-i) mod (2^61 - 1), computed by Horner's rule.
 * It is linear, so the hash of a concatenation is P(a) * X^|b| + P(b), and
 * the hash of any substring follows from two prefix values. The insertion-
 * tolerant digest (insdigest.c) uses that to test every candidate insertion
 * offset in O(1). It is NOT collision resistant against a chosen input:
 * every match it suggests is confirmed with SHA-256.
 *
 * Values are always reduced to [0, 2^61 - 1). No state; thread-safe.
 */
#ifndef WS_VARIANT_POLY_H
#define WS_VARIANT_POLY_H

#include "core/compat.h"

#define WS_POLY_P ((uint64_t)0x1FFFFFFFFFFFFFFFull) /* 2^61 - 1 */
/* The base: a fixed random-looking value below P (from the digits of pi). */
#define WS_POLY_X ((uint64_t)0x043F6A8885A308D3ull)

__extension__ typedef unsigned __int128 ws_u128;

static inline uint64_t ws_poly_reduce(ws_u128 v)
{
    /* v < 2^122: fold the high bits twice (2^61 == 1 mod P). */
    uint64_t lo = (uint64_t)(v & WS_POLY_P);
    uint64_t hi = (uint64_t)(v >> 61);
    uint64_t r = lo + (hi & WS_POLY_P) + (hi >> 61);
    r = (r & WS_POLY_P) + (r >> 61);
    if (r >= WS_POLY_P)
        r -= WS_POLY_P;
    return r;
}

static inline uint64_t ws_poly_mul(uint64_t a, uint64_t b)
{
    return ws_poly_reduce((ws_u128)a * b);
}

static inline uint64_t ws_poly_add(uint64_t a, uint64_t b)
{
    uint64_t r = a + b; /* both < 2^61: no overflow */
    return r >= WS_POLY_P ? r - WS_POLY_P : r;
}

static inline uint64_t ws_poly_sub(uint64_t a, uint64_t b)
{
    return a >= b ? a - b : a + WS_POLY_P - b;
}

static inline uint64_t ws_poly_pow(uint64_t base, uint64_t e)
{
    uint64_t r = 1;
    while (e) { /* at most 64 passes */
        if (e & 1)
            r = ws_poly_mul(r, base);
        base = ws_poly_mul(base, base);
        e >>= 1;
    }
    return r;
}

/* X^-1 mod P by Fermat (P is prime). */
static inline uint64_t ws_poly_xinv(void)
{
    return ws_poly_pow(WS_POLY_X, WS_POLY_P - 2);
}

/* Continue h over p[0..n): returns h * X^n + P(p[0..n)). */
static inline uint64_t ws_poly_update(uint64_t h, const uint8_t *p, size_t n)
{
    /* Horner with a lazily reduced accumulator: h*X + c < 2^61 * 2^59 + 2^8
     * fits 128 bits, and reduce() accepts anything below 2^122. */
    for (size_t i = 0; i < n; i++)
        h = ws_poly_reduce((ws_u128)h * WS_POLY_X + p[i]);
    return h;
}

#endif
