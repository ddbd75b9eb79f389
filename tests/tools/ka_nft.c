/* Test driver for the nftables data plane (src/lvs/nft_*): calls the
 * lvs_nft_backend operations directly, as lvs_dp would.
 *
 *   ka_nft probe
 *   ka_nft sync WANT [--set SVC DEST]... [--del SVC DEST]... [--resync WANT2]...
 *               [--read] [--remove-own]
 *   ka_nft serve          commands on stdin, one per line (below)
 *   ka_nft bench N        time of one dest_del + dest_set at N destinations
 *   ka_nft stress SCHED N STEPS [dr]
 *                         random changes to a service of N destinations, the
 *                         kernel's @idx checked after each (cmd_stress;
 *                         KA_NFT_SEED picks another sequence, KA_NFT_TRACE=1
 *                         prints the kernel's @idx before each step)
 *   ka_nft render WANT    the replace batch of WANT as text (no kernel)
 *
 * Table files and SVC/DEST use ka_ipvs's syntax:
 *   service tcp|udp|sctp ADDR PORT [sched S] [flags N] [timeout N]
 *           [netmask MASK|PLEN] [pe NAME]
 *   service fwmark N inet|inet6 [sched S] ...
 *   dest ADDR PORT [nat|dr|tun] [weight N] [uthreshold N] [lthreshold N]
 * (the default scheduler is wlc, which nftables refuses: give one.)
 * `sync` prints "sync failed=N mutations=M", then per option in order
 * "set|del|resync rc=R mutations=M", and for --read the table with stats.
 * `serve` reads lines "sync FILE", "set SVCLINE ; DESTLINE",
 * "del SVCLINE ; DESTLINE", "read", "quit [remove-own]" and answers each
 * with the same lines, a read ending with "end".
 * Exit status: 0, 1 on a failed operation, 2 on usage errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lvs/lvs.h"
#include "lvs/lvs_backend.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_rules.h"
#include "lvs/nft_sock.h"
#include "tablefile.h"

static const struct lvs_backend_ops *ops = &lvs_nft_backend;

static void usage(void)
{
	fprintf(stderr, "usage: ka_nft probe | sync WANT [--set SVC DEST]... [--del SVC DEST]... "
	                "[--resync WANT]... [--read] [--remove-own] | serve | bench N | "
	                "render WANT | stress SCHED N STEPS [dr]\n");
	exit(2);
}

static void print_table(const struct lvs_table *t)
{
	char b[KA_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < t->n_svcs; i++) {
		const struct lvs_tsvc *s = &t->svcs[i];
		const struct lvs_stats *st = &s->stats;

		tf_print_svc_key(&s->key);
		printf(" sched %s flags 0x%x conns %llu inpkts %llu outpkts %llu inbytes %llu "
		       "outbytes %llu\n",
		       s->attr.sched, s->attr.flags, (unsigned long long)st->conns,
		       (unsigned long long)st->inpkts, (unsigned long long)st->outpkts,
		       (unsigned long long)st->inbytes, (unsigned long long)st->outbytes);
		for (j = 0; j < s->n_dests; j++) {
			const struct lvs_tdest *d = &s->dests[j];

			printf("  dest %s %u weight %d conns %llu inpkts %llu outpkts %llu "
			       "inbytes %llu outbytes %llu\n",
			       addr_fmt(&d->d.addr, b, sizeof(b)), d->d.port, d->d.weight,
			       (unsigned long long)d->stats.conns,
			       (unsigned long long)d->stats.inpkts,
			       (unsigned long long)d->stats.outpkts,
			       (unsigned long long)d->stats.inbytes,
			       (unsigned long long)d->stats.outbytes);
		}
	}
	fflush(stdout);
}

static void *open_backend(void)
{
	char err[256];
	void *b = ops->open(err, sizeof(err));

	if (!b) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return b;
}

static int do_sync(void *b, const char *path, const char *label)
{
	struct lvs_table want;
	int r;

	tf_load_table(path, &want);
	r = ops->sync(b, &want, NULL, false);
	printf("%s failed=%d mutations=%lu\n", label, r, ops->mutations(b));
	fflush(stdout);
	lvs_table_free(&want);
	return r;
}

static int do_dest(void *b, const char *verb, const char *sl, const char *dl)
{
	struct lvs_svc_key k;
	struct lvs_dest d;
	int r;

	tf_parse_pair(sl, dl, &k, &d);
	r = !strcmp(verb, "set") ? ops->dest_set(b, &k, &d) : ops->dest_del(b, &k, &d);
	printf("%s rc=%d mutations=%lu\n", verb, r, ops->mutations(b));
	fflush(stdout);
	return r;
}

static int do_read(void *b)
{
	struct lvs_table t;
	int r;

	lvs_table_init(&t);
	r = ops->read(b, &t);
	printf("read rc=%d\n", r);
	print_table(&t);
	lvs_table_free(&t);
	return r;
}

static int cmd_sync(int argc, char **argv)
{
	bool remove_own = false;
	int i, status = 0;
	void *b;

	if (argc < 1)
		usage();
	b = open_backend();
	if (do_sync(b, argv[0], "sync") != 0)
		status = 1;
	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--set") || !strcmp(argv[i], "--del")) && i + 2 < argc) {
			if (do_dest(b, argv[i] + 2, argv[i + 1], argv[i + 2]))
				status = 1;
			i += 2;
		} else if (!strcmp(argv[i], "--resync") && i + 1 < argc) {
			if (do_sync(b, argv[++i], "resync"))
				status = 1;
		} else if (!strcmp(argv[i], "--read")) {
			if (do_read(b))
				status = 1;
		} else if (!strcmp(argv[i], "--remove-own")) {
			remove_own = true;
		} else {
			usage();
		}
	}
	ops->close(b, remove_own);
	return status;
}

/* "SVCLINE ; DESTLINE" */
static int serve_dest(void *b, const char *verb, char *rest)
{
	char *semi = strchr(rest, ';');

	if (!semi) {
		printf("error expected SVCLINE ; DESTLINE\n");
		fflush(stdout);
		return -1;
	}
	*semi = '\0';
	return do_dest(b, verb, rest, semi + 1);
}

