// SPDX-License-Identifier: GPL-2.0
/* Print what the loaded kipc module reports about itself. */
#include <stdio.h>

#include "kipc.h"

int main(void)
{
	struct kipc_info info;
	unsigned int i;
	int fd, ret;

	fd = kipc_open(0);
	if (fd < 0) {
		fprintf(stderr, "kipc-info: %s\n", kipc_strerror(fd));
		return 1;
	}
	ret = kipc_get_info(fd, &info);
	if (ret) {
		fprintf(stderr, "kipc-info: KIPC_IOC_INFO: %s\n", kipc_strerror(ret));
		return 1;
	}
	printf("kipc module on %s\n", KIPC_DEFAULT_DEVICE);
	printf("  abi version     %u\n", info.abi_version);
	printf("  features        %#llx:", (unsigned long long)info.features);
	for (i = 0; i < 64; i++)
		if (info.features & (1ULL << i))
			printf(" %s", kipc_feature_name(1ULL << i) ?: "?");
	printf("\n");
	printf("  max channels    %u per IPC namespace\n", info.max_channels);
	printf("  max message     %u bytes\n", info.max_msg_size);
	printf("  max queue depth %u messages\n", info.max_msgs);
	printf("  max name        %u bytes\n", info.max_name_len);
	printf("  max user bytes  %llu\n", (unsigned long long)info.max_user_bytes);
	printf("  max shm size    %llu bytes\n", (unsigned long long)info.max_shm_size);
	return 0;
}
