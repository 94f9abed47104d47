/*
 * main.c - TEMPORARY dispatcher of the hive branch, only so that
 * `wormsign hive` runs before the merge. The lead's src/cli/main.c replaces
 * this file at merge (add {"hive", cmd_hive, ...} to its table).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "hive") == 0)
        return cmd_hive(argc - 1, argv + 1);
    fprintf(stderr, "usage: wormsign hive [--json] FILE...\n");
    return 2;
}
