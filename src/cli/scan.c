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
    "Output:\n"
    "  --json              NDJSON, Elastic Common Schema names, one object per finding\n"
    "  --csv               CSV, one row per finding\n"
    "  -o, --output FILE   write the JSON/CSV to FILE; the human summary stays on stdout\n"
    "  --host NAME         host.name for the findings (default: this machine's name)\n"
    "  -q, --quiet         human output: findings and errors only, no totals\n"
    "  -v, --verbose       human output: also list skipped files\n"
    "  --no-progress       no progress line on stderr (shown only on a terminal)\n"
    "  --color=WHEN        auto (default: only on a terminal), always, never\n"
    "Packs:\n"
    "  --pack PATH         YARA rules (source or compiled), Loki IOC files, hash lists,\n"
    "                      or a folder such as a signature-base checkout; repeatable\n"
    "  --no-default-pack   do not load the built-in Kwampirs pack\n"
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
    OPT_JSON = 256,
    OPT_CSV,
    OPT_HOST,
    OPT_NO_PROGRESS,
    OPT_COLOR,
    OPT_PACK,
    OPT_NO_DEFAULT,
    OPT_SCAN_LIST,
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
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"output", required_argument, NULL, 'o'},
    {"host", required_argument, NULL, OPT_HOST},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"color", required_argument, NULL, OPT_COLOR},
    {"pack", required_argument, NULL, OPT_PACK},
    {"no-default-pack", no_argument, NULL, OPT_NO_DEFAULT},
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

