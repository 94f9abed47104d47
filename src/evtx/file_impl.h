/*
 * file_impl.h - what the parallel driver (parallel.c) needs from a ws_evtx
 * (file.c): the file header, then chunk slots read independently.
 */
#ifndef WS_EVTX_FILE_IMPL_H
#define WS_EVTX_FILE_IMPL_H

#include "wormsign/evtx.h"

/* A legacy EVT log (read through libevt, sequentially only). */
int ws_evtx_is_legacy(const ws_evtx *r);

/* Read the file header (before any ws_evtx_next) and hand the chunk slots
 * to the caller: ws_evtx_next returns WS_EVTX_END afterwards. *err is the
 * header's error item (borrowed from r) or NULL. Then ws_evtx_chunk_slots()
 * is known. A status other than WS_OK is a read error. */
WS_MUST_CHECK ws_status ws_evtx_take_header(ws_evtx *r, const struct ws_evtx_error **err);

/* Read chunk slot idx: into buf (WS_EVTX_CHUNK_SIZE bytes) for a file,
 * borrowed for a buffer; *got is 0 past the end. *flags are the
 * ws_evtx_chunk_load flags for it. Does not change r: threads may call it at
 * once, each with its own buf. */
WS_MUST_CHECK ws_status ws_evtx_read_slot(const ws_evtx *r, uint64_t idx, uint8_t *buf,
                                          const uint8_t **p, size_t *got, unsigned *flags);

#endif
