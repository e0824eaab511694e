/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bad-input table's data: the valid argument of every ioctl, the state a case needs, the
 * change a case makes to a valid argument, and the generators that turn the uapi's structs
 * into cases (each CASE() one call, one thing wrong, one expected errno).  The engine that
 * opens the channels, runs a case, checks that a refused call changed nothing and reports it
 * is kipc_badinput_test.c, which includes this file once, after its own definitions.
 */
#ifndef KIPC_BADINPUT_TABLE_H
#define KIPC_BADINPUT_TABLE_H

/* ---- the valid arguments ------------------------------------------------------------------- */

static void fill_info(struct ctx *c, void *arg)
{
}

static void fill_create(struct ctx *c, void *arg)
{
	struct kipc_create *a = arg;

	a->flags = KIPC_CREATE_EXCL;
	a->type = KIPC_TYPE_MQ;
	a->mode = 0600;
	a->access = RW;
	copy_name(a->name, c->fresh);
}

static void fill_attach(struct ctx *c, void *arg)
{
	struct kipc_attach *a = arg;

	a->access = KIPC_ACCESS_READ;
	copy_name(a->name, c->mq);
}

static void fill_destroy(struct ctx *c, void *arg)
{
	copy_name(((struct kipc_destroy *)arg)->name, c->victim);
}

static void fill_stat(struct ctx *c, void *arg)
{
	copy_name(((struct kipc_stat *)arg)->name, c->mq);
}

static void fill_list(struct ctx *c, void *arg)
{
	struct kipc_list *a = arg;

	a->entries = uptr(entries);
	a->count = 8;
	a->entry_size = sizeof(struct kipc_list_entry);
}

static void fill_send(struct ctx *c, void *arg)
{
	struct kipc_msg *a = arg;

	a->flags = KIPC_MSG_NONBLOCK;
	a->buf = uptr(send_byte);
	a->len = 1;
}

static void fill_recv(struct ctx *c, void *arg)
{
	struct kipc_msg *a = arg;

	a->flags = KIPC_MSG_NONBLOCK;
	a->buf = uptr(rbuf);
	a->len = Q_MSG_SIZE;
}

static void fill_batch(struct kipc_batch *a, bool recv)
{
	memset(vec, 0, sizeof(vec));
	vec[0].buf = recv ? uptr(rbuf) : uptr(send_byte);
	vec[0].len = recv ? Q_MSG_SIZE : 1;
	a->flags = KIPC_MSG_NONBLOCK;
	a->vec = uptr(vec);
	a->count = 1;
	a->vec_size = sizeof(struct kipc_msg_vec);
}

static void fill_send_batch(struct ctx *c, void *arg)
{
	fill_batch(arg, false);
}

static void fill_recv_batch(struct ctx *c, void *arg)
{
	fill_batch(arg, true);
}

/* The request goes to the queue the reply is taken from: the reply is FIRST_MSG. */
static void fill_call(struct ctx *c, void *arg)
{
	struct kipc_call *a = arg;

	a->flags = KIPC_MSG_NONBLOCK;
	a->req_buf = uptr(send_byte);
	a->req_len = 1;
	a->reply_fd = c->fd[FD_MQ];
	a->reply_buf = uptr(rbuf);
	a->reply_len = Q_MSG_SIZE;
}

static void fill_notify(struct ctx *c, void *arg)
{
}

/* KIPC_MQ_NOTIFY_NONE: a registration that delivers nothing. */
static void fill_mq_notify(struct ctx *c, void *arg)
{
}

/* A sequence the doorbell is not at: the wait returns at once. */
static void fill_wait(struct ctx *c, void *arg)
{
	struct kipc_wait *a = arg;

	a->flags = KIPC_MSG_NONBLOCK;
	a->seq = 12345;
}

#define IOC(_cmd, _struct, _ver0, _flags, _fd, _writes, _fill)			\
	{ .name = #_cmd, .cmd = _cmd, .size = sizeof(_struct),			\
	  .min = _ver0, .flags = _flags, .fd = _fd,					\
	  .writes = _writes, .fill = _fill }
/* A call that may wait: its flags are the KIPC_MSG_* wait flags. */
#define IOCW(_cmd, _struct, _ver0, _fd, _writes, _fill)				\
	{ .name = #_cmd, .cmd = _cmd, .size = sizeof(_struct),			\
	  .min = _ver0, .flags = MSG_FLAGS, .fd = _fd, .waits = true,		\
	  .writes = _writes, .fill = _fill }

static const struct ioc iocs[] = {
	IOC(KIPC_IOC_INFO, struct kipc_info, KIPC_INFO_SIZE_VER0, 0, FD_NONE, true, fill_info),
	IOC(KIPC_IOC_CREATE, struct kipc_create, KIPC_CREATE_SIZE_VER0,
	    KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY | KIPC_CREATE_RLIMIT, FD_NONE, true,
	    fill_create),
	IOC(KIPC_IOC_ATTACH, struct kipc_attach, KIPC_ATTACH_SIZE_VER0, 0, FD_NONE, true,
	    fill_attach),
	IOC(KIPC_IOC_DESTROY, struct kipc_destroy, KIPC_DESTROY_SIZE_VER0, KIPC_DESTROY_NOW, FD_NONE,
	    false, fill_destroy),
	IOC(KIPC_IOC_STAT, struct kipc_stat, KIPC_STAT_SIZE_VER0, KIPC_STAT_SELF, FD_NONE, true, fill_stat),
	IOC(KIPC_IOC_LIST, struct kipc_list, KIPC_LIST_SIZE_VER0, 0, FD_NONE, true, fill_list),
	IOCW(KIPC_IOC_SEND, struct kipc_msg, KIPC_MSG_SIZE_VER0, FD_MQ, false, fill_send),
	IOCW(KIPC_IOC_RECV, struct kipc_msg, KIPC_MSG_SIZE_VER0, FD_MQ, true, fill_recv),
	IOCW(KIPC_IOC_SEND_BATCH, struct kipc_batch, KIPC_BATCH_SIZE_VER0, FD_MQ, true,
	    fill_send_batch),
	IOCW(KIPC_IOC_RECV_BATCH, struct kipc_batch, KIPC_BATCH_SIZE_VER0, FD_MQ, true,
	    fill_recv_batch),
	IOCW(KIPC_IOC_CALL, struct kipc_call, KIPC_CALL_SIZE_VER0, FD_MQ, true, fill_call),
	IOC(KIPC_IOC_NOTIFY, struct kipc_notify, KIPC_NOTIFY_SIZE_VER0, 0, FD_SHM, true, fill_notify),
	IOCW(KIPC_IOC_WAIT, struct kipc_wait, KIPC_WAIT_SIZE_VER0, FD_SHM, true, fill_wait),
	IOC(KIPC_IOC_MQ_NOTIFY, struct kipc_mq_notify, KIPC_MQ_NOTIFY_SIZE_VER0,
	    KIPC_MQ_NOTIFY_REMOVE, FD_MQ, true, fill_mq_notify),
};

enum { I_INFO, I_CREATE, I_ATTACH, I_DESTROY, I_STAT, I_LIST, I_SEND, I_RECV, I_SEND_BATCH,
	I_RECV_BATCH, I_CALL, I_NOTIFY, I_WAIT, I_MQ_NOTIFY };

