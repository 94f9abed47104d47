/*
 * sink_json.c - NDJSON with Elastic Common Schema names, one object per line.
 *
 * A finding is first flattened into dotted key/values ("file.hash.md5"),
 * sorted, then written as nested objects: keys that share a prefix are
 * contiguous after sorting, so one pass opens and closes the objects. This
 * keeps the sink ignorant of detectors: a detector's extra ECS fields
 * (source.ip, winlog.record_id) nest like the built-in ones. Arrays (the
 * matched strings) are appended under "wormsign", which sorts last.
 *
 * Record shapes:
 *   detections: event.kind "alert", rule.*, file.* or log.file.path, host.name,
 *               threat.indicator.* for IOC hits, wormsign.evidence/matches/ioc
 *   errors:     event.kind "event", event.type "error", event.outcome "failure", error.*
 *   skips:      event.kind "event", event.type "info", event.action "skipped"
 *   summary:    event.kind "metric", event.action "summary", wormsign.summary.*
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/sink_impl.h"
#include "core/text.h"

/* Keys a record may carry: fixed ones plus fields and evidence. */
#define JSON_MAX_KEYS (48 + 2 * WS_MAX_EVIDENCE)

struct flat {
    struct ws_kv kv[JSON_MAX_KEYS];
    size_t n;
    char *owned[WS_MAX_EVIDENCE + 4]; /* keys we built ("wormsign.evidence.x") */
    size_t n_owned;
};

static void add_str(struct flat *fl, const char *key, const char *val)
{
    if (!val || fl->n >= JSON_MAX_KEYS)
        return;
    fl->kv[fl->n++] = (struct ws_kv){.key = key, .type = WS_KV_STR, .val = val, .len = strlen(val)};
}

static void add_strn(struct flat *fl, const char *key, const char *val, size_t len)
{
    if (!val || fl->n >= JSON_MAX_KEYS)
        return;
    fl->kv[fl->n++] = (struct ws_kv){.key = key, .type = WS_KV_STR, .val = val, .len = len};
}

static void add_int(struct flat *fl, const char *key, int64_t v)
{
    if (fl->n >= JSON_MAX_KEYS)
        return;
    fl->kv[fl->n++] = (struct ws_kv){.key = key, .type = WS_KV_INT, .num = v};
}

static void add_kv(struct flat *fl, const struct ws_kv *kv, const char *prefix)
{
    if (fl->n >= JSON_MAX_KEYS || !kv->key)
        return;
    struct ws_kv c = *kv;
    if (prefix) {
        if (fl->n_owned >= WS_ARRAY_LEN(fl->owned))
            return;
        size_t pl = strlen(prefix), kl = strlen(kv->key);
        char *k = ws_malloc(pl + kl + 1);
        if (!k)
            return;
        memcpy(k, prefix, pl);
        memcpy(k + pl, kv->key, kl + 1);
        fl->owned[fl->n_owned++] = k;
        c.key = k;
    }
    fl->kv[fl->n++] = c;
}

static int cmp_kv(const void *a, const void *b)
{
    const struct ws_kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    /* stable for duplicates: earlier wins (compare addresses) */
    return (x > y) - (x < y);
}

/* Number of leading dotted components that a and b share (objects only). */
static size_t common_components(const char *a, const char *b, size_t max)
{
    size_t n = 0, i = 0;
    while (n < max) {
        size_t j = i;
        while (a[j] && a[j] != '.' && a[j] == b[j])
            j++;
        if (a[j] != '.' || b[j] != '.')
            break;
        n++;
        i = j + 1;
    }
    return n;
}

