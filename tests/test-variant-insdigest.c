/*
 * test-variant-insdigest.c - the insertion-tolerant digest on real PE files.
 *
 * References: Debian libwine's Windows DLLs (/usr/lib/x86_64-linux-gnu/wine/
 * x86_64-windows, or $WS_WINE_DIR); skips (77) if absent. Variants get one
 * random run of 1 byte .. 1 MiB inserted at a random offset (plus edge
 * offsets 0, L and checkpoint boundaries). The oracle is independent of the
 * digest: the expected offset is L - lcs, computed by comparing bytes.
 * Negatives: every variant against every other reference, the references
 * against the other DLLs and /usr/lib files, and near misses (a second edit,
 * a deletion, an oversized insertion). Bounded to ~20 s.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "variant/insdigest.h"

#define MIB (1024u * 1024u)
#define NREF 24  /* references drawn from libwine */
#define NVAR 12  /* random variants per reference */
#define NNEG 400 /* other files checked against every reference */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct file {
    char *path;
    unsigned char *data;
    size_t len;
};

static struct file refs[NREF];
static int nrefs;
static struct ws_insdigest digs[NREF];
static struct ws_insdigest bodies[NREF];
static int has_body[NREF];
static char **others;
static int nothers;

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > 64 * (long)MIB) {
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n ? n : 1);
    if (b && fread(b, 1, n, f) != n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = n;
    return b;
}

static void add_dir(const char *dir, char ***list, int *n, int cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && *n < cap) {
        if (e->d_name[0] == '.')
            continue;
        size_t pl = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(pl);
        snprintf(p, pl, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < 64) {
            free(p);
            continue;
        }
        *list = realloc(*list, sizeof(char *) * (size_t)(*n + 1));
        (*list)[(*n)++] = p;
    }
    closedir(d);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* expected smallest valid offset, by direct comparison; -1 if not a variant */
static long long oracle(const unsigned char *r, size_t L, const unsigned char *c, size_t N)
{
    if (N <= L)
        return -1;
    size_t lcp = 0, lcs = 0;
    while (lcp < L && r[lcp] == c[lcp])
        lcp++;
    while (lcs < L && r[L - 1 - lcs] == c[N - 1 - lcs])
        lcs++;
    if (lcp + lcs < L)
        return -1;
    return (long long)(L - lcs);
}

static unsigned char *make_variant(const struct file *f, size_t off, size_t k, size_t *outlen)
{
    unsigned char *v = malloc(f->len + k);
    memcpy(v, f->data, off);
    for (size_t i = 0; i < k; i++)
        v[off + i] = (unsigned char)rnd();
    if (k >= 8 && rnd() % 2) /* printable random string, as a dropper would write */
        for (size_t i = 0; i < k; i++)
            v[off + i] = (unsigned char)('a' + rnd() % 26);
    memcpy(v + off + k, f->data + off, f->len - off);
    *outlen = f->len + k;
    return v;
}

static void check_variant(int ri, const unsigned char *v, size_t n)
{
    long long want = oracle(refs[ri].data, refs[ri].len, v, n);
    assert_true(want >= 0);
    struct ws_insd_match m;
    ws_status st = ws_insdigest_match(&digs[ri], v, n, MIB, 0, NULL, &m);
    if (st != WS_OK)
        fail_msg("%s: variant len %zu not found (st %d)", refs[ri].path, n - refs[ri].len, st);
    assert_int_equal(m.offset, (uint64_t)want);
    assert_int_equal(m.length, n - refs[ri].len);
    /* and it matches no other reference */
    struct ws_insd_keys keys;
    ws_insd_keys_compute(v, n, &keys);
    for (int j = 0; j < nrefs; j++) {
        if (j == ri)
            continue;
        long long o2 = oracle(refs[j].data, refs[j].len, v, n);
        st = ws_insdigest_match(&digs[j], v, n, MIB, 0, &keys, &m);
        assert_int_equal(st == WS_OK, o2 >= 0 && (uint64_t)(n - refs[j].len) <= MIB);
    }
}

