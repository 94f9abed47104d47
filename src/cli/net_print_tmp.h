/*
 * net_print_tmp.h - TEMPORARY finding printers for `wormsign net` until the
 * lead's sinks (ws_sink_json_new / ws_sink_human_new, ws_report) are in this
 * tree. The lead replaces the calls in net.c with ws_report_emit and deletes
 * net_print_tmp.[ch] at merge.
 */
#ifndef WS_NET_PRINT_TMP_H
#define WS_NET_PRINT_TMP_H

#include <stdint.h>
#include <stdio.h>

#include "wormsign/finding.h"

struct net_print {
    FILE *out;
    int json;
    uint64_t alerts, errors, infos;
    int max_severity;
};

/* A ws_emit_fn: user is a struct net_print. */
int net_print_emit(void *user, const struct ws_finding *f);

#endif
