/*
 * test-pack.c - pack loading and matching: hash IOC lines, filename IOCs
 * (Windows form, case, false-positive column), required-literal extraction,
 * error reporting with line numbers, and allocation-failure injection over the
 * whole built-in pack load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compat.h"
#include "core/alloc.h"
#include "pack/ioc_name.h"
#include "pack/pack_builtin.h"
#include "pack/pack_impl.h"
#include "pack/prefilter.h"
#include "wormsign/wormsign.h"

struct errs {
    int n;
    uint64_t last_line;
};

static int count_errors(void *user, const struct ws_finding *f)
{
    struct errs *e = user;
    if (f->kind == WS_FINDING_ERROR) {
        e->n++;
        for (size_t i = 0; i < f->n_evidence; i++)
            if (strcmp(f->evidence[i].key, "pack.line") == 0)
                e->last_line = (uint64_t)f->evidence[i].num;
    }
    return 0;
}

static void hash_lines(void **state)
{
    (void)state;
    ws_pack *p;
    struct errs e = {0};
    const char txt[] =
        "# comment\n"
        "0123456789ABCDEF0123456789abcdef;Loki two columns\n"
        "0123456789abcdef0123456789abcdef01234567;80;three columns\n"
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef  sha256sum\n"
        "0123456789abcdef;too short\n"
        "\n";
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(ws_pack_add_buffer(p, "t-hash.txt", txt, sizeof txt - 1, count_errors, &e),
                     WS_OK);
    assert_int_equal(ws_pack_compile(p, count_errors, &e), WS_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.last_line, 5);
    struct ws_pack_stats st;
    ws_pack_get_stats(p, &st);
    assert_int_equal(st.md5, 1);
    assert_int_equal(st.sha1, 1);
    assert_int_equal(st.sha256, 1);
    uint8_t d[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                     0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
    const struct ws_hash_ioc *h = ws_pack_hash_lookup(p, WS_HASH_MD5, d);
    assert_non_null(h);
    assert_int_equal(h->score, 100);
    d[15] ^= 1;
    assert_null(ws_pack_hash_lookup(p, WS_HASH_MD5, d));
    ws_pack_free(p);
}

static const struct ws_name_ioc *hits[8];
static size_t n_hits;

static int on_hit(void *user, const struct ws_name_ioc *ioc)
{
    (void)user;
    if (n_hits < 8)
        hits[n_hits++] = ioc;
    return 0;
}

static size_t match(ws_pack *p, const char *path)
{
    struct ws_name_matcher m;
    ws_name_matcher_init(&m);
    n_hits = 0;
    assert_int_equal(ws_ioc_name_match(p, &m, path, strlen(path), on_hit, NULL), WS_OK);
    ws_name_matcher_release(&m);
    return n_hits;
}

static void name_iocs(void **state)
{
    (void)state;
    ws_pack *p;
    struct errs e = {0};
    const char txt[] = "# Temp exe\n"
                       "%TEMP%\\\\[^\\\\]+\\.exe$;70\n"
                       "\\\\wmiprvse\\.exe$;70;\\\\wbem\\\\wmiprvse\\.exe$\n"
                       "/tmp/evil\\.sh$;60\n"
                       "\\\\(broken;50\n";
    assert_int_equal(ws_pack_new(&p), WS_OK);
    assert_int_equal(
        ws_pack_add_buffer(p, "x-filename-iocs.txt", txt, sizeof txt - 1, count_errors, &e), WS_OK);
    assert_int_equal(ws_pack_compile(p, count_errors, &e), WS_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.last_line, 5);
    assert_int_equal(match(p, "/mnt/ws01/WINDOWS/Temp/a.EXE"), 1);
    assert_int_equal(match(p, "/mnt/ws01/Users/bob/AppData/Local/Temp/a.exe"), 1);
    assert_int_equal(match(p, "/mnt/ws01/Windows/Temp/sub/a.exe"), 0);
    assert_int_equal(match(p, "/mnt/ws01/Windows/System32/wbem/WmiPrvSE.exe"), 0);
    assert_int_equal(match(p, "/mnt/ws01/Windows/WmiPrvSE.exe"), 1);
    assert_int_equal(match(p, "/tmp/evil.sh"), 1);
    assert_int_equal(match(p, "C:\\tmp\\evil.sh"), 0); /* a '/' regex reads the path as is */
    ws_pack_free(p);
}

