/*
 * fuzz-ioc-list.c - IOC list parsers (Loki hash and filename formats, C2 and
 * wormsign line lists) on arbitrary bytes. The first byte picks the file type
 * by name, the rest is the file. Compiling the pack must not crash either.
 */
#include <stddef.h>
#include <stdint.h>

#include "wormsign/wormsign.h"

static int ignore(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"x-hash-iocs.txt", "x-filename-iocs.txt", "c2-iocs.txt",
                                        "services.txt", "plain.txt"};
    if (size < 1)
        return 0;
    ws_pack *p;
    if (ws_pack_new(&p) != WS_OK)
        return 0;
    const char *name = names[data[0] % 5];
    if (ws_pack_add_buffer(p, name, data + 1, size - 1, ignore, NULL) == WS_OK &&
        ws_pack_compile(p, ignore, NULL) != WS_OK)
        __builtin_trap(); /* a loaded list must compile */
    ws_pack_free(p);
    return 0;
}
