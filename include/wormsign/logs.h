/*
 * logs.h - hunting in Windows event logs (EVTX and legacy EVT).
 *
 * A ws_logs runs the pack's event rules on every record of the files it is
 * given (each match is a finding at once) and keeps a few compact facts
 * (network logons, admin-share writes, service installs, recon command
 * lines) for the correlation detectors the pack switches on; those run in
 * ws_logs_finish(), over all files together, grouped by computer name. So
 * the Security and System logs of one host are given together.
 *
 * Findings: ruleset "event", source "evtx" or "evt", path = the log file,
 * host = the record's Computer, mtime = the event time; ECS fields
 * winlog.*, event.code, source.ip, user.name, service.name, file.path,
 * process.* as the event has them. Corrupt chunks and records are error
 * findings; reading goes on.
 *
 * Thread rule: one thread at a time per ws_logs; the pack is shared.
 */
#ifndef WORMSIGN_LOGS_H
#define WORMSIGN_LOGS_H

#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/pack.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_logs ws_logs;

/* pack must be compiled and outlive the handle. */
WS_API WS_MUST_CHECK ws_status ws_logs_new(const ws_pack *pack, ws_emit_fn emit, void *user,
                                           ws_logs **out);

/* Threads parsing each file's chunks (records are still handled in file
 * order on the calling thread): 1 (the default) none, 0 all cores. */
WS_API void ws_logs_set_threads(ws_logs *h, unsigned threads);

/* Read one EVTX or EVT file. Problems inside the file are error findings;
 * the status is not WS_OK only when the file could not be opened (also
 * emitted) or memory ran out. */
WS_API WS_MUST_CHECK ws_status ws_logs_add_file(ws_logs *h, const char *path);

/* Run the correlation detectors over everything read. Call once. */
WS_API WS_MUST_CHECK ws_status ws_logs_finish(ws_logs *h);

struct ws_logs_stats {
    uint64_t files, records, bytes, facts;
};
WS_API void ws_logs_get_stats(const ws_logs *h, struct ws_logs_stats *s);

/* Accepts NULL. */
WS_API void ws_logs_free(ws_logs *h);

#ifdef __cplusplus
}
#endif
#endif
