/* Health checks: the typed configuration of one checker and the interface
 * every checker type implements.  The engine (check_engine*.c) owns the
 * scheduling, retries and real-server state; a checker type only performs
 * one attempt against one target and reports whether it succeeded.
 *
 * Units: times are µs (uint64_t, suffix _us).
 */
#ifndef KA_CHECK_H
#define KA_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/addr.h"

struct event_base;
struct script_runner;

enum check_type {
	CHECK_TCP,
	CHECK_HTTP, /* HTTP_GET */
	CHECK_SSL,  /* SSL_GET: HTTP over TLS */
	CHECK_SMTP,
	CHECK_DNS,
	CHECK_UDP,
	CHECK_PING,
	CHECK_MISC,
	CHECK_FILE,
	CHECK_BFD, /* parsed; not run (no BFD child yet) */
	CHECK_TYPE_MAX,
};
const char *check_type_str(enum check_type t); /* "TCP_CHECK", "HTTP_GET", ... */

/* Where an attempt connects to, and from (the connection keywords). */
struct check_conn {
	struct ka_addr addr;         /* connect_ip, default the real server's address */
	uint16_t port;               /* connect_port, default the real server's port */
	bool has_bind;               /* bindto and/or bind_port given */
	struct ka_addr bind;         /* bindto (family AF_UNSPEC when only bind_port) */
	uint16_t bind_port;          /* 0 = any */
	char bind_if[16];            /* bind_if, "" = none (IPv6 link-local scope) */
	uint32_t fwmark;             /* SO_MARK, 0 = none */
	uint64_t connect_timeout_us; /* default 5 s (inherited RS -> VS) */
};

/* HTTP_GET / SSL_GET */
enum http_proto { HTTP_PROTO_10, HTTP_PROTO_10C, HTTP_PROTO_11 };
struct check_status_range {
	uint16_t lo, hi; /* inclusive */
};
struct check_http_url {
	char *path;                        /* path (required) */
	bool has_digest;                   /* digest given */
	uint8_t digest[16];                /* MD5 of the raw body */
	struct check_status_range *status; /* status_code; none = 200-299 */
	unsigned n_status;
	char *virtualhost; /* url-level virtualhost, NULL = inherit */
};
struct check_http {
	struct check_http_url *urls;
	unsigned n_urls;
	char *virtualhost;     /* effective: checker -> RS -> VS; NULL = the IP */
	enum http_proto proto; /* default 1.0 */
	bool fast_recovery;
	bool enable_sni;
	char *sni_name; /* NULL = virtualhost, else none */
	bool tls_compliant;
};

/* SMTP_CHECK: every host must answer 220 -> HELO -> 250 -> QUIT. */
struct check_smtp {
	char *helo_name;          /* default the local host name */
	struct check_conn *hosts; /* host { ... } blocks; none = the checker's conn */
	unsigned n_hosts;
};

/* DNS_CHECK */
struct check_dns {
	uint16_t qtype; /* default SOA (6) */
	char *name;     /* default "." */
};

/* UDP_CHECK */
struct check_udp {
	uint8_t *payload; /* NULL = empty datagram */
	size_t payload_len;
	bool require_reply;
	uint8_t *reply;      /* expected bytes, NULL = any reply */
	uint8_t *reply_mask; /* 0xf0/0x0f/0xff per byte: nibbles not X */
	size_t reply_len;
	uint32_t min_reply_len; /* default 0 */
	uint32_t max_reply_len; /* default 255 */
};

/* MISC_CHECK */
struct check_misc {
	char **argv;         /* NULL-terminated */
	char *text;          /* the configured command line */
	uint64_t timeout_us; /* misc_timeout, default = delay_loop */
	bool dynamic;        /* exit 2..255 -> weight = exit - 2 */
	bool set_ids;
	uid_t uid;
	gid_t gid;
};

/* FILE_CHECK: the value in a track_file, times weight, added to the RS
 * weight; with weight 0 a non-zero value means down. */
struct check_file {
	char *name; /* track_file NAME */
	char *path; /* its `file` */
	int weight; /* default: the track_file's weight */
	bool reverse;
};

struct check_cfg {
	enum check_type type;
	struct check_conn conn;
	/* behaviour keywords, already inherited checker -> RS -> VS -> default */
	unsigned retry; /* failures before DOWN */
	uint64_t delay_before_retry_us;
	uint64_t delay_loop_us;
	uint64_t warmup_us; /* first run at random [0, warmup] */
	bool alpha;         /* start DOWN */
	bool log_all_failures;
	unsigned n_steps; /* attempts in one cycle: HTTP/SSL = n_urls, else 1 */
	union {
		struct check_http http; /* CHECK_HTTP, CHECK_SSL */
		struct check_smtp smtp;
		struct check_dns dns;
		struct check_udp udp;
		struct check_misc misc;
		struct check_file file;
	} u;
	const char *file; /* where the checker block is (owned by the conf) */
	int line;
};

/* ---- one attempt -------------------------------------------------------- */

struct check_outcome {
	bool ok;
	int dyn_weight;     /* >= 0: new dynamic weight (misc_dynamic, FILE_CHECK);
	                 * -1 = no change */
	char why[160];      /* on failure: the reason, for the log */
	int64_t weight_add; /* FILE_CHECK only: value x weight, added to the RS's
	                     * configured weight (read only for that type) */
};

typedef void (*check_done_fn)(void *arg, const struct check_outcome *o);

/* What the engine lends an attempt. */
struct check_io {
	struct event_base *base;
	struct script_runner *scripts; /* MISC_CHECK */
	void *ssl_ctx;                 /* SSL_CTX * for SSL_GET (check_tls.c) */
};

struct check_attempt; /* private to each checker type */

/* A checker type.  start() never blocks.  It calls done exactly once,
 * later from the event loop (never from inside start), unless cancel() was
 * called first; after done() or cancel() the attempt is freed by the type
 * and the handle must not be used again.  start() returns NULL only when it
 * could not start at all (fd exhaustion, out of memory); then done is never
 * called and the engine counts a failure.  `step` is the index of the step
 * in the cycle (the URL for HTTP/SSL; 0 for the others).  The cfg outlives
 * the attempt. */
struct check_type_ops {
	enum check_type type;
	struct check_attempt *(*start)(const struct check_io *io, const struct check_cfg *cfg,
	                               unsigned step, check_done_fn done, void *arg);
	void (*cancel)(struct check_attempt *a);
};

/* The registered types (one file each); NULL for a type that has none. */
const struct check_type_ops *check_type_ops(enum check_type t);
extern const struct check_type_ops check_tcp_ops;
extern const struct check_type_ops check_http_ops; /* HTTP_GET */
extern const struct check_type_ops check_ssl_ops;  /* SSL_GET */
extern const struct check_type_ops check_smtp_ops;
extern const struct check_type_ops check_dns_ops;
extern const struct check_type_ops check_udp_ops;
extern const struct check_type_ops check_ping_ops;
extern const struct check_type_ops check_misc_ops;
extern const struct check_type_ops check_file_ops;

/* Helpers for checker types (check_sock.c). */
/* A non-blocking socket of `type` (SOCK_STREAM/SOCK_DGRAM) for conn, bound
 * per bindto/bind_port/bind_if, SO_MARK set, connect() started.  Returns the
 * fd (connect may be in progress) or -1 with errno; `why` gets the reason. */
int check_sock_connect(const struct check_conn *conn, int type, int proto, char *why,
                       size_t whylen);
void check_outcome_fail(struct check_outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
