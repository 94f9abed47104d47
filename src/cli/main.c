/*
 * main.c - TEMPORARY dispatcher of the evtx branch (the lead's main.c
 * replaces it on merge; only the table entry for "logs" is to be kept).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct cmd_struct {
    const char *name;
    int (*fn)(int argc, char **argv);
};

static const struct cmd_struct commands[] = {
    {"logs", cmd_logs},
};

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: wormsign <command> [<args>]\ncommands: logs\n");
        return argc < 2 ? 64 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "wormsign: unknown command '%s'\n", argv[1]);
    return 64;
}
