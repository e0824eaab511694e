// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * mq_notify(): SIGEV_SIGNAL and SIGEV_NONE are the module's (KIPC_IOC_MQ_NOTIFY); SIGEV_THREAD
 * is a registration of KIPC_MQ_NOTIFY_EVENTFD and a helper thread of the shim's that reads
 * the eventfd and, when it fires, starts sigev_notify_function(sigev_value) in a new detached
 * thread with (a copy of) sigev_notify_attributes and the registering thread's signal mask.
 *
 * Locking: mq_regs_lock protects the list mq_regs and each registration's place on it.  A
 * helper owns its registration and frees it when it ends.  It wakes when the eventfd counts:
 * the module's notification, or mq__notify_forget()'s own write, made under the lock once it
 * has taken the registration off the list (before the helper can see that and free it).  The
 * helper then looks, under the lock, whether it is still listed: if so it fired, takes itself
 * off and starts the notification's thread; if not it was forgotten, and ends.  No helper is
 * ever cancelled: pthread_cancel() would unwind through libgcc_s, which a minimal system may
 * lack, and is not needed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim.h"

struct mq_thread_reg {
	struct mq_thread_reg *next;	/* mq_regs, under mq_regs_lock */
	int listed;			/* on mq_regs, under mq_regs_lock */
	mqd_t mqdes;
	int efd;
	pthread_t helper;
	pthread_attr_t attr;		/* for the notification's thread */
	void (*function)(union sigval);
	union sigval value;
	sigset_t mask;			/* the registering thread's */
};

/* What the notification's thread needs: the registration is gone when it starts. */
struct mq_thread_call {
	void (*function)(union sigval);
	union sigval value;
	sigset_t mask;
};

static pthread_mutex_t mq_regs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mq_thread_reg *mq_regs;
static pthread_once_t mq_atfork_once = PTHREAD_ONCE_INIT;

static void mq_unlist_locked(struct mq_thread_reg *reg)
{
	struct mq_thread_reg **p;

	for (p = &mq_regs; *p; p = &(*p)->next)
		if (*p == reg) {
			*p = reg->next;
			break;
		}
	reg->listed = 0;
}

static void mq_reg_free(struct mq_thread_reg *reg)
{
	close(reg->efd);
	pthread_attr_destroy(&reg->attr);
	free(reg);
}

static void mq_atfork_prepare(void)
{
	pthread_mutex_lock(&mq_regs_lock);
}

static void mq_atfork_parent(void)
{
	pthread_mutex_unlock(&mq_regs_lock);
}

/* The child has none of the helpers, and none of the registrations (they are the parent's). */
static void mq_atfork_child(void)
{
	struct mq_thread_reg *reg, *next;

	for (reg = mq_regs; reg; reg = next) {
		next = reg->next;
		mq_reg_free(reg);
	}
	mq_regs = NULL;
	pthread_mutex_init(&mq_regs_lock, NULL);
}

static void mq_atfork_register(void)
{
	pthread_atfork(mq_atfork_prepare, mq_atfork_parent, mq_atfork_child);
}

static void *mq_notify_run(void *arg)
{
	struct mq_thread_call call = *(struct mq_thread_call *)arg;

	free(arg);
	pthread_sigmask(SIG_SETMASK, &call.mask, NULL);
	call.function(call.value);
	return NULL;
}

static void *mq_notify_helper(void *arg)
{
	struct mq_thread_reg *reg = arg;
	struct mq_thread_call *call;
	uint64_t count;
	pthread_t thread;
	ssize_t n;
	int fired;

	do	/* every signal is blocked here, but a stop can end a read with EINTR */
		n = read(reg->efd, &count, sizeof(count));
	while (n < 0 && errno == EINTR);
	pthread_mutex_lock(&mq_regs_lock);
	/* A read that failed (the program closed our eventfd) ends the helper unfired. */
	fired = reg->listed && n == sizeof(count);
	if (reg->listed)
		mq_unlist_locked(reg);
	pthread_mutex_unlock(&mq_regs_lock);
	call = fired ? malloc(sizeof(*call)) : NULL;
	if (call) {
		call->function = reg->function;
		call->value = reg->value;
		call->mask = reg->mask;
		if (pthread_create(&thread, &reg->attr, mq_notify_run, call))
			free(call);
	}
	mq_reg_free(reg);
	return NULL;
}

/*
 * The caller's attributes as a copy of the shim's own, detached: the caller may destroy its
 * object once mq_notify() returns.  A stack the caller placed itself is not copied (one
 * stack cannot serve every notification): the thread gets one of the size asked for.
 */
