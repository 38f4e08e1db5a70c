// SPDX-License-Identifier: GPL-2.0
/*
 * netdev.c - the Ethernet device a vprime frontend presents: open/stop,
 * transmit into the TX pool, MTU, MAC address, statistics, ethtool.
 *
 * Carrier follows the engine: it is on only while the device is connected
 * and the backend sets VPRIME_BE_F_CARRIER in the control page, and goes
 * off when the backend breaks the rings.
 */
#include "front.h"

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/rtnetlink.h>
#include <xen/events.h>

#define VPF_CSUM_FEATURES (NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM)

/* The counters, then the lat_tx_* and lat_rx_* histograms. */
static const char vpf_dev_stat_names[][ETH_GSTRING_LEN] = {
#define VPF_STAT_NAME(n, d) #n,
	VPF_DEV_STATS(VPF_STAT_NAME)
	VP_FRONT_STATS(VPF_STAT_NAME)
	VPRIME_LAT_BUCKETS(VPRIME_LAT_PASTE, VPF_STAT_NAME, lat_tx, _)
	VPRIME_LAT_BUCKETS(VPRIME_LAT_PASTE, VPF_STAT_NAME, lat_rx, _)
#undef VPF_STAT_NAME
};

#define VPF_NR_STATS ARRAY_SIZE(vpf_dev_stat_names)
#define VPF_STAT_LAT	(VPF_STAT_MAX + VP_FRONT_STAT_MAX)
static_assert(VPF_NR_STATS == VPF_STAT_LAT + 2 * VP_HIST_NR);

/* ---- carrier and queue (called with vpf->lock held) ---------------- */

/* Carrier on only while an engine is attached and the rings are sound. */
void vpf_netdev_carrier_update(struct vpf_dev *vpf)
{
	bool on = vpf->connected && vp_front_carrier(&vpf->front);

	if (on && !netif_carrier_ok(vpf->ndev))
		netif_carrier_on(vpf->ndev);
	else if (!on && netif_carrier_ok(vpf->ndev))
		netif_carrier_off(vpf->ndev);
}

/* Wake the queue once a largest frame fits again. */
void vpf_netdev_tx_wake(struct vpf_dev *vpf)
{
	if (netif_queue_stopped(vpf->ndev) &&
	    vp_front_tx_room(&vpf->front) >= vpf->tx_slots_max)
		netif_wake_queue(vpf->ndev);
}

/* ---- net_device_ops ------------------------------------------------- */

static int vpf_netdev_open(struct net_device *ndev)
{
	struct vpf_dev *vpf = netdev_priv(ndev);

	netif_start_queue(ndev);
	vpf_napi_start(vpf);
	return 0;
}

static int vpf_netdev_stop(struct net_device *ndev)
{
	struct vpf_dev *vpf = netdev_priv(ndev);

	/* NAPI first: its poll may wake the queue. */
	vpf_napi_stop(vpf);
	netif_tx_disable(ndev);
	return 0;
}

/* Returns the VPRIME_DESC_F_* checksum flags, or -errno to drop. */
static int vpf_netdev_tx_csum(struct vpf_dev *vpf, struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		if (READ_ONCE(vpf->feat.csum) &&
		    (vpf->ndev->features & VPF_CSUM_FEATURES))
			return VPRIME_DESC_F_CSUM_BLANK;
		return skb_checksum_help(skb) ? -EINVAL : 0;
	}
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		return VPRIME_DESC_F_DATA_VALID;
	return 0;
}

/*
 * Copy the frame into TX slots and queue it, its first slot stamped with
 * @now for lat_tx; vpf->lock held.
 */
