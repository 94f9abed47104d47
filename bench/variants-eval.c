/*
 * variants-eval.c - the measurement behind bench/variants (see that script).
 *
 * 1. References: every step-th DLL of a libwine directory (digest lines made
 *    by ws_variant_digest_line, parsed into a ws_variant_db like a pack).
 * 2. Variants: per insertion length, V copies of a random reference with a
 *    random lowercase string inserted at a random offset in [0.4L, 0.6L]
 *    (the Kwampirs dropper inserts into the middle). Recall of the
 *    insertion digest, ssdeep (score >= 1, >= default) and TLSH (distance
 *    <= 100, <= default) against the variant's own reference.
 * 3. False positives: the other DLLs and up to --neg files of /usr/lib,
 *    each compared with EVERY reference (all pairs, for measurement):
 *    files with any ssdeep score >= t, TLSH distance <= t, insertion match.
 *    Also the score/distance distribution of the best unrelated pair.
 * 4. Throughput: our TLSH, the whole digest line (MD5, SHA-1, SHA-256,
 *    ssdeep, TLSH, W1), W1 alone, and the matcher per file with the full
 *    reference database vs an empty one.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <fuzzy.h>

#include "variant/insdigest.h"
#include "variant/ssdeep.h"
#include "variant/tlsh.h"
#include "wormsign/variant.h"

#define MIB (1024u * 1024u)

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct file {
    char *path;
    unsigned char *data;
    size_t len;
    char ss[WS_SSDEEP_MAX + 1];
    char sha256[65];
    int has_tl;
    struct ws_tlsh_digest tl;
    struct ws_insdigest ins;
    int has_ins;
};

static unsigned char *slurp(const char *path, size_t *len, size_t max)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > max || sb.st_size < 64)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = (size_t)sb.st_size;
    unsigned char *b = malloc(n);
    if (b && fread(b, 1, n, f) != n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = n;
    return b;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *dir, int *n)
{
    char **v = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *p;
        if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
            exit(1);
        v = realloc(v, sizeof *v * (size_t)(*n + 1));
        v[(*n)++] = p;
    }
    closedir(d);
    qsort(v, (size_t)*n, sizeof *v, cmpstr);
    return v;
}

static void hashes(struct file *f)
{
    if (ws_ssdeep_buf(f->data, f->len, f->ss) != WS_OK)
        f->ss[0] = '\0';
    f->has_tl = ws_tlsh_buf(f->data, f->len, &f->tl) == WS_OK;
}

static int ss_score(const char *a, const char *b)
{
    if (!a[0] || !b[0])
        return 0;
    int r = fuzzy_compare(a, b);
    return r < 0 ? 0 : r;
}

static int on_finding(void *user, const struct ws_finding *f)
{
    (void)f;
    ++*(long *)user;
    return 0;
}

/* findings for the variant's own reference vs for any other one */
struct tally {
    const char *want_sha256;
    long right, wrong;
};

static int on_tally(void *user, const struct ws_finding *f)
{
    struct tally *t = user;
    if (strstr(f->rule_id, t->want_sha256))
        t->right++;
    else
        t->wrong++;
    return 0;
}

static void sha256_hex(const unsigned char *p, size_t n, char *out)
{
    char line_name[] = "x";
    char *line;
    size_t ll;
    if (ws_variant_digest_line(p, n, line_name, 1, &line, &ll) != WS_OK)
        exit(1);
    /* field 4 */
    const char *q = line;
    for (int i = 0; i < 3; i++)
        q = strchr(q, '\t') + 1;
    memcpy(out, q, 64);
    out[64] = '\0';
    ws_variant_line_free(line);
}

