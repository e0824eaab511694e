// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the channel contract: a call whose reply queue is dead,
 * receives in flight keeping their slot, destroy-now waking every (exclusive) epoll waiter,
 * epoll registrations made before an attach, ioctl sizes above a page, shared mappings that
 * cannot grow, a call's flags ruling both its waits under one deadline, DROP keeping the best
 * messages, auto-destroy on an existing channel, stat of a dead channel, unknown access bits,
 * and signals: restarts that end at the original deadline, EINTR with the wait rewritten in
 * its absolute form, absolute deadlines, a read-only send, and a call that never sends twice.
 *
 * Each test names the behaviour it pins down and fails on the module before the change, except
 * where its comment says it cannot (the KIPC_MSG_ABSTIME tests skip without
 * KIPC_FEATURE_ABSTIME).  Every test skips without /dev/kipc or its message queues; the
 * userfaultfd ones need root (a userfaultfd that catches the kernel's own copies).
 *
 * Blocking scenarios fork: the child makes the call and reports how it ended (struct outcome,
 * through a pipe), the parent waits until it sleeps in the kernel and then acts on it.  Timing
 * bounds are loose for a loaded emulated VM: lower bounds are the exact time minus SLACK_NS,
 * and each upper bound sits at least 500 ms from the time the old behaviour would take.
 */
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/userfaultfd.h>

#include "kipc_selftest.h"

static size_t pg;	/* the page size */

/* ---- helpers that need no fixture ------------------------------------------------------------ */

static __u64 now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void msleep(unsigned int ms)
{
	usleep(ms * 1000);
}

/* Create @name (EXCL, 0600) of @type through @ctl, which stays unattached.  Return: 0 or -errno. */
static int chan_create(int ctl, const char *name, __u32 type)
{
	struct kipc_create c;

	create_arg(&c, name);
	c.type = type;
	c.access = 0;
	if (type == KIPC_TYPE_SHM)
		c.shm_size = pg;
	return kipc_create(ctl, &c);
}

static void msg_arg(struct kipc_msg *m, const void *buf, __u32 len, __u32 prio, __u32 flags,
		    __u64 timeout_ns)
{
	memset(m, 0, sizeof(*m));
	m->size = sizeof(*m);
	m->flags = flags;
	m->buf = (__u64)(unsigned long)buf;
	m->len = len;
	m->priority = prio;
	m->timeout_ns = timeout_ns;
}

static void call_arg(struct kipc_call *c, const char *req, int reply_fd, char *reply,
		     __u32 room, __u32 flags, __u64 timeout_ns)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = flags;
	c->req_buf = (__u64)(unsigned long)req;
	c->req_len = strlen(req);
	c->reply_fd = reply_fd;
	c->reply_buf = (__u64)(unsigned long)reply;
	c->reply_len = room;
	c->timeout_ns = timeout_ns;
}

/* The channel's counters through @fd (attached), or a zeroed struct when stat fails. */
static struct kipc_stat stat_of(int fd)
{
	struct kipc_stat st;

	if (kipc_stat_self(fd, &st))
		memset(&st, 0, sizeof(st));
	return st;
}

/* ---- children that report how their call ended ----------------------------------------------- */

/* What a child's call did, sent to the parent in one write. */
struct outcome {
	int err;		/* 0, or the errno the call failed with */
	__u32 sent;		/* KIPC_IOC_CALL's sent; a batch's done */
	long ret;		/* the call's non-negative result (a length) */
	__u64 elapsed;		/* ns from just before the call to just after it */
	__u64 timeout_ns;	/* timeout_ns as the kernel left it in the struct */
	__u32 flags;		/* flags as the kernel left them in the struct */
	__u64 end;		/* CLOCK_MONOTONIC just after the call */
};

/* Child: send @o to the parent through @wfd and exit. */
static void __attribute__((noreturn)) report(int wfd, const struct outcome *o)
{
	if (write(wfd, o, sizeof(*o)) != sizeof(*o))
		_exit(97);
	_exit(0);
}

/* Child: fill @o from a raw ioctl's return value, taken at @t0. */
static void outcome_of(struct outcome *o, int ret, __u64 t0)
{
	o->end = now_ns();
	o->elapsed = o->end - t0;
	o->err = ret < 0 ? errno : 0;
	o->ret = ret;
}

/* Parent: the child's outcome, within @secs.  Return: true when one came. */
static bool collect(int rfd, struct outcome *o, unsigned int secs)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };

	memset(o, 0, sizeof(*o));
	if (poll(&p, 1, secs * 1000) != 1)
		return false;
	return read(rfd, o, sizeof(*o)) == sizeof(*o);
}

/*
 * Parent: stop @pid with SIGSTOP, keep it stopped for @ms, then SIGCONT.  No handler runs:
 * the wait it was in must not end with EINTR for it.  Return: whether it stopped.
 */
static bool stop_for(pid_t pid, unsigned int ms)
{
	int status;

	if (kill(pid, SIGSTOP))
		return false;
	if (waitpid(pid, &status, WUNTRACED) != pid)
		return false;
	if (!WIFSTOPPED(status)) {
		forget_child(pid);
		return false;
	}
	msleep(ms);
	return kill(pid, SIGCONT) == 0;
}

/* ---- fixtures -------------------------------------------------------------------------------- */

#define CONTRACT_SETUP(fx) do {							\
	pg = sysconf(_SC_PAGESIZE);						\
	KIPC_SETUP_MQ(fx, "ct");						\
} while (0)

#define CONTRACT_TEARDOWN(fx) do {						\
	kill_children();							\
	alarm(0);								\
	KIPC_TEARDOWN(fx);							\
} while (0)

FIXTURE(contract) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_SETUP(contract)
{
	CONTRACT_SETUP(self);
}

FIXTURE_TEARDOWN(contract)
{
	CONTRACT_TEARDOWN(self);
}

/* ==== 3: a call whose reply queue was destroyed with KIPC_DESTROY_NOW ========================= */

/*
 * The reply fd is checked before the request goes out: a dead reply queue is EIDRM with
 * nothing sent.  Old module: it sent the request (sent = 1, one message queued) and only the
 * wait for the reply saw EIDRM.
 */
TEST_F(contract, call_to_a_dead_reply_queue_is_eidrm_and_sends_nothing)
{
	struct kipc_call c;
	char reply[64];
	int req, rep;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name2, KIPC_DESTROY_NOW));

	call_arg(&c, "ping", rep, reply, sizeof(reply), KIPC_MSG_TIMEOUT, 1000 * MSEC);
	EXPECT_EQ(EIDRM, raw_ioctl(req, KIPC_IOC_CALL, &c));
	EXPECT_EQ(0, c.sent);
	EXPECT_EQ(0, depth_of(req));
	EXPECT_EQ(0, stat_of(req).sent);
	close(rep);
	close(req);
}

/* ==== 4: a receive in flight keeps its slot =================================================== */

/*
 * A receive whose copy to user space is held by a userfaultfd (a missing page, and a uffd
 * without UFFD_USER_MODE_ONLY, so that it catches the kernel's copy_to_user) is in flight:
 * the queue must still count its message.  Then the copy is made to fail (munmap, then close
 * the uffd: the fault retries, finds no VMA, EFAULT) and the message must go back to the head
 * without the queue holding more than max_msgs.  Old module: the receive unlinked its message
 * before the copy, so FAIL and BLOCK took the send (0, not EAGAIN) and DROP queued it without
 * a drop; the put-back then left 3 messages in a queue of max_msgs 2.
 */
