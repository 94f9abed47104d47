/*
 * test-dicom.c - DICOM Upper Layer recognition and parsing (src/net/dicom.c)
 * and the host inventory behind it (src/net/inventory.c), through the chunk
 * driver of src/net/net_fuzz.c. The PDUs are built here by hand from PS3.8
 * 9.3; tests/it-net-dicom.sh checks the same against tshark's dissector.
 */
#include "core/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/limits.h"
#include "net/net_int.h"

#define MAX_SEEN 16

struct seen {
    char rule[MAX_SEEN][64];
    char scu[MAX_SEEN][128];
    char mods[MAX_SEEN][128];
    ws_status code[MAX_SEEN];
    int n;
};

static void field(const struct ws_finding *f, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < f->n_fields; i++)
        if (!strcmp(f->fields[i].key, key) && f->fields[i].type == WS_KV_STR)
            snprintf(out, cap, "%.*s", (int)f->fields[i].len, f->fields[i].val);
}

static int collect(void *user, const struct ws_finding *f)
{
    struct seen *s = user;
    if (s->n >= MAX_SEEN)
        return 0;
    snprintf(s->rule[s->n], sizeof s->rule[0], "%s", f->rule_id ? f->rule_id : "");
    field(f, "wormsign.host.dicom.scu_ae_titles", s->scu[s->n], sizeof s->scu[0]);
    field(f, "wormsign.host.dicom.modalities", s->mods[s->n], sizeof s->mods[0]);
    s->code[s->n] = f->error_code;
    s->n++;
    return 0;
}

static int count(const struct seen *s, const char *rule)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += !strcmp(s->rule[i], rule);
    return n;
}

/* ---- building PDUs ---- */

struct out {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct out *o, const void *p, size_t n)
{
    if (o->n + n > o->cap) {
        o->cap = (o->n + n) * 2;
        o->p = realloc(o->p, o->cap);
        assert_non_null(o->p);
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
}

static void put8(struct out *o, uint8_t v)
{
    put(o, &v, 1);
}

static void put16be(struct out *o, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    put(o, b, 2);
}

static void put32be(struct out *o, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(o, b, 4);
}

static void item(struct out *o, uint8_t type, const void *v, size_t n)
{
    put8(o, type);
    put8(o, 0);
    put16be(o, (uint16_t)n);
    put(o, v, n);
}

static void ae(struct out *o, const char *s)
{
    char b[16];
    memset(b, ' ', sizeof b);
    memcpy(b, s, strlen(s));
    put(o, b, 16);
}

/* An A-ASSOCIATE-RQ whose body is exactly body_len bytes (>= 68 + 26 + the
 * MR context), padded with unknown items (type 0x60) that must be skipped. */
static void rq(struct out *o, uint32_t body_len, const char *app_ctx)
{
    struct out b = {0};
    put16be(&b, 1);
    put16be(&b, 0);
    ae(&b, "PACS");
    ae(&b, "MR_CONSOLE");
    uint8_t zero[32] = {0};
    put(&b, zero, 32);
    item(&b, 0x10, app_ctx, strlen(app_ctx));
    struct out pc = {0};
    uint8_t hdr[4] = {1, 0, 0, 0};
    put(&pc, hdr, 4);
    item(&pc, 0x30, "1.2.840.10008.5.1.4.1.1.4", 25);
    item(&pc, 0x40, "1.2.840.10008.1.2", 17);
    item(&b, 0x20, pc.p, pc.n);
    free(pc.p);
    assert_true(b.n + 4 <= body_len);
    static uint8_t pad[65535];
    while (b.n < body_len) {
        size_t left = body_len - b.n - 4;
        size_t take = left > sizeof pad ? sizeof pad : left;
        if (body_len - b.n - 4 - take > 0 && body_len - b.n - 4 - take < 4)
            take -= 4; /* leave room for one more item header */
        item(&b, 0x60, pad, take);
    }
    assert_int_equal(b.n, body_len);
    put8(o, 0x01);
    put8(o, 0);
    put32be(o, body_len);
    put(o, b.p, b.n);
    free(b.p);
}

/* net_fuzz.c chunks: direction 1 (client->server), in pieces of at most 60000 */
static void chunks(struct out *in, const uint8_t *p, size_t n)
{
    for (size_t off = 0; off < n;) {
        size_t take = n - off > 60000 ? 60000 : n - off;
        put8(in, 1);
        uint8_t l[2] = {(uint8_t)take, (uint8_t)(take >> 8)};
        put(in, l, 2);
        put(in, p + off, take);
        off += take;
    }
}

static void run(uint32_t body_len, struct seen *s)
{
    struct out pdu = {0}, in = {0};
    rq(&pdu, body_len, "1.2.840.10008.3.1.1.1");
    chunks(&in, pdu.p, pdu.n);
    assert_int_equal(net_fuzz_stream(NET_APP_DICOM, in.p, in.n, collect, s), WS_OK);
    free(pdu.p);
    free(in.p);
}

/* The associate PDU cap at limit - 1, limit and limit + 1. */
static void test_assoc_cap(void **state)
{
    (void)state;
    const uint32_t cap = WS_NET_DICOM_MAX_ASSOC_PDU;
    for (uint32_t len = cap - 1; len <= cap; len++) {
        struct seen s = {0};
        run(len, &s);
        assert_int_equal(count(&s, "net.error.dicom"), 0);
        assert_int_equal(count(&s, "net.inventory.host"), 1);
        assert_string_equal(s.scu[0], "MR_CONSOLE");
        assert_string_equal(s.mods[0], "MR");
    }
    struct seen s = {0};
    run(cap + 1, &s);
    assert_int_equal(count(&s, "net.error.dicom"), 1);
    assert_int_equal(s.code[0], WS_E_TOO_LARGE);
    assert_int_equal(count(&s, "net.inventory.host"), 0);
}

/* Below the fixed part, and items that overrun their PDU. */
static void test_assoc_short(void **state)
{
    (void)state;
    static const uint8_t short_rq[] = {1, 0, 0, 0, 0, 10, 0, 1, 0, 0, 'A', 'B', 'C', 'D', 'E', 'F'};
    struct out in = {0};
    chunks(&in, short_rq, sizeof short_rq);
    struct seen s = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DICOM, in.p, in.n, collect, &s), WS_OK);
    assert_int_equal(count(&s, "net.error.dicom"), 1);
    assert_int_equal(s.code[0], WS_E_TRUNCATED);
    assert_int_equal(count(&s, "net.inventory.host"), 0);
    free(in.p);
}

