/* IPVS generic netlink messages: requests compared byte for byte with
 * arrays written by hand from the UAPI layout (linux/netlink.h,
 * linux/genetlink.h, linux/ip_vs.h; little-endian host), replies decoded
 * from hand-built dumps, and hostile replies (truncated, wrong lengths,
 * missing nests, every byte flipped) that must fail cleanly.  Buffers
 * handed to the decoders are heap copies of their exact size so ASan
 * catches any read past them. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include "check.h"
#include "lib/nl.h"
#include "lvs/ipvs_msg.h"

#define FAM 0x1c /* a made-up IPVS family id */

/* Byte helpers for the golden arrays (little-endian). */
#define U16(v) ((v)&0xff), (((v) >> 8) & 0xff)
#define U32(v) ((v)&0xff), (((v) >> 8) & 0xff), (((v) >> 16) & 0xff), (((v) >> 24) & 0xff)
/* nlmsghdr: len, type, flags, seq 0, pid 0 */
#define NLMSG(len, type, flags) U32(len), U16(type), U16(flags), U32(0), U32(0)
/* struct nlattr: len, type */
#define NLA(len, type) U16(len), U16(type)
#define NEST(t) ((t) | 0x8000) /* libmnl marks nests with NLA_F_NESTED */
#define Z4 0, 0, 0, 0
#define Z12 Z4, Z4, Z4

static void *dup_exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

static void check_bytes(const char *what, const uint8_t *got, size_t got_len, const uint8_t *want,
                        size_t want_len)
{
	size_t i;

	t_checks++;
	if (got_len == want_len && memcmp(got, want, want_len) == 0)
		return;
	t_failures++;
	fprintf(stderr, "%s: encoded %zu bytes, expected %zu\n", what, got_len, want_len);
	for (i = 0; i < got_len || i < want_len; i++) {
		int g = i < got_len ? got[i] : -1, w = i < want_len ? want[i] : -1;

		if (g != w)
			fprintf(stderr, "  offset %zu: got %02x expected %02x\n", i, g & 0xff,
			        w & 0xff);
	}
}

static uint8_t buf[IPVS_MSG_MAX];

static size_t msg_len(void)
{
	return ((struct nlmsghdr *)(void *)buf)->nlmsg_len;
}

static struct lvs_svc_key key4(void)
{
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_TCP, .port = 80};

	addr_parse("192.0.2.1", &k.addr);
	return k;
}

static struct lvs_svc_key key6(void)
{
	struct lvs_svc_key k = {.af = AF_INET6, .protocol = IPPROTO_TCP, .port = 443};

	addr_parse("2001:db8::1", &k.addr);
	return k;
}

static void test_new_service_v4(void)
{
	struct lvs_svc_key k = key4();
	struct lvs_svc_attr a = {.sched = "wlc"};
	static const uint8_t want[] = {
	    NLMSG(104, FAM, 0x0005), /* REQUEST|ACK */
	    1,
	    1,
	    0,
	    0,                /* genl: NEW_SERVICE, version 1 */
	    NLA(84, NEST(1)), /* IPVS_CMD_ATTR_SERVICE */
	    NLA(6, 1),
	    U16(2),
	    0,
	    0, /* AF_INET + pad */
	    NLA(6, 2),
	    U16(6),
	    0,
	    0, /* TCP */
	    NLA(20, 3),
	    192,
	    0,
	    2,
	    1,
	    Z12, /* nf_inet_addr */
	    NLA(6, 4),
	    0,
	    80,
	    0,
	    0, /* port, big-endian */
	    NLA(8, 6),
	    'w',
	    'l',
	    'c',
	    0, /* scheduler */
	    NLA(12, 7),
	    U32(2),
	    U32(0xffffffff), /* flags HASHED, mask all */
	    NLA(8, 8),
	    U32(0), /* timeout */
	    NLA(8, 9),
	    255,
	    255,
	    255,
	    255, /* netmask 0 -> /32 */
	};

	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_NEW_SERVICE, NLM_F_ACK, &k, &a), 0);
	check_bytes("NEW_SERVICE v4", buf, msg_len(), want, sizeof(want));
}

