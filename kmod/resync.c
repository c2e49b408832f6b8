// SPDX-License-Identifier: GPL-2.0
/*
 * The background copy.  One kernel thread per mirror walks the regions in
 * ascending order, keeping a few copy I/Os in flight: each slot reads a
 * chunk from the primary into its pages and writes the same pages to the
 * secondary, chunk after chunk until its region is done.  The thread is
 * the only one to move the window (region.h); completions just hand the
 * slot back to it.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/part_stat.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "blkmirror.h"

/*
 * One copy bio at most: the largest that order-0 pages fit in one bio.
 * Several in flight keep a fast device busy while the thread turns a
 * read into a write.  Chosen by measuring against dd on brd; see README.
 */
#define BM_COPY_IO_MAX		(BIO_MAX_VECS * PAGE_SIZE)
#define BM_COPY_INFLIGHT	(4U << 20)
#define BM_COPY_SLOTS_MIN	2U
#define BM_COPY_SLOTS_MAX	64U
#define BM_RATE_SAMPLE_NS	(500 * NSEC_PER_MSEC)

/*
 * How often the copy looks for foreground I/O.  Short enough that the
 * copy is back at full speed well within a second of the foreground
 * stopping, long enough that a QD1 writer on a slow leg completes
 * something in every look.
 */
#define BM_FG_SAMPLE_NS		(50 * NSEC_PER_MSEC)

/*
 * Looks in a row that must see no foreground I/O before the copy takes
 * the idle bandwidth: a writer whose CPU was taken for one look (a busy
 * host, a vCPU descheduled) is not gone, and 200 ms idle is still well
 * within a second.
 */
#define BM_FG_IDLE_LOOKS	4

struct bm_resync;

struct bm_copy_slot {
	struct bm_resync *rs;
	struct list_head done_node;	/* rs->done, once its bio completed */
	struct bio *bio;
	struct page **pages;
	bool busy;
	bool writing;			/* the bio in flight is the write */
	u64 region;
	sector_t sector;		/* of the chunk in flight */
	sector_t end;			/* of the region */
	unsigned int len;		/* bytes in the chunk in flight */
	unsigned int tries;		/* failed reads of this chunk */
	sector_t probe_end;		/* block by block up to here */
};

/*
 * A copy read that fails is tried again, then the chunk is read one block
 * at a time so that only the blocks that really fail are left behind.
 */
#define BM_COPY_READ_TRIES	2

struct bm_resync {
	struct blkmirror *m;
	struct task_struct *task;
	wait_queue_head_t wq;
	bool kicked;			/* READ_ONCE; something changed */

	spinlock_t done_lock;		/* @done, from bio completion */
	struct list_head done;
	struct bio_set bs;

	unsigned int chunk_bytes;
	unsigned int block_bytes;	/* the larger logical block size */
	unsigned int nr_slots;
	unsigned int nr_busy;		/* thread only */

	/* Thread only: foreground activity, as the mirror's I/O stats say. */
	u64 fg_ios;
	u64 fg_ns;
	unsigned int fg_quiet;		/* looks in a row that saw none */
	bool fg_busy;

	/* Thread only: throttle and rate measurement. */
	u64 throttle_rate;
	u64 throttle_start_ns;
	u64 throttle_bytes;
	u64 sample_ns;
	u64 sample_bytes;
	u64 copied_bytes;

	/*
	 * Thread only: the lowest region a slot gave up part-way, U64_MAX if
	 * none.  Nothing at or above it is known to be copied, so the window
	 * must not pass it, whatever the other slots finished.
	 */
	u64 abandoned;

	struct bm_copy_slot slots[];
};

/* ---------------- Copy I/O ---------------- */

static void bm_copy_endio(struct bio *bio)
{
	struct bm_copy_slot *slot = bio->bi_private;
	struct bm_resync *rs = slot->rs;
	unsigned long flags;

	/*
	 * Wake under the lock: once the slot is on the list, the thread may
	 * reap it, exit and have @rs freed.
	 */
	spin_lock_irqsave(&rs->done_lock, flags);
	list_add_tail(&slot->done_node, &rs->done);
	wake_up(&rs->wq);
	spin_unlock_irqrestore(&rs->done_lock, flags);
}

