// SPDX-License-Identifier: MIT
/*
 * thread-stop: stop one thread of a running process for a while, the rest
 * of the process running on.
 *
 *   thread-stop TID MS
 *
 * A simulator that falls behind the wall clock is the case the vprime
 * device's time rules are for (docs/prime.md, "Time"), and the testbed
 * shows it only under QEMU's software emulation, by chance.  SIGSTOP
 * cannot make it on purpose: it stops every thread of primex, libvprime's
 * and the device's with the simulator's, and nothing lags anything.
 * ptrace can stop one: PTRACE_SEIZE does not stop the tracee and
 * PTRACE_INTERRUPT stops that thread alone (no group stop), so the
 * simulator thread stands still for MS milliseconds while the threads
 * that take guest frames in and hand them out keep going; PTRACE_DETACH
 * lets it go on where it was.  Needs CAP_SYS_PTRACE or a same-user tracee
 * (Yama's ptrace_scope 0 or 1 with root).
 *
 * Prints "stopped TID for N ms" (N measured, CLOCK_MONOTONIC) on stdout.
 * Exit 0; 2 on a bad argument; 1 when the thread cannot be stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

static int ts_parse(const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || end == s || *end || *v <= 0 || *v > max ? -1 : 0;
}

static int64_t ts_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for TID's ptrace stop, passing on any signal it had pending. */
static int ts_wait_stop(pid_t tid)
{
	int st;

	for (;;) {
		if (waitpid(tid, &st, __WALL) < 0)
			return -1;
		if (!WIFSTOPPED(st))
			return -1;	/* it exited */
		if (st >> 16 == PTRACE_EVENT_STOP)
			return 0;
		/* a signal-delivery stop came first: deliver it, wait on */
		if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)WSTOPSIG(st)) < 0)
			return -1;
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
			return -1;
	}
}

int main(int argc, char **argv)
{
	long tid, ms;
	int64_t t0;
	struct timespec d;

	if (argc != 3 || ts_parse(argv[1], INT_MAX, &tid) || ts_parse(argv[2], 600000, &ms)) {
		fprintf(stderr, "usage: thread-stop TID MS (MS 1..600000)\n");
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)tid, NULL, NULL) < 0) {
		fprintf(stderr, "thread-stop: seize %ld: %s\n", tid, strerror(errno));
		return 1;
	}
	if (ptrace(PTRACE_INTERRUPT, (pid_t)tid, NULL, NULL) < 0 || ts_wait_stop((pid_t)tid)) {
		fprintf(stderr, "thread-stop: stop %ld: %s\n", tid, strerror(errno));
		return 1;
	}
	t0 = ts_now_ms();
	d.tv_sec = ms / 1000;
	d.tv_nsec = ms % 1000 * 1000000;
	while (nanosleep(&d, &d) < 0 && errno == EINTR)
		;
	if (ptrace(PTRACE_DETACH, (pid_t)tid, NULL, NULL) < 0) {
		fprintf(stderr, "thread-stop: detach %ld: %s\n", tid, strerror(errno));
		return 1;
	}
	printf("stopped %ld for %" PRId64 " ms\n", tid, ts_now_ms() - t0);
	return 0;
}
