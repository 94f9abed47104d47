/*
 * fuzz-digest-line.c - libFuzzer harness for digest-file parsing: the whole
 * input is parsed as a digest file into a database, the indexes are built,
 * and the input itself is then matched against it (exercising every
 * parsed reference's digest through the matcher).
 */
#include <stddef.h>
#include <stdint.h>

#include "wormsign/variant.h"

static void on_err(void *user, uint64_t line, ws_status st, const char *msg)
{
    (void)line;
    (void)st;
    (void)msg;
    ++*(unsigned long *)user;
}

static int on_finding(void *user, const struct ws_finding *f)
{
    (void)f;
    ++*(unsigned long *)user;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_variant_db *db = NULL;
    ws_variant_matcher *m = NULL;
    unsigned long errs = 0, hits = 0;
    (void)ws_variant_is_digest_file(data, size);
    if (ws_variant_db_new(&db) != WS_OK)
        return 0;
    if (ws_variant_db_parse(db, data, size, "fuzz", on_err, &errs) != WS_OK)
        goto out;
    if (ws_variant_db_finish(db) != WS_OK)
        goto out;
    if (ws_variant_matcher_new(db, NULL, &m) != WS_OK)
        goto out;
    if (ws_variant_match(m, data, size, NULL, on_finding, &hits) != WS_OK)
        hits = 0;
out:
    ws_variant_matcher_free(m);
    ws_variant_db_free(db);
    return 0;
}
