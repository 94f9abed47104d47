/*
 * test-variant-db.c - digest-line parsing (malformed lines, their line
 * numbers and messages), the database and the matcher's findings.
 *
 * Uses libwine DLLs as references when present (else a generated file), so
 * this test never skips: the parser tests need no corpus.
 */
#define _GNU_SOURCE 1
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <pthread.h>

#include "wormsign/variant.h"

#define MIB (1024u * 1024u)

struct errs {
    int n;
    uint64_t line[32];
    ws_status st[32];
    char msg[32][256];
};

static void on_err(void *user, uint64_t line, ws_status st, const char *msg)
{
    struct errs *e = user;
    if (e->n < 32) {
        e->line[e->n] = line;
        e->st[e->n] = st;
        snprintf(e->msg[e->n], sizeof e->msg[0], "%s", msg);
    }
    e->n++;
}

struct got {
    int n;
    char method[8][16];
    int64_t off[8], len[8], value[8];
    char rule_id[8][128];
    uint64_t ioc_line[8];
};

static int on_finding(void *user, const struct ws_finding *f)
{
    struct got *g = user;
    assert_string_equal(f->ruleset, "variant");
    assert_int_equal(f->kind, WS_FINDING_ALERT);
    if (g->n < 8) {
        int i = g->n;
        snprintf(g->rule_id[i], sizeof g->rule_id[0], "%s", f->rule_id);
        g->ioc_line[i] = f->ioc_line;
        g->off[i] = g->len[i] = g->value[i] = -1;
        for (size_t k = 0; k < f->n_evidence; k++) {
            const struct ws_kv *kv = &f->evidence[k];
            if (strcmp(kv->key, "method") == 0)
                snprintf(g->method[i], sizeof g->method[0], "%.*s", (int)kv->len, kv->val);
            else if (strcmp(kv->key, "insertion_offset") == 0)
                g->off[i] = kv->num;
            else if (strcmp(kv->key, "insertion_length") == 0)
                g->len[i] = kv->num;
            else if (strcmp(kv->key, "score") == 0 || strcmp(kv->key, "distance") == 0)
                g->value[i] = kv->num;
        }
    }
    g->n++;
    return 0;
}

static unsigned char *ref_data;
static size_t ref_len;
static char *ref_line;
static size_t ref_line_len;

static unsigned char *load_ref(size_t *len)
{
    FILE *f = fopen("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/acledit.dll", "rb");
    unsigned char *b;
    if (f) {
        b = malloc(4 * MIB);
        *len = fread(b, 1, 4 * MIB, f);
        fclose(f);
        return b;
    }
    /* no libwine: a generated, varied file */
    *len = 200000;
    b = malloc(*len);
    uint32_t x = 12345;
    for (size_t i = 0; i < *len; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (unsigned char)((x >> 16) % ((i / 1000) % 200 + 20));
    }
    return b;
}

static void test_header(void **state)
{
    (void)state;
    assert_true(ws_variant_is_digest_file("# wormsign-digest v1\n", 21));
    assert_true(ws_variant_is_digest_file("# wormsign-digest v1\r\nx", 23));
    assert_true(ws_variant_is_digest_file("\xEF\xBB\xBF# wormsign-digest v1\n", 24));
    assert_false(ws_variant_is_digest_file("# wormsign-digest v10\n", 22));
    assert_false(ws_variant_is_digest_file("# wormsign-digest", 17));
    assert_false(ws_variant_is_digest_file("rule x { condition: true }", 26));
    assert_false(ws_variant_is_digest_file("", 0));
}

