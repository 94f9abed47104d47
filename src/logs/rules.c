/*
 * rules.c - parsing and matching event rules (format: docs/event-rules.md).
 *
 * Parsing is line by line with one block open at a time. A problem marks
 * the open block bad: it is reported once (file, line, what) and dropped,
 * and the lines up to the next `rule =` / `detector =` are skipped. So one
 * typo costs one rule, never the file.
 *
 * Matching is a plain walk: rules x groups x conditions, each condition a
 * lookup of the field (System names first, then EventData/UserData names)
 * and one comparison. Rules are few (tens); an event has tens of fields.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "core/lines.h"
#include "core/text.h"
#include "logs/rules.h"
#include "pack/pack_impl.h"

struct ws_event_rules {
    struct ws_event_rule *rules;
    size_t n, cap;
    struct ws_event_detector *det;
    size_t n_det, cap_det;
};

/* ---------------------------------------------------------------------------
 * Freeing
 * ------------------------------------------------------------------------- */

static void free_cond(struct ws_rule_cond *c)
{
    for (size_t i = 0; i < c->n_fields; i++)
        ws_free(c->fields[i]);
    ws_free(c->fields);
    ws_free(c->value);
    if (c->re)
        pcre2_code_free((pcre2_code *)c->re);
    for (size_t i = 0; i < c->n_set; i++)
        ws_free(c->set[i]);
    ws_free(c->set);
    memset(c, 0, sizeof *c);
}

static void free_rule(struct ws_event_rule *r)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        for (size_t i = 0; i < r->g[g].n; i++)
            free_cond(&r->g[g].c[i]);
        ws_free(r->g[g].c);
    }
    ws_free(r->g);
    memset(r, 0, sizeof *r);
}

void ws_event_rules_free(struct ws_event_rules *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_rule(&s->rules[i]);
    ws_free(s->rules);
    ws_free(s->det);
    ws_free(s);
}

/* ---------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------- */

enum block { B_NONE, B_RULE, B_DET, B_BAD };

struct parser {
    struct ws_pack *p;
    struct ws_event_rules *s;
    const char *file;
    ws_emit_fn emit;
    void *user;
    enum block b;
    struct ws_event_rule rule;
    struct ws_event_detector det;
    size_t added;
};

static const char *pstr(struct parser *ps, const char *s, size_t n)
{
    return ws_pack_strdup(ps->p, s, n);
}

static void bad(struct parser *ps, uint64_t line, const char *what, const char *s, size_t n)
{
    ws_pack_emit_error(ps->emit, ps->user, ps->file, line, WS_E_SYNTAX, "event rule: %s%s%.*s",
                       what, n ? ": " : "", (int)(n > 200 ? 200 : n), s ? s : "");
    if (ps->b == B_RULE)
        free_rule(&ps->rule);
    ps->b = B_BAD;
}

static int id_ok(const char *s, size_t n)
{
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == ':'))
            return 0;
    }
    return 1;
}

/* Close the open block: validate and keep it. */
static ws_status finish(struct parser *ps, uint64_t line)
{
    if (ps->b == B_RULE) {
        struct ws_event_rule *r = &ps->rule;
        if (r->n_groups == 0 || r->g[r->n_groups - 1].n == 0) {
            bad(ps, r->line, "rule has no match line (or ends with 'or')", r->id, strlen(r->id));
            ps->b = B_NONE;
            return WS_OK;
        }
        if (ps->s->n >= WS_MAX_EVENT_RULES) {
            bad(ps, r->line, "too many event rules", NULL, 0);
            ps->b = B_NONE;
            return WS_OK;
        }
        if (!r->name)
            r->name = r->id;
        if (WS_GROW(ps->s->rules, ps->s->cap, ps->s->n + 1) != 0)
            return WS_E_NOMEM;
        ps->s->rules[ps->s->n++] = *r;
        memset(r, 0, sizeof *r);
        ps->added++;
    } else if (ps->b == B_DET) {
        struct ws_event_detector *d = &ps->det;
        if (d->kind == 0) {
            bad(ps, d->line, "detector has no kind", d->id, strlen(d->id));
            ps->b = B_NONE;
            return WS_OK;
        }
        if (!d->name)
            d->name = d->id;
        if (ps->s->n_det >= WS_MAX_EVENT_RULES) {
            bad(ps, d->line, "too many detectors", NULL, 0);
            ps->b = B_NONE;
            return WS_OK;
        }
        if (WS_GROW(ps->s->det, ps->s->cap_det, ps->s->n_det + 1) != 0)
            return WS_E_NOMEM;
        ps->s->det[ps->s->n_det++] = *d;
        ps->added++;
    }
    (void)line;
    ps->b = B_NONE;
    return WS_OK;
}

