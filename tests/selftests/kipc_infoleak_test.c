// SPDX-License-Identifier: GPL-2.0
/*
 * kselftest: kipc never hands user space a byte it should not see.
 *   - A receive (KIPC_IOC_RECV, read(2), KIPC_IOC_RECV_BATCH, KIPC_IOC_CALL's reply) writes
 *     exactly the message's length and nothing of an earlier message, even where the kernel
 *     reuses the freed buffer of a longer one; a zero-length or a too-large message writes
 *     nothing at all.
 *   - Every output struct comes back with its reserved fields zero, every output field set
 *     and every byte of a name after its NUL zero: the tests fill the structs with a poison
 *     pattern first, except for the input fields the call needs.  A creator's bytes after the
 *     NUL of its name must never reach anyone through KIPC_IOC_STAT or KIPC_IOC_LIST.
 *   - A new shared-page channel reads as zeros, also where its memory was another channel's.
 * Skips where /dev/kipc is missing or the module lacks the feature a test needs.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "kipc_selftest.h"

#define POISON		0xa5
#define POISON32	0xa5a5a5a5U
#define BUF_ROOM	4096
#define BIG_LEN		4000
#define BIG_BYTE	0x11
#define SMALL_LEN	5
#define SMALL_BYTE	0x22
#define LIST_ROOM	256

/* Room for the largest message and one to spare. */
static unsigned char payload[65536], inbox[65536 + 64];

static __u64 uptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

/* The first offset in [@from, @to) of @p whose byte is not @c, or @to. */
static size_t span(const void *p, int c, size_t from, size_t to)
{
	const unsigned char *b = p;

	while (from < to && b[from] == (unsigned char)c)
		from++;
	return from;
}

/*
 * The first 4-byte word of @p that still holds the poison, or -1: an output field the kernel
 * did not write.  The tests clear the input-only fields they poisoned before asking.
 */
static long poison_at(const void *p, size_t len)
{
	size_t i;
	__u32 w;

	for (i = 0; i + sizeof(w) <= len; i += sizeof(w)) {
		memcpy(&w, (const char *)p + i, sizeof(w));
		if (w == POISON32)
			return i;
	}
	return -1;
}

/*
 * What is wrong with a name from the kernel: the offset of its first non-zero byte after the
 * NUL, KIPC_NAME_MAX when it has no NUL, or -1 when nothing is.
 */
static int name_dirt(const char name[KIPC_NAME_MAX])
{
	size_t len = strnlen(name, KIPC_NAME_MAX), i;

	if (len == KIPC_NAME_MAX)
		return KIPC_NAME_MAX;
	for (i = len + 1; i < KIPC_NAME_MAX; i++)
		if (name[i])
			return i;
	return -1;
}

/* @buf holds @len bytes of @c, then the poison up to @room. */
static void expect_only(struct __test_metadata *_metadata, const unsigned char *buf, size_t room,
			size_t len, int c)
{
	EXPECT_EQ(len, span(buf, c, 0, len));
	EXPECT_EQ(room, span(buf, POISON, len, room))
		TH_LOG("byte %zu of %zu is %#x: the message was %zu bytes",
		       span(buf, POISON, len, room), room, buf[span(buf, POISON, len, room)], len);
}

/* Send @len bytes of @c (priority @prio) without waiting.  Return: 0 or -errno. */
static int send_fill(int fd, size_t len, int c, unsigned int prio)
{
	memset(payload, c, len);
	return kipc_send(fd, payload, len, prio, 0, 0);
}

/*
 * KIPC_IOC_RECV into @buf (@room bytes) with a struct that is poison except for its inputs;
 * the output fields are checked, the message length returned (or -errno).
 */
