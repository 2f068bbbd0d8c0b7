/* The naru command-line program: one subcommand per file, cmd_NAME.c. */
#ifndef NARU_TOOLS_COMMANDS_H
#define NARU_TOOLS_COMMANDS_H

/* Each returns the process exit code: 0 success, 1 network failure or
 * "no answer", 2 usage error (CLI.md). */
int cmd_ping(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_nc(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_dig(int argc, char **argv);
int cmd_dnsd(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_traceroute(int argc, char **argv);
int cmd_plot(int argc, char **argv);

#endif