int main(int argc, char **argv)
{
    const char *wine = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";
    int step = 4, per_len = 40, nneg_max = 2000, ss_def = WS_VARIANT_DEFAULT_SSDEEP,
        tl_def = WS_VARIANT_DEFAULT_TLSH, scale = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--wine"))
            wine = argv[i + 1];
        else if (!strcmp(argv[i], "--step"))
            step = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--per-len"))
            per_len = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--neg"))
            nneg_max = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--scale"))
            scale = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            rng = strtoull(argv[i + 1], NULL, 0) | 1;
    }
    int ndll;
    char **dll = list_dir(wine, &ndll);
    if (ndll < 10) {
        fprintf(stderr, "no libwine DLLs in %s\n", wine);
        return 77;
    }
    /* references and negative DLLs */
    struct file *refs = calloc((size_t)ndll, sizeof *refs), *negs = NULL;
    int nref = 0, nneg = 0;
    size_t ref_bytes = 0;
    char *pack = NULL;
    size_t pack_len = 0;
    FILE *pf = open_memstream(&pack, &pack_len);
    fprintf(pf, "%s\n", WS_VARIANT_HEADER);
    double t_line = 0;
    for (int i = 0; i < ndll; i++) {
        struct file f = {0};
        f.path = dll[i];
        f.data = slurp(dll[i], &f.len, 64 * MIB);
        if (!f.data)
            continue;
        if (i % step == 0) {
            double t0 = now();
            char *line;
            size_t ll;
            if (ws_variant_digest_line(f.data, f.len, f.path, strlen(f.path), &line, &ll) != WS_OK)
                return 1;
            t_line += now() - t0;
            fprintf(pf, "%s\n", line);
            ws_variant_line_free(line);
            hashes(&f);
            f.has_ins = ws_insdigest_compute(f.data, f.len, &f.ins) == WS_OK;
            sha256_hex(f.data, f.len, f.sha256);
            ref_bytes += f.len;
            refs[nref++] = f;
        } else {
            negs = realloc(negs, sizeof *negs * (size_t)(nneg + 1));
            negs[nneg++] = f;
        }
    }
    fclose(pf);
    /* /usr/lib files as more negatives (non-PE too) */
    const char *ndirs[] = {"/usr/lib/x86_64-linux-gnu", "/usr/bin",
                           "/usr/lib/x86_64-linux-gnu/wine/x86_64-unix"};
    for (size_t d = 0; d < sizeof ndirs / sizeof ndirs[0]; d++) {
        int n;
        char **v = list_dir(ndirs[d], &n);
        for (int i = 0; i < n && nneg < nneg_max; i++) {
            struct file f = {0};
            f.path = v[i];
            f.data = slurp(v[i], &f.len, 64 * MIB);
            if (!f.data)
                continue;
            negs = realloc(negs, sizeof *negs * (size_t)(nneg + 1));
            negs[nneg++] = f;
        }
    }
    ws_variant_db *db;
    struct ws_variant_opts o;
    ws_variant_opts_init(&o);
    if (ws_variant_db_new(&db) != WS_OK ||
        ws_variant_db_parse(db, pack, pack_len, "bench", NULL, NULL) != WS_OK ||
        ws_variant_db_finish(db) != WS_OK)
        return 1;
    printf("references: %d libwine DLLs (every %d-th, %.1f MiB); negatives: %d files\n\n", nref,
           step, ref_bytes / (double)MIB, nneg);

    /* ---- recall per insertion length ---- */
    static const size_t lens[] = {1, 64, 1024, 8192, 65536, 262144, MIB};
    printf("## Recall: one random string inserted at a random offset in [0.4L, 0.6L]\n\n");
    static const int rs_t[] = {1, 50, 80};
    static const int rt_t[] = {100, 30, 20};
    printf("| inserted | variants | insertion digest | ssdeep >= 1 | ssdeep >= 50 | ssdeep >= 80 "
           "| TLSH <= 100 | TLSH <= 30 | TLSH <= 20 | matcher (defaults: ssdeep >= %d, TLSH <= %d): "
           "own reference found | variants with a finding for another reference |\n",
           ss_def, tl_def);
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    ws_variant_matcher *mx;
    if (ws_variant_matcher_new(db, &o, &mx) != WS_OK)
        return 1;
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t k = lens[li];
        int n = 0, c_ins = 0, c_ss[3] = {0}, c_tl[3] = {0}, c_right = 0;
        long c_wrong = 0;
        for (int v = 0; v < per_len; v++) {
            struct file *r = &refs[rnd() % (uint64_t)nref];
            size_t off = r->len * 4 / 10 + rnd() % (r->len / 5 + 1);
            size_t vn = r->len + k;
            struct file vf = {0};
            vf.data = malloc(vn);
            vf.len = vn;
            memcpy(vf.data, r->data, off);
            for (size_t i = 0; i < k; i++)
                vf.data[off + i] = (unsigned char)('a' + rnd() % 26);
            memcpy(vf.data + off + k, r->data + off, r->len - off);
            hashes(&vf);
            struct ws_insd_match m;
            c_ins +=
                r->has_ins && ws_insdigest_match(&r->ins, vf.data, vn, MIB, 0, NULL, &m) == WS_OK;
            int sc = ss_score(r->ss, vf.ss);
            for (int t = 0; t < 3; t++)
                c_ss[t] += sc >= rs_t[t];
            int dist = r->has_tl && vf.has_tl ? ws_tlsh_distance(&r->tl, &vf.tl, 1) : 9999;
            for (int t = 0; t < 3; t++)
                c_tl[t] += dist <= rt_t[t];
            /* the matcher with defaults: a finding for the right reference? others? */
            struct tally tl = {r->sha256, 0, 0};
            if (ws_variant_match(mx, vf.data, vn, NULL, on_tally, &tl) != WS_OK)
                return 1;
            c_right += tl.right > 0;
            c_wrong += tl.wrong > 0;
            free(vf.data);
            n++;
        }
        printf("| %zu B | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% | "
               "%ld |\n",
               k, n, 100.0 * c_ins / n, 100.0 * c_ss[0] / n, 100.0 * c_ss[1] / n,
               100.0 * c_ss[2] / n, 100.0 * c_tl[0] / n, 100.0 * c_tl[1] / n, 100.0 * c_tl[2] / n,
               100.0 * c_right / n, c_wrong);
    }

    /* ---- false positives ---- */
    static const int ss_t[] = {1, 21, 40, 50, 60, 80};
    static const int tl_t[] = {100, 70, 50, 40, 30, 20};
    int fp_ss[6] = {0}, fp_tl[6] = {0}, fp_ins = 0, fp_match = 0;
    int best_ss_hist[11] = {0};
    double t_tlsh = 0, t_ins = 0, t_match = 0, t_match0 = 0;
    size_t neg_bytes = 0;
    ws_variant_db *db0;
    ws_variant_matcher *m0;
    if (ws_variant_db_new(&db0) != WS_OK || ws_variant_db_finish(db0) != WS_OK ||
        ws_variant_matcher_new(db0, &o, &m0) != WS_OK)
        return 1;
    FILE *fpl = fopen(getenv("WS_FP_LOG") ? getenv("WS_FP_LOG") : "/dev/null", "w");
    for (int j = 0; j < nneg; j++) {
        struct file *f = &negs[j];
        neg_bytes += f->len;
        double t0 = now();
        f->has_tl = ws_tlsh_buf(f->data, f->len, &f->tl) == WS_OK;
        t_tlsh += now() - t0;
        if (ws_ssdeep_buf(f->data, f->len, f->ss) != WS_OK)
            f->ss[0] = '\0';
        int best_ss = 0, best_tl = 9999, ins = 0;
        const char *bss = "", *btl = "";
        t0 = now();
        for (int i = 0; i < nref; i++) {
            struct ws_insd_match m;
            if (refs[i].has_ins &&
                ws_insdigest_match(&refs[i].ins, f->data, f->len, MIB, 0, NULL, &m) == WS_OK)
                ins++;
        }
        t_ins += now() - t0;
        for (int i = 0; i < nref; i++) {
            int sc = ss_score(refs[i].ss, f->ss);
            if (sc > best_ss) {
                best_ss = sc;
                bss = refs[i].path;
            }
            if (refs[i].has_tl && f->has_tl) {
                int d = ws_tlsh_distance(&refs[i].tl, &f->tl, 1);
                if (d < best_tl) {
                    best_tl = d;
                    btl = refs[i].path;
                }
            }
        }
        for (int t = 0; t < 6; t++) {
            fp_ss[t] += best_ss >= ss_t[t];
            fp_tl[t] += best_tl <= tl_t[t];
        }
        best_ss_hist[best_ss / 10]++;
        fp_ins += ins > 0;
        if (best_ss >= 1 || best_tl <= 100)
            fprintf(fpl, "%s\tssdeep %d (%s)\ttlsh %d (%s)\n", f->path, best_ss, bss, best_tl, btl);
        long hits = 0;
        t0 = now();
        if (ws_variant_match(mx, f->data, f->len, NULL, on_finding, &hits) != WS_OK)
            return 1;
        t_match += now() - t0;
        fp_match += hits > 0;
        long h0 = 0;
        t0 = now();
        if (ws_variant_match(m0, f->data, f->len, NULL, on_finding, &h0) != WS_OK)
            return 1;
        t_match0 += now() - t0;
    }
    fclose(fpl);
    printf("\n## False positives: %d files that are not references (%d other libwine DLLs + "
           "/usr/lib, /usr/bin), each against all %d references\n\n",
           nneg, ndll - nref, nref);
    printf("| method | threshold | files flagged |\n|---|---|---|\n");
    printf("| insertion digest | exact | %d |\n", fp_ins);
    for (int t = 0; t < 6; t++)
        printf("| ssdeep | score >= %d | %d (%.2f%%) |\n", ss_t[t], fp_ss[t],
               100.0 * fp_ss[t] / nneg);
    for (int t = 0; t < 6; t++)
        printf("| TLSH | distance <= %d | %d (%.2f%%) |\n", tl_t[t], fp_tl[t],
               100.0 * fp_tl[t] / nneg);
    printf("| matcher, defaults (ssdeep >= %d, TLSH <= %d, insertion) | - | %d |\n", ss_def, tl_def,
           fp_match);
    printf("\nBest unrelated ssdeep score per file, histogram by tens: ");
    for (int b = 0; b <= 10; b++)
        printf("%s%d-%d: %d", b ? ", " : "", b * 10, b * 10 + 9, best_ss_hist[b]);
    printf("\n\n## Throughput (in process, one thread)\n\n| what | MB/s |\n|---|---|\n");
    printf("| our TLSH (%zu MiB of negatives) | %.0f |\n", neg_bytes / MIB,
           neg_bytes / 1e6 / t_tlsh);
    printf("| full digest line: MD5+SHA-1+SHA-256+ssdeep+TLSH+W1 (references) | %.0f |\n",
           ref_bytes / 1e6 / t_line);
    {
        double t0 = now();
        for (int i = 0; i < nref; i++) {
            struct ws_insdigest d;
            if (ws_insdigest_compute(refs[i].data, refs[i].len, &d) != WS_OK)
                return 1;
        }
        printf("| W1 digest alone (references) | %.0f |\n", ref_bytes / 1e6 / (now() - t0));
    }
    printf("| matcher per file, %d refs, all methods (negatives) | %.0f (%.1f us/file) |\n", nref,
           neg_bytes / 1e6 / t_match, 1e6 * t_match / nneg);
    printf("| matcher per file, empty db (negatives) | %.0f (%.1f us/file) |\n",
           neg_bytes / 1e6 / t_match0, 1e6 * t_match0 / nneg);
    printf(
        "| W1 brute force, every file x every ref without the index (negatives) | %.1f us/file |\n",
        1e6 * t_ins / nneg);
    {
        struct ws_variant_opts oi = o;
        oi.methods = WS_VARIANT_INSERTION;
        ws_variant_matcher *mi;
        if (ws_variant_matcher_new(db, &oi, &mi) != WS_OK)
            return 1;
        double t0 = now();
        long hits = 0;
        for (int j = 0; j < nneg; j++)
            if (ws_variant_match(mi, negs[j].data, negs[j].len, NULL, on_finding, &hits) != WS_OK)
                return 1;
        double t = now() - t0;
        printf("| matcher per file, %d refs, insertion digest only (negatives) | %.0f (%.1f "
               "us/file) |\n",
               nref, neg_bytes / 1e6 / t, 1e6 * t / nneg);
        ws_variant_matcher_free(mi);
    }
    ws_variant_matcher_free(mx);
    ws_variant_matcher_free(m0);
    ws_variant_db_free(db);
    ws_variant_db_free(db0);

    /* ---- scale: many references ---- */
    if (scale > 0) {
        /* references: slices of 8..128 KiB of the DLLs, each with a few bytes changed */
        char *sp = NULL;
        size_t spl = 0;
        FILE *sf = open_memstream(&sp, &spl);
        fprintf(sf, "%s\n", WS_VARIANT_HEADER);
        double t0 = now();
        for (int i = 0; i < scale; i++) {
            struct file *src = &refs[rnd() % (uint64_t)nref];
            size_t n = 8192 + rnd() % (120 * 1024);
            if (n > src->len)
                n = src->len;
            size_t a = rnd() % (src->len - n + 1);
            unsigned char *b = malloc(n);
            memcpy(b, src->data + a, n);
            b[rnd() % n] ^= 0x55;
            char *line;
            size_t ll;
            char name[32];
            snprintf(name, sizeof name, "synthetic-%d", i);
            if (ws_variant_digest_line(b, n, name, strlen(name), &line, &ll) != WS_OK)
                return 1;
            fprintf(sf, "%s\n", line);
            ws_variant_line_free(line);
            free(b);
        }
        fclose(sf);
        double tb = now() - t0;
        ws_variant_db *big;
        t0 = now();
        if (ws_variant_db_new(&big) != WS_OK ||
            ws_variant_db_parse(big, sp, spl, "scale", NULL, NULL) != WS_OK ||
            ws_variant_db_finish(big) != WS_OK)
            return 1;
        double tl = now() - t0;
        printf(
            "\n## Scale: %d references (synthetic: 8-128 KiB slices of the DLLs, one byte changed; "
            "digests made in %.1f s, %.1f MiB pack loaded and indexed in %.2f s)\n\n",
            scale, tb, spl / (double)MIB, tl);
        printf("| matcher over the %d negative files (%zu MiB) | us/file | baseline "
               "|\n|---|---|---|\n",
               nneg, neg_bytes / MIB);
        static const unsigned meth[] = {WS_VARIANT_INSERTION, WS_VARIANT_ALL};
        static const char *mname[] = {"insertion digest only", "all methods (defaults)"};
        for (int mi = 0; mi < 2; mi++) {
            struct ws_variant_opts om = o;
            om.methods = meth[mi];
            double tt[2];
            long hits[2] = {0, 0};
            for (int w = 0; w < 2; w++) {
                ws_variant_db *ed;
                ws_variant_matcher *mm;
                if (w == 0) {
                    /* baseline: the same pack cut to its first reference */
                    const char *nl = strchr(sp, '\n');
                    nl = nl ? strchr(nl + 1, '\n') : NULL;
                    size_t cut = nl ? (size_t)(nl - sp + 1) : spl;
                    if (ws_variant_db_new(&ed) != WS_OK ||
                        ws_variant_db_parse(ed, sp, cut, "one", NULL, NULL) != WS_OK ||
                        ws_variant_db_finish(ed) != WS_OK)
                        return 1;
                } else {
                    ed = big;
                }
                if (ws_variant_matcher_new(ed, &om, &mm) != WS_OK)
                    return 1;
                t0 = now();
                for (int j = 0; j < nneg; j++)
                    if (ws_variant_match(mm, negs[j].data, negs[j].len, NULL, on_finding,
                                         &hits[w]) != WS_OK)
                        return 1;
                tt[w] = now() - t0;
                ws_variant_matcher_free(mm);
                if (w == 0)
                    ws_variant_db_free(ed);
            }
            printf("| %s, %d refs (%ld findings) | %.1f | 1 reference: %.1f us/file |\n", mname[mi],
                   scale, hits[1], 1e6 * tt[1] / nneg, 1e6 * tt[0] / nneg);
        }
        ws_variant_db_free(big);
        free(sp);
    }
    return 0;
}
