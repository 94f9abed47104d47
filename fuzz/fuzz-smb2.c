/*
 * fuzz-smb2.c - NetBIOS framing, SMB2 (and SMB1), the named-pipe DCE/RPC and
 * svcctl decoders behind them, and file rebuilding, over chunked stream bytes
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
    ws_status st = net_fuzz_stream(NET_APP_SMB, data, size, sink, NULL);
    (void)st;
    return 0;
}
