/*
 * net.c - `wormsign net CAPTURE...`: find Kwampirs-style spreading (remote
 * service creation, admin-share copies run as services, the Kwampirs
 * service) and Kwampirs C2 in DNS and HTTP in pcap/pcapng captures, and
 * run every file rebuilt from the SMB writes through the same per-file
 * pipeline as `wormsign scan` (hashes, file names, YARA, variants of the
 * loaded packs). The packs also feed the C2 matching (ws_net_opts.pack).
 * `wormsign net --live IFACE` captures instead, until --count, --duration or
 * SIGINT/SIGTERM: the handlers only set stop_signal, which the library polls
 * through ws_net_live.cancelled; the capture is then finished as a file is.
 */
#define _GNU_SOURCE 1
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/text.h"
#include "wormsign/net.h"

static const char usage_text[] =
    "usage: wormsign net [options] CAPTURE...\n"
    "       wormsign net [options] --live IFACE [--count N] [--duration SEC]\n"
    "\n"
    "Read pcap/pcapng captures and report remote service creation over svcctl\n"
    "(SMB named pipes or TCP), files copied to ADMIN$/C$ and then run as a\n"
    "service (lateral movement, with the SHA-256 of the rebuilt file), and the\n"
    "Kwampirs service WmiApSrvEx. Files rebuilt from SMB writes are scanned like\n"
    "`wormsign scan` scans files (the built-in pack and --pack). Kwampirs C2 in DNS\n"
    "(UDP/TCP 53: C2 domains, C2 or sinkhole answers), HTTP requests on any port\n"
    "(published C2 URLs and hosts, the URL grammar with q=, User-Agent ItIsMe; with\n"
    "the server's answer) and TLS ClientHellos on any port (SNI, C2 address, JA3)\n"
    "is reported against the packs' C2 lists and net-patterns. Each capture ends with\n"
    "a host inventory (net.inventory.host): SMB dialects, SMB1-only hosts, SMB1\n"
    "NativeOS, DICOM roles (TCP 104/11112 or any port by content: AE titles,\n"
    "modalities); alerts against such hosts say \"imaging workstation, XP-era\".\n"
    "\n"
    "  --live IFACE        capture from IFACE (needs capture privilege) until\n"
    "                      --count, --duration, SIGINT or SIGTERM; then the\n"
    "                      end-of-capture findings are emitted\n"
    "  --filter BPF        capture filter (pcap-filter(7)), live or on files\n"
    "  --count N           stop after N packets (--live)\n"
    "  --duration SEC      stop after SEC seconds (--live)\n"
    "  --rotate SEC        finish the capture every SEC seconds and start afresh:\n"
    "                      findings come sooner and memory stays small on long\n"
    "                      watches, but a spread split across two periods is not\n"
    "                      correlated (--live; default: one capture)\n"
    "  --promisc           promiscuous mode (--live; off by default)\n" CLI_OUTPUT_HELP
    "  --host NAME         host.name of the analysing host\n" CLI_PACK_HELP
    "  --stats             totals on stderr at the end\n"
    "  --files-tsv PATH    list every rebuilt file in PATH: sha256, size, client,\n"
    "                      server, share, name (tab-separated)\n"
    "\n"
    "Exit status: 0 nothing found, 1 found, 2 a capture could not be read (or\n"
    "the interface opened, or the filter compiled).\n";

struct net_ctx {
    ws_report *report;
    const ws_pack *pack;
    FILE *tsv;
};

struct file_emit {
    ws_report *report;
    const struct ws_net_file *f;
};

