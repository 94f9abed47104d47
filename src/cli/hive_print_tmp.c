/*
 * hive_print_tmp.c - TEMPORARY: a minimal NDJSON / human printer of
 * struct ws_finding for `wormsign hive`, standing in for the lead's sinks.
 * DELETE AT MERGE (see hive_print_tmp.h). It writes the same ECS names as
 * the lead's sink_json.c for the keys the hive tests read: event.kind,
 * event.type, event.severity, rule.id, rule.name, rule.ruleset, error.code,
 * error.message, message, log.file.path, wormsign.source, the finding's
 * fields (registry.*) nested by their dots, and wormsign.evidence.*.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "hive_print_tmp.h"

#define MAX_KEYS 96

struct flat {
    struct ws_kv kv[MAX_KEYS];
    char *owned[MAX_KEYS];
    size_t n, n_owned;
};

static void add(struct flat *fl, const char *key, int type, const char *val, size_t len,
                int64_t num)
{
    if (fl->n >= MAX_KEYS || !key || (type == WS_KV_STR && !val))
        return;
    struct ws_kv kv = {key, (enum ws_kv_type)type, val, len, num};
    fl->kv[fl->n++] = kv;
}

static void add_s(struct flat *fl, const char *key, const char *val)
{
    if (val)
        add(fl, key, WS_KV_STR, val, strlen(val), 0);
}

static int cmp_kv(const void *a, const void *b)
{
    const struct ws_kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x > y) - (x < y);
}

/* Number of leading object components a and b share, at most max. */
static size_t common(const char *a, const char *b, size_t max)
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

static size_t dots(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '.';
    return n;
}

static void write_json(struct ws_json *j, struct flat *fl)
{
    qsort(fl->kv, fl->n, sizeof fl->kv[0], cmp_kv);
    size_t depth = 0;
    const char *last = NULL;
    ws_json_obj_begin(j, NULL);
    for (size_t i = 0; i < fl->n; i++) {
        const struct ws_kv *kv = &fl->kv[i];
        if (last && strcmp(last, kv->key) == 0)
            continue;
        size_t d = dots(kv->key);
        size_t keep = last ? common(last, kv->key, depth) : 0;
        if (keep > d)
            keep = d;
        for (; depth > keep; depth--)
            ws_json_obj_end(j);
        const char *p = kv->key;
        for (size_t c = 0; c < d; c++) {
            const char *e = strchr(p, '.');
            if (c >= keep) {
                char name[64];
                size_t l = (size_t)(e - p) < sizeof name ? (size_t)(e - p) : sizeof name - 1;
                memcpy(name, p, l);
                name[l] = '\0';
                ws_json_obj_begin(j, name);
            }
            p = e + 1;
        }
        depth = d;
        if (kv->type == WS_KV_STR)
            ws_json_strn(j, p, kv->val, kv->len);
        else if (kv->type == WS_KV_INT)
            ws_json_i64(j, p, kv->num);
        else
            ws_json_bool(j, p, kv->num != 0);
        last = kv->key;
    }
    for (; depth > 0; depth--)
        ws_json_obj_end(j);
    ws_json_obj_end(j);
}

