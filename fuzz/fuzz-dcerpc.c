/*
 * fuzz-dcerpc.c - DCE/RPC over TCP: PDU framing, fragments, binds and the
 * svcctl NDR decoders, over chunked stream bytes (bit 7 of the first byte
 * pre-binds svcctl)
 * (format: src/net/net_fuzz.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "net/net_int.h"

static int sink(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_status st = net_fuzz_stream(NET_APP_DCERPC, data, size, sink, NULL);
    (void)st;
    return 0;
}
