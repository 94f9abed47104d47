/*
 * hive.c - `wormsign hive [--json] FILE...`: scan offline registry hives
 * (SYSTEM, SOFTWARE, NTUSER.DAT) for the Kwampirs service and Run-key
 * indicators and for traces of remote service creation. See
 * include/wormsign/hive.h and docs/internals/hive.md.
 *
 * Exit status: 0 nothing found and every hive read; 1 something found;
 * 2 a hive could not be read (and nothing found) or bad usage.
 */
#include "core/compat.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hive_print_tmp.h"
#include "wormsign/hive.h"

struct hive_ctx {
    int json;
    unsigned long long alerts, errors, print_failures;
};

static void usage(FILE *out)
{
    fputs("usage: wormsign hive [--json] FILE...\n"
          "\n"
          "Scan offline registry hives for Kwampirs and for lateral movement:\n"
          "  SYSTEM: every ControlSetNNN\\Services for the Kwampirs service\n"
          "          (WmiApSrvEx, 'WMI Performance Adapter Extension',\n"
          "          'ControlTrace -Embedding -k'), and services whose binary sits in\n"
          "          the Windows folder root, a Temp folder or a share, or that run\n"
          "          cmd /c, PowerShell or rundll32 (PsExec's PSEXESVC and the like);\n"
          "  SOFTWARE, NTUSER.DAT: Run/RunOnce values naming Kwampirs files.\n"
          "\n"
          "  --json   one NDJSON record (Elastic Common Schema names) per finding\n"
          "  --help   this text\n"
          "\n"
          "Exit status: 0 clean, 1 found, 2 error.\n",
          out);
}

static int on_finding(void *user, const struct ws_finding *f)
{
    struct hive_ctx *c = user;
    if (f->kind == WS_FINDING_ALERT)
        c->alerts++;
    else if (f->kind == WS_FINDING_ERROR)
        c->errors++;
    if (!c->json && f->kind == WS_FINDING_INFO)
        return 0; /* the human output lists what matters */
    if (hive_tmp_print(stdout, c->json, f) != 0)
        c->print_failures++;
    return 0;
}

int cmd_hive(int argc, char **argv)
{
    struct hive_ctx c;
    memset(&c, 0, sizeof c);
    int first = argc, i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            first = i + 1;
            break;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--json") == 0) {
            c.json = 1;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "wormsign hive: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
        first = i;
        break;
    }
    if (first >= argc) {
        usage(stderr);
        return 2;
    }
    struct ws_hive_stats stats;
    memset(&stats, 0, sizeof stats);
    for (i = first; i < argc; i++) {
        ws_status st = ws_hive_scan_file(argv[i], on_finding, &c, &stats);
        if (st != WS_OK) {
            fprintf(stderr, "wormsign hive: %s: %s\n", argv[i], ws_status_str(st));
            return 2;
        }
    }
    if (fflush(stdout) != 0 || c.print_failures) {
        fprintf(stderr, "wormsign hive: cannot write the output\n");
        return 2;
    }
    if (!c.json)
        fprintf(stderr,
                "wormsign hive: %llu hive(s), %llu service key(s), %llu Run value(s); "
                "%llu alert(s), %llu error(s)\n",
                (unsigned long long)stats.hives, (unsigned long long)stats.services,
                (unsigned long long)stats.run_values, c.alerts, c.errors);
    return c.alerts ? 1 : c.errors ? 2 : 0;
}
