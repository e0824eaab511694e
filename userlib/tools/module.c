// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl load, unload and status: the module, through libkmod (no shell-out to insmod).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libkmod.h>

#include "kipcctl.h"

#define MODULE_NAME	"kipc"
#define SYSFS_MODULE	"/sys/module/" MODULE_NAME

/* Read a one-line sysfs file into @buf without its newline; "" when it cannot be read. */
static const char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) ? "?" : u.release;
}

static void kmod_quiet(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn, (void)format, (void)args;
}

/* A libkmod context that keeps quiet: kipcctl says what went wrong, in one line. */
static struct kmod_ctx *kmod_start(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, kmod_quiet, NULL);
	return ctx;
}

/* A path names a file; anything else is a module name for the installed tree. */
static bool is_path(const char *arg)
{
	size_t n = strlen(arg);

	return strchr(arg, '/') || (n > 3 && !strcmp(arg + n - 3, ".ko")) || strstr(arg, ".ko.");
}

/* The module to load: from a file, or the one installed for the running kernel. */
static int find_module(struct kmod_ctx *ctx, const char *arg, const char *what,
		       struct kmod_module **mod)
{
	struct kmod_list *list = NULL;
	int ret;

	if (is_path(arg)) {
		ret = kmod_module_new_from_path(ctx, arg, mod);
		if (ret == -ENOENT)
			return fail(EXIT_MODULE, what, "%s does not exist: build the module with "
				    "'make module' and give the path of its kipc.ko", arg);
		if (ret)
			return fail(ret == -EACCES ? EXIT_PERM : EXIT_MODULE, what, "%s: %s", arg,
				    strerror(-ret));
		return EXIT_OK;
	}
	ret = kmod_module_new_from_lookup(ctx, arg, &list);
	if (ret || !list) {
		kmod_module_unref_list(list);
		return fail(EXIT_MODULE, what, "module '%s' is not installed for kernel %s: install "
			    "it with 'make install' or 'make dkms-install', or give the path of "
			    "kipc.ko", arg, kernel_release());
	}
	*mod = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	return EXIT_OK;
}

/* Join "param=value" words into the one options string the kernel takes. */
static char *join_options(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/*
 * Each PARAM=VALUE of @argv names a parameter @mod declares (modinfo's parm lines).  The
 * kernel would load the module and only warn that it ignored an unknown one, which is never
 * what the caller meant.
 * Return: 0, or the exit code after a usage error naming the unknown one and the known ones.
 */
static int check_parameters(const struct command *cmd, struct kmod_module *mod, int argc,
			    char **argv)
{
	struct kmod_list *info = NULL, *l;
	char names[32][64], known[32 * 66] = "";
	unsigned int count = 0, j;
	size_t n;
	int i;

	if (kmod_module_get_info(mod, &info) < 0)
		return EXIT_OK;		/* nothing to check against: the kernel decides */
	kmod_list_foreach(l, info) {
		const char *val = kmod_module_info_get_value(l);

		if (strcmp(kmod_module_info_get_key(l), "parm") || !val || count == 32)
			continue;
		n = strcspn(val, ":");
		snprintf(names[count], sizeof(names[count]), "%.*s", (int)n, val);
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 count ? ", " : "", names[count]);
		count++;
	}
	kmod_module_info_free_list(info);
	for (i = 0; i < argc; i++) {
		n = strcspn(argv[i], "=");
		for (j = 0; j < count; j++)
			if (strlen(names[j]) == n && !strncmp(names[j], argv[i], n))
				break;
		if (j == count)
			return usage_error(cmd, "unknown parameter '%.*s': kipc's are %s", (int)n,
					   argv[i], count ? known : "(none declared)");
	}
	return EXIT_OK;
}

/*
 * The kernel's own reason for refusing the module: what it logged about kipc after @kmsg's
 * position (/dev/kmsg opened before the insert), such as "max_msgs must be 1..65536" or
 * "'x' invalid for parameter 'max_msgs'".  "" when there is none to read.
 */
