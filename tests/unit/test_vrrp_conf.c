/* The typed VRRP configuration (src/vrrp/vrrp_conf.h): in-memory configs
 * parsed with the real root table, then vrrp_conf_build. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf/conf.h"
#include "core/keywords.h"
#include "vrrp/vrrp_conf.h"

/* ---- capturing reporter ------------------------------------------------------ */

#define MAX_DIAG 64

struct diag {
	enum conf_sev sev;
	int line;
	bool build; /* reported by vrrp_conf_build, not by the parse */
	char msg[512];
};

static struct diag diags[MAX_DIAG];
static int ndiag;
static bool in_build;

static void capture(void *arg, enum conf_sev sev, enum conf_class cls, const char *file, int line,
                    const char *msg)
{
	(void)arg;
	(void)cls;
	(void)file;
	if (ndiag == MAX_DIAG)
		return;
	diags[ndiag].sev = sev;
	diags[ndiag].line = line;
	diags[ndiag].build = in_build;
	snprintf(diags[ndiag].msg, sizeof(diags[0].msg), "%s", msg);
	ndiag++;
}

static void dump_diags(void)
{
	for (int i = 0; i < ndiag; i++)
		fprintf(stderr, "    [%s %c] line %d: %s\n", diags[i].build ? "build" : "parse",
		        diags[i].sev == CONF_SEV_WARN ? 'W' : 'E', diags[i].line, diags[i].msg);
}

/* The first diagnostic of severity sev whose text contains s. */
static const struct diag *find_diag(enum conf_sev sev, const char *s)
{
	for (int i = 0; i < ndiag; i++)
		if (diags[i].sev == sev && strstr(diags[i].msg, s))
			return &diags[i];
	return NULL;
}

static int count_diags(enum conf_sev sev)
{
	int n = 0;

	for (int i = 0; i < ndiag; i++)
		n += diags[i].sev == sev;
	return n;
}

#define CHECK_NDIAG(sev, k)                                                                        \
	do {                                                                                       \
		int _f = t_failures;                                                               \
		CHECK_INT(count_diags(sev), k);                                                    \
		if (t_failures != _f)                                                              \
			dump_diags();                                                              \
	} while (0)

/* ---- helpers ---------------------------------------------------------------------- */

static struct conf_tree *cur_tree;

static const struct conf_opts opts = {.report = capture, .config_id = "test"};

/* Parse and build; the previous tree is freed. */
static struct vrrp_conf *build(const char *text)
{
	struct vrrp_conf *c;

	ndiag = 0;
	if (cur_tree)
		conf_tree_free(cur_tree);
	cur_tree = conf_parse_mem("t.conf", text, strlen(text), &ka_root_block, &opts);
	if (!cur_tree)
		return NULL;
	in_build = true;
	c = vrrp_conf_build(cur_tree, capture, NULL);
	in_build = false;
	return c;
}

/* A seed config with eth0 replaced by lo. */
static char *load_seed(const char *name)
{
	char path[512], *buf, *out, *p, *q;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/conf/seed-configs/%s", test_data_dir(), name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)len + 1);
	out = calloc(1, (size_t)len + 1);
	if (!buf || !out || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		free(out);
		return NULL;
	}
	fclose(f);
	for (p = buf, q = out; *p;) {
		if (!strncmp(p, "eth0", 4)) {
			memcpy(q, "lo", 2);
			q += 2;
			p += 4;
		} else {
			*q++ = *p++;
		}
	}
	free(buf);
	return out;
}

static bool addr_is(const struct ka_addr *a, const char *s)
{
	struct ka_addr b;

	return addr_parse(s, &b) == 0 && addr_equal(a, &b);
}

static const struct vrrp_instance_conf *inst(const struct vrrp_conf *c, const char *name)
{
	int i = vrrp_conf_find_instance(c, name);

	return i < 0 ? NULL : &c->instances[i];
}

/* ---- seed 003 ------------------------------------------------------------------------ */

static void test_seed003(void)
{
	char *m = load_seed("seed003-master.conf"), *b = load_seed("seed003-backup.conf");
	struct vrrp_conf *c;
	const struct vrrp_instance_conf *vi;

	CHECK(m && b);
	if (!m || !b)
		goto out;
	c = build(m);
	CHECK(c != NULL);
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	CHECK_INT(c->n_instances, 1);
	vi = &c->instances[0];
	CHECK_STR(c->global.router_id, "hostname1");
	CHECK_STR(vi->name, "VI_1");
	CHECK(vi->want_master);
	CHECK(!vi->owner);
	CHECK_STR(vi->ifname, "lo");
	CHECK_INT(vi->vrid, 51);
	CHECK_INT(vi->priority, 100);
	CHECK_INT(vi->advert_int_cs, 100);
	CHECK_INT(vi->version, 2);
	CHECK_INT(vi->family, AF_INET);
	CHECK_INT(vi->auth_type, VRRP_AUTH_PASS);
	CHECK(!memcmp(vi->auth_pass, "1111\0\0\0\0", 8));
	CHECK_INT(vi->n_vips, 2);
	CHECK(addr_is(&vi->vips[0].addr, "10.139.1.1"));
	CHECK(addr_is(&vi->vips[1].addr, "10.139.1.2"));
	CHECK_INT(vi->vips[0].prefixlen, 32);
	CHECK(vi->vips[0].dev == NULL);
	CHECK_STR(vi->vips[0].text, "10.139.1.1");
	CHECK_INT(vi->vips[1].line, 25);
	CHECK(vi->has_mcast_src);
	CHECK(addr_is(&vi->mcast_src_ip, "10.139.1.10"));
	CHECK(addr_is(&vi->mcast_dst_ip, "224.0.0.18"));
	CHECK(!vi->unicast);
	CHECK_STR(vi->file, "t.conf");
	CHECK_INT(vi->line, 10);
	CHECK(!vi->config_error);
	vrrp_conf_free(c);

	c = build(b);
	CHECK(c != NULL);
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	vi = &c->instances[0];
	CHECK_STR(c->global.router_id, "hostname2");
	CHECK(!vi->want_master);
	CHECK_INT(vi->priority, 99);
	CHECK_INT(vi->vrid, 51);
	CHECK_INT(vi->auth_type, VRRP_AUTH_PASS);
	CHECK(!memcmp(vi->auth_pass, "1111\0\0\0\0", 8));
	CHECK_INT(vi->n_vips, 2);
	CHECK(addr_is(&vi->mcast_src_ip, "10.139.1.11"));
	vrrp_conf_free(c);
out:
	free(m);
	free(b);
}

