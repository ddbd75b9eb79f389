/* LD_PRELOAD shim that lets Debian's keepalived 2.2.7 run its checker child
 * on a host without IPVS, for the side-by-side health-check benchmarks only.
 *
 * What fails without IPVS (strace -f of `keepalived -n -C`): the checker
 * child resolves the generic-netlink family "IPVS" (CTRL_CMD_GETFAMILY
 * answers ENOENT), then runs `modprobe ip_vs` and, when the family is still
 * missing, exits with a fatal error that stops the whole daemon.  Its IPVS
 * calls all go through libnl-genl-3 / libnl-3, so this shim interposes:
 *
 *   genl_ctrl_resolve(sk, "IPVS")  -> a made-up family id (IPVS_FAKE_FAMILY)
 *   nl_send_auto(sk, msg)          -> for a message to that family: not sent,
 *                                     reported as sent in full; the socket is
 *                                     remembered as owing an answer
 *   nl_recvmsgs_default(sk)        -> for such a socket: 0, after calling
 *                                     the callback the kernel's answer would
 *                                     have triggered: NL_CB_FINISH for a dump
 *                                     (NLMSG_DONE, an empty table), NL_CB_ACK
 *                                     otherwise (the command "succeeded")
 *   nl_socket_modify_cb(...)       -> passed on, and the socket's ACK and
 *                                     FINISH callbacks are remembered: the
 *                                     caller loops on receive until one of
 *                                     them says the answer is complete
 *
 * and passes every other call (other families, other sockets) to libnl.
 * keepalived's checker cost per check (sockets, timers, parsing) is
 * untouched; what it no longer pays is the kernel's IPVS work, which our
 * daemon does not pay in the benchmarks either (it runs with -I and finds no
 * IPVS).  Build: gcc -O2 -shared -fPIC -o ka_ipvs_stub.so ka_ipvs_stub.c -ldl
 * Set KA_IPVS_STUB_LOG=FILE to log every stubbed call (one line each). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nl_sock;
struct nl_msg;

/* Any id the kernel does not hand out to a live family here: the generic
 * netlink ids start at GENL_MIN_ID (16) and grow slowly. */
#define IPVS_FAKE_FAMILY 0x7ffe

#define MAX_SOCKS 64

/* libnl's enum nl_cb_type */
#define CB_FINISH 1
#define CB_ACK 4

typedef int (*nl_recvmsg_msg_cb)(struct nl_msg *, void *);

struct sock_state {
	struct nl_sock *sk;
	int pending; /* an IPVS message was "sent", its answer is owed */
	int dump;    /* ... and it was a dump request */
	nl_recvmsg_msg_cb ack, fin;
	void *ack_arg, *fin_arg;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sock_state socks[MAX_SOCKS];
static unsigned long n_resolve, n_send, n_recv;

/* The slot of SK, created when CREATE; call with the lock held. */
static struct sock_state *slot(struct nl_sock *sk, int create)
{
	int i;

	for (i = 0; i < MAX_SOCKS; i++)
		if (socks[i].sk == sk)
			return &socks[i];
	if (!create)
		return NULL;
	for (i = 0; i < MAX_SOCKS; i++)
		if (!socks[i].sk) {
			memset(&socks[i], 0, sizeof(socks[i]));
			socks[i].sk = sk;
			return &socks[i];
		}
	fprintf(stderr, "ka_ipvs_stub: more than %d netlink sockets\n", MAX_SOCKS);
	abort();
}

static void stub_log(const char *fmt, ...)
{
	const char *path = getenv("KA_IPVS_STUB_LOG");
	FILE *fp;
	va_list ap;

	if (!path || !*path)
		return;
	fp = fopen(path, "a");
	if (!fp)
		return;
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fclose(fp);
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "ka_ipvs_stub: %s not found\n", name);
		abort();
	}
	return f;
}

int genl_ctrl_resolve(struct nl_sock *sk, const char *name);
int genl_ctrl_resolve(struct nl_sock *sk, const char *name)
{
	static int (*next)(struct nl_sock *, const char *);

	if (name && strcmp(name, "IPVS") == 0) {
		pthread_mutex_lock(&lock);
		n_resolve++;
		pthread_mutex_unlock(&lock);
		stub_log("resolve IPVS -> %d\n", IPVS_FAKE_FAMILY);
		return IPVS_FAKE_FAMILY;
	}
	if (!next)
		next = (int (*)(struct nl_sock *, const char *))real("genl_ctrl_resolve");
	return next(sk, name);
}

int nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	static int (*next)(struct nl_sock *, struct nl_msg *);
	static struct nlmsghdr *(*hdr)(struct nl_msg *);
	struct nlmsghdr *h;
	struct sock_state *st;

	if (!hdr)
		hdr = (struct nlmsghdr * (*)(struct nl_msg *)) real("nlmsg_hdr");
	h = hdr(msg);
	if (h && h->nlmsg_type == IPVS_FAKE_FAMILY) {
		pthread_mutex_lock(&lock);
		n_send++;
		st = slot(sk, 1);
		st->pending = 1;
		st->dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
		pthread_mutex_unlock(&lock);
		/* the generic header's first byte is the IPVS command */
		stub_log("send IPVS cmd %u len %u\n",
		         h->nlmsg_len > NLMSG_HDRLEN ? *((unsigned char *)NLMSG_DATA(h)) : 0,
		         h->nlmsg_len);
		return (int)h->nlmsg_len;
	}
	if (!next)
		next = (int (*)(struct nl_sock *, struct nl_msg *))real("nl_send_auto");
	return next(sk, msg);
}

int nl_recvmsgs_default(struct nl_sock *sk);
int nl_recvmsgs_default(struct nl_sock *sk)
{
	static int (*next)(struct nl_sock *);
	static struct nl_msg *(*alloc)(int, int);
	static void (*release)(struct nl_msg *);
	struct sock_state *st, copy;
	struct nl_msg *m;
	int stubbed = 0;

	pthread_mutex_lock(&lock);
	st = slot(sk, 0);
	if (st && st->pending) {
		st->pending = 0;
		copy = *st;
		stubbed = 1;
		n_recv++;
	}
	pthread_mutex_unlock(&lock);
	if (stubbed) {
		if (!alloc) {
			alloc = (struct nl_msg * (*)(int, int)) real("nlmsg_alloc_simple");
			release = (void (*)(struct nl_msg *))real("nlmsg_free");
		}
		/* a real (empty) message, in case a callback looks at it */
		m = alloc(copy.dump ? NLMSG_DONE : NLMSG_ERROR, 0);
		if (copy.dump && copy.fin)
			copy.fin(m, copy.fin_arg);
		else if (copy.ack)
			copy.ack(m, copy.ack_arg);
		release(m);
		stub_log("recv IPVS -> %s\n", copy.dump ? "done" : "ack");
		return 0;
	}
	if (!next)
		next = (int (*)(struct nl_sock *))real("nl_recvmsgs_default");
	return next(sk);
}

int nl_socket_modify_cb(struct nl_sock *sk, int type, int kind, nl_recvmsg_msg_cb func, void *arg);
int nl_socket_modify_cb(struct nl_sock *sk, int type, int kind, nl_recvmsg_msg_cb func, void *arg)
{
	static int (*next)(struct nl_sock *, int, int, nl_recvmsg_msg_cb, void *);
	struct sock_state *st;

	if (type == CB_ACK || type == CB_FINISH) {
		pthread_mutex_lock(&lock);
		st = slot(sk, 1);
		if (type == CB_ACK) {
			st->ack = func;
			st->ack_arg = arg;
		} else {
			st->fin = func;
			st->fin_arg = arg;
		}
		pthread_mutex_unlock(&lock);
	}
	if (!next)
		next = (int (*)(struct nl_sock *, int, int, nl_recvmsg_msg_cb, void *))real(
		    "nl_socket_modify_cb");
	return next(sk, type, kind, func, arg);
}

/* A socket freed with an answer still owed must not make a later socket at
 * the same address look stubbed. */
void nl_socket_free(struct nl_sock *sk);
void nl_socket_free(struct nl_sock *sk)
{
	static void (*next)(struct nl_sock *);
	struct sock_state *st;

	pthread_mutex_lock(&lock);
	st = slot(sk, 0);
	if (st)
		memset(st, 0, sizeof(*st));
	pthread_mutex_unlock(&lock);
	if (!next)
		next = (void (*)(struct nl_sock *))real("nl_socket_free");
	next(sk);
}
