/* Unit tests of the configuration value conversions (conf_parse_int,
 * conf_parse_bool, conf_parse_timer_us) and of conf_exit_code. */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "conf/conf.h"

static void test_parse_int(void)
{
	long long v = 0;

	CHECK_INT(conf_parse_int("42", 0, 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK_INT(conf_parse_int("010", 0, 100, &v), 0);
	CHECK_INT(v, 10);
	CHECK_INT(conf_parse_int("0x1F", 0, 100, &v), 0);
	CHECK_INT(v, 31);
	CHECK_INT(conf_parse_int("0Xff", 0, 1000, &v), 0);
	CHECK_INT(v, 255);
	CHECK_INT(conf_parse_int("-5", -10, 10, &v), 0);
	CHECK_INT(v, -5);
	CHECK_INT(conf_parse_int("-5", 0, 10, &v), -1);
	CHECK_INT(conf_parse_int("-0x10", -100, 10, &v), 0);
	CHECK_INT(v, -16);
	CHECK_INT(conf_parse_int("101", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("-", -10, 100, &v), -1);
	CHECK_INT(conf_parse_int("0x", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("12a", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int(" 12", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("12 ", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("1.5", 0, 100, &v), -1);
	CHECK_INT(conf_parse_int(NULL, 0, 100, &v), -1);
	CHECK_INT(conf_parse_int("9223372036854775807", 0, LLONG_MAX, &v), 0);
	CHECK(v == LLONG_MAX);
	CHECK_INT(conf_parse_int("9223372036854775808", 0, LLONG_MAX, &v), -1);
	CHECK_INT(conf_parse_int("99999999999999999999999", 0, LLONG_MAX, &v), -1);
	CHECK_INT(conf_parse_int("-9223372036854775808", LLONG_MIN, 0, &v), 0);
	CHECK(v == LLONG_MIN);
	CHECK_INT(conf_parse_int("-9223372036854775809", LLONG_MIN, 0, &v), -1);
	CHECK_INT(conf_parse_int("0xffffffffffffffff", 0, LLONG_MAX, &v), -1);
	CHECK_INT(conf_parse_int("0x7fffffffffffffff", 0, LLONG_MAX, &v), 0);
	v = 7;
	CHECK_INT(conf_parse_int("300", 1, 255, &v), -1);
	CHECK_INT(v, 7);
}

static void test_parse_bool(void)
{
	bool b = false;
	static const char *t[] = {"on", "ON", "true", "True", "yes", "YES"};
	static const char *f[] = {"off", "Off", "false", "FALSE", "no", "No"};

	for (size_t i = 0; i < 6; i++) {
		b = false;
		CHECK_INT(conf_parse_bool(t[i], &b), 0);
		CHECK(b);
		b = true;
		CHECK_INT(conf_parse_bool(f[i], &b), 0);
		CHECK(!b);
	}
	CHECK_INT(conf_parse_bool("1", &b), -1);
	CHECK_INT(conf_parse_bool("", &b), -1);
	CHECK_INT(conf_parse_bool("onn", &b), -1);
	CHECK_INT(conf_parse_bool(NULL, &b), -1);
}

static void test_parse_timer(void)
{
	uint64_t v = 0;

	CHECK_INT(conf_parse_timer_us("0", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 0);
	CHECK_INT(conf_parse_timer_us("1", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 1000000);
	CHECK_INT(conf_parse_timer_us("0.1", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 100000);
	CHECK_INT(conf_parse_timer_us("1.000001", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 1000001);
	CHECK_INT(conf_parse_timer_us("2.5", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 2500000);
	CHECK_INT(conf_parse_timer_us(".5", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 500000);
	CHECK_INT(conf_parse_timer_us("3.", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 3000000);
	CHECK_INT(conf_parse_timer_us("+2", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 2000000);
	CHECK_INT(conf_parse_timer_us("007.250000", 0, UINT64_MAX, &v), 0);
	CHECK_INT(v, 7250000);
	CHECK_INT(conf_parse_timer_us("1.0000001", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("1.0000000", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("-1", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("-0", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us(".", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("+", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("1e2", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("1.2.3", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us(" 1", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("1s", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("0x10", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us(NULL, 0, UINT64_MAX, &v), -1);
	/* Overflow of the microsecond count is an error, not a wrap. */
	CHECK_INT(conf_parse_timer_us("18446744073709551615", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("18446744073709", 0, UINT64_MAX, &v), 0);
	CHECK(v == 18446744073709000000ULL);
	CHECK_INT(conf_parse_timer_us("18446744073710", 0, UINT64_MAX, &v), -1);
	CHECK_INT(conf_parse_timer_us("18446744073709.551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_INT(conf_parse_timer_us("18446744073709.551616", 0, UINT64_MAX, &v), -1);
	/* The range is inclusive and in microseconds. */
	CHECK_INT(conf_parse_timer_us("0.01", 10000, 255000000, &v), 0);
	CHECK_INT(conf_parse_timer_us("0.009999", 10000, 255000000, &v), -1);
	CHECK_INT(conf_parse_timer_us("255", 10000, 255000000, &v), 0);
	CHECK_INT(conf_parse_timer_us("255.000001", 10000, 255000000, &v), -1);
	v = 9;
	CHECK_INT(conf_parse_timer_us("300", 0, 1000, &v), -1);
	CHECK_INT(v, 9);
}

static void test_exit_code(void)
{
	struct conf_diag_counts c;

	memset(&c, 0, sizeof(c));
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_OK);
	c.warnings = 3;
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_OK);
	c.errors[CONF_CLASS_SCRIPT_SEC] = 1;
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_SCRIPT_SEC);
	c.errors[CONF_CLASS_CONFIG] = 2;
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_CONFIG);
	c.errors[CONF_CLASS_FILE] = 1;
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_FILE);
	c.errors[CONF_CLASS_CONFIG] = 0;
	c.errors[CONF_CLASS_SCRIPT_SEC] = 0;
	CHECK_INT(conf_exit_code(&c), CONF_EXIT_FILE);
	CHECK_INT(conf_exit_code(NULL), CONF_EXIT_OK);
}

int main(void)
{
	test_parse_int();
	test_parse_bool();
	test_parse_timer();
	test_exit_code();
	return check_report("test_conf_values");
}
