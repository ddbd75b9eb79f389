/* Dump files: a fresh temporary file renamed into place, mode 0600. */
#include <errno.h>
#include <string.h>

#include "core/daemon.h"
#include "lib/safefile.h"

int ka_dump_write(const char *path, void (*fill)(void *arg, FILE *fp), void *arg)
{
	struct safe_file sf;

	if (safe_file_open(&sf, path) < 0) {
		log_err("Cannot create a dump file beside %s: %s", path, strerror(errno));
		return -1;
	}
	fill(arg, sf.fp);
	if (ferror(sf.fp)) {
		log_err("Error writing dump file %s", path);
		safe_file_abort(&sf);
		return -1;
	}
	if (safe_file_commit(&sf) < 0) {
		log_err("Cannot write dump file %s: %s", path, strerror(errno));
		return -1;
	}
	log_info("Dump written to %s", path);
	return 0;
}
