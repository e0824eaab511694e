// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: the struct rules of every message-queue ioctl (uapi/linux/kipc.h, "Rules every
 * ioctl follows"), checked the iommufd way for each command:
 *   - size one byte short of the last required field             -> EINVAL
 *   - one byte longer with a non-zero tail                        -> E2BIG
 *   - one byte longer with a zero tail                            -> works, tail untouched
 *   - exactly the required fields                                 -> works, nothing written past
 *   - every flag bit the command does not define                  -> EOPNOTSUPP
 *   - a NULL, wild or half-mapped argument                        -> EFAULT
 * The "cmd" fixture runs each of those once per command (a variant per command); the "ptr"
 * fixture covers the reserved fields and the user pointers inside the structs.
 * Skips where /dev/kipc is missing or the module lacks the command's feature.
 */
#include <sys/mman.h>

/* The tests' channels and skip reason live in self->ch, not in self. */
#define KIPC_FX (&self->ch)
#include "kipc_selftest.h"

#define MSG_FLAGS	(KIPC_MSG_NONBLOCK | KIPC_MSG_TIMEOUT)
/* Room for the largest struct plus a tail. */
#define ARG_ROOM	512

static __u64 uptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* Two pages, the second unmapped: the end of the first is a cliff.  Return: the cliff. */
static unsigned char *cliff(void)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;

	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	munmap(p + page, page);
	return p + page;
}

/* A page that may not be touched. */
static void *no_access_page(void)
{
	void *p = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * The channels both fixtures work on: @rw attached read-write to @name (the requests), @reply
 * attached read-write to @name2 (the replies of KIPC_IOC_CALL), @ctl unattached.
 */
struct chans {
	KIPC_FIXTURE_FIELDS;
	int rw, reply;
	char why[96];			/* room for the skip reason of a variant */
};

#define CHANS_SETUP(ch, _need, _what) do {					\
	(ch)->rw = (ch)->reply = -1;						\
	KIPC_SETUP_MQ(ch, "io");						\
	if ((~(ch)->info.features) & (_need)) {					\
		snprintf((ch)->why, sizeof((ch)->why), "the module lacks %s", (_what)); \
		(ch)->skip = (ch)->why;						\
		SKIP(return, "%s", (ch)->skip);					\
	}									\
	(ch)->rw = q_new((ch)->name, 0, 0, 0);					\
	ASSERT_LE(0, (ch)->rw) TH_LOG("%s", strerror(-(ch)->rw));		\
	(ch)->reply = q_new((ch)->name2, 0, 0, 0);				\
	ASSERT_LE(0, (ch)->reply) TH_LOG("%s", strerror(-(ch)->reply));	\
} while (0)

static void chans_teardown(struct chans *ch)
{
	if (ch->rw >= 0)
		close(ch->rw);
	if (ch->reply >= 0)
		close(ch->reply);
	KIPC_TEARDOWN(ch);
}

/* ==== the struct rules, once per command ====================================================== */

FIXTURE(cmd) {
	struct chans ch;
	int fresh;				/* a new unattached fd for each attach */
	char payload[4];
	char room[2][64];
	struct kipc_msg_vec vec[2];
	struct kipc_list_entry entries[8];
};

/*
 * One command: what a valid argument looks like (prepare() writes it into a zeroed buffer and
 * returns the fd to issue it on) and where its size rules draw the lines.
 */
FIXTURE_VARIANT(cmd) {
	unsigned long cmd;
	unsigned int size;		/* sizeof() the struct */
	unsigned int min_size;		/* offsetofend() of its last required field */
	__u32 known_flags;
	__u64 features;			/* beyond KIPC_FEATURE_MQ */
	const char *feature_name;
	int (*prepare)(FIXTURE_DATA(cmd) *self, void *arg);
};

FIXTURE_SETUP(cmd)
{
	self->fresh = -1;
	CHANS_SETUP(&self->ch, variant->features, variant->feature_name);
	memcpy(self->payload, "abcd", 4);
}

FIXTURE_TEARDOWN(cmd)
{
	if (self->fresh >= 0)
		close(self->fresh);
	chans_teardown(&self->ch);
}

static int prepare_create(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_create *c = arg;

	/* Unattached and without EXCL, so it works every time. */
	c->type = KIPC_TYPE_MQ;
	c->mode = 0600;
	copy_name(c->name, self->ch.name3);
	return self->ch.ctl;
}

