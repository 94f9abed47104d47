/*
 * sink_human.c - the short human summary: one block per detection and per
 * error, then totals. Colour only when the caller says the output is a
 * terminal (WS_SINK_COLOR). Every evidence string goes through
 * ws_text_human(), so no name can move the cursor or forge a line.
 */
#include "core/compat.h"

#include <inttypes.h>
#include <string.h>

#include "core/sink_impl.h"
#include "core/text.h"

#define C_RED "\033[1;31m"
#define C_YEL "\033[1;33m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

static const char *col(const struct ws_sink *s, const char *c)
{
    return (s->flags & WS_SINK_COLOR) ? c : "";
}

static ws_status add_text(struct ws_buf *b, const char *p, size_t n)
{
    return ws_text_human(b, p, n);
}

static ws_status human_emit(struct ws_sink *s, const struct ws_finding *f, const char *host)
{
    struct ws_buf *b = &s->line;
    ws_status st = WS_OK;
    (void)host;
    if (f->kind == WS_FINDING_INFO && !(s->flags & WS_SINK_VERBOSE))
        return WS_OK;
    if (f->kind == WS_FINDING_SKIP && !(s->flags & WS_SINK_VERBOSE))
        return WS_OK;
    if (f->kind == WS_FINDING_ALERT) {
        const char *c = f->severity >= 80 ? C_RED : C_YEL;
        WS_TRY(ws_buf_addf(b, "%s%-7s%s [%3d] %s: ", col(s, c), ws_severity_label(f->severity),
                           col(s, C_OFF), f->severity, f->ruleset ? f->ruleset : "?"));
        WS_TRY(
            add_text(b, f->rule_name ? f->rule_name : "", f->rule_name ? strlen(f->rule_name) : 0));
        WS_TRY(ws_buf_adds(b, "\n        "));
    } else {
        const char *label = f->kind == WS_FINDING_ERROR  ? "ERROR"
                            : f->kind == WS_FINDING_SKIP ? "SKIPPED"
                                                         : "INFO";
        WS_TRY(ws_buf_addf(b, "%s%-7s%s       ",
                           col(s, f->kind == WS_FINDING_ERROR ? C_YEL : C_DIM), label,
                           col(s, C_OFF)));
    }
    if (f->host) {
        WS_TRY(add_text(b, f->host, strlen(f->host)));
        WS_TRY(ws_buf_adds(b, ": "));
    }
    if (f->path)
        WS_TRY(add_text(b, f->path, f->path_len));
    if (f->kind != WS_FINDING_ALERT && f->message) {
        WS_TRY(ws_buf_adds(b, f->path ? ": " : ""));
        WS_TRY(add_text(b, f->message, strlen(f->message)));
        if (f->error_code != WS_OK)
            WS_TRY(ws_buf_addf(b, " (%s)", ws_status_str(f->error_code)));
    }
    WS_TRY(ws_buf_addc(b, '\n'));
    if (f->kind == WS_FINDING_ALERT) {
        if (f->message) {
            WS_TRY(ws_buf_adds(b, "        "));
            WS_TRY(add_text(b, f->message, strlen(f->message)));
            WS_TRY(ws_buf_addc(b, '\n'));
        }
        if (f->ioc_text) {
            WS_TRY(ws_buf_addf(b, "        %sioc%s ", col(s, C_DIM), col(s, C_OFF)));
            WS_TRY(add_text(b, f->ioc_text, strlen(f->ioc_text)));
            if (f->ioc_file) {
                WS_TRY(ws_buf_adds(b, "  ("));
                WS_TRY(add_text(b, f->ioc_file, strlen(f->ioc_file)));
                WS_TRY(ws_buf_addf(b, ":%" PRIu64 ")", f->ioc_line));
            }
            WS_TRY(ws_buf_addc(b, '\n'));
        }
        for (size_t i = 0; i < f->n_matches; i++) {
            const struct ws_match *m = &f->matches[i];
            WS_TRY(ws_buf_addf(b, "        %smatch%s %s at 0x%" PRIx64 " (%zu bytes)\n",
                               col(s, C_DIM), col(s, C_OFF), m->ident ? m->ident : "", m->offset,
                               m->match_len));
        }
        for (size_t i = 0; i < f->n_evidence; i++) {
            const struct ws_kv *kv = &f->evidence[i];
            WS_TRY(ws_buf_addf(b, "        %s%s%s ", col(s, C_DIM), kv->key, col(s, C_OFF)));
            if (kv->type == WS_KV_STR)
                WS_TRY(add_text(b, kv->val, kv->len));
            else
                WS_TRY(ws_buf_addf(b, "%" PRId64, kv->num));
            WS_TRY(ws_buf_addc(b, '\n'));
        }
        if (f->sha256 || f->md5)
            WS_TRY(ws_buf_addf(b, "        %s%s%s %s\n", col(s, C_DIM),
                               f->sha256 ? "sha256" : "md5", col(s, C_OFF),
                               f->sha256 ? f->sha256 : f->md5));
    }
out:
    if (st != WS_OK) {
        ws_buf_reset(b);
        return st;
    }
    return ws_sink_flush_line(s);
}

static void human_size(uint64_t bytes, char *out, size_t n)
{
    const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1000.0 && u + 1 < WS_ARRAY_LEN(unit)) {
        v /= 1000.0;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

static ws_status human_close(struct ws_sink *s, const struct ws_summary *sum, const char *host)
{
    (void)host;
    if (s->flags & WS_SINK_QUIET)
        return WS_OK;
    char sz[32], rate[32];
    human_size(sum->bytes, sz, sizeof sz);
    human_size(sum->seconds > 0 ? (uint64_t)((double)sum->bytes / sum->seconds) : 0, rate,
               sizeof rate);
    const char *verdict = sum->alerts ? "FOUND" : sum->errors ? "INCOMPLETE" : "clean";
    const char *c = sum->alerts ? C_RED : sum->errors ? C_YEL : "";
    ws_status st =
        ws_buf_addf(&s->line,
                    "\nwormsign %s: %s%s%s. %" PRIu64 " objects, %s in %.1f s (%s/s); "
                    "%" PRIu64 " alerts, %" PRIu64 " errors, %" PRIu64 " skipped\n",
                    sum->command ? sum->command : "", col(s, c), verdict, col(s, C_OFF),
                    sum->objects, sz, sum->seconds, rate, sum->alerts, sum->errors, sum->skipped);
    if (st == WS_OK)
        st = ws_sink_flush_line(s);
    fflush(s->out);
    return st;
}

static const struct ws_sink_ops human_ops = {human_emit, human_close};

ws_status ws_sink_human_new(FILE *out, unsigned flags, ws_sink **sink)
{
    return ws_sink_alloc(&human_ops, out, flags, sink);
}
