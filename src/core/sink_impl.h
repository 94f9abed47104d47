/*
 * sink_impl.h - what a sink is on the inside: a small vtable over a FILE*.
 * Each sink formats one finding per call; ws_report serialises the calls.
 */
#ifndef WS_SINK_IMPL_H
#define WS_SINK_IMPL_H

#include "wormsign/sink.h"
#include "core/buf.h"

struct ws_sink_ops {
    ws_status (*emit)(struct ws_sink *s, const struct ws_finding *f, const char *host);
    ws_status (*close)(struct ws_sink *s, const struct ws_summary *sum, const char *host);
};

struct ws_sink {
    const struct ws_sink_ops *ops;
    FILE *out; /* borrowed: the caller closes it */
    unsigned flags;
    struct ws_buf line; /* scratch: one formatted record */
    uint64_t written;   /* records written */
};

/* Caps: one output record. A finding with 64 evidence values and 16 matches
 * of 64 bytes each fits in well under 1 MiB; paths are capped at 32 KiB. */
#define WS_SINK_MAX_RECORD (4u * 1024u * 1024u)

ws_status ws_sink_alloc(const struct ws_sink_ops *ops, FILE *out, unsigned flags,
                        struct ws_sink **sink);
/* Write s->line to s->out (and reset it). */
ws_status ws_sink_flush_line(struct ws_sink *s);
/* ISO-8601 UTC with milliseconds from Unix seconds (+ fraction). out >= 32 bytes. */
void ws_format_time(int64_t secs, long nsec, char *out, size_t n);
/* Human label of a severity: "ALERT", "WARNING", "NOTICE", "INFO". */
const char *ws_severity_label(int severity);

#endif