FIXTURE(inflight) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(inflight) {
	__u32 overflow;
};

FIXTURE_VARIANT_ADD(inflight, fail) { .overflow = KIPC_OVERFLOW_FAIL };
FIXTURE_VARIANT_ADD(inflight, block) { .overflow = KIPC_OVERFLOW_BLOCK };
FIXTURE_VARIANT_ADD(inflight, drop) { .overflow = KIPC_OVERFLOW_DROP };

FIXTURE_SETUP(inflight)
{
	CONTRACT_SETUP(self);
}

FIXTURE_TEARDOWN(inflight)
{
	CONTRACT_TEARDOWN(self);
}

/* A page whose first touch blocks in the kernel until @uffd resolves it (or goes away). */
static int uffd_page(void **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	int uffd, err;
	void *p;

	/* Without UFFD_USER_MODE_ONLY: the kernel's own faults are caught too (needs root). */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		return -errno;
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	reg.range.start = (unsigned long)p;
	reg.range.len = pg;
	if (ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		munmap(p, pg);
		goto fail;
	}
	*page = p;
	return uffd;
fail:
	err = -errno;
	close(uffd);
	return err;
}

/* Wait up to 5 s for the fault on @page.  Return: true once the copy is stuck in it. */
static bool uffd_fault_seen(int uffd, void *page)
{
	struct pollfd p = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&p, 1, 5000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg))
		return false;
	return msg.event == UFFD_EVENT_PAGEFAULT &&
	       (msg.arg.pagefault.address & ~(__u64)(pg - 1)) == (unsigned long)page;
}

struct receiver {
	int fd;
	void *buf;
	long ret;
};

static void *receive_into(void *arg)
{
	struct receiver *r = arg;

	r->ret = kipc_recv(r->fd, r->buf, 64, NULL, 0, 0);
	return NULL;
}

static int join_within(pthread_t t, unsigned int secs)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += secs;
	return pthread_timedjoin_np(t, NULL, &ts);
}

TEST_F(inflight, receive_in_flight_keeps_its_slot_and_a_failed_copy_loses_nothing)
{
	struct receiver r = { 0 };
	struct kipc_stat st;
	pthread_t thread;
	char buf[64];
	static void *page;	/* static: the harness's setjmp would clobber a local */
	int q, uffd, ret;

	REQUIRE_ROOT();
	uffd = uffd_page(&page);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(-uffd));
	q = q_new(self->name, 2, 64, variant->overflow);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, put(q, "A", 5));
	ASSERT_EQ(0, put(q, "B", 5));

	r.fd = q;
	r.buf = page;
	ASSERT_EQ(0, pthread_create(&thread, NULL, receive_into, &r));
	ASSERT_TRUE(uffd_fault_seen(uffd, page));

	/* "A" is on its way out, not out: the queue is still full. */
	switch (variant->overflow) {
	case KIPC_OVERFLOW_FAIL:
		/* FAIL never waits, NONBLOCK or not; the timeout only bounds a wrong wait. */
		EXPECT_EQ(-EAGAIN, kipc_send(q, "C", 1, 5, 0, 1000 * MSEC));
		break;
	case KIPC_OVERFLOW_BLOCK:
		EXPECT_EQ(-EAGAIN, kipc_send(q, "C", 1, 5, 0, 0));
		EXPECT_EQ(-ETIMEDOUT, kipc_send(q, "C", 1, 5, 0, 200 * MSEC));
		break;
	case KIPC_OVERFLOW_DROP:
		/* Room is made by dropping "B" (or "C"): either way a success. */
		ret = kipc_send(q, "C", 1, 5, 0, 0);
		EXPECT_TRUE(ret == KIPC_SEND_QUEUED || ret == KIPC_SEND_DROPPED) TH_LOG("%d", ret);
		break;
	}

	/* Now make the copy fail: the fault retries after the uffd goes and finds no page. */
	ASSERT_EQ(0, munmap(page, pg));
	close(uffd);
	ASSERT_EQ(0, join_within(thread, 5));
	EXPECT_EQ(-EFAULT, r.ret);

	st = stat_of(q);
	EXPECT_EQ(2, st.max_msgs);
	EXPECT_GE(st.max_msgs, st.depth) TH_LOG("depth %u over max_msgs %u", st.depth, st.max_msgs);
	/* Nothing is lost: every message sent is queued, received or counted as dropped. */
	EXPECT_EQ(st.sent, st.received + st.dropped + st.depth);
	/* The failed receive's message is back at the head of its priority. */
	EXPECT_EQ(1, get(q, buf, NULL));
	EXPECT_STREQ("A", buf);
	if (variant->overflow == KIPC_OVERFLOW_DROP) {
		EXPECT_EQ(1, st.dropped);
		EXPECT_EQ(1, depth_of(q));
	} else {
		EXPECT_EQ(2, st.depth);
		EXPECT_EQ(0, st.dropped);
		EXPECT_EQ(1, get(q, buf, NULL));
		EXPECT_STREQ("B", buf);
		EXPECT_EQ(0, depth_of(q));
	}
	close(q);
}

/* ==== 5 and 6: epoll, over both channel types ================================================= */

FIXTURE(chan) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_VARIANT(chan) {
	__u32 type;
};

FIXTURE_VARIANT_ADD(chan, mq) { .type = KIPC_TYPE_MQ };
FIXTURE_VARIANT_ADD(chan, shm) { .type = KIPC_TYPE_SHM };

FIXTURE_SETUP(chan)
{
	CONTRACT_SETUP(self);
	const __u64 shm = KIPC_FEATURE_SHM | KIPC_FEATURE_DOORBELL;

	if (variant->type == KIPC_TYPE_SHM && (self->info.features & shm) != shm) {
		self->skip = "the module lacks KIPC_FEATURE_SHM or KIPC_FEATURE_DOORBELL";
		SKIP(return, "%s", self->skip);
	}
}

FIXTURE_TEARDOWN(chan)
{
	CONTRACT_TEARDOWN(self);
}

#define WAITERS	4

struct epoll_waiter {
	pthread_t thread;
	int ep;
	volatile pid_t tid;
	int n;			/* what epoll_wait returned */
	__u32 events;
};

static void *epoll_waiter_fn(void *arg)
{
	struct epoll_waiter *w = arg;
	struct epoll_event ev = { 0 };

	w->tid = syscall(SYS_gettid);
	w->n = epoll_wait(w->ep, &ev, 1, 4000);
	w->events = ev.events;
	return NULL;
}

/*
 * WAITERS attachments to channel @name, each in an epoll instance of its own with EPOLLIN |
 * EPOLLEXCLUSIVE, each with a thread asleep in epoll_wait when this returns.
 * Return: 0, or the step that failed (1-5).
 */
static int start_exclusive_waiters(const char *name, int fd[WAITERS],
				   struct epoll_waiter w[WAITERS])
{
	int i, j;

	for (i = 0; i < WAITERS; i++) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };

		fd[i] = attach_new(name, KIPC_ACCESS_READ);
		if (fd[i] < 0)
			return 1;
		w[i].ep = epoll_create1(EPOLL_CLOEXEC);
		if (w[i].ep < 0)
			return 2;
		if (epoll_ctl(w[i].ep, EPOLL_CTL_ADD, fd[i], &ev))
			return 3;
		w[i].tid = 0;
		w[i].n = -2;
		if (pthread_create(&w[i].thread, NULL, epoll_waiter_fn, &w[i]))
			return 4;
	}
	for (i = 0; i < WAITERS; i++) {
		for (j = 0; j < 500 && (!w[i].tid || proc_state(w[i].tid) != 'S'); j++)
			msleep(10);
		if (proc_state(w[i].tid) != 'S')
			return 5;
	}
	msleep(20);
	return 0;
}

