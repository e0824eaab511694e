// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: a peer killed with SIGKILL in the middle of a stream does not wedge the other
 * side.  A consumer that waits for ever gets -EPIPE within a few liveness checks of the
 * producer's death, whether the dead producer has been reaped or is still a zombie of the
 * consumer's own; a producer blocked on a full ring likewise when the consumer dies.  A
 * watchdog alarm turns a hang into a failure.
 * Exit: 0 pass, 1 fail.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring_test.h"

#define DATA	(64 << 10)
#define SIZE	(KIPC_RING_HDR_SIZE + DATA)
#define MAX	(100 << 10)	/* some messages are in chunks when the producer dies */
/* How soon after the death the survivor must know: a few liveness checks, with slack. */
#define BOUND_MS	(5 * KIPC_RING_CHECK_NS / 1000000)

/* What the test's processes tell each other, in a mapping of its own. */
struct shared {
	atomic_ulong received;
	atomic_long result;
	atomic_ullong done_ns;
};

static struct shared *shared;
static unsigned char msg[1000];

/* Send messages until something fails; returns that failure. */
static long produce(struct kipc_ring *ring)
{
	struct stream s = { ring, true, ~0ul, MAX, KIPC_FOREVER, 0, STREAM_COPY };

	return stream_run(&s);
}

/* Receive, counting messages, until @limit have come (0) or something fails (the error). */
static long consume(struct kipc_ring *ring, unsigned long limit)
{
	unsigned char *buf = xmalloc(MAX);
	long ret = 0;

	while (atomic_load(&shared->received) < limit &&
	       (ret = kipc_ring_recv(ring, buf, MAX, KIPC_FOREVER)) >= 0)
		atomic_fetch_add(&shared->received, 1);
	free(buf);
	return ret < 0 ? ret : 0;
}

static pid_t fork_side(void *mem, unsigned int side)
{
	pid_t pid = fork();
	struct kipc_ring *ring;

	if (pid)
		return pid;
	ring = ring_side(mem, DATA, side, NULL, NULL);
	atomic_store(&shared->result, side == KIPC_RING_PRODUCER ? produce(ring) :
		     consume(ring, ~0ul));
	atomic_store(&shared->done_ns, now_ns());
	_exit(0);
}

static void wait_received(unsigned long n)
{
	while (atomic_load(&shared->received) < n)
		usleep(1000);
}

static long ms_since(__u64 start)
{
	return (long)((now_ns() - start) / 1000000);
}

/* Producer and consumer are both children; the producer dies and is reaped at once. */
static void test_reaped_producer(void)
{
	void *mem = ring_map(DATA);
	pid_t prod, cons;
	__u64 killed;
	int status;

	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	memset(shared, 0, sizeof(*shared));
	prod = fork_side(mem, KIPC_RING_PRODUCER);
	cons = fork_side(mem, KIPC_RING_CONSUMER);
	wait_received(1000);
	killed = now_ns();
	kill(prod, SIGKILL);
	waitpid(prod, NULL, 0);
	CHECK(waitpid(cons, &status, 0) == cons && WIFEXITED(status));
	CHECK_EQ(atomic_load(&shared->result), -EPIPE);
	printf("consumer: -EPIPE %llu ms after the producer died, %lu messages before\n",
	       (atomic_load(&shared->done_ns) - killed) / 1000000, atomic_load(&shared->received));
	CHECK(atomic_load(&shared->done_ns) - killed < BOUND_MS * 1000000ull);
	munmap(mem, SIZE);
}

/* The consumer is this process; the dead producer, its child, stays a zombie. */
static void test_zombie_producer(void)
{
	void *mem = ring_map(DATA);
	struct kipc_ring *ring;
	pid_t prod;
	__u64 killed;

	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	memset(shared, 0, sizeof(*shared));
	prod = fork_side(mem, KIPC_RING_PRODUCER);
	ring = ring_side(mem, DATA, KIPC_RING_CONSUMER, NULL, NULL);
	CHECK_EQ(consume(ring, 1000), 0);
	killed = now_ns();
	kill(prod, SIGKILL);
	CHECK_EQ(consume(ring, ~0ul), -EPIPE);
	printf("consumer: -EPIPE %ld ms after its zombie child died\n", ms_since(killed));
	CHECK(ms_since(killed) < BOUND_MS);
	/* A finite wait says the same, at once or within one check. */
	CHECK_EQ(kipc_ring_recv(ring, NULL, 0, 10000000), -EPIPE);
	waitpid(prod, NULL, 0);
	kipc_ring_close(ring);
	munmap(mem, SIZE);
}

/* The producer is this process, blocked on a full ring when its consumer child dies. */
static void test_dead_consumer(void)
{
	void *mem = ring_map(DATA);
	struct kipc_ring *ring;
	pid_t cons;
	__u64 killed;
	long ret;

	CHECK_EQ(kipc_ring_init(mem, SIZE, 0), 0);
	memset(shared, 0, sizeof(*shared));
	cons = fork();
	if (!cons) {
		/* Attach, then stop reading for good. */
		ring_side(mem, DATA, KIPC_RING_CONSUMER, NULL, NULL);
		atomic_store(&shared->received, 1);
		pause();
		_exit(0);
	}
	wait_received(1);
	ring = ring_side(mem, DATA, KIPC_RING_PRODUCER, NULL, NULL);
	while ((ret = kipc_ring_send(ring, msg, sizeof(msg), 0)) == 0)
		;
	CHECK_EQ(ret, -EAGAIN);
	killed = now_ns();
	kill(cons, SIGKILL);
	CHECK_EQ(kipc_ring_send(ring, msg, sizeof(msg), KIPC_FOREVER), -EPIPE);
	printf("producer: -EPIPE %ld ms after the consumer died\n", ms_since(killed));
	CHECK(ms_since(killed) < BOUND_MS);
	waitpid(cons, NULL, 0);
	kipc_ring_close(ring);
	munmap(mem, SIZE);
}

int main(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	/* A hang is a failure: SIGALRM's default action ends the test with a non-zero status. */
	alarm(20);
	test_reaped_producer();
	test_zombie_producer();
	test_dead_consumer();
	return failures ? 1 : 0;
}
