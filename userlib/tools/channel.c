// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl's channel commands: ls, stat, create, rm, send, recv, watch.  ls, create and rm are
 * ipcs, ipcmk and ipcrm for kipc channels.
 */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kipcctl.h"

#define NS_PER_MS	1000000ULL

static const char *const type_names[] = { [KIPC_TYPE_MQ] = "mq", [KIPC_TYPE_SHM] = "shm" };
static const char *const overflow_names[] = {
	[KIPC_OVERFLOW_BLOCK] = "block",
	[KIPC_OVERFLOW_FAIL] = "fail",
	[KIPC_OVERFLOW_DROP] = "drop",
};

#define NAME_OF(table, i) \
	((i) < sizeof(table) / sizeof(table[0]) && (table)[i] ? (table)[i] : "?")

/*
 * struct why - what an error's line can name beside the errno: the limit that was met
 * @fd: an fd on the device (attached, for send and recv), to read the limits and the depth
 * @len: send: the message's whole length
 * @cr: create: what was asked
 */
struct why {
	int fd;
	unsigned long long len;
	const struct kipc_create *cr;
};

/* The line for an error at a limit, naming it and its value; NULL when @err is none of those. */
static const char *limit_reason(const char *cmd, int err, const struct why *why, char *buf,
				size_t len)
{
	char a[32], b[32];
	struct kipc_info info;
	struct kipc_stat st;

	if (!why || why->fd < 0)
		return NULL;
	if (err == -EAGAIN && !strcmp(cmd, "send") && !kipc_stat_self(why->fd, &st)) {
		snprintf(buf, len, "would block: queue full: %u of %u messages", st.depth,
			 st.max_msgs);
		return buf;
	}
	if (err == -EMSGSIZE && why->len && !kipc_stat_self(why->fd, &st)) {
		snprintf(buf, len, "message of %s is above max_msg_size %s",
			 human_size(why->len, a, sizeof(a)), human_size(st.max_msg_size, b, sizeof(b)));
		return buf;
	}
	if (kipc_get_info(why->fd, &info))
		return NULL;
	switch (err) {
	case -EDQUOT:
		snprintf(buf, len, "this user's queued messages would pass max_user_bytes %s "
			 "(%s queued now): receive some, or load kipc with a higher max_user_bytes",
			 human_size(info.max_user_bytes, a, sizeof(a)),
			 human_size(info.user_bytes, b, sizeof(b)));
		return buf;
	case -ENOSPC:
		snprintf(buf, len, "this IPC namespace has %u of max_channels %u channels",
			 info.ns_channels, info.max_channels);
		return buf;
	case -EMFILE:
		snprintf(buf, len, "this user has %u of max_user_channels %u channels",
			 info.user_channels, info.max_user_channels);
		return buf;
	case -ENOBUFS:
		snprintf(buf, len, "this user's shared pages would pass max_user_shm_bytes %s "
			 "(%s in use)", human_size(info.max_user_shm_bytes, a, sizeof(a)),
			 human_size(info.user_shm_bytes, b, sizeof(b)));
		return buf;
	case -ERANGE:
		if (!why->cr)
			return NULL;
		if (why->cr->max_msgs > info.max_msgs)
			snprintf(buf, len, "--max-msgs %u is above the module's max_msgs %u",
				 why->cr->max_msgs, info.max_msgs);
		else if (why->cr->max_msg_size > info.max_msg_size)
			snprintf(buf, len, "--max-msg-size %s is above the module's max_msg_size %s",
				 human_size(why->cr->max_msg_size, a, sizeof(a)),
				 human_size(info.max_msg_size, b, sizeof(b)));
		else if (why->cr->shm_size > info.max_shm_size)
			snprintf(buf, len, "--size %s is above the module's max_shm_size %s",
				 human_size(why->cr->shm_size, a, sizeof(a)),
				 human_size(info.max_shm_size, b, sizeof(b)));
		else
			return NULL;
		return buf;
	}
	return NULL;
}

