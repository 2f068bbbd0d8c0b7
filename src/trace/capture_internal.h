/* Between the capture reader (capture.c, bytes in memory) and the file
 * loader (capture_file.c, which maps or reads a file into memory). */
#ifndef NARU_TRACE_CAPTURE_INTERNAL_H
#define NARU_TRACE_CAPTURE_INTERNAL_H

#include "naru/capture.h"

/* Called once at the close with the bytes the reader was opened on. */
typedef void capture_release_fn(const uint8_t *data, size_t len);

/* naru_capture_open_memory(), with a function that frees the bytes at the
 * close (also when the open fails). */
struct naru_capture *capture_open_bytes(const uint8_t *data, size_t len, const char *name,
                                        capture_release_fn *release, char error[NARU_CAPTURE_ERRLEN]);

#endif