/* ---- defaults ------------------------------------------------------------------------ */

static void test_defaults(void)
{
	struct vrrp_conf *c = build("vrrp_instance V {\n"
	                            " interface lo\n"
	                            " virtual_router_id 7\n"
	                            " virtual_ipaddress {\n  192.0.2.1/24 dev lo label lo:1\n }\n"
	                            "}\n");
	const struct vrrp_instance_conf *vi;
	const struct vrrp_global *g;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	g = &c->global;
	CHECK(g->router_id == NULL);
	CHECK_INT(g->version, 2);
	CHECK(addr_is(&g->mcast_group4, "224.0.0.18"));
	CHECK(addr_is(&g->mcast_group6, "ff02::12"));
	CHECK_INT(g->garp.master_delay_us, 5000000);
	CHECK_INT(g->garp.master_repeat, 5);
	CHECK_INT(g->garp.master_refresh_us, 0);
	CHECK_INT(g->garp.master_refresh_repeat, 1);
	CHECK(g->garp.lower_prio_delay_us == VRRP_CONF_UNSET_U64);
	CHECK(g->garp.lower_prio_repeat == VRRP_CONF_UNSET_U32);
	CHECK_INT(g->down_timer_adverts, 3);
	CHECK(!g->strict && !g->lower_prio_no_advert && !g->owner_ignore_adverts);
	CHECK_STR(g->vmac_prefix, "vrrp");
	CHECK_INT(g->max_auto_priority, -1);
	CHECK(g->notify_fifo.path == NULL);

	vi = &c->instances[0];
	CHECK(!vi->want_master);
	CHECK_INT(vi->priority, 100);
	CHECK_INT(vi->advert_int_cs, 100);
	CHECK_INT(vi->version, 2);
	CHECK_INT(vi->family, AF_INET);
	CHECK(!vi->nopreempt);
	CHECK_INT(vi->preempt_delay_us, 0);
	CHECK(vi->accept);
	CHECK(!vi->strict);
	CHECK_INT(vi->down_timer_adverts, 3);
	CHECK(!vi->lower_prio_no_advert && !vi->higher_prio_send_advert);
	CHECK(!vi->owner_ignore_adverts && !vi->skip_check_adv_addr);
	CHECK_INT(vi->garp.master_delay_us, 5000000);
	CHECK_INT(vi->garp.master_repeat, 5);
	CHECK_INT(vi->garp.lower_prio_delay_us, 5000000);
	CHECK_INT(vi->garp.lower_prio_repeat, 5);
	CHECK_INT(vi->garp.master_refresh_repeat, 1);
	CHECK(addr_is(&vi->mcast_dst_ip, "224.0.0.18"));
	CHECK(!vi->has_mcast_src && !vi->has_unicast_src);
	CHECK_INT(vi->unicast_ttl, 255);
	CHECK_INT(vi->auth_type, VRRP_AUTH_NONE);
	CHECK(vi->sync_group == NULL);
	CHECK_INT(vi->sync_group_index, -1);
	CHECK(vi->notify.master == NULL && vi->notify.generic == NULL);
	CHECK(!vi->notify.deleted_set);
	CHECK_INT(vi->n_vips, 1);
	CHECK_INT(vi->vips[0].prefixlen, 24);
	CHECK_STR(vi->vips[0].dev, "lo");
	CHECK_STR(vi->vips[0].label, "lo:1");
	CHECK(vi->vips[0].preferred_lft == VRRP_PREFERRED_LFT_FOREVER);
	CHECK_INT(vi->track.n_ifs + vi->track.n_scripts + vi->track.n_files, 0);
	vrrp_conf_free(c);
}

/* ---- advert_int ------------------------------------------------------------------------ */

#define ADVERT_FMT                                                                                 \
	"vrrp_instance V {\n"                                                                      \
	" interface lo\n"                                                                          \
	" virtual_router_id 7\n"                                                                   \
	" %s\n"                                                                                    \
	" advert_int %s\n"                                                                         \
	" virtual_ipaddress {\n  192.0.2.1\n }\n"                                                  \
	"}\n"

static struct vrrp_conf *build_advert(const char *version, const char *adv)
{
	char buf[512];

	snprintf(buf, sizeof(buf), ADVERT_FMT, version, adv);
	return build(buf);
}

static void test_advert_int(void)
{
	struct vrrp_conf *c;
	const struct diag *d;

	c = build_advert("version 3", "0.1");
	CHECK_INT(c->instances[0].version, 3);
	CHECK_INT(c->instances[0].advert_int_cs, 10);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	vrrp_conf_free(c);

	c = build_advert("version 3", "40");
	CHECK_INT(c->instances[0].advert_int_cs, 4000);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	vrrp_conf_free(c);

	c = build_advert("version 3", "0.015");
	CHECK_INT(c->instances[0].advert_int_cs, 2);
	CHECK_NDIAG(CONF_SEV_WARN, 1);
	vrrp_conf_free(c);

	c = build_advert("version 3", "50");
	CHECK_INT(c->instances[0].advert_int_cs, 4095);
	CHECK(find_diag(CONF_SEV_WARN, "40.95") != NULL);
	vrrp_conf_free(c);

	c = build_advert("version 2", "1.5");
	CHECK_INT(c->instances[0].version, 2);
	CHECK_INT(c->instances[0].advert_int_cs, 200);
	CHECK_NDIAG(CONF_SEV_WARN, 1);
	d = find_diag(CONF_SEV_WARN, "not an integer");
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->line, 5);
		CHECK(d->build);
		CHECK(strstr(d->msg, "1.5") != NULL);
		CHECK(strstr(d->msg, "rounding to 2") != NULL);
	}
	CHECK(!c->instances[0].config_error);
	CHECK_INT(c->counts.warnings, 1);
	vrrp_conf_free(c);

	c = build_advert("", "0.4"); /* global default version 2 */
	CHECK_INT(c->instances[0].advert_int_cs, 100);
	CHECK_NDIAG(CONF_SEV_WARN, 1);
	vrrp_conf_free(c);

	c = build_advert("", "3");
	CHECK_INT(c->instances[0].advert_int_cs, 300);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	vrrp_conf_free(c);

	/* Global vrrp_version 3. */
	c = build("global_defs {\n vrrp_version 3\n}\n"
	          "vrrp_instance V {\n interface lo\n virtual_router_id 7\n advert_int 0.25\n"
	          " virtual_ipaddress {\n  192.0.2.1\n }\n}\n");
	CHECK_INT(c->global.version, 3);
	CHECK_INT(c->instances[0].version, 3);
	CHECK_INT(c->instances[0].advert_int_cs, 25);
	vrrp_conf_free(c);
}