static int next_token(const char **s, size_t *n, const char **tok, size_t *tn)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    size_t k = 0;
    while (k < *n && (*s)[k] != ' ' && (*s)[k] != '\t')
        k++;
    if (k == 0)
        return 0;
    *tok = *s;
    *tn = k;
    *s += k;
    *n -= k;
    return 1;
}

static int tok_is(const char *t, size_t n, const char *w)
{
    return strlen(w) == n && strncasecmp(t, w, n) == 0;
}

static const struct {
    const char *name;
    enum ws_rule_op op;
} ops[] = {
    {"equals", WS_OP_EQUALS},         {"iequals", WS_OP_IEQUALS},
    {"contains", WS_OP_CONTAINS},     {"icontains", WS_OP_ICONTAINS},
    {"startswith", WS_OP_STARTSWITH}, {"istartswith", WS_OP_ISTARTSWITH},
    {"endswith", WS_OP_ENDSWITH},     {"iendswith", WS_OP_IENDSWITH},
    {"regex", WS_OP_REGEX},           {"in", WS_OP_IN_SET},
};

static const struct {
    const char *name;
    enum ws_rule_list list;
} lists[] = {
    {"@services.name", WS_LIST_SERVICE_NAME},
    {"@services.display", WS_LIST_SERVICE_DISPLAY},
    {"@services.path", WS_LIST_SERVICE_PATH},
    {"@recon", WS_LIST_RECON},
};

/* Split s on '|' into an owned array (empty parts are errors). */
static ws_status split_bar(const char *s, size_t n, size_t max, char ***out, size_t *count, int *ok)
{
    char **v = NULL;
    size_t k = 0, cap = 0;
    *ok = 1;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '|')
            continue;
        size_t len = i - start;
        if (len == 0 || k >= max) {
            *ok = 0;
            break;
        }
        if (WS_GROW(v, cap, k + 1) != 0 || !(v[k] = ws_memdup0(s + start, len))) {
            for (size_t j = 0; j < k; j++)
                ws_free(v[j]);
            ws_free(v);
            return WS_E_NOMEM;
        }
        k++;
        start = i + 1;
    }
    if (!*ok) {
        for (size_t j = 0; j < k; j++)
            ws_free(v[j]);
        ws_free(v);
        v = NULL;
        k = 0;
    }
    *out = v;
    *count = k;
    return WS_OK;
}

