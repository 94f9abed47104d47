/*
 * idset.c - (dev, ino) set, see idset.h.
 */
#include "core/compat.h"

#include <string.h>

#include "core/alloc.h"
#include "core/idset.h"

void ws_idset_init(struct ws_idset *s)
{
    s->keys = NULL;
    s->cap = s->n = 0;
}

void ws_idset_release(struct ws_idset *s)
{
    ws_free(s->keys);
    ws_idset_init(s);
}

static size_t slot(uint64_t dev, uint64_t ino, size_t mask)
{
    uint64_t h = (ino * 0x9E3779B97F4A7C15ull) ^ (dev * 0xC2B2AE3D27D4EB4Full);
    h ^= h >> 29;
    return (size_t)h & mask;
}

static ws_status rehash(struct ws_idset *s, size_t ncap)
{
    uint64_t *nk = ws_alloc_array(ncap * 2, sizeof *nk);
    if (!nk)
        return WS_E_NOMEM;
    for (size_t i = 0; i < ncap; i++)
        nk[2 * i] = UINT64_MAX;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->keys[2 * i] == UINT64_MAX)
            continue;
        size_t j = slot(s->keys[2 * i], s->keys[2 * i + 1], ncap - 1);
        while (nk[2 * j] != UINT64_MAX)
            j = (j + 1) & (ncap - 1);
        nk[2 * j] = s->keys[2 * i];
        nk[2 * j + 1] = s->keys[2 * i + 1];
    }
    ws_free(s->keys);
    s->keys = nk;
    s->cap = ncap;
    return WS_OK;
}

ws_status ws_idset_add(struct ws_idset *s, uint64_t dev, uint64_t ino, int *added)
{
    if (dev == UINT64_MAX)
        dev = UINT64_MAX - 1; /* keep the empty marker free */
    if ((s->n + 1) * 2 > s->cap) {
        ws_status st = rehash(s, s->cap ? s->cap * 2 : 64);
        if (st != WS_OK)
            return st;
    }
    size_t j = slot(dev, ino, s->cap - 1);
    while (s->keys[2 * j] != UINT64_MAX) {
        if (s->keys[2 * j] == dev && s->keys[2 * j + 1] == ino) {
            *added = 0;
            return WS_OK;
        }
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[2 * j] = dev;
    s->keys[2 * j + 1] = ino;
    s->n++;
    *added = 1;
    return WS_OK;
}
