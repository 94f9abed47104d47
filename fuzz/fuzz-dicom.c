/*
 * fuzz-dicom.c - DICOM Upper Layer framing and A-ASSOCIATE-RQ/AC/RJ parsing
 * (src/net/dicom.c) and the host inventory behind it, over chunked stream
 * bytes (format: src/net/net_fuzz.c), then the end-of-capture findings.
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
    ws_status st = net_fuzz_stream(NET_APP_DICOM, data, size, sink, NULL);
    (void)st;
    return 0;
}
