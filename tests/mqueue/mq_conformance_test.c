// SPDX-License-Identifier: GPL-2.0
/*
 * POSIX message queue conformance: every <mqueue.h> call's success and error paths, as Linux
 * behaves.  It uses <mqueue.h> and POSIX alone, so that one binary runs on the kernel's own
 * queues and, unmodified, with LD_PRELOAD=libkipc-mqueue.so on kipc's: the check plan runs
 * it both ways and wants the same results.  TAP output, kselftest's exit codes (0 pass, 1 fail).
 * It is built with _FORTIFY_SOURCE, so that its two-argument mq_open() calls glibc's
 * __mq_open_2() as a fortified program's does.
 *
 * Root (as in the test VM) runs every case; some need it (a child that drops to nobody, the
 * /proc/sys/fs/mqueue knobs) and skip without it.  The cases under "kipc-only:" test what
 * differs by design (kipc's shorter names) and run only when KIPC_PRELOADED says the shim is
 * preloaded (the plan step kselftest-preload sets it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOBODY		65534
#define SKIP		2	/* a case's result besides 0 (pass) and 1 (fail) */
#define NOTIFY_SIG	SIGUSR1

static char qname[64];		/* the current case's queue */
static char reason[256];	/* why the current case failed or skipped */

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return 1;
}

static int skip(const char *why)
{
	snprintf(reason, sizeof(reason), "%s", why);
	return SKIP;
}

/* expect_err(ret, err, what): the call returned -1 with errno err. */
#define expect_err(ret, err, what) do {						\
	long ret_ = (long)(ret);						\
	int errno_ = errno;							\
	if (ret_ != -1 || errno_ != (err))					\
		return fail("%s: want -1 %s, got %ld %s", what, strerrorname_np(err), \
			    ret_, ret_ == -1 ? strerrorname_np(errno_) : "(no error)"); \
} while (0)

#define expect_ok(ret, what) do {						\
	long ret_ = (long)(ret);						\
	if (ret_ == -1)								\
		return fail("%s: %s", what, strerrorname_np(errno));		\
} while (0)

#define expect(cond, ...) do {							\
	if (!(cond))								\
		return fail(__VA_ARGS__);					\
} while (0)

static mqd_t open_attr(const char *name, int oflag, long maxmsg, long msgsize)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };

	return mq_open(name, oflag | O_CREAT, 0600, &attr);
}

/* The case's queue, created fresh: 4 messages of 64 bytes. */
static mqd_t fresh(int oflag)
{
	mq_unlink(qname);
	return open_attr(qname, oflag | O_EXCL, 4, 64);
}

