/*
 * filescan.h - the per-file pipeline of one worker thread.
 *
 * A ws_filescan owns everything mutable a worker needs: one YR_SCANNER per
 * compiled rule set, the digest contexts, the name matcher and the file
 * buffer (grown up to max_scan_size and reused). Thread rule: one thread.
 */
#ifndef WS_FILESCAN_H
#define WS_FILESCAN_H

#include "wormsign/scan.h"
#include "source/source.h"

struct ws_filescan;
struct ws_throttle;

struct ws_filescan_opts {
    uint64_t max_scan_size;
    unsigned yara_timeout;
    ws_emit_fn emit;
    void *emit_user;
    struct ws_throttle *throttle;          /* shared, may be NULL */
    const struct ws_variant_opts *variant; /* NULL: defaults */
};

WS_MUST_CHECK ws_status ws_filescan_new(const struct ws_pack *pack,
                                        const struct ws_filescan_opts *o, struct ws_filescan **out);
void ws_filescan_free(struct ws_filescan *fs);

/* Read an open file once through every detector. path is what findings say. */
WS_MUST_CHECK ws_status ws_filescan_file(struct ws_filescan *fs, const struct ws_source_ops *src,
                                         void *ctx, void *file, const struct ws_stat *st,
                                         const char *path, size_t path_len);
/* The detectors over bytes already in memory (the real work). */
WS_MUST_CHECK ws_status ws_filescan_buffer(struct ws_filescan *fs, const char *path,
                                           size_t path_len, const uint8_t *data, size_t len,
                                           int64_t mtime, uint32_t uid);
/* A file known by its path alone (no bytes): file-name IOCs only. */
void ws_filescan_name(struct ws_filescan *fs, const char *path, size_t path_len, uint64_t size);
/* Bytes read and files examined by this worker so far, and files too large for YARA. */
void ws_filescan_counts(const struct ws_filescan *fs, uint64_t *files, uint64_t *bytes,
                        uint64_t *too_large);

#endif
