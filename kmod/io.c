// SPDX-License-Identifier: GPL-2.0
/*
 * Foreground I/O.  Reads are served by the primary.  Writes are routed by
 * the region window (region.h): both legs behind the copy, the primary
 * alone ahead of it, and a wait for regions under copy.  The caller's bio
 * completes when every leg it went to has completed, with the primary's
 * status: the primary is the authoritative copy.
 */
#include <linux/blkdev.h>
#include <linux/slab.h>

#include "blkmirror.h"

enum {
	BM_TO_PRIMARY		= 1 << 0,
	BM_TO_SECONDARY		= 1 << 1,	/* the same request */
	BM_FLUSH_SECONDARY	= 1 << 2,	/* an empty flush only */
};

/* ---------------- Accounting ---------------- */

static void bm_inflight_put(struct blkmirror *m)
{
	bool empty;

	/*
	 * Pairs with the barrier in bm_destroy_finish(), whose
	 * synchronize_rcu() waits for this wake-up before @m may be freed.
	 * A switch draining I/O waits for the count to come down to the
	 * bios it holds, not to zero: wake it on every completion.
	 */
	rcu_read_lock();
	empty = atomic_dec_and_test(&m->inflight);
	if ((empty && READ_ONCE(m->dying)) || READ_ONCE(m->suspended))
		wake_up(&m->inflight_wq);
	rcu_read_unlock();
}

static void bm_sec_put(struct blkmirror *m)
{
	if (atomic_dec_and_test(&m->sec_inflight) && wq_has_sleeper(&m->sec_wq))
		wake_up(&m->sec_wq);
}

static void bm_count_submit(struct bm_leg *leg, struct bio *bio)
{
	struct bm_leg_stats *st = &leg->stats;

	if (bio->bi_opf & REQ_PREFLUSH)
		atomic64_inc(&st->flushes);
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		atomic64_inc(&st->reads);
		break;
	case REQ_OP_DISCARD:
		atomic64_inc(&st->discards);
		break;
	default:
		if (bio_sectors(bio))
			atomic64_inc(&st->writes);
		break;
	}
}

/*
 * @data: the failed request carried data.  Not read off the clone: a
 * completed clone's iterator may have been advanced to nothing.
 */
static void bm_count_error(struct bm_leg *leg, struct bio *bio, bool data)
{
	struct bm_leg_stats *st = &leg->stats;

	if (bio_op(bio) == REQ_OP_READ)
		atomic64_inc(&st->read_errors);
	else if (!data)
		atomic64_inc(&st->flush_errors);
	else
		atomic64_inc(&st->write_errors);
}

/* ---------------- Failure ---------------- */

/* Caller holds m->lock. */
bool bm_secondary_usable(const struct blkmirror *m)
{
	return m->state == BLKMIRROR_STATE_SYNCED ||
	       (m->state == BLKMIRROR_STATE_RESYNCING && m->copying);
}

/*
 * Record the first failure and stop using the secondary.  Safe in any
 * context; the event and the copy thread are told from a work item.
 */
void bm_fail_leg(struct blkmirror *m, enum bm_leg_idx leg, int err,
		 sector_t sector)
{
	unsigned long flags;
	bool first = false;

	spin_lock_irqsave(&m->lock, flags);
	/*
	 * One leg has nothing to degrade to: the caller hears the error.
	 * (The secondary of a detach under way goes anyway.)
	 */
	if (m->state == BLKMIRROR_STATE_SINGLE) {
		/* A detach under way must not call the leg a consistent copy. */
		if (leg == BM_SECONDARY)
			m->sec_failed = true;
		spin_unlock_irqrestore(&m->lock, flags);
		if (leg == BM_PRIMARY)
			pr_warn_ratelimited("blkmirror: %s: primary %s failed at sector %llu (error %d)\n",
					    m->name, m->legs[leg].path,
					    (unsigned long long)sector, err);
		return;
	}
	if (m->state != BLKMIRROR_STATE_DEGRADED) {
		m->state = BLKMIRROR_STATE_DEGRADED;
		m->fail_leg = leg == BM_PRIMARY ? BLKMIRROR_LEG_PRIMARY :
						   BLKMIRROR_LEG_SECONDARY;
		m->fail_errno = -err;
		m->fail_sector = sector;
		first = true;
	}
	spin_unlock_irqrestore(&m->lock, flags);

	if (first) {
		pr_warn("blkmirror: %s: %s %s failed at sector %llu (error %d); mirror degraded\n",
			m->name, leg == BM_PRIMARY ? "primary" : "secondary",
			m->legs[leg].path, (unsigned long long)sector, err);
		schedule_work(&m->degraded_work);
	}
}