static void test_roundtrip(void **state)
{
    (void)state;
    for (int i = 0; i < nrefs; i++) {
        char s[WS_INSD_STR_MAX + 1];
        size_t n = ws_insdigest_format(&digs[i], s);
        assert_true(n < 300); /* a few hundred bytes */
        struct ws_insdigest d;
        assert_int_equal(ws_insdigest_parse(s, n, &d), WS_OK);
        assert_memory_equal(&d, &digs[i], sizeof d);
        /* every libwine DLL is a PE: its body digest round-trips too */
        assert_true(has_body[i]);
        n = ws_insdigest_format(&bodies[i], s);
        assert_int_equal(ws_insdigest_parse(s, n, &d), WS_OK);
        assert_memory_equal(&d, &bodies[i], sizeof d);
        assert_int_equal(d.skip + d.len, refs[i].len);
    }
}

static void test_variants_found(void **state)
{
    (void)state;
    static const size_t fixed[] = {1, 2, 3, 7, 64, 4096, 8192, 65536, MIB - 1, MIB};
    int found = 0;
    for (int i = 0; i < nrefs; i++) {
        const struct file *f = &refs[i];
        for (int t = 0; t < NVAR; t++) {
            size_t k;
            if (t < (int)(sizeof fixed / sizeof fixed[0]) && (t + i) % 3 == 0)
                k = fixed[t];
            else if (rnd() % 2)
                k = 1 + rnd() % 64;
            else
                k = 1 + rnd() % MIB;
            size_t off;
            switch (t % 5) {
            case 0:
                off = 0;
                break;
            case 1:
                off = f->len;
                break;
            case 2:
                off = (size_t)((rnd() % 16) * f->len / 16);
                break; /* checkpoints */
            default:
                off = rnd() % (f->len + 1);
                break;
            }
            size_t n;
            unsigned char *v = make_variant(f, off, k, &n);
            check_variant(i, v, n);
            free(v);
            found++;
        }
    }
    printf("variants found: %d of %d\n", found, nrefs * NVAR);
}

static void test_near_misses(void **state)
{
    (void)state;
    for (int i = 0; i < nrefs; i++) {
        const struct file *f = &refs[i];
        struct ws_insd_match m;
        size_t n, off = f->len / 3, k = 100;
        unsigned char *v = make_variant(f, off, k, &n);
        /* a second edit, outside the run */
        size_t pos = (off + k + 1 + rnd() % (n - off - k - 1));
        v[pos] ^= 0x01;
        assert_int_equal(oracle(f->data, f->len, v, n), -1);
        assert_int_equal(ws_insdigest_match(&digs[i], v, n, MIB, 0, NULL, &m), WS_E_NOT_FOUND);
        v[pos] ^= 0x01;
        /* edits inside the run do not matter */
        v[off + k / 2] ^= 0xFF;
        assert_int_equal(ws_insdigest_match(&digs[i], v, n, MIB, 0, NULL, &m), WS_OK);
        /* one byte before the run changed */
        if (off > 0) {
            v[off - 1] ^= 0x80;
            if (oracle(f->data, f->len, v, n) < 0)
                assert_int_equal(ws_insdigest_match(&digs[i], v, n, MIB, 0, NULL, &m),
                                 WS_E_NOT_FOUND);
            v[off - 1] ^= 0x80;
        }
        free(v);
        /* ambiguous offset: the run duplicates the bytes after it (valid
         * offsets form a range; the smallest is reported) */
        v = make_variant(f, off, k, &n);
        memcpy(v + off, f->data + off, k < f->len - off ? k : f->len - off);
        check_variant(i, v, n);
        free(v);
        /* the PE CheckSum (optional header + 64) rewritten after the insertion:
         * the whole-file digest no longer matches, the body digest does */
        {
            const unsigned char *pe = f->data;
            uint32_t lfanew = (uint32_t)pe[0x3C] | (uint32_t)pe[0x3D] << 8 |
                              (uint32_t)pe[0x3E] << 16 | (uint32_t)pe[0x3F] << 24;
            size_t ck = lfanew + 24 + 64;
            size_t boff = bodies[i].skip + (f->len - bodies[i].skip) / 2;
            v = make_variant(f, boff, 777, &n);
            v[ck] ^= 0x5A;
            v[ck + 1] ^= 0xA5;
            assert_int_equal(oracle(f->data, f->len, v, n), -1);
            assert_int_equal(ws_insdigest_match(&digs[i], v, n, MIB, 0, NULL, &m), WS_E_NOT_FOUND);
            uint32_t sk = bodies[i].skip;
            assert_int_equal(ws_insdigest_match(&bodies[i], v + sk, n - sk, MIB, 0, NULL, &m),
                             WS_OK);
            assert_int_equal((long long)m.offset,
                             oracle(f->data + sk, f->len - sk, v + sk, n - sk));
            assert_int_equal(m.length, 777);
            /* plus a change in the body: nothing */
            v[n - 1] ^= 1;
            assert_int_equal(ws_insdigest_match(&bodies[i], v + sk, n - sk, MIB, 0, NULL, &m),
                             WS_E_NOT_FOUND);
            free(v);
        }
        /* oversized insertion: not a variant under the 1 MiB cap */
        v = make_variant(f, off, MIB + 1, &n);
        assert_int_equal(ws_insdigest_match(&digs[i], v, n, MIB, 0, NULL, &m), WS_E_NOT_FOUND);
        assert_int_equal(ws_insdigest_match(&digs[i], v, n, 2 * MIB, 0, NULL, &m), WS_OK);
        free(v);
        /* deletion and truncation */
        assert_int_equal(ws_insdigest_match(&digs[i], f->data, f->len - 1, MIB, 0, NULL, &m),
                         WS_E_NOT_FOUND);
        /* identical file only when asked */
        assert_int_equal(ws_insdigest_match(&digs[i], f->data, f->len, MIB, 0, NULL, &m),
                         WS_E_NOT_FOUND);
        assert_int_equal(ws_insdigest_match(&digs[i], f->data, f->len, MIB, 1, NULL, &m), WS_OK);
        assert_int_equal(m.length, 0);
    }
}

