// SPDX-License-Identifier: GPL-2.0
/*
 * Online migration: the legs of a mirror change while its disk stays in
 * use.  A mirror lives its whole life with one leg (state SINGLE, a
 * pass-through) except while it moves: attach gives it a secondary and
 * starts the copy; switch, once in sync, makes the secondary its only leg
 * and lets the old primary go; detach drops the secondary instead.  The
 * disk, its size and its block size never change, so a mounted
 * filesystem carries on across all three.
 *
 * The *_begin() parts check and claim the mirror under bm_ctl_mutex
 * (m->busy); the parts that wait for legs run on bm_wq (see netlink.c),
 * so that a leg that stops answering holds up only its own command.
 */
#include <linux/blkdev.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "blkmirror.h"
#include "compat.h"
#include "validate.h"

/*
 * How long a switch waits for I/O in flight, and then for the flush of
 * the new primary, before it gives up, unchanged: I/O is held meanwhile.
 * A detach's flush gets as long; the leg is then not a consistent copy.
 */
#define BM_SWITCH_DRAIN_TIMEOUT		(15 * HZ)
#define BM_FLUSH_TIMEOUT		(15 * HZ)

static enum blkmirror_state bm_state(struct blkmirror *m)
{
	enum blkmirror_state state;

	spin_lock_irq(&m->lock);
	state = m->state;
	spin_unlock_irq(&m->lock);
	return state;
}

static int bm_claim_mirror(struct blkmirror *m, const char *what,
			   struct netlink_ext_ack *extack)
{
	if (bm_busy(m, extack))
		return -EBUSY;
	m->busy = what;
	return 0;
}

/* ---------------- Attach ---------------- */

int bm_attach(struct blkmirror *m, const struct bm_attach_args *args,
	      struct netlink_ext_ack *extack)
{
	struct bm_leg *p = &m->legs[BM_PRIMARY], *s = &m->legs[BM_SECONDARY];
	u32 region_bytes = args->have_region ? args->region_bytes :
					       m->region_bytes;
	struct bm_window win;
	u32 old_region;
	u64 old_rate, old_min_rate;
	bool was_stable;
	dev_t devt;
	int ret;

	if (bm_busy(m, extack))
		return -EBUSY;
	if (s->bdev) {
		bm_extack(extack, "mirror %s already has a secondary, %s; detach it first",
			  m->name, s->path);
		return -EBUSY;
	}
	if (!bm_region_size_valid(region_bytes)) {
		bm_extack(extack, "region size %u is not a power of two in [%u, %u]",
			  region_bytes, BLKMIRROR_REGION_MIN, BLKMIRROR_REGION_MAX);
		return -EINVAL;
	}
	ret = bm_lookup_leg(BM_SECONDARY, args->path, &devt, extack) ?:
	      bm_check_pair(p->devt, p->path, devt, args->path, extack);
	if (ret)
		return ret;
	/* Neither this mirror nor one stacked on it can become its leg. */
	if (devt == disk_devt(m->disk) ||
	    bm_stacked_on(devt, disk_devt(m->disk))) {
		bm_extack(extack, "secondary %s is mirror %s or stacked on it",
			  args->path, m->name);
		return -EINVAL;
	}

	ret = bm_open_leg(m, BM_SECONDARY, args->path, extack) ?:
	      bm_check_secondary(m, queue_logical_block_size(m->disk->queue),
				 extack);
	if (ret)
		goto close;
	if (bdev_write_zeroes_sectors(m->disk->part0) &&
	    !bdev_write_zeroes_sectors(s->bdev)) {
		bm_extack(extack,
			  "secondary %s has no write-zeroes, which mirror %s offers its users",
			  s->path, m->name);
		ret = -EINVAL;
		goto close;
	}
	ret = bm_window_init(&win, get_capacity(m->disk), region_bytes);
	if (ret)
		goto close;
	ret = bd_link_disk_holder(s->bdev, m->disk);
	if (ret)
		goto close;

