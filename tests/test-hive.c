/*
 * test-hive.c - unit tests of the hive rules (src/hive/hive_rules.c) and of
 * ws_hive_scan_buffer() on hostile inputs that need no fixture file.
 *
 * The rule tests are tables of real-world image paths and Run values (from
 * the corpus SYSTEM hives, the PsExec family and FACTS.md) with what each
 * must give; the scanner tests feed garbage, a bare signature, and a
 * header that declares more data than given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/compat.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "hive/hive_rules.h"
#include "hive/regf_check.h"
#include "hive/hive_internal.h"
#include "core/limits.h"
#include "wormsign/hive.h"

static unsigned classify(const char *s)
{
    struct ws_buf tmp;
    unsigned f = 0xdead;
    ws_buf_init(&tmp, 1 << 20);
    assert_int_equal(ws_hive_image_classify(s, strlen(s), &tmp, &f), WS_OK);
    ws_buf_release(&tmp);
    return f;
}

static void test_image_paths(void **state)
{
    (void)state;
    static const struct {
        const char *image;
        unsigned want;
    } cases[] = {
        /* PsExec and look-alikes: binary directly in the Windows folder */
        {"%SystemRoot%\\PSEXESVC.EXE", WS_HIVE_LM_WINDIR},
        {"%systemroot%\\psexesvc.exe", WS_HIVE_LM_WINDIR},
        {"%windir%\\x.exe -service", WS_HIVE_LM_WINDIR},
        {"\\??\\C:\\Windows\\RemComSvc.exe", WS_HIVE_LM_WINDIR},
        {"\\\\?\\D:\\WINNT\\svc.exe", WS_HIVE_LM_WINDIR},
        {"\"C:\\Windows\\My Tool.exe\" -k", WS_HIVE_LM_WINDIR},
        {"\\SystemRoot\\evil.sys", WS_HIVE_LM_WINDIR},
        {"C:/Windows/fwd.exe", WS_HIVE_LM_WINDIR},
        {"%SystemRoot%\\\\PSEXESVC.EXE", WS_HIVE_LM_WINDIR}, /* doubled separator */
        {"C:\\\\Windows\\\\\\x.exe", WS_HIVE_LM_WINDIR},
        /* Temp and shares */
        {"C:\\Windows\\Temp\\a1b2.exe", WS_HIVE_LM_TEMP},
        {"%TEMP%\\x.exe", WS_HIVE_LM_TEMP},
        {"C:\\Users\\a\\AppData\\Local\\Temp\\x.exe", WS_HIVE_LM_TEMP},
        {"\\\\10.0.0.5\\ADMIN$\\p.exe", WS_HIVE_LM_SHARE},
        {"\\??\\UNC\\host\\c$\\p.exe", WS_HIVE_LM_SHARE},
        {"\\\\host\\share\\p.exe", WS_HIVE_LM_SHARE},
        /* shells */
        {"%COMSPEC% /C echo x > \\\\.\\pipe\\y", WS_HIVE_LM_CMD},
        {"cmd.exe /c powershell -enc AAAA", WS_HIVE_LM_CMD | WS_HIVE_LM_POWERSHELL},
        {"cmd /k whoami", WS_HIVE_LM_CMD},
        {"C:\\Windows\\System32\\cmd.exe /c start x", WS_HIVE_LM_CMD},
        {"powershell.exe -nop -w hidden", WS_HIVE_LM_POWERSHELL},
        {"\"C:\\Program Files\\PowerShell\\7\\pwsh.exe\" -f a.ps1", WS_HIVE_LM_POWERSHELL},
        {"rundll32.exe C:\\Windows\\Temp\\h.dll,Start", WS_HIVE_LM_RUNDLL32},
        {"rundll32 \"C:\\Windows\\h.dll\",Start", WS_HIVE_LM_RUNDLL32},
        {"rundll32.exe %windir%\\h.dll,Start", WS_HIVE_LM_RUNDLL32},
        /* genuine: from the corpus SYSTEM hives (regipy, Windows 10, XP) */
        {"%SystemRoot%\\System32\\svchost.exe -k netsvcs", 0},
        {"%systemroot%\\system32\\wbem\\WmiApSrv.exe", 0},
        {"System32\\drivers\\tcpip.sys", 0},
        {"\\SystemRoot\\system32\\drivers\\cmdide.sys", 0},
        {"f-response-ent.exe", 0},
        {"%systemroot%\\ehome\\ehsched.exe", 0},
        {"%SystemRoot%\\servicing\\TrustedInstaller.exe", 0},
        {"C:\\Windows\\Microsoft.NET\\Framework\\v4.0.30319\\mscorsvw.exe", 0},
        {"\"%PROGRAMFILES%\\Windows Media Player\\wmpnetwk.exe\"", 0},
        {"C:\\Program Files\\Vendor X\\svc.exe -k", 0},
        {"C:\\Windows\\Sysmon64.exe", 0},
        {"C:\\Windows\\explorer.exe", 0},
        {"%SystemRoot%\\system32\\rundll32.exe %SystemRoot%\\system32\\shell32.dll,X", 0},
        {"C:\\cmd.exe", 0}, /* cmd without /c or /k */
        {"", 0},
        {"\"", 0},
        {"\"unterminated", 0},
        {"%SystemRoot%\\", 0},
    };
    int bad = 0;
    for (size_t i = 0; i < WS_ARRAY_LEN(cases); i++) {
        unsigned got = classify(cases[i].image);
        if (got != cases[i].want) {
            print_error("classify(%s) = %#x, want %#x\n", cases[i].image, got, cases[i].want);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void test_kwampirs_service(void **state)
{
    (void)state;
    const char *img = "%SystemRoot%\\System32\\svchost.exe ControlTrace -Embedding -k";
    const char *disp = "WMI Performance Adapter Extension";
    unsigned f = ws_hive_kwampirs_service("WmiApSrvEx", 10, disp, strlen(disp), img, strlen(img));
    assert_int_equal(f, WS_HIVE_KW_NAME | WS_HIVE_KW_DISPLAY | WS_HIVE_KW_IMAGE);
    assert_int_equal(ws_hive_kwampirs_severity(f), 100);
    /* case-insensitive exact name */
    f = ws_hive_kwampirs_service("WMIAPSRVEX", 10, NULL, 0, NULL, 0);
    assert_int_equal(f, WS_HIVE_KW_NAME);
    assert_int_equal(ws_hive_kwampirs_severity(f), 75);
    assert_int_equal(ws_hive_kwampirs_severity(WS_HIVE_KW_NAME | WS_HIVE_KW_IMAGE), 90);
    assert_int_equal(ws_hive_kwampirs_severity(0), 0);
    /* the genuine service and prefixes of the name never match */
    const char *gimg = "%systemroot%\\system32\\wbem\\WmiApSrv.exe";
    const char *gdisp = "WMI Performance Adapter";
    assert_int_equal(
        ws_hive_kwampirs_service("WmiApSrv", 8, gdisp, strlen(gdisp), gimg, strlen(gimg)), 0);
    assert_int_equal(ws_hive_kwampirs_service("WmiApSrvEx2", 11, NULL, 0, NULL, 0), 0);
    assert_int_equal(ws_hive_kwampirs_service("WmiApSrvE", 9, NULL, 0, NULL, 0), 0);
    /* a dropper name in the image path */
    const char *d = "C:\\Windows\\System32\\wmiapsrvce.exe";
    assert_int_equal(ws_hive_kwampirs_service("x", 1, NULL, 0, d, strlen(d)), WS_HIVE_KW_FILE);
}

static void test_kwampirs_file(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        const char *want;
    } cases[] = {
        {"rundll32.exe C:\\Windows\\System32\\wmiassn.dll,Start", "wmiassn.dll"},
        {"\"C:\\Windows\\wmiapsrve.exe\" /install", "wmiapsrve.exe"},
        {"C:\\Windows\\SysWOW64\\WMIAMGMT.DLL", "wmiamgmt.dll"},
        {"wmipdpa.dll", "wmipdpa.dll"},
        {"C:\\Users\\joe\\AppData\\Roaming\\wmiprvse.exe", "wmiprvse.exe"},
        {"C:\\Windows\\System32\\wbem\\wmiprvse.exe", NULL}, /* genuine WMI Provider Host */
        {"C:\\Windows\\System32\\WBEM\\WmiPrvSE.exe -Embedding", NULL},
        {"C:\\Tools\\mywmiadrv.dll.bak", NULL}, /* not a whole file name */
        {"wmiadrv.dllx", NULL},
        {"C:\\Windows\\system32\\ctfmon.exe", NULL},
        {"", NULL},
    };
    for (size_t i = 0; i < WS_ARRAY_LEN(cases); i++) {
        const char *got = ws_hive_kwampirs_file(cases[i].s, strlen(cases[i].s));
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            fail_msg("kwampirs_file(%s) = %s, want %s", cases[i].s, got ? got : "NULL",
                     cases[i].want ? cases[i].want : "NULL");
    }
}

static void test_utf16(void **state)
{
    (void)state;
    struct ws_buf b;
    ws_buf_init(&b, 256);
    /* "A", U+00E9, U+1F600 (surrogate pair), lone high surrogate, then NUL, then junk */
    static const uint8_t in[] = {0x41, 0,    0xE9, 0, 0x3D, 0xD8, 0x00, 0xDE, 0x3D,
                                 0xD8, 0x42, 0,    0, 0,    0x43, 0,    0x44};
    assert_int_equal(ws_hive_utf16_to_utf8(in, sizeof in, &b), WS_OK);
    assert_string_equal(b.data, "A\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD"
                                "B");
    ws_buf_reset(&b);
    assert_int_equal(ws_hive_utf16_to_utf8(in, 1, &b), WS_OK); /* odd byte ignored */
    assert_int_equal(b.len, 0);
    ws_buf_reset(&b);
    static const uint8_t lone_end[] = {0x3D, 0xD8};
    assert_int_equal(ws_hive_utf16_to_utf8(lone_end, 2, &b), WS_OK);
    assert_string_equal(b.data, "\xEF\xBF\xBD");
    ws_buf_release(&b);
    assert_int_equal(ws_hive_filetime_to_unix(0), WS_TIME_UNKNOWN);
    assert_int_equal(ws_hive_filetime_to_unix(116444736000000000ULL), 0);
    assert_string_equal(ws_hive_start_name(3), "demand");
    assert_string_equal(ws_hive_start_name(99), "unknown");
}

struct counts {
    int alerts, errors, infos;
    ws_status last_error;
};

static int count(void *user, const struct ws_finding *f)
{
    struct counts *c = user;
    assert_string_equal(f->ruleset, "hive");
    assert_string_equal(f->source, "hive");
    assert_non_null(f->path);
    if (f->kind == WS_FINDING_ALERT)
        c->alerts++;
    if (f->kind == WS_FINDING_ERROR) {
        c->errors++;
        c->last_error = f->error_code;
        assert_non_null(f->message);
    }
    if (f->kind == WS_FINDING_INFO)
        c->infos++;
    return 0;
}

static void test_scan_hostile_buffers(void **state)
{
    (void)state;
    struct counts c;
    uint8_t buf[8192];

    memset(&c, 0, sizeof c);
    assert_int_equal(ws_hive_scan_buffer(NULL, 0, "empty", count, &c, NULL), WS_OK);
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.last_error, WS_E_TRUNCATED);

    memset(&c, 0, sizeof c);
    memset(buf, 'A', sizeof buf);
    assert_int_equal(ws_hive_scan_buffer(buf, sizeof buf, "garbage", count, &c, NULL), WS_OK);
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.last_error, WS_E_CORRUPT);

    /* a signature and a header declaring 1 MiB of bins, 4 KiB given */
    memset(&c, 0, sizeof c);
    memset(buf, 0, sizeof buf);
    memcpy(buf, "regf", 4);
    buf[42] = 0x10; /* hive bins data size 0x100000 */
    struct ws_hive_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(ws_hive_scan_buffer(buf, sizeof buf, "short", count, &c, &st), WS_OK);
    assert_true(c.errors >= 1);
    assert_int_equal(c.alerts, 0);
    assert_int_equal(st.errors, (uint64_t)c.errors);

    assert_int_equal(ws_hive_scan_buffer(buf, 4, "x", NULL, NULL, NULL), WS_E_INVALID);
    assert_int_equal(ws_hive_scan_file(NULL, count, &c, NULL), WS_E_INVALID);

    memset(&c, 0, sizeof c);
    assert_int_equal(ws_hive_scan_file("/nonexistent/hive", count, &c, NULL), WS_OK);
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.last_error, WS_E_IO);
}

