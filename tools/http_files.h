/* A directory as a web site for naru's HTTP server (naru host --serve
 * http=DIR): files under it, index.html for a directory, never anything
 * outside it (a symbolic link out is refused). */
#ifndef NARU_TOOLS_HTTP_FILES_H
#define NARU_TOOLS_HTTP_FILES_H

#include "naru/apps.h"

/* `root` is already resolved (realpath) and must outlive the site. */
void http_files_site(const char *root, struct naru_http_site *site);

#endif
