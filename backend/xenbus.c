// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * xenbus.c - the xenbus backend driver for device class "vprime": probe,
 * the state walk in answer to the frontend (decisions in common/
 * vp_xenbus.c), reading the frontend's keys once at connect, disabling a
 * guest that broke the protocol.  The module's entry points and parameters
 * are in main.c.
 *
 * Backend path (vp_xb_back_step):
 *
 *   probe -> InitWait ---> Connected ---> Closing ---> Closed
 *               ^   \______________________^             |
 *               |____________________________________________|
 *                     (frontend Initialising again)
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <xen/xen.h>
#include <xen/xenbus.h>

#include "common.h"
#include "vp_parse.h"
#include "vp_xenbus.h"

LIST_HEAD(vpb_devs);
DEFINE_MUTEX(vpb_devs_lock);
atomic_t vpb_nr_devs = ATOMIC_INIT(0);
atomic_t vpb_nr_xs_rejects = ATOMIC_INIT(0);
atomic_t vpb_nr_guests_disabled = ATOMIC_INIT(0);

static void vpb_dev_release(struct kref *ref)
{
	struct vpb_dev *dev = container_of(ref, struct vpb_dev, ref);

	kfree(dev);
	atomic_dec(&vpb_nr_devs);
}

void vpb_dev_put(struct vpb_dev *dev)
{
	kref_put(&dev->ref, vpb_dev_release);
}

/* ---- reading xenstore once ------------------------------------------- */

/* A bad value: one counter, one log line (xenbus_dev_fatal), Closing. */
static int vpb_xs_reject(struct vpb_dev *dev, const char *dir, const char *key,
			int err, const char *what)
{
	dev->xs_rejects++;
	atomic_inc(&vpb_nr_xs_rejects);
	xenbus_dev_fatal(dev->xbdev, err, "%s/%s: %s", dir, key, what);
	return err;
}

/*
 * Read @dir/@key once into a private buffer.  Returns it (caller frees),
 * NULL if absent and @optional, or an ERR_PTR after rejecting.
 */
static char *vpb_xs_get(struct vpb_dev *dev, const char *dir, const char *key,
		       bool optional, unsigned int *len)
{
	char *s = xenbus_read(XBT_NIL, dir, key, len);

	if (IS_ERR(s)) {
		if (optional && PTR_ERR(s) == -ENOENT)
			return NULL;
		vpb_xs_reject(dev, dir, key, PTR_ERR(s), "missing");
		return s;
	}
	if (*len > VP_XS_VALUE_MAX) {
		kfree(s);
		vpb_xs_reject(dev, dir, key, -E2BIG, "value too long");
		return ERR_PTR(-E2BIG);
	}
	return s;
}

/* @out keeps its default when the key is absent and @optional. */
static int vpb_xs_u32(struct vpb_dev *dev, const char *dir, const char *key,
		     bool optional, u32 min, u32 max, u32 *out)
{
	unsigned int len;
	char *s = vpb_xs_get(dev, dir, key, optional, &len);
	int err;

	if (IS_ERR_OR_NULL(s))
		return PTR_ERR_OR_ZERO(s);
	err = vp_parse_u32(s, len, min, max, out);
	kfree(s);
	if (err)
		return vpb_xs_reject(dev, dir, key, err,
				    err == -ERANGE ? "out of range" :
						     "not a number");
	return 0;
}

static int vpb_xs_bool(struct vpb_dev *dev, const char *dir, const char *key,
		      bool *out)
{
	unsigned int len;
	char *s = vpb_xs_get(dev, dir, key, true, &len);
	int err;

	if (IS_ERR_OR_NULL(s))
		return PTR_ERR_OR_ZERO(s);
	err = vp_parse_bool(s, len, out);
	kfree(s);
	if (err)
		return vpb_xs_reject(dev, dir, key, err, "not 0 or 1");
	return 0;
}

/*
 * The toolstack's mac and name (optional), from the backend directory
 * only: dom0 names the device.  Without a mac there the device has none
 * (all zero: listed, attachable by id or name, never by MAC); the
 * frontend's own mac is never used, or a guest could take or shadow
 * another guest's identity (protocol.md, section 2).
 */