static void test_new_service_v6_persistent(void)
{
	struct lvs_svc_key k = key6();
	struct lvs_svc_attr a = {.sched = "sh",
	                         .flags = IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED1 |
	                                  IP_VS_SVC_F_SCHED2,
	                         .timeout_s = 360,
	                         .netmask = 64};
	static const uint8_t want[] = {
	    NLMSG(104, FAM, 0x0005),
	    2,
	    1,
	    0,
	    0, /* SET_SERVICE */
	    NLA(84, NEST(1)),
	    NLA(6, 1),
	    U16(10),
	    0,
	    0,
	    NLA(6, 2),
	    U16(6),
	    0,
	    0,
	    NLA(20, 3),
	    0x20,
	    0x01,
	    0x0d,
	    0xb8,
	    Z4,
	    Z4,
	    0,
	    0,
	    0,
	    1,
	    NLA(6, 4),
	    0x01,
	    0xbb,
	    0,
	    0, /* 443 */
	    NLA(7, 6),
	    's',
	    'h',
	    0,
	    0, /* "sh" + pad */
	    NLA(12, 7),
	    U32(0x1b),
	    U32(0xffffffff), /* PERSISTENT|HASHED|SCHED1|SCHED2 */
	    NLA(8, 8),
	    U32(360),
	    NLA(8, 9),
	    U32(64), /* IPv6: host-order prefix length */
	};

	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_SET_SERVICE, NLM_F_ACK, &k, &a), 0);
	check_bytes("SET_SERVICE v6", buf, msg_len(), want, sizeof(want));

	/* IPv6 with netmask 0: the kernel refuses a prefix of 0, so 128. */
	a.netmask = 0;
	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_SET_SERVICE, NLM_F_ACK, &k, &a), 0);
	CHECK_INT(buf[msg_len() - 4], 128);
}

static void test_fwmark_service(void)
{
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_UDP, .fwmark = 5};
	struct lvs_svc_attr a = {
	    .sched = "rr", .flags = IP_VS_SVC_F_PERSISTENT, .timeout_s = 300, .pe_name = "sip"};
	static const uint8_t want[] = {
	    NLMSG(84, FAM, 0x0005),
	    1,
	    1,
	    0,
	    0,
	    NLA(64, NEST(1)),
	    NLA(6, 1),
	    U16(2),
	    0,
	    0,
	    NLA(8, 5),
	    U32(5), /* fwmark: no protocol/addr/port */
	    NLA(7, 6),
	    'r',
	    'r',
	    0,
	    0, /* scheduler */
	    NLA(8, 11),
	    's',
	    'i',
	    'p',
	    0, /* PE_NAME */
	    NLA(12, 7),
	    U32(3),
	    U32(0xffffffff),
	    NLA(8, 8),
	    U32(300),
	    NLA(8, 9),
	    U32(0xffffffff),
	};
	static const uint8_t del[] = {
	    NLMSG(40, FAM, 0x0005), 3,         1,      0, 0, /* DEL_SERVICE: the key only */
	    NLA(20, NEST(1)),       NLA(6, 1), U16(2), 0, 0, NLA(8, 5), U32(5),
	};

	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_NEW_SERVICE, NLM_F_ACK, &k, &a), 0);
	check_bytes("NEW_SERVICE fwmark", buf, msg_len(), want, sizeof(want));
	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_DEL_SERVICE, NLM_F_ACK, &k, NULL),
	          0);
	check_bytes("DEL_SERVICE fwmark", buf, msg_len(), del, sizeof(del));
}

static void test_new_dest_v4(void)
{
	struct lvs_svc_key k = key4();
	struct lvs_dest d = {.port = 80, .fwd = LVS_FWD_NAT, .weight = 1, .tun_port = 99};
	static const uint8_t want[] = {
	    NLMSG(140, FAM, 0x0005),
	    5,
	    1,
	    0,
	    0, /* NEW_DEST */
	    NLA(48, NEST(1)),
	    NLA(6, 1),
	    U16(2),
	    0,
	    0,
	    NLA(6, 2),
	    U16(6),
	    0,
	    0,
	    NLA(20, 3),
	    192,
	    0,
	    2,
	    1,
	    Z12,
	    NLA(6, 4),
	    0,
	    80,
	    0,
	    0,
	    NLA(72, NEST(2)), /* IPVS_CMD_ATTR_DEST */
	    NLA(20, 1),
	    192,
	    0,
	    2,
	    10,
	    Z12, /* addr */
	    NLA(6, 2),
	    0,
	    80,
	    0,
	    0, /* port */
	    NLA(6, 11),
	    U16(2),
	    0,
	    0, /* ADDR_FAMILY */
	    NLA(8, 3),
	    U32(0), /* MASQ */
	    NLA(8, 4),
	    U32(1), /* weight */
	    NLA(8, 5),
	    U32(0),
	    NLA(8, 6),
	    U32(0), /* thresholds; no tunnel attrs */
	};
	static const uint8_t del[] = {
	    NLMSG(108, FAM, 0x0005),
	    7,
	    1,
	    0,
	    0, /* DEL_DEST: identity only */
	    NLA(48, NEST(1)),
	    NLA(6, 1),
	    U16(2),
	    0,
	    0,
	    NLA(6, 2),
	    U16(6),
	    0,
	    0,
	    NLA(20, 3),
	    192,
	    0,
	    2,
	    1,
	    Z12,
	    NLA(6, 4),
	    0,
	    80,
	    0,
	    0,
	    NLA(40, NEST(2)),
	    NLA(20, 1),
	    192,
	    0,
	    2,
	    10,
	    Z12,
	    NLA(6, 2),
	    0,
	    80,
	    0,
	    0,
	    NLA(6, 11),
	    U16(2),
	    0,
	    0,
	};

	addr_parse("192.0.2.10", &d.addr);
	CHECK_INT(ipvs_msg_dest(buf, sizeof(buf), FAM, IPVS_CMD_NEW_DEST, NLM_F_ACK, &k, &d, true),
	          0);
	check_bytes("NEW_DEST v4 NAT", buf, msg_len(), want, sizeof(want));
	CHECK_INT(ipvs_msg_dest(buf, sizeof(buf), FAM, IPVS_CMD_DEL_DEST, NLM_F_ACK, &k, &d, false),
	          0);
	check_bytes("DEL_DEST v4", buf, msg_len(), del, sizeof(del));
}

