/*
 * alloc.h - the one allocator of libwormsign.
 *
 * Every allocation goes through these functions so that tests can make the
 * Nth allocation fail (curl torture mode). The failure hook is per process
 * and only compiled in when WS_ALLOC_FAILPOINTS is defined (test builds).
 */
#ifndef WS_ALLOC_H
#define WS_ALLOC_H

#include <stddef.h>

void *ws_malloc(size_t n);
void *ws_calloc(size_t count, size_t size);
void *ws_realloc(void *p, size_t n);
void ws_free(void *p);
/* Copy of a NUL-terminated string, or of (p, n) plus a NUL. NULL on failure. */
char *ws_strdup(const char *s);
char *ws_memdup0(const void *p, size_t n);

/* Allocate an array of n elements of *p, checking n * sizeof *p (git ALLOC_ARRAY). */
#define WS_ALLOC_ARRAY(p, n) ((p) = ws_alloc_array((n), sizeof(*(p))))
void *ws_alloc_array(size_t n, size_t size);
/* Grow *p (of *cap elements of size) to hold at least need elements. */
int ws_grow_array(void **p, size_t *cap, size_t need, size_t size);
#define WS_GROW(p, cap, need) ws_grow_array((void **)&(p), &(cap), (need), sizeof(*(p)))

#define WS_FREE_AND_NULL(p)                                                                        \
    do {                                                                                           \
        ws_free(p);                                                                                \
        (p) = NULL;                                                                                \
    } while (0)

#ifdef WS_ALLOC_FAILPOINTS
/* Make allocation number n (1-based, counted from this call) fail; 0 disables. */
void ws_alloc_fail_at(unsigned long n);
/* Allocations counted since the last ws_alloc_fail_at(). */
unsigned long ws_alloc_count(void);
#endif

#endif