static int vpb_read_identity(struct vpb_dev *dev, u8 mac[6],
			    char name[VPRIME_NAME_LEN])
{
	const char *dir = dev->xbdev->nodename;
	unsigned int len;
	char *s;
	int err;

	memset(mac, 0, 6);
	s = vpb_xs_get(dev, dir, VPRIME_XS_MAC, true, &len);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (s) {
		err = vp_parse_mac(s, len, mac);
		kfree(s);
		if (err)
			return vpb_xs_reject(dev, dir, VPRIME_XS_MAC, err,
					    "not a unicast MAC address");
	}

	memset(name, 0, VPRIME_NAME_LEN);
	dir = dev->xbdev->nodename;
	s = vpb_xs_get(dev, dir, VPRIME_XS_NAME, true, &len);
	if (IS_ERR(s))
		return PTR_ERR(s);
	if (!s)
		return 0;
	err = vp_parse_name(s, len, name);
	kfree(s);
	if (err)
		return vpb_xs_reject(dev, dir, VPRIME_XS_NAME, err,
				    "not a device name");
	return 0;
}

/*
 * The largest pool this device accepts: the toolstack's pool-pages, from
 * the backend directory only (n0 r<domid>: a guest cannot write there, so
 * it never chooses what dom0 maps for it), else the module parameter.  A
 * bad value is rejected (counter, error node, Closing): running the device
 * with another size than the one asked for would hide the mistake.
 */
static int vpb_read_pool_offer(struct vpb_dev *dev)
{
	const char *dir = dev->xbdev->nodename;
	unsigned int len = 0;
	char *s;
	int err;

	/* The message below spells the range out. */
	BUILD_BUG_ON(VPRIME_POOL_PAGES_MIN != 8 || VPRIME_POOL_PAGES_MAX != 256);
	s = vpb_xs_get(dev, dir, VPRIME_XS_POOL_PAGES, true, &len);
	if (IS_ERR(s))
		return PTR_ERR(s);
	err = vp_xb_pool_offer(s, len, vpb_max_pool_pages,
			       &dev->max_pool_pages);
	kfree(s);
	if (err)
		return vpb_xs_reject(dev, dir, VPRIME_XS_POOL_PAGES, err,
				    "not a pool size in pages (8..256)");
	return 0;
}

static int vpb_read_config(struct vpb_dev *dev, struct vpb_xs_config *cfg)
{
	const char *fe = dev->xbdev->otherend;
	int err;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = 1500;
	err = vpb_xs_u32(dev, fe, VPRIME_XS_PROTO_VERSION, false, 1,
			VPRIME_PROTOCOL_VERSION, &cfg->version);
	if (!err)
		err = vpb_xs_u32(dev, fe, VPRIME_XS_CTRL_REF, false, 0,
				U32_MAX, &cfg->ctrl_ref);
	if (!err)
		err = vpb_xs_u32(dev, fe, VPRIME_XS_EVTCHN, false, 1, U32_MAX,
				&cfg->evtchn);
	if (!err)
		err = vpb_xs_u32(dev, fe, VPRIME_XS_TX_POOL_PAGES, false,
				VPRIME_POOL_PAGES_MIN, dev->max_pool_pages,
				&cfg->tx_pool_pages);
	if (!err)
		err = vpb_xs_u32(dev, fe, VPRIME_XS_RX_POOL_PAGES, false,
				VPRIME_POOL_PAGES_MIN, dev->max_pool_pages,
				&cfg->rx_pool_pages);
	if (!err)
		err = vpb_xs_bool(dev, fe, VPRIME_XS_REQ_CSUM, &cfg->csum);
	if (!err)
		err = vpb_xs_bool(dev, fe, VPRIME_XS_REQ_CONS_EVENT,
				 &cfg->cons_event);
	if (!err)
		err = vpb_xs_u32(dev, fe, VPRIME_XS_MTU, true, VPRIME_MTU_MIN,
				VPRIME_MTU_MAX, &cfg->mtu);
	return err;
}

/* ---- state walk ----------------------------------------------------- */

/*
 * Walk the backend to @target by the shortest path.  Anything but
 * Connected means no data path: disconnect first (idempotent).
 */
static void vpb_set_state(struct vpb_dev *dev, enum xenbus_state target)
{
	struct xenbus_device *xbdev = dev->xbdev;

	if (target != XenbusStateConnected)
		vpb_disconnect(dev, VPRIME_PORT_DOWN);
	while (xbdev->state != target) {
		enum vp_xb_state next = vp_xb_back_step(
			(enum vp_xb_state)xbdev->state,
			(enum vp_xb_state)target);

		if (xenbus_switch_state(xbdev, (enum xenbus_state)next))
			break;	/* xenbus reported it */
	}
	dev->be_state = xbdev->state;
}

