/*
 * fuzz-binxml.c - libFuzzer harness for the BinXML engine alone: the input
 * is a record payload placed at chunk offset 0x200 (after an empty chunk
 * header), walked into the event builder. Offsets inside it (template
 * definitions, names) are chunk-relative as in real records. The buffer is
 * exactly 0x200 + size bytes. Seeds: fuzz/corpus/fuzz-binxml/, made by
 * fuzz/gen-evtx-seeds.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/compat.h"
#include "evtx/binxml.h"
#include "evtx/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536 - 0x200)
        return 0;
    uint8_t *chunk = calloc(1, 0x200 + size);
    struct ws_bx_ctx *x = NULL;
    struct ws_evtx_builder b;
    ws_evb_init(&b);
    if (!chunk || ws_bx_ctx_new(&x) != WS_OK)
        goto out;
    memcpy(chunk + 0x200, data, size);
    ws_bx_begin_chunk(x, chunk, 0x200 + size);
    /* twice: the second run goes through the template cache */
    for (int i = 0; i < 2; i++) {
        struct ws_evtx_event ev;
        ws_evb_reset(&b);
        if (ws_bx_run(x, 0x200, size, &b.sink, NULL, NULL) == WS_OK) {
            memset(&ev, 0, sizeof ev);
            if (ws_evb_finish(&b, &ev) != WS_OK)
                break;
        }
    }
out:
    ws_bx_ctx_free(x);
    ws_evb_release(&b);
    free(chunk);
    return 0;
}
