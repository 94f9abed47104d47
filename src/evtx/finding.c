/*
 * finding.c - an EVTX reading error as a ws_finding, so corrupt chunks and
 * records reach the sinks like every other user-visible error (a detector
 * over event logs emits these next to its alerts).
 */
#include "core/compat.h"

#include <string.h>

#include "wormsign/evtx.h"

void ws_evtx_error_finding(const struct ws_evtx_error *e, const char *path, struct ws_kv kv[3],
                           struct ws_finding *f)
{
    memset(f, 0, sizeof *f);
    memset(kv, 0, 3 * sizeof *kv);
    f->kind = WS_FINDING_ERROR;
    f->ruleset = "evtx";
    f->source = "evtx";
    f->path = path;
    f->path_len = path ? strlen(path) : 0;
    f->mtime = WS_TIME_UNKNOWN;
    f->error_code = e->code;
    f->message = e->message;
    size_t n = 0;
    kv[n].key = "log.offset";
    kv[n].type = WS_KV_INT;
    kv[n].num = e->offset > INT64_MAX ? INT64_MAX : (int64_t)e->offset;
    n++;
    if (e->has_record_id) {
        kv[n].key = "winlog.record_id";
        kv[n].type = WS_KV_INT;
        kv[n].num = e->record_id > INT64_MAX ? INT64_MAX : (int64_t)e->record_id;
        n++;
    }
    f->fields = kv;
    f->n_fields = n;
    if (e->chunk != UINT64_MAX) {
        kv[n].key = "chunk";
        kv[n].type = WS_KV_INT;
        kv[n].num = (int64_t)(e->chunk > INT64_MAX ? INT64_MAX : e->chunk);
        f->evidence = &kv[n];
        f->n_evidence = 1;
    }
}
