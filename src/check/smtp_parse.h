/* Incremental parser of SMTP replies (RFC 5321 §4.2): one reply is one or
 * more lines "CODE-text" ending with "CODE text" (or a bare "CODE").  Pure:
 * feed it whatever recv() returned, in pieces of any size. */
#ifndef KA_SMTP_PARSE_H
#define KA_SMTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF. */
#define SMTP_LINE_MAX 512
/* A multi-line reply longer than this is not a server we want to talk to. */
#define SMTP_LINES_MAX 64

enum { SMTP_PARSE_ERROR = -1, SMTP_PARSE_MORE = 0, SMTP_PARSE_DONE = 1 };

struct smtp_reply {
	int code;       /* the reply code once DONE (first line's code so far) */
	unsigned lines; /* lines of the reply so far */
	/* private */
	unsigned col;     /* octets of the current line seen, CR/LF excluded */
	int line_code;    /* code digits of the current line */
	char sep;         /* the octet after the code: '-', ' ' or 0 (none yet) */
	unsigned char cr; /* the previous octet was CR */
	const char *err;  /* sticky error */
};

void smtp_reply_init(struct smtp_reply *r);
/* Feeds len octets.  Returns SMTP_PARSE_DONE once a whole reply is read
 * (r->code holds it; *used says how much of buf it took, the rest belongs
 * to whatever comes next), SMTP_PARSE_MORE when every octet was taken and
 * the reply is not complete, or SMTP_PARSE_ERROR with *why set (the reply
 * is garbage; the parser stays in error).  used may be NULL. */
int smtp_reply_parse(struct smtp_reply *r, const uint8_t *buf, size_t len, size_t *used,
                     const char **why);

#endif
