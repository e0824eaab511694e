// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * A pool of shared-page segments handed over by id: "map instead of copy".
 *
 * A pool named P is nseg shared-page channels "P.0" .. "P.<nseg-1>" of seg_size bytes each,
 * mapped by both sides once, and two message queues of nseg slots: "P.free" holds the ids of
 * segments nobody uses, "P.ready" the ids (and lengths) of filled ones.  A sender takes an id
 * from P.free, writes the segment in place and sends the id on P.ready; the receiver reads the
 * segment in place and sends the id back on P.free.  Only 8 bytes cross the kernel per buffer,
 * whatever its size, and the queues' blocking gives flow control for free.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct kipc_pool {
	unsigned int nseg;
	size_t seg_size;
	int free_fd;		/* P.free, read and write */
	int ready_fd;		/* P.ready, read and write */
	int *seg_fds;
	void **segs;
	char name[KIPC_NAME_MAX];
};

/* What travels on P.free and P.ready. */
struct kipc_pool_token {
	__u32 id;
	__u32 len;
};

#define KIPC_POOL_MAX_SEGS	4096

static int kipc_pool_name(char out[KIPC_NAME_MAX], const char *pool, const char *suffix)
{
	int n = snprintf(out, KIPC_NAME_MAX, "%s.%s", pool, suffix);

	return n < 0 || n >= KIPC_NAME_MAX ? -ENAMETOOLONG : 0;
}

static void kipc_pool_free(struct kipc_pool *p)
{
	unsigned int i;

	for (i = 0; i < p->nseg; i++) {
		if (p->segs && p->segs[i])
			munmap(p->segs[i], p->seg_size);
		if (p->seg_fds && p->seg_fds[i] >= 0)
			close(p->seg_fds[i]);
	}
	if (p->free_fd >= 0)
		close(p->free_fd);
	if (p->ready_fd >= 0)
		close(p->ready_fd);
	free(p->seg_fds);
	free(p->segs);
	free(p);
}

static struct kipc_pool *kipc_pool_alloc(const char *name, unsigned int nseg)
{
	struct kipc_pool *p = calloc(1, sizeof(*p));
	unsigned int i;

	if (!p)
		return NULL;
	p->free_fd = -1;
	p->ready_fd = -1;
	p->seg_fds = malloc(nseg * sizeof(*p->seg_fds));
	p->segs = calloc(nseg, sizeof(*p->segs));
	if (!p->seg_fds || !p->segs) {
		kipc_pool_free(p);
		return NULL;
	}
	for (i = 0; i < nseg; i++)
		p->seg_fds[i] = -1;
	p->nseg = nseg;
	strcpy(p->name, name);
	return p;
}

/* Queue P.@suffix: made with the pool's @mode (as its segments are), or attached to. */
static int kipc_pool_open_queue(struct kipc_pool *p, const char *suffix, bool create,
				unsigned int mode)
{
	char qname[KIPC_NAME_MAX];
	int ret = kipc_pool_name(qname, p->name, suffix);

	if (ret)
		return ret;
	if (create)
		return kipc_mq_open(qname, KIPC_MQ_ATTR(.create_flags = KIPC_CREATE_EXCL, .mode = mode, .access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, .max_msgs = p->nseg, .max_msg_size = sizeof(struct kipc_pool_token)));
	return kipc_mq_attach(qname, KIPC_ACCESS_READ | KIPC_ACCESS_WRITE);
}

static int kipc_pool_open_segments(struct kipc_pool *p, bool create, unsigned int mode)
{
	char sname[KIPC_NAME_MAX], idx[16];
	unsigned int i;
	size_t size;
	int ret = 0;

	for (i = 0; i < p->nseg; i++) {
		snprintf(idx, sizeof(idx), "%u", i);
		ret = kipc_pool_name(sname, p->name, idx);
		if (ret)
			return ret;
		p->seg_fds[i] = kipc_shm_open(sname, create ? KIPC_CREATE_EXCL : 0, mode,
					      KIPC_ACCESS_READ | KIPC_ACCESS_WRITE,
					      create ? p->seg_size : 0);
		if (p->seg_fds[i] < 0)
			return p->seg_fds[i];
		p->segs[i] = kipc_shm_map(p->seg_fds[i], PROT_READ | PROT_WRITE, &size, &ret);
		if (!p->segs[i])
			return ret;
		if (!create)
			p->seg_size = size;
		else if (size != p->seg_size)
			return -EPROTO;
	}
	return 0;
}

static void kipc_pool_destroy_names(struct kipc_pool *p)
{
	char cname[KIPC_NAME_MAX], idx[16];
	unsigned int i;
	int fd = kipc_open(0);

	if (fd < 0)
		return;
	for (i = 0; i < p->nseg; i++) {
		snprintf(idx, sizeof(idx), "%u", i);
		if (!kipc_pool_name(cname, p->name, idx))
			kipc_destroy(fd, cname, 0);
	}
	if (!kipc_pool_name(cname, p->name, "free"))
		kipc_destroy(fd, cname, 0);
	if (!kipc_pool_name(cname, p->name, "ready"))
		kipc_destroy(fd, cname, 0);
	close(fd);
}

