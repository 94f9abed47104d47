/*
 * sink.h - where findings go.
 *
 * A sink formats findings (human summary, NDJSON with Elastic Common Schema
 * names, CSV) onto a FILE* the caller owns. Sinks know nothing about
 * detectors; they only read struct ws_finding.
 *
 * ws_report fans one stream of findings out to several sinks, serialises them
 * (findings arrive from many worker threads; output lines never interleave),
 * and keeps the totals that decide the exit status.
 *
 * Thread rule: ws_report_emit() may be called from any thread; everything
 * else from one thread at a time.
 */
#ifndef WORMSIGN_SINK_H
#define WORMSIGN_SINK_H

#include <stdio.h>

#include "wormsign/finding.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_sink ws_sink;
typedef struct ws_report ws_report;

enum ws_sink_flags {
    WS_SINK_COLOR = 1u << 0,   /* human sink: ANSI colour (only when stdout is a terminal) */
    WS_SINK_VERBOSE = 1u << 1, /* human sink: list skips and info records too */
    WS_SINK_QUIET = 1u << 2,   /* human sink: alerts and errors only, no totals */
};

/* Totals for the closing summary record. */
struct ws_summary {
    const char *command; /* "scan", "logs", ... */
    uint64_t objects;    /* files, records, frames examined */
    uint64_t bytes;      /* bytes read */
    uint64_t alerts;     /* ALERT findings */
    uint64_t errors;     /* ERROR findings */
    uint64_t skipped;    /* SKIP findings */
    int max_severity;
    double seconds;  /* wall time */
    int64_t started; /* Unix seconds */
    int complete;    /* 1 if nothing was left unexamined because of an error */
};

WS_API WS_MUST_CHECK ws_status ws_sink_human_new(FILE *out, unsigned flags, ws_sink **sink);
WS_API WS_MUST_CHECK ws_status ws_sink_json_new(FILE *out, unsigned flags, ws_sink **sink);
WS_API WS_MUST_CHECK ws_status ws_sink_csv_new(FILE *out, unsigned flags, ws_sink **sink);
WS_API void ws_sink_free(ws_sink *sink);

/* host: host.name put on findings that carry none (the scanning host). */
WS_API WS_MUST_CHECK ws_status ws_report_new(const char *host, ws_report **out);
/* The report takes ownership of sink (consumed, also on failure). */
WS_API WS_MUST_CHECK ws_status ws_report_add_sink(ws_report *r, ws_sink *sink);
/* Thread-safe. Always returns 0 (continue); counts the finding. */
WS_API int ws_report_emit(void *report, const struct ws_finding *f);
/* Fill in the totals (alerts, errors, skipped, max_severity) counted so far. */
WS_API void ws_report_totals(ws_report *r, struct ws_summary *s);
/* Write the closing summary to every sink and flush them. */
WS_API WS_MUST_CHECK ws_status ws_report_close(ws_report *r, const struct ws_summary *s);
WS_API void ws_report_free(ws_report *r);

/* Exit status by the house rule: 1 if anything was found, else 2 if the
 * work failed or is incomplete (errors), else 0. */
WS_API int ws_summary_exit_code(const struct ws_summary *s);

#ifdef __cplusplus
}
#endif
#endif
