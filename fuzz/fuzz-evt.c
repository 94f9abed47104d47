/*
 * fuzz-evt.c - legacy EVT logs (Windows NT to XP/2003) through libevt and
 * src/evtx/evt.c: the input is written to a memfd and opened as
 * /proc/self/fd/N (libevt reads from a path), with recovery on, so libevt's
 * header checks, end-of-file scan of dirty logs, wrapped records and the
 * recovery scan of unused space all run, and so does our mapping of every
 * record to a struct ws_evtx_event. Every string an event hands out is
 * touched so ASan sees any read past it. Then the same file goes through the
 * log hunter with the built-in pack (`wormsign logs`: the event rules on
 * positional param1..N strings, the facts and the correlation detectors,
 * the XP 592 cmd.exe chains of the recon burst among them). Seeds
 * (fuzz/corpus/fuzz-evt/) are small logs made by tests/gen_evt.py --seeds:
 * normal, dirty, wrapped, cut, and a recon-burst chain.
 */
#define _GNU_SOURCE 1
#include "core/compat.h"

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "evtx/evt.h"
#include "fuzz_input.h"
#include "fuzz_packs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    char path[64];
    int fd = fuzz_memfd("fuzz-evt", data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    struct ws_evt *e;
    if (ws_evt_open(path, data, size, &e) == WS_OK) {
        ws_evt_set_recover(e, 1);
        for (int pass = 0; pass < 200000; pass++) {
            enum ws_evtx_item kind;
            const struct ws_evtx_event *ev;
            const struct ws_evtx_error *err;
            if (ws_evt_next(e, &kind, &ev, &err) != WS_OK || kind == WS_EVTX_END)
                break;
            if (kind == WS_EVTX_EVENT)
                fuzz_touch_event(ev, "param1");
        }
        ws_evt_free(e);
    }
    const ws_pack *pack = fuzz_builtin_pack();
    ws_logs *h;
    if (pack && ws_logs_new(pack, fuzz_ignore, NULL, &h) == WS_OK) {
        ws_status st = ws_logs_add_file(h, path);
        if (ws_logs_finish(h) != WS_OK || st != WS_OK)
            st = WS_E_IO; /* a failed hunt is a valid outcome for hostile input */
        ws_logs_free(h);
    }
    close(fd);
    return 0;
}
