/*
 * test-tls.c - unit tests of the TLS ClientHello reader (src/net/tls.c) and
 * of the HTTP responses behind C2 findings (src/net/c2.c).
 *
 * ClientHellos are built here byte by byte from the layouts of RFC 8446
 * 4.1.2, RFC 6066 3 and RFC 7301 3.1; the expected JA3 strings follow from
 * the values put in (GREASE left out, RFC 8701), and their MD5 values come
 * from Python's hashlib. The caps are tested at limit and limit+1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "net/net_int.h"
#include "wormsign/pack.h"

/* ---- building ClientHellos ---- */

struct bld {
    uint8_t b[4 * 65536 + 1024];
    size_t n;
};

static void put(struct bld *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void u8(struct bld *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void be16(struct bld *b, unsigned v)
{
    u8(b, v >> 8);
    u8(b, v & 0xff);
}

static void be24(struct bld *b, size_t v)
{
    u8(b, (unsigned)(v >> 16) & 0xff);
    be16(b, (unsigned)v & 0xffff);
}

static void ext(struct bld *b, unsigned type, const struct bld *body)
{
    be16(b, type);
    be16(b, (unsigned)body->n);
    put(b, body->b, body->n);
}

/* The body of a ClientHello: version 0x0303, GREASE + two ciphers, null
 * compression, then extensions: GREASE (empty), server_name, groups with a
 * GREASE value, point formats, ALPN, renegotiation_info, and a padding
 * extension (21) of pad bytes when pad >= 0. */
static void hello_body(struct bld *h, const char *sni, size_t sni_len, int pad)
{
    static struct bld e, x;
    h->n = 0;
    be16(h, 0x0303);
    for (int i = 0; i < 32; i++)
        u8(h, (unsigned)i);
    u8(h, 32);
    for (int i = 0; i < 32; i++)
        u8(h, 0xee);
    be16(h, 6);
    be16(h, 0x0a0a);
    be16(h, 0x1301);
    be16(h, 0xc02b);
    u8(h, 1);
    u8(h, 0);
    e.n = 0;
    x.n = 0;
    ext(&e, 0x2a2a, &x);
    if (sni) {
        x.n = 0;
        be16(&x, (unsigned)sni_len + 3);
        u8(&x, 0);
        be16(&x, (unsigned)sni_len);
        put(&x, sni, sni_len);
        ext(&e, 0, &x);
    }
    x.n = 0;
    be16(&x, 6);
    be16(&x, 0x4a4a);
    be16(&x, 29);
    be16(&x, 23);
    ext(&e, 10, &x);
    x.n = 0;
    u8(&x, 1);
    u8(&x, 0);
    ext(&e, 11, &x);
    x.n = 0;
    be16(&x, 12);
    u8(&x, 2);
    put(&x, "h2", 2);
    u8(&x, 8);
    put(&x, "http/1.1", 8);
    ext(&e, 16, &x);
    x.n = 0;
    u8(&x, 0);
    ext(&e, 0xff01, &x);
    if (pad >= 0) {
        x.n = 0;
        for (int i = 0; i < pad; i++)
            u8(&x, 0);
        ext(&e, 21, &x);
    }
    be16(h, (unsigned)e.n);
    put(h, e.b, e.n);
}

static const char JA3[] = "771,4865-49195,0-10-11-16-65281,29-23,0";
#define JA3_MD5 "9b1304903900ec96e059ca6e8b1ac61a" /* hashlib.md5(JA3) */

static void test_hello_fields(void **state)
{
    (void)state;
    static struct bld h;
    hello_body(&h, "WWW.Example.ORG.", 16, -1);
    struct tls_hello t;
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_OK);
    assert_int_equal(t.version, 0x0303);
    assert_true(t.has_sni);
    assert_string_equal(t.sni, "www.example.org");
    assert_string_equal(t.alpn, "h2,http/1.1");
    assert_string_equal(t.ja3.data, JA3);
    assert_string_equal(t.ja3_md5, JA3_MD5);
    tls_hello_release(&t);
}

/* TLS 1.0 style: no extensions block at all. */
static void test_hello_no_extensions(void **state)
{
    (void)state;
    static const uint8_t h[] = {3, 1, [34] = 0, 0, 2, 0, 47, 1, 0};
    struct tls_hello t;
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h, sizeof h, &t), WS_OK);
    assert_false(t.has_sni);
    assert_string_equal(t.ja3.data, "769,47,,,");
    assert_string_equal(t.ja3_md5, "b02be259814e870a469a20ce9b2a7900"); /* hashlib */
    tls_hello_release(&t);
}