/* Every struct rule, for every ioctl. */
static void gen_struct_rules(void)
{
	unsigned int i, bit;

	for (i = 0; i < ARRAY_SIZE(iocs); i++) {
		const struct ioc *io = &iocs[i];
		int ro = io->writes ? EFAULT : 0;

		CASE("a valid argument", .ioc = io);
		CASE("size 0", .ioc = io, SIZE(0), .expect = EINVAL);
		add(&(struct bcase){ .ioc = io, SIZE(4), .expect = EINVAL },
		    "size 4 (the size field alone)");
		add(&(struct bcase){ .ioc = io, SIZE(8), .expect = EINVAL },
		    "size 8 (size and flags alone)");
		add(&(struct bcase){ .ioc = io, SIZE(io->min - 1), .expect = EINVAL },
		    "size %u (one byte short of the last required field)", io->min - 1);
		if (io->min < io->size)
			add(&(struct bcase){ .ioc = io, SIZE(io->min) },
			    "size %u (the required fields only)", io->min);
		add(&(struct bcase){ .ioc = io, SIZE(io->size + 1) },
		    "size sizeof + 1, the extra byte 0");
		add(&(struct bcase){ .ioc = io, SIZE(io->size + 1), .tail = true,
				     .expect = E2BIG },
		    "size sizeof + 1, the extra byte non-zero");
		add(&(struct bcase){ .ioc = io, SIZE(io->size + 64), .tail = true,
				     .expect = E2BIG },
		    "size sizeof + 64, the last byte non-zero");
		add(&(struct bcase){ .ioc = io, SIZE(4096) },
		    "size 4096, zeros past sizeof");
		add(&(struct bcase){ .ioc = io, SIZE(4096), .tail = true, .expect = E2BIG },
		    "size 4096, the last byte non-zero");
		add(&(struct bcase){ .ioc = io, SIZE(4097), .expect = E2BIG },
		    "size 4097 (more than a page), zeros past sizeof");
		add(&(struct bcase){ .ioc = io, SIZE(io->size + 1), .where = AT_CLIFF_END,
				     .expect = EFAULT },
		    "size sizeof + 1, the extra byte on an unmapped page");
		add(&(struct bcase){ .ioc = io, SIZE(0xffffffff), .where = AT_CLIFF_END,
				     .expect = E2BIG },
		    "size 0xffffffff (more than a page: refused before the tail is read)");

		for (bit = 0; bit < 32; bit++)
			if (!(io->flags & (1u << bit)))
				add(&(struct bcase){ .ioc = io, .off = 4, .width = 4,
						     .val = 1u << bit, .expect = EOPNOTSUPP,
						     .group = "flags" },
				    "flags bit %u (undefined)", bit);
		if (io->waits)
			add(&(struct bcase){ .ioc = io, .off = 4, .width = 4,
					     .val = KIPC_MSG_ABSTIME, .expect = EINVAL,
					     .group = "flags" },
			    "KIPC_MSG_ABSTIME without KIPC_MSG_TIMEOUT");

		CASE("argument NULL", .ioc = io, .where = AT_NULL, .expect = EFAULT);
		CASE("argument a kernel address", .ioc = io, .where = AT_KERNEL, .expect = EFAULT);
		CASE("argument (void *)-1", .ioc = io, .where = AT_WILD, .expect = EFAULT);
		CASE("argument (void *)1", .ioc = io, .where = AT_ONE, .expect = EFAULT);
		CASE("argument on a PROT_NONE page", .ioc = io, .where = AT_NOACCESS,
		     .expect = EFAULT);
		CASE("argument 8 bytes before an unmapped page", .ioc = io,
		     .where = AT_CLIFF_HALF, .expect = EFAULT);
		CASE("argument ending where an unmapped page begins", .ioc = io,
		     .where = AT_CLIFF_END);
		CASE("argument misaligned (address + 1)", .ioc = io, .where = AT_MISALIGNED);
		add(&(struct bcase){ .ioc = io, .where = AT_RDONLY, .expect = ro },
		    io->writes ? "argument on a read-only page (it has output fields)" :
		    "argument on a read-only page (nothing is written back)");
	}
}


/* ---- changes a case makes to a valid argument ---------------------------------------------- */

static void mut_shm(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_create *a = arg;

	a->type = KIPC_TYPE_SHM;
	if (t->off != offsetof(struct kipc_create, shm_size))
		a->shm_size = page;
}

static void mut_name_mq(struct ctx *c, void *arg, const struct bcase *t)
{
	copy_name(arg + t->b, c->mq);
}

static void mut_shm_of_mq(struct ctx *c, void *arg, const struct bcase *t)
{
	mut_name_mq(c, arg, t);
	mut_shm(c, arg, t);
}

/* The queue's own attributes, not EXCL: opens the existing queue. */
static void mut_reopen_mq(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_create *a = arg;

	mut_name_mq(c, arg, t);
	a->flags = 0;
	a->max_msgs = t->a ?: Q_MSGS;
	a->max_msg_size = Q_MSG_SIZE;
}

static void mut_vec_buf(struct ctx *c, void *arg, const struct bcase *t)
{
	vec[0].buf = v_addr(c, t->a);
	if (t->b)
		vec[0].len = t->b;
}

static void mut_vec_field(struct ctx *c, void *arg, const struct bcase *t)
{
	*(__u32 *)((unsigned char *)&vec[0] + t->b) = t->a;
}

/* Every entry valid: the batch goes as far as the queue allows. */
static void mut_vec_all(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_batch *b = arg;
	unsigned int i;

	for (i = 1; i < KIPC_BATCH_MAX; i++)
		vec[i] = vec[0];
	b->count = KIPC_BATCH_MAX;
}

/* The vector one page before an unmapped page, entries a page apart: the 2nd one faults. */
static void mut_vec_cliff(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_batch *b = arg;

	memset(cliff - page, 0, page);
	memcpy(cliff - page, &vec[0], sizeof(vec[0]));
	b->vec = uptr(cliff - page);
	b->vec_size = page;
	b->count = KIPC_BATCH_MAX;
}

static void mut_vec_tail(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_batch *b = arg;
	unsigned char *room = (unsigned char *)vec;

	b->vec_size = sizeof(vec[0]) + 8;
	room[b->vec_size - 1] = 1;
}

static void mut_list_at(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_list *l = arg;

	l->entries = t->a == A_CLIFF8 ? uptr(cliff - sizeof(struct kipc_list_entry)) :
		     v_addr(c, t->a);
	l->count = t->b;
}

static void mut_send_big(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_msg *m = arg;

	m->buf = uptr(rbuf);
}

static void mut_name_fresh(struct ctx *c, void *arg, const struct bcase *t)
{
	copy_name(arg + t->b, c->fresh);
}

/* The u32 at offset @b is @a too (a second field). */
static void mut_u32(struct ctx *c, void *arg, const struct bcase *t)
{
	*(__u32 *)(arg + t->b) = t->a;
}

/* KIPC_CREATE_RLIMIT for a queue of @t->a messages of 256 bytes. */
static void mut_rlimit_queue(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_create *a = arg;

	a->flags = KIPC_CREATE_EXCL | KIPC_CREATE_RLIMIT;
	a->max_msgs = t->a;
	a->max_msg_size = 256;
}

/* An eventfd, made once and kept for the run. */
static __u64 v_eventfd(const struct ctx *c, __u64 unused)
{
	static int efd = -1;

	if (efd < 0)
		efd = eventfd(0, EFD_CLOEXEC);
	return efd;
}

static const char *check_not_removed(struct ctx *c, const void *arg)
{
	return ((const struct kipc_mq_notify *)arg)->removed ? "removed is 1, not 0" : NULL;
}

static const char *check_removed(struct ctx *c, const void *arg)
{
	return ((const struct kipc_mq_notify *)arg)->removed == 1 ? NULL : "removed is not 1";
}

static void mut_stat_reserved(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_stat *st = arg;

	st->access = ~0u;
	st->__reserved2 = ~0u;
}

static void mut_vec_rdonly(struct ctx *c, void *arg, const struct bcase *t)
{
	struct kipc_batch *b = arg;

	b->vec = uptr(to_rdonly(&vec[0], sizeof(vec[0])));
}

/* ---- state a case needs -------------------------------------------------------------------- */

static int setup_full(struct ctx *c)
{
	struct kipc_msg m = { .size = sizeof(m), .flags = KIPC_MSG_NONBLOCK,
			      .buf = uptr(FIRST_MSG), .len = FIRST_LEN };
	int i, ret = 0;

	for (i = 1; i < Q_MSGS && !ret; i++)
		ret = do_ioctl(c->fd[FD_MQ], KIPC_IOC_SEND, &m);
	return ret;
}

static int setup_empty(struct ctx *c)
{
	char b[16];

	return read(c->fd[FD_MQ], b, sizeof(b)) == FIRST_LEN ? 0 : EIO;
}

