/*
 * regf_check.h - a linear pre-pass over a hive's bins that finds key nodes
 * libregf would choke on, so they can be clamped in a private copy before
 * libregf reads them.
 *
 * Why: libregf 20201007 trusts a key node's value count. A key claiming
 * 0x80000006 values makes libregf_key_get_sub_key() append list entries one
 * by one until libcdata's array limit, about 12 s per such key (found by
 * fuzz-hive; fuzz/corpus/fuzz-hive/timeout-libregf-value-count). A hostile
 * hive with thousands of such keys would hold the scanner for hours.
 */
#ifndef WS_REGF_CHECK_H
#define WS_REGF_CHECK_H

#include "core/buf.h"

enum ws_regf_fix_kind {
    WS_REGF_FIX_VALUES = 1, /* a key node's 32-bit value count */
    WS_REGF_FIX_INDEX = 2,  /* an "ri" index root's 16-bit leaf count */
};

/* One repair: the little-endian count (width bytes) at file offset off
 * becomes val (was: what the hive said). */
struct ws_regf_fix {
    enum ws_regf_fix_kind kind;
    unsigned width; /* 4 (values) or 2 (index) */
    uint64_t off;
    uint32_t was, val;
    char name[64]; /* VALUES: the key's name if stored as ASCII, else "" */
};

/* Reads exactly n bytes at offset off of the hive file; 0 on success. */
typedef int (*ws_regf_read_fn)(void *ctx, uint64_t off, void *buf, size_t n);

/*
 * Walk the hive bins of a hive file of size bytes (base block included),
 * read bin by bin through read(ctx, ...) into scratch (whose cap bounds the
 * largest bin examined), and record, for each allocated key node ("nk")
 * claiming more than WS_MAX_HIVE_VALUES values that its value-list cell
 * cannot hold (or whose list lies outside the file), the repair that clamps
 * the count to the list's capacity. Counts up to WS_MAX_HIVE_VALUES are not
 * checked: libregf reads those quickly whatever they say. Also, for each
 * "ri" index root (subkey lists of lists) whose leaves list more than
 * WS_MAX_HIVE_INDEX_ENTRIES subkeys in all (libregf builds the whole list,
 * ~10 s and 660 MB for 2^30 entries, each time such a key is opened), the
 * repair that keeps only the leaves within that total. At most max
 * repairs are stored; *found counts them all. A damaged bin ends the walk
 * quietly (libregf reports it). WS_E_NOMEM is the only failure.
 */
WS_MUST_CHECK ws_status ws_regf_check_value_counts(ws_regf_read_fn read, void *ctx, uint64_t size,
                                                   struct ws_buf *scratch,
                                                   struct ws_regf_fix *fixes, size_t max,
                                                   size_t *found);

#endif
