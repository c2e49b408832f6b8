// SPDX-License-Identifier: GPL-2.0
/*
 * Multicast notifications on the "events" group.
 *
 * Each event takes the next per-mirror sequence number under
 * m->event_mutex, and is sent before the mutex is dropped.  GET reports
 * the last number under the same mutex, so a listener that subscribes and
 * then reads the state can drop what it has already seen: no duplicate.
 * For the same reason the move to SYNCED happens inside
 * bm_event_complete().  A gap in the numbers is an event that could not
 * be allocated: the listener re-reads the state.
 */
#include <net/genetlink.h>

#include "blkmirror.h"

static struct sk_buff *bm_event_start(struct blkmirror *m, u8 cmd,
				      void **hdr)
{
	struct sk_buff *skb;

	lockdep_assert_held(&m->event_mutex);
	m->event_seq++;
	/*
	 * The copy thread and the degraded work send events while writes
	 * are parked behind the copy: reclaim that waited on I/O could wait
	 * on those writes.  Failing costs the event, never I/O.
	 */
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_NOIO);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &bm_genl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_string(skb, BLKMIRROR_A_NAME, m->name) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_EVENT_SEQ, m->event_seq,
			      BLKMIRROR_A_PAD)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void bm_event_send(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	/* -ESRCH only means nobody listens. */
	genlmsg_multicast(&bm_genl_family, skb, 0, 0, GFP_NOIO);
}

void bm_event_created(struct blkmirror *m)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_CREATED, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_string(skb, BLKMIRROR_A_DISK_NAME,
					     m->disk->disk_name) ||
			      nla_put_u32(skb, BLKMIRROR_A_DEVT,
					  new_encode_dev(disk_devt(m->disk))));
	mutex_unlock(&m->event_mutex);
}

static int bm_put_rates(struct sk_buff *skb, struct blkmirror *m)
{
	return nla_put_u64_64bit(skb, BLKMIRROR_A_MAX_RATE,
				 READ_ONCE(m->max_rate), BLKMIRROR_A_PAD) ||
	       nla_put_u64_64bit(skb, BLKMIRROR_A_MIN_RATE,
				 READ_ONCE(m->min_rate), BLKMIRROR_A_PAD);
}

/* Send PROGRESS if the whole percentage moved, or always with @force. */
void bm_event_progress(struct blkmirror *m, bool force)
{
	struct sk_buff *skb;
	unsigned int pct;
	u64 synced, size;
	bool resyncing;
	void *hdr;

	mutex_lock(&m->event_mutex);
	spin_lock_irq(&m->lock);
	resyncing = m->state == BLKMIRROR_STATE_RESYNCING;
	synced = bm_window_synced_bytes(&m->win);
	size = (u64)m->win.nr_sectors << SECTOR_SHIFT;
	spin_unlock_irq(&m->lock);

	/* 100 is said by COMPLETE alone, after the secondary is flushed. */
	pct = min(bm_percent(synced, size), 99U);
	if (!resyncing || (!force && pct == m->last_percent))
		goto out;
	m->last_percent = pct;
	skb = bm_event_start(m, BLKMIRROR_EVENT_PROGRESS, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_u32(skb, BLKMIRROR_A_PERCENT, pct) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_SYNCED_BYTES,
						synced, BLKMIRROR_A_PAD) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_SIZE, size,
						BLKMIRROR_A_PAD) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_RATE,
						READ_ONCE(m->rate),
						BLKMIRROR_A_PAD) ||
			      bm_put_rates(skb, m) ||
			      nla_put_u8(skb, BLKMIRROR_A_YIELDING,
					 READ_ONCE(m->yielding)));
out:
	mutex_unlock(&m->event_mutex);
}

