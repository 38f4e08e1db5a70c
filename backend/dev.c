// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dev.c - /dev/vprime, the engine's side (common/vprime_abi.h): an mmap'd
 * area of rings and buffers per open file, devices attached as ports, one
 * SYNC ioctl per batch moving frames with the common/ data path, poll()
 * for wake-ups.
 *
 * Locking: vpb_file.lock serializes one engine's ioctls and poll; each
 * port's device is used under its vpb_dev.lock, and only while dev->live
 * (guest memory mapped).  No user copy happens under either lock (mmap
 * takes no lock at all: vf->area is published once by SETUP), so there is
 * no mmap_lock inversion.
 */
#include <linux/etherdevice.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/version.h>
#include <xen/events.h>

#include "common.h"
#include "vp_hist.h"

#define VP_LIST_MAX	4096u	/* entries one LIST call fills at most */

atomic_t vpb_nr_areas = ATOMIC_INIT(0);
atomic_t vpb_nr_files = ATOMIC_INIT(0);

void vpb_file_wake(struct vpb_file *vf, bool state_changed)
{
	if (state_changed)
		atomic_set(&vf->state_changed, 1);
	wake_up_interruptible(&vf->wq);
}

/* hrtimer_init() is deprecated from 6.13 on, for hrtimer_setup(). */
static void vpb_hrtimer_setup(struct hrtimer *t,
			     enum hrtimer_restart (*fn)(struct hrtimer *))
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(t, fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
#else
	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	t->function = fn;
#endif
}

/* vm_flags became read-only behind helpers in 6.3. */
static void vpb_vma_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

static enum hrtimer_restart vpb_timer_fn(struct hrtimer *t)
{
	struct vpb_file *vf = container_of(t, struct vpb_file, timer);

	wake_up_interruptible(&vf->wq);
	return HRTIMER_NORESTART;
}

/* SETUP publishes the area with a release; readers pair with acquire. */
static void *vpb_file_area(struct vpb_file *vf)
{
	return smp_load_acquire(&vf->area);
}

/* ---- ports ------------------------------------------------------------ */

/*
 * Give the port up: carrier off, the engine's queued TX buffers back on
 * the completion ring (as tx_drop_gone), the frames it had not taken off
 * its RX ring counted (engine_lost), the port FREE.  vf->lock held.
 */
static void vpb_port_detach(struct vpb_file *vf, u32 port)
{
	struct vpb_fport *fp = &vf->ports[port];
	struct vpb_dev *dev = fp->dev;
	struct vp_sync_res res;

	spin_lock(&dev->lock);
	vpb_dev_set_carrier(dev, false);
	vp_sync_to_guest(NULL, &vf->eng, &fp->ep, vf->hdr.ring_size, 0,
			 dev->stats, &res);
	vp_engine_lost(&vf->eng, &fp->ep, dev->stats);
	WRITE_ONCE(fp->ep.info->state, VPRIME_PORT_FREE);
	rcu_assign_pointer(dev->owner, NULL);
	spin_unlock(&dev->lock);
	fp->dev = NULL;
	vpb_dev_put(dev);
}

static bool vpb_dev_matches(const struct vpb_dev *dev,
			   const struct vprime_attach *a)
{
	switch (a->by) {
	case VPRIME_ATTACH_BY_ID:
		return dev->domid == a->domid && dev->devid == a->devid;
	case VPRIME_ATTACH_BY_NAME:
		return a->name[0] && !strncmp(dev->name, a->name,
					      VPRIME_NAME_LEN);
	case VPRIME_ATTACH_BY_MAC:
		/* a->mac is unicast and not zero; a device without one never
		 * matches (dom0 gave it none) */
		return !memcmp(dev->mac, a->mac, sizeof(dev->mac));
	default:
		return false;
	}
}

static void vpb_port_info_fill(struct vpb_dev *dev, struct vprime_port_info *pi)
{
	WRITE_ONCE(pi->domid, dev->domid);
	WRITE_ONCE(pi->devid, dev->devid);
	WRITE_ONCE(pi->mtu, dev->mtu ? dev->mtu : 1500);
	memcpy(pi->mac, dev->mac, sizeof(pi->mac));
	memcpy(pi->name, dev->name, sizeof(pi->name));
	WRITE_ONCE(pi->state, dev->live ? VPRIME_PORT_ATTACHED :
					  VPRIME_PORT_DOWN);
}

