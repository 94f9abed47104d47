/*
 * cli.h - the subcommands of the wormsign CLI (one per src/cli/<verb>.c).
 */
#ifndef WS_CLI_H
#define WS_CLI_H

int cmd_digest(int argc, char **argv);

#endif
