/*
 * main.c - TEMPORARY dispatcher of the net branch, so `wormsign net` runs
 * before the merge. The lead's main.c (dispatch table) replaces this file;
 * add {"net", cmd_net, ...} to its table.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "net") == 0)
        return cmd_net(argc - 1, argv + 1);
    fprintf(stderr, "usage: wormsign net [--json] CAPTURE...\n");
    return 2;
}
