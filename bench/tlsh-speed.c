/*
 * tlsh-speed.c - in-process TLSH throughput over a list of files (stdin),
 * for bench/variants. Built twice: against our src/variant/tlsh.c, and (as
 * C++, -DREF) against Debian's libtlsh, so both read the same files the same
 * way and only the hashing is timed. Prints MB/s and a digest checksum so
 * the two runs can be seen to agree on the files >= 256 bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef REF
#include <tlsh.h>
#else
#include "variant/tlsh.h"
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    char path[4096];
    double total = 0;
    size_t bytes = 0;
    unsigned long sum = 0;
    while (fgets(path, sizeof path, stdin)) {
        path[strcspn(path, "\n")] = '\0';
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        unsigned char *b = (unsigned char *)malloc(n > 0 ? (size_t)n : 1);
        if (!b || fread(b, 1, (size_t)n, f) != (size_t)n) {
            fclose(f);
            free(b);
            continue;
        }
        fclose(f);
        char s[80] = "";
        double t0 = now();
#ifdef REF
        Tlsh x;
        x.update(b, (unsigned int)n);
        x.final();
        const char *h = x.getHash();
        snprintf(s, sizeof s, "T1%s", h ? h : "");
#else
        struct ws_tlsh_digest d;
        if (ws_tlsh_buf(b, (size_t)n, &d) == WS_OK)
            ws_tlsh_format(&d, s);
#endif
        total += now() - t0;
        bytes += (size_t)n;
        if (n >= 256)
            for (char *c = s; *c; c++)
                sum = sum * 31 + (unsigned char)*c;
        free(b);
    }
    printf("%.0f MB/s, digest checksum %lx\n", (double)bytes / 1e6 / total, sum);
    return 0;
}
