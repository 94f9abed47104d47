/*
 * pack_yara.c - YARA rules in a pack set: sources (compiled here) and
 * compiled rule files (loaded as they are).
 *
 * One bad rule file must not disable the rest (a libyara compiler is
 * unusable after its first error). So each source file is first compiled
 * alone in a scratch compiler; files with errors are reported (file, line,
 * message) and left out, and the good ones are compiled together into one
 * YR_RULES with a namespace per file. That costs a second compile of each
 * file at start-up (~0.3 s for signature-base) and buys a scan that always
 * runs.
 *
 * Every rule set declares the external variables Loki passes to YARA
 * (filename, filepath, extension, filetype, owner, md5) with empty defaults;
 * the per-file pipeline sets them on each thread's scanner (YARA externals on
 * YR_RULES are process-global and not thread-safe: VirusTotal/yara#350).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "pack/pack_impl.h"

const char *const ws_yara_externals[] = {"filename", "filepath", "extension", "filetype",
                                         "owner",    "md5",      NULL};

struct compile_ctx {
    ws_emit_fn emit;
    void *user;
    const char *origin;
    int errors;
    int report;
};

static void compile_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
                       void *user)
{
    struct compile_ctx *c = user;
    (void)rule;
    if (level != YARA_ERROR_LEVEL_ERROR)
        return; /* warnings (slow patterns) do not stop a rule set */
    c->errors++;
    if (c->report)
        ws_pack_emit_error(c->emit, c->user, file ? file : c->origin, line > 0 ? (uint64_t)line : 0,
                           WS_E_YARA, "YARA rule does not compile: %s", msg);
}

static int define_externals(YR_COMPILER *comp)
{
    for (size_t i = 0; ws_yara_externals[i]; i++)
        if (yr_compiler_define_string_variable(comp, ws_yara_externals[i], "") != ERROR_SUCCESS)
            return -1;
    return 0;
}

ws_status ws_pack_yara_add_source(struct ws_pack *p, const char *origin, const char *base_dir,
                                  const char *data, size_t len, int builtin)
{
    if (WS_GROW(p->yara_src, p->cap_yara_src, p->n_yara_src + 1) != 0)
        return WS_E_NOMEM;
    struct ws_yara_source *s = &p->yara_src[p->n_yara_src];
    s->origin = ws_strdup(origin);
    s->text = ws_memdup0(data, len);
    s->base_dir = base_dir ? ws_strdup(base_dir) : NULL;
    s->len = len;
    s->builtin = builtin;
    if (!s->origin || !s->text || (base_dir && !s->base_dir)) {
        ws_free(s->origin);
        ws_free(s->text);
        ws_free(s->base_dir);
        return WS_E_NOMEM;
    }
    /* A rule may read the md5 external (Loki passes it): then every file
     * needs an MD5 before YARA runs. Look for a bare `md5` identifier. */
    for (const char *q = s->text; (q = strstr(q, "md5")) != NULL; q += 3) {
        char before = q == s->text ? ' ' : q[-1];
        char after = q[3];
        if (before != '.' && before != '_' && !(before >= 'a' && before <= 'z') &&
            !(after >= 'a' && after <= 'z') && after != '_' && after != '(' && after != '"') {
            p->yara_uses_md5 = 1;
            break;
        }
    }
    p->n_yara_src++;
    return WS_OK;
}

static ws_status push_rules(struct ws_pack *p, size_t at, YR_RULES *rules, struct ws_prefilter *pf);

ws_status ws_pack_yara_add_compiled(struct ws_pack *p, const char *path, ws_emit_fn emit,
                                    void *user)
{
    YR_RULES *rules = NULL;
    int rc = yr_rules_load(path, &rules);
    if (rc != ERROR_SUCCESS) {
        ws_pack_emit_error(emit, user, path, 0, WS_E_YARA,
                           "compiled YARA rules cannot be loaded (libyara error %d; "
                           "compiled rules must come from the same libyara version)",
                           rc);
        return WS_E_YARA;
    }
    ws_status st = push_rules(p, p->n_yara, rules, NULL);
    if (st != WS_OK) {
        yr_rules_destroy(rules);
        return st;
    }
    p->yara_uses_md5 = 1; /* cannot tell: be safe */
    return WS_OK;
}

static const char *namespace_of(const struct ws_yara_source *s)
{
    return s->builtin ? "kwampirs" : s->origin;
}

static int add_to(YR_COMPILER *comp, const struct ws_yara_source *s)
{
    FILE *f = fmemopen(s->text, s->len ? s->len : 1, "r");
    if (!f)
        return -1;
    /* file_name lets libyara resolve includes relative to the rule file */
    int errs = yr_compiler_add_file(comp, f, namespace_of(s), s->builtin ? NULL : s->origin);
    fclose(f);
    return errs;
}

static size_t count_rules(YR_RULES *rules)
{
    size_t n = 0;
    YR_RULE *rule;
    yr_rules_foreach(rules, rule) n++;
    return n;
}

/* Append a compiled rule set (and its prefilter, may be NULL) at position at. */
static ws_status push_rules(struct ws_pack *p, size_t at, YR_RULES *rules, struct ws_prefilter *pf)
{
    if (WS_GROW(p->yara, p->cap_yara, p->n_yara + 1) != 0)
        return WS_E_NOMEM;
    struct ws_prefilter **npf = ws_realloc(p->yara_pf, p->cap_yara * sizeof *npf);
    if (!npf)
        return WS_E_NOMEM;
    p->yara_pf = npf;
    memmove(p->yara + at + 1, p->yara + at, (p->n_yara - at) * sizeof *p->yara);
    memmove(p->yara_pf + at + 1, p->yara_pf + at, (p->n_yara - at) * sizeof *p->yara_pf);
    p->yara[at] = rules;
    p->yara_pf[at] = pf;
    p->n_yara++;
    return WS_OK;
}

