/* Safe writes for dump files (CVE-2018-19044/45/46 class): a fresh
 * temporary file is created in the target directory with O_EXCL|O_NOFOLLOW
 * and mode 0600, filled, fsync'd and rename()d into place.  A symlink or a
 * pre-existing file at the target is replaced, never written through. */
#ifndef KA_SAFEFILE_H
#define KA_SAFEFILE_H

#include <stdio.h>
#include <sys/types.h>

struct safe_file {
	FILE *fp; /* write here */
	char *tmp_path;
	char *final_path;
};

/* 0 or -1/errno.  The temp file is ".NAME.XXXXXX" beside PATH (a hidden
 * name, so exporters that delete "keepalived.json.*" do not race it). */
int safe_file_open(struct safe_file *sf, const char *path);
/* The same with another final mode (pid files use 0644). */
int safe_file_open_mode(struct safe_file *sf, const char *path, mode_t mode);
/* Flush, fsync, rename.  Always releases resources.  0 or -1/errno. */
int safe_file_commit(struct safe_file *sf);
/* Discard: unlink the temp file, release resources. */
void safe_file_abort(struct safe_file *sf);

/* Directory for dumps: $TMPDIR if it is an absolute directory, else /tmp.
 * Returns a static string. */
const char *dump_dir(void);

#endif
