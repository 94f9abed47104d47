/*
 * idset.h - a set of (device, inode) pairs: hard links scanned once, folders
 * visited once when symbolic links are followed (loop detection).
 * Open addressing, grows at 50% load. Thread rule: one thread.
 */
#ifndef WS_IDSET_H
#define WS_IDSET_H

#include "core/compat.h"

struct ws_idset {
    uint64_t *keys; /* pairs: dev, ino; dev == UINT64_MAX marks an empty slot */
    size_t cap, n;  /* cap in pairs, a power of two */
};

void ws_idset_init(struct ws_idset *s);
void ws_idset_release(struct ws_idset *s);
/* Insert; *added = 1 if it was not there. */
WS_MUST_CHECK ws_status ws_idset_add(struct ws_idset *s, uint64_t dev, uint64_t ino, int *added);

#endif
