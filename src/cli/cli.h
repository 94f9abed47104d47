/*
 * cli.h - the subcommands of the wormsign CLI; main.c dispatches to them.
 * Each takes argv[0] = the verb and returns the process exit code.
 */
#ifndef WS_CLI_H
#define WS_CLI_H

int cmd_logs(int argc, char **argv);

#endif
