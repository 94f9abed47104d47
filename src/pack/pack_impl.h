/*
 * pack_impl.h - the inside of a pack set, shared by the loaders in src/pack/
 * and the per-file pipeline in src/file/. Immutable after ws_pack_compile().
 */
#ifndef WS_PACK_IMPL_H
#define WS_PACK_IMPL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yara.h>

#include "wormsign/pack.h"
#include "core/buf.h"
#include "pack/prefilter.h"
#include "wormsign/variant.h"

/* Where an entry came from: the pack file and line, and its description. */
struct ws_ioc_origin {
    const char *file; /* owned by the pack's string list */
    uint64_t line;
    const char *text; /* description (the IOC line's comment or description column) */
    const char *pack; /* pack label: "kwampirs (built-in)" or the --pack argument */
};

enum ws_hash_type { WS_HASH_MD5 = 0, WS_HASH_SHA1 = 1, WS_HASH_SHA256 = 2 };
#define WS_HASH_TYPES 3

struct ws_hash_ioc {
    uint8_t digest[32];
    uint32_t origin; /* index into pack->origins */
    int score;
    int exe_only; /* the list said "# wormsign: filetype=EXE": PE samples only */
};

struct ws_hash_set {
    struct ws_hash_ioc *v;
    size_t n, cap;
};

enum ws_name_scope {
    WS_NAME_WIN = 1u << 0,  /* regex written for '\' paths: match the backslash form */
    WS_NAME_UNIX = 1u << 1, /* regex written for '/' paths: match the path as is */
};

struct ws_name_ioc {
    pcre2_code *re;
    pcre2_code *fp; /* false-positive regex or NULL */
    char *pattern;  /* as written */
    char *literal;  /* required lowercase literal for the prefilter, or NULL */
    size_t literal_len;
    unsigned scope;
    int score;
    uint32_t origin;
};

/* Prefilter: trigram of each name IOC's required literal -> IOC indexes. */
#define WS_NAME_TRIGRAM_BUCKETS 4096
struct ws_name_index {
    uint32_t *bucket_start; /* WS_NAME_TRIGRAM_BUCKETS + 1 offsets into ids */
    uint32_t *ids;
    uint32_t *always; /* IOCs without a usable literal: tried on every path */
    size_t n_always;
};

/* A plain list of lines (C2 domains, URLs, services, recon commands). */
struct ws_line_list {
    char **v;
    uint32_t *origin;
    size_t n, cap;
};

struct ws_yara_source {
    char *origin; /* file name or path */
    char *text;   /* NUL-terminated source */
    size_t len;
    char *base_dir; /* for includes (NULL for built-in) */
    int builtin;
};

struct ws_pack_source {
    char *path;
    const char *kind; /* static: "yara", "hash", "filename", "c2", ... */
    size_t entries;
    int failed;
};

struct ws_pack {
    /* strings owned by the pack (origin file names, descriptions) */
    char **strings;
    size_t n_strings, cap_strings;
    struct ws_ioc_origin *origins;
    size_t n_origins, cap_origins;
    struct ws_pack_source *sources;
    size_t n_sources, cap_sources;
    const char *current_pack; /* label used for entries being loaded */

    struct ws_hash_set hashes[WS_HASH_TYPES];
    /* which digests files need: for every file, or only for PE files ("MZ") */
    unsigned hash_need_any, hash_need_exe;
    struct ws_name_ioc *names;
    size_t n_names, cap_names;
    struct ws_name_index name_index;

    struct ws_yara_source *yara_src;
    size_t n_yara_src, cap_yara_src;
    YR_RULES **yara;               /* compiled: built-in sources, user sources, compiled files */
    struct ws_prefilter **yara_pf; /* parallel to yara: NULL means always scan */
    size_t n_yara, cap_yara;
    size_t yara_rules, yara_failed;
    int yara_uses_md5; /* some rule may read the md5 external */

    ws_variant_db *variants; /* reference digests (`wormsign digest` files), or NULL */
    struct ws_line_list c2_domains, c2_ips, c2_urls, net_patterns, services, recon;
    struct ws_event_rules *event_rules; /* src/logs/rules.c; NULL when none loaded */
    int compiled;
};

struct ws_event_rules;

/* string table */
const char *ws_pack_strdup(struct ws_pack *p, const char *s, size_t n);
uint32_t ws_pack_origin(struct ws_pack *p, const char *file, uint64_t line, const char *text,
                        size_t text_len);
ws_status ws_pack_note_source(struct ws_pack *p, const char *path, const char *kind, size_t entries,
                              int failed);
void ws_pack_emit_error(ws_emit_fn emit, void *user, const char *file, uint64_t line,
                        ws_status code, const char *fmt, ...) WS_PRINTF(6, 7);

/* loaders: each parses a whole buffer; errors go to emit; returns entries added */
ws_status ws_ioc_hash_load(struct ws_pack *p, const char *file, const char *data, size_t len,
                           ws_emit_fn emit, void *user, size_t *added);
ws_status ws_ioc_name_load(struct ws_pack *p, const char *file, const char *data, size_t len,
                           ws_emit_fn emit, void *user, size_t *added);
ws_status ws_ioc_lines_load(struct ws_pack *p, struct ws_line_list *l, const char *file,
                            const char *data, size_t len, size_t *added);
ws_status ws_pack_yara_add_source(struct ws_pack *p, const char *origin, const char *base_dir,
                                  const char *data, size_t len, int builtin);
ws_status ws_pack_yara_add_compiled(struct ws_pack *p, const char *path, ws_emit_fn emit,
                                    void *user);
ws_status ws_pack_yara_compile(struct ws_pack *p, ws_emit_fn emit, void *user);
ws_status ws_ioc_name_compile(struct ws_pack *p);
void ws_ioc_hash_sort(struct ws_pack *p);
void ws_pack_yara_release(struct ws_pack *p);
void ws_ioc_name_release(struct ws_pack *p);

/* matching (src/file uses these) */
const struct ws_hash_ioc *ws_pack_hash_lookup(const struct ws_pack *p, enum ws_hash_type t,
                                              const uint8_t *digest);
/* Required-literal extraction for the prefilter (exposed for tests). */
size_t ws_regex_required_literal(const char *re, size_t n, char *out, size_t outcap);

/* Names of the external variables Loki passes to YARA (declared for every rule set). */
extern const char *const ws_yara_externals[];

#endif