static void test_new_dest_v6(void)
{
	struct lvs_svc_key k = key6();
	struct lvs_dest d = {.af = AF_INET6,
	                     .port = 443,
	                     .fwd = LVS_FWD_DR,
	                     .weight = 5,
	                     .u_threshold = 100,
	                     .l_threshold = 10};
	static const uint8_t want[] = {
	    NLMSG(140, FAM, 0x0005),
	    6,
	    1,
	    0,
	    0, /* SET_DEST */
	    NLA(48, NEST(1)),
	    NLA(6, 1),
	    U16(10),
	    0,
	    0,
	    NLA(6, 2),
	    U16(6),
	    0,
	    0,
	    NLA(20, 3),
	    0x20,
	    0x01,
	    0x0d,
	    0xb8,
	    Z4,
	    Z4,
	    0,
	    0,
	    0,
	    1,
	    NLA(6, 4),
	    0x01,
	    0xbb,
	    0,
	    0,
	    NLA(72, NEST(2)),
	    NLA(20, 1),
	    0x20,
	    0x01,
	    0x0d,
	    0xb8,
	    Z4,
	    Z4,
	    0,
	    0,
	    0,
	    0x10,
	    NLA(6, 2),
	    0x01,
	    0xbb,
	    0,
	    0,
	    NLA(6, 11),
	    U16(10),
	    0,
	    0,
	    NLA(8, 3),
	    U32(3), /* DROUTE */
	    NLA(8, 4),
	    U32(5),
	    NLA(8, 5),
	    U32(100),
	    NLA(8, 6),
	    U32(10),
	};

	addr_parse("2001:db8::10", &d.addr);
	CHECK_INT(ipvs_msg_dest(buf, sizeof(buf), FAM, IPVS_CMD_SET_DEST, NLM_F_ACK, &k, &d, true),
	          0);
	check_bytes("SET_DEST v6 DR", buf, msg_len(), want, sizeof(want));
}

static void test_new_dest_tun_fwmark(void)
{
	/* An IPv4 fwmark service with an IPv6 GUE tunnel destination: mixed
	 * families are the reason for IPVS_DEST_ATTR_ADDR_FAMILY. */
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_TCP, .fwmark = 7};
	struct lvs_dest d = {.port = 0,
	                     .fwd = LVS_FWD_TUN,
	                     .weight = 2,
	                     .tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE,
	                     .tun_port = 6080,
	                     .tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM};
	static const uint8_t want[] = {
	    NLMSG(136, FAM, 0x0005),
	    5,
	    1,
	    0,
	    0,
	    NLA(20, NEST(1)),
	    NLA(6, 1),
	    U16(2),
	    0,
	    0,
	    NLA(8, 5),
	    U32(7),
	    NLA(96, NEST(2)),
	    NLA(20, 1),
	    0x20,
	    0x01,
	    0x0d,
	    0xb8,
	    Z4,
	    Z4,
	    0,
	    0,
	    0,
	    0x20,
	    NLA(6, 2),
	    0,
	    0,
	    0,
	    0,
	    NLA(6, 11),
	    U16(10),
	    0,
	    0,
	    NLA(8, 3),
	    U32(2), /* TUNNEL */
	    NLA(8, 4),
	    U32(2),
	    NLA(8, 5),
	    U32(0),
	    NLA(8, 6),
	    U32(0),
	    NLA(5, 13),
	    1,
	    0,
	    0,
	    0, /* TUN_TYPE GUE + pad */
	    NLA(6, 14),
	    0x17,
	    0xc0,
	    0,
	    0, /* TUN_PORT 6080, big-endian */
	    NLA(6, 15),
	    U16(1),
	    0,
	    0, /* TUN_FLAGS CSUM */
	};

	addr_parse("2001:db8::20", &d.addr); /* af 0: taken from the address */
	CHECK_INT(ipvs_msg_dest(buf, sizeof(buf), FAM, IPVS_CMD_NEW_DEST, NLM_F_ACK, &k, &d, true),
	          0);
	check_bytes("NEW_DEST TUN fwmark", buf, msg_len(), want, sizeof(want));
}

