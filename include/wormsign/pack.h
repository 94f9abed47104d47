/*
 * pack.h - everything a detector needs that is data, not code.
 *
 * A pack set (ws_pack) gathers the built-in Kwampirs pack and any user packs:
 * YARA rules (source or compiled), Loki/signature-base IOC files (hash lists,
 * file-name regexes, C2 lists), plain hash lists, and wormsign's own lists
 * (service indicators, network patterns, recon commands).
 *
 * Life cycle: ws_pack_new(), then any number of ws_pack_add_*(), then
 * ws_pack_compile() once. After compile the pack is immutable and may be
 * shared freely by every thread (YARA's YR_RULES rule). Problems in pack
 * files (a rule that does not compile, a malformed IOC line) are reported as
 * error findings through the emit callback, with file and line, and the rest
 * still loads: one bad rule never disables a rule set.
 */
#ifndef WORMSIGN_PACK_H
#define WORMSIGN_PACK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wormsign/finding.h"
#include "wormsign/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ws_pack ws_pack;

WS_API WS_MUST_CHECK ws_status ws_pack_new(ws_pack **out);
WS_API void ws_pack_free(ws_pack *p);

/* Load the built-in Kwampirs pack. */
WS_API WS_MUST_CHECK ws_status ws_pack_add_builtin(ws_pack *p, ws_emit_fn emit, void *user);

/* Load a user pack: a file (by content and name) or a folder (a
 * signature-base-style checkout with yara/ and iocs/, or any folder of pack
 * files, walked recursively). Returns an error status only when nothing at
 * all could be loaded from path; partial problems are emitted as findings. */
WS_API WS_MUST_CHECK ws_status ws_pack_add_path(ws_pack *p, const char *path, ws_emit_fn emit,
                                                void *user);

/* Load one pack file from memory; name decides the type as for a file. */
WS_API WS_MUST_CHECK ws_status ws_pack_add_buffer(ws_pack *p, const char *name, const void *data,
                                                  size_t len, ws_emit_fn emit, void *user);

/* Compile YARA sources, sort hash sets, JIT the regexes. Call once. */
WS_API WS_MUST_CHECK ws_status ws_pack_compile(ws_pack *p, ws_emit_fn emit, void *user);

/* What a pack set holds. */
struct ws_pack_stats {
    size_t md5, sha1, sha256; /* hash IOCs */
    size_t name_iocs;         /* file-name/path regexes */
    size_t yara_rules;        /* compiled rules (after compile) */
    size_t yara_files;        /* YARA source or compiled files loaded */
    size_t yara_failed;       /* YARA files that did not compile */
    size_t c2_domains, c2_ips, c2_urls;
    size_t net_patterns, services, recon_commands;
    size_t sources; /* pack files loaded */
};
WS_API void ws_pack_get_stats(const ws_pack *p, struct ws_pack_stats *st);

/* Write a human description of the pack set: counts per file, and the
 * public sources its entries cite. */
WS_API WS_MUST_CHECK ws_status ws_pack_describe(const ws_pack *p, FILE *out, int verbose);

#ifdef __cplusplus
}
#endif
#endif
