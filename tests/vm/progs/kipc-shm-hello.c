// SPDX-License-Identifier: GPL-2.0
/* The README's smallest shared-page program: a child writes a page, rings, the parent waits. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kipc.h"

int main(void)
{
	int fd = kipc_shm_open("hello", KIPC_CREATE_AUTODESTROY, 0600,
			       KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, 4096);
	char *page;
	__u64 seq;

	if (fd < 0)
		return fprintf(stderr, "%s\n", kipc_strerror(fd)), 1;
	page = kipc_shm_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	if (!page)
		return 1;
	if (fork() == 0) {			/* the child inherits fd and mapping */
		strcpy(page, "hello through a shared page");
		kipc_notify(fd, NULL);		/* ring the doorbell */
		_exit(0);
	}
	kipc_wait(fd, 0, 0, KIPC_FOREVER, &seq);		/* sleep until the sequence moves from 0 */
	printf("%s (doorbell %llu)\n", page, (unsigned long long)seq);
	wait(NULL);
	return strcmp(page, "hello through a shared page") != 0;
}