static struct timespec in_ms(long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static long since_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Run fn(arg) in a child, as nobody when @drop; its return is the child's exit status. */
static int in_child(int drop, int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (drop && (setgid(NOBODY) || setuid(NOBODY)))
			_exit(100);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The errno of mq_open(qname, oflag) in a child as nobody, or 0 when it worked. */
static int open_as_nobody_fn(void *arg)
{
	return mq_open(qname, *(int *)arg) == (mqd_t)-1 ? errno : 0;
}

static int open_as_nobody(int oflag)
{
	return in_child(1, open_as_nobody_fn, &oflag);
}

/* A file of /proc/sys/fs/mqueue read (write < 0) or written. */
static long mq_knob(const char *knob, long write)
{
	char path[96];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/fs/mqueue/%s", knob);
	f = fopen(path, write < 0 ? "r" : "w");
	if (!f)
		return -1;
	if (write < 0 ? fscanf(f, "%ld", &v) != 1 : fprintf(f, "%ld\n", write) < 0)
		v = -1;
	else if (write >= 0)
		v = write;
	if (fclose(f))
		v = -1;
	return v;
}

/* ---- mq_open, mq_close, mq_unlink -------------------------------------------------------- */

static int t_open_create(void)
{
	struct mq_attr a;
	mqd_t q = open_attr(qname, O_RDWR | O_EXCL, 3, 100);

	expect_ok(q, "mq_open O_CREAT|O_EXCL");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_maxmsg == 3 && a.mq_msgsize == 100 && a.mq_curmsgs == 0 && a.mq_flags == 0,
	       "attr %ld/%ld/%ld/%ld", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs, a.mq_flags);
	expect_ok(mq_close(q), "mq_close");
	return 0;
}

static int t_open_existing_ignores_attr(void)
{
	struct mq_attr a;
	mqd_t q = fresh(O_RDWR), q2;

	expect_ok(q, "create");
	q2 = open_attr(qname, O_RDWR, 2, 32);
	expect_ok(q2, "mq_open O_CREAT on the existing queue with other attributes");
	expect_ok(mq_getattr(q2, &a), "mq_getattr");
	expect(a.mq_maxmsg == 4 && a.mq_msgsize == 64, "attr %ld/%ld: want the queue's 4/64",
	       a.mq_maxmsg, a.mq_msgsize);
	/* Even attributes that would be refused are not looked at. */
	q2 = open_attr(qname, O_RDWR, 0, -1);
	expect_ok(q2, "mq_open O_CREAT on the existing queue with invalid attributes");
	return 0;
}

static int t_open_excl(void)
{
	expect_ok(fresh(O_RDWR), "create");
	expect_err(open_attr(qname, O_RDWR | O_EXCL, 4, 64), EEXIST, "O_CREAT|O_EXCL on a queue");
	return 0;
}

static int t_open_enoent(void)
{
	mq_unlink(qname);
	expect_err(mq_open(qname, O_RDWR), ENOENT, "mq_open of no queue without O_CREAT");
	return 0;
}

static int t_names(void)
{
	char longname[NAME_MAX + 3];

	expect_err(mq_open("no-slash", O_RDWR | O_CREAT, 0600, NULL), EINVAL, "a name without '/'");
	expect_err(mq_open("/", O_RDWR | O_CREAT, 0600, NULL), ENOENT, "the name \"/\"");
	expect_err(mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES, "the name \"/a/b\"");
	expect_err(mq_open("/..", O_RDWR | O_CREAT, 0600, NULL), EACCES, "the name \"/..\"");
	memset(longname, 'n', sizeof(longname));
	longname[0] = '/';
	longname[NAME_MAX + 2] = '\0';
	expect_err(mq_open(longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG,
		   "a name of NAME_MAX + 1 bytes");
	expect_err(mq_unlink(longname), ENAMETOOLONG, "mq_unlink of a name too long");
	expect_err(mq_unlink("no-slash"), EINVAL, "mq_unlink of a name without '/'");
	return 0;
}

/* Built with _FORTIFY_SOURCE, a two-argument mq_open() whose oflag is not a constant is a
 * call of glibc's __mq_open_2(). */
static int t_open_two_args(void)
{
	volatile int oflag = O_RDONLY;

	expect_ok(fresh(O_RDWR), "create");
	expect_ok(mq_open(qname, oflag), "mq_open(name, oflag), oflag not a constant");
	mq_unlink(qname);
	expect_err(mq_open(qname, oflag), ENOENT, "the same of no queue");
	return 0;
}

static int t_open_accmode(void)
{
	expect_ok(fresh(O_RDWR), "create");
	expect_err(mq_open(qname, O_RDWR | O_WRONLY), EINVAL, "O_RDWR|O_WRONLY");
	return 0;
}

static int t_open_default_attr(void)
{
	long msg_default = mq_knob("msg_default", -1), msg_max = mq_knob("msg_max", -1);
	long size_default = mq_knob("msgsize_default", -1), size_max = mq_knob("msgsize_max", -1);
	struct mq_attr a;
	mqd_t q;

	if (msg_default < 0 || size_default < 0)
		return skip("no /proc/sys/fs/mqueue");
	mq_unlink(qname);
	q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	expect_ok(q, "mq_open with attr NULL");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	msg_default = msg_default < msg_max ? msg_default : msg_max;
	size_default = size_default < size_max ? size_default : size_max;
	expect(a.mq_maxmsg == msg_default && a.mq_msgsize == size_default,
	       "attr %ld/%ld, want %ld/%ld", a.mq_maxmsg, a.mq_msgsize, msg_default, size_default);
	return 0;
}

static int t_open_bad_attr(void)
{
	mq_unlink(qname);
	expect_err(open_attr(qname, O_RDWR, 0, 64), EINVAL, "mq_maxmsg 0");
	expect_err(open_attr(qname, O_RDWR, 4, 0), EINVAL, "mq_msgsize 0");
	expect_err(open_attr(qname, O_RDWR, -1, 64), EINVAL, "mq_maxmsg -1");
	expect_err(open_attr(qname, O_RDWR, 65537, 64), EINVAL, "mq_maxmsg above 65536");
	expect_err(open_attr(qname, O_RDWR, 4, 16 * 1024 * 1024 + 1), EINVAL,
		   "mq_msgsize above 16 MiB");
	expect_err(mq_open(qname, O_RDWR), ENOENT, "what a refused mq_open left");
	return 0;
}

static int attr_as_nobody_fn(void *arg)
{
	long *v = arg;

	return open_attr(qname, O_RDWR, v[0], v[1]) == (mqd_t)-1 ? errno : 0;
}

/* The knobs honoured, read at each call: msg_max and msgsize_max for a process without
 * CAP_SYS_RESOURCE, msg_default and msgsize_default for attr NULL. */
static int t_sysctl(void)
{
	long msg_max = mq_knob("msg_max", -1), msg_default = mq_knob("msg_default", -1);
	long size_max = mq_knob("msgsize_max", -1);
	long v[2];
	struct mq_attr a;
	int ret = 0;
	mqd_t q;

	if (getuid() || msg_max < 0 || mq_knob("msg_default", msg_default) < 0)
		return skip("needs root and /proc/sys/fs/mqueue");
	mq_unlink(qname);
	chmod("/proc/self", 0755);
	if (mq_knob("msg_max", 5) < 0 || mq_knob("msg_default", 3) < 0) {
		ret = fail("cannot write /proc/sys/fs/mqueue");
		goto out;
	}
	v[0] = 6, v[1] = 64;
	if (in_child(1, attr_as_nobody_fn, v) != EINVAL) {
		ret = fail("nobody, mq_maxmsg above msg_max: want EINVAL");
		goto out;
	}
	mq_unlink(qname);
	v[0] = 5, v[1] = size_max + 1;
	if (in_child(1, attr_as_nobody_fn, v) != EINVAL) {
		ret = fail("nobody, mq_msgsize above msgsize_max: want EINVAL");
		goto out;
	}
	mq_unlink(qname);
	v[0] = 5, v[1] = 64;
	if (in_child(1, attr_as_nobody_fn, v) != 0) {
		ret = fail("nobody, mq_maxmsg at msg_max: want success");
		goto out;
	}
	mq_unlink(qname);
	q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	if (q == (mqd_t)-1 || mq_getattr(q, &a) || a.mq_maxmsg != 3) {
		ret = fail("attr NULL after msg_default=3: maxmsg %ld", a.mq_maxmsg);
		goto out;
	}
	mq_close(q);
	mq_unlink(qname);
	/* msg_default above msg_max: the smaller wins. */
	mq_knob("msg_default", 8);
	q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	if (q == (mqd_t)-1 || mq_getattr(q, &a) || a.mq_maxmsg != 5)
		ret = fail("attr NULL, msg_default 8 > msg_max 5: maxmsg %ld", a.mq_maxmsg);
out:
	mq_knob("msg_max", msg_max);
	mq_knob("msg_default", msg_default);
	return ret;
}

static int rlimit_fn(void *arg)
{
	struct rlimit rl = { 0, 0 };

	(void)arg;
	if (setrlimit(RLIMIT_MSGQUEUE, &rl))
		return 101;
	return open_attr(qname, O_RDWR | O_EXCL, 8, 1024) == (mqd_t)-1 ? errno : 0;
}

static int t_rlimit_msgqueue(void)
{
	mq_unlink(qname);
	expect(in_child(0, rlimit_fn, NULL) == EMFILE, "RLIMIT_MSGQUEUE 0: want EMFILE");
	return 0;
}

static int nofile_fn(void *arg)
{
	struct rlimit rl = { 3, 3 };
	int fd;

	(void)arg;
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 101;
	return open_attr(qname, O_RDWR, 4, 64) == (mqd_t)-1 ? errno : 0;
}

static int t_emfile(void)
{
	mq_unlink(qname);
	expect(in_child(0, nofile_fn, NULL) == EMFILE, "RLIMIT_NOFILE reached: want EMFILE");
	return 0;
}

static int t_eacces(void)
{
	int r;

	if (getuid())
		return skip("needs root (a child drops to nobody)");
	expect_ok(fresh(O_RDWR), "create, mode 0600");
	r = open_as_nobody(O_RDONLY);
	expect(r == EACCES, "nobody opens a 0600 queue: want EACCES, got %s", strerrorname_np(r));
	mq_unlink(qname);
	expect_ok(mq_open(qname, O_RDWR | O_CREAT, 0644, NULL), "create, mode 0644");
	expect(open_as_nobody(O_RDONLY) == 0, "nobody reads a 0644 queue");
	r = open_as_nobody(O_WRONLY);
	expect(r == EACCES, "nobody writes a 0644 queue: want EACCES, got %s", strerrorname_np(r));
	return 0;
}

static int t_umask(void)
{
	mode_t old;
	mqd_t q;

	if (getuid())
		return skip("needs root (a child drops to nobody)");
	mq_unlink(qname);
	old = umask(0077);
	q = mq_open(qname, O_RDWR | O_CREAT, 0666, NULL);
	umask(old);
	expect_ok(q, "create 0666 under umask 077");
	expect(open_as_nobody(O_RDONLY) == EACCES, "the umask is applied: nobody may not read");
	mq_unlink(qname);
	old = umask(0);
	q = mq_open(qname, O_RDWR | O_CREAT, 0666, NULL);
	umask(old);
	expect_ok(q, "create 0666 under umask 0");
	expect(open_as_nobody(O_WRONLY) == 0, "umask 0: nobody may write");
	return 0;
}

static int t_close(void)
{
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_close(q), "mq_close");
	expect_err(mq_close(q), EBADF, "mq_close of a closed mqd_t");
	expect_err(mq_close(-1), EBADF, "mq_close(-1)");
	return 0;
}

static int t_unlink(void)
{
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_unlink(qname), "mq_unlink");
	expect_err(mq_unlink(qname), ENOENT, "a second mq_unlink");
	expect_err(mq_open(qname, O_RDWR), ENOENT, "mq_open after mq_unlink");
	/* The descriptor goes on working until it is closed. */
	expect_ok(mq_send(q, "x", 1, 0), "mq_send after mq_unlink");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive after mq_unlink");
	/* A new queue of the name is another queue. */
	expect_ok(fresh(O_RDWR), "create the name again");
	expect_ok(mq_getattr(q, &(struct mq_attr){ 0 }), "the old descriptor still answers");
	return 0;
}

