/* naru: one program, many subcommands (see ../shared/CLI.md). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "loop.h"
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

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* The man page naru(1) and the bash completion are made from this text
 * (tools/gen-docs.sh): a command per line, two spaces in. */
static void usage(FILE *out)
{
    fprintf(out, "usage: naru COMMAND [ARGS...]\n"
                 "       naru help [COMMAND]\n"
                 "       naru --version\n\n"
                 "naru is a TCP/IP stack and a simulated Internet. Commands:\n\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'naru help COMMAND' (or 'naru COMMAND --help') describes a command: its usage,\n"
                 "every flag and an example; the man pages naru-COMMAND(1) say the same.\n"
                 "\n"
                 "Exit status: 0 success, 1 a network failure or no answer, 2 a usage error;\n"
                 "a command stopped by SIGINT or SIGTERM ends by that signal after its summary\n"
                 "(130 or 143 in the shell), and one whose stdout closed, quietly (141).\n"
                 "example: naru ping -c 3 server\n");
}

static const struct command *find(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (!strcmp(name, commands[i].name))
            return &commands[i];
    return NULL;
}

/* A command stopped by SIGINT, SIGTERM or a closed stdout (loop.c caught
 * the signal and the command cleaned up) ends by that signal, so a shell
 * or a script sees what stopped it, as if the signal had ended it
 * outright (128 + the signal's number in $?). */
static int finish(int status)
{
    int sig = loop_signal();
    if (!sig)
        return status;
    fflush(stdout);
    fflush(stderr);
    signal(sig, SIG_DFL);
    raise(sig);
    return 128 + sig;
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
        if (argc == 2) {
            usage(stdout);
            return 0;
        }
        const struct command *c = find(argv[2]);
        if (!c || argc > 3) {
            if (c)
                fprintf(stderr, "naru: 'naru help' takes one COMMAND\n");
            else
                fprintf(stderr, "naru: unknown command '%s' (try 'naru help')\n", argv[2]);
            return 2;
        }
        char help[] = "--help";
        char *args[] = { argv[2], help, NULL };
        return c->run(2, args);
    }
    const struct command *c = find(name);
    if (c)
        return finish(c->run(argc - 1, argv + 1));
    fprintf(stderr, "naru: unknown command '%s' (try 'naru help')\n", name);
    return 2;
}
