/* Loading a scenario: read into the model, then checked whole, so nothing
 * runs from a scenario with a mistake in it. */
#include "sim/scenario_model.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int loaded(struct naru_scenario *sc, int err, struct naru_scenario **out)
{
    /* The caller's error buffer is for loading only. */
    sc->error = NULL;
    sc->error_cap = 0;
    if (err) {
        naru_scenario_free(sc);
        return err;
    }
    *out = sc;
    return 0;
}

static int judge(struct naru_scenario *sc, bool read)
{
    if (!naru_scenario_supported())
        return -ENOTSUP;
    return read && sc_check(sc) ? 0 : -EINVAL;
}

int naru_scenario_load(const char *path, struct naru_scenario **out, char *error, size_t error_cap)
{
    struct naru_scenario *sc = sc_new(path, error, error_cap);
    if (!sc)
        return -ENOMEM;
    FILE *f = fopen(path, "r");
    if (!f) {
        int err = -errno;
        sc_error(sc, 0, "cannot read it: %s", strerror(errno));
        return loaded(sc, err, out);
    }
    errno = 0;
    bool read = sc_read_file(sc, f);
    int read_errno = ferror(f) ? (errno ? errno : EIO) : 0; /* EISDIR: a directory opens, but does not read */
    fclose(f);
    if (read_errno) {
        sc->failed = false; /* what the reader made of nothing is not the point */
        sc_error(sc, 0, "cannot read it: %s", strerror(read_errno));
        return loaded(sc, -read_errno, out);
    }
    return loaded(sc, judge(sc, read), out);
}

int naru_scenario_parse(const char *name, const char *text, struct naru_scenario **out, char *error,
                        size_t error_cap)
{
    struct naru_scenario *sc = sc_new(name, error, error_cap);
    if (!sc)
        return -ENOMEM;
    return loaded(sc, judge(sc, sc_read_text(sc, text)), out);
}