static int setup_dead(struct ctx *c)
{
	struct kipc_destroy d = { .size = sizeof(d), .flags = KIPC_DESTROY_NOW };
	int ret;

	copy_name(d.name, c->mq);
	ret = do_ioctl(c->fd[FD_NONE], KIPC_IOC_DESTROY, &d);
	copy_name(d.name, c->shm);
	return ret ?: do_ioctl(c->fd[FD_NONE], KIPC_IOC_DESTROY, &d);
}

static int setup_rung(struct ctx *c)
{
	__u64 v = 1;

	return write(c->fd[FD_SHM], &v, sizeof(v)) == sizeof(v) ? 0 : errno;
}

/* The case's queue holds a registration of this process's (KIPC_MQ_NOTIFY_NONE). */
static int setup_notified(struct ctx *c)
{
	struct kipc_mq_notify n = { .size = sizeof(n) };

	return do_ioctl(c->fd[FD_MQ], KIPC_IOC_MQ_NOTIFY, &n);
}

/*
 * A soft RLIMIT_MSGQUEUE of 4 KiB for the rest of the run: only KIPC_CREATE_RLIMIT looks at
 * it, and only its cases ask for it.
 */
static int setup_low_rlimit(struct ctx *c)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_MSGQUEUE, &r))
		return errno;
	if (r.rlim_cur > 4096)
		r.rlim_cur = 4096;
	return setrlimit(RLIMIT_MSGQUEUE, &r) ? errno : 0;
}

static int setup_nonblock(struct ctx *c)
{
	unsigned int i;

	for (i = FD_MQ; i < FD_NR; i++)
		if (fcntl(c->fd[i], F_SETFL, O_NONBLOCK))
			return errno;
	return 0;
}

static int setup_full_nonblock(struct ctx *c)
{
	return setup_full(c) ?: setup_nonblock(c);
}

static int setup_empty_nonblock(struct ctx *c)
{
	return setup_empty(c) ?: setup_nonblock(c);
}

/* ---- the generators ------------------------------------------------------------------------ */

#define IO(i)	.ioc = &iocs[I_##i]

/* Names, for every ioctl that takes one. */
static const char name_empty[KIPC_NAME_MAX] = "";
static char name_long[KIPC_NAME_MAX];		/* 64 bytes, no NUL */
static char name_63[KIPC_NAME_MAX];		/* the longest name */
static const char name_ctrl[KIPC_NAME_MAX] = "a\001b";
static const char name_space[KIPC_NAME_MAX] = "a b";
static const char name_slash[KIPC_NAME_MAX] = "a/b";
static const char name_del[KIPC_NAME_MAX] = "a\177";
static const char name_utf8[KIPC_NAME_MAX] = "caf\303\251";
static const char name_high[KIPC_NAME_MAX] = "\377";
static const char name_dots[KIPC_NAME_MAX] = "..";

static void gen_names(void)
{
	static const struct { int i; __u32 off; } users[] = {
		{ I_CREATE, offsetof(struct kipc_create, name) },
		{ I_ATTACH, offsetof(struct kipc_attach, name) },
		{ I_DESTROY, offsetof(struct kipc_destroy, name) },
		{ I_STAT, offsetof(struct kipc_stat, name) },
	};
	unsigned int u;

	memset(name_long, 'a', sizeof(name_long));
	memset(name_63, 'b', sizeof(name_63) - 1);
	for (u = 0; u < ARRAY_SIZE(users); u++) {
		const struct ioc *io = &iocs[users[u].i];
		int absent = users[u].i == I_CREATE ? 0 : ENOENT;
		__u32 off = users[u].off;

		CASE("name empty", .ioc = io, .off = off, .name = name_empty, .expect = EINVAL);
		CASE("name 64 bytes without a NUL", .ioc = io, .off = off, .name = name_long,
		     .expect = ENAMETOOLONG);
		CASE("name 63 bytes (the longest), valid", .ioc = io, .off = off,
		     .name = name_63, .expect = absent);
		CASE("name \"..\" (valid: names are not paths)", .ioc = io, .off = off,
		     .name = name_dots, .expect = absent);
		CASE("name with a control byte (0x01)", .ioc = io, .off = off,
		     .name = name_ctrl, .expect = EINVAL);
		CASE("name with a space", .ioc = io, .off = off, .name = name_space,
		     .expect = EINVAL);
		CASE("name with a slash", .ioc = io, .off = off, .name = name_slash,
		     .expect = EINVAL);
		CASE("name with DEL (0x7f)", .ioc = io, .off = off, .name = name_del,
		     .expect = EINVAL);
		CASE("name in UTF-8 (caf\\xc3\\xa9)", .ioc = io, .off = off,
		     .name = name_utf8, .expect = EINVAL);
		CASE("name byte 0xff", .ioc = io, .off = off, .name = name_high,
		     .expect = EINVAL);
	}
	CASE("name of no channel", IO(ATTACH), .mut = mut_name_fresh,
	     .b = offsetof(struct kipc_attach, name), .expect = ENOENT);
	CASE("name of no channel", IO(DESTROY), .mut = mut_name_fresh,
	     .b = offsetof(struct kipc_destroy, name), .expect = ENOENT);
	CASE("name of no channel", IO(STAT), .mut = mut_name_fresh,
	     .b = offsetof(struct kipc_stat, name), .expect = ENOENT);
}

/* The right and wrong fds for every call that needs an attachment. */
static void gen_fds(void)
{
	static const struct { int i; __u32 type, access; } needs[] = {
		{ I_SEND, KIPC_TYPE_MQ, KIPC_ACCESS_WRITE },
		{ I_RECV, KIPC_TYPE_MQ, KIPC_ACCESS_READ },
		{ I_SEND_BATCH, KIPC_TYPE_MQ, KIPC_ACCESS_WRITE },
		{ I_RECV_BATCH, KIPC_TYPE_MQ, KIPC_ACCESS_READ },
		{ I_CALL, KIPC_TYPE_MQ, KIPC_ACCESS_WRITE },
		{ I_NOTIFY, KIPC_TYPE_SHM, KIPC_ACCESS_WRITE },
		{ I_WAIT, KIPC_TYPE_SHM, KIPC_ACCESS_READ },
		{ I_MQ_NOTIFY, KIPC_TYPE_MQ, RW },
	};
	static const struct { enum fdkind fd; __u32 type, access; } fds[] = {
		{ FD_MQ_RO, KIPC_TYPE_MQ, KIPC_ACCESS_READ },
		{ FD_MQ_WO, KIPC_TYPE_MQ, KIPC_ACCESS_WRITE },
		{ FD_SHM, KIPC_TYPE_SHM, RW },
		{ FD_SHM_RO, KIPC_TYPE_SHM, KIPC_ACCESS_READ },
		{ FD_SHM_WO, KIPC_TYPE_SHM, KIPC_ACCESS_WRITE },
		{ FD_MQ, KIPC_TYPE_MQ, RW },
	};
	unsigned int n, f;

	for (n = 0; n < ARRAY_SIZE(needs); n++) {
		const struct ioc *io = &iocs[needs[n].i];

		CASE("on an unattached fd", .ioc = io, .fd = FD_NONE, .expect = ENOTCONN);
		for (f = 0; f < ARRAY_SIZE(fds); f++) {
			bool ok = fds[f].type == needs[n].type && fds[f].access & needs[n].access;

			if (fds[f].fd == io->fd)
				continue;	/* the valid case, made above */
			add(&(struct bcase){ .ioc = io, .fd = fds[f].fd,
					     .expect = ok ? 0 : EBADF },
			    ok ? "on an fd with the access it needs" :
			    fds[f].type != needs[n].type ? "on the other type of channel" :
			    "on an fd without the access it needs");
		}
		CASE("on a channel destroyed with KIPC_DESTROY_NOW", .ioc = io,
		     .setup = setup_dead, .expect = EIDRM);
	}
	CASE("KIPC_STAT_SELF on an unattached fd", IO(STAT), .off = 4, .width = 4,
	     .val = KIPC_STAT_SELF, .expect = ENOTCONN);
	CASE("KIPC_STAT_SELF on a channel destroyed with KIPC_DESTROY_NOW (reports it dead)",
	     IO(STAT), .fd = FD_MQ, .setup = setup_dead, .off = 4, .width = 4,
	     .val = KIPC_STAT_SELF, .check = check_stat_dead);
	CASE("CREATE on an fd already attached", IO(CREATE), .fd = FD_MQ, .expect = EBUSY);
	CASE("ATTACH on an fd already attached", IO(ATTACH), .fd = FD_SHM, .expect = EBUSY);
}