	/*
	 * A secondary that checksums data in flight needs stable pages.  The
	 * flag reaches whoever opens the mirror from now on; a filesystem
	 * mounted already decided at mount, as on a dm device whose new
	 * table needs them, so say so.  Before the region and the rates
	 * change: a refusal here leaves them as they were, as it says.
	 */
	was_stable = bdev_stable_writes(m->disk->part0);
	ret = bm_disk_stack_flags(m->disk, p->bdev, s->bdev);
	if (ret) {
		bm_extack(extack,
			  "mirror %s: the queue features of %s were not taken (error %d); nothing changed",
			  m->name, s->path, ret);
		goto unlink;
	}
	if (!was_stable && bdev_stable_writes(m->disk->part0) &&
	    disk_openers(m->disk))
		pr_warn("blkmirror: %s: secondary %s needs stable pages; who has %s open already (a mounted filesystem) writes without them until it opens it again\n",
			m->name, s->path, m->disk->disk_name);
	/* The copy is sized by the region; a failed start leaves them as they were. */
	old_region = m->region_bytes;
	old_rate = READ_ONCE(m->max_rate);
	old_min_rate = READ_ONCE(m->min_rate);
	m->region_bytes = region_bytes;
	if (args->have_rate) {
		WRITE_ONCE(m->max_rate, args->max_rate);
		WRITE_ONCE(m->min_rate, args->min_rate);
	}
	ret = bm_resync_start(m);
	if (ret) {
		m->region_bytes = old_region;
		WRITE_ONCE(m->max_rate, old_rate);
		WRITE_ONCE(m->min_rate, old_min_rate);
		bm_disk_stack_flags(m->disk, p->bdev, p->bdev);
		goto unlink;
	}

	/*
	 * From here writes are routed by the window.  Those still in flight
	 * from the single-leg days were counted as ahead of the copy (see
	 * bm_route_locked()): the copy's first claim waits for them.
	 */
	bm_unreadable_reset(m);
	spin_lock_irq(&m->lock);
	m->win = win;
	m->state = BLKMIRROR_STATE_RESYNCING;
	m->sec_failed = false;
	m->fail_leg = BLKMIRROR_LEG_NONE;
	m->fail_errno = 0;
	m->fail_sector = 0;
	spin_unlock_irq(&m->lock);
	mutex_lock(&m->event_mutex);
	m->last_percent = 0;
	mutex_unlock(&m->event_mutex);

	pr_info("blkmirror: %s: attached secondary %s; copying from %s\n",
		m->name, s->path, p->path);
	bm_event_attached(m);
	bm_event_progress(m, true);
	bm_resync_run(m);
	return 0;

unlink:
	bd_unlink_disk_holder(s->bdev, m->disk);
close:
	bm_close_leg(m, BM_SECONDARY);
	/* An allocation that failed says nothing of its own. */
	if (extack && !extack->_msg)
		bm_extack(extack, "mirror %s: attaching %s failed (error %d); nothing changed",
			  m->name, args->path, ret);
	return ret;
}

/*
 * Let the secondary go once no I/O is left on it (a flush given up on
 * may still be in flight; nothing else is sent to it): unlink, take it
 * out of the mirror under bm_ctl_mutex (GET reads the legs under it),
 * close it outside.  What the copy could not read was about it, so that goes too.
 * Returns its path for the reply and the event: the leg's own, handed
 * over, so that a switch or detach that has happened cannot fail to say
 * which leg went.
 */
static char *bm_drop_secondary(struct blkmirror *m)
{
	struct bm_leg *s = &m->legs[BM_SECONDARY];
	struct bm_leg old;
	char *path;

	wait_event(m->sec_wq, !atomic_read(&m->sec_inflight));
	bd_unlink_disk_holder(s->bdev, m->disk);
	mutex_lock(&bm_ctl_mutex);
	old = *s;
	memset(s, 0, sizeof(*s));
	mutex_unlock(&bm_ctl_mutex);
	path = old.path;
	old.path = NULL;
	bm_release_leg(&old);
	bm_unreadable_reset(m);
	return path;
}

/* The mirror has one leg left: it is what that leg is (stable pages, rotational). */
static void bm_restack_features(struct blkmirror *m)
{
	struct block_device *p = m->legs[BM_PRIMARY].bdev;
	int ret;

	ret = bm_disk_stack_flags(m->disk, p, p);
	if (ret)
		pr_warn("blkmirror: %s: the queue features of %s were not taken (error %d); the old ones stay\n",
			m->name, m->legs[BM_PRIMARY].path, ret);
}

/* ---------------- Switch ---------------- */

/*
 * After a switch the transfer and discard limits are the new primary's,
 * the only leg left: smaller I/O for a leg that takes less (it would
 * split it anyway), no discard advertised for a leg that has none.  What
 * stays: the logical block size (an open disk's cannot change; attach
 * refused a larger one), and write-zeroes, never raised, since attach
 * demands it of a secondary only while the mirror offers it.  I/O is
 * held and drained.  On failure the old limits stay; the legs split
 * what they cannot take and refuse what they lack, as before.
 */
