/*
 * tls.c - the TLS ClientHello of a TCP flow: server name (SNI), ALPN list and
 * the JA3 fingerprint, handed to c2.c (c2_tls_hello) for the C2 checks.
 *
 * A flow comes here when the client's first bytes are a TLS handshake record
 * (app.c, c2_looks_tls), on any port. Only client-to-server bytes are read:
 *
 *   records (RFC 8446 5.1, RFC 5246 6.2.1)
 *     offset 0  u8   ContentType: must be handshake (22)
 *            1  u16  legacy_record_version: major 3
 *            3  u16  length: at most 2^14 + 2048 (TLSCiphertext; a plaintext
 *                    record holds at most 2^14)
 *            5       fragment: appended to the handshake bytes
 *   handshake (RFC 8446 4, RFC 5246 7.4)
 *     offset 0  u8   HandshakeType: must be client_hello (1)
 *            1  u24  length: at most WS_NET_TLS_MAX_HELLO
 *            4       body: tls_parse_client_hello()
 *
 * The ClientHello may span several records and several TCP segments: record
 * bytes are buffered in `rec` (at most one record) and fragments in `hs`
 * (at most the capped message), both net_sbufs charged against the capture.
 * Once the message is complete, or anything is not as above, the flow is done
 * and its buffers are freed. A first record or ClientHello that breaks the
 * format gives one INFO note per capture (net.tls.malformed); a handshake
 * that simply is not a ClientHello (a flow picked up mid-stream) is silent.
 *
 * SSL 2.0-compatible CLIENT-HELLO (RFC 6101 E.1; sent by XP-era clients
 * with SSL 2.0 enabled, as IE6 by default): a 2-byte header with the top
 * bit set and a 15-bit length, then msg_type 1, u16 version, u16
 * cipher_spec_length (3 bytes a spec), u16 session_id_length, u16
 * challenge_length, the specs, session id and challenge. It has no
 * extensions (no SNI, no JA3): only its server address is checked. It is
 * recognised from 5 bytes (app.c sees at least those in one delivery), and
 * one that breaks the format is silent: the guess is weaker than 0x16 0x03.
 *
 * JA3 (github.com/salesforce/ja3, as Wireshark's tls.handshake.ja3_full):
 *   client_version,ciphers,extension types,supported groups,point formats
 * decimal values joined by '-', GREASE values (RFC 8701: 0x?A?A with equal
 * bytes) left out of the first three lists; MD5 of that string through
 * OpenSSL EVP (as src/file/filescan.c).
 */
#include "core/compat.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/cur.h"
#include "net/net_int.h"

/* RFC 8446 5.2: TLSCiphertext.length is at most 2^14 + 256; RFC 5246 6.2.3
 * allows 2^14 + 2048. Handshake records are plaintext here, but be lenient. */
#define TLS_MAX_RECORD (16384u + 2048u)
/* An SSL 2.0 record with a 2-byte header holds at most 0x7fff bytes. */
#define SSL2_MAX_RECORD 0x7fffu
#define REC_CAP                                                                                    \
    (5 + TLS_MAX_RECORD > 2 + SSL2_MAX_RECORD ? 5 + TLS_MAX_RECORD : 2 + SSL2_MAX_RECORD)

enum { TLS_CT_HANDSHAKE = 22, TLS_HS_CLIENT_HELLO = 1 };
enum { EXT_SNI = 0, EXT_GROUPS = 10, EXT_POINT_FORMATS = 11, EXT_ALPN = 16 };

struct tls_conn {
    struct net_sbuf rec; /* client bytes not yet cut into whole records */
    struct net_sbuf hs;  /* handshake bytes taken from the records */
    int ssl2;            /* the client spoke an SSL 2.0-compatible hello */
    int done;
};

static int looks_ssl2(const uint8_t *p, size_t n)
{
    /* header with the top bit set, CLIENT-HELLO, version 0.2 or 3.x, a
     * cipher_spec_length high byte that fits the record */
    return n >= 5 && (p[0] & 0x80) && p[2] == 1 && (p[3] == 0 || p[3] == 3) && p[4] <= 4;
}