static int cmd_serve(void)
{
	char line[1024];
	void *b = open_backend();

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "sync ", 5)) {
			do_sync(b, line + 5, "sync");
		} else if (!strncmp(line, "set ", 4) || !strncmp(line, "del ", 4)) {
			line[3] = '\0';
			serve_dest(b, line, line + 4);
		} else if (!strcmp(line, "read")) {
			do_read(b);
			printf("end\n");
			fflush(stdout);
		} else if (!strncmp(line, "quit", 4)) {
			ops->close(b, strstr(line, "remove-own") != NULL);
			printf("bye\n");
			return 0;
		} else if (line[0]) {
			printf("error unknown command\n");
			fflush(stdout);
		}
	}
	ops->close(b, false);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One wrr service (weights 1-3) on 192.0.2.1:80 with n destinations in
 * 198.51.100.0/24 and 203.0.113.0/24 (ports vary beyond 500): the time
 * from the call to the kernel's ack of one dest_del and one dest_set of
 * the destination in the middle (each changes a few @idx elements and the
 * chain's rules). */
static int cmd_bench(int argc, char **argv)
{
	struct lvs_table want;
	struct lvs_tsvc *s;
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_TCP, .port = 80};
	struct lvs_svc_attr a = {.sched = "wrr"};
	struct lvs_dest d = {.af = AF_INET, .fwd = LVS_FWD_NAT, .weight = 1};
	unsigned long n, i;
	double t0, t1, t2;
	int r1, r2;
	void *b;

	if (argc != 1)
		usage();
	n = tf_num(argv[0], 60000, argv[0]);
	addr_parse("192.0.2.1", &k.addr);
	lvs_table_init(&want);
	s = lvs_table_add_svc(&want, &k, &a);
	for (i = 0; s && i < n; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "%s.%lu", i % 2 ? "198.51.100" : "203.0.113",
		         (i / 2) % 250 + 1);
		addr_parse(ip, &d.addr);
		d.port = (uint16_t)(8000 + i / 500);
		d.weight = (int32_t)(1 + i % 3);
		if (lvs_svc_set_dest(s, &d) < 0)
			return 1;
	}
	b = open_backend();
	if (ops->sync(b, &want, NULL, false) != 0) {
		fprintf(stderr, "ka_nft: bench: sync failed\n");
		return 1;
	}
	d = s->dests[n / 2].d;
	t0 = now_ms();
	r1 = ops->dest_del(b, &k, &d);
	t1 = now_ms();
	r2 = ops->dest_set(b, &k, &d);
	t2 = now_ms();
	printf("bench dests=%lu del_ms=%.3f set_ms=%.3f rc=%d,%d mutations=%lu\n", n, t1 - t0,
	       t2 - t1, r1, r2, ops->mutations(b));
	ops->close(b, true);
	lvs_table_free(&want);
	return r1 || r2;
}

