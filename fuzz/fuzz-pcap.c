/*
 * fuzz-pcap.c - the whole path from a capture file: libpcap (pcap and
 * pcapng), link layers, IPv4/IPv6, TCP reassembly and every dissector.
 */
#include <stddef.h>
#include <stdint.h>

#include "wormsign/net.h"

static int sink(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_net_opts o = {.emit = sink};
    ws_net *n = NULL;
    if (ws_net_new(&o, &n) != WS_OK)
        return 0;
    ws_status st = ws_net_scan_mem(n, "fuzz.pcap", data, size);
    (void)st;
    ws_net_free(n);
    return 0;
}