/*
 * KIPC_DESTROY_NOW wakes every waiter, exclusive ones too: four epoll instances, each with
 * EPOLLEXCLUSIVE on its own attachment of one channel, each with a thread in epoll_wait.
 * Old module: a plain wake-up stops at the first exclusive waiter of each wait queue, so
 * one (SHM: one queue) or two (MQ: readers and writers) of the four woke; the others slept
 * out their 4 s.
 */
TEST_F(chan, destroy_now_wakes_every_exclusive_epoll_waiter)
{
	struct epoll_waiter w[WAITERS];
	int fd[WAITERS], i;

	REQUIRE_MQ();
	ASSERT_EQ(0, chan_create(self->ctl, self->name, variant->type));
	/* Each thread sleeps in epoll_wait before the destroy. */
	ASSERT_EQ(0, start_exclusive_waiters(self->name, fd, w));

	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	for (i = 0; i < WAITERS; i++) {
		ASSERT_EQ(0, join_within(w[i].thread, 10));
		EXPECT_EQ(1, w[i].n) TH_LOG("waiter %d never woke", i);
		EXPECT_EQ(EPOLLHUP | EPOLLERR, w[i].events & (EPOLLHUP | EPOLLERR))
			TH_LOG("waiter %d: events %#x", i, w[i].events);
		close(w[i].ep);
		close(fd[i]);
	}
}

/*
 * A batch of four messages makes four messages ready: it wakes four exclusive waiters, not
 * one (review of the one-lock-round batch: one wake-up per batch woke one of them, leaving
 * three messages for no one).
 */
TEST_F(contract, batch_send_wakes_as_many_exclusive_waiters_as_messages)
{
	struct kipc_msg_vec vec[WAITERS];
	struct epoll_waiter w[WAITERS];
	int fd[WAITERS], tx, i;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	tx = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, tx);
	ASSERT_EQ(0, start_exclusive_waiters(self->name, fd, w));
	memset(vec, 0, sizeof(vec));
	for (i = 0; i < WAITERS; i++) {
		vec[i].buf = (__u64)(unsigned long)"m";
		vec[i].len = 1;
	}
	ASSERT_EQ(WAITERS, kipc_send_batch(tx, vec, WAITERS, 0, 0));
	for (i = 0; i < WAITERS; i++) {
		ASSERT_EQ(0, join_within(w[i].thread, 10));
		EXPECT_EQ(1, w[i].n) TH_LOG("waiter %d never woke", i);
		close(w[i].ep);
		close(fd[i]);
	}
	close(tx);
}

/*
 * A request a full DROP queue drops on arrival ends the call with KIPC_SEND_DROPPED, sent = 0
 * and reply_len = 0 (nothing to read), and libkipc's kipc_call() says -ECANCELED.
 */
TEST_F(contract, call_whose_request_drop_drops_says_so)
{
	char reply[64] = "stale";
	struct kipc_call c;
	int req, rep;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 1, 0, KIPC_OVERFLOW_DROP);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);
	ASSERT_EQ(0, put(req, "important", 9));
	call_arg(&c, "ping", rep, reply, sizeof(reply), 0, 0);
	c.req_priority = 1;
	EXPECT_EQ(KIPC_SEND_DROPPED, ioctl(req, KIPC_IOC_CALL, &c));
	EXPECT_EQ(0, c.sent);
	EXPECT_EQ(0, c.reply_len);
	EXPECT_EQ(-ECANCELED, kipc_call(req, "ping", 4, 1, rep, reply, sizeof(reply), NULL, 0, KIPC_FOREVER));
	EXPECT_EQ(1, depth_of(req));
	EXPECT_EQ(2, stat_of(req).dropped);
	close(rep);
	close(req);
}

/*
 * An epoll registration made before the fd is attached is not lost: EPOLLERR while
 * unattached (as poll() has always said), nothing just after the attach, and EPOLLIN once
 * another process sends (MQ) or rings the doorbell (SHM).  Old module: the unattached poll
 * never joined a wait queue and a re-poll from epoll's ready list joins none either, so
 * epoll_wait slept its full 3 s.
 */
TEST_F(chan, epoll_added_before_attach_reports_events_after_it)
{
	struct kipc_attach a = { .access = KIPC_ACCESS_READ };
	struct epoll_event ev = { .events = EPOLLIN };
	struct pollfd p;
	__u64 t0, waited;
	int fd, ep, n;
	pid_t pid;

	REQUIRE_MQ();
	fd = kipc_open(0);
	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR, p.revents);

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ(EPOLLERR, ev.events);

	ASSERT_EQ(0, chan_create(self->ctl, self->name, variant->type));
	copy_name(a.name, self->name);
	ASSERT_EQ(0, kipc_attach(fd, &a));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0)) TH_LOG("events %#x", ev.events);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int w = attach_new(self->name, KIPC_ACCESS_WRITE);

		if (w < 0)
			_exit(errno_exit(w));
		msleep(150);
		if (variant->type == KIPC_TYPE_SHM)
			_exit(errno_exit(kipc_notify(w, NULL)));
		_exit(errno_exit(put(w, "x", 0)));
	}
	t0 = now_ns();
	n = epoll_wait(ep, &ev, 1, 3000);
	waited = now_ns() - t0;
	EXPECT_EQ(1, n) TH_LOG("epoll_wait slept %llu ms and saw nothing",
			       (unsigned long long)(waited / MSEC));
	if (n == 1)
		EXPECT_EQ(EPOLLIN, ev.events);
	EXPECT_EQ(0, reap(pid));
	close(ep);
	close(fd);
}

/* ==== 7: ioctl sizes above a page ============================================================= */

static const unsigned long every_ioctl[] = {
	KIPC_IOC_INFO, KIPC_IOC_CREATE, KIPC_IOC_ATTACH, KIPC_IOC_DESTROY, KIPC_IOC_STAT,
	KIPC_IOC_LIST, KIPC_IOC_SEND, KIPC_IOC_RECV, KIPC_IOC_SEND_BATCH, KIPC_IOC_RECV_BATCH,
	KIPC_IOC_CALL, KIPC_IOC_NOTIFY, KIPC_IOC_WAIT,
};

/*
 * Every ioctl refuses a size above a page with E2BIG, even when everything past the struct is
 * zero; a size of exactly a page with a zero tail still works.  The argument lies at the start
 * of two zeroed pages followed by a hole, so the old module's tail scan faults (EFAULT) rather
 * than finding stray bytes.  Old module: sizes above a page with a zero tail were accepted
 * (INFO succeeded, the others failed on their zero fields), and 4 GiB was EFAULT.
 */
