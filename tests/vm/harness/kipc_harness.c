// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module for the VM runner's self-tests: loading it fires a WARN, so the runner
 * can prove that a kernel warning turns a run red.  Never part of a release build.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init kipc_harness_init(void)
{
	WARN(1, "kipc_harness: deliberate warning for the runner's self-test\n");
	return 0;
}

static void __exit kipc_harness_exit(void)
{
}

module_init(kipc_harness_init);
module_exit(kipc_harness_exit);

MODULE_DESCRIPTION("kipc VM runner self-test: fires a WARN on load");
MODULE_LICENSE("GPL");
