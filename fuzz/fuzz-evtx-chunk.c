/*
 * fuzz-evtx-chunk.c - libFuzzer harness for the EVTX chunk parser (chunk
 * header, CRCs, record framing, resync, BinXML, event building), and for
 * the file layer when the input is long enough to hold a file header.
 * The input is copied to a buffer of exactly its size so ASan sees any
 * read past it. Seeds: fuzz/corpus/fuzz-evtx-chunk/, made by
 * fuzz/gen-evtx-seeds.c.
 */
#define _GNU_SOURCE 1 /* memfd_create, in fuzz_input.h */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "wormsign/evtx.h"

static void drain_chunk(const uint8_t *p, size_t n, unsigned flags)
{
    ws_evtx_chunk *c;
    if (ws_evtx_chunk_new(&c) != WS_OK)
        return;
    ws_evtx_chunk_load(c, p, n, 0, 4096, flags);
    for (int pass = 0; pass < 200000; pass++) {
        enum ws_evtx_item kind;
        const struct ws_evtx_event *ev;
        const struct ws_evtx_error *err;
        if (ws_evtx_chunk_next(c, &kind, &ev, &err) != WS_OK || kind == WS_EVTX_END)
            break;
        if (kind == WS_EVTX_EVENT)
            fuzz_touch_event(ev, "Data");
    }
    ws_evtx_chunk_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    drain_chunk(p, size > 65536 ? 65536 : size, 0);
    drain_chunk(p, size > 65536 ? 65536 : size, WS_EVTX_NO_CRC | WS_EVTX_CHUNK_RECOVER);
    if (size > 4096) {
        ws_evtx *r;
        if (ws_evtx_open_buffer(p, size, &r) == WS_OK) {
            ws_evtx_set_flags(r, WS_EVTX_RECOVER_SLACK);
            for (int pass = 0; pass < 200000; pass++) {
                enum ws_evtx_item kind;
                const struct ws_evtx_event *ev;
                const struct ws_evtx_error *err;
                if (ws_evtx_next(r, &kind, &ev, &err) != WS_OK || kind == WS_EVTX_END)
                    break;
            }
            ws_evtx_free(r);
        }
    }
    free(p);
    return 0;
}