static int prepare_attach(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_attach *a = arg;

	if (self->fresh >= 0)
		close(self->fresh);
	self->fresh = kipc_open(0);
	a->access = KIPC_ACCESS_READ;
	copy_name(a->name, self->ch.name);
	return self->fresh;
}

static int prepare_destroy(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_create c = { .type = KIPC_TYPE_MQ, .mode = 0600 };
	struct kipc_destroy *d = arg;
	int ret;

	copy_name(c.name, self->ch.name3);
	ret = kipc_create(self->ch.ctl, &c);
	if (ret)
		return ret;
	copy_name(d->name, self->ch.name3);
	return self->ch.ctl;
}

static int prepare_stat(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_stat *st = arg;

	copy_name(st->name, self->ch.name);
	return self->ch.ctl;
}

static int prepare_list(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_list *l = arg;

	l->entries = uptr(self->entries);
	l->count = 8;
	l->entry_size = sizeof(self->entries[0]);
	return self->ch.ctl;
}

static int prepare_send(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_msg *m = arg;

	m->buf = uptr(self->payload);
	m->len = sizeof(self->payload);
	m->priority = 1;
	return self->ch.rw;
}

static int prepare_recv(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_msg *m = arg;
	int ret;

	/* Something to receive, so no variant of the call can wait. */
	ret = kipc_send(self->ch.rw, self->payload, sizeof(self->payload), 0, NB, 0);
	if (ret)
		return ret;
	m->buf = uptr(self->room[0]);
	m->len = sizeof(self->room[0]);
	return self->ch.rw;
}

static void fill_vec(FIXTURE_DATA(cmd) *self, bool recv)
{
	int i;

	memset(self->vec, 0, sizeof(self->vec));
	for (i = 0; i < 2; i++) {
		self->vec[i].buf = uptr(recv ? self->room[i] : self->payload);
		self->vec[i].len = recv ? sizeof(self->room[i]) : sizeof(self->payload);
	}
}

static int prepare_send_batch(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_batch *b = arg;

	fill_vec(self, false);
	b->vec = uptr(self->vec);
	b->count = 2;
	b->vec_size = sizeof(self->vec[0]);
	return self->ch.rw;
}

static int prepare_recv_batch(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_batch *b = arg;
	int ret;

	ret = kipc_send(self->ch.rw, self->payload, sizeof(self->payload), 0, NB, 0);
	if (ret)
		return ret;
	fill_vec(self, true);
	b->vec = uptr(self->vec);
	b->count = 2;
	b->vec_size = sizeof(self->vec[0]);
	return self->ch.rw;
}

static int prepare_call(FIXTURE_DATA(cmd) *self, void *arg)
{
	struct kipc_call *c = arg;
	int ret;

	/* The reply is there before the request: the call never waits. */
	ret = kipc_send(self->ch.reply, "re", 2, 0, NB, 0);
	if (ret)
		return ret;
	c->req_buf = uptr(self->payload);
	c->req_len = sizeof(self->payload);
	c->reply_fd = self->ch.reply;
	c->reply_buf = uptr(self->room[0]);
	c->reply_len = sizeof(self->room[0]);
	return self->ch.rw;
}

#define CMD_VARIANT(_name, _cmd, _struct, _last, _flags, _features, _prepare)	\
	FIXTURE_VARIANT_ADD(cmd, _name) {					\
		.cmd = _cmd,							\
		.size = sizeof(_struct),					\
		.min_size = offsetofend(_struct, _last),			\
		.known_flags = _flags,						\
		.features = _features,						\
		.feature_name = #_features,					\
		.prepare = _prepare,						\
	}

CMD_VARIANT(create, KIPC_IOC_CREATE, struct kipc_create, overflow,
	    KIPC_CREATE_EXCL | KIPC_CREATE_AUTODESTROY, KIPC_FEATURE_MQ, prepare_create);
CMD_VARIANT(attach, KIPC_IOC_ATTACH, struct kipc_attach, name, 0, KIPC_FEATURE_MQ,
	    prepare_attach);
CMD_VARIANT(destroy, KIPC_IOC_DESTROY, struct kipc_destroy, name, KIPC_DESTROY_NOW,
	    KIPC_FEATURE_MQ, prepare_destroy);
CMD_VARIANT(stat, KIPC_IOC_STAT, struct kipc_stat, name, KIPC_STAT_SELF, KIPC_FEATURE_MQ,
	    prepare_stat);
