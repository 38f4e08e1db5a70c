// SPDX-License-Identifier: MIT
/*
 * vsh_ctl.c - the control socket (SOCK_SEQPACKET, by default the engine
 * socket's path + ".ctl"): one text command per message, one reply per
 * command whose last line is "ok" or "error: <why>".  And the client
 * that scripts use: `vprime-simhost ctl PATH COMMAND [ARG]`.
 *
 *   help            the commands
 *   list            one line per guest: name, mac, tap, state, carrier
 *   stats           the per-guest counters (as SIGUSR1 prints them)
 *   remove NAME     the device vanishes (ports GONE, carrier off)
 *   add NAME        it appears again (engines re-attach)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vsh.h"

#define VSH_CTL_REQ_MAX	256
#define VSH_CTL_REP_MAX	(128 * 1024)

void vsh_ctl_accept(struct vsh *s)
{
	int fd, i;

	fd = accept4(s->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < VSH_MAX_CTL; i++) {
		if (s->ctl[i].fd < 0) {
			s->ctl[i].fd = fd;
			return;
		}
	}
	close(fd);	/* busy: the client sees the connection close */
}

void vsh_stats_print(struct vsh *s, FILE *out)
{
	unsigned int i;
	int n = 0;

	for (i = 0; i < VSH_MAX_CONNS; i++)
		n += s->conn[i].fd >= 0;
	fprintf(out, "engines %d bad_requests %llu conns_refused %llu\n", n,
		(unsigned long long)s->bad_requests,
		(unsigned long long)s->conns_refused);
	for (i = 0; i < s->nr_guests; i++)
		vsh_guest_print(&s->guest[i], out);
}

static void vsh_ctl_list(struct vsh *s, FILE *out)
{
	unsigned int i;

	for (i = 0; i < s->nr_guests; i++) {
		struct vsh_guest *vg = &s->guest[i];

		fprintf(out, "%s %s %s\n", vg->name,
			!vg->g ? "removed" :
			vg->g->port_owner ? "attached" : "present",
			vg->carrier ? "carrier" : "no-carrier");
	}
}

/* Run one command; false: an error line has been written. */
static bool vsh_ctl_run(struct vsh *s, char *cmd, FILE *out)
{
	char *save = NULL, *verb = strtok_r(cmd, " \t\r\n", &save);
	char *arg = strtok_r(NULL, " \t\r\n", &save);
	struct vsh_guest *vg;

	if (!verb || strtok_r(NULL, " \t\r\n", &save)) {
		fprintf(out, "error: want one command and at most one argument\n");
		return false;
	}
	if (!strcmp(verb, "help") && !arg) {
		fprintf(out, "list\nstats\nremove NAME\nadd NAME\n");
	} else if (!strcmp(verb, "list") && !arg) {
		vsh_ctl_list(s, out);
	} else if (!strcmp(verb, "stats") && !arg) {
		vsh_stats_print(s, out);
	} else if ((!strcmp(verb, "remove") || !strcmp(verb, "add")) && arg) {
		vg = vsh_guest_find(s, arg);
		if (!vg) {
			fprintf(out, "error: no guest '%s'\n", arg);
			return false;
		}
		if (verb[0] == 'r') {
			if (!vg->g) {
				fprintf(out, "error: %s is already removed\n", arg);
				return false;
			}
			vsh_guest_unplug(s, vg);
		} else if (vsh_guest_plug(s, vg)) {
			fprintf(out, "error: %s: %s\n", arg, vg->g ?
				"already present" : "cannot create the device");
			return false;
		}
		if (s->verbose)
			fprintf(stderr, "vprime-simhost: %s %s\n", arg,
				verb[0] == 'r' ? "removed" : "added");
	} else {
		fprintf(out, "error: unknown command (try help)\n");
		return false;
	}
	return true;
}

void vsh_ctl_serve(struct vsh *s, struct vsh_ctl_client *c)
{
	char req[VSH_CTL_REQ_MAX + 1], *rep = NULL;
	size_t len = 0;
	ssize_t n;
	FILE *out;

	n = recv(c->fd, req, VSH_CTL_REQ_MAX + 1, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	out = open_memstream(&rep, &len);
	if (!out)
		return;
	if (n > VSH_CTL_REQ_MAX || memchr(req, '\0', (size_t)n)) {
		fprintf(out, "error: command too long or not text\n");
	} else {
		req[n] = '\0';
		if (vsh_ctl_run(s, req, out))
			fprintf(out, "ok\n");
	}
	fclose(out);
	if (send(c->fd, rep, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		close(c->fd);
		c->fd = -1;
	}
	free(rep);
}

/* `vprime-simhost ctl PATH COMMAND [ARG]`: 0 if the reply ends in "ok". */
int vsh_ctl_client_main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char req[VSH_CTL_REQ_MAX], *rep;
	ssize_t n;
	int fd, ok;

	if (argc < 4 || argc > 5 || strlen(argv[2]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: vprime-simhost ctl CONTROL_SOCKET "
			"COMMAND [ARG]\n");
		return 2;
	}
	if (snprintf(req, sizeof(req), "%s%s%s", argv[3], argc == 5 ? " " : "",
		     argc == 5 ? argv[4] : "") >= (int)sizeof(req)) {
		fprintf(stderr, "vprime-simhost ctl: command too long\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[2], strlen(argv[2]));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	rep = malloc(VSH_CTL_REP_MAX + 1);
	if (fd < 0 || !rep || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 ||
	    (n = recv(fd, rep, VSH_CTL_REP_MAX, 0)) <= 0) {
		fprintf(stderr, "vprime-simhost ctl: %s: %s\n", argv[2],
			errno ? strerror(errno) : "no reply");
		free(rep);
		return 1;
	}
	rep[n] = '\0';
	fputs(rep, stdout);
	ok = !strcmp(rep, "ok\n") ||
	     (n > 3 && !strcmp(rep + n - 4, "\nok\n"));
	free(rep);
	close(fd);
	return ok ? 0 : 1;
}