static long recv_poisoned(struct __test_metadata *_metadata, int fd, void *buf, __u32 room)
{
	struct kipc_msg m;
	int ret;

	memset(&m, POISON, sizeof(m));
	m.size = sizeof(m);
	m.flags = NB;
	m.buf = uptr(buf);
	m.len = room;
	ret = raw_ioctl(fd, KIPC_IOC_RECV, &m);
	if (ret)
		return -ret;
	/* timeout_ns is ignored without KIPC_MSG_TIMEOUT; everything else was written. */
	EXPECT_EQ(POISON32, (__u32)m.timeout_ns);
	m.timeout_ns = 0;
	EXPECT_EQ(-1, poison_at(&m, sizeof(m)));
	EXPECT_LE(m.priority, KIPC_PRIO_MAX);
	return m.len;
}

/* Create a queue @name whose name buffer holds "SECRET..." after the NUL.  Return: fd/-errno. */
static int create_dirty(const char *name, struct kipc_create *c)
{
	static const char secret[] = "SECRET";
	size_t i;

	create_arg(c, name);
	for (i = strlen(name) + 1; i < KIPC_NAME_MAX; i++)
		c->name[i] = secret[i % (sizeof(secret) - 1)];
	return create_fd(c);
}

/* KIPC_IOC_LIST of up to LIST_ROOM entries of @esize bytes into @buf, poisoned first. */
static int list_poisoned(struct __test_metadata *_metadata, int fd, unsigned char *buf,
			 __u32 esize, struct kipc_list *l)
{
	int ret;

	memset(buf, POISON, (size_t)LIST_ROOM * esize + 64);
	memset(l, POISON, sizeof(*l));
	l->size = sizeof(*l);
	l->flags = 0;
	l->entries = uptr(buf);
	l->count = LIST_ROOM;
	l->entry_size = esize;
	l->__reserved = 0;
	ret = raw_ioctl(fd, KIPC_IOC_LIST, l);
	if (ret)
		return -ret;
	EXPECT_EQ(-1, poison_at(l, sizeof(*l)));
	EXPECT_EQ(0, l->__reserved);
	EXPECT_GE(LIST_ROOM, l->total);
	EXPECT_EQ(l->total, l->count);
	/* Nothing past the entries written. */
	EXPECT_EQ((size_t)LIST_ROOM * esize + 64,
		  span(buf, POISON, (size_t)l->count * esize, (size_t)LIST_ROOM * esize + 64));
	return 0;
}

/* The entry of channel @id in a list of @count entries of @esize bytes, or NULL. */
static struct kipc_list_entry *list_find(unsigned char *buf, __u32 count, __u32 esize, __u32 id)
{
	__u32 i;

	for (i = 0; i < count; i++) {
		struct kipc_list_entry *e = (struct kipc_list_entry *)(buf + (size_t)i * esize);

		if (e->id == id)
			return e;
	}
	return NULL;
}

FIXTURE(leak) {
	KIPC_FIXTURE_FIELDS;
};

FIXTURE_SETUP(leak)
{
	KIPC_SETUP_MQ(self, "il");
}

FIXTURE_TEARDOWN(leak)
{
	KIPC_TEARDOWN(self);
}

/* ==== a receive writes the message and nothing else ========================================== */

TEST_F(leak, recv_writes_only_the_message)
{
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_fill(fd, BIG_LEN, BIG_BYTE, 0));
	ASSERT_EQ(BIG_LEN, recv_poisoned(_metadata, fd, inbox, BUF_ROOM));
	ASSERT_EQ(0, send_fill(fd, SMALL_LEN, SMALL_BYTE, 0));
	memset(inbox, POISON, BUF_ROOM);
	ASSERT_EQ(SMALL_LEN, recv_poisoned(_metadata, fd, inbox, BUF_ROOM));
	expect_only(_metadata, inbox, BUF_ROOM, SMALL_LEN, SMALL_BYTE);
	close(fd);
}

TEST_F(leak, read_writes_only_the_message)
{
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	memset(payload, BIG_BYTE, BIG_LEN);
	ASSERT_EQ(BIG_LEN, write(fd, payload, BIG_LEN));
	ASSERT_EQ(BIG_LEN, read(fd, inbox, BUF_ROOM));
	memset(payload, SMALL_BYTE, SMALL_LEN);
	ASSERT_EQ(SMALL_LEN, write(fd, payload, SMALL_LEN));
	memset(inbox, POISON, BUF_ROOM);
	ASSERT_EQ(SMALL_LEN, read(fd, inbox, BUF_ROOM));
	expect_only(_metadata, inbox, BUF_ROOM, SMALL_LEN, SMALL_BYTE);
	close(fd);
}

