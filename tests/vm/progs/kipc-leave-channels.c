// SPDX-License-Identifier: GPL-2.0
/*
 * Leave channels behind for rmmod to clean up: some empty, some with queued messages, one
 * destroyed while a message was still queued, and one in another IPC namespace whose last task
 * is gone.  The runner then unloads the module and asks kmemleak.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kipc.h"

static int leave(const char *name, int messages)
{
	char buf[300];
	int fd, i, ret;

	fd = kipc_mq_open(name, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = 0600, .access = KIPC_ACCESS_WRITE));
	if (fd < 0) {
		fprintf(stderr, "create %s: %s\n", name, kipc_strerror(fd));
		return 1;
	}
	for (i = 0; i < messages; i++) {
		memset(buf, i, sizeof(buf));
		ret = kipc_send(fd, buf, (size_t)(i * 37) % sizeof(buf), (unsigned int)i % 7, 0, KIPC_FOREVER);
		if (ret) {
			fprintf(stderr, "send %s: %s\n", name, kipc_strerror(ret));
			return 1;
		}
	}
	close(fd);
	return 0;
}

int main(void)
{
	char name[32];
	int i, status, fd;
	pid_t pid;

	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "left-behind-%d", i);
		if (leave(name, i * 5))
			return 1;
	}
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWIPC)) {
			perror("unshare");
			_exit(1);
		}
		_exit(leave("in-a-dead-namespace", 3));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	fd = kipc_open(0);
	if (fd < 0 || kipc_destroy(fd, "left-behind-1", 0))
		return 1;
	printf("left 8 channels (one destroyed with messages queued) and one in a dead namespace\n");
	return 0;
}
