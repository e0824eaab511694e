// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: a queue's one-shot notification (KIPC_IOC_MQ_NOTIFY) and the reservation of a
 * queue's capacity against RLIMIT_MSGQUEUE (KIPC_CREATE_RLIMIT): what POSIX mq_notify(3) and
 * mq_open(3) need of the module.  A notification fires once, at the empty queue's first
 * message, never for a message a waiting receive takes, and goes when it fires, when its
 * owner removes it or closes a descriptor of the queue, or with the queue.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "kipc_selftest.h"

KIPC_MQ_FIXTURE(notify, "ntf")

#define VALUE	0x5eed1234u

#define REQUIRE_NOTIFY() do {							\
	REQUIRE_MQ();								\
	if (!(self->info.features & KIPC_FEATURE_MQ_NOTIFY))			\
		SKIP(return, "the module has no KIPC_IOC_MQ_NOTIFY");		\
} while (0)

/* KIPC_IOC_MQ_NOTIFY.  Return: 0 or -errno. */
static int mq_notify_ioctl(int fd, __u32 flags, __u32 method, int signo, __u64 value, int efd,
			   __u32 *removed)
{
	struct kipc_mq_notify n = {
		.size = sizeof(n), .flags = flags, .method = method, .signo = signo,
		.value = value, .eventfd = efd,
	};
	int ret = -raw_ioctl(fd, KIPC_IOC_MQ_NOTIFY, &n);

	if (removed)
		*removed = n.removed;
	return ret;
}

static int reg_signal(int fd)
{
	return mq_notify_ioctl(fd, 0, KIPC_MQ_NOTIFY_SIGNAL, SIGUSR1, VALUE, 0, NULL);
}

static int reg_none(int fd)
{
	return mq_notify_ioctl(fd, 0, KIPC_MQ_NOTIFY_NONE, 0, 0, 0, NULL);
}

static int unreg(int fd, __u32 *removed)
{
	return mq_notify_ioctl(fd, KIPC_MQ_NOTIFY_REMOVE, 0, 0, 0, 0, removed);
}

/* SIGUSR1 blocked, so that a notification stays pending for sigtimedwait(). */
static void block_usr1(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* The pending SIGUSR1 within @ms, into @si.  Return: 1 if it came, 0 if not. */
static int took_usr1(siginfo_t *si, long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	return sigtimedwait(&set, si, &ts) == SIGUSR1;
}

/*
 * A new queue of 4 messages of 64 bytes, registered for SIGUSR1 (blocked, to be taken with
 * sigtimedwait()).  Return: its fd, or -errno.
 */
static int q_signalled(const char *name)
{
	int fd, ret;

	block_usr1();
	fd = q_new(name, 4, 64, 0);
	if (fd < 0)
		return fd;
	ret = reg_signal(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

TEST_F(notify, signal_carries_si_mesgq_the_senders_pid_uid_and_value)
{
	siginfo_t si;
	pid_t pid;
	int fd;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(errno_exit(put(fd, "ping", 0)));
	ASSERT_EQ(0, reap(pid));

	ASSERT_EQ(1, took_usr1(&si, 5000));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(pid, si.si_pid);
	EXPECT_EQ(getuid(), si.si_uid);
	/* The value travels as the sigval's pointer-wide bits. */
	EXPECT_EQ((void *)(uintptr_t)VALUE, si.si_value.sival_ptr);
	/* Fired, so gone: the place is free again. */
	EXPECT_EQ(0, reg_signal(fd));
	close(fd);
}

TEST_F(notify, fires_once_and_only_when_the_queue_was_empty)
{
	siginfo_t si;
	char buf[64];
	int fd;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "one", 0));
	ASSERT_EQ(1, took_usr1(&si, 5000));

	/* A second message on a queue that is not empty fires nothing. */
	ASSERT_EQ(0, reg_signal(fd));
	ASSERT_EQ(0, put(fd, "two", 0));
	EXPECT_EQ(0, took_usr1(&si, 200));
	EXPECT_EQ(-EBUSY, reg_none(fd));

	/* Emptied and sent to again: it fires now. */
	ASSERT_EQ(3, get(fd, buf, NULL));
	ASSERT_EQ(3, get(fd, buf, NULL));
	ASSERT_EQ(0, put(fd, "three", 0));
	EXPECT_EQ(1, took_usr1(&si, 5000));
	close(fd);
}

TEST_F(notify, one_registration_a_queue)
{
	int fd, fd2;
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	fd2 = attach_new(self->name, KIPC_ACCESS_READ);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, reg_none(fd));
	EXPECT_EQ(-EBUSY, reg_none(fd));
	EXPECT_EQ(-EBUSY, reg_signal(fd2));

	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		__u32 removed = 7;

		/* Another process: EBUSY, and its REMOVE removes nothing of ours. */
		if (reg_none(fd2) != -EBUSY)
			_exit(1);
		if (unreg(fd2, &removed) || removed)
			_exit(2);
		/* Its descriptors close as it exits: not the owner's, so nothing goes. */
		_exit(0);
	}
	ASSERT_EQ(0, reap(pid));
	EXPECT_EQ(-EBUSY, reg_none(fd));
	close(fd2);
	close(fd);
}

