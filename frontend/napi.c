// SPDX-License-Identifier: GPL-2.0
/*
 * napi.c - the event path: the interrupt schedules NAPI; the poll takes
 * back TX slots (TXC), receives frames (RX), refills FILL, follows the
 * carrier, and re-arms the events before it sleeps.
 *
 * The event channel is bound with lateeoi (XSA-391): the EOI for an
 * interrupt is sent only when the poll it scheduled completes, flagged
 * spurious if that poll found nothing to do, so a backend that floods
 * events gets them throttled by Xen instead of pinning a CPU.
 *
 * Skbs are handed to the stack after vpf->lock is dropped: the stack may
 * transmit on this device from inside napi_gro_receive().
 */
#include "front.h"

#include <linux/etherdevice.h>
#include <linux/rtnetlink.h>
#include <xen/events.h>

irqreturn_t vpf_napi_interrupt(int irq, void *dev_id)
{
	struct vpf_dev *vpf = dev_id;

	if (!READ_ONCE(vpf->napi_on)) {
		/* Device down or not connected: nothing will poll. */
		xen_irq_lateeoi(irq, XEN_EOI_FLAG_SPURIOUS);
		return IRQ_HANDLED;
	}
	/* lat_rx counts from the first interrupt the poll loop has not seen. */
	if (!READ_ONCE(vpf->irq_ns))
		WRITE_ONCE(vpf->irq_ns, ktime_get_ns());
	/* Owed EOI; a poll that is running now completes it. */
	set_bit(VPF_F_EOI_PENDING, &vpf->flags);
	napi_schedule(&vpf->napi);
	return IRQ_HANDLED;
}

/* One good frame into an skb, or NULL (counted); vpf->lock held. */
static struct sk_buff *vpf_napi_rx_skb(struct vpf_dev *vpf,
				       const struct vp_frame *fr)
{
	struct sk_buff *skb;

	if (fr->bad) {
		vpf->stats[VPF_STAT_rx_drop_bad]++;
		return NULL;
	}
	skb = napi_alloc_skb(&vpf->napi, fr->len);
	if (!skb) {
		vpf->stats[VPF_STAT_rx_drop_nomem]++;
		return NULL;
	}
	vp_front_rx_copy(&vpf->front, fr, skb_put(skb, fr->len), fr->len);
	skb->protocol = eth_type_trans(skb, vpf->ndev);
	skb_reset_network_header(skb);

	if (fr->flags & VPRIME_DESC_F_CSUM_BLANK) {
		/* As netfront does for NETRXF_csum_blank. */
		skb->ip_summed = CHECKSUM_PARTIAL;
		if (skb_checksum_setup(skb, true)) {
			vpf->stats[VPF_STAT_rx_drop_csum]++;
			kfree_skb(skb);
			return NULL;
		}
	} else if ((fr->flags & VPRIME_DESC_F_DATA_VALID) &&
		   (vpf->ndev->features & NETIF_F_RXCSUM)) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	vpf->stats[VPF_STAT_rx_packets]++;
	vpf->stats[VPF_STAT_rx_bytes] += fr->len;
	return skb;
}

/* Take up to @budget frames off RX onto @rxq; vpf->lock held. */
static int vpf_napi_rx(struct vpf_dev *vpf, struct sk_buff_head *rxq,
		       int budget)
{
	struct vp_front *f = &vpf->front;
	struct vp_frame fr;
	int done = 0;

	while (done < budget && vp_front_rx_next(f, &fr) > 0) {
		struct sk_buff *skb = vpf_napi_rx_skb(vpf, &fr);

		vp_front_rx_release(f, &fr);
		if (skb)
			__skb_queue_tail(rxq, skb);
		done++;
	}
	if (done)
		vp_front_rx_commit(f);	/* [B3] */
	return done;
}

/* The backend broke a ring: carrier off and one line, never a crash. */
static void vpf_napi_broken(struct vpf_dev *vpf)
{
	if (!vpf->front.broken || vpf->broken_seen)
		return;
	vpf->broken_seen = true;
	vpf->stats[VPF_STAT_ring_broken]++;
	netdev_err(vpf->ndev,
		   "backend broke the rings; device disabled until it reconnects\n");
}

/*
 * One pass over all rings at @now; vpf->lock held.  Returns RX frames
 * taken.  Counts lat_tx for the slots reaped and lat_rx for the frames
 * taken, if an interrupt woke the poll.
 */
