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
	 * Only now may a detach go on: the verdict above is about the
	 * secondary, and a detach that had not waited for it would call a
	 * leg that missed the zeroes a consistent copy.
	 */
	if (io->sec_held)
		bm_sec_put(m);

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

static void bm_repair_queue(struct blkmirror *m, sector_t sector,
			    unsigned int sectors);
struct bm_repair;
static bool bm_fenced_locked(struct blkmirror *m, struct bio *bio);

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
		/* Queued while @io is in flight: see bm_destroy_finish(). */
		bm_repair_queue(m, orig->bi_iter.bi_sector, bio_sectors(orig));
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
	io->sec_held = sclone;
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
	if (unlikely(m->fence) && bm_fenced_locked(m, bio)) {
		bio_list_add(&m->fenced, bio);
		return 0;
	}
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
 * Wait, up to @timeout jiffies, until no I/O is in flight but the @own
 * counts the caller holds itself.  A switch (which holds the mirror busy:
 * no destroy runs meanwhile) and a read repair (counted in @inflight, so
 * that a destroy waits for it) suspend, one at a time: m->quiesce_mutex.
 */
int bm_drain(struct blkmirror *m, int own, unsigned long timeout)
{
	if (!wait_event_timeout(m->inflight_wq,
				atomic_read(&m->inflight) <= own, timeout))
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
	bool sec;			/* counted in m->sec_inflight */
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
	bool sec = f->sec;

	f->status = bio->bi_status;
	bio_put(bio);
	complete(&f->done);
	kref_put(&f->ref, bm_flush_release);
	if (sec)
		bm_sec_put(m);
	bm_inflight_put(m);
}

/*
 * Flush leg @i, waiting at most @timeout jiffies: a switch holds every
 * new bio meanwhile, and a leg that stops answering must not freeze the
 * mirror.  A flush that times out stays counted in m->inflight until it
 * completes, so that a later drain or destroy waits for it; one to the
 * secondary in m->sec_inflight too, so that its leg is not closed under
 * it.
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
	f->sec = i == BM_SECONDARY;
	if (f->sec)
		atomic_inc(&m->sec_inflight);
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

/* ---------------- Read repair ---------------- */

/*
 * A read the primary failed and the secondary served leaves the primary
 * as bad as it was; as md's raid1 does (fix_read_error), we write the
 * secondary's copy back and read it again, so that a disk that remaps a
 * sector on write heals.
 *
 * Why the whole mirror is quiesced (as a switch does) for each chunk:
 * the copy we write is read from the secondary before it is written to
 * the primary, and a foreground write to the range landing on both legs
 * in between would be undone on the primary by our stale copy, though it
 * was acknowledged.  A per-range lock would have to find every write in
 * flight over the range, and writes in sync are counted nowhere by range;
 * holding all new I/O, draining what is in flight and then doing read,
 * write and read back with nothing else on the legs needs no such
 * bookkeeping and is obviously safe.  Repairs are rare (a primary read
 * error each), and a chunk is three small I/Os: the pause is short.
 *
 * With I/O drained, an in-sync mirror's legs hold the same acknowledged
 * data (a secondary write that failed would have degraded it, and that
 * is seen before the drain ends), so the secondary's copy is current.
 *
 * It composes with the rest thus:
 * - switch suspends too: m->quiesce_mutex makes the two take turns, and
 *   a switch leaves the mirror single, which a later repair gives up on;
 * - detach does not suspend: it makes the mirror single and waits for
 *   m->sec_inflight, which a repair holds while it uses the secondary,
 *   taken under m->lock with the in-sync check;
 * - destroy: a repair under way counts itself in m->inflight, so the
 *   teardown waits for it (and for the held bios it lets go, counted
 *   before its own count drops); one that starts later sees ->dying, as
 *   bm_submit_bio() does, and touches no leg; bm_destroy_finish()
 *   flushes the work item, before the legs are closed;
 * - the copy thread does no I/O while the mirror is in sync, and a
 *   repair does nothing unless it is.
 *
 * Best effort: the caller's read has already been served.  A repair that
 * fails (any I/O error, a read-back that differs, a drain that times out)
 * is logged, and the primary is left as it is.  A repair write the
 * primary fails is counted in its write_errors, as any write error of
 * that disk, but does not degrade the mirror: md's raid1 fails a member
 * whose fix_read_error write fails, because other members serve in its
 * place; our primary is the authoritative copy, and degrading would drop
 * the secondary, the one leg that holds the good data.  The range stays
 * served from the secondary on every read the primary fails.
 *
 * A leg that stops answering must not hold the mirror's I/O for good:
 * each of the three I/Os waits BM_REPAIR_IO_TIMEOUT at most, and the
 * repair then lets I/O go.  The bio stays in flight, so it owns what it
 * uses (struct bm_repair, its counts in ->inflight and ->sec_inflight).
 * A read given up on changes nothing, but its count in ->inflight would
 * keep every later repair from draining: none is tried until it lands
 * (->repairs_stuck).  A write given up on may still
 * land, and would undo any later write to its range that overtook it:
 * until it completes, writes over that range wait (->fence, ->fenced),
 * and no other repair starts.  Reads of the range meanwhile see either
 * the old or the repaired block, the same data.
 */