/* ---- stress: the kernel's @idx after random changes ---- */

static uint32_t rnd_state = 20261122;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

struct kel {
	uint32_t key;
	bool end;
	long own; /* index in the service's dests, -1 unknown */
};

static int kel_cmp(const void *a, const void *b)
{
	const struct kel *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (int)y->end - (int)x->end;
}

/* The kernel's @idx of s, in order; NAT starts get their owner. */
static struct kel *read_idx(struct nft_sock *sk, const struct lvs_tsvc *s, bool dr, size_t *n)
{
	char name[NFT_NAME_MAX];
	struct nft_elem *e = NULL;
	struct kel *k;
	uint8_t key[32];
	bool wp = nft_svc_with_port(s);
	size_t i, j;
	int r;

	nft_set_name(&s->key, "idx", name, sizeof(name));
	r = dr ? nft_sock_elems_fam(sk, 5 /* NFPROTO_NETDEV */, name, &e, n)
	       : nft_sock_elems(sk, name, &e, n);
	if (r < 0) {
		printf("stress: cannot read %s: %s\n", name, strerror(-r));
		return NULL;
	}
	k = calloc(*n ? *n : 1, sizeof(*k));
	for (i = 0; k && i < *n; i++) {
		uint32_t v;

		memcpy(&v, e[i].key, 4);
		k[i] = (struct kel){ntohl(v), (e[i].flags & NFT_SET_ELEM_INTERVAL_END) != 0, -1};
		for (j = 0; !dr && !k[i].end && j < s->n_dests; j++)
			if (nft_dest_key(&s->dests[j].d, wp, key) == e[i].dlen &&
			    !memcmp(key, e[i].data, e[i].dlen))
				k[i].own = (long)j;
	}
	free(e);
	if (k)
		qsort(k, *n, sizeof(*k), kel_cmp);
	return k;
}

/* The kernel's @idx of s: ranges start, end, start, end... covering
 * [0, modulus) of the fresh plan; owners (NAT) with exactly their
 * units (rr, wrr) or exactly the fresh layout (sh, dh, mh).  0 or -1. */
static int verify_idx(struct nft_sock *sk, const struct lvs_tsvc *s, bool dr, unsigned step)
{
	struct nft_svc_plan f;
	uint64_t *units = calloc(s->n_dests + 1, sizeof(*units)), *want;
	struct kel *k = NULL;
	size_t n = 0, i, r = 0;
	bool hist;
	const char *bad = NULL;

	want = calloc(s->n_dests + 1, sizeof(*want));
	if (!units || !want || nft_svc_compile(s, &f) < 0) {
		free(units);
		free(want);
		return -1;
	}
	hist = f.sched == NFT_SCHED_RR || f.sched == NFT_SCHED_WRR;
	k = read_idx(sk, s, dr, &n);
	if (!k)
		bad = "no elements read";
	for (i = 0; !bad && i < n; i++) {
		if (k[i].end != (i % 2 == 1))
			bad = "starts and ends do not alternate";
		else if (i == 0 && k[i].key != 0)
			bad = "the first range does not start at 0";
		else if (i % 2 == 0 && i > 0 && k[i].key != k[i - 1].key)
			bad = "a gap between ranges";
		else if (!dr && !k[i].end && k[i].own < 0)
			bad = "a range of no destination";
		else if (k[i].end && k[i].key <= k[i - 1].key)
			bad = "an empty range";
		else if (!dr && k[i].end)
			units[k[i - 1].own] += k[i].key - k[i - 1].key;
	}
	if (!bad && (n ? k[n - 1].key : 0) != f.modulus)
		bad = "the ranges do not end at the modulus";
	for (i = 0; !bad && !dr && i < f.n_ranges; i++) {
		const struct nft_range *x = &f.ranges[i];

		want[x->dest] += x->hi - x->lo + 1ull;
		if (!hist && (2 * i + 1 >= n || k[2 * i].key != x->lo ||
		              k[2 * i + 1].key != x->hi + 1 || k[2 * i].own != (long)x->dest))
			bad = "not the fresh layout";
	}
	if (!bad && !hist && n != 2 * f.n_ranges)
		bad = "not the fresh layout";
	for (i = 0; !bad && !dr && i < s->n_dests; i++)
		if (units[i] != want[i])
			bad = "a destination does not own its units";
	if (bad)
		printf("stress: step %u: %s (%zu elements, modulus %u)\n", step, bad, n, f.modulus);
	else
		r = n;
	nft_svc_plan_free(&f);
	free(units);
	free(want);
	free(k);
	return bad ? -1 : (int)r;
}

