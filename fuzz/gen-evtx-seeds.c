/*
 * gen-evtx-seeds.c - writes the committed seeds of fuzz-evtx-chunk and
 * fuzz-binxml from hand-built records (tests/evtx_synth.h); no corpus file
 * is copied. Not built by CMake; run by hand after changing it:
 *   cc -std=c11 -Iinclude -Isrc -Itests fuzz/gen-evtx-seeds.c src/evtx/crc32.c \
 *      -o /tmp/gen-evtx-seeds && /tmp/gen-evtx-seeds fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evtx_synth.h"

static void save(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* plain BinXML without a template, elements without the dependency id
 * (the layout of the issue_201 sample), then the record trailer */
static size_t raw_record(struct syn *s, uint64_t id)
{
    size_t rec = s->n;
    s_u32(s, 0x2a2a);
    s_u32(s, 0);
    s_u64(s, id);
    s_u64(s, 132000000000000000ull);
    s_u8(s, 0x0F);
    s_u8(s, 1);
    s_u8(s, 1);
    s_u8(s, 0);
    static const char *const names[] = {"Event", "EventData", "Data"};
    for (int d = 0; d < 3; d++) {
        s_u8(s, 0x01);
        s_u32(s, 0);
        s_u32(s, (uint32_t)(s->n + 4));
        s_name_inline(s, names[d]);
        s_u8(s, 0x02);
    }
    s_text(s, "Set-Mailbox");
    for (int d = 0; d < 3; d++)
        s_u8(s, 0x04);
    s_u8(s, 0x00);
    while ((s->n - rec + 4) % 8)
        s_u8(s, 0);
    s_u32(s, (uint32_t)(s->n - rec + 4));
    s_put32(s, rec + 4, (uint32_t)(s->n - rec));
    return rec;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FUZZ-CORPUS-DIR\n", argv[0]);
        return 64;
    }
    char chunk_dir[900], bx_dir[900];
    snprintf(chunk_dir, sizeof chunk_dir, "%s/fuzz-evtx-chunk", argv[1]);
    snprintf(bx_dir, sizeof bx_dir, "%s/fuzz-binxml", argv[1]);
    uint8_t *p = calloc(1, SYN_CHUNK);
    if (!p)
        return 1;

    /* three records sharing one template (defined by the first) */
    struct syn s = {p, 0x200};
    size_t def = 0, last;
    s_record1(&s, 1, 131976543210987654ull, &def, "Service Control Manager", 7045,
              "C:\\Windows\\PSEXESVC.exe", 42, 1);
    s_record1(&s, 2, 131976543310987654ull, &def, "Prov", 4624, "", 0, 0);
    last = s_record1(&s, 3, 131976543410987654ull, &def, "P3", 1, "x", 7, 1);
    s_chunk_finish(&s, 1, 3, last);
    save(chunk_dir, "three-records", p, s.n);
    p[last] = 0x2b; /* the last record's magic broken */
    save(chunk_dir, "bad-record-magic", p, s.n);

    /* a plain BinXML record without template */
    memset(p, 0, SYN_CHUNK);
    s = (struct syn){p, 0x200};
    last = raw_record(&s, 1);
    s_chunk_finish(&s, 1, 1, last);
    save(chunk_dir, "raw-binxml", p, s.n);

    /* BinXML payloads starting at chunk offset 0x200 */
    memset(p, 0, SYN_CHUNK);
    s = (struct syn){p, 0x200 - 24};
    def = 0;
    size_t rec = s_record1(&s, 1, 131976543210987654ull, &def, "Microsoft-Windows-Sysmon", 1,
                           "cmd.exe /Q /c whoami 1> \\\\127.0.0.1\\ADMIN$\\__1 2>&1", 3, 1);
    save(bx_dir, "template-instance", p + 0x200, s.n - 4 - 0x200);
    (void)rec;
    memset(p, 0, SYN_CHUNK);
    s = (struct syn){p, 0x200 - 24};
    raw_record(&s, 1);
    save(bx_dir, "raw-no-dependency-id", p + 0x200, s.n - 4 - 0x200);
    free(p);
    return 0;
}
