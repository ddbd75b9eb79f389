/* The genhash program: the tool itself is src/check/genhash.c, shared with
 * `keepalived --genhash`. */
#include "check/genhash.h"

int main(int argc, char **argv)
{
	return genhash_main(argc, argv);
}