static void bm_restack_limits(struct blkmirror *m)
{
	struct request_queue *q = m->disk->queue;
	struct block_device *p = m->legs[BM_PRIMARY].bdev;
	struct queue_limits lim, leg;
	int ret;

	blk_set_stacking_limits(&leg);
	/* At the partition's start, as at create. */
	blk_stack_limits(&leg, &bdev_get_queue(p)->limits, get_start_sect(p));

	bm_limits_start(q, &lim);
	lim.max_hw_sectors = leg.max_hw_sectors;
	lim.max_sectors = leg.max_sectors;
	lim.max_segments = leg.max_segments;
	lim.max_segment_size = leg.max_segment_size;
	lim.physical_block_size = max(leg.physical_block_size,
				      lim.logical_block_size);
	lim.io_min = max(leg.io_min, lim.physical_block_size);
	lim.io_opt = leg.io_opt;
	lim.alignment_offset = leg.alignment_offset;
	lim.dma_alignment = max(leg.dma_alignment, lim.dma_alignment);
	lim.max_write_zeroes_sectors = min(lim.max_write_zeroes_sectors,
					   leg.max_write_zeroes_sectors);
	lim.max_discard_sectors = bdev_max_discard_sectors(p);
	lim.max_hw_discard_sectors = bdev_max_discard_sectors(p);
	lim.max_discard_segments = leg.max_discard_segments;
	lim.discard_granularity = bdev_get_queue(p)->limits.discard_granularity;
	if (!lim.discard_granularity && lim.max_discard_sectors)
		lim.discard_granularity = lim.logical_block_size;
	lim.discard_alignment = leg.discard_alignment;
	/* One commit for limits and features: a refusal leaves neither half-done. */
	bm_limits_stack_features(&lim, p, p);
	ret = bm_limits_commit(q, &lim);
	if (ret) {
		pr_warn("blkmirror: %s: the limits and queue features of %s were not taken (error %d); the old ones stay\n",
			m->name, m->legs[BM_PRIMARY].path, ret);
		return;
	}
	/* Before 6.11 the features are queue flags, set apart. */
	bm_restack_features(m);
}

int bm_switch_begin(struct blkmirror *m, bool force,
		    struct netlink_ext_ack *extack)
{
	enum blkmirror_state state = bm_state(m);
	sector_t first;
	u64 bad;

	if (state != BLKMIRROR_STATE_SYNCED) {
		if (state == BLKMIRROR_STATE_SINGLE)
			bm_extack(extack, "mirror %s has one leg; attach a secondary first",
				  m->name);
		else
			bm_extack(extack, "mirror %s is %s; switch needs it in sync",
				  m->name, bm_state_name(state));
		return state == BLKMIRROR_STATE_SINGLE ? -EINVAL : -EBUSY;
	}
	/* The drain would wait for it, with every user's I/O held, in vain. */
	if (READ_ONCE(m->repairs_stuck)) {
		bm_extack(extack,
			  "mirror %s: a read repair's I/O, given up on, is still outstanding; switch once it has landed",
			  m->name);
		return -EBUSY;
	}
	bad = bm_unreadable_get(m, &first);
	if (bad && !force) {
		bm_extack(extack,
			  "mirror %s: the copy could not read %llu sectors of primary %s (from sector %llu); the secondary has no copy of them; force switches anyway",
			  m->name, bad, m->legs[BM_PRIMARY].path,
			  (unsigned long long)first);
		return -EBUSY;
	}
	return bm_claim_mirror(m, "switch", extack);
}

/*
 * Hold new I/O, let what is in flight land and make it durable on the
 * secondary.  On failure I/O goes on again.
 */
static int bm_switch_quiesce(struct blkmirror *m)
{
	int ret;

	bm_suspend(m);
	ret = bm_drain(m, 0, BM_SWITCH_DRAIN_TIMEOUT);
	/* Everything acknowledged so far must be durable on the new primary. */
	if (!ret)
		ret = bm_flush_leg(m, BM_SECONDARY, BM_FLUSH_TIMEOUT);
	if (!ret && bm_state(m) != BLKMIRROR_STATE_SYNCED)
		ret = -EIO;	/* the secondary failed meanwhile */
	if (ret)
		bm_resume(m);
	return ret;
}

/*
 * Quiesce, drain, flush the secondary, swap, resume.  The pause a writer
 * sees is what the legs take to finish what is in flight plus one flush.
 * On failure nothing has changed.  *@old_path is the released leg's.
 */
