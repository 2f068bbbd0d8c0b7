/* The tools' language: gettext's catalogs found beside the program or
 * under the install prefix, and a locale glibc will translate in even on a
 * machine where the user's (ko_KR.UTF-8) was never generated. */
#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef NARU_LOCALEDIR
#define NARU_LOCALEDIR "/usr/local/share/locale"
#endif
#define DOMAIN "naru"

static const char *const languages[] = { "en", "ko" };

bool i18n_known(const char *lang)
{
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (!strcmp(lang, languages[i]))
            return true;
    return false;
}

/* The language the environment asks for, as glibc would read it: LANGUAGE
 * (its first choice) when set, else the message locale of LC_ALL,
 * LC_MESSAGES or LANG. "ko_KR.UTF-8" -> "ko"; "" when none. LC_ALL=C asks
 * for untranslated text whatever LANGUAGE says (as in glibc, and as the
 * man pages are made from the help texts). */
static void wanted(char out[8])
{
    static const char *const vars[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG" };
    out[0] = '\0';
    const char *all = getenv("LC_ALL");
    if (all && (!strcmp(all, "C") || !strcmp(all, "POSIX")))
        return;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        size_t n = strcspn(v, "_.@:");
        if (n < 8) {
            memcpy(out, v, n);
            out[n] = '\0';
        }
        return;
    }
}

/* dir + "/" + lang + "/LC_MESSAGES/naru.mo" names a readable file. */
static bool has_catalog(const char *dir, const char *lang)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/%s.mo", dir, lang, DOMAIN);
    return n > 0 && (size_t)n < sizeof path && access(path, R_OK) == 0;
}

/* Beside the program (build/naru -> build/locale), then ../share/locale
 * from it (an installed tree moved elsewhere), then the configured prefix. */
static void bind_catalogs(const char *lang)
{
    char exe[PATH_MAX], dir[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const near[] = { "locale", "../share/locale" };
        for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
            int len = snprintf(dir, sizeof dir, "%s/%s", exe, near[i]);
            if (len > 0 && (size_t)len < sizeof dir && has_catalog(dir, lang)) {
                bindtextdomain(DOMAIN, dir);
                return;
            }
        }
    }
    bindtextdomain(DOMAIN, NARU_LOCALEDIR);
}

bool i18n_init(const char *lang)
{
    char env[8];
    if (lang && !i18n_known(lang))
        return false;
    if (!lang) {
        wanted(env);
        lang = i18n_known(env) ? env : "en";
    }
    /* glibc translates nothing in the "C" locale, whatever LANGUAGE says:
     * without the user's own locale, C.UTF-8 (always there on Debian) will
     * do, and LANGUAGE names the catalog. */
    const char *now = setlocale(LC_ALL, "");
    if (strcmp(lang, "en") && (!now || !strcmp(now, "C") || !strcmp(now, "POSIX")))
        setlocale(LC_ALL, "C.UTF-8");
    /* Numbers stay as the tests and scripts read them: 1.5, not 1,5. */
    setlocale(LC_NUMERIC, "C");
    setenv("LANGUAGE", lang, 1);
    bind_catalogs(lang);
    bind_textdomain_codeset(DOMAIN, "UTF-8");
    textdomain(DOMAIN);
    return true;
}
