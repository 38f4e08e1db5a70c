// SPDX-License-Identifier: MIT
/*
 * fuzz_ctl.c - libFuzzer target: the control protocol.  Each input is a
 * series of lines run against a fresh engine over two simulated guests,
 * with traffic and an engine step between lines, so link changes take
 * effect on frames in flight.  Every answer must end in "ok" or be one
 * "error: ..." line.  "capture start" is skipped: it writes files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topo[] =
	"{\"nodes\": ["
	"{\"name\":\"h0\",\"type\":\"guest\",\"mac\":\"02:00:5e:00:00:00\"},"
	"{\"name\":\"h1\",\"type\":\"guest\",\"domid\":2},"
	"{\"name\":\"s\",\"type\":\"switch\"}],"
	"\"links\": [{\"name\":\"l0\",\"a\":\"h0\",\"b\":\"s\",\"delay\":\"1ms\","
	"\"bandwidth\":\"10Mbit\",\"queue\":{\"packets\":4}},"
	"{\"name\":\"l1\",\"a\":\"h1\",\"b\":\"s\"}]}";

static void check_answer(const struct vpe_buf *out, int r)
{
	if (!out->s || out->oom)
		abort();
	if (r && (strncmp(out->s, "error: ", 7) ||
		  strchr(out->s, '\n') != out->s + out->len - 1))
		abort();
	if (!r && (out->len < 3 || strcmp(out->s + out->len - 3, "ok\n")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vprime_opts o = { .nr_bufs = 256, .ring_size = 64,
					      .max_ports = 4 };
	static struct ef f;
	char err[VPE_ERR_LEN];
	size_t off = 0;
	u32 seq = 0;

	if (ef_init_opts(&f, 2, 8, topo, &o, err, sizeof(err)))
		abort();
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) + 1 : size - off;
		struct vpe_buf out = { 0 };
		int r;

		if (!(len >= 13 && !memcmp(data + off, "capture start", 13))) {
			r = vpe_ctl_exec(f.e, (const char *)data + off, len, &out);
			check_answer(&out, r);
		}
		vpe_buf_free(&out);
		off += len;
		ef_send(&f, seq % 2, (seq + 1) % 2, seq, 100);
		seq++;
		f.h.clock += 300000;
		ef_step(&f);
	}
	f.h.clock += 10000000;
	ef_step(&f);
	ef_fini(&f);
	return 0;
}
