// SPDX-License-Identifier: MIT
/*
 * udp_rr - a tiny UDP request/response benchmark for the testbed guests.
 *
 *   udp_rr -s PORT                  server: echo every datagram back
 *   udp_rr -c IPV4 PORT SECONDS [SIZE]
 *                                   client: one request in flight, for
 *                                   SECONDS; prints transactions, rate and
 *                                   round-trip percentiles
 *
 * Client output, one line:
 *   udp_rr: n=N secs=S rate=R p50_us=A p90_us=B p99_us=C max_us=D lost=L
 *
 * Built static without libc (-nostdlib, raw x86-64 system calls) so the
 * binary is a few KB: it reaches the guests through the testbed's xenstore
 * command channel (base64 in the command), which has no file transfer.
 * A request lost (no answer within 2 s: round trips under TCG reach
 * hundreds of ms) is counted in "lost" and resent; latencies go into a 10 us histogram up to 2 s.
 */
typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define SYS_read		0
#define SYS_write		1
#define SYS_close		3
#define SYS_socket		41
#define SYS_sendto		44
#define SYS_recvfrom		45
#define SYS_bind		49
#define SYS_setsockopt		54
#define SYS_exit_group		231
#define SYS_clock_gettime	228

#define AF_INET		2
#define SOCK_DGRAM	2
#define SOL_SOCKET	1
#define SO_RCVTIMEO	20
#define CLOCK_MONOTONIC	1

struct sockaddr_in {
	u16 family;
	u16 port;	/* network order */
	u32 addr;	/* network order */
	u8 zero[8];
};

struct timespec_ {
	s64 sec, nsec;
};

