// SPDX-License-Identifier: MIT
/*
 * vsh_guest.c - one simulated guest device (tests/sim: the real guest-side
 * vp_front code over ordinary memory) bridged to a TAP: what the tap's
 * network stack sends becomes a frame on the guest's TX ring, what dom0
 * delivers into the guest's RX ring is written out of the tap, and the
 * tap's carrier follows the backend's carrier flag as vprime-front's
 * netdev does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vp_parse.h"
#include "vsh.h"

/* ---- the command line's --guest spec ------------------------------------ */

/* [A-Za-z0-9_.-], 1..max-1 bytes, not starting with '.' or '-'. */
static bool vsh_word_ok(const char *v, size_t max)
{
	size_t n = strlen(v), i;

	if (n == 0 || n >= max || v[0] == '.' || v[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = v[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int vsh_spec_kv(struct vsh_guest *vg, const char *k, const char *v,
		       char *err, size_t errlen)
{
	if (!strcmp(k, "name")) {
		if (vp_parse_name(v, (u32)strlen(v) + 1, vg->name))
			goto bad;
	} else if (!strcmp(k, "mac")) {
		if (vp_parse_mac(v, (u32)strlen(v) + 1, vg->cfg.mac))
			goto bad;
	} else if (!strcmp(k, "tap")) {
		if (!vsh_word_ok(v, IFNAMSIZ))
			goto bad;
		snprintf(vg->tap, sizeof(vg->tap), "%s", v);
	} else if (!strcmp(k, "netns")) {
		if (!vsh_word_ok(v, sizeof(vg->netns)))
			goto bad;
		snprintf(vg->netns, sizeof(vg->netns), "%s", v);
	} else if (!strcmp(k, "mtu")) {
		if (vp_parse_u32(v, (u32)strlen(v) + 1, 68, VPRIME_MTU_MAX,
				 &vg->cfg.mtu))
			goto bad;
	} else if (!strcmp(k, "domid")) {
		if (vp_parse_u32(v, (u32)strlen(v) + 1, 1, 32767, &vg->cfg.domid))
			goto bad;
	} else if (!strcmp(k, "devid")) {
		if (vp_parse_u32(v, (u32)strlen(v) + 1, 0, 65535, &vg->cfg.devid))
			goto bad;
	} else {
		snprintf(err, errlen, "unknown key '%s' (want name, mac, tap, "
			 "mtu, netns, domid, devid)", k);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: bad value '%s'", k, v);
	return -1;
}

/* Two guests may share nothing that names a device. */
static int vsh_spec_unique(const struct vsh *s, const struct vsh_guest *vg,
			   char *err, size_t errlen)
{
	unsigned int i;

	for (i = 0; i < s->nr_guests; i++) {
		const struct vsh_guest *o = &s->guest[i];
		const char *what = NULL;

		if (!strcmp(o->name, vg->name))
			what = "name";
		else if (!memcmp(o->cfg.mac, vg->cfg.mac, 6))
			what = "mac";
		else if (!strcmp(o->tap, vg->tap) && !strcmp(o->netns, vg->netns))
			what = "tap";
		else if (o->cfg.domid == vg->cfg.domid &&
			 o->cfg.devid == vg->cfg.devid)
			what = "domid/devid";
		if (what) {
			snprintf(err, errlen, "same %s as guest '%s'", what,
				 o->name);
			return -1;
		}
	}
	return 0;
}

/* "name=g1,mac=02:00:00:00:00:01,tap=vpsim1[,mtu=N][,netns=NS]..." */
int vsh_guest_parse(struct vsh *s, const char *spec, char *err, size_t errlen)
{
	struct vsh_guest *vg;
	char *copy, *item, *save = NULL;
	int r = 0;

	if (s->nr_guests == VSH_MAX_GUESTS) {
		snprintf(err, errlen, "at most %d guests", VSH_MAX_GUESTS);
		return -1;
	}
	vg = &s->guest[s->nr_guests];
	memset(vg, 0, sizeof(*vg));
	vg->tap_fd = -1;
	vg->cfg.domid = s->nr_guests + 1;
	copy = strdup(spec);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item && !r;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');

		if (!eq) {
			snprintf(err, errlen, "'%s' is not key=value", item);
			r = -1;
			break;
		}
		*eq = '\0';
		r = vsh_spec_kv(vg, item, eq + 1, err, errlen);
	}
	free(copy);
	if (!r && (!vg->name[0] || !vg->tap[0] ||
		   !(vg->cfg.mac[0] | vg->cfg.mac[1] | vg->cfg.mac[2] |
		     vg->cfg.mac[3] | vg->cfg.mac[4] | vg->cfg.mac[5]))) {
		snprintf(err, errlen, "name, mac and tap are required");
		r = -1;
	}
	if (!r)
		r = vsh_spec_unique(s, vg, err, errlen);
	if (r)
		return -1;
	vg->cfg.name = vg->name;
	s->nr_guests++;
	return 0;
}

/* ---- the tap ------------------------------------------------------------ */

static int vsh_tap_carrier(int fd, bool on)
{
	int v = on;

	return ioctl(fd, TUNSETCARRIER, &v);
}

/* Address and MTU, through a socket of the namespace the tap is in. */
static int vsh_tap_config(struct vsh_guest *vg, char *err, size_t errlen)
{
	struct ifreq ifr;
	int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	const char *what = "socket";

	if (sk < 0)
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, vg->tap, sizeof(vg->tap));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, vg->cfg.mac, 6);
	what = "set its MAC address";
	if (ioctl(sk, SIOCSIFHWADDR, &ifr))
		goto fail;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, vg->tap, sizeof(vg->tap));
	ifr.ifr_mtu = (int)(vg->cfg.mtu ? vg->cfg.mtu : 1500);
	what = "set its MTU";
	if (ioctl(sk, SIOCSIFMTU, &ifr))
		goto fail;
	close(sk);
	return 0;
fail:
	snprintf(err, errlen, "tap %s: %s: %s", vg->tap, what, strerror(errno));
	if (sk >= 0)
		close(sk);
	return -1;
}

/* The tap in the current network namespace, carrier off. */
static int vsh_tap_create(struct vsh_guest *vg, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "open /dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	memcpy(ifr.ifr_name, vg->tap, sizeof(vg->tap));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		snprintf(err, errlen, "tap %s: %s", vg->tap, strerror(errno));
		close(fd);
		return -1;
	}
	if (vsh_tap_carrier(fd, false)) {
		snprintf(err, errlen, "tap %s: TUNSETCARRIER: %s", vg->tap,
			 strerror(errno));
		close(fd);
		return -1;
	}
	vg->tap_fd = fd;
	if (vsh_tap_config(vg, err, errlen)) {
		close(fd);
		vg->tap_fd = -1;
		return -1;
	}
	return 0;
}

