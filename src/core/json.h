/*
 * json.h - a streaming JSON writer into a ws_buf.
 *
 * Knows nothing about findings: it writes objects, arrays and scalars, puts
 * the commas, and escapes strings through ws_text_json(). Errors are sticky:
 * after the first failure (cap reached, nesting too deep) every call is a
 * no-op and ws_json_status() returns the first error, so callers may write a
 * whole record and check once. Thread rule: one thread at a time.
 */
#ifndef WS_JSON_H
#define WS_JSON_H

#include "core/buf.h"

/* Nesting depth of what we emit; our records are at most ~6 deep. */
#define WS_JSON_MAX_DEPTH 32

struct ws_json {
    struct ws_buf *out; /* borrowed */
    ws_status st;
    int depth;
    uint8_t first[WS_JSON_MAX_DEPTH]; /* 1 while the container at depth has no member yet */
};

void ws_json_init(struct ws_json *j, struct ws_buf *out);
ws_status ws_json_status(const struct ws_json *j);
/* key may be NULL inside arrays and at top level. */
void ws_json_obj_begin(struct ws_json *j, const char *key);
void ws_json_obj_end(struct ws_json *j);
void ws_json_arr_begin(struct ws_json *j, const char *key);
void ws_json_arr_end(struct ws_json *j);
void ws_json_str(struct ws_json *j, const char *key, const char *s);
void ws_json_strn(struct ws_json *j, const char *key, const void *p, size_t n);
void ws_json_u64(struct ws_json *j, const char *key, uint64_t v);
void ws_json_i64(struct ws_json *j, const char *key, int64_t v);
void ws_json_f64(struct ws_json *j, const char *key, double v);
void ws_json_bool(struct ws_json *j, const char *key, int v);
/* Write pre-serialised JSON text verbatim as the value (caller guarantees validity). */
void ws_json_raw(struct ws_json *j, const char *key, const char *raw, size_t n);

#endif