TEST_F(contract, size_above_a_page_is_e2big_even_with_a_zero_tail)
{
	const __u32 sizes[] = { pg + 1, pg + 8, 2 * pg, 0xffffffff };
	const unsigned int nsizes = sizeof(sizes) / sizeof(sizes[0]);
	struct kipc_create *c;
	struct kipc_info *info;
	__u64 t0, fastest = ~0ULL;
	unsigned int i, j, k;
	char *arg;

	REQUIRE_MQ();
	arg = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, arg);
	ASSERT_EQ(0, munmap(arg + 2 * pg, pg));

	for (i = 0; i < sizeof(every_ioctl) / sizeof(every_ioctl[0]); i++) {
		int seen[4];

		for (j = 0; j < nsizes; j++) {
			/* 4 GiB three times: refused at once, not after reading what follows. */
			for (k = 0; k < (sizes[j] == 0xffffffff ? 3 : 1); k++) {
				memset(arg, 0, 2 * pg);
				*(__u32 *)arg = sizes[j];
				t0 = now_ns();
				seen[j] = raw_ioctl(self->ctl, every_ioctl[i], arg);
				t0 = now_ns() - t0;
				if (sizes[j] == 0xffffffff && t0 < fastest)
					fastest = t0;
			}
		}
		for (j = 0; j < nsizes && seen[j] == E2BIG; j++)
			;
		EXPECT_EQ(nsizes, j)
			TH_LOG("ioctl nr %lu, sizes %u, %u, %u, 4 GiB: %s, %s, %s, %s",
			       _IOC_NR(every_ioctl[i]), sizes[0], sizes[1], sizes[2],
			       strerrorname_np(seen[0]) ?: "0", strerrorname_np(seen[1]) ?: "0",
			       strerrorname_np(seen[2]) ?: "0", strerrorname_np(seen[3]) ?: "0");
	}
	/* The fastest of three, so that one preemption of a loaded VM does not count. */
	EXPECT_GT(100 * MSEC, fastest);

	/* Exactly a page, zero tail: as good as sizeof. */
	memset(arg, 0, 2 * pg);
	info = (struct kipc_info *)arg;
	info->size = pg;
	EXPECT_EQ(0, raw_ioctl(self->ctl, KIPC_IOC_INFO, info));
	EXPECT_EQ(KIPC_ABI_VERSION, info->abi_version);
	memset(arg, 0, 2 * pg);
	c = (struct kipc_create *)arg;
	create_arg(c, self->name);
	c->access = 0;
	c->size = pg;
	EXPECT_EQ(0, raw_ioctl(self->ctl, KIPC_IOC_CREATE, c));
	EXPECT_EQ(1, c->created);
	munmap(arg, 2 * pg);
}

/* ==== 8: a shared mapping cannot grow ========================================================= */

/*
 * mremap() cannot grow a shared-page mapping, in place or moving, even within the channel's
 * size (VM_DONTEXPAND: EFAULT); shrinking works.  Old module: the VMA was plain shmem, so
 * both growths succeeded.
 */
TEST_F(contract, shm_mapping_cannot_grow_with_mremap)
{
	char *p, *q, *r;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	fd = kipc_shm_open(self->name, KIPC_CREATE_EXCL, 0600, RW, 4 * pg);
	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	strcpy(p, "kept");
	/* One page mapped with a hole after it: growing in place would otherwise fit. */
	ASSERT_EQ(0, munmap(p + pg, pg));

	q = mremap(p, pg, 2 * pg, 0);
	EXPECT_EQ(MAP_FAILED, q);
	EXPECT_EQ(EFAULT, errno);
	if (q != MAP_FAILED)
		munmap(q + pg, pg);
	r = mremap(p, pg, 3 * pg, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, r);
	EXPECT_EQ(EFAULT, errno);
	if (r != MAP_FAILED) {
		p = r;
		munmap(p + pg, 2 * pg);
	}
	EXPECT_STREQ("kept", p);
	munmap(p, pg);

	/* Shrinking is fine, and what is left still shows the memory. */
	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(p, mremap(p, 2 * pg, pg, 0));
	EXPECT_STREQ("kept", p);
	munmap(p, pg);
	close(fd);
}

/* ==== 12: a call's own flags rule both of its waits, under one deadline ======================= */

/*
 * The reply fd's O_NONBLOCK does not count: with KIPC_MSG_TIMEOUT 200 ms and no reply the call
 * waits and ends with ETIMEDOUT, the request sent.  Old module: EAGAIN at once.
 */
TEST_F(contract, call_ignores_o_nonblock_of_the_reply_fd)
{
	struct kipc_create cr;
	struct kipc_call c;
	char reply[64];
	__u64 t0, waited;
	int req, rep;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = kipc_open(O_NONBLOCK);
	ASSERT_LE(0, rep);
	create_arg(&cr, self->name2);
	ASSERT_EQ(0, kipc_create(rep, &cr));

	call_arg(&c, "ping", rep, reply, sizeof(reply), KIPC_MSG_TIMEOUT, 200 * MSEC);
	t0 = now_ns();
	EXPECT_EQ(ETIMEDOUT, raw_ioctl(req, KIPC_IOC_CALL, &c));
	waited = now_ns() - t0;
	EXPECT_EQ(1, c.sent);
	EXPECT_LE(200 * MSEC - SLACK_NS, waited);
	EXPECT_GT(5000 * MSEC, waited);
	EXPECT_EQ(1, depth_of(req));
	close(rep);
	close(req);
}

/*
 * Nor does the request fd's: the send waits for room on a full BLOCK queue until the call's
 * deadline.  Old module: EAGAIN at once.
 */
TEST_F(contract, call_ignores_o_nonblock_of_the_request_fd)
{
	struct kipc_create cr;
	struct kipc_call c;
	char reply[64];
	__u64 t0, waited;
	int req, rep;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = kipc_open(O_NONBLOCK);
	ASSERT_LE(0, req);
	create_arg(&cr, self->name);
	cr.max_msgs = 1;
	ASSERT_EQ(0, kipc_create(req, &cr));
	ASSERT_EQ(0, put(req, "full", 0));
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);

	call_arg(&c, "ping", rep, reply, sizeof(reply), KIPC_MSG_TIMEOUT, 200 * MSEC);
	t0 = now_ns();
	EXPECT_EQ(ETIMEDOUT, raw_ioctl(req, KIPC_IOC_CALL, &c));
	waited = now_ns() - t0;
	EXPECT_EQ(0, c.sent);
	EXPECT_LE(200 * MSEC - SLACK_NS, waited);
	EXPECT_GT(5000 * MSEC, waited);
	EXPECT_EQ(1, depth_of(req));
	close(rep);
	close(req);
}

/*
 * One deadline covers the send and the reply: a call of 1.5 s whose send waits 1 s for room
 * has 0.5 s left for the reply, and ends at 1.5 s.  Old module: each wait had its own 1.5 s,
 * so the call ended at 2.5 s.
 */
TEST_F(contract, call_has_one_deadline_for_send_and_reply)
{
	struct kipc_call c;
	char reply[64], buf[64];
	__u64 t0, waited;
	int req, rep;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, put(req, "full", 0));
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		msleep(1000);
		_exit(get(req, buf, NULL) == 4 ? 0 : 1);
	}
	call_arg(&c, "ping", rep, reply, sizeof(reply), KIPC_MSG_TIMEOUT, 1500 * MSEC);
	t0 = now_ns();
	EXPECT_EQ(ETIMEDOUT, raw_ioctl(req, KIPC_IOC_CALL, &c));
	waited = now_ns() - t0;
	EXPECT_EQ(1, c.sent);
	EXPECT_LE(1500 * MSEC - SLACK_NS, waited);
	EXPECT_GT(2000 * MSEC, waited) TH_LOG("the call took %llu ms",
					      (unsigned long long)(waited / MSEC));
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(4, get(req, buf, NULL));
	EXPECT_STREQ("ping", buf);
	close(rep);
	close(req);
}

/* ==== 13: DROP keeps the best max_msgs ======================================================== */

