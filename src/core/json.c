/*
 * json.c - streaming JSON writer (see json.h). Numbers are written with
 * integer formats only except ws_json_f64, which rejects NaN and infinities
 * (writing null instead) because JSON has no spelling for them.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "core/json.h"
#include "core/text.h"

void ws_json_init(struct ws_json *j, struct ws_buf *out)
{
    j->out = out;
    j->st = WS_OK;
    j->depth = 0;
    j->first[0] = 1;
}

ws_status ws_json_status(const struct ws_json *j)
{
    return j->st;
}

static void put(struct ws_json *j, const char *s, size_t n)
{
    if (j->st == WS_OK)
        j->st = ws_buf_add(j->out, s, n);
}

/* Comma and key for the next member of the current container. */
static void member(struct ws_json *j, const char *key)
{
    if (j->st != WS_OK)
        return;
    if (!j->first[j->depth])
        put(j, ",", 1);
    j->first[j->depth] = 0;
    if (key) {
        put(j, "\"", 1);
        if (j->st == WS_OK)
            j->st = ws_text_json(j->out, key, strlen(key));
        put(j, "\":", 2);
    }
}

static void open(struct ws_json *j, const char *key, char c)
{
    member(j, key);
    if (j->st != WS_OK)
        return;
    if (j->depth + 1 >= WS_JSON_MAX_DEPTH) {
        j->st = WS_E_TOO_LARGE;
        return;
    }
    put(j, &c, 1);
    j->first[++j->depth] = 1;
}

static void close_(struct ws_json *j, char c)
{
    if (j->st != WS_OK)
        return;
    if (WS_NEVER(j->depth == 0)) {
        j->st = WS_E_INVALID;
        return;
    }
    j->depth--;
    put(j, &c, 1);
}

void ws_json_obj_begin(struct ws_json *j, const char *key)
{
    open(j, key, '{');
}

void ws_json_obj_end(struct ws_json *j)
{
    close_(j, '}');
}

void ws_json_arr_begin(struct ws_json *j, const char *key)
{
    open(j, key, '[');
}

void ws_json_arr_end(struct ws_json *j)
{
    close_(j, ']');
}

void ws_json_strn(struct ws_json *j, const char *key, const void *p, size_t n)
{
    member(j, key);
    put(j, "\"", 1);
    if (j->st == WS_OK)
        j->st = ws_text_json(j->out, p, n);
    put(j, "\"", 1);
}

void ws_json_str(struct ws_json *j, const char *key, const char *s)
{
    ws_json_strn(j, key, s, strlen(s));
}

void ws_json_u64(struct ws_json *j, const char *key, uint64_t v)
{
    member(j, key);
    if (j->st == WS_OK)
        j->st = ws_buf_addf(j->out, "%" PRIu64, v);
}

void ws_json_i64(struct ws_json *j, const char *key, int64_t v)
{
    member(j, key);
    if (j->st == WS_OK)
        j->st = ws_buf_addf(j->out, "%" PRId64, v);
}

void ws_json_f64(struct ws_json *j, const char *key, double v)
{
    member(j, key);
    if (j->st != WS_OK)
        return;
    if (isfinite(v))
        j->st = ws_buf_addf(j->out, "%.6g", v);
    else
        put(j, "null", 4);
}

void ws_json_bool(struct ws_json *j, const char *key, int v)
{
    member(j, key);
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void ws_json_raw(struct ws_json *j, const char *key, const char *raw, size_t n)
{
    member(j, key);
    put(j, raw, n);
}