/* ---- descriptors: exec, fork, poll ------------------------------------------------------ */

static int t_cloexec(void)
{
	mqd_t q = fresh(O_RDWR);
	int fl;

	expect_ok(q, "create");
	fl = fcntl(q, F_GETFD);
	expect(fl >= 0 && (fl & FD_CLOEXEC), "the mqd_t is close-on-exec (F_GETFD %d)", fl);
	return 0;
}

static char *self_path;

static int exec_fn(void *arg)
{
	char fd[16];

	snprintf(fd, sizeof(fd), "%d", *(int *)arg);
	execl(self_path, self_path, "--fd-closed", fd, (char *)NULL);
	return 102;
}

static int t_exec_closes(void)
{
	mqd_t q = fresh(O_RDWR);
	int r;

	expect_ok(q, "create");
	r = in_child(0, exec_fn, &q);
	expect(r == 0, "after exec the mqd_t is %s", r == 1 ? "still open" : "unknown (exec failed)");
	return 0;
}

static int fork_send_fn(void *arg)
{
	return mq_send(*(mqd_t *)arg, "from child", 10, 7) ? errno : 0;
}

static int t_fork_inherits(void)
{
	char buf[64];
	unsigned int prio;
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect(in_child(0, fork_send_fn, &q) == 0, "the child sends on the inherited mqd_t");
	expect(mq_receive(q, buf, sizeof(buf), &prio) == 10 && prio == 7 &&
	       !memcmp(buf, "from child", 10), "the parent receives what the child sent");
	return 0;
}

static int fork_setattr_fn(void *arg)
{
	struct mq_attr a = { .mq_flags = O_NONBLOCK };

	return mq_setattr(*(mqd_t *)arg, &a, NULL) ? errno : 0;
}

static int t_fork_nonblock_shared(void)
{
	struct mq_attr a;
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect(in_child(0, fork_setattr_fn, &q) == 0, "the child's mq_setattr(O_NONBLOCK)");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_flags == O_NONBLOCK, "the parent sees O_NONBLOCK (mq_flags %ld)", a.mq_flags);
	expect_err(mq_receive(q, buf, sizeof(buf), NULL), EAGAIN, "the parent's receive");
	return 0;
}

static int t_poll(void)
{
	struct pollfd p;
	mqd_t q = open_attr(qname, O_RDWR | O_EXCL, 1, 64);
	char buf[64];

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL, 1, 64);
	expect_ok(q, "create");
	p = (struct pollfd){ .fd = q, .events = POLLIN | POLLOUT };
	expect(poll(&p, 1, 0) == 1 && p.revents == POLLOUT, "empty: POLLOUT only (%#x)", p.revents);
	expect_ok(mq_send(q, "m", 1, 0), "mq_send");
	expect(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "full: POLLIN only (%#x)", p.revents);
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	p.events = POLLIN;
	expect(poll(&p, 1, 20) == 0, "empty again: no POLLIN");
	return 0;
}