/*
 * Each entry gets its own message and nothing more; the struct and the entries (one longer
 * than this kernel's, with a zero tail) come back with every output set and the rest untouched.
 */
TEST_F(leak, recv_batch_writes_only_each_message)
{
	static const size_t lens[] = { SMALL_LEN, 1, 0, 300 };
	static unsigned char bufs[4][BUF_ROOM];
	struct {
		struct kipc_msg_vec v;
		__u64 tail;
	} vec[4];
	struct kipc_batch b;
	unsigned int i, round;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_BATCH);
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 4; i++) {
			size_t len = round ? lens[i] : BIG_LEN;

			ASSERT_EQ(0, send_fill(fd, len, round ? SMALL_BYTE + i : BIG_BYTE, i));
		}
		memset(bufs, POISON, sizeof(bufs));
		memset(vec, 0, sizeof(vec));
		for (i = 0; i < 4; i++) {
			vec[i].v.buf = uptr(bufs[i]);
			vec[i].v.len = BUF_ROOM;
			vec[i].v.priority = POISON32;
		}
		memset(&b, POISON, sizeof(b));
		b.size = sizeof(b);
		b.flags = NB;
		b.vec = uptr(vec);
		b.count = 4;
		b.vec_size = sizeof(vec[0]);
		b.__reserved = 0;
		ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_RECV_BATCH, &b));
		EXPECT_EQ(4, b.done);
		EXPECT_EQ(0, b.__reserved);
		EXPECT_EQ(POISON32, (__u32)b.timeout_ns);
		b.timeout_ns = 0;
		EXPECT_EQ(-1, poison_at(&b, sizeof(b)));
		/* Highest priority first: entry i holds the message sent with priority 3 - i. */
		for (i = 0; i < 4; i++) {
			size_t len = round ? lens[3 - i] : BIG_LEN;

			EXPECT_EQ(len, vec[i].v.len);
			EXPECT_EQ(3 - i, vec[i].v.priority);
			EXPECT_EQ(0, vec[i].v.__reserved);
			EXPECT_EQ(0, vec[i].tail);
			if (round)
				expect_only(_metadata, bufs[i], BUF_ROOM, len, SMALL_BYTE + 3 - i);
		}
	}
	close(fd);
}

/* The reply is queued before the call, so the call returns at once with it. */
TEST_F(leak, call_reply_writes_only_the_reply)
{
	struct kipc_call c;
	int rq, rp, round;

	REQUIRE_FEATURE(KIPC_FEATURE_CALL);
	rq = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, rq);
	rp = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, rp);
	for (round = 0; round < 2; round++) {
		size_t len = round ? SMALL_LEN : BIG_LEN;

		ASSERT_EQ(0, send_fill(rp, len, round ? SMALL_BYTE : BIG_BYTE, 3));
		memset(inbox, POISON, BUF_ROOM);
		memset(&c, POISON, sizeof(c));
		c.size = sizeof(c);
		c.flags = NB;
		c.req_buf = uptr("ping");
		c.req_len = 4;
		c.req_priority = 1;
		c.reply_fd = rp;
		c.reply_buf = uptr(inbox);
		c.reply_len = BUF_ROOM;
		ASSERT_EQ(0, raw_ioctl(rq, KIPC_IOC_CALL, &c));
		EXPECT_EQ(len, c.reply_len);
		EXPECT_EQ(3, c.reply_priority);
		EXPECT_EQ(1, c.sent);
		EXPECT_EQ(POISON32, (__u32)c.timeout_ns);
		c.timeout_ns = 0;
		EXPECT_EQ(-1, poison_at(&c, sizeof(c)));
		if (round)
			expect_only(_metadata, inbox, BUF_ROOM, SMALL_LEN, SMALL_BYTE);
	}
	EXPECT_EQ(2, depth_of(rq));
	close(rp);
	close(rq);
}