static void test_malformed_lines(void **state)
{
    (void)state;
    char buf[16384];
    const char *l = ref_line;
    /* a good line, then one bad field per line */
    char bad_md5[4096], bad_size[4096], bad_ins[4096], short_ins[4096];
    snprintf(bad_md5, sizeof bad_md5, "%s", l);
    bad_md5[strchr(bad_md5, '\t') - bad_md5 + 3] = 'x';
    snprintf(bad_size, sizeof bad_size, "12%s", l); /* size no longer equals the W1 length */
    snprintf(bad_ins, sizeof bad_ins, "%s", l);
    char *w = strstr(bad_ins, "W1:");
    w[5] = '#';
    snprintf(short_ins, sizeof short_ins, "%s", l);
    w = strstr(short_ins, "W1:");
    memmove(w + 3, w + 7, strlen(w + 7) + 1); /* 4 base64 chars fewer */
    int n = snprintf(buf, sizeof buf,
                     "# wormsign-digest v1\n"
                     "%s\n"              /* 2: ok */
                     "\n"                /* 3: blank */
                     "%s\n"              /* 4: bad md5 */
                     "1 2 3\n"           /* 5: too few fields */
                     "%s\n"              /* 6: size mismatch */
                     "%s\n"              /* 7: bad base64 */
                     "%s\n"              /* 8: short digest */
                     "%s extra\n"        /* 9: 9 fields */
                     "x y z a b c d e\n" /* 10: size not a number */
                     "5 d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                     "3:abc:def - - na%%2\n" /* 11: bad %XX */
                     "5 d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                     "7:abc:def - - x\n" /* 12: ssdeep block size not 3*2^n */
                     "5 d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                     "3:abc:def T1ABC - x\n" /* 13: short TLSH */
                     "5 d41d8cd98f00b204e9800998ecf8427e da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 "
                     "3:abc:def - - my%%20ref\r\n" /* 14: ok, CRLF, %20 */
                     "%s",                         /* 15: ok, no final newline */
                     l, bad_md5, bad_size, bad_ins, short_ins, l, l);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    ws_variant_db *db;
    assert_int_equal(ws_variant_db_new(&db), WS_OK);
    struct errs e = {0};
    assert_int_equal(ws_variant_db_parse(db, buf, (size_t)n, "test.digest", on_err, &e), WS_OK);
    assert_int_equal(ws_variant_db_count(db), 3);
    static const uint64_t want_lines[] = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    assert_int_equal(e.n, 10);
    for (int i = 0; i < 10; i++) {
        printf("  line %llu: %s (%s)\n", (unsigned long long)e.line[i], e.msg[i],
               ws_status_str(e.st[i]));
        assert_int_equal(e.line[i], want_lines[i]);
        assert_true(strlen(e.msg[i]) > 10);
    }
    assert_non_null(strstr(e.msg[0], "md5"));
    assert_non_null(strstr(e.msg[2], "insertion"));
    assert_int_equal(e.st[2], WS_E_CORRUPT);
    assert_non_null(strstr(e.msg[3], "insertion"));
    assert_non_null(strstr(e.msg[6], "size"));
    assert_non_null(strstr(e.msg[7], "name"));
    assert_non_null(strstr(e.msg[8], "ssdeep"));
    assert_non_null(strstr(e.msg[9], "tlsh"));
    /* the line cap: 65536 bytes is parsed (and fails on its fields), 65537 is too long */
    for (size_t len = 65535; len <= 65537; len++) {
        char *lc = malloc(len);
        memset(lc, 'a', len);
        e.n = 0;
        assert_int_equal(ws_variant_db_parse(db, lc, len, "cap", on_err, &e), WS_OK);
        assert_int_equal(e.n, 1);
        assert_int_equal(e.st[0], len > 65536 ? WS_E_TOO_LARGE : WS_E_SYNTAX);
        free(lc);
    }
    /* a too long line */
    size_t big = 70000;
    char *lb = malloc(big);
    memset(lb, 'a', big);
    e.n = 0;
    assert_int_equal(ws_variant_db_parse(db, lb, big, "big", on_err, &e), WS_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.st[0], WS_E_TOO_LARGE);
    free(lb);
    assert_int_equal(ws_variant_db_finish(db), WS_OK);
    /* parse after finish is refused */
    assert_int_equal(ws_variant_db_parse(db, "", 0, "x", NULL, NULL), WS_E_INVALID);
    ws_variant_db_free(db);
}