#define BM_REPAIR_PAGES		16
#define BM_REPAIR_DRAIN_TIMEOUT	(15 * HZ)
/*
 * How long each of a chunk's three I/Os may hold the mirror's I/O.  A
 * leg that answers a 64 KiB I/O later than this is treated as stuck for
 * this repair: it is given up (see bm_repair_fence()) and the held I/O
 * goes on.
 */
#define BM_REPAIR_IO_TIMEOUT	(10 * HZ)

/* From bio completion: remember [@sector, +@sectors) for the work item. */
static void bm_repair_queue(struct blkmirror *m, sector_t sector,
			    unsigned int sectors)
{
	unsigned long flags;
	bool queued = false, full = false;
	unsigned int i;

	spin_lock_irqsave(&m->lock, flags);
	/* A read-only primary (and so a read-only disk) is not written. */
	if (m->state == BLKMIRROR_STATE_SYNCED &&
	    !m->legs[BM_PRIMARY].read_only) {
		for (i = 0; i < m->nr_repairs; i++)
			if (m->repairs[i].sector == sector &&
			    m->repairs[i].sectors == sectors)
				break;
		if (i < m->nr_repairs) {
			queued = true;	/* already there */
		} else if (m->nr_repairs < BM_REPAIR_QUEUE) {
			m->repairs[i].sector = sector;
			m->repairs[i].sectors = sectors;
			m->nr_repairs++;
			queued = true;
		} else {
			full = true;
		}
	}
	spin_unlock_irqrestore(&m->lock, flags);
	if (queued) {
		queue_work(bm_repair_wq, &m->repair_work);
	} else if (full) {
		pr_info_ratelimited("blkmirror: %s: read repair of sectors %llu+%u on primary: not repaired (%u repairs queued already)\n",
				    m->name, (unsigned long long)sector, sectors,
				    BM_REPAIR_QUEUE);
	}
}

/*
 * The pages and the bio of one chunk's repair.  A leg may stop answering
 * in the middle of it; a bio cannot be called back, so the one in flight
 * holds a reference to all of this, and to the leg (m->inflight, and
 * m->sec_inflight for the secondary), until it completes, however long
 * after the repair gave up on it.
 */
struct bm_repair {
	struct kref ref;
	struct blkmirror *m;
	struct completion done;
	blk_status_t status;
	bool sec;			/* the bio in flight is counted in sec_inflight */
	bool finished;			/* m->lock: the bio in flight completed */
	bool given_up;			/* m->lock: counted in m->repairs_stuck */
	sector_t sector;
	unsigned int bytes;
	struct page *data[BM_REPAIR_PAGES];
	struct page *check[BM_REPAIR_PAGES];
	struct bio_vec bvec[BM_REPAIR_PAGES];
	struct bio bio;
};