static int vpf_napi_pass(struct vpf_dev *vpf, struct sk_buff_head *rxq,
			 int budget, u64 now, bool *notify, bool *work)
{
	struct vp_front *f = &vpf->front;
	bool carrier = netif_carrier_ok(vpf->ndev);
	u64 irq;
	int done;

	if (vp_front_txc_reap_lat(f, now, vpf->lat_tx.b)) {
		*work = true;
		vpf_netdev_tx_wake(vpf);
	}
	done = vpf_napi_rx(vpf, rxq, budget);
	irq = READ_ONCE(vpf->irq_ns);
	if (done && irq)
		vp_hist_add_n(vpf->lat_rx.b, now > irq ? now - irq : 0, done);
	if (done)
		*work = true;
	*notify = vp_front_fill(f);
	/* dom0 may be waiting for the room this pass made (cons-event). */
	*notify |= vp_front_cons_notify(f);
	vpf_napi_broken(vpf);
	vpf_netdev_carrier_update(vpf);
	if (carrier != netif_carrier_ok(vpf->ndev))
		*work = true;
	return done;
}

int vpf_napi_poll(struct napi_struct *napi, int budget)
{
	struct vpf_dev *vpf = container_of(napi, struct vpf_dev, napi);
	struct sk_buff_head rxq;
	struct sk_buff *skb;
	bool notify = false, work = false, again;
	u64 now = ktime_get_ns();	/* one clock read per poll */
	int done;

	__skb_queue_head_init(&rxq);
	spin_lock(&vpf->lock);
	done = vpf_napi_pass(vpf, &rxq, budget, now, &notify, &work);
	vpf->poll_work |= work;
	spin_unlock(&vpf->lock);

	if (notify)
		notify_remote_via_irq(vpf->rings.irq);
	while ((skb = __skb_dequeue(&rxq)))
		napi_gro_receive(napi, skb);
	if (done >= budget)
		return budget;

	spin_lock(&vpf->lock);
	again = vp_front_arm(&vpf->front);	/* about to sleep */
	if (!again && !vpf->poll_work &&
	    test_bit(VPF_F_EOI_PENDING, &vpf->flags))
		vpf->stats[VPF_STAT_irq_spurious]++;
	spin_unlock(&vpf->lock);
	/*
	 * Something arrived meanwhile: poll again.  A pass that found
	 * nothing while prod had moved is a race with the backend (an open
	 * chain at prod is fatal in vp_front_rx_next()): poll once more,
	 * then sleep rather than spin.
	 */
	if (again && (work || !vpf->idle_repoll)) {
		vpf->idle_repoll = !work;
		return budget;
	}
	vpf->idle_repoll = false;

	/* Going idle: the next interrupt starts lat_rx afresh.  Cleared
	 * before completing, so an interrupt racing with it keeps its time
	 * (NAPI then polls again).
	 */
	WRITE_ONCE(vpf->irq_ns, 0);
	if (napi_complete_done(napi, done) &&
	    test_and_clear_bit(VPF_F_EOI_PENDING, &vpf->flags)) {
		xen_irq_lateeoi(vpf->rings.irq, vpf->poll_work ? 0 :
						XEN_EOI_FLAG_SPURIOUS);
		vpf->poll_work = false;
	}
	return done;
}

/* Enable NAPI if the device is up and connected; one poll to start. */
void vpf_napi_start(struct vpf_dev *vpf)
{
	ASSERT_RTNL();
	if (vpf->napi_on || !vpf->connected || !netif_running(vpf->ndev))
		return;
	napi_enable(&vpf->napi);
	WRITE_ONCE(vpf->napi_on, true);
	local_bh_disable();
	napi_schedule(&vpf->napi);
	local_bh_enable();
}

/* Disable NAPI and settle an EOI it still owed.  Idempotent. */
void vpf_napi_stop(struct vpf_dev *vpf)
{
	ASSERT_RTNL();
	if (!vpf->napi_on)
		return;
	WRITE_ONCE(vpf->napi_on, false);
	napi_disable(&vpf->napi);
	if (test_and_clear_bit(VPF_F_EOI_PENDING, &vpf->flags))
		xen_irq_lateeoi(vpf->rings.irq, 0);
	vpf->poll_work = false;
	WRITE_ONCE(vpf->irq_ns, 0);
}
