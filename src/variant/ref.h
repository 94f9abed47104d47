/*
 * ref.h - one reference of the variant database, and its digest line.
 *
 * Line format (docs/variant-digest.md), fields separated by spaces or tabs:
 *   size md5 sha1 sha256 ssdeep tlsh insertion name
 * ssdeep, tlsh and insertion may be "-" (not computable: TLSH needs 50
 * varied bytes, the insertion digest 64 bytes). For a PE file, insertion is
 * "W1:<whole file>,W1:<body after the PE headers>". name is percent-encoded
 * (bytes <= 0x20, 0x7F and '%' as %XX). '#' starts a comment line.
 */
#ifndef WS_VARIANT_REF_H
#define WS_VARIANT_REF_H

#include "core/buf.h"
#include "variant/insdigest.h"
#include "variant/ssdeep.h"
#include "variant/tlsh.h"

struct ws_variant_ref {
    char *name; /* owned, decoded, NUL-terminated (may hold other bytes) */
    size_t name_len;
    uint64_t line;      /* line in its digest file */
    const char *origin; /* borrowed from the database */
    uint64_t size;
    char md5[33], sha1[41], sha256[65]; /* lowercase hex */
    char ssdeep[WS_SSDEEP_MAX + 1];     /* "" when absent */
    uint32_t ssdeep_bs;
    int has_tlsh, has_ins, has_body;
    struct ws_tlsh_digest tlsh;
    struct ws_insdigest ins;  /* whole file */
    struct ws_insdigest body; /* PE body (skip = SizeOfHeaders) */
};

/* Parse one line (without its end-of-line) into *ref (name owned: release
 * with ws_variant_ref_release). WS_E_NOT_FOUND for blank and comment lines;
 * WS_E_SYNTAX / WS_E_CORRUPT / WS_E_TOO_LARGE with a message in err. */
WS_MUST_CHECK ws_status ws_variant_ref_parse(const char *line, size_t len,
                                             struct ws_variant_ref *ref, struct ws_buf *err);
void ws_variant_ref_release(struct ws_variant_ref *ref);

/* Append the digest line of buf (no newline) to out. */
WS_MUST_CHECK ws_status ws_variant_ref_format(const void *buf, size_t len, const char *name,
                                              size_t name_len, struct ws_buf *out);

#endif
