/*
 * scan.c - `wormsign scan`: hunt Kwampirs in file trees.
 */
#define _GNU_SOURCE 1
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: wormsign scan [options] PATH...\n"
    "\n"
    "Scan files and folders (local disks, mounted shares, mapped drives, read-only\n"
    "mounted images) with the built-in Kwampirs pack and any user packs: hash and\n"
    "file-name IOCs and YARA rules, each file read once. A disk image named as a\n"
    "PATH (raw/dd, E01 with its .E02... segments, VMDK, VHD; NTFS, FAT, ext and the\n"
    "other file systems of The Sleuth Kit) is opened, not mounted, and the files in\n"
    "it are scanned as IMAGE/PATH-INSIDE or, for partition N, IMAGE/pN/PATH-INSIDE.\n"
    "\n"
    "Output:\n" CLI_OUTPUT_HELP CLI_HOST_HELP CLI_PROGRESS_HELP "Packs:\n" CLI_PACK_HELP
    "What to scan:\n"
    "  --scan-list FILE    also scan every path listed in FILE, one per line ('-': stdin)\n"
    "  --exclude GLOB      skip paths or names matching GLOB; repeatable\n"
    "  --follow-symlinks   follow symbolic links (loops are detected); default: never\n"
    "  --one-file-system   do not descend into other mounted file systems\n"
    "  --pseudo-fs         also enter /proc, /sys and other pseudo file systems\n"
    "  --no-images         read disk images named as PATH as bytes, do not open them\n"
    "  --deleted           in disk images, also scan deleted files whose metadata was\n"
    "                      not reused (marked wormsign.file.deleted in JSON)\n"
    "  --max-size SIZE     files larger than SIZE are hashed and name-checked but not\n"
    "                      given to YARA (default 64M; K, M, G suffixes)\n"
    "  --timeout SECONDS   YARA time budget per file (default 60)\n"
    "Variants (reference digests from `wormsign digest` given with --pack):\n"
    "  --ssdeep-min N      ssdeep score that makes a variant (1..100, default 80)\n"
    "  --tlsh-max N        TLSH distance that makes a variant (default 20)\n"
    "  --variant-exact     only the insertion-tolerant digest (no ssdeep, no TLSH)\n"
    "SMB (PATH may be smb://host[:port]/share/folder, e.g. smb://pc7/ADMIN$/System32):\n"
    "  --auth-file FILE    credentials in smbclient -A format (username=, password=,\n"
    "                      domain=), mode 600; default $WORMSIGN_SMB_AUTH_FILE, else\n"
    "                      $WORMSIGN_SMB_USER, $WORMSIGN_SMB_PASSWORD, $WORMSIGN_SMB_DOMAIN\n"
    "  --kerberos          use the Kerberos ticket cache (kinit, $KRB5CCNAME)\n"
    "  --smb-timeout SEC   per SMB request (default 20)\n"
    "Gentle on clinical machines:\n"
    "  --threads N         worker threads (default: all cores, at most 32)\n"
    "  --io-rate MBPS      read at most MBPS megabytes per second in total\n"
    "  --files-rate N      open at most N files per second\n"
    "  --low-priority      nice 19 and the idle I/O class\n"
    "\n"
    "Exit status: 0 clean, 1 something found, 2 error or incomplete scan.\n";

enum {
    OPT_SCAN_LIST = CLI_OPT_OWN,
    OPT_EXCLUDE,
    OPT_FOLLOW,
    OPT_ONE_FS,
    OPT_PSEUDO,
    OPT_NO_IMAGES,
    OPT_DELETED,
    OPT_MAX_SIZE,
    OPT_TIMEOUT,
    OPT_THREADS,
    OPT_IO_RATE,
    OPT_FILES_RATE,
    OPT_LOW_PRIO,
    OPT_AUTH_FILE,
    OPT_KERBEROS,
    OPT_SMB_TIMEOUT,
    OPT_SSDEEP_MIN,
    OPT_TLSH_MAX,
    OPT_VARIANT_EXACT,
};

