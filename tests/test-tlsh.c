/*
 * test-tlsh.c - our TLSH and the libfuzzy (ssdeep) glue against the reference
 * vectors of the corpus (trendmicro/tlsh Testing/, a4lg/ffuzzy testsuite).
 *
 * Every expected value comes from the corpus files, never from this code.
 * Skips (77) when $WS_CORPUS is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "variant/tlsh.h"
#include "variant/ssdeep.h"

static const char *corpus;
static char tdir[4096];

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, r;
    unsigned char *b = malloc(cap);
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            unsigned char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static int digest_file(const char *rel, struct ws_tlsh_digest *d)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", tdir, rel);
    size_t n;
    unsigned char *b = slurp(path, &n);
    assert_non_null(b);
    ws_status st = ws_tlsh_buf(b, n, d);
    free(b);
    return st == WS_OK;
}

/* Every line "T1<hex>\tpath" of an .out_EXP file. */
static void check_digest_list(const char *exp, int *checked)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/exp/%s", tdir, exp);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        char *rel = tab + 1;
        rel[strcspn(rel, "\r\n")] = '\0';
        struct ws_tlsh_digest d;
        int ok = digest_file(rel, &d);
        if (strcmp(line, "TNULL") == 0) {
            assert_false(ok);
        } else {
            assert_true(ok);
            char s[WS_TLSH_STRLEN + 1];
            ws_tlsh_format(&d, s);
            if (strcmp(s, line) != 0)
                fail_msg("%s: got %s want %s", rel, s, line);
            /* round trip through the parser */
            struct ws_tlsh_digest e;
            assert_int_equal(ws_tlsh_parse(line, strlen(line), &e), WS_OK);
            assert_int_equal(ws_tlsh_distance(&d, &e, 1), 0);
            assert_memory_equal(&d, &e, sizeof d);
        }
        (*checked)++;
    }
    fclose(f);
}

static void test_tlsh_digests(void **state)
{
    (void)state;
    int n = 0;
    check_digest_list("example_data.128.1.len.out_EXP", &n);
    assert_int_equal(n, 80);
    check_digest_list("small.128.1.tlsh_EXP", &n);
    check_digest_list("small2.128.1.tlsh_EXP", &n);
    assert_int_equal(n, 82);
}

/* "a\tb\tdist" lines: distance between the digests of two files. */
static void check_scores(const char *exp, int with_len, int expect_lines)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/exp/%s", tdir, exp);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192], a[4096], b[4096];
    int dist, n = 0;
    while (fgets(line, sizeof line, f)) {
        char *t1 = strchr(line, '\t');
        char *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t2)
            continue;
        snprintf(a, sizeof a, "%.*s", (int)(t1 - line), line);
        snprintf(b, sizeof b, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
        dist = atoi(t2 + 1);
        struct ws_tlsh_digest da, db;
        assert_true(digest_file(a, &da));
        assert_true(digest_file(b, &db));
        int got = ws_tlsh_distance(&da, &db, with_len);
        if (got != dist)
            fail_msg("%s vs %s: got %d want %d", a, b, got, dist);
        assert_int_equal(ws_tlsh_distance(&db, &da, with_len), dist);
        n++;
    }
    fclose(f);
    assert_int_equal(n, expect_lines);
}

static void test_tlsh_scores(void **state)
{
    (void)state;
    check_scores("example_data.128.1.len.scores_EXP", 1, 80);
    check_scores("example_data.128.1.xlen.scores_EXP", 0, 80);
    check_scores("example_data.128.1.len.xref.scores_EXP", 1, 3160);
}

