/*
 * fuzz-tls.c - the TLS ClientHello parser and the HTTP response parser, alone
 * and behind their stream framing, with a small C2 pack so that SNI and HTTP
 * matching, the response queue and the findings run too.
 *
 * The first byte picks the mode (low 2 bits), the rest is the input:
 *   0  tls_parse_client_hello() on a handshake body
 *   1  c2_http_parse_response() on a header block
 *   2  a TLS stream, 3  an HTTP stream: chunked deliveries in the format of
 *      src/net/net_fuzz.c (direction byte, u16le length, bytes)
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/net_int.h"
#include "wormsign/pack.h"

static int sink(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

static const char c2_iocs[] = "dfkcn.tk\ndfkcnyhd.nl\nexample.org\n10.0.0.2\n";
static const char c2_urls[] = "dfkcn.tk/loginloginlogin.php\n10.0.0.2/groupusers/login.aspx\n";
static const char net_patterns[] =
    "url-path;^/(?:(?:new|group|users|default|index|home|main|login)+/)*(?:new|group|users|"
    "default|index|home|main|login)+\\.(?:php|asp|aspx)$;50;grammar\n"
    "domain;^(?:dswqe|pecdbn|unity|main|srv|news|pog|unt|df|gb){2,5}\\.(?:ch|com|info|nl|tk)$;"
    "40;domains\n"
    "query;(?:^|&)q=[^&]+;40;q\n"
    "user-agent;^ItIsMe$;60;ua\n";

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
    if (size < 1)
        return 0;
    int mode = data[0] & 3;
    data++;
    size--;
    if (mode == 0) {
        struct tls_hello h;
        tls_hello_init(&h);
        if (tls_parse_client_hello(data, size, &h) == WS_OK) {
            /* what c2.c reads must be terminated strings */
            size_t l = strlen(h.sni) + strlen(h.alpn) + strlen(h.ja3_md5) + strlen(h.ja3.data);
            (void)l;
        }
        tls_hello_release(&h);
    } else if (mode == 1) {
        struct http_resp r;
        if (c2_http_parse_response((const char *)data, size, &r) == WS_OK) {
            size_t l = strlen(r.mime) + strlen(r.server);
            (void)l;
        }
    } else {
        ws_status st = net_fuzz_stream_pack(mode == 2 ? NET_APP_TLS : NET_APP_HTTP, fuzz_pack(),
                                            data, size, sink, NULL);
        (void)st;
    }
    return 0;
}