/* The references match nothing among other DLLs and /usr/lib files. */
static void test_no_false_positives(void **state)
{
    (void)state;
    int checked = 0, pairs = 0;
    time_t t0 = time(NULL);
    for (int j = 0; j < nothers && time(NULL) - t0 < 20; j++) {
        size_t n;
        unsigned char *b = slurp(others[j], &n);
        if (!b)
            continue;
        struct ws_insd_keys keys;
        ws_insd_keys_compute(b, n, &keys);
        for (int i = 0; i < nrefs; i++) {
            if (strcmp(others[j], refs[i].path) == 0)
                continue;
            struct ws_insd_match m;
            ws_status st = ws_insdigest_match(&digs[i], b, n, MIB, 1, &keys, &m);
            long long o = oracle(refs[i].data, refs[i].len, b, n);
            if (n == refs[i].len && memcmp(b, refs[i].data, n) == 0)
                o = 0;
            if ((st == WS_OK) != (o >= 0 && n - refs[i].len <= MIB))
                fail_msg("%s vs %s: st %d oracle %lld", others[j], refs[i].path, st, o);
            pairs++;
            /* body digests: match iff the bodies are in the variant relation */
            if (has_body[i] && n > bodies[i].skip) {
                uint32_t sk = bodies[i].skip;
                st = ws_insdigest_match(&bodies[i], b + sk, n - sk, MIB, 1, NULL, &m);
                o = oracle(refs[i].data + sk, refs[i].len - sk, b + sk, n - sk);
                if (n == refs[i].len && memcmp(b + sk, refs[i].data + sk, n - sk) == 0)
                    o = 0;
                if ((st == WS_OK) != (o >= 0 && n - refs[i].len <= MIB))
                    fail_msg("body: %s vs %s: st %d oracle %lld", others[j], refs[i].path, st, o);
            }
        }
        free(b);
        checked++;
    }
    printf("negatives: %d files x %d refs (%d pairs)\n", checked, nrefs, pairs);
    assert_true(checked > 50);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct ws_insdigest d;
    char s[WS_INSD_STR_MAX + 1];
    size_t n = ws_insdigest_format(&digs[0], s);
    assert_int_equal(ws_insdigest_parse(s, n, &d), WS_OK);
    assert_int_equal(ws_insdigest_parse(s, n - 4, &d), WS_E_CORRUPT);
    assert_int_equal(ws_insdigest_parse(s, n - 1, &d), WS_E_SYNTAX);
    assert_int_equal(ws_insdigest_parse("W1:", 3, &d), WS_E_TRUNCATED);
    assert_int_equal(ws_insdigest_parse("W2:AAAA", 7, &d), WS_E_SYNTAX);
    assert_int_equal(ws_insdigest_parse("", 0, &d), WS_E_SYNTAX);
    char t[WS_INSD_STR_MAX + 1];
    memcpy(t, s, n);
    t[10] = '*';
    assert_int_equal(ws_insdigest_parse(t, n, &d), WS_E_SYNTAX);
    /* version byte 2: "W1:Ag..." */
    memcpy(t, s, n);
    t[3] = 'A';
    t[4] = 'g';
    assert_int_equal(ws_insdigest_parse(t, n, &d), WS_E_CORRUPT);
    /* too small to digest: the minimum is 64 bytes */
    assert_int_equal(ws_insdigest_compute("short", 5, &d), WS_E_UNSUPPORTED);
    assert_int_equal(ws_insdigest_compute(refs[0].data, 0, &d), WS_E_UNSUPPORTED);
    assert_int_equal(ws_insdigest_compute(refs[0].data, 63, &d), WS_E_UNSUPPORTED);
    assert_int_equal(ws_insdigest_compute(refs[0].data, 64, &d), WS_OK);
    assert_int_equal(d.hlog, 5);
    assert_int_equal(ws_insdigest_compute(refs[0].data, 65, &d), WS_OK);
    /* the smallest reference still finds its variants */
    unsigned char v[64 + 10];
    memcpy(v, refs[0].data, 20);
    memset(v + 20, 'Z', 10);
    memcpy(v + 30, refs[0].data + 20, 44);
    assert_int_equal(ws_insdigest_compute(refs[0].data, 64, &d), WS_OK);
    struct ws_insd_match m;
    assert_int_equal(ws_insdigest_match(&d, v, sizeof v, MIB, 0, NULL, &m), WS_OK);
    assert_int_equal(m.length, 10);
    assert_int_equal((long long)m.offset, oracle(refs[0].data, 64, v, sizeof v));
    /* insertion length cap: max_insert and max_insert + 1 */
    assert_int_equal(ws_insdigest_match(&d, v, sizeof v, 10, 0, NULL, &m), WS_OK);
    assert_int_equal(ws_insdigest_match(&d, v, sizeof v, 9, 0, NULL, &m), WS_E_NOT_FOUND);
}

