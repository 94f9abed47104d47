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
#include "wormsign/pack.h"

static int sink(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

static const char c2_iocs[] = "dfkcn.tk\ndfkcnyhd.nl\nexample.org\n101.11.98.119\n"
                              "172.105.123.10\n";
static const char c2_urls[] = "dfkcn.tk/loginloginlogin.php\n101.11.98.119/groupusers/login.aspx\n";
static const char net_patterns[] =
    "url-path;^/(?:(?:new|group|users|default|index|home|main|login)+/)*(?:new|group|users|"
    "default|index|home|main|login)+\\.(?:php|asp|aspx)$;50;grammar\n"
    "domain;^(?:dswqe|pecdbn|unity|main|srv|news|pog|unt|df|gb){2,5}\\.(?:ch|com|info|nl|tk)$;"
    "40;domains\n"
    "query;(?:^|&)q=[^&]+;40;q\n"
    "user-agent;^ItIsMe$;60;ua\n"
    "dns-answer;^172\\.105\\.123\\.10$;60;sinkhole\n";

/* One pack for the whole run (libFuzzer calls us from one thread). */
static const ws_pack *fuzz_pack(void)
{
    static ws_pack *p;
    static int tried;
    if (!tried) {
        tried = 1;
        if (ws_pack_new(&p) != WS_OK)
            return NULL;
        if (ws_pack_add_buffer(p, "c2-iocs.txt", c2_iocs, strlen(c2_iocs), sink, NULL) != WS_OK ||
            ws_pack_add_buffer(p, "c2-urls.txt", c2_urls, strlen(c2_urls), sink, NULL) != WS_OK ||
            ws_pack_add_buffer(p, "net-patterns.txt", net_patterns, strlen(net_patterns), sink,
                               NULL) != WS_OK ||
            ws_pack_compile(p, sink, NULL) != WS_OK) {
            ws_pack_free(p);
            p = NULL;
        }
    }
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ws_net_opts o = {.emit = sink, .pack = fuzz_pack()};
    ws_net *n = NULL;
    if (ws_net_new(&o, &n) != WS_OK)
        return 0;
    ws_status st = ws_net_scan_mem(n, "fuzz.pcap", data, size);
    (void)st;
    ws_net_free(n);
    return 0;
}
