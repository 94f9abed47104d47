/*
 * sink_csv.c - RFC 4180 CSV, one row per finding, a header row first.
 * Evidence values are joined as "key=value; ..." in one column. Text goes
 * through ws_text_csv(): quoted, quotes doubled, control bytes as \xNN, so a
 * hostile name can neither break a row nor start a formula... except that
 * spreadsheets also treat a leading =, +, - or @ as a formula: such cells get
 * a leading apostrophe (OWASP CSV injection advice).
 */
#include "core/compat.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "core/sink_impl.h"
#include "core/text.h"

static const char header[] = "timestamp,kind,severity,ruleset,rule_id,rule_name,host,path,size,"
                             "md5,sha1,sha256,message,ioc,ioc_file,ioc_line,evidence\n";

static ws_status cell(struct ws_buf *b, const char *p, size_t n, int last)
{
    ws_status st = WS_OK;
    if (p) {
        size_t start = b->len;
        st = ws_text_csv(b, p, n);
        if (st == WS_OK && n && (p[0] == '=' || p[0] == '+' || p[0] == '-' || p[0] == '@')) {
            char *dst;
            st = ws_buf_reserve(b, 1, &dst);
            if (st == WS_OK) {
                /* "x..." becomes "'x...": a spreadsheet shows it as text */
                memmove(b->data + start + 2, b->data + start + 1, b->len - start - 1);
                b->data[start + 1] = '\'';
                b->len++;
                b->data[b->len] = '\0';
            }
        }
    }
    if (st == WS_OK)
        st = ws_buf_addc(b, last ? '\n' : ',');
    return st;
}

static ws_status cells(struct ws_buf *b, const char *s)
{
    return cell(b, s, s ? strlen(s) : 0, 0);
}

static ws_status csv_emit(struct ws_sink *s, const struct ws_finding *f, const char *host)
{
    struct ws_buf *b = &s->line;
    ws_status st = WS_OK;
    char now[40], num[32];
    struct timespec ts;
    if (s->written == 0) {
        WS_TRY(ws_buf_adds(b, header));
        WS_TRY(ws_sink_flush_line(s));
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    ws_format_time(ts.tv_sec, ts.tv_nsec, now, sizeof now);
    WS_TRY(cells(b, now));
    WS_TRY(cells(b, f->kind == WS_FINDING_ALERT   ? "alert"
                    : f->kind == WS_FINDING_ERROR ? "error"
                    : f->kind == WS_FINDING_SKIP  ? "skipped"
                                                  : "info"));
    snprintf(num, sizeof num, "%d", f->severity);
    WS_TRY(cells(b, num));
    WS_TRY(cells(b, f->ruleset));
    WS_TRY(cells(b, f->rule_id));
    WS_TRY(cells(b, f->rule_name));
    WS_TRY(cells(b, f->host ? f->host : host));
    WS_TRY(cell(b, f->path, f->path ? f->path_len : 0, 0));
    if (f->has_size)
        snprintf(num, sizeof num, "%" PRIu64, f->size);
    else
        num[0] = '\0';
    WS_TRY(cells(b, num));
    WS_TRY(cells(b, f->md5));
    WS_TRY(cells(b, f->sha1));
    WS_TRY(cells(b, f->sha256));
    WS_TRY(cells(b, f->message));
    WS_TRY(cells(b, f->ioc_text));
    WS_TRY(cells(b, f->ioc_file));
    if (f->ioc_line)
        snprintf(num, sizeof num, "%" PRIu64, f->ioc_line);
    else
        num[0] = '\0';
    WS_TRY(cells(b, num));
    {
        struct ws_buf ev;
        ws_buf_init(&ev, WS_SINK_MAX_RECORD);
        for (size_t i = 0; i < f->n_evidence && st == WS_OK; i++) {
            const struct ws_kv *kv = &f->evidence[i];
            st = ws_buf_addf(&ev, "%s%s=", i ? "; " : "", kv->key);
            if (st == WS_OK)
                st = kv->type == WS_KV_STR ? ws_buf_add(&ev, kv->val, kv->len)
                                           : ws_buf_addf(&ev, "%" PRId64, kv->num);
        }
        for (size_t i = 0; i < f->n_matches && st == WS_OK; i++)
            st = ws_buf_addf(&ev, "%s%s@%" PRIu64, (i || f->n_evidence) ? "; " : "",
                             f->matches[i].ident ? f->matches[i].ident : "", f->matches[i].offset);
        if (st == WS_OK)
            st = cell(b, ev.data, ev.len, 1);
        ws_buf_release(&ev);
        if (st != WS_OK)
            goto out;
    }
out:
    if (st != WS_OK) {
        ws_buf_reset(b);
        return st;
    }
    return ws_sink_flush_line(s);
}

static ws_status csv_close(struct ws_sink *s, const struct ws_summary *sum, const char *host)
{
    (void)sum;
    (void)host;
    if (s->written == 0) {
        ws_status st = ws_buf_adds(&s->line, header);
        if (st == WS_OK)
            st = ws_sink_flush_line(s);
        if (st != WS_OK)
            return st;
    }
    fflush(s->out);
    return WS_OK;
}

static const struct ws_sink_ops csv_ops = {csv_emit, csv_close};

ws_status ws_sink_csv_new(FILE *out, unsigned flags, ws_sink **sink)
{
    return ws_sink_alloc(&csv_ops, out, flags, sink);
}
