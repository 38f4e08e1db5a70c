// SPDX-License-Identifier: MIT
/*
 * oscost - what the operating system charges a user-space engine per
 * event, on the machine it runs on: one system call (getppid), and one
 * wake-up of a process blocked in poll() (half the round trip of a byte
 * bounced between two processes over pipes, both blocking in poll(), as
 * an engine does between frames).  make bench runs it in dom0 beside the
 * paths, so the engine's share of a round trip can be told from the rest.
 *
 *   usage: oscost [rounds]        (default 20000 syscalls, 2000 bounces)
 *   output: oscost: syscall_ns=N wake_ns=N rounds=N
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Block in poll() on @in, then read one byte; 0 on success. */
static int wait_byte(int in)
{
	struct pollfd p = { .fd = in, .events = POLLIN };
	char c;

	while (poll(&p, 1, -1) < 0)
		if (errno != EINTR)
			return -1;
	return read(in, &c, 1) == 1 ? 0 : -1;
}

/* Mean ns of one getppid() over @n calls (a raw syscall, no libc cache). */
static uint64_t syscall_cost(unsigned int n)
{
	uint64_t t0 = now_ns();
	unsigned int i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / n;
}

/* Mean ns of one wake-up: @n pipe round trips between two processes / 2n. */
static int64_t wake_cost(unsigned int n)
{
	int ab[2], ba[2], status;
	unsigned int i;
	uint64_t t0, t;
	pid_t pid;

	if (pipe(ab) || pipe(ba))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (wait_byte(ab[0]) || write(ba[1], "b", 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (write(ab[1], "a", 1) != 1 || wait_byte(ba[0]))
			break;
	t = now_ns() - t0;
	waitpid(pid, &status, 0);
	if (i < n || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return (int64_t)(t / (2u * n));
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) :
				    20000;
	int64_t wake;

	if (n < 10 || n > 10000000) {
		fprintf(stderr, "usage: oscost [rounds, 10..10000000]\n");
		return 2;
	}
	wake = wake_cost(n / 10);
	if (wake < 0) {
		perror("oscost: pipe round trips");
		return 1;
	}
	printf("oscost: syscall_ns=%" PRIu64 " wake_ns=%" PRId64 " rounds=%u\n",
	       syscall_cost(n), wake, n);
	return 0;
}