int c2_looks_tls(const uint8_t *p, size_t n)
{
    if (looks_ssl2(p, n))
        return 1;
    /* a segment may carry fewer than the 5 header bytes: judge what is there */
    if (n < 1 || p[0] != TLS_CT_HANDSHAKE)
        return 0;
    if (n >= 2 && p[1] != 3)
        return 0;
    return n < 3 || p[2] <= 4; /* SSL 3.0 .. TLS 1.3 record versions */
}

static int grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void tls_hello_init(struct tls_hello *h)
{
    memset(h, 0, sizeof *h);
    ws_buf_init(&h->ja3, WS_NET_TLS_MAX_JA3);
}

void tls_hello_release(struct tls_hello *h)
{
    ws_buf_release(&h->ja3);
}

/* Append one list of u16 values (JA3 form) read from cur; ok cleared when the
 * string outgrows its cap. Each pass consumes two bytes. */
static ws_status ja3_u16_list(struct ws_buf *b, struct ws_cur *cur, int *ok)
{
    const char *dash = "";
    for (size_t pass = 0; pass < 32768 && ws_cur_left(cur) >= 2; pass++) {
        uint16_t v;
        if (ws_cur_be16(cur, &v))
            return WS_E_CORRUPT;
        if (grease(v))
            continue;
        if (*ok && ws_buf_addf(b, "%s%u", dash, (unsigned)v) != WS_OK)
            *ok = 0;
        dash = "-";
    }
    return ws_cur_left(cur) ? WS_E_CORRUPT : WS_OK; /* odd length */
}

/* Printable copy of a name: bytes outside 0x21..0x7e (and '\\', ',') as
 * \DDD, as c2.c writes DNS names; lowercase when fold. */
static void text_escape(char *out, size_t cap, size_t *o, const uint8_t *p, size_t n, int fold)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (*o + 5 >= cap)
            return;
        if (ch > 0x20 && ch < 0x7f && ch != '\\' && ch != ',') {
            char t = (char)ch;
            if (fold && t >= 'A' && t <= 'Z')
                t = (char)(t - 'A' + 'a');
            out[(*o)++] = t;
        } else {
            *o += (size_t)snprintf(out + *o, cap - *o, "\\%03u", ch);
        }
    }
    out[*o] = '\0';
}

/* server_name (RFC 6066 3): ServerNameList <1..2^16-1> of {u8 name_type,
 * opaque HostName<1..2^16-1>}; the first host_name (0) is taken. */
static ws_status ext_sni(struct ws_cur *ext, struct tls_hello *h)
{
    uint16_t ll;
    struct ws_cur list;
    if (ws_cur_be16(ext, &ll) || ws_cur_sub(ext, ll, &list))
        return WS_E_CORRUPT;
    for (size_t pass = 0; pass < 65536 && ws_cur_left(&list) > 0; pass++) {
        uint8_t type;
        uint16_t nl;
        const uint8_t *name;
        if (ws_cur_u8(&list, &type) || ws_cur_be16(&list, &nl) || ws_cur_bytes(&list, nl, &name))
            return WS_E_CORRUPT;
        if (type != 0 || h->has_sni)
            continue;
        h->has_sni = 1;
        /* a DNS name has at most 253 characters (RFC 1035 2.3.4); a longer
         * one was never resolved and is kept only as far as it fits */
        size_t o = 0;
        size_t take = nl;
        if (take && name[take - 1] == '.')
            take--; /* "name." and "name" are one name */
        text_escape(h->sni, sizeof h->sni, &o, name, take, 1);
    }
    return WS_OK;
}

/* ALPN (RFC 7301 3.1): ProtocolNameList <2..2^16-1> of opaque <1..2^8-1>. */
static ws_status ext_alpn(struct ws_cur *ext, struct tls_hello *h)
{
    uint16_t ll;
    struct ws_cur list;
    if (ws_cur_be16(ext, &ll) || ws_cur_sub(ext, ll, &list))
        return WS_E_CORRUPT;
    size_t o = strlen(h->alpn);
    for (size_t pass = 0; pass < 65536 && ws_cur_left(&list) > 0; pass++) {
        uint8_t nl;
        const uint8_t *name;
        if (ws_cur_u8(&list, &nl) || ws_cur_bytes(&list, nl, &name))
            return WS_E_CORRUPT;
        if (o && o + 2 < sizeof h->alpn) {
            h->alpn[o++] = ',';
            h->alpn[o] = '\0';
        }
        text_escape(h->alpn, sizeof h->alpn, &o, name, nl, 0);
    }
    return WS_OK;
}

