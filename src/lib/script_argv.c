/* Splitting a configured script line into an argument vector, the way a
 * simple shell would: blanks separate words, quotes group, backslash
 * escapes.  No expansion of any kind is done. */
#include <stdlib.h>
#include <string.h>

#include "lib/script.h"

void script_argv_free(char **argv)
{
	char **p;

	if (!argv)
		return;
	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

/* Append a copy of word to the vector; -1 on allocation failure. */
static int argv_push(char ***argv, size_t *n, const char *word, size_t len)
{
	char **v = realloc(*argv, (*n + 2) * sizeof(*v));

	if (!v)
		return -1;
	*argv = v;
	v[*n] = strndup(word, len);
	if (!v[*n])
		return -1;
	v[++*n] = NULL;
	return 0;
}

char **script_argv_split(const char *s)
{
	char **argv = NULL;
	size_t n = 0, len = 0;
	char quote = 0;
	bool in_word = false;
	char *word;

	if (!s)
		return NULL;
	word = malloc(strlen(s) + 1);
	if (!word)
		return NULL;
	for (; *s; s++) {
		char c = *s;

		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				word[len++] = c;
			continue;
		}
		if (c == '\\') {
			/* A trailing backslash has nothing to escape: keep it. */
			if (s[1])
				c = *++s;
			word[len++] = c;
			in_word = true;
			continue;
		}
		if (quote == '"') {
			if (c == '"')
				quote = 0;
			else
				word[len++] = c;
			continue;
		}
		if (c == '\'' || c == '"') {
			quote = c;
			in_word = true;
		} else if (c == ' ' || c == '\t') {
			if (in_word && argv_push(&argv, &n, word, len) < 0)
				goto fail;
			in_word = false;
			len = 0;
		} else {
			word[len++] = c;
			in_word = true;
		}
	}
	if (quote)
		goto fail;
	if (in_word && argv_push(&argv, &n, word, len) < 0)
		goto fail;
	if (n == 0)
		goto fail;
	free(word);
	return argv;
fail:
	free(word);
	script_argv_free(argv);
	return NULL;
}
