/*
 * test-net.c - unit tests of the capture analyser (src/net).
 *
 * Independent vectors: the synthetic captures in fuzz/corpus/fuzz-pcap were
 * written by fuzz/gen-net-seeds.py (Python struct/hashlib, not this code);
 * their expected SHA-256 values come from Python's hashlib. NDR stubs and
 * NTLMSSP messages for boundary tests are built here byte by byte from the
 * MS-SCMR / MS-NLMP layouts.
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
#include "wormsign/net.h"
#include "wormsign/pack.h"

/* sha256(b"MZ" + bytes(range(256)) * 4) and sha256(b"kwampirs"), Python hashlib */
#define SHA_PSEXEC "24ab33d0aa3122b727c8310b4888492334d89eb7e6944051358503423d3999e1"
#define SHA_KWAMPIRS "6252c7c22af1958f4690316fcdad9a185717d9d12722c32684d1d6ba1d9e0ed5"

/* ---- collecting findings ---- */

#define MAX_SEEN 64

struct seen {
    char rule[MAX_SEEN][64];
    int kind[MAX_SEEN];
    char sha[MAX_SEEN][65];
    char service[MAX_SEEN][64];
    char file[MAX_SEEN][128];
    char user[MAX_SEEN][64];
    char result[MAX_SEEN][16]; /* evidence "result" */
    char frames[MAX_SEEN][64]; /* evidence "frames" */
    int n;
    int files;
    char file_sha[65];
};

static const char *field(const struct ws_finding *f, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < f->n_fields; i++) {
        if (strcmp(f->fields[i].key, key) == 0 && f->fields[i].type == WS_KV_STR) {
            size_t n = f->fields[i].len < cap - 1 ? f->fields[i].len : cap - 1;
            memcpy(out, f->fields[i].val, n);
            out[n] = '\0';
        }
    }
    return out;
}

static void evidence(const struct ws_finding *f, const char *key, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < f->n_evidence; i++) {
        if (strcmp(f->evidence[i].key, key) == 0 && f->evidence[i].type == WS_KV_STR) {
            size_t n = f->evidence[i].len < cap - 1 ? f->evidence[i].len : cap - 1;
            memcpy(out, f->evidence[i].val, n);
            out[n] = '\0';
        }
    }
}

static int collect(void *user, const struct ws_finding *f)
{
    struct seen *s = user;
    assert_non_null(f->rule_id);
    assert_string_equal(f->ruleset, "net");
    assert_string_equal(f->source, "pcap");
    if (s->n >= MAX_SEEN)
        return 0;
    snprintf(s->rule[s->n], sizeof s->rule[0], "%s", f->rule_id);
    s->kind[s->n] = f->kind;
    snprintf(s->sha[s->n], sizeof s->sha[0], "%s", f->sha256 ? f->sha256 : "");
    field(f, "service.name", s->service[s->n], sizeof s->service[0]);
    field(f, "file.name", s->file[s->n], sizeof s->file[0]);
    field(f, "user.name", s->user[s->n], sizeof s->user[0]);
    evidence(f, "result", s->result[s->n], sizeof s->result[0]);
    evidence(f, "frames", s->frames[s->n], sizeof s->frames[0]);
    s->n++;
    return 0;
}

static int on_file(void *user, const struct ws_net_file *f)
{
    struct seen *s = user;
    if (!f->complete) {
        /* named only: no bytes, no hash */
        assert_null(f->data);
        assert_null(f->sha256);
        assert_true(f->size > 0);
        return 0;
    }
    s->files++;
    snprintf(s->file_sha, sizeof s->file_sha, "%s", f->sha256);
    /* the bytes handed out hash to what the record says */
    assert_non_null(f->data);
    assert_true(f->len > 0);
    assert_int_equal(f->len, f->size);
    return 0;
}

static int count(const struct seen *s, const char *rule)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += strcmp(s->rule[i], rule) == 0;
    return n;
}

static int find(const struct seen *s, const char *rule)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->rule[i], rule) == 0)
            return i;
    return -1;
}

static ws_status scan_seed(const char *name, struct seen *s)
{
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-pcap/%s", src ? src : ".", name);
    struct ws_net_opts o = {.emit = collect, .emit_user = s, .on_file = on_file, .file_user = s};
    ws_net *n = NULL;
    assert_int_equal(ws_net_new(&o, &n), WS_OK);
    ws_status st = ws_net_scan_file(n, path);
    ws_net_free(n);
    return st;
}

/* ---- whole captures ---- */

/* Tests that read captures need libpcap; the rest run in every build. */
#ifdef HAVE_PCAP
#define NEED_PCAP() ((void)0)
#else
#define NEED_PCAP() skip()
#endif

static void test_psexec_every_link_type(void **state)
{
    (void)state;
    NEED_PCAP();
    static const char *const seeds[] = {
        "psexec-eth.pcap", "psexec-vlan.pcap",     "psexec-sll.pcap", "psexec-sll2.pcap",
        "psexec-raw.pcap", "psexec-eth-v6.pcapng", "psexec-ooo.pcap", "psexec-wrap.pcap"};
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        struct seen s = {0};
        assert_int_equal(scan_seed(seeds[i], &s), WS_OK);
        assert_int_equal(count(&s, "net.svcctl.create_service"), 1);
        assert_int_equal(count(&s, "net.kwampirs.service"), 0);
        int l = find(&s, "net.lateral.admin_share_service");
        assert_true(l >= 0);
        assert_string_equal(s.sha[l], SHA_PSEXEC);
        assert_string_equal(s.service[l], "PSEXESVC");
        assert_string_equal(s.file[l], "PSEXESVC.exe");
        assert_int_equal(s.files, 2 - 1);
        assert_string_equal(s.file_sha, SHA_PSEXEC);
        assert_int_equal(count(&s, "net.tcp.gap"), 0);
    }
}