TEST_F(leak, zero_length_messages_write_nothing)
{
	struct kipc_msg_vec v = { 0 };
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	/* Something long went through first, so a careless copy would have bytes to show. */
	ASSERT_EQ(0, send_fill(fd, BIG_LEN, BIG_BYTE, 0));
	ASSERT_EQ(BIG_LEN, recv_poisoned(_metadata, fd, inbox, BUF_ROOM));
	ASSERT_EQ(0, send_fill(fd, 0, 0, 0));
	ASSERT_EQ(0, send_fill(fd, 0, 0, 0));
	ASSERT_EQ(0, send_fill(fd, 0, 0, 0));

	memset(inbox, POISON, BUF_ROOM);
	EXPECT_EQ(0, recv_poisoned(_metadata, fd, inbox, BUF_ROOM));
	expect_only(_metadata, inbox, BUF_ROOM, 0, 0);
	EXPECT_EQ(0, read(fd, inbox, BUF_ROOM));
	expect_only(_metadata, inbox, BUF_ROOM, 0, 0);
	if (self->info.features & KIPC_FEATURE_BATCH) {
		v.buf = uptr(inbox);
		v.len = BUF_ROOM;
		EXPECT_EQ(1, kipc_recv_batch(fd, &v, 1, 0, 0));
		EXPECT_EQ(0, v.len);
		expect_only(_metadata, inbox, BUF_ROOM, 0, 0);
	}
	EXPECT_EQ(0, depth_of(fd));
	close(fd);
}

/* EMSGSIZE leaves the message queued and writes none of it. */
TEST_F(leak, too_small_receives_write_nothing)
{
	struct kipc_msg_vec v = { 0 };
	struct kipc_msg m;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_fill(fd, 100, BIG_BYTE, 0));

	memset(inbox, POISON, BUF_ROOM);
	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.flags = NB;
	m.buf = uptr(inbox);
	m.len = 50;
	EXPECT_EQ(EMSGSIZE, raw_ioctl(fd, KIPC_IOC_RECV, &m));
	EXPECT_EQ(100, m.len);
	expect_only(_metadata, inbox, BUF_ROOM, 0, 0);

	EXPECT_EQ(-1, read(fd, inbox, 50));
	EXPECT_EQ(EMSGSIZE, errno);
	expect_only(_metadata, inbox, BUF_ROOM, 0, 0);

	if (self->info.features & KIPC_FEATURE_BATCH) {
		v.buf = uptr(inbox);
		v.len = 50;
		EXPECT_EQ(-EMSGSIZE, kipc_recv_batch(fd, &v, 1, 0, 0));
		expect_only(_metadata, inbox, BUF_ROOM, 0, 0);
	}
	EXPECT_EQ(1, depth_of(fd));
	close(fd);
}

/*
 * Big, receive, smaller, receive, over many sizes: the smaller message's buffer is most likely
 * the big one's freed slab object (or pages), so any copy past the message's length would show
 * the big one's bytes.
 */
TEST_F(leak, reused_buffers_carry_no_earlier_bytes)
{
	static const size_t sizes[] = {
		8, 24, 40, 56, 100, 120, 200, 250, 450, 500, 1000, 1500, 2000, 3000, 4000,
		6000, 8000, 12000, 16000, 30000, 40000, 65000,
	};
	unsigned int s, k, round, checked = 0;
	size_t i;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t big = sizes[s], room = big + 64;
		/* Same size class as the big one, just below it, and the smallest. */
		size_t smalls[] = { big - big / 4, big - 1, 1 };

		if (big > self->info.max_msg_size || big > 65536)
			continue;
		for (round = 0; round < 8; round++) {
			for (k = 0; k < 3; k++) {
				int c = 0x40 + round;

				ASSERT_EQ(0, send_fill(fd, big, BIG_BYTE + round, 0));
				ASSERT_EQ(big, recv_poisoned(_metadata, fd, inbox, room));
				ASSERT_EQ(0, send_fill(fd, smalls[k], c, 0));
				memset(inbox, POISON, room);
				ASSERT_EQ(smalls[k], recv_poisoned(_metadata, fd, inbox, room));
				ASSERT_EQ(smalls[k], span(inbox, c, 0, smalls[k]));
				i = span(inbox, POISON, smalls[k], room);
				ASSERT_EQ(room, i) TH_LOG("big %zu, small %zu: byte %zu is %#x",
							  big, smalls[k], i, inbox[i]);
				checked++;
			}
		}
	}
	EXPECT_LT(100, checked);
	close(fd);
}

