/* Pid files. */
#ifndef KA_PIDFILE_H
#define KA_PIDFILE_H

#include <stdbool.h>
#include <sys/types.h>

/* Write "PID\n" atomically (temp file + rename, mode 0644), creating the
 * parent directory (0755) if missing.  0 or -1/errno. */
int pidfile_write(const char *path, pid_t pid);
/* Remove only if it still holds our pid. */
void pidfile_remove(const char *path, pid_t pid);
/* Read a pid; -1 if missing or malformed. */
pid_t pidfile_read(const char *path);
/* True if the file names a live process other than ourselves. */
bool pidfile_running(const char *path);

#endif