static void ja3_md5(struct tls_hello *h)
{
    uint8_t d[EVP_MAX_MD_SIZE];
    unsigned dl = 0;
    if (EVP_Digest(h->ja3.data, h->ja3.len, d, &dl, EVP_md5(), NULL) != 1 || dl != 16)
        return;
    for (unsigned i = 0; i < dl; i++)
        snprintf(h->ja3_md5 + 2 * i, 3, "%02x", d[i]);
}

/*
 * ClientHello body (RFC 8446 4.1.2; RFC 5246 7.4.1.2):
 *   u16 legacy_version | 32 random | u8-prefixed legacy_session_id (<= 32)
 *   | u16-prefixed cipher_suites (even) | u8-prefixed compression methods
 *   | [u16-prefixed extensions: {u16 type, u16-prefixed data}...]
 * The extensions block may be absent (TLS 1.2 and before).
 */
ws_status tls_parse_client_hello(const uint8_t *p, size_t n, struct tls_hello *h)
{
    struct ws_cur cur, ciphers, exts, ext;
    ws_cur_init(&cur, p, n);
    uint8_t sl, cl;
    uint16_t cs_len, ext_len;
    if (ws_cur_be16(&cur, &h->version) || ws_cur_skip(&cur, 32) || ws_cur_u8(&cur, &sl) ||
        sl > 32 || ws_cur_skip(&cur, sl) || ws_cur_be16(&cur, &cs_len) || (cs_len & 1) ||
        ws_cur_sub(&cur, cs_len, &ciphers) || ws_cur_u8(&cur, &cl) || cl == 0 ||
        ws_cur_skip(&cur, cl))
        return WS_E_CORRUPT;
    int ok = 1;
    struct ws_buf *b = &h->ja3;
    ws_buf_reset(b);
    if (ws_buf_addf(b, "%u,", (unsigned)h->version) != WS_OK)
        ok = 0;
    if (ja3_u16_list(b, &ciphers, &ok) != WS_OK)
        return WS_E_CORRUPT;
    if (ok && ws_buf_addc(b, ',') != WS_OK)
        ok = 0;
    /* the extension types, then groups and point formats as found */
    struct ws_buf groups, formats;
    ws_buf_init(&groups, WS_NET_TLS_MAX_JA3);
    ws_buf_init(&formats, WS_NET_TLS_MAX_JA3);
    ws_status st = WS_OK;
    if (ws_cur_left(&cur) > 0) {
        if (ws_cur_be16(&cur, &ext_len) || ws_cur_sub(&cur, ext_len, &exts)) {
            st = WS_E_CORRUPT;
            goto out;
        }
        const char *dash = "";
        int seen_groups = 0, seen_formats = 0;
        /* each pass consumes at least the 4-byte extension header */
        for (size_t pass = 0; pass < 16384 && ws_cur_left(&exts) > 0; pass++) {
            uint16_t type, len;
            if (ws_cur_be16(&exts, &type) || ws_cur_be16(&exts, &len) ||
                ws_cur_sub(&exts, len, &ext)) {
                st = WS_E_CORRUPT;
                goto out;
            }
            if (!grease(type)) {
                if (ok && ws_buf_addf(b, "%s%u", dash, (unsigned)type) != WS_OK)
                    ok = 0;
                dash = "-";
            }
            if (type == EXT_SNI && len > 0)
                st = ext_sni(&ext, h);
            else if (type == EXT_ALPN)
                st = ext_alpn(&ext, h);
            else if (type == EXT_GROUPS && !seen_groups) {
                uint16_t gl;
                struct ws_cur g;
                seen_groups = 1;
                if (ws_cur_be16(&ext, &gl) || ws_cur_sub(&ext, gl, &g))
                    st = WS_E_CORRUPT;
                else
                    st = ja3_u16_list(&groups, &g, &ok);
            } else if (type == EXT_POINT_FORMATS && !seen_formats) {
                uint8_t fl, v;
                struct ws_cur fm;
                seen_formats = 1;
                if (ws_cur_u8(&ext, &fl) || ws_cur_sub(&ext, fl, &fm))
                    st = WS_E_CORRUPT;
                for (size_t i = 0; st == WS_OK && i < fl && ws_cur_u8(&fm, &v) == WS_OK; i++)
                    if (ws_buf_addf(&formats, "%s%u", i ? "-" : "", (unsigned)v) != WS_OK)
                        ok = 0;
            }
            if (st != WS_OK)
                goto out;
        }
    }
    if (ok && (ws_buf_addc(b, ',') != WS_OK || ws_buf_add(b, groups.data, groups.len) != WS_OK ||
               ws_buf_addc(b, ',') != WS_OK || ws_buf_add(b, formats.data, formats.len) != WS_OK))
        ok = 0;
    if (ok)
        ja3_md5(h);
    else
        ws_buf_reset(b); /* too long to fingerprint: no JA3 rather than a wrong one */
out:
    ws_buf_release(&groups);
    ws_buf_release(&formats);
    return st;
}