/* ==== output structs: reserved fields zero, every output written ============================= */

TEST_F(leak, info_is_all_output)
{
	struct kipc_info i;

	REQUIRE_KIPC();
	memset(&i, POISON, sizeof(i));
	i.size = sizeof(i);
	i.flags = 0;
	i.__reserved = 0;
	ASSERT_EQ(0, raw_ioctl(self->ctl, KIPC_IOC_INFO, &i));
	EXPECT_EQ(0, i.__reserved);
	EXPECT_EQ(KIPC_ABI_VERSION, i.abi_version);
	EXPECT_EQ(KIPC_NAME_MAX - 1, i.max_name_len);
	EXPECT_EQ(-1, poison_at(&i, sizeof(i)));
}

/* The name comes in with poison after its NUL; it goes out with zeros there. */
TEST_F(leak, stat_by_name_is_all_output)
{
	struct kipc_stat st;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, send_fill(fd, 10, BIG_BYTE, 2));
	memset(&st, POISON, sizeof(st));
	st.size = sizeof(st);
	st.flags = 0;
	memcpy(st.name, self->name, strlen(self->name) + 1);
	ASSERT_EQ(0, raw_ioctl(self->ctl, KIPC_IOC_STAT, &st));
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(-1, name_dirt(st.name));
	EXPECT_EQ(0, st.access);
	EXPECT_EQ(0, st.__reserved2);
	EXPECT_EQ(1, st.depth);
	EXPECT_EQ(-1, poison_at(&st, sizeof(st)));
	close(fd);
}

/* KIPC_STAT_SELF ignores the name, so it comes in all poison, without a NUL. */
TEST_F(leak, stat_self_is_all_output)
{
	struct kipc_stat st;
	int fd;

	REQUIRE_MQ();
	fd = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd);
	memset(&st, POISON, sizeof(st));
	st.size = sizeof(st);
	st.flags = KIPC_STAT_SELF;
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_STAT, &st));
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(-1, name_dirt(st.name));
	EXPECT_EQ(RW, st.access);
	EXPECT_EQ(0, st.__reserved2);
	EXPECT_EQ(-1, poison_at(&st, sizeof(st)));
	close(fd);
}

static void check_list(struct __test_metadata *_metadata, int ctl, __u32 esize, int fd1,
		       int fd2)
{
	static unsigned char buf[LIST_ROOM * (sizeof(struct kipc_list_entry) + 64) + 64];
	struct kipc_stat st1, st2;
	struct kipc_list l;
	__u32 i;

	ASSERT_EQ(0, kipc_stat_self(fd1, &st1));
	ASSERT_EQ(0, kipc_stat_self(fd2, &st2));
	ASSERT_EQ(0, list_poisoned(_metadata, ctl, buf, esize, &l));
	ASSERT_LE(2, l.count);
	EXPECT_NE(NULL, list_find(buf, l.count, esize, st1.id));
	EXPECT_NE(NULL, list_find(buf, l.count, esize, st2.id));
	for (i = 0; i < l.count; i++) {
		unsigned char *e = buf + (size_t)i * esize;
		struct kipc_list_entry *le = (struct kipc_list_entry *)e;

		EXPECT_EQ(-1, name_dirt(le->name)) TH_LOG("entry %u (%s)", i, le->name);
		EXPECT_EQ(0, le->__reserved);
		EXPECT_EQ(-1, poison_at(e, sizeof(*le)));
		/* The part of a longer entry this kernel does not know is zero-filled. */
		EXPECT_EQ(esize, span(e, 0, sizeof(*le), esize));
	}
}

