// SPDX-License-Identifier: MIT
/*
 * ctl.c - the control protocol and its unix socket.
 *
 * A request is one line of at most VPE_CTL_LINE_MAX - 1 printable ASCII
 * characters, words separated by spaces.  The answer is zero or more data
 * lines and then exactly one of "ok" or "error: <why>".  docs/engine.md
 * lists the commands.  vpe_ctl_exec() is the whole protocol as a pure
 * function of the engine and one line, so the fuzzer drives it directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "engine.h"
#include "vp_hist.h"

#define VPE_CTL_ARGS		24
#define VPE_CTL_CLIENTS		8
#define VPE_CTL_OUT_MAX		(4u << 20)

/* ---- output text ------------------------------------------------------------ */

void vpe_buf_printf(struct vpe_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	need = b->len + (size_t)n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *s;

		while (cap < need)
			cap *= 2;
		s = cap <= VPE_CTL_OUT_MAX ? realloc(b->s, cap) : NULL;
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void vpe_buf_free(struct vpe_buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* ---- commands --------------------------------------------------------------- */

struct vpe_cmd {
	const char *name;
	int min_args, max_args;		/* words after the command */
	const char *usage;
	int (*fn)(struct vpe_engine *e, int argc, char **argv,
		  struct vpe_buf *out, char *err, size_t errlen);
};

static const char *const vpe_state_names[] = { "free", "attached", "down",
					       "gone" };

static void vpe_hist_line(struct vpe_buf *o, const char *name, const u64 *h)
{
	u32 k;

	vpe_buf_printf(o, "latency %s", name);
	for (k = 0; k < VP_HIST_NR; k++)
		vpe_buf_printf(o, " %s %llu", vp_hist_label(k),
			       (unsigned long long)h[k]);
	vpe_buf_printf(o, "\n");
}

/*
 * Per-stage histograms: dom0 sync to the engine's rx_peek (libvprime's
 * lat_to_engine), and the frames' residence in the engine.
 */
static void vpe_cmd_stats_lat(struct vpe_engine *e, struct vpe_buf *o)
{
	u64 lib[VPRIME_LIB_STAT_MAX];

	if (vprime_lib_stats(e->vp, lib, VPRIME_LIB_STAT_MAX) ==
	    (int)VPRIME_LIB_STAT_MAX)
		vpe_hist_line(o, "to_engine",
			      &lib[VPRIME_LIB_STAT_lat_to_engine_le_1us]);
	vpe_hist_line(o, "residence", e->st.residence);
}

/* The poll loop's early wake-up (wake.c): its estimate, margin and cost. */
static void vpe_cmd_stats_wake(struct vpe_engine *e, struct vpe_buf *o)
{
	const struct vpe_wake *w = &e->wake;

	vpe_buf_printf(o, "wake sleeps %llu timeouts %llu timer_late_ewma_ns "
		       "%llu margin_ns %llu cap_ns %llu spins %llu spin_ns %llu "
		       "spin_starts %llu\n",
		       (unsigned long long)w->sleeps,
		       (unsigned long long)w->timeouts,
		       (unsigned long long)w->est_ns,
		       (unsigned long long)w->margin_ns,
		       (unsigned long long)w->cap_ns,
		       (unsigned long long)w->spins,
		       (unsigned long long)w->spin_ns,
		       (unsigned long long)w->spin_starts);
}

/*
 * What the loop paid for its work: waits (blocking or not), those the
 * backend ended, the engine's clock reads, the library's sync ioctls.
 */
static void vpe_cmd_stats_loop(struct vpe_engine *e, struct vpe_buf *o)
{
	u64 lib[VPRIME_LIB_STAT_MAX];
	u64 syncs = 0;

	if (vprime_lib_stats(e->vp, lib, VPRIME_LIB_STAT_MAX) ==
	    (int)VPRIME_LIB_STAT_MAX)
		syncs = lib[VPRIME_LIB_STAT_syncs];
	vpe_buf_printf(o, "loop steps %llu polls %llu polls_dev %llu "
		       "clock_reads %llu syncs %llu\n",
		       (unsigned long long)e->st.steps,
		       (unsigned long long)e->st.polls,
		       (unsigned long long)e->st.polls_dev,
		       (unsigned long long)e->st.clock_reads,
		       (unsigned long long)syncs);
}

static int vpe_cmd_stats(struct vpe_engine *e, int argc, char **argv,
			 struct vpe_buf *o, char *err, size_t errlen)
{
	static const char *const bucket[VPE_LATE_BUCKETS] = {
		"0-1us", "1-10us", "10-100us", "100us-1ms", "1-10ms", "10ms+" };
	const struct vpe_stats *s = &e->st;
	u32 i, k;

	(void)argc; (void)argv; (void)err; (void)errlen;
	vpe_buf_printf(o, "engine rx_frames %llu rx_bytes %llu tx_frames %llu "
		       "tx_bytes %llu flood_copies %llu in_flight %u steps %llu "
		       "sync_errors %llu arp_replies %llu arp_requests %llu "
		       "routed %llu\n",
		       (unsigned long long)s->rx_frames,
		       (unsigned long long)s->rx_bytes,
		       (unsigned long long)s->tx_frames,
		       (unsigned long long)s->tx_bytes,
		       (unsigned long long)s->flood_copies, e->sched.n,
		       (unsigned long long)s->steps,
		       (unsigned long long)s->sync_errors,
		       (unsigned long long)s->arp_replies,
		       (unsigned long long)s->arp_requests,
		       (unsigned long long)s->routed);
	for (i = 0; i < VPE_DROP_MAX; i++)
		vpe_buf_printf(o, "drop %s %llu\n", vpe_drop_name(i),
			       (unsigned long long)s->drops[i]);
	vpe_buf_printf(o, "late count %llu threshold_ns %llu max_ns %llu\n",
		       (unsigned long long)s->late,
		       (unsigned long long)e->topo->late_ns,
		       (unsigned long long)s->late_max_ns);
	for (i = 0; i < VPE_LATE_BUCKETS; i++)
		vpe_buf_printf(o, "lateness %s %llu\n", bucket[i],
			       (unsigned long long)s->late_hist[i]);
	vpe_cmd_stats_lat(e, o);
	vpe_cmd_stats_wake(e, o);
	vpe_cmd_stats_loop(e, o);
	vpe_buf_printf(o, "devices attaches %llu detaches %llu attach_errors "
		       "%llu\n", (unsigned long long)s->attaches,
		       (unsigned long long)s->detaches,
		       (unsigned long long)s->attach_errors);
	vpe_buf_printf(o, "control commands %llu errors %llu overlong %llu\n",
		       (unsigned long long)s->ctl_cmds,
		       (unsigned long long)s->ctl_errors,
		       (unsigned long long)s->ctl_overlong);
	for (i = 0; i < e->nr_ldir; i++) {
		const struct vpe_link_dir *d = &e->ldir[i];

		vpe_buf_printf(o, "link %s %s>%s frames %llu bytes %llu queued %u",
			       e->topo->link[d->link].name,
			       e->topo->node[d->from].name,
			       e->topo->node[d->to].name,
			       (unsigned long long)d->frames,
			       (unsigned long long)d->bytes, d->q_count);
		for (k = 0; k < VPE_LDROP_MAX; k++)
			vpe_buf_printf(o, " %s %llu", vpe_link_drop_name(k),
				       (unsigned long long)d->drops[k]);
		vpe_buf_printf(o, "\n");
	}
	return 0;
}

static int vpe_cmd_ports(struct vpe_engine *e, int argc, char **argv,
			 struct vpe_buf *o, char *err, size_t errlen)
{
	u64 v[VPRIME_STAT_MAX];
	u32 i;
	int st;

	(void)argc; (void)argv; (void)err; (void)errlen;
	for (i = 0; i < e->topo->nr_nodes; i++) {
		const struct vpe_node *n = &e->node[i];

		if (n->t->type != VPE_NODE_GUEST)
			continue;
		if (n->port < 0) {
			vpe_buf_printf(o, "node %s port - state unbound\n",
				       n->t->name);
			continue;
		}
		st = vprime_port_state(e->vp, (u32)n->port);
		vpe_buf_printf(o, "node %s port %d state %s capture %s", n->t->name,
			       n->port, st >= 0 ? vpe_state_names[st] : "?",
			       n->cap ? "on" : "off");
		if (vprime_port_stats(e->vp, (u32)n->port, v, VPRIME_STAT_MAX) >=
		    (int)VPRIME_STAT_MAX)
			for (u32 k = 0; k < VPRIME_STAT_MAX; k++)
				vpe_buf_printf(o, " %s %llu", vprime_stat_name(k),
					       (unsigned long long)v[k]);
		vpe_buf_printf(o, "\n");
	}
	return 0;
}

static void vpe_link_show(struct vpe_buf *o, const struct vpe_topo_link *l)
{
	const struct vpe_link_params *p = &l->prm;

	vpe_buf_printf(o, "link %s bandwidth %llubit delay %lluns jitter %lluns "
		       "loss %.9g ge %s ge_p %.9g ge_r %.9g ge_loss_good %.9g "
		       "ge_loss_bad %.9g queue_packets %u queue_bytes %llu\n",
		       l->name, (unsigned long long)p->bandwidth_bps,
		       (unsigned long long)p->delay_ns,
		       (unsigned long long)p->jitter_ns, p->loss,
		       p->ge.on ? "on" : "off", p->ge.p, p->ge.r, p->ge.loss_good,
		       p->ge.loss_bad, p->queue_packets,
		       (unsigned long long)p->queue_bytes);
}

/* link NAME show | link NAME set KEY VALUE [KEY VALUE ...] */
static int vpe_cmd_link(struct vpe_engine *e, int argc, char **argv,
			struct vpe_buf *o, char *err, size_t errlen)
{
	struct vpe_link_params p;
	struct vpe_topo_link *l;
	int li = vpe_engine_link(e, argv[0]), i;

	if (li < 0) {
		snprintf(err, errlen, "no link named '%.40s'", argv[0]);
		return -ENOENT;
	}
	l = &e->topo->link[li];
	if (!strcmp(argv[1], "show") && argc == 2) {
		vpe_link_show(o, l);
		return 0;
	}
	if (strcmp(argv[1], "set") || argc < 4 || argc % 2) {
		snprintf(err, errlen, "usage: link NAME show | link NAME set KEY "
			 "VALUE [KEY VALUE ...]");
		return -EINVAL;
	}
	/* All or nothing: check every pair on a copy first. */
	p = l->prm;
	for (i = 2; i < argc; i += 2)
		if (vpe_link_param_set(&p, argv[i], argv[i + 1], err, errlen))
			return -EINVAL;
	l->prm = p;
	if (vpe_link_dir_resize(&e->ldir[2 * li]) ||
	    vpe_link_dir_resize(&e->ldir[2 * li + 1])) {
		snprintf(err, errlen, "out of memory resizing the queue");
		return -ENOMEM;
	}
	vpe_link_show(o, l);
	return 0;
}

static int vpe_guest_arg(struct vpe_engine *e, const char *name, char *err,
			 size_t errlen)
{
	int ni = vpe_engine_node(e, name);

	if (ni < 0 || e->node[ni].t->type != VPE_NODE_GUEST) {
		snprintf(err, errlen, "no guest named '%.40s'", name);
		return -ENOENT;
	}
	return ni;
}

/* capture start NODE PATH | capture stop NODE */
static int vpe_cmd_capture(struct vpe_engine *e, int argc, char **argv,
			   struct vpe_buf *o, char *err, size_t errlen)
{
	int ni;
	struct vpe_node *n;

	if (!((!strcmp(argv[0], "start") && argc == 3) ||
	      (!strcmp(argv[0], "stop") && argc == 2))) {
		snprintf(err, errlen, "usage: capture start NODE PATH | capture "
			 "stop NODE");
		return -EINVAL;
	}
	ni = vpe_guest_arg(e, argv[1], err, errlen);
	if (ni < 0)
		return ni;
	n = &e->node[ni];
	if (!strcmp(argv[0], "stop")) {
		if (!n->cap) {
			snprintf(err, errlen, "no capture running on '%s'",
				 n->t->name);
			return -EINVAL;
		}
		vpe_buf_printf(o, "capture %s frames %llu\n", n->t->name,
			       (unsigned long long)vpe_capture_count(n->cap));
		vpe_capture_close(n->cap);
		n->cap = NULL;
		return 0;
	}
	if (n->cap) {
		snprintf(err, errlen, "capture already running on '%s'",
			 n->t->name);
		return -EBUSY;
	}
	return vpe_capture_open(&n->cap, argv[2], err, errlen);
}

static int vpe_cmd_rescan(struct vpe_engine *e, int argc, char **argv,
			  struct vpe_buf *o, char *err, size_t errlen)
{
	int r = vpe_engine_rescan(e);

	(void)argc; (void)argv;
	if (r < 0) {
		snprintf(err, errlen, "rescan: %s", strerror(-r));
		return r;
	}
	vpe_buf_printf(o, "attached %d\n", r);
	return 0;
}

static int vpe_cmd_help(struct vpe_engine *e, int argc, char **argv,
			struct vpe_buf *o, char *err, size_t errlen);

static const struct vpe_cmd vpe_cmds[] = {
	{ "help", 0, 0, "help", vpe_cmd_help },
	{ "stats", 0, 0, "stats", vpe_cmd_stats },
	{ "ports", 0, 0, "ports", vpe_cmd_ports },
	{ "link", 2, VPE_CTL_ARGS - 2, "link NAME show | link NAME set KEY VALUE "
	  "[KEY VALUE ...]", vpe_cmd_link },
	{ "capture", 2, 3, "capture start NODE PATH | capture stop NODE",
	  vpe_cmd_capture },
	{ "rescan", 0, 0, "rescan", vpe_cmd_rescan },
};

static int vpe_cmd_help(struct vpe_engine *e, int argc, char **argv,
			struct vpe_buf *o, char *err, size_t errlen)
{
	u32 i;

	(void)e; (void)argc; (void)argv; (void)err; (void)errlen;
	for (i = 0; i < sizeof(vpe_cmds) / sizeof(vpe_cmds[0]); i++)
		vpe_buf_printf(o, "%s\n", vpe_cmds[i].usage);
	return 0;
}

/* Split @line into words; refuses control and non-ASCII bytes. */
static int vpe_ctl_split(char *line, char **argv, int max, char *err,
			 size_t errlen)
{
	int argc = 0;
	char *p;

	for (p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			snprintf(err, errlen, "control or non-ASCII byte 0x%02x "
				 "in the command", (unsigned char)*p);
			return -EINVAL;
		}
	}
	for (p = strtok(line, " "); p; p = strtok(NULL, " ")) {
		if (argc == max) {
			snprintf(err, errlen, "too many words (at most %d)", max);
			return -E2BIG;
		}
		argv[argc++] = p;
	}
	return argc;
}

int vpe_ctl_exec(struct vpe_engine *e, const char *line, size_t len,
		 struct vpe_buf *out)
{
	char buf[VPE_CTL_LINE_MAX], err[VPE_ERR_LEN] = "";
	char *argv[VPE_CTL_ARGS];
	int argc, r = -EINVAL;
	u32 i;

	e->st.ctl_cmds++;
	if (len && line[len - 1] == '\n')
		len--;
	if (len && line[len - 1] == '\r')
		len--;
	if (len >= sizeof(buf)) {
		e->st.ctl_overlong++;
		snprintf(err, sizeof(err), "line longer than %u bytes",
			 VPE_CTL_LINE_MAX - 1);
		goto out;
	}
	if (memchr(line, '\0', len)) {
		snprintf(err, sizeof(err), "NUL byte in the command");
		goto out;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	argc = vpe_ctl_split(buf, argv, VPE_CTL_ARGS, err, sizeof(err));
	if (argc <= 0) {
		if (argc == 0)
			snprintf(err, sizeof(err), "empty command (try help)");
		goto out;
	}
	for (i = 0; i < sizeof(vpe_cmds) / sizeof(vpe_cmds[0]); i++)
		if (!strcmp(argv[0], vpe_cmds[i].name))
			break;
	if (i == sizeof(vpe_cmds) / sizeof(vpe_cmds[0])) {
		snprintf(err, sizeof(err), "unknown command '%.40s' (try help)",
			 argv[0]);
		goto out;
	}
	if (argc - 1 < vpe_cmds[i].min_args || argc - 1 > vpe_cmds[i].max_args) {
		snprintf(err, sizeof(err), "usage: %s", vpe_cmds[i].usage);
		goto out;
	}
	r = vpe_cmds[i].fn(e, argc - 1, argv + 1, out, err, sizeof(err));
out:
	if (!r && out->oom) {
		r = -ENOMEM;
		snprintf(err, sizeof(err), "answer too long");
	}
	if (r) {
		e->st.ctl_errors++;
		out->oom = false;
		out->len = 0;
		vpe_buf_printf(out, "error: %s\n", err[0] ? err : "failed");
		return r;
	}
	vpe_buf_printf(out, "ok\n");
	return 0;
}

/* ---- the socket --------------------------------------------------------------- */

struct vpe_ctl_client {
	int fd;
	size_t len;
	bool skipping;			/* inside an over-long line */
	char in[VPE_CTL_LINE_MAX];
};

struct vpe_ctl {
	struct vpe_engine *e;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct vpe_ctl_client c[VPE_CTL_CLIENTS];
};

/* A socket file left by a dead vprimed is removed; a live one is not. */
static int vpe_ctl_stale(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (!r)
		return -EADDRINUSE;
	return unlink(path) ? -errno : 0;
}

int vpe_ctl_listen(struct vpe_ctl **out, struct vpe_engine *e,
		   const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vpe_ctl *c;
	int r, i;

	*out = NULL;
	if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path empty or longer than "
			 "%zu bytes", sizeof(sa.sun_path) - 1);
		return -EINVAL;
	}
	r = vpe_ctl_stale(path);
	if (r) {
		snprintf(err, errlen, "%s: %s", path, r == -EADDRINUSE ?
			 "another vprimed is listening" : r == -EEXIST ?
			 "exists and is not a socket" : strerror(-r));
		return r;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->e = e;
	for (i = 0; i < VPE_CTL_CLIENTS; i++)
		c->c[i].fd = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0600) || listen(c->lfd, 8)) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (c->lfd >= 0)
			close(c->lfd);
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