int kipc_pool_create(const char *name, unsigned int nseg, size_t seg_size, unsigned int mode,
		     struct kipc_pool **out)
{
	struct kipc_pool_token t = { 0 };
	struct kipc_pool *p;
	int ret;

	if (!name || !out || !nseg || nseg > KIPC_POOL_MAX_SEGS || !seg_size)
		return -EINVAL;
	if (strlen(name) >= KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	p = kipc_pool_alloc(name, nseg);
	if (!p)
		return -ENOMEM;
	/* The kernel rounds segments up to pages: make that visible here too. */
	p->seg_size = (seg_size + (size_t)getpagesize() - 1) & ~((size_t)getpagesize() - 1);

	p->free_fd = kipc_pool_open_queue(p, "free", true, mode);
	if (p->free_fd < 0) {
		ret = p->free_fd;
		goto out_free;
	}
	p->ready_fd = kipc_pool_open_queue(p, "ready", true, mode);
	if (p->ready_fd < 0) {
		ret = p->ready_fd;
		goto out_destroy;
	}
	ret = kipc_pool_open_segments(p, true, mode);
	if (ret)
		goto out_destroy;
	for (t.id = 0; t.id < nseg; t.id++) {
		ret = kipc_send(p->free_fd, &t, sizeof(t), 0, 0, 0);
		if (ret)
			goto out_destroy;
	}
	*out = p;
	return 0;

out_destroy:
	kipc_pool_destroy_names(p);
out_free:
	kipc_pool_free(p);
	return ret;
}

int kipc_pool_attach(const char *name, struct kipc_pool **out)
{
	char qname[KIPC_NAME_MAX];
	struct kipc_stat st;
	struct kipc_pool *p;
	int fd, ret;

	if (!name || !out)
		return -EINVAL;
	ret = kipc_pool_name(qname, name, "free");
	if (ret)
		return ret;
	fd = kipc_open(0);
	if (fd < 0)
		return fd;
	ret = kipc_stat_name(fd, qname, &st);
	close(fd);
	if (ret)
		return ret;
	if (st.type != KIPC_TYPE_MQ || !st.max_msgs || st.max_msgs > KIPC_POOL_MAX_SEGS)
		return -EPROTO;

	p = kipc_pool_alloc(name, st.max_msgs);
	if (!p)
		return -ENOMEM;
	p->free_fd = kipc_pool_open_queue(p, "free", false, 0);
	if (p->free_fd < 0) {
		ret = p->free_fd;
		goto out_free;
	}
	p->ready_fd = kipc_pool_open_queue(p, "ready", false, 0);
	if (p->ready_fd < 0) {
		ret = p->ready_fd;
		goto out_free;
	}
	ret = kipc_pool_open_segments(p, false, 0);
	if (ret)
		goto out_free;
	*out = p;
	return 0;

out_free:
	kipc_pool_free(p);
	return ret;
}

static int kipc_pool_take(int fd, struct kipc_pool_token *t, unsigned int nseg,
			  unsigned int flags, __s64 timeout_ns)
{
	long n = kipc_recv(fd, t, sizeof(*t), NULL, flags, timeout_ns);

	if (n < 0)
		return (int)n;
	if (n != sizeof(*t) || t->id >= nseg)
		return -EPROTO;
	return 0;
}

void *kipc_pool_get(struct kipc_pool *p, unsigned int *id, unsigned int flags,
		    __s64 timeout_ns, int *err)
{
	struct kipc_pool_token t;
	int ret = kipc_pool_take(p->free_fd, &t, p->nseg, flags, timeout_ns);

	if (ret) {
		if (err)
			*err = ret;
		return NULL;
	}
	*id = t.id;
	return p->segs[t.id];
}

int kipc_pool_submit(struct kipc_pool *p, unsigned int id, size_t len)
{
	struct kipc_pool_token t = { .id = id, .len = (__u32)len };

	if (id >= p->nseg || len > p->seg_size)
		return -EINVAL;
	/* P.ready has a slot for every segment: this never blocks. */
	return kipc_send(p->ready_fd, &t, sizeof(t), 0, 0, 0);
}

void *kipc_pool_receive(struct kipc_pool *p, unsigned int *id, size_t *len, unsigned int flags,
			__s64 timeout_ns, int *err)
{
	struct kipc_pool_token t;
	int ret = kipc_pool_take(p->ready_fd, &t, p->nseg, flags, timeout_ns);

	if (!ret && t.len > p->seg_size)
		ret = -EPROTO;
	if (ret) {
		if (err)
			*err = ret;
		return NULL;
	}
	*id = t.id;
	*len = t.len;
	return p->segs[t.id];
}

int kipc_pool_release(struct kipc_pool *p, unsigned int id)
{
	struct kipc_pool_token t = { .id = id };

	if (id >= p->nseg)
		return -EINVAL;
	return kipc_send(p->free_fd, &t, sizeof(t), 0, 0, 0);
}

size_t kipc_pool_segment_size(const struct kipc_pool *p)
{
	return p->seg_size;
}

unsigned int kipc_pool_segments(const struct kipc_pool *p)
{
	return p->nseg;
}

void kipc_pool_close(struct kipc_pool *p, int destroy)
{
	if (!p)
		return;
	if (destroy)
		kipc_pool_destroy_names(p);
	kipc_pool_free(p);
}
