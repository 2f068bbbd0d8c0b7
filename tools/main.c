/* naru: one program, many subcommands (see ../shared/CLI.md). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "naru/version.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "demo", cmd_demo, "watch packets cross the simulated Internet, layer by layer" },
    { "ping", cmd_ping, "send ICMP echo requests, like iputils ping" },
    { "host", cmd_host, "run a naru host on a TAP device, with services" },
    { "nc", cmd_nc, "copy stdin to a TCP connection and it to stdout, like netcat" },
    { "fetch", cmd_fetch, "download a URL with HTTP/1.1 over naru's TCP" },
    { "dig", cmd_dig, "ask a DNS server a question, like BIND's dig" },
    { "dnsd", cmd_dnsd, "serve DNS zones authoritatively over UDP and TCP" },
    { "sim", cmd_sim, "run a scenario file on the simulator and report" },
    { "traceroute", cmd_traceroute, "show the routers on the way to a host, by TTL" },
    { "plot", cmd_plot, "draw a TCP connection of a capture as a time-sequence graph (SVG)" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: naru COMMAND [ARGS...]\n\n"
                 "naru is a TCP/IP stack and a simulated Internet. Commands:\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'naru COMMAND --help' describes a command's flags; 'naru --version' the version.\n"
                 "example: naru ping -c 3 server\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version")) {
        printf("naru %s\n", NARU_VERSION);
        return 0;
    }
    if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h")) {
        if (argc > 2) {
            char help[] = "--help";
            char *args[] = { argv[2], help, NULL };
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (!strcmp(argv[2], commands[i].name))
                    return commands[i].run(2, args);
        }
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(name, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "naru: unknown command '%s' (try 'naru help')\n", name);
    return 2;
}