/* The seed hive written by tests/mkhive.py system-kwampirs, read from the
 * source tree ($WS_SRC). NULL (test skipped) if absent. */
static uint8_t *load_seed(size_t *len)
{
    const char *src = getenv("WS_SRC");
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz/corpus/fuzz-hive/system-kwampirs.hive", src ? src : ".");
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static int stop_at_first(void *user, const struct ws_finding *f)
{
    (void)f;
    (*(int *)user)++;
    return 1;
}

static void test_scan_seed_cancel_and_nomem(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *hive = load_seed(&len);
    if (!hive) {
        print_message("seed hive not found (WS_SRC unset?), skipped\n");
        skip();
    }
    struct counts c;
    memset(&c, 0, sizeof c);
    struct ws_hive_stats st;
    memset(&st, 0, sizeof st);
    assert_int_equal(ws_hive_scan_buffer(hive, len, "seed", count, &c, &st), WS_OK);
    /* 5 Kwampirs + 8 lateral-movement services (see tests/it-hive.sh EXPECT_KW) */
    assert_int_equal(c.alerts, 13);
    assert_int_equal(c.errors, 0);
    assert_int_equal(c.infos, 1);
    assert_int_equal(st.hives, 1);
    assert_int_equal(st.alerts, 13);
    assert_int_equal(st.services, 37);

    /* the consumer stops the scan */
    int seen = 0;
    assert_int_equal(ws_hive_scan_buffer(hive, len, "seed", stop_at_first, &seen, NULL),
                     WS_E_CANCELLED);
    assert_int_equal(seen, 1);

    /* every allocation failing in turn: WS_OK or WS_E_NOMEM, never a crash
     * (the ASan build also checks for leaks) */
    int completed = 0;
    unsigned long n;
    for (n = 1; n < 10000 && !completed; n++) {
        memset(&c, 0, sizeof c);
        ws_alloc_fail_at(n);
        ws_status r = ws_hive_scan_buffer(hive, len, "seed", count, &c, NULL);
        ws_alloc_fail_at(0);
        assert_true(r == WS_OK || r == WS_E_NOMEM);
        if (r == WS_OK && c.alerts == 13)
            completed = 1;
    }
    assert_true(completed);
    assert_true(n > 5); /* the scan allocates: failures were injected */

    /* a spent time budget stops the walk with one too_large error, no summary */
    memset(&c, 0, sizeof c);
    assert_int_equal(ws_hive_scan_buffer_budget(hive, len, "seed", count, &c, NULL, 0), WS_OK);
    assert_int_equal(c.errors, 1);
    assert_int_equal(c.last_error, WS_E_TOO_LARGE);
    assert_int_equal(c.infos, 0);
    free(hive);
}

/* ---- regf_check: the value-count pre-pass ---- */

struct membuf {
    const uint8_t *p;
    size_t n;
};

static int read_membuf(void *ctx, uint64_t off, void *buf, size_t n)
{
    const struct membuf *m = ctx;
    if (off > m->n || n > m->n - off)
        return -1;
    memcpy(buf, m->p + off, n);
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A base block and one 4 KiB bin: an nk cell at bins offset 0x20 claiming
 * nvalues values, with a value list cell of 16 bytes (3 entries) at 0x80. */
static size_t make_hive(uint8_t *h, uint32_t nvalues)
{
    memset(h, 0, 8192);
    memcpy(h, "regf", 4);
    memcpy(h + 4096, "hbin", 4);
    put32(h + 4096 + 8, 4096);
    uint8_t *nk = h + 4096 + 0x20;
    put32(nk, (uint32_t)-96); /* allocated cell of 96 bytes */
    memcpy(nk + 4, "nk", 2);
    nk[4 + 2] = 0x20; /* ASCII name */
    put32(nk + 4 + 36, nvalues);
    put32(nk + 4 + 40, 0x80);
    nk[4 + 72] = 3;
    memcpy(nk + 4 + 76, "svc", 3);
    put32(h + 4096 + 0x80, (uint32_t)-16); /* value list: 3 entries */
    put32(h + 4096 + 0x90, 4096 - 0x90);   /* the rest: one free cell */
    return 8192;
}

static void test_regf_check(void **state)
{
    (void)state;
    static uint8_t h[8192];
    struct ws_regf_fix fixes[4];
    struct ws_buf scratch;
    size_t found = 99;
    ws_buf_init(&scratch, 1 << 20);
    static const struct {
        uint32_t nvalues;
        size_t want;
    } cases[] = {
        {0, 0},
        {3, 0},
        {WS_MAX_HIVE_VALUES, 0}, /* at or below the cap: not checked */
        {WS_MAX_HIVE_VALUES + 1, 1},
        {0x80000006u, 1},
        {UINT32_MAX, 1},
    };
    for (size_t i = 0; i < WS_ARRAY_LEN(cases); i++) {
        struct membuf m = {h, make_hive(h, cases[i].nvalues)};
        assert_int_equal(
            ws_regf_check_value_counts(read_membuf, &m, m.n, &scratch, fixes, 4, &found), WS_OK);
        assert_int_equal(found, cases[i].want);
        if (found) {
            assert_int_equal(fixes[0].was, cases[i].nvalues);
            assert_int_equal(fixes[0].val, 3);
            assert_int_equal(fixes[0].off, 4096 + 0x20 + 4 + 36);
            assert_string_equal(fixes[0].name, "svc");
        }
    }
    /* a list offset outside the file: capacity 0 */
    struct membuf m = {h, make_hive(h, 100000)};
    put32(h + 4096 + 0x20 + 4 + 40, 0x7FFFFFF0u);
    assert_int_equal(ws_regf_check_value_counts(read_membuf, &m, m.n, &scratch, fixes, 4, &found),
                     WS_OK);
    assert_int_equal(found, 1);
    assert_int_equal(fixes[0].val, 0);
    /* damaged bins end the walk quietly; truncated input too */
    for (size_t cut = 0; cut <= 8192; cut += 512) {
        m.n = cut;
        assert_int_equal(
            ws_regf_check_value_counts(read_membuf, &m, cut, &scratch, fixes, 4, &found), WS_OK);
    }
    memcpy(h + 4096, "hbXn", 4);
    m.n = 8192;
    assert_int_equal(ws_regf_check_value_counts(read_membuf, &m, m.n, &scratch, fixes, 4, &found),
                     WS_OK);
    assert_int_equal(found, 0);
    ws_buf_release(&scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_paths),
        cmocka_unit_test(test_kwampirs_service),
        cmocka_unit_test(test_kwampirs_file),
        cmocka_unit_test(test_utf16),
        cmocka_unit_test(test_scan_hostile_buffers),
        cmocka_unit_test(test_scan_seed_cancel_and_nomem),
        cmocka_unit_test(test_regf_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
