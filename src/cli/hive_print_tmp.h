/*
 * hive_print_tmp.h - TEMPORARY finding printer for `wormsign hive` until the
 * lead's sinks (ws_sink_json_new, ws_sink_human_new) are merged. DELETE this
 * file and hive_print_tmp.c at merge; cmd_hive then emits into a ws_report.
 */
#ifndef WS_HIVE_PRINT_TMP_H
#define WS_HIVE_PRINT_TMP_H

#include <stdio.h>

#include "wormsign/finding.h"

/* Print f as one NDJSON line (json != 0, ECS names like the lead's sink) or
 * one human line. Returns 0 on success. */
int hive_tmp_print(FILE *out, int json, const struct ws_finding *f);

#endif