static ws_status parse_match(struct parser *ps, uint64_t line, const char *s, size_t n)
{
    struct ws_event_rule *r = &ps->rule;
    const char *ftok, *otok;
    size_t fn, on;
    struct ws_rule_cond c;
    memset(&c, 0, sizeof c);
    int ok;
    ws_status st = WS_OK;
    if (!next_token(&s, &n, &ftok, &fn) || !next_token(&s, &n, &otok, &on)) {
        bad(ps, line, "match needs FIELD OP VALUE", NULL, 0);
        return WS_OK;
    }
    if (tok_is(otok, on, "not")) {
        c.negate = 1;
        if (!next_token(&s, &n, &otok, &on)) {
            bad(ps, line, "match needs an operator after 'not'", NULL, 0);
            return WS_OK;
        }
    }
    size_t oi = 0;
    while (oi < WS_ARRAY_LEN(ops) && !tok_is(otok, on, ops[oi].name))
        oi++;
    if (oi == WS_ARRAY_LEN(ops)) {
        bad(ps, line, "unknown operator", otok, on);
        return WS_OK;
    }
    c.op = ops[oi].op;
    ws_trim(&s, &n);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    } else if (n == 0) {
        bad(ps, line, "match has no value (write \"\" for the empty string)", NULL, 0);
        return WS_OK;
    }
    WS_TRY(split_bar(ftok, fn, WS_MAX_RULE_ALTS, &c.fields, &c.n_fields, &ok));
    if (!ok) {
        bad(ps, line, "bad field list", ftok, fn);
        goto out;
    }
    if (!(c.value = ws_memdup0(s, n))) {
        st = WS_E_NOMEM;
        goto out;
    }
    c.len = n;
    if (c.op == WS_OP_IN_SET && n && s[0] == '@') {
        size_t li = 0;
        while (li < WS_ARRAY_LEN(lists) && !tok_is(s, n, lists[li].name))
            li++;
        if (li == WS_ARRAY_LEN(lists)) {
            bad(ps, line,
                "unknown list (known: @services.name, @services.display, "
                "@services.path, @recon)",
                s, n);
            goto out;
        }
        c.op = WS_OP_IN_LIST;
        c.list = lists[li].list;
    } else if (c.op == WS_OP_IN_SET) {
        WS_TRY(split_bar(s, n, WS_MAX_RULE_SET, &c.set, &c.n_set, &ok));
        if (!ok) {
            bad(ps, line, "bad value list (a|b|c, at most 256)", s, n);
            goto out;
        }
    } else if (c.op == WS_OP_REGEX) {
        int err;
        PCRE2_SIZE eoff;
        c.re = pcre2_compile((PCRE2_SPTR)s, n, 0, &err, &eoff, NULL);
        if (!c.re) {
            PCRE2_UCHAR msg[160];
            pcre2_get_error_message(err, msg, sizeof msg);
            bad(ps, line, "regex does not compile", (const char *)msg, strlen((const char *)msg));
            goto out;
        }
    }
    struct ws_rule_group *g = &r->g[r->n_groups - 1];
    if (g->n >= WS_MAX_RULE_CONDS) {
        bad(ps, line, "too many match lines in one group", NULL, 0);
        goto out;
    }
    if (WS_GROW(g->c, g->cap, g->n + 1) != 0) {
        st = WS_E_NOMEM;
        goto out;
    }
    g->c[g->n++] = c;
    return WS_OK;
out:
    free_cond(&c);
    return st;
}

static ws_status new_group(struct ws_event_rule *r)
{
    if (WS_GROW(r->g, r->cap_groups, r->n_groups + 1) != 0)
        return WS_E_NOMEM;
    memset(&r->g[r->n_groups], 0, sizeof r->g[0]);
    r->n_groups++;
    return WS_OK;
}

static int parse_int(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    const char *e = s + n;
    const char *q = s;
    if (ws_parse_u64(&q, e, max, out) != WS_OK || q != e)
        return 0;
    return 1;
}