TEST_F(notify, remove_says_whether_it_removed)
{
	siginfo_t si;
	__u32 removed = 7;
	int fd;

	REQUIRE_NOTIFY();
	block_usr1();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unreg(fd, &removed));
	EXPECT_EQ(0, removed);
	ASSERT_EQ(0, reg_signal(fd));
	ASSERT_EQ(0, unreg(fd, &removed));
	EXPECT_EQ(1, removed);
	ASSERT_EQ(0, put(fd, "x", 0));
	EXPECT_EQ(0, took_usr1(&si, 200));
	ASSERT_EQ(0, unreg(fd, &removed));
	EXPECT_EQ(0, removed);
	close(fd);
}

/*
 * A child asleep in a receive on @fd into @buf (@room bytes), which exits 0 when the receive
 * returns @expect.  Return: its pid once it sleeps, or -1.
 */
static pid_t receive_asleep(int fd, void *buf, size_t room, long expect)
{
	int sync[2];
	pid_t pid;

	if (pipe(sync))
		return -1;
	pid = fork_child();
	if (pid == 0) {
		child_ready(sync[1]);
		_exit(kipc_recv(fd, buf, room, NULL, 0, KIPC_FOREVER) == expect ? 0 : 1);
	}
	if (pid > 0 && !wait_blocked(sync[0], pid))
		pid = -1;
	close(sync[0]);
	close(sync[1]);
	return pid;
}

TEST_F(notify, a_message_handed_to_a_waiting_receive_fires_nothing)
{
	char buf[64];
	int fd;
	siginfo_t si;
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	pid = receive_asleep(fd, buf, 64, 4);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, put(fd, "ping", 0));
	ASSERT_EQ(0, reap(pid));
	EXPECT_EQ(0, took_usr1(&si, 200));
	/* Not fired: still registered. */
	EXPECT_EQ(-EBUSY, reg_none(fd));
	close(fd);
}

TEST_F(notify, the_owner_closing_any_fd_of_the_queue_removes_it)
{
	siginfo_t si;
	int fd, fd2;

	REQUIRE_NOTIFY();
	block_usr1();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	fd2 = attach_new(self->name, KIPC_ACCESS_WRITE);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, reg_signal(fd));
	close(fd2);
	ASSERT_EQ(0, put(fd, "x", 0));
	EXPECT_EQ(0, took_usr1(&si, 200));
	EXPECT_EQ(0, reg_none(fd));
	close(fd);
}

