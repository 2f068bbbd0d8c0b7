/* Shared by the fuzz targets: the libFuzzer entry point and a check that
 * crashes loudly, so libFuzzer (and the corpus replay under CTest) report
 * a broken property as a failure with the input that broke it. */
#ifndef NARU_FUZZ_H
#define NARU_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

#endif