static void test_daemon(void)
{
	struct lvs_syncd s = {
	    .backup = false, .ifname = "eth0", .syncid = 7, .maxlen = 1472, .port = 8848, .ttl = 2};
	static const uint8_t want[] = {
	    NLMSG(84, FAM, 0x0005),
	    9,
	    1,
	    0,
	    0,                /* NEW_DAEMON */
	    NLA(64, NEST(3)), /* IPVS_CMD_ATTR_DAEMON */
	    NLA(8, 1),
	    U32(1), /* MASTER */
	    NLA(9, 2),
	    'e',
	    't',
	    'h',
	    '0',
	    0,
	    0,
	    0,
	    0,
	    NLA(8, 3),
	    U32(7), /* syncid */
	    NLA(6, 4),
	    U16(1472),
	    0,
	    0, /* maxlen, host order */
	    NLA(8, 5),
	    224,
	    0,
	    0,
	    81, /* group */
	    NLA(6, 7),
	    U16(8848),
	    0,
	    0, /* port, host order */
	    NLA(5, 8),
	    2,
	    0,
	    0,
	    0, /* ttl */
	};
	static const uint8_t minimal6[] = {
	    NLMSG(68, FAM, 0x0005),
	    9,
	    1,
	    0,
	    0,
	    NLA(48, NEST(3)),
	    NLA(8, 1),
	    U32(2), /* BACKUP */
	    NLA(8, 2),
	    'b',
	    'r',
	    '0',
	    0,
	    NLA(8, 3),
	    U32(0),
	    NLA(20, 6),
	    0xff,
	    0x02,
	    Z4,
	    Z4,
	    0,
	    0,
	    0,
	    1,
	    0,
	    2, /* GROUP6 ff02::1:2 */
	};
	static const uint8_t del[] = {
	    NLMSG(32, FAM, 0x0005), 10, 1, 0, 0, NLA(12, NEST(3)), NLA(8, 1), U32(2),
	};

	addr_parse("224.0.0.81", &s.mcast);
	CHECK_INT(ipvs_msg_daemon_new(buf, sizeof(buf), FAM, NLM_F_ACK, &s), 0);
	check_bytes("NEW_DAEMON master", buf, msg_len(), want, sizeof(want));

	memset(&s, 0, sizeof(s));
	s.backup = true;
	strcpy(s.ifname, "br0");
	addr_parse("ff02::1:2", &s.mcast);
	CHECK_INT(ipvs_msg_daemon_new(buf, sizeof(buf), FAM, NLM_F_ACK, &s), 0);
	check_bytes("NEW_DAEMON backup v6", buf, msg_len(), minimal6, sizeof(minimal6));

	CHECK_INT(ipvs_msg_daemon_del(buf, sizeof(buf), FAM, NLM_F_ACK, true), 0);
	check_bytes("DEL_DAEMON backup", buf, msg_len(), del, sizeof(del));
}

static void test_config_and_simple(void)
{
	static const uint8_t want[] = {
	    NLMSG(44, FAM, 0x0005),
	    12,
	    1,
	    0,
	    0, /* SET_CONFIG */
	    NLA(8, 4),
	    U32(900),
	    NLA(8, 5),
	    U32(120),
	    NLA(8, 6),
	    U32(300),
	};
	static const uint8_t only_udp[] = {
	    NLMSG(28, FAM, 0x0005), 12, 1, 0, 0, NLA(8, 6), U32(60),
	};
	static const uint8_t dump[] = {
	    NLMSG(20, FAM, 0x0301), 4, 1, 0, 0, /* GET_SERVICE, REQUEST|DUMP */
	};
	static const uint8_t family[] = {
	    NLMSG(32, 0x10, 0x0001),
	    3,
	    1,
	    0,
	    0, /* nlctrl GETFAMILY */
	    NLA(9, 2),
	    'I',
	    'P',
	    'V',
	    'S',
	    0,
	    0,
	    0,
	    0,
	};

	CHECK_INT(ipvs_msg_timeouts(buf, sizeof(buf), FAM, NLM_F_ACK, 900, 120, 300), 0);
	check_bytes("SET_CONFIG", buf, msg_len(), want, sizeof(want));
	CHECK_INT(ipvs_msg_timeouts(buf, sizeof(buf), FAM, NLM_F_ACK, 0, 0, 60), 0);
	check_bytes("SET_CONFIG udp only", buf, msg_len(), only_udp, sizeof(only_udp));
	CHECK_INT(ipvs_msg_simple(buf, sizeof(buf), FAM, IPVS_CMD_GET_SERVICE, NLM_F_DUMP), 0);
	check_bytes("GET_SERVICE dump", buf, msg_len(), dump, sizeof(dump));
	CHECK_INT(ipvs_msg_getfamily(buf, sizeof(buf), "IPVS"), 0);
	check_bytes("GETFAMILY", buf, msg_len(), family, sizeof(family));
}