static void test_kwampirs(void **state)
{
    (void)state;
    NEED_PCAP();
    struct seen s = {0};
    assert_int_equal(scan_seed("kwampirs-raw.pcap", &s), WS_OK);
    int k = find(&s, "net.kwampirs.service");
    assert_true(k >= 0);
    assert_int_equal(s.kind[k], WS_FINDING_ALERT);
    assert_string_equal(s.service[k], "WmiApSrvEx");
    int l = find(&s, "net.lateral.admin_share_service");
    assert_true(l >= 0);
    assert_string_equal(s.sha[l], SHA_KWAMPIRS);
    assert_string_equal(s.file[l], "wmiapsrvex.exe");
}

/* An XP-style SMB1 session (negotiate answered in SMB1, NTLM session setup,
 * C$\WINDOWS write, TransactNmPipe to svcctl). */
static void test_kwampirs_smb1(void **state)
{
    (void)state;
    NEED_PCAP();
    struct seen s = {0};
    assert_int_equal(scan_seed("kwampirs-smb1.pcap", &s), WS_OK);
    int k = find(&s, "net.kwampirs.service");
    assert_true(k >= 0);
    assert_string_equal(s.user[k], "bob");
    int l = find(&s, "net.lateral.admin_share_service");
    assert_true(l >= 0);
    /* sha256(b"MZ kwampirs over smb1" * 10), Python hashlib */
    assert_string_equal(s.sha[l],
                        "599a5d80884b59d185f4c9ed9e034ee6aa345962b589243e2c5186194088eb6a");
    assert_string_equal(s.file[l], "wmiapsrvex.exe");
    assert_true(find(&s, "net.smb1.only") >= 0);
}

/* Real traffic: Debian's python3-impacket against Debian's Samba 4.17 on lo,
 * captured by tcpdump (tests/impacket_lateral.py, variant "windows": the
 * payload b"MZ" + bytes(range(256)) * 12 copied to ADMIN$\System32, svcctl
 * calls in 40-byte fragments with PDUs split over two writes and the last
 * fragment by transceive; Samba answers the create with a fault). SMB 2.1
 * (IOCTL FSCTL_PIPE_TRANSCEIVE) and SMB1 (TRANSACTION TransactNmPipe, an
 * NT1-only server). tests/it-net-samba.sh makes such captures afresh when
 * run as root and checks them against tshark. */
static void test_impacket_captures(void **state)
{
    (void)state;
    NEED_PCAP();
    /* sha256(b"MZ" + bytes(range(256)) * 12), Python hashlib */
    static const char sha[] = "7d411b0010fa32528ae6a9b0cf0238e4ff84f0854e1354a1cd356c60c05d51bf";
    static const char *const seeds[] = {"impacket-smb2-windows.pcap", "impacket-smb1-windows.pcap"};
    for (size_t i = 0; i < 2; i++) {
        struct seen s = {0};
        assert_int_equal(scan_seed(seeds[i], &s), WS_OK);
        assert_int_equal(count(&s, "net.svcctl.create_service"), 1);
        int c = find(&s, "net.svcctl.create_service");
        assert_string_equal(s.service[c], "WmiApSrvEx");
        assert_string_equal(s.user[c], "wsadmin");
        assert_string_equal(s.result[c], "0x1c010002"); /* nca_s_op_rng_error */
        assert_int_equal(count(&s, "net.kwampirs.service"), 1);
        int l = find(&s, "net.lateral.admin_share_service");
        assert_true(l >= 0);
        assert_string_equal(s.sha[l], sha);
        assert_string_equal(s.file[l], "wmiapsrvex.exe");
        assert_string_equal(s.user[l], "wsadmin");
        assert_int_equal(s.files, 1);
        assert_string_equal(s.file_sha, sha);
        assert_int_equal(count(&s, "net.smb1.only"), i == 1);
        for (int k = 0; k < s.n; k++)
            assert_int_not_equal(s.kind[k], WS_FINDING_ERROR);
    }
}

static void test_gap(void **state)
{
    (void)state;
    NEED_PCAP();
    struct seen s = {0};
    assert_int_equal(scan_seed("psexec-gap.pcap", &s), WS_OK);
    int g = find(&s, "net.tcp.gap");
    assert_true(g >= 0);
    assert_int_equal(s.kind[g], WS_FINDING_INFO);
    /* the write across the gap is lost: no hash, but the chain is still seen */
    assert_int_equal(s.files, 0);
    int l = find(&s, "net.lateral.admin_share_service");
    assert_true(l >= 0);
    assert_string_equal(s.sha[l], "");
    assert_int_equal(count(&s, "net.svcctl.create_service"), 1);
}