static s64 sys6(s64 n, s64 a, s64 b, s64 c, s64 d, s64 e, s64 f)
{
	s64 ret;
	register s64 r10 __asm__("r10") = d;
	register s64 r8 __asm__("r8") = e;
	register s64 r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys3(n, a, b, c) sys6(n, (s64)(a), (s64)(b), (s64)(c), 0, 0, 0)

void *memset(void *d, int c, u64 n);
void *memset(void *d, int c, u64 n)
{
	u8 *p = d;

	while (n--)
		*p++ = (u8)c;
	return d;
}

static u64 slen(const char *s)
{
	u64 n = 0;

	while (s[n])
		n++;
	return n;
}

static void out(const char *s)
{
	sys3(SYS_write, 1, s, slen(s));
}

static char *fmt_u(char *p, u64 v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *cat(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static u64 parse_u(const char *s)
{
	u64 v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u64)(*s++ - '0');
	return v;
}

static int parse_ip(const char *s, u32 *ip)
{
	u32 v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		u64 o = 0;

		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			o = o * 10 + (u64)(*s++ - '0');
		if (o > 255 || (i < 3 && *s++ != '.'))
			return -1;
		v |= (u32)o << (8 * i);	/* network order in memory */
	}
	*ip = v;
	return 0;
}

static u16 htons_(u16 v)
{
	return (u16)((v >> 8) | (v << 8));
}

static u64 now_ns(void)
{
	struct timespec_ ts;

	sys3(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
	return (u64)ts.sec * 1000000000ul + (u64)ts.nsec;
}

__attribute__((noreturn)) static void die(const char *msg)
{
	out("udp_rr: ");
	out(msg);
	out("\n");
	sys3(SYS_exit_group, 1, 0, 0);
	__builtin_unreachable();
}

#define BIN_NS		10000ul		/* 10 us */
#define NBINS		200000u		/* 2 s */
static u32 hist[NBINS + 1];
static u8 buf[65536];

static u64 pct(u64 n, u64 p)	/* p-th percentile in us */
{
	u64 want = (n * p + 99) / 100, seen = 0;
	u32 i;

	if (!want)
		want = 1;
	for (i = 0; i <= NBINS; i++) {
		seen += hist[i];
		if (seen >= want)
			return (u64)i * BIN_NS / 1000;
	}
	return 0;
}

static int server(u16 port)
{
	struct sockaddr_in a, peer;
	u32 plen;
	s64 fd, n;

	fd = sys3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.port = htons_(port);
	if (sys3(SYS_bind, fd, &a, sizeof(a)) < 0)
		die("bind");
	for (;;) {
		plen = sizeof(peer);
		n = sys6(SYS_recvfrom, fd, (s64)buf, sizeof(buf), 0, (s64)&peer,
			 (s64)&plen);
		if (n < 0)
			continue;
		sys6(SYS_sendto, fd, (s64)buf, n, 0, (s64)&peer, plen);
	}
	return 0;
}

static int client(u32 ip, u16 port, u64 secs, u64 size)
{
	struct sockaddr_in a;
	struct timespec_ tv = { 2, 0 };	/* timeval: 2 s, a loss */
	u64 t_end, t0, t, start, n = 0, lost = 0, maxns = 0, seq = 0;
	char line[256], *p;
	s64 fd, r;

	if (size < 8 || size > 1472)
		die("size must be 8..1472");
	fd = sys3(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (sys6(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, (s64)&tv,
		 sizeof(tv), 0) < 0)
		die("setsockopt");
	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.port = htons_(port);
	a.addr = ip;
	memset(buf, 0x5a, size);
	start = now_ns();
	t_end = start + secs * 1000000000ul;
	while ((t0 = now_ns()) < t_end) {
		seq++;
		*(u64 *)buf = seq;
		if (sys6(SYS_sendto, fd, (s64)buf, (s64)size, 0, (s64)&a,
			 sizeof(a)) < 0)
			die("sendto");
		for (;;) {
			r = sys6(SYS_recvfrom, fd, (s64)buf + 2048, 2048, 0, 0, 0);
			if (r < 0) {	/* timeout: a lost transaction */
				lost++;
				break;
			}
			if (r >= 8 && *(u64 *)(buf + 2048) == seq) {
				t = now_ns() - t0;
				hist[t / BIN_NS < NBINS ? t / BIN_NS : NBINS]++;
				if (t > maxns)
					maxns = t;
				n++;
				break;
			}	/* a late answer to an older request: skip */
		}
	}
	t = now_ns() - start;
	p = cat(line, "udp_rr: n=");
	p = fmt_u(p, n);
	p = cat(p, " secs=");
	p = fmt_u(p, t / 1000000000ul);
	p = cat(p, ".");
	p = fmt_u(p, t / 100000000ul % 10);
	p = cat(p, " rate=");
	p = fmt_u(p, n * 1000000000ul / (t ? t : 1));
	p = cat(p, " p50_us=");
	p = fmt_u(p, pct(n, 50));
	p = cat(p, " p90_us=");
	p = fmt_u(p, pct(n, 90));
	p = cat(p, " p99_us=");
	p = fmt_u(p, pct(n, 99));
	p = cat(p, " max_us=");
	p = fmt_u(p, maxns / 1000);
	p = cat(p, " lost=");
	p = fmt_u(p, lost);
	p = cat(p, "\n");
	*p = 0;
	out(line);
	return n ? 0 : 1;
}

int umain(long argc, char **argv);
int umain(long argc, char **argv)
{
	u32 ip = 0;

	if (argc == 3 && argv[1][0] == '-' && argv[1][1] == 's')
		return server((u16)parse_u(argv[2]));
	if ((argc == 5 || argc == 6) && argv[1][0] == '-' && argv[1][1] == 'c') {
		if (parse_ip(argv[2], &ip))
			die("bad IPv4 address");
		return client(ip, (u16)parse_u(argv[3]), parse_u(argv[4]),
			      argc == 6 ? parse_u(argv[5]) : 64);
	}
	out("usage: udp_rr -s PORT | udp_rr -c IPV4 PORT SECONDS [SIZE]\n");
	return 2;
}

/* Entry: argc at (%rsp), argv after it; align the stack, call, exit. */
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov (%rsp), %rdi\n"
	"	lea 8(%rsp), %rsi\n"
	"	and $-16, %rsp\n"
	"	call umain\n"
	"	mov %eax, %edi\n"
	"	mov $231, %eax\n"
	"	syscall\n");