/* One line for an error of a channel call on @name; @why (or NULL) lets it name a limit. */
static int channel_error_why(const char *cmd, const char *name, int err, const struct why *why)
{
	char what[KIPC_NAME_MAX + 16], reason[256];
	const char *limit = limit_reason(cmd, err, why, reason, sizeof(reason));

	snprintf(what, sizeof(what), "%s %s", cmd, name);
	if (limit)
		return fail(err == -EAGAIN ? EXIT_AGAIN : EXIT_OTHER, what, "%s", limit);
	switch (err) {
	case -ENOENT:
		return fail(EXIT_NO_CHANNEL, what, "no such channel (see 'kipcctl ls')");
	case -EACCES:
		return fail(EXIT_PERM, what, "permission denied: the channel's mode does not let "
			    "this user do that (see 'kipcctl stat %s')", name);
	case -EPERM:
		return fail(EXIT_PERM, what, "permission denied: only the channel's owner or "
			    "creator, or root, may do that");
	case -EEXIST:
		return fail(EXIT_EXISTS, what, "a channel of that name already exists (with "
			    "--excl, or with other attributes: see 'kipcctl stat %s')", name);
	case -EAGAIN:
		return fail(EXIT_AGAIN, what, "would block: the queue is %s",
			    !strcmp(cmd, "recv") ? "empty" : "full");
	case -ETIMEDOUT:
		return fail(EXIT_AGAIN, what, "timed out");
	case -ERANGE:
		return fail(EXIT_OTHER, what, "an attribute is above the module's limit (see "
			    "'kipcctl status')");
	case -EMSGSIZE:
		return fail(EXIT_OTHER, what, "the message is larger than the channel's "
			    "max_msg_size (see 'kipcctl stat %s')", name);
	case -EIDRM:
		return fail(EXIT_NO_CHANNEL, what, "the channel was removed");
	default:
		return fail(exit_code(err), what, "%s", kipc_strerror(err));
	}
}

static int channel_error(const char *cmd, const char *name, int err)
{
	return channel_error_why(cmd, name, err, NULL);
}

/* The module's rule for a name: 1 to KIPC_NAME_MAX - 1 bytes of A-Z a-z 0-9 . _ : @ - */
static bool name_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len < KIPC_NAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-") ==
	       len;
}

/* A usage error for a bad NAME (exit 1): what a name is. */
static int bad_name(const struct command *cmd, const char *name)
{
	return usage_error(cmd, "'%s' is not a channel name: a name is 1 to %d bytes of "
			   "A-Z a-z 0-9 . _ : @ -", name, KIPC_NAME_MAX - 1);
}

/* The one NAME after a command's options.  Return: 0, or the exit code of a usage error. */
static int name_arg(const struct command *cmd, int argc, char **argv, const char **name)
{
	if (optind >= argc)
		return usage_error(cmd, "which channel? NAME is missing");
	if (optind + 1 < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind + 1]);
	if (!name_valid(argv[optind]))
		return bad_name(cmd, argv[optind]);
	*name = argv[optind];
	return EXIT_OK;
}

/* name_arg(), and the device opened.  Return: the fd, or -(exit code). */
static int one_name(const struct command *cmd, int argc, char **argv, const char **name)
{
	int ret = name_arg(cmd, argc, argv, name);

	return ret ? -ret : device_open(cmd->name);
}

/* ---- key/value output, as text or as JSON ----------------------------------------------- */

struct out {
	bool json;
	unsigned int n;		/* fields written in the current object */
};

static void out_begin(struct out *o)
{
	o->n = 0;
	if (o->json)
		printf("{");
}

static void out_end(struct out *o)
{
	if (o->json)
		printf("}");
}

static void out_key(struct out *o, const char *key)
{
	if (o->json)
		printf("%s\"%s\": ", o->n ? ", " : "", key);
	else
		printf("%-15s", key);
	o->n++;
}