static void gen_fields(void)
{
	/* INFO, LIST, batches: reserved fields */
	CASE("__reserved = 1", IO(INFO), FIELD(struct kipc_info, __reserved), .val = 1,
	     .expect = EINVAL);
	CASE("__reserved = 0x80000000", IO(INFO), FIELD(struct kipc_info, __reserved),
	     .val = 0x80000000u, .expect = EINVAL);
	CASE("__reserved = 1", IO(LIST), FIELD(struct kipc_list, __reserved), .val = 1,
	     .expect = EINVAL);
	CASE("__reserved = 1", IO(SEND_BATCH), FIELD(struct kipc_batch, __reserved), .val = 1,
	     .expect = EINVAL);
	CASE("__reserved = 1", IO(RECV_BATCH), FIELD(struct kipc_batch, __reserved), .val = 1,
	     .expect = EINVAL);
	CASE("vec[0].__reserved = 1", IO(SEND_BATCH), .mut = mut_vec_field, .a = 1,
	     .b = offsetof(struct kipc_msg_vec, __reserved), .expect = EINVAL);
	CASE("vec[0].__reserved = 1", IO(RECV_BATCH), .mut = mut_vec_field, .a = 1,
	     .b = offsetof(struct kipc_msg_vec, __reserved), .expect = EINVAL);
	CASE("output fields __reserved, __reserved2 = ~0 on input (ignored, returned 0)",
	     IO(STAT), .mut = mut_stat_reserved, .check = check_stat_reserved);
	CASE("KIPC_STAT_SELF with a garbage name (the name is ignored)", IO(STAT),
	     .fd = FD_MQ, .off = offsetof(struct kipc_stat, name), .name = name_ctrl,
	     .mut = mut_u32, .a = KIPC_STAT_SELF, .b = 4, .check = check_stat_reserved);

	/* CREATE */
	CASE("type 0", IO(CREATE), FIELD(struct kipc_create, type), .val = 0,
	     .expect = EOPNOTSUPP);
	CASE("type 3 (unknown)", IO(CREATE), FIELD(struct kipc_create, type), .val = 3,
	     .expect = EOPNOTSUPP);
	CASE("type 0xffffffff", IO(CREATE), FIELD(struct kipc_create, type), .val = ~0u,
	     .expect = EOPNOTSUPP);
	CASE("overflow 3 (unknown policy)", IO(CREATE), FIELD(struct kipc_create, overflow),
	     .val = 3, .expect = EOPNOTSUPP);
	CASE("overflow 0xffffffff", IO(CREATE), FIELD(struct kipc_create, overflow), .val = ~0u,
	     .expect = EOPNOTSUPP);
	CASE("mode 01000 (sticky bit)", IO(CREATE), FIELD(struct kipc_create, mode),
	     .val = 01000, .expect = EINVAL);
	CASE("mode 04600 (setuid bit)", IO(CREATE), FIELD(struct kipc_create, mode),
	     .val = 04600, .expect = EINVAL);
	CASE("mode 0xffffffff", IO(CREATE), FIELD(struct kipc_create, mode), .val = ~0u,
	     .expect = EINVAL);
	CASE("mode 0777", IO(CREATE), FIELD(struct kipc_create, mode), .val = 0777);
	CASE("access 4 (unknown bit)", IO(CREATE), FIELD(struct kipc_create, access), .val = 4,
	     .expect = EOPNOTSUPP);
	CASE("access 0xffffffff", IO(CREATE), FIELD(struct kipc_create, access), .val = ~0u,
	     .expect = EOPNOTSUPP);
	CASE("access 0 (create, stay unattached)", IO(CREATE),
	     FIELD(struct kipc_create, access), .val = 0);
	CASE("KIPC_CREATE_AUTODESTROY with access 0", IO(CREATE),
	     FIELD(struct kipc_create, flags), .val = KIPC_CREATE_AUTODESTROY, .mut = mut_u32,
	     .a = 0, .b = offsetof(struct kipc_create, access), .expect = EINVAL);
	CASE("id = 1 (an output field) on input", IO(CREATE), FIELD(struct kipc_create, id),
	     .val = 1, .expect = EINVAL);
	CASE("created = 1 (an output field) on input", IO(CREATE),
	     FIELD(struct kipc_create, created), .val = 1, .expect = EINVAL);
	CASE("max_msgs = the module's max_msgs", IO(CREATE),
	     FIELD(struct kipc_create, max_msgs), .valf = v_max_msgs, .val = 0);
	CASE("max_msgs = the module's max_msgs + 1", IO(CREATE),
	     FIELD(struct kipc_create, max_msgs), .valf = v_max_msgs, .val = 1,
	     .expect = ERANGE);
	CASE("max_msgs = 0xffffffff", IO(CREATE), FIELD(struct kipc_create, max_msgs),
	     .val = ~0u, .expect = ERANGE);
	CASE("max_msg_size = the module's max_msg_size", IO(CREATE),
	     FIELD(struct kipc_create, max_msg_size), .valf = v_max_msg_size, .val = 0);
	CASE("max_msg_size = the module's max_msg_size + 1", IO(CREATE),
	     FIELD(struct kipc_create, max_msg_size), .valf = v_max_msg_size, .val = 1,
	     .expect = ERANGE);
	CASE("max_msg_size = 0xffffffff", IO(CREATE), FIELD(struct kipc_create, max_msg_size),
	     .val = ~0u, .expect = ERANGE);
	CASE("shm_size = 4096 for a message queue", IO(CREATE),
	     FIELD(struct kipc_create, shm_size), .val = 4096, .expect = EINVAL);
	CASE("SHM, shm_size = 1 (rounded up to a page)", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, shm_size), .val = 1);
	CASE("SHM, shm_size = the module's max_shm_size", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, shm_size), .valf = v_max_shm, .val = 0);
	CASE("SHM, shm_size = the module's max_shm_size + 1", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, shm_size), .valf = v_max_shm, .val = 1,
	     .expect = ERANGE);
	CASE("SHM, shm_size = 2^64 - 1", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, shm_size), .val = ~0ULL, .expect = ERANGE);
	CASE("SHM, shm_size = 0 for a name no channel has", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, shm_size), .val = 0, .expect = ENOENT);
	CASE("SHM with max_msgs = 1", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, max_msgs), .val = 1, .expect = EINVAL);
	CASE("SHM with max_msg_size = 1", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, max_msg_size), .val = 1, .expect = EINVAL);
	CASE("SHM with overflow = KIPC_OVERFLOW_FAIL", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, overflow), .val = KIPC_OVERFLOW_FAIL, .expect = EINVAL);
	CASE("KIPC_CREATE_RLIMIT, 4 x 256 bytes within a soft RLIMIT_MSGQUEUE of 4 KiB",
	     IO(CREATE), .setup = setup_low_rlimit, .mut = mut_rlimit_queue, .a = 4);
	CASE("KIPC_CREATE_RLIMIT, 16 x 256 bytes above a soft RLIMIT_MSGQUEUE of 4 KiB",
	     IO(CREATE), .setup = setup_low_rlimit, .mut = mut_rlimit_queue, .a = 16,
	     .expect = EDQUOT);
	CASE("SHM with KIPC_CREATE_RLIMIT", IO(CREATE), .mut = mut_shm,
	     FIELD(struct kipc_create, flags), .val = KIPC_CREATE_EXCL | KIPC_CREATE_RLIMIT,
	     .expect = EINVAL);

	/* MQ_NOTIFY */
	CASE("method 3 (unknown)", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, method), .val = 3,
	     .expect = EOPNOTSUPP);
	CASE("method 0xffffffff", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, method),
	     .val = ~0u, .expect = EOPNOTSUPP);
	CASE("SIGNAL with signo 0", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, method),
	     .val = KIPC_MQ_NOTIFY_SIGNAL, .expect = EINVAL);
	CASE("SIGNAL with signo SIGUSR1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, signo),
	     .val = SIGUSR1, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_SIGNAL,
	     .b = offsetof(struct kipc_mq_notify, method));
	CASE("SIGNAL with signo 64 (_NSIG)", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, signo),
	     .val = 64, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_SIGNAL,
	     .b = offsetof(struct kipc_mq_notify, method));
	CASE("SIGNAL with signo 65 (_NSIG + 1)", IO(MQ_NOTIFY),
	     FIELD(struct kipc_mq_notify, signo), .val = 65, .mut = mut_u32,
	     .a = KIPC_MQ_NOTIFY_SIGNAL, .b = offsetof(struct kipc_mq_notify, method),
	     .expect = EINVAL);
	CASE("SIGNAL with signo -1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, signo),
	     .val = ~0u, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_SIGNAL,
	     .b = offsetof(struct kipc_mq_notify, method), .expect = EINVAL);
	CASE("NONE with signo 1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, signo), .val = 1,
	     .expect = EINVAL);
	CASE("NONE with value 1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, value), .val = 1,
	     .expect = EINVAL);
	CASE("NONE with eventfd 1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, eventfd),
	     .val = 1, .expect = EINVAL);
	CASE("EVENTFD with an eventfd", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, eventfd),
	     .valf = v_eventfd, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_EVENTFD,
	     .b = offsetof(struct kipc_mq_notify, method));
	CASE("EVENTFD with the queue's own fd (not an eventfd)", IO(MQ_NOTIFY),
	     FIELD(struct kipc_mq_notify, eventfd), .valf = v_fd, .val = FD_MQ, .mut = mut_u32,
	     .a = KIPC_MQ_NOTIFY_EVENTFD, .b = offsetof(struct kipc_mq_notify, method),
	     .expect = EBADF);
	CASE("EVENTFD with eventfd -1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, eventfd),
	     .val = ~0u, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_EVENTFD,
	     .b = offsetof(struct kipc_mq_notify, method), .expect = EBADF);
	CASE("removed = 1 (an output field) on input", IO(MQ_NOTIFY),
	     FIELD(struct kipc_mq_notify, removed), .val = 1, .expect = EINVAL);
	CASE("REMOVE with method SIGNAL", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, flags),
	     .val = KIPC_MQ_NOTIFY_REMOVE, .mut = mut_u32, .a = KIPC_MQ_NOTIFY_SIGNAL,
	     .b = offsetof(struct kipc_mq_notify, method), .expect = EINVAL);
	CASE("REMOVE with eventfd 1", IO(MQ_NOTIFY), FIELD(struct kipc_mq_notify, flags),
	     .val = KIPC_MQ_NOTIFY_REMOVE, .mut = mut_u32, .a = 1,
	     .b = offsetof(struct kipc_mq_notify, eventfd), .expect = EINVAL);
	CASE("REMOVE with nothing registered (removed 0)", IO(MQ_NOTIFY),
	     FIELD(struct kipc_mq_notify, flags), .val = KIPC_MQ_NOTIFY_REMOVE,
	     .check = check_not_removed);
	CASE("REMOVE the caller's registration (removed 1)", IO(MQ_NOTIFY),
	     .setup = setup_notified, FIELD(struct kipc_mq_notify, flags),
	     .val = KIPC_MQ_NOTIFY_REMOVE, .check = check_removed);
	CASE("a second registration", IO(MQ_NOTIFY), .setup = setup_notified, .expect = EBUSY);

	CASE("KIPC_CREATE_EXCL, the name taken", IO(CREATE), .mut = mut_name_mq,
	     .b = offsetof(struct kipc_create, name), .expect = EEXIST);
	CASE("not EXCL, the name taken by the other type", IO(CREATE), .mut = mut_shm_of_mq,
	     .b = offsetof(struct kipc_create, name), .expect = EEXIST);
	CASE("not EXCL, the name taken, other max_msgs", IO(CREATE), .mut = mut_reopen_mq,
	     .a = 2, .b = offsetof(struct kipc_create, name), .expect = EEXIST);
	CASE("not EXCL, the name taken, same attributes (opens it)", IO(CREATE),
	     .mut = mut_reopen_mq, .b = offsetof(struct kipc_create, name),
	     .check = check_created0);

	/* ATTACH, DESTROY */
	CASE("access 0", IO(ATTACH), FIELD(struct kipc_attach, access), .val = 0,
	     .expect = EINVAL);
	CASE("access 4 (unknown bit)", IO(ATTACH), FIELD(struct kipc_attach, access), .val = 4,
	     .expect = EOPNOTSUPP);
	CASE("access 0xffffffff", IO(ATTACH), FIELD(struct kipc_attach, access), .val = ~0u,
	     .expect = EOPNOTSUPP);
	CASE("access read-write", IO(ATTACH), FIELD(struct kipc_attach, access), .val = RW);
	CASE("id = 1 (an output field) on input", IO(ATTACH), FIELD(struct kipc_attach, id),
	     .val = 1, .expect = EINVAL);
	CASE("KIPC_DESTROY_NOW", IO(DESTROY), .off = 4, .width = 4, .val = KIPC_DESTROY_NOW);

	/* LIST */
	CASE("entries NULL, count 8", IO(LIST), .mut = mut_list_at, .a = A_NULL, .b = 8,
	     .expect = EFAULT);
	CASE("entries NULL, count 0 (asks for the total only)", IO(LIST), .mut = mut_list_at,
	     .a = A_NULL, .b = 0, .check = check_list_total);
	CASE("entries a kernel address", IO(LIST), .mut = mut_list_at, .a = A_KERNEL, .b = 8,
	     .expect = EFAULT);
	CASE("entries on a PROT_NONE page", IO(LIST), .mut = mut_list_at, .a = A_NOACCESS,
	     .b = 8, .expect = EFAULT);
	CASE("entries on a read-only page", IO(LIST), .mut = mut_list_at, .a = A_RDONLY,
	     .b = 8, .expect = EFAULT);
	CASE("entries: room for one before an unmapped page, count 8", IO(LIST),
	     .mut = mut_list_at, .a = A_CLIFF8, .b = 8, .expect = EFAULT);
	CASE("entries misaligned (address + 1)", IO(LIST), .mut = mut_list_at, .a = A_ODD,
	     .b = 2);
	CASE("entry_size 0, count 8", IO(LIST), FIELD(struct kipc_list, entry_size), .val = 0,
	     .expect = EINVAL);
	CASE("entry_size 0, count 0", IO(LIST), FIELD(struct kipc_list, entry_size), .val = 0,
	     .mut = mut_list_at, .a = A_NULL, .b = 0);
	CASE("entry_size one byte short of id", IO(LIST), FIELD(struct kipc_list, entry_size),
	     .val = KIPC_LIST_ENTRY_SIZE_VER0 - 1, .expect = EINVAL);
	CASE("entry_size up to id (the least)", IO(LIST), FIELD(struct kipc_list, entry_size),
	     .val = KIPC_LIST_ENTRY_SIZE_VER0);
	CASE("entry_size 4096 (the most: zero-filled past the kernel's)", IO(LIST),
	     FIELD(struct kipc_list, entry_size), .val = 4096);
	CASE("entry_size 4097", IO(LIST), FIELD(struct kipc_list, entry_size), .val = 4097,
	     .expect = EINVAL);
	CASE("entry_size 0xffffffff", IO(LIST), FIELD(struct kipc_list, entry_size),
	     .val = ~0u, .expect = EINVAL);
	CASE("count 0xffffffff (count x entry_size past 2^32; the total is written)", IO(LIST),
	     FIELD(struct kipc_list, count), .val = ~0u, .check = check_list_all);
}

