/* SPDX-License-Identifier: GPL-2.0 */
/* kipcctl: what its source files share.  Not installed. */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <stdbool.h>
#include <getopt.h>

#include "kipc.h"

/* Exit codes, as kipcctl(8) and the README document them. */
enum {
	EXIT_OK = 0,
	EXIT_USAGE = 1,		/* bad command line */
	EXIT_MODULE = 2,	/* module not loaded or not found, /dev/kipc absent or not kipc */
	EXIT_PERM = 3,		/* permission denied (not root, channel mode, not the owner) */
	EXIT_NO_CHANNEL = 4,	/* no channel of that name */
	EXIT_EXISTS = 5,	/* the name is taken, or the module is already loaded */
	EXIT_BUSY = 6,		/* in use: the module has users, or the fd is attached */
	EXIT_AGAIN = 7,		/* timed out, or would block (--nonblock, overflow=fail) */
	EXIT_OTHER = 8,		/* anything else */
};

/*
 * struct command - one subcommand
 * @name: what the user types
 * @args: the synopsis after the name
 * @summary: what it does, in the few words of the top-level help's one line
 * @help: the text of --help after the synopsis (options and what they do)
 * @run: the command; argv[0] is its name.  Returns an exit code.
 */
struct command {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	int (*run)(const struct command *cmd, int argc, char **argv);
};

extern const struct command module_commands[];
extern const struct command channel_commands[];

/* A size in the unit that says it exactly: "1 MiB", "8 KiB", "1000 bytes". */
const char *human_size(unsigned long long bytes, char *buf, size_t len);

/* Print "kipcctl: WHAT: WHY" on stderr and return @code. */
int fail(int code, const char *what, const char *why_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The exit code that stands for -errno @err. */
int exit_code(int err);

/*
 * next_option() - getopt_long() for a subcommand, which also answers --help and reports a bad
 * option as a usage error.
 * @status: set to the exit code when the return value is -2
 *
 * Return: the option's value, -1 at the end, or -2 when the command is over (*@status says how).
 */
int next_option(const struct command *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts, int *status);

/* The end of every command's long options: --help, and the terminator. */
#define OPTIONS_END { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }

/* For a command that takes no argument but --help: -1 to go on, or the exit status. */
int no_arguments(const struct command *cmd, int argc, char **argv);

/* A usage error about @cmd: one line, and where to read more.  Returns EXIT_USAGE. */
int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse a number (0x.. and 0.. prefixes allowed) up to @max; -1 with a usage error printed. */
int parse_number(const struct command *cmd, const char *opt, const char *arg,
		 unsigned long long max, unsigned long long *out);

/* As parse_number(), with an optional K, M or G suffix (powers of 1024). */
int parse_size(const struct command *cmd, const char *opt, const char *arg,
	       unsigned long long max, unsigned long long *out);

/*
 * device_open() - open /dev/kipc (or $KIPC_DEVICE) for command @what
 *
 * Return: the fd, or -(exit code) after printing why it cannot be opened and what to do.
 */
int device_open(const char *what);

/* Whether the kipc module is loaded (/sys/module/kipc exists). */
bool module_loaded(void);

/* The name of user (or, with @group, group) @id, or its number: in @buf, which it returns. */
const char *id_name(unsigned int id, bool group, char *buf, size_t len);

#endif /* KIPCCTL_H */
