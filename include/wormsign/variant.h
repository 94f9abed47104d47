/*
 * variant.h - finding variants of known files: the insertion-tolerant digest,
 * ssdeep and TLSH, against a database of reference digests.
 *
 * Kwampirs' dropper inserts a random string into the middle of its payload
 * DLL before writing it, so every host holds a file with a new hash. A
 * reference database holds, per known file, the line `wormsign digest`
 * prints (size, MD5, SHA-1, SHA-256, ssdeep, TLSH, insertion-tolerant
 * digest, name; format in docs/variant-digest.md). A matcher tests a file
 * already in memory against every reference through indexes (no all-pairs
 * loop) and emits one finding (ruleset "variant") per matching reference.
 *
 * Lifecycle and threads:
 *   ws_variant_db_new -> ws_variant_db_parse (any number of buffers)
 *   -> ws_variant_db_finish -> shared, immutable, by any number of threads
 *   -> ws_variant_db_free after every matcher is freed.
 *   Each worker thread owns one ws_variant_matcher (one thread at a time).
 */
#ifndef WORMSIGN_VARIANT_H
#define WORMSIGN_VARIANT_H

#include <stddef.h>
#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_variant_db ws_variant_db;
typedef struct ws_variant_matcher ws_variant_matcher;

/* First line of a digest file; ws_variant_is_digest_file() looks for it. */
#define WS_VARIANT_HEADER "# wormsign-digest v1"

enum ws_variant_methods {
    WS_VARIANT_INSERTION = 1u << 0, /* exact: the reference with one run inserted */
    WS_VARIANT_SSDEEP = 1u << 1,    /* ssdeep score >= ssdeep_min_score */
    WS_VARIANT_TLSH = 1u << 2,      /* TLSH distance <= tlsh_max_distance */
    WS_VARIANT_ALL = 7u
};

struct ws_variant_opts {
    unsigned methods;      /* enum ws_variant_methods; default WS_VARIANT_ALL */
    int ssdeep_min_score;  /* 1..100; default WS_VARIANT_DEFAULT_SSDEEP */
    int tlsh_max_distance; /* 0..; default WS_VARIANT_DEFAULT_TLSH */
    uint64_t max_insert;   /* longest inserted run; default 1 MiB */
    int report_identical;  /* also report byte-identical files (default 0: the hash
                              detector reports those) */
};

/* Defaults, from bench/RESULTS-variants.md (docs/variant-digest.md says why). */
#define WS_VARIANT_DEFAULT_SSDEEP 80
#define WS_VARIANT_DEFAULT_TLSH 20
#define WS_VARIANT_DEFAULT_MAX_INSERT (1024u * 1024u)

WS_API void ws_variant_opts_init(struct ws_variant_opts *o);

/* A malformed line of a digest file: 1-based line number, status
 * (WS_E_SYNTAX, WS_E_CORRUPT, WS_E_TOO_LARGE), a message naming the field.
 * msg is borrowed for the call. */
typedef void (*ws_variant_error_fn)(void *user, uint64_t line, ws_status st, const char *msg);

WS_MUST_CHECK WS_API ws_status ws_variant_db_new(ws_variant_db **out);
/* Parse a whole buffer of digest lines (with or without the header) and add
 * every valid reference. Each malformed line is reported through err (may be
 * NULL) and skipped. origin (e.g. the pack path) is copied and appears in
 * findings as the IOC file. Returns WS_OK, WS_E_NOMEM, WS_E_TOO_LARGE (more
 * than WS_MAX_VARIANT_REFS references), or WS_E_INVALID after finish. */
WS_MUST_CHECK WS_API ws_status ws_variant_db_parse(ws_variant_db *db, const void *buf, size_t len,
                                                   const char *origin, ws_variant_error_fn err,
                                                   void *user);
/* Build the indexes; the database is immutable afterwards. */
WS_MUST_CHECK WS_API ws_status ws_variant_db_finish(ws_variant_db *db);
WS_API size_t ws_variant_db_count(const ws_variant_db *db);
WS_API void ws_variant_db_free(ws_variant_db *db);

/* Whether buf looks like a digest file: it starts (after an optional UTF-8
 * BOM) with WS_VARIANT_HEADER followed by an end of line. */
WS_API int ws_variant_is_digest_file(const void *buf, size_t len);

/* One matcher per worker thread. opts may be NULL (defaults). db must
 * outlive the matcher. */
WS_MUST_CHECK WS_API ws_status ws_variant_matcher_new(const ws_variant_db *db,
                                                      const struct ws_variant_opts *opts,
                                                      ws_variant_matcher **out);
WS_API void ws_variant_matcher_free(ws_variant_matcher *m);

/* Test one whole file (buf, len) against every reference. For each match,
 * emits a finding copied from tmpl (path, host, size, hashes... may be NULL)
 * with kind ALERT, ruleset "variant", rule_id "variant.<method>.<sha256 of
 * the reference>", rule_name the reference name, severity, IOC file/line of
 * the digest line, and evidence: method ("insertion", "insertion-body",
 * "ssdeep", "tlsh"), reference, reference_sha256, reference_size, and
 * insertion_offset/insertion_length (insertion methods), score (ssdeep) or
 * distance (tlsh). Returns WS_OK, WS_E_CANCELLED if emit asked to stop, or
 * WS_E_NOMEM. */
WS_MUST_CHECK WS_API ws_status ws_variant_match(ws_variant_matcher *m, const void *buf, size_t len,
                                                const struct ws_finding *tmpl, ws_emit_fn emit,
                                                void *user);

/* The digest line of one file (no trailing newline): owned, free with
 * ws_variant_line_free. name is the reference name (bytes, percent-encoded
 * on output). */
WS_MUST_CHECK WS_API ws_status ws_variant_digest_line(const void *buf, size_t len, const char *name,
                                                      size_t name_len, char **line,
                                                      size_t *line_len);
WS_API void ws_variant_line_free(char *line);

#ifdef __cplusplus
}
#endif
#endif
