/*
 * finding.c - the finding record and the helpers every sink shares.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/sink_impl.h"

void ws_finding_init(struct ws_finding *f, enum ws_finding_kind kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->mtime = WS_TIME_UNKNOWN;
}

ws_status ws_sink_alloc(const struct ws_sink_ops *ops, FILE *out, unsigned flags,
                        struct ws_sink **sink)
{
    struct ws_sink *s = ws_calloc(1, sizeof *s);
    if (!s)
        return WS_E_NOMEM;
    s->ops = ops;
    s->out = out;
    s->flags = flags;
    ws_buf_init(&s->line, WS_SINK_MAX_RECORD);
    *sink = s;
    return WS_OK;
}

void ws_sink_free(ws_sink *s)
{
    if (!s)
        return;
    ws_buf_release(&s->line);
    ws_free(s);
}

ws_status ws_sink_flush_line(struct ws_sink *s)
{
    size_t want = s->line.len;
    size_t n = fwrite(s->line.data, 1, want, s->out);
    ws_buf_reset(&s->line);
    s->written++;
    return n == want ? WS_OK : WS_E_IO;
}

void ws_format_time(int64_t secs, long nsec, char *out, size_t n)
{
    struct tm tm;
    time_t t = (time_t)secs;
    if (!gmtime_r(&t, &tm)) {
        snprintf(out, n, "1970-01-01T00:00:00.000Z");
        return;
    }
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec / 1000000);
}

const char *ws_severity_label(int severity)
{
    if (severity >= 80)
        return "ALERT";
    if (severity >= 60)
        return "WARNING";
    if (severity >= 40)
        return "NOTICE";
    return "INFO";
}