static void test_encode_overflow(void)
{
	struct lvs_svc_key k = key6();
	struct lvs_svc_attr a = {.sched = "wlc"};
	struct lvs_dest d = {.fwd = LVS_FWD_TUN};
	size_t n;
	int ok = 0;

	addr_parse("2001:db8::10", &d.addr);
	/* Every buffer too small fails; none writes past its end (ASan). */
	for (n = 0; n < 200; n++) {
		uint8_t *b = malloc(n ? n : 1);
		int r1 = ipvs_msg_svc(b, n, FAM, IPVS_CMD_NEW_SERVICE, 0, &k, &a);
		int r2 = ipvs_msg_dest(b, n, FAM, IPVS_CMD_NEW_DEST, 0, &k, &d, true);

		if ((r1 == 0 || r1 == -EMSGSIZE) && (r2 == 0 || r2 == -EMSGSIZE))
			ok++;
		if (n < 100)
			CHECK_INT(r1, -EMSGSIZE);
		free(b);
	}
	CHECK_INT(ok, 200);
	/* A scheduler name that fills its array is cut to 15 bytes. */
	memset(a.sched, 'x', sizeof(a.sched));
	CHECK_INT(ipvs_msg_svc(buf, sizeof(buf), FAM, IPVS_CMD_NEW_SERVICE, 0, &k, &a), 0);
	CHECK(memchr(buf, 'x', sizeof(buf)) != NULL);
}

/* ---- replies ---- */

/* A service dump: two messages and DONE in one datagram, as the kernel
 * sends them (NLM_F_MULTI, stats nests). */
static const uint8_t svc_dump[] = {
    /* 1: TCP 192.0.2.1:80 wlc persistent 300, old and new stats */
    NLMSG(224, FAM, 0x0002), 1, 1, 0, 0, NLA(204, NEST(1)), NLA(6, 1), U16(2), 0, 0, NLA(6, 2),
    U16(6), 0, 0, NLA(20, 3), 192, 0, 2, 1, Z12, NLA(6, 4), 0, 80, 0, 0, NLA(8, 6), 'w', 'l', 'c',
    0, NLA(12, 7), U32(3), U32(0xffffffff), NLA(8, 8), U32(300), NLA(8, 9), 255, 255, 255, 0,
    NLA(32, NEST(10)), /* STATS: u32 conns/pkts, u64 bytes */
    NLA(8, 1), U32(11), NLA(8, 2), U32(22), NLA(12, 4), U32(4000), U32(1), /* 2^32 + 4000 */
    NLA(88, NEST(12)),                                                     /* STATS64 */
    NLA(12, 1), U32(12), U32(0), NLA(12, 2), U32(23), U32(0), NLA(12, 3), U32(24), U32(0),
    NLA(12, 4), U32(4001), U32(1), NLA(12, 5), U32(5), U32(0), NLA(12, 6), U32(6), U32(0),
    NLA(12, 11), U32(0), U32(0), /* PAD: ignored */
    /* 2: fwmark 9 IPv6 rr with pe */
    NLMSG(84, FAM, 0x0002), 1, 1, 0, 0, NLA(64, NEST(1)), NLA(6, 1), U16(10), 0, 0, NLA(8, 5),
    U32(9), NLA(7, 6), 'r', 'r', 0, 0, NLA(8, 11), 's', 'i', 'p', 0, NLA(12, 7), U32(2),
    U32(0xffffffff), NLA(8, 8), U32(0), NLA(8, 9), U32(128),
    /* DONE */
    NLMSG(20, NLMSG_DONE, 0x0002), U32(0)};

struct dump_ctx {
	struct lvs_table t;
	const char *why;
};

static int svc_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *c = arg;
	struct lvs_svc_key k;
	struct lvs_svc_attr a;
	struct lvs_stats st;
	struct lvs_tsvc *s;

	if (ipvs_parse_svc(nlh, nlh->nlmsg_len, &k, &a, &st, &c->why) < 0)
		return -EBADMSG;
	s = lvs_table_add_svc(&c->t, &k, &a);
	if (!s)
		return -ENOMEM;
	s->stats = st;
	return 0;
}

