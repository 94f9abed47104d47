/*
 * main.c - TEMPORARY dispatcher of the variant branch (the lead's main.c
 * replaces it at merge; only the table entry {"digest", cmd_digest} matters).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
} cmds[] = {
    {"digest", cmd_digest},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: wormsign <command> [args]\ncommands: digest\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[1], cmds[i].name) == 0)
            return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "wormsign: unknown command '%s'\n", argv[1]);
    return 2;
}