static void test_not_a_capture(void **state)
{
    (void)state;
    NEED_PCAP();
    struct seen s = {0};
    struct ws_net_opts o = {.emit = collect, .emit_user = &s};
    ws_net *n = NULL;
    assert_int_equal(ws_net_new(&o, &n), WS_OK);
    static const char junk[] = "this is not a capture at all, just text";
    assert_int_equal(ws_net_scan_mem(n, "junk", junk, sizeof junk), WS_E_CORRUPT);
    assert_int_equal(ws_net_scan_mem(n, "empty", junk, 0), WS_E_TRUNCATED);
    assert_int_equal(ws_net_scan_file(n, "/nonexistent/x.pcap"), WS_E_NOT_FOUND);
    ws_net_free(n);
    assert_int_equal(s.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(s.kind[i], WS_FINDING_ERROR);
        assert_string_equal(s.rule[i], "net.error.open");
    }
    struct ws_net_opts bad = {0};
    assert_int_equal(ws_net_new(&bad, &n), WS_E_INVALID);
}

/* Every prefix of a capture: an error or a clean end, never a crash. */
static void test_truncated_prefixes(void **state)
{
    (void)state;
    NEED_PCAP();
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-pcap/psexec-eth.pcap", src ? src : ".");
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(len > 100);
    for (size_t cut = 0; cut < len; cut += 7) {
        struct seen s = {0};
        struct ws_net_opts o = {.emit = collect, .emit_user = &s};
        ws_net *n = NULL;
        assert_int_equal(ws_net_new(&o, &n), WS_OK);
        ws_status st = ws_net_scan_mem(n, "cut", buf, cut);
        ws_net_free(n);
        if (cut < 24) {
            assert_int_not_equal(st, WS_OK);
        } else if (st != WS_OK) {
            assert_true(find(&s, "net.error.truncated") >= 0);
        }
    }
}

/* ---- strings ---- */

static void test_utf16(void **state)
{
    (void)state;
    char *s = NULL;
    /* "A", U+00E9, U+20AC, U+1F600 (surrogate pair), lone high surrogate, NUL NUL */
    static const uint8_t in[] = {'A',  0,    0xe9, 0,   0xac, 0x20, 0x3d, 0xd8, 0x00,
                                 0xde, 0x3d, 0xd8, 'B', 0,    0,    0,    0,    0};
    assert_int_equal(net_utf16_to_utf8(in, sizeof in, &s), WS_OK);
    assert_string_equal(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd"
                           "B");
    ws_free(s);
    assert_int_equal(net_utf16_to_utf8(in, 3, &s), WS_OK); /* odd length: last byte dropped */
    assert_string_equal(s, "A");
    ws_free(s);
    assert_int_equal(net_utf16_to_utf8(in, 0, &s), WS_OK);
    assert_string_equal(s, "");
    ws_free(s);
}

/* ---- NTLMSSP ---- */

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return 2;
}

static size_t put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return 4;
}

/* An AUTHENTICATE message at buf+pre; returns its end. */
static size_t ntlm_auth(uint8_t *buf, size_t pre, int unicode, uint32_t user_off_bias)
{
    uint8_t *m = buf + pre;
    memset(buf, 0x30, pre); /* DER-ish junk before, as inside SPNEGO */
    memcpy(m, "NTLMSSP\0", 8);
    put32(m + 8, 3);
    const char *dom = "CORP", *user = "alice", *ws = "WS01";
    size_t off = 64;
    const char *vals[3] = {dom, user, ws};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(vals[i]);
        size_t bytes = unicode ? 2 * n : n;
        uint8_t *fld = m + 28 + 8 * i;
        put16(fld, (uint16_t)bytes);
        put16(fld + 2, (uint16_t)bytes);
        put32(fld + 4, (uint32_t)off + (i == 1 ? user_off_bias : 0));
        for (size_t k = 0; k < n; k++) {
            if (unicode) {
                m[off + 2 * k] = (uint8_t)vals[i][k];
                m[off + 2 * k + 1] = 0;
            } else {
                m[off + k] = (uint8_t)vals[i][k];
            }
        }
        off += bytes;
    }
    put32(m + 12, 0); /* Lm: empty */
    put32(m + 20, 0); /* Nt: empty */
    put32(m + 52, 0);
    put32(m + 56, 0);
    put32(m + 60, unicode ? 1 : 0);
    return pre + off;
}

static void test_ntlmssp(void **state)
{
    (void)state;
    uint8_t buf[256] = {0};
    struct net_account a = {0};
    for (int uni = 0; uni <= 1; uni++) {
        size_t n = ntlm_auth(buf, 13, uni, 0);
        assert_int_equal(ntlmssp_find_auth(buf, n, &a), WS_OK);
        assert_string_equal(a.user, "alice");
        assert_string_equal(a.domain, "CORP");
        assert_string_equal(a.workstation, "WS01");
        net_account_release(&a);
        /* every cut short of the end fails cleanly */
        for (size_t cut = 0; cut < n; cut++)
            assert_int_not_equal(ntlmssp_find_auth(buf, cut, &a), WS_OK);
    }
    /* an offset pointing outside the message */
    size_t n = ntlm_auth(buf, 0, 1, 1000);
    assert_int_equal(ntlmssp_find_auth(buf, n, &a), WS_E_TRUNCATED);
    assert_int_equal(ntlmssp_find_auth((const uint8_t *)"no signature here", 17, &a),
                     WS_E_NOT_FOUND);
}

/* ---- svcctl NDR ---- */

struct stub {
    uint8_t *p;
    size_t n, cap;
};

static void st_put(struct stub *s, const void *p, size_t n)
{
    if (s->n + n > s->cap) {
        s->cap = (s->n + n) * 2;
        s->p = realloc(s->p, s->cap);
        assert_non_null(s->p);
    }
    memcpy(s->p + s->n, p, n);
    s->n += n;
}