/* ---------------- Completion ---------------- */

static void bm_io_put(struct bm_io *io)
{
	struct blkmirror *m = io->m;
	struct bio *orig = io->orig;
	int gen = io->ahead_gen;
	bool acct = io->acct;
	unsigned long start_time = io->start_time;

	blk_status_t status;

	if (!atomic_dec_and_test(&io->remaining))
		return;

	/*
	 * Write-zeroes that one leg did and the other turned down leaves the
	 * legs different, and a caller that does not fall back would never
	 * fix it: the secondary is no longer a mirror.
	 */
	if (io->mirrored && bio_op(orig) == REQ_OP_WRITE_ZEROES &&
	    io->notsupp[BM_PRIMARY] != io->notsupp[BM_SECONDARY])
		bm_fail_leg(m, BM_SECONDARY, -EOPNOTSUPP,
			    orig->bi_iter.bi_sector);

	/*
	 * The primary's verdict first: it is the authoritative copy.  Only
	 * ever write an error: @orig may be the remainder of a split whose
	 * front piece already failed it through bio_chain().
	 */
	status = io->status[BM_PRIMARY] ?: io->status[BM_SECONDARY];
	if (status)
		orig->bi_status = status;
	else if (io->mirrored && bio_op(orig) != REQ_OP_DISCARD)
		bm_unreadable_written(m, orig->bi_iter.bi_sector, bio_end_sector(orig));
	bio_put(&io->clone);		/* frees @io */
	if (gen >= 0 && atomic_dec_and_test(&m->ahead[gen]))
		wake_up(&m->ahead_wq);
	if (acct)
		bio_end_io_acct(orig, start_time);
	bio_endio(orig);
	bm_inflight_put(m);
}

/*
 * A leg that turns down a discard or write-zeroes has not failed: it just
 * lacks the operation.  The caller hears "not supported" and falls back
 * (blkdev_issue_zeroout() then writes zero pages through us, to both
 * legs); the mirror stays healthy.
 */
static bool bm_unsupported(struct bio *clone)
{
	return clone->bi_status == BLK_STS_NOTSUPP &&
	       (bio_op(clone) == REQ_OP_WRITE_ZEROES ||
		bio_op(clone) == REQ_OP_DISCARD);
}

/*
 * May a read the primary failed be served by the secondary?  Only where
 * the secondary is known to hold the same data: behind the copy, in a
 * mirror that has not failed, outside what the copy could not read.
 */
static bool bm_read_retry_ok(struct blkmirror *m, struct bio *orig)
{
	sector_t start = orig->bi_iter.bi_sector, end = bio_end_sector(orig);
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&m->lock, flags);
	ok = m->state == BLKMIRROR_STATE_SYNCED ||
	     (bm_secondary_usable(m) && end <= bm_region_start(&m->win, m->win.lo));
	/* Counted with the decision, so that a detach waits for it. */
	if (ok)
		atomic_inc(&m->sec_inflight);
	spin_unlock_irqrestore(&m->lock, flags);
	/*
	 * After the window: the copy records a range before it moves the
	 * window past it, so a range behind the window is already listed.
	 */
	if (ok && bm_unreadable_overlaps(m, start, end)) {
		bm_sec_put(m);
		ok = false;
	}
	return ok;
}

static void bm_read_retry_endio(struct bio *clone)
{
	struct bm_io *io = clone->bi_private;
	struct blkmirror *m = io->m;
	struct bio *orig = io->orig;

	/* The secondary's verdict is the caller's now. */
	io->status[BM_PRIMARY] = clone->bi_status;
	if (clone->bi_status) {
		bm_count_error(&m->legs[BM_SECONDARY], clone, true);
		pr_warn_ratelimited("blkmirror: %s: read at sector %llu failed on both legs\n",
				    m->name,
				    (unsigned long long)orig->bi_iter.bi_sector);
	} else {
		pr_warn_ratelimited("blkmirror: %s: read at sector %llu failed on primary %s; served by secondary %s\n",
				    m->name,
				    (unsigned long long)orig->bi_iter.bi_sector,
				    m->legs[BM_PRIMARY].path,
				    m->legs[BM_SECONDARY].path);
	}
	bio_put(clone);
	bm_sec_put(m);
	bm_io_put(io);
}