static long vpb_ioc_attach(struct vpb_file *vf, void __user *uarg)
{
	struct vprime_attach a;
	struct vpb_dev *dev, *found = NULL;
	u32 port;
	long err;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.by > VPRIME_ATTACH_BY_MAC ||
	    (a.by == VPRIME_ATTACH_BY_NAME &&
	     strnlen(a.name, VPRIME_NAME_LEN) == VPRIME_NAME_LEN) ||
	    (a.by == VPRIME_ATTACH_BY_MAC && !is_valid_ether_addr(a.mac)))
		return -EINVAL;

	mutex_lock(&vf->lock);
	err = -ENXIO;
	if (!vf->area)
		goto out_unlock;
	for (port = 0; port < vf->hdr.max_ports; port++)
		if (!vf->ports[port].dev)
			break;
	err = -ENOSPC;
	if (port == vf->hdr.max_ports)
		goto out_unlock;

	mutex_lock(&vpb_devs_lock);
	list_for_each_entry(dev, &vpb_devs, node) {
		if (vpb_dev_matches(dev, &a)) {
			found = dev;
			break;
		}
	}
	err = -ENODEV;
	if (found) {
		struct vpb_fport *fp = &vf->ports[port];

		spin_lock(&found->lock);
		if (found->removed) {
			err = -ENODEV;
		} else if (rcu_access_pointer(found->owner)) {
			err = -EBUSY;
		} else {
			vp_eport_init(&fp->ep, &vf->eng, port);
			vpb_port_info_fill(found, fp->ep.info);
			kref_get(&found->ref);
			fp->dev = found;
			found->port = port;
			rcu_assign_pointer(found->owner, vf);
			vpb_dev_set_carrier(found, true);
			err = 0;
		}
		spin_unlock(&found->lock);
	}
	mutex_unlock(&vpb_devs_lock);
out_unlock:
	mutex_unlock(&vf->lock);
	if (err)
		return err;
	a.port = port;
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

static long vpb_ioc_detach(struct vpb_file *vf, u32 __user *uarg)
{
	u32 port;
	long err = -EINVAL;

	if (get_user(port, uarg))
		return -EFAULT;
	mutex_lock(&vf->lock);
	if (vf->area && port < vf->hdr.max_ports && vf->ports[port].dev) {
		vpb_port_detach(vf, port);
		err = 0;
	}
	mutex_unlock(&vf->lock);
	return err;
}

/* ---- setup, list, stats ------------------------------------------------ */

static long vpb_ioc_setup(struct vpb_file *vf, void __user *uarg)
{
	struct vprime_area_hdr hdr;
	struct vprime_setup s;
	struct vpb_fport *ports;
	void *area;
	long err;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	err = vp_area_layout(&s, &hdr);
	if (err)
		return err;

	mutex_lock(&vf->lock);
	err = -EBUSY;
	if (vf->area)
		goto err_unlock;
	err = -ENOMEM;
	ports = kvcalloc(hdr.max_ports, sizeof(*ports), GFP_KERNEL);
	if (!ports)
		goto err_unlock;
	area = vmalloc_user(hdr.area_size);	/* zeroed: ports start FREE */
	if (!area)
		goto err_ports;
	memcpy(area, &hdr, sizeof(hdr));
	vf->hdr = hdr;
	vp_engine_init(&vf->eng, area, &hdr);
	vf->ports = ports;
	smp_store_release(&vf->area, area);
	atomic_inc(&vpb_nr_areas);
	mutex_unlock(&vf->lock);

	s.area_size = hdr.area_size;
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return 0;

err_ports:
	kvfree(ports);
err_unlock:
	mutex_unlock(&vf->lock);
	return err;
}