static void test_svc_dump(void)
{
	struct dump_ctx c = {.why = NULL};
	uint8_t *d = dup_exact(svc_dump, sizeof(svc_dump));
	struct lvs_svc_key k = key4(), fk = {.af = AF_INET6, .fwmark = 9};
	const struct lvs_tsvc *s;
	char b[64];

	lvs_table_init(&c.t);
	CHECK_INT(nl_walk(d, sizeof(svc_dump), 0, 0, svc_cb, &c, NULL, NULL), 0);
	CHECK_INT(c.t.n_svcs, 2);
	s = lvs_table_find(&c.t, &k);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->attr.sched, "wlc");
		CHECK_INT(s->attr.flags, IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED);
		CHECK_INT(s->attr.timeout_s, 300);
		CHECK_INT(s->attr.netmask, htonl(0xffffff00));
		CHECK_STR(s->attr.pe_name, "");
		/* STATS64 wins over STATS */
		CHECK_INT(s->stats.conns, 12);
		CHECK_INT(s->stats.inpkts, 23);
		CHECK_INT(s->stats.outpkts, 24);
		CHECK(s->stats.inbytes == 0x100000000ull + 4001);
		CHECK_INT(s->stats.outbytes, 5);
		CHECK_INT(s->stats.cps, 6);
		CHECK_STR(lvs_svc_key_fmt(&s->key, b, sizeof(b)), "TCP [192.0.2.1]:80");
	}
	s = lvs_table_find(&c.t, &fk);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->attr.sched, "rr");
		CHECK_STR(s->attr.pe_name, "sip");
		CHECK_INT(s->attr.netmask, 128);
		CHECK_STR(lvs_svc_key_fmt(&s->key, b, sizeof(b)), "FWM 9 (IPv6)");
	}
	lvs_table_free(&c.t);
	free(d);
}

static const uint8_t dest_msg[] = {NLMSG(204, FAM, 0x0002),
                                   5,
                                   1,
                                   0,
                                   0,
                                   NLA(184, NEST(2)),
                                   NLA(20, 1),
                                   192,
                                   0,
                                   2,
                                   10,
                                   Z12,
                                   NLA(6, 2),
                                   0,
                                   80,
                                   0,
                                   0,
                                   NLA(8, 3),
                                   U32(3),
                                   NLA(8, 4),
                                   U32(7),
                                   NLA(5, 13),
                                   0,
                                   0,
                                   0,
                                   0,
                                   NLA(6, 14),
                                   0,
                                   0,
                                   0,
                                   0,
                                   NLA(6, 15),
                                   U16(0),
                                   0,
                                   0,
                                   NLA(8, 5),
                                   U32(50),
                                   NLA(8, 6),
                                   U32(5),
                                   NLA(8, 7),
                                   U32(3),
                                   NLA(8, 8),
                                   U32(4),
                                   NLA(8, 9),
                                   U32(1),
                                   NLA(6, 11),
                                   U16(2),
                                   0,
                                   0,
                                   NLA(64, NEST(12)),
                                   NLA(12, 1),
                                   U32(100),
                                   U32(0),
                                   NLA(12, 2),
                                   U32(200),
                                   U32(0),
                                   NLA(12, 3),
                                   U32(300),
                                   U32(0),
                                   NLA(12, 4),
                                   U32(400),
                                   U32(0),
                                   NLA(12, 5),
                                   U32(500),
                                   U32(0)};

static void test_dest_reply(void)
{
	uint8_t *d = dup_exact(dest_msg, sizeof(dest_msg));
	struct lvs_tdest td;
	const char *why = NULL;
	char b[64];

	CHECK_INT(ipvs_parse_dest(d, sizeof(dest_msg), AF_INET, &td, &why), 0);
	CHECK_STR(addr_fmt(&td.d.addr, b, sizeof(b)), "192.0.2.10");
	CHECK_INT(td.d.af, AF_INET);
	CHECK_INT(td.d.port, 80);
	CHECK_INT(td.d.fwd, LVS_FWD_DR);
	CHECK_INT(td.d.weight, 7);
	CHECK_INT(td.d.u_threshold, 50);
	CHECK_INT(td.d.l_threshold, 5);
	CHECK_INT(td.activeconns, 3);
	CHECK_INT(td.inactconns, 4);
	CHECK_INT(td.persistconns, 1);
	CHECK_INT(td.stats.conns, 100);
	CHECK_INT(td.stats.outbytes, 500);
	free(d);
}

static const uint8_t daemon_msg[] = {NLMSG(84, FAM, 0x0002),
                                     9,
                                     1,
                                     0,
                                     0,
                                     NLA(64, NEST(3)),
                                     NLA(8, 1),
                                     U32(2),
                                     NLA(9, 2),
                                     'e',
                                     't',
                                     'h',
                                     '1',
                                     0,
                                     0,
                                     0,
                                     0,
                                     NLA(8, 3),
                                     U32(42),
                                     NLA(6, 4),
                                     U16(1400),
                                     0,
                                     0,
                                     NLA(6, 7),
                                     U16(8848),
                                     0,
                                     0,
                                     NLA(5, 8),
                                     1,
                                     0,
                                     0,
                                     0,
                                     NLA(8, 5),
                                     224,
                                     0,
                                     0,
                                     81};

static const uint8_t config_msg[] = {
    NLMSG(44, FAM, 0), 11,       1,         0,        0, /* wrong cmd on purpose: fixed below */
    NLA(8, 4),         U32(900), NLA(8, 5), U32(120), NLA(8, 6), U32(300)};

