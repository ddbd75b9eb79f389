/* The Prometheus text builder: escaping, family grouping, duplicate series,
 * value formatting and name validation. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "lib/promtext.h"

static char *render(struct prom *p, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	*rc = prom_write(p, fp);
	fclose(fp);
	return buf;
}

static void test_escape(void)
{
	char b[64];

	CHECK_INT(prom_escape_label("a\\b\"c\nd", b, sizeof(b)), 10);
	CHECK_STR(b, "a\\\\b\\\"c\\nd");
	CHECK_INT(prom_escape_help("say \"x\"\\\n", b, sizeof(b)), 11);
	CHECK_STR(b, "say \"x\"\\\\\\n");
	/* Truncation reports the full length and stays terminated. */
	CHECK_INT(prom_escape_label("\"\"\"\"", b, 4), 8);
	CHECK_STR(b, "\\\"\\");
	CHECK_INT(prom_escape_label(NULL, b, sizeof(b)), 0);
	CHECK_STR(b, "");
}

static void test_names(void)
{
	CHECK(prom_valid_metric_name("keepalived_vrrp_state"));
	CHECK(prom_valid_metric_name("a:b_c9"));
	CHECK(!prom_valid_metric_name("9a"));
	CHECK(!prom_valid_metric_name("a-b"));
	CHECK(!prom_valid_metric_name(""));
	CHECK(prom_valid_label_name("iname"));
	CHECK(!prom_valid_label_name("a:b"));
	CHECK(!prom_valid_label_name("__name__"));
	CHECK(!prom_valid_label_name("1x"));
}

static void test_values(void)
{
	char b[40];

	prom_fmt_double(3, b, sizeof(b));
	CHECK_STR(b, "3");
	prom_fmt_double(-2, b, sizeof(b));
	CHECK_STR(b, "-2");
	prom_fmt_double(0.001234, b, sizeof(b));
	CHECK_STR(b, "0.001234");
	prom_fmt_double(0.1, b, sizeof(b));
	CHECK_STR(b, "0.1");
	prom_fmt_double(1700000000.25, b, sizeof(b));
	CHECK_STR(b, "1700000000.25");
	prom_fmt_double(NAN, b, sizeof(b));
	CHECK_STR(b, "NaN");
	prom_fmt_double(INFINITY, b, sizeof(b));
	CHECK_STR(b, "+Inf");
	prom_fmt_double(-INFINITY, b, sizeof(b));
	CHECK_STR(b, "-Inf");
	prom_fmt_double(1e300, b, sizeof(b));
	CHECK(strtod(b, NULL) == 1e300);
}

/* Samples given interleaved come out grouped, families in declaration
 * order, HELP/TYPE once each, duplicates dropped, empty families left out. */
static void test_grouping(void)
{
	struct prom *p = prom_new();
	struct prom_fam *st = prom_family(p, "x_state", PROM_GAUGE, "State.\nSecond \\ line");
	struct prom_fam *tx = prom_family(p, "x_sent_total", PROM_COUNTER, "Sent.");
	int rc;
	char *out;

	prom_family(p, "x_unused", PROM_GAUGE, "Never sampled.");
	CHECK(prom_family(p, "x_state", PROM_COUNTER, "other") == st);
	CHECK_INT(prom_addu(st, 2, "iname", "VI_1", "intf", "eth0", NULL), 0);
	CHECK_INT(prom_addu(tx, 10, "iname", "VI_1", NULL), 0);
	CHECK_INT(prom_addu(st, 1, "iname", "VI \"2\"", "intf", "a\\b\nc", NULL), 0);
	CHECK_INT(prom_addu(tx, 7, "iname", "VI \"2\"", NULL), 0);
	/* The same series again: dropped, the first value stays. */
	CHECK_INT(prom_addu(st, 3, "iname", "VI_1", "intf", "eth0", NULL), 1);
	/* A label value NULL is "". */
	CHECK_INT(prom_addi(st, -1, "iname", NULL, "intf", "", NULL), 0);
	CHECK_INT(prom_addi(st, -1, "iname", "", "intf", NULL, NULL), 1);
	CHECK_INT(prom_count(p), 5);
	out = render(p, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(out, "# HELP x_state State.\\nSecond \\\\ line\n"
	               "# TYPE x_state gauge\n"
	               "x_state{iname=\"VI_1\",intf=\"eth0\"} 2\n"
	               "x_state{iname=\"VI \\\"2\\\"\",intf=\"a\\\\b\\nc\"} 1\n"
	               "x_state{iname=\"\",intf=\"\"} -1\n"
	               "# HELP x_sent_total Sent.\n"
	               "# TYPE x_sent_total counter\n"
	               "x_sent_total{iname=\"VI_1\"} 10\n"
	               "x_sent_total{iname=\"VI \\\"2\\\"\"} 7\n");
	free(out);
	prom_free(p);
}

static void test_bare_and_many(void)
{
	struct prom *p = prom_new();
	struct prom_fam *up = prom_family(p, "up", PROM_GAUGE, "Up.");
	struct prom_fam *many = prom_family(p, "many", PROM_GAUGE, "Many.");
	char name[32];
	int rc, dups = 0;
	char *out;

	CHECK_INT(prom_addd(up, 1, NULL), 0);
	CHECK_INT(prom_addd(up, 0, NULL), 1);
	/* Enough series to grow the hash several times; each added twice. */
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "rs%d", i);
		CHECK_INT(prom_addu(many, (uint64_t)i, "rs", name, NULL), 0);
	}
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "rs%d", i);
		dups += prom_addu(many, 0, "rs", name, NULL) == 1;
	}
	CHECK_INT(dups, 5000);
	/* A long label value (past the escaper's stack buffer). */
	{
		char big[1000];

		memset(big, '"', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK_INT(prom_addu(many, 1, "rs", big, NULL), 0);
	}
	CHECK_INT(prom_count(p), 5002);
	out = render(p, &rc);
	CHECK_INT(rc, 0);
	CHECK(strncmp(out, "# HELP up Up.\n# TYPE up gauge\nup 1\n# HELP many", 46) == 0);
	CHECK(strstr(out, "many{rs=\"rs4999\"} 4999\n") != NULL);
	CHECK(strstr(out, "\\\"\\\"\"} 1\n") != NULL);
	free(out);
	prom_free(p);
}

static void test_invalid(void)
{
	struct prom *p = prom_new();
	struct prom_fam *f = prom_family(p, "ok", PROM_GAUGE, "Ok.");
	int rc;
	char *out;

	CHECK_INT(prom_addu(NULL, 1, NULL), -1);
	/* An invalid label name fails the sample and the whole output: a
	 * scraper must never get a half-valid page. */
	CHECK_INT(prom_addu(f, 1, "bad-label", "x", NULL), -1);
	out = render(p, &rc);
	CHECK_INT(rc, -1);
	free(out);
	prom_free(p);

	p = prom_new();
	CHECK(prom_family(p, "bad name", PROM_GAUGE, "x") == NULL);
	out = render(p, &rc);
	CHECK_INT(rc, -1);
	free(out);
	prom_free(p);
	prom_free(NULL);
}

int main(void)
{
	test_escape();
	test_names();
	test_values();
	test_grouping();
	test_bare_and_many();
	test_invalid();
	return check_report("test_promtext");
}
