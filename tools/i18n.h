/* The tools' words in the user's language: gettext (glibc's libintl)
 * with the "naru" catalogs of po/, compiled at build time. */
#ifndef NARU_TOOLS_I18N_H
#define NARU_TOOLS_I18N_H

#include <libintl.h>
#include <stdbool.h>

#define _(text) gettext(text)
#define N_(text) (text)

/* Choose the language of messages: `lang` ("en", "ko") as --lang gives it,
 * or NULL for the environment's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG).
 * The catalogs are looked for beside the program first (the build tree's
 * locale/), then under the installed prefix. false for a language naru
 * has no words in (a usage error). */
bool i18n_init(const char *lang);
/* Is `lang` one naru can speak: "en" or "ko"? */
bool i18n_known(const char *lang);

#endif
