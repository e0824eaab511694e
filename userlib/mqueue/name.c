// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * POSIX queue names to kipc channel names.
 *
 * The rules are the ones Linux and glibc apply: glibc wants a leading '/' (EINVAL) and gives
 * the kernel what follows, which the kernel refuses when empty (ENOENT), when it holds a '/'
 * or is "." or ".." (EACCES, as a lookup in /dev/mqueue does) and when longer than NAME_MAX
 * (ENAMETOOLONG).
 *
 * The mapping is injective: MQ_KIPC_PREFIX, then each byte of [A-Za-z0-9._-] as it is and
 * every other byte (':' and '@' included, so that no escape can be read two ways) as '@' and
 * two upper-case hex digits.  kipc names are at most KIPC_NAME_MAX - 1 bytes: a name whose
 * mapping is longer is ENAMETOOLONG here although Linux would take it.
 */
#include <limits.h>
#include <string.h>

#include "shim.h"

static int mq_name_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

int mq__kipc_name(const char *name, char kname[KIPC_NAME_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len, out = sizeof(MQ_KIPC_PREFIX) - 1;
	const unsigned char *p;

	if (name[0] != '/')
		return -EINVAL;
	name++;
	len = strlen(name);
	if (!len)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	if (len > NAME_MAX)
		return -ENAMETOOLONG;

	memset(kname, 0, KIPC_NAME_MAX);
	memcpy(kname, MQ_KIPC_PREFIX, out);
	for (p = (const unsigned char *)name; *p; p++) {
		if (mq_name_plain(*p)) {
			if (out + 1 > KIPC_NAME_MAX - 1)
				return -ENAMETOOLONG;
			kname[out++] = (char)*p;
			continue;
		}
		if (out + 3 > KIPC_NAME_MAX - 1)
			return -ENAMETOOLONG;
		kname[out++] = '@';
		kname[out++] = hex[*p >> 4];
		kname[out++] = hex[*p & 0xf];
	}
	return 0;
}
