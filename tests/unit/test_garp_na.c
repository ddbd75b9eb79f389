/* Gratuitous ARP frame and unsolicited Neighbour Advertisement layout,
 * byte by byte (RFC 826 / RFC 5227 §3; RFC 4861 §4.4). */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "vrrp/vrrp_arp.h"
#include "vrrp/vrrp_ndisc.h"

static void test_garp(void)
{
	static const uint8_t mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x01, 0x33};
	static const uint8_t want[VRRP_ARP_FRAME_LEN] = {
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
	    0x00, 0x00, 0x5e, 0x00, 0x01, 0x33, /* source MAC */
	    0x08, 0x06,                         /* ARP */
	    0x00, 0x01, 0x08, 0x00, 6,    4,    /* Ethernet, IPv4, lengths */
	    0x00, 0x01,                         /* request */
	    0x00, 0x00, 0x5e, 0x00, 0x01, 0x33, /* sender MAC */
	    192,  0,    2,    100,              /* sender IP = VIP */
	    0,    0,    0,    0,    0,    0,    /* target MAC */
	    192,  0,    2,    100,              /* target IP = VIP */
	};
	uint8_t buf[64];
	struct in_addr vip;

	inet_pton(AF_INET, "192.0.2.100", &vip);
	CHECK_INT(vrrp_garp_build(buf, sizeof(buf), mac, vip), VRRP_ARP_FRAME_LEN);
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
	CHECK_INT(vrrp_garp_build(buf, VRRP_ARP_FRAME_LEN - 1, mac, vip), -EMSGSIZE);
}

static void test_na(void)
{
	static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	uint8_t buf[64];
	struct in6_addr t;

	inet_pton(AF_INET6, "2001:db8::100", &t);
	CHECK_INT(vrrp_na_build(buf, sizeof(buf), &t, mac, false), VRRP_NA_LEN);
	CHECK_INT(buf[0], 136);        /* Neighbour Advertisement */
	CHECK_INT(buf[1], 0);          /* code */
	CHECK_INT(buf[2] | buf[3], 0); /* checksum: the kernel's job */
	CHECK_INT(buf[4], 0x20);       /* O set, R and S clear */
	CHECK_INT(buf[5] | buf[6] | buf[7], 0);
	CHECK(memcmp(buf + 8, &t, 16) == 0);
	CHECK_INT(buf[24], 2); /* target link-layer address option */
	CHECK_INT(buf[25], 1); /* 8 octets */
	CHECK(memcmp(buf + 26, mac, 6) == 0);
	CHECK_INT(vrrp_na_build(buf, sizeof(buf), &t, mac, true), VRRP_NA_LEN);
	CHECK_INT(buf[4], 0xa0); /* R and O */
	CHECK_INT(vrrp_na_build(buf, VRRP_NA_LEN - 1, &t, mac, true), -EMSGSIZE);
}

int main(void)
{
	test_garp();
	test_na();
	return check_report("test_garp_na");
}