int bm_switch_finish(struct blkmirror *m, char **old_path, u64 *pause_ns)
{
	struct bm_leg *p = &m->legs[BM_PRIMARY], *s = &m->legs[BM_SECONDARY];
	struct bm_leg old;
	u64 start;
	int ret;

	/* A read repair may have I/O suspended: wait for it to be done. */
	mutex_lock(&m->quiesce_mutex);
	for (;;) {
		start = ktime_get_ns();
		ret = bm_switch_quiesce(m);
		if (ret) {
			mutex_unlock(&m->quiesce_mutex);
			pr_warn("blkmirror: %s: switch to %s failed (error %d); nothing changed\n",
				m->name, s->path, ret);
			return ret;
		}
		/*
		 * GET reads the legs under bm_ctl_mutex: they change under
		 * it.  Its holder may wait for I/O of ours that we hold (a
		 * create or attach looking up a path on the filesystem this
		 * mirror carries): never wait for it with I/O held.  Let the
		 * I/O go, let the holder finish, and quiesce again.
		 */
		if (mutex_trylock(&bm_ctl_mutex))
			break;
		bm_resume(m);
		mutex_lock(&bm_ctl_mutex);
		mutex_unlock(&bm_ctl_mutex);
	}
	spin_lock_irq(&m->lock);
	old = *p;
	*p = *s;
	*s = old;
	m->state = BLKMIRROR_STATE_SINGLE;
	m->copying = false;
	spin_unlock_irq(&m->lock);
	mutex_unlock(&bm_ctl_mutex);
	bm_restack_limits(m);
	bm_resume(m);
	mutex_unlock(&m->quiesce_mutex);
	*pause_ns = ktime_get_ns() - start;

	/* The copy thread ended with COMPLETE; free what it kept. */
	bm_resync_stop(m);
	/* Whoever takes the old primary next finds what we wrote on it. */
	bm_flush_leg(m, BM_SECONDARY, BM_FLUSH_TIMEOUT);
	*old_path = bm_drop_secondary(m);
	pr_info("blkmirror: %s: switched to %s; released %s (I/O held %llu us)\n",
		m->name, p->path, *old_path ?: "?", div_u64(*pause_ns, NSEC_PER_USEC));
	bm_event_switched(m, *old_path ?: "", *pause_ns);
	return 0;
}

/* ---------------- Detach ---------------- */

int bm_detach_begin(struct blkmirror *m, bool force, bool *consistent,
		    struct netlink_ext_ack *extack)
{
	enum blkmirror_state state = bm_state(m);
	sector_t first;

	if (state == BLKMIRROR_STATE_SINGLE) {
		bm_extack(extack, "mirror %s has one leg; there is no secondary to detach",
			  m->name);
		return -EINVAL;
	}
	if (state != BLKMIRROR_STATE_SYNCED && !force) {
		bm_extack(extack,
			  "mirror %s is %s: the secondary %s is not a copy yet; force detaches it anyway",
			  m->name, bm_state_name(state),
			  m->legs[BM_SECONDARY].path);
		return -EBUSY;
	}
	*consistent = state == BLKMIRROR_STATE_SYNCED &&
		      !bm_unreadable_get(m, &first);
	return bm_claim_mirror(m, "detach", extack);
}

/*
 * Stop the copy, send nothing more to the secondary, let what is on its
 * way there land, flush it and let it go.  *@consistent comes in as what
 * the state promised and goes out as what the flush kept of it.
 */
void bm_detach_finish(struct blkmirror *m, char **path, bool *consistent)
{
	/*
	 * Single first: new writes go to the primary alone, counted as ahead
	 * of a copy for the next attach, and the copy stops at its next
	 * chunk.  Then wait for the copy's I/O and the foreground's.
	 */
	spin_lock_irq(&m->lock);
	/* A secondary that failed since the begin is no copy of anything. */
	if (m->state != BLKMIRROR_STATE_SYNCED)
		*consistent = false;
	m->state = BLKMIRROR_STATE_SINGLE;
	spin_unlock_irq(&m->lock);
	bm_resync_stop(m);
	wait_event(m->sec_wq, !atomic_read(&m->sec_inflight));
	spin_lock_irq(&m->lock);
	if (m->sec_failed)
		*consistent = false;
	spin_unlock_irq(&m->lock);
	if (*consistent && bm_flush_leg(m, BM_SECONDARY, BM_FLUSH_TIMEOUT))
		*consistent = false;

	*path = bm_drop_secondary(m);
	/* What the secondary asked for goes with it. */
	bm_restack_features(m);
	pr_info("blkmirror: %s: detached %s, %s\n", m->name, *path ?: "?",
		*consistent ? "a consistent copy" : "not a consistent copy");
	bm_event_detached(m, *path ?: "", *consistent);
}
