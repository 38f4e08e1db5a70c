// SPDX-License-Identifier: GPL-2.0
/*
 * xenbus.c - the xenbus frontend driver of device class "vprime": probe,
 * negotiation with the backend, the state walk, remove and resume.
 *
 * Frontend state walk (answers come from vp_xb_front_on_back()):
 *
 *   Initialising --(back InitWait)--> Initialised
 *   Initialised --(back Connected)--> Connected
 *   Connected or Closed --(back InitWait again: it restarted)--> RESET:
 *        tear down fully --> Initialising --> Initialised --> ...
 *   any --(back Closing/Closed/gone)--> tear down --> Closed
 *
 * At each InitWait the last set of pages is revoked first; a backend that
 * still maps pages of it gets no new set (the frontend waits at
 * Initialising), and one that does so VP_REGRANT_WAITS_MAX times (counting
 * each InitWait once, however many watch events read it) or restarts too
 * often is given up on: Closed until the device is re-added
 * (common/vp_regrant.h, docs/security.md finding 4).
 *
 * Everything the backend wrote to xenstore is parsed strictly
 * (common/vp_parse.c); nothing it wrote is trusted.
 */
#include "front.h"

#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <xen/xen.h>

#include "vp_parse.h"
#include "vp_xenbus.h"

/* How long remove waits for the backend to let go of the shared pages. */
#define VPF_CLOSE_WAIT_MS	5000
#define VPF_CLOSE_STEP_MS	50

/* ---- xenstore reads ------------------------------------------------- */

/* Read @key of @dir; -ENOENT if absent.  Caller kfree()s *val. */
static int vpf_xs_read(const char *dir, const char *key, char **val,
		       unsigned int *len)
{
	char *s = xenbus_read(XBT_NIL, dir, key, len);

	if (IS_ERR(s))
		return PTR_ERR(s);
	*val = s;
	return 0;
}

/* An optional number of the backend: @dflt when absent. */
static int vpf_xs_back_u32(struct vpf_dev *vpf, const char *key, u32 min,
			   u32 max, u32 dflt, u32 *out)
{
	unsigned int len;
	char *s;
	int err;

	err = vpf_xs_read(vpf->xbdev->otherend, key, &s, &len);
	if (err == -ENOENT) {
		*out = dflt;
		return 0;
	}
	if (err)
		return err;
	err = vp_parse_u32(s, len, min, max, out);
	kfree(s);
	if (err)
		netdev_err(vpf->ndev, "backend's %s is not valid\n", key);
	return err;
}

/* An optional feature flag of the backend: off when absent. */
static int vpf_xs_back_bool(struct vpf_dev *vpf, const char *key, bool *out)
{
	u32 v;
	int err = vpf_xs_back_u32(vpf, key, 0, 1, 0, &v);

	if (!err)
		*out = v;
	return err;
}

static int vpf_xs_back_version(struct vpf_dev *vpf, u32 *version)
{
	unsigned int len;
	char *s;
	int err;

	err = vpf_xs_read(vpf->xbdev->otherend, VPRIME_XS_PROTO_VERSIONS, &s,
			  &len);
	if (err == -ENOENT) {
		/* docs/protocol.md: absent means version 1. */
		*version = 1;
		return 0;
	}
	if (err)
		return err;
	err = vp_parse_versions(s, len, VPRIME_PROTOCOL_VERSION, version);
	kfree(s);
	if (err)
		netdev_err(vpf->ndev,
			   "backend speaks no protocol version <= %u\n",
			   VPRIME_PROTOCOL_VERSION);
	return err;
}

/* Read what the backend offers into vpf->feat. */
static int vpf_xenbus_negotiate(struct vpf_dev *vpf)
{
	struct vpf_features feat = {};
	u32 max_pages;
	int err;

	err = vpf_xs_back_version(vpf, &feat.version);
	if (err)
		return err;
	err = vpf_xs_back_u32(vpf, VPRIME_XS_MAX_POOL_PAGES,
			      VPRIME_POOL_PAGES_MIN, VPRIME_POOL_PAGES_MAX,
			      VPRIME_POOL_PAGES_MAX, &max_pages);
	if (err)
		return err;
	feat.pool_pages = vp_xb_pool_pick(vpf_pool_pages, max_pages);
	err = vpf_xs_back_bool(vpf, VPRIME_XS_FEATURE_CSUM, &feat.csum);
	if (err)
		return err;
	feat.csum = feat.csum && vpf_csum_offload;
	err = vpf_xs_back_bool(vpf, VPRIME_XS_FEATURE_JUMBO, &feat.jumbo);
	if (err)
		return err;
	err = vpf_xs_back_bool(vpf, VPRIME_XS_FEATURE_CONS_EVENT,
			       &feat.cons_event);
	if (err)
		return err;
	vpf->feat = feat;
	return 0;
}