static ws_status parse_line(struct parser *ps, uint64_t line, const char *s, size_t n)
{
    const char *key = s;
    size_t kn = 0;
    while (kn < n && s[kn] != ' ' && s[kn] != '\t' && s[kn] != '=')
        kn++;
    const char *v = s + kn;
    size_t vn = n - kn;
    ws_trim(&v, &vn);
    if (vn && v[0] == '=') {
        v++;
        vn--;
        ws_trim(&v, &vn);
    }
    if (tok_is(key, kn, "rule") || tok_is(key, kn, "detector")) {
        ws_status fs = finish(ps, line);
        if (fs != WS_OK)
            return fs;
        if (!id_ok(v, vn)) {
            ps->b = B_NONE;
            bad(ps, line, "bad id (letters, digits, . _ - :)", v, vn);
            return WS_OK;
        }
        const char *id = pstr(ps, v, vn);
        if (!id)
            return WS_E_NOMEM;
        if (tok_is(key, kn, "rule")) {
            memset(&ps->rule, 0, sizeof ps->rule);
            ps->rule.id = id;
            ps->rule.file = ps->file;
            ps->rule.pack = ps->p->current_pack;
            ps->rule.line = line;
            ps->rule.severity = 50;
            ps->b = B_RULE;
            return new_group(&ps->rule);
        }
        memset(&ps->det, 0, sizeof ps->det);
        ps->det.id = id;
        ps->det.file = ps->file;
        ps->det.pack = ps->p->current_pack;
        ps->det.line = line;
        ps->det.severity = 70;
        ps->det.severity_low = 50;
        ps->det.window = 300;
        ps->det.threshold = 3;
        ps->b = B_DET;
        return WS_OK;
    }
    if (ps->b == B_BAD)
        return WS_OK;
    if (ps->b == B_NONE) {
        bad(ps, line, "line outside a rule or detector block", s, n);
        return WS_OK;
    }
    const char **text = NULL;
    if (tok_is(key, kn, "name"))
        text = ps->b == B_RULE ? &ps->rule.name : &ps->det.name;
    else if (tok_is(key, kn, "description"))
        text = ps->b == B_RULE ? &ps->rule.description : &ps->det.description;
    else if (tok_is(key, kn, "reference"))
        text = ps->b == B_RULE ? &ps->rule.reference : &ps->det.reference;
    if (text) {
        if (!(*text = pstr(ps, v, vn)))
            return WS_E_NOMEM;
        return WS_OK;
    }
    uint64_t num;
    if (tok_is(key, kn, "severity") || tok_is(key, kn, "severity_low")) {
        if (!parse_int(v, vn, 100, &num)) {
            bad(ps, line, "severity must be 0..100", v, vn);
            return WS_OK;
        }
        if (ps->b == B_RULE && tok_is(key, kn, "severity"))
            ps->rule.severity = (int)num;
        else if (ps->b == B_DET && tok_is(key, kn, "severity"))
            ps->det.severity = (int)num;
        else if (ps->b == B_DET)
            ps->det.severity_low = (int)num;
        else
            bad(ps, line, "severity_low is a detector key", NULL, 0);
        return WS_OK;
    }
    if (ps->b == B_RULE) {
        if (tok_is(key, kn, "match"))
            return parse_match(ps, line, v, vn);
        if (tok_is(key, kn, "or")) {
            if (vn || ps->rule.g[ps->rule.n_groups - 1].n == 0) {
                bad(ps, line, "'or' stands alone, between two groups of match lines", NULL, 0);
                return WS_OK;
            }
            if (ps->rule.n_groups >= WS_MAX_RULE_GROUPS) {
                bad(ps, line, "too many 'or' groups", NULL, 0);
                return WS_OK;
            }
            return new_group(&ps->rule);
        }
        if (tok_is(key, kn, "level")) {
            if (tok_is(v, vn, "info"))
                ps->rule.info = 1;
            else if (tok_is(v, vn, "alert"))
                ps->rule.info = 0;
            else
                bad(ps, line, "level is alert or info", v, vn);
            return WS_OK;
        }
    } else {
        if (tok_is(key, kn, "kind")) {
            if (tok_is(v, vn, "recon-burst"))
                ps->det.kind = WS_DET_RECON_BURST;
            else if (tok_is(v, vn, "lateral-movement"))
                ps->det.kind = WS_DET_LATERAL;
            else
                bad(ps, line, "unknown detector kind (recon-burst, lateral-movement)", v, vn);
            return WS_OK;
        }
        if (tok_is(key, kn, "window")) {
            if (!parse_int(v, vn, 7 * 86400, &num) || num == 0)
                bad(ps, line, "window is 1..604800 seconds", v, vn);
            else
                ps->det.window = (int64_t)num;
            return WS_OK;
        }
        if (tok_is(key, kn, "threshold")) {
            if (!parse_int(v, vn, 1000, &num) || num == 0)
                bad(ps, line, "threshold is 1..1000", v, vn);
            else
                ps->det.threshold = num;
            return WS_OK;
        }
    }
    bad(ps, line, "unknown key", key, kn);
    return WS_OK;
}

ws_status ws_event_rules_load(struct ws_pack *p, const char *file, const char *data, size_t len,
                              ws_emit_fn emit, void *user, size_t *added)
{
    struct parser ps;
    memset(&ps, 0, sizeof ps);
    ws_status st = WS_OK;
    if (!p->event_rules) {
        p->event_rules = ws_calloc(1, sizeof *p->event_rules);
        if (!p->event_rules)
            return WS_E_NOMEM;
    }
    ps.p = p;
    ps.s = p->event_rules;
    ps.file = ws_pack_strdup(p, file, strlen(file));
    if (!ps.file)
        return WS_E_NOMEM;
    ps.emit = emit;
    ps.user = user;
    struct ws_lines it;
    const char *line;
    size_t n;
    ws_lines_init(&it, data, len);
    while (ws_lines_next(&it, &line, &n)) {
        ws_trim(&line, &n);
        if (n == 0 || line[0] == '#')
            continue;
        if (n > WS_MAX_RULE_LINE) {
            bad(&ps, it.lineno, "line too long", NULL, 0);
            continue;
        }
        if (memchr(line, '\0', n)) {
            bad(&ps, it.lineno, "NUL byte in line", NULL, 0);
            continue;
        }
        WS_TRY(parse_line(&ps, it.lineno, line, n));
    }
    WS_TRY(finish(&ps, it.lineno));
    *added = ps.added;
out:
    if (ps.b == B_RULE)
        free_rule(&ps.rule);
    return st;
}

