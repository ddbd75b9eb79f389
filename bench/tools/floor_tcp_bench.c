/* The TCP floor for the health-check benchmarks, used when the tree has no
 * tests/tools/floor_tcp.c: the loop of floor_http.c in TCP mode
 * (non-blocking connect, epoll, SO_ERROR, close), with the same command line
 * as floor_tcp and its output line "floor_tcp checks=... ok=... fail=...
 * cpu_us=... us_per_check=...".
 *
 * Usage: floor_tcp_bench -a A.B.C.LO-HI -p LO-HI -r RATE -t SECONDS */
#define FLOOR_DEFAULT_TCP 1
#include "floor_http.c"