TEST_F(notify, eventfd_gets_one_and_the_registration_goes)
{
	eventfd_t v = 0;
	int fd, efd;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, mq_notify_ioctl(fd, 0, KIPC_MQ_NOTIFY_EVENTFD, 0, 0, efd, NULL));
	EXPECT_EQ(-1, eventfd_read(efd, &v));
	ASSERT_EQ(0, put(fd, "x", 0));
	ASSERT_EQ(0, eventfd_read(efd, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, put(fd, "y", 0));
	EXPECT_EQ(-1, eventfd_read(efd, &v));
	EXPECT_EQ(0, reg_none(fd));
	close(efd);
	close(fd);
}

TEST_F(notify, none_holds_the_place_and_fires_silently)
{
	char buf[64];
	int fd;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, reg_none(fd));
	EXPECT_EQ(-EBUSY, reg_signal(fd));
	ASSERT_EQ(0, put(fd, "x", 0));
	ASSERT_EQ(1, get(fd, buf, NULL));
	EXPECT_EQ(0, reg_signal(fd));
	close(fd);
}

TEST_F(notify, a_batch_on_the_empty_queue_fires_once)
{
	struct kipc_msg_vec v[3] = {
		{ .buf = (__u64)(uintptr_t)"a", .len = 1 },
		{ .buf = (__u64)(uintptr_t)"b", .len = 1 },
		{ .buf = (__u64)(uintptr_t)"c", .len = 1 },
	};
	struct kipc_batch b = {
		.size = sizeof(b), .flags = NB, .vec = (__u64)(uintptr_t)v, .count = 3,
		.vec_size = sizeof(v[0]),
	};
	siginfo_t si;
	int fd;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_SEND_BATCH, &b));
	ASSERT_EQ(3, b.done);
	EXPECT_EQ(1, took_usr1(&si, 5000));
	EXPECT_EQ(SI_MESGQ, si.si_code);
	EXPECT_EQ(0, took_usr1(&si, 200));
	close(fd);
}

static volatile pid_t handled_by;

static void on_usr1(int sig)
{
	handled_by = syscall(SYS_gettid);
}

static void *unblocked_thread(void *arg)
{
	sigset_t set;
	int i;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	*(pid_t *)arg = syscall(SYS_gettid);
	for (i = 0; i < 500 && !handled_by; i++)
		usleep(10000);
	return NULL;
}

TEST_F(notify, the_signal_goes_to_a_thread_that_does_not_block_it)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	volatile pid_t tid = 0;
	pthread_t t;
	int fd, i;

	REQUIRE_NOTIFY();
	block_usr1();
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, reg_signal(fd));
	handled_by = 0;
	ASSERT_EQ(0, pthread_create(&t, NULL, unblocked_thread, (void *)&tid));
	for (i = 0; i < 500 && !tid; i++)
		usleep(10000);
	ASSERT_NE(0, tid);
	ASSERT_EQ(0, put(fd, "x", 0));
	pthread_join(t, NULL);
	EXPECT_EQ(tid, handled_by);
	signal(SIGUSR1, SIG_DFL);
	close(fd);
}

/*
 * The image a registered child execs (the test binary again, told by the environment): the
 * queue's fd and the blocked SIGUSR1 survive the exec; it says so on the pipe and reports
 * whether a SIGUSR1 comes within a second (exit 1) or not (exit 0).
 */
__attribute__((constructor)) static void execed_owner(void)
{
	const char *wfd = getenv("KIPC_NOTIFY_EXECED");
	siginfo_t si;

	if (!wfd)
		return;
	child_ready(atoi(wfd));
	_exit(took_usr1(&si, 1000));
}

