// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: the shared-memory ring between two processes.  A forked producer streams
 * messages of random sizes, then some larger than the ring, through a memfd it maps again at
 * another address, then through a MAP_SHARED|MAP_ANONYMOUS mapping it inherited; the consumer
 * checks every one, and the producer's close ends the stream with -EPIPE.
 * Exit: 0 pass, 1 fail.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "ring_test.h"

#define DATA	(64 << 10)
#define SIZE	(KIPC_RING_HDR_SIZE + DATA)
/* Many small messages, then a few that go in chunks. */
static const struct { unsigned long count; size_t max; } streams[] = {
	{ 200000, 4096 },
	{ 32, 256 << 10 },
};

/* All the streams, from the side @s->send says; returns the first error. */
static long run_streams(struct stream *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(streams) && !s->err; i++) {
		s->count = streams[i].count;
		s->max = streams[i].max;
		stream_run(s);
	}
	return s->err;
}

static void run(bool memfd)
{
	struct stream s = { .timeout_ns = KIPC_FOREVER };
	int fd = -1, status;
	void *mem;
	pid_t pid;

	if (memfd) {
		fd = memfd_create("kipc-ring-test", MFD_CLOEXEC);
		CHECK(fd >= 0 && ftruncate(fd, SIZE) == 0);
		mem = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(mem != MAP_FAILED);
	} else {
		mem = ring_map(DATA);
	}
	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	pid = fork();
	if (!pid) {
		/* Map it again: another address, the same ring, since only offsets are shared. */
		void *own = mem;

		if (memfd)
			own = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		s.ring = ring_side(own, DATA, KIPC_RING_PRODUCER, NULL, NULL);
		s.send = true;
		run_streams(&s);
		kipc_ring_close(s.ring);
		_exit(s.err ? 1 : 0);
	}
	CHECK(pid > 0);
	s.ring = ring_side(mem, DATA, KIPC_RING_CONSUMER, NULL, NULL);
	CHECK_EQ(run_streams(&s), 0);
	CHECK_EQ(kipc_ring_recv(s.ring, NULL, 0, KIPC_FOREVER), -EPIPE);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
	kipc_ring_close(s.ring);
	munmap(mem, SIZE);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	__u64 start = now_ns();

	run(true);
	run(false);
	printf("memfd and anonymous mappings, %lu + %lu messages each: %llu ms\n", streams[0].count,
	       streams[1].count, (unsigned long long)(now_ns() - start) / 1000000);
	return failures ? 1 : 0;
}
