/*
 * cli.h - the subcommands of the wormsign CLI (one file each, git builtins
 * style) and the helpers they share. The CLI is the only place that prints,
 * reads the environment or exits.
 * cli.h - the subcommands of the wormsign CLI (one per src/cli/<verb>.c).
 */
#ifndef WS_CLI_H
#define WS_CLI_H

#include <stdio.h>

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

/* Output options shared by the subcommands that report findings. */
struct cli_output {
    int json, csv, quiet, verbose, color;
    const char *output_path; /* --output FILE: machine output there, human summary on stdout */
    const char *host;        /* --host, else gethostname() */
    FILE *out_file;
};

/* Build a report with the sinks asked for. */
int cli_report_open(struct cli_output *o, ws_report **out);
void cli_report_close_files(struct cli_output *o);
/* Parse "64M", "1G", "4096" into bytes; -1 on error. */
int cli_parse_size(const char *s, uint64_t *out);
/* Parse a non-negative number (integer or decimal) no larger than max. */
int cli_parse_number(const char *s, double max, double *out);
/* Load the built-in pack (unless no_default) and each --pack, then compile. */
int cli_load_packs(ws_pack **out, int no_default, const char *const *packs, size_t n_packs,
                   ws_report *report);
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