static const char *kernel_reason(int kmsg, char *buf, size_t len)
{
	char rec[1024];
	ssize_t n;

	buf[0] = 0;
	while (kmsg >= 0 && (n = read(kmsg, rec, sizeof(rec) - 1)) > 0) {
		char *msg = memchr(rec, ';', (size_t)n);

		rec[n] = 0;
		if (!msg || strncmp(msg + 1, MODULE_NAME ": ", sizeof(MODULE_NAME ": ") - 1))
			continue;
		msg += 1 + sizeof(MODULE_NAME ": ") - 1;
		msg[strcspn(msg, "\n")] = 0;
		if (strstr(msg, "taint"))	/* out-of-tree, unsigned: true, and not why */
			continue;
		/* Several lines: keep them all, "; " between. */
		if (strlen(buf) + strlen(msg) + 3 < len)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "; " : "",
				 msg);
	}
	return buf;
}

static int insert_error(const char *what, const char *name, int err, const char *reason)
{
	if ((err == -EINVAL || err == -ERANGE || err == -ENOENT) && reason[0])
		return fail(EXIT_OTHER, what, "the kernel refused it: %s", reason);
	switch (err) {
	case -EEXIST:
		return fail(EXIT_EXISTS, what, "the module is already loaded (see 'kipcctl "
			    "status'; 'kipcctl unload' first to load it with other parameters)");
	case -EPERM:
		if (geteuid() != 0)
			return fail(EXIT_PERM, what, "loading a module needs root: run 'sudo "
				    "kipcctl load'");
		return fail(EXIT_PERM, what, "the kernel refused %s: with Secure Boot or "
			    "lockdown it must be signed (see dmesg)", name);
	case -ENOSYS:
		return fail(EXIT_MODULE, what, "this system does not load modules (a container?): "
			    "load kipc on the host");
	case -ENOEXEC:
		return fail(EXIT_MODULE, what, "%s is not a module for kernel %s: rebuild it "
			    "with 'make module KDIR=/lib/modules/%s/build'", name,
			    kernel_release(), kernel_release());
	case -EINVAL:
	case -ERANGE:
	case -ENOENT:
		return fail(EXIT_OTHER, what, "the kernel refused the module or a parameter: "
			    "%s (see dmesg and 'modinfo %s')", strerror(-err), name);
	default:
		return fail(exit_code(err), what, "%s", strerror(-err));
	}
}

static int cmd_load(const struct command *cmd, int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *name = MODULE_NAME;
	static const struct option opts[] = { OPTIONS_END };
	char *options, reason[512];
	int c, kmsg, ret, status;

	while ((c = next_option(cmd, argc, argv, ":h", opts, &status)) != -1)
		if (c == -2)
			return status;
	argc -= optind;
	argv += optind;
	if (argc > 0 && !strchr(argv[0], '=')) {
		name = argv[0];
		argc--;
		argv++;
	}
	ctx = kmod_start();
	if (!ctx)
		return fail(EXIT_OTHER, "load", "cannot start libkmod");
	ret = find_module(ctx, name, "load", &mod);
	if (ret)
		goto out_unref_ctx;
	ret = check_parameters(cmd, mod, argc, argv);
	if (ret)
		goto out_unref_mod;
	options = join_options(argc, argv);
	if (!options) {
		ret = fail(EXIT_OTHER, "load", "%s", strerror(ENOMEM));
		goto out_unref_mod;
	}
	/* Read from here on after a refusal: the kernel says why in its log. */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	c = kmod_module_insert_module(mod, 0, options);
	ret = c ? insert_error("load", name, c, kernel_reason(kmsg, reason, sizeof(reason))) :
		  EXIT_OK;
	if (kmsg >= 0)
		close(kmsg);
	if (!c)
		printf("loaded %s%s%s\n", kmod_module_get_path(mod) ?: name, *options ? " " : "",
		       options);
	free(options);
out_unref_mod:
	kmod_module_unref(mod);
out_unref_ctx:
	kmod_unref(ctx);
	return ret;
}

/*
 * The loaded kipc module: @ctx and @mod are set for the caller to unref (NULL is fine).
 * Return: its KMOD_MODULE_* state, -ENOENT when it is not loaded, -ENOMEM when libkmod fails.
 */
static int kipc_module(struct kmod_ctx **ctx, struct kmod_module **mod)
{
	*mod = NULL;
	*ctx = kmod_start();
	if (!*ctx || kmod_module_new_from_name(*ctx, MODULE_NAME, mod))
		return -ENOMEM;
	return kmod_module_get_initstate(*mod);
}

