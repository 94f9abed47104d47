/*
 * compat.h - included first by every .c file of libwormsign.
 *
 * Feature-test macros, the few compiler builtins we use, and the status
 * plumbing (WS_TRY). Nothing here allocates or holds state.
 */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* O_NOATIME, openat/fdopendir, getline, memmem */
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <assert.h>

#include "wormsign/status.h"

#if defined(__GNUC__)
#define WS_LIKELY(x) __builtin_expect(!!(x), 1)
#define WS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define WS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define WS_UNUSED __attribute__((unused))
#else
#define WS_LIKELY(x) (x)
#define WS_UNLIKELY(x) (x)
#define WS_PRINTF(f, a)
#define WS_UNUSED
#endif

/* Store the status of expr in `st` and jump to `out` unless it is WS_OK.
 * The one macro that hides control flow (YARA GOTO_EXIT_ON_ERROR). */
#define WS_TRY(expr)                                                                               \
    do {                                                                                           \
        st = (expr);                                                                               \
        if (st != WS_OK)                                                                           \
            goto out;                                                                              \
    } while (0)

/* Conditions that cannot happen but must stay safe in release builds
 * (SQLite ALWAYS/NEVER): assert in debug, plain test in release. */
#ifndef NDEBUG
#define WS_ALWAYS(x) (assert(x), 1)
#define WS_NEVER(x) (assert(!(x)), 0)
#else
#define WS_ALWAYS(x) (x)
#define WS_NEVER(x) (x)
#endif

#define WS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Overflow-checked size arithmetic for values derived from input (git st_add). */
static inline ws_status ws_add_size(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return WS_E_OVERFLOW;
    *out = a + b;
    return WS_OK;
}

static inline ws_status ws_mul_size(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return WS_E_OVERFLOW;
    *out = a * b;
    return WS_OK;
}

#endif
