// SPDX-License-Identifier: GPL-2.0-only
/*
 * clock-syscall.c - an LD_PRELOAD for tests/ns3/lag.sh: every clock read
 * (clock_gettime, gettimeofday) made a system call, as where the clock
 * has no vDSO (a Xen PV dom0 without a stable TSC), so strace counts
 * them and each costs what a system call costs.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	return (int)syscall(SYS_clock_gettime, clk, ts);
}

int gettimeofday(struct timeval *tv, void *tz)
{
	return (int)syscall(SYS_gettimeofday, tv, tz);
}