/* ---- families ------------------------------------------------------------------------- */

static void test_families(void)
{
	struct vrrp_conf *c;
	const struct vrrp_instance_conf *vi;
	const struct diag *d;

	/* Mixed VIPs: the parse reports the line, the build leaves it out. */
	c = build("vrrp_instance V {\n"
	          " interface lo\n"
	          " virtual_router_id 7\n"
	          " virtual_ipaddress {\n"
	          "  192.0.2.1\n"
	          "  2001:db8::1\n"
	          " }\n"
	          " virtual_ipaddress {\n"
	          "  192.0.2.2\n"
	          "  2001:db8::2\n"
	          " }\n"
	          " virtual_ipaddress_excluded {\n"
	          "  192.0.2.9\n"
	          "  2001:db8::9\n"
	          " }\n"
	          "}\n");
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 2);
	d = find_diag(CONF_SEV_ERROR, "2001:db8::1");
	CHECK(d && d->line == 6 && !d->build);
	d = find_diag(CONF_SEV_ERROR, "2001:db8::2");
	CHECK(d && d->line == 10 && d->build);
	CHECK_INT(vi->family, AF_INET);
	CHECK_INT(vi->n_vips, 2);
	CHECK(addr_is(&vi->vips[1].addr, "192.0.2.2"));
	CHECK_INT(vi->n_evips, 2); /* excluded addresses may mix families */
	CHECK(vi->config_error);
	vrrp_conf_free(c);

	/* IPv6 VIPs: version 3 even when the instance says 2 (warned). */
	c = build("vrrp_instance V6 {\n"
	          " interface lo\n"
	          " virtual_router_id 9\n"
	          " version 2\n"
	          " advert_int 0.5\n"
	          " virtual_ipaddress {\n"
	          "  fe80::10/64\n"
	          "  2001:db8::10\n"
	          " }\n"
	          "}\n");
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_NDIAG(CONF_SEV_WARN, 1);
	d = find_diag(CONF_SEV_WARN, "version 3");
	CHECK(d && d->line == 4);
	CHECK_INT(vi->family, AF_INET6);
	CHECK_INT(vi->version, 3);
	CHECK_INT(vi->advert_int_cs, 50);
	CHECK(addr_is(&vi->mcast_dst_ip, "ff02::12"));
	CHECK_INT(vi->vips[0].prefixlen, 64);
	CHECK(vi->vips[0].preferred_lft == VRRP_PREFERRED_LFT_FOREVER);
	CHECK_INT(vi->vips[1].prefixlen, 128);
	CHECK_INT(vi->vips[1].preferred_lft, 0);
	vrrp_conf_free(c);

	/* Unicast peers and source of the other family. */
	c = build("vrrp_instance U {\n"
	          " interface lo\n"
	          " virtual_router_id 9\n"
	          " unicast_src_ip 2001:db8::1\n"
	          " unicast_peer {\n"
	          "  192.0.2.20 min_ttl 10 max_ttl 64\n"
	          "  2001:db8::21\n"
	          "  192.0.2.22\n"
	          " }\n"
	          " unicast_ttl 10\n"
	          " virtual_ipaddress {\n  192.0.2.1\n }\n"
	          "}\n");
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 2);
	d = find_diag(CONF_SEV_ERROR, "unicast peer 2001:db8::21");
	CHECK(d && d->line == 7 && d->build);
	d = find_diag(CONF_SEV_ERROR, "unicast_src_ip");
	CHECK(d && d->line == 4);
	CHECK(vi->unicast);
	CHECK(!vi->has_unicast_src);
	CHECK_INT(vi->n_peers, 2);
	CHECK_INT(vi->peers[0].min_ttl, 10);
	CHECK_INT(vi->peers[0].max_ttl, 64);
	CHECK_INT(vi->peers[1].min_ttl, 0);
	CHECK_INT(vi->peers[1].max_ttl, 255);
	CHECK(addr_is(&vi->peers[1].addr, "192.0.2.22"));
	CHECK_INT(vi->unicast_ttl, 10);
	CHECK(vi->config_error);
	vrrp_conf_free(c);

	/* No VIPs: the family comes from the unicast source. */
	c = build("vrrp_instance U {\n"
	          " interface lo\n"
	          " virtual_router_id 9\n"
	          " no_virtual_ipaddress\n"
	          " unicast_src_ip fe80::1\n"
	          " unicast_peer {\n  fe80::2\n }\n"
	          "}\n");
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_INT(vi->family, AF_INET6);
	CHECK_INT(vi->version, 3);
	CHECK(vi->has_unicast_src);
	CHECK_INT(vi->n_peers, 1);
	CHECK(vi->no_virtual_ipaddress);
	vrrp_conf_free(c);
}

/* ---- notify scripts ----------------------------------------------------------------------- */