CMD_VARIANT(list, KIPC_IOC_LIST, struct kipc_list, __reserved, 0, KIPC_FEATURE_MQ,
	    prepare_list);
CMD_VARIANT(send, KIPC_IOC_SEND, struct kipc_msg, timeout_ns, MSG_FLAGS, KIPC_FEATURE_MQ,
	    prepare_send);
CMD_VARIANT(recv, KIPC_IOC_RECV, struct kipc_msg, timeout_ns, MSG_FLAGS, KIPC_FEATURE_MQ,
	    prepare_recv);
CMD_VARIANT(send_batch, KIPC_IOC_SEND_BATCH, struct kipc_batch, __reserved, MSG_FLAGS,
	    KIPC_FEATURE_BATCH, prepare_send_batch);
CMD_VARIANT(recv_batch, KIPC_IOC_RECV_BATCH, struct kipc_batch, __reserved, MSG_FLAGS,
	    KIPC_FEATURE_BATCH, prepare_recv_batch);
CMD_VARIANT(call, KIPC_IOC_CALL, struct kipc_call, timeout_ns, MSG_FLAGS, KIPC_FEATURE_CALL,
	    prepare_call);

/* A zeroed argument buffer, valid for the variant's command.  Return: the fd to use. */
static int prepare(FIXTURE_DATA(cmd) *self, const FIXTURE_VARIANT(cmd) *variant,
		   unsigned char arg[ARG_ROOM])
{
	memset(arg, 0, ARG_ROOM);
	return variant->prepare(self, arg);
}

static void set_size(unsigned char *arg, __u32 size)
{
	memcpy(arg, &size, sizeof(size));
}

static void set_flags(unsigned char *arg, __u32 flags)
{
	memcpy(arg + 4, &flags, sizeof(flags));
}

TEST_F(cmd, size_one_byte_short_is_einval)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	int fd;

	REQUIRE_MQ();
	fd = prepare(self, variant, arg);
	ASSERT_LE(0, fd);
	set_size(arg, variant->min_size - 1);
	EXPECT_EQ(EINVAL, raw_ioctl(fd, variant->cmd, arg));
	set_size(arg, 0);
	EXPECT_EQ(EINVAL, raw_ioctl(fd, variant->cmd, arg));
	set_size(arg, 8);
	EXPECT_EQ(EINVAL, raw_ioctl(fd, variant->cmd, arg));
}

TEST_F(cmd, size_one_byte_long_nonzero_tail_is_e2big)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	int fd;

	REQUIRE_MQ();
	fd = prepare(self, variant, arg);
	ASSERT_LE(0, fd);
	set_size(arg, variant->size + 1);
	arg[variant->size] = 1;
	EXPECT_EQ(E2BIG, raw_ioctl(fd, variant->cmd, arg));

	/* Further out, still inside the caller's size. */
	arg[variant->size] = 0;
	arg[variant->size + 7] = 0xff;
	set_size(arg, variant->size + 8);
	EXPECT_EQ(E2BIG, raw_ioctl(fd, variant->cmd, arg));
}

TEST_F(cmd, size_one_byte_long_zero_tail_works)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	__u32 size;
	int fd;

	REQUIRE_MQ();
	fd = prepare(self, variant, arg);
	ASSERT_LE(0, fd);
	set_size(arg, variant->size + 1);
	ASSERT_EQ(0, raw_ioctl(fd, variant->cmd, arg));
	memcpy(&size, arg, sizeof(size));
	EXPECT_EQ(variant->size + 1, size);
	EXPECT_EQ(0, arg[variant->size]);
}

/* An old caller that knew only the required fields: works, nothing written past its size. */
TEST_F(cmd, required_fields_only_work_and_are_not_overrun)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	unsigned int i;
	int fd;

	REQUIRE_MQ();
	fd = prepare(self, variant, arg);
	ASSERT_LE(0, fd);
	set_size(arg, variant->min_size);
	memset(arg + variant->min_size, 0xa5, ARG_ROOM - variant->min_size);
	ASSERT_EQ(0, raw_ioctl(fd, variant->cmd, arg));
	for (i = variant->min_size; i < ARG_ROOM; i++)
		ASSERT_EQ(0xa5, arg[i]) TH_LOG("byte %u written", i);
}