int main(void)
{
    const char *dir = getenv("WS_WINE_DIR");
    if (!dir)
        dir = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";
    char **dlls = NULL;
    int ndll = 0;
    add_dir(dir, &dlls, &ndll, 100000);
    if (ndll < NREF + 10) {
        printf("skip: no libwine DLLs in %s (apt-get install libwine)\n", dir);
        return 77;
    }
    qsort(dlls, (size_t)ndll, sizeof *dlls, cmpstr);
    const char *seed = getenv("WS_SEED");
    if (seed)
        rng = strtoull(seed, NULL, 0) | 1;
    printf("seed 0x%llx\n", (unsigned long long)rng);
    /* references: spread over the sorted list, sizes <= 4 MiB */
    for (int i = 0; i < ndll && nrefs < NREF; i += ndll / NREF) {
        size_t n;
        unsigned char *b = slurp(dlls[i], &n);
        if (!b || n > 4 * MIB) {
            free(b);
            continue;
        }
        refs[nrefs].path = dlls[i];
        refs[nrefs].data = b;
        refs[nrefs].len = n;
        if (ws_insdigest_compute(b, n, &digs[nrefs]) != WS_OK)
            return 1;
        has_body[nrefs] = ws_insdigest_compute_body(b, n, &bodies[nrefs]) == WS_OK;
        nrefs++;
    }
    /* negatives: the other DLLs, then /usr/lib files */
    for (int i = 0; i < ndll; i++)
        if (nothers < NNEG / 2) {
            others = realloc(others, sizeof(char *) * (size_t)(nothers + 1));
            others[nothers++] = strdup(dlls[(i * 7) % ndll]);
        }
    add_dir("/usr/lib/x86_64-linux-gnu", &others, &nothers, NNEG);
    add_dir("/usr/lib", &others, &nothers, NNEG + 100);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),          cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_variants_found),     cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_no_false_positives),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (int i = 0; i < nrefs; i++)
        free(refs[i].data);
    for (int i = 0; i < ndll; i++)
        free(dlls[i]);
    for (int i = 0; i < nothers; i++)
        free(others[i]);
    free(dlls);
    free(others);
    return rc;
}
