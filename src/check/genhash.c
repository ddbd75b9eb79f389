/* genhash: fetch one URL the way HTTP_GET / SSL_GET do and print the
 * response headers, the body (hex + ASCII) and the digest of the body, to
 * paste into a `digest` keyword.  It runs the checkers' own fetch code
 * (chk_http.c) on a private event loop. */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "check/check.h"
#include "check/check_tls.h"
#include "check/chk_http.h"
#include "check/genhash.h"
#include "check/http_parse.h"
#include "lib/addr.h"
#include "version.h"

#define BAR_WIDTH 74

/* The digests genhash offers; the first is the default (the checkers'). */
static const char *const hashes[] = {"md5", "sha1", "sha256", "sha512"};

static void usage(FILE *f, const char *prog)
{
	size_t i;

	fprintf(f,
	        "Usage: %s [options] -s server -u url\n"
	        "Fetch a web page as HTTP_GET / SSL_GET do and print the digest of its body.\n"
	        "\n"
	        "  -s, --server ADDR          server address (or host name) to connect to\n"
	        "  -p, --port PORT            port (default 80, or 443 with -S)\n"
	        "  -u, --url PATH             path to fetch (default /)\n"
	        "  -S, --use-ssl              use TLS (no certificate verification)\n"
	        "  -I, --use-sni              send SNI: the -V name, else the -s host name\n"
	        "  -V, --use-virtualhost HOST send HOST in the Host: header\n"
	        "  -P, --protocol VER         HTTP version: 1.0 (default), 1.1 or 1.0c\n"
	        "                             (1.0 with Connection: close)\n"
	        "  -t, --timeout SECS         whole-fetch timeout (default 5)\n"
	        "  -m, --fwmark MARK          set this firewall mark (SO_MARK) on the socket\n"
	        "  -H, --hash ALG             digest algorithm:",
	        prog);
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		fprintf(f, " %s%s", hashes[i], i == 0 ? " (default)" : "");
	fprintf(f, "\n"
	           "  -v, --verbose              also print the connection, request and sizes\n"
	           "  -r, --release              print the version and exit\n"
	           "  -h, --help                 print this help and exit\n");
}

/* ---- output ------------------------------------------------------------------- */

static void bar(const char *title)
{
	char t[64];
	int len = snprintf(t, sizeof(t), "[ %s ]", title);
	int left = (BAR_WIDTH - len + 1) / 2, right = BAR_WIDTH - len - left, i;

	for (i = 0; i < left; i++)
		putchar('-');
	fputs(t, stdout);
	for (i = 0; i < right; i++)
		putchar('-');
	putchar('\n');
}

/* Hex dump in 16-byte lines: "0000 48 54 ... 31 - 20 34 ... 61 HTTP/1.1 401 Una",
 * streamed: a partial line waits for the next bytes. */
struct dump {
	unsigned long off;
	uint8_t line[16];
	unsigned n;
};

static void dump_line(struct dump *d)
{
	unsigned i;

	if (!d->n)
		return;
	printf("%04lx ", d->off);
	for (i = 0; i < 16; i++) {
		if (i < d->n)
			printf("%02x ", d->line[i]);
		else
			fputs("   ", stdout);
		if (i == 7)
			fputs("- ", stdout);
	}
	for (i = 0; i < d->n; i++)
		putchar(d->line[i] >= 0x20 && d->line[i] < 0x7f ? d->line[i] : '.');
	putchar('\n');
	d->off += d->n;
	d->n = 0;
}

static void dump_bytes(struct dump *d, const uint8_t *p, size_t n)
{
	while (n--) {
		d->line[d->n++] = *p++;
		if (d->n == 16)
			dump_line(d);
	}
}

struct run {
	struct dump hdr, body;
	bool in_body;
	bool finished;
	struct http_fetch_result res;
	struct http_resp resp;
};

static void start_body(struct run *r)
{
	if (r->in_body)
		return;
	dump_line(&r->hdr);
	bar("HTML Buffer");
	r->in_body = true;
}

static void on_data(void *arg, bool header, const uint8_t *p, size_t n)
{
	struct run *r = arg;

	if (header) {
		if (r->hdr.off == 0 && r->hdr.n == 0)
			bar("HTTP Header Buffer");
		dump_bytes(&r->hdr, p, n);
		return;
	}
	start_body(r);
	dump_bytes(&r->body, p, n);
}