static void vpf_netdev_tx_put(struct vpf_dev *vpf, struct sk_buff *skb,
			      u32 nseg, u16 csum, u64 now)
{
	struct vp_front *f = &vpf->front;
	u32 len = skb->len, off = 0, i;

	for (i = 0; i < nseg; i++) {
		u32 slot = (u32)vp_front_tx_slot_get(f);
		u32 n = min_t(u32, len - off, VPRIME_SLOT_SIZE);
		u16 flags = csum;

		if (i == 0)
			vp_front_tx_stamp(f, slot, now);

		if (i + 1 < nseg)
			flags |= VPRIME_DESC_F_MORE;
		/* Cannot fail: off + n <= skb->len. */
		if (WARN_ON_ONCE(skb_copy_bits(skb, off,
					       vp_pool_slot(&f->tx_pool, slot),
					       n)))
			memset(vp_pool_slot(&f->tx_pool, slot), 0, n);
		vp_front_tx_put(f, slot, 0, (u16)n, flags);
		off += n;
	}
	vpf->stats[VPF_STAT_tx_packets]++;
	vpf->stats[VPF_STAT_tx_bytes] += len;
}

static netdev_tx_t vpf_netdev_xmit(struct sk_buff *skb,
				   struct net_device *ndev)
{
	struct vpf_dev *vpf = netdev_priv(ndev);
	struct vp_front *f = &vpf->front;
	enum vpf_stat_id drop = VPF_STAT_MAX;
	u64 now = ktime_get_ns();	/* lat_tx starts here */
	bool notify = false, stop;
	u32 nseg = 0;
	int csum = 0;

	if (skb->len < ETH_HLEN || skb->len > READ_ONCE(vpf->max_frame)) {
		drop = VPF_STAT_tx_drop_size;
	} else {
		csum = vpf_netdev_tx_csum(vpf, skb);
		if (csum < 0)
			drop = VPF_STAT_tx_drop_csum;
		nseg = DIV_ROUND_UP(skb->len, VPRIME_SLOT_SIZE);
	}