static void st_u32(struct stub *s, uint32_t v)
{
    uint8_t b[4];
    put32(b, v);
    st_put(s, b, 4);
}

static void st_align(struct stub *s)
{
    static const uint8_t z[4] = {0};
    st_put(s, z, (4 - s->n % 4) % 4);
}

/* conformant varying string of `units` UTF-16 units of 'a' (plus a NUL), max_count max */
static void st_cvs(struct stub *s, size_t units, uint32_t max, uint32_t actual)
{
    st_align(s);
    st_u32(s, max);
    st_u32(s, 0);
    st_u32(s, actual);
    for (size_t i = 0; i + 1 < units + 1; i++)
        st_put(s, "a\0", 2);
    st_put(s, "\0\0", 2);
}

static void st_wstr(struct stub *s, const char *str)
{
    size_t n = strlen(str) + 1;
    st_align(s);
    st_u32(s, (uint32_t)n);
    st_u32(s, 0);
    st_u32(s, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t u[2] = {(uint8_t)str[i], 0};
        st_put(s, u, 2);
    }
}

static struct stub create_stub(size_t name_units, uint32_t max, uint32_t actual)
{
    struct stub s = {0};
    uint8_t h[20] = {0};
    st_put(&s, h, 20);
    st_cvs(&s, name_units, max, actual);
    st_align(&s);
    st_u32(&s, 0x20000); /* display: unique pointer */
    st_wstr(&s, "WMI Performance Adapter Extension");
    st_align(&s);
    st_u32(&s, 0xf01ff);
    st_u32(&s, 0x10);
    st_u32(&s, 2);
    st_u32(&s, 1);
    st_wstr(&s, "C:\\Windows\\x.exe ControlTrace -Embedding -k");
    st_align(&s);
    st_u32(&s, 0);        /* load order group */
    st_u32(&s, 0x20004);  /* tag id pointer */
    st_u32(&s, 0);        /* tag id */
    st_u32(&s, 0x20008);  /* dependencies */
    st_u32(&s, 3);        /* max_count */
    st_put(&s, "abc", 3); /* bytes */
    st_align(&s);
    st_u32(&s, 3);       /* dwDependSize */
    st_u32(&s, 0x2000c); /* start name */
    st_wstr(&s, "LocalSystem");
    st_align(&s);
    st_u32(&s, 0);
    st_u32(&s, 0);
    return s;
}

static void test_svcctl_create(void **state)
{
    (void)state;
    struct svc_create sc;
    struct stub s = create_stub(10, 11, 11);
    assert_int_equal(svcctl_parse_create(12, 0, s.p, s.n, &sc), WS_OK);
    assert_string_equal(sc.name, "aaaaaaaaaa");
    assert_string_equal(sc.display, "WMI Performance Adapter Extension");
    assert_string_equal(sc.binpath, "C:\\Windows\\x.exe ControlTrace -Embedding -k");
    assert_string_equal(sc.account, "LocalSystem");
    assert_int_equal(sc.start_type, 2);
    assert_int_equal(sc.service_type, 0x10);
    svc_create_release(&sc);
    /* every truncation: an error or a parse that stops after the binary path */
    for (size_t cut = 0; cut < s.n; cut++) {
        ws_status st = svcctl_parse_create(12, 0, s.p, cut, &sc);
        if (st == WS_OK) {
            assert_non_null(sc.binpath);
            svc_create_release(&sc);
        }
    }
    free(s.p);
    /* actual_count > max_count is impossible */
    s = create_stub(10, 5, 11);
    assert_int_equal(svcctl_parse_create(12, 0, s.p, s.n, &sc), WS_E_CORRUPT);
    free(s.p);
    /* the name cap (WS_NET_MAX_NAME / 3 UTF-16 units): limit-1, limit, limit+1 */
    const size_t lim = WS_NET_MAX_NAME / 3;
    for (size_t units = lim - 2; units <= lim; units++) {
        s = create_stub(units, (uint32_t)units + 1, (uint32_t)units + 1);
        ws_status st = svcctl_parse_create(12, 0, s.p, s.n, &sc);
        if (units + 1 <= lim) {
            assert_int_equal(st, WS_OK);
            assert_int_equal(strlen(sc.name), units);
            svc_create_release(&sc);
        } else {
            assert_int_equal(st, WS_E_TOO_LARGE);
        }
        free(s.p);
    }
    /* the largest value the field can hold */
    s = create_stub(1, 0xffffffffu, 0xffffffffu);
    assert_int_equal(svcctl_parse_create(12, 0, s.p, s.n, &sc), WS_E_TOO_LARGE);
    free(s.p);
}

/* NDR64 (MS-RPCE 2.2.5): 8-byte pointers and counts, 8-aligned. */
static void st_align8(struct stub *s)
{
    static const uint8_t z[8] = {0};
    st_put(s, z, (8 - s->n % 8) % 8);
}

static void st_u64(struct stub *s, uint64_t v)
{
    st_align8(s);
    st_u32(s, (uint32_t)v);
    st_u32(s, (uint32_t)(v >> 32));
}

static void st_wstr64(struct stub *s, const char *str)
{
    size_t n = strlen(str) + 1;
    st_u64(s, n);
    st_u64(s, 0);
    st_u64(s, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t u[2] = {(uint8_t)str[i], 0};
        st_put(s, u, 2);
    }
}