static void bm_copy_submit(struct bm_copy_slot *slot)
{
	struct bm_resync *rs = slot->rs;
	struct bm_leg *leg = &rs->m->legs[slot->writing ? BM_SECONDARY :
							  BM_PRIMARY];
	unsigned int nr = DIV_ROUND_UP(slot->len, PAGE_SIZE);
	unsigned int left = slot->len;
	struct bio *bio;
	unsigned int i;

	bio = bio_alloc_bioset(leg->bdev, nr,
			       slot->writing ? REQ_OP_WRITE : REQ_OP_READ,
			       GFP_NOIO, &rs->bs);
	bio->bi_iter.bi_sector = slot->sector;
	for (i = 0; i < nr; i++) {
		unsigned int len = min_t(unsigned int, left, PAGE_SIZE);

		__bio_add_page(bio, slot->pages[i], len, 0);
		left -= len;
	}
	bio->bi_private = slot;
	bio->bi_end_io = bm_copy_endio;
	slot->bio = bio;
	submit_bio(bio);
}

/* Read the next chunk of the slot's region. */
static void bm_copy_next_chunk(struct bm_copy_slot *slot)
{
	struct bm_resync *rs = slot->rs;
	sector_t left = slot->end - slot->sector;
	unsigned int bytes = slot->sector < slot->probe_end ? rs->block_bytes :
			     rs->chunk_bytes;

	slot->writing = false;
	slot->tries = 0;
	slot->len = min_t(sector_t, left, bytes >> SECTOR_SHIFT) << SECTOR_SHIFT;
	bm_copy_submit(slot);
}

static void bm_copy_give_up(struct bm_resync *rs, struct bm_copy_slot *slot)
{
	rs->abandoned = min(rs->abandoned, slot->region);
	slot->busy = false;
	rs->nr_busy--;
}

/*
 * The primary did not give us this chunk.  Returns true if the slot has
 * something in flight again, false if it has skipped the chunk.
 */
static bool bm_copy_read_failed(struct bm_resync *rs, struct bm_copy_slot *slot)
{
	struct blkmirror *m = rs->m;
	sector_t start = slot->sector, end = start + (slot->len >> SECTOR_SHIFT);

	if (++slot->tries < BM_COPY_READ_TRIES) {
		bm_copy_submit(slot);
		return true;
	}
	if (slot->len > rs->block_bytes) {
		slot->probe_end = end;
		bm_copy_next_chunk(slot);
		return true;
	}
	if (bm_unreadable_add(m, start, end))
		bm_event_unreadable(m, start, end);
	pr_warn_ratelimited("blkmirror: %s: copy cannot read sectors %llu-%llu of primary %s; going on without them\n",
			    m->name, (unsigned long long)start,
			    (unsigned long long)end - 1, m->legs[BM_PRIMARY].path);
	slot->sector = end;
	return false;
}

/* A copy bio finished: turn a read into a write, a write into progress. */
static void bm_copy_done(struct bm_resync *rs, struct bm_copy_slot *slot)
{
	struct blkmirror *m = rs->m;
	blk_status_t status = slot->bio->bi_status;
	enum bm_leg_idx leg = slot->writing ? BM_SECONDARY : BM_PRIMARY;
	bool stopping = kthread_should_stop() ||
			READ_ONCE(m->state) != BLKMIRROR_STATE_RESYNCING;

	bio_put(slot->bio);
	slot->bio = NULL;

	if (status && slot->writing) {
		atomic64_inc(&m->legs[leg].stats.write_errors);
		bm_fail_leg(m, leg, blk_status_to_errno(status), slot->sector);
		bm_copy_give_up(rs, slot);
		return;
	}
	if (status) {
		atomic64_inc(&m->legs[leg].stats.read_errors);
		if (stopping) {
			bm_copy_give_up(rs, slot);
			return;
		}
		if (bm_copy_read_failed(rs, slot))
			return;
		/* Skipped: on to the next chunk, as after a write. */
	} else {
		atomic64_add(slot->len, &m->legs[leg].stats.copy_bytes);
		if (slot->writing) {
			rs->copied_bytes += slot->len;
			slot->sector += slot->len >> SECTOR_SHIFT;
		}
	}
	if (slot->sector >= slot->end) {
		slot->busy = false;
		rs->nr_busy--;
		return;
	}
	/*
	 * A copy that is being stopped, or whose secondary failed, sends
	 * nothing more: not even the write of a chunk already read.
	 */
	if (stopping) {
		bm_copy_give_up(rs, slot);
		return;
	}
	if (slot->writing || status) {
		bm_copy_next_chunk(slot);
	} else {
		slot->writing = true;
		bm_copy_submit(slot);
	}
}