/* Compile the good files of one group (built-in or user) into one rule set;
 * a clash between files (same namespace and rule) drops the later file and
 * starts again. *out is NULL when the group has no good file. */
static ws_status compile_group(struct ws_pack *p, char *ok, int builtin, ws_emit_fn emit,
                               void *user, YR_RULES **out)
{
    *out = NULL;
    for (;;) {
        int any = 0;
        for (size_t i = 0; i < p->n_yara_src; i++)
            any |= ok[i] && p->yara_src[i].builtin == builtin;
        if (!any)
            return WS_OK;
        YR_COMPILER *comp;
        if (yr_compiler_create(&comp) != ERROR_SUCCESS)
            return WS_E_NOMEM;
        if (define_externals(comp) != 0) {
            yr_compiler_destroy(comp);
            return WS_E_YARA;
        }
        size_t culprit = SIZE_MAX;
        for (size_t i = 0; i < p->n_yara_src; i++) {
            if (!ok[i] || p->yara_src[i].builtin != builtin)
                continue;
            struct compile_ctx c = {emit, user, p->yara_src[i].origin, 0, 1};
            yr_compiler_set_callback(comp, compile_cb, &c);
            if (add_to(comp, &p->yara_src[i]) != 0 || c.errors) {
                culprit = i;
                break;
            }
        }
        if (culprit != SIZE_MAX) {
            ok[culprit] = 0;
            p->yara_failed++;
            yr_compiler_destroy(comp);
            continue;
        }
        int rc = yr_compiler_get_rules(comp, out);
        yr_compiler_destroy(comp);
        return rc == ERROR_SUCCESS ? WS_OK : WS_E_NOMEM;
    }
}

/* The built-in rules are ours: if every one needs a hex string, a cheap
 * literal prefilter decides which files YARA must see (prefilter.h). */
static struct ws_prefilter *builtin_prefilter(const struct ws_pack *p, const char *ok)
{
    struct ws_prefilter *pf = ws_calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    int built = 0;
    for (size_t i = 0; i < p->n_yara_src; i++) {
        if (!ok[i] || !p->yara_src[i].builtin)
            continue;
        if (built) { /* one built-in YARA file is what we ship; more: no prefilter */
            ws_prefilter_release(pf);
            ws_free(pf);
            return NULL;
        }
        if (ws_prefilter_build(pf, p->yara_src[i].text, p->yara_src[i].len) != WS_OK) {
            ws_free(pf);
            return NULL;
        }
        built = 1;
    }
    if (!built) {
        ws_free(pf);
        return NULL;
    }
    return pf;
}

ws_status ws_pack_yara_compile(struct ws_pack *p, ws_emit_fn emit, void *user)
{
    ws_status st = WS_OK;
    char *ok = ws_calloc(p->n_yara_src ? p->n_yara_src : 1, 1);
    if (!ok)
        return WS_E_NOMEM;
    /* pass 1: each file alone, so one bad file never disables the rest */
    for (size_t i = 0; i < p->n_yara_src; i++) {
        struct compile_ctx c = {emit, user, p->yara_src[i].origin, 0, 1};
        YR_COMPILER *scratch;
        if (yr_compiler_create(&scratch) != ERROR_SUCCESS) {
            st = WS_E_NOMEM;
            goto out;
        }
        yr_compiler_set_callback(scratch, compile_cb, &c);
        ok[i] = define_externals(scratch) == 0 && add_to(scratch, &p->yara_src[i]) == 0 &&
                c.errors == 0;
        yr_compiler_destroy(scratch);
        if (!ok[i]) {
            p->yara_failed++;
            for (size_t k = 0; k < p->n_sources; k++)
                if (strcmp(p->sources[k].path, p->yara_src[i].origin) == 0)
                    p->sources[k].failed = 1;
        }
    }
    /* pass 2: built-in rules first (own rule set, with its prefilter), then user rules */
    size_t at = 0;
    for (int builtin = 1; builtin >= 0; builtin--) {
        YR_RULES *rules;
        WS_TRY(compile_group(p, ok, builtin, emit, user, &rules));
        if (!rules)
            continue;
        struct ws_prefilter *pf = builtin ? builtin_prefilter(p, ok) : NULL;
        st = push_rules(p, at++, rules, pf);
        if (st != WS_OK) {
            yr_rules_destroy(rules);
            if (pf) {
                ws_prefilter_release(pf);
                ws_free(pf);
            }
            goto out;
        }
    }
    p->yara_rules = 0;
    for (size_t i = 0; i < p->n_yara; i++)
        p->yara_rules += count_rules(p->yara[i]);
out:
    ws_free(ok);
    return st;
}

void ws_pack_yara_release(struct ws_pack *p)
{
    for (size_t i = 0; i < p->n_yara; i++) {
        yr_rules_destroy(p->yara[i]);
        if (p->yara_pf && p->yara_pf[i]) {
            ws_prefilter_release(p->yara_pf[i]);
            ws_free(p->yara_pf[i]);
        }
    }
    WS_FREE_AND_NULL(p->yara);
    WS_FREE_AND_NULL(p->yara_pf);
    p->n_yara = p->cap_yara = 0;
    for (size_t i = 0; i < p->n_yara_src; i++) {
        ws_free(p->yara_src[i].origin);
        ws_free(p->yara_src[i].text);
        ws_free(p->yara_src[i].base_dir);
    }
    WS_FREE_AND_NULL(p->yara_src);
    p->n_yara_src = p->cap_yara_src = 0;
}