static void test_svcctl_ndr64(void **state)
{
    (void)state;
    struct stub s = {0};
    uint8_t h[20] = {0};
    st_put(&s, h, 20);
    st_wstr64(&s, "WmiApSrvEx");
    st_u64(&s, 0x20000);
    st_wstr64(&s, "disp");
    st_align(&s);
    st_u32(&s, 0xf01ff);
    st_u32(&s, 0x10);
    st_u32(&s, 3);
    st_u32(&s, 1);
    st_wstr64(&s, "%SystemRoot%\\x.exe");
    st_u64(&s, 0); /* group */
    st_u64(&s, 0); /* tag */
    st_u64(&s, 0); /* dependencies */
    st_align(&s);
    st_u32(&s, 0);
    st_u64(&s, 0x20004);
    st_wstr64(&s, "LocalSystem");
    struct svc_create sc;
    assert_int_equal(svcctl_parse_create(45, 1, s.p, s.n, &sc), WS_OK);
    assert_string_equal(sc.name, "WmiApSrvEx");
    assert_string_equal(sc.display, "disp");
    assert_string_equal(sc.binpath, "%SystemRoot%\\x.exe");
    assert_string_equal(sc.account, "LocalSystem");
    assert_int_equal(sc.start_type, 3);
    svc_create_release(&sc);
    /* read as NDR 2.0 it must not yield the same strings */
    if (svcctl_parse_create(45, 0, s.p, s.n, &sc) == WS_OK) {
        assert_true(sc.name == NULL || strcmp(sc.name, "WmiApSrvEx") != 0 || sc.binpath == NULL ||
                    strcmp(sc.binpath, "%SystemRoot%\\x.exe") != 0);
        svc_create_release(&sc);
    }
    free(s.p);
}

static void test_svcctl_small(void **state)
{
    (void)state;
    uint32_t rc;
    uint8_t h[20];
    static const uint8_t resp[28] = {0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                     9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 5, 0, 0, 0};
    assert_int_equal(svcctl_return_code(resp, sizeof resp, &rc), WS_OK);
    assert_int_equal(rc, 5);
    assert_int_equal(svcctl_response_handle(12, resp, sizeof resp, h), WS_OK);
    assert_int_equal(h[0], 9);
    assert_int_equal(h[19], 9);
    assert_int_equal(svcctl_return_code(resp, 3, &rc), WS_E_TRUNCATED);
    assert_int_equal(svcctl_response_handle(12, resp, 23, h), WS_E_TRUNCATED);
    assert_true(svcctl_is_create(12) && svcctl_is_create(24) && svcctl_is_create(44) &&
                svcctl_is_create(45) && svcctl_is_create(60));
    assert_false(svcctl_is_create(15) || svcctl_is_create(19) || svcctl_is_create(64));
}

/* ---- DCE/RPC over TCP through the stream driver ---- */

static size_t dce_pdu(uint8_t *out, uint8_t ptype, uint8_t flags, uint32_t call_id, uint16_t opnum,
                      const uint8_t *stub, size_t n)
{
    size_t len = 24 + n;
    uint8_t *p = out;
    p[0] = 5;
    p[1] = 0;
    p[2] = ptype;
    p[3] = flags;
    p[4] = 0x10;
    p[5] = p[6] = p[7] = 0;
    put16(p + 8, (uint16_t)len);
    put16(p + 10, 0);
    put32(p + 12, call_id);
    put32(p + 16, (uint32_t)n);
    put16(p + 20, 0);
    put16(p + 22, opnum);
    memcpy(p + 24, stub, n);
    return len;
}

/* chunk format of net_fuzz.c */
static size_t chunk(uint8_t *out, uint8_t dir, const uint8_t *p, size_t n)
{
    out[0] = dir;
    put16(out + 1, (uint16_t)n);
    memcpy(out + 3, p, n);
    return 3 + n;
}

static void test_dcerpc_fragments(void **state)
{
    (void)state;
    struct stub s = create_stub(4, 5, 5);
    static uint8_t in[1 << 16], pdu[4096];
    size_t n = 0;
    in[n++] = 0x81; /* pre-bind svcctl */
    n += put16(in + n, 0);
    /* the request in three fragments, the middle one split across two chunks */
    size_t third = s.n / 3;
    size_t l = dce_pdu(pdu, 0, 1, 7, 12, s.p, third);
    n += chunk(in + n, 1, pdu, l);
    l = dce_pdu(pdu, 0, 0, 7, 12, s.p + third, third);
    n += chunk(in + n, 1, pdu, 10);
    n += chunk(in + n, 1, pdu + 10, l - 10);
    l = dce_pdu(pdu, 0, 2, 7, 12, s.p + 2 * third, s.n - 2 * third);
    n += chunk(in + n, 1, pdu, l);
    /* an orphan middle fragment of another call is ignored */
    l = dce_pdu(pdu, 0, 0, 99, 12, s.p, 8);
    n += chunk(in + n, 1, pdu, l);
    struct seen seen = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DCERPC, in, n, collect, &seen), WS_OK);
    assert_int_equal(count(&seen, "net.svcctl.create_service"), 1);
    assert_int_equal(count(&seen, "net.kwampirs.service"), 1);
    int i = find(&seen, "net.svcctl.create_service");
    assert_string_equal(seen.service[i], "aaaa");
    free(s.p);
}