static int t_select(void)
{
	struct timeval tv = { 0, 0 };
	fd_set rd;
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	FD_ZERO(&rd);
	FD_SET(q, &rd);
	expect(select(q + 1, &rd, NULL, NULL, &tv) == 0, "empty: not readable");
	expect_ok(mq_send(q, "m", 1, 0), "mq_send");
	FD_SET(q, &rd);
	expect(select(q + 1, &rd, NULL, NULL, &tv) == 1 && FD_ISSET(q, &rd), "readable after a send");
	return 0;
}

static void *send_later(void *arg)
{
	sleep_ms(50);
	mq_send(*(mqd_t *)arg, "late", 4, 1);
	return NULL;
}

static int t_epoll(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	mqd_t q = fresh(O_RDWR);
	pthread_t t;
	int ep, n;

	expect_ok(q, "create");
	ep = epoll_create1(EPOLL_CLOEXEC);
	expect_ok(ep, "epoll_create1");
	expect_ok(epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev), "EPOLL_CTL_ADD");
	expect(epoll_wait(ep, &out, 1, 0) == 0, "empty: no event");
	pthread_create(&t, NULL, send_later, &q);
	n = epoll_wait(ep, &out, 1, 5000);
	pthread_join(t, NULL);
	close(ep);
	expect(n == 1 && (out.events & EPOLLIN), "EPOLLIN when a message arrives");
	return 0;
}

/* ---- mq_send, mq_receive and their timed forms ---------------------------------------- */

static int t_send_receive(void)
{
	char buf[64];
	unsigned int prio = 0;
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_send(q, "hello", 5, 3), "mq_send");
	expect(mq_receive(q, buf, sizeof(buf), &prio) == 5 && prio == 3 && !memcmp(buf, "hello", 5),
	       "mq_receive gets the message and its priority");
	expect_ok(mq_send(q, "", 0, MQ_PRIO_MAX - 1), "a message of 0 bytes at MQ_PRIO_MAX - 1");
	expect(mq_receive(q, buf, sizeof(buf), &prio) == 0 && prio == MQ_PRIO_MAX - 1,
	       "mq_receive of 0 bytes");
	expect_ok(mq_send(q, buf, 64, 0), "a message of mq_msgsize bytes");
	expect(mq_receive(q, buf, 64, NULL) == 64, "mq_receive of mq_msgsize bytes");
	return 0;
}

static int t_priorities(void)
{
	static const unsigned int sent[] = { 1, 5, 3, 5, 0, 32767 };
	static const char order[] = "FBDCAE";
	char buf[64], got[8] = "";
	unsigned int i, prio;
	mqd_t q;

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL, 8, 64);
	expect_ok(q, "create");
	for (i = 0; i < 6; i++) {
		char c = (char)('A' + i);

		expect_ok(mq_send(q, &c, 1, sent[i]), "mq_send");
	}
	for (i = 0; i < 6; i++) {
		expect(mq_receive(q, buf, sizeof(buf), &prio) == 1, "mq_receive");
		got[i] = buf[0];
	}
	expect(!strcmp(got, order), "order %s, want %s (highest first, FIFO within one)", got, order);
	return 0;
}

static int t_send_errors(void)
{
	char big[65] = { 0 };
	mqd_t q = fresh(O_RDWR), ro;

	expect_ok(q, "create");
	expect_err(mq_send(q, big, 65, 0), EMSGSIZE, "mq_send above mq_msgsize");
	expect_err(mq_send(q, "x", 1, MQ_PRIO_MAX), EINVAL, "priority MQ_PRIO_MAX");
	ro = mq_open(qname, O_RDONLY);
	expect_ok(ro, "open O_RDONLY");
	expect_err(mq_send(ro, "x", 1, 0), EBADF, "mq_send on O_RDONLY");
	expect_err(mq_send(-1, "x", 1, 0), EBADF, "mq_send on -1");
	return 0;
}

static int t_receive_errors(void)
{
	char buf[64];
	mqd_t q = fresh(O_RDWR), wo;

	expect_ok(q, "create");
	expect_ok(mq_send(q, "x", 1, 0), "mq_send");
	expect_err(mq_receive(q, buf, 63, NULL), EMSGSIZE,
		   "mq_receive with less room than mq_msgsize (the message is 1 byte)");
	wo = mq_open(qname, O_WRONLY);
	expect_ok(wo, "open O_WRONLY");
	expect_err(mq_receive(wo, buf, sizeof(buf), NULL), EBADF, "mq_receive on O_WRONLY");
	expect_err(mq_receive(wo, buf, 1, NULL), EBADF,
		   "mq_receive on O_WRONLY with too little room: EBADF comes first");
	expect_err(mq_receive(-1, buf, sizeof(buf), NULL), EBADF, "mq_receive on -1");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "the message is still there");
	return 0;
}

static int t_not_a_queue(void)
{
	struct mq_attr a = { 0 };
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	char buf[64];
	int p[2];

	expect_ok(pipe(p), "pipe");
	expect_err(mq_send(p[1], "x", 1, 0), EBADF, "mq_send on a pipe");
	expect_err(mq_receive(p[0], buf, sizeof(buf), NULL), EBADF, "mq_receive on a pipe");
	expect_err(mq_getattr(p[0], &a), EBADF, "mq_getattr on a pipe");
	expect_err(mq_setattr(p[0], &a, NULL), EBADF, "mq_setattr on a pipe");
	expect_err(mq_notify(p[0], &sev), EBADF, "mq_notify on a pipe");
	expect_err(mq_getattr(-1, &a), EBADF, "mq_getattr on -1");
	expect_err(mq_notify(-1, NULL), EBADF, "mq_notify(-1, NULL)");
	close(p[0]);
	close(p[1]);
	return 0;
}

