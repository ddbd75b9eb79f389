/* Pid files: written atomically, removed only while they still name us. */
#include "lib/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/safefile.h"

/* mkdir -p for the directory part of path. */
static int make_parent_dirs(const char *path)
{
	char *dir = strdup(path);
	char *slash, *p;
	int ret = 0;

	if (!dir)
		return -1;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (p = dir + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == 0) {
			/* Give the new directory 0755 whatever the umask. */
			chmod(dir, 0755);
		} else if (errno != EEXIST) {
			ret = -1;
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
out:
	free(dir);
	return ret;
}

int pidfile_write(const char *path, pid_t pid)
{
	struct safe_file sf;

	if (!path || pid <= 0) {
		errno = EINVAL;
		return -1;
	}
	if (make_parent_dirs(path) < 0)
		return -1;
	if (safe_file_open_mode(&sf, path, 0644) < 0)
		return -1;
	if (fprintf(sf.fp, "%d\n", (int)pid) < 0) {
		safe_file_abort(&sf);
		return -1;
	}
	return safe_file_commit(&sf);
}

pid_t pidfile_read(const char *path)
{
	char buf[32];
	ssize_t n;
	long v = 0;
	int fd, i;

	if (!path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Digits, then at most one newline; anything else is garbage. */
	for (i = 0; buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (buf[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (i == 0 || v <= 0)
		return -1;
	if (buf[i] == '\n')
		i++;
	if (buf[i] != '\0')
		return -1;
	return (pid_t)v;
}

void pidfile_remove(const char *path, pid_t pid)
{
	if (pid > 0 && pidfile_read(path) == pid)
		unlink(path);
}

/* A zombie (state Z in /proc/PID/stat) has exited: it is not running. */
static bool is_zombie(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

bool pidfile_running(const char *path)
{
	pid_t pid = pidfile_read(path);

	if (pid <= 0 || pid == getpid())
		return false;
	if (kill(pid, 0) < 0 && errno != EPERM)
		return false;
	return !is_zombie(pid);
}
