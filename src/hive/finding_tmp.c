/*
 * finding_tmp.c - TEMPORARY: ws_finding_init() until the lead's
 * src/core/finding.c is merged into this branch. DELETE THIS FILE AT MERGE
 * (it would clash with src/core/finding.c).
 */
#include "core/compat.h"

#include <string.h>

#include "wormsign/finding.h"

void ws_finding_init(struct ws_finding *f, enum ws_finding_kind kind)
{
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->mtime = WS_TIME_UNKNOWN;
}
