/*
 * net_print_tmp.c - TEMPORARY. Minimal NDJSON and one-line human printers
 * for `wormsign net`, used only until the lead's sinks (sink.h) land in this
 * tree; the lead deletes this file at merge.
 *
 * NDJSON: one object per finding; dotted ECS names are nested ("source.ip"
 * -> {"source":{"ip":...}}), evidence goes under wormsign.evidence.*.
 */
#include "core/compat.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/text.h"
#include "net_print_tmp.h"

#define MAX_KEYS 160

struct item {
    char key[128];
    struct ws_kv kv; /* a copy: qsort moves items */
};

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->key, ((const struct item *)b)->key);
}

static void add(struct item *it, size_t *n, const char *prefix, const char *key,
                const struct ws_kv *kv)
{
    if (*n >= MAX_KEYS)
        return;
    snprintf(it[*n].key, sizeof it[*n].key, "%s%s", prefix, key);
    it[*n].kv = *kv;
    (*n)++;
}

static void add_str(struct item *it, size_t *n, const char *key, const char *v)
{
    if (!v || *n >= MAX_KEYS)
        return;
    struct ws_kv kv = {.key = key, .type = WS_KV_STR, .val = v, .len = strlen(v)};
    add(it, n, "", key, &kv);
}

static void add_strn(struct item *it, size_t *n, const char *key, const char *v, size_t len)
{
    if (!v || *n >= MAX_KEYS)
        return;
    struct ws_kv kv = {.key = key, .type = WS_KV_STR, .val = v, .len = len};
    add(it, n, "", key, &kv);
}

static void add_int(struct item *it, size_t *n, const char *key, int64_t v)
{
    if (*n >= MAX_KEYS)
        return;
    struct ws_kv kv = {.key = key, .type = WS_KV_INT, .num = v};
    add(it, n, "", key, &kv);
}

/* Number of leading dotted components a and b share. */
static size_t common(char parts_a[][64], size_t na, char parts_b[][64], size_t nb)
{
    size_t i = 0;
    while (i < na && i < nb && strcmp(parts_a[i], parts_b[i]) == 0)
        i++;
    return i;
}

static size_t split(const char *key, char parts[][64], size_t max)
{
    size_t n = 0;
    const char *p = key;
    while (*p && n < max) {
        const char *d = strchr(p, '.');
        size_t len = d ? (size_t)(d - p) : strlen(p);
        if (len > 63)
            len = 63;
        memcpy(parts[n], p, len);
        parts[n][len] = '\0';
        n++;
        if (!d)
            break;
        p = d + 1;
    }
    return n;
}

static const char *kind_name(enum ws_finding_kind k)
{
    switch (k) {
    case WS_FINDING_ALERT:
        return "alert";
    case WS_FINDING_ERROR:
        return "error";
    case WS_FINDING_SKIP:
        return "skip";
    default:
        return "info";
    }
}