void bm_event_complete(struct blkmirror *m)
{
	struct sk_buff *skb;
	sector_t first;
	bool complete;
	void *hdr;

	mutex_lock(&m->event_mutex);
	spin_lock_irq(&m->lock);
	complete = m->state == BLKMIRROR_STATE_RESYNCING;
	if (complete) {
		m->state = BLKMIRROR_STATE_SYNCED;
		m->copying = false;
	}
	spin_unlock_irq(&m->lock);
	if (!complete)
		goto out;

	m->last_percent = 100;
	skb = bm_event_start(m, BLKMIRROR_EVENT_COMPLETE, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_u64_64bit(skb, BLKMIRROR_A_SIZE,
						(u64)m->win.nr_sectors <<
						SECTOR_SHIFT,
						BLKMIRROR_A_PAD) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_UNREADABLE_SECTORS,
						bm_unreadable_get(m, &first),
						BLKMIRROR_A_PAD));
out:
	mutex_unlock(&m->event_mutex);
	if (complete)
		bm_uevent(m);
}

void bm_event_degraded(struct blkmirror *m)
{
	enum blkmirror_leg leg;
	struct sk_buff *skb;
	sector_t sector;
	void *hdr;
	int err;

	mutex_lock(&m->event_mutex);
	spin_lock_irq(&m->lock);
	leg = m->fail_leg;
	err = m->fail_errno;
	sector = m->fail_sector;
	spin_unlock_irq(&m->lock);

	skb = bm_event_start(m, BLKMIRROR_EVENT_DEGRADED, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_u32(skb, BLKMIRROR_A_FAIL_LEG, leg) ||
			      nla_put_u32(skb, BLKMIRROR_A_FAIL_ERRNO, err) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_FAIL_SECTOR,
						sector, BLKMIRROR_A_PAD));
	mutex_unlock(&m->event_mutex);
	bm_uevent(m);
}

void bm_event_destroyed(struct blkmirror *m)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_DESTROYED, &hdr);
	if (skb)
		bm_event_send(skb, hdr, 0);
	mutex_unlock(&m->event_mutex);
}

void bm_event_unreadable(struct blkmirror *m, sector_t start, sector_t end)
{
	struct sk_buff *skb;
	sector_t first;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_UNREADABLE, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_u64_64bit(skb, BLKMIRROR_A_RANGE_SECTOR,
						start, BLKMIRROR_A_PAD) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_RANGE_SECTORS,
						end - start, BLKMIRROR_A_PAD) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_UNREADABLE_SECTORS,
						bm_unreadable_get(m, &first),
						BLKMIRROR_A_PAD));
	mutex_unlock(&m->event_mutex);
}

void bm_event_attached(struct blkmirror *m)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_ATTACHED, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_string(skb, BLKMIRROR_A_SECONDARY,
					     m->legs[BM_SECONDARY].path));
	mutex_unlock(&m->event_mutex);
	bm_uevent(m);
}

void bm_event_switched(struct blkmirror *m, const char *old_path, u64 pause_ns)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_SWITCHED, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_string(skb, BLKMIRROR_A_PRIMARY,
					     m->legs[BM_PRIMARY].path) ||
			      nla_put_string(skb, BLKMIRROR_A_OLD_PRIMARY, old_path) ||
			      nla_put_u64_64bit(skb, BLKMIRROR_A_PAUSE_USEC,
						div_u64(pause_ns, NSEC_PER_USEC),
						BLKMIRROR_A_PAD));
	mutex_unlock(&m->event_mutex);
	bm_uevent(m);
}

void bm_event_detached(struct blkmirror *m, const char *path, bool consistent)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_DETACHED, &hdr);
	if (skb)
		bm_event_send(skb, hdr,
			      nla_put_string(skb, BLKMIRROR_A_DETACHED_LEG, path) ||
			      nla_put_u8(skb, BLKMIRROR_A_CONSISTENT, consistent));
	mutex_unlock(&m->event_mutex);
	bm_uevent(m);
}

/* SET changed the limits; they are in force from the copy's next step. */
void bm_event_changed(struct blkmirror *m)
{
	struct sk_buff *skb;
	void *hdr;

	mutex_lock(&m->event_mutex);
	skb = bm_event_start(m, BLKMIRROR_EVENT_CHANGED, &hdr);
	if (skb)
		bm_event_send(skb, hdr, bm_put_rates(skb, m));
	mutex_unlock(&m->event_mutex);
}