/* A create call sealed by packet privacy (as impacket sends it with auth
 * level 6, tests/it-net-samba.sh): the opnum alone gives a finding, and the
 * fault that answers it (never sealed) gives its result and frame. */
static void test_dcerpc_sealed_fault(void **state)
{
    (void)state;
    static uint8_t in[4096], pdu[1024];
    uint8_t sealed[64];
    for (size_t i = 0; i < sizeof sealed; i++)
        sealed[i] = (uint8_t)(i * 37 + 11);
    size_t n = 0;
    in[n++] = 0x81; /* pre-bind svcctl */
    n += put16(in + n, 0);
    /* request: stub, then the auth trailer (type 10 NTLM, level 6, pad 0) and
     * a 16-byte verifier; auth_length 16 */
    size_t l = dce_pdu(pdu, 0, 3, 9, 12, sealed, sizeof sealed);
    static const uint8_t trailer[8] = {10, 6, 0, 0, 1, 0, 0, 0};
    memcpy(pdu + l, trailer, 8);
    memset(pdu + l + 8, 0xAA, 16);
    l += 24;
    put16(pdu + 8, (uint16_t)l);
    put16(pdu + 10, 16);
    n += chunk(in + n, 1, pdu, l);
    /* fault: alloc_hint, context id, cancel count, reserved, status
     * nca_s_op_rng_error, reserved (C706 12.6.4.7) */
    uint8_t fault[32] = {5, 0, 3, 3, 0x10, 0, 0, 0, 32, 0, 0, 0, 9, 0, 0, 0};
    put32(fault + 24, 0x1c010002u);
    n += chunk(in + n, 0, fault, sizeof fault);
    struct seen seen = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DCERPC, in, n, collect, &seen), WS_OK);
    assert_int_equal(count(&seen, "net.svcctl.create_service"), 1);
    assert_int_equal(count(&seen, "net.dcerpc.encrypted"), 1);
    assert_int_equal(count(&seen, "net.kwampirs.service"), 0);
    int i = find(&seen, "net.svcctl.create_service");
    assert_string_equal(seen.result[i], "0x1c010002");
    assert_string_equal(seen.frames[i], "2,3"); /* frame 1: the bind */
}

/* fuzz/gen-net-seeds.py's authed-create-fault.chunks (Python-built): a
 * signed create in two fragments, each with its own auth padding and
 * verifier, then a sealed one answered by a fault. */
static void test_dcerpc_authed_seed(void **state)
{
    (void)state;
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-dcerpc/authed-create-fault.chunks",
             src ? src : ".");
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t in[8192];
    size_t n = fread(in, 1, sizeof in, fp);
    fclose(fp);
    assert_true(n > 0 && n < sizeof in);
    struct seen seen = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DCERPC, in, n, collect, &seen), WS_OK);
    assert_int_equal(count(&seen, "net.svcctl.create_service"), 2);
    assert_int_equal(count(&seen, "net.kwampirs.service"), 1);
    int i = find(&seen, "net.svcctl.create_service");
    assert_string_equal(seen.service[i], "WmiApSrvEx");
    assert_string_equal(seen.result[i], "");
    for (int k = i + 1; k < seen.n; k++) {
        if (strcmp(seen.rule[k], "net.svcctl.create_service") != 0)
            continue;
        assert_string_equal(seen.service[k], "");
        assert_string_equal(seen.result[k], "0x1c010002");
    }
}

static void test_dcerpc_stub_cap(void **state)
{
    (void)state;
    /* first fragments of one call until the stub passes WS_NET_MAX_DCE_STUB:
     * one error, no growth past the cap, no finding */
    static uint8_t body[60000], pdu[65536];
    memset(body, 'x', sizeof body);
    size_t total = 3 + 3; /* pre-bind chunk */
    size_t per = 3 + 24 + sizeof body;
    size_t frags = WS_NET_MAX_DCE_STUB / sizeof body + 2;
    uint8_t *in = malloc(total + frags * per);
    assert_non_null(in);
    size_t n = 0;
    in[n++] = 0x81;
    n += put16(in + n, 0);
    for (size_t k = 0; k < frags; k++) {
        size_t l = dce_pdu(pdu, 0, k == 0 ? 1 : 0, 5, 12, body, sizeof body);
        n += chunk(in + n, 1, pdu, l);
    }
    struct seen seen = {0};
    assert_int_equal(net_fuzz_stream(NET_APP_DCERPC, in, n, collect, &seen), WS_OK);
    assert_int_equal(count(&seen, "net.error.dcerpc.stub"), 1);
    assert_int_equal(count(&seen, "net.svcctl.create_service"), 0);
    free(in);
}

