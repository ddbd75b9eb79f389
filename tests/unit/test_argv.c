/* script_argv_split: words, quotes, escapes, and rejected input. */
#include "check.h"
#include "lib/script.h"

/* Split s and compare with the NULL-terminated expectation. */
static void split_is(const char *s, const char *const *want)
{
	char **v = script_argv_split(s);
	size_t i;

	CHECK(v != NULL);
	if (!v) {
		fprintf(stderr, "split of \"%s\" failed\n", s);
		return;
	}
	for (i = 0; want[i] && v[i]; i++)
		CHECK_STR(v[i], want[i]);
	CHECK(want[i] == NULL && v[i] == NULL);
	script_argv_free(v);
}

#define SPLIT(s, ...)                                                                              \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__, NULL};                               \
		split_is(s, w_);                                                                   \
	} while (0)

int main(void)
{
	SPLIT("/bin/true", "/bin/true");
	SPLIT("  /bin/echo   a\tb  ", "/bin/echo", "a", "b");
	SPLIT("/usr/bin/notify.sh INSTANCE VI_1 MASTER 100", "/usr/bin/notify.sh", "INSTANCE",
	      "VI_1", "MASTER", "100");
	SPLIT("echo 'a b'  \"c d\"", "echo", "a b", "c d");
	SPLIT("echo 'it''s'", "echo", "its");
	SPLIT("echo \"it's\" 'say \"hi\"'", "echo", "it's", "say \"hi\"");
	SPLIT("echo a'b c'd", "echo", "ab cd");
	SPLIT("echo '' \"\"", "echo", "", "");
	SPLIT("echo a\\ b", "echo", "a b");
	SPLIT("echo \\'x\\\"", "echo", "'x\"");
	SPLIT("echo '\\n'", "echo", "\\n");             /* no escapes in single quotes */
	SPLIT("echo \"a\\\"b\"", "echo", "a\"b");       /* escaped quote in double quotes */
	SPLIT("echo \"\\\\\"", "echo", "\\");           /* escaped backslash */
	SPLIT("echo trailing\\", "echo", "trailing\\"); /* nothing left to escape */
	SPLIT("echo $HOME `id` ;|&", "echo", "$HOME", "`id`", ";|&");
	SPLIT("\"/path with space/script\" arg", "/path with space/script", "arg");

	CHECK(script_argv_split(NULL) == NULL);
	CHECK(script_argv_split("") == NULL);
	CHECK(script_argv_split("   \t ") == NULL);
	CHECK(script_argv_split("echo 'unterminated") == NULL);
	CHECK(script_argv_split("echo \"unterminated") == NULL);
	CHECK(script_argv_split("echo \"a\\\"") == NULL);
	script_argv_free(NULL);
	return check_report("test_argv");
}