static void bm_repair_release(struct kref *ref)
{
	struct bm_repair *r = container_of(ref, struct bm_repair, ref);
	unsigned int i;

	for (i = 0; i < BM_REPAIR_PAGES; i++) {
		if (r->data[i])
			__free_page(r->data[i]);
		if (r->check[i])
			__free_page(r->check[i]);
	}
	kfree(r);
}

static struct bm_repair *bm_repair_alloc(struct blkmirror *m)
{
	struct bm_repair *r = kzalloc(sizeof(*r), GFP_NOIO | __GFP_NOWARN);
	unsigned int i;

	if (!r)
		return NULL;
	kref_init(&r->ref);
	r->m = m;
	for (i = 0; i < BM_REPAIR_PAGES; i++) {
		r->data[i] = alloc_page(GFP_NOIO | __GFP_NOWARN);
		r->check[i] = alloc_page(GFP_NOIO | __GFP_NOWARN);
		if (!r->data[i] || !r->check[i]) {
			kref_put(&r->ref, bm_repair_release);
			return NULL;
		}
	}
	return r;
}

/*
 * The write of a repair that timed out is still on its way to the
 * primary: foreground writes over its range wait for it (m->fenced), or
 * it could land after them and undo them.  Let them go, from process
 * context: routing may split and sleep.
 */
void bm_fence_workfn(struct work_struct *work)
{
	struct blkmirror *m = container_of(work, struct blkmirror, fence_work);
	struct bio_list list;
	struct bio *bio;

	spin_lock_irq(&m->lock);
	list = m->fenced;
	bio_list_init(&m->fenced);
	spin_unlock_irq(&m->lock);
	while ((bio = bio_list_pop(&list)))
		bm_dispatch_write(m, bio);
}

static void bm_repair_endio(struct bio *bio)
{
	struct bm_repair *r = container_of(bio, struct bm_repair, bio);
	struct blkmirror *m = r->m;
	bool sec = r->sec;	/* the worker reuses @r once it is woken */
	unsigned long flags;
	bool lift;

	r->status = bio->bi_status;
	bio_uninit(bio);
	spin_lock_irqsave(&m->lock, flags);
	r->finished = true;
	if (r->given_up)
		WRITE_ONCE(m->repairs_stuck, m->repairs_stuck - 1);
	lift = m->fence == r;
	if (lift)
		WRITE_ONCE(m->fence, NULL);
	spin_unlock_irqrestore(&m->lock, flags);
	if (lift) {
		pr_info_ratelimited("blkmirror: %s: read repair write of sectors %llu+%u, given up on, has completed (status %d)\n",
				    m->name, (unsigned long long)r->sector,
				    r->bytes >> SECTOR_SHIFT,
				    blk_status_to_errno(r->status));
		queue_work(bm_io_wq, &m->fence_work);
	}
	complete(&r->done);
	if (sec)
		bm_sec_put(m);
	kref_put(&r->ref, bm_repair_release);
	bm_inflight_put(m);		/* last: @m may go after it */
}

/*
 * One I/O of the chunk, to or from @pages, waiting at most
 * BM_REPAIR_IO_TIMEOUT: all other I/O of the mirror is held meanwhile.
 * Returns -ETIMEDOUT with the bio still in flight; it then keeps @r.
 */
static int bm_repair_io(struct bm_repair *r, int leg, blk_opf_t opf,
			struct page **pages)
{
	struct blkmirror *m = r->m;
	unsigned int i, nr = DIV_ROUND_UP(r->bytes, PAGE_SIZE);

