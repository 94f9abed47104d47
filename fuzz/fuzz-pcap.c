/*
 * fuzz-pcap.c - the whole path from a capture file: libpcap (pcap and
 * pcapng), link layers, IPv4/IPv6, UDP, TCP reassembly and every dissector,
 * with a small C2 pack (built once, in memory) so the DNS and HTTP C2
 * matching runs too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wormsign/net.h"
#include "fuzz_packs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_net_opts o = {.emit = fuzz_ignore, .pack = fuzz_c2_pack()};
    ws_net *n = NULL;
    if (ws_net_new(&o, &n) != WS_OK)
        return 0;
    ws_status st = ws_net_scan_mem(n, "fuzz.pcap", data, size);
    (void)st;
    ws_net_free(n);
    return 0;
}