/* The capture-wide state budget and table growth at their limits. */
static void test_state_budget(void **state)
{
    (void)state;
    struct seen s = {0};
    struct ws_net_opts o = {.emit = collect, .emit_user = &s};
    struct ws_net_stats stats = {0};
    ws_net *n = NULL;
    assert_int_equal(ws_net_new(&o, &n), WS_OK);
    struct net_ctx c;
    assert_int_equal(net_ctx_init(&c, n, &o, &stats, "budget"), WS_OK);
    assert_true(net_charge(&c, WS_NET_MAX_STATE_BYTES - 1));
    assert_true(net_charge(&c, 1));  /* exactly the limit */
    assert_false(net_charge(&c, 1)); /* limit + 1 */
    assert_false(net_charge(&c, SIZE_MAX));
    net_uncharge(&c, WS_NET_MAX_STATE_BYTES);
    assert_int_equal(c.state_bytes, 0);
    net_uncharge(&c, 5); /* never below zero */
    assert_int_equal(c.state_bytes, 0);
    /* a table of at most 10 elements */
    int *arr = NULL;
    size_t cap = 0;
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(net_table_room(&c, (void **)&arr, &cap, i, sizeof *arr, 10), WS_OK);
        arr[i] = (int)i;
    }
    assert_int_equal(cap, 10);
    assert_int_equal(net_table_room(&c, (void **)&arr, &cap, 10, sizeof *arr, 10), WS_E_TOO_LARGE);
    assert_int_equal(c.state_bytes, 10 * sizeof *arr);
    net_uncharge(&c, cap * sizeof *arr);
    ws_free(arr);
    net_ctx_finish(&c);
    ws_net_free(n);
    assert_int_equal(count(&s, "net.error.state"), 1); /* reported once */
}

/* Allocation failures anywhere on the whole path: a status, never a crash. */
static void test_alloc_failures(void **state)
{
    (void)state;
    NEED_PCAP();
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-pcap/kwampirs-raw.pcap", src ? src : ".");
    for (unsigned long k = 1; k < 400; k++) {
        struct seen s = {0};
        struct ws_net_opts o = {.emit = collect, .emit_user = &s};
        ws_net *n = NULL;
        ws_alloc_fail_at(k);
        if (ws_net_new(&o, &n) == WS_OK) {
            ws_status st = ws_net_scan_file(n, path);
            (void)st;
            ws_net_free(n);
        }
        ws_alloc_fail_at(0);
    }
}

/* ---- Kwampirs C2 in DNS and HTTP (c2.c) ---- */

static int quiet(void *user, const struct ws_finding *f)
{
    (void)user;
    (void)f;
    return 0;
}

/* A small pack with the entries the seed c2-dns-http.pcap was written with
 * (tests/gen_c2_pcap.py dfkcn.tk dfkcnyhd.nl 101.11.98.119
 * dfkcn.tk/loginloginlogin.php unitysrvnews.info 172.105.123.10). */
static ws_pack *c2_pack(void)
{
    static const char iocs[] = "dfkcn.tk\ndfkcnyhd.nl\n101.11.98.119\n172.105.123.10\n";
    static const char urls[] = "dfkcn.tk/loginloginlogin.php\n";
    static const char pats[] =
        "url-path;^/(?:(?:group|main|index|login)+/)*(?:group|main|index|login)+\\.php$;50;p\n"
        "domain;^(?:unity|srv|news){2,5}\\.(?:info)$;40;d\n"
        "query;(?:^|&)q=[^&]+;40;q\n"
        "user-agent;^ItIsMe$;60;ua\n"
        "dns-answer;^172\\.105\\.123\\.10$;60;s\n";
    ws_pack *p = NULL;
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "c2-iocs.txt", iocs, strlen(iocs), quiet, NULL), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "c2-urls.txt", urls, strlen(urls), quiet, NULL), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "net-patterns.txt", pats, strlen(pats), quiet, NULL),
                     WS_OK);
    assert_int_equal(ws_pack_compile(p, quiet, NULL), WS_OK);
    return p;
}

static void test_c2_seed(void **state)
{
    (void)state;
    NEED_PCAP();
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-pcap/c2-dns-http.pcap", src ? src : ".");
    ws_pack *p = c2_pack();
    struct seen s = {0};
    struct ws_net_opts o = {.emit = collect, .emit_user = &s, .pack = p};
    ws_net *n = NULL;
    assert_int_equal(ws_net_new(&o, &n), WS_OK);
    assert_int_equal(ws_net_scan_file(n, path), WS_OK);
    ws_net_free(n);
    /* domain: the UDP query, the subdomain, the CNAME target, the TCP query */
    assert_int_equal(count(&s, "net.c2.dns.domain"), 4);
    assert_int_equal(count(&s, "net.c2.dns.answer"), 2);
    assert_int_equal(count(&s, "net.c2.dns.sinkhole"), 1);
    assert_int_equal(count(&s, "net.c2.dns.grammar"), 1);
    assert_int_equal(count(&s, "net.c2.http.url"), 1);
    assert_int_equal(count(&s, "net.c2.http.host"), 1);
    assert_int_equal(count(&s, "net.c2.http.grammar"), 1);
    assert_int_equal(count(&s, "net.c2.http.user_agent"), 1);
    assert_int_equal(count(&s, "net.dns.malformed"), 1);
    assert_int_equal(s.n, 13);
    /* the same capture without a pack: parsed, nothing matched */
    struct seen s2 = {0};
    struct ws_net_opts o2 = {.emit = collect, .emit_user = &s2};
    assert_int_equal(ws_net_new(&o2, &n), WS_OK);
    assert_int_equal(ws_net_scan_file(n, path), WS_OK);
    ws_net_free(n);
    assert_int_equal(s2.n, 1);
    assert_int_equal(count(&s2, "net.dns.malformed"), 1);
    /* every allocation failure while loading and scanning: no crash, no leak */
    for (unsigned long k = 1; k < 300; k++) {
        struct seen s3 = {0};
        struct ws_net_opts o3 = {.emit = collect, .emit_user = &s3, .pack = p};
        ws_alloc_fail_at(k);
        if (ws_net_new(&o3, &n) == WS_OK) {
            ws_status st = ws_net_scan_file(n, path);
            (void)st;
            ws_net_free(n);
        }
        ws_alloc_fail_at(0);
    }
    ws_pack_free(p);
}