/* Entries of exactly the kernel's size, and longer ones, whose tail must come back zeroed. */
TEST_F(leak, list_entries_are_all_output)
{
	int fd1, fd2;

	REQUIRE_MQ();
	fd1 = q_new(self->name, 0, 0, 0);
	ASSERT_LE(0, fd1);
	fd2 = q_new(self->name2, 0, 0, 0);
	ASSERT_LE(0, fd2);
	check_list(_metadata, self->ctl, sizeof(struct kipc_list_entry), fd1, fd2);
	check_list(_metadata, self->ctl, sizeof(struct kipc_list_entry) + 40, fd1, fd2);
	check_list(_metadata, self->ctl, sizeof(struct kipc_list_entry) + 64, fd1, fd2);
	close(fd2);
	close(fd1);
}

/* KIPC_IOC_NOTIFY, KIPC_IOC_WAIT, KIPC_STAT_SELF and read(2) of a shared-page channel. */
TEST_F(leak, doorbell_structs_are_all_output)
{
	unsigned char rbuf[16];
	struct kipc_notify n;
	struct kipc_stat st;
	struct kipc_wait w;
	__u64 seq;
	int fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	REQUIRE_FEATURE(KIPC_FEATURE_DOORBELL);
	fd = kipc_shm_open(self->name, KIPC_CREATE_EXCL, 0600, RW, 4096);
	ASSERT_LE(0, fd);

	memset(&n, POISON, sizeof(n));
	n.size = sizeof(n);
	n.flags = 0;
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_NOTIFY, &n));
	EXPECT_EQ(1, n.seq);
	EXPECT_EQ(-1, poison_at(&n, sizeof(n)));

	memset(&w, POISON, sizeof(w));
	w.size = sizeof(w);
	w.flags = NB;
	w.seq = 0;
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_WAIT, &w));
	EXPECT_EQ(1, w.observed);
	EXPECT_EQ(POISON32, (__u32)w.timeout_ns);
	w.timeout_ns = 0;
	EXPECT_EQ(-1, poison_at(&w, sizeof(w)));

	/* read(2) returns the 8-byte sequence and writes nothing past it. */
	ASSERT_EQ(0, kipc_notify(fd, NULL));
	memset(rbuf, POISON, sizeof(rbuf));
	ASSERT_EQ(8, read(fd, rbuf, sizeof(rbuf)));
	memcpy(&seq, rbuf, sizeof(seq));
	EXPECT_EQ(2, seq);
	EXPECT_EQ(sizeof(rbuf), span(rbuf, POISON, 8, sizeof(rbuf)));

	memset(&st, POISON, sizeof(st));
	st.size = sizeof(st);
	st.flags = KIPC_STAT_SELF;
	ASSERT_EQ(0, raw_ioctl(fd, KIPC_IOC_STAT, &st));
	EXPECT_EQ(KIPC_TYPE_SHM, st.type);
	EXPECT_EQ(-1, name_dirt(st.name));
	EXPECT_EQ(RW, st.access);
	EXPECT_EQ(0, st.__reserved2);
	EXPECT_EQ(-1, poison_at(&st, sizeof(st)));
	close(fd);
}

/* ==== a creator's bytes after the NUL of its name ============================================= */

/*
 * The name is what comes before the NUL: the channel is found by its clean name, and nobody
 * sees what its creator left after the NUL, through KIPC_IOC_STAT by name or of an attachment.
 */