static void bm_reap(struct bm_resync *rs)
{
	struct bm_copy_slot *slot, *tmp;
	LIST_HEAD(done);

	spin_lock_irq(&rs->done_lock);
	list_splice_init(&rs->done, &done);
	spin_unlock_irq(&rs->done_lock);

	list_for_each_entry_safe(slot, tmp, &done, done_node) {
		list_del_init(&slot->done_node);
		bm_copy_done(rs, slot);
	}
}

static bool bm_have_done(struct bm_resync *rs)
{
	bool ret;

	spin_lock_irq(&rs->done_lock);
	ret = !list_empty(&rs->done);
	spin_unlock_irq(&rs->done_lock);
	return ret;
}

/* ---------------- Window ---------------- */

/* Let parked writes whose region has left the window go. */
static void bm_release_parked(struct blkmirror *m)
{
	struct bio_list list;
	struct bio *bio;

	spin_lock_irq(&m->lock);
	list = m->parked;
	bio_list_init(&m->parked);
	spin_unlock_irq(&m->lock);

	while ((bio = bio_list_pop(&list)))
		bm_dispatch_write(m, bio);
}

/* Move the low edge of the window up to the oldest region still copying. */
static void bm_advance(struct bm_resync *rs)
{
	struct blkmirror *m = rs->m;
	bool moved = false;
	unsigned int i;
	u64 lo;

	spin_lock_irq(&m->lock);
	lo = min(m->win.hi, rs->abandoned);
	for (i = 0; i < rs->nr_slots; i++)
		if (rs->slots[i].busy)
			lo = min(lo, rs->slots[i].region);
	/* A failed copy proved nothing: the window stays where it was. */
	if (m->state == BLKMIRROR_STATE_RESYNCING && lo > m->win.lo) {
		m->win.lo = lo;
		moved = true;
	}
	spin_unlock_irq(&m->lock);

	if (moved) {
		bm_release_parked(m);
		bm_event_progress(m, false);
	}
}

/*
 * Claim the next region.  Writes already routed ahead of the copy may be
 * headed for it: wait until every such write has reached the primary,
 * so the read below sees it.  Later writes find the region in the window
 * and park.
 */
static bool bm_claim(struct bm_resync *rs, u64 *region)
{
	struct blkmirror *m = rs->m;
	int old = -1;

	spin_lock_irq(&m->lock);
	if (m->state != BLKMIRROR_STATE_RESYNCING ||
	    m->win.hi >= m->win.nr_regions) {
		spin_unlock_irq(&m->lock);
		return false;
	}
	*region = m->win.hi++;
	if (atomic_read(&m->ahead[m->ahead_gen])) {
		old = m->ahead_gen;
		m->ahead_gen ^= 1;
	}
	spin_unlock_irq(&m->lock);

	if (old >= 0)
		wait_event(m->ahead_wq, !atomic_read(&m->ahead[old]));
	return true;
}

static struct bm_copy_slot *bm_free_slot(struct bm_resync *rs)
{
	unsigned int i;

	for (i = 0; i < rs->nr_slots; i++)
		if (!rs->slots[i].busy)
			return &rs->slots[i];
	return NULL;
}

