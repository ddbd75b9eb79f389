/* Minimal unit-test helpers: each test_*.c is one program; CHECK* record a
 * failure and go on; the program exits non-zero if any check failed. */
#ifndef KA_TEST_CHECK_H
#define KA_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_checks, t_failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		t_checks++;                                                                        \
		if (!(cond)) {                                                                     \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		t_checks++;                                                                        \
		if (_a != _b) {                                                                    \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,      \
			        __LINE__, #a, _a, #b, _b);                                         \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		t_checks++;                                                                        \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
			t_failures++;                                                              \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,        \
			        __LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)");             \
		}                                                                                  \
	} while (0)

static inline int check_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, t_checks, t_failures);
	return t_failures ? 1 : 0;
}

/* Directory of test data (tests/), from the environment set by CTest. */
static inline const char *test_data_dir(void)
{
	const char *d = getenv("KA_TEST_DATA");
	return d ? d : "tests";
}

#endif