size_t ws_event_rules_count(const struct ws_pack *p)
{
    return p->event_rules ? p->event_rules->n : 0;
}

const struct ws_event_rule *ws_event_rule_at(const struct ws_pack *p, size_t i)
{
    return &p->event_rules->rules[i];
}

size_t ws_event_detectors_count(const struct ws_pack *p)
{
    return p->event_rules ? p->event_rules->n_det : 0;
}

const struct ws_event_detector *ws_event_detector_at(const struct ws_pack *p, size_t i)
{
    return &p->event_rules->det[i];
}

/* ---------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------- */

int ws_event_get(const struct ws_evtx_event *ev, const char *name, const char **s, size_t *n,
                 char *num, size_t numcap)
{
    if (strcasecmp(name, "EventID") == 0 && ev->has_event_id) {
        int w = snprintf(num, numcap, "%u", (unsigned)ev->event_id);
        *s = num;
        *n = w > 0 ? (size_t)w : 0;
        return 1;
    }
    /* exact System name, then EventData/UserData (exact, then any case),
     * then System names in any case: "ProcessId" (4688, Sysmon) is data,
     * "ProcessID" the System Execution attribute */
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++) {
        if (strcmp(name, ws_evtx_sys_name((enum ws_evtx_sys)k)) == 0 && ev->sys[k].s) {
            *s = ev->sys[k].s;
            *n = ev->sys[k].len;
            return 1;
        }
    }
    size_t nl = strlen(name);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ev->n_fields; i++) {
            const struct ws_evtx_field *f = &ev->fields[i];
            if (f->name.len == nl &&
                (pass ? strncasecmp(f->name.s, name, nl) == 0 : memcmp(f->name.s, name, nl) == 0)) {
                *s = f->value.s ? f->value.s : "";
                *n = f->value.s ? f->value.len : 0;
                return 1;
            }
        }
    }
    for (int k = 0; k < WS_EVTX_SYS_COUNT; k++) {
        if (strcasecmp(name, ws_evtx_sys_name((enum ws_evtx_sys)k)) == 0 && ev->sys[k].s) {
            *s = ev->sys[k].s;
            *n = ev->sys[k].len;
            return 1;
        }
    }
    return 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int ieq(const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

static int ifind(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return 1;
    for (size_t i = 0; i + nn <= hn; i++)
        if (ieq(h + i, nn, nd, nn))
            return 1;
    return 0;
}

/* services.txt line "FIELD;MATCH;VALUE;SCORE;DESC": does v match it? */
static int service_line_match(const char *line, const char *field, const char *v, size_t n)
{
    const char *a = strchr(line, ';');
    if (!a || (size_t)(a - line) != strlen(field) || strncasecmp(line, field, strlen(field)) != 0)
        return 0;
    const char *b = strchr(a + 1, ';');
    if (!b)
        return 0;
    const char *c = strchr(b + 1, ';');
    size_t vl = c ? (size_t)(c - b - 1) : strlen(b + 1);
    int contains = (size_t)(b - a - 1) == 8 && strncasecmp(a + 1, "contains", 8) == 0;
    return contains ? ifind(v, n, b + 1, vl) : ieq(v, n, b + 1, vl);
}

static int list_match(const struct ws_pack *p, enum ws_rule_list l, const char *v, size_t n)
{
    if (l == WS_LIST_RECON)
        return ws_recon_match(p, v, n, NULL) >= 0;
    const char *field = l == WS_LIST_SERVICE_NAME      ? "name"
                        : l == WS_LIST_SERVICE_DISPLAY ? "display"
                                                       : "path";
    for (size_t i = 0; i < p->services.n; i++)
        if (service_line_match(p->services.v[i], field, v, n))
            return 1;
    return 0;
}

static int cond_match(const struct ws_pack *p, const struct ws_rule_cond *c,
                      const struct ws_evtx_event *ev, void *md, const char **fname,
                      const char **val, size_t *vlen)
{
    const char *s = NULL;
    size_t n = 0;
    char num[24];
    size_t fi = 0;
    while (fi < c->n_fields && !ws_event_get(ev, c->fields[fi], &s, &n, num, sizeof num))
        fi++;
    *fname = NULL;
    if (fi == c->n_fields)
        return c->negate;
    *fname = c->fields[fi];
    *val = s;
    *vlen = n;
    int m = 0;
    switch (c->op) {
    case WS_OP_EQUALS:
        m = n == c->len && memcmp(s, c->value, n) == 0;
        break;
    case WS_OP_IEQUALS:
        m = ieq(s, n, c->value, c->len);
        break;
    case WS_OP_CONTAINS:
        m = c->len == 0 || (n >= c->len && memmem(s, n, c->value, c->len) != NULL);
        break;
    case WS_OP_ICONTAINS:
        m = ifind(s, n, c->value, c->len);
        break;
    case WS_OP_STARTSWITH:
        m = n >= c->len && memcmp(s, c->value, c->len) == 0;
        break;
    case WS_OP_ISTARTSWITH:
        m = n >= c->len && ieq(s, c->len, c->value, c->len);
        break;
    case WS_OP_ENDSWITH:
        m = n >= c->len && memcmp(s + n - c->len, c->value, c->len) == 0;
        break;
    case WS_OP_IENDSWITH:
        m = n >= c->len && ieq(s + n - c->len, c->len, c->value, c->len);
        break;
    case WS_OP_REGEX:
        m = pcre2_match((const pcre2_code *)c->re, (PCRE2_SPTR)s, n, 0, 0, (pcre2_match_data *)md,
                        NULL) >= 0;
        break;
    case WS_OP_IN_SET:
        for (size_t i = 0; i < c->n_set && !m; i++)
            m = ieq(s, n, c->set[i], strlen(c->set[i]));
        break;
    case WS_OP_IN_LIST:
        m = list_match(p, c->list, s, n);
        break;
    }
    return m ^ c->negate;
}

int ws_event_rule_match(const struct ws_pack *p, const struct ws_event_rule *r,
                        const struct ws_evtx_event *ev, void *md, struct ws_kv *out, size_t cap,
                        size_t *n_out)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        const struct ws_rule_group *gr = &r->g[g];
        size_t k = 0, i;
        for (i = 0; i < gr->n; i++) {
            const char *fname, *val = NULL;
            size_t vlen = 0;
            if (!cond_match(p, &gr->c[i], ev, md, &fname, &val, &vlen))
                break;
            /* evidence: each tested field once, EventID and Provider left to
             * the ECS fields */
            if (!fname || strcasecmp(fname, "EventID") == 0 || strcasecmp(fname, "Provider") == 0)
                continue;
            int dup = 0;
            for (size_t j = 0; j < k && !dup; j++)
                dup = strcmp(out[j].key, fname) == 0;
            if (!dup && k < cap) {
                out[k].key = fname;
                out[k].type = WS_KV_STR;
                out[k].val = val;
                out[k].len = vlen;
                out[k].num = 0;
                k++;
            }
        }
        if (i == gr->n) {
            *n_out = k;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Recon command lines
 * ------------------------------------------------------------------------- */

/* Lowercase, blanks collapsed, trimmed, into out (cap bytes); returns length
 * or SIZE_MAX when it does not fit. */
static size_t norm(const char *s, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = k > 0;
            continue;
        }
        if (space) {
            if (k + 1 >= cap)
                return SIZE_MAX;
            out[k++] = ' ';
            space = 0;
        }
        if (k + 1 >= cap)
            return SIZE_MAX;
        out[k++] = (char)lower(c);
    }
    out[k] = '\0';
    return k;
}