/* Fill @fd's queue of @n slots with "m0".."m<n-1>" at priority @prio. */
static int fill(int fd, unsigned int n, unsigned int prio)
{
	char text[16];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		snprintf(text, sizeof(text), "m%u", i);
		ret = put(fd, text, prio);
		if (ret)
			return ret < 0 ? ret : -EEXIST;
	}
	return 0;
}

/*
 * A full DROP queue of 9s: a 2 is the one dropped (SEND returns KIPC_SEND_DROPPED, and so does
 * kipc_send()); a 9 drops the oldest 9; a 10 drops the oldest of the lowest, a 9.  Old module:
 * it always dropped the oldest of the lowest queued, so the 2 pushed out a 9 and SEND said 0.
 */
TEST_F(contract, drop_keeps_the_best_messages)
{
	struct kipc_msg m;
	char buf[64];
	unsigned int prio;
	int q;

	REQUIRE_MQ();
	q = q_new(self->name, 3, 64, KIPC_OVERFLOW_DROP);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, fill(q, 3, 9));

	msg_arg(&m, "low", 3, 2, NB, 0);
	EXPECT_EQ(KIPC_SEND_DROPPED, ioctl(q, KIPC_IOC_SEND, &m));
	EXPECT_EQ(1, stat_of(q).dropped);
	EXPECT_EQ(KIPC_SEND_DROPPED, kipc_send(q, "low", 3, 2, 0, 0));
	EXPECT_EQ(2, stat_of(q).dropped);
	EXPECT_EQ(3, depth_of(q));

	/* Equal to the lowest: the oldest of them goes (m0), the new one stays. */
	msg_arg(&m, "n9", 2, 9, NB, 0);
	EXPECT_EQ(KIPC_SEND_QUEUED, ioctl(q, KIPC_IOC_SEND, &m));
	EXPECT_EQ(3, stat_of(q).dropped);
	/* Higher: the oldest of the lowest goes (m1). */
	msg_arg(&m, "n10", 3, 10, NB, 0);
	EXPECT_EQ(KIPC_SEND_QUEUED, ioctl(q, KIPC_IOC_SEND, &m));
	EXPECT_EQ(4, stat_of(q).dropped);
	EXPECT_EQ(3, depth_of(q));

	EXPECT_EQ(3, get(q, buf, &prio));
	EXPECT_STREQ("n10", buf);
	EXPECT_EQ(10, prio);
	EXPECT_EQ(2, get(q, buf, &prio));
	EXPECT_STREQ("m2", buf);
	EXPECT_EQ(9, prio);
	EXPECT_EQ(2, get(q, buf, &prio));
	EXPECT_STREQ("n9", buf);
	EXPECT_EQ(9, prio);
	EXPECT_EQ(-EAGAIN, get(q, buf, NULL));
	close(q);
}

/*
 * write(2) and SEND_BATCH count a message DROP turned away as sent (dropped tells): the queue
 * keeps its 9s.  Old module: each of them pushed out a 9.
 */
TEST_F(contract, drop_of_the_new_message_counts_as_sent_for_write_and_batches)
{
	struct kipc_msg_vec v[2] = {
		{ .buf = (__u64)(unsigned long)"b1", .len = 2, .priority = 1 },
		{ .buf = (__u64)(unsigned long)"b2", .len = 2, .priority = 1 },
	};
	struct kipc_stat st;
	char buf[64];
	unsigned int prio;
	int q, i;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	q = q_new(self->name, 2, 64, KIPC_OVERFLOW_DROP);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, fill(q, 2, 9));

	EXPECT_EQ(1, write(q, "w", 1));		/* priority 0 */
	EXPECT_EQ(2, kipc_send_batch(q, v, 2, 0, 0));
	st = stat_of(q);
	EXPECT_EQ(3, st.dropped);
	EXPECT_EQ(5, st.sent);
	EXPECT_EQ(2, st.depth);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(2, get(q, buf, &prio));
		EXPECT_EQ(9, prio);
		EXPECT_EQ('m', buf[0]);
	}
	close(q);
}

/* ==== 14: auto-destroy on an existing channel ================================================= */

/*
 * KIPC_CREATE_AUTODESTROY (no EXCL) on a channel created without it is EEXIST; on one created
 * with it, it opens it; and the flag may be left out when opening an auto-destroy channel.
 * Old module: the flag was not compared, so the first create opened the channel.
 */
TEST_F(contract, autodestroy_must_match_an_existing_channel)
{
	struct kipc_create c;
	struct kipc_stat st;
	int plain, ad, ad2, ad3, fd;

	REQUIRE_MQ();
	plain = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, plain);
	create_arg(&c, self->name);
	c.flags = KIPC_CREATE_AUTODESTROY;
	fd = create_fd(&c);
	EXPECT_EQ(-EEXIST, fd);
	if (fd >= 0)
		close(fd);

	create_arg(&c, self->name2);
	c.flags = KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY;
	ad = create_fd(&c);
	ASSERT_LE(0, ad);
	create_arg(&c, self->name2);
	c.flags = KIPC_CREATE_AUTODESTROY;
	ad2 = create_fd(&c);
	EXPECT_LE(0, ad2);
	EXPECT_EQ(0, c.created);
	create_arg(&c, self->name2);
	c.flags = 0;
	ad3 = create_fd(&c);
	EXPECT_LE(0, ad3);
	EXPECT_EQ(0, c.created);
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name2, &st));
	EXPECT_EQ(KIPC_STATE_AUTODESTROY, st.state & KIPC_STATE_AUTODESTROY);
	EXPECT_EQ(3, st.attachments);

	close(ad);
	if (ad2 >= 0)
		close(ad2);
	if (ad3 >= 0)
		close(ad3);
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name2, &st));
	close(plain);
}

/* ==== 15: stat of a dead channel ============================================================== */

/*
 * KIPC_STAT_SELF still answers after KIPC_DESTROY_NOW, with DEAD | DESTROYED; by name the
 * channel is gone.  Old module: STAT_SELF was EIDRM.
 */
TEST_F(contract, stat_self_of_a_dead_channel_says_dead_and_destroyed)
{
	struct kipc_stat st;
	__u32 id;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "x", 0));
	id = stat_of(fd).id;
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));

	ASSERT_EQ(0, kipc_stat_self(fd, &st));
	EXPECT_EQ(KIPC_STATE_DEAD | KIPC_STATE_DESTROYED,
		  st.state & (KIPC_STATE_DEAD | KIPC_STATE_DESTROYED));
	EXPECT_EQ(id, st.id);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));
	close(fd);
}

/* ==== 16: access bits ========================================================================= */

/*
 * An unknown bit in access is EOPNOTSUPP for create and attach; attach with no access at all
 * is EINVAL.  Old module: unknown bits were EINVAL.
 */
TEST_F(contract, unknown_access_bits_are_eopnotsupp)
{
	static const __u32 unknown[] = { 0x4, RW | 0x8, 0x80000000 };
	struct kipc_attach a;
	struct kipc_create c;
	struct kipc_stat st;
	unsigned int i;

	REQUIRE_MQ();
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		create_arg(&c, self->name);
		c.access = unknown[i];
		EXPECT_EQ(-EOPNOTSUPP, kipc_create(self->ctl, &c)) TH_LOG("access %#x", unknown[i]);
	}
	EXPECT_EQ(-ENOENT, kipc_stat_name(self->ctl, self->name, &st));

	ASSERT_EQ(0, chan_create(self->ctl, self->name, KIPC_TYPE_MQ));
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.access = unknown[i];
		copy_name(a.name, self->name);
		EXPECT_EQ(-EOPNOTSUPP, kipc_attach(self->ctl, &a)) TH_LOG("access %#x", unknown[i]);
	}
	memset(&a, 0, sizeof(a));
	copy_name(a.name, self->name);
	EXPECT_EQ(-EINVAL, kipc_attach(self->ctl, &a));
	ASSERT_EQ(0, kipc_stat_name(self->ctl, self->name, &st));
	EXPECT_EQ(0, st.attachments);
}