/* Findings on a rebuilt file name the capture, the hosts and the frames. */
static int emit_rebuilt(void *user, const struct ws_finding *f)
{
    struct file_emit *fe = user;
    struct ws_finding c = *f;
    struct ws_kv fields[66], ev[68];
    size_t nf = f->n_fields < 64 ? f->n_fields : 64, ne = f->n_evidence < 64 ? f->n_evidence : 64;
    if (nf)
        memcpy(fields, f->fields, nf * sizeof fields[0]);
    if (ne)
        memcpy(ev, f->evidence, ne * sizeof ev[0]);
    fields[nf++] = (struct ws_kv){
        .key = "source.ip", .val = fe->f->client_ip, .len = strlen(fe->f->client_ip)};
    fields[nf++] = (struct ws_kv){
        .key = "destination.ip", .val = fe->f->server_ip, .len = strlen(fe->f->server_ip)};
    ev[ne++] =
        (struct ws_kv){.key = "capture", .val = fe->f->capture, .len = strlen(fe->f->capture)};
    ev[ne++] =
        (struct ws_kv){.key = "first_frame", .type = WS_KV_INT, .num = (int64_t)fe->f->first_frame};
    ev[ne++] =
        (struct ws_kv){.key = "last_frame", .type = WS_KV_INT, .num = (int64_t)fe->f->last_frame};
    if (fe->f->complete)
        ev[ne++] = (struct ws_kv){.key = "rebuilt_from", .val = "smb-writes", .len = 10};
    else
        ev[ne++] = (struct ws_kv){.key = "partly_captured", .type = WS_KV_BOOL, .num = 1};
    c.fields = fields;
    c.n_fields = nf;
    c.evidence = ev;
    c.n_evidence = ne;
    return ws_report_emit(fe->report, &c);
}

static int on_file(void *user, const struct ws_net_file *f)
{
    struct net_ctx *nc = user;
    /* the file as Windows names it: \\server\share\name (the share path
     * already starts with \\), so file-name IOCs read it as on the host */
    struct ws_buf name;
    ws_buf_init(&name, 65536);
    const char *share = f->share ? f->share : "";
    const char *fname = f->name ? f->name : "";
    if (ws_buf_adds(&name, share) == WS_OK && ws_buf_addc(&name, '\\') == WS_OK &&
        ws_buf_adds(&name, fname) == WS_OK) {
        struct file_emit fe = {nc->report, f};
        ws_status st = f->complete
                           ? ws_scan_buffer(nc->pack, name.data, f->data, f->len, emit_rebuilt, &fe)
                           : ws_scan_name(nc->pack, name.data, f->size, emit_rebuilt, &fe);
        if (st != WS_OK)
            fprintf(stderr, "wormsign net: cannot check a written file: %s\n", ws_status_str(st));
    }
    ws_buf_release(&name);
    if (nc->tsv && f->complete) {
        struct ws_buf b;
        ws_buf_init(&b, 1u << 20);
        if (ws_buf_addf(&b, "%s\t%zu\t%s\t%s\t", f->sha256, f->len, f->client_ip, f->server_ip) ==
                WS_OK &&
            ws_text_human(&b, share, strlen(share)) == WS_OK && ws_buf_addc(&b, '\t') == WS_OK &&
            ws_text_human(&b, fname, strlen(fname)) == WS_OK)
            fprintf(nc->tsv, "%s\n", b.data);
        ws_buf_release(&b);
    }
    return 0;
}

/* Set by SIGINT/SIGTERM during --live; read by the library's cancel hook. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static int live_cancelled(void *user)
{
    (void)user;
    return stop_signal != 0;
}

/* Said once the capture is open, on stderr, as tcpdump says "listening on":
 * packets sent after this line are seen (scripts wait for it). */
static void live_started(void *user, const char *iface, const char *link)
{
    const char *filter = user;
    fprintf(stderr, "wormsign net: capturing on %s (%s)%s%s%s; Ctrl-C stops\n", iface, link,
            filter ? ", filter '" : "", filter ? filter : "", filter ? "'" : "");
    fflush(stderr);
}

static void live_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

enum {
    OPT_STATS = CLI_OPT_OWN,
    OPT_FILES_TSV,
    OPT_LIVE,
    OPT_FILTER,
    OPT_COUNT,
    OPT_DURATION,
    OPT_ROTATE,
    OPT_PROMISC,
};