/* KA_NFT_TRACE: the kernel's @idx (S<key>:<dest index>, E<key>) and
 * the service before step i changes d. */
static void trace_step(struct nft_sock *sk, const struct lvs_tsvc *s, bool dr, unsigned long i,
                       const struct lvs_dest *d)
{
	struct kel *x;
	char a[KA_ADDRSTRLEN];
	size_t m = 0, q;

	x = read_idx(sk, s, dr, &m);
	printf("step %lu: %s weight %d; kernel:", i, addr_fmt(&d->addr, a, sizeof(a)), d->weight);
	for (q = 0; x && q < m; q++) {
		printf(x[q].end ? " E%u" : " S%u", x[q].key);
		if (!x[q].end)
			printf(":%ld", x[q].own);
	}
	printf("; service:");
	for (q = 0; q < s->n_dests; q++)
		printf(" %zu=%s/%d", q, addr_fmt(&s->dests[q].d.addr, a, sizeof(a)),
		       s->dests[q].d.weight);
	printf("\n");
	free(x);
}

/* A service of n destinations (NAT: 198.51.100.1-250, ports 8000 +
 * i / 250; dr: 198.51.100.1-250 port 80, which needs an interface with
 * 198.51.100.0/24), then `steps` random changes through dest_set and
 * dest_del, and every 50th through a sync of the whole table: each must
 * be accepted, and the kernel's @idx checked after each. */
static int cmd_stress(int argc, char **argv)
{
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_TCP, .port = 80};
	struct lvs_svc_attr a = {0};
	struct lvs_dest d = {.af = AF_INET};
	unsigned long n, steps, i, pool;
	struct nft_sock *sk;
	double t0, worst = 0, sum = 0;
	bool dr;
	char err[256], ip[32];
	int fails = 0, r, elems = 0;
	void *b;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "dr")))
		usage();
	dr = argc == 4;
	if (getenv("KA_NFT_SEED"))
		rnd_state = (uint32_t)tf_num(getenv("KA_NFT_SEED"), UINT32_MAX, "KA_NFT_SEED") | 1;
	snprintf(a.sched, sizeof(a.sched), "%s", argv[0]);
	n = tf_num(argv[1], dr ? 250 : 60000, argv[1]);
	steps = tf_num(argv[2], 1000000, argv[2]);
	pool = dr ? (n + n / 10 > 250 ? 250 : n + n / 10) : n + n / 10;
	addr_parse("192.0.2.1", &k.addr);
	d.fwd = dr ? LVS_FWD_DR : LVS_FWD_NAT;
	lvs_table_init(&t);
	s = lvs_table_add_svc(&t, &k, &a);
	for (i = 0; s && i < n; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%lu", i % 250 + 1);
		addr_parse(ip, &d.addr);
		d.port = (uint16_t)(dr ? 80 : 8000 + i / 250);
		d.weight = (int32_t)(1 + i % 3);
		if (lvs_svc_set_dest(s, &d) < 0)
			return 1;
	}
	sk = nft_sock_open(err, sizeof(err));
	if (!sk) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	b = open_backend();
	if (ops->sync(b, &t, NULL, false) != 0 || verify_idx(sk, s, dr, 0) < 0) {
		printf("stress: the first sync failed\n");
		return 1;
	}
	for (i = 1; i <= steps && fails < 5; i++) {
		unsigned long who = rnd((uint32_t)pool), what = rnd(10);
		struct lvs_tdest *cur;

		snprintf(ip, sizeof(ip), "198.51.100.%lu", who % 250 + 1);
		addr_parse(ip, &d.addr);
		d.port = (uint16_t)(dr ? 80 : 8000 + who / 250);
		d.weight = what < 2 ? 0 : (int32_t)(1 + rnd(3));
		if (getenv("KA_NFT_TRACE"))
			trace_step(sk, s, dr, i, &d);
		t0 = now_ms();
		if (i % 50 == 0) {
			if (lvs_svc_set_dest(s, &d) < 0)
				return 1;
			r = ops->sync(b, &t, NULL, false);
		} else if (what < 4 && (cur = lvs_svc_find_dest(s, &d)) != NULL) {
			r = ops->dest_del(b, &k, &d);
			memmove(cur, cur + 1,
			        (size_t)(s->dests + s->n_dests - cur - 1) * sizeof(*cur));
			s->n_dests--;
		} else {
			r = ops->dest_set(b, &k, &d);
			if (lvs_svc_set_dest(s, &d) < 0)
				return 1;
		}
		t0 = now_ms() - t0;
		sum += t0;
		worst = t0 > worst ? t0 : worst;
		if (r != 0) {
			printf("stress: step %lu refused (rc=%d)\n", i, r);
			fails++;
			continue;
		}
		r = verify_idx(sk, s, dr, (unsigned)i);
		if (r < 0)
			fails++;
		else
			elems = r;
	}
	printf("stress %s n=%lu steps=%lu failures=%d elements=%d mean_ms=%.3f max_ms=%.3f "
	       "mutations=%lu\n",
	       argv[0], n, steps, fails, elems, sum / (double)steps, worst, ops->mutations(b));
	ops->close(b, true);
	nft_sock_close(sk);
	lvs_table_free(&t);
	return fails ? 1 : 0;
}

