/*
 * fuzz-image.c - disk images through The Sleuth Kit: the input is written to
 * a memfd and named on the scanner's command line as /proc/self/fd/N, so the
 * whole path runs: sniffing (volume system, file system), the image source's
 * listings and lookups, the walker inside the image (deleted files and
 * $OrphanFiles included) and the per-file pipeline over files read through
 * libtsk. Seeds (fuzz/corpus/fuzz-image/) are tiny images made by
 * mkfs.fat/mtools: FAT12 bare, FAT12 behind an MBR, each with a deleted file.
 */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "fuzz_input.h"
#include "fuzz_packs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ws_pack *pack = fuzz_builtin_pack();
    if (!pack || size > (4u << 20))
        return 0;
    char path[64];
    int fd = fuzz_memfd("fuzz-image", data, size, path, sizeof path);
    if (fd < 0)
        return 0;
    struct ws_scan_opts o = {0};
    o.threads = 1;
    o.flags = WS_SCAN_DELETED;
    o.emit = fuzz_ignore;
    ws_scanner *s;
    if (ws_scanner_new(pack, &o, &s) == WS_OK) {
        ws_status rs = ws_scanner_add_path(s, path);
        struct ws_scan_stats st;
        if (ws_scanner_finish(s, &st) != WS_OK || rs != WS_OK)
            rs = WS_E_IO; /* a failed scan is a valid outcome for hostile input */
        ws_scanner_free(s);
    }
    close(fd);
    return 0;
}
