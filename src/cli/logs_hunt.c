/*
 * logs_hunt.c - `wormsign logs [options] FILE|DIR...`: detections over
 * Windows event logs (EVTX and legacy EVT), findings in the same human /
 * NDJSON (ECS) / CSV form as `wormsign scan`.
 *
 * Every FILE is read; a DIR is walked (sorted, depth-capped) for *.evtx and
 * *.evt files. All files go to one ws_logs, so the correlation detectors see
 * the Security and System logs of one host together. `logs dump` stays in
 * logs.c.
 */
#include "core/compat.h"

#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/alloc.h"
#include "core/limits.h"
#include "wormsign/logs.h"

static const char usage_text[] =
    "usage: wormsign logs [options] FILE|DIR...\n"
    "       wormsign logs dump [--json] FILE...\n"
    "\n"
    "Hunt Kwampirs and generic lateral movement in Windows event logs (EVTX, and\n"
    "legacy EVT from Windows XP/2003). A DIR is searched for *.evtx and *.evt files.\n"
    "Give the Security and System logs of one host together: detectors correlate\n"
    "events across files by computer name. Rules come from the packs' event-rules\n"
    "files (docs/event-rules.md).\n"
    "\n" CLI_OUTPUT_HELP
    "  --host NAME         host.name for records without a computer name\n" CLI_PACK_HELP
    "  --threads N         parse each log's chunks on N threads (default: all cores,\n"
    "                      at most 16); findings are the same, in file order\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 nothing found, 1 something found, 2 error (unreadable or corrupt\n"
    "log, bad pack, bad usage).\n";

enum { OPT_THREADS = CLI_OPT_OWN };

static const struct option long_opts[] = {
    CLI_OUTPUT_LONG_OPTIONS,
    CLI_HOST_LONG_OPTION,
    CLI_PACK_LONG_OPTIONS,
    {"threads", required_argument, NULL, OPT_THREADS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

#define MAX_DIR_DEPTH 16
#define MAX_LOG_FILES 100000

struct names {
    char **v;
    size_t n, cap;
};

static int log_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcasecmp(name + n - 5, ".evtx") == 0) ||
           (n > 4 && strcasecmp(name + n - 4, ".evt") == 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect the log files under dir (sorted); returns 0, or -1 on NOMEM. */
static int walk(const char *dir, int depth, struct names *out, int *trouble)
{
    if (depth > MAX_DIR_DEPTH)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "wormsign logs: cannot open folder %s\n", dir);
        *trouble = 1;
        return 0;
    }
    struct names here = {0};
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *p = ws_malloc(need);
        if (!p || WS_GROW(here.v, here.cap, here.n + 1) != 0) {
            ws_free(p);
            rc = -1;
            break;
        }
        snprintf(p, need, "%s/%s", dir, e->d_name);
        here.v[here.n++] = p;
    }
    closedir(d);
    if (here.n)
        qsort(here.v, here.n, sizeof *here.v, cmp_str);
    for (size_t i = 0; i < here.n; i++) {
        struct stat sb;
        if (rc == 0 && stat(here.v[i], &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) {
                rc = walk(here.v[i], depth + 1, out, trouble);
            } else if (S_ISREG(sb.st_mode) && log_ext(here.v[i]) && out->n < MAX_LOG_FILES) {
                if (WS_GROW(out->v, out->cap, out->n + 1) != 0) {
                    rc = -1;
                } else {
                    out->v[out->n++] = here.v[i];
                    here.v[i] = NULL;
                }
            }
        }
        ws_free(here.v[i]);
    }
    ws_free(here.v);
    return rc;
}

int cmd_logs_hunt(int argc, char **argv)
{
    static const char verb[] = "logs";
    struct cli_output out = {0};
    struct cli_packs packs = {0};
    int c;
    unsigned threads = 0;
    double num = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, CLI_OUTPUT_SHORT "h", long_opts, NULL)) != -1) {
        int taken = cli_shared_option(&out, &packs, verb, c, optarg);
        if (taken < 0)
            return EXIT_TROUBLE;
        if (taken > 0)
            continue;
        switch (c) {
        case OPT_THREADS:
            if (cli_number_option(verb, "threads", optarg, 1, WS_EVTX_MAX_THREADS, 1, &num) != 0)
                return EXIT_TROUBLE;
            threads = (unsigned)num;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage_text, stderr);
            return EXIT_TROUBLE;
        }
    }
    if (optind >= argc) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    if (cli_output_ready(&out, verb) != 0)
        return EXIT_TROUBLE;

    ws_report *report = NULL;
    ws_pack *pack = NULL;
    ws_logs *h = NULL;
    struct names files = {0};
    int rc = EXIT_TROUBLE, trouble = 0;
    struct cli_run run;
    cli_run_start(&run, "logs");
    if (cli_report_open(&out, &report) != 0)
        return EXIT_TROUBLE;
    if (cli_load_packs(&pack, &packs, report) != 0)
        goto done;
    if (ws_logs_new(pack, ws_report_emit, report, &h) != WS_OK) {
        fprintf(stderr, "wormsign logs: out of memory\n");
        goto done;
    }
    ws_logs_set_threads(h, threads);
    for (int i = optind; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            if (walk(argv[i], 0, &files, &trouble) != 0) {
                fprintf(stderr, "wormsign logs: out of memory\n");
                goto done;
            }
            continue;
        }
        char *p = ws_strdup(argv[i]);
        if (!p || WS_GROW(files.v, files.cap, files.n + 1) != 0) {
            ws_free(p);
            goto done;
        }
        files.v[files.n++] = p;
    }
    for (size_t i = 0; i < files.n; i++) {
        ws_status st = ws_logs_add_file(h, files.v[i]);
        if (st == WS_E_NOMEM) {
            fprintf(stderr, "wormsign logs: out of memory\n");
            trouble = 1;
            break;
        }
        if (st != WS_OK)
            trouble = 1;
    }
    if (ws_logs_finish(h) != WS_OK)
        trouble = 1;
    struct ws_logs_stats ls;
    ws_logs_get_stats(h, &ls);
    run.sum.objects = ls.records;
    run.sum.bytes = ls.bytes;
    rc = cli_run_finish(&run, report, !trouble);
done:
    for (size_t i = 0; i < files.n; i++)
        ws_free(files.v[i]);
    ws_free(files.v);
    ws_logs_free(h);
    ws_pack_free(pack);
    ws_report_free(report);
    cli_report_close_files(&out);
    return rc;
}
