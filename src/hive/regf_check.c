/*
 * regf_check.c - find key nodes with impossible value counts (see
 * regf_check.h for why).
 *
 * Layout read here (libyal "Windows NT Registry File (REGF) format";
 * msuhanov "Windows registry file format specification"); offsets of hive
 * bins and cells are relative to the end of the 4096-byte base block:
 *   hive bin:  0 "hbin", 8 u32 size (a multiple of 4096), cells from 32
 *   cell:      0 i32 size (negative: allocated; a multiple of 8), data from 4
 *   key node:  data 0 "nk", 2 u16 flags (0x20: ASCII name), 36 u32 number
 *              of values, 40 u32 value-list offset (0xFFFFFFFF: none),
 *              72 u16 name length, 76 name
 *   value list: a cell of u32 value-key offsets, (size - 4) / 4 of them
 *   index root: "ri", u16 count, count u32 offsets of leaves; a leaf is
 *              "lf"/"lh"/"li", u16 count, entries
 * Each loop moves forward by a bin (>= 4096 bytes) or a cell (>= 8 bytes),
 * so the walk is linear in the file size; memory is one bin.
 */
#include "core/compat.h"

#include <string.h>

#include "core/cur.h"
#include "core/limits.h"
#include "hive/regf_check.h"

#define BASE_BLOCK 4096u
#define NK_FIXED 76u /* bytes of a key node before its name */

struct walk {
    ws_regf_read_fn read;
    void *ctx;
    uint64_t size;
    struct ws_regf_fix *fixes;
    size_t max, *found;
    uint64_t leaf_reads; /* index leaves read so far (WS_MAX_HIVE_INDEX_READS) */
};

static struct ws_regf_fix *add_fix(const struct walk *w)
{
    struct ws_regf_fix *f = *w->found < w->max ? &w->fixes[*w->found] : NULL;
    (*w->found)++;
    if (f)
        memset(f, 0, sizeof *f);
    return f;
}

/* Capacity in entries of the value-list cell at bins offset list. */
static uint32_t list_capacity(const struct walk *w, uint32_t list)
{
    uint8_t b[4];
    struct ws_cur c;
    uint32_t raw;
    uint64_t off = (uint64_t)list + BASE_BLOCK;
    if (list == 0xFFFFFFFFu || off > w->size || w->size - off < 4 ||
        w->read(w->ctx, off, b, 4) != 0)
        return 0;
    ws_cur_init(&c, b, 4);
    if (ws_cur_le32(&c, &raw) != WS_OK)
        return 0;
    uint32_t abs = (int32_t)raw < 0 ? (uint32_t)0 - raw : raw;
    if (abs < 4 || abs > w->size - off)
        return 0;
    return (abs - 4) / 4;
}

/* A key node: data (len bytes) at file offset at. */
static void check_nk(struct walk *w, struct ws_cur *c, uint64_t at)
{
    uint16_t flags, name_len;
    uint32_t nvalues, list;
    if (ws_cur_skip(c, 2) != WS_OK || ws_cur_le16(c, &flags) != WS_OK ||
        ws_cur_seek(c, 36) != WS_OK || ws_cur_le32(c, &nvalues) != WS_OK ||
        ws_cur_le32(c, &list) != WS_OK || ws_cur_seek(c, 72) != WS_OK ||
        ws_cur_le16(c, &name_len) != WS_OK)
        return;
    if (nvalues <= WS_MAX_HIVE_VALUES)
        return;
    uint32_t cap = list_capacity(w, list);
    if (nvalues <= cap)
        return;
    struct ws_regf_fix *f = add_fix(w);
    if (!f)
        return;
    const uint8_t *name;
    f->kind = WS_REGF_FIX_VALUES;
    f->width = 4;
    f->off = at + 36;
    f->was = nvalues;
    f->val = cap;
    size_t nl = name_len < sizeof f->name - 1 ? name_len : sizeof f->name - 1;
    if ((flags & 0x20) && ws_cur_seek(c, NK_FIXED) == WS_OK &&
        ws_cur_bytes(c, nl, &name) == WS_OK) {
        for (size_t i = 0; i < nl; i++)
            f->name[i] = (name[i] >= 0x20 && name[i] < 0x7F) ? (char)name[i] : '?';
    }
}

