/*
 * net.c - `wormsign net [--json] CAPTURE...`: find Kwampirs-style spreading
 * (remote service creation, admin-share copies run as services, the Kwampirs
 * service) in pcap/pcapng captures.
 *
 * Exit status: 1 if anything was found (an alert), else 2 if a capture could
 * not be read completely (an error finding), else 0.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/buf.h"
#include "core/text.h"
#include "net_print_tmp.h"
#include "wormsign/net.h"

/* --files-tsv: one line per rebuilt file (sha256, size, client, server, share, name). */
static int list_file(void *user, const struct ws_net_file *f)
{
    FILE *o = user;
    struct ws_buf b;
    ws_buf_init(&b, 1u << 20);
    const char *share = f->share ? f->share : "";
    const char *name = f->name ? f->name : "";
    if (ws_buf_addf(&b, "%s\t%zu\t%s\t%s\t", f->sha256, f->len, f->client_ip, f->server_ip) ==
            WS_OK &&
        ws_text_human(&b, share, strlen(share)) == WS_OK && ws_buf_addc(&b, '\t') == WS_OK &&
        ws_text_human(&b, name, strlen(name)) == WS_OK)
        fprintf(o, "%s\n", b.data);
    ws_buf_release(&b);
    return 0;
}

static void usage(FILE *o)
{
    fprintf(o, "usage: wormsign net [--json] [--stats] CAPTURE...\n"
               "\n"
               "Read pcap/pcapng captures and report remote service creation over svcctl\n"
               "(SMB named pipes or TCP), files copied to ADMIN$/C$ and then run as a\n"
               "service (lateral movement, with the SHA-256 of the rebuilt file), and the\n"
               "Kwampirs service WmiApSrvEx.\n"
               "\n"
               "  --json    one JSON object per finding (NDJSON, ECS field names)\n"
               "  --stats   totals on stderr at the end\n"
               "  --files-tsv PATH  list every file rebuilt from SMB writes in PATH:\n"
               "            sha256, size, client, server, share, name (tab-separated)\n"
               "  --help    this text\n"
               "\n"
               "Exit status: 0 nothing found, 1 found, 2 a capture could not be read.\n");
}

int cmd_net(int argc, char **argv)
{
    struct net_print pr = {.out = stdout};
    int stats = 0, ncap = 0, opts_done = 0;
    const char *tsv = NULL;
    /* captures are collected in place at the front of argv (after argv[0]) */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || a[1] == '\0') {
            argv[1 + ncap++] = argv[i];
        } else if (strcmp(a, "--") == 0) {
            opts_done = 1;
        } else if (strcmp(a, "--json") == 0) {
            pr.json = 1;
        } else if (strcmp(a, "--stats") == 0) {
            stats = 1;
        } else if (strcmp(a, "--files-tsv") == 0 && i + 1 < argc) {
            tsv = argv[++i];
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "wormsign net: unknown option %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    if (ncap == 0) {
        usage(stderr);
        return 2;
    }
    struct ws_net_opts opts = {.emit = net_print_emit, .emit_user = &pr};
    FILE *tf = NULL;
    if (tsv) {
        tf = fopen(tsv, "w");
        if (!tf) {
            perror(tsv);
            return 2;
        }
        opts.on_file = list_file;
        opts.file_user = tf;
    }
    ws_net *n = NULL;
    if (ws_net_new(&opts, &n) != WS_OK) {
        fprintf(stderr, "wormsign net: out of memory\n");
        if (tf)
            fclose(tf);
        return 2;
    }
    int failed = 0;
    for (int i = 1; i <= ncap; i++) {
        ws_status st = ws_net_scan_file(n, argv[i]);
        if (st != WS_OK)
            failed = 1;
    }
    if (stats) {
        struct ws_net_stats s;
        ws_net_get_stats(n, &s);
        fprintf(stderr,
                "captures %llu frames %llu bytes %llu flows %llu smb %llu rpc %llu "
                "files %llu alerts %llu errors %llu\n",
                (unsigned long long)s.captures, (unsigned long long)s.frames,
                (unsigned long long)s.bytes, (unsigned long long)s.flows,
                (unsigned long long)s.smb_messages, (unsigned long long)s.rpc_pdus,
                (unsigned long long)s.files, (unsigned long long)s.alerts,
                (unsigned long long)s.errors);
    }
    ws_net_free(n);
    if (tf && fclose(tf) != 0)
        failed = 1;
    fflush(stdout);
    if (pr.alerts)
        return 1;
    return failed || pr.errors ? 2 : 0;
}