	spin_lock(&vpf->lock);
	if (!vpf->connected) {
		vpf->stats[drop == VPF_STAT_MAX ? VPF_STAT_tx_drop_no_link :
						  drop]++;
		spin_unlock(&vpf->lock);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	if (drop == VPF_STAT_MAX && !vp_front_carrier(f))
		drop = VPF_STAT_tx_drop_no_link;
	if (drop == VPF_STAT_MAX && vp_front_tx_room(f) < nseg) {
		f->stats[VP_FRONT_STAT_tx_ring_full]++;
		drop = VPF_STAT_tx_drop_ring_full;
	}
	if (drop == VPF_STAT_MAX) {
		skb_tx_timestamp(skb);
		vpf_netdev_tx_put(vpf, skb, nseg, (u16)csum, now);
	} else {
		vpf->stats[drop]++;
	}
	stop = vp_front_tx_room(f) < vpf->tx_slots_max;
	if (stop)
		netif_stop_queue(ndev);
	/* Publish at the end of a batch, or before waiting for room. */
	if (stop || !netdev_xmit_more())
		notify = vp_front_tx_push(f);
	spin_unlock(&vpf->lock);

	if (notify)
		notify_remote_via_irq(vpf->rings.irq);
	if (drop == VPF_STAT_MAX)
		dev_consume_skb_any(skb);
	else
		dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/*
 * 68..9000 with feature-jumbo, else 68..1500 (max_mtu).  Nothing to tell
 * the backend: it was given max_mtu at connect (vpf_xenbus_publish()).
 */
static int vpf_netdev_change_mtu(struct net_device *ndev, int mtu)
{
	if (mtu < ndev->min_mtu || mtu > ndev->max_mtu)
		return -EINVAL;
	ndev->mtu = mtu;
	return 0;
}

static netdev_features_t vpf_netdev_fix_features(struct net_device *ndev,
						 netdev_features_t features)
{
	struct vpf_dev *vpf = netdev_priv(ndev);

	if (!vpf->feat.csum)
		features &= ~VPF_CSUM_FEATURES;
	return features;
}

static void vpf_netdev_get_stats64(struct net_device *ndev,
				   struct rtnl_link_stats64 *s)
{
	struct vpf_dev *vpf = netdev_priv(ndev);
	u64 st[VPF_STAT_MAX];

	spin_lock_bh(&vpf->lock);
	memcpy(st, vpf->stats, sizeof(st));
	spin_unlock_bh(&vpf->lock);

	s->rx_packets = st[VPF_STAT_rx_packets];
	s->rx_bytes = st[VPF_STAT_rx_bytes];
	s->tx_packets = st[VPF_STAT_tx_packets];
	s->tx_bytes = st[VPF_STAT_tx_bytes];
	s->rx_errors = st[VPF_STAT_rx_drop_bad] + st[VPF_STAT_rx_drop_csum];
	s->rx_dropped = st[VPF_STAT_rx_drop_nomem];
	s->tx_errors = st[VPF_STAT_tx_drop_size] + st[VPF_STAT_tx_drop_csum];
	s->tx_dropped = st[VPF_STAT_tx_drop_no_link] +
			st[VPF_STAT_tx_drop_ring_full];
	s->tx_carrier_errors = st[VPF_STAT_tx_drop_no_link];
}

static const struct net_device_ops vpf_netdev_ops = {
	.ndo_open		= vpf_netdev_open,
	.ndo_stop		= vpf_netdev_stop,
	.ndo_start_xmit		= vpf_netdev_xmit,
	.ndo_change_mtu		= vpf_netdev_change_mtu,
	.ndo_fix_features	= vpf_netdev_fix_features,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_stats64	= vpf_netdev_get_stats64,
};

/* ---- ethtool -------------------------------------------------------- */

static void vpf_ethtool_get_drvinfo(struct net_device *ndev,
				    struct ethtool_drvinfo *info)
{
	struct vpf_dev *vpf = netdev_priv(ndev);

	strscpy(info->driver, VPF_DRV_NAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&vpf->xbdev->dev),
		sizeof(info->bus_info));
}

static int vpf_ethtool_get_sset_count(struct net_device *ndev, int sset)
{
	return sset == ETH_SS_STATS ? VPF_NR_STATS : -EOPNOTSUPP;
}

static void vpf_ethtool_get_strings(struct net_device *ndev, u32 sset,
				    u8 *data)
{
	if (sset == ETH_SS_STATS)
		memcpy(data, vpf_dev_stat_names, sizeof(vpf_dev_stat_names));
}

static void vpf_ethtool_get_stats(struct net_device *ndev,
				  struct ethtool_stats *stats, u64 *data)
{
	struct vpf_dev *vpf = netdev_priv(ndev);
	u32 i;

	spin_lock_bh(&vpf->lock);
	for (i = 0; i < VPF_STAT_MAX; i++)
		data[i] = vpf->stats[i];
	/* vp_front's counters are zeroed at each teardown, after adding. */
	for (i = 0; i < VP_FRONT_STAT_MAX; i++)
		data[VPF_STAT_MAX + i] = vpf->front_stats[i] +
					 vpf->front.stats[i];
	memcpy(&data[VPF_STAT_LAT], vpf->lat_tx.b, sizeof(vpf->lat_tx.b));
	memcpy(&data[VPF_STAT_LAT + VP_HIST_NR], vpf->lat_rx.b,
	       sizeof(vpf->lat_rx.b));
	spin_unlock_bh(&vpf->lock);
}

static const struct ethtool_ops vpf_ethtool_ops = {
	.get_drvinfo		= vpf_ethtool_get_drvinfo,
	.get_link		= ethtool_op_get_link,
	.get_sset_count		= vpf_ethtool_get_sset_count,
	.get_strings		= vpf_ethtool_get_strings,
	.get_ethtool_stats	= vpf_ethtool_get_stats,
};

/* ---- lifecycle ------------------------------------------------------ */

/* Sizes that follow from the negotiated MTU limit; vpf->lock held. */
static void vpf_netdev_set_max_frame(struct vpf_dev *vpf, u32 max_mtu)
{
	vpf->max_frame = max_mtu + VLAN_ETH_HLEN;
	vpf->tx_slots_max = DIV_ROUND_UP(vpf->max_frame, VPRIME_SLOT_SIZE);
}

struct vpf_dev *vpf_netdev_create(struct xenbus_device *xbdev, const u8 *mac)
{
	struct net_device *ndev;
	struct vpf_dev *vpf;

