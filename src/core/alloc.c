/*
 * alloc.c - allocation wrappers; the only file allowed to call malloc/free.
 *
 * In WS_ALLOC_FAILPOINTS builds an atomic counter lets tests fail the Nth
 * allocation. That counter is the single piece of mutable file-scope state in
 * the library and exists only in test builds.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

#ifdef WS_ALLOC_FAILPOINTS
#include <stdatomic.h>
static atomic_ulong alloc_count;   /* checksrc: allow (test builds only) */
static atomic_ulong alloc_fail_at; /* checksrc: allow (test builds only) */

void ws_alloc_fail_at(unsigned long n)
{
    atomic_store(&alloc_count, 0);
    atomic_store(&alloc_fail_at, n);
}

unsigned long ws_alloc_count(void)
{
    return atomic_load(&alloc_count);
}

static int should_fail(void)
{
    unsigned long n = atomic_fetch_add(&alloc_count, 1) + 1;
    unsigned long at = atomic_load(&alloc_fail_at);
    return at != 0 && n == at;
}
#else
static int should_fail(void)
{
    return 0;
}
#endif

void *ws_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *ws_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *ws_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

void ws_free(void *p)
{
    free(p);
}

char *ws_memdup0(const void *p, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *d = ws_malloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

char *ws_strdup(const char *s)
{
    return ws_memdup0(s, strlen(s));
}

void *ws_alloc_array(size_t n, size_t size)
{
    size_t total;
    if (ws_mul_size(n, size, &total) != WS_OK)
        return NULL;
    return ws_malloc(total);
}

int ws_grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    size_t bytes;
    if (ws_mul_size(ncap, size, &bytes) != WS_OK)
        return -1;
    void *np = ws_realloc(*p, bytes);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}
