/* Client TLS context and connections for SSL_GET / genhash -S. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check/check_tls.h"

/* The first queued OpenSSL error as text, or "" (and the queue emptied). */
static void last_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error(), next;

	buf[0] = '\0';
	/* The first error is the root cause; the later ones are context.  The
	 * reason text alone reads best ("unsupported protocol"); the packed
	 * code is only useful when OpenSSL has no text for it. */
	if (e) {
		const char *r = ERR_reason_error_string(e);

		if (r)
			snprintf(buf, len, "%s", r);
		else
			ERR_error_string_n(e, buf, len);
	}
	while ((next = ERR_get_error()) != 0)
		;
}

static int passwd_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pw = u;
	size_t n;

	(void)rwflag;
	if (!pw || size <= 0)
		return 0;
	n = strlen(pw);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pw, n);
	return (int)n;
}

void *check_tls_ctx_new(const struct check_tls_conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char e[200];
	const char *what = NULL, *file = NULL;

	ERR_clear_error();
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		last_error(e, sizeof(e));
		snprintf(err, errlen, "SSL_CTX_new: %s", e);
		return NULL;
	}
	/* As upstream: no peer verification; a health check tests the
	 * service, not its certificate. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* Many servers close without close_notify after a Connection: close
	 * response; that is the end of the body, not an error. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	/* The request is rebuilt on retry, so the buffer may move. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* One-shot connections: a session cache would only grow. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

	if (!c)
		return ctx;
	if (c->password) {
		/* The string lives in the configuration, which outlives ctx. */
		SSL_CTX_set_default_passwd_cb(ctx, passwd_cb);
		SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)c->password);
	}
	if (c->ca && !SSL_CTX_load_verify_locations(ctx, c->ca, NULL)) {
		what = "CA file";
		file = c->ca;
		goto fail;
	}
	if (c->certificate && !SSL_CTX_use_certificate_chain_file(ctx, c->certificate)) {
		what = "certificate";
		file = c->certificate;
		goto fail;
	}
	if (c->key || c->certificate) {
		file = c->key ? c->key : c->certificate;
		if (!SSL_CTX_use_PrivateKey_file(ctx, file, SSL_FILETYPE_PEM)) {
			what = "key";
			goto fail;
		}
		if (c->certificate && !SSL_CTX_check_private_key(ctx)) {
			what = "key (does not match the certificate)";
			goto fail;
		}
	}
	/* The password is only needed while loading. */
	SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
	return ctx;
fail:
	last_error(e, sizeof(e));
	snprintf(err, errlen, "SSL %s %s: %s", what, file, e[0] ? e : "failed");
	SSL_CTX_free(ctx);
	return NULL;
}

void check_tls_ctx_free(void *ctx)
{
	SSL_CTX_free(ctx);
}

static bool is_addr_literal(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

void *check_tls_conn_new(void *ctx, int fd, const char *sni, char *err, size_t errlen)
{
	SSL *ssl;
	char e[200];

	ERR_clear_error();
	ssl = SSL_new(ctx);
	if (!ssl)
		goto fail;
	if (!SSL_set_fd(ssl, fd))
		goto fail;
	if (sni && *sni && !is_addr_literal(sni) && !SSL_set_tlsext_host_name(ssl, sni))
		goto fail;
	SSL_set_connect_state(ssl);
	return ssl;
fail:
	last_error(e, sizeof(e));
	snprintf(err, errlen, "TLS setup: %s", e[0] ? e : "out of memory");
	SSL_free(ssl);
	return NULL;
}

/* Operators meet these reasons when a server is older or weaker than
 * OpenSSL's defaults allow; say why in words. */
static const char *hint(unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return NULL;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_DH_KEY_TOO_SMALL:
	case SSL_R_EE_KEY_TOO_SMALL:
	case SSL_R_CA_KEY_TOO_SMALL:
	case SSL_R_CA_MD_TOO_WEAK:
		return "the peer's key is below OpenSSL security level 2";
	case SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED:
		return "the peer speaks TLS 1.1 or older, refused at OpenSSL security level 2";
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_NO_PROTOCOLS_AVAILABLE:
	case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
		return "no TLS version in common with the peer";
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_PACKET_LENGTH_TOO_LONG:
		return "the peer does not speak TLS on this port?";
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
		return "no cipher in common with the peer";
	default:
		return NULL;
	}
}

void check_tls_reason(int ssl_err, int sys_errno, char *buf, size_t len)
{
	unsigned long e = ERR_peek_error();
	char s[200];
	const char *h;

	if (e) {
		h = hint(e);
		last_error(s, sizeof(s));
		if (h)
			snprintf(buf, len, "%s (%s)", s, h);
		else
			snprintf(buf, len, "%s", s);
		return;
	}
	if (ssl_err == SSL_ERROR_SYSCALL && sys_errno)
		snprintf(buf, len, "%s", strerror(sys_errno));
	else if (ssl_err == SSL_ERROR_SYSCALL || ssl_err == SSL_ERROR_ZERO_RETURN)
		snprintf(buf, len, "connection closed by the peer");
	else
		snprintf(buf, len, "SSL error %d", ssl_err);
}
