// SPDX-License-Identifier: GPL-2.0
/*
 * Remove every channel of this IPC namespace, as `ipcrm -a` does, and say how many there
 * were.  The fault-injection plan runs it after the injected rounds: a test whose teardown an
 * injected failure cut short leaves its named channels behind (they are alive, not leaked,
 * and count against max_channels), and the rounds after must start from an empty namespace.
 * It fails if a destroy fails or a channel is still listed afterwards: destroy works again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kipc.h"

#define ROOM 4096

int main(void)
{
	struct kipc_list_entry *e = calloc(ROOM, sizeof(*e));
	unsigned int total = 0, removed = 0, round;
	int fd = kipc_open(0), n, i, ret;

	if (fd < 0 || !e)
		return fprintf(stderr, "clean-channels: %s\n", kipc_strerror(fd)), 1;
	for (round = 0; round < 8; round++) {
		n = kipc_list_all(fd, e, ROOM, &total);
		if (n < 0)
			return fprintf(stderr, "clean-channels: list: %s\n", kipc_strerror(n)), 1;
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			ret = kipc_destroy(fd, e[i].name, KIPC_DESTROY_NOW);
			if (ret && ret != -ENOENT)	/* a process may be removing it too */
				return fprintf(stderr, "clean-channels: destroy %s: %s\n", e[i].name,
					       kipc_strerror(ret)), 1;
			removed += !ret;
		}
	}
	n = kipc_list_all(fd, e, ROOM, &total);
	if (n != 0)
		return fprintf(stderr, "clean-channels: %d channels still listed\n", n), 1;
	printf("clean-channels: removed %u channels left behind\n", removed);
	free(e);
	close(fd);
	return 0;
}