/* ==== 17: signals and waits =================================================================== */

/*
 * SIGSTOP then SIGCONT, no handler: a relative timed wait is restarted and still ends at its
 * first deadline (1.5 s), neither early with EINTR nor 1 s late.  Old module: EINTR as soon
 * as the stop came.
 */
TEST_F(contract, stop_and_cont_restart_a_timed_wait_that_ends_on_time)
{
	struct outcome o;
	int sync[2], q;
	pid_t pid;

	REQUIRE_MQ();
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		char buf[64];
		struct kipc_msg m;
		__u64 t0;

		msg_arg(&m, buf, sizeof(buf), 0, KIPC_MSG_TIMEOUT, 1500 * MSEC);
		child_ready(sync[1]);
		t0 = now_ns();
		outcome_of(&r, ioctl(q, KIPC_IOC_RECV, &m), t0);
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_TRUE(stop_for(pid, 1000));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(ETIMEDOUT, o.err) TH_LOG("%s after %llu ms", strerror(o.err),
					   (unsigned long long)(o.elapsed / MSEC));
	EXPECT_LE(1500 * MSEC - SLACK_NS, o.elapsed);
	/* 2.5 s or more: the stop's second was added to the timeout. */
	EXPECT_GT(2000 * MSEC, o.elapsed) TH_LOG("%llu ms", (unsigned long long)(o.elapsed / MSEC));
	EXPECT_EQ(0, reap(pid));
	close(q);
}

/*
 * A message sent while the receiver is stopped is received once it continues.  Old module: the
 * stop ended the wait with EINTR.
 */
TEST_F(contract, message_sent_during_a_stop_is_received)
{
	struct outcome o;
	int sync[2], q, status;
	pid_t pid;

	REQUIRE_MQ();
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		char buf[64] = "";
		struct kipc_msg m;

		msg_arg(&m, buf, sizeof(buf), 0, KIPC_MSG_TIMEOUT, 5000 * MSEC);
		child_ready(sync[1]);
		outcome_of(&r, ioctl(q, KIPC_IOC_RECV, &m), now_ns());
		r.ret = r.err ? -1 : (long)m.len;
		if (r.ret == 4 && memcmp(buf, "stop", 4))
			r.ret = -2;
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, put(q, "stop", 0));
	msleep(100);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(0, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_EQ(4, o.ret);
	EXPECT_EQ(0, depth_of(q));
	EXPECT_EQ(0, reap(pid));
	close(q);
}

/*
 * With SA_RESTART a relative timed wait is restarted with the time left: a 2 s wait hit at 1 s
 * ends at 2 s, not 3 s.  Old module: EINTR (it restarted only waits without a timeout).
 */
TEST_F(contract, sa_restart_restarts_a_timed_wait_with_the_time_left)
{
	struct outcome o;
	int sync[2], q;
	pid_t pid;

	REQUIRE_MQ();
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		char buf[64];
		struct kipc_msg m;
		__u64 t0;

		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, SA_RESTART));
		msg_arg(&m, buf, sizeof(buf), 0, KIPC_MSG_TIMEOUT, 2000 * MSEC);
		child_ready(sync[1]);
		t0 = now_ns();
		outcome_of(&r, ioctl(q, KIPC_IOC_RECV, &m), t0);
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	msleep(1000);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(ETIMEDOUT, o.err) TH_LOG("%s after %llu ms", strerror(o.err),
					   (unsigned long long)(o.elapsed / MSEC));
	EXPECT_LE(2000 * MSEC - SLACK_NS, o.elapsed);
	EXPECT_GT(2500 * MSEC, o.elapsed) TH_LOG("%llu ms", (unsigned long long)(o.elapsed / MSEC));
	EXPECT_EQ(0, reap(pid));
	close(q);
}

/*
 * ... and the restarted wait goes on receiving: a message sent after the signal arrives.  Old
 * module: EINTR.
 */
TEST_F(contract, sa_restart_timed_wait_goes_on_to_receive)
{
	int sync[2], q;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, SA_RESTART));
		child_ready(sync[1]);
		CHILD_EXPECT(1, 4, kipc_recv(q, buf, sizeof(buf), NULL, 0,
					      5000 * MSEC));
		CHILD_EXPECT(2, 0, memcmp(buf, "late", 4));
		_exit(0);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	msleep(200);
	EXPECT_TRUE(child_running(pid));
	ASSERT_EQ(0, put(q, "late", 0));
	EXPECT_EQ(0, reap(pid));
	close(q);
}

/*
 * A handler without SA_RESTART ends each kind of timed wait with EINTR, and the kernel has
 * rewritten the wait in its absolute form: KIPC_MSG_ABSTIME in flags, and in timeout_ns the
 * deadline the call started with (its start plus the timeout, give or take the call's entry),
 * so that a retry of the same struct ends when the first call would have.  Nothing is
 * consumed or queued, except a call's request.  Old module: EINTR, the struct untouched.
 */
FIXTURE(timeleft) {
	KIPC_FIXTURE_FIELDS;
};

enum wait_kind { WAIT_RECV, WAIT_DOORBELL, WAIT_RECV_BATCH, WAIT_SEND_BATCH, WAIT_CALL };

FIXTURE_VARIANT(timeleft) {
	enum wait_kind kind;
};

FIXTURE_VARIANT_ADD(timeleft, recv) { .kind = WAIT_RECV };
FIXTURE_VARIANT_ADD(timeleft, doorbell_wait) { .kind = WAIT_DOORBELL };
FIXTURE_VARIANT_ADD(timeleft, recv_batch) { .kind = WAIT_RECV_BATCH };
FIXTURE_VARIANT_ADD(timeleft, send_batch) { .kind = WAIT_SEND_BATCH };
FIXTURE_VARIANT_ADD(timeleft, call) { .kind = WAIT_CALL };

FIXTURE_SETUP(timeleft)
{
	static const __u64 needs[] = {
		[WAIT_RECV] = 0,
		[WAIT_DOORBELL] = KIPC_FEATURE_SHM | KIPC_FEATURE_DOORBELL,
		[WAIT_RECV_BATCH] = KIPC_FEATURE_BATCH,
		[WAIT_SEND_BATCH] = KIPC_FEATURE_BATCH,
		[WAIT_CALL] = KIPC_FEATURE_CALL,
	};

	CONTRACT_SETUP(self);
	if ((self->info.features & needs[variant->kind]) != needs[variant->kind]) {
		self->skip = "the module lacks the feature this wait needs";
		SKIP(return, "%s", self->skip);
	}
}

FIXTURE_TEARDOWN(timeleft)
{
	CONTRACT_TEARDOWN(self);
}

#define TIMEOUT_LEFT	(3000 * MSEC)
#define SIGNAL_AFTER	300	/* ms */