static int t_nonblock(void)
{
	struct mq_attr a;
	char buf[64];
	mqd_t q;

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL | O_NONBLOCK, 2, 64);
	expect_ok(q, "create O_NONBLOCK");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_flags == O_NONBLOCK, "mq_flags %ld, want O_NONBLOCK", a.mq_flags);
	expect_err(mq_receive(q, buf, sizeof(buf), NULL), EAGAIN, "mq_receive on empty");
	expect_ok(mq_send(q, "1", 1, 0), "send 1");
	expect_ok(mq_send(q, "2", 1, 0), "send 2");
	expect_err(mq_send(q, "3", 1, 0), EAGAIN, "mq_send on full");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_curmsgs == 2, "mq_curmsgs %ld, want 2", a.mq_curmsgs);
	return 0;
}

static int t_timedreceive_timeout(void)
{
	struct timespec t0, dl;
	char buf[64];
	mqd_t q = fresh(O_RDWR);
	long ms;

	expect_ok(q, "create");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dl = in_ms(100);
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &dl), ETIMEDOUT,
		   "mq_timedreceive on empty");
	ms = since_ms(&t0);
	expect(ms >= 90 && ms < 3000, "it waited %ld ms for a deadline 100 ms away", ms);
	return 0;
}

static int t_timedsend_timeout(void)
{
	struct timespec dl;
	mqd_t q;

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL, 1, 64);
	expect_ok(q, "create");
	expect_ok(mq_send(q, "1", 1, 0), "fill");
	dl = in_ms(50);
	expect_err(mq_timedsend(q, "2", 1, 0, &dl), ETIMEDOUT, "mq_timedsend on full");
	return 0;
}

static int t_timed_past(void)
{
	struct timespec past = { 1, 0 };	/* 1970 */
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_timedsend(q, "p", 1, 0, &past), "mq_timedsend, room, a past deadline");
	expect(mq_timedreceive(q, buf, sizeof(buf), NULL, &past) == 1,
	       "mq_timedreceive, a message, a past deadline");
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &past), ETIMEDOUT,
		   "mq_timedreceive, empty, a past deadline");
	return 0;
}

static int t_timed_einval(void)
{
	struct timespec bad_hi = { time(NULL) + 10, 1000000000L }, bad_neg = { time(NULL) + 10, -1 };
	char buf[64];
	mqd_t q;

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL, 2, 64);
	expect_ok(q, "create");
	/* Up front: with room, and with a message there, the deadline is still checked. */
	expect_err(mq_timedsend(q, "x", 1, 0, &bad_hi), EINVAL, "mq_timedsend tv_nsec 1e9");
	expect_err(mq_timedsend(q, "x", 1, 0, &bad_neg), EINVAL, "mq_timedsend tv_nsec -1");
	expect_ok(mq_send(q, "x", 1, 0), "mq_send");
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &bad_hi), EINVAL,
		   "mq_timedreceive tv_nsec 1e9");
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &bad_neg), EINVAL,
		   "mq_timedreceive tv_nsec -1");
	/* Before the descriptor is even looked at. */
	expect_err(mq_timedreceive(-1, buf, sizeof(buf), NULL, &bad_hi), EINVAL,
		   "mq_timedreceive on -1 with tv_nsec 1e9");
	return 0;
}

static int t_timed_nonblock(void)
{
	struct timespec dl = in_ms(5000), t0;
	char buf[64];
	mqd_t q;

	mq_unlink(qname);
	q = open_attr(qname, O_RDWR | O_EXCL | O_NONBLOCK, 2, 64);
	expect_ok(q, "create O_NONBLOCK");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &dl), EAGAIN,
		   "mq_timedreceive O_NONBLOCK on empty");
	expect(since_ms(&t0) < 1000, "it did not wait");
	return 0;
}

static int t_blocking_wakes(void)
{
	char buf[64];
	mqd_t q = fresh(O_RDWR);
	pthread_t t;
	ssize_t n;

	expect_ok(q, "create");
	pthread_create(&t, NULL, send_later, &q);
	n = mq_receive(q, buf, sizeof(buf), NULL);
	pthread_join(t, NULL);
	expect(n == 4 && !memcmp(buf, "late", 4), "a blocked mq_receive gets the message");
	return 0;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void arm(int restart)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0 };
	struct itimerval it = { .it_value = { 0, 50000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int t_eintr(void)
{
	struct timespec dl;
	char buf[64];
	mqd_t q = fresh(O_RDWR);
	pthread_t t;
	ssize_t n;

	expect_ok(q, "create");
	alarms = 0;
	arm(0);
	expect_err(mq_receive(q, buf, sizeof(buf), NULL), EINTR, "mq_receive, handler without SA_RESTART");
	arm(0);
	dl = in_ms(5000);
	expect_err(mq_timedreceive(q, buf, sizeof(buf), NULL, &dl), EINTR,
		   "mq_timedreceive, handler without SA_RESTART");
	/* With SA_RESTART the receive goes on after the handler and gets the message. */
	arm(1);
	pthread_create(&t, NULL, send_later, &q);
	n = mq_receive(q, buf, sizeof(buf), NULL);
	sleep_ms(100);	/* so that the alarm (50 ms) surely came while it waited */
	pthread_join(t, NULL);
	signal(SIGALRM, SIG_DFL);
	expect(alarms == 3, "%d alarms, want 3", (int)alarms);
	expect(n == 4, "mq_receive with SA_RESTART: %zd (%s)", n, strerrorname_np(errno));
	return 0;
}

/* ---- mq_getattr, mq_setattr ------------------------------------------------------------ */

static int t_getattr(void)
{
	struct mq_attr a;
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_send(q, "1", 1, 0), "send");
	expect_ok(mq_send(q, "2", 1, 0), "send");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_curmsgs == 2 && a.mq_maxmsg == 4 && a.mq_msgsize == 64 && a.mq_flags == 0,
	       "attr %ld/%ld/%ld/%ld", a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
	return 0;
}

static int t_setattr(void)
{
	struct mq_attr set = { .mq_flags = O_NONBLOCK, .mq_maxmsg = 99, .mq_msgsize = 99 }, old, a;
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_setattr(q, &set, &old), "mq_setattr O_NONBLOCK");
	expect(old.mq_flags == 0 && old.mq_maxmsg == 4 && old.mq_msgsize == 64,
	       "the old attributes %ld/%ld/%ld", old.mq_flags, old.mq_maxmsg, old.mq_msgsize);
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_flags == O_NONBLOCK && a.mq_maxmsg == 4 && a.mq_msgsize == 64,
	       "only mq_flags changes: %ld/%ld/%ld", a.mq_flags, a.mq_maxmsg, a.mq_msgsize);
	expect_err(mq_receive(q, buf, sizeof(buf), NULL), EAGAIN, "mq_receive after O_NONBLOCK");
	set.mq_flags = 0;
	expect_ok(mq_setattr(q, &set, NULL), "mq_setattr 0, no old");
	expect_ok(mq_getattr(q, &a), "mq_getattr");
	expect(a.mq_flags == 0, "O_NONBLOCK cleared");
	set.mq_flags = O_NONBLOCK | O_APPEND;
	expect_err(mq_setattr(q, &set, NULL), EINVAL, "mq_flags with a bit besides O_NONBLOCK");
	set.mq_flags = 1;
	expect_err(mq_setattr(-1, &set, NULL), EINVAL, "a bad mq_flags comes before EBADF");
	return 0;
}