static long vpb_ioc_list(void __user *uarg)
{
	struct vprime_devinfo *arr = NULL;
	struct vprime_list l;
	struct vpb_dev *dev;
	u32 count = 0, n = 0;
	long err = 0;

	if (copy_from_user(&l, uarg, sizeof(l)))
		return -EFAULT;

	mutex_lock(&vpb_devs_lock);
	list_for_each_entry(dev, &vpb_devs, node)
		count++;
	if (min3(l.capacity, count, VP_LIST_MAX)) {
		arr = kvcalloc(min3(l.capacity, count, VP_LIST_MAX),
			       sizeof(*arr), GFP_KERNEL);
		if (!arr)
			err = -ENOMEM;
	}
	list_for_each_entry(dev, &vpb_devs, node) {
		struct vprime_devinfo *di;

		if (!arr || n == min3(l.capacity, count, VP_LIST_MAX))
			break;
		di = &arr[n++];
		spin_lock(&dev->lock);
		di->domid = dev->domid;
		di->devid = dev->devid;
		di->flags = (dev->live ? VPRIME_DEV_F_CONNECTED : 0) |
			    (rcu_access_pointer(dev->owner) ?
				     VPRIME_DEV_F_ATTACHED : 0);
		di->mtu = dev->mtu ? dev->mtu : 1500;
		memcpy(di->mac, dev->mac, sizeof(di->mac));
		memcpy(di->name, dev->name, sizeof(di->name));
		spin_unlock(&dev->lock);
	}
	mutex_unlock(&vpb_devs_lock);
	if (err)
		return err;

	if (n && copy_to_user(u64_to_user_ptr(l.entries), arr,
			      (size_t)n * sizeof(*arr)))
		err = -EFAULT;
	kvfree(arr);
	if (err)
		return err;
	l.count = count;
	if (copy_to_user(uarg, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

static long vpb_ioc_stats(struct vpb_file *vf, void __user *uarg)
{
	struct vprime_stats *st;
	struct vpb_dev *dev;
	long err = -EINVAL;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	if (get_user(st->port, (u32 __user *)uarg)) {
		err = -EFAULT;
		goto out;
	}
	mutex_lock(&vf->lock);
	if (vf->area && st->port < vf->hdr.max_ports) {
		dev = vf->ports[st->port].dev;
		if (dev) {
			spin_lock(&dev->lock);
			memcpy(st->val, dev->stats, sizeof(dev->stats));
			spin_unlock(&dev->lock);
			st->val[VPRIME_STAT_guest_events] +=
				atomic64_read(&dev->ev_count);
			st->val[VPRIME_STAT_guest_events_limited] +=
				atomic64_read(&dev->ev_limited);
			st->count = VPRIME_STAT_MAX;
			err = 0;
		}
	}
	mutex_unlock(&vf->lock);
	if (!err && copy_to_user(uarg, st, sizeof(*st)))
		err = -EFAULT;
out:
	kfree(st);
	return err;
}

/* ---- sync --------------------------------------------------------------- */

/*
 * The engine reached the port: if a guest event was waiting and this pass
 * moved frames, count the event's wait in lat_wake.  The stamp is taken
 * either way, so an event whose work needed no frame moved (a FILL post
 * with nothing to deliver) does not inflate a later sample.  dev->lock
 * held; the irq handler only sets the stamp.
 */
static void vpb_dev_wake_count(struct vpb_dev *dev, bool moved)
{
	u64 stamp = xchg(&dev->ev_stamp, 0);
	u64 now;

	if (!stamp || !moved)
		return;
	now = ktime_get_ns();
	vp_hist_add_n(dev->lat_wake, now > stamp ? now - stamp : 0, 1);
}

/* One port, both directions; dev->lock held. */
static void vpb_sync_port(struct vpb_file *vf, struct vpb_fport *fp, u32 flags,
			 struct vprime_sync *out)
{
	struct vpb_dev *dev = fp->dev;
	struct vp_guest *g = dev->live ? &dev->guest : NULL;
	u32 budget = max(vpb_sync_budget, 1u);
	u32 moved0 = out->rx_frames + out->tx_frames;
	struct vp_sync_res res;
	bool notify = false, more = false;

	if (g && (flags & VPRIME_SYNC_RX)) {
		vp_sync_from_guest(g, &vf->eng, &fp->ep, budget,
				   ktime_get_ns(), &res);
		out->rx_frames += res.frames;
		notify |= res.notify_guest;
		more |= res.more;
	}
	if (flags & VPRIME_SYNC_TX) {
		vp_sync_to_guest(g, &vf->eng, &fp->ep, budget, ktime_get_ns(),
				 dev->stats, &res);
		out->tx_frames += res.frames;
		notify |= res.notify_guest;
		more |= res.more;
	}
	if (!g)
		goto out;
	vpb_dev_wake_count(dev, out->rx_frames + out->tx_frames != moved0);
	if (g->broken) {
		schedule_work(&dev->fatal_work);
		goto out;
	}
	if (notify) {
		notify_remote_via_irq(dev->irq);
		dev->stats[VPRIME_STAT_notify_guest]++;
	}
out:
	if (more)
		out->pending++;
}

static long vpb_ioc_sync(struct vpb_file *vf, void __user *uarg)
{
	struct vprime_sync s;
	u32 i, flags;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (s.flags & ~(VPRIME_SYNC_RX | VPRIME_SYNC_TX))
		return -EINVAL;
	flags = s.flags;
	if (!flags)
		flags = VPRIME_SYNC_RX | VPRIME_SYNC_TX;
	s.rx_frames = 0;
	s.tx_frames = 0;
	s.pending = 0;

	mutex_lock(&vf->lock);
	if (!vf->area) {
		mutex_unlock(&vf->lock);
		return -ENXIO;
	}
	atomic_set(&vf->state_changed, 0);
	for (i = 0; i < vf->hdr.max_ports; i++) {
		struct vpb_fport *fp = &vf->ports[i];

		if (!fp->dev)
			continue;
		spin_lock(&fp->dev->lock);
		vpb_sync_port(vf, fp, flags, &s);
		spin_unlock(&fp->dev->lock);
		/* up to 256 ports of copying: let others run between them */
		cond_resched();
	}
	mutex_unlock(&vf->lock);
	if (copy_to_user(uarg, &s, sizeof(s)))
		return -EFAULT;
	return 0;
}

/* ---- poll ---------------------------------------------------------------- */

/*
 * EPOLLIN if any port has work: would a sync move anything
 * (common/vp_sync.c vp_port_ready())?  A stall whose blocker has not
 * moved is not work; the time it should be looked at again lowers
 * *next_due.  @arm: ask the guests for events first.  dev locks taken one
 * at a time.
 */
static __poll_t vpb_poll_ports(struct vpb_file *vf, u64 now, u64 *next_due,
			      bool arm)
{
	u32 i;

	for (i = 0; i < vf->hdr.max_ports; i++) {
		struct vpb_fport *fp = &vf->ports[i];
		bool ready;

		if (!fp->dev)
			continue;
		spin_lock(&fp->dev->lock);
		ready = vp_port_poll(fp->dev->live ? &fp->dev->guest : NULL,
				     &vf->eng, &fp->ep, now, next_due, arm);
		spin_unlock(&fp->dev->lock);
		if (ready)
			return EPOLLIN | EPOLLRDNORM;
	}
	return 0;
}

/*
 * Will anyone sleep on vf->wq after this poll?  The caller, if it queued
 * itself (a poll_table with a _qproc: poll_does_not_wait() is false); or a
 * waiter already queued: a poll() or select() looking again after a
 * wake-up (its entry stays queued until it returns, and its table's _qproc
 * is NULL by then), an epoll that registered this file, another thread.
 * Nobody, in a zero-timeout poll of a lone engine: then the guests' event
 * requests and the timer would wake no one, and are not set up.  A poller
 * that will sleep queues itself before it takes vf->lock: it is either
 * seen here or arms in its own call, after this one.
 */
static bool vpb_poll_will_sleep(struct vpb_file *vf, poll_table *pt)
{
	return !poll_does_not_wait(pt) || waitqueue_active(&vf->wq);
}

static __poll_t vpb_poll(struct file *file, poll_table *pt)
{
	struct vpb_file *vf = file->private_data;
	u64 now, next_due = U64_MAX;
	__poll_t mask = 0;

	poll_wait(file, &vf->wq, pt);
	mutex_lock(&vf->lock);
	if (!vf->area) {
		mutex_unlock(&vf->lock);
		return EPOLLERR;
	}
	if (atomic_read(&vf->state_changed))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLPRI;
	else if (READ_ONCE(vf->eng.comp_idx->cons) != vf->eng.comp_prod)
		mask |= EPOLLIN | EPOLLRDNORM;	/* completions to reap */
	now = ktime_get_ns();
	if (!mask)
		mask = vpb_poll_ports(vf, now, &next_due, false);
	/*
	 * About to sleep: only now ask guests for events (need_wakeup), then
	 * look again, for what arrived before the guests saw the request.
	 * A poll nobody sleeps after neither arms nor starts the timer.
	 */
	if (!mask && vpb_poll_will_sleep(vf, pt)) {
		mask = vpb_poll_ports(vf, now, &next_due, true);
		if (!mask && next_due != U64_MAX)
			hrtimer_start(&vf->timer, ns_to_ktime(next_due),
				      HRTIMER_MODE_ABS);
	}
	mutex_unlock(&vf->lock);
	return mask;
}

/* ---- file ---------------------------------------------------------------- */

static long vpb_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vpb_file *vf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VPRIME_IOC_VERSION:
		return put_user((u32)VPRIME_ABI_VERSION, (u32 __user *)uarg);
	case VPRIME_IOC_SETUP:
		return vpb_ioc_setup(vf, uarg);
	case VPRIME_IOC_LIST:
		return vpb_ioc_list(uarg);
	case VPRIME_IOC_ATTACH:
		return vpb_ioc_attach(vf, uarg);
	case VPRIME_IOC_DETACH:
		return vpb_ioc_detach(vf, uarg);
	case VPRIME_IOC_SYNC:
		return vpb_ioc_sync(vf, uarg);
	case VPRIME_IOC_STATS:
		return vpb_ioc_stats(vf, uarg);
	default:
		return -ENOTTY;
	}
}

static int vpb_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vpb_file *vf = file->private_data;
	void *area = vpb_file_area(vf);
	unsigned long size = vma->vm_end - vma->vm_start;

	if (!area)
		return -EINVAL;
	if (vma->vm_pgoff || size > PAGE_ALIGN(vf->hdr.area_size))
		return -EINVAL;
	/*
	 * The rings are shared with the kernel: a private (copy-on-write)
	 * mapping would silently stop seeing them once written.  Nothing in
	 * the area is code.
	 */
	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	vpb_vma_flags_clear(vma, VM_MAYEXEC);
	return remap_vmalloc_range(vma, area, 0);
}