/* Child: make the @kind of wait on @fd (@reply for a call), with TIMEOUT_LEFT; report it. */
static void __attribute__((noreturn)) timed_wait(int wfd, enum wait_kind kind, int fd,
						 int reply)
{
	struct kipc_msg_vec v[2] = { 0 };
	struct outcome r = { 0 };
	char buf[2][64] = { "x", "y" };
	struct kipc_batch b = { .size = sizeof(b), .flags = KIPC_MSG_TIMEOUT };
	struct kipc_wait w = { .size = sizeof(w), .flags = KIPC_MSG_TIMEOUT };
	struct kipc_call c;
	struct kipc_msg m;
	__u64 t0;
	int ret;

	v[0].buf = (__u64)(unsigned long)buf[0];
	v[1].buf = (__u64)(unsigned long)buf[1];
	v[0].len = v[1].len = kind == WAIT_SEND_BATCH ? 1 : sizeof(buf[0]);
	b.vec = (__u64)(unsigned long)v;
	b.count = 2;
	b.vec_size = sizeof(v[0]);
	b.timeout_ns = TIMEOUT_LEFT;
	w.timeout_ns = TIMEOUT_LEFT;
	msg_arg(&m, buf[0], sizeof(buf[0]), 0, KIPC_MSG_TIMEOUT, TIMEOUT_LEFT);
	call_arg(&c, "ping", reply, buf[1], sizeof(buf[1]), KIPC_MSG_TIMEOUT, TIMEOUT_LEFT);

	if (catch_signal(SIGUSR1, 0))
		_exit(90);
	child_ready(wfd);
	t0 = now_ns();
	switch (kind) {
	case WAIT_RECV:
		ret = ioctl(fd, KIPC_IOC_RECV, &m);
		outcome_of(&r, ret, t0);
		r.timeout_ns = m.timeout_ns;
		r.flags = m.flags;
		break;
	case WAIT_DOORBELL:
		ret = ioctl(fd, KIPC_IOC_WAIT, &w);
		outcome_of(&r, ret, t0);
		r.timeout_ns = w.timeout_ns;
		r.flags = w.flags;
		break;
	case WAIT_RECV_BATCH:
	case WAIT_SEND_BATCH:
		ret = ioctl(fd, kind == WAIT_RECV_BATCH ? KIPC_IOC_RECV_BATCH : KIPC_IOC_SEND_BATCH,
			    &b);
		outcome_of(&r, ret, t0);
		r.timeout_ns = b.timeout_ns;
		r.flags = b.flags;
		r.sent = b.done;
		break;
	case WAIT_CALL:
		ret = ioctl(fd, KIPC_IOC_CALL, &c);
		outcome_of(&r, ret, t0);
		r.timeout_ns = c.timeout_ns;
		r.flags = c.flags;
		r.sent = c.sent;
		break;
	}
	report(wfd, &r);
}

/* The deadline a call that started @elapsed before @end with @timeout must have written. */
#define EXPECT_DEADLINE_OF(o, timeout) do {						\
	__u64 __start = (o).end - (o).elapsed;						\
	EXPECT_EQ(KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME,					\
		  (o).flags & (KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME));			\
	EXPECT_LE(__start + (timeout), (o).timeout_ns)					\
		TH_LOG("deadline %llu, call from %llu to %llu",				\
		       (unsigned long long)(o).timeout_ns, (unsigned long long)__start,	\
		       (unsigned long long)(o).end);					\
	EXPECT_GE((o).end - SIGNAL_AFTER * MSEC + (timeout), (o).timeout_ns);		\
} while (0)

TEST_F(timeleft, eintr_rewrites_the_wait_in_its_absolute_form)
{
	struct outcome o;
	int sync[2], fd, reply = -1;
	pid_t pid;

	REQUIRE_MQ();
	switch (variant->kind) {
	case WAIT_DOORBELL:
		fd = kipc_shm_open(self->name, KIPC_CREATE_EXCL, 0600, RW, pg);
		break;
	case WAIT_SEND_BATCH:
		fd = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, put(fd, "full", 0));
		break;
	case WAIT_CALL:
		reply = q_new(self->name2, 0, 0, 0);
		ASSERT_LE(0, reply);
		/* fall through */
	default:
		fd = q_new(self->name, 0, 0, 0);
		break;
	}
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		timed_wait(sync[1], variant->kind, fd, reply);
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	msleep(SIGNAL_AFTER);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(EINTR, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_DEADLINE_OF(o, TIMEOUT_LEFT);
	EXPECT_EQ(0, reap(pid));

	switch (variant->kind) {
	case WAIT_SEND_BATCH:
		EXPECT_EQ(0, o.sent);
		EXPECT_EQ(1, depth_of(fd));
		break;
	case WAIT_CALL:
		/* Sent once, and not again. */
		EXPECT_EQ(1, o.sent);
		EXPECT_EQ(1, depth_of(fd));
		break;
	case WAIT_RECV_BATCH:
		EXPECT_EQ(0, o.sent);
		break;
	default:
		break;
	}
	if (reply >= 0)
		close(reply);
	close(fd);
}

/*
 * A SEND cannot be given the time left when its argument is read-only, so an interrupted
 * relative timed wait ends with EINTR even under SA_RESTART, having queued nothing; the same
 * SEND from writable memory is restarted and goes out once there is room.  Old module: EINTR
 * both times (the read-only half alone would pass there).
 */
TEST_F(contract, interrupted_timed_send_restarts_unless_its_argument_is_read_only)
{
	struct outcome o;
	int sync[2], q;
	char buf[64];
	pid_t pid;

	REQUIRE_MQ();
	q = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, put(q, "full", 0));
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		struct kipc_msg *ro, rw;

		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, SA_RESTART));
		ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHILD_EXPECT(91, 0, ro == MAP_FAILED);
		msg_arg(ro, "ro", 2, 0, KIPC_MSG_TIMEOUT, 5000 * MSEC);
		CHILD_EXPECT(92, 0, mprotect(ro, pg, PROT_READ));
		child_ready(sync[1]);
		outcome_of(&r, ioctl(q, KIPC_IOC_SEND, ro), now_ns());
		if (write(sync[1], &r, sizeof(r)) != sizeof(r))
			_exit(93);

		msg_arg(&rw, "rw", 2, 0, KIPC_MSG_TIMEOUT, 5000 * MSEC);
		child_ready(sync[1]);
		outcome_of(&r, ioctl(q, KIPC_IOC_SEND, &rw), now_ns());
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(EINTR, o.err) TH_LOG("read-only: %s", o.err ? strerror(o.err) : "sent");
	EXPECT_EQ(1, depth_of(q));

	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	msleep(200);
	EXPECT_TRUE(child_running(pid));
	EXPECT_EQ(4, get(q, buf, NULL));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(0, o.err) TH_LOG("writable: %s", strerror(o.err));
	EXPECT_EQ(2, get(q, buf, NULL));
	EXPECT_STREQ("rw", buf);
	EXPECT_EQ(0, reap(pid));
	close(q);
}

/*
 * A call stopped (SIGSTOP, SIGCONT) while it waits for its reply ends with EINTR and sent = 1,
 * whatever the signal, with its wait rewritten in its absolute form; its request is queued
 * exactly once.  Old module: EINTR and sent = 1 already, but the struct untouched: that is
 * what fails there.
 */