static const struct option long_opts[] = {
    CLI_OUTPUT_LONG_OPTIONS,
    CLI_HOST_LONG_OPTION,
    CLI_PROGRESS_LONG_OPTION,
    CLI_PACK_LONG_OPTIONS,
    {"scan-list", required_argument, NULL, OPT_SCAN_LIST},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW},
    {"one-file-system", no_argument, NULL, OPT_ONE_FS},
    {"pseudo-fs", no_argument, NULL, OPT_PSEUDO},
    {"no-images", no_argument, NULL, OPT_NO_IMAGES},
    {"deleted", no_argument, NULL, OPT_DELETED},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"io-rate", required_argument, NULL, OPT_IO_RATE},
    {"files-rate", required_argument, NULL, OPT_FILES_RATE},
    {"low-priority", no_argument, NULL, OPT_LOW_PRIO},
    {"ssdeep-min", required_argument, NULL, OPT_SSDEEP_MIN},
    {"tlsh-max", required_argument, NULL, OPT_TLSH_MAX},
    {"variant-exact", no_argument, NULL, OPT_VARIANT_EXACT},
    {"auth-file", required_argument, NULL, OPT_AUTH_FILE},
    {"kerberos", no_argument, NULL, OPT_KERBEROS},
    {"smb-timeout", required_argument, NULL, OPT_SMB_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct progress_state {
    int enabled;
    int shown;
};

static void show_progress(void *user, const struct ws_scan_progress *p)
{
    struct progress_state *ps = user;
    if (!ps->enabled)
        return;
    double mb = (double)p->bytes / 1e6;
    double rate = p->seconds > 0 ? mb / p->seconds : 0;
    const char *path = p->path ? p->path : "";
    size_t pl = strlen(path);
    const char *tail = pl > 50 ? path + pl - 50 : path;
    /* the path is evidence: print only printable ASCII of it */
    char safe[64];
    size_t k = 0;
    for (; *tail && k + 1 < sizeof safe; tail++)
        safe[k++] = (*tail >= 0x20 && *tail < 0x7f) ? *tail : '?';
    safe[k] = '\0';
    fprintf(stderr, "\r\033[K%llu files, %.0f MB, %.0f MB/s  %s%s", (unsigned long long)p->files,
            mb, rate, pl > 50 ? "..." : "", safe);
    ps->shown = 1;
}

static int add_list_file(ws_scanner *sc, const char *file)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (!f) {
        fprintf(stderr, "wormsign: cannot read scan list %s\n", file);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        ws_status st = ws_scanner_add_path(sc, line);
        if (st == WS_E_CANCELLED || st == WS_E_NOMEM) {
            rc = -1;
            break;
        }
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

int cmd_scan(int argc, char **argv)
{
    static const char verb[] = "scan";
    struct cli_output out = {0};
    struct cli_packs packs = {0};
    struct cli_list excludes = {0}, lists = {0};
    struct ws_scan_opts so = {0};
    int low_prio = 0, kerberos = 0;
    const char *auth_file = NULL;
    unsigned smb_timeout_ms = 0;
    double num = 0;
    int c;
    struct ws_variant_opts vo;
    ws_variant_opts_init(&vo);
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_OUTPUT_SHORT "h", long_opts, NULL)) != -1) {
        int taken = cli_shared_option(&out, &packs, verb, c, optarg);
        if (taken < 0)
            return EXIT_TROUBLE;
        if (taken > 0)
            continue;
        int bad = 0;
        switch (c) {
        case OPT_EXCLUDE:
            bad = cli_list_add(&excludes, verb, "exclude", optarg);
            break;
        case OPT_SCAN_LIST:
            bad = cli_list_add(&lists, verb, "scan-list", optarg);
            break;
        case OPT_FOLLOW:
            so.flags |= WS_SCAN_FOLLOW_SYMLINKS;
            break;
        case OPT_ONE_FS:
            so.flags |= WS_SCAN_ONE_FILE_SYSTEM;
            break;
        case OPT_PSEUDO:
            so.flags |= WS_SCAN_PSEUDO_FS;
            break;
        case OPT_NO_IMAGES:
            so.flags |= WS_SCAN_NO_IMAGES;
            break;
        case OPT_DELETED:
            so.flags |= WS_SCAN_DELETED;
            break;
        case OPT_MAX_SIZE:
            bad = cli_size_option(verb, "max-size", optarg, &so.max_scan_size);
            break;
        case OPT_TIMEOUT:
            bad = cli_number_option(verb, "timeout", optarg, 1, 86400, 0, &num);
            so.yara_timeout = (unsigned)num;
            break;
        case OPT_THREADS:
            bad = cli_number_option(verb, "threads", optarg, 1, 32, 1, &num);
            so.threads = (unsigned)num;
            break;
        case OPT_IO_RATE:
            bad = cli_number_option(verb, "io-rate", optarg, 1e-3, 1e6, 0, &so.io_rate);
            break;
        case OPT_FILES_RATE:
            bad = cli_number_option(verb, "files-rate", optarg, 1e-3, 1e9, 0, &so.file_rate);
            break;
        case OPT_LOW_PRIO:
            low_prio = 1;
            break;
        case OPT_SSDEEP_MIN:
            bad = cli_number_option(verb, "ssdeep-min", optarg, 1, 100, 1, &num);
            vo.ssdeep_min_score = (int)num;
            break;
        case OPT_TLSH_MAX:
            bad = cli_number_option(verb, "tlsh-max", optarg, 0, 2000, 1, &num);
            vo.tlsh_max_distance = (int)num;
            break;
        case OPT_VARIANT_EXACT:
            vo.methods = WS_VARIANT_INSERTION;
            break;
        case OPT_AUTH_FILE:
            auth_file = optarg;
            break;
        case OPT_KERBEROS:
            kerberos = 1;
            break;
        case OPT_SMB_TIMEOUT:
            bad = cli_number_option(verb, "smb-timeout", optarg, 1, 3600, 0, &num);
            smb_timeout_ms = (unsigned)(num * 1000);
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
    if (optind >= argc && lists.n == 0) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    if (cli_output_ready(&out, verb) != 0)
        return EXIT_TROUBLE;

    ws_report *report = NULL;
    ws_pack *pack = NULL;
    ws_scanner *sc = NULL;
    int rc = EXIT_TROUBLE;
    struct cli_smb smb = {0};
    int any_smb = 0;
    for (int i = optind; i < argc; i++)
        any_smb |= ws_smb_is_url(argv[i]);
    if ((any_smb || lists.n || auth_file) && cli_smb_creds(&smb, auth_file, kerberos) != 0)
        return EXIT_TROUBLE;
    smb.opts.timeout_ms = smb_timeout_ms;
    so.smb = &smb.opts;
    struct cli_run run;
    cli_run_start(&run, "scan");
    if (cli_report_open(&out, &report) != 0)
        goto done;
    if (cli_load_packs(&pack, &packs, report) != 0)
        goto done;
    if (low_prio)
        cli_low_priority();
    struct progress_state ps = {!out.no_progress && isatty(STDERR_FILENO), 0};
    so.variant = &vo;
    so.excludes = excludes.v;
    so.n_excludes = excludes.n;
    so.emit = ws_report_emit;
    so.emit_user = report;
    so.progress = show_progress;
    so.progress_user = &ps;
    if (ws_scanner_new(pack, &so, &sc) != WS_OK) {
        fprintf(stderr, "wormsign scan: cannot start the scanner\n");
        goto done;
    }
    int walk_failed = 0;
    for (int i = optind; i < argc; i++)
        if (ws_scanner_add_path(sc, argv[i]) == WS_E_NOMEM)
            walk_failed = 1;
    for (size_t i = 0; i < lists.n; i++)
        if (add_list_file(sc, lists.v[i]) != 0)
            walk_failed = 1;
    struct ws_scan_stats stats;
    ws_status fst = ws_scanner_finish(sc, &stats);
    if (ps.shown)
        fprintf(stderr, "\r\033[K");
    run.sum.objects = stats.files;
    run.sum.bytes = stats.bytes;
    run.sum.seconds = stats.seconds;
    rc = cli_run_finish(&run, report, !walk_failed && fst == WS_OK);
    if (stats.symlinks_not_followed && out.verbose)
        fprintf(stderr, "wormsign scan: %llu symbolic links not followed (--follow-symlinks)\n",
                (unsigned long long)stats.symlinks_not_followed);
done:
    ws_scanner_free(sc);
    ws_pack_free(pack);
    ws_report_free(report);
    cli_report_close_files(&out);
    cli_smb_release(&smb);
    return rc;
}