TEST_F(leak, creator_name_tail_not_in_stat)
{
	struct kipc_attach a = { .access = KIPC_ACCESS_READ };
	struct kipc_create c;
	struct kipc_stat st;
	int fd, other, att;

	REQUIRE_MQ();
	fd = create_dirty(self->name, &c);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	other = kipc_open(0);
	ASSERT_LE(0, other);

	memset(&st, POISON, sizeof(st));
	ASSERT_EQ(0, kipc_stat_name(other, self->name, &st));
	EXPECT_EQ(c.id, st.id);
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(-1, name_dirt(st.name))
		TH_LOG("STAT by name shows the creator's bytes after the NUL: \"%.*s\"",
		       (int)(KIPC_NAME_MAX - strlen(st.name) - 1), st.name + strlen(st.name) + 1);

	/* Attach by the clean name finds it. */
	att = kipc_open(0);
	ASSERT_LE(0, att);
	copy_name(a.name, self->name);
	ASSERT_EQ(0, kipc_attach(att, &a));
	EXPECT_EQ(c.id, a.id);
	memset(&st, POISON, sizeof(st));
	ASSERT_EQ(0, kipc_stat_self(att, &st));
	EXPECT_STREQ(self->name, st.name);
	EXPECT_EQ(-1, name_dirt(st.name));
	close(att);
	close(other);
	close(fd);
}

TEST_F(leak, creator_name_tail_not_in_list)
{
	static unsigned char buf[LIST_ROOM * sizeof(struct kipc_list_entry) + 64];
	struct kipc_list_entry *e;
	struct kipc_create c;
	struct kipc_list l;
	int fd, other;

	REQUIRE_MQ();
	fd = create_dirty(self->name, &c);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
	other = kipc_open(0);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, list_poisoned(_metadata, other, buf, sizeof(*e), &l));
	e = list_find(buf, l.count, sizeof(*e), c.id);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->name, e->name);
	EXPECT_EQ(-1, name_dirt(e->name))
		TH_LOG("LIST shows the creator's bytes after the NUL: \"%.*s\"",
		       (int)(KIPC_NAME_MAX - strlen(e->name) - 1), e->name + strlen(e->name) + 1);
	close(other);
	close(fd);
}

/* Bytes after the NUL are no part of the name: opening, EXCL and destroy all agree. */
TEST_F(leak, name_ends_at_its_nul)
{
	struct kipc_create c, again;
	int fd, fd2;

	REQUIRE_MQ();
	fd = create_dirty(self->name, &c);
	ASSERT_LE(0, fd);
	create_arg(&again, self->name);
	again.flags = 0;
	fd2 = create_fd(&again);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(0, again.created);
	EXPECT_EQ(c.id, again.id);
	close(fd2);

	create_arg(&again, self->name);
	memset(again.name + strlen(self->name) + 1, 'x', 8);
	EXPECT_EQ(-EEXIST, create_fd(&again));
	EXPECT_EQ(0, kipc_destroy(self->ctl, self->name, 0));
	close(fd);
}

/* ==== new shared pages are zero ============================================================== */

/*
 * Channels of one size, each filled with 0xff, unmapped and destroyed before the next: the
 * freed pages are the likeliest to back the next one, which must still read as zeros.
 */
TEST_F(leak, shm_memory_of_a_dead_channel_reads_as_zeros)
{
	size_t size = 64 * sysconf(_SC_PAGESIZE), len, i;
	unsigned char *p;
	int round, fd;

	REQUIRE_FEATURE(KIPC_FEATURE_SHM);
	if (size > self->info.max_shm_size)
		size = self->info.max_shm_size;
	for (round = 0; round < 5; round++) {
		const char *name = round < 4 ? self->name2 : self->name;

		fd = kipc_shm_open(name, KIPC_CREATE_EXCL, 0600, RW, size);
		ASSERT_LE(0, fd) TH_LOG("%s", strerror(-fd));
		p = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &len, NULL);
		ASSERT_NE(NULL, p);
		ASSERT_EQ(size, len);
		i = span(p, 0, 0, len);
		EXPECT_EQ(len, i) TH_LOG("round %d: byte %zu is %#x", round, i, p[i]);
		memset(p, 0xff, len);
		ASSERT_EQ(0, munmap(p, len));
		close(fd);
		ASSERT_EQ(0, kipc_destroy(self->ctl, name, 0));
	}
}

TEST_HARNESS_MAIN
