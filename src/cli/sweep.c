/*
 * sweep.c - `wormsign sweep`: agentless checks of Windows hosts over SMB.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: wormsign sweep [options] [HOST|CIDR...] [--hosts FILE]\n"
    "\n"
    "Check Windows hosts over SMB without installing anything on them. For each\n"
    "host: record the SMB dialects it accepts (SMB1 only: likely Windows XP era),\n"
    "its shares, which admin shares (C$, ADMIN$, ...) the account can read and\n"
    "write; scan System32, SysWOW64, inf, Temp and the root of each admin share\n"
    "(--full: everything) with the built-in Kwampirs pack; copy the event logs and\n"
    "registry hive copies (XP repair, RegBack, System Restore) for the log and hive\n"
    "detectors. One INFO record per host (smb.exposure) gives the exposure; every\n"
    "record carries host.name and host.ip.\n"
    "\n"
    "The write test creates one empty file named wormsign-write-test-*.tmp in the\n"
    "root of each admin share and deletes it at once (--no-write-test: do not).\n"
    "\n"
    "Hosts:\n"
    "  HOST|CIDR           a name, an address, NAME:PORT, or an IPv4 range (/16../32)\n"
    "  --hosts FILE        more of the same, one per line ('#' comments); repeatable\n"
    "Credentials (never on the command line):\n"
    "  --auth-file FILE    smbclient -A format (username=, password=, domain=), mode 600;\n"
    "                      default $WORMSIGN_SMB_AUTH_FILE, else $WORMSIGN_SMB_USER,\n"
    "                      $WORMSIGN_SMB_PASSWORD, $WORMSIGN_SMB_DOMAIN\n"
    "  --kerberos          use the Kerberos ticket cache (kinit, $KRB5CCNAME)\n"
    "What to do:\n"
    "  --full              scan every readable admin share entirely\n"
    "  --no-write-test     do not test write access\n"
    "  --no-scan           exposure and collection only\n"
    "  --no-collect        do not copy event logs and hives\n"
    "  --collect-dir DIR   keep the copies in DIR (default: a temporary folder,\n"
    "                      removed at the end)\n"
    "  --max-size SIZE, --exclude GLOB: as in scan\n"
    "Packs:\n" CLI_PACK_HELP "Pace (gentle by default):\n"
    "  --parallel N        hosts at once (default 4, at most 64)\n"
    "  --conns N           SMB connections and scan threads per host (default 2)\n"
    "  --io-rate MBPS      per host (default 10; 0: unlimited)\n"
    "  --files-rate N      files per second per host (default 100; 0: unlimited)\n"
    "  --smb-timeout SEC   per SMB request (default 20)\n"
    "  --host-timeout SEC  whole-host budget (default 3600; 0: none)\n"
    "  --retries N         extra attempts to reach a host (default 1)\n"
    "  --state FILE        resumable: finished hosts are appended here and skipped\n"
    "                      when the same sweep runs again\n"
    "Output:\n" CLI_OUTPUT_HELP "\n"
    "Exit status: 0 clean, 1 something found, 2 error or incomplete sweep.\n";

enum {
    OPT_HOSTS = CLI_OPT_OWN,
    OPT_AUTH_FILE,
    OPT_KERBEROS,
    OPT_FULL,
    OPT_NO_WRITE,
    OPT_NO_SCAN,
    OPT_NO_COLLECT,
    OPT_COLLECT_DIR,
    OPT_MAX_SIZE,
    OPT_EXCLUDE,
    OPT_PARALLEL,
    OPT_CONNS,
    OPT_IO_RATE,
    OPT_FILES_RATE,
    OPT_SMB_TIMEOUT,
    OPT_HOST_TIMEOUT,
    OPT_RETRIES,
    OPT_STATE,
};

static const struct option long_opts[] = {
    CLI_OUTPUT_LONG_OPTIONS,
    CLI_PACK_LONG_OPTIONS,
    {"hosts", required_argument, NULL, OPT_HOSTS},
    {"auth-file", required_argument, NULL, OPT_AUTH_FILE},
    {"kerberos", no_argument, NULL, OPT_KERBEROS},
    {"full", no_argument, NULL, OPT_FULL},
    {"no-write-test", no_argument, NULL, OPT_NO_WRITE},
    {"no-scan", no_argument, NULL, OPT_NO_SCAN},
    {"no-collect", no_argument, NULL, OPT_NO_COLLECT},
    {"collect-dir", required_argument, NULL, OPT_COLLECT_DIR},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"conns", required_argument, NULL, OPT_CONNS},
    {"io-rate", required_argument, NULL, OPT_IO_RATE},
    {"files-rate", required_argument, NULL, OPT_FILES_RATE},
    {"smb-timeout", required_argument, NULL, OPT_SMB_TIMEOUT},
    {"host-timeout", required_argument, NULL, OPT_HOST_TIMEOUT},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"state", required_argument, NULL, OPT_STATE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct host_list {
    struct ws_sweep_host *v;
    size_t n, cap;
    int oom;
};

static int add_host(void *user, const char *name, int from_range)
{
    struct host_list *l = user;
    if (l->n >= 65536) {
        l->oom = 2;
        return 1;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 64;
        struct ws_sweep_host *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv) {
            l->oom = 1;
            return 1;
        }
        l->v = nv;
        l->cap = nc;
    }
    char *c = strdup(name);
    if (!c) {
        l->oom = 1;
        return 1;
    }
    l->v[l->n++] = (struct ws_sweep_host){c, from_range};
    return 0;
}

static int add_spec(struct host_list *l, const char *spec)
{
    ws_status st = ws_sweep_expand(spec, add_host, l);
    if (l->oom == 2) {
        fprintf(stderr, "wormsign sweep: more than 65536 hosts\n");
        return -1;
    }
    if (st == WS_E_TOO_LARGE) {
        fprintf(stderr, "wormsign sweep: range %s is larger than a /16: split it\n", spec);
        return -1;
    }
    if (st != WS_OK) {
        fprintf(stderr, "wormsign sweep: bad host or range '%s'\n", spec);
        return -1;
    }
    return 0;
}

static int add_hosts_file(struct host_list *l, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "wormsign sweep: cannot read host list %s\n", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
        char *s = line;
        s[strcspn(s, "#\r\n")] = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        size_t k = strlen(s);
        while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
            s[--k] = '\0';
        if (k)
            rc = add_spec(l, s);
    }
    free(line);
    fclose(f);
    return rc;
}

struct collect_ctx {
    ws_report *report;
    const ws_pack *pack;
};

static void on_collected(void *user, const struct ws_sweep_collected *c)
{
    struct collect_ctx *cc = user;
    cli_sweep_on_collected(cc->report, cc->pack, c);
}

static void on_host_logs(void *user, const char *host, const char *ip, const char *const *logs,
                         size_t n_logs)
{
    struct collect_ctx *cc = user;
    cli_sweep_on_host_logs(cc->report, cc->pack, host, ip, logs, n_logs);
}

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

int cmd_sweep(int argc, char **argv)
{
    static const char verb[] = "sweep";
    struct cli_output out = {0};
    struct cli_packs packs = {0};
    struct cli_list excludes = {0};
    struct ws_sweep_opts so = {0};
    struct host_list hl = {0};
    const char *auth_file = NULL, *collect_dir = NULL;
    int kerberos = 0, c;
    double num = 0, smb_timeout = 20;
    so.parallel = 4;
    so.conns = 2;
    so.retries = 1;
    so.host_timeout_s = 3600;
    so.scan.io_rate = 10;
    so.scan.file_rate = 100;
    int rc = EXIT_TROUBLE;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_OUTPUT_SHORT "h", long_opts, NULL)) != -1) {
        int taken = cli_shared_option(&out, &packs, verb, c, optarg);
        if (taken < 0)
            goto done;
        if (taken > 0)
            continue;
        int bad = 0;
        switch (c) {
        case OPT_HOSTS:
            bad = add_hosts_file(&hl, optarg);
            break;
        case OPT_AUTH_FILE:
            auth_file = optarg;
            break;
        case OPT_KERBEROS:
            kerberos = 1;
            break;
        case OPT_FULL:
            so.flags |= WS_SWEEP_FULL;
            break;
        case OPT_NO_WRITE:
            so.flags |= WS_SWEEP_NO_WRITE_TEST;
            break;
        case OPT_NO_SCAN:
            so.flags |= WS_SWEEP_NO_SCAN;
            break;
        case OPT_NO_COLLECT:
            so.flags |= WS_SWEEP_NO_COLLECT;
            break;
        case OPT_COLLECT_DIR:
            collect_dir = optarg;
            break;
        case OPT_EXCLUDE:
            bad = cli_list_add(&excludes, verb, "exclude", optarg);
            break;
        case OPT_MAX_SIZE:
            bad = cli_size_option(verb, "max-size", optarg, &so.scan.max_scan_size);
            break;
        case OPT_PARALLEL:
            bad = cli_number_option(verb, "parallel", optarg, 1, 64, 1, &num);
            so.parallel = (unsigned)num;
            break;
        case OPT_CONNS:
            bad = cli_number_option(verb, "conns", optarg, 1, 16, 1, &num);
            so.conns = (unsigned)num;
            break;
        case OPT_RETRIES:
            bad = cli_number_option(verb, "retries", optarg, 0, 10, 1, &num);
            so.retries = (unsigned)num;
            break;
        case OPT_IO_RATE: /* 0: unlimited */
            bad = cli_number_option(verb, "io-rate", optarg, 0, 1e6, 0, &so.scan.io_rate);
            break;
        case OPT_FILES_RATE:
            bad = cli_number_option(verb, "files-rate", optarg, 0, 1e9, 0, &so.scan.file_rate);
            break;
        case OPT_SMB_TIMEOUT:
            bad = cli_number_option(verb, "smb-timeout", optarg, 1, 3600, 0, &smb_timeout);
            break;
        case OPT_HOST_TIMEOUT:
            bad = cli_number_option(verb, "host-timeout", optarg, 0, 30 * 86400, 0, &num);
            so.host_timeout_s = (unsigned)num;
            break;
        case OPT_STATE:
            so.state_path = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = EXIT_CLEAN;
            goto done;
        default:
            fputs(usage_text, stderr);
            goto done;
        }
        if (bad)
            goto done;
    }
    for (int i = optind; i < argc; i++)
        if (add_spec(&hl, argv[i]) != 0)
            goto done;
    if (hl.oom == 1) {
        fprintf(stderr, "wormsign sweep: out of memory\n");
        goto done;
    }
    if (hl.n == 0) {
        fputs(usage_text, stderr);
        goto done;
    }
    if (cli_output_ready(&out, verb) != 0)
        goto done;

    struct cli_smb smb = {0};
    ws_report *report = NULL;
    ws_pack *pack = NULL;
    char tmpdir[4096] = "";
    struct cli_run run;
    cli_run_start(&run, "sweep");
    if (cli_smb_creds(&smb, auth_file, kerberos) != 0)
        goto out;
    smb.opts.timeout_ms = (unsigned)(smb_timeout * 1000);
    if (!(so.flags & WS_SWEEP_NO_COLLECT) && !collect_dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/wormsign-sweep-XXXXXX", t && t[0] ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "wormsign sweep: cannot create a temporary folder in %s\n",
                    t && t[0] ? t : "/tmp");
            tmpdir[0] = '\0';
            goto out;
        }
        collect_dir = tmpdir;
    }
    if (collect_dir && !tmpdir[0] && mkdir(collect_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "wormsign sweep: cannot create --collect-dir %s\n", collect_dir);
        goto out;
    }
    if (cli_report_open(&out, &report) != 0)
        goto out;
    if (cli_load_packs(&pack, &packs, report) != 0)
        goto out;
    struct collect_ctx cc = {report, pack};
    so.hosts = hl.v;
    so.n_hosts = hl.n;
    so.smb = &smb.opts;
    so.collect_dir = collect_dir;
    so.scan.excludes = excludes.v;
    so.scan.n_excludes = excludes.n;
    so.scan.emit = ws_report_emit;
    so.scan.emit_user = report;
    so.on_collected = on_collected;
    so.on_host_logs = on_host_logs;
    so.collected_user = &cc;
    struct ws_sweep_stats st = {0};
    ws_status rs = ws_sweep_run(pack, &so, &st);
    if (rs != WS_OK)
        fprintf(stderr, "wormsign sweep: %s\n",
                rs == WS_E_IO ? "cannot use the state file" : ws_status_str(rs));
    run.sum.objects = st.files;
    run.sum.bytes = st.bytes;
    run.sum.seconds = st.seconds;
    rc = cli_run_finish(&run, report, rs == WS_OK);
    if (!out.quiet)
        fprintf(stderr,
                "wormsign sweep: %llu hosts: %llu swept, %llu resumed from the state file, "
                "%llu unreachable, %llu refused, %llu timed out; %llu files collected%s%s\n",
                (unsigned long long)st.hosts, (unsigned long long)st.swept,
                (unsigned long long)st.resumed, (unsigned long long)st.unreachable,
                (unsigned long long)st.refused, (unsigned long long)st.timed_out,
                (unsigned long long)st.collected, tmpdir[0] ? "" : " in ",
                tmpdir[0] ? "" : (collect_dir ? collect_dir : "(none)"));
out:
    if (tmpdir[0])
        nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    ws_pack_free(pack);
    ws_report_free(report);
    cli_report_close_files(&out);
    cli_smb_release(&smb);
done:
    for (size_t i = 0; i < hl.n; i++)
        free((char *)hl.v[i].name);
    free(hl.v);
    return rc;
}