static void test_notify(void)
{
	struct vrrp_conf *c;
	const struct vrrp_instance_conf *vi;

	c = build("global_defs {\n"
	          " script_user root\n"
	          " vrrp_notify_fifo /tmp/fifo\n"
	          " vrrp_notify_fifo_script \"/bin/fifo.sh -x\"\n"
	          "}\n"
	          "vrrp_instance V {\n"
	          " interface lo\n"
	          " virtual_router_id 7\n"
	          " notify_master \"/bin/echo 'a b' c\"\n"
	          " notify_backup /bin/echo x \"y z\"\n"
	          " notify \"/usr/local/bin/notify.sh\"\n"
	          " notify_fault \"/bin/sh -c \\\"exit 1\\\"\"\n"
	          " notify_deleted\n"
	          " notify_master_rx_lower_pri /bin/lower\n"
	          " notify_priority_changes\n"
	          " smtp_alert\n"
	          " virtual_ipaddress {\n  192.0.2.1\n }\n"
	          "}\n");
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	vi = &c->instances[0];
	CHECK(vi->notify.master != NULL);
	if (vi->notify.master) {
		char **a = vi->notify.master->argv;

		CHECK_STR(a[0], "/bin/echo");
		CHECK_STR(a[1], "a b");
		CHECK_STR(a[2], "c");
		CHECK(a[3] == NULL);
		CHECK_STR(vi->notify.master->text, "/bin/echo 'a b' c");
		CHECK_INT(vi->notify.master->uid, 0);
		CHECK_INT(vi->notify.master->line, 9);
	}
	CHECK(vi->notify.backup != NULL);
	if (vi->notify.backup) {
		char **a = vi->notify.backup->argv;

		CHECK_STR(a[0], "/bin/echo");
		CHECK_STR(a[1], "x");
		CHECK_STR(a[2], "y z");
		CHECK(a[3] == NULL);
	}
	CHECK(vi->notify.generic && vi->notify.generic->argv[1] == NULL);
	CHECK(vi->notify.generic &&
	      !strcmp(vi->notify.generic->argv[0], "/usr/local/bin/notify.sh"));
	CHECK(vi->notify.fault != NULL);
	if (vi->notify.fault) {
		CHECK_STR(vi->notify.fault->argv[0], "/bin/sh");
		CHECK_STR(vi->notify.fault->argv[1], "-c");
		CHECK_STR(vi->notify.fault->argv[2], "exit 1");
	}
	CHECK(vi->notify.deleted_set);
	CHECK(vi->notify.deleted == NULL);
	CHECK(vi->notify.stop == NULL);
	CHECK(vi->notify.master_rx_lower_pri != NULL);
	CHECK(vi->notify.priority_changes);
	CHECK(vi->notify.smtp_alert);
	CHECK(c->global.script_user_set);
	CHECK_INT(c->global.script_uid, 0);
	CHECK_STR(c->global.vrrp_notify_fifo.path, "/tmp/fifo");
	CHECK(c->global.vrrp_notify_fifo.script != NULL);
	if (c->global.vrrp_notify_fifo.script) {
		CHECK_STR(c->global.vrrp_notify_fifo.script->argv[0], "/bin/fifo.sh");
		CHECK_STR(c->global.vrrp_notify_fifo.script->argv[1], "-x");
	}
	vrrp_conf_free(c);
}

/* ---- vrrp_script and tracking -------------------------------------------------------------- */

static const char *const scripts_conf = "vrrp_script chk {\n"
                                        " script \"/bin/test -e '/tmp/a file'\"\n"
                                        " interval 2\n"
                                        " weight -20 reverse\n"
                                        " rise 3\n"
                                        " fall 4\n"
                                        " user root\n"
                                        " init_fail\n"
                                        "}\n"
                                        "vrrp_script plain {\n"
                                        " script /bin/true\n"
                                        "}\n"
                                        "vrrp_script quick {\n"
                                        " script /bin/true\n"
                                        " interval 0.5\n"
                                        " timeout 3\n"
                                        " weight 10\n"
                                        "}\n"
                                        "track_file tf {\n"
                                        " file /tmp/tf\n"
                                        " weight 5\n"
                                        " init_file 7 overwrite\n"
                                        "}\n"
                                        "vrrp_instance V {\n"
                                        " interface lo\n"
                                        " virtual_router_id 7\n"
                                        " track_script {\n"
                                        "  chk weight 30\n"
                                        "  plain\n"
                                        "  quick noreverse\n"
                                        " }\n"
                                        " track_interface {\n"
                                        "  lo weight -10 reverse\n"
                                        " }\n"
                                        " track_file {\n"
                                        "  tf\n"
                                        " }\n"
                                        " virtual_ipaddress {\n  192.0.2.1\n }\n"
                                        "}\n";