TEST_F(notify, not_to_an_owner_that_execd_since)
{
	int fd, sync[2];
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char env[32];

		/* The fd stays open across the exec: closing it would remove the registration. */
		block_usr1();
		if (fcntl(fd, F_SETFD, 0) || reg_signal(fd))
			_exit(2);
		snprintf(env, sizeof(env), "%d", sync[1]);
		setenv("KIPC_NOTIFY_EXECED", env, 1);
		execl("/proc/self/exe", "kipc_mq_notify_test", (char *)NULL);
		_exit(3);
	}
	ASSERT_TRUE(await_peer(sync[0]));
	ASSERT_EQ(0, put(fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	close(sync[0]);
	close(sync[1]);
	close(fd);
}

TEST_F(notify, fires_when_the_waiting_receive_has_too_little_room)
{
	char buf[2];
	int fd;
	siginfo_t si;
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	pid = receive_asleep(fd, buf, 2, -EMSGSIZE);
	ASSERT_LT(0, pid);
	/* It cannot take this one: it stays queued, and the owner must hear of it. */
	ASSERT_EQ(0, put(fd, "ten bytes!", 0));
	ASSERT_EQ(0, reap(pid));
	EXPECT_EQ(1, took_usr1(&si, 5000));
	EXPECT_EQ(1, depth_of(fd));
	close(fd);
}

TEST_F(notify, a_batch_of_two_with_one_receive_asleep_fires)
{
	struct kipc_msg_vec v[2] = {
		{ .buf = (__u64)(uintptr_t)"a", .len = 1 },
		{ .buf = (__u64)(uintptr_t)"b", .len = 1 },
	};
	struct kipc_batch b = {
		.size = sizeof(b), .flags = NB, .vec = (__u64)(uintptr_t)v, .count = 2,
		.vec_size = sizeof(v[0]),
	};
	char buf[64];
	int fd;
	siginfo_t si;
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	pid = receive_asleep(fd, buf, 64, 1);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_SEND_BATCH, &b));
	ASSERT_EQ(2, b.done);
	ASSERT_EQ(0, reap(pid));
	/* The receive took one; the other waits, and the owner hears of it. */
	EXPECT_EQ(1, took_usr1(&si, 5000));
	EXPECT_EQ(1, depth_of(fd));
	close(fd);
}

TEST_F(notify, a_drop_queue_that_was_full_never_was_empty)
{
	struct kipc_create c;
	siginfo_t si;
	int fd;

	REQUIRE_NOTIFY();
	block_usr1();
	create_arg(&c, self->name);
	c.max_msgs = 1;
	c.max_msg_size = 64;
	c.overflow = KIPC_OVERFLOW_DROP;
	fd = create_fd(&c);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, put(fd, "old", 0));
	ASSERT_EQ(0, reg_signal(fd));
	/* The new message takes the old one's place: the queue was never empty. */
	ASSERT_EQ(0, put(fd, "new", 1));
	EXPECT_EQ(0, took_usr1(&si, 200));
	EXPECT_EQ(-EBUSY, reg_none(fd));
	close(fd);
}

TEST_F(notify, a_message_a_failed_receive_puts_back_fires)
{
	void *ro;
	int fd;
	siginfo_t si;
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_signalled(self->name);
	ASSERT_LE(0, fd);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	/* Handed the message, it cannot write it: it goes back on the queue. */
	pid = receive_asleep(fd, ro, 64, -EFAULT);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, put(fd, "ping", 0));
	ASSERT_EQ(0, reap(pid));
	EXPECT_EQ(1, depth_of(fd));
	EXPECT_EQ(1, took_usr1(&si, 5000));
	close(fd);
}

static void *wait_usr1_thread(void *arg)
{
	siginfo_t si;

	/* Everyone blocks SIGUSR1; the leader has exited: this thread must get it. */
	_exit(took_usr1(&si, 5000) && si.si_code == SI_MESGQ ? 0 : 1);
	return arg;
}