/* Every prefix of a good ClientHello and every single-byte change: a status,
 * never a crash (ASan), and never a server name that was not sent. */
static void test_hello_prefixes(void **state)
{
    (void)state;
    static struct bld h;
    hello_body(&h, "a.example", 9, -1);
    size_t no_ext = 2 + 32 + 1 + 32 + 2 + 6 + 1 + 1; /* through the compression methods */
    for (size_t k = 0; k < h.n; k++) {
        struct tls_hello t;
        tls_hello_init(&t);
        ws_status st = tls_parse_client_hello(h.b, k, &t);
        if (k == no_ext)
            assert_int_equal(st, WS_OK);
        else
            assert_int_equal(st, WS_E_CORRUPT);
        tls_hello_release(&t);
    }
    for (size_t k = 0; k < h.n; k++) {
        static struct bld m;
        m = h;
        m.b[k] ^= 0xff;
        struct tls_hello t;
        tls_hello_init(&t);
        if (tls_parse_client_hello(m.b, m.n, &t) == WS_OK)
            assert_true(strlen(t.sni) <= 9 * 4);
        tls_hello_release(&t);
    }
}

static void test_hello_malformed(void **state)
{
    (void)state;
    static struct bld h;
    struct tls_hello t;
    /* legacy_session_id of 33 bytes (at most 32) */
    hello_body(&h, "a.example", 9, -1);
    h.b[34] = 33;
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_E_CORRUPT);
    tls_hello_release(&t);
    /* an odd cipher_suites length */
    hello_body(&h, "a.example", 9, -1);
    h.b[68] = 5;
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_E_CORRUPT);
    tls_hello_release(&t);
    /* no compression method */
    hello_body(&h, "a.example", 9, -1);
    h.b[75] = 0;
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_E_CORRUPT);
    tls_hello_release(&t);
    /* a server name with a control byte and a comma stays data */
    hello_body(&h, "a\001b,c", 5, -1);
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_OK);
    assert_string_equal(t.sni, "a\\001b\\044c");
    tls_hello_release(&t);
    /* the longest server name the text holds: 255 bytes escaped (4 each) */
    char big[255];
    memset(big, 1, sizeof big);
    hello_body(&h, big, sizeof big, -1);
    tls_hello_init(&t);
    assert_int_equal(tls_parse_client_hello(h.b, h.n, &t), WS_OK);
    assert_int_equal(strlen(t.sni), 255 * 4);
    tls_hello_release(&t);
}

/* ---- the stream: records, segments, caps ---- */

static int quiet(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

struct got {
    char rule[32][48];
    char sni[32][64];
    int64_t status[32], body[32];
    char path[32][64];
    int n;
};

static int collect(void *user, const struct ws_finding *f)
{
    struct got *g = user;
    if (g->n >= 32)
        return 0;
    snprintf(g->rule[g->n], sizeof g->rule[0], "%s", f->rule_id ? f->rule_id : "");
    g->status[g->n] = g->body[g->n] = -1;
    g->sni[g->n][0] = g->path[g->n][0] = '\0';
    for (size_t i = 0; i < f->n_fields; i++) {
        const struct ws_kv *kv = &f->fields[i];
        if (strcmp(kv->key, "tls.client.server_name") == 0)
            snprintf(g->sni[g->n], sizeof g->sni[0], "%.*s", (int)kv->len, (const char *)kv->val);
        else if (strcmp(kv->key, "url.path") == 0)
            snprintf(g->path[g->n], sizeof g->path[0], "%.*s", (int)kv->len, (const char *)kv->val);
        else if (strcmp(kv->key, "http.response.status_code") == 0)
            g->status[g->n] = kv->num;
        else if (strcmp(kv->key, "http.response.body.bytes") == 0)
            g->body[g->n] = kv->num;
    }
    g->n++;
    return 0;
}

static int count(const struct got *g, const char *rule)
{
    int k = 0;
    for (int i = 0; i < g->n; i++)
        k += strcmp(g->rule[i], rule) == 0;
    return k;
}

static ws_pack *pack(void)
{
    static const char iocs[] = "example.org\n";
    static const char pats[] = "url-path;^/(?:main)+\\.php$;50;p\nquery;(?:^|&)q=[^&]+;40;q\n";
    ws_pack *p = NULL;
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "c2-iocs.txt", iocs, strlen(iocs), quiet, NULL), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "net-patterns.txt", pats, strlen(pats), quiet, NULL),
                     WS_OK);
    assert_int_equal(ws_pack_compile(p, quiet, NULL), WS_OK);
    return p;
}

