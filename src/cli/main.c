/*
 * main.c - the wormsign command: dispatch to one file per subcommand
 * (git's git.c and its builtin/ folder).
 */
#include <stdio.h>
#include <string.h>

#include <yara.h>

#include "cli/cli.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"scan", cmd_scan, "hunt Kwampirs in files, folders, mounted shares and images"},
    {"sweep", cmd_sweep, "check Windows hosts over SMB: exposure, Kwampirs files, logs"},
    {"pack", cmd_pack, "show or check what the built-in and user packs hold"},
    {"digest", cmd_digest, "print reference digests (hashes, ssdeep, TLSH, insertion-tolerant)"},
    {"hive", cmd_hive, "scan offline registry hives (SYSTEM, SOFTWARE, NTUSER.DAT)"},
    {"net", cmd_net, "find SMB lateral movement and C2 in network captures (pcap, pcapng)"},
    {"logs", cmd_logs, "hunt Windows event logs (EVTX, XP-era EVT); dump them as NDJSON"},
    {"version", cmd_version, "print the version"},
    {"help", cmd_help, "list the commands"},
};

static int usage(FILE *f)
{
    fprintf(f,
            "usage: wormsign [--version] [--help] <command> [<args>]\n\n"
            "wormsign finds the Kwampirs backdoor (Orangeworm) and threats that behave like it.\n\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'wormsign <command> --help' for a command's options. See wormsign(1).\n"
               "Exit status: 0 clean, 1 something found, 2 error or incomplete.\n");
    return f == stdout ? 0 : 2;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("wormsign %s (libyara %s)\n", ws_version(), YR_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return usage(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
        cmd = "version";
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        cmd = "help";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, cmd) != 0)
            continue;
        if (ws_library_init() != WS_OK) {
            fprintf(stderr, "wormsign: cannot initialise libyara\n");
            return 2;
        }
        int rc = commands[i].fn(argc - 1, argv + 1);
        ws_library_finish();
        return rc;
    }
    fprintf(stderr, "wormsign: '%s' is not a command. See 'wormsign --help'.\n", cmd);
    return 2;
}
