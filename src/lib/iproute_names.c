/* iproute2's name files: see iproute_names.h. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/iproute_names.h"

static const char *const dirs[] = {"/etc/iproute2", "/usr/share/iproute2", "/usr/lib/iproute2"};

static bool number(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool file_lookup(const char *path, const char *name, uint32_t *out)
{
	char line[256], n[64], w[128];
	bool found = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %127s", n, w) == 2 && strcmp(w, name) == 0)
			found = out ? number(n, out) : true;
	}
	fclose(f);
	return found;
}

bool iproute_name_lookup(const char *file, const char *name, uint32_t *out)
{
	char path[512];
	glob_t g;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		bool hit = false;

		snprintf(path, sizeof(path), "%s/%s", dirs[i], file);
		if (file_lookup(path, name, out))
			return true;
		snprintf(path, sizeof(path), "%s/%s.d/*.conf", dirs[i], file);
		if (glob(path, 0, NULL, &g) == 0) {
			for (size_t j = 0; j < g.gl_pathc && !hit; j++)
				hit = file_lookup(g.gl_pathv[j], name, out);
			globfree(&g);
		}
		if (hit)
			return true;
	}
	return false;
}