static void gen_messages(void)
{
	static const struct { int i; __u32 buf, len; } bufs[] = {
		{ I_SEND, offsetof(struct kipc_msg, buf), offsetof(struct kipc_msg, len) },
		{ I_RECV, offsetof(struct kipc_msg, buf), offsetof(struct kipc_msg, len) },
		{ I_CALL, offsetof(struct kipc_call, req_buf), offsetof(struct kipc_call, req_len) },
		{ I_CALL, offsetof(struct kipc_call, reply_buf),
		  offsetof(struct kipc_call, reply_len) },
	};
	static const enum addr bad[] = { A_NULL, A_KERNEL, A_WILD, A_NOACCESS, A_CLIFF2 };
	unsigned int b, a;

	/* The message buffers: the send side only reads, the receive side writes. */
	for (b = 0; b < ARRAY_SIZE(bufs); b++) {
		const struct ioc *io = &iocs[bufs[b].i];
		bool reply = bufs[b].buf == offsetof(struct kipc_call, reply_buf);
		bool writes = bufs[b].i == I_RECV || reply;
		const char *field = bufs[b].i == I_CALL ? (reply ? "reply_buf" : "req_buf") :
				    "buf";

		for (a = 0; a < ARRAY_SIZE(bad); a++) {
			/* A send reads 16 bytes: the cliff cuts them. */
			bool cut = bad[a] == A_CLIFF2 && !writes;

			add(&(struct bcase){ .ioc = io, .off = bufs[b].buf,
						.width = 8, .valf = v_addr, .val = bad[a],
						.expect = EFAULT, .changes = reply,
						.check = reply ? check_call_sent :
						bufs[b].i == I_CALL ? check_call_unsent : NULL,
						.mut = cut ? mut_u32 : NULL, .a = 16,
						.b = bufs[b].len },
					      "%s %s%s", field, addr_doc[bad[a]],
					      reply ? " (after the request went out)" :
					      writes ? " (the message stays queued)" : "");
		}
		add(&(struct bcase){ .ioc = io, .off = bufs[b].buf, .width = 8, .valf = v_addr,
				     .val = A_RDONLY, .expect = writes ? EFAULT : 0,
				     .changes = reply, .check = reply ? check_call_sent : NULL },
		    "%s on a read-only page", field);
		add(&(struct bcase){ .ioc = io, .off = bufs[b].buf, .width = 8, .valf = v_addr,
				     .val = A_ODD },
		    "%s misaligned (address + 1)", field);
	}
	/* A send's bytes cross into an unmapped page. */
	CASE("buf 8 bytes before an unmapped page, len 16", IO(SEND),
	     FIELD(struct kipc_msg, buf), .valf = v_addr, .val = A_CLIFF8, .mut = mut_u32,
	     .a = 16, .b = offsetof(struct kipc_msg, len), .expect = EFAULT);

	/* Lengths and priorities. */
	CASE("len = max_msg_size of the queue", IO(SEND), FIELD(struct kipc_msg, len),
	     .val = Q_MSG_SIZE, .mut = mut_send_big);
	CASE("len = max_msg_size + 1", IO(SEND), FIELD(struct kipc_msg, len),
	     .val = Q_MSG_SIZE + 1, .mut = mut_send_big, .expect = EMSGSIZE);
	CASE("len = 0x80000000", IO(SEND), FIELD(struct kipc_msg, len), .val = 0x80000000u,
	     .expect = EMSGSIZE);
	CASE("len = 0xffffffff", IO(SEND), FIELD(struct kipc_msg, len), .val = ~0u,
	     .expect = EMSGSIZE);
	CASE("len 0, buf NULL (an empty message)", IO(SEND), FIELD(struct kipc_msg, buf),
	     .val = 0, .mut = mut_u32, .a = 0, .b = offsetof(struct kipc_msg, len));
	CASE("priority KIPC_PRIO_MAX", IO(SEND), FIELD(struct kipc_msg, priority),
	     .val = KIPC_PRIO_MAX);
	CASE("priority KIPC_PRIO_MAX + 1", IO(SEND), FIELD(struct kipc_msg, priority),
	     .val = KIPC_PRIO_MAX + 1, .expect = EINVAL);
	CASE("priority 0xffffffff", IO(SEND), FIELD(struct kipc_msg, priority), .val = ~0u,
	     .expect = EINVAL);
	CASE("req_len = max_msg_size + 1", IO(CALL), FIELD(struct kipc_call, req_len),
	     .val = Q_MSG_SIZE + 1, .expect = EMSGSIZE, .check = check_call_unsent);
	CASE("req_len = 0xffffffff", IO(CALL), FIELD(struct kipc_call, req_len), .val = ~0u,
	     .expect = EMSGSIZE, .check = check_call_unsent);
	CASE("req_priority KIPC_PRIO_MAX + 1", IO(CALL), FIELD(struct kipc_call, req_priority),
	     .val = KIPC_PRIO_MAX + 1, .expect = EINVAL, .check = check_call_unsent);
	CASE("len 0 (room for none of the 5 bytes; the length needed is returned)", IO(RECV),
	     FIELD(struct kipc_msg, len), .val = 0, .expect = EMSGSIZE,
	     .check = check_recv_len_needed);
	CASE("len 4 (one byte too little)", IO(RECV), FIELD(struct kipc_msg, len), .val = 4,
	     .expect = EMSGSIZE, .check = check_recv_len_needed);
	CASE("len 5 (exactly the message)", IO(RECV), FIELD(struct kipc_msg, len), .val = 5);
	CASE("len 0xffffffff", IO(RECV), FIELD(struct kipc_msg, len), .val = ~0u);
	CASE("reply_len 4 (too little for the reply)", IO(CALL),
	     FIELD(struct kipc_call, reply_len), .val = 4, .expect = EMSGSIZE, .changes = true,
	     .check = check_call_sent);
	CASE("reply_fd -1", IO(CALL), FIELD(struct kipc_call, reply_fd), .val = ~0u,
	     .expect = EBADF, .check = check_call_unsent);
	CASE("reply_fd 0x7fffffff", IO(CALL), FIELD(struct kipc_call, reply_fd),
	     .val = 0x7fffffff, .expect = EBADF, .check = check_call_unsent);
	CASE("reply_fd not a kipc fd (stdout)", IO(CALL), FIELD(struct kipc_call, reply_fd),
	     .val = 1, .expect = EBADF, .check = check_call_unsent);
	{
		static const struct { enum fdkind fd; const char *doc; } rfds[] = {
			{ FD_NONE, "reply_fd unattached" },
			{ FD_MQ_WO, "reply_fd write-only" },
			{ FD_SHM, "reply_fd a shared-page channel" },
		};

		for (a = 0; a < ARRAY_SIZE(rfds); a++)
			CASE(rfds[a].doc, IO(CALL), FIELD(struct kipc_call, reply_fd),
			     .valf = v_fd, .val = rfds[a].fd, .expect = EBADF,
			     .check = check_call_unsent);
	}

	/* Full and empty queues, waits that cannot wait. */
	CASE("full queue, KIPC_MSG_NONBLOCK", IO(SEND), .setup = setup_full, .expect = EAGAIN);
	CASE("full queue, KIPC_MSG_TIMEOUT of 0 ns", IO(SEND), .setup = setup_full,
	     FIELD(struct kipc_msg, flags), .val = KIPC_MSG_TIMEOUT, .expect = ETIMEDOUT);
	CASE("full queue, KIPC_MSG_TIMEOUT of 1 ms", IO(SEND), .setup = setup_full,
	     FIELD(struct kipc_msg, timeout_ns), .val = 1000000, .mut = mut_u32,
	     .a = KIPC_MSG_TIMEOUT, .b = 4, .expect = ETIMEDOUT);
	CASE("full queue, NONBLOCK with timeout_ns 2^64 - 1", IO(SEND), .setup = setup_full,
	     FIELD(struct kipc_msg, timeout_ns), .val = ~0ULL, .expect = EAGAIN);
	CASE("full queue, KIPC_MSG_NONBLOCK", IO(SEND_BATCH), .setup = setup_full,
	     .expect = EAGAIN);
	CASE("empty queue, KIPC_MSG_NONBLOCK", IO(RECV), .setup = setup_empty,
	     .expect = EAGAIN);
	CASE("empty queue, KIPC_MSG_TIMEOUT of 0 ns", IO(RECV), .setup = setup_empty,
	     FIELD(struct kipc_msg, flags), .val = KIPC_MSG_TIMEOUT, .expect = ETIMEDOUT);
	CASE("empty queue, KIPC_MSG_ABSTIME deadline 0 (long past)", IO(RECV),
	     .setup = setup_empty, FIELD(struct kipc_msg, flags),
	     .val = KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME, .expect = ETIMEDOUT);
	CASE("full queue, KIPC_MSG_ABSTIME deadline 0 (long past)", IO(SEND),
	     .setup = setup_full, FIELD(struct kipc_msg, flags),
	     .val = KIPC_MSG_TIMEOUT | KIPC_MSG_ABSTIME, .expect = ETIMEDOUT);
	CASE("empty queue, KIPC_MSG_NONBLOCK", IO(RECV_BATCH), .setup = setup_empty,
	     .expect = EAGAIN);
	CASE("doorbell at the sequence given, KIPC_MSG_NONBLOCK", IO(WAIT),
	     FIELD(struct kipc_wait, seq), .val = 0, .expect = EAGAIN);
	CASE("doorbell at the sequence given, KIPC_MSG_TIMEOUT of 0 ns", IO(WAIT),
	     FIELD(struct kipc_wait, seq), .val = 0, .mut = mut_u32,
	     .a = KIPC_MSG_TIMEOUT, .b = 4, .expect = ETIMEDOUT);

	/* Batches: counts, vector entry sizes, and the pointers in and to the vector. */
	for (b = I_SEND_BATCH; b <= I_RECV_BATCH; b++) {
		const struct ioc *io = &iocs[b];
		bool recv = b == I_RECV_BATCH;

		CASE("count 0", .ioc = io, FIELD(struct kipc_batch, count), .val = 0,
		     .expect = EINVAL);
		CASE("count KIPC_BATCH_MAX + 1", .ioc = io, FIELD(struct kipc_batch, count),
		     .val = KIPC_BATCH_MAX + 1, .expect = EINVAL);
		CASE("count 0xffffffff", .ioc = io, FIELD(struct kipc_batch, count), .val = ~0u,
		     .expect = EINVAL);
		CASE("count KIPC_BATCH_MAX, every entry valid (goes as far as it can)",
		     .ioc = io, .mut = mut_vec_all, .check = recv ? check_done1 : check_done3);
		CASE("count KIPC_BATCH_MAX x vec_size 4096, the 2nd entry on an unmapped page "
		     "(the batch ends there)", .ioc = io, .mut = mut_vec_cliff,
		     .check = check_done1);
		CASE("vec_size 0", .ioc = io, FIELD(struct kipc_batch, vec_size), .val = 0,
		     .expect = EINVAL);
		CASE("vec_size one byte short of priority", .ioc = io,
		     FIELD(struct kipc_batch, vec_size),
		     .val = KIPC_MSG_VEC_SIZE_VER0 - 1, .expect = EINVAL);
		CASE("vec_size up to priority (the least)", .ioc = io,
		     FIELD(struct kipc_batch, vec_size),
		     .val = KIPC_MSG_VEC_SIZE_VER0);
		CASE("vec_size sizeof + 8, the extra bytes non-zero", .ioc = io,
		     .mut = mut_vec_tail, .expect = E2BIG);
		CASE("vec_size 4097", .ioc = io, FIELD(struct kipc_batch, vec_size), .val = 4097,
		     .expect = EINVAL);
		CASE("vec_size 0xffffffff", .ioc = io, FIELD(struct kipc_batch, vec_size),
		     .val = ~0u, .expect = EINVAL);
		for (a = 0; a < ARRAY_SIZE(bad); a++)
			add(&(struct bcase){ .ioc = io, FIELD(struct kipc_batch, vec),
					     .valf = v_addr, .val = bad[a], .expect = EFAULT },
			    "vec %s", addr_doc[bad[a]]);
		if (recv)
			CASE("vec on a read-only page (no room for the length; the message "
			     "stays queued)", .ioc = io, .mut = mut_vec_rdonly, .expect = EFAULT);
		else
			CASE("vec on a read-only page (the vector is only read)", .ioc = io,
			     .mut = mut_vec_rdonly);
		for (a = 0; a < ARRAY_SIZE(bad); a++)
			add(&(struct bcase){ .ioc = io, .mut = mut_vec_buf, .a = bad[a],
					     .b = recv ? 0 : 16, .expect = EFAULT },
			    "vec[0].buf %s%s", addr_doc[bad[a]],
			    recv ? " (the message stays queued)" : "");
		add(&(struct bcase){ .ioc = io, .mut = mut_vec_buf, .a = A_RDONLY,
				     .expect = recv ? EFAULT : 0 },
		    "vec[0].buf on a read-only page");
		if (recv) {
			CASE("vec[0].len 4 (too little; the message stays queued)", .ioc = io,
			     .mut = mut_vec_field, .a = 4,
			     .b = offsetof(struct kipc_msg_vec, len), .expect = EMSGSIZE);
		} else {
			CASE("vec[0].len = max_msg_size + 1", .ioc = io, .mut = mut_vec_field,
			     .a = Q_MSG_SIZE + 1, .b = offsetof(struct kipc_msg_vec, len),
			     .expect = EMSGSIZE);
			CASE("vec[0].priority KIPC_PRIO_MAX + 1", .ioc = io,
			     .mut = mut_vec_field, .a = KIPC_PRIO_MAX + 1,
			     .b = offsetof(struct kipc_msg_vec, priority), .expect = EINVAL);
		}
	}
}