static void vpb_do_connect(struct vpb_dev *dev)
{
	struct vpb_xs_config cfg;
	u8 mac[6];
	char name[VPRIME_NAME_LEN];

	if (vpb_read_identity(dev, mac, name) || vpb_read_config(dev, &cfg))
		goto err_closing;
	spin_lock(&dev->lock);
	memcpy(dev->mac, mac, sizeof(mac));
	memcpy(dev->name, name, sizeof(name));
	spin_unlock(&dev->lock);
	if (vpb_connect(dev, &cfg))
		goto err_closing;
	dev->connects++;
	vpb_set_state(dev, XenbusStateConnected);
	return;

err_closing:
	/* xenbus_dev_fatal moved us to Closing: nothing is mapped. */
	dev->be_state = dev->xbdev->state;
}

static void vpb_frontend_changed(struct xenbus_device *xbdev,
				enum xenbus_state front)
{
	struct vpb_dev *dev = dev_get_drvdata(&xbdev->dev);
	bool unregister = false;
	enum vp_xb_action act;

	if (!dev)
		return;
	mutex_lock(&dev->xb_mutex);
	dev->fe_state = front;
	act = vp_xb_back_on_front((enum vp_xb_state)xbdev->state,
				  (enum vp_xb_state)front);
	/*
	 * A frontend left Closed by an earlier backend (module reload) waits
	 * for our InitWait to reconnect: do not close under it.
	 */
	if (act == VP_XB_ACT_DISCONNECT && front == XenbusStateClosed &&
	    xbdev->state == XenbusStateInitWait && xenbus_dev_is_online(xbdev))
		act = VP_XB_ACT_NONE;

	switch (act) {
	case VP_XB_ACT_CONNECT:
		vpb_do_connect(dev);
		break;
	case VP_XB_ACT_DISCONNECT:
		if (front == XenbusStateInitialising)
			vpb_set_state(dev, XenbusStateInitWait);
		else if (front == XenbusStateClosing)
			vpb_set_state(dev, XenbusStateClosing);
		else
			vpb_set_state(dev, XenbusStateClosed);
		unregister = front == XenbusStateClosed &&
			     !xenbus_dev_is_online(xbdev);
		break;
	case VP_XB_ACT_REMOVE:
		vpb_set_state(dev, XenbusStateClosed);
		unregister = true;
		break;
	default:
		break;
	}
	mutex_unlock(&dev->xb_mutex);
	if (unregister)
		device_unregister(&xbdev->dev);
}

/* The data path found the guest broken: disable it, with one log line. */
static void vpb_fatal_work(struct work_struct *work)
{
	struct vpb_dev *dev = container_of(work, struct vpb_dev, fatal_work);
	bool broken;

	mutex_lock(&dev->xb_mutex);
	spin_lock(&dev->lock);
	broken = dev->live && dev->guest.broken;
	spin_unlock(&dev->lock);
	if (broken && dev->xbdev) {
		atomic_inc(&vpb_nr_guests_disabled);
		xenbus_dev_fatal(dev->xbdev, -EPROTO,
				 "guest broke the ring protocol (bad index %llu, chain %llu): device disabled",
				 dev->stats[VPRIME_STAT_guest_bad_index],
				 dev->stats[VPRIME_STAT_guest_too_many_slots]);
		vpb_disconnect(dev, VPRIME_PORT_DOWN);
		dev->be_state = dev->xbdev->state;
	}
	mutex_unlock(&dev->xb_mutex);
}

/* ---- probe / remove --------------------------------------------------- */

static int vpb_probe(struct xenbus_device *xbdev,
		    const struct xenbus_device_id *id)
{
	struct xenbus_transaction xbt;
	const char *slash;
	struct vpb_dev *dev;
	u8 mac[6];
	char name[VPRIME_NAME_LEN];
	int err;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		xenbus_dev_fatal(xbdev, -ENOMEM, "allocating device");
		return -ENOMEM;
	}
	atomic_inc(&vpb_nr_devs);
	kref_init(&dev->ref);
	mutex_init(&dev->xb_mutex);
	spin_lock_init(&dev->lock);
	INIT_WORK(&dev->fatal_work, vpb_fatal_work);
	INIT_LIST_HEAD(&dev->node);
	dev->xbdev = xbdev;
	dev->domid = xbdev->otherend_id;
	slash = strrchr(xbdev->nodename, '/');
	if (!slash || kstrtou32(slash + 1, 10, &dev->devid)) {
		err = -EINVAL;
		xenbus_dev_fatal(xbdev, err, "no device id in %s",
				 xbdev->nodename);
		goto err_free;
	}
	dev_set_drvdata(&xbdev->dev, dev);
	err = vpb_read_pool_offer(dev);
	if (err)
		goto err_free;