TEST_F(cmd, unknown_flag_bits_are_eopnotsupp)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	int fd, bit;

	REQUIRE_MQ();
	for (bit = 0; bit < 32; bit++) {
		if (variant->known_flags & (1U << bit))
			continue;
		fd = prepare(self, variant, arg);
		ASSERT_LE(0, fd);
		set_size(arg, variant->size);
		set_flags(arg, 1U << bit);
		EXPECT_EQ(EOPNOTSUPP, raw_ioctl(fd, variant->cmd, arg)) TH_LOG("flag bit %d", bit);
	}
}

TEST_F(cmd, null_or_wild_argument_is_efault)
{
	unsigned char arg[ARG_ROOM] __attribute__((aligned(8)));
	int fd;

	REQUIRE_MQ();
	fd = prepare(self, variant, arg);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EFAULT, raw_ioctl(fd, variant->cmd, NULL));
	EXPECT_EQ(EFAULT, raw_ioctl(fd, variant->cmd, (void *)1));
	EXPECT_EQ(EFAULT, raw_ioctl(fd, variant->cmd, KERNEL_ADDR));
}

/* size and flags are readable, the rest of the struct is not. */
TEST_F(cmd, argument_running_into_an_unmapped_page_is_efault)
{
	unsigned char *end = cliff(), *arg;
	int fd;

	REQUIRE_MQ();
	ASSERT_NE(NULL, end);
	arg = end - 8;
	fd = prepare(self, variant, (unsigned char[ARG_ROOM]){ 0 });
	ASSERT_LE(0, fd);
	set_size(arg, variant->size);
	set_flags(arg, 0);
	EXPECT_EQ(EFAULT, raw_ioctl(fd, variant->cmd, arg));
}

/* ==== reserved fields and the pointers inside the structs ===================================== */

FIXTURE(ptr) {
	struct chans ch;
};

FIXTURE_SETUP(ptr)
{
	CHANS_SETUP(&self->ch, 0, "KIPC_FEATURE_MQ");
}

FIXTURE_TEARDOWN(ptr)
{
	chans_teardown(&self->ch);
}

static int msg_ioctl(int fd, unsigned long cmd, const void *buf, __u32 len)
{
	struct kipc_msg m = {
		.size = sizeof(m),
		.flags = NB,
		.buf = uptr(buf),
		.len = len,
	};

	return raw_ioctl(fd, cmd, &m);
}

static int batch_ioctl(int fd, unsigned long cmd, const void *vec, __u32 reserved)
{
	struct kipc_batch b = {
		.size = sizeof(b),
		.flags = NB,
		.vec = uptr(vec),
		.count = 1,
		.vec_size = sizeof(struct kipc_msg_vec),
		.__reserved = reserved,
	};

	return raw_ioctl(fd, cmd, &b);
}

/*
 * Make sure one message waits.  Whether a receive that faults keeps its message is not part
 * of the contract, so each faulting receive gets a message of its own.
 */
static int one_waiting(int fd)
{
	int depth = depth_of(fd);

	if (depth < 0)
		return depth;
	return depth ? 0 : kipc_send(fd, "abcd", 4, 0, NB, 0);
}

TEST_F(ptr, send_from_bad_memory_is_efault)
{
	unsigned char *end = cliff();
	void *none = no_access_page();

	REQUIRE_MQ();
	ASSERT_NE(NULL, end);
	ASSERT_NE(NULL, none);
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_SEND, NULL, 4));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_SEND, none, 4));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_SEND, KERNEL_ADDR, 4));
	/* The first two bytes readable, the other two not. */
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_SEND, end - 2, 4));
	EXPECT_EQ(-1, write(self->ch.rw, none, 4));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing half-sent got queued. */
	EXPECT_EQ(0, depth_of(self->ch.rw));
}

TEST_F(ptr, recv_into_bad_memory_is_efault)
{
	void *none = no_access_page();
	const void *ro = "read-only string";

	REQUIRE_MQ();
	ASSERT_NE(NULL, none);
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_RECV, NULL, 64));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_RECV, none, 64));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_RECV, KERNEL_ADDR, 64));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, msg_ioctl(self->ch.rw, KIPC_IOC_RECV, ro, 64));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(-1, read(self->ch.rw, none, 64));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ptr, list_into_bad_memory_is_efault)
{
	struct kipc_list l = {
		.size = sizeof(l),
		.count = 4,
		.entry_size = sizeof(struct kipc_list_entry),
	};
	void *none = no_access_page();

	REQUIRE_MQ();
	ASSERT_NE(NULL, none);
	/* The fixture's channels are there to be written out. */
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.ctl, KIPC_IOC_LIST, &l));
	l.entries = uptr(none);
	l.count = 4;
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.ctl, KIPC_IOC_LIST, &l));
	l.entries = uptr(KERNEL_ADDR);
	l.count = 4;
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.ctl, KIPC_IOC_LIST, &l));
}