/* An index root ("ri": u16 count, then count u32 leaf offsets) at file
 * offset at: sum what its leaves list; past WS_MAX_HIVE_INDEX_ENTRIES, keep
 * only the leaves before. A nested ri counts as full (65535 x 65535): Windows
 * never nests them. */
static void check_ri(struct walk *w, struct ws_cur *c, uint64_t at)
{
    uint16_t count;
    if (ws_cur_skip(c, 2) != WS_OK || ws_cur_le16(c, &count) != WS_OK)
        return;
    uint64_t total = 0;
    /* each pass consumes one 4-byte leaf offset */
    for (uint32_t k = 0; k < count; k++) {
        uint32_t leaf;
        uint8_t h[8];
        if (ws_cur_le32(c, &leaf) != WS_OK)
            return; /* count past the cell: libregf reports it */
        if (w->leaf_reads++ >= WS_MAX_HIVE_INDEX_READS)
            return;
        uint64_t off = (uint64_t)leaf + BASE_BLOCK;
        if (off > w->size || w->size - off < sizeof h || w->read(w->ctx, off, h, sizeof h) != 0)
            continue;
        uint32_t n = (uint32_t)h[6] | ((uint32_t)h[7] << 8);
        if (h[4] == 'r' && h[5] == 'i')
            total += (uint64_t)n * 65535u;
        else if ((h[4] == 'l' && (h[5] == 'f' || h[5] == 'h' || h[5] == 'i')))
            total += n;
        if (total > WS_MAX_HIVE_INDEX_ENTRIES) {
            struct ws_regf_fix *f = add_fix(w);
            if (f) {
                f->kind = WS_REGF_FIX_INDEX;
                f->width = 2;
                f->off = at + 2;
                f->was = count;
                f->val = k;
            }
            return;
        }
    }
}

/* The cells of one bin held in (p, n), read from file offset bin; stop at
 * the first damaged cell. */
static void check_bin(struct walk *w, const uint8_t *p, size_t n, uint64_t bin)
{
    struct ws_cur all;
    ws_cur_init(&all, p, n);
    size_t cell = 32;
    while (cell < n && n - cell >= 8) {
        struct ws_cur c;
        uint32_t raw;
        if (ws_cur_window(&all, cell, 4, &c) != WS_OK || ws_cur_le32(&c, &raw) != WS_OK)
            return;
        int32_t size = (int32_t)raw;
        uint32_t abs = size < 0 ? (uint32_t)0 - raw : raw;
        if (abs < 8 || abs % 8 != 0 || abs > n - cell)
            return;
        struct ws_cur d;
        if (size < 0 && ws_cur_window(&all, cell + 4, abs - 4, &d) == WS_OK) {
            if (abs >= 4 + NK_FIXED && ws_cur_has_prefix(&d, "nk", 2))
                check_nk(w, &d, bin + cell + 4);
            else if (ws_cur_has_prefix(&d, "ri", 2))
                check_ri(w, &d, bin + cell + 4);
        }
        cell += abs;
    }
}

ws_status ws_regf_check_value_counts(ws_regf_read_fn read, void *ctx, uint64_t size,
                                     struct ws_buf *scratch, struct ws_regf_fix *fixes, size_t max,
                                     size_t *found)
{
    struct walk w = {read, ctx, size, fixes, max, found, 0};
    uint64_t bin = BASE_BLOCK;
    *found = 0;
    while (bin < size && size - bin >= 32) {
        uint8_t h[32];
        struct ws_cur c;
        uint32_t bsize;
        char *p;
        if (read(ctx, bin, h, sizeof h) != 0)
            return WS_OK;
        ws_cur_init(&c, h, sizeof h);
        if (!ws_cur_has_prefix(&c, "hbin", 4) || ws_cur_skip(&c, 8) != WS_OK ||
            ws_cur_le32(&c, &bsize) != WS_OK)
            return WS_OK;
        if (bsize < 4096 || bsize % 4096 != 0 || bsize > size - bin)
            return WS_OK;
        ws_buf_reset(scratch);
        ws_status st = ws_buf_reserve(scratch, bsize, &p);
        if (st == WS_E_TOO_LARGE)
            return WS_OK; /* a bin past the scratch cap is left to libregf */
        if (st != WS_OK)
            return st;
        if (read(ctx, bin, p, bsize) != 0)
            return WS_OK;
        check_bin(&w, (const uint8_t *)p, bsize, bin);
        bin += bsize;
    }
    return WS_OK;
}