/* ---- mq_notify ------------------------------------------------------------------------- */

static int wait_notify(siginfo_t *si, long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, NOTIFY_SIG);
	return sigtimedwait(&set, si, &ts);
}

static int notify_signal(mqd_t q, int value)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = NOTIFY_SIG,
		.sigev_value.sival_int = value,
	};

	return mq_notify(q, &sev);
}

/* A message to @q, and no signal for it (@why: why none may come). */
static int send_in_silence(mqd_t q, const char *why)
{
	siginfo_t si;

	expect_ok(mq_send(q, "s", 1, 0), "mq_send");
	expect(wait_notify(&si, 100) < 0, "a signal came: %s", why);
	return 0;
}

static int t_notify_signal(void)
{
	siginfo_t si;
	pid_t child;
	mqd_t q = fresh(O_RDWR);
	char buf[64];
	int status;

	expect_ok(q, "create");
	expect_ok(notify_signal(q, 42), "mq_notify SIGEV_SIGNAL");
	child = fork();
	if (!child)
		_exit(mq_send(q, "n", 1, 0) ? 1 : 0);
	waitpid(child, &status, 0);
	expect(WIFEXITED(status) && !WEXITSTATUS(status), "the child's mq_send");
	expect(wait_notify(&si, 2000) == NOTIFY_SIG, "the signal came");
	expect(si.si_code == SI_MESGQ, "si_code %d, want SI_MESGQ", si.si_code);
	expect(si.si_pid == child, "si_pid %d, want the sender %d", (int)si.si_pid, (int)child);
	expect(si.si_uid == getuid(), "si_uid %d", (int)si.si_uid);
	expect(si.si_value.sival_int == 42, "si_value %d", si.si_value.sival_int);
	/* One-shot: the registration is gone, another message to an empty queue fires nothing. */
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	if (send_in_silence(q, "the registration had fired"))
		return 1;
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	expect_ok(notify_signal(q, 1), "registering again after it fired");
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL)");
	return 0;
}

static int t_notify_not_empty(void)
{
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	expect_ok(notify_signal(q, 1), "mq_notify on a queue that is not empty");
	return send_in_silence(q, "the queue was not empty");
}

static int notify_fn(void *arg)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };

	return mq_notify(*(mqd_t *)arg, &sev) ? errno : 0;
}

static int t_notify_ebusy(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	mqd_t q = fresh(O_RDWR), q2;

	expect_ok(q, "create");
	expect_ok(notify_signal(q, 1), "mq_notify");
	expect_err(notify_signal(q, 2), EBUSY, "a second registration by the same process");
	q2 = mq_open(qname, O_RDONLY);
	expect_ok(q2, "a second descriptor");
	expect_err(mq_notify(q2, &sev), EBUSY, "a second registration through another descriptor");
	expect(in_child(0, notify_fn, &q) == EBUSY,
	       "a child (inheriting the descriptor, not the registration): EBUSY");
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL) removes it");
	expect(in_child(0, notify_fn, &q) == 0, "now a child may register");
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL) of a registration not ours succeeds");
	return 0;
}

static int t_notify_remove(void)
{
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(notify_signal(q, 1), "mq_notify");
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL)");
	if (send_in_silence(q, "after mq_notify(NULL)"))
		return 1;
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL) with nothing registered");
	return 0;
}

static void *receive_one(void *arg)
{
	char buf[64];

	return (void *)(long)mq_receive(*(mqd_t *)arg, buf, sizeof(buf), NULL);
}

static int t_notify_receiver_waiting(void)
{
	siginfo_t si;
	mqd_t q = fresh(O_RDWR);
	pthread_t t;
	void *got;

	expect_ok(q, "create");
	expect_ok(notify_signal(q, 1), "mq_notify");
	pthread_create(&t, NULL, receive_one, &q);
	sleep_ms(200);	/* the receive is waiting by then */
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	pthread_join(t, &got);
	expect((long)got == 1, "the waiting receive got the message");
	expect(wait_notify(&si, 100) < 0, "no signal: a receiver was waiting");
	expect_err(notify_signal(q, 1), EBUSY, "the registration stays");
	return 0;
}

static int t_notify_close_removes(void)
{
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(notify_signal(q, 1), "mq_notify");
	expect_ok(mq_close(q), "mq_close");
	q = mq_open(qname, O_RDWR);
	expect_ok(q, "open again");
	if (send_in_silence(q, "after mq_close"))
		return 1;
	expect_ok(notify_signal(q, 1), "a new registration (the old one went with mq_close)");
	return 0;
}