static void test_daemon_and_config_reply(void)
{
	uint8_t *d = dup_exact(daemon_msg, sizeof(daemon_msg));
	uint8_t *c = dup_exact(config_msg, sizeof(config_msg));
	struct lvs_syncd s;
	uint32_t tcp, fin, udp;
	const char *why = NULL;
	char b[64];

	CHECK_INT(ipvs_parse_daemon(d, sizeof(daemon_msg), &s, &why), 0);
	CHECK(s.backup);
	CHECK_STR(s.ifname, "eth1");
	CHECK_INT(s.syncid, 42);
	CHECK_INT(s.maxlen, 1400);
	CHECK_INT(s.port, 8848);
	CHECK_INT(s.ttl, 1);
	CHECK_STR(addr_fmt(&s.mcast, b, sizeof(b)), "224.0.0.81");

	/* cmd 11 (GET_DAEMON) is not a config reply */
	CHECK_INT(ipvs_parse_timeouts(c, sizeof(config_msg), &tcp, &fin, &udp, &why), -EBADMSG);
	c[16] = IPVS_CMD_SET_CONFIG;
	CHECK_INT(ipvs_parse_timeouts(c, sizeof(config_msg), &tcp, &fin, &udp, &why), 0);
	CHECK_INT(tcp, 900);
	CHECK_INT(fin, 120);
	CHECK_INT(udp, 300);
	free(d);
	free(c);
}

static void test_family_reply(void)
{
	static const uint8_t ok[] = {
	    NLMSG(40, GENL_ID_CTRL, 0),
	    1,
	    2,
	    0,
	    0, /* NEWFAMILY */
	    NLA(9, 2),
	    'I',
	    'P',
	    'V',
	    'S',
	    0,
	    0,
	    0,
	    0,
	    NLA(6, 1),
	    U16(0x23),
	    0,
	    0,
	};
	uint8_t *d = dup_exact(ok, sizeof(ok));
	const char *why = NULL;
	uint16_t id = 0;

	CHECK_INT(ipvs_parse_family(d, sizeof(ok), &id, &why), 0);
	CHECK_INT(id, 0x23);
	d[4] = FAM; /* not from nlctrl */
	CHECK_INT(ipvs_parse_family(d, sizeof(ok), &id, &why), -EBADMSG);
	free(d);
}

/* ---- hostile replies ---- */

static int parse_any(const uint8_t *m, size_t len, int which)
{
	struct lvs_svc_key k;
	struct lvs_svc_attr a;
	struct lvs_stats st;
	struct lvs_tdest td;
	struct lvs_syncd s;
	const char *why = NULL;
	uint32_t x, y, z;
	int r = 0;

	switch (which) {
	case 0:
		r = ipvs_parse_svc(m, len, &k, &a, &st, &why);
		break;
	case 1:
		r = ipvs_parse_dest(m, len, AF_INET, &td, &why);
		break;
	case 2:
		r = ipvs_parse_daemon(m, len, &s, &why);
		break;
	default:
		r = ipvs_parse_timeouts(m, len, &x, &y, &z, &why);
		break;
	}
	/* Every failure says why. */
	if (r < 0 && !why)
		return -1000;
	return r;
}

/* Each prefix of a message, with nlmsg_len both left alone (too long for
 * the bytes) and patched to the prefix: never a crash, and never success
 * when required bytes are missing. */
static void hostile_truncations(const uint8_t *msg, size_t len, int which, size_t min_ok)
{
	size_t n;
	int bad_ok = 0, nowhy = 0;

	for (n = 0; n < len; n++) {
		uint8_t *p = dup_exact(msg, n);
		int r = parse_any(p, n, which);

		if (r == 0)
			bad_ok++;
		if (r == -1000)
			nowhy++;
		if (n >= NLMSG_HDRLEN) {
			uint32_t l = (uint32_t)n;

			memcpy(p, &l, sizeof(l));
			r = parse_any(p, n, which);
			if (r == 0 && n < min_ok)
				bad_ok++;
			if (r == -1000)
				nowhy++;
		}
		free(p);
	}
	CHECK_INT(bad_ok, 0);
	CHECK_INT(nowhy, 0);
}

static void hostile_flips(const uint8_t *msg, size_t len, int which)
{
	size_t i;
	int v, nowhy = 0;

	/* Any byte at any value: may parse or not, but never reads outside
	 * the message (ASan) and always explains a failure. */
	for (i = 0; i < len; i++)
		for (v = 0; v < 256; v += 17) {
			uint8_t *p = dup_exact(msg, len);

			p[i] = (uint8_t)v;
			if (parse_any(p, len, which) == -1000)
				nowhy++;
			free(p);
		}
	CHECK_INT(nowhy, 0);
}