/* ---- xenstore writes ------------------------------------------------ */

static const char *const vpf_xs_keys[] = {
	VPRIME_XS_PROTO_VERSION, VPRIME_XS_CTRL_REF, VPRIME_XS_EVTCHN,
	VPRIME_XS_TX_POOL_PAGES, VPRIME_XS_RX_POOL_PAGES, VPRIME_XS_REQ_CSUM,
	VPRIME_XS_MTU, VPRIME_XS_REQ_CONS_EVENT,
};

/* Write all our keys in one transaction, so the backend sees all or none. */
static int vpf_xenbus_publish(struct vpf_dev *vpf)
{
	struct xenbus_device *xbdev = vpf->xbdev;
	struct xenbus_transaction xbt;
	u32 val[ARRAY_SIZE(vpf_xs_keys)] = {
		vpf->feat.version, vpf->rings.ctrl.ref, vpf->rings.evtchn,
		vpf->rings.tx_nr_pages, vpf->rings.rx_nr_pages, vpf->feat.csum,
		/*
		 * The backend sizes frames by "mtu" once, at connect: publish
		 * the largest MTU the device may take, not the current one, so
		 * a later ip link set mtu (up to max_mtu) needs no reconnect.
		 */
		READ_ONCE(vpf->ndev->max_mtu), vpf->feat.cons_event,
	};
	unsigned int i;
	int err;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(xbdev, err, "starting transaction");
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(vpf_xs_keys); i++) {
		err = xenbus_printf(xbt, xbdev->nodename, vpf_xs_keys[i], "%u",
				    val[i]);
		if (err)
			goto err_abort;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err) {
		xenbus_dev_fatal(xbdev, err, "completing transaction");
		return err;
	}
	vpf->published = true;
	return 0;

err_abort:
	xenbus_transaction_end(xbt, 1);
	xenbus_dev_fatal(xbdev, err, "writing %s", vpf_xs_keys[i]);
	return err;
}

/* Remove our keys: no stale ctrl-ref or event-channel outlives a connect. */
static void vpf_xenbus_unpublish(struct vpf_dev *vpf)
{
	unsigned int i;

	if (!vpf->published)
		return;
	for (i = 0; i < ARRAY_SIZE(vpf_xs_keys); i++)
		xenbus_rm(XBT_NIL, vpf->xbdev->nodename, vpf_xs_keys[i]);
	vpf->published = false;
}

/* ---- connect and disconnect ----------------------------------------- */

/* Tear the data path down completely.  Idempotent. */
static void vpf_xenbus_disconnect(struct vpf_dev *vpf)
{
	rtnl_lock();
	vpf_netdev_detach(vpf);
	rtnl_unlock();
	vpf_rings_teardown(vpf);
	vpf_xenbus_unpublish(vpf);
}

/*
 * May a new set of pages be granted?  Not while the backend still maps
 * an earlier one, nor to a backend that restarts without end
 * (common/vp_regrant.c).  Returns true to go on connecting.
 */
static bool vpf_xenbus_regrant(struct vpf_dev *vpf)
{
	struct xenbus_device *xbdev = vpf->xbdev;
	u32 held = vpf_rings_held_retry(vpf);
	enum vp_regrant_verdict v;

	v = vp_regrant_decide(&vpf->regrant, held, ktime_to_ms(ktime_get()));
	switch (v) {
	case VP_REGRANT_GRANT:
		return true;
	case VP_REGRANT_WAIT_SAME:
		/* Already counted and logged: still waiting, at Initialising. */
		spin_lock_bh(&vpf->lock);
		vpf->stats[VPF_STAT_regrant_rereads]++;
		spin_unlock_bh(&vpf->lock);
		if (xbdev->state != XenbusStateInitialising)
			xenbus_switch_state(xbdev, XenbusStateInitialising);
		return false;
	case VP_REGRANT_WAIT:
		spin_lock_bh(&vpf->lock);
		vpf->stats[VPF_STAT_regrant_waits]++;
		spin_unlock_bh(&vpf->lock);
		netdev_warn(vpf->ndev,
			    "backend restarted still mapping %u pages of the last connection: granting no new ones until it lets go\n",
			    held);
		if (xbdev->state != XenbusStateInitialising)
			xenbus_switch_state(xbdev, XenbusStateInitialising);
		return false;
	case VP_REGRANT_GIVE_UP:
		spin_lock_bh(&vpf->lock);
		vpf->stats[VPF_STAT_regrant_gave_up]++;
		spin_unlock_bh(&vpf->lock);
		netdev_err(vpf->ndev,
			   "backend restarted %s (%u pages still mapped): giving up; the device stays unconnected until the toolstack re-adds it\n",
			   held ? "again and again without releasing our pages" :
				  "too often",
			   held);
		xenbus_switch_state(xbdev, XenbusStateClosed);
		return false;
	default:
		return false;
	}
}