	ndev = alloc_etherdev(sizeof(*vpf));
	if (!ndev)
		return NULL;
	vpf = netdev_priv(ndev);
	vpf->ndev = ndev;
	vpf->xbdev = xbdev;
	spin_lock_init(&vpf->lock);
	vpf_netdev_set_max_frame(vpf, ETH_DATA_LEN);

	SET_NETDEV_DEV(ndev, &xbdev->dev);
	eth_hw_addr_set(ndev, mac);
	ndev->netdev_ops = &vpf_netdev_ops;
	ndev->ethtool_ops = &vpf_ethtool_ops;
	ndev->min_mtu = VPRIME_MTU_MIN;
	ndev->max_mtu = ETH_DATA_LEN;
	/* The device never looks at the address: it may change while up. */
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/* xmit takes vpf->lock, which the NAPI poll holds in softirq. */
	ndev->priv_flags |= IFF_DISABLE_NETPOLL;
	ndev->hw_features = NETIF_F_SG | VPF_CSUM_FEATURES | NETIF_F_RXCSUM;
	ndev->features = ndev->hw_features;
	netif_napi_add(ndev, &vpf->napi, vpf_napi_poll);
	netif_carrier_off(ndev);
	return vpf;
}

int vpf_netdev_register(struct vpf_dev *vpf)
{
	return register_netdev(vpf->ndev);
}

/* After unregister_netdev() (or instead of it, if never registered). */
void vpf_netdev_destroy(struct vpf_dev *vpf)
{
	free_netdev(vpf->ndev);
}

/*
 * Apply what the backend offered (vpf->feat) before the rings are set up:
 * MTU limit, frame size, checksum offload.  Under RTNL.
 */
void vpf_netdev_negotiated(struct vpf_dev *vpf)
{
	struct net_device *ndev = vpf->ndev;
	u32 max_mtu = vpf->feat.jumbo ? VPRIME_MTU_MAX : ETH_DATA_LEN;

	ASSERT_RTNL();
	ndev->max_mtu = max_mtu;
	if (ndev->mtu > max_mtu)
		dev_set_mtu(ndev, max_mtu);
	spin_lock_bh(&vpf->lock);
	vpf_netdev_set_max_frame(vpf, max_mtu);
	spin_unlock_bh(&vpf->lock);
	netdev_update_features(ndev);
}

/* The backend is Connected: let frames flow.  Under RTNL. */
void vpf_netdev_attach(struct vpf_dev *vpf)
{
	ASSERT_RTNL();
	spin_lock_bh(&vpf->lock);
	vpf->connected = true;
	vpf->broken_seen = false;
	vpf->stats[VPF_STAT_connects]++;
	spin_unlock_bh(&vpf->lock);
	if (netif_running(vpf->ndev)) {
		netif_wake_queue(vpf->ndev);
		vpf_napi_start(vpf);
	}
}

/*
 * Stop the data path; afterwards nothing touches the rings until the next
 * attach.  Idempotent.  Under RTNL.
 */
void vpf_netdev_detach(struct vpf_dev *vpf)
{
	ASSERT_RTNL();
	vpf_napi_stop(vpf);
	netif_tx_disable(vpf->ndev);
	spin_lock_bh(&vpf->lock);
	vpf->connected = false;
	spin_unlock_bh(&vpf->lock);
	netif_carrier_off(vpf->ndev);
}
