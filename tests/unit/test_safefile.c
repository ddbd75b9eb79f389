/* Dump-file safety: symlink and pre-opened-file attacks (CVE-2018-19044/46),
 * mode 0600 (CVE-2018-19045), no temp file left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/safefile.h"

static char dir[] = "/tmp/ka_safefile_XXXXXX";

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Entries in the test directory other than "." and "..". */
static int dir_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int write_text(const char *path, const char *text)
{
	struct safe_file sf;

	if (safe_file_open(&sf, path) < 0)
		return -1;
	fputs(text, sf.fp);
	return safe_file_commit(&sf);
}

static void test_symlink(void)
{
	char target[256], sentinel[256], buf[256];
	struct stat st;
	int fd;

	path_in(sentinel, sizeof(sentinel), "sentinel");
	path_in(target, sizeof(target), "keepalived.data");
	fd = open(sentinel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, "precious\n", 9), 9);
	close(fd);
	CHECK_INT(symlink(sentinel, target), 0);

	CHECK_INT(write_text(target, "dump data\n"), 0);

	read_file(sentinel, buf, sizeof(buf));
	CHECK_STR(buf, "precious\n");
	CHECK_INT(lstat(target, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_INT(st.st_mode & 07777, 0600);
	read_file(target, buf, sizeof(buf));
	CHECK_STR(buf, "dump data\n");
	CHECK_INT(dir_entries(), 2); /* sentinel and target, no temp file */
	unlink(sentinel);
	unlink(target);
}

static void test_preopened(void)
{
	char target[256], buf[256];
	struct stat before, after;
	ssize_t n;
	int fd;

	path_in(target, sizeof(target), "keepalived.stats");
	fd = open(target, O_RDWR | O_CREAT | O_TRUNC, 0666);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, "old\n", 4), 4);
	CHECK_INT(fstat(fd, &before), 0);

	CHECK_INT(write_text(target, "new secret stats\n"), 0);

	/* The attacker's descriptor still sees the old inode and content. */
	CHECK_INT(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, "old\n");
	close(fd);
	CHECK_INT(stat(target, &after), 0);
	CHECK(after.st_ino != before.st_ino);
	CHECK_INT(after.st_mode & 07777, 0600);
	read_file(target, buf, sizeof(buf));
	CHECK_STR(buf, "new secret stats\n");
	CHECK_INT(dir_entries(), 1);

	/* Rewriting an existing dump also goes through a new inode. */
	CHECK_INT(write_text(target, "again\n"), 0);
	CHECK_INT(stat(target, &before), 0);
	CHECK(before.st_ino != after.st_ino);
	read_file(target, buf, sizeof(buf));
	CHECK_STR(buf, "again\n");
	unlink(target);
}

static void test_umask_and_temp_name(void)
{
	char target[256];
	struct safe_file sf;
	struct stat st;
	mode_t old = umask(0);

	path_in(target, sizeof(target), "keepalived.json");
	CHECK_INT(safe_file_open(&sf, target), 0);
	/* Hidden temp name beside the target, never "keepalived.json.*". */
	CHECK(strncmp(sf.tmp_path, dir, strlen(dir)) == 0);
	CHECK(strstr(sf.tmp_path, "/.keepalived.json.") != NULL);
	CHECK_INT(stat(sf.tmp_path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	fputs("{}", sf.fp);
	CHECK_INT(safe_file_commit(&sf), 0);
	CHECK(sf.fp == NULL && sf.tmp_path == NULL && sf.final_path == NULL);
	CHECK_INT(stat(target, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	umask(old);

	CHECK_INT(safe_file_open_mode(&sf, target, 0644), 0);
	CHECK_INT(safe_file_commit(&sf), 0);
	CHECK_INT(stat(target, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0644);
	unlink(target);
}

static void test_vanishing_temp(void)
{
	char target[256];
	struct safe_file sf;

	path_in(target, sizeof(target), "keepalived.json");
	CHECK_INT(safe_file_open(&sf, target), 0);
	fputs("[]", sf.fp);
	/* An exporter deletes our temp file mid-write. */
	CHECK_INT(unlink(sf.tmp_path), 0);
	errno = 0;
	CHECK_INT(safe_file_commit(&sf), -1);
	CHECK_INT(errno, ENOENT);
	CHECK(sf.fp == NULL && sf.tmp_path == NULL);
	CHECK_INT(access(target, F_OK), -1);
	CHECK_INT(dir_entries(), 0);
}

static void test_abort_and_errors(void)
{
	char target[256];
	struct safe_file sf;

	path_in(target, sizeof(target), "keepalived.data");
	CHECK_INT(safe_file_open(&sf, target), 0);
	fputs("partial", sf.fp);
	safe_file_abort(&sf);
	CHECK(sf.fp == NULL);
	CHECK_INT(access(target, F_OK), -1);
	CHECK_INT(dir_entries(), 0);

	CHECK_INT(safe_file_open(&sf, "/nonexistent-dir-ka/x.data"), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(safe_file_open(&sf, ""), -1);
	snprintf(target, sizeof(target), "%s/", dir);
	CHECK_INT(safe_file_open(&sf, target), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(dir_entries(), 0);
}

static void test_dump_dir(void)
{
	setenv("TMPDIR", dir, 1);
	CHECK_STR(dump_dir(), dir);
	setenv("TMPDIR", "relative/dir", 1);
	CHECK_STR(dump_dir(), "/tmp");
	setenv("TMPDIR", "/nonexistent-dir-ka", 1);
	CHECK_STR(dump_dir(), "/tmp");
	setenv("TMPDIR", "/etc/passwd", 1); /* not a directory */
	CHECK_STR(dump_dir(), "/tmp");
	unsetenv("TMPDIR");
	CHECK_STR(dump_dir(), "/tmp");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_symlink();
	test_preopened();
	test_umask_and_temp_name();
	test_vanishing_temp();
	test_abort_and_errors();
	test_dump_dir();
	rmdir(dir);
	return check_report("test_safefile");
}