static void out_str(struct out *o, const char *key, const char *val)
{
	const char *p;

	out_key(o, key);
	if (!o->json) {
		printf("%s\n", val);
		return;
	}
	putchar('"');
	for (p = val; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void out_num(struct out *o, const char *key, unsigned long long val)
{
	out_key(o, key);
	printf(o->json ? "%llu" : "%llu\n", val);
}

/* A time: nanoseconds in JSON, local time in text ("-" for never). */
static void out_time(struct out *o, const char *key, unsigned long long ns)
{
	char buf[64] = "-";
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;

	if (o->json) {
		out_num(o, key, ns);
		return;
	}
	if (ns && localtime_r(&t, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	out_str(o, key, buf);
}

static void out_mode(struct out *o, const char *key, unsigned int mode)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04o", mode);
	out_str(o, key, buf);
}

static void out_user(struct out *o, const char *key, const char *key_name, unsigned int uid,
		     bool group)
{
	char buf[64];

	out_num(o, key, uid);
	out_str(o, key_name, id_name(uid, group, buf, sizeof(buf)));
}

/* ---- ls ------------------------------------------------------------------------------------ */

static int list_entries(int fd, struct kipc_list_entry **out)
{
	struct kipc_list_entry *e = NULL, *bigger;
	unsigned int room = 0, total = 0;
	int n;

	for (;;) {
		n = kipc_list_all(fd, e, room, &total);
		if (n < 0 || total <= room)
			break;
		/* Channels come and go: ask again with room to spare. */
		room = total + 16;
		bigger = realloc(e, room * sizeof(*e));
		if (!bigger) {
			n = -ENOMEM;
			break;
		}
		e = bigger;
	}
	if (n < 0)
		free(e);
	else
		*out = e;
	return n;
}

static int cmd_ls(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		OPTIONS_END
	};
	struct kipc_list_entry *e = NULL;
	struct out o = { 0 };
	int c, fd, n, i, width = 4, status;
	char owner[64];

	while ((c = next_option(cmd, argc, argv, ":hj", opts, &status)) != -1) {
		if (c == -2)
			return status;
		o.json = true;
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	fd = device_open("ls");
	if (fd < 0)
		return -fd;
	n = list_entries(fd, &e);
	close(fd);
	if (n < 0)
		return fail(exit_code(n), "ls", "%s", kipc_strerror(n));

	if (o.json) {
		printf("[");
		for (i = 0; i < n; i++) {
			printf(i ? ",\n " : "\n ");
			out_begin(&o);
			out_str(&o, "type", NAME_OF(type_names, e[i].type));
			out_str(&o, "name", e[i].name);
			out_num(&o, "id", e[i].id);
			out_user(&o, "uid", "owner", e[i].uid, false);
			out_user(&o, "gid", "group", e[i].gid, true);
			out_mode(&o, "mode", e[i].mode);
			if (e[i].type == KIPC_TYPE_SHM)
				out_num(&o, "size", e[i].shm_size);
			else
				out_num(&o, "depth", e[i].depth);
			out_num(&o, "attachments", e[i].attachments);
			out_end(&o);
		}
		printf("%s]\n", n ? "\n" : "");
		free(e);
		return EXIT_OK;
	}
	for (i = 0; i < n; i++)
		if ((int)strlen(e[i].name) > width)
			width = (int)strlen(e[i].name);
	printf("%-4s %-*s %6s %-10s %-5s %12s %7s\n", "TYPE", width, "NAME", "ID", "OWNER", "MODE",
	       "DEPTH/SIZE", "ATTACH");
	for (i = 0; i < n; i++)
		printf("%-4s %-*s %6u %-10s %04o %12llu %7u\n", NAME_OF(type_names, e[i].type),
		       width, e[i].name, e[i].id, id_name(e[i].uid, false, owner, sizeof(owner)),
		       e[i].mode, e[i].type == KIPC_TYPE_SHM ? (unsigned long long)e[i].shm_size :
		       e[i].depth, e[i].attachments);
	free(e);
	return EXIT_OK;
}

/* ---- stat ---------------------------------------------------------------------------------- */

static void print_stat(const struct kipc_stat *st, bool json)
{
	struct out o = { .json = json };
	char state[64];

	snprintf(state, sizeof(state), "%s%s%s",
		 (st->state & KIPC_STATE_DESTROYED) ? "destroyed" : "linked",
		 (st->state & KIPC_STATE_DEAD) ? ",dead" : "",
		 (st->state & KIPC_STATE_AUTODESTROY) ? ",autodestroy" : "");
	out_begin(&o);
	out_str(&o, "name", st->name);
	out_str(&o, "type", NAME_OF(type_names, st->type));
	out_num(&o, "id", st->id);
	out_user(&o, "uid", "owner", st->uid, false);
	out_user(&o, "gid", "group", st->gid, true);
	out_user(&o, "cuid", "creator", st->cuid, false);
	out_user(&o, "cgid", "creator_group", st->cgid, true);
	out_mode(&o, "mode", st->mode);
	out_str(&o, "state", state);
	out_num(&o, "attachments", st->attachments);
	out_time(&o, "created", st->ctime_ns);
	if (st->type == KIPC_TYPE_SHM) {
		out_num(&o, "size", st->shm_size);
		out_num(&o, "mappings", st->mappings);
		out_num(&o, "notifies", st->notifies);
		out_num(&o, "waits", st->waits);
		out_num(&o, "doorbell", st->doorbell);
	} else {
		out_num(&o, "max_msgs", st->max_msgs);
		out_num(&o, "max_msg_size", st->max_msg_size);
		out_str(&o, "overflow", NAME_OF(overflow_names, st->overflow));
		out_num(&o, "depth", st->depth);
		out_num(&o, "bytes", st->bytes);
		out_num(&o, "sent", st->sent);
		out_num(&o, "received", st->received);
		out_num(&o, "dropped", st->dropped);
		out_num(&o, "last_send_pid", st->last_send_pid);
		out_num(&o, "last_recv_pid", st->last_recv_pid);
		out_time(&o, "last_send", st->send_time_ns);
		out_time(&o, "last_recv", st->recv_time_ns);
	}
	out_end(&o);
	if (json)
		printf("\n");
}

static int cmd_stat(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		OPTIONS_END
	};
	struct kipc_stat st;
	const char *name;
	bool json = false;
	int c, fd, ret, status;

	while ((c = next_option(cmd, argc, argv, ":hj", opts, &status)) != -1) {
		if (c == -2)
			return status;
		json = true;
	}
	fd = one_name(cmd, argc, argv, &name);
	if (fd < 0)
		return -fd;
	ret = kipc_stat_name(fd, name, &st);
	close(fd);
	if (ret)
		return channel_error("stat", name, ret);
	print_stat(&st, json);
	return EXIT_OK;
}

/* Copy @name, which name_valid() has passed (so it fits with its NUL), into a name field. */
static void set_name(char dst[KIPC_NAME_MAX], const char *name)
{
	memcpy(dst, name, strlen(name) + 1);
}

/* ---- create, rm ---------------------------------------------------------------------------- */

/* With --autodestroy, run @argv holding an attachment, so the channel lives as long as it. */
static int run_holding(int fd, char **argv, const char *name)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", fd);
	if (fcntl(fd, F_SETFD, 0) < 0 || setenv("KIPC_FD", num, 1) < 0)
		return fail(EXIT_OTHER, "create", "%s", strerror(errno));
	fflush(stdout);
	execvp(argv[0], argv);
	fail(EXIT_OTHER, "create", "cannot run '%s' to hold %s: %s", argv[0], name,
	     strerror(errno));
	return EXIT_OTHER;
}

static int cmd_create(const struct command *cmd, int argc, char **argv)
{
	enum { OPT_MAX_MSGS = 256, OPT_MAX_MSG_SIZE, OPT_OVERFLOW, OPT_SIZE, OPT_EXCL,
	       OPT_AUTODESTROY };
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "max-msgs", required_argument, NULL, OPT_MAX_MSGS },
		{ "max-msg-size", required_argument, NULL, OPT_MAX_MSG_SIZE },
		{ "overflow", required_argument, NULL, OPT_OVERFLOW },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "excl", no_argument, NULL, OPT_EXCL },
		{ "autodestroy", no_argument, NULL, OPT_AUTODESTROY },
		OPTIONS_END
	};
	struct kipc_create cr = { .mode = 0600 };
	bool mq_only = false, size_given = false;
	unsigned long long v;
	char **hold = NULL, *end;
	const char *type;
	int c, i, fd, ret, status;

	/* Everything after "--" is the command that holds an --autodestroy channel. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			hold = argv[i + 1] ? argv + i + 1 : NULL;
			argc = i;
			break;
		}
	}
	while ((c = next_option(cmd, argc, argv, ":hm:", opts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == OPT_EXCL || c == OPT_AUTODESTROY) {
			cr.flags |= c == OPT_EXCL ? KIPC_CREATE_EXCL : KIPC_CREATE_AUTODESTROY;
			continue;
		}
		if (c == OPT_OVERFLOW) {
			for (v = 0; v < 3 && strcmp(optarg, overflow_names[v]); v++)
				;
			if (v == 3)
				return usage_error(cmd, "--overflow is block, fail or drop");
		} else if (c == 'm') {
			errno = 0;
			v = strtoull(optarg, &end, 8);
			if (errno || end == optarg || *end || optarg[0] != '0' || v > 0777)
				return usage_error(cmd, "--mode is octal, 0 to 0777, such as 0600");
		} else if (parse_size(cmd, argv[optind - 1], optarg,
				      c == OPT_SIZE ? ~0ULL : 0xffffffffULL, &v)) {
			return EXIT_USAGE;
		}
		mq_only |= c != 'm' && c != OPT_SIZE;
		switch (c) {
		case 'm': cr.mode = (__u32)v; break;
		case OPT_MAX_MSGS: cr.max_msgs = (__u32)v; break;
		case OPT_MAX_MSG_SIZE: cr.max_msg_size = (__u32)v; break;
		case OPT_OVERFLOW: cr.overflow = (__u32)v; break;
		case OPT_SIZE: cr.shm_size = v; size_given = true; break;
		}
	}
	if (optind + 2 != argc)
		return usage_error(cmd, "give the type (mq or shm) and the NAME");
	type = argv[optind];
	if (!strcmp(type, "mq")) {
		cr.type = KIPC_TYPE_MQ;
		if (size_given)
			return usage_error(cmd, "--size is for shm channels");
	} else if (!strcmp(type, "shm")) {
		cr.type = KIPC_TYPE_SHM;
		if (mq_only)
			return usage_error(cmd, "--max-msgs, --max-msg-size and --overflow are for "
					   "mq channels");
		if (!cr.shm_size)
			return usage_error(cmd, "a shm channel needs --size BYTES");
	} else {
		return usage_error(cmd, "the type is mq or shm, not '%s'", type);
	}
	if (!(cr.flags & KIPC_CREATE_AUTODESTROY) != !hold)
		return usage_error(cmd, "--autodestroy needs a command to hold the channel "
				   "(-- COMMAND...), and a command needs --autodestroy");
	if (!name_valid(argv[optind + 1]))
		return bad_name(cmd, argv[optind + 1]);
	set_name(cr.name, argv[optind + 1]);
	if (hold)
		cr.access = KIPC_ACCESS_READ | KIPC_ACCESS_WRITE;
	fd = device_open("create");
	if (fd < 0)
		return -fd;
	ret = kipc_create(fd, &cr);
	if (ret) {
		struct why why = { .fd = fd, .cr = &cr };

		ret = channel_error_why("create", cr.name, ret, &why);
		close(fd);
		return ret;
	}
	printf("%s %s: id %u (%s)\n", type, cr.name, cr.id, cr.created ? "created" :
	       "exists, opened");
	if (hold)
		return run_holding(fd, hold, cr.name);
	close(fd);
	return EXIT_OK;
}

static int cmd_rm(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "now", no_argument, NULL, 'n' },
		OPTIONS_END
	};
	unsigned int flags = 0;
	int c, fd, i, ret = EXIT_OK, status;

	while ((c = next_option(cmd, argc, argv, ":hn", opts, &status)) != -1) {
		if (c == -2)
			return status;
		flags = KIPC_DESTROY_NOW;
	}
	if (optind >= argc)
		return usage_error(cmd, "which channel? NAME is missing");
	for (i = optind; i < argc; i++)
		if (!name_valid(argv[i]))
			return bad_name(cmd, argv[i]);
	fd = device_open("rm");
	if (fd < 0)
		return -fd;
	for (i = optind; i < argc; i++) {
		c = kipc_destroy(fd, argv[i], flags);
		if (c)
			ret = channel_error("rm", argv[i], c);
	}
	close(fd);
	return ret;
}

/* ---- send, recv ---------------------------------------------------------------------------- */