/* Chunks in the format of net_fuzz.c: direction, u16le length, bytes. */
static void chunk(struct bld *s, int dir, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t k = n < 65535 ? n : 65535;
        u8(s, (unsigned)dir);
        u8(s, (unsigned)(k & 0xff));
        u8(s, (unsigned)(k >> 8));
        put(s, p, k);
        p += k;
        n -= k;
    }
}

/* The ClientHello body h as records of at most rec bytes (handshake length
 * field hslen), delivered in TCP chunks of at most seg bytes. */
static ws_status run_hello_st(const ws_pack *p, const struct bld *h, size_t hslen, size_t rec,
                              size_t seg, struct got *g)
{
    static struct bld hs, recs, s;
    hs.n = recs.n = s.n = 0;
    u8(&hs, 1);
    be24(&hs, hslen);
    put(&hs, h->b, h->n);
    for (size_t off = 0; off < hs.n; off += rec) {
        size_t k = hs.n - off < rec ? hs.n - off : rec;
        u8(&recs, 22);
        be16(&recs, 0x0301);
        be16(&recs, (unsigned)k);
        put(&recs, hs.b + off, k);
    }
    for (size_t off = 0; off < recs.n; off += seg)
        chunk(&s, 1, recs.b + off, recs.n - off < seg ? recs.n - off : seg);
    memset(g, 0, sizeof *g);
    return net_fuzz_stream_pack(NET_APP_TLS, p, s.b, s.n, collect, g);
}

static void run_hello(const ws_pack *p, const struct bld *h, size_t hslen, size_t rec, size_t seg,
                      struct got *g)
{
    assert_int_equal(run_hello_st(p, h, hslen, rec, seg, g), WS_OK);
}

static void test_stream_split(void **state)
{
    (void)state;
    ws_pack *p = pack();
    static struct bld h;
    struct got g;
    hello_body(&h, "www.example.org", 15, -1);
    /* one record, one segment; one-byte records; one-byte segments */
    size_t cuts[][2] = {{16384, 65535}, {1, 65535}, {16384, 1}, {7, 3}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        run_hello(p, &h, h.n, cuts[i][0], cuts[i][1], &g);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.rule[0], "net.c2.tls.sni");
        assert_string_equal(g.sni[0], "www.example.org");
    }
    /* a name that contains the C2 domain without being under it */
    hello_body(&h, "www.example.org.evil", 20, -1);
    run_hello(p, &h, h.n, 16384, 65535, &g);
    assert_int_equal(g.n, 0);
    hello_body(&h, "wwwexample.org", 14, -1);
    run_hello(p, &h, h.n, 16384, 65535, &g);
    assert_int_equal(g.n, 0);
    /* a zero-length record: the malformed note, no finding */
    static const uint8_t zero[] = {1, 5, 0, 22, 3, 1, 0, 0};
    memset(&g, 0, sizeof g);
    assert_int_equal(net_fuzz_stream_pack(NET_APP_TLS, p, zero, sizeof zero, collect, &g), WS_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.rule[0], "net.tls.malformed");
    /* a later handshake message (picked up mid-stream): silent */
    static const uint8_t later[] = {1, 9, 0, 22, 3, 3, 0, 4, 16, 0, 0, 0};
    memset(&g, 0, sizeof g);
    assert_int_equal(net_fuzz_stream_pack(NET_APP_TLS, p, later, sizeof later, collect, &g), WS_OK);
    assert_int_equal(g.n, 0);
    ws_pack_free(p);
}