/* Resubmit, from process context, the reads the primary failed. */
void bm_read_retry_workfn(struct work_struct *work)
{
	struct blkmirror *m = container_of(work, struct blkmirror,
					   read_retry_work);
	struct llist_node *list = llist_del_all(&m->read_retries);
	struct bm_io *io, *tmp;

	llist_for_each_entry_safe(io, tmp, list, retry_node) {
		struct bio *clone;

		clone = bio_alloc_clone(m->legs[BM_SECONDARY].bdev, io->orig,
					GFP_NOIO, &m->leg_bs);
		clone->bi_private = io;
		clone->bi_end_io = bm_read_retry_endio;
		bm_count_submit(&m->legs[BM_SECONDARY], clone);
		submit_bio_noacct(clone);
	}
}

static void bm_primary_endio(struct bio *clone)
{
	struct bm_io *io = container_of(clone, struct bm_io, clone);
	struct blkmirror *m = io->m;

	/*
	 * A read error on an in-sync mirror is what the secondary is for:
	 * the caller gets its data, and only a failure of both legs fails
	 * it.  The primary stays in service: one bad sector is not a dead
	 * disk, and writes still go to it first.
	 */
	if (bio_op(clone) == REQ_OP_READ && clone->bi_status &&
	    bm_read_retry_ok(m, io->orig)) {
		bm_count_error(&m->legs[BM_PRIMARY], clone, true);
		if (llist_add(&io->retry_node, &m->read_retries))
			queue_work(bm_io_wq, &m->read_retry_work);
		return;
	}

	io->status[BM_PRIMARY] = clone->bi_status;
	if (bm_unsupported(clone)) {
		io->notsupp[BM_PRIMARY] = true;
	} else if (clone->bi_status) {
		bm_count_error(&m->legs[BM_PRIMARY], clone,
			       bio_sectors(io->orig));
		/*
		 * A failed primary write may have reached the secondary: the
		 * legs can differ from here on, so the mirror is no longer
		 * exact.  A failed read changes nothing on disk.
		 */
		if (bio_op(clone) != REQ_OP_READ)
			bm_fail_leg(m, BM_PRIMARY,
				    blk_status_to_errno(clone->bi_status),
				    io->orig->bi_iter.bi_sector);
	}
	bm_io_put(io);
}

static void bm_secondary_endio(struct bio *clone)
{
	struct bm_io *io = clone->bi_private;
	struct blkmirror *m = io->m;

	if (bm_unsupported(clone)) {
		io->notsupp[BM_SECONDARY] = true;
		/* A discard is only a hint; unzeroed blocks would be a lie. */
		if (bio_op(clone) == REQ_OP_WRITE_ZEROES)
			io->status[BM_SECONDARY] = clone->bi_status;
	} else if (clone->bi_status) {
		/* An empty flush sent alongside a write ahead has no data. */
		bm_count_error(&m->legs[BM_SECONDARY], clone,
			       bio_sectors(io->orig) && !io->flush_only);
		bm_fail_leg(m, BM_SECONDARY,
			    blk_status_to_errno(clone->bi_status),
			    io->orig->bi_iter.bi_sector);
	}
	bio_put(clone);
	bm_sec_put(m);
	bm_io_put(io);
}

/* ---------------- Submission ---------------- */

static struct bio *bm_secondary_bio(struct blkmirror *m, struct bio *bio,
				    unsigned int to)
{
	struct block_device *bdev = m->legs[BM_SECONDARY].bdev;

	if (to & BM_TO_SECONDARY) {
		/* Discard only hints; a leg without it keeps its data. */
		if (bio_op(bio) == REQ_OP_DISCARD &&
		    !bdev_max_discard_sectors(bdev))
			return NULL;
		return bio_alloc_clone(bdev, bio, GFP_NOIO, &m->leg_bs);
	}
	if (to & BM_FLUSH_SECONDARY)
		return bio_alloc_bioset(bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH,
					GFP_NOIO, &m->leg_bs);
	return NULL;
}

