/*
 * scan.h - scanning files: the one-pass per-file pipeline over a thread pool.
 *
 * A ws_scanner walks the paths it is given (folders, files, lists, or
 * smb://host/share/folder URLs read over SMB), hands
 * each regular file to a worker, and each worker reads the file once and runs
 * every file detector over the same bytes: digests (only those the pack
 * needs), file-name IOCs, hash IOCs, YARA. Findings go to opts->emit, which
 * must be thread-safe (ws_report_emit is).
 *
 * Thread rule: one thread drives a scanner (add paths, finish); the scanner
 * runs its own workers. The pack must be compiled and outlive the scanner.
 */
#ifndef WORMSIGN_SCAN_H
#define WORMSIGN_SCAN_H

#include <stdint.h>

#include "wormsign/finding.h"
#include "wormsign/pack.h"
#include "wormsign/smb.h"
#include "wormsign/variant.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_scanner ws_scanner;

enum ws_scan_flags {
    WS_SCAN_FOLLOW_SYMLINKS = 1u << 0, /* follow links (loops detected); default: never */
    WS_SCAN_ONE_FILE_SYSTEM = 1u << 1, /* do not cross into other mounted file systems */
    WS_SCAN_PSEUDO_FS = 1u << 2,       /* also read /proc, /sys and the like (default: skip) */
    WS_SCAN_NO_IMAGES = 1u << 3,       /* read a disk image named as a root as bytes, not walk it */
    WS_SCAN_DELETED = 1u << 4,         /* inside disk images, also scan deleted files */
};

struct ws_scan_progress {
    uint64_t files;   /* files examined */
    uint64_t bytes;   /* bytes read */
    uint64_t queued;  /* files found by the walker */
    double seconds;   /* since the scanner started */
    const char *path; /* last path queued (borrowed for the call) */
};

struct ws_scan_opts {
    unsigned threads; /* 0: all cores */
    uint64_t
        max_scan_size; /* bytes; larger files are hashed and name-checked, not YARA'd; 0: default */
    double io_rate;    /* MB/s over all threads; 0: unlimited */
    double file_rate;  /* files/s; 0: unlimited */
    unsigned yara_timeout;       /* seconds per file; 0: default 60 */
    unsigned flags;              /* enum ws_scan_flags */
    const char *const *excludes; /* fnmatch globs on the full path and on the name */
    size_t n_excludes;
    ws_emit_fn emit;
    void *emit_user;
    /* Called from the driving thread about four times a second; may be NULL. */
    void (*progress)(void *user, const struct ws_scan_progress *p);
    void *progress_user;
    /* Settings and credentials for roots that are smb:// URLs (smb://host/share/dir);
     * NULL: anonymous. Borrowed until ws_scanner_free(). */
    const struct ws_smb_opts *smb;
    /* Variant matching (reference digests in the packs); NULL: defaults. */
    const struct ws_variant_opts *variant;
};

struct ws_scan_stats {
    uint64_t files, bytes, dirs;
    uint64_t symlinks_not_followed, hardlinks_deduplicated, excluded, special_skipped;
    uint64_t too_large; /* files not given to YARA because of max_scan_size */
    double seconds;
};

WS_API WS_MUST_CHECK ws_status ws_scanner_new(const ws_pack *pack, const struct ws_scan_opts *opts,
                                              ws_scanner **out);
/* Walk and queue one path (file or folder). Blocks while the queue is full.
 * Problems with the path itself are emitted as error findings too. A regular
 * file that The Sleuth Kit opens as a disk image (raw, E01, VMDK, VHD with a
 * partition table or a file system) is walked as a tree rooted at its path,
 * "<image>/[p<N>/]<path inside>", unless WS_SCAN_NO_IMAGES. */
WS_API WS_MUST_CHECK ws_status ws_scanner_add_path(ws_scanner *s, const char *path);
/* Wait for the workers to drain the queue; fill stats. */
WS_API WS_MUST_CHECK ws_status ws_scanner_finish(ws_scanner *s, struct ws_scan_stats *stats);
/* Ask the walker and workers to stop early (thread-safe, async-signal-safe). */
WS_API void ws_scanner_cancel(ws_scanner *s);
WS_API void ws_scanner_free(ws_scanner *s);

/* Scan one object already in memory (a file rebuilt from a capture, a file
 * read from an image) through the same per-file pipeline. name is its path
 * for name IOCs and findings. */
WS_API WS_MUST_CHECK ws_status ws_scan_buffer(const ws_pack *pack, const char *name,
                                              const void *data, size_t len, ws_emit_fn emit,
                                              void *user);

/* Check a file known only by its path (a copy seen on the wire only in part,
 * a name in a log) against the packs' file-name IOCs; size may be 0 if not
 * known. The findings say the same as a scan's name findings, without
 * hashes. */
WS_API WS_MUST_CHECK ws_status ws_scan_name(const ws_pack *pack, const char *name, uint64_t size,
                                            ws_emit_fn emit, void *user);

#ifdef __cplusplus
}
#endif
#endif