/*
 * Channels that unloading would destroy, with what they hold: -1 to go on (none, or the device
 * cannot tell), else the exit code after saying what is left and how to go on.  Only the
 * caller's IPC namespace can be listed.  The fd is closed again before the module is removed.
 * Not root, or the module in use: the removal's own error says that first.
 */
static int channels_left(void)
{
	unsigned long long messages = 0, shm_bytes = 0;
	unsigned int total = 0, mqs = 0, shms = 0;
	struct kipc_list_entry e[256];
	char size[32], refcnt[32];
	int fd, n, i;

	if (geteuid() != 0 || strcmp(read_line(SYSFS_MODULE "/refcnt", refcnt, sizeof(refcnt)), "0"))
		return -1;
	fd = kipc_open(0);
	if (fd < 0)
		return -1;
	n = kipc_list_all(fd, e, sizeof(e) / sizeof(e[0]), &total);
	close(fd);
	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (e[i].type == KIPC_TYPE_MQ) {
			mqs++;
			messages += e[i].depth;
		} else {
			shms++;
			shm_bytes += e[i].shm_size;
		}
	}
	return fail(EXIT_BUSY, "unload", "%u channel%s left in this IPC namespace (%u message "
		    "queue%s holding %llu message%s, %u shared-page channel%s of %s%s): remove "
		    "them with 'kipcctl rm', or unload with them, and what they hold, with "
		    "'kipcctl unload --force'", total, total == 1 ? "" : "s", mqs,
		    mqs == 1 ? "" : "s", messages, messages == 1 ? "" : "s", shms,
		    shms == 1 ? "" : "s", human_size(shm_bytes, size, sizeof(size)),
		    total > (unsigned int)n ? ", among the first listed" : "");
}