static void test_match_findings(void **state)
{
    (void)state;
    ws_variant_db *db;
    assert_int_equal(ws_variant_db_new(&db), WS_OK);
    char buf[8192];
    int n = snprintf(buf, sizeof buf, "%s\n%s\n", WS_VARIANT_HEADER, ref_line);
    assert_int_equal(ws_variant_db_parse(db, buf, (size_t)n, "p.digest", NULL, NULL), WS_OK);
    assert_int_equal(ws_variant_db_finish(db), WS_OK);
    ws_variant_matcher *m;
    struct ws_variant_opts o;
    ws_variant_opts_init(&o);
    o.methods = WS_VARIANT_INSERTION;
    assert_int_equal(ws_variant_matcher_new(db, &o, &m), WS_OK);

    /* a variant: 3000 random letters at ref_len / 2 */
    size_t k = 3000, off = ref_len / 2, vn = ref_len + k;
    unsigned char *v = malloc(vn);
    memcpy(v, ref_data, off);
    for (size_t i = 0; i < k; i++)
        v[off + i] = (unsigned char)('a' + (i * 7919) % 26);
    memcpy(v + off + k, ref_data + off, ref_len - off);
    struct got g = {0};
    assert_int_equal(ws_variant_match(m, v, vn, NULL, on_finding, &g), WS_OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.method[0], "insertion");
    /* the oracle offset: the first inserted byte may equal the byte it pushed */
    size_t want = off;
    while (want > 0 && v[want - 1] == v[want - 1 + k])
        want--;
    assert_int_equal(g.off[0], (int64_t)want);
    assert_int_equal(g.len[0], (int64_t)k);
    assert_int_equal(g.ioc_line[0], 2);
    assert_non_null(strstr(g.rule_id[0], "variant.insertion."));
    /* the reference itself: not reported unless asked */
    memset(&g, 0, sizeof g);
    assert_int_equal(ws_variant_match(m, ref_data, ref_len, NULL, on_finding, &g), WS_OK);
    assert_int_equal(g.n, 0);
    /* a second edit: no insertion finding */
    v[vn - 10] ^= 1;
    memset(&g, 0, sizeof g);
    assert_int_equal(ws_variant_match(m, v, vn, NULL, on_finding, &g), WS_OK);
    assert_int_equal(g.n, 0);
    v[vn - 10] ^= 1;
    ws_variant_matcher_free(m);
    ws_variant_matcher *m2;
    assert_int_equal(ws_variant_matcher_new(db, &o, &m2), WS_OK);

    /* a PE whose CheckSum was rewritten after the insertion: "insertion-body" */
    if (ref_data[0] == 'M' && ref_data[1] == 'Z') {
        uint32_t lfanew = (uint32_t)ref_data[0x3C] | (uint32_t)ref_data[0x3D] << 8;
        v[lfanew + 24 + 64] ^= 0x11;
        memset(&g, 0, sizeof g);
        assert_int_equal(ws_variant_match(m2, v, vn, NULL, on_finding, &g), WS_OK);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.method[0], "insertion-body");
        assert_int_equal(g.off[0], (int64_t)want);
        assert_int_equal(g.len[0], (int64_t)k);
        v[lfanew + 24 + 64] ^= 0x11;
        /* unmodified headers: one finding only, the whole-file one */
        memset(&g, 0, sizeof g);
        assert_int_equal(ws_variant_match(m2, v, vn, NULL, on_finding, &g), WS_OK);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.method[0], "insertion");
    }
    ws_variant_matcher_free(m2);

    /* fuzzy methods with permissive thresholds find the variant too */
    o.methods = WS_VARIANT_SSDEEP | WS_VARIANT_TLSH;
    o.ssdeep_min_score = 1;
    o.tlsh_max_distance = 300;
    assert_int_equal(ws_variant_matcher_new(db, &o, &m), WS_OK);
    memset(&g, 0, sizeof g);
    assert_int_equal(ws_variant_match(m, v, vn, NULL, on_finding, &g), WS_OK);
    int have_tlsh = 0;
    for (int i = 0; i < g.n && i < 8; i++)
        if (strcmp(g.method[i], "tlsh") == 0)
            have_tlsh = 1;
    assert_true(have_tlsh);
    /* emit asking to stop gives WS_E_CANCELLED */
    ws_variant_matcher_free(m);
    free(v);
    ws_variant_db_free(db);
}

/* One database, several threads each with its own matcher. */
struct worker {
    const ws_variant_db *db;
    const unsigned char *v;
    size_t n;
    int found;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    ws_variant_matcher *m;
    struct ws_variant_opts o;
    ws_variant_opts_init(&o);
    o.methods = WS_VARIANT_INSERTION;
    if (ws_variant_matcher_new(w->db, &o, &m) != WS_OK)
        return NULL;
    for (int i = 0; i < 20; i++) {
        struct got g = {0};
        if (ws_variant_match(m, w->v, w->n, NULL, on_finding, &g) == WS_OK && g.n == 1)
            w->found++;
    }
    ws_variant_matcher_free(m);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ws_variant_db *db;
    assert_int_equal(ws_variant_db_new(&db), WS_OK);
    assert_int_equal(ws_variant_db_parse(db, ref_line, ref_line_len, "t", NULL, NULL), WS_OK);
    assert_int_equal(ws_variant_db_finish(db), WS_OK);
    size_t k = 100, off = ref_len / 3, vn = ref_len + k;
    unsigned char *v = malloc(vn);
    memcpy(v, ref_data, off);
    memset(v + off, 'q', k);
    memcpy(v + off + k, ref_data + off, ref_len - off);
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){db, v, vn, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].found, 20);
    }
    free(v);
    ws_variant_db_free(db);
}

int main(void)
{
    ref_data = load_ref(&ref_len);
    if (ws_variant_digest_line(ref_data, ref_len, "ref one", 7, &ref_line, &ref_line_len) != WS_OK)
        return 1;
    assert_non_null(strstr(ref_line, "ref%20one"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_match_findings),
        cmocka_unit_test(test_threads),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ws_variant_line_free(ref_line);
    free(ref_data);
    return rc;
}