static void literals(void **state)
{
    (void)state;
    char out[64];
    size_t n = ws_regex_required_literal("\\\\inf\\\\(?:a|b)\\.pnf$", 19, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "\\inf\\");
    n = ws_regex_required_literal("abc|def", 7, out, sizeof out);
    assert_int_equal(n, 0); /* top-level alternation: nothing required */
    n = ws_regex_required_literal("wxyz?q", 6, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "wxy"); /* the optional z is not required */
    n = ws_regex_required_literal("[abc]def\\d+Ghij", 15, out, sizeof out);
    out[n] = '\0';
    assert_string_equal(out, "ghij");
}

/* Make allocation N fail for N = 1, 2, ... until the built-in pack loads:
 * every run ends with a clear status, no crash, no leak (ASan checks). */
static void alloc_failures(void **state)
{
    (void)state;
    assert_int_equal(ws_library_init(), WS_OK);
    int completed = 0;
    for (unsigned long n = 1; n < 200000 && !completed; n += (n < 2000 ? 1 : 97)) {
        ws_pack *p = NULL;
        ws_alloc_fail_at(n);
        ws_status st = ws_pack_new(&p);
        if (st == WS_OK)
            st = ws_pack_add_builtin(p, NULL, NULL);
        if (st == WS_OK)
            st = ws_pack_compile(p, NULL, NULL);
        unsigned long used = ws_alloc_count();
        ws_alloc_fail_at(0);
        if (st == WS_OK && used < n)
            completed = 1;
        else
            assert_true(st == WS_OK || st == WS_E_NOMEM);
        ws_pack_free(p);
    }
    assert_true(completed);
    ws_library_finish();
}

/* The built-in YARA rules admit the prefilter, and it is sound: every string
 * of every rule, put at each of 16 offsets in random bytes, passes it; random
 * bytes alone (64 KiB) do not. */
static void prefilter_builtin(void **state)
{
    (void)state;
    const struct ws_builtin_file *f = ws_builtin_pack_files;
    while (f->name && strcmp(f->name, "kwampirs.yar") != 0)
        f++;
    assert_non_null(f->name);
    struct ws_prefilter pf;
    assert_int_equal(ws_prefilter_build(&pf, (const char *)f->data, f->len), WS_OK);
    assert_true(pf.n > 100);
    static uint8_t buf[65536];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    assert_int_equal(ws_prefilter_may_match(&pf, buf, sizeof buf), 0);
    /* walk the hex strings of the rule file */
    const char *p = (const char *)f->data, *end = p + f->len;
    int strings = 0;
    while ((p = strstr(p, "= {")) != NULL && p < end) {
        p += 3;
        uint8_t s[512];
        size_t n = 0;
        while (*p && *p != '}') {
            if (*p == ' ' || *p == '\n') {
                p++;
                continue;
            }
            unsigned v = 0x5A; /* a wildcard: any byte */
            if (p[0] != '?')
                assert_int_equal(sscanf(p, "%2x", &v), 1);
            s[n++] = (uint8_t)v;
            p += 2;
        }
        for (size_t off = 0; off < 16; off++) {
            uint8_t tmp[1024];
            memcpy(tmp, buf, sizeof tmp);
            memcpy(tmp + 100 + off, s, n);
            assert_int_equal(ws_prefilter_may_match(&pf, tmp, sizeof tmp), 1);
        }
        strings++;
    }
    assert_true(strings >= 12);
    ws_prefilter_release(&pf);
    /* rule sets it cannot prove are refused */
    const char text[] = "rule a { strings: $a = \"abc\" condition: $a }";
    assert_int_equal(ws_prefilter_build(&pf, text, sizeof text - 1), WS_E_UNSUPPORTED);
    const char orc[] = "rule a { strings: $a = { 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f } "
                       "condition: $a or filesize < 10 }";
    assert_int_equal(ws_prefilter_build(&pf, orc, sizeof orc - 1), WS_E_UNSUPPORTED);
    const char shortstr[] = "rule a { strings: $a = { 00 01 02 03 } condition: $a }";
    assert_int_equal(ws_prefilter_build(&pf, shortstr, sizeof shortstr - 1), WS_E_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_lines),        cmocka_unit_test(name_iocs),
        cmocka_unit_test(literals),          cmocka_unit_test(alloc_failures),
        cmocka_unit_test(prefilter_builtin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