/* A P-DATA of the largest length is counted off, never buffered: the bytes
 * after its header go nowhere, and nothing is reported. */
static void test_pdata_huge(void **state)
{
    (void)state;
    struct out pdu = {0}, in = {0};
    put8(&pdu, 4);
    put8(&pdu, 0);
    put32be(&pdu, 0xffffffffu);
    static uint8_t junk[200000];
    memset(junk, 0x01, sizeof junk); /* would look like an RQ header if parsed */
    put(&pdu, junk, sizeof junk);
    chunks(&in, pdu.p, pdu.n);
    struct seen s = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DICOM, in.p, in.n, collect, &s), WS_OK);
    assert_int_equal(s.n, 0);
    free(pdu.p);
    free(in.p);
}

static void test_looks(void **state)
{
    (void)state;
    struct net_ends odd = {.cli_ip = "10.0.0.1", .srv_ip = "10.0.0.2", .srv_port = 4242};
    struct net_ends dicom = odd;
    dicom.srv_port = 104;
    struct out good = {0}, other = {0};
    rq(&good, 200, "1.2.840.10008.3.1.1.1");
    rq(&other, 200, "1.2.3.4");
    /* any port: the client's well-formed RQ with the DICOM application context */
    assert_true(dicom_looks(&odd, 1, good.p, good.n));
    assert_false(dicom_looks(&odd, 0, good.p, good.n));
    assert_false(dicom_looks(&odd, 1, other.p, other.n));
    assert_false(dicom_looks(&odd, 1, good.p, 77)); /* the context item is cut off */
    /* 104: any plausible PDU header, either side */
    assert_true(dicom_looks(&dicom, 1, other.p, other.n));
    static const uint8_t release[] = {5, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    static const uint8_t bad_len[] = {5, 0, 0, 0, 0, 5, 0, 0, 0, 0};
    assert_true(dicom_looks(&dicom, 0, release, sizeof release));
    assert_false(dicom_looks(&dicom, 0, bad_len, sizeof bad_len));
    assert_false(dicom_looks(&dicom, 1, (const uint8_t *)"GET / HTTP/1.0\r\n", 16));
    assert_false(dicom_looks(&odd, 0, release, sizeof release));
    free(good.p);
    free(other.p);
}

static void test_modality_text(void **state)
{
    (void)state;
    char t[160];
    dicom_modality_text(0, t, sizeof t);
    assert_string_equal(t, "");
    dicom_modality_text(0x3fff, t, sizeof t);
    assert_string_equal(t, "CT,MR,CR,DX,US,NM,PT,XA,RF,MG,secondary capture,verification,"
                           "worklist,query-retrieve");
    dicom_modality_text(0x3fff, t, 8); /* cut short, still terminated */
    assert_true(strlen(t) < 8);
}

static int count_only(void *user, const struct ws_finding *f)
{
    int *n = user;
    if (!strcmp(f->rule_id, "net.inventory.host"))
        n[0]++;
    else if (!strcmp(f->rule_id, "net.inventory.full"))
        n[1]++;
    else
        n[2]++;
    return 0;
}

/* The host cap at limit and limit + 1: one note when a host is refused. */
static void test_host_cap(void **state)
{
    (void)state;
    for (unsigned extra = 0; extra <= 1; extra++) {
        int n[3] = {0};
        struct ws_net_opts o = {.emit = count_only, .emit_user = n};
        struct ws_net_stats stats = {0};
        ws_net *net = NULL;
        assert_int_equal(ws_net_new(&o, &net), WS_OK);
        struct net_ctx c;
        assert_int_equal(net_ctx_init(&c, net, &o, &stats, "hosts"), WS_OK);
        for (unsigned i = 0; i < WS_NET_MAX_HOSTS + extra; i++) {
            char ip[48];
            snprintf(ip, sizeof ip, "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
            net_inv_smb1_only(&c, ip, 1);
            net_inv_smb1_only(&c, ip, 0); /* the same host again: no new entry */
        }
        net_ctx_finish(&c);
        ws_net_free(net);
        assert_int_equal(n[0], WS_NET_MAX_HOSTS);
        assert_int_equal(n[1], extra);
        assert_int_equal(n[2], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assoc_cap),     cmocka_unit_test(test_assoc_short),
        cmocka_unit_test(test_pdata_huge),    cmocka_unit_test(test_looks),
        cmocka_unit_test(test_modality_text), cmocka_unit_test(test_host_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