/* WS_NET_TLS_MAX_HELLO: a ClientHello of exactly the cap is read, one byte
 * more is not; the record cap (2^14 + 2048) likewise. */
static void test_stream_caps(void **state)
{
    (void)state;
    ws_pack *p = pack();
    static struct bld h;
    struct got g;
    hello_body(&h, "example.org", 11, 0);
    size_t base = h.n;
    hello_body(&h, "example.org", 11, (int)(WS_NET_TLS_MAX_HELLO - base));
    assert_int_equal(h.n, WS_NET_TLS_MAX_HELLO);
    run_hello(p, &h, h.n, 16384, 1460, &g);
    assert_int_equal(count(&g, "net.c2.tls.sni"), 1);
    hello_body(&h, "example.org", 11, (int)(WS_NET_TLS_MAX_HELLO - base + 1));
    run_hello(p, &h, h.n, 16384, 1460, &g);
    assert_int_equal(count(&g, "net.c2.tls.sni"), 0);
    assert_int_equal(count(&g, "net.tls.malformed"), 1);
    /* the largest length the u24 field holds */
    hello_body(&h, "example.org", 11, -1);
    run_hello(p, &h, 0xffffff, 16384, 1460, &g);
    assert_int_equal(count(&g, "net.c2.tls.sni"), 0);
    assert_int_equal(count(&g, "net.tls.malformed"), 1);
    /* records of 2^14 + 2048 bytes, then one byte more */
    hello_body(&h, "example.org", 11, 30000);
    run_hello(p, &h, h.n, 16384 + 2048, 65535, &g);
    assert_int_equal(count(&g, "net.c2.tls.sni"), 1);
    run_hello(p, &h, h.n, 16384 + 2049, 65535, &g);
    assert_int_equal(count(&g, "net.c2.tls.sni"), 0);
    assert_int_equal(count(&g, "net.tls.malformed"), 1);
    ws_pack_free(p);
}

/* SSL 2.0-compatible CLIENT-HELLO (RFC 6101 E.1) to a listed address: the
 * one finding is net.c2.tls.ip; a challenge outside 16..32 bytes is not a
 * hello; byte-by-byte delivery changes nothing. */
static void test_sslv2(void **state)
{
    (void)state;
    static const char iocs[] = "10.0.0.2\n";
    ws_pack *p = NULL;
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "c2-iocs.txt", iocs, strlen(iocs), quiet, NULL), WS_OK);
    assert_int_equal(ws_pack_compile(p, quiet, NULL), WS_OK);
    for (unsigned chal = 15; chal <= 33; chal++) {
        static struct bld h, s;
        h.n = s.n = 0;
        u8(&h, 1);
        be16(&h, 0x0301);
        be16(&h, 6);
        be16(&h, 0);
        be16(&h, chal);
        static const uint8_t specs[6] = {0x01, 0x00, 0x80, 0x00, 0x00, 0x2f};
        put(&h, specs, sizeof specs);
        for (unsigned i = 0; i < chal; i++)
            u8(&h, i);
        static struct bld rec;
        rec.n = 0;
        be16(&rec, 0x8000 | (unsigned)h.n);
        put(&rec, h.b, h.n);
        for (size_t seg = 1; seg <= 64; seg *= 64) {
            s.n = 0;
            /* the first delivery holds the 5 bytes the protocol is told by */
            chunk(&s, 1, rec.b, 5);
            for (size_t off = 5; off < rec.n; off += seg)
                chunk(&s, 1, rec.b + off, rec.n - off < seg ? rec.n - off : seg);
            struct got g;
            memset(&g, 0, sizeof g);
            assert_int_equal(net_fuzz_stream_pack(NET_APP_TLS, p, s.b, s.n, collect, &g), WS_OK);
            assert_int_equal(g.n, chal >= 16 && chal <= 32 ? 1 : 0);
            if (g.n)
                assert_string_equal(g.rule[0], "net.c2.tls.ip");
        }
    }
    assert_true(c2_looks_tls((const uint8_t *)"\x80\x2e\x01\x03\x01", 5));
    assert_false(c2_looks_tls((const uint8_t *)"\x80\x2e\x01\x03", 4));
    assert_false(c2_looks_tls((const uint8_t *)"\x80\x2e\x02\x03\x01", 5));
    ws_pack_free(p);
}

