/*
 * ioc_name.c - file-name and path IOCs in the Loki/signature-base format
 * `REGEX;SCORE[;FALSE_POSITIVE_REGEX]`, where a '#' line describes the
 * entries that follow it.
 *
 * Matching rules (decided here, documented in docs/packs.md):
 *   - A path is matched in "Windows form" ('/' read as '\') by regexes written
 *     for Windows paths (they contain an escaped backslash), and as it is by
 *     regexes written for '/' paths; a regex with neither is tried on both.
 *     So `\\Windows\\inf\\x\.pnf` matches /mnt/ws01/Windows/inf/x.PNF.
 *   - Matching is case-insensitive (ASCII), as Windows compares names.
 *   - %SystemRoot%, %windir%, %TEMP% and friends are expanded to regex
 *     fragments, as Loki v1 expands environment variables.
 *
 * Speed: signature-base has ~3,800 such regexes; running all of them on every
 * path would cost milliseconds per file. Each regex's longest required
 * literal is extracted; one trigram of it indexes the regex. For a path we
 * visit only the buckets of the path's own trigrams, check the literal with
 * memmem, and run the (JIT-compiled) regex only then. Regexes without a
 * usable literal are tried on every path.
 */
#include "core/compat.h"

#include <ctype.h>
#include <string.h>

#include "core/alloc.h"
#include "core/limits.h"
#include "core/lines.h"
#include "core/text.h"
#include "pack/ioc_name.h"
#include "pack/pack_impl.h"

/* Loki's default when a filename IOC line has no usable score. */
#define NAME_DEFAULT_SCORE 60

/* ---------------------------------------------------------------------------
 * Environment variables in patterns
 * ------------------------------------------------------------------------- */

static const struct {
    const char *var;
    const char *regex;
} env_vars[] = {
    {"%systemroot%", "\\\\(?:Windows|WINNT)"},
    {"%windir%", "\\\\(?:Windows|WINNT)"},
    {"%systemdrive%", ""},
    {"%programfiles%", "\\\\Program Files(?: \\(x86\\))?"},
    {"%programfiles(x86)%", "\\\\Program Files \\(x86\\)"},
    {"%programdata%", "\\\\ProgramData"},
    {"%appdata%",
     "\\\\(?:Users|Documents and Settings)\\\\[^\\\\]+\\\\(?:AppData\\\\Roaming|Application Data)"},
    {"%localappdata%",
     "\\\\(?:Users|Documents and Settings)\\\\[^\\\\]+\\\\(?:AppData\\\\Local|Local "
     "Settings\\\\Application Data)"},
    {"%userprofile%", "\\\\(?:Users|Documents and Settings)\\\\[^\\\\]+"},
    {"%temp%", "\\\\(?:Windows\\\\Temp|Temp|(?:Users|Documents and "
               "Settings)\\\\[^\\\\]+\\\\(?:AppData\\\\Local\\\\Temp|Local Settings\\\\Temp))"},
    {"%tmp%", "\\\\(?:Windows\\\\Temp|Temp|(?:Users|Documents and "
              "Settings)\\\\[^\\\\]+\\\\(?:AppData\\\\Local\\\\Temp|Local Settings\\\\Temp))"},
    {"%public%", "\\\\Users\\\\Public"},
};

static ws_status expand_env(struct ws_buf *out, const char *s, size_t n)
{
    ws_status st = WS_OK;
    size_t i = 0;
    while (i < n && st == WS_OK) {
        if (s[i] == '%') {
            size_t k;
            for (k = 0; k < WS_ARRAY_LEN(env_vars); k++) {
                size_t vl = strlen(env_vars[k].var);
                if (vl <= n - i && strncasecmp(s + i, env_vars[k].var, vl) == 0)
                    break;
            }
            if (k < WS_ARRAY_LEN(env_vars)) {
                st = ws_buf_adds(out, env_vars[k].regex);
                i += strlen(env_vars[k].var);
                /* the variable usually stands before "\\": keep that as written */
                continue;
            }
        }
        st = ws_buf_addc(out, s[i]);
        i++;
    }
    return st;
}

/* ---------------------------------------------------------------------------
 * Required literal extraction
 * ------------------------------------------------------------------------- */

static void end_run(char *run, size_t *rl, char *best, size_t *bl, size_t cap)
{
    if (*rl > *bl && *rl < cap) {
        memcpy(best, run, *rl);
        *bl = *rl;
    }
    *rl = 0;
}