/* Name of n labels of len bytes each ("aaa.aaa..."), as wire bytes. */
static size_t wire_name(uint8_t *out, int labels, int len)
{
    size_t o = 0;
    for (int i = 0; i < labels; i++) {
        out[o++] = (uint8_t)len;
        memset(out + o, 'a', (size_t)len);
        o += (size_t)len;
    }
    out[o++] = 0;
    return o;
}

static void dns_one(ws_pack *p, const uint8_t *m, size_t n, struct seen *s)
{
    struct ws_net_opts o = {.emit = collect, .emit_user = s, .pack = p};
    ws_net *net = NULL;
    assert_int_equal(ws_net_new(&o, &net), WS_OK);
    struct ws_net_stats st = {0};
    struct net_ctx c;
    assert_int_equal(net_ctx_init(&c, net, &o, &st, "mem"), WS_OK);
    struct net_ends e = {.cli_ip = "10.0.0.1", .srv_ip = "10.0.0.2", .cli_port = 1, .srv_port = 53};
    c.pk.frame = 1;
    c2_dns_message(&c, &e, "udp", m, n);
    net_ctx_finish(&c);
    ws_net_free(net);
}

static void test_c2_dns_names(void **state)
{
    (void)state;
    ws_pack *p = c2_pack();
    static const uint8_t hdr[12] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    uint8_t m[600];
    struct seen s;
    /* 255 wire bytes with the root (4 labels of 62, "t", root: 4*63 + 2 + 1): legal */
    memcpy(m, hdr, 12);
    size_t k = 12 + wire_name(m + 12, 4, 62);
    m[k - 1] = 1; /* replace the root with the label "t", then the root */
    m[k++] = 't';
    m[k++] = 0;
    m[k++] = 0, m[k++] = 1, m[k++] = 0, m[k++] = 1;
    memset(&s, 0, sizeof s);
    dns_one(p, m, k, &s);
    assert_int_equal(s.n, 0); /* read, not listed, no note */
    /* 256 wire bytes: one byte more in the last label */
    k = 12 + wire_name(m + 12, 4, 62);
    m[k - 1] = 2;
    memcpy(m + k, "tk", 2);
    k += 2;
    m[k++] = 0;
    m[k++] = 0, m[k++] = 1, m[k++] = 0, m[k++] = 1;
    memset(&s, 0, sizeof s);
    dns_one(p, m, k, &s);
    assert_int_equal(count(&s, "net.dns.malformed"), 1);
    /* pointer loops: to itself, and two pointers to each other */
    static const uint8_t loop1[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
    memset(&s, 0, sizeof s);
    dns_one(p, loop1, sizeof loop1, &s);
    assert_int_equal(count(&s, "net.dns.malformed"), 1);
    static const uint8_t loop2[] = {0, 1,   1,    0,  0, 1,   0,    0,  0, 0, 0, 0,
                                    1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12, 0, 1, 0, 1};
    memset(&s, 0, sizeof s);
    dns_one(p, loop2, sizeof loop2, &s);
    assert_int_equal(count(&s, "net.dns.malformed"), 1);
    /* a pointer past the end */
    static const uint8_t past[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc1, 0, 0, 1, 0, 1};
    memset(&s, 0, sizeof s);
    dns_one(p, past, sizeof past, &s);
    assert_int_equal(count(&s, "net.dns.malformed"), 1);
    /* a subdomain of a listed domain in mixed case, its last label behind a
     * pointer to after the question, and every truncation of that message:
     * the finding only for the whole one */
    static const uint8_t msg[] = {0,  1, 1,   0,   0, 1,   0,   0,   0,   0,   0,
                                  0,  2, 'x', 'y', 5, 'D', 'f', 'K', 'c', 'N', 0xc0,
                                  27, 0, 1,   0,   1, 2,   't', 'k', 0};
    k = sizeof msg;
    memset(&s, 0, sizeof s);
    dns_one(p, msg, k, &s);
    assert_int_equal(count(&s, "net.c2.dns.domain"), 1);
    assert_int_equal(s.n, 1);
    for (size_t cut = 0; cut < k; cut++) {
        memset(&s, 0, sizeof s);
        dns_one(p, msg, cut, &s);
        assert_int_equal(count(&s, "net.c2.dns.domain"), 0);
    }
    ws_pack_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_psexec_every_link_type),
        cmocka_unit_test(test_kwampirs),
        cmocka_unit_test(test_kwampirs_smb1),
        cmocka_unit_test(test_impacket_captures),
        cmocka_unit_test(test_gap),
        cmocka_unit_test(test_not_a_capture),
        cmocka_unit_test(test_truncated_prefixes),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_ntlmssp),
        cmocka_unit_test(test_svcctl_create),
        cmocka_unit_test(test_svcctl_small),
        cmocka_unit_test(test_svcctl_ndr64),
        cmocka_unit_test(test_dcerpc_fragments),
        cmocka_unit_test(test_dcerpc_sealed_fault),
        cmocka_unit_test(test_dcerpc_authed_seed),
        cmocka_unit_test(test_dcerpc_stub_cap),
        cmocka_unit_test(test_state_budget),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_c2_seed),
        cmocka_unit_test(test_c2_dns_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