/* Bounded lists of repeatable options. */
#define MAX_LIST_OPTS 256

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
    struct cli_output out = {0};
    struct ws_scan_opts so = {0};
    const char *packs[MAX_LIST_OPTS], *excludes[MAX_LIST_OPTS], *lists[MAX_LIST_OPTS];
    size_t n_packs = 0, n_excl = 0, n_lists = 0;
    int no_default = 0, no_progress = 0, low_prio = 0, color = -1, kerberos = 0;
    const char *auth_file = NULL;
    unsigned smb_timeout_ms = 0;
    double num;
    int c;
    struct ws_variant_opts vo;
    ws_variant_opts_init(&vo);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qvh", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON:
            out.json = 1;
            break;
        case OPT_CSV:
            out.csv = 1;
            break;
        case 'o':
            out.output_path = optarg;
            break;
        case OPT_HOST:
            out.host = optarg;
            break;
        case 'q':
            out.quiet = 1;
            break;
        case 'v':
            out.verbose = 1;
            break;
        case OPT_NO_PROGRESS:
            no_progress = 1;
            break;
        case OPT_COLOR:
            if (strcmp(optarg, "always") == 0)
                color = 1;
            else if (strcmp(optarg, "never") == 0)
                color = 0;
            else if (strcmp(optarg, "auto") == 0)
                color = -1;
            else {
                fprintf(stderr, "wormsign scan: --color takes auto, always or never\n");
                return EXIT_TROUBLE;
            }
            break;
        case OPT_PACK:
        case OPT_EXCLUDE:
        case OPT_SCAN_LIST: {
            const char **l = c == OPT_PACK ? packs : c == OPT_EXCLUDE ? excludes : lists;
            size_t *n = c == OPT_PACK ? &n_packs : c == OPT_EXCLUDE ? &n_excl : &n_lists;
            if (*n >= MAX_LIST_OPTS) {
                fprintf(stderr, "wormsign scan: too many --%s options (at most %d)\n",
                        c == OPT_PACK      ? "pack"
                        : c == OPT_EXCLUDE ? "exclude"
                                           : "scan-list",
                        MAX_LIST_OPTS);
                return EXIT_TROUBLE;
            }
            l[(*n)++] = optarg;
            break;
        }
        case OPT_NO_DEFAULT:
            no_default = 1;
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
            if (cli_parse_size(optarg, &so.max_scan_size) != 0 || so.max_scan_size == 0 ||
                so.max_scan_size > ((uint64_t)1 << 40)) {
                fprintf(stderr, "wormsign scan: bad --max-size '%s' (e.g. 64M, 1G)\n", optarg);
                return EXIT_TROUBLE;
            }
            break;
        case OPT_TIMEOUT:
            if (cli_parse_number(optarg, 86400, &num) != 0 || num < 1) {
                fprintf(stderr, "wormsign scan: bad --timeout '%s' (1..86400 s)\n", optarg);
                return EXIT_TROUBLE;
            }
            so.yara_timeout = (unsigned)num;
            break;
        case OPT_THREADS:
            if (cli_parse_number(optarg, 32, &num) != 0 || num < 1 || num != (unsigned)num) {
                fprintf(stderr, "wormsign scan: bad --threads '%s' (1..32)\n", optarg);
                return EXIT_TROUBLE;
            }
            so.threads = (unsigned)num;
            break;
        case OPT_IO_RATE:
            if (cli_parse_number(optarg, 1e6, &so.io_rate) != 0 || so.io_rate <= 0) {
                fprintf(stderr, "wormsign scan: bad --io-rate '%s' (MB/s > 0)\n", optarg);
                return EXIT_TROUBLE;
            }
            break;
        case OPT_FILES_RATE:
            if (cli_parse_number(optarg, 1e9, &so.file_rate) != 0 || so.file_rate <= 0) {
                fprintf(stderr, "wormsign scan: bad --files-rate '%s' (> 0)\n", optarg);
                return EXIT_TROUBLE;
            }
            break;
        case OPT_LOW_PRIO:
            low_prio = 1;
            break;
        case OPT_SSDEEP_MIN:
            if (cli_parse_number(optarg, 100, &num) != 0 || num < 1 || num != (int)num) {
                fprintf(stderr, "wormsign scan: bad --ssdeep-min '%s' (1..100)\n", optarg);
                return EXIT_TROUBLE;
            }
            vo.ssdeep_min_score = (int)num;
            break;
        case OPT_TLSH_MAX:
            if (cli_parse_number(optarg, 2000, &num) != 0 || num != (int)num) {
                fprintf(stderr, "wormsign scan: bad --tlsh-max '%s' (0..2000)\n", optarg);
                return EXIT_TROUBLE;
            }
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
            if (cli_parse_number(optarg, 3600, &num) != 0 || num < 1) {
                fprintf(stderr, "wormsign scan: bad --smb-timeout '%s' (1..3600 s)\n", optarg);
                return EXIT_TROUBLE;
            }
            smb_timeout_ms = (unsigned)(num * 1000);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage_text, stderr);
            return EXIT_TROUBLE;
        }
    }
    if (optind >= argc && n_lists == 0) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    if (out.json && out.csv) {
        fprintf(stderr, "wormsign scan: choose one of --json and --csv\n");
        return EXIT_TROUBLE;
    }
    out.color = color == -1 ? isatty(STDOUT_FILENO) : color;
    if (out.json || out.csv)
        setvbuf(stdout, NULL, _IOLBF, 0); /* records survive an interrupted run */

    ws_report *report = NULL;
    ws_pack *pack = NULL;
    ws_scanner *sc = NULL;
    int rc = EXIT_TROUBLE;
    struct cli_smb smb = {0};
    int any_smb = 0;
    for (int i = optind; i < argc; i++)
        any_smb |= ws_smb_is_url(argv[i]);
    if ((any_smb || n_lists || auth_file) && cli_smb_creds(&smb, auth_file, kerberos) != 0)
        return EXIT_TROUBLE;
    smb.opts.timeout_ms = smb_timeout_ms;
    so.smb = &smb.opts;
    struct ws_summary sum = {0};
    struct timespec t0;
    clock_gettime(CLOCK_REALTIME, &t0);
    sum.command = "scan";
    sum.started = t0.tv_sec;
    if (cli_report_open(&out, &report) != 0)
        goto done;
    if (cli_load_packs(&pack, no_default, packs, n_packs, report) != 0)
        goto done;
    if (low_prio)
        cli_low_priority();
    struct progress_state ps = {!no_progress && isatty(STDERR_FILENO), 0};
    so.variant = &vo;
    so.excludes = excludes;
    so.n_excludes = n_excl;
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
    for (size_t i = 0; i < n_lists; i++)
        if (add_list_file(sc, lists[i]) != 0)
            walk_failed = 1;
    struct ws_scan_stats stats;
    ws_status fst = ws_scanner_finish(sc, &stats);
    if (ps.shown)
        fprintf(stderr, "\r\033[K");
    sum.objects = stats.files;
    sum.bytes = stats.bytes;
    sum.seconds = stats.seconds;
    ws_report_totals(report, &sum);
    sum.complete = !walk_failed && fst == WS_OK && sum.errors == 0;
    if (ws_report_close(report, &sum) != WS_OK) {
        fprintf(stderr, "wormsign scan: writing the results failed\n");
        sum.complete = 0;
        sum.errors++;
    }
    rc = ws_summary_exit_code(&sum);
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