size_t ws_regex_required_literal(const char *re, size_t n, char *out, size_t outcap)
{
    char run[256];
    size_t rl = 0, bl = 0;
    int depth = 0;
    size_t i = 0;
    if (outcap == 0)
        return 0;
    while (i < n) {
        char c = re[i];
        int lit = -1;
        if (c == '\\') {
            if (i + 1 >= n)
                break;
            char d = re[i + 1];
            i += 2;
            if (isalnum((unsigned char)d)) {
                end_run(run, &rl, out, &bl, outcap);
                continue;
            }
            lit = d;
        } else if (c == '[') {
            end_run(run, &rl, out, &bl, outcap);
            i++;
            if (i < n && re[i] == '^')
                i++;
            if (i < n && re[i] == ']')
                i++;
            while (i < n && re[i] != ']')
                i += (re[i] == '\\' && i + 1 < n) ? 2 : 1;
            i++;
            continue;
        } else if (c == '(') {
            end_run(run, &rl, out, &bl, outcap);
            depth++;
            i++;
            continue;
        } else if (c == ')') {
            end_run(run, &rl, out, &bl, outcap);
            if (depth > 0)
                depth--;
            i++;
            continue;
        } else if (c == '|') {
            if (depth == 0)
                return 0; /* top-level alternation: nothing is required */
            end_run(run, &rl, out, &bl, outcap);
            i++;
            continue;
        } else if (c == '*' || c == '?' || c == '{') {
            if (rl)
                rl--; /* the previous atom is optional */
            end_run(run, &rl, out, &bl, outcap);
            if (c == '{')
                while (i < n && re[i] != '}')
                    i++;
            i++;
            continue;
        } else if (c == '+' || c == '.' || c == '^' || c == '$') {
            end_run(run, &rl, out, &bl, outcap);
            i++;
            continue;
        } else {
            lit = c;
            i++;
        }
        if (depth > 0) {
            end_run(run, &rl, out, &bl, outcap);
            continue;
        }
        if (rl < sizeof run)
            run[rl++] = (char)tolower(lit);
        else
            end_run(run, &rl, out, &bl, outcap);
    }
    /* a literal followed by nothing is fine; one followed by a quantifier was handled */
    end_run(run, &rl, out, &bl, outcap);
    return bl;
}

/* ---------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------- */

static pcre2_code *compile_re(const char *pat, size_t n, char *err, size_t errn)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, n, PCRE2_CASELESS, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errn, "regex error at offset %zu: %s", (size_t)off, (char *)msg);
    }
    return re;
}