/* Backend InitWait: negotiate, share the rings, publish, Initialised. */
static int vpf_xenbus_connect(struct vpf_dev *vpf)
{
	int err;

	/* Nothing may be left from an earlier connection (idempotent). */
	vpf_xenbus_disconnect(vpf);
	if (!vpf_xenbus_regrant(vpf))
		return 0;
	if (vpf->xbdev->state != XenbusStateInitialising)
		xenbus_switch_state(vpf->xbdev, XenbusStateInitialising);
	err = vpf_xenbus_negotiate(vpf);
	if (err)
		return err;
	rtnl_lock();
	vpf_netdev_negotiated(vpf);
	rtnl_unlock();

	err = vpf_rings_setup(vpf, vpf->feat.pool_pages);
	if (err)
		return err;
	err = vpf_xenbus_publish(vpf);
	if (err)
		goto err_rings;
	err = xenbus_switch_state(vpf->xbdev, XenbusStateInitialised);
	if (err)
		goto err_publish;
	return 0;

err_publish:
	vpf_xenbus_unpublish(vpf);
err_rings:
	vpf_rings_teardown(vpf);
	return err;
}

static void vpf_xenbus_connect_or_fail(struct vpf_dev *vpf)
{
	int err = vpf_xenbus_connect(vpf);

	if (err)
		xenbus_dev_fatal(vpf->xbdev, err, "connecting to the backend");
}

static void vpf_xenbus_backend_changed(struct xenbus_device *xbdev,
				       enum xenbus_state bstate)
{
	struct vpf_dev *vpf = dev_get_drvdata(&xbdev->dev);
	enum vp_xb_action act;

	if (!vpf)
		return;
	act = vp_xb_front_on_back((enum vp_xb_state)xbdev->state,
				  (enum vp_xb_state)bstate);
	dev_dbg(&xbdev->dev, "backend %s, frontend %s: action %d\n",
		vp_xb_state_name(bstate), vp_xb_state_name(xbdev->state), act);

	/* Only an InitWait read after another state is a new restart. */
	vp_regrant_backend_seen(&vpf->regrant, bstate == XenbusStateInitWait);
	/* The backend let go of the pages a Closing left us holding. */
	if (act == VP_XB_ACT_NONE && vpf->rings.up &&
	    (bstate == XenbusStateClosed || bstate == XenbusStateUnknown))
		vpf_xenbus_disconnect(vpf);
	/* Free what an earlier connection left mapped, once it is unmapped. */
	vpf_rings_held_retry(vpf);
	/* Given up on this backend: it gets nothing until the device is re-added. */
	if (vpf->regrant.gave_up)
		return;

	switch (act) {
	case VP_XB_ACT_CONNECT:
		vpf_xenbus_connect_or_fail(vpf);
		break;
	case VP_XB_ACT_CONNECTED:
		rtnl_lock();
		vpf_netdev_attach(vpf);
		rtnl_unlock();
		xenbus_switch_state(xbdev, XenbusStateConnected);
		netdev_info(vpf->ndev,
			    "connected: protocol %u, %u+%u pool pages, csum offload %s, jumbo %s\n",
			    vpf->feat.version, vpf->rings.tx_nr_pages,
			    vpf->rings.rx_nr_pages,
			    vpf->feat.csum ? "on" : "off",
			    vpf->feat.jumbo ? "on" : "off");
		break;
	case VP_XB_ACT_DISCONNECT:
		if (bstate == XenbusStateClosing) {
			/*
			 * Closing is asked of us (by the toolstack, often
			 * while the backend still maps everything): stop the
			 * data path and say Closed, but keep the shared pages
			 * until the backend is Closed, which it says only
			 * after unmapping them.
			 */
			rtnl_lock();
			vpf_netdev_detach(vpf);
			rtnl_unlock();
			xenbus_frontend_closed(xbdev);
			break;
		}
		vpf_xenbus_disconnect(vpf);
		xenbus_frontend_closed(xbdev);
		break;
	case VP_XB_ACT_RESET:
		/* Stock netfront cannot do this: the backend came back. */
		netdev_info(vpf->ndev, "backend restarted: reconnecting\n");
		vpf_xenbus_disconnect(vpf);
		spin_lock_bh(&vpf->lock);
		vpf->stats[VPF_STAT_resets]++;
		spin_unlock_bh(&vpf->lock);
		vpf_xenbus_connect_or_fail(vpf);
		break;
	default:
		break;
	}
}

/* ---- probe, remove, resume ------------------------------------------ */

