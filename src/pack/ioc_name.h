/*
 * ioc_name.h - matching file paths against the pack's file-name IOCs.
 * A matcher holds per-thread scratch (PCRE2 match data, the Windows and
 * lowercase forms of the path): one per worker, reused for every file.
 */
#ifndef WS_IOC_NAME_H
#define WS_IOC_NAME_H

#include "core/buf.h"
#include "pack/pack_impl.h"

struct ws_name_matcher {
    pcre2_match_data *md;
    struct ws_buf win;   /* path with '/' as '\' */
    struct ws_buf lower; /* Windows form, lowercase */
};

void ws_name_matcher_init(struct ws_name_matcher *m);
void ws_name_matcher_release(struct ws_name_matcher *m);

/* Called for each IOC that matches (after its false-positive regex); return
 * non-zero to stop. */
typedef int (*ws_name_hit_fn)(void *user, const struct ws_name_ioc *ioc);
WS_MUST_CHECK ws_status ws_ioc_name_match(const struct ws_pack *p, struct ws_name_matcher *m,
                                          const char *path, size_t len, ws_name_hit_fn hit,
                                          void *user);

#endif