static void test_scripts(void)
{
	struct vrrp_conf *c = build(scripts_conf);
	const struct vrrp_script_conf *s;
	const struct vrrp_instance_conf *vi;
	const struct vrrp_tracking *t;

	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_INT(c->n_scripts, 3);
	s = &c->scripts[vrrp_conf_find_script(c, "chk")];
	CHECK_STR(s->name, "chk");
	CHECK_STR(s->cmd.argv[0], "/bin/test");
	CHECK_STR(s->cmd.argv[1], "-e");
	CHECK_STR(s->cmd.argv[2], "/tmp/a file");
	CHECK(s->cmd.argv[3] == NULL);
	CHECK_INT(s->interval_us, 2000000);
	CHECK_INT(s->timeout_us, 2000000);
	CHECK_INT(s->weight, -20);
	CHECK(s->weight_reverse);
	CHECK_INT(s->rise, 3);
	CHECK_INT(s->fall, 4);
	CHECK(s->user_set);
	CHECK_INT(s->cmd.uid, 0);
	CHECK_INT(s->cmd.gid, 0);
	CHECK(s->init_fail);
	CHECK_INT(s->line, 1);

	s = &c->scripts[vrrp_conf_find_script(c, "plain")];
	CHECK_INT(s->interval_us, 1000000);
	CHECK_INT(s->timeout_us, 1000000);
	CHECK_INT(s->weight, 0);
	CHECK(!s->weight_reverse);
	CHECK_INT(s->rise, 1);
	CHECK_INT(s->fall, 1);
	CHECK(!s->init_fail && !s->user_set);

	s = &c->scripts[vrrp_conf_find_script(c, "quick")];
	CHECK_INT(s->interval_us, 500000);
	CHECK_INT(s->timeout_us, 3000000);

	CHECK_INT(c->n_track_files, 1);
	CHECK_STR(c->track_files[0].path, "/tmp/tf");
	CHECK_INT(c->track_files[0].weight, 5);
	CHECK(c->track_files[0].init_file);
	CHECK_INT(c->track_files[0].init_value, 7);
	CHECK(c->track_files[0].init_overwrite);

	vi = &c->instances[0];
	t = &vi->track;
	CHECK_INT(t->n_scripts, 3);
	CHECK_STR(t->scripts[0].name, "chk");
	CHECK(t->scripts[0].script == &c->scripts[vrrp_conf_find_script(c, "chk")]);
	CHECK_INT(t->scripts[0].index, vrrp_conf_find_script(c, "chk"));
	CHECK_INT(t->scripts[0].weight, 30); /* override */
	CHECK(t->scripts[0].weight_set);
	CHECK(t->scripts[0].reverse); /* from the script */
	CHECK_INT(t->scripts[1].weight, 0);
	CHECK(!t->scripts[1].weight_set);
	CHECK_INT(t->scripts[2].weight, 10); /* the script's */
	CHECK(!t->scripts[2].reverse);
	CHECK_INT(t->n_ifs, 1);
	CHECK_STR(t->ifs[0].name, "lo");
	CHECK_INT(t->ifs[0].weight, -10);
	CHECK(t->ifs[0].reverse);
	CHECK(t->ifs[0].script == NULL);
	CHECK_INT(t->n_files, 1);
	CHECK(t->files[0].tfile == &c->track_files[0]);
	CHECK_INT(t->files[0].weight, 5);
	vrrp_conf_free(c);

	/* A missing script: reported by the parse, the reference is left out. */
	c = build("vrrp_instance V {\n interface lo\n virtual_router_id 7\n"
	          " track_script {\n  nosuch\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n");
	CHECK_NDIAG(CONF_SEV_ERROR, 1);
	CHECK_INT(c->instances[0].track.n_scripts, 0);
	vrrp_conf_free(c);
}

/* ---- sync groups ---------------------------------------------------------------------------- */

#define SYNC_CONF                                                                                  \
	"vrrp_script chk {\n"                                                                      \
	" script /bin/true\n"                                                                      \
	" weight 10\n"                                                                             \
	"}\n"                                                                                      \
	"vrrp_sync_group G1 {\n"                                                                   \
	" group {\n"                                                                               \
	"  VI_2 VI_1\n"                                                                            \
	" }\n"                                                                                     \
	" notify_master /bin/gm\n"                                                                 \
	"%s"                                                                                       \
	"}\n"                                                                                      \
	"vrrp_sync_group G2 {\n"                                                                   \
	" group {\n"                                                                               \
	"  VI_3\n"                                                                                 \
	" }\n"                                                                                     \
	"}\n"                                                                                      \
	"vrrp_instance VI_1 {\n"                                                                   \
	" interface lo\n"                                                                          \
	" virtual_router_id 1\n"                                                                   \
	" track_script {\n"                                                                        \
	"  chk\n"                                                                                  \
	" }\n"                                                                                     \
	" track_interface {\n"                                                                     \
	"  lo\n"                                                                                   \
	" }\n"                                                                                     \
	" virtual_ipaddress {\n  192.0.2.1\n }\n"                                                  \
	"}\n"                                                                                      \
	"vrrp_instance VI_2 {\n"                                                                   \
	" interface lo\n"                                                                          \
	" virtual_router_id 2\n"                                                                   \
	" virtual_ipaddress {\n  192.0.2.2\n }\n"                                                  \
	"}\n"                                                                                      \
	"vrrp_instance VI_3 {\n"                                                                   \
	" interface lo\n"                                                                          \
	" virtual_router_id 3\n"                                                                   \
	" virtual_ipaddress {\n  192.0.2.3\n }\n"                                                  \
	"}\n"                                                                                      \
	"vrrp_instance VI_4 {\n"                                                                   \
	" interface lo\n"                                                                          \
	" virtual_router_id 4\n"                                                                   \
	" virtual_ipaddress {\n  192.0.2.4\n }\n"                                                  \
	"}\n"

static void test_sync_groups(void)
{
	char buf[2048];
	struct vrrp_conf *c;
	const struct vrrp_sync_group_conf *g;
	const struct diag *d;

	snprintf(buf, sizeof(buf), SYNC_CONF, "");
	c = build(buf);
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_INT(c->n_sync_groups, 2);
	g = &c->sync_groups[0];
	CHECK_STR(g->name, "G1");
	CHECK_INT(g->n_members, 2);
	CHECK_INT(g->members[0], vrrp_conf_find_instance(c, "VI_2"));
	CHECK_INT(g->members[1], vrrp_conf_find_instance(c, "VI_1"));
	CHECK(g->notify.master && !strcmp(g->notify.master->argv[0], "/bin/gm"));
	CHECK(!g->tracking_weight);
	CHECK(inst(c, "VI_1")->sync_group == g);
	CHECK_INT(inst(c, "VI_1")->sync_group_index, 0);
	CHECK(inst(c, "VI_2")->sync_group == g);
	CHECK(inst(c, "VI_3")->sync_group == &c->sync_groups[1]);
	CHECK_INT(inst(c, "VI_3")->sync_group_index, 1);
	CHECK(inst(c, "VI_4")->sync_group == NULL);
	CHECK_INT(vrrp_conf_find_sync_group(c, "G2"), 1);
	/* One member: warned by the parse. */
	d = find_diag(CONF_SEV_WARN, "only 1 vrrp_instance");
	CHECK(d && !d->build && d->line == 11);
	/* The member's script weight is ignored, with a warning at the line. */
	CHECK_INT(inst(c, "VI_1")->track.scripts[0].weight, 0);
	d = find_diag(CONF_SEV_WARN, "ignoring weight 10");
	CHECK(d && d->build && d->line == 20);
	CHECK_INT(inst(c, "VI_1")->track.ifs[0].weight, 0);
	CHECK_NDIAG(CONF_SEV_WARN, 2);
	vrrp_conf_free(c);

	snprintf(buf, sizeof(buf), SYNC_CONF, " sync_group_tracking_weight\n");
	c = build(buf);
	CHECK(c->sync_groups[0].tracking_weight);
	CHECK_INT(inst(c, "VI_1")->track.scripts[0].weight, 10);
	CHECK_NDIAG(CONF_SEV_WARN, 1);
	vrrp_conf_free(c);
}

