/*
 * fuzz-hive.c - libFuzzer harness for the registry hive scanner: the input
 * is a whole hive file, scanned from memory through ws_hive_scan_buffer()
 * (libregf over a libbfio memory range), so libregf's parser and our walk
 * and rules all see hostile bytes. Every finding is checked for the fields
 * a sink relies on. Seeds in fuzz/corpus/fuzz-hive/ come from
 * tests/mkhive.py (small valid hives) and cut or damaged copies of them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wormsign/hive.h"

static int check(void *user, const struct ws_finding *f)
{
    (void)user;
    if (!f->ruleset || strcmp(f->ruleset, "hive") != 0 || !f->path || !f->rule_id)
        abort();
    if (f->kind == WS_FINDING_ERROR && !f->message)
        abort();
    for (size_t i = 0; i < f->n_fields; i++)
        if (!f->fields[i].key || (f->fields[i].type == WS_KV_STR && !f->fields[i].val))
            abort();
    for (size_t i = 0; i < f->n_evidence; i++)
        if (!f->evidence[i].key || (f->evidence[i].type == WS_KV_STR && !f->evidence[i].val))
            abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_hive_stats st;
    memset(&st, 0, sizeof st);
    ws_status r = ws_hive_scan_buffer(data, size, "fuzz", check, NULL, &st);
    if (r != WS_OK && r != WS_E_NOMEM)
        abort();
    return 0;
}
