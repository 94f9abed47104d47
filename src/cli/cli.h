/*
 * cli.h - the subcommands of the wormsign CLI (one file each, git builtins
 * style) and the helpers they share. The CLI is the only place that prints,
 * reads the environment or exits.
 *
 * The options that mean the same in every subcommand that reports findings
 * (output, packs) are parsed in one place (common.c): each subcommand lists
 * CLI_OUTPUT_LONG_OPTIONS / CLI_PACK_LONG_OPTIONS in its getopt table and
 * hands every option to cli_output_option() and cli_pack_option() before its
 * own switch. Its own option codes start at CLI_OPT_OWN.
 */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <stdio.h>
#include <time.h>

#include "wormsign/wormsign.h"

int cmd_scan(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_logs_hunt(int argc, char **argv); /* logs_hunt.c: `logs FILE|DIR...` */

/* Exit statuses (the house rule). */
#define EXIT_CLEAN 0
#define EXIT_FOUND 1
#define EXIT_TROUBLE 2

/* getopt_long codes of the shared options (above any character). */
enum {
    CLI_OPT_JSON = 0x100,
    CLI_OPT_CSV,
    CLI_OPT_HOST,
    CLI_OPT_NO_PROGRESS,
    CLI_OPT_COLOR,
    CLI_OPT_PACK,
    CLI_OPT_NO_DEFAULT_PACK,
    CLI_OPT_OWN = 0x200 /* first code of a subcommand's own options */
};

/* The output options, for a subcommand's struct option table; short "o:qv".
 * --host and --no-progress only where they mean something. */
#define CLI_OUTPUT_SHORT "o:qv"
/* clang-format off */
#define CLI_OUTPUT_LONG_OPTIONS                                                                    \
    {"json", no_argument, NULL, CLI_OPT_JSON},                                                     \
    {"csv", no_argument, NULL, CLI_OPT_CSV},                                                       \
    {"output", required_argument, NULL, 'o'},                                                      \
    {"quiet", no_argument, NULL, 'q'},                                                             \
    {"verbose", no_argument, NULL, 'v'},                                                           \
    {"color", required_argument, NULL, CLI_OPT_COLOR}
#define CLI_HOST_LONG_OPTION {"host", required_argument, NULL, CLI_OPT_HOST}
#define CLI_PROGRESS_LONG_OPTION {"no-progress", no_argument, NULL, CLI_OPT_NO_PROGRESS}
#define CLI_PACK_LONG_OPTIONS                                                                      \
    {"pack", required_argument, NULL, CLI_OPT_PACK},                                               \
    {"no-default-pack", no_argument, NULL, CLI_OPT_NO_DEFAULT_PACK}
/* clang-format on */

/* Help text for the shared options, for the subcommands' usage texts. */
#define CLI_OUTPUT_HELP                                                                            \
    "  --json              NDJSON, Elastic Common Schema names, one object per finding\n"          \
    "  --csv               CSV, one row per finding\n"                                             \
    "  -o, --output FILE   write the JSON/CSV to FILE; the human summary stays on stdout\n"        \
    "  -q, --quiet         human output: findings and errors only, no totals\n"                    \
    "  -v, --verbose       human output: also list info and skip records\n"                        \
    "  --color=WHEN        auto (default: only on a terminal), always, never\n"
#define CLI_HOST_HELP                                                                              \
    "  --host NAME         host.name for the findings (default: this machine's name)\n"
#define CLI_PROGRESS_HELP                                                                          \
    "  --no-progress       no progress line on stderr (shown only on a terminal)\n"
#define CLI_PACK_HELP                                                                              \
    "  --pack PATH         YARA rules (source or compiled), Loki IOC files, hash lists,\n"         \
    "                      or a folder such as a signature-base checkout; repeatable\n"            \
    "  --no-default-pack   do not load the built-in Kwampirs pack\n"

/* Output options shared by the subcommands that report findings. */
struct cli_output {
    int json, csv, quiet, verbose, color;
    int color_set, color_mode; /* --color given, and its value: -1 auto, 0 never, 1 always */
    int no_progress;           /* --no-progress */
    const char *output_path;   /* --output FILE: machine output there, human summary on stdout */
    const char *host;          /* --host, else gethostname() */
    FILE *out_file;
};

/* A repeatable option's values (borrowed from argv), with a named cap. */
#define CLI_MAX_LIST 256
struct cli_list {
    const char *v[CLI_MAX_LIST];
    size_t n;
};

/* The packs asked for: --pack (repeatable) and --no-default-pack. */
struct cli_packs {
    struct cli_list paths;
    int no_default;
};

/* Take one getopt result if it is a shared option: 1 taken, 0 not one of
 * these, -1 bad value (the message, naming verb, is printed). */
int cli_output_option(struct cli_output *o, const char *verb, int c, const char *arg);
int cli_pack_option(struct cli_packs *p, const char *verb, int c, const char *arg);
/* Both of the above (packs may be NULL). */
int cli_shared_option(struct cli_output *o, struct cli_packs *p, const char *verb, int c,
                      const char *arg);
/* After parsing: refuse --json with --csv, settle colour, line-buffer machine
 * output on stdout (records survive an interrupted run). -1 on a conflict. */
int cli_output_ready(struct cli_output *o, const char *verb);
/* Append arg to l; -1 (message printed) past CLI_MAX_LIST. */
int cli_list_add(struct cli_list *l, const char *verb, const char *opt, const char *arg);
/* A numeric option in [min, max] (integral: whole numbers only); -1 with a
 * message "wormsign VERB: bad --OPT 'ARG' (MIN..MAX)" otherwise. */
int cli_number_option(const char *verb, const char *opt, const char *arg, double min, double max,
                      int integral, double *out);

/* One run of a subcommand: its summary and when it started. */
struct cli_run {
    struct ws_summary sum;
    struct timespec t0;
};
void cli_run_start(struct cli_run *r, const char *command);
/* Close the report with the run's totals (objects and bytes set by the
 * caller; seconds too, else measured from the start). ok: nothing was left
 * unexamined. Returns the exit status. */
int cli_run_finish(struct cli_run *r, ws_report *report, int ok);

/* Build a report with the sinks asked for. */
int cli_report_open(struct cli_output *o, ws_report **out);
void cli_report_close_files(struct cli_output *o);
/* Parse "64M", "1G", "4096" into bytes; -1 on error. */
int cli_parse_size(const char *s, uint64_t *out);
/* A size option ("64M") above 0 and at most 1 TiB; -1 with a message otherwise. */
int cli_size_option(const char *verb, const char *opt, const char *arg, uint64_t *out);
/* Parse a non-negative number (integer or decimal) no larger than max. */
int cli_parse_number(const char *s, double max, double *out);
/* Load the built-in pack (unless no_default) and each --pack, then compile. */
int cli_load_packs(ws_pack **out, const struct cli_packs *packs, ws_report *report);
/* SMB credentials (smbauth.c): auth file, environment or Kerberos; never argv. */
struct cli_smb {
    char *user, *password, *domain; /* owned; password wiped by cli_smb_release */
    struct ws_smb_opts opts;        /* points into the above */
};
int cli_smb_creds(struct cli_smb *c, const char *auth_file, int kerberos);
void cli_smb_release(struct cli_smb *c);

/* sweep_hook.c: a file the sweep copied (event log or hive), for the log and
 * hive detectors. Any thread. */
void cli_sweep_on_host_logs(ws_report *report, const ws_pack *pack, const char *host,
                            const char *ip, const char *const *logs, size_t n_logs);
void cli_sweep_on_collected(ws_report *report, const ws_pack *pack,
                            const struct ws_sweep_collected *c);

/* Lower CPU and I/O priority (nice 19, idle I/O class). */
void cli_low_priority(void);
int cmd_digest(int argc, char **argv);
int cmd_hive(int argc, char **argv);
int cmd_net(int argc, char **argv);

#endif