/* ---- semantics ---------------------------------------------------------------------------- */

#define SEM_FMT                                                                                    \
	"global_defs {\n%s}\n"                                                                     \
	"vrrp_instance V {\n"                                                                      \
	" interface lo\n"                                                                          \
	" virtual_router_id 7\n"                                                                   \
	"%s"                                                                                       \
	" virtual_ipaddress {\n  %s\n }\n"                                                         \
	"}\n"

static struct vrrp_conf *build_sem(const char *global, const char *body, const char *vip)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), SEM_FMT, global, body, vip ? vip : "192.0.2.1");
	return build(buf);
}

static void test_semantics(void)
{
	struct vrrp_conf *c;
	const struct vrrp_instance_conf *vi;
	const struct diag *d;

	/* AH with v3 or IPv6: error, no authentication. */
	c = build_sem("", " version 3\n authentication {\n  auth_type AH\n  auth_pass secret\n }\n",
	              NULL);
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 1);
	d = find_diag(CONF_SEV_ERROR, "IPSEC-AH");
	CHECK(d && d->line == 8 && d->build);
	CHECK_INT(vi->auth_type, VRRP_AUTH_NONE);
	CHECK(vi->config_error);
	vrrp_conf_free(c);

	c = build_sem("", " authentication {\n  auth_type AH\n  auth_pass secret\n }\n",
	              "2001:db8::5");
	CHECK_NDIAG(CONF_SEV_ERROR, 1);
	CHECK_INT(c->instances[0].auth_type, VRRP_AUTH_NONE);
	vrrp_conf_free(c);

	c = build_sem("", " authentication {\n  auth_type AH\n  auth_pass 123456789\n }\n", NULL);
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_INT(c->instances[0].auth_type, VRRP_AUTH_AH);
	CHECK(!memcmp(c->instances[0].auth_pass, "12345678", 8));
	vrrp_conf_free(c);

	/* PASS with v3: warning, ignored. */
	c = build_sem("", " version 3\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n",
	              NULL);
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK(find_diag(CONF_SEV_WARN, "does not support authentication") != NULL);
	CHECK_INT(c->instances[0].auth_type, VRRP_AUTH_NONE);
	vrrp_conf_free(c);

	/* Owner. */
	c = build_sem("", " state MASTER\n priority 255\n", NULL);
	CHECK(c->instances[0].owner && c->instances[0].want_master);
	CHECK_NDIAG(CONF_SEV_WARN, 0);
	vrrp_conf_free(c);
	c = build_sem("", " state BACKUP\n priority 255\n", NULL);
	CHECK(c->instances[0].owner && !c->instances[0].want_master);
	d = find_diag(CONF_SEV_WARN, "priority 255");
	CHECK(d && d->line == 6);
	vrrp_conf_free(c);

	/* nopreempt / preempt, preempt_delay, accept. */
	c = build_sem("", " nopreempt\n preempt_delay 2.5\n no_accept\n", NULL);
	vi = &c->instances[0];
	CHECK(vi->nopreempt);
	CHECK_INT(vi->preempt_delay_us, 2500000);
	CHECK(!vi->accept);
	vrrp_conf_free(c);
	c = build_sem("", " nopreempt\n preempt\n", NULL);
	CHECK(!c->instances[0].nopreempt);
	vrrp_conf_free(c);
	c = build_sem("", " state MASTER\n nopreempt\n", NULL);
	CHECK(find_diag(CONF_SEV_WARN, "nopreempt") != NULL);
	vrrp_conf_free(c);

	/* Global defaults flow into instances; instance keywords win. */
	c = build_sem(
	    " vrrp_garp_master_delay 10\n vrrp_garp_master_refresh 60\n"
	    " vrrp_garp_lower_prio_repeat 3\n vrrp_down_timer_adverts 5\n"
	    " vrrp_skip_check_adv_addr\n vrrp_check_unicast_src\n v3_checksum_as_v2\n"
	    " vrrp_higher_prio_send_advert\n vrrp_mcast_group4 224.0.0.99\n"
	    " vrrp_garp_interval 0.001\n vrrp_startup_delay 5.5\n"
	    " notify_fifo /tmp/f root\n dynamic_interfaces allow_if_changes\n"
	    " router_id r1\n max_auto_priority\n",
	    " garp_master_repeat 2\n down_timer_adverts 4\n higher_prio_send_advert off\n", NULL);
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK_INT(vi->garp.master_delay_us, 10000000);
	CHECK_INT(vi->garp.master_repeat, 2);
	CHECK_INT(vi->garp.master_refresh_us, 60000000);
	CHECK_INT(vi->garp.lower_prio_delay_us, 10000000);
	CHECK_INT(vi->garp.lower_prio_repeat, 3);
	CHECK_INT(vi->down_timer_adverts, 4);
	CHECK(vi->skip_check_adv_addr && vi->check_unicast_src && vi->v3_checksum_as_v2);
	CHECK(!vi->higher_prio_send_advert);
	CHECK(addr_is(&vi->mcast_dst_ip, "224.0.0.99"));
	CHECK_INT(c->global.garp_interval_us, 1000);
	CHECK_INT(c->global.startup_delay_us, 5500000);
	CHECK_STR(c->global.notify_fifo.path, "/tmp/f");
	CHECK(c->global.notify_fifo.user_set && c->global.notify_fifo.uid == 0);
	CHECK(c->global.dynamic_interfaces && c->global.allow_if_changes);
	CHECK_STR(c->global.router_id, "r1");
	CHECK_INT(c->global.max_auto_priority, 99);
	vrrp_conf_free(c);

	/* Strict mode: errors at the offending lines, corrected settings. */
	c = build_sem(" vrrp_strict\n",
	              " state MASTER\n authentication {\n  auth_type PASS\n  auth_pass x\n }\n",
	              NULL);
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 2);
	CHECK(vi->strict);
	CHECK(!vi->accept);
	CHECK(vi->lower_prio_no_advert && vi->owner_ignore_adverts);
	CHECK(find_diag(CONF_SEV_ERROR, "strict mode requires priority 255") != NULL);
	CHECK(find_diag(CONF_SEV_ERROR, "strict mode does not allow authentication") != NULL);
	CHECK(!vi->want_master && vi->auth_type == VRRP_AUTH_NONE && !vi->config_error);
	vrrp_conf_free(c);

	/* VMAC and vips options. */
	c = build_sem("",
	              " use_vmac vrrp.7 02:11:22:33:44:55\n vmac_xmit_base\n"
	              " virtual_routes {\n  192.0.2.0/24 via 192.0.2.254\n }\n",
	              "192.0.2.1/24 brd + scope link no_track preferred_lft 30");
	vi = &c->instances[0];
	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	CHECK(vi->use_vmac && vi->vmac_xmit_base);
	CHECK_STR(vi->vmac_name, "vrrp.7");
	CHECK(vi->vmac_mac_set);
	CHECK_INT(vi->vmac_mac_len, 6);
	CHECK_INT(vi->vmac_mac[5], 0x55);
	CHECK_INT(vi->vips[0].brd, VRRP_BRD_PLUS);
	CHECK_INT(vi->vips[0].scope, 253);
	CHECK(vi->vips[0].flags & VRRP_VIP_NO_TRACK);
	CHECK_INT(vi->vips[0].preferred_lft, 30);
	CHECK_INT(vi->n_routes, 1);
	CHECK_STR(vi->routes[0].text, "192.0.2.0/24 via 192.0.2.254");
	CHECK_INT(vi->routes[0].argc, 3);
	vrrp_conf_free(c);

	vrrp_conf_free(NULL);
}