static void print_json(struct net_print *pr, const struct ws_finding *f)
{
    static const size_t MAXP = 8;
    struct item *it = calloc(MAX_KEYS, sizeof *it);
    if (!it)
        return;
    size_t n = 0;
    char ts[64] = "";
    if (f->mtime != WS_TIME_UNKNOWN) {
        time_t t = (time_t)f->mtime;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    add_str(it, &n, "@timestamp", ts[0] ? ts : NULL);
    add_str(it, &n, "event.kind", kind_name(f->kind));
    add_str(it, &n, "event.module", f->ruleset);
    add_int(it, &n, "event.severity", f->severity);
    add_str(it, &n, "rule.id", f->rule_id);
    add_str(it, &n, "rule.name", f->rule_name);
    add_str(it, &n, "rule.description", f->description);
    add_str(it, &n, "rule.reference", f->reference);
    add_str(it, &n, "rule.ruleset", f->ruleset);
    add_str(it, &n, "host.name", f->host);
    add_str(it, &n, "wormsign.source", f->source);
    add_strn(it, &n, "file.path", f->path, f->path_len);
    add_str(it, &n, "file.hash.sha256", f->sha256);
    if (f->has_size)
        add_int(it, &n, "file.size", (int64_t)f->size);
    if (f->kind == WS_FINDING_ERROR || f->kind == WS_FINDING_SKIP || f->kind == WS_FINDING_INFO) {
        if (f->error_code)
            add_str(it, &n, "error.code", ws_status_str(f->error_code));
        add_str(it, &n, f->kind == WS_FINDING_INFO ? "message" : "error.message", f->message);
    } else {
        add_str(it, &n, "message", f->message);
    }
    for (size_t i = 0; i < f->n_fields; i++)
        add(it, &n, "", f->fields[i].key, &f->fields[i]);
    for (size_t i = 0; i < f->n_evidence; i++)
        add(it, &n, "wormsign.evidence.", f->evidence[i].key, &f->evidence[i]);
    qsort(it, n, sizeof *it, cmp_item);

    struct ws_buf b;
    ws_buf_init(&b, 1u << 24);
    struct ws_json j;
    ws_json_init(&j, &b);
    ws_json_obj_begin(&j, NULL);
    char prev[8][64];
    size_t nprev = 0;
    for (size_t i = 0; i < n; i++) {
        char cur[8][64];
        size_t ncur = split(it[i].key, cur, MAXP);
        if (ncur == 0)
            continue;
        size_t k = common(prev, nprev > 0 ? nprev - 1 : 0, cur, ncur - 1);
        for (size_t d = nprev > 0 ? nprev - 1 : 0; d > k; d--)
            ws_json_obj_end(&j);
        for (size_t d = k; d + 1 < ncur; d++)
            ws_json_obj_begin(&j, cur[d]);
        const struct ws_kv *kv = &it[i].kv;
        const char *leaf = cur[ncur - 1];
        if (kv->type == WS_KV_STR)
            ws_json_strn(&j, leaf, kv->val, kv->len);
        else if (kv->type == WS_KV_BOOL)
            ws_json_bool(&j, leaf, kv->num != 0);
        else
            ws_json_i64(&j, leaf, kv->num);
        memcpy(prev, cur, sizeof cur);
        nprev = ncur;
    }
    for (size_t d = nprev > 0 ? nprev - 1 : 0; d > 0; d--)
        ws_json_obj_end(&j);
    ws_json_obj_end(&j);
    if (ws_json_status(&j) == WS_OK)
        fprintf(pr->out, "%s\n", b.data);
    ws_buf_release(&b);
    free(it);
}

static void print_human(struct net_print *pr, const struct ws_finding *f)
{
    struct ws_buf b;
    ws_buf_init(&b, 1u << 20);
    const char *k = f->kind == WS_FINDING_ALERT   ? "ALERT"
                    : f->kind == WS_FINDING_ERROR ? "ERROR"
                    : f->kind == WS_FINDING_SKIP  ? "SKIP"
                                                  : "INFO";
    if (ws_buf_addf(&b, "%-5s [%3d] %s: ", k, f->severity, f->rule_id ? f->rule_id : "") ||
        (f->message && ws_text_human(&b, f->message, strlen(f->message))) ||
        (f->sha256 && ws_buf_addf(&b, " sha256=%s", f->sha256)) || ws_buf_adds(&b, " (") ||
        ws_text_human(&b, f->path, f->path_len) || ws_buf_adds(&b, ")")) {
        ws_buf_release(&b);
        return;
    }
    for (size_t i = 0; i < f->n_evidence; i++) {
        const struct ws_kv *kv = &f->evidence[i];
        if (kv->type != WS_KV_STR)
            continue;
        if (strcmp(kv->key, "binary_path") && strcmp(kv->key, "frames") &&
            strcmp(kv->key, "display_name"))
            continue;
        if (ws_buf_addf(&b, "\n      %s: ", kv->key) || ws_text_human(&b, kv->val, kv->len))
            break;
    }
    fprintf(pr->out, "%s\n", b.data);
    ws_buf_release(&b);
}

int net_print_emit(void *user, const struct ws_finding *f)
{
    struct net_print *pr = user;
    if (f->kind == WS_FINDING_ALERT)
        pr->alerts++;
    else if (f->kind == WS_FINDING_ERROR)
        pr->errors++;
    else
        pr->infos++;
    if (f->kind == WS_FINDING_ALERT && f->severity > pr->max_severity)
        pr->max_severity = f->severity;
    if (pr->json)
        print_json(pr, f);
    else
        print_human(pr, f);
    return 0;
}