/* ---- the stream ---- */

struct tls_conn *tls_conn_new(struct net_ctx *c)
{
    if (!net_charge(c, sizeof(struct tls_conn)))
        return NULL;
    struct tls_conn *t = ws_calloc(1, sizeof *t);
    if (!t) {
        net_uncharge(c, sizeof *t);
        return NULL;
    }
    net_sbuf_init(&t->rec, REC_CAP + 1);
    net_sbuf_init(&t->hs, 4 + WS_NET_TLS_MAX_HELLO + 1);
    return t;
}

static void finish(struct net_ctx *c, struct tls_conn *t)
{
    t->done = 1;
    net_sbuf_release(c, &t->rec);
    net_sbuf_release(c, &t->hs);
}

void tls_conn_free(struct net_ctx *c, struct tls_conn *t)
{
    if (!t)
        return;
    finish(c, t);
    net_uncharge(c, sizeof *t);
    ws_free(t);
}

void tls_conn_gap(struct net_ctx *c, struct tls_conn *t, int to_server)
{
    if (to_server && !t->done)
        finish(c, t); /* the rest of the ClientHello is lost */
}

static void malformed(struct net_ctx *c, const struct net_ends *e, const char *why)
{
    if (c->tls_malformed_reported)
        return;
    c->tls_malformed_reported = 1;
    net_report(c, 1, "net.tls.malformed", WS_E_CORRUPT, e,
               "client bytes that start like a TLS handshake but are not a readable "
               "ClientHello (%s) at frame %llu; further ones in this capture are not listed",
               why, (unsigned long long)c->pk.frame);
}

/* The handshake bytes so far: 1 when the flow is done with. */
static int hello_step(struct net_ctx *c, struct tls_conn *t, const struct net_ends *e)
{
    struct ws_cur cur;
    ws_cur_init(&cur, t->hs.b.data, t->hs.b.len);
    uint8_t type, l0;
    uint16_t l1;
    if (ws_cur_u8(&cur, &type) || ws_cur_u8(&cur, &l0) || ws_cur_be16(&cur, &l1))
        return 0; /* wait for the 4-byte header */
    if (type != TLS_HS_CLIENT_HELLO)
        return 1; /* a later handshake message: picked up mid-stream */
    size_t len = ((size_t)l0 << 16) | l1;
    if (len > WS_NET_TLS_MAX_HELLO) {
        malformed(c, e, "ClientHello longer than the cap");
        return 1;
    }
    const uint8_t *body;
    if (ws_cur_bytes(&cur, len, &body))
        return 0; /* wait for more records */
    struct tls_hello *h = ws_malloc(sizeof *h);
    if (!h)
        return 1;
    tls_hello_init(h);
    if (tls_parse_client_hello(body, len, h) == WS_OK)
        c2_tls_hello(c, e, h);
    else
        malformed(c, e, "ClientHello fields");
    tls_hello_release(h);
    ws_free(h);
    return 1;
}