/* What send and recv work with: the queue named on the command line, attached. */
struct queue {
	const char *name;
	struct kipc_stat st;
	char *buf;		/* room for the largest message and one byte more */
};

/*
 * The NAME argument of @cmd, a new fd attached to that message queue with @access, and a
 * buffer for its messages.  Return: the fd, or -(exit code).
 */
static int open_queue(const struct command *cmd, int argc, char **argv, unsigned int access,
		      struct queue *q)
{
	struct kipc_attach at = { .access = access };
	char what[KIPC_NAME_MAX + 16];
	int fd, ret;

	ret = name_arg(cmd, argc, argv, &q->name);
	if (ret)
		return -ret;
	fd = device_open(cmd->name);
	if (fd < 0)
		return fd;
	set_name(at.name, q->name);
	ret = kipc_attach(fd, &at);
	if (!ret)
		ret = kipc_stat_self(fd, &q->st);
	if (!ret && q->st.type != KIPC_TYPE_MQ) {
		snprintf(what, sizeof(what), "%s %s", cmd->name, q->name);
		close(fd);
		return -fail(EXIT_OTHER, what, "a shm channel has no messages: %s works on mq "
			     "channels", cmd->name);
	}
	q->buf = ret ? NULL : malloc((size_t)q->st.max_msg_size + 1);
	if (!ret && !q->buf)
		ret = -ENOMEM;
	if (ret) {
		close(fd);
		return -channel_error(cmd->name, q->name, ret);
	}
	return fd;
}

