/* The replay page: one self-contained HTML file that replays a simulated
 * run — the topology, every frame moving along its link in virtual time,
 * the chapters of a story told beside it, any frame opened layer by layer
 * with its bytes, and for each TCP connection its time-sequence graph and
 * the sender's congestion window and RTT (naru demo --html, naru sim
 * --html).
 *
 * A recorder is fed the simulator's link events (naru_replay_observe has
 * the shape of naru_sim_observer_fn, so it can be the observer itself or
 * be called from one) and, optionally, chapters; at the end it writes the
 * page. Frames are numbered per link as the link's capture numbers them
 * (every frame handed onto the wire), so "link=wan&frame=7" in the page's
 * address is frame 7 of wan.pcap. */
#ifndef NARU_REPLAY_H
#define NARU_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "naru/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naru_replay;

/* A recorder for frames of sim's links. NULL when out of memory. */
struct naru_replay *naru_replay_new(struct naru_sim *sim);
void naru_replay_free(struct naru_replay *r);

/* One link event, as the simulator's observer gets it (ctx is the
 * recorder). Runs out of memory quietly: the page then says how many
 * frames it could not keep. */
void naru_replay_observe(void *ctx, struct naru_sim_link *link, int from_end, enum naru_sim_link_event event,
                         naru_time_t now, const uint8_t *frame, size_t len);

/* A chapter of the story from `now` until the next one (or the end): its
 * title, then narration added line by line. 0 or -ENOMEM. */
int naru_replay_chapter(struct naru_replay *r, const char *title, naru_time_t now);
int naru_replay_narrate(struct naru_replay *r, const char *text);

/* One of the page's own words (its headings, buttons, the selected
 * frame's line) in the story's language: `key` as in the page's WORDS
 * table (src/trace/page/replay.js), "lang" its language tag; {n}-style
 * marks stay as they are. Words not given stay English. 0 or -ENOMEM. */
int naru_replay_word(struct naru_replay *r, const char *key, const char *text);

/* The page, with `title` at its head. 0, or -EIO when writing failed. */
int naru_replay_write_html(struct naru_replay *r, const char *title, FILE *out);
/* The same to a file: 0, or a negative errno (the file could not be
 * created or written; nothing is left behind). */
int naru_replay_save(struct naru_replay *r, const char *title, const char *path);

#ifdef __cplusplus
}
#endif
#endif