static int t_notify_none(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	siginfo_t si;
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_ok(mq_notify(q, &sev), "mq_notify SIGEV_NONE");
	expect_err(mq_notify(q, &sev), EBUSY, "a second one");
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	expect(wait_notify(&si, 100) < 0, "nothing delivered");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	expect_ok(mq_notify(q, &sev), "it fired (silently) and went: registering again");
	return 0;
}

static int t_notify_einval(void)
{
	struct sigevent sev = { .sigev_notify = 12345 };
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	expect_err(mq_notify(q, &sev), EINVAL, "sigev_notify 12345");
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = 1000;
	expect_err(mq_notify(q, &sev), EINVAL, "sigev_signo 1000");
	expect_err(mq_notify(-1, &sev), EINVAL, "a bad sigevent comes before EBADF");
	return 0;
}

static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cond = PTHREAD_COND_INITIALIZER;
static int thread_calls;
static void *thread_value;
static pthread_t thread_main;
static int thread_other;

static void on_notify_thread(union sigval v)
{
	pthread_mutex_lock(&thread_lock);
	thread_calls++;
	thread_value = v.sival_ptr;
	thread_other = !pthread_equal(pthread_self(), thread_main);
	pthread_cond_broadcast(&thread_cond);
	pthread_mutex_unlock(&thread_lock);
}

static int thread_wait(int calls, long ms)
{
	struct timespec dl = in_ms(ms);
	int got;

	pthread_mutex_lock(&thread_lock);
	while (thread_calls < calls &&
	       pthread_cond_timedwait(&thread_cond, &thread_lock, &dl) == 0)
		;
	got = thread_calls;
	pthread_mutex_unlock(&thread_lock);
	return got;
}

static int t_notify_thread(void)
{
	static int cookie;
	pthread_attr_t attr;
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD,
		.sigev_notify_function = on_notify_thread,
		.sigev_value.sival_ptr = &cookie,
		.sigev_notify_attributes = &attr,
	};
	char buf[64];
	mqd_t q = fresh(O_RDWR);

	expect_ok(q, "create");
	thread_main = pthread_self();
	thread_calls = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	expect_ok(mq_notify(q, &sev), "mq_notify SIGEV_THREAD");
	pthread_attr_destroy(&attr);	/* the implementation keeps what it needs */
	expect_err(mq_notify(q, &sev), EBUSY, "a second one");
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	expect(thread_wait(1, 2000) == 1, "the function ran");
	expect(thread_value == &cookie && thread_other,
	       "with sigev_value, in a thread of its own");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	expect_ok(mq_send(q, "2", 1, 0), "mq_send again");
	expect(thread_wait(2, 200) == 1, "one-shot: not run again");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	sev.sigev_notify_attributes = NULL;
	expect_ok(mq_notify(q, &sev), "registering again, default attributes");
	expect_ok(mq_send(q, "3", 1, 0), "mq_send");
	expect(thread_wait(2, 2000) == 2, "it ran once more");
	return 0;
}

static int t_notify_thread_removed(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD,
		.sigev_notify_function = on_notify_thread,
	};
	mqd_t q = fresh(O_RDWR);
	char buf[64];

	expect_ok(q, "create");
	thread_calls = 0;
	expect_ok(mq_notify(q, &sev), "mq_notify SIGEV_THREAD");
	expect_ok(mq_notify(q, NULL), "mq_notify(NULL)");
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	expect(thread_wait(1, 200) == 0, "not run after mq_notify(NULL)");
	expect(mq_receive(q, buf, sizeof(buf), NULL) == 1, "mq_receive");
	expect_ok(mq_notify(q, &sev), "mq_notify SIGEV_THREAD");
	expect_ok(mq_close(q), "mq_close");
	q = mq_open(qname, O_RDWR);
	expect_ok(q, "open again");
	expect_ok(mq_send(q, "1", 1, 0), "mq_send");
	expect(thread_wait(1, 200) == 0, "not run after mq_close");
	return 0;
}

/* ---- kipc-only: what differs from Linux by design --------------------------------------- */

