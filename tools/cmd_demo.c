#include <stdio.h>

#include "commands.h"

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "naru demo: not written yet\n");
    return 2;
}