static void gen_syscalls(void)
{
	long p = page;

#define SYS(_fn, ...)	.sys = sys_##_fn, .call = #_fn, __VA_ARGS__
	CASE("2 pages at offset 0 (the whole channel)", SYS(mmap, .fd = FD_SHM, .a = 0,
	     .b = 2 * p, .val = PROT_READ | PROT_WRITE, .off = MAP_SHARED));
	CASE("1 page at offset 1 page (the last page)", SYS(mmap, .fd = FD_SHM, .a = p, .b = p,
	     .val = PROT_READ | PROT_WRITE, .off = MAP_SHARED));
	CASE("1 page at offset 2 pages (past the end)", SYS(mmap, .fd = FD_SHM, .a = 2 * p,
	     .b = p, .val = PROT_READ, .off = MAP_SHARED, .expect = EINVAL));
	CASE("2 pages at offset 1 page (runs past the end)", SYS(mmap, .fd = FD_SHM, .a = p,
	     .b = 2 * p, .val = PROT_READ, .off = MAP_SHARED, .expect = EINVAL));
	CASE("3 pages at offset 0 (longer than the channel)", SYS(mmap, .fd = FD_SHM, .a = 0,
	     .b = 3 * p, .val = PROT_READ, .off = MAP_SHARED, .expect = EINVAL));
	CASE("offset 1 (not page-aligned)", SYS(mmap, .fd = FD_SHM, .a = 1, .b = p,
	     .val = PROT_READ, .off = MAP_SHARED, .expect = EINVAL));
	CASE("length 0", SYS(mmap, .fd = FD_SHM, .a = 0, .b = 0, .val = PROT_READ,
	     .off = MAP_SHARED, .expect = EINVAL));
	CASE("offset 2^63 - 1 page (past the end; offset + length would overflow)", SYS(mmap,
	     .fd = FD_SHM, .a = 0x7ffffffffffff000L, .b = 2 * p, .val = PROT_READ,
	     .off = MAP_SHARED, .expect = EINVAL));
	CASE("length 2^46 (larger than any channel)", SYS(mmap, .fd = FD_SHM, .a = 0,
	     .b = 1L << 46, .val = PROT_READ, .off = MAP_SHARED, .expect = EINVAL));
	CASE("MAP_PRIVATE (a private copy would not be IPC)", SYS(mmap, .fd = FD_SHM, .a = 0,
	     .b = p, .val = PROT_READ | PROT_WRITE, .off = MAP_PRIVATE, .expect = EINVAL));
	CASE("read-only attachment, PROT_READ", SYS(mmap, .fd = FD_SHM_RO, .a = 0, .b = p,
	     .val = PROT_READ, .off = MAP_SHARED));
	CASE("read-only attachment, PROT_READ | PROT_WRITE", SYS(mmap, .fd = FD_SHM_RO, .a = 0,
	     .b = p, .val = PROT_READ | PROT_WRITE, .off = MAP_SHARED, .expect = EACCES));
	CASE("write-only attachment, PROT_WRITE (a map is always readable)", SYS(mmap,
	     .fd = FD_SHM_WO, .a = 0, .b = p, .val = PROT_WRITE, .off = MAP_SHARED,
	     .expect = EACCES));
	CASE("write-only attachment, PROT_READ", SYS(mmap, .fd = FD_SHM_WO, .a = 0, .b = p,
	     .val = PROT_READ, .off = MAP_SHARED, .expect = EACCES));
	CASE("a message queue", SYS(mmap, .fd = FD_MQ, .a = 0, .b = p, .val = PROT_READ,
	     .off = MAP_SHARED, .expect = ENODEV));
	CASE("an unattached fd", SYS(mmap, .fd = FD_NONE, .a = 0, .b = p, .val = PROT_READ,
	     .off = MAP_SHARED, .expect = ENOTCONN));
	CASE("a channel destroyed with KIPC_DESTROY_NOW", SYS(mmap, .fd = FD_SHM, .a = 0,
	     .b = p, .val = PROT_READ, .off = MAP_SHARED, .setup = setup_dead, .expect = EIDRM));
	CASE("read-only attachment, a PROT_READ map made writable", SYS(mprotect,
	     .fd = FD_SHM_RO, .expect = EACCES));

	CASE("unattached fd", SYS(read, .fd = FD_NONE, .a = 64, .expect = ENOTCONN));
	CASE("unattached fd", SYS(write, .fd = FD_NONE, .a = 1, .expect = ENOTCONN));
	CASE("unattached fd", SYS(poll, .fd = FD_NONE, .revents = true, .expect = POLLERR));
	CASE("a message (returns its length)", SYS(read, .fd = FD_MQ, .a = 64));
	CASE("4 bytes of room for a 5-byte message (it stays queued)", SYS(read, .fd = FD_MQ,
	     .a = 4, .expect = EMSGSIZE));
	CASE("into NULL (the message stays queued)", SYS(read, .fd = FD_MQ, .a = 64,
	     .b = A_NULL, .expect = EFAULT));
	CASE("into a read-only page (the message stays queued)", SYS(read, .fd = FD_MQ,
	     .a = 64, .b = A_RDONLY, .expect = EFAULT));
	CASE("into a kernel address", SYS(read, .fd = FD_MQ, .a = 64, .b = A_KERNEL,
	     .expect = EFAULT));
	CASE("write-only attachment", SYS(read, .fd = FD_MQ_WO, .a = 64, .expect = EBADF));
	CASE("read-only attachment", SYS(write, .fd = FD_MQ_RO, .a = 1, .expect = EBADF));
	CASE("max_msg_size + 1 bytes", SYS(write, .fd = FD_MQ, .a = Q_MSG_SIZE + 1,
	     .expect = EMSGSIZE));
	CASE("2^40 bytes", SYS(write, .fd = FD_MQ, .a = 1L << 40, .expect = EMSGSIZE));
	CASE("from NULL", SYS(write, .fd = FD_MQ, .a = 1, .b = A_NULL, .expect = EFAULT));
	CASE("from a PROT_NONE page", SYS(write, .fd = FD_MQ, .a = 1, .b = A_NOACCESS,
	     .expect = EFAULT));
	CASE("from a kernel address", SYS(write, .fd = FD_MQ, .a = 1, .b = A_KERNEL,
	     .expect = EFAULT));
	CASE("full queue, O_NONBLOCK", SYS(write, .fd = FD_MQ, .a = 1,
	     .setup = setup_full_nonblock, .expect = EAGAIN));
	CASE("empty queue, O_NONBLOCK", SYS(read, .fd = FD_MQ, .a = 64,
	     .setup = setup_empty_nonblock, .expect = EAGAIN));
	CASE("a channel destroyed with KIPC_DESTROY_NOW", SYS(read, .fd = FD_MQ, .a = 64,
	     .setup = setup_dead, .expect = EIDRM));
	CASE("a channel destroyed with KIPC_DESTROY_NOW", SYS(write, .fd = FD_MQ, .a = 1,
	     .setup = setup_dead, .expect = EIDRM));
	CASE("shared-page channel, 7 bytes", SYS(read, .fd = FD_SHM, .a = 7,
	     .expect = EINVAL));
	CASE("shared-page channel, 7 bytes", SYS(write, .fd = FD_SHM, .a = 7,
	     .expect = EINVAL));
	CASE("shared-page channel, 9 bytes", SYS(write, .fd = FD_SHM, .a = 9,
	     .expect = EINVAL));
	CASE("shared-page channel, 8 bytes (rings the doorbell)", SYS(write, .fd = FD_SHM,
	     .a = 8));
	CASE("shared-page channel, not rung, O_NONBLOCK", SYS(read, .fd = FD_SHM, .a = 8,
	     .setup = setup_nonblock, .expect = EAGAIN));
	CASE("shared-page channel, rung, into NULL (the ring counts as seen)", SYS(read,
	     .fd = FD_SHM, .a = 8, .b = A_NULL, .setup = setup_rung, .changes = true,
	     .expect = EFAULT));
	CASE("shared-page channel, read-only attachment", SYS(write, .fd = FD_SHM_RO, .a = 8,
	     .expect = EBADF));
	CASE("shared-page channel, write-only attachment", SYS(read, .fd = FD_SHM_WO, .a = 8,
	     .expect = EBADF));
	CASE("queue holding a message, read-write", SYS(poll, .fd = FD_MQ, .revents = true,
	     .expect = POLLIN | POLLOUT));
	CASE("queue holding a message, read-only", SYS(poll, .fd = FD_MQ_RO, .revents = true,
	     .expect = POLLIN));
	CASE("queue holding a message, write-only", SYS(poll, .fd = FD_MQ_WO, .revents = true,
	     .expect = POLLOUT));
	CASE("full queue, write-only", SYS(poll, .fd = FD_MQ_WO, .revents = true,
	     .setup = setup_full, .expect = 0));
	CASE("a queue destroyed with KIPC_DESTROY_NOW", SYS(poll, .fd = FD_MQ,
	     .revents = true, .setup = setup_dead, .expect = POLLERR | POLLHUP));
	CASE("shared-page channel, not rung", SYS(poll, .fd = FD_SHM, .revents = true,
	     .expect = POLLOUT));
	CASE("shared-page channel, rung", SYS(poll, .fd = FD_SHM_RO, .revents = true,
	     .setup = setup_rung, .expect = POLLIN));
	CASE("message queue (no file position)", SYS(lseek, .fd = FD_MQ, .expect = ESPIPE));
	CASE("message queue (no file position)", SYS(pread, .fd = FD_MQ, .expect = ESPIPE));
	CASE("message queue (no file position)", SYS(pwrite, .fd = FD_MQ, .expect = ESPIPE));

	CASE("command number 0x0e (one past the last)", SYS(ioctl, .fd = FD_NONE,
	     .val = _IO(KIPC_IOCTL_TYPE, 0x0e), .expect = ENOTTY));
	CASE("command number 0xff", SYS(ioctl, .fd = FD_NONE,
	     .val = _IO(KIPC_IOCTL_TYPE, 0xff), .expect = ENOTTY));
	CASE("another ioctl type (0xb7, number 0)", SYS(ioctl, .fd = FD_NONE,
	     .val = _IO(0xb7, 0), .expect = ENOTTY));
	CASE("KIPC_IOC_INFO's number with _IOR direction and size bits", SYS(ioctl,
	     .fd = FD_NONE, .val = _IOR(KIPC_IOCTL_TYPE, 0, struct kipc_info),
	     .expect = ENOTTY));
	CASE("KIPC_IOC_CREATE's number with _IOWR direction and size bits", SYS(ioctl,
	     .fd = FD_NONE, .val = _IOWR(KIPC_IOCTL_TYPE, 1, struct kipc_create),
	     .expect = ENOTTY));
	CASE("TCGETS (isatty)", SYS(ioctl, .fd = FD_MQ, .val = 0x5401, .expect = ENOTTY));
	CASE("command 0", SYS(ioctl, .fd = FD_NONE, .val = 0, .expect = ENOTTY));
#undef SYS
}

static void build_table(void)
{
	gen_struct_rules();
	gen_fields();
	gen_names();
	gen_fds();
	gen_messages();
	gen_syscalls();
}

#endif /* KIPC_BADINPUT_TABLE_H */
