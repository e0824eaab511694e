// SPDX-License-Identifier: GPL-2.0
/*
 * For the VM plan: a mapping outlives its fd and its name, and pins the module.
 *
 *   kipc-map-hold           map a shared-page channel and fill it, close the fd, destroy the
 *                           name, then hold only the mapping until killed; on SIGUSR1, check
 *                           that the mapping still reads and writes, and say so in
 *                           /tmp/kipc-map-hold.ok
 *   kipc-map-hold --check   (after the plan's refused rmmod) have the holder check, and pass
 *                           when it found its memory intact
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kipc.h"

#define SIZE	8192
#define PIDFILE	"/tmp/kipc-map-hold.pid"
#define OKFILE	"/tmp/kipc-map-hold.ok"

static volatile unsigned char *map;
static volatile sig_atomic_t check_asked;

static void on_usr1(int sig)
{
	(void)sig;
	check_asked = 1;
}

static void fill(unsigned char seed)
{
	for (size_t i = 0; i < SIZE; i++)
		map[i] = (unsigned char)(seed + i);
}

static int intact(unsigned char seed)
{
	for (size_t i = 0; i < SIZE; i++)
		if (map[i] != (unsigned char)(seed + i))
			return 0;
	return 1;
}

/*
 * Whole or not at all: the checker polls for @path and reads it at once, so the text goes into
 * a file of its own first and is renamed into place (an O_TRUNC write could be read empty).
 */
static void write_file(const char *path, const char *text)
{
	char tmp[64];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	if (fd < 0)
		return perror(tmp);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(tmp);
	close(fd);
	if (rename(tmp, path))
		perror(path);
}

static int check(void)
{
	char text[32] = "";
	FILE *f = fopen(PIDFILE, "r");
	int pid = 0, fd;

	if (!f || fscanf(f, "%d", &pid) != 1)
		return fprintf(stderr, "map-hold --check: no holder\n"), 1;
	fclose(f);
	unlink(OKFILE);
	if (kill(pid, SIGUSR1))
		return perror("map-hold --check: kill"), 1;
	for (int i = 0; i < 100 && access(OKFILE, F_OK); i++)
		usleep(50000);
	fd = open(OKFILE, O_RDONLY);
	if (fd < 0 || read(fd, text, sizeof(text) - 1) < 0)
		return fprintf(stderr, "map-hold --check: the holder did not answer\n"), 1;
	close(fd);
	printf("map-hold --check: %s", text);
	return strcmp(text, "intact\n") != 0;
}

int main(int argc, char **argv)
{
	char pid[32];
	int fd, ctl;

	if (argc > 1 && !strcmp(argv[1], "--check"))
		return check();

	fd = kipc_shm_open("map-hold", KIPC_CREATE_EXCL, 0600,
			   KIPC_ACCESS_READ | KIPC_ACCESS_WRITE, SIZE);
	if (fd < 0)
		return fprintf(stderr, "map-hold: %s\n", kipc_strerror(fd)), 1;
	map = kipc_shm_map(fd, PROT_READ | PROT_WRITE, NULL, NULL);
	if (!map)
		return 1;
	close(fd);
	ctl = kipc_open(0);
	if (ctl < 0 || kipc_destroy(ctl, "map-hold", 0))
		return 1;
	close(ctl);
	fill(1);
	signal(SIGUSR1, on_usr1);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	write_file(PIDFILE, pid);
	write_file("/tmp/kipc-map-hold.ready", "");
	for (;;) {
		pause();
		if (!check_asked)
			continue;
		check_asked = 0;
		/* What was written before is there, and the memory still takes writes. */
		if (intact(1)) {
			fill(2);
			write_file(OKFILE, intact(2) ? "intact\n" : "lost a write\n");
			fill(1);
		} else {
			write_file(OKFILE, "changed\n");
		}
	}
}
