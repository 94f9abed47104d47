/*
 * test-smb.c - unit tests of the SMB dialect probe's wire format and of host
 * range expansion. Responses are built here byte by byte from the layouts in
 * MS-SMB2 2.2.4 and MS-CIFS 2.2.4.52.2 (the real servers are exercised by
 * tests/it-smb-sweep.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/compat.h"
#include "sweep/smbneg.h"
#include "wormsign/sweep.h"

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static void requests(void **state)
{
    (void)state;
    uint8_t b[256];
    static const uint16_t codes[] = {0, 0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    for (unsigned i = 0; i < WS_SMB_N_DIALECTS; i++) {
        size_t n = ws_smb_negotiate_request(i, b, sizeof b);
        assert_true(n > 4);
        /* NetBIOS session message: type 0, 24-bit big-endian length */
        assert_int_equal(b[0], 0);
        assert_int_equal(((size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3]) + 4, n);
        const uint8_t *m = b + 4;
        if (i == 0) {
            assert_memory_equal(m, "\xffSMB\x72", 5);
            assert_int_equal(m[32], 0); /* WordCount */
            assert_int_equal(le16(m + 33), 12);
            assert_memory_equal(m + 35, "\x02NT LM 0.12\0", 12);
            continue;
        }
        assert_memory_equal(m, "\xfeSMB", 4);
        assert_int_equal(le16(m + 4), 64); /* header StructureSize */
        assert_int_equal(le16(m + 12), 0); /* NEGOTIATE */
        assert_int_equal(le16(m + 64), 36);
        assert_int_equal(le16(m + 66), 1); /* one dialect */
        assert_int_equal(le16(m + 100), codes[i]);
        if (codes[i] == 0x0311) {
            uint32_t off = le32(m + 64 + 28);
            assert_int_equal(off % 8, 0);
            assert_int_equal(le16(m + 64 + 32), 1);
            assert_true(off + 8 + 38 <= n - 4);
            assert_int_equal(le16(m + off), 1);      /* PREAUTH_INTEGRITY */
            assert_int_equal(le16(m + off + 2), 38); /* DataLength */
            assert_int_equal(le16(m + off + 12), 1); /* SHA-512 */
        } else {
            assert_int_equal(n - 4, 102);
        }
    }
    assert_int_equal(ws_smb_negotiate_request(6, b, sizeof b), 0);
    assert_int_equal(ws_smb_negotiate_request(1, b, 100), 0);
}

/* An SMB2 NEGOTIATE response: header + body up to DialectRevision. */
static size_t smb2_resp(uint8_t *m, uint32_t status, uint16_t dialect)
{
    memset(m, 0, 128);
    memcpy(m, "\xfeSMB", 4);
    m[4] = 64;
    m[8] = (uint8_t)status, m[9] = (uint8_t)(status >> 8), m[10] = (uint8_t)(status >> 16),
    m[11] = (uint8_t)(status >> 24);
    m[12] = 0; /* NEGOTIATE */
    m[14] = 1;
    m[64] = 65;
    m[68] = (uint8_t)dialect;
    m[69] = (uint8_t)(dialect >> 8);
    return 128;
}

static void responses(void **state)
{
    (void)state;
    uint8_t m[128];
    size_t n = smb2_resp(m, 0, 0x0302);
    assert_int_equal(ws_smb_negotiate_parse(4, m, n), WS_OK);
    assert_int_equal(ws_smb_negotiate_parse(5, m, n), WS_E_UNSUPPORTED); /* another dialect */
    assert_int_equal(ws_smb_negotiate_parse(0, m, n), WS_E_UNSUPPORTED); /* SMB2 answer to SMB1 */
    n = smb2_resp(m, 0xc00000bbu, 0);                                    /* STATUS_NOT_SUPPORTED */
    assert_int_equal(ws_smb_negotiate_parse(1, m, n), WS_E_UNSUPPORTED);
    n = smb2_resp(m, 0, 0x0202);
    for (size_t cut = 0; cut < 70; cut++)
        assert_int_equal(ws_smb_negotiate_parse(1, m, cut), WS_E_TRUNCATED);
    assert_int_equal(ws_smb_negotiate_parse(1, m, 70), WS_OK);
    m[64] = 64; /* wrong body StructureSize */
    assert_int_equal(ws_smb_negotiate_parse(1, m, n), WS_E_CORRUPT);
    m[0] = 0x00;
    assert_int_equal(ws_smb_negotiate_parse(1, m, n), WS_E_CORRUPT);

    /* SMB1: DialectIndex 0 accepted, 0xFFFF none */
    uint8_t s[40];
    memset(s, 0, sizeof s);
    memcpy(s, "\xffSMB\x72", 5);
    s[32] = 17; /* WordCount of the NT LM 0.12 response */
    assert_int_equal(ws_smb_negotiate_parse(0, s, sizeof s), WS_OK);
    s[33] = 0xff, s[34] = 0xff;
    assert_int_equal(ws_smb_negotiate_parse(0, s, sizeof s), WS_E_UNSUPPORTED);
    s[33] = 0, s[34] = 0;
    assert_int_equal(ws_smb_negotiate_parse(0, s, 34), WS_E_TRUNCATED);
    assert_int_equal(ws_smb_negotiate_parse(2, s, sizeof s), WS_E_UNSUPPORTED); /* SMB1-only */
    s[4] = 0x73;
    assert_int_equal(ws_smb_negotiate_parse(0, s, sizeof s), WS_E_CORRUPT);
    assert_int_equal(ws_smb_negotiate_parse(9, s, sizeof s), WS_E_INVALID);
}

struct collect {
    char first[32], last[32];
    size_t n, range;
};

static int on_host(void *user, const char *h, int from_range)
{
    struct collect *c = user;
    if (c->n == 0)
        snprintf(c->first, sizeof c->first, "%s", h);
    snprintf(c->last, sizeof c->last, "%s", h);
    c->n++;
    c->range += from_range != 0;
    return 0;
}

static void expand(void **state)
{
    (void)state;
    struct collect c = {0};
    assert_int_equal(ws_sweep_expand("10.1.2.77/24", on_host, &c), WS_OK);
    assert_int_equal(c.n, 254);
    assert_int_equal(c.range, 254);
    assert_string_equal(c.first, "10.1.2.1");
    assert_string_equal(c.last, "10.1.2.254");
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_sweep_expand("192.168.0.5/32", on_host, &c), WS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.first, "192.168.0.5");
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_sweep_expand("192.168.0.4/31", on_host, &c), WS_OK);
    assert_int_equal(c.n, 2); /* RFC 3021: both addresses are hosts */
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_sweep_expand("172.16.0.0/16", on_host, &c), WS_OK);
    assert_int_equal(c.n, 65534);
    assert_string_equal(c.last, "172.16.255.254");
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_sweep_expand("pc7:4450", on_host, &c), WS_OK);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.range, 0);
    assert_int_equal(ws_sweep_expand("10.0.0.0/15", on_host, &c), WS_E_TOO_LARGE);
    assert_int_equal(ws_sweep_expand("10.0.0.0/33", on_host, &c), WS_E_SYNTAX);
    assert_int_equal(ws_sweep_expand("10.0.0.0/", on_host, &c), WS_E_SYNTAX);
    assert_int_equal(ws_sweep_expand("10.0.0/24", on_host, &c), WS_E_SYNTAX);
    assert_int_equal(ws_sweep_expand("", on_host, &c), WS_E_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests),
        cmocka_unit_test(responses),
        cmocka_unit_test(expand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