static void table_copy(struct lvs_table *t, const struct lvs_tsvc *src)
{
	struct lvs_tsvc *s = lvs_table_add_svc(t, &src->key, &src->attr);
	size_t i;

	for (i = 0; s && i < src->n_dests; i++)
		lvs_svc_set_dest(s, &src->dests[i].d);
}

static int cmd_render(int argc, char **argv)
{
	struct lvs_table want, nat;
	struct nft_batch b;
	char *text;
	size_t i;

	if (argc != 1)
		usage();
	tf_load_table(argv[0], &want);
	lvs_table_init(&nat);
	for (i = 0; i < want.n_svcs; i++)
		if (!nft_svc_is_dr(&want.svcs[i]))
			table_copy(&nat, &want.svcs[i]);
	nft_batch_init(&b, 1);
	nft_batch_replace(&b, &nat);
	/* DR services in the netdev table; without a kernel to ask, the
	 * interface is shown as index 0. */
	nft_batch_dr_replace(&b);
	for (i = 0; i < want.n_svcs; i++)
		if (nft_svc_is_dr(&want.svcs[i]))
			nft_batch_dr_svc_add(&b, &want.svcs[i], NULL, 0);
	lvs_table_free(&nat);
	if (nft_batch_end(&b) < 0)
		return 1;
	text = nft_batch_render(b.buf, b.len);
	if (!text)
		return 1;
	fputs(text, stdout);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&want);
	return 0;
}

int main(int argc, char **argv)
{
	struct log_opts lo = {.console = true, .no_syslog = true, .facility = LOG_DAEMON};
	char err[256];
	void *b;

	tf_prog = "ka_nft";

	log_init("ka_nft", &lo, NULL);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "probe")) {
		b = ops->open(err, sizeof(err));
		if (!b) {
			printf("%s\n", err);
			return 1;
		}
		printf("nftables available\n");
		ops->close(b, false);
		return 0;
	}
	if (!strcmp(argv[1], "sync"))
		return cmd_sync(argc - 2, argv + 2);
	if (!strcmp(argv[1], "serve"))
		return cmd_serve();
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 2, argv + 2);
	if (!strcmp(argv[1], "render"))
		return cmd_render(argc - 2, argv + 2);
	if (!strcmp(argv[1], "stress"))
		return cmd_stress(argc - 2, argv + 2);
	usage();
	return 2;
}