/* --timeout MS and --nonblock, the options send and recv share. */
/* libkipc's timeout: KIPC_FOREVER unless --timeout MS says how long, or --nonblock 0. */
struct wait_opts {
	bool nonblock;
	__s64 timeout_ns;
};

static int wait_option(const struct command *cmd, int c, struct wait_opts *w)
{
	unsigned long long ms;

	if (c == 'n') {
		w->nonblock = true;
		return 0;
	}
	if (parse_number(cmd, "--timeout", optarg, INT64_MAX / NS_PER_MS, &ms))
		return -1;
	/* --timeout 0 is a wait that is over at once ("timed out"), not --nonblock. */
	w->timeout_ns = ms ? (__s64)(ms * NS_PER_MS) : 1;
	return 0;
}

static __s64 wait_timeout(const struct wait_opts *w)
{
	return w->nonblock ? 0 : w->timeout_ns;
}

#define WAIT_OPTIONS \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "nonblock", no_argument, NULL, 'n' }, \
	OPTIONS_END

static int cmd_send(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { { "prio", required_argument, NULL, 'p' },
					      WAIT_OPTIONS };
	struct wait_opts w = { .timeout_ns = KIPC_FOREVER };
	unsigned long long prio = 0;
	struct why why;
	struct queue q;
	size_t len = 0;
	char rest[4096];
	ssize_t n;
	int c, fd, ret, status;

	while ((c = next_option(cmd, argc, argv, ":hnp:t:", opts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 'p' ? parse_number(cmd, "--prio", optarg, KIPC_PRIO_MAX, &prio) :
		    wait_option(cmd, c, &w))
			return EXIT_USAGE;
	}
	fd = open_queue(cmd, argc, argv, KIPC_ACCESS_WRITE, &q);
	if (fd < 0)
		return -fd;
	/* One byte more than the queue takes, so that a longer message is reported. */
	while (len <= q.st.max_msg_size &&
	       (n = read(STDIN_FILENO, q.buf + len, q.st.max_msg_size + 1 - len)) != 0) {
		if (n < 0) {
			ret = fail(EXIT_OTHER, "send", "reading stdin: %s", strerror(errno));
			goto out_free;
		}
		len += (size_t)n;
	}
	/* Too long: count the rest, so the error can say how long it was. */
	why = (struct why){ .fd = fd, .len = len };
	while (len > q.st.max_msg_size && (n = read(STDIN_FILENO, rest, sizeof(rest))) > 0)
		why.len += (unsigned long long)n;
	ret = kipc_send(fd, q.buf, len, (unsigned int)prio, 0, wait_timeout(&w));
	if (ret == KIPC_SEND_DROPPED)
		/* The policy did its job; say so, as ipcs would not. */
		fprintf(stderr, "kipcctl send: %s: full, and every queued message outranks this one: dropped\n",
			q.name);
	ret = ret < 0 ? channel_error_why("send", q.name, ret, &why) : EXIT_OK;
out_free:
	free(q.buf);
	close(fd);
	return ret;
}

static int write_all(const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, p, len);
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int cmd_recv(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { { "prio", no_argument, NULL, 'p' },
					      WAIT_OPTIONS };
	struct wait_opts w = { .timeout_ns = KIPC_FOREVER };
	bool show_prio = false;
	unsigned int prio;
	struct queue q;
	char line[16];
	long len;
	int c, fd, ret, status;

	while ((c = next_option(cmd, argc, argv, ":hnpt:", opts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 'p')
			show_prio = true;
		else if (wait_option(cmd, c, &w))
			return EXIT_USAGE;
	}
	fd = open_queue(cmd, argc, argv, KIPC_ACCESS_READ, &q);
	if (fd < 0)
		return -fd;
	len = kipc_recv(fd, q.buf, q.st.max_msg_size, &prio, 0, wait_timeout(&w));
	if (len < 0) {
		ret = channel_error("recv", q.name, (int)len);
		goto out_free;
	}
	snprintf(line, sizeof(line), "%u\n", prio);
	ret = show_prio ? write_all(line, strlen(line)) : 0;
	if (!ret)
		ret = write_all(q.buf, (size_t)len);
	if (ret)
		ret = fail(EXIT_OTHER, "recv", "writing stdout: %s (the message is lost)",
			   strerror(-ret));
out_free:
	free(q.buf);
	close(fd);
	return ret;
}

/* ---- watch --------------------------------------------------------------------------------- */

static int cmd_watch(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		OPTIONS_END
	};
	unsigned long long interval_ms = 1000, count = 0, v, i;
	struct timespec next;
	struct kipc_stat st;
	const char *name;
	char now[16];
	time_t t;
	int c, fd, ret, status;

	while ((c = next_option(cmd, argc, argv, ":hi:c:", opts, &status)) != -1) {
		if (c == -2)
			return status;
		if (parse_number(cmd, c == 'i' ? "--interval" : "--count", optarg,
				 c == 'i' ? 86400000ULL : ~0ULL, &v))
			return EXIT_USAGE;
		*(c == 'i' ? &interval_ms : &count) = v;
	}
	if (!interval_ms)
		return usage_error(cmd, "--interval must be at least 1 ms");
	fd = one_name(cmd, argc, argv, &name);
	if (fd < 0)
		return -fd;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; !count || i < count; i++) {
		ret = kipc_stat_name(fd, name, &st);
		if (ret) {
			close(fd);
			return channel_error("watch", name, ret);
		}
		if (i == 0 && st.type == KIPC_TYPE_SHM)
			printf("%-8s %8s %10s %10s %10s %6s\n", "TIME", "MAPPINGS", "NOTIFIES",
			       "WAITS", "DOORBELL", "ATTACH");
		else if (i == 0)
			printf("%-8s %8s %10s %10s %10s %6s\n", "TIME", "DEPTH", "SENT", "RECEIVED",
			       "DROPPED", "ATTACH");
		t = time(NULL);
		strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
		printf("%-8s %8u %10llu %10llu %10llu %6u\n", now,
		       st.type == KIPC_TYPE_SHM ? st.mappings : st.depth,
		       (unsigned long long)(st.type == KIPC_TYPE_SHM ? st.notifies : st.sent),
		       (unsigned long long)(st.type == KIPC_TYPE_SHM ? st.waits : st.received),
		       (unsigned long long)(st.type == KIPC_TYPE_SHM ? st.doorbell : st.dropped),
		       st.attachments);
		fflush(stdout);
		if (count && i + 1 == count)
			break;
		/* Absolute deadlines, so the lines keep their pace however long a stat takes. */
		next.tv_sec += (time_t)(interval_ms / 1000);
		next.tv_nsec += (long)(interval_ms % 1000 * NS_PER_MS);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
	close(fd);
	return EXIT_OK;
}

const struct command channel_commands[] = {
	{ "ls", "[--json]",
	  "list the channels of this IPC namespace, as ipcs does",
	  "List the channels of this IPC namespace, as ipcs does: type, name, id, owner, mode,\n"
	  "depth (mq) or size in bytes (shm), and the attachments (open fds).\n\n"
	  "  -j, --json   a JSON array of objects instead of the table\n"
	  "  -h, --help   this text\n", cmd_ls },
	{ "stat", "[--json] NAME",
	  "one channel's attributes and counters",
	  "Show every attribute and counter of the channel NAME.\n\n"
	  "  -j, --json   one JSON object (times in nanoseconds since the epoch)\n"
	  "  -h, --help   this text\n", cmd_stat },
	{ "create", "mq|shm NAME [OPTIONS] [--autodestroy -- COMMAND [ARGS...]]",
	  "create a message queue or a shared-page channel, as ipcmk does",
	  "Create a channel, as ipcmk does, and print its id.  Without --excl an existing\n"
	  "channel of that name, type and attributes is opened instead.\n\n"
	  "  -m, --mode MODE          permission bits, octal (default 0600)\n"
	  "      --max-msgs N         mq: queue depth (default 256)\n"
	  "      --max-msg-size N     mq: largest message in bytes (default 65536)\n"
	  "      --overflow POLICY    mq: block (default), fail or drop, for a send to a full queue\n"
	  "      --size BYTES         shm: size, rounded up to pages; K, M and G suffixes work\n"
	  "      --excl               fail (exit 5) when the name is taken\n"
	  "      --autodestroy        the channel goes when its last attachment closes: kipcctl\n"
	  "                           runs COMMAND holding one (its fd number is in $KIPC_FD)\n"
	  "  -h, --help               this text\n", cmd_create },
	{ "rm", "[--now] NAME...",
	  "remove channels by name, as ipcrm does",
	  "Remove channels, as ipcrm does.  The name goes at once; attached processes go on\n"
	  "until they close, unless --now.\n\n"
	  "  -n, --now    destroy now: every waiter and later call gets EIDRM (SysV IPC_RMID)\n"
	  "  -h, --help   this text\n", cmd_rm },
	{ "send", "[--prio N] [--timeout MS] [--nonblock] NAME",
	  "send stdin as one message",
	  "Send stdin, up to end of file, as one message to the queue NAME.\n\n"
	  "  -p, --prio N       priority, 0 (default) to 32767 (served first)\n"
	  "  -t, --timeout MS   wait at most MS milliseconds for room (exit 7 after)\n"
	  "  -n, --nonblock     do not wait for room (exit 7 when the queue is full)\n"
	  "  -h, --help         this text\n", cmd_send },
	{ "recv", "[--prio] [--timeout MS] [--nonblock] NAME",
	  "receive one message to stdout",
	  "Receive one message from the queue NAME and write it to stdout.\n\n"
	  "  -p, --prio         write the message's priority and a newline first\n"
	  "  -t, --timeout MS   wait at most MS milliseconds for a message (exit 7 after)\n"
	  "  -n, --nonblock     do not wait (exit 7 when the queue is empty)\n"
	  "  -h, --help         this text\n", cmd_recv },
	{ "watch", "[--interval MS] [--count N] NAME",
	  "a channel's counters, live",
	  "Follow a channel's counters: a line per interval with depth, sent, received,\n"
	  "dropped (mq), or mappings, notifies, waits, doorbell (shm), and the attachments.\n\n"
	  "  -i, --interval MS   time between lines (default 1000)\n"
	  "  -c, --count N       stop after N lines (default: until interrupted)\n"
	  "  -h, --help          this text\n", cmd_watch },
	{ NULL, NULL, NULL, NULL, NULL },
};
