/*
 * hive_internal.h - library-internal entry points of the hive scanner, for
 * tests.
 */
#ifndef WS_HIVE_INTERNAL_H
#define WS_HIVE_INTERNAL_H

#include "wormsign/hive.h"

/* ws_hive_scan_buffer() with a time budget of seconds instead of
 * WS_MAX_HIVE_SECONDS (0: the walk stops at its first step with a
 * too_large error, which is how tests reach that path). */
WS_MUST_CHECK ws_status ws_hive_scan_buffer_budget(const void *data, size_t len, const char *label,
                                                   ws_emit_fn emit, void *user,
                                                   struct ws_hive_stats *stats, unsigned seconds);

#endif
