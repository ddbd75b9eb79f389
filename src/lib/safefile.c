/* Dump files written through a fresh temporary file and rename(), so that a
 * symlink or a pre-opened file planted at the target never sees our data. */
#include "lib/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void sf_release(struct safe_file *sf)
{
	free(sf->tmp_path);
	free(sf->final_path);
	sf->fp = NULL;
	sf->tmp_path = NULL;
	sf->final_path = NULL;
}

/* "DIR/.BASE.XXXXXX" for "DIR/BASE", or ".BASE.XXXXXX" for a bare name. */
static char *tmp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t baselen = strlen(base);
	char *t;

	if (baselen == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		errno = EINVAL;
		return NULL;
	}
	t = malloc(dirlen + 1 + baselen + sizeof(".XXXXXX"));
	if (!t)
		return NULL;
	memcpy(t, path, dirlen);
	t[dirlen] = '.';
	memcpy(t + dirlen + 1, base, baselen);
	memcpy(t + dirlen + 1 + baselen, ".XXXXXX", sizeof(".XXXXXX"));
	return t;
}

int safe_file_open_mode(struct safe_file *sf, const char *path, mode_t mode)
{
	int fd = -1, err;

	memset(sf, 0, sizeof(*sf));
	if (!path || !*path) {
		errno = EINVAL;
		return -1;
	}
	sf->tmp_path = tmp_template(path);
	sf->final_path = strdup(path);
	if (!sf->tmp_path || !sf->final_path)
		goto fail;
	/* mkostemp uses O_CREAT|O_EXCL, which never follows a symlink. */
	fd = mkostemp(sf->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		free(sf->tmp_path);
		sf->tmp_path = NULL;
		goto fail;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	sf->fp = fdopen(fd, "w");
	if (!sf->fp)
		goto fail;
	return 0;
fail:
	err = errno;
	if (fd >= 0) {
		close(fd);
		unlink(sf->tmp_path);
	}
	sf_release(sf);
	errno = err;
	return -1;
}

int safe_file_open(struct safe_file *sf, const char *path)
{
	return safe_file_open_mode(sf, path, 0600);
}

int safe_file_commit(struct safe_file *sf)
{
	int err = 0;

	if (!sf->fp || !sf->tmp_path || !sf->final_path) {
		safe_file_abort(sf);
		errno = EINVAL;
		return -1;
	}
	if (fflush(sf->fp) != 0 || ferror(sf->fp))
		err = errno ? errno : EIO;
	if (!err && fsync(fileno(sf->fp)) < 0)
		err = errno;
	if (fclose(sf->fp) != 0 && !err)
		err = errno;
	sf->fp = NULL;
	/* rename() replaces a symlink at the target rather than following it.
	 * If someone removed our temp file meanwhile, this fails with ENOENT. */
	if (!err && rename(sf->tmp_path, sf->final_path) < 0)
		err = errno;
	if (err)
		unlink(sf->tmp_path);
	sf_release(sf);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void safe_file_abort(struct safe_file *sf)
{
	int saved = errno;

	if (sf->fp)
		fclose(sf->fp);
	if (sf->tmp_path)
		unlink(sf->tmp_path);
	sf_release(sf);
	errno = saved;
}

const char *dump_dir(void)
{
	const char *d = getenv("TMPDIR");
	struct stat st;

	if (d && d[0] == '/' && stat(d, &st) == 0 && S_ISDIR(st.st_mode))
		return d;
	return "/tmp";
}