static int vpf_xenbus_read_mac(struct xenbus_device *xbdev, u8 mac[ETH_ALEN])
{
	unsigned int len;
	char *s;
	int err;

	err = vpf_xs_read(xbdev->nodename, VPRIME_XS_MAC, &s, &len);
	if (err)
		return err;
	err = vp_parse_mac(s, len, mac);
	kfree(s);
	return err;
}

static int vpf_xenbus_probe(struct xenbus_device *xbdev,
			    const struct xenbus_device_id *id)
{
	struct vpf_dev *vpf;
	u8 mac[ETH_ALEN];
	int err;

	err = vpf_xenbus_read_mac(xbdev, mac);
	if (err) {
		xenbus_dev_fatal(xbdev, err, "reading %s/%s", xbdev->nodename,
				 VPRIME_XS_MAC);
		return err;
	}
	vpf = vpf_netdev_create(xbdev, mac);
	if (!vpf) {
		err = -ENOMEM;
		xenbus_dev_fatal(xbdev, err, "allocating the netdev");
		return err;
	}
	dev_set_drvdata(&xbdev->dev, vpf);
	err = vpf_netdev_register(vpf);
	if (err) {
		xenbus_dev_fatal(xbdev, err, "registering the netdev");
		goto err_register;
	}
	/* A re-probe (module reloaded) finds the node Closed: start over. */
	if (xbdev->state != XenbusStateInitialising)
		xenbus_switch_state(xbdev, XenbusStateInitialising);
	netdev_info(vpf->ndev, "%s, mac %pM\n", xbdev->nodename, mac);
	return 0;

err_register:
	dev_set_drvdata(&xbdev->dev, NULL);
	vpf_netdev_destroy(vpf);
	return err;
}

/*
 * Ask the backend to let go of the shared pages before we revoke them:
 * Closing, then wait (bounded: a dead or hostile backend must not hang
 * the guest) until it leaves the data path, Closing or Closed.  The bus
 * moves us to Closed after remove.  What it still maps the grant table
 * frees once it unmaps (vpf_rings_teardown()).
 */
static void vpf_xenbus_close(struct vpf_dev *vpf)
{
	struct xenbus_device *xbdev = vpf->xbdev;
	unsigned int waited;
	enum xenbus_state bs;

	if (!vpf->rings.up)
		return;
	xenbus_switch_state(xbdev, XenbusStateClosing);
	for (waited = 0; waited < VPF_CLOSE_WAIT_MS;
	     waited += VPF_CLOSE_STEP_MS) {
		bs = xenbus_read_driver_state(xbdev->otherend);
		if (bs == XenbusStateClosing || bs == XenbusStateClosed ||
		    bs == XenbusStateUnknown)
			return;
		msleep(VPF_CLOSE_STEP_MS);
	}
	netdev_warn(vpf->ndev, "backend did not close within %u ms\n",
		    VPF_CLOSE_WAIT_MS);
}

static void vpf_xenbus_remove(struct xenbus_device *xbdev)
{
	struct vpf_dev *vpf = dev_get_drvdata(&xbdev->dev);

	if (!vpf)
		return;
	vpf_xenbus_close(vpf);
	/*
	 * Data path down while the netdev is still registered: a carrier
	 * change after unregister_netdev() would queue a linkwatch event on
	 * a device about to be freed.
	 */
	vpf_xenbus_disconnect(vpf);
	vpf_rings_held_release(vpf);
	unregister_netdev(vpf->ndev);
	dev_set_drvdata(&xbdev->dev, NULL);
	vpf_netdev_destroy(vpf);
}

/*
 * After suspend (save/restore, migration) the backend is a new one: drop
 * everything; the bus puts us back to Initialising and the new backend's
 * InitWait connects us again with a fresh negotiation (XSA-465: nothing
 * from before the suspend is reused).
 */
static int vpf_xenbus_resume(struct xenbus_device *xbdev)
{
	struct vpf_dev *vpf = dev_get_drvdata(&xbdev->dev);

	if (vpf) {
		vpf_xenbus_disconnect(vpf);
		/* The old backend's mappings are not the new one's doing. */
		vpf_rings_held_release(vpf);
		vp_regrant_init(&vpf->regrant);
	}
	return 0;
}

static const struct xenbus_device_id vpf_xenbus_ids[] = {
	{ VPRIME_XS_CLASS },
	{ "" }
};

static struct xenbus_driver vpf_xenbus_driver = {
	.ids			= vpf_xenbus_ids,
	.probe			= vpf_xenbus_probe,
	.remove			= vpf_xenbus_remove,
	.resume			= vpf_xenbus_resume,
	.otherend_changed	= vpf_xenbus_backend_changed,
	.not_essential		= true,
};

int vpf_xenbus_init(void)
{
	return xenbus_register_frontend(&vpf_xenbus_driver);
}

void vpf_xenbus_exit(void)
{
	xenbus_unregister_driver(&vpf_xenbus_driver);
}