/* ---- diff ------------------------------------------------------------------------------------- */

#define DIFF_FMT                                                                                   \
	"vrrp_script chk {\n script /bin/true\n%s}\n"                                              \
	"vrrp_sync_group G {\n group {\n  %s\n }\n}\n"                                             \
	"vrrp_instance A {\n"                                                                      \
	" interface lo\n"                                                                          \
	" virtual_router_id 1\n"                                                                   \
	"%s"                                                                                       \
	" virtual_ipaddress {\n%s }\n"                                                             \
	"}\n"                                                                                      \
	"vrrp_instance B {\n"                                                                      \
	" interface lo\n"                                                                          \
	" virtual_router_id 2\n"                                                                   \
	" virtual_ipaddress {\n  192.0.2.9\n }\n"                                                  \
	"}\n"

static const char *const base_body = " priority 100\n"
                                     " notify_master /bin/m\n"
                                     " track_script {\n  chk\n }\n";
static const char *const base_vips = "  192.0.2.1\n  192.0.2.2\n";

static struct vrrp_conf *diff_build(const char *script, const char *members, const char *body,
                                    const char *vips)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), DIFF_FMT, script, members, body, vips);
	return build(buf);
}

/* The diff bits of instance A between the base config and a variant. */
static unsigned diff_of(struct vrrp_conf *base, const char *script, const char *members,
                        const char *body, const char *vips, struct vrrp_instance_diff *d)
{
	struct vrrp_conf *c = diff_build(script, members, body, vips);
	unsigned ch;

	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	ch = vrrp_instance_conf_diff(inst(base, "A"), inst(c, "A"), d);
	CHECK_INT(ch, d ? d->changed : ch);
	/* B never changes. */
	CHECK(vrrp_instance_conf_equal(inst(base, "B"), inst(c, "B")));
	vrrp_conf_free(c);
	return ch;
}