/*
 * Create the tap inside the guest's namespace (ip netns: /run/netns/NAME)
 * and come back: the tap stays there, its descriptor stays ours.
 */
int vsh_guest_open(struct vsh_guest *vg, char *err, size_t errlen)
{
	char path[96];
	int self, ns, r;

	if (!vg->netns[0])
		return vsh_tap_create(vg, err, errlen);
	snprintf(path, sizeof(path), "/run/netns/%s", vg->netns);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		snprintf(err, errlen, "netns %s: %s: %s", vg->netns, path,
			 strerror(errno));
		return -1;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(ns, CLONE_NEWNET)) {
		snprintf(err, errlen, "netns %s: %s", vg->netns, strerror(errno));
		close(ns);
		if (self >= 0)
			close(self);
		return -1;
	}
	r = vsh_tap_create(vg, err, errlen);
	if (setns(self, CLONE_NEWNET)) {
		/* Every later tap and socket would land in the wrong place. */
		fprintf(stderr, "vprime-simhost: cannot return to our network "
			"namespace: %s\n", strerror(errno));
		exit(1);
	}
	close(self);
	close(ns);
	return r;
}

void vsh_guest_close(struct vsh_guest *vg)
{
	if (vg->tap_fd >= 0)
		close(vg->tap_fd);
	vg->tap_fd = -1;
}

/* ---- the device in the simulated backend -------------------------------- */

/* The device appears: a new guest device, connected, no engine yet. */
int vsh_guest_plug(struct vsh *s, struct vsh_guest *vg)
{
	if (vg->g)
		return -EEXIST;
	vg->g = vp_sim_guest_new(&vg->cfg);
	if (!vg->g)
		return -ENOMEM;
	if (vp_sim_host_add(s->host, vg->g)) {
		vp_sim_guest_free(vg->g);
		vg->g = NULL;
		return -ENOSPC;
	}
	return 0;
}

/* The device vanishes: its port, if an engine holds it, goes GONE. */
void vsh_guest_unplug(struct vsh *s, struct vsh_guest *vg)
{
	if (!vg->g)
		return;
	vp_sim_host_remove(s->host, vg->g);
	vp_sim_guest_free(vg->g);
	vg->g = NULL;
	vsh_guest_service(s, vg);	/* carrier off */
}

struct vsh_guest *vsh_guest_find(struct vsh *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nr_guests; i++)
		if (!strcmp(s->guest[i].name, name))
			return &s->guest[i];
	return NULL;
}

/* Slots the largest frame of this device may need on the TX ring. */
static u32 vsh_guest_frame_slots(const struct vsh_guest *vg)
{
	u32 max = vg->g->dom0.max_frame;

	return (max + VPRIME_SLOT_SIZE - 1) / VPRIME_SLOT_SIZE;
}

