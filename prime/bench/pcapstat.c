// SPDX-License-Identifier: MIT
/*
 * vprime-pcapstat: what a running process's libpcap capture on an
 * interface took in and dropped, read from outside the process.
 *
 *   vprime-pcapstat PID IFNAME MS [COUNT]
 *
 * PRIMEX's TAP emulation device reads each emulated interface with libpcap
 * and injects every IPv4 frame it reads into the simulator, but keeps no
 * counter and never calls pcap_stats().  The kernel counts for it: each
 * packet socket has PACKET_STATISTICS (frames the socket was handed,
 * including those dropped because its ring was full, and those drops).
 * This tool borrows the process's packet sockets bound to IFNAME with
 * ETH_P_ALL (libpcap's capture socket; not the TAP device's send socket,
 * bound to another protocol) through pidfd_getfd(), reads their statistics,
 * then COUNT (default 1) times waits MS milliseconds and reads them again.
 * A read resets the kernel's counters, as pcap_stats() would; nobody else
 * reads them in primex.  So consecutive windows leave no gap between them.
 *
 * Prints one line per window: sockets=N recv=R drops=D ns=T vif_rx=V
 * at=A, where R (handed to the socket, drops included) and D are over the
 * T ns of the window, V is IFNAME's rx_packets over the same span and A
 * the window's end in ns since the first read; with MS = 0, one read and
 * what accumulated since the last one (ns=0).
 * Frames the socket was handed and did not drop are the ones the reader
 * takes: R - D.  Exit 0; 2 on a bad argument; 1 when the process or its
 * capture socket cannot be found or read.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PS_MAX_SOCKS 16

struct ps_totals {
	uint64_t recv;
	uint64_t drops;
	uint64_t vif_rx;
	uint64_t ns;
};

static int ps_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static uint64_t ps_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The process's descriptor FD, duplicated into ours; -1 if not a socket. */
static int ps_borrow(int pidfd, pid_t pid, int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return -1;
	link[n] = '\0';
	if (strncmp(link, "socket:[", 8) != 0)
		return -1;
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

/* A capture socket: AF_PACKET, bound to IFINDEX with ETH_P_ALL. */
static int ps_is_capture(int s, int ifindex)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);

	memset(&sll, 0, sizeof(sll));
	if (getsockname(s, (struct sockaddr *)&sll, &len) < 0)
		return 0;
	return sll.sll_family == AF_PACKET && sll.sll_ifindex == ifindex &&
	       sll.sll_protocol == htons(ETH_P_ALL);
}

/* The capture sockets of PID on IFINDEX into SOCKS; how many, -1 on error. */
static int ps_find(pid_t pid, int ifindex, int *socks)
{
	char dir[64];
	struct dirent *de;
	DIR *d;
	int pidfd, n = 0;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "vprime-pcapstat: pidfd_open(%d): %s\n", (int)pid, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "vprime-pcapstat: %s: %s\n", dir, strerror(errno));
		close(pidfd);
		return -1;
	}
	while ((de = readdir(d)) && n < PS_MAX_SOCKS) {
		unsigned long fd;
		int s;

		if (ps_parse_ulong(de->d_name, INT_MAX, &fd) < 0)
			continue;
		s = ps_borrow(pidfd, pid, (int)fd);
		if (s < 0)
			continue;
		if (ps_is_capture(s, ifindex))
			socks[n++] = s;
		else
			close(s);
	}
	closedir(d);
	close(pidfd);
	return n;
}

static uint64_t ps_vif_rx(const char *ifname)
{
	char path[96];
	unsigned long long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_packets", ifname);
	fp = fopen(path, "r");
	if (!fp)
		return 0;
	if (fscanf(fp, "%llu", &v) != 1)
		v = 0;
	fclose(fp);
	return v;
}

/* Every socket's statistics since the last read (the read resets them). */
static int ps_read(const int *socks, int n, struct ps_totals *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < n; i++) {
		struct tpacket_stats_v3 st;
		socklen_t len = sizeof(st);

		memset(&st, 0, sizeof(st));
		if (getsockopt(socks[i], SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) {
			fprintf(stderr, "vprime-pcapstat: PACKET_STATISTICS: %s\n", strerror(errno));
			return -1;
		}
		t->recv += st.tp_packets;
		t->drops += st.tp_drops;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long pid, ms, count = 1;
	int socks[PS_MAX_SOCKS], n, ifindex;
	struct ps_totals a, b;
	uint64_t t0;

	if ((argc != 4 && argc != 5) || ps_parse_ulong(argv[1], INT_MAX, &pid) < 0 || pid == 0 ||
	    ps_parse_ulong(argv[3], 600000, &ms) < 0 || strlen(argv[2]) >= IFNAMSIZ ||
	    strchr(argv[2], '/') || (argc == 5 && (ps_parse_ulong(argv[4], 10000, &count) < 0 ||
						   count == 0))) {
		fprintf(stderr, "usage: vprime-pcapstat PID IFNAME MS [COUNT] (MS 0..600000, COUNT 1..10000)\n");
		return 2;
	}
	ifindex = (int)if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "vprime-pcapstat: no interface %s\n", argv[2]);
		return 1;
	}
	n = ps_find((pid_t)pid, ifindex, socks);
	if (n < 0)
		return 1;
	if (n == 0) {
		fprintf(stderr, "vprime-pcapstat: process %lu has no capture socket on %s\n", pid, argv[2]);
		return 1;
	}
	b.vif_rx = ps_vif_rx(argv[2]);
	b.ns = ps_now_ns();
	if (ps_read(socks, n, &a) < 0)
		return 1;
	a.vif_rx = b.vif_rx;
	a.ns = b.ns;
	t0 = a.ns;
	if (ms == 0) {
		printf("sockets=%d recv=%" PRIu64 " drops=%" PRIu64 " ns=0 vif_rx=0 at=0\n",
		       n, a.recv, a.drops);
		count = 0;
	}
	for (unsigned long i = 0; i < count; i++) {
		/* each window ends ms after the previous one's end */
		uint64_t end = t0 + (i + 1) * ms * 1000000ull, now = ps_now_ns();

		if (end > now) {
			struct timespec ts = { (time_t)((end - now) / 1000000000ull),
					       (long)((end - now) % 1000000000ull) };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		if (ps_read(socks, n, &b) < 0)
			return 1;
		now = ps_now_ns();
		b.vif_rx = ps_vif_rx(argv[2]);
		printf("sockets=%d recv=%" PRIu64 " drops=%" PRIu64 " ns=%" PRIu64 " vif_rx=%" PRIu64
		       " at=%" PRIu64 "\n", n, b.recv, b.drops, now - a.ns, b.vif_rx - a.vif_rx, now - t0);
		fflush(stdout);
		a.ns = now;
		a.vif_rx = b.vif_rx;
	}
	for (int i = 0; i < n; i++)
		close(socks[i]);
	return 0;
}
