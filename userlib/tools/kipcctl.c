// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: load, inspect and use kipc from the shell, as modprobe, ipcs, ipcmk and ipcrm do for
 * the kernel's own IPC.
 *
 * This file holds what every command shares: the dispatch, --help, the error line and exit
 * codes, number parsing and opening the device.  module.c has load, unload and status;
 * channel.c has the channel commands.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kipcctl.h"

#ifndef KIPC_VERSION
#define KIPC_VERSION "unknown"
#endif

int fail(int code, const char *what, const char *why_fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kipcctl: %s: ", what);
	va_start(ap, why_fmt);
	vfprintf(stderr, why_fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int exit_code(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -ENOENT:
		return EXIT_NO_CHANNEL;
	case -EACCES:
	case -EPERM:
		return EXIT_PERM;
	case -EEXIST:
		return EXIT_EXISTS;
	case -EBUSY:
		return EXIT_BUSY;
	case -EAGAIN:
	case -ETIMEDOUT:
		return EXIT_AGAIN;
	case -ENODEV:
	case -EPROTO:
		return EXIT_MODULE;
	default:
		return EXIT_OTHER;
	}
}

static void print_usage(const struct command *cmd, FILE *f)
{
	fprintf(f, "Usage: kipcctl %s %s\n\n%s", cmd->name, cmd->args, cmd->help);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kipcctl: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'kipcctl %s --help')\n", cmd->name);
	return EXIT_USAGE;
}

int next_option(const struct command *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts, int *status)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	switch (c) {
	case 'h':
		print_usage(cmd, stdout);
		*status = EXIT_OK;
		return -2;
	case '?':
		*status = usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		return -2;
	case ':':
		*status = usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		return -2;
	default:
		return c;
	}
}

/* A number, with a K, M or G suffix (powers of 1024) when @suffix allows it. */
static int parse_scaled(const struct command *cmd, const char *opt, const char *arg,
			unsigned long long max, bool suffix, unsigned long long *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	const char *units = "KMG", *unit;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	unit = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (suffix && end != arg && unit && !end[1]) {
		shift = 10 * (unsigned int)(unit - units + 1);
		end++;
	}
	if (errno || end == arg || *end || arg[0] == '-' || (v << shift >> shift) != v ||
	    (v << shift) > max) {
		usage_error(cmd, "%s: '%s' is not a number from 0 to %llu", opt, arg, max);
		return -1;
	}
	*out = v << shift;
	return 0;
}

int no_arguments(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { OPTIONS_END };
	int c, status;

	while ((c = next_option(cmd, argc, argv, ":h", opts, &status)) != -1)
		if (c == -2)
			return status;
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

int parse_number(const struct command *cmd, const char *opt, const char *arg,
		 unsigned long long max, unsigned long long *out)
{
	return parse_scaled(cmd, opt, arg, max, false, out);
}

int parse_size(const struct command *cmd, const char *opt, const char *arg,
	       unsigned long long max, unsigned long long *out)
{
	return parse_scaled(cmd, opt, arg, max, true, out);
}

const char *human_size(unsigned long long bytes, char *buf, size_t len)
{
	static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(units) / sizeof(units[0]) && bytes >= 1024 && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu %s", bytes, bytes == 1 && !u ? "byte" : units[u]);
	return buf;
}

bool module_loaded(void)
{
	return access("/sys/module/kipc", F_OK) == 0;
}

int device_open(const char *what)
{
	const char *env = getenv("KIPC_DEVICE");
	char dev[32] = "";
	FILE *f;
	int fd;

	fd = kipc_open(0);
	if (fd >= 0)
		return fd;
	if (fd == -ENOENT && !(env && *env) && module_loaded()) {
		/* Loaded, but nothing made the node: no udev or devtmpfs here. */
		f = fopen("/sys/class/misc/kipc/dev", "r");
		if (f) {
			if (!fgets(dev, sizeof(dev), f))
				dev[0] = 0;
			fclose(f);
		}
		dev[strcspn(dev, "\n")] = 0;
		if (strchr(dev, ':'))
			*strchr(dev, ':') = ' ';
		return -fail(EXIT_MODULE, what,
			     "%s is missing although the module is loaded: start udev, or create it "
			     "with 'mknod -m 0666 %s c %s'", KIPC_DEVICE_PATH, KIPC_DEVICE_PATH,
			     dev[0] ? dev : "MAJOR MINOR");
	}
	return -fail(fd == -ENOENT ? EXIT_MODULE : exit_code(fd), what, "%s", kipc_strerror(fd));
}

const char *id_name(unsigned int id, bool group, char *buf, size_t len)
{
	struct passwd *pw = group ? NULL : getpwuid(id);
	struct group *gr = group ? getgrgid(id) : NULL;

	if (pw || gr)
		snprintf(buf, len, "%s", pw ? pw->pw_name : gr->gr_name);
	else
		snprintf(buf, len, "%u", id);
	return buf;
}

static const struct command *const command_tables[] = { module_commands, channel_commands };

static void print_help(FILE *f)
{
	const struct command *c;
	unsigned int i;

	fprintf(f, "Usage: kipcctl COMMAND [ARGS...]\n"
		"       kipcctl COMMAND --help\n\n"
		"Load, inspect and use kipc, the kernel IPC channels on %s.\n\nCommands:\n",
		KIPC_DEVICE_PATH);
	for (i = 0; i < sizeof(command_tables) / sizeof(command_tables[0]); i++)
		for (c = command_tables[i]; c->name; c++)
			fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nExit status:\n"
		"  0 success               1 usage error\n"
		"  2 module or device problem (not loaded, not found, %s absent)\n"
		"  3 permission denied     4 no such channel\n"
		"  5 already exists        6 busy, in use\n"
		"  7 timed out, or would block\n"
		"  8 any other error\n\n"
		"'kipcctl COMMAND --help' gives a command's arguments and options.\n"
		"KIPC_DEVICE names another device node than %s.  See kipcctl(8).\n",
		KIPC_DEVICE_PATH, KIPC_DEVICE_PATH);
}

int main(int argc, char **argv)
{
	const struct command *c;
	unsigned int i;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kipcctl %s (uapi ABI %d)\n", KIPC_VERSION, KIPC_ABI_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(command_tables) / sizeof(command_tables[0]); i++)
		for (c = command_tables[i]; c->name; c++)
			if (!strcmp(c->name, argv[1]))
				return c->run(c, argc - 1, argv + 1);
	fprintf(stderr, "kipcctl: unknown command '%s' (see 'kipcctl --help')\n", argv[1]);
	return EXIT_USAGE;
}