	bio_init(&r->bio, m->legs[leg].bdev, r->bvec, nr, opf);
	r->bio.bi_iter.bi_sector = r->sector;
	r->bio.bi_end_io = bm_repair_endio;
	for (i = 0; i < nr; i++)
		__bio_add_page(&r->bio, pages[i],
			       min_t(unsigned int, r->bytes - i * PAGE_SIZE,
				     PAGE_SIZE), 0);
	r->sec = leg == BM_SECONDARY;
	/*
	 * The bio's own counts, dropped by its completion.  The caller holds
	 * one of each already, so that neither a destroy nor a detach can
	 * have got past them.
	 */
	if (r->sec)
		atomic_inc(&m->sec_inflight);
	atomic_inc(&m->inflight);
	r->finished = false;
	reinit_completion(&r->done);
	kref_get(&r->ref);
	submit_bio(&r->bio);
	if (!wait_for_completion_io_timeout(&r->done, BM_REPAIR_IO_TIMEOUT)) {
		spin_lock_irq(&m->lock);
		if (!r->finished) {
			r->given_up = true;
			WRITE_ONCE(m->repairs_stuck, m->repairs_stuck + 1);
		}
		spin_unlock_irq(&m->lock);
		return -ETIMEDOUT;
	}
	return blk_status_to_errno(r->status);
}

/*
 * The primary write timed out.  If it is still in flight, fence its
 * range: I/O may go on, but no write there until it has landed.
 */
static void bm_repair_fence(struct bm_repair *r)
{
	struct blkmirror *m = r->m;

	spin_lock_irq(&m->lock);
	if (!r->finished)
		WRITE_ONCE(m->fence, r);
	spin_unlock_irq(&m->lock);
}

/* Does @bio write where a repair that was given up on still writes?  @lock. */
static bool bm_fenced_locked(struct blkmirror *m, struct bio *bio)
{
	struct bm_repair *r = m->fence;
	sector_t start = bio->bi_iter.bi_sector;

	return r && bio_sectors(bio) &&
	       start < r->sector + (r->bytes >> SECTOR_SHIFT) &&
	       r->sector < bio_end_sector(bio);
}

/*
 * Repair one chunk with all other I/O held.  Returns 0 if the primary
 * now reads back the secondary's data; else an error, with *@what saying
 * which step failed.
 */
