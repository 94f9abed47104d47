/*
 * buf.h - growable byte buffer with a hard cap (curl dynbuf, git strbuf).
 *
 * Invariants after ws_buf_init():
 *   - data is never NULL (points at a static empty string until first growth);
 *   - data[len] == '\0' always, so a buffer is usable as a C string;
 *   - the contents are binary-safe (may hold NULs before len);
 *   - len < max; an append that would reach max returns WS_E_TOO_LARGE and
 *     leaves the buffer unchanged and valid.
 * Ownership: the buffer owns data; ws_buf_detach() hands it to the caller,
 * who frees it with ws_free(). Thread rule: one thread at a time.
 */
#ifndef WS_BUF_H
#define WS_BUF_H

#include <stdarg.h>

#include "core/compat.h"

struct ws_buf {
    char *data;
    size_t len;
    size_t alloc; /* 0 while data points at the static empty string */
    size_t max;   /* hard cap on len + 1 */
#ifndef NDEBUG
    unsigned magic;
#endif
};

void ws_buf_init(struct ws_buf *b, size_t max);
void ws_buf_release(struct ws_buf *b);
/* Empty the buffer but keep its memory. */
void ws_buf_reset(struct ws_buf *b);
WS_MUST_CHECK ws_status ws_buf_add(struct ws_buf *b, const void *p, size_t n);
WS_MUST_CHECK ws_status ws_buf_addc(struct ws_buf *b, char c);
WS_MUST_CHECK ws_status ws_buf_adds(struct ws_buf *b, const char *s);
WS_MUST_CHECK ws_status ws_buf_addf(struct ws_buf *b, const char *fmt, ...) WS_PRINTF(2, 3);
WS_MUST_CHECK ws_status ws_buf_vaddf(struct ws_buf *b, const char *fmt, va_list ap) WS_PRINTF(2, 0);
/* Make room for n more bytes without changing len; *out points at them. */
WS_MUST_CHECK ws_status ws_buf_reserve(struct ws_buf *b, size_t n, char **out);
/* Shorten to n bytes (n <= len). */
void ws_buf_truncate(struct ws_buf *b, size_t n);
/* Take the contents (NUL-terminated, owned: ws_free) and reset to empty. NULL on OOM. */
char *ws_buf_detach(struct ws_buf *b, size_t *len);

#endif
