/*
 * report.c - fan one stream of findings out to the sinks.
 *
 * Findings arrive from every worker thread. One mutex serialises them, so a
 * record is formatted and written whole before the next starts: output lines
 * never interleave, and the totals that decide the exit status are exact.
 * A sink that fails to write (disk full, closed pipe) is remembered; the
 * failure surfaces from ws_report_close() rather than stopping the scan.
 */
#include "core/compat.h"

#include <pthread.h>
#include <string.h>

#include "core/alloc.h"
#include "core/sink_impl.h"

/* More sinks than a run could want (human + json + csv + a few files). */
#define REPORT_MAX_SINKS 8

struct ws_report {
    pthread_mutex_t lock;
    struct ws_sink *sinks[REPORT_MAX_SINKS];
    size_t n_sinks;
    char *host;
    uint64_t alerts, errors, skipped;
    int max_severity;
    ws_status write_status; /* first sink failure */
};

ws_status ws_report_new(const char *host, ws_report **out)
{
    struct ws_report *r = ws_calloc(1, sizeof *r);
    if (!r)
        return WS_E_NOMEM;
    r->host = ws_strdup(host ? host : "");
    if (!r->host || pthread_mutex_init(&r->lock, NULL) != 0) {
        ws_free(r->host);
        ws_free(r);
        return WS_E_NOMEM;
    }
    *out = r;
    return WS_OK;
}

ws_status ws_report_add_sink(ws_report *r, ws_sink *sink)
{
    if (r->n_sinks >= REPORT_MAX_SINKS) {
        ws_sink_free(sink);
        return WS_E_TOO_LARGE;
    }
    r->sinks[r->n_sinks++] = sink;
    return WS_OK;
}

int ws_report_emit(void *user, const struct ws_finding *f)
{
    struct ws_report *r = user;
    pthread_mutex_lock(&r->lock);
    switch (f->kind) {
    case WS_FINDING_ALERT:
        r->alerts++;
        if (f->severity > r->max_severity)
            r->max_severity = f->severity;
        break;
    case WS_FINDING_ERROR:
        r->errors++;
        break;
    case WS_FINDING_SKIP:
        r->skipped++;
        break;
    case WS_FINDING_INFO:
        break;
    }
    for (size_t i = 0; i < r->n_sinks; i++) {
        ws_status st = r->sinks[i]->ops->emit(r->sinks[i], f, r->host);
        if (st != WS_OK && r->write_status == WS_OK)
            r->write_status = st;
    }
    pthread_mutex_unlock(&r->lock);
    return 0;
}

void ws_report_totals(ws_report *r, struct ws_summary *s)
{
    pthread_mutex_lock(&r->lock);
    s->alerts = r->alerts;
    s->errors = r->errors;
    s->skipped = r->skipped;
    s->max_severity = r->max_severity;
    pthread_mutex_unlock(&r->lock);
}

ws_status ws_report_close(ws_report *r, const struct ws_summary *s)
{
    ws_status st = r->write_status;
    for (size_t i = 0; i < r->n_sinks; i++) {
        ws_status cs = r->sinks[i]->ops->close(r->sinks[i], s, r->host);
        if (cs != WS_OK && st == WS_OK)
            st = cs;
    }
    return st;
}

void ws_report_free(ws_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_sinks; i++)
        ws_sink_free(r->sinks[i]);
    pthread_mutex_destroy(&r->lock);
    ws_free(r->host);
    ws_free(r);
}

int ws_summary_exit_code(const struct ws_summary *s)
{
    if (s->alerts)
        return 1;
    if (s->errors || !s->complete)
        return 2;
    return 0;
}