ws_status ws_ioc_name_load(struct ws_pack *p, const char *file, const char *data, size_t len,
                           ws_emit_fn emit, void *user, size_t *added)
{
    struct ws_lines it;
    const char *line;
    size_t n, count = 0;
    const char *desc = "";
    size_t desc_len = 0;
    struct ws_buf pat;
    ws_status st = WS_OK;
    ws_buf_init(&pat, 4 * WS_MAX_IOC_LINE);
    ws_lines_init(&it, data, len);
    while (ws_lines_next(&it, &line, &n)) {
        ws_trim(&line, &n);
        if (n == 0)
            continue;
        if (line[0] == '#') {
            desc = line + 1;
            desc_len = n - 1;
            ws_trim(&desc, &desc_len);
            continue;
        }
        if (n > WS_MAX_IOC_LINE) {
            ws_pack_emit_error(emit, user, file, it.lineno, WS_E_TOO_LARGE,
                               "filename IOC line longer than %u bytes", WS_MAX_IOC_LINE);
            continue;
        }
        const char *semi = memchr(line, ';', n);
        const char *re = line;
        size_t re_len = semi ? (size_t)(semi - line) : n;
        int score = NAME_DEFAULT_SCORE;
        const char *fp = NULL;
        size_t fp_len = 0;
        if (semi) {
            const char *s = semi + 1, *end = line + n;
            const char *semi2 = memchr(s, ';', (size_t)(end - s));
            const char *se = semi2 ? semi2 : end;
            const char *num = s;
            int neg = 0;
            while (num < se && *num == ' ')
                num++;
            if (num < se && *num == '-') {
                neg = 1;
                num++;
            }
            uint64_t v;
            if (ws_parse_u64(&num, se, 1000, &v) != WS_OK) {
                ws_pack_emit_error(emit, user, file, it.lineno, WS_E_SYNTAX,
                                   "filename IOC score is not a number");
                continue;
            }
            score = neg ? -(int)v : (int)v;
            if (semi2) {
                fp = semi2 + 1;
                fp_len = (size_t)(end - fp);
                ws_trim(&fp, &fp_len);
            }
        }
        ws_trim(&re, &re_len);
        if (re_len == 0)
            continue;
        ws_buf_reset(&pat);
        if (expand_env(&pat, re, re_len) != WS_OK) {
            st = WS_E_NOMEM;
            break;
        }
        char err[256];
        pcre2_code *code = compile_re(pat.data, pat.len, err, sizeof err);
        if (!code) {
            ws_pack_emit_error(emit, user, file, it.lineno, WS_E_SYNTAX, "%s", err);
            continue;
        }
        /* the prefilter literal comes from the expanded regex, before pat is reused */
        char lit[256];
        size_t ll = ws_regex_required_literal(pat.data, pat.len, lit, sizeof lit);
        pcre2_code *fcode = NULL;
        if (fp && fp_len) {
            ws_buf_reset(&pat);
            if (expand_env(&pat, fp, fp_len) != WS_OK) {
                pcre2_code_free(code);
                st = WS_E_NOMEM;
                break;
            }
            fcode = compile_re(pat.data, pat.len, err, sizeof err);
            if (!fcode) {
                ws_pack_emit_error(emit, user, file, it.lineno, WS_E_SYNTAX, "false-positive %s",
                                   err);
                pcre2_code_free(code);
                continue;
            }
        }
        if (WS_GROW(p->names, p->cap_names, p->n_names + 1) != 0) {
            pcre2_code_free(code);
            pcre2_code_free(fcode);
            st = WS_E_NOMEM;
            break;
        }
        struct ws_name_ioc *ioc = &p->names[p->n_names];
        memset(ioc, 0, sizeof *ioc);
        ioc->re = code;
        ioc->fp = fcode;
        ioc->score = score;
        ioc->pattern = ws_memdup0(line, n);
        /* scope: which path form the regex was written for */
        int win = 0, unix_ = memchr(re, '/', re_len) != NULL;
        for (size_t k = 0; k + 1 < re_len; k++)
            if (re[k] == '\\' && re[k + 1] == '\\')
                win = 1;
        ioc->scope = (win ? WS_NAME_WIN : 0) | (unix_ ? WS_NAME_UNIX : 0);
        if (!ioc->scope)
            ioc->scope = WS_NAME_WIN | WS_NAME_UNIX;
        if (ll >= 3) {
            for (size_t k = 0; k < ll; k++)
                if (lit[k] == '/')
                    lit[k] = '\\'; /* the prefilter runs on the Windows form */
            ioc->literal = ws_memdup0(lit, ll);
            ioc->literal_len = ll;
        }
        uint32_t origin = ws_pack_origin(p, file, it.lineno, desc, desc_len);
        if (!ioc->pattern || (ll >= 3 && !ioc->literal) || origin == UINT32_MAX) {
            ws_free(ioc->pattern);
            ws_free(ioc->literal);
            pcre2_code_free(code);
            pcre2_code_free(fcode);
            st = WS_E_NOMEM;
            break;
        }
        ioc->origin = origin;
        p->n_names++;
        count++;
    }
    ws_buf_release(&pat);
    *added = count;
    return st;
}

/* ---------------------------------------------------------------------------
 * Index
 * ------------------------------------------------------------------------- */

static unsigned trigram(const char *s)
{
    unsigned a = (unsigned char)s[0], b = (unsigned char)s[1], c = (unsigned char)s[2];
    return ((a * 961u) + (b * 31u) + c) & (WS_NAME_TRIGRAM_BUCKETS - 1);
}

/* How common a byte is in file paths; the prefilter indexes each regex by its
 * least common trigram so that few regexes share the buckets of typical paths. */
static int commonness(char c)
{
    if (c == '\\' || c == '.' || c == ' ')
        return 6;
    if (strchr("eaiostnrl", c))
        return 3;
    if (strchr("dcmupwgfhby", c))
        return 2;
    return 1;
}

static size_t best_trigram(const char *lit, size_t n)
{
    size_t best = 0;
    int best_score = 1 << 30;
    for (size_t i = 0; i + 3 <= n; i++) {
        int s = commonness(lit[i]) + commonness(lit[i + 1]) + commonness(lit[i + 2]);
        if (s < best_score) {
            best_score = s;
            best = i;
        }
    }
    return best;
}