int cmd_net(int argc, char **argv)
{
    static const char verb[] = "net";
    static const struct option opts[] = {
        CLI_OUTPUT_LONG_OPTIONS,
        CLI_HOST_LONG_OPTION,
        CLI_PACK_LONG_OPTIONS,
        {"stats", no_argument, NULL, OPT_STATS},
        {"files-tsv", required_argument, NULL, OPT_FILES_TSV},
        {"live", required_argument, NULL, OPT_LIVE},
        {"filter", required_argument, NULL, OPT_FILTER},
        {"count", required_argument, NULL, OPT_COUNT},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"rotate", required_argument, NULL, OPT_ROTATE},
        {"promisc", no_argument, NULL, OPT_PROMISC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *live = NULL;
    char *filter = NULL; /* optarg; also the live hook's user pointer */
    struct ws_net_live lo = {0};
    double num = 0;
    struct cli_output out = {0};
    struct cli_packs packs = {0};
    int stats = 0, c;
    const char *tsv = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_OUTPUT_SHORT "h", opts, NULL)) != -1) {
        int taken = cli_shared_option(&out, &packs, verb, c, optarg);
        if (taken < 0)
            return EXIT_TROUBLE;
        if (taken > 0)
            continue;
        int bad = 0;
        switch (c) {
        case OPT_STATS:
            stats = 1;
            break;
        case OPT_FILES_TSV:
            tsv = optarg;
            break;
        case OPT_LIVE:
            live = optarg;
            break;
        case OPT_FILTER:
            filter = optarg;
            break;
        case OPT_COUNT:
            bad = cli_number_option(verb, "count", optarg, 1, 1e15, 1, &num);
            lo.max_packets = (uint64_t)num;
            break;
        case OPT_DURATION:
            bad = cli_number_option(verb, "duration", optarg, 1, 4294967295.0, 1, &num);
            lo.max_seconds = (uint32_t)num;
            break;
        case OPT_ROTATE:
            bad = cli_number_option(verb, "rotate", optarg, 1, 4294967295.0, 1, &num);
            lo.rotate_seconds = (uint32_t)num;
            break;
        case OPT_PROMISC:
            lo.promisc = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage_text, stderr);
            return EXIT_TROUBLE;
        }
        if (bad)
            return EXIT_TROUBLE;
    }
    int live_only = lo.max_packets || lo.max_seconds || lo.rotate_seconds || lo.promisc;
    if ((live ? optind < argc : optind >= argc) || (live_only && !live)) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    if (cli_output_ready(&out, verb) != 0)
        return EXIT_TROUBLE;
    ws_report *report = NULL;
    ws_pack *pack = NULL;
    ws_net *n = NULL;
    int rc = EXIT_TROUBLE;
    struct cli_run run;
    cli_run_start(&run, "net");
    struct net_ctx nc = {0};
    if (tsv) {
        nc.tsv = fopen(tsv, "w");
        if (!nc.tsv) {
            perror(tsv);
            return EXIT_TROUBLE;
        }
    }
    if (cli_report_open(&out, &report) != 0)
        goto done;
    if (cli_load_packs(&pack, &packs, report) != 0)
        goto done;
    nc.report = report;
    nc.pack = pack;
    struct ws_net_opts no = {ws_report_emit, report, on_file, &nc, pack, filter};
    if (ws_net_new(&no, &n) != WS_OK) {
        fprintf(stderr, "wormsign net: out of memory\n");
        goto done;
    }
    int failed = 0;
    if (live) {
        lo.cancelled = live_cancelled;
        if (!out.quiet) {
            lo.started = live_started;
            lo.started_user = filter;
        }
        live_signals();
        if (ws_net_scan_live(n, live, &lo) != WS_OK)
            failed = 1;
    }
    for (int i = optind; i < argc; i++)
        if (ws_net_scan_file(n, argv[i]) != WS_OK)
            failed = 1;
    struct ws_net_stats s;
    ws_net_get_stats(n, &s);
    if (stats)
        fprintf(stderr,
                "captures %llu frames %llu bytes %llu flows %llu smb %llu rpc %llu files %llu "
                "alerts %llu errors %llu\n",
                (unsigned long long)s.captures, (unsigned long long)s.frames,
                (unsigned long long)s.bytes, (unsigned long long)s.flows,
                (unsigned long long)s.smb_messages, (unsigned long long)s.rpc_pdus,
                (unsigned long long)s.files, (unsigned long long)s.alerts,
                (unsigned long long)s.errors);
    run.sum.objects = s.frames;
    run.sum.bytes = s.bytes;
    rc = cli_run_finish(&run, report, !failed);
done:
    ws_net_free(n);
    ws_pack_free(pack);
    ws_report_free(report);
    cli_report_close_files(&out);
    if (nc.tsv && fclose(nc.tsv) != 0 && rc == EXIT_CLEAN)
        rc = EXIT_TROUBLE;
    return rc;
}
