/* genhash: fetch a URL and print its headers, body and digest, as the
 * checkers compute it (for `digest` in HTTP_GET/SSL_GET url blocks). */
#ifndef KA_GENHASH_H
#define KA_GENHASH_H

/* The whole program: argv as for `genhash`; returns the exit status. */
int genhash_main(int argc, char **argv);

#endif