static int bm_repair_chunk(struct blkmirror *m, struct bm_repair *r,
			   const char **what)
{
	unsigned int i;
	bool synced;
	int ret;

	/* Not worth holding I/O for: checked again once it is held. */
	if (READ_ONCE(m->state) != BLKMIRROR_STATE_SYNCED) {
		*what = "the mirror is no longer in sync";
		return -EAGAIN;
	}
	/*
	 * Only this work item gives up on a repair I/O, so the count can
	 * only fall from here on: one look is enough.
	 */
	if (READ_ONCE(m->repairs_stuck)) {
		*what = "an earlier repair I/O is still outstanding";
		return -EAGAIN;
	}
	mutex_lock(&m->quiesce_mutex);
	/* Counted like a bio: a destroy waits for us.  See bm_submit_bio(). */
	atomic_inc(&m->inflight);
	smp_mb__after_atomic();	/* count, then look; pairs with bm_destroy_finish() */
	if (READ_ONCE(m->dying)) {
		*what = "the mirror is going away";
		ret = -ENODEV;
		goto out;
	}
	bm_suspend(m);
	ret = bm_drain(m, 1, BM_REPAIR_DRAIN_TIMEOUT);
	if (ret) {
		*what = "I/O in flight did not drain";
		goto resume;
	}
	spin_lock_irq(&m->lock);
	synced = m->state == BLKMIRROR_STATE_SYNCED;
	if (synced)
		atomic_inc(&m->sec_inflight);	/* a detach waits for it */
	spin_unlock_irq(&m->lock);
	if (!synced) {
		*what = "the mirror is no longer in sync";
		ret = -EAGAIN;
		goto resume;
	}
	if (bm_unreadable_overlaps(m, r->sector,
				   r->sector + (r->bytes >> SECTOR_SHIFT))) {
		*what = "the secondary has no copy here";
		ret = -EAGAIN;
		goto put_sec;
	}

	ret = bm_repair_io(r, BM_SECONDARY, REQ_OP_READ, r->data);
	if (ret) {
		*what = ret == -ETIMEDOUT ? "secondary read timed out" :
					    "secondary read failed";
		if (ret != -ETIMEDOUT)
			atomic64_inc(&m->legs[BM_SECONDARY].stats.read_errors);
		goto put_sec;
	}
	ret = bm_repair_io(r, BM_PRIMARY, REQ_OP_WRITE, r->data);
	if (ret == -ETIMEDOUT) {
		*what = "primary write timed out; writes to the range wait for it";
		bm_repair_fence(r);
		goto put_sec;
	}
	if (ret) {
		/* Counted: it is the primary's error, whoever asked. */
		*what = "primary write failed";
		atomic64_inc(&m->legs[BM_PRIMARY].stats.write_errors);
		goto put_sec;
	}
	ret = bm_repair_io(r, BM_PRIMARY, REQ_OP_READ, r->check);
	if (ret) {
		*what = ret == -ETIMEDOUT ? "primary read-back timed out" :
					    "primary read-back failed";
		if (ret != -ETIMEDOUT)
			atomic64_inc(&m->legs[BM_PRIMARY].stats.read_errors);
		goto put_sec;
	}
	for (i = 0; i < DIV_ROUND_UP(r->bytes, PAGE_SIZE); i++) {
		if (memcmp(page_address(r->data[i]), page_address(r->check[i]),
			   min_t(unsigned int, r->bytes - i * PAGE_SIZE,
				 PAGE_SIZE))) {
			*what = "primary read back other data";
			ret = -EIO;
			break;
		}
	}
put_sec:
	bm_sec_put(m);
resume:
	bm_resume(m);
out:
	bm_inflight_put(m);
	mutex_unlock(&m->quiesce_mutex);
	return ret;
}

/* Rewrite [@sector, +@sectors) on the primary, chunk by chunk. */
static void bm_repair_range(struct blkmirror *m, sector_t sector,
			    unsigned int sectors)
{
	const unsigned int chunk = BM_REPAIR_PAGES * PAGE_SIZE >> SECTOR_SHIFT;
	const char *what = "no memory";
	sector_t s = sector, end = sector + sectors;
	int ret = 0;

	while (s < end && !ret) {
		struct bm_repair *r = bm_repair_alloc(m);

		if (!r) {
			ret = -ENOMEM;
			break;
		}
		init_completion(&r->done);
		r->sector = s;
		r->bytes = min_t(sector_t, end - s, chunk) << SECTOR_SHIFT;
		ret = bm_repair_chunk(m, r, &what);
		/* A bio still in flight holds its own reference. */
		kref_put(&r->ref, bm_repair_release);
		s += chunk;
	}
	if (!ret) {
		/* No leg paths: a switch may free them once we are done. */
		pr_info_ratelimited("blkmirror: %s: read repair of sectors %llu+%u on primary: repaired from the secondary\n",
				    m->name, (unsigned long long)sector, sectors);
	} else {
		pr_info_ratelimited("blkmirror: %s: read repair of sectors %llu+%u on primary: not repaired (%s, error %d)\n",
				    m->name, (unsigned long long)sector, sectors,
				    what, ret);
	}
}

void bm_repair_workfn(struct work_struct *work)
{
	struct blkmirror *m = container_of(work, struct blkmirror, repair_work);

	for (;;) {
		sector_t sector;
		unsigned int sectors;

		spin_lock_irq(&m->lock);
		if (!m->nr_repairs) {
			spin_unlock_irq(&m->lock);
			break;
		}
		m->nr_repairs--;
		sector = m->repairs[m->nr_repairs].sector;
		sectors = m->repairs[m->nr_repairs].sectors;
		spin_unlock_irq(&m->lock);

		bm_repair_range(m, sector, sectors);
	}
}