/* The command of a recon list line "SET;COMMAND". */
const char *ws_recon_command(const struct ws_pack *p, size_t i)
{
    const char *l = p->recon.v[i];
    const char *semi = strchr(l, ';');
    return semi ? semi + 1 : l;
}

static int recon_eq(const char *cand, size_t cn, const char *entry)
{
    char e[512];
    size_t en = norm(entry, strlen(entry), e, sizeof e);
    if (en == SIZE_MAX)
        return 0;
    const char *r = strstr(e, "[random]");
    if (!r)
        return en == cn && memcmp(e, cand, cn) == 0;
    size_t pre = (size_t)(r - e), suf = en - pre - 8;
    if (cn < pre + suf + 1 || memcmp(cand, e, pre) != 0 || memcmp(cand + cn - suf, r + 8, suf) != 0)
        return 0;
    for (size_t i = pre; i < cn - suf; i++)
        if (cand[i] == '\\' || cand[i] == '"' || cand[i] == ' ')
            return 0;
    return 1;
}

long ws_recon_program(const struct ws_pack *p, const char *image, size_t n)
{
    /* cmd.exe builtins: they run inside cmd.exe, no process of their own */
    static const char *const builtin[] = {"dir",  "set",  "ver", "date", "time",
                                          "echo", "type", "cd",  "vol",  "path"};
    size_t b = n;
    while (b > 0 && image[b - 1] != '\\' && image[b - 1] != '/')
        b--;
    const char *base = image + b;
    size_t bl = n - b;
    if (bl > 4 && strncasecmp(base + bl - 4, ".exe", 4) == 0)
        bl -= 4;
    if (bl == 0 || bl > 64)
        return -1;
    for (size_t i = 0; i < WS_ARRAY_LEN(builtin); i++)
        if (strlen(builtin[i]) == bl && strncasecmp(base, builtin[i], bl) == 0)
            return -1;
    for (size_t i = 0; i < p->recon.n; i++) {
        const char *c = ws_recon_command(p, i);
        size_t w = strcspn(c, " \t");
        if (w == bl && strncasecmp(c, base, bl) == 0)
            return (long)i;
    }
    return -1;
}