ws_status ws_ioc_name_compile(struct ws_pack *p)
{
    struct ws_name_index *ix = &p->name_index;
    size_t n = p->n_names;
    ix->bucket_start = ws_calloc(WS_NAME_TRIGRAM_BUCKETS + 1, sizeof *ix->bucket_start);
    ix->ids = ws_calloc(n ? n : 1, sizeof *ix->ids);
    ix->always = ws_calloc(n ? n : 1, sizeof *ix->always);
    unsigned *bucket_of = ws_calloc(n ? n : 1, sizeof *bucket_of);
    if (!ix->bucket_start || !ix->ids || !ix->always || !bucket_of) {
        ws_free(bucket_of);
        return WS_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        struct ws_name_ioc *ioc = &p->names[i];
        pcre2_jit_compile(ioc->re, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
        if (ioc->fp)
            pcre2_jit_compile(ioc->fp, PCRE2_JIT_COMPLETE);
        if (ioc->literal) {
            size_t off = best_trigram(ioc->literal, ioc->literal_len);
            bucket_of[i] = trigram(ioc->literal + off);
            ix->bucket_start[bucket_of[i] + 1]++;
        } else {
            ix->always[ix->n_always++] = (uint32_t)i;
        }
    }
    for (size_t b = 0; b < WS_NAME_TRIGRAM_BUCKETS; b++)
        ix->bucket_start[b + 1] += ix->bucket_start[b];
    uint32_t *fill = ws_calloc(WS_NAME_TRIGRAM_BUCKETS, sizeof *fill);
    if (!fill) {
        ws_free(bucket_of);
        return WS_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!p->names[i].literal)
            continue;
        unsigned b = bucket_of[i];
        ix->ids[ix->bucket_start[b] + fill[b]++] = (uint32_t)i;
    }
    ws_free(fill);
    ws_free(bucket_of);
    return WS_OK;
}

void ws_ioc_name_release(struct ws_pack *p)
{
    for (size_t i = 0; i < p->n_names; i++) {
        pcre2_code_free(p->names[i].re);
        pcre2_code_free(p->names[i].fp);
        ws_free(p->names[i].pattern);
        ws_free(p->names[i].literal);
    }
    WS_FREE_AND_NULL(p->names);
    p->n_names = p->cap_names = 0;
    WS_FREE_AND_NULL(p->name_index.bucket_start);
    WS_FREE_AND_NULL(p->name_index.ids);
    WS_FREE_AND_NULL(p->name_index.always);
}

/* ---------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------- */

void ws_name_matcher_init(struct ws_name_matcher *m)
{
    m->md = pcre2_match_data_create(4, NULL);
    ws_buf_init(&m->win, WS_MAX_PATH + 1);
    ws_buf_init(&m->lower, WS_MAX_PATH + 1);
}

void ws_name_matcher_release(struct ws_name_matcher *m)
{
    pcre2_match_data_free(m->md);
    m->md = NULL;
    ws_buf_release(&m->win);
    ws_buf_release(&m->lower);
}

static int re_match(pcre2_code *re, pcre2_match_data *md, const char *s, size_t n)
{
    return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
}

static int try_ioc(const struct ws_name_ioc *ioc, struct ws_name_matcher *m, const char *path,
                   size_t len)
{
    int hit = 0;
    if ((ioc->scope & WS_NAME_WIN) && re_match(ioc->re, m->md, m->win.data, m->win.len))
        hit = 1;
    else if ((ioc->scope & WS_NAME_UNIX) && re_match(ioc->re, m->md, path, len))
        hit = 2;
    if (!hit)
        return 0;
    if (ioc->fp) {
        const char *s = hit == 1 ? m->win.data : path;
        size_t sn = hit == 1 ? m->win.len : len;
        if (re_match(ioc->fp, m->md, s, sn))
            return 0;
    }
    return 1;
}

ws_status ws_ioc_name_match(const struct ws_pack *p, struct ws_name_matcher *m, const char *path,
                            size_t len, ws_name_hit_fn hit, void *user)
{
    if (p->n_names == 0)
        return WS_OK;
    if (!m->md)
        return WS_E_NOMEM;
    ws_buf_reset(&m->win);
    ws_buf_reset(&m->lower);
    if (ws_buf_add(&m->win, path, len) != WS_OK || ws_buf_add(&m->lower, path, len) != WS_OK)
        return WS_E_TOO_LARGE;
    for (size_t i = 0; i < len; i++) {
        if (m->win.data[i] == '/')
            m->win.data[i] = '\\';
        m->lower.data[i] = (char)tolower((unsigned char)m->win.data[i]);
    }
    const struct ws_name_index *ix = &p->name_index;
    uint64_t seen[WS_NAME_TRIGRAM_BUCKETS / 64];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i + 3 <= len; i++) {
        unsigned b = trigram(m->lower.data + i);
        if (seen[b / 64] & (1ull << (b % 64)))
            continue;
        seen[b / 64] |= 1ull << (b % 64);
        for (uint32_t k = ix->bucket_start[b]; k < ix->bucket_start[b + 1]; k++) {
            const struct ws_name_ioc *ioc = &p->names[ix->ids[k]];
            if (!memmem(m->lower.data, len, ioc->literal, ioc->literal_len))
                continue;
            if (try_ioc(ioc, m, path, len) && hit(user, ioc) != 0)
                return WS_OK;
        }
    }
    for (size_t k = 0; k < ix->n_always; k++) {
        const struct ws_name_ioc *ioc = &p->names[ix->always[k]];
        if (try_ioc(ioc, m, path, len) && hit(user, ioc) != 0)
            return WS_OK;
    }
    return WS_OK;
}