TEST_F(ptr, list_reserved_is_einval)
{
	struct kipc_list_entry e[4];
	struct kipc_list l = {
		.size = sizeof(l),
		.entries = uptr(e),
		.count = 4,
		.entry_size = sizeof(e[0]),
		.__reserved = 1,
	};

	REQUIRE_MQ();
	EXPECT_EQ(EINVAL, raw_ioctl(self->ch.ctl, KIPC_IOC_LIST, &l));
	l.__reserved = 0x80000000;
	EXPECT_EQ(EINVAL, raw_ioctl(self->ch.ctl, KIPC_IOC_LIST, &l));
}

TEST_F(ptr, send_batch_bad_vec_or_buf_is_efault)
{
	struct kipc_msg_vec v = { .len = 4 };
	void *none = no_access_page();

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	ASSERT_NE(NULL, none);
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, NULL, 0));
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, none, 0));
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, KERNEL_ADDR, 0));
	v.buf = 0;
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, &v, 0));
	v.buf = uptr(none);
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, &v, 0));
	EXPECT_EQ(0, depth_of(self->ch.rw));
}

TEST_F(ptr, recv_batch_bad_vec_or_buf_is_efault)
{
	struct kipc_msg_vec v = { .len = 64 };
	void *none = no_access_page();

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	ASSERT_NE(NULL, none);
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, NULL, 0));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, none, 0));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, KERNEL_ADDR, 0));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	v.buf = 0;
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, &v, 0));
	ASSERT_EQ(0, one_waiting(self->ch.rw));
	v.buf = uptr(none);
	EXPECT_EQ(EFAULT, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, &v, 0));
}

TEST_F(ptr, batch_reserved_is_einval)
{
	char room[64];
	struct kipc_msg_vec v = { .buf = uptr(room), .len = 4 };

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	EXPECT_EQ(EINVAL, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, &v, 1));
	EXPECT_EQ(0, depth_of(self->ch.rw));
	ASSERT_EQ(0, kipc_send(self->ch.rw, "abcd", 4, 0, NB, 0));
	v.len = sizeof(room);
	EXPECT_EQ(EINVAL, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, &v, 1));
	EXPECT_EQ(1, depth_of(self->ch.rw));
}

TEST_F(ptr, batch_vec_reserved_is_einval)
{
	char room[64];
	struct kipc_msg_vec v = { .buf = uptr(room), .len = 4, .__reserved = 1 };

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	EXPECT_EQ(EINVAL, batch_ioctl(self->ch.rw, KIPC_IOC_SEND_BATCH, &v, 0));
	EXPECT_EQ(0, depth_of(self->ch.rw));
	ASSERT_EQ(0, kipc_send(self->ch.rw, "abcd", 4, 0, NB, 0));
	v.len = sizeof(room);
	v.__reserved = 1ULL << 63;
	EXPECT_EQ(EINVAL, batch_ioctl(self->ch.rw, KIPC_IOC_RECV_BATCH, &v, 0));
	EXPECT_EQ(1, depth_of(self->ch.rw));
}

TEST_F(ptr, call_bad_buffers_are_efault)
{
	struct kipc_call c;
	char room[64];
	void *none = no_access_page();

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	ASSERT_NE(NULL, none);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = NB;
	c.req_len = 4;
	c.reply_fd = self->ch.reply;
	c.reply_buf = uptr(room);
	c.reply_len = sizeof(room);

	/* A request that cannot be read. */
	c.req_buf = 0;
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.rw, KIPC_IOC_CALL, &c));
	c.req_buf = uptr(none);
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.rw, KIPC_IOC_CALL, &c));
	EXPECT_EQ(0, depth_of(self->ch.rw));

	/* A reply, already waiting, that cannot be written out. */
	ASSERT_EQ(0, kipc_send(self->ch.reply, "re", 2, 0, NB, 0));
	c.req_buf = uptr("ping");
	c.reply_buf = uptr(none);
	EXPECT_EQ(EFAULT, raw_ioctl(self->ch.rw, KIPC_IOC_CALL, &c));
}

TEST_HARNESS_MAIN
