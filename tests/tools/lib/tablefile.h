/* The table files and SVC/DEST lines of the LVS test drivers (ka_ipvs,
 * ka_nft): one line per service or destination, a dest line belonging to
 * the service above it (the syntax is in each driver's usage comment).
 * Errors end the program with status 2 and a line naming it (tf_prog). */
#ifndef KA_TOOLS_TABLEFILE_H
#define KA_TOOLS_TABLEFILE_H

#include <stdint.h>

#include "lvs/lvs.h"

#define TF_MAXTOK 32

extern const char *tf_prog; /* "ka_ipvs", "ka_nft": prefixes errors */

__attribute__((noreturn)) void tf_die(const char *what, const char *line);
unsigned long tf_num(const char *s, unsigned long max, const char *line);
/* Split s in place at blanks; at most TF_MAXTOK tokens. */
int tf_split(char *s, char **tok);
int tf_parse_svc(char **t, int n, struct lvs_svc_key *k, struct lvs_svc_attr *a, const char *line);
void tf_parse_dest(char **t, int n, struct lvs_dest *d, const char *line);
void tf_load_table(const char *path, struct lvs_table *t);
const char *tf_proto_str(uint16_t p);
/* "service tcp ADDR PORT" / "service fwmark N inet6" (no newline). */
void tf_print_svc_key(const struct lvs_svc_key *k);
/* "SVCLINE" "DESTLINE" from the command line. */
void tf_parse_pair(const char *sl, const char *dl, struct lvs_svc_key *k, struct lvs_dest *d);

#endif