/* ---------------- Throttle and rate ---------------- */

/*
 * Foreground I/O completed since the last look, as md's is_mddev_idle()
 * does: the mirror's own per-CPU I/O stats count every foreground bio
 * with data and none of the copy's, which goes to the legs directly.  The
 * fast path pays nothing more than the accounting it already does.
 */
static bool bm_foreground_busy(struct bm_resync *rs, u64 now)
{
	struct blkmirror *m = rs->m;
	bool parked;
	u64 ios;

	if (now - rs->fg_ns < BM_FG_SAMPLE_NS)
		return rs->fg_busy;
	ios = part_stat_read_accum(m->disk->part0, ios);
	/*
	 * Writes parked behind the copy are foreground I/O in flight that
	 * cannot complete: without them a writer stuck there looks idle.
	 */
	spin_lock_irq(&m->lock);
	parked = !bio_list_empty(&m->parked);
	spin_unlock_irq(&m->lock);
	if (ios != rs->fg_ios || parked) {
		rs->fg_quiet = 0;
		rs->fg_busy = true;
	} else if (rs->fg_quiet < BM_FG_IDLE_LOOKS) {
		rs->fg_busy = ++rs->fg_quiet < BM_FG_IDLE_LOOKS;
	}
	rs->fg_ios = ios;
	rs->fg_ns = now;
	return rs->fg_busy;
}

/*
 * Jiffies to wait before the next region may start; 0: go.  Under
 * foreground load the copy keeps to its floor, otherwise to its cap.
 */
static unsigned long bm_throttle(struct bm_resync *rs, u64 now)
{
	struct blkmirror *m = rs->m;
	bool busy = bm_foreground_busy(rs, now);
	u64 max_rate = READ_ONCE(m->max_rate);
	u64 min_rate = READ_ONCE(m->min_rate);
	u64 limit = max_rate;
	u64 delay;

	/* A floor of 0 under load: nothing, until the foreground is idle. */
	if (busy && !min_rate) {
		WRITE_ONCE(m->yielding, true);
		return max_t(unsigned long, nsecs_to_jiffies(BM_FG_SAMPLE_NS), 1);
	}
	/* The floor is a limit only where it is below the cap. */
	if (busy && (!max_rate || min_rate < max_rate))
		limit = min_rate;
	WRITE_ONCE(m->yielding, busy && limit != max_rate);
	/*
	 * A new limit applies from now on, not retroactively.  Only a new
	 * limit: a busy flip that keeps it (a cap below the floor) must not
	 * forget the bytes already owed, or every flip admits a region.
	 */
	if (limit != rs->throttle_rate) {
		rs->throttle_rate = limit;
		rs->throttle_start_ns = now;
		rs->throttle_bytes = 0;
	}
	delay = bm_throttle_delay(rs->throttle_bytes,
				  now - rs->throttle_start_ns, limit);
	if (!delay)
		return 0;
	/* Sleep no longer than a look, to see the foreground stop. */
	delay = min_t(u64, delay, BM_FG_SAMPLE_NS);
	return max_t(unsigned long, nsecs_to_jiffies(delay), 1);
}

static void bm_sample_rate(struct bm_resync *rs, u64 now)
{
	u64 dt = now - rs->sample_ns;

	if (dt < BM_RATE_SAMPLE_NS)
		return;
	WRITE_ONCE(rs->m->rate, bm_rate(rs->copied_bytes - rs->sample_bytes,
					dt));
	rs->sample_ns = now;
	rs->sample_bytes = rs->copied_bytes;
}

