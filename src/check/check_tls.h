/* The client TLS side of SSL_GET and genhash -S: one SSL_CTX per checker
 * process, from the global `SSL { password; ca; certificate; key }` block.
 * As upstream, the server certificate is not verified. */
#ifndef KA_CHECK_TLS_H
#define KA_CHECK_TLS_H

#include <stdbool.h>
#include <stddef.h>

/* The SSL block; NULL members are unset. */
struct check_tls_conf {
	const char *password;    /* passphrase of the key file */
	const char *ca;          /* CA file (sent as the client chain) */
	const char *certificate; /* client certificate (PEM, may hold the chain) */
	const char *key;         /* its private key (PEM); default: the certificate file */
};

/* Returns an SSL_CTX * (void * so users need not include OpenSSL), or NULL
 * with the reason in err.  c may be NULL (no SSL block). */
void *check_tls_ctx_new(const struct check_tls_conf *c, char *err, size_t errlen);
void check_tls_ctx_free(void *ctx);

/* A client SSL * on the connected socket fd, with SNI when sni is a host
 * name (an address literal is not sent: RFC 6066 §3).  NULL with err. */
void *check_tls_conn_new(void *ctx, int fd, const char *sni, char *err, size_t errlen);

/* OpenSSL's reason for the last failure (drains the thread's error queue),
 * with a hint for the reasons operators meet most.  ssl_err is the
 * SSL_get_error() value, sys_errno the errno when it was SSL_ERROR_SYSCALL. */
void check_tls_reason(int ssl_err, int sys_errno, char *buf, size_t len);

#endif