TEST_F(contract, call_stopped_in_its_reply_wait_is_eintr_and_never_resent)
{
	struct outcome o;
	int sync[2], req, rep;
	char buf[64];
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, req);
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		struct kipc_call c;
		__u64 t0;

		call_arg(&c, "ping", rep, buf, sizeof(buf), KIPC_MSG_TIMEOUT, TIMEOUT_LEFT);
		child_ready(sync[1]);
		t0 = now_ns();
		outcome_of(&r, ioctl(req, KIPC_IOC_CALL, &c), t0);
		r.sent = c.sent;
		r.timeout_ns = c.timeout_ns;
		r.flags = c.flags;
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	EXPECT_EQ(1, depth_of(req));
	msleep(SIGNAL_AFTER);
	ASSERT_TRUE(stop_for(pid, 200));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(EINTR, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_EQ(1, o.sent);
	EXPECT_DEADLINE_OF(o, TIMEOUT_LEFT);
	EXPECT_EQ(0, reap(pid));
	EXPECT_EQ(1, stat_of(req).sent);
	EXPECT_EQ(4, get(req, buf, NULL));
	EXPECT_EQ(-EAGAIN, get(req, buf, NULL));
	close(rep);
	close(req);
}

/*
 * A call stopped while it waits for room to send is restarted as a send would be, and its
 * request goes out once, when there is room; the reply then completes it.  Old module: the
 * timed send wait ended with EINTR.
 */
TEST_F(contract, call_stopped_before_its_request_went_out_is_restarted)
{
	struct outcome o;
	int sync[2], req, rep;
	char buf[64];
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	req = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, req);
	ASSERT_EQ(0, put(req, "full", 0));
	rep = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rep);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		char reply[64] = "";
		struct kipc_call c;

		call_arg(&c, "ping", rep, reply, sizeof(reply), KIPC_MSG_TIMEOUT, 5000 * MSEC);
		child_ready(sync[1]);
		outcome_of(&r, ioctl(req, KIPC_IOC_CALL, &c), now_ns());
		r.sent = c.sent;
		r.ret = r.err ? -1 : (long)c.reply_len;
		if (r.ret == 4 && memcmp(reply, "pong", 4))
			r.ret = -2;
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_TRUE(stop_for(pid, 200));
	msleep(200);
	EXPECT_TRUE(child_running(pid));
	EXPECT_EQ(4, get(req, buf, NULL));
	EXPECT_STREQ("full", buf);
	/* Room now: the request goes out, once. */
	EXPECT_EQ(4, kipc_recv(req, buf, sizeof(buf), NULL, 0, 3000 * MSEC));
	EXPECT_EQ(0, memcmp(buf, "ping", 4));
	ASSERT_EQ(0, put(rep, "pong", 0));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(0, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_EQ(1, o.sent);
	EXPECT_EQ(4, o.ret);
	EXPECT_EQ(0, depth_of(req));
	EXPECT_EQ(2, stat_of(req).sent);
	EXPECT_EQ(0, reap(pid));
	close(rep);
	close(req);
}

/* ---- KIPC_MSG_ABSTIME: these skip on a module without KIPC_FEATURE_ABSTIME (the old one) ----- */

#define ABS	(KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME)

/*
 * A deadline already past is ETIMEDOUT at once, as NONBLOCK is EAGAIN: a message already
 * queued is still received, a full queue still refuses.
 */
TEST_F(contract, abstime_deadline_in_the_past_does_not_wait)
{
	char buf[64];
	__u64 t0;
	int q;

	REQUIRE_FEATURE(KIPC_FEATURE_ABSTIME);
	q = q_new(self->name, 1, 0, KIPC_OVERFLOW_BLOCK);
	ASSERT_LE(0, q);
	arm_guard(5);
	t0 = now_ns();
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(q, buf, sizeof(buf), NULL, KIPC_MSG_ABSTIME, now_ns() - MSEC));
	EXPECT_EQ(-ETIMEDOUT, kipc_recv(q, buf, sizeof(buf), NULL, KIPC_MSG_ABSTIME, 0));
	ASSERT_EQ(0, kipc_send(q, "x", 1, 0, KIPC_MSG_ABSTIME, now_ns() - MSEC));
	EXPECT_EQ(-ETIMEDOUT, kipc_send(q, "y", 1, 0, KIPC_MSG_ABSTIME, 0));
	EXPECT_EQ(1, kipc_recv(q, buf, sizeof(buf), NULL, KIPC_MSG_ABSTIME, now_ns() - MSEC));
	EXPECT_GT(1000 * MSEC, now_ns() - t0);
	alarm(0);
	close(q);
}

/* KIPC_MSG_ABSTIME means nothing without KIPC_MSG_TIMEOUT: EINVAL. */
TEST_F(contract, abstime_without_timeout_is_einval)
{
	struct kipc_msg_vec v = { 0 };
	char buf[64];
	int q;

	REQUIRE_FEATURE(KIPC_FEATURE_ABSTIME);
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	v.buf = (__u64)(unsigned long)buf;
	v.len = sizeof(buf);
	EXPECT_EQ(-EINVAL, kipc_recv(q, buf, sizeof(buf), NULL, KIPC_MSG_ABSTIME, KIPC_FOREVER));
	EXPECT_EQ(-EINVAL, kipc_send(q, "x", 1, 0, KIPC_MSG_ABSTIME, KIPC_FOREVER));
	EXPECT_EQ(0, depth_of(q));
	if (self->info.features & KIPC_FEATURE_BATCH)
		EXPECT_EQ(-EINVAL, kipc_recv_batch(q, &v, 1, KIPC_MSG_ABSTIME, KIPC_FOREVER));
	if (self->info.features & KIPC_FEATURE_CALL)
		EXPECT_EQ(-EINVAL, kipc_call(q, "x", 1, 0, q, buf, sizeof(buf), NULL,
					     KIPC_MSG_ABSTIME, KIPC_FOREVER));
	EXPECT_EQ(0, depth_of(q));
	close(q);
}

/*
 * An absolute deadline is left as it is: a handler without SA_RESTART ends the wait with EINTR
 * and timeout_ns unchanged; the same struct, reissued, is stopped and continued and still
 * ends with ETIMEDOUT at that deadline.
 */
TEST_F(contract, abstime_deadline_stays_across_eintr_and_a_stop)
{
	struct outcome o;
	__u64 deadline;
	int sync[2], q;
	pid_t pid;

	REQUIRE_FEATURE(KIPC_FEATURE_ABSTIME);
	q = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, pipe(sync));
	deadline = now_ns() + 2000 * MSEC;
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct outcome r = { 0 };
		char buf[64];
		struct kipc_msg m;

		CHILD_EXPECT(90, 0, catch_signal(SIGUSR1, 0));
		msg_arg(&m, buf, sizeof(buf), 0, ABS, deadline);
		child_ready(sync[1]);
		outcome_of(&r, ioctl(q, KIPC_IOC_RECV, &m), now_ns());
		r.timeout_ns = m.timeout_ns;
		if (write(sync[1], &r, sizeof(r)) != sizeof(r))
			_exit(93);
		child_ready(sync[1]);
		outcome_of(&r, ioctl(q, KIPC_IOC_RECV, &m), now_ns());
		r.timeout_ns = m.timeout_ns;
		report(sync[1], &r);
	}
	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(EINTR, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_EQ(deadline, o.timeout_ns);

	ASSERT_TRUE(wait_blocked(sync[0], pid));
	ASSERT_TRUE(stop_for(pid, 500));
	ASSERT_TRUE(collect(sync[0], &o, 10));
	EXPECT_EQ(ETIMEDOUT, o.err) TH_LOG("%s", strerror(o.err));
	EXPECT_EQ(deadline, o.timeout_ns);
	EXPECT_LE(deadline - SLACK_NS, o.end);
	EXPECT_GT(deadline + 1000 * MSEC, o.end);
	EXPECT_EQ(0, reap(pid));
	close(q);
}

TEST_HARNESS_MAIN
