/*
 * hive.c - `wormsign hive [--json] FILE...`: scan offline registry hives
 * (SYSTEM, SOFTWARE, NTUSER.DAT) for the Kwampirs service and Run-key
 * indicators and for traces of remote service creation. See
 * include/wormsign/hive.h and docs/internals/hive.md.
 *
 * Exit status: 0 nothing found and every hive read; 1 something found;
 * 2 a hive could not be read (and nothing found) or bad usage.
 *
 * Output: through the report and sinks of the CLI (cli_report_open).
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "wormsign/hive.h"

static const char usage_text[] =
    "usage: wormsign hive [--json] FILE...\n"
    "\n"
    "Scan offline registry hives for Kwampirs and for lateral movement:\n"
    "  SYSTEM: every ControlSetNNN\\Services for the Kwampirs service\n"
    "          (WmiApSrvEx, 'WMI Performance Adapter Extension',\n"
    "          'ControlTrace -Embedding -k'), and services whose binary sits in\n"
    "          the Windows folder root, a Temp folder or a share, or that run\n"
    "          cmd /c, PowerShell or rundll32 (PsExec's PSEXESVC and the like);\n"
    "  SOFTWARE, NTUSER.DAT: Run/RunOnce values naming Kwampirs files.\n"
    "Damaged or truncated hives are reported as errors; what can be read is\n"
    "still scanned.\n"
    "\n"
    "  --json   one NDJSON record (Elastic Common Schema names) per finding\n"
    "  --help   this text\n"
    "\n"
    "Exit status: 0 clean, 1 found, 2 error.\n";

/* Options; returns the index of the first FILE, 0 after --help, -1 on a
 * usage error (message printed). */
static int parse_args(int argc, char **argv, int *json)
{
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i + 1 < argc ? i + 1 : -1;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "wormsign hive: unknown option '%s'\n", argv[i]);
            return -1;
        }
        return i;
    }
    return -1;
}

int cmd_hive(int argc, char **argv)
{
    struct cli_output out;
    memset(&out, 0, sizeof out);
    int first = parse_args(argc, argv, &out.json);
    if (first <= 0) {
        if (first < 0)
            fputs(usage_text, stderr);
        return first < 0 ? EXIT_TROUBLE : EXIT_CLEAN;
    }
    if (out.json)
        setvbuf(stdout, NULL, _IOLBF, 0); /* records survive an interrupted run */

    ws_report *report = NULL;
    struct cli_run run;
    struct ws_hive_stats stats;
    memset(&stats, 0, sizeof stats);
    cli_run_start(&run, "hive");
    if (cli_report_open(&out, &report) != 0)
        return EXIT_TROUBLE;
    int failed = 0;
    for (int i = first; i < argc && !failed; i++) {
        ws_status st = ws_hive_scan_file(argv[i], ws_report_emit, report, &stats);
        if (st != WS_OK) {
            fprintf(stderr, "wormsign hive: %s: %s\n", argv[i], ws_status_str(st));
            failed = 1;
        }
    }
    run.sum.objects = stats.hives;
    int rc = cli_run_finish(&run, report, !failed);
    ws_report_free(report);
    cli_report_close_files(&out);
    return rc;
}