long ws_recon_match(const struct ws_pack *p, const char *cmd, size_t n, int *wrapped)
{
    char c[1024], cand[1024];
    size_t cn = norm(cmd, n, c, sizeof c);
    if (cn == SIZE_MAX || cn == 0 || p->recon.n == 0)
        return -1;
    /* program token */
    size_t pe, ps = 0, rest;
    if (c[0] == '"') {
        const char *q = memchr(c + 1, '"', cn - 1);
        if (!q)
            return -1;
        ps = 1;
        pe = (size_t)(q - c);
        rest = pe + 1;
    } else {
        const char *sp = memchr(c, ' ', cn);
        pe = sp ? (size_t)(sp - c) : cn;
        rest = pe;
    }
    size_t b = ps;
    for (size_t i = ps; i < pe; i++)
        if (c[i] == '\\' || c[i] == '/')
            b = i + 1;
    size_t bl = pe - b;
    if (bl > 4 && memcmp(c + pe - 4, ".exe", 4) == 0)
        bl -= 4;
    while (rest < cn && c[rest] == ' ')
        rest++;
    const char *args = c + rest;
    size_t an = cn - rest;
    size_t k;
    int wr = 0;
    if (bl == 3 && memcmp(c + b, "cmd", 3) == 0) {
        /* cmd.exe [/q] /c "<command>" 2>nul */
        if (an >= 3 && memcmp(args, "/q ", 3) == 0) {
            args += 3;
            an -= 3;
        }
        if (an < 3 || memcmp(args, "/c ", 3) != 0)
            return -1;
        args += 3;
        an -= 3;
        while (an && *args == ' ') {
            args++;
            an--;
        }
        if (an >= 5 && memcmp(args + an - 5, "2>nul", 5) == 0) {
            wr = 1;
            an -= 5;
            while (an && args[an - 1] == ' ')
                an--;
        }
        if (an >= 2 && args[0] == '"' && args[an - 1] == '"') {
            args++;
            an -= 2;
        } else {
            wr = 0;
        }
        k = norm(args, an, cand, sizeof cand);
        if (k == SIZE_MAX)
            return -1;
    } else {
        if (bl == 4 && memcmp(c + b, "net1", 4) == 0)
            bl = 3; /* net.exe runs net1.exe with the same arguments */
        if (bl + 1 + an + 1 > sizeof cand)
            return -1;
        memcpy(cand, c + b, bl);
        k = bl;
        if (an) {
            cand[k++] = ' ';
            memcpy(cand + k, args, an);
            k += an;
        }
        cand[k] = '\0';
    }
    for (size_t i = 0; i < p->recon.n; i++) {
        if (recon_eq(cand, k, ws_recon_command(p, i))) {
            if (wrapped)
                *wrapped = wr;
            return (long)i;
        }
    }
    return -1;
}
