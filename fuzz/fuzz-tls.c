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
#include "fuzz_packs.h"

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
        ws_status st = net_fuzz_stream_pack(mode == 2 ? NET_APP_TLS : NET_APP_HTTP, fuzz_c2_pack(),
                                            data, size, fuzz_ignore, NULL);
        (void)st;
    }
    return 0;
}