/* ---- HTTP responses ---- */

static void test_http_response_parse(void **state)
{
    (void)state;
    struct http_resp r;
    const char *ok = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:  Text/HTML ; charset=x\r\n"
                     "Content-Length: 12\r\n\r\n";
    assert_int_equal(c2_http_parse_response(ok, strlen(ok), &r), WS_OK);
    assert_int_equal(r.status, 200);
    assert_true(r.has_length);
    assert_int_equal(r.content_length, 12);
    assert_string_equal(r.mime, "text/html");
    assert_string_equal(r.server, "nginx");
    const char *nr = "HTTP/1.0 204\n\n";
    assert_int_equal(c2_http_parse_response(nr, strlen(nr), &r), WS_OK);
    assert_int_equal(r.status, 204);
    const char *ch =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n";
    assert_int_equal(c2_http_parse_response(ch, strlen(ch), &r), WS_OK);
    assert_true(r.chunked);
    assert_false(r.has_length); /* RFC 9112 6.3 */
    const char *bl = "HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n";
    assert_int_equal(c2_http_parse_response(bl, strlen(bl), &r), WS_OK);
    assert_false(r.has_length);
    const char *big = "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n";
    assert_int_equal(c2_http_parse_response(big, strlen(big), &r), WS_OK);
    assert_true(r.has_length);
    assert_true(r.content_length == UINT64_MAX);
    const char *bad[] = {"HTTP/1.1 20 OK\r\n\r\n",
                         "HTTP/1.1 2000 OK\r\n\r\n",
                         "HTTP/1.1 2x0 OK\r\n\r\n",
                         "HTTPS/1.1 200 OK\r\n\r\n",
                         "GET / HTTP/1.1\r\n\r\n",
                         "HTTP/1.1\r\n\r\n",
                         "HTTP/1.1 200",
                         ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(c2_http_parse_response(bad[i], strlen(bad[i]), &r), WS_E_CORRUPT);
}

/* WS_NET_HTTP_MAX_PENDING + 1 pipelined C2 requests, then their answers
 * (Content-Length i for request i): the first is reported without its
 * response, whose answer is skipped; every other one gets its own. */
static void test_http_pending_cap(void **state)
{
    (void)state;
    ws_pack *p = pack();
    static struct bld s;
    s.n = 0;
    char line[256], path[64];
    size_t nreq = WS_NET_HTTP_MAX_PENDING + 1;
    for (size_t i = 1; i <= nreq; i++) {
        for (size_t k = 0; k < i; k++)
            memcpy(path + 4 * k, "main", 4);
        path[4 * i] = '\0';
        int l =
            snprintf(line, sizeof line, "GET /%s.php?q=%zu HTTP/1.1\r\nHost: a.b\r\n\r\n", path, i);
        chunk(&s, 1, (const uint8_t *)line, (size_t)l);
    }
    for (size_t i = 1; i <= nreq; i++) {
        int l = snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", i);
        chunk(&s, 0, (const uint8_t *)line, (size_t)l);
        for (size_t k = 0; k < i; k++)
            chunk(&s, 0, (const uint8_t *)"x", 1);
    }
    struct got g;
    memset(&g, 0, sizeof g);
    assert_int_equal(net_fuzz_stream_pack(NET_APP_HTTP, p, s.b, s.n, collect, &g), WS_OK);
    assert_int_equal(count(&g, "net.c2.http.grammar"), (int)nreq);
    for (int i = 0; i < g.n; i++) {
        size_t mains = strlen(g.path[i]) / 4 - 1; /* "/main...main.php" */
        if (mains == 1) {
            assert_int_equal(g.status[i], -1);
        } else {
            assert_int_equal(g.status[i], 200);
            assert_int_equal(g.body[i], (int64_t)mains);
        }
    }
    ws_pack_free(p);
}

/* A C2 request, then resp delivered in pieces of seg bytes; the finding's
 * status and body bytes. */
static void run_http(const ws_pack *p, const char *resp, size_t seg, int64_t *status, int64_t *body)
{
    static struct bld s;
    static const char req[] = "GET / HTTP/1.1\r\nHost: example.org\r\n\r\n";
    s.n = 0;
    chunk(&s, 1, (const uint8_t *)req, strlen(req));
    size_t n = strlen(resp);
    for (size_t off = 0; off < n; off += seg)
        chunk(&s, 0, (const uint8_t *)resp + off, n - off < seg ? n - off : seg);
    struct got g;
    memset(&g, 0, sizeof g);
    assert_int_equal(net_fuzz_stream_pack(NET_APP_HTTP, p, s.b, s.n, collect, &g), WS_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.rule[0], "net.c2.http.host");
    *status = g.status[0];
    *body = g.body[0];
}

/* Chunked bodies (RFC 9112 7.1): sizes in either case, extensions, a bare
 * LF, trailers, whole and byte by byte; the 16-digit size limit at limit and
 * limit+1; broken framing gives an unknown length. */
static void test_http_chunked(void **state)
{
    (void)state;
    ws_pack *p = pack();
    static const struct {
        const char *chunks;
        int64_t body;
    } v[] = {
        {"4\r\nabcd\r\n0\r\n\r\n", 4},
        {"A;name=val\r\n0123456789\r\nb\r\n0123456789a\r\n0\r\nX-T: 1\r\nY: 2\r\n\r\n", 21},
        {"3\nabc\n0\n\n", 3},
        {"0000000000000003\r\nabc\r\n0\r\n\r\n", 3},
        {"00000000000000003\r\nabc\r\n0\r\n\r\n", -1}, /* 17 digits */
        {"3\r\nabcX\r\n0\r\n\r\n", -1},                /* no CRLF after the data */
        {";x\r\nabc\r\n0\r\n\r\n", -1},                /* no size */
        {"5\r\nabc", -1},                              /* the flow ends inside */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char resp[512];
        snprintf(resp, sizeof resp, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%s",
                 v[i].chunks);
        for (size_t seg = 1; seg <= 512; seg *= 8) {
            int64_t status, body;
            run_http(p, resp, seg, &status, &body);
            assert_int_equal(status, 200);
            assert_int_equal(body, v[i].body);
        }
    }
    ws_pack_free(p);
}

/* Allocation failures on the TLS and HTTP paths: a status, no leak, no crash. */
static void test_alloc_failures(void **state)
{
    (void)state;
    ws_pack *p = pack();
    static struct bld h, s;
    hello_body(&h, "example.org", 11, -1);
    static const char req[] = "GET /main.php?q=1 HTTP/1.1\r\nHost: example.org\r\n\r\n";
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    s.n = 0;
    chunk(&s, 1, (const uint8_t *)req, strlen(req));
    chunk(&s, 0, (const uint8_t *)resp, strlen(resp));
    for (unsigned long k = 1; k < 200; k++) {
        struct got g;
        ws_alloc_fail_at(k);
        ws_status st = run_hello_st(p, &h, h.n, 100, 50, &g);
        (void)st;
        ws_alloc_fail_at(k);
        memset(&g, 0, sizeof g);
        st = net_fuzz_stream_pack(NET_APP_HTTP, p, s.b, s.n, collect, &g);
        (void)st;
        ws_alloc_fail_at(0);
    }
    ws_pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_fields),
        cmocka_unit_test(test_hello_no_extensions),
        cmocka_unit_test(test_hello_prefixes),
        cmocka_unit_test(test_hello_malformed),
        cmocka_unit_test(test_stream_split),
        cmocka_unit_test(test_stream_caps),
        cmocka_unit_test(test_sslv2),
        cmocka_unit_test(test_http_response_parse),
        cmocka_unit_test(test_http_pending_cap),
        cmocka_unit_test(test_http_chunked),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