static int cmd_unload(const struct command *cmd, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' }, OPTIONS_END };
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	bool force = false;
	char refcnt[32];
	int c, ret, status;

	while ((c = next_option(cmd, argc, argv, ":hf", opts, &status)) != -1) {
		if (c == -2)
			return status;
		force = true;
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	c = kipc_module(&ctx, &mod);
	if (c >= 0 && !force) {
		ret = channels_left();
		if (ret >= 0)
			goto out;
	}
	if (c >= 0)
		c = kmod_module_remove_module(mod, 0);
	switch (c) {
	case 0:
		ret = EXIT_OK;
		break;
	case -EPERM:
		ret = fail(EXIT_PERM, "unload", "unloading a module needs root: run 'sudo kipcctl "
			   "unload'");
		break;
	case -EAGAIN:
	case -EBUSY:
		read_line(SYSFS_MODULE "/refcnt", refcnt, sizeof(refcnt));
		ret = fail(EXIT_BUSY, "unload", "the module is in use (refcount %s): end the "
			   "programs that have %s open or a channel mapped (fuser -v %s)",
			   refcnt[0] ? refcnt : "?", KIPC_DEVICE_PATH, KIPC_DEVICE_PATH);
		break;
	case -ENOENT:
		ret = fail(EXIT_MODULE, "unload", "the module is not loaded");
		break;
	default:
		ret = fail(exit_code(c), "unload", "%s", strerror(-c));
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

static int compare_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static void print_parameters(void)
{
	struct dirent **names;
	char path[512], value[64];
	int i, n;

	printf("%-12s", "parameters");
	n = scandir(SYSFS_MODULE "/parameters", &names, not_dot, compare_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), SYSFS_MODULE "/parameters/%s", names[i]->d_name);
		printf(" %s=%s", names[i]->d_name, read_line(path, value, sizeof(value)));
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	printf("\n");
}

/* The device node's line, and its features; returns an exit code (0 when all is well). */
static int print_device(void)
{
	char owner[64], group[64];
	struct kipc_info info;
	struct stat st;
	unsigned int i;
	int fd, ret;

	if (stat(KIPC_DEVICE_PATH, &st) == 0)
		printf("%-12s %s: mode %04o, owner %s, group %s\n", "device", KIPC_DEVICE_PATH,
		       st.st_mode & 07777, id_name(st.st_uid, false, owner, sizeof(owner)),
		       id_name(st.st_gid, true, group, sizeof(group)));
	fd = device_open("status");
	if (fd < 0)
		return -fd;
	ret = kipc_get_info(fd, &info);
	close(fd);
	if (ret)
		return fail(exit_code(ret), "status", "KIPC_IOC_INFO: %s", kipc_strerror(ret));
	printf("%-12s %u\n", "abi", info.abi_version);
	printf("%-12s", "features");
	for (i = 0; i < 64; i++)
		if (info.features & (1ULL << i))
			printf(" %s", kipc_feature_name(1ULL << i) ?: "?");
	printf(" (%#llx)\n", (unsigned long long)info.features);
	if (info.features & KIPC_FEATURE_USER_LIMITS) {
		/* What this namespace and this euid hold, against the limits that count it. */
		printf("%-12s %u of %u channels in this IPC namespace\n", "namespace",
		       info.ns_channels, info.max_channels);
		printf("%-12s uid %u: %u of %u channels, %llu of %llu shared-page bytes, "
		       "%llu of %llu queued bytes\n", "user", (unsigned int)geteuid(),
		       info.user_channels, info.max_user_channels,
		       (unsigned long long)info.user_shm_bytes,
		       (unsigned long long)info.max_user_shm_bytes,
		       (unsigned long long)info.user_bytes,
		       (unsigned long long)info.max_user_bytes);
	}
	return EXIT_OK;
}

static int cmd_status(const struct command *cmd, int argc, char **argv)
{
	static const char *const states[] = {
		[KMOD_MODULE_BUILTIN] = "built in",
		[KMOD_MODULE_LIVE] = "live",
		[KMOD_MODULE_COMING] = "coming",
		[KMOD_MODULE_GOING] = "going",
	};
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	char buf[64];
	int state;

	state = no_arguments(cmd, argc, argv);
	if (state >= 0)
		return state;
	state = kipc_module(&ctx, &mod);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (state < 0 || state > KMOD_MODULE_GOING) {
		printf("%-12s %s, not loaded\n", "module", MODULE_NAME);
		return fail(EXIT_MODULE, "status", "the module is not loaded (load it with "
			    "'kipcctl load' or 'sudo modprobe kipc')");
	}
	printf("%-12s %s, loaded (%s)\n", "module", MODULE_NAME, states[state]);
	printf("%-12s %s\n", "version", read_line(SYSFS_MODULE "/version", buf, sizeof(buf)));
	printf("%-12s %s\n", "refcount", read_line(SYSFS_MODULE "/refcnt", buf, sizeof(buf)));
	print_parameters();
	return print_device();
}

const struct command module_commands[] = {
	{ "load", "[PATH|NAME] [PARAM=VALUE...]",
	  "load the module, with parameters",
	  "Load the kipc module with libkmod, as insmod and modprobe do.  PATH (containing a '/'\n"
	  "or ending in .ko) loads that file; NAME (default kipc) loads the module installed\n"
	  "for the running kernel (make install, make dkms-install).  PARAM=VALUE sets a module\n"
	  "parameter: max_channels, max_msg_size, max_msgs, max_user_bytes, max_shm_size,\n"
	  "max_user_channels, max_user_shm_bytes, direct_copy_min.\n"
	  "Needs root.\n\n"
	  "  -h, --help   this text\n", cmd_load },
	{ "unload", "[--force]",
	  "unload the module (--force with channels left)",
	  "Unload the kipc module.  Refused (exit 6) while any process has /dev/kipc open or a\n"
	  "channel mapped, and while channels are left in this IPC namespace (it says how many\n"
	  "and what they hold).  Needs root.\n\n"
	  "  -f, --force  unload although channels are left: they go, with what they hold\n"
	  "  -h, --help   this text\n", cmd_unload },
	{ "status", "",
	  "the module, its parameters, the device and the limits in use",
	  "Show whether the module is loaded, its version, refcount and parameters, the device\n"
	  "node, the ABI and features the module reports, and what this IPC namespace and your\n"
	  "uid use of the limits.  Exits 2 when it is not loaded.\n\n"
	  "  -h, --help   this text\n", cmd_status },
	{ NULL, NULL, NULL, NULL, NULL },
};