int vpe_ctl_fds(const struct vpe_ctl *c, struct pollfd *pfd, int max)
{
	int n = 0, i;

	if (max < 1 + VPE_CTL_CLIENTS)
		return -EINVAL;
	pfd[n++] = (struct pollfd){ .fd = c->lfd, .events = POLLIN };
	for (i = 0; i < VPE_CTL_CLIENTS; i++)
		pfd[n++] = (struct pollfd){ .fd = c->c[i].fd, .events = POLLIN };
	return n;
}

static void vpe_ctl_drop(struct vpe_ctl_client *cl)
{
	close(cl->fd);
	cl->fd = -1;
	cl->len = 0;
	cl->skipping = false;
}

static void vpe_ctl_send(struct vpe_ctl_client *cl, const char *s, size_t len)
{
	ssize_t w = send(cl->fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	/* A client that does not read its answers loses its connection. */
	if (w != (ssize_t)len)
		vpe_ctl_drop(cl);
}

static void vpe_ctl_accept(struct vpe_ctl *c)
{
	static const char busy[] = "error: too many control clients\n";
	int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), i;

	if (fd < 0)
		return;
	for (i = 0; i < VPE_CTL_CLIENTS; i++) {
		if (c->c[i].fd < 0) {
			c->c[i].fd = fd;
			c->c[i].len = 0;
			c->c[i].skipping = false;
			return;
		}
	}
	c->e->st.ctl_errors++;
	(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/* Run every complete line in the client's buffer. */
static void vpe_ctl_lines(struct vpe_ctl *c, struct vpe_ctl_client *cl)
{
	static const char toolong[] = "error: line too long\n";
	struct vpe_buf out = { 0 };
	char *nl;
	size_t n;

	while (cl->fd >= 0 && (nl = memchr(cl->in, '\n', cl->len))) {
		n = (size_t)(nl - cl->in) + 1;
		if (!cl->skipping) {
			out.len = 0;
			vpe_ctl_exec(c->e, cl->in, n, &out);
			vpe_ctl_send(cl, out.s, out.len);
		}
		cl->skipping = false;
		if (cl->fd < 0)
			break;
		memmove(cl->in, cl->in + n, cl->len - n);
		cl->len -= n;
	}
	if (cl->fd >= 0 && cl->len == sizeof(cl->in)) {
		c->e->st.ctl_overlong++;
		c->e->st.ctl_errors++;
		if (!cl->skipping)
			vpe_ctl_send(cl, toolong, sizeof(toolong) - 1);
		cl->skipping = true;
		cl->len = 0;
	}
	vpe_buf_free(&out);
}

void vpe_ctl_service(struct vpe_ctl *c, const struct pollfd *pfd, int n)
{
	int i;

	if (n > 0 && (pfd[0].revents & POLLIN))
		vpe_ctl_accept(c);
	for (i = 0; i < VPE_CTL_CLIENTS && i + 1 < n; i++) {
		struct vpe_ctl_client *cl = &c->c[i];
		ssize_t r;

		if (cl->fd < 0 || pfd[i + 1].fd != cl->fd || !pfd[i + 1].revents)
			continue;
		r = recv(cl->fd, cl->in + cl->len, sizeof(cl->in) - cl->len, 0);
		if (r <= 0) {
			vpe_ctl_drop(cl);
			continue;
		}
		cl->len += (size_t)r;
		vpe_ctl_lines(c, cl);
	}
}

void vpe_ctl_close(struct vpe_ctl *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < VPE_CTL_CLIENTS; i++)
		if (c->c[i].fd >= 0)
			close(c->c[i].fd);
	close(c->lfd);
	unlink(c->path);
	free(c);
}
