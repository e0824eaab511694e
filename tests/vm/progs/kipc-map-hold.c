// SPDX-License-Identifier: GPL-2.0
/*
 * For the VM plan: map a shared-page channel, close the fd and destroy the name, then hold only
 * the mapping until killed.  rmmod must be refused meanwhile.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"

int main(void)
{
	int fd = kipc_shm_open("map-hold", KIPC_CREATE_EXCL, 0600,
			       KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, 8192);
	volatile char *p;
	int ctl;

	if (fd < 0)
		return fprintf(stderr, "map-hold: %s\n", kipc_strerror(fd)), 1;
	p = kipc_shm_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	if (!p)
		return 1;
	close(fd);
	ctl = kipc_open(0);
	if (ctl < 0 || kipc_destroy(ctl, "map-hold", 0))
		return 1;
	close(ctl);
	p[0] = 1;
	close(open("/tmp/kipc-map-hold.ready", O_CREAT | O_WRONLY, 0600));
	for (;;)
		pause();
}