/* An SSL 2.0-compatible CLIENT-HELLO in rec: 1 when the flow is done with. */
static int ssl2_step(struct net_ctx *c, struct tls_conn *t, const struct net_ends *e)
{
    struct ws_cur cur, body;
    ws_cur_init(&cur, t->rec.b.data, t->rec.b.len);
    uint8_t h0, h1, type;
    uint16_t specs, sid, chal;
    if (ws_cur_u8(&cur, &h0) || ws_cur_u8(&cur, &h1))
        return 0;
    if (ws_cur_sub(&cur, ((size_t)(h0 & 0x7f) << 8) | h1, &body))
        return 0; /* wait for the whole record */
    struct tls_hello *h = ws_malloc(sizeof *h);
    if (!h)
        return 1;
    tls_hello_init(h);
    h->sslv2 = 1;
    if (ws_cur_u8(&body, &type) == WS_OK && type == 1 && ws_cur_be16(&body, &h->version) == WS_OK &&
        ws_cur_be16(&body, &specs) == WS_OK && ws_cur_be16(&body, &sid) == WS_OK &&
        ws_cur_be16(&body, &chal) == WS_OK && specs % 3 == 0 && (sid == 0 || sid == 16) &&
        chal >= 16 && chal <= 32 && ws_cur_left(&body) == (size_t)specs + sid + chal)
        c2_tls_hello(c, e, h);
    tls_hello_release(h);
    ws_free(h);
    return 1;
}

/* Cut whole records off rec into hs: 1 when the flow is done with. */
static int records_step(struct net_ctx *c, struct tls_conn *t, const struct net_ends *e)
{
    /* each pass consumes one record or returns */
    for (int pass = 0; pass < 65536; pass++) {
        struct ws_cur cur;
        ws_cur_init(&cur, t->rec.b.data, t->rec.b.len);
        uint8_t type, major, minor;
        uint16_t len;
        const uint8_t *frag;
        if (ws_cur_u8(&cur, &type) || ws_cur_u8(&cur, &major) || ws_cur_u8(&cur, &minor) ||
            ws_cur_be16(&cur, &len))
            return 0;
        if (type != TLS_CT_HANDSHAKE || major != 3 || len == 0 || len > TLS_MAX_RECORD) {
            /* the first record decided the protocol; a later one that is
             * not handshake ends a ClientHello never completed */
            malformed(c, e, "record header");
            return 1;
        }
        if (ws_cur_bytes(&cur, len, &frag))
            return 0;
        if (net_sbuf_add(c, &t->hs, frag, len) != WS_OK) {
            malformed(c, e, "ClientHello longer than the cap");
            return 1;
        }
        net_sbuf_consume(c, &t->rec, 5 + (size_t)len);
        if (hello_step(c, t, e))
            return 1;
    }
    return 1;
}

void tls_conn_data(struct net_ctx *c, struct tls_conn *t, const struct net_ends *e, int to_server,
                   const uint8_t *p, size_t n)
{
    if (!to_server || t->done)
        return;
    /* each pass adds at least one byte (records_step empties rec of whole
     * records, and one record fits) or ends the flow */
    size_t passes = n;
    for (size_t pass = 0; n > 0 && !t->done && !c->stop && pass < passes; pass++) {
        size_t room = t->rec.b.max - 1 - t->rec.b.len;
        size_t take = n < room ? n : room;
        if (take == 0 || net_sbuf_add(c, &t->rec, p, take) != WS_OK) {
            finish(c, t); /* the capture's stream budget is spent */
            return;
        }
        p += take;
        n -= take;
        if (!t->ssl2 && !t->hs.b.len && looks_ssl2((const uint8_t *)t->rec.b.data, t->rec.b.len))
            t->ssl2 = 1;
        if (t->ssl2 ? ssl2_step(c, t, e) : records_step(c, t, e))
            finish(c, t);
    }
}