static int vpb_open(struct inode *inode, struct file *file)
{
	struct vpb_file *vf;

	/* An engine reads and writes every guest's traffic: beyond the
	 * file mode, it must hold CAP_NET_ADMIN. */
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	vf = kzalloc(sizeof(*vf), GFP_KERNEL);
	if (!vf)
		return -ENOMEM;
	mutex_init(&vf->lock);
	init_waitqueue_head(&vf->wq);
	vpb_hrtimer_setup(&vf->timer, vpb_timer_fn);
	file->private_data = vf;
	atomic_inc(&vpb_nr_files);
	return nonseekable_open(inode, file);
}

/* The engine is gone (closed or killed): guests lose carrier. */
static int vpb_release(struct inode *inode, struct file *file)
{
	struct vpb_file *vf = file->private_data;
	u32 i;

	mutex_lock(&vf->lock);
	for (i = 0; vf->area && i < vf->hdr.max_ports; i++)
		if (vf->ports[i].dev)
			vpb_port_detach(vf, i);
	mutex_unlock(&vf->lock);
	hrtimer_cancel(&vf->timer);
	synchronize_rcu();	/* an irq handler may still look at vf */
	if (vf->area) {
		vfree(vf->area);
		atomic_dec(&vpb_nr_areas);
	}
	kvfree(vf->ports);
	kfree(vf);
	atomic_dec(&vpb_nr_files);
	return 0;
}

static const struct file_operations vpb_fops = {
	.owner = THIS_MODULE,
	.open = vpb_open,
	.release = vpb_release,
	.unlocked_ioctl = vpb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = vpb_mmap,
	.poll = vpb_poll,
	/* not seekable: nonseekable_open() at open (no_llseek is gone) */
};

static struct miscdevice vpb_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = VPRIME_DEV_NAME,
	.fops = &vpb_fops,
	.mode = 0600,
};

int vpb_chardev_init(void)
{
	return misc_register(&vpb_misc);
}

void vpb_chardev_exit(void)
{
	misc_deregister(&vpb_misc);
}