/*
 * Read the tap only while a frame can go somewhere: with the guest's TX
 * ring full the frames wait in the tap's queue (back-pressure, as the
 * real netdev stops its queue).  Without a device or carrier they are
 * read and dropped, counted.
 */
bool vsh_guest_wants_tap(const struct vsh_guest *vg)
{
	if (vg->tap_fd < 0)
		return false;
	if (!vg->g || !vg->carrier)
		return true;
	return vp_front_tx_room((struct vp_front *)&vg->g->front) >=
	       vsh_guest_frame_slots(vg);
}

static bool vsh_guest_take(struct vsh_guest *vg, const u8 *frame, u32 len)
{
	int r;

	if (!vg->g) {
		vg->stats[VSH_STAT_drop_removed]++;
		return true;
	}
	if (!vg->carrier) {
		vg->stats[VSH_STAT_drop_no_carrier]++;
		return true;
	}
	r = vp_sim_guest_send(vg->g, frame, len);
	if (r == -EMSGSIZE) {
		vg->stats[VSH_STAT_drop_bad_len]++;
	} else if (r) {
		vg->stats[VSH_STAT_drop_ring_full]++;
		return false;
	} else {
		vg->stats[VSH_STAT_tap_to_guest]++;
	}
	return vsh_guest_wants_tap(vg);
}

/* Frames the namespace sent: onto the guest's TX ring. */
void vsh_guest_tap_read(struct vsh *s, struct vsh_guest *vg)
{
	ssize_t n;
	int i;

	for (i = 0; i < VSH_TAP_BATCH; i++) {
		n = read(vg->tap_fd, s->frame, VSH_FRAME_BUF);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR && s->verbose)
				fprintf(stderr, "vprime-simhost: %s: read: %s\n",
					vg->tap, strerror(errno));
			return;
		}
		if (!vsh_guest_take(vg, s->frame, (u32)n))
			return;
	}
}

/* The carrier the backend gives the guest, onto the tap. */
static void vsh_guest_carrier(struct vsh *s, struct vsh_guest *vg)
{
	bool on = vg->g && vp_front_carrier(&vg->g->front);

	if (on == vg->carrier || vg->tap_fd < 0)
		return;
	if (vsh_tap_carrier(vg->tap_fd, on)) {
		fprintf(stderr, "vprime-simhost: %s: TUNSETCARRIER: %s\n",
			vg->tap, strerror(errno));
		return;
	}
	vg->carrier = on;
	vg->stats[VSH_STAT_carrier_changes]++;
	if (s->verbose)
		fprintf(stderr, "vprime-simhost: %s: carrier %s\n", vg->name,
			on ? "on" : "off");
}

/*
 * What the guest's NAPI poll does: frames dom0 delivered go out of the
 * tap, TX completions are reaped and RX slots posted again.
 */
void vsh_guest_service(struct vsh *s, struct vsh_guest *vg)
{
	int n;

	while (vg->g) {
		n = vp_sim_guest_recv(vg->g, s->frame, VSH_FRAME_BUF);
		if (n <= 0)
			break;
		if (write(vg->tap_fd, s->frame, (size_t)n) != n)
			vg->stats[VSH_STAT_drop_tap_write]++;
		else
			vg->stats[VSH_STAT_guest_to_tap]++;
	}
	if (vg->g)
		vp_sim_guest_service(vg->g);
	vsh_guest_carrier(s, vg);
}

#define VSH_NAME_STR(n, d) #n,
static const char *const vsh_stat_names[] = {
	VSH_GUEST_STATS(VSH_NAME_STR)
};
static const char *const vsh_dom0_names[] = {
	VPRIME_PORT_STATS(VSH_NAME_STR)
};

/* One block per guest: state, tap counters, dom0's non-zero counters. */
void vsh_guest_print(const struct vsh_guest *vg, FILE *out)
{
	char mac[18];
	int i;

	vp_format_mac(vg->cfg.mac, mac);
	fprintf(out, "guest %s mac %s tap %s%s%s domid %u devid %u: %s, "
		"carrier %s\n", vg->name, mac, vg->tap,
		vg->netns[0] ? " netns " : "", vg->netns, vg->cfg.domid,
		vg->cfg.devid, !vg->g ? "removed" :
		vg->g->port_owner ? "attached" : "present",
		vg->carrier ? "on" : "off");
	fprintf(out, "  tap:");
	for (i = 0; i < VSH_STAT_MAX; i++)
		fprintf(out, " %s=%llu", vsh_stat_names[i],
			(unsigned long long)vg->stats[i]);
	fprintf(out, "\n");
	if (!vg->g)
		return;
	fprintf(out, "  dom0:");
	for (i = 0; i < VPRIME_STAT_MAX; i++)
		if (vg->g->stats[i])
			fprintf(out, " %s=%llu", vsh_dom0_names[i],
				(unsigned long long)vg->g->stats[i]);
	fprintf(out, "\n");
}