/* Send @bio to the legs in @to.  Clones come from mempools: no failure. */
static void bm_issue(struct blkmirror *m, struct bio *bio, unsigned int to,
		     int ahead_gen)
{
	struct bio *pclone, *sclone;
	struct bm_io *io;

	pclone = bio_alloc_clone(m->legs[BM_PRIMARY].bdev, bio, GFP_NOIO,
				 &m->clone_bs);
	io = container_of(pclone, struct bm_io, clone);
	io->m = m;
	io->orig = bio;
	io->status[BM_PRIMARY] = BLK_STS_OK;
	io->status[BM_SECONDARY] = BLK_STS_OK;
	io->ahead_gen = ahead_gen;
	/*
	 * A write parked behind a region copy is counted from when it is let
	 * go: the stats' times leave that wait out.  Empty flushes carry no
	 * data to count.
	 */
	io->acct = bio_sectors(bio) && blk_queue_io_stat(m->disk->queue);
	if (io->acct)
		io->start_time = bio_start_io_acct(bio);
	atomic_set(&io->remaining, 1);
	pclone->bi_end_io = bm_primary_endio;

	sclone = bm_secondary_bio(m, bio, to);
	if (!sclone && (to & (BM_TO_SECONDARY | BM_FLUSH_SECONDARY)))
		bm_sec_put(m);
	io->flush_only = sclone && !(to & BM_TO_SECONDARY);
	io->mirrored = sclone && (to & BM_TO_SECONDARY);
	io->notsupp[BM_PRIMARY] = false;
	io->notsupp[BM_SECONDARY] = false;
	if (sclone) {
		atomic_inc(&io->remaining);
		sclone->bi_private = io;
		sclone->bi_end_io = bm_secondary_endio;
		bm_count_submit(&m->legs[BM_SECONDARY], sclone);
		submit_bio_noacct(sclone);
	}
	bm_count_submit(&m->legs[BM_PRIMARY], pclone);
	submit_bio_noacct(pclone);
}

/*
 * Decide, under m->lock, where a write goes.  Returns the BM_TO_* set,
 * 0 to park it, or -1 with *@front set to split it first.
 */
static int bm_route_locked(struct blkmirror *m, struct bio *bio,
			   unsigned int *front, int *ahead_gen)
{
	bool flush = bio->bi_opf & REQ_PREFLUSH;

	int to;

	*ahead_gen = -1;
	if (m->state == BLKMIRROR_STATE_SINGLE || !bm_secondary_usable(m)) {
		to = BM_TO_PRIMARY;
	} else if (m->state == BLKMIRROR_STATE_SYNCED || !bio_sectors(bio)) {
		to = BM_TO_PRIMARY | BM_TO_SECONDARY;
	} else {
		switch (bm_window_route(&m->win, bio->bi_iter.bi_sector,
					bio_sectors(bio), front)) {
		case BM_ROUTE_BOTH:
			to = BM_TO_PRIMARY | BM_TO_SECONDARY;
			break;
		case BM_ROUTE_AHEAD:
			/* Earlier writes behind the copy sit on the secondary too. */
			to = BM_TO_PRIMARY | (flush ? BM_FLUSH_SECONDARY : 0);
			break;
		case BM_ROUTE_WAIT:
			bio_list_add(&m->parked, bio);
			return 0;
		case BM_ROUTE_SPLIT:
		default:
			return -1;
		}
	}

	/*
	 * Every write on its way to the primary is counted in the current
	 * generation, whatever the state: a copy's claim waits for all that
	 * predate it, including those from before an attach (single, or
	 * degraded and detached) that are still in flight, so none lands
	 * under the copy's read.
	 */
	*ahead_gen = m->ahead_gen;
	atomic_inc(&m->ahead[*ahead_gen]);
	/* Counted with the decision, so that a detach waits for it. */
	if (to & (BM_TO_SECONDARY | BM_FLUSH_SECONDARY))
		atomic_inc(&m->sec_inflight);
	return to;
}

/*
 * Route a write, discard or write-zeroes.  Also the re-entry point for
 * writes parked behind a region copy, once the copy thread lets them go.
 */
void bm_dispatch_write(struct blkmirror *m, struct bio *bio)
{
	unsigned int front = 0;
	int to, gen;

	for (;;) {
		struct bio *split;

		spin_lock_irq(&m->lock);
		to = bm_route_locked(m, bio, &front, &gen);
		spin_unlock_irq(&m->lock);
		if (to >= 0)
			break;

		/* The remainder comes back through bm_submit_bio(). */
		split = bio_split(bio, front, GFP_NOIO, &m->split_bs);
		if (IS_ERR_OR_NULL(split)) {
			bio_io_error(bio);
			bm_inflight_put(m);
			return;
		}
		bio_chain(split, bio);
		submit_bio_noacct(bio);
		bio = split;
	}
	if (to)
		bm_issue(m, bio, to, gen);
}

/* Route a bio that is counted in m->inflight. */
static void bm_handle_bio(struct blkmirror *m, struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		bm_issue(m, bio, BM_TO_PRIMARY, -1);
		break;
	case REQ_OP_WRITE:
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		bm_dispatch_write(m, bio);
		break;
	default:
		bio->bi_status = BLK_STS_NOTSUPP;
		bio_endio(bio);
		bm_inflight_put(m);
		break;
	}
}

