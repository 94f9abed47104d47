/*
 * digest.c - `wormsign digest FILE...`: print one reference line per file
 * (size, MD5, SHA-1, SHA-256, ssdeep, TLSH, insertion-tolerant digest,
 * name) under the "# wormsign-digest v1" header. The output, saved to a
 * file, is a variant pack: `wormsign scan --pack FILE`.
 */
#include "core/compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "source/source.h"
#include "wormsign/variant.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: wormsign digest [--no-header] [--name NAME] FILE...\n"
            "\n"
            "Print one reference line per FILE: size, MD5, SHA-1, SHA-256, ssdeep, TLSH (T1),\n"
            "the insertion-tolerant digest (W1) and the name (the path, or --name for a\n"
            "single file). '-' marks a digest the file is too short or too uniform for.\n"
            "Save the output as a variant pack: wormsign scan --pack FILE.\n"
            "Format: docs/variant-digest.md.\n"
            "\n"
            "  --no-header   omit the '%s' header lines\n"
            "  --name NAME   reference name to print instead of the path (one FILE only)\n"
            "  --help        this text\n",
            WS_VARIANT_HEADER);
}

/* Read a whole regular file (at most WS_MAX_DIGEST_INPUT bytes). */
static int read_file(const char *path, unsigned char **out, size_t *len)
{
    int fd = -1;
    struct stat sb;
    ws_status st = ws_open_regular(path, 1, &fd, &sb);
    if (st != WS_OK) {
        if (st == WS_E_SKIPPED) /* a folder, FIFO, socket or device: never opened */
            errno = EISDIR;
        return -1;
    }
    if ((uint64_t)sb.st_size > WS_MAX_DIGEST_INPUT) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    unsigned char *b = ws_malloc(n ? n : 1);
    if (!b) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    while (got < n) { /* each pass reads > 0 bytes or stops */
        ssize_t r = read(fd, b + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        ws_free(b);
        errno = EIO; /* the file changed size while read */
        return -1;
    }
    *out = b;
    *len = n;
    return 0;
}

int cmd_digest(int argc, char **argv)
{
    int header = 1, rc = 0, i = 1;
    const char *name = NULL;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--no-header") == 0) {
            header = 0;
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "wormsign digest: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    if (name && argc - i != 1) {
        fprintf(stderr, "wormsign digest: --name needs exactly one FILE\n");
        return 2;
    }
    if (header)
        printf("%s\n# size\tmd5\tsha1\tsha256\tssdeep\ttlsh\tinsertion\tname\n", WS_VARIANT_HEADER);
    for (; i < argc; i++) {
        unsigned char *buf;
        size_t len;
        if (read_file(argv[i], &buf, &len) != 0) {
            fprintf(stderr, "wormsign digest: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
            continue;
        }
        const char *nm = name ? name : argv[i];
        char *line;
        size_t ll;
        ws_status st = ws_variant_digest_line(buf, len, nm, strlen(nm), &line, &ll);
        ws_free(buf);
        if (st != WS_OK) {
            fprintf(stderr, "wormsign digest: %s: %s\n", argv[i], ws_status_str(st));
            rc = 1;
            continue;
        }
        fwrite(line, 1, ll, stdout);
        putchar('\n');
        ws_variant_line_free(line);
    }
    if (fflush(stdout) != 0)
        rc = 1;
    return rc;
}