static void test_tlsh_parse_errors(void **state)
{
    (void)state;
    struct ws_tlsh_digest d;
    const char *good = "T11FA1B357F78913B236924271569EA6D1FB2C451C33668484552C812D33138B8C73FFCE";
    assert_int_equal(ws_tlsh_parse(good, strlen(good), &d), WS_OK);
    assert_int_equal(ws_tlsh_parse(good, strlen(good) - 1, &d), WS_E_SYNTAX);
    assert_int_equal(ws_tlsh_parse(good + 2, strlen(good) - 2, &d), WS_OK);
    char bad[80];
    snprintf(bad, sizeof bad, "%s", good);
    bad[10] = 'G';
    assert_int_equal(ws_tlsh_parse(bad, strlen(bad), &d), WS_E_SYNTAX);
    assert_int_equal(ws_tlsh_parse("", 0, &d), WS_E_SYNTAX);
    /* too short input: no digest */
    assert_int_equal(ws_tlsh_buf("0123456789", 10, &d), WS_E_UNSUPPORTED);
    /* uniform input: no digest */
    static unsigned char zeros[4096];
    assert_int_equal(ws_tlsh_buf(zeros, sizeof zeros, &d), WS_E_UNSUPPORTED);
}

/* Streaming in odd-sized pieces gives the one-shot digest. */
static void test_tlsh_streaming(void **state)
{
    (void)state;
    struct ws_tlsh_digest d1, d2;
    char path[8192];
    snprintf(path, sizeof path, "%s/example_data/0Alice.txt", tdir);
    size_t n;
    unsigned char *b = slurp(path, &n);
    assert_non_null(b);
    assert_int_equal(ws_tlsh_buf(b, n, &d1), WS_OK);
    struct ws_tlsh t;
    ws_tlsh_init(&t);
    size_t off = 0, step = 1;
    while (off < n) {
        size_t k = step < n - off ? step : n - off;
        ws_tlsh_update(&t, b + off, k);
        off += k;
        step = step * 3 + 1;
    }
    assert_int_equal(ws_tlsh_final(&t, &d2), WS_OK);
    assert_memory_equal(&d1, &d2, sizeof d1);
    free(b);
}

/* ssdeep through libfuzzy against ffuzzy's expected digests (flag 1 lines
 * without flag 4, the plain ssdeep output). */
static void test_ssdeep_vectors(void **state)
{
    (void)state;
    char path[8192];
    snprintf(path, sizeof path, "%s/fuzzy/ssdeep-ffuzzy/data/testsuite/generate-small.ssdeep.txt",
             corpus);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192], rel[4096], exp[4096];
    unsigned flags;
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%4095s %x %4095s", rel, &flags, exp) != 3)
            continue;
        if (!(flags & 1) || (flags & 4))
            continue;
        char fp[8192];
        snprintf(fp, sizeof fp, "%s/fuzzy/ssdeep-ffuzzy/%s", corpus, rel);
        size_t len;
        unsigned char *b = slurp(fp, &len);
        assert_non_null(b);
        char got[WS_SSDEEP_MAX + 1];
        ws_status st = ws_ssdeep_buf(b, len, got);
        free(b);
        if (st == WS_E_UNSUPPORTED)
            skip();
        assert_int_equal(st, WS_OK);
        if (strcmp(got, exp) != 0)
            fail_msg("%s: got %s want %s", rel, got, exp);
        n++;
    }
    fclose(f);
    assert_true(n >= 236);
    /* compare: identical digests score 100, unrelated 0 */
    int score = -1;
    assert_int_equal(ws_ssdeep_compare("3:aaX8n:aF", "3:aaX8n:aF", &score), WS_OK);
    assert_int_equal(score, 100);
    assert_int_equal(ws_ssdeep_compare("3:aaX8n:aF", "not a digest", &score), WS_E_SYNTAX);
}

int main(void)
{
    corpus = getenv("WS_CORPUS");
    if (!corpus) {
        printf("skip: WS_CORPUS not set\n");
        return 77;
    }
    snprintf(tdir, sizeof tdir, "%s/fuzzy/tlsh-trendmicro/Testing", corpus);
    FILE *f = fopen(tdir, "r");
    if (!f) {
        printf("skip: %s absent\n", tdir);
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlsh_digests),      cmocka_unit_test(test_tlsh_scores),
        cmocka_unit_test(test_tlsh_parse_errors), cmocka_unit_test(test_tlsh_streaming),
        cmocka_unit_test(test_ssdeep_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