static size_t count_dots(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

/* Open objects for components [from, to) of key; write into a small name buffer. */
static void open_components(struct ws_json *j, const char *key, size_t from, size_t to)
{
    size_t comp = 0;
    const char *p = key;
    while (comp < to) {
        const char *e = strchr(p, '.');
        if (!e)
            return;
        if (comp >= from) {
            char name[128];
            size_t l = (size_t)(e - p);
            if (l >= sizeof name)
                l = sizeof name - 1;
            memcpy(name, p, l);
            name[l] = '\0';
            ws_json_obj_begin(j, name);
        }
        comp++;
        p = e + 1;
    }
}

static const char *leaf(const char *key)
{
    const char *d = strrchr(key, '.');
    return d ? d + 1 : key;
}

static void write_nested(struct ws_json *j, struct flat *fl, size_t *open_depth, const char **last)
{
    qsort(fl->kv, fl->n, sizeof fl->kv[0], cmp_kv);
    for (size_t i = 0; i < fl->n; i++) {
        const struct ws_kv *kv = &fl->kv[i];
        if (*last && strcmp(*last, kv->key) == 0)
            continue; /* duplicate key: the first one wins */
        size_t depth = count_dots(kv->key);
        size_t keep = *last ? common_components(*last, kv->key, *open_depth) : 0;
        if (keep > depth)
            keep = depth;
        while (*open_depth > keep) {
            ws_json_obj_end(j);
            (*open_depth)--;
        }
        open_components(j, kv->key, keep, depth);
        *open_depth = depth;
        switch (kv->type) {
        case WS_KV_STR:
            ws_json_strn(j, leaf(kv->key), kv->val, kv->len);
            break;
        case WS_KV_INT:
            ws_json_i64(j, leaf(kv->key), kv->num);
            break;
        case WS_KV_BOOL:
            ws_json_bool(j, leaf(kv->key), kv->num != 0);
            break;
        }
        *last = kv->key;
    }
}

static const char *kind_name(enum ws_finding_kind k)
{
    return k == WS_FINDING_ALERT ? "alert" : "event";
}

static ws_status json_emit(struct ws_sink *s, const struct ws_finding *f, const char *host)
{
    struct flat fl;
    fl.n = 0;
    fl.n_owned = 0;
    char now[40], mtime[40];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ws_format_time(ts.tv_sec, ts.tv_nsec, now, sizeof now);

    add_str(&fl, "@timestamp", now);
    add_str(&fl, "event.kind", kind_name(f->kind));
    add_str(&fl, "event.module", "wormsign");
    add_str(&fl, "event.created", now);
    if (f->kind == WS_FINDING_ALERT) {
        add_int(&fl, "event.severity", f->severity);
        add_int(&fl, "event.risk_score", f->severity);
        add_str(&fl, "event.type", "indicator");
        add_str(&fl, "rule.id", f->rule_id);
        add_str(&fl, "rule.name", f->rule_name);
        add_str(&fl, "rule.ruleset", f->ruleset);
        add_str(&fl, "rule.description", f->description);
        add_str(&fl, "rule.reference", f->reference);
        add_str(&fl, "rule.category", f->pack);
    } else {
        add_str(&fl, "event.type", f->kind == WS_FINDING_ERROR ? "error" : "info");
        add_str(&fl, "event.action",
                f->kind == WS_FINDING_ERROR  ? "error"
                : f->kind == WS_FINDING_SKIP ? "skipped"
                                             : (f->rule_name ? f->rule_name : "info"));
        if (f->kind == WS_FINDING_ERROR)
            add_str(&fl, "event.outcome", "failure");
        if (f->error_code != WS_OK)
            add_str(&fl, "error.code", ws_status_str(f->error_code));
        if (f->kind == WS_FINDING_ERROR)
            add_str(&fl, "error.message", f->message);
        add_str(&fl, "rule.ruleset", f->ruleset);
        add_str(&fl, "rule.id", f->rule_id); /* which check reported it, when it says */
    }
    add_str(&fl, "message", f->message);
    add_str(&fl, "host.name", f->host ? f->host : host);

    int is_file = !f->source || strcmp(f->source, "file") == 0;
    add_str(&fl, "wormsign.source", f->source ? f->source : "file");
    if (f->path) {
        if (is_file) {
            add_strn(&fl, "file.path", f->path, f->path_len);
            size_t b = ws_path_base_off(f->path, f->path_len);
            add_strn(&fl, "file.name", f->path + b, f->path_len - b);
            if (b > 1)
                add_strn(&fl, "file.directory", f->path, b - 1);
        } else {
            add_strn(&fl, "log.file.path", f->path, f->path_len);
        }
    }
    if (f->has_size)
        add_int(&fl, is_file ? "file.size" : "wormsign.object.size", (int64_t)f->size);
    if (f->mtime != WS_TIME_UNKNOWN && is_file) {
        ws_format_time(f->mtime, 0, mtime, sizeof mtime);
        add_str(&fl, "file.mtime", mtime);
    }
    add_str(&fl, "file.hash.md5", f->md5);
    add_str(&fl, "file.hash.sha1", f->sha1);
    add_str(&fl, "file.hash.sha256", f->sha256);
    if (f->ioc_text) {
        if (is_file) /* other detectors name their indicator type in their fields */
            add_str(&fl, "threat.indicator.type", "file");
        add_str(&fl, "threat.indicator.description", f->ioc_text);
        add_str(&fl, "threat.feed.name", f->pack);
        add_str(&fl, "wormsign.ioc.text", f->ioc_text);
        add_str(&fl, "wormsign.ioc.file", f->ioc_file);
        if (f->ioc_line)
            add_int(&fl, "wormsign.ioc.line", (int64_t)f->ioc_line);
    }
    for (size_t i = 0; i < f->n_fields; i++)
        add_kv(&fl, &f->fields[i], NULL);
    for (size_t i = 0; i < f->n_evidence && i < WS_MAX_EVIDENCE; i++)
        add_kv(&fl, &f->evidence[i], "wormsign.evidence.");

    /* A name that is not clean UTF-8 was made lossy by escaping: keep its bytes as hex. */
    struct ws_buf hex;
    ws_buf_init(&hex, 2 * WS_MAX_PATH + 2);
    if (f->path && !ws_text_is_utf8(f->path, f->path_len) &&
        ws_text_hex(&hex, f->path, f->path_len) == WS_OK)
        add_strn(&fl, "wormsign.path_hex", hex.data, hex.len);

    struct ws_json j;
    ws_json_init(&j, &s->line);
    ws_json_obj_begin(&j, NULL);
    size_t depth = 0;
    const char *last = NULL;
    write_nested(&j, &fl, &depth, &last);
    if (f->n_matches) {
        /* descend to top-level "wormsign" (it sorts after every other top-level key) */
        if (!(last && strncmp(last, "wormsign.", 9) == 0 && depth >= 1)) {
            while (depth > 0) {
                ws_json_obj_end(&j);
                depth--;
            }
            ws_json_obj_begin(&j, "wormsign");
            depth = 1;
        }
        while (depth > 1) {
            ws_json_obj_end(&j);
            depth--;
        }
        ws_json_arr_begin(&j, "matches");
        for (size_t i = 0; i < f->n_matches; i++) {
            const struct ws_match *m = &f->matches[i];
            ws_json_obj_begin(&j, NULL);
            ws_json_str(&j, "identifier", m->ident ? m->ident : "");
            ws_json_u64(&j, "offset", m->offset);
            ws_json_u64(&j, "length", m->match_len);
            struct ws_buf mh;
            ws_buf_init(&mh, 4 * WS_MAX_MATCH_BYTES);
            if (ws_text_hex(&mh, m->data, m->len) == WS_OK)
                ws_json_strn(&j, "data_hex", mh.data, mh.len);
            ws_buf_release(&mh);
            ws_json_obj_end(&j);
        }
        ws_json_arr_end(&j);
    }
    while (depth > 0) {
        ws_json_obj_end(&j);
        depth--;
    }
    ws_json_obj_end(&j);
    ws_status st = ws_json_status(&j);
    ws_buf_release(&hex);
    for (size_t i = 0; i < fl.n_owned; i++)
        ws_free(fl.owned[i]);
    if (st != WS_OK) {
        ws_buf_reset(&s->line);
        return st;
    }
    st = ws_buf_addc(&s->line, '\n');
    if (st != WS_OK)
        return st;
    return ws_sink_flush_line(s);
}

static ws_status json_close(struct ws_sink *s, const struct ws_summary *sum, const char *host)
{
    char now[40], started[40];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ws_format_time(ts.tv_sec, ts.tv_nsec, now, sizeof now);
    ws_format_time(sum->started, 0, started, sizeof started);
    struct ws_json j;
    ws_json_init(&j, &s->line);
    ws_json_obj_begin(&j, NULL);
    ws_json_str(&j, "@timestamp", now);
    ws_json_obj_begin(&j, "event");
    ws_json_str(&j, "kind", "metric");
    ws_json_str(&j, "module", "wormsign");
    ws_json_str(&j, "action", "summary");
    ws_json_str(&j, "start", started);
    ws_json_str(&j, "end", now);
    ws_json_i64(&j, "duration", (int64_t)(sum->seconds * 1e9));
    ws_json_str(&j, "outcome", sum->complete ? "success" : "failure");
    ws_json_obj_end(&j);
    ws_json_obj_begin(&j, "host");
    ws_json_str(&j, "name", host);
    ws_json_obj_end(&j);
    ws_json_obj_begin(&j, "wormsign");
    ws_json_obj_begin(&j, "summary");
    ws_json_str(&j, "command", sum->command ? sum->command : "");
    ws_json_u64(&j, "objects", sum->objects);
    ws_json_u64(&j, "bytes", sum->bytes);
    ws_json_u64(&j, "alerts", sum->alerts);
    ws_json_u64(&j, "errors", sum->errors);
    ws_json_u64(&j, "skipped", sum->skipped);
    ws_json_i64(&j, "max_severity", sum->max_severity);
    ws_json_bool(&j, "complete", sum->complete);
    ws_json_i64(&j, "exit_code", ws_summary_exit_code(sum));
    ws_json_obj_end(&j);
    ws_json_obj_end(&j);
    ws_json_obj_end(&j);
    ws_status st = ws_json_status(&j);
    if (st == WS_OK)
        st = ws_buf_addc(&s->line, '\n');
    if (st == WS_OK)
        st = ws_sink_flush_line(s);
    fflush(s->out);
    return st;
}

static const struct ws_sink_ops json_ops = {json_emit, json_close};

ws_status ws_sink_json_new(FILE *out, unsigned flags, ws_sink **sink)
{
    return ws_sink_alloc(&json_ops, out, flags, sink);
}