static void on_done(void *arg, const struct http_fetch_result *res)
{
	struct run *r = arg;

	r->res = *res;
	r->resp = *res->resp; /* res->resp dies with the fetch */
	r->res.resp = &r->resp;
	r->finished = true;
}

/* ---- options ------------------------------------------------------------------ */

static int resolve(const char *host, struct ka_addr *a)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	int rc;

	if (addr_parse(host, a) == 0)
		return 0;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		fprintf(stderr, "genhash: cannot resolve %s: %s\n", host, gai_strerror(rc));
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->family = (sa_family_t)res->ai_family;
	if (res->ai_family == AF_INET6)
		a->u.v6 = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
	else
		a->u.v4 = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	return 0;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || end == s || *end || *s == '-' || *out > max ? -1 : 0;
}

int genhash_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"server", required_argument, NULL, 's'},
	    {"port", required_argument, NULL, 'p'},
	    {"url", required_argument, NULL, 'u'},
	    {"use-ssl", no_argument, NULL, 'S'},
	    {"use-sni", no_argument, NULL, 'I'},
	    {"use-virtualhost", required_argument, NULL, 'V'},
	    {"protocol", required_argument, NULL, 'P'},
	    {"timeout", required_argument, NULL, 't'},
	    {"fwmark", required_argument, NULL, 'm'},
	    {"hash", required_argument, NULL, 'H'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"release", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *prog = "genhash", *server = NULL, *hash = hashes[0];
	struct http_fetch_req req = {.path = "/", .proto = HTTP_PROTO_10};
	struct check_conn conn;
	bool ssl = false, sni = false, verbose = false, have_port = false;
	unsigned long v;
	double t;
	char *end, err[256], hex[2 * EVP_MAX_MD_SIZE + 1], upper[16];
	const EVP_MD *md;
	struct event_base *base;
	struct run run;
	int c, rc = 0;
	size_t i;

	memset(&conn, 0, sizeof(conn));
	conn.connect_timeout_us = 5000000;
	while ((c = getopt_long(argc, argv, "s:p:u:SIV:P:t:m:H:vrh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			server = optarg;
			break;
		case 'p':
			if (parse_ulong(optarg, 65535, &v) < 0 || v == 0) {
				fprintf(stderr, "genhash: invalid port '%s'\n", optarg);
				return 2;
			}
			conn.port = (uint16_t)v;
			have_port = true;
			break;
		case 'u':
			req.path = optarg;
			break;
		case 'S':
			ssl = true;
			break;
		case 'I':
			sni = true;
			break;
		case 'V':
			req.vhost = optarg;
			break;
		case 'P':
			if (strcmp(optarg, "1.0") == 0) {
				req.proto = HTTP_PROTO_10;
			} else if (strcasecmp(optarg, "1.0c") == 0) {
				req.proto = HTTP_PROTO_10C;
			} else if (strcmp(optarg, "1.1") == 0) {
				req.proto = HTTP_PROTO_11;
			} else {
				fprintf(stderr,
				        "genhash: invalid protocol '%s' (1.0, 1.1 or 1.0c)\n",
				        optarg);
				return 2;
			}
			break;
		case 't':
			errno = 0;
			t = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(t > 0) || t > 86400) {
				fprintf(stderr, "genhash: invalid timeout '%s'\n", optarg);
				return 2;
			}
			conn.connect_timeout_us = (uint64_t)(t * 1e6);
			break;
		case 'm':
			if (parse_ulong(optarg, 0xffffffffUL, &v) < 0) {
				fprintf(stderr, "genhash: invalid fwmark '%s'\n", optarg);
				return 2;
			}
			conn.fwmark = (uint32_t)v;
			break;
		case 'H':
			hash = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'r':
			printf("genhash %s (%s)\n", KA_VERSION, KA_GIT);
			return 0;
		case 'h':
			usage(stdout, prog);
			return 0;
		default:
			usage(stderr, prog);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "genhash: unexpected argument '%s'\n", argv[optind]);
		usage(stderr, prog);
		return 2;
	}
	if (!server) {
		fprintf(stderr, "genhash: no server given (-s)\n");
		usage(stderr, prog);
		return 2;
	}
	for (i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (strcasecmp(hash, hashes[i]) == 0)
			break;
	if (i == sizeof(hashes) / sizeof(hashes[0])) {
		fprintf(stderr, "genhash: unsupported hash '%s'\n", hash);
		usage(stderr, prog);
		return 2;
	}
	hash = hashes[i];
	md = i == 0 ? http_md5() : EVP_get_digestbyname(hash);
	if (!md) {
		fprintf(stderr, "genhash: %s is not available from OpenSSL\n", hash);
		return 1;
	}
	if (resolve(server, &conn.addr) < 0)
		return 1;
	if (!have_port)
		conn.port = ssl ? 443 : 80;
	req.conn = &conn;
	req.md = md;
	req.on_data = on_data;
	req.data_arg = &run;
	if (ssl) {
		struct ka_addr dummy;

		req.ssl_ctx = check_tls_ctx_new(NULL, err, sizeof(err));
		if (!req.ssl_ctx) {
			fprintf(stderr, "genhash: %s\n", err);
			return 1;
		}
		if (sni)
			req.sni = req.vhost ? req.vhost
			                    : (addr_parse(server, &dummy) < 0 ? server : NULL);
	}

	base = event_base_new();
	if (!base) {
		fprintf(stderr, "genhash: cannot create the event loop\n");
		return 1;
	}
	memset(&run, 0, sizeof(run));
	if (verbose) {
		char a[KA_ADDRSTRLEN], rq[8192];
		int n = http_request_fmt(rq, sizeof(rq), &req);

		printf("Connecting to %s%s, timeout %.1f s\n",
		       addr_port_fmt(&conn.addr, conn.port, a, sizeof(a)), ssl ? " with TLS" : "",
		       (double)conn.connect_timeout_us / 1e6);
		if (req.sni)
			printf("SNI: %s\n", req.sni);
		if (n > 0)
			printf("Request:\n%.*s", n, rq);
	}
	fflush(stdout);
	if (!http_fetch_start(base, &req, on_done, &run)) {
		fprintf(stderr, "genhash: cannot start: %s\n", strerror(errno));
		rc = 1;
		goto out;
	}
	/* The fetch has its own deadline: the loop ends with it. */
	while (!run.finished && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	if (!run.finished) {
		fprintf(stderr, "genhash: event loop failed\n");
		rc = 1;
		goto out;
	}
	if (!run.res.ok) {
		dump_line(run.in_body ? &run.body : &run.hdr);
		fflush(stdout);
		char a[KA_ADDRSTRLEN];

		fprintf(stderr, "genhash: %s: %s\n",
		        addr_port_fmt(&conn.addr, conn.port, a, sizeof(a)), run.res.why);
		rc = 1;
		goto out;
	}
	start_body(&run);
	dump_line(&run.body);
	for (i = 0; hash[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(hash[i] >= 'a' && hash[i] <= 'z' ? hash[i] - 'a' + 'A' : hash[i]);
	upper[i] = '\0';
	{
		char title[48];

		snprintf(title, sizeof(title), "HTML %s final resulting", upper);
		bar(title);
	}
	http_hex(run.res.digest, run.res.digest_len, hex);
	printf("%s Digest : %s\n", upper, hex);
	if (verbose) {
		printf("HTTP status %d, %zu header bytes, %llu body bytes", run.resp.status,
		       run.resp.hdr_len, (unsigned long long)run.resp.body_len);
		if (run.resp.has_clen)
			printf(", Content-Length %llu", (unsigned long long)run.resp.clen);
		if (run.resp.excess)
			printf(", %llu bytes beyond it ignored",
			       (unsigned long long)run.resp.excess);
		putchar('\n');
	}
	if (http_resp_short(&run.resp))
		fprintf(stderr, "genhash: warning: Content-Length %llu but only %llu body bytes\n",
		        (unsigned long long)run.resp.clen, (unsigned long long)run.resp.body_len);
out:
	event_base_free(base);
	if (req.ssl_ctx)
		check_tls_ctx_free(req.ssl_ctx);
	return rc;
}