again:
	err = xenbus_transaction_start(&xbt);
	if (err) {
		xenbus_dev_fatal(xbdev, err, "starting transaction");
		goto err_free;
	}
	err = xenbus_printf(xbt, xbdev->nodename, VPRIME_XS_PROTO_VERSIONS,
			    "%u", VPRIME_PROTOCOL_VERSION);
	if (!err)
		err = xenbus_printf(xbt, xbdev->nodename,
				    VPRIME_XS_MAX_POOL_PAGES, "%u",
				    dev->max_pool_pages);
	if (!err)
		err = xenbus_printf(xbt, xbdev->nodename,
				    VPRIME_XS_FEATURE_CSUM, "%u", 1);
	if (!err)
		err = xenbus_printf(xbt, xbdev->nodename,
				    VPRIME_XS_FEATURE_JUMBO, "%u", 1);
	if (!err)
		err = xenbus_printf(xbt, xbdev->nodename,
				    VPRIME_XS_FEATURE_CONS_EVENT, "%u", 1);
	if (err) {
		xenbus_transaction_end(xbt, 1);
		xenbus_dev_fatal(xbdev, err, "writing features");
		goto err_free;
	}
	err = xenbus_transaction_end(xbt, 0);
	if (err == -EAGAIN)
		goto again;
	if (err) {
		xenbus_dev_fatal(xbdev, err, "ending transaction");
		goto err_free;
	}

	/* Listable by mac/name before the guest connects; re-read then. */
	if (!vpb_read_identity(dev, mac, name)) {
		memcpy(dev->mac, mac, sizeof(mac));
		memcpy(dev->name, name, sizeof(name));
	}

	mutex_lock(&dev->xb_mutex);
	vpb_set_state(dev, XenbusStateInitWait);
	mutex_unlock(&dev->xb_mutex);

	mutex_lock(&vpb_devs_lock);
	list_add_tail(&dev->node, &vpb_devs);
	mutex_unlock(&vpb_devs_lock);
	pr_info("dom%u dev%u: probed, pool up to %u pages\n", dev->domid,
		dev->devid, dev->max_pool_pages);
	return 0;

err_free:
	dev_set_drvdata(&xbdev->dev, NULL);
	vpb_dev_put(dev);
	return err;
}

static void vpb_remove(struct xenbus_device *xbdev)
{
	struct vpb_dev *dev = dev_get_drvdata(&xbdev->dev);

	if (!dev)
		return;
	/* No new attach finds it... */
	mutex_lock(&vpb_devs_lock);
	list_del_init(&dev->node);
	mutex_unlock(&vpb_devs_lock);

	/* ...and an engine holding it sees VPRIME_PORT_GONE. */
	mutex_lock(&dev->xb_mutex);
	spin_lock(&dev->lock);
	dev->removed = true;
	spin_unlock(&dev->lock);
	vpb_disconnect(dev, VPRIME_PORT_GONE);
	dev->xbdev = NULL;
	mutex_unlock(&dev->xb_mutex);
	cancel_work_sync(&dev->fatal_work);

	dev_set_drvdata(&xbdev->dev, NULL);
	pr_info("dom%u dev%u: removed\n", dev->domid, dev->devid);
	vpb_dev_put(dev);
}

static const struct xenbus_device_id vpb_ids[] = {
	{ VPRIME_XS_CLASS },
	{ "" }
};

static struct xenbus_driver vpb_driver = {
	.ids = vpb_ids,
	.probe = vpb_probe,
	.remove = vpb_remove,
	.otherend_changed = vpb_frontend_changed,
};

int vpb_xenbus_init(void)
{
	return xenbus_register_backend(&vpb_driver);
}

void vpb_xenbus_exit(void)
{
	xenbus_unregister_driver(&vpb_driver);
}

/* ---- module ------------------------------------------------------------ */