/*
 * Hold @bio if a switch has suspended I/O.  A held bio is not in flight:
 * it leaves m->inflight (which wakes the drain) and comes back into it
 * on resume, so that the drain waits for nothing but I/O on the legs.
 */
static bool bm_hold(struct blkmirror *m, struct bio *bio)
{
	bool held = false;

	spin_lock_irq(&m->lock);
	if (m->suspended) {
		bio_list_add(&m->held, bio);
		held = true;
	}
	spin_unlock_irq(&m->lock);
	if (held)
		bm_inflight_put(m);
	return held;
}

void bm_submit_bio(struct bio *bio)
{
	struct blkmirror *m = bio->bi_bdev->bd_disk->private_data;

	atomic_inc(&m->inflight);
	smp_mb__after_atomic();	/* count, then look; pairs with bm_destroy_finish() */
	if (unlikely(READ_ONCE(m->dying))) {
		bio_io_error(bio);
		bm_inflight_put(m);
		return;
	}
	if (unlikely(READ_ONCE(m->suspended)) && bm_hold(m, bio))
		return;
	bm_handle_bio(m, bio);
}

/*
 * Quiesce for a switch: from here new bios are held.  The barrier orders
 * @suspended before bm_drain() reads @inflight; it pairs with the one in
 * bm_inflight_put()'s atomic_dec_and_test().
 */
void bm_suspend(struct blkmirror *m)
{
	spin_lock_irq(&m->lock);
	m->suspended = true;
	spin_unlock_irq(&m->lock);
	smp_mb();	/* @suspended, then @inflight; see bm_inflight_put() */
}

/*
 * Wait, up to @timeout jiffies, until no I/O is in flight.  Only a switch
 * suspends, and it holds the mirror busy: no destroy runs meanwhile.
 */
int bm_drain(struct blkmirror *m, unsigned long timeout)
{
	if (!wait_event_timeout(m->inflight_wq, !atomic_read(&m->inflight),
				timeout))
		return -ETIMEDOUT;
	return 0;
}

/* Let the held bios go, in the order they came, and new ones through. */
void bm_resume(struct blkmirror *m)
{
	struct bio_list list;
	struct bio *bio;

	spin_lock_irq(&m->lock);
	m->suspended = false;
	list = m->held;
	bio_list_init(&m->held);
	spin_unlock_irq(&m->lock);

	while ((bio = bio_list_pop(&list))) {
		atomic_inc(&m->inflight);
		bm_handle_bio(m, bio);
	}
}

struct bm_flush {
	struct completion done;
	struct kref ref;
	struct blkmirror *m;
	blk_status_t status;
};

static void bm_flush_release(struct kref *ref)
{
	kfree(container_of(ref, struct bm_flush, ref));
}

static void bm_flush_endio(struct bio *bio)
{
	struct bm_flush *f = bio->bi_private;
	struct blkmirror *m = f->m;

	f->status = bio->bi_status;
	bio_put(bio);
	complete(&f->done);
	kref_put(&f->ref, bm_flush_release);
	bm_inflight_put(m);
}

/*
 * Flush leg @i, waiting at most @timeout jiffies: a switch holds every
 * new bio meanwhile, and a leg that stops answering must not freeze the
 * mirror.  A flush that times out stays counted in m->inflight until it
 * completes, so that a later drain or destroy waits for it.
 */
int bm_flush_leg(struct blkmirror *m, int i, unsigned long timeout)
{
	struct bm_flush *f = kzalloc(sizeof(*f), GFP_NOIO);
	struct bio *bio;
	int ret;

	if (!f)
		return -ENOMEM;
	init_completion(&f->done);
	kref_init(&f->ref);
	kref_get(&f->ref);
	f->m = m;
	bio = bio_alloc_bioset(m->legs[i].bdev, 0, REQ_OP_WRITE | REQ_PREFLUSH,
			       GFP_NOIO, &m->leg_bs);
	bio->bi_private = f;
	bio->bi_end_io = bm_flush_endio;
	atomic_inc(&m->inflight);
	atomic64_inc(&m->legs[i].stats.flushes);
	submit_bio(bio);
	if (!wait_for_completion_timeout(&f->done, timeout))
		ret = -ETIMEDOUT;
	else
		ret = blk_status_to_errno(f->status);
	if (ret && ret != -ETIMEDOUT)
		atomic64_inc(&m->legs[i].stats.flush_errors);
	kref_put(&f->ref, bm_flush_release);
	return ret;
}