TEST_F(notify, the_signal_reaches_a_live_thread_when_the_leader_has_exited)
{
	int fd, sync[2];
	pid_t pid;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe(sync));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pthread_t t;

		block_usr1();
		if (reg_signal(fd) || pthread_create(&t, NULL, wait_usr1_thread, NULL))
			_exit(2);
		child_ready(sync[1]);
		pthread_exit(NULL);
	}
	ASSERT_TRUE(await_peer(sync[0]));
	/* The leader is a zombie once pthread_exit() is through. */
	usleep(100000);
	ASSERT_EQ(0, put(fd, "x", 0));
	EXPECT_EQ(0, reap(pid));
	close(sync[0]);
	close(sync[1]);
	close(fd);
}

TEST_F(notify, a_dead_queue_refuses_registrations)
{
	int fd;

	REQUIRE_NOTIFY();
	fd = q_new(self->name, 4, 64, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mq_notify_ioctl(fd, 0, KIPC_MQ_NOTIFY_EVENTFD, 0, 0,
				     eventfd(0, EFD_CLOEXEC), NULL));
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, KIPC_DESTROY_NOW));
	EXPECT_EQ(-EIDRM, reg_none(fd));
	EXPECT_EQ(-EIDRM, unreg(fd, NULL));
	close(fd);
}

/* ---- KIPC_CREATE_RLIMIT ---------------------------------------------------------------------- */

#define REQUIRE_RLIMIT() do {							\
	REQUIRE_MQ();								\
	if (!(self->info.features & KIPC_FEATURE_RLIMIT))			\
		SKIP(return, "the module has no KIPC_CREATE_RLIMIT");		\
} while (0)

static int q_rlimit(const char *name, unsigned int msgs, unsigned int size, bool excl)
{
	struct kipc_create c;

	create_arg(&c, name);
	c.flags = (excl ? KIPC_CREATE_EXCL : 0) | KIPC_CREATE_RLIMIT;
	c.max_msgs = msgs;
	c.max_msg_size = size;
	return create_fd(&c);
}

/* The soft RLIMIT_MSGQUEUE @soft for this process; the old one in *@old. */
static int set_soft_rlimit(rlim_t soft, struct rlimit *old)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_MSGQUEUE, old))
		return -errno;
	r = *old;
	r.rlim_cur = soft;
	return setrlimit(RLIMIT_MSGQUEUE, &r) ? -errno : 0;
}

TEST_F(notify, rlimit_reserves_the_capacity_and_frees_it_with_the_queue)
{
	struct rlimit old;
	int a, b, c;

	REQUIRE_RLIMIT();
	/* 8 x 1 KiB and kipc's header per message fit 16 KiB once, not twice. */
	ASSERT_EQ(0, set_soft_rlimit(16384, &old));
	a = q_rlimit(self->name, 8, 1024, true);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EDQUOT, q_rlimit(self->name2, 8, 1024, true));
	/* Too much at once, however empty the budget. */
	EXPECT_EQ(-EDQUOT, q_rlimit(self->name3, 32, 1024, true));
	/* Without the flag nothing is reserved. */
	b = q_new(self->name2, 8, 1024, 0);
	ASSERT_LE(0, b);
	close(b);
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name2, 0));
	/* Opening the existing queue with the flag charges nothing more. */
	c = q_rlimit(self->name, 8, 1024, false);
	ASSERT_LE(0, c);
	close(c);
	/* The name gone, the queue lives on in a: still charged. */
	ASSERT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	EXPECT_EQ(-EDQUOT, q_rlimit(self->name2, 8, 1024, true));
	/* The last close frees it, and its charge. */
	close(a);
	b = q_rlimit(self->name2, 8, 1024, true);
	EXPECT_LE(0, b);
	close(b);
	setrlimit(RLIMIT_MSGQUEUE, &old);
}

TEST_F(notify, rlimit_of_zero_refuses_every_reserving_queue)
{
	struct rlimit old;

	REQUIRE_RLIMIT();
	ASSERT_EQ(0, set_soft_rlimit(0, &old));
	EXPECT_EQ(-EDQUOT, q_rlimit(self->name, 1, 1, true));
	setrlimit(RLIMIT_MSGQUEUE, &old);
}

TEST_HARNESS_MAIN