static void test_hostile(void)
{
	/* The first message of the dump alone. */
	size_t svc_len = 224;
	uint8_t *m;
	const char *why = NULL;
	struct lvs_svc_key k;
	struct lvs_svc_attr a;
	struct lvs_tdest td;
	struct lvs_stats st;

	/* Nest lengths then overrun the bytes: every truncation must fail. */
	hostile_truncations(svc_dump, svc_len, 0, svc_len);
	hostile_truncations(dest_msg, sizeof(dest_msg), 1, sizeof(dest_msg));
	hostile_truncations(daemon_msg, sizeof(daemon_msg), 2, sizeof(daemon_msg));
	hostile_flips(svc_dump, svc_len, 0);
	hostile_flips(dest_msg, sizeof(dest_msg), 1);
	hostile_flips(daemon_msg, sizeof(daemon_msg), 2);
	hostile_flips(config_msg, sizeof(config_msg), 3);

	/* AF with a 1-byte payload: a wrong length is an error. */
	m = dup_exact(svc_dump, svc_len);
	m[24] = 5;
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, NULL, &why), -EBADMSG);
	CHECK_STR(why, "bad service address family");
	/* The port attribute grown to 8 bytes (into the sched attr header). */
	memcpy(m, svc_dump, svc_len);
	m[24 + 8 + 8 + 20] = 8;
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, NULL, &why), -EBADMSG);
	/* The nest claiming more than the message holds. */
	memcpy(m, svc_dump, svc_len);
	m[20] = 220;
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, NULL, &why), -EBADMSG);
	/* The service nest renamed to an unknown type: missing. */
	memcpy(m, svc_dump, svc_len);
	m[22] = 9;
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, NULL, &why), -EBADMSG);
	CHECK_STR(why, "no service attribute");
	/* Scheduler name without its terminating NUL. */
	memcpy(m, svc_dump, svc_len);
	m[24 + 8 + 8 + 20 + 8 + 7] = 'x';
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, NULL, &why), -EBADMSG);
	CHECK_STR(why, "bad scheduler name");
	/* Stats counter of 2 bytes. */
	memcpy(m, svc_dump, svc_len);
	m[140] = 6; /* first STATS64 counter (STATS64 wins over STATS) */
	CHECK_INT(ipvs_parse_svc(m, svc_len, &k, &a, &st, &why), -EBADMSG);
	free(m);

	/* A destination without its weight. */
	m = dup_exact(dest_msg, sizeof(dest_msg));
	m[24 + 20 + 8 + 8 + 2] = 0x55; /* WEIGHT -> unknown type */
	CHECK_INT(ipvs_parse_dest(m, sizeof(dest_msg), AF_INET, &td, &why), -EBADMSG);
	CHECK_STR(why, "bad destination weight");
	/* A forwarding method the kernel does not define. */
	memcpy(m, dest_msg, sizeof(dest_msg));
	m[24 + 20 + 8 + 4] = 4; /* BYPASS */
	CHECK_INT(ipvs_parse_dest(m, sizeof(dest_msg), AF_INET, &td, &why), -EBADMSG);
	/* A 4-byte address claimed to be IPv6 by the family attribute. */
	memcpy(m, dest_msg, sizeof(dest_msg));
	m[136] = AF_INET6; /* ADDR_FAMILY payload */
	CHECK_INT(ipvs_parse_dest(m, sizeof(dest_msg), AF_INET, &td, &why), 0);
	CHECK_INT(td.d.af, AF_INET6); /* 16 bytes are always there: accepted */
	free(m);

	/* Messages shorter than their headers. */
	CHECK_INT(ipvs_parse_svc(NULL, 0, &k, &a, NULL, &why), -EBADMSG);
	CHECK_INT(ipvs_parse_svc(svc_dump, 10, &k, &a, NULL, &why), -EBADMSG);
}

static void test_canon(void)
{
	struct lvs_svc_key k4 = key4(), k6 = key6();
	struct lvs_svc_attr a = {.sched = "rr"}, b;
	struct lvs_dest d = {.fwd = LVS_FWD_DR, .tun_type = 1, .tun_port = 5, .tun_flags = 1};

	b = a;
	ipvs_svc_attr_canon(&k4, &b);
	CHECK_INT(b.flags, IP_VS_SVC_F_HASHED);
	CHECK_INT(b.netmask, 0xffffffffu);
	b = a;
	ipvs_svc_attr_canon(&k6, &b);
	CHECK_INT(b.netmask, 128);
	addr_parse("192.0.2.5", &d.addr);
	ipvs_dest_canon(&d);
	CHECK_INT(d.af, AF_INET);
	CHECK_INT(d.tun_type + d.tun_port + d.tun_flags, 0);
}

int main(void)
{
	test_new_service_v4();
	test_new_service_v6_persistent();
	test_fwmark_service();
	test_new_dest_v4();
	test_new_dest_v6();
	test_new_dest_tun_fwmark();
	test_daemon();
	test_config_and_simple();
	test_encode_overflow();
	test_svc_dump();
	test_dest_reply();
	test_daemon_and_config_reply();
	test_family_reply();
	test_hostile();
	test_canon();
	return check_report("test_ipvs_msg");
}
