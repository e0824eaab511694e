// SPDX-License-Identifier: GPL-2.0
/*
 * Host test: libkipc's device wrapper gives a clear error for every way /dev/kipc can be
 * missing or wrong.  Needs no module; runs on any machine.
 * Exit: 0 pass, 1 fail (each failed check is printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_test.h"
#include "kipc.h"


static void test_missing_node(void)
{
	int ret = kipc_open_path("/nonexistent/kipc", 0);

	CHECK(ret == -ENOENT);
	/* The sentence must tell the user how to load the module. */
	CHECK(strstr(kipc_strerror(ret), "not loaded") != NULL);
	CHECK(strstr(kipc_strerror(ret), "kipcctl load") != NULL);
}

static void test_env_override(void)
{
	setenv("KIPC_DEVICE", "/nonexistent/other", 1);
	CHECK(kipc_open(0) == -ENOENT);
	setenv("KIPC_DEVICE", "/dev/null", 1);
	CHECK(kipc_open(0) == -ENODEV);
	unsetenv("KIPC_DEVICE");
}

static void test_regular_file(void)
{
	char path[] = "/tmp/kipc-device-test-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK(kipc_open_path(path, 0) == -ENODEV);
	unlink(path);
}

static void test_directory(void)
{
	CHECK(kipc_open_path("/tmp", 0) == -ENODEV);
}

static void test_other_char_device(void)
{
	int ret = kipc_open_path("/dev/null", 0);

	CHECK(ret == -ENODEV);
	CHECK(strstr(kipc_strerror(ret), "not a kipc device") != NULL);
}

static void test_bad_arguments(void)
{
	CHECK(kipc_open_path(NULL, 0) == -EINVAL);
	CHECK(kipc_open_path("", 0) == -EINVAL);
}

static void test_feature_names(void)
{
	CHECK(!strcmp(kipc_feature_name(KIPC_FEATURE_MQ), "mq"));
	CHECK(!strcmp(kipc_feature_name(KIPC_FEATURE_DOORBELL), "doorbell"));
	CHECK(kipc_feature_name(1ULL << 63) == NULL);
	CHECK(kipc_feature_name(KIPC_FEATURE_MQ | KIPC_FEATURE_SHM) == NULL);
}

static void test_no_fd_leak(void)
{
	int before, after, i;

	before = dup(0);
	close(before);
	for (i = 0; i < 100; i++)
		kipc_open_path("/dev/null", 0);
	after = dup(0);
	close(after);
	CHECK(before == after);
}

static void test_strerror_falls_back(void)
{
	CHECK(strcmp(kipc_strerror(-EBUSY), strerror(EBUSY)) == 0);
	CHECK(strstr(kipc_strerror(-EPROTO), "ABI") != NULL);
	CHECK(strstr(kipc_strerror(-EACCES), "permission") != NULL);
}

/*
 * kipc_mq_open()'s attributes are size-versioned: too short or a reserved field is EINVAL, a
 * newer caller's longer struct is taken when its unknown tail is zero and refused (E2BIG)
 * when not; all before the device is opened.  NULL means the defaults.
 */
static void test_mq_attr_sizes(void)
{
	struct {
		struct kipc_mq_attr a;
		unsigned char tail[8];
	} big = { .a = { .size = sizeof(big), .mode = 0600, .access = KIPC_ACCESS_READ } };
	struct kipc_mq_attr a = { .size = KIPC_MQ_ATTR_SIZE_VER0 - 1, .access = KIPC_ACCESS_READ };

	setenv("KIPC_DEVICE", "/nonexistent/kipc", 1);
	CHECK(KIPC_MQ_ATTR_SIZE_VER0 == sizeof(struct kipc_mq_attr));
	CHECK(kipc_mq_open("q", &a) == -EINVAL);
	a.size = 0;
	CHECK(kipc_mq_open("q", &a) == -EINVAL);
	a.size = sizeof(a);
	a.__reserved = 1;
	CHECK(kipc_mq_open("q", &a) == -EINVAL);
	a.__reserved = 0;
	CHECK(kipc_mq_open("q", &a) == -ENOENT);		/* valid: on to the device */
	CHECK(kipc_mq_open("q", NULL) == -ENOENT);
	CHECK(kipc_mq_open("q", &big.a) == -ENOENT);		/* a zero tail is fine */
	big.tail[7] = 1;
	CHECK(kipc_mq_open("q", &big.a) == -E2BIG);
	unsetenv("KIPC_DEVICE");
}

static void test_channel_wrappers_without_module(void)
{
	char long_name[KIPC_NAME_MAX + 8];
	struct kipc_stat st;

	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	setenv("KIPC_DEVICE", "/nonexistent/kipc", 1);
	/* A name that cannot fit is refused before the device is even opened. */
	CHECK(kipc_mq_open(long_name, KIPC_MQ_ATTR(.mode = 0600, .access = KIPC_ACCESS_READ)) ==
	      -ENAMETOOLONG);
	CHECK(kipc_mq_attach(long_name, KIPC_ACCESS_READ) == -ENAMETOOLONG);
	CHECK(kipc_mq_open(NULL, KIPC_MQ_ATTR(.mode = 0600, .access = KIPC_ACCESS_READ)) == -EINVAL);
	/* Then the missing device is the error, said plainly. */
	CHECK(kipc_mq_open("q", KIPC_MQ_ATTR(.mode = 0600, .access = KIPC_ACCESS_READ)) == -ENOENT);
	CHECK(kipc_mq_attach("q", KIPC_ACCESS_READ) == -ENOENT);
	unsetenv("KIPC_DEVICE");
	/* Wrappers on a descriptor that is not kipc pass the kernel's answer through. */
	CHECK(kipc_stat_name(0, long_name, &st) == -ENAMETOOLONG);
	CHECK(kipc_destroy(-1, "q", 0) == -EBADF);
	CHECK(kipc_send(-1, "x", 1, 0, 0, KIPC_FOREVER) == -EBADF);
	CHECK(kipc_recv(-1, long_name, 1, NULL, 0, KIPC_FOREVER) == -EBADF);
	/* The one timeout convention: the ioctl's own wait flags are the library's to set. */
	CHECK(kipc_send(-1, "x", 1, 0, KIPC_MSG_NONBLOCK, 0) == -EINVAL);
	CHECK(kipc_recv(-1, long_name, 1, NULL, KIPC_MSG_TIMEOUT, 1000) == -EINVAL);
	CHECK(kipc_wait(-1, 0, KIPC_MSG_NONBLOCK, 0, NULL) == -EINVAL);
	CHECK(kipc_send(-1, "x", 1, 0, KIPC_MSG_ABSTIME, 5) == -EBADF);
}

int main(void)
{
	test_mq_attr_sizes();
	test_channel_wrappers_without_module();
	test_missing_node();
	test_env_override();
	test_regular_file();
	test_directory();
	test_other_char_device();
	test_bad_arguments();
	test_feature_names();
	test_no_fd_leak();
	test_strerror_falls_back();
	return failures ? 1 : 0;
}
