/*
 * buf.c - see buf.h for the invariants. Growth doubles up to the cap, so
 * appends are amortised O(1) and a hostile producer cannot exceed max.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"

#define BUF_MAGIC 0x62756621u

/* Shared by every empty buffer; never written (alloc == 0 guards it). */
static const char empty_string[1] = "";

static void check(const struct ws_buf *b)
{
#ifndef NDEBUG
    assert(b->magic == BUF_MAGIC);
#endif
    (void)b;
}

void ws_buf_init(struct ws_buf *b, size_t max)
{
    b->data = (char *)empty_string;
    b->len = 0;
    b->alloc = 0;
    b->max = max ? max : 1;
#ifndef NDEBUG
    b->magic = BUF_MAGIC;
#endif
}

void ws_buf_release(struct ws_buf *b)
{
    if (!b)
        return;
    if (b->alloc)
        ws_free(b->data);
    b->data = (char *)empty_string;
    b->len = 0;
    b->alloc = 0;
}

void ws_buf_reset(struct ws_buf *b)
{
    check(b);
    b->len = 0;
    if (b->alloc)
        b->data[0] = '\0';
}

ws_status ws_buf_reserve(struct ws_buf *b, size_t n, char **out)
{
    check(b);
    size_t need;
    if (ws_add_size(b->len, n, &need) != WS_OK || ws_add_size(need, 1, &need) != WS_OK)
        return WS_E_TOO_LARGE;
    if (need > b->max)
        return WS_E_TOO_LARGE;
    if (need > b->alloc) {
        size_t na = b->alloc ? b->alloc : 64;
        while (na < need)
            na = na > b->max / 2 ? b->max : na * 2;
        char *p = b->alloc ? ws_realloc(b->data, na) : ws_malloc(na);
        if (!p)
            return WS_E_NOMEM;
        if (!b->alloc)
            p[0] = '\0';
        b->data = p;
        b->alloc = na;
    }
    *out = b->data + b->len;
    return WS_OK;
}

ws_status ws_buf_add(struct ws_buf *b, const void *p, size_t n)
{
    char *dst;
    ws_status st = ws_buf_reserve(b, n, &dst);
    if (st != WS_OK)
        return st;
    if (n)
        memcpy(dst, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return WS_OK;
}

ws_status ws_buf_addc(struct ws_buf *b, char c)
{
    return ws_buf_add(b, &c, 1);
}

ws_status ws_buf_adds(struct ws_buf *b, const char *s)
{
    return ws_buf_add(b, s, strlen(s));
}

ws_status ws_buf_vaddf(struct ws_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return WS_E_INVALID;
    char *dst;
    ws_status st = ws_buf_reserve(b, (size_t)n, &dst);
    if (st != WS_OK)
        return st;
    vsnprintf(dst, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return WS_OK;
}

ws_status ws_buf_addf(struct ws_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ws_status st = ws_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return st;
}

void ws_buf_truncate(struct ws_buf *b, size_t n)
{
    check(b);
    if (WS_NEVER(n > b->len))
        return;
    b->len = n;
    if (b->alloc)
        b->data[n] = '\0';
}

char *ws_buf_detach(struct ws_buf *b, size_t *len)
{
    check(b);
    char *r;
    if (b->alloc) {
        r = b->data;
    } else {
        r = ws_strdup("");
        if (!r)
            return NULL;
    }
    if (len)
        *len = b->len;
    b->data = (char *)empty_string;
    b->len = 0;
    b->alloc = 0;
    return r;
}