/* Start copies in free slots.  Returns how long to sleep at most. */
static unsigned long bm_fill(struct bm_resync *rs)
{
	struct blkmirror *m = rs->m;
	struct bm_copy_slot *slot;
	u64 region;

	while ((slot = bm_free_slot(rs)) && !kthread_should_stop()) {
		unsigned long delay = bm_throttle(rs, ktime_get_ns());

		if (delay)
			return delay;
		if (!bm_claim(rs, &region))
			break;
		slot->busy = true;
		slot->region = region;
		slot->sector = bm_region_start(&m->win, region);
		slot->end = bm_region_end(&m->win, region);
		slot->probe_end = 0;
		rs->throttle_bytes += (u64)(slot->end - slot->sector) <<
				      SECTOR_SHIFT;
		rs->nr_busy++;
		bm_copy_next_chunk(slot);
	}
	return HZ;
}

/* ---------------- Thread ---------------- */

static void bm_resync_free_pages(struct bm_resync *rs);

static bool bm_copy_active(struct bm_resync *rs)
{
	return READ_ONCE(rs->m->state) == BLKMIRROR_STATE_RESYNCING &&
	       !kthread_should_stop();
}

static bool bm_copy_complete(struct bm_resync *rs)
{
	struct blkmirror *m = rs->m;
	bool done;

	spin_lock_irq(&m->lock);
	done = bm_window_done(&m->win) && !rs->nr_busy &&
	       rs->abandoned == U64_MAX;
	spin_unlock_irq(&m->lock);
	return done;
}

static void bm_finish(struct bm_resync *rs)
{
	struct blkmirror *m = rs->m;
	int ret;

	/* The copy's writes are only durable once the secondary says so. */
	ret = blkdev_issue_flush(m->legs[BM_SECONDARY].bdev);
	if (ret) {
		atomic64_inc(&m->legs[BM_SECONDARY].stats.flush_errors);
		bm_fail_leg(m, BM_SECONDARY, ret, 0);
		return;
	}
	atomic64_inc(&m->legs[BM_SECONDARY].stats.flushes);
	bm_event_complete(m);
}

static int bm_resync_thread(void *data)
{
	struct bm_resync *rs = data;
	struct blkmirror *m = rs->m;
	unsigned int noio;
	bool complete = false;

	/*
	 * Writes park behind this thread, and a filesystem's reclaim can wait
	 * on one of them: nothing we allocate may recurse into I/O.
	 */
	noio = memalloc_noio_save();
	rs->sample_ns = ktime_get_ns();
	rs->fg_ns = rs->sample_ns;
	rs->fg_quiet = BM_FG_IDLE_LOOKS;
	rs->fg_ios = part_stat_read_accum(m->disk->part0, ios);
	while (bm_copy_active(rs)) {
		unsigned long timeout;

		WRITE_ONCE(rs->kicked, false);
		bm_reap(rs);
		bm_advance(rs);
		bm_sample_rate(rs, ktime_get_ns());
		if (bm_copy_complete(rs)) {
			complete = true;
			break;
		}
		timeout = bm_fill(rs);
		wait_event_interruptible_timeout(rs->wq,
						 bm_have_done(rs) ||
						 READ_ONCE(rs->kicked) ||
						 kthread_should_stop(),
						 timeout);
		cond_resched();
	}

	/* Stopping or failed: let every copy I/O in flight come back. */
	while (rs->nr_busy) {
		wait_event(rs->wq, bm_have_done(rs));
		bm_reap(rs);
	}
	WRITE_ONCE(m->rate, 0);
	WRITE_ONCE(m->yielding, false);

	if (complete) {
		bm_finish(rs);
	} else {
		/* Abandoned: the secondary gets no more writes. */
		spin_lock_irq(&m->lock);
		m->copying = false;
		spin_unlock_irq(&m->lock);
	}
	bm_release_parked(m);
	/* The copy is over either way; its buffers are not needed again. */
	bm_resync_free_pages(rs);
	memalloc_noio_restore(noio);
	return 0;
}

/* ---------------- Setup and teardown ---------------- */

static void bm_resync_free_pages(struct bm_resync *rs)
{
	unsigned int i, j;

	for (i = 0; i < rs->nr_slots; i++) {
		struct bm_copy_slot *slot = &rs->slots[i];

		if (!slot->pages)
			continue;
		for (j = 0; j < rs->chunk_bytes / PAGE_SIZE; j++)
			if (slot->pages[j])
				__free_page(slot->pages[j]);
		kfree(slot->pages);
		slot->pages = NULL;
	}
}

