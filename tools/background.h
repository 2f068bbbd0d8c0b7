/* --background, for the commands that serve (naru host, naru dnsd): the
 * command goes to the background once it is ready to be used, so that a
 * script or a pasted line can use it at once:
 *
 *     pid=$(naru host --tap naru0 --addr 198.18.0.2/24 --serve echo --background)
 *
 * The command forks; the parent waits until the child is ready, prints
 * the child's PID on stdout and exits 0, or, when the child fails before
 * that, exits with the child's status (the child has said why on stderr).
 * The child keeps stderr (its ready line, and its counters when it stops),
 * and has stdin and stdout on /dev/null. */
#ifndef NARU_TOOLS_BACKGROUND_H
#define NARU_TOOLS_BACKGROUND_H

/* Fork. Returns in the child only: 0, or a negative errno when there is
 * no child (then nothing forked, and the command may say so and stop). */
int background_start(void);
/* In the child, once ready: the parent may go. It leaves the terminal's
 * session too, so a Ctrl-C meant for the shell does not reach it (kill
 * PID does). Nothing when the command is not in the background. */
void background_ready(void);

#endif