static int mq_attr_copy(pthread_attr_t *dst, const pthread_attr_t *src)
{
	struct sched_param param;
	size_t size;
	int v, ret;

	ret = pthread_attr_init(dst);
	if (ret || !src)
		goto out;
	if (!pthread_attr_getstacksize(src, &size))
		pthread_attr_setstacksize(dst, size);
	if (!pthread_attr_getguardsize(src, &size))
		pthread_attr_setguardsize(dst, size);
	if (!pthread_attr_getscope(src, &v))
		pthread_attr_setscope(dst, v);
	if (!pthread_attr_getinheritsched(src, &v) && v == PTHREAD_EXPLICIT_SCHED &&
	    !pthread_attr_getschedpolicy(src, &v) && !pthread_attr_getschedparam(src, &param)) {
		pthread_attr_setinheritsched(dst, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(dst, v);
		pthread_attr_setschedparam(dst, &param);
	}
out:
	return ret ? ret : pthread_attr_setdetachstate(dst, PTHREAD_CREATE_DETACHED);
}

static int mq_notify_ioctl(mqd_t mqdes, struct kipc_mq_notify *n)
{
	n->size = sizeof(*n);
	return ioctl(mqdes, KIPC_IOC_MQ_NOTIFY, n) < 0 ? mq__errno(-errno) : 0;
}

static int mq_notify_thread(mqd_t mqdes, const struct sigevent *sev)
{
	struct kipc_mq_notify n = { .method = KIPC_MQ_NOTIFY_EVENTFD };
	struct kipc_mq_notify rm = { .flags = KIPC_MQ_NOTIFY_REMOVE };
	struct mq_thread_reg *reg;
	sigset_t all, old;
	pthread_attr_t helper_attr;
	int ret;

	pthread_once(&mq_atfork_once, mq_atfork_register);
	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->mqdes = mqdes;
	reg->function = sev->sigev_notify_function;
	reg->value = sev->sigev_value;
	pthread_sigmask(SIG_BLOCK, NULL, &reg->mask);
	ret = -mq_attr_copy(&reg->attr, sev->sigev_notify_attributes);
	if (ret)
		goto out_free;
	reg->efd = eventfd(0, EFD_CLOEXEC);
	if (reg->efd < 0) {
		ret = -errno;
		goto out_attr;
	}

	pthread_mutex_lock(&mq_regs_lock);
	n.eventfd = reg->efd;
	ret = mq_notify_ioctl(mqdes, &n);
	if (ret)
		goto out_unlock;
	/* The helper takes no signal of the program's; the notification's thread restores them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_attr_init(&helper_attr);
	if (!ret) {
		pthread_attr_setdetachstate(&helper_attr, PTHREAD_CREATE_DETACHED);
		ret = -pthread_create(&reg->helper, &helper_attr, mq_notify_helper, reg);
		pthread_attr_destroy(&helper_attr);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		mq_notify_ioctl(mqdes, &rm);
		goto out_unlock;
	}
	reg->listed = 1;
	reg->next = mq_regs;
	mq_regs = reg;
	pthread_mutex_unlock(&mq_regs_lock);
	return 0;

out_unlock:
	pthread_mutex_unlock(&mq_regs_lock);
	close(reg->efd);
out_attr:
	pthread_attr_destroy(&reg->attr);
out_free:
	free(reg);
	return ret;
}

void mq__notify_forget(mqd_t mqdes)
{
	static const uint64_t wake = 1;
	struct mq_thread_reg *reg, *next;
	ssize_t ret;

	pthread_mutex_lock(&mq_regs_lock);
	for (reg = mq_regs; reg; reg = next) {
		next = reg->next;
		if (reg->mqdes != mqdes)
			continue;
		mq_unlist_locked(reg);
		ret = write(reg->efd, &wake, sizeof(wake));	/* cannot fail: far from the max */
		(void)ret;
	}
	pthread_mutex_unlock(&mq_regs_lock);
}

MQ_EXPORT int mq_notify(mqd_t mqdes, const struct sigevent *sevp)
{
	struct kipc_mq_notify n = { 0 };
	int ret;

	if (!sevp) {
		n.flags = KIPC_MQ_NOTIFY_REMOVE;
		ret = mq_notify_ioctl(mqdes, &n);
		if (ret)
			return mq__fail(ret);
		if (n.removed)
			mq__notify_forget(mqdes);
		return 0;
	}

	switch (sevp->sigev_notify) {
	case SIGEV_NONE:
		n.method = KIPC_MQ_NOTIFY_NONE;
		break;
	case SIGEV_SIGNAL:
		/* Linux takes 0 to _NSIG; 0 registers and sends nothing, as SIGEV_NONE. */
		if (sevp->sigev_signo < 0 || sevp->sigev_signo > _NSIG)
			return mq__fail(-EINVAL);
		if (!sevp->sigev_signo)
			break;
		n.method = KIPC_MQ_NOTIFY_SIGNAL;
		n.signo = sevp->sigev_signo;
		memcpy(&n.value, &sevp->sigev_value,
		       sizeof(n.value) < sizeof(sevp->sigev_value) ?
		       sizeof(n.value) : sizeof(sevp->sigev_value));
		break;
	case SIGEV_THREAD:
		ret = mq_notify_thread(mqdes, sevp);
		return ret ? mq__fail(ret) : 0;
	default:
		return mq__fail(-EINVAL);
	}
	ret = mq_notify_ioctl(mqdes, &n);
	return ret ? mq__fail(ret) : 0;
}
