// SPDX-License-Identifier: MIT
/*
 * capture.c - one pcap file per guest device, written with libpcap in
 * nanosecond-resolution format (pcap magic 0xa1b23c4d).  Both directions
 * go to the same file: frames from the guest stamped with dom0's RX time,
 * frames into the guest with their delivery time.  A frame is copied into
 * a scratch buffer only when its device is being captured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "engine.h"

struct vpe_capture {
	pcap_t *dead;
	pcap_dumper_t *dump;
	u64 frames;
	u8 scratch[VPRIME_FRAME_MAX];
};

int vpe_capture_open(struct vpe_capture **out, const char *path, char *err,
		     size_t errlen)
{
	struct vpe_capture *c;

	*out = NULL;
	if (!path || !*path || strlen(path) >= 4096) {
		snprintf(err, errlen, "capture: bad path");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "capture: out of memory");
		return -ENOMEM;
	}
	c->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535,
						       PCAP_TSTAMP_PRECISION_NANO);
	if (!c->dead) {
		free(c);
		snprintf(err, errlen, "capture: libpcap refused");
		return -ENOMEM;
	}
	c->dump = pcap_dump_open(c->dead, path);
	if (!c->dump) {
		snprintf(err, errlen, "capture: %.200s", pcap_geterr(c->dead));
		pcap_close(c->dead);
		free(c);
		return -EIO;
	}
	*out = c;
	return 0;
}

void vpe_capture_frame(struct vpe_capture *c, const struct vprime_frame *f,
		       u64 ts_ns)
{
	struct pcap_pkthdr h;
	u32 i, off = 0;

	for (i = 0; i < f->nseg && off + f->seg[i].len <= sizeof(c->scratch); i++) {
		memcpy(c->scratch + off, f->seg[i].data, f->seg[i].len);
		off += f->seg[i].len;
	}
	h.ts.tv_sec = (time_t)(ts_ns / 1000000000ull);
	h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000ull);	/* ns: NANO file */
	h.caplen = off;
	h.len = off;
	pcap_dump((u_char *)c->dump, &h, c->scratch);
	c->frames++;
}

u64 vpe_capture_count(const struct vpe_capture *c)
{
	return c ? c->frames : 0;
}

void vpe_capture_close(struct vpe_capture *c)
{
	if (!c)
		return;
	pcap_dump_close(c->dump);
	pcap_close(c->dead);
	free(c);
}
