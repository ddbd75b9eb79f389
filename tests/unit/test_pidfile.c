/* Pid files: atomic write, parent creation, strict read, guarded remove. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/pidfile.h"

static char dir[] = "/tmp/ka_pidfile_XXXXXX";

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(path);
	if (fd >= 0)
		close(fd);
}

static void test_write_read(void)
{
	char path[256], buf[64];
	struct stat st;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/run/keepalived/ka.pid", dir);
	CHECK_INT(pidfile_write(path, 4242), 0);
	CHECK_INT(pidfile_read(path), 4242);
	fd = open(path, O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	CHECK_STR(buf, "4242\n");
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);
	snprintf(buf, sizeof(buf), "%s/run/keepalived", dir);
	CHECK_INT(stat(buf, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_INT(st.st_mode & 0777, 0755);

	/* Overwrite; remove with the wrong pid keeps it, with ours removes it. */
	CHECK_INT(pidfile_write(path, 77), 0);
	CHECK_INT(pidfile_read(path), 77);
	pidfile_remove(path, 78);
	CHECK_INT(access(path, F_OK), 0);
	pidfile_remove(path, 77);
	CHECK_INT(access(path, F_OK), -1);
	pidfile_remove(path, 77); /* missing: harmless */

	CHECK_INT(pidfile_write(path, 0), -1);
	CHECK_INT(pidfile_write(path, -5), -1);
	CHECK_INT(access(path, F_OK), -1);

	snprintf(buf, sizeof(buf), "%s/run/keepalived", dir);
	rmdir(buf);
	snprintf(buf, sizeof(buf), "%s/run", dir);
	rmdir(buf);
}

static void test_garbage(void)
{
	static const char *bad[] = {"",      "\n",     "abc\n", "12abc\n",       "-5\n",  "0\n",
	                            " 12\n", "12\n\n", "12 \n", "99999999999\n", "1.5\n", "+3\n"};
	char path[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/g.pid", dir);
	CHECK_INT(pidfile_read(path), -1); /* missing */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(path, bad[i]);
		if (pidfile_read(path) != -1)
			fprintf(stderr, "accepted pid file \"%s\"\n", bad[i]);
		CHECK_INT(pidfile_read(path), -1);
		CHECK(!pidfile_running(path));
	}
	put(path, "123");
	CHECK_INT(pidfile_read(path), 123); /* newline is optional */
	put(path, "2147483647\n");
	CHECK_INT(pidfile_read(path), 2147483647);
	put(path, "2147483648\n");
	CHECK_INT(pidfile_read(path), -1);
	unlink(path);
}

static void test_running(void)
{
	char path[256];
	pid_t child;
	int st;

	snprintf(path, sizeof(path), "%s/r.pid", dir);
	CHECK(!pidfile_running(path));

	/* Ourselves does not count. */
	CHECK_INT(pidfile_write(path, getpid()), 0);
	CHECK(!pidfile_running(path));

	/* PID 1 exists in every pid namespace. */
	CHECK_INT(pidfile_write(path, 1), 0);
	CHECK(pidfile_running(path));

	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK(child > 0);
	CHECK_INT(pidfile_write(path, child), 0);
	CHECK(pidfile_running(path));
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	CHECK(!pidfile_running(path));
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_write_read();
	test_garbage();
	test_running();
	rmdir(dir);
	return check_report("test_pidfile");
}