static int t_kipc_name_limit(void)
{
	char name[NAME_MAX + 2];
	size_t plain = 60;	/* 63 bytes of kipc name, less the "mq:" prefix */

	memset(name, 'k', sizeof(name));
	name[0] = '/';
	name[plain + 1] = '\0';
	mq_unlink(name);
	expect_ok(mq_open(name, O_RDWR | O_CREAT, 0600, NULL), "60 plain bytes fit");
	mq_unlink(name);
	name[plain + 1] = 'k';
	name[plain + 2] = '\0';
	expect_err(mq_open(name, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG, "61 plain bytes");
	/* Every other byte takes three: 20 of them fill it. */
	memset(name + 1, '#', 20);
	name[21] = '\0';
	expect_ok(mq_open(name, O_RDWR | O_CREAT, 0600, NULL), "20 escaped bytes fit");
	mq_unlink(name);
	name[21] = '#';
	name[22] = '\0';
	expect_err(mq_open(name, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG, "21 escaped bytes");
	return 0;
}

static int t_kipc_names_distinct(void)
{
	/* The escapes cannot be read two ways: these are three queues. */
	static const char *const names[] = { "/a:b", "/a@3Ab", "/a@b" };
	struct mq_attr a;
	unsigned int i;
	mqd_t q[3];

	for (i = 0; i < 3; i++) {
		mq_unlink(names[i]);
		q[i] = open_attr(names[i], O_RDWR | O_EXCL, i + 1, 64);
		expect_ok(q[i], names[i]);
	}
	for (i = 0; i < 3; i++) {
		expect_ok(mq_getattr(q[i], &a), "mq_getattr");
		expect(a.mq_maxmsg == (long)i + 1, "%s is its own queue", names[i]);
		mq_close(q[i]);
		mq_unlink(names[i]);
	}
	return 0;
}

static const struct mq_case {
	const char *name;
	int (*run)(void);
	int kipc_only;
} cases[] = {
#define CASE(name, fn)		{ name, fn, 0 }
#define KIPC_ONLY(name, fn)	{ name, fn, 1 }
	CASE("mq_open O_CREAT|O_EXCL creates with attr", t_open_create),
	CASE("mq_open O_CREAT of an existing queue ignores attr", t_open_existing_ignores_attr),
	CASE("mq_open O_CREAT|O_EXCL of an existing queue: EEXIST", t_open_excl),
	CASE("mq_open of no queue without O_CREAT: ENOENT", t_open_enoent),
	CASE("names: EINVAL, ENOENT, EACCES, ENAMETOOLONG", t_names),
	CASE("mq_open with two arguments (__mq_open_2 under _FORTIFY_SOURCE)", t_open_two_args),
	CASE("mq_open O_RDWR|O_WRONLY: EINVAL", t_open_accmode),
	CASE("mq_open attr NULL: msg_default and msgsize_default", t_open_default_attr),
	CASE("mq_open bad attr: EINVAL, and nothing created", t_open_bad_attr),
	CASE("/proc/sys/fs/mqueue knobs honoured at each mq_open", t_sysctl),
	CASE("RLIMIT_MSGQUEUE exceeded: EMFILE", t_rlimit_msgqueue),
	CASE("RLIMIT_NOFILE reached: EMFILE", t_emfile),
	CASE("permission: EACCES", t_eacces),
	CASE("the umask applies to mode", t_umask),
	CASE("mq_close, and EBADF", t_close),
	CASE("mq_unlink: ENOENT after, open descriptors work on", t_unlink),
	CASE("the mqd_t is close-on-exec", t_cloexec),
	CASE("exec closes the mqd_t", t_exec_closes),
	CASE("fork inherits the mqd_t", t_fork_inherits),
	CASE("O_NONBLOCK set by mq_setattr is shared across fork", t_fork_nonblock_shared),
	CASE("poll on the mqd_t", t_poll),
	CASE("select on the mqd_t", t_select),
	CASE("epoll on the mqd_t", t_epoll),
	CASE("mq_send and mq_receive", t_send_receive),
	CASE("priorities: highest first, FIFO within one", t_priorities),
	CASE("mq_send: EMSGSIZE, EINVAL, EBADF", t_send_errors),
	CASE("mq_receive: EMSGSIZE up front, EBADF", t_receive_errors),
	CASE("calls on a descriptor that is not a queue: EBADF", t_not_a_queue),
	CASE("O_NONBLOCK: EAGAIN", t_nonblock),
	CASE("mq_timedreceive: ETIMEDOUT", t_timedreceive_timeout),
	CASE("mq_timedsend: ETIMEDOUT", t_timedsend_timeout),
	CASE("timed calls with a past deadline", t_timed_past),
	CASE("timed calls: EINVAL for a bad tv_nsec, up front", t_timed_einval),
	CASE("mq_timedreceive on O_NONBLOCK: EAGAIN at once", t_timed_nonblock),
	CASE("a blocked mq_receive wakes for a send", t_blocking_wakes),
	CASE("EINTR without SA_RESTART, restart with it", t_eintr),
	CASE("mq_getattr", t_getattr),
	CASE("mq_setattr: O_NONBLOCK only, EINVAL", t_setattr),
	CASE("mq_notify SIGEV_SIGNAL: SI_MESGQ, si_pid, si_uid, si_value, one-shot", t_notify_signal),
	CASE("mq_notify: nothing for a queue that was not empty", t_notify_not_empty),
	CASE("mq_notify: EBUSY for a second registration", t_notify_ebusy),
	CASE("mq_notify(NULL) removes the registration", t_notify_remove),
	CASE("mq_notify: nothing when a receiver is waiting", t_notify_receiver_waiting),
	CASE("mq_notify: mq_close removes the registration", t_notify_close_removes),
	CASE("mq_notify SIGEV_NONE", t_notify_none),
	CASE("mq_notify: EINVAL", t_notify_einval),
	CASE("mq_notify SIGEV_THREAD", t_notify_thread),
	CASE("mq_notify SIGEV_THREAD removed by mq_notify(NULL) and mq_close", t_notify_thread_removed),
	KIPC_ONLY("kipc-only: names longer than kipc's 63 bytes: ENAMETOOLONG", t_kipc_name_limit),
	KIPC_ONLY("kipc-only: the name mapping is injective", t_kipc_names_distinct),
};

int main(int argc, char **argv)
{
	const char *kipc = getenv("KIPC_PRELOADED");
	int with_kipc = kipc && *kipc;
	unsigned int i, n = 0, failed = 0;
	sigset_t set;

	/* exec_fn's probe: is descriptor argv[2] closed? */
	if (argc == 3 && !strcmp(argv[1], "--fd-closed"))
		return fcntl(atoi(argv[2]), F_GETFD) == -1 && errno == EBADF ? 0 : 1;
	self_path = argv[0];

	/* The notification signal is taken with sigtimedwait(), so every thread blocks it. */
	sigemptyset(&set);
	sigaddset(&set, NOTIFY_SIG);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		n += !cases[i].kipc_only || with_kipc;
	printf("TAP version 13\n1..%u\n", n);
	for (i = 0, n = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		if (cases[i].kipc_only && !with_kipc)
			continue;
		snprintf(qname, sizeof(qname), "/mqct-%d-%u", (int)getpid(), i);
		reason[0] = '\0';
		ret = cases[i].run();
		mq_unlink(qname);
		n++;
		if (ret == SKIP) {
			printf("ok %u %s # SKIP %s\n", n, cases[i].name, reason);
		} else if (ret) {
			printf("not ok %u %s\n# %s\n", n, cases[i].name, reason);
			failed++;
		} else {
			printf("ok %u %s\n", n, cases[i].name);
		}
	}
	printf("# %u failed\n", failed);
	return failed ? 1 : 0;
}
