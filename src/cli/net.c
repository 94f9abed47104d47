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
#include "net_print_tmp.h"
#include "wormsign/net.h"

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
               "  --help    this text\n"
               "\n"
               "Exit status: 0 nothing found, 1 found, 2 a capture could not be read.\n");
}

int cmd_net(int argc, char **argv)
{
    struct net_print pr = {.out = stdout};
    int stats = 0, first = 0, ncap = 0;
    for (int i = 1; i < argc; i++) {
        if (!first && strcmp(argv[i], "--json") == 0) {
            pr.json = 1;
        } else if (!first && strcmp(argv[i], "--stats") == 0) {
            stats = 1;
        } else if (!first && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            usage(stdout);
            return 0;
        } else if (!first && strcmp(argv[i], "--") == 0) {
            first = i + 1;
        } else if (!first && argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "wormsign net: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            ncap++;
        }
    }
    if (first)
        ncap = argc - first;
    if (ncap == 0) {
        usage(stderr);
        return 2;
    }
    struct ws_net_opts opts = {.emit = net_print_emit, .emit_user = &pr};
    ws_net *n = NULL;
    if (ws_net_new(&opts, &n) != WS_OK) {
        fprintf(stderr, "wormsign net: out of memory\n");
        return 2;
    }
    int failed = 0;
    for (int i = first ? first : 1; i < argc; i++) {
        if (!first && argv[i][0] == '-' && argv[i][1] != '\0')
            continue;
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
    fflush(stdout);
    if (pr.alerts)
        return 1;
    return failed || pr.errors ? 2 : 0;
}
