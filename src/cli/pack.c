/*
 * pack.c - `wormsign pack show|check`: what the packs hold, and whether a
 * user pack loads cleanly.
 */
#define _GNU_SOURCE 1
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: wormsign pack show [--pack PATH]... [--no-default-pack] [-v]\n"
    "       wormsign pack check PATH...\n"
    "\n"
    "show   list what the loaded packs hold: files, counts per kind, YARA rules and the\n"
    "       public sources the entries cite (-v: every entry)\n"
    "check  load user packs alone and report every problem with its file and line;\n"
    "       exit 0 if all loaded cleanly, 2 otherwise\n";

int cmd_pack(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_PACK_LONG_OPTIONS,
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_TROUBLE : EXIT_CLEAN;
    }
    const char *verb = argv[1];
    int check = strcmp(verb, "check") == 0;
    if (!check && strcmp(verb, "show") != 0) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    struct cli_packs packs = {.no_default = check};
    int verbose = 0, c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "vh", opts, NULL)) != -1) {
        int taken = cli_pack_option(&packs, "pack", c, optarg);
        if (taken < 0)
            return EXIT_TROUBLE;
        if (taken > 0)
            continue;
        switch (c) {
        case 'v':
            verbose = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_CLEAN;
        default:
            fputs(usage_text, stderr);
            return EXIT_TROUBLE;
        }
    }
    for (int i = optind + 1; i < argc; i++)
        if (cli_list_add(&packs.paths, "pack", "pack", argv[i]) != 0)
            return EXIT_TROUBLE;
    if (check && packs.paths.n == 0) {
        fputs(usage_text, stderr);
        return EXIT_TROUBLE;
    }
    struct cli_output out = {0};
    out.verbose = 1;
    ws_report *report;
    if (cli_report_open(&out, &report) != 0)
        return EXIT_TROUBLE;
    ws_pack *pack;
    int rc = EXIT_TROUBLE;
    if (cli_load_packs(&pack, &packs, report) == 0) {
        struct ws_summary sum = {0};
        ws_report_totals(report, &sum);
        if (!check && ws_pack_describe(pack, stdout, verbose) != WS_OK)
            sum.errors++;
        if (check) {
            struct ws_pack_stats ps;
            ws_pack_get_stats(pack, &ps);
            printf("%zu pack files: %zu hash IOCs, %zu file-name IOCs, %zu YARA rules "
                   "(%zu files failed), %zu C2 indicators; %llu problems\n",
                   ps.sources, ps.md5 + ps.sha1 + ps.sha256, ps.name_iocs, ps.yara_rules,
                   ps.yara_failed, ps.c2_domains + ps.c2_ips + ps.c2_urls,
                   (unsigned long long)sum.errors);
        }
        rc = sum.errors ? EXIT_TROUBLE : EXIT_CLEAN;
        ws_pack_free(pack);
    }
    ws_report_free(report);
    return rc;
}
