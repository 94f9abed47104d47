/*
 * finding.h - the one record type of wormsign.
 *
 * Every detector (hash, name, YARA, variant, event, hive, network) and every
 * error the user must see produces a struct ws_finding, and every sink
 * (human, NDJSON/ECS, CSV) consumes it. A detector fills one on its stack and
 * passes it to a ws_emit_fn; it knows nothing of sinks.
 *
 * Ownership: everything a finding points to is *borrowed* for the duration
 * of the ws_emit_fn call only. A sink that keeps data must copy it.
 *
 * Extra fields: detector families add their own ECS fields (source.ip,
 * winlog.record_id, registry.path, ...) through `fields`, with dotted ECS
 * names; the NDJSON sink nests them. Evidence that has no ECS name goes in
 * `evidence` and appears under wormsign.evidence.*.
 */
#ifndef WORMSIGN_FINDING_H
#define WORMSIGN_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum ws_finding_kind {
    WS_FINDING_ALERT = 1, /* a detection: event.kind "alert" */
    WS_FINDING_ERROR = 2, /* evidence unreadable, corrupt, changed: nothing silently lost */
    WS_FINDING_SKIP = 3,  /* deliberately not (fully) examined, with the reason */
    WS_FINDING_INFO = 4,  /* context worth recording (inventory, exposure), not an alert */
};

enum ws_kv_type {
    WS_KV_STR = 0, /* val/len: bytes, escaped on output */
    WS_KV_INT = 1, /* num */
    WS_KV_BOOL = 2 /* num != 0 */
};

/* One key/value. For `fields`, key is a dotted ECS name ("source.ip"). */
struct ws_kv {
    const char *key;
    enum ws_kv_type type;
    const char *val;
    size_t len;
    int64_t num;
};

/* One matched string of a YARA rule (or byte-pattern detector). */
struct ws_match {
    const char *ident;   /* "$pubkey" */
    uint64_t offset;     /* in the object */
    const uint8_t *data; /* up to WS_MAX_MATCH_BYTES of the matched bytes */
    size_t len;          /* bytes in data */
    size_t match_len;    /* full length of the match */
};

/* Unknown evidence time. */
#define WS_TIME_UNKNOWN INT64_MIN

struct ws_finding {
    enum ws_finding_kind kind;
    const char *ruleset;     /* detector family: "hash", "name", "yara", "variant", "event",
                                "hive", "net", "scan" (errors and skips of the walker) */
    const char *rule_id;     /* stable id, e.g. "kwampirs.md5.ec968325..." or "ns:rule" */
    const char *rule_name;   /* human name */
    const char *description; /* what the rule means */
    const char *reference;   /* public source the rule cites */
    const char *pack;        /* pack the rule came from ("kwampirs (built-in)", a path) */
    int severity;            /* 0..100 (Loki/THOR score scale) */

    const char *host;   /* host.name of the evidence; NULL: the scanning host */
    const char *source; /* evidence kind: "file", "evtx", "evt", "pcap", "hive", "smb" */
    const char *path;   /* file (or log, capture, hive) path: raw bytes, may be invalid UTF-8 */
    size_t path_len;
    int has_size;
    uint64_t size;
    const char *md5, *sha1, *sha256; /* lowercase hex or NULL */
    int64_t mtime;                   /* evidence's own time, Unix seconds, or WS_TIME_UNKNOWN */

    ws_status error_code; /* kind ERROR/SKIP: why */
    const char *message;  /* kind ERROR/SKIP: human text; ALERT: optional summary */

    const char *ioc_file; /* the IOC line that matched, and where it came from */
    uint64_t ioc_line;
    const char *ioc_text;

    const struct ws_kv *fields; /* extra ECS fields (dotted names) */
    size_t n_fields;
    const struct ws_kv *evidence; /* wormsign.evidence.* */
    size_t n_evidence;
    const struct ws_match *matches;
    size_t n_matches;
};

/* Initialise a finding of the given kind with everything else empty. */
WS_API void ws_finding_init(struct ws_finding *f, enum ws_finding_kind kind);

/* Where detectors send findings. Returns 0 to continue, non-zero to ask the
 * producer to stop. Called from any worker thread; see ws_report for a
 * thread-safe implementation. */
typedef int (*ws_emit_fn)(void *user, const struct ws_finding *f);

#ifdef __cplusplus
}
#endif
#endif
