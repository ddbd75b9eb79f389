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

/* Compare text with the golden file at path; KA_UPDATE_GOLDEN=1 rewrites
 * the file instead (review the diff).  A difference prints what we got. */
static inline void check_golden(const char *path, const char *text)
{
	char *want = NULL;
	long n;
	FILE *f;

	if (getenv("KA_UPDATE_GOLDEN")) {
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (f) {
			fputs(text, f);
			fclose(f);
		}
		return;
	}
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	want = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (want && fread(want, 1, (size_t)n, f) != (size_t)n)
		want[0] = '\0';
	fclose(f);
	if (!want || strcmp(want, text) != 0) {
		CHECK(!"golden differs");
		fprintf(stderr, "%s differs; got:\n%s\n", path, text);
	}
	free(want);
}

#endif