static int print_json(FILE *out, const struct ws_finding *f)
{
    struct flat fl;
    fl.n = fl.n_owned = 0;
    int alert = f->kind == WS_FINDING_ALERT;
    add_s(&fl, "event.kind", alert ? "alert" : "event");
    add_s(&fl, "event.module", "wormsign");
    if (alert) {
        add(&fl, "event.severity", WS_KV_INT, NULL, 0, f->severity);
        add(&fl, "event.risk_score", WS_KV_INT, NULL, 0, f->severity);
        add_s(&fl, "event.type", "indicator");
        add_s(&fl, "rule.id", f->rule_id);
        add_s(&fl, "rule.name", f->rule_name);
        add_s(&fl, "rule.description", f->description);
        add_s(&fl, "rule.reference", f->reference);
        add_s(&fl, "rule.category", f->pack);
    } else {
        add_s(&fl, "event.type", f->kind == WS_FINDING_ERROR ? "error" : "info");
        add_s(&fl, "event.action",
              f->kind == WS_FINDING_ERROR  ? "error"
              : f->kind == WS_FINDING_SKIP ? "skipped"
                                           : (f->rule_name ? f->rule_name : "info"));
        if (f->kind == WS_FINDING_ERROR)
            add_s(&fl, "event.outcome", "failure");
        if (f->error_code != WS_OK)
            add_s(&fl, "error.code", ws_status_str(f->error_code));
        if (f->kind == WS_FINDING_ERROR)
            add_s(&fl, "error.message", f->message);
    }
    add_s(&fl, "rule.ruleset", f->ruleset);
    add_s(&fl, "message", f->message);
    add_s(&fl, "wormsign.source", f->source ? f->source : "file");
    add_s(&fl, "host.name", f->host);
    if (f->path)
        add(&fl, "log.file.path", WS_KV_STR, f->path, f->path_len, 0);
    for (size_t i = 0; i < f->n_fields; i++)
        add(&fl, f->fields[i].key, (int)f->fields[i].type, f->fields[i].val, f->fields[i].len,
            f->fields[i].num);
    for (size_t i = 0; i < f->n_evidence && fl.n_owned < MAX_KEYS; i++) {
        const struct ws_kv *e = &f->evidence[i];
        size_t kl = strlen(e->key);
        char *k = ws_malloc(kl + 19);
        if (!k)
            break;
        memcpy(k, "wormsign.evidence.", 18);
        memcpy(k + 18, e->key, kl + 1);
        fl.owned[fl.n_owned++] = k;
        add(&fl, k, (int)e->type, e->val, e->len, e->num);
    }
    struct ws_buf line;
    struct ws_json j;
    ws_buf_init(&line, 1u << 22);
    ws_json_init(&j, &line);
    write_json(&j, &fl);
    int rc = ws_json_status(&j) == WS_OK ? 0 : -1;
    if (rc == 0 && (fwrite(line.data, 1, line.len, out) != line.len || fputc('\n', out) == EOF))
        rc = -1;
    ws_buf_release(&line);
    for (size_t i = 0; i < fl.n_owned; i++)
        ws_free(fl.owned[i]);
    return rc;
}

static int print_human(FILE *out, const struct ws_finding *f)
{
    struct ws_buf b;
    ws_buf_init(&b, 1u << 20);
    ws_status st = WS_OK;
    const char *kind = f->kind == WS_FINDING_ALERT   ? "ALERT"
                       : f->kind == WS_FINDING_ERROR ? "ERROR"
                       : f->kind == WS_FINDING_SKIP  ? "SKIP"
                                                     : "INFO";
    st = ws_buf_addf(&b, "%-5s ", kind);
    if (st == WS_OK && f->kind == WS_FINDING_ALERT)
        st = ws_buf_addf(&b, "[%d] %s: ", f->severity, f->rule_name ? f->rule_name : "?");
    if (st == WS_OK && f->path)
        st = ws_text_human(&b, f->path, f->path_len);
    for (size_t i = 0; st == WS_OK && i < f->n_fields; i++) {
        if (strcmp(f->fields[i].key, "registry.path") == 0 && f->fields[i].type == WS_KV_STR) {
            st = ws_buf_adds(&b, " ");
            if (st == WS_OK)
                st = ws_text_human(&b, f->fields[i].val, f->fields[i].len);
        }
    }
    if (st == WS_OK && f->message) {
        st = ws_buf_adds(&b, ": ");
        if (st == WS_OK)
            st = ws_text_human(&b, f->message, strlen(f->message));
    }
    for (size_t i = 0; st == WS_OK && i < f->n_evidence && f->kind == WS_FINDING_ALERT; i++) {
        const struct ws_kv *e = &f->evidence[i];
        st = ws_buf_addf(&b, "\n      %s: ", e->key);
        if (st == WS_OK && e->type == WS_KV_STR)
            st = ws_text_human(&b, e->val, e->len);
        else if (st == WS_OK)
            st = ws_buf_addf(&b, "%lld", (long long)e->num);
    }
    int rc = st == WS_OK && fprintf(out, "%s\n", b.data) >= 0 ? 0 : -1;
    ws_buf_release(&b);
    return rc;
}

int hive_tmp_print(FILE *out, int json, const struct ws_finding *f)
{
    return json ? print_json(out, f) : print_human(out, f);
}
