// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * debugfs.c - /sys/kernel/debug/vprime/devices: per device a line of ids,
 * xenbus states, engine binding, pool sizes and grant maps, a line of
 * counters, a line each for the lat_to_guest and lat_wake histograms, then
 * the module-wide counts of what is held right now, so tests can check
 * that nothing leaks.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "common.h"
#include "vp_hist.h"
#include "vp_parse.h"
#include "vp_xenbus.h"

#define VP_STAT_NAME(n, d) #n,
static const char *const vpb_stat_names[] = {
	VPRIME_PORT_STATS(VP_STAT_NAME)
};
#undef VP_STAT_NAME

static struct dentry *vpb_debugfs_dir;

/* A histogram on its own line: "\n  NAME le_1us=N ..." */
static void vpb_debugfs_hist(struct seq_file *m, const char *name,
			    const u64 *b)
{
	u32 i;

	seq_printf(m, "\n  %s", name);
	for (i = 0; i < VP_HIST_NR; i++)
		seq_printf(m, " %s=%llu", vp_hist_label(i), b[i]);
}

/* Is counter @i a bucket of the lat_to_guest histogram? */
static bool vpb_debugfs_in_hist(u32 i)
{
	return i >= VPRIME_STAT_lat_to_guest_le_1us &&
	       i < VPRIME_STAT_lat_to_guest_le_1us + VP_HIST_NR;
}

static void vpb_debugfs_dev(struct seq_file *m, struct vpb_dev *dev)
{
	u64 stats[VPRIME_STAT_MAX], wake[VP_HIST_NR];
	char mac[18];
	bool live, attached;
	u32 port, pool[2], i;

	spin_lock(&dev->lock);
	memcpy(stats, dev->stats, sizeof(stats));
	memcpy(wake, dev->lat_wake, sizeof(wake));
	live = dev->live;
	attached = rcu_access_pointer(dev->owner);
	port = dev->port;
	pool[0] = live ? dev->pool_pages[0] : 0;
	pool[1] = live ? dev->pool_pages[1] : 0;
	vp_format_mac(dev->mac, mac);
	spin_unlock(&dev->lock);
	stats[VPRIME_STAT_guest_events] += atomic64_read(&dev->ev_count);
	stats[VPRIME_STAT_guest_events_limited] +=
		atomic64_read(&dev->ev_limited);

	seq_printf(m, "dom%u dev%u name=%s mac=%s backend=%s frontend=%s live=%d",
		   dev->domid, dev->devid, dev->name[0] ? dev->name : "-", mac,
		   vp_xb_state_name(dev->be_state),
		   vp_xb_state_name(dev->fe_state), live);
	if (attached)
		seq_printf(m, " port=%u", port);
	else
		seq_puts(m, " port=-");
	seq_printf(m, " mtu=%u connects=%u xs_rejects=%u", dev->mtu,
		   dev->connects, dev->xs_rejects);
	/* What the device costs dom0: its pools and its grant maps now. */
	seq_printf(m, " max_pool_pages=%u pool_pages=%u+%u grants=%d\n",
		   dev->max_pool_pages, pool[0], pool[1],
		   atomic_read(&dev->grants_mapped));
	/*
	 * The counters, then each histogram on its own line.  Counters
	 * appended to the ABI after the histogram are counters too.
	 */
	for (i = 0; i < VPRIME_STAT_MAX; i++) {
		if (vpb_debugfs_in_hist(i))
			continue;
		seq_printf(m, "%s%s=%llu", i ? " " : "  ", vpb_stat_names[i],
			   stats[i]);
	}
	vpb_debugfs_hist(m, "lat_to_guest",
			&stats[VPRIME_STAT_lat_to_guest_le_1us]);
	vpb_debugfs_hist(m, "lat_wake", wake);
	seq_putc(m, '\n');
}

static int vpb_devices_show(struct seq_file *m, void *unused)
{
	struct vpb_dev *dev;

	mutex_lock(&vpb_devs_lock);
	list_for_each_entry(dev, &vpb_devs, node)
		vpb_debugfs_dev(m, dev);
	mutex_unlock(&vpb_devs_lock);
	seq_printf(m, "devices %d\n", atomic_read(&vpb_nr_devs));
	seq_printf(m, "engines %d\n", atomic_read(&vpb_nr_files));
	seq_printf(m, "areas %d\n", atomic_read(&vpb_nr_areas));
	seq_printf(m, "grants_mapped %d\n", atomic_read(&vpb_nr_grants_mapped));
	seq_printf(m, "evtchns_bound %d\n", atomic_read(&vpb_nr_evtchns_bound));
	seq_printf(m, "xs_rejects %d\n", atomic_read(&vpb_nr_xs_rejects));
	seq_printf(m, "guests_disabled %d\n",
		   atomic_read(&vpb_nr_guests_disabled));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vpb_devices);

void vpb_debugfs_init(void)
{
	vpb_debugfs_dir = debugfs_create_dir("vprime", NULL);
	debugfs_create_file("devices", 0400, vpb_debugfs_dir, NULL,
			    &vpb_devices_fops);
}

void vpb_debugfs_exit(void)
{
	debugfs_remove_recursive(vpb_debugfs_dir);
	vpb_debugfs_dir = NULL;
}
