/*
 * hive.h - scanning offline Windows registry hives (regf files) for
 * Kwampirs persistence and service-based lateral movement.
 *
 * A hive is read through libregf (libyal). The scanner looks only at the
 * keys that carry the traces it hunts, so it is fast on a 100 MB SYSTEM hive:
 *
 *   - ControlSet00N\Services\* of every control set under the root (and a
 *     "CurrentControlSet" key if the hive really holds one): the Kwampirs
 *     service triad (name WmiApSrvEx, display name "WMI Performance Adapter
 *     Extension", image path with "ControlTrace -Embedding -k"), plus the
 *     generic trace of remote service creation (image in the Windows folder
 *     root, in Windows\Temp, on a UNC/ADMIN$ path; cmd /c, powershell,
 *     rundll32 with a DLL in Windows\ or a Temp folder);
 *   - the Run, RunOnce, RunServices(Once) and Policies\Explorer\Run keys of
 *     a SOFTWARE hive (and its Wow6432Node) or of an NTUSER.DAT hive: values
 *     that name a Kwampirs payload DLL or dropper EXE.
 *
 * Every result is a struct ws_finding (ruleset "hive", source "hive", path =
 * the hive file) sent to the caller's ws_emit_fn, with the ECS fields
 * registry.hive, registry.key, registry.value, registry.path and
 * registry.data.strings. A hive that cannot be opened, or a key or value
 * that cannot be read, gives a finding of kind WS_FINDING_ERROR that carries
 * libregf's own message; the scan then goes on with what can be read. One
 * WS_FINDING_INFO record per hive tells what was examined. Crafted hives
 * that would make libregf spin are clamped in a private copy first (the
 * evidence is never written), and one hive never takes more than
 * WS_MAX_HIVE_SECONDS (src/core/limits.h). docs/internals/
 * hive.md lists every rule.
 *
 * Thread rule: the functions keep no state; different hives may be scanned
 * from different threads at the same time.
 */
#ifndef WORMSIGN_HIVE_H
#define WORMSIGN_HIVE_H

#include <stddef.h>
#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What one scan looked at. All counters add up over several calls. */
struct ws_hive_stats {
    uint64_t hives;      /* hives opened */
    uint64_t services;   /* service keys examined */
    uint64_t run_values; /* Run-key values examined */
    uint64_t alerts;     /* ALERT findings emitted */
    uint64_t errors;     /* ERROR findings emitted */
};

/*
 * Scan the hive file at path (NUL-terminated; raw bytes, passed to libregf
 * as they are). Findings go to emit(user, f); when emit returns non-zero the
 * scan stops and WS_E_CANCELLED is returned. stats may be NULL; otherwise its
 * counters are increased.
 *
 * A hive that is missing, unreadable, truncated or corrupt is NOT a failure
 * of this call: it is reported as an ERROR finding and WS_OK is returned.
 * Statuses: WS_OK; WS_E_INVALID (NULL path or emit); WS_E_NOMEM;
 * WS_E_CANCELLED.
 */
WS_API WS_MUST_CHECK ws_status ws_hive_scan_file(const char *path, ws_emit_fn emit, void *user,
                                                 struct ws_hive_stats *stats);

/*
 * The same over a hive held in memory (data, len): borrowed for the call
 * only. label names the hive in findings (their `path`), e.g. "memory" or the
 * path it was read from. Same statuses as ws_hive_scan_file().
 */
WS_API WS_MUST_CHECK ws_status ws_hive_scan_buffer(const void *data, size_t len, const char *label,
                                                   ws_emit_fn emit, void *user,
                                                   struct ws_hive_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