static void test_diff(void)
{
	struct vrrp_conf *base = diff_build("", "A B", base_body, base_vips);
	struct vrrp_instance_diff d;
	struct vrrp_conf *c;

	CHECK_NDIAG(CONF_SEV_ERROR, 0);
	/* Unchanged. */
	CHECK_INT(diff_of(base, "", "A B", base_body, base_vips, &d), 0);
	vrrp_instance_diff_free(&d);
	c = diff_build("", "A B", base_body, base_vips);
	CHECK(vrrp_instance_conf_equal(inst(base, "A"), inst(c, "A")));
	CHECK(!vrrp_instance_conf_equal(inst(base, "A"), inst(c, "B")));
	CHECK(vrrp_script_conf_equal(&base->scripts[0], &c->scripts[0]));
	CHECK(vrrp_sync_group_conf_equal(base, &base->sync_groups[0], c, &c->sync_groups[0]));
	vrrp_conf_free(c);

	/* Priority. */
	CHECK_INT(diff_of(base, "", "A B",
	                  " priority 101\n notify_master /bin/m\n track_script {\n  chk\n }\n",
	                  base_vips, NULL),
	          VRRP_DIFF_PRIORITY);
	/* A VIP added and one changed. */
	CHECK_INT(
	    diff_of(base, "", "A B", base_body, "  192.0.2.1\n  192.0.2.2/24\n  192.0.2.3\n", &d),
	    VRRP_DIFF_VIPS);
	CHECK_INT(d.n_vips_removed, 1);
	CHECK_INT(d.n_vips_removed ? d.vips_removed[0] : 99, 1);
	CHECK_INT(d.n_vips_added, 2);
	CHECK_INT(d.n_vips_added ? d.vips_added[0] : 99, 1);
	CHECK_INT(d.n_vips_added > 1 ? d.vips_added[1] : 99, 2);
	vrrp_instance_diff_free(&d);
	/* Order only. */
	CHECK_INT(diff_of(base, "", "A B", base_body, "  192.0.2.2\n  192.0.2.1\n", &d),
	          VRRP_DIFF_VIPS);
	CHECK_INT(d.n_vips_added + d.n_vips_removed, 0);
	vrrp_instance_diff_free(&d);
	/* Timers. */
	CHECK_INT(diff_of(base, "", "A B",
	                  " priority 100\n advert_int 2\n notify_master /bin/m\n"
	                  " track_script {\n  chk\n }\n",
	                  base_vips, NULL),
	          VRRP_DIFF_TIMERS);
	/* Tracking: reverse on the line, or the script definition itself.  A
	 * weight is ignored in a sync group member (without
	 * sync_group_tracking_weight), so changing it changes nothing. */
	CHECK_INT(
	    diff_of(base, "", "A B",
	            " priority 100\n notify_master /bin/m\n track_script {\n  chk reverse\n }\n",
	            base_vips, NULL),
	    VRRP_DIFF_TRACKING);
	CHECK_INT(
	    diff_of(base, "", "A B",
	            " priority 100\n notify_master /bin/m\n track_script {\n  chk weight 5\n }\n",
	            base_vips, NULL),
	    0);
	CHECK_INT(diff_of(base, " interval 3\n", "A B", base_body, base_vips, NULL),
	          VRRP_DIFF_TRACKING);
	/* Notify. */
	CHECK_INT(
	    diff_of(base, "", "A B",
	            " priority 100\n notify_master \"/bin/m x\"\n track_script {\n  chk\n }\n",
	            base_vips, NULL),
	    VRRP_DIFF_NOTIFY);
	/* Sync group membership. */
	CHECK_INT(diff_of(base, "", "B", base_body, base_vips, NULL), VRRP_DIFF_SYNC_GROUP);
	/* Identity and transport together. */
	CHECK_INT(diff_of(base, "", "A B",
	                  " priority 100\n notify_master /bin/m\n track_script {\n  chk\n }\n"
	                  " use_vmac\n mcast_src_ip 192.0.2.77\n",
	                  base_vips, NULL),
	          VRRP_DIFF_IDENTITY | VRRP_DIFF_TRANSPORT);
	/* GARP and behaviour. */
	CHECK_INT(diff_of(base, "", "A B",
	                  " priority 100\n notify_master /bin/m\n track_script {\n  chk\n }\n"
	                  " garp_master_delay 1\n no_accept\n",
	                  base_vips, NULL),
	          VRRP_DIFF_GARP | VRRP_DIFF_BEHAVIOUR);
	vrrp_conf_free(base);
}

/* ---- root-level blocks ---------------------------------------------------------------------- */

static void test_root_blocks(void)
{
	struct vrrp_conf *c =
	    build("static_ipaddress {\n"
	          " 192.0.2.50/24 dev lo track_group TG\n"
	          " 2001:db8::50/128 dev lo\n"
	          "}\n"
	          "static_routes {\n"
	          " 198.51.100.0/24 via 192.0.2.1 dev lo\n"
	          "}\n"
	          "track_group TG {\n group {\n  V\n }\n}\n"
	          "linkbeat_interfaces {\n lo MII\n}\n"
	          "interface_up_down_delays {\n lo 2 0.5\n}\n"
	          "garp_group {\n garp_interval 0.01\n gna_interval 0.02\n"
	          " interfaces {\n  lo\n }\n}\n"
	          "vrrp_script s {\n script /bin/true\n user nosuchuser_vconf\n}\n"
	          "vrrp_instance V {\n interface lo\n virtual_router_id 7\n"
	          " virtual_ipaddress {\n  192.0.2.1\n }\n}\n");
	const struct diag *d;

	/* The unknown user is reported by the parse; the script keeps the
	 * global script user. */
	CHECK_NDIAG(CONF_SEV_ERROR, 1);
	d = find_diag(CONF_SEV_ERROR, "nosuchuser_vconf");
	CHECK(d && d->line == 28 && !d->build);
	CHECK_INT(c->n_scripts, 1);
	CHECK(!c->scripts[0].user_set);
	CHECK_INT(c->scripts[0].cmd.uid, c->global.script_uid);
	CHECK_INT(c->n_static_addrs, 2);
	CHECK_STR(c->static_addrs[0].dev, "lo");
	CHECK_STR(c->static_addrs[0].track_group, "TG");
	CHECK_INT(c->static_addrs[0].prefixlen, 24);
	/* Not a VIP: no deprecated default. */
	CHECK(c->static_addrs[1].preferred_lft == VRRP_PREFERRED_LFT_FOREVER);
	CHECK_INT(c->n_static_routes, 1);
	CHECK_STR(c->static_routes[0].argv[0], "198.51.100.0/24");
	CHECK_INT(c->static_routes[0].argc, 5);
	CHECK(c->static_routes[0].argv[5] == NULL);
	CHECK_INT(c->n_linkbeat, 1);
	CHECK_INT(c->linkbeat[0].type, VRRP_LB_MII);
	CHECK_INT(c->n_if_delays, 1);
	CHECK_INT(c->if_delays[0].down_us, 2000000);
	CHECK_INT(c->if_delays[0].up_us, 500000);
	CHECK_INT(c->n_garp_groups, 1);
	CHECK_INT(c->garp_groups[0].garp_interval_us, 10000);
	CHECK_INT(c->garp_groups[0].gna_interval_us, 20000);
	CHECK_INT(c->garp_groups[0].n_ifnames, 1);
	CHECK_STR(c->garp_groups[0].ifnames[0], "lo");
	vrrp_conf_free(c);
}

int main(void)
{
	test_seed003();
	test_defaults();
	test_advert_int();
	test_families();
	test_notify();
	test_scripts();
	test_sync_groups();
	test_semantics();
	test_diff();
	test_root_blocks();
	if (cur_tree)
		conf_tree_free(cur_tree);
	return check_report("test_vrrp_conf");
}