static void bm_resync_free(struct bm_resync *rs)
{
	bm_resync_free_pages(rs);
	bioset_exit(&rs->bs);
	kfree(rs);
}

static struct bm_resync *bm_resync_alloc(struct blkmirror *m)
{
	unsigned int chunk = min_t(unsigned int, m->region_bytes,
				   BM_COPY_IO_MAX);
	unsigned int nr_slots = clamp(BM_COPY_INFLIGHT / chunk,
				      BM_COPY_SLOTS_MIN, BM_COPY_SLOTS_MAX);
	unsigned int nr_pages = chunk / PAGE_SIZE;
	struct bm_resync *rs;
	unsigned int i, j;

	rs = kzalloc(struct_size(rs, slots, nr_slots), GFP_KERNEL);
	if (!rs)
		return NULL;
	rs->m = m;
	rs->abandoned = U64_MAX;
	rs->chunk_bytes = chunk;
	rs->block_bytes = max3(m->legs[BM_PRIMARY].lbs,
			       m->legs[BM_SECONDARY].lbs, (unsigned int)SECTOR_SIZE);
	rs->nr_slots = nr_slots;
	init_waitqueue_head(&rs->wq);
	spin_lock_init(&rs->done_lock);
	INIT_LIST_HEAD(&rs->done);
	if (bioset_init(&rs->bs, nr_slots, 0, BIOSET_NEED_BVECS))
		goto fail;

	for (i = 0; i < nr_slots; i++) {
		struct bm_copy_slot *slot = &rs->slots[i];

		slot->rs = rs;
		INIT_LIST_HEAD(&slot->done_node);
		slot->pages = kcalloc(nr_pages, sizeof(*slot->pages),
				      GFP_KERNEL);
		if (!slot->pages)
			goto fail;
		for (j = 0; j < nr_pages; j++) {
			slot->pages[j] = alloc_page(GFP_KERNEL);
			if (!slot->pages[j])
				goto fail;
		}
	}
	return rs;
fail:
	bm_resync_free(rs);
	return NULL;
}

int bm_resync_start(struct blkmirror *m)
{
	struct bm_resync *rs = bm_resync_alloc(m);
	struct task_struct *task;

	if (!rs)
		return -ENOMEM;
	task = kthread_create(bm_resync_thread, rs, "blkmirror/%d", m->index);
	if (IS_ERR(task)) {
		bm_resync_free(rs);
		return PTR_ERR(task);
	}
	/*
	 * Not woken until bm_resync_run().  It may exit on its own when done:
	 * keep a reference for kthread_stop().
	 */
	get_task_struct(task);
	rs->task = task;

	spin_lock_irq(&m->lock);
	m->resync = rs;
	m->copying = true;
	spin_unlock_irq(&m->lock);
	return 0;
}

/* Let the copy begin: after CREATED, so that events come in order. */
void bm_resync_run(struct blkmirror *m)
{
	wake_up_process(m->resync->task);
}

void bm_resync_kick(struct blkmirror *m)
{
	spin_lock_irq(&m->lock);
	if (m->resync) {
		WRITE_ONCE(m->resync->kicked, true);
		wake_up(&m->resync->wq);
	}
	spin_unlock_irq(&m->lock);
}

/* Stop the copy within one copy I/O and free its memory.  Sleeps. */
void bm_resync_stop(struct blkmirror *m)
{
	struct bm_resync *rs;

	spin_lock_irq(&m->lock);
	rs = m->resync;
	spin_unlock_irq(&m->lock);
	if (!rs)
		return;

	kthread_stop(rs->task);
	put_task_struct(rs->task);

	spin_lock_irq(&m->lock);
	m->resync = NULL;
	m->copying = false;
	spin_unlock_irq(&m->lock);
	/* In case the thread never ran: nothing may stay parked. */
	bm_release_parked(m);
	bm_resync_free(rs);
}
