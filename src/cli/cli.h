/*
 * cli.h - the subcommands of the wormsign CLI; main.c dispatches to them.
 * Each takes (argc, argv) with argv[0] the verb and returns the exit status.
 */
#ifndef WS_CLI_H
#define WS_CLI_H

int cmd_net(int argc, char **argv);

#endif
