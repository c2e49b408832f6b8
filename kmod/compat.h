/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, chosen by build-time feature probes
 * (kmod/compat/probe.sh), never by version number.
 *
 * Built and run by make check on 6.1, 6.12 and the newest 7.x, which
 * between them take every branch here: 6.5 (blk_mode_t, holder ops),
 * 6.9 (bdev files, limits at allocation), 6.10 (bdev_fput) and 6.11
 * (queue features).
 */
#ifndef BLKMIRROR_COMPAT_H
#define BLKMIRROR_COMPAT_H

#include <linux/blkdev.h>
#include <linux/file.h>

#include "generated/compat.h"

/*
 * Open @path exclusively for @holder.  Returns the bdev or an ERR_PTR and
 * sets *@handle to what bm_close_bdev() needs back.
 */
static inline struct block_device *
bm_open_bdev(const char *path, bool write, void *holder, void **handle)
{
#if defined(HAVE_BDEV_FILE_OPEN_BY_PATH)
	struct file *f;

	f = bdev_file_open_by_path(path, BLK_OPEN_READ |
				   (write ? BLK_OPEN_WRITE : 0), holder, NULL);
	if (IS_ERR(f))
		return ERR_CAST(f);
	*handle = f;
	return file_bdev(f);
#elif defined(HAVE_BLKDEV_GET_HOLDER_OPS)
	*handle = holder;
	return blkdev_get_by_path(path, BLK_OPEN_READ |
				  (write ? BLK_OPEN_WRITE : 0), holder, NULL);
#else
	*handle = NULL;
	return blkdev_get_by_path(path, FMODE_READ | FMODE_EXCL |
				  (write ? FMODE_WRITE : 0), holder);
#endif
}

/* @write must be what bm_open_bdev() was given. */
static inline void bm_close_bdev(struct block_device *bdev, void *handle,
				 bool write)
{
#if defined(HAVE_BDEV_FPUT)
	/*
	 * fput() from a netlink handler defers the release to the return to
	 * user space; bdev_fput() yields the exclusive claim now, as dm and
	 * md do, so no leg is still claimed when DESTROYED goes out.
	 */
	bdev_fput(handle);
#elif defined(HAVE_BDEV_FILE_OPEN_BY_PATH)
	fput(handle);
#elif defined(HAVE_BLKDEV_GET_HOLDER_OPS)
	blkdev_put(bdev, handle);
#else
	blkdev_put(bdev, FMODE_READ | FMODE_EXCL | (write ? FMODE_WRITE : 0));
#endif
}

/* Allocate a bio-based disk with @lim already in force. */
static inline struct gendisk *bm_alloc_disk(struct queue_limits *lim)
{
#if defined(HAVE_BLK_ALLOC_DISK_LIMITS)
	return blk_alloc_disk(lim, NUMA_NO_NODE);
#else
	struct gendisk *disk = blk_alloc_disk(NUMA_NO_NODE);

	if (!disk)
		return ERR_PTR(-ENOMEM);
	/* Nothing can see the queue yet; dm assigns limits the same way. */
	disk->queue->limits = *lim;
	return disk;
#endif
}

/*
 * Change the limits of a disk in use.  The caller holds and has drained
 * its I/O, as dm does around a table swap, so no bio is in flight under
 * the old limits.  bm_limits_commit() may refuse (6.9+ validates), and
 * then nothing changed.
 */
static inline void bm_limits_start(struct request_queue *q,
				   struct queue_limits *lim)
{
#if defined(HAVE_QUEUE_LIMITS_START_UPDATE)
	*lim = queue_limits_start_update(q);
#else
	*lim = q->limits;
#endif
}

static inline int bm_limits_commit(struct request_queue *q,
				   struct queue_limits *lim)
{
#if defined(HAVE_QUEUE_LIMITS_START_UPDATE)
	return queue_limits_commit_update(q, lim);
#else
	q->limits = *lim;
	return 0;
#endif
}

/* Advertise a volatile write cache and FUA; before allocation on 6.11+. */
static inline void bm_limits_set_cache(struct queue_limits *lim, bool wc,
				       bool fua)
{
#if defined(HAVE_BLK_FEAT_WRITE_CACHE)
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (wc)
		lim->features |= BLK_FEAT_WRITE_CACHE;
	if (fua)
		lim->features |= BLK_FEAT_FUA;
#endif
}

static inline void bm_disk_set_cache(struct gendisk *disk, bool wc, bool fua)
{
#if !defined(HAVE_BLK_FEAT_WRITE_CACHE)
	blk_queue_write_cache(disk->queue, wc, fua);
#endif
}

/*
 * A leg that checksums data in flight needs stable pages from whoever
 * writes through us; and we are non-rotational only if both legs are,
 * since writes go to both.  At allocation blk_stack_limits() inherits both
 * on 6.11+; a leg that comes later (attach) or goes (switch) changes them
 * on a disk in use, so they are set here on every kernel: queue flags
 * before 6.11, queue_limits features from 6.11 (commit 1a02f3a73f8c,
 * "block: move the stable_writes flag to queue_limits").  A filesystem
 * mounted already keeps what it saw at mount, as on any other stacked
 * device whose table changes.
 */
#if defined(HAVE_BLK_FEAT_WRITE_CACHE)
#define BM_STACKED_FEATURES (BLK_FEAT_STABLE_WRITES | BLK_FEAT_ROTATIONAL)

static inline blk_features_t bm_stacked_features(struct block_device *p,
						 struct block_device *s)
{
	/* Read as a feature: bdev_nonrot() became bdev_rot() in 7.x. */
	blk_features_t f = (bdev_get_queue(p)->limits.features |
			    bdev_get_queue(s)->limits.features) &
			   BLK_FEAT_ROTATIONAL;

	if (bdev_stable_writes(p) || bdev_stable_writes(s))
		f |= BLK_FEAT_STABLE_WRITES;
	return f;
}
#endif

/*
 * The same, into limits about to be committed for other reasons (a
 * switch), so that one commit takes all or nothing; before 6.11 there is
 * nothing to put there and bm_disk_stack_flags() sets the flags after.
 */
static inline void bm_limits_stack_features(struct queue_limits *lim,
					    struct block_device *p,
					    struct block_device *s)
{
#if defined(HAVE_BLK_FEAT_WRITE_CACHE)
	lim->features = (lim->features & ~BM_STACKED_FEATURES) |
			bm_stacked_features(p, s);
#endif
}

static inline int bm_disk_stack_flags(struct gendisk *disk,
				      struct block_device *p,
				      struct block_device *s)
{
	struct request_queue *q = disk->queue;
#if defined(HAVE_BLK_FEAT_WRITE_CACHE)
	blk_features_t want = bm_stacked_features(p, s);
	struct queue_limits lim;

	/*
	 * Commit only what changes: a commit on a queue in use revalidates
	 * every limit and rewrites the bdi's from them.  Our callers are
	 * serialised by bm_ctl_mutex, so the unlocked read is stale only
	 * against a sysfs write of rotational, which a commit would undo.
	 */
	if ((READ_ONCE(q->limits.features) & BM_STACKED_FEATURES) == want)
		return 0;
	lim = queue_limits_start_update(q);
	bm_limits_stack_features(&lim, p, s);
	return queue_limits_commit_update(q, &lim);
#else
	bool stable = bdev_stable_writes(p) || bdev_stable_writes(s);
	bool rot = !bdev_nonrot(p) || !bdev_nonrot(s);

	if (stable)
		blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	else
		blk_queue_flag_clear(QUEUE_FLAG_STABLE_WRITES, q);
	if (rot)
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, q);
	else
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	return 0;
#endif
}

/*
 * Account our I/O in /proc/diskstats and the disk's stat file, as md and
 * dm do; bio-based queues do not by default.
 */
static inline void bm_limits_set_io_stat(struct queue_limits *lim)
{
#if defined(HAVE_BLK_FEAT_IO_STAT)
	lim->features |= BLK_FEAT_IO_STAT;
#endif
}

static inline void bm_disk_set_io_stat(struct gendisk *disk)
{
#if !defined(HAVE_BLK_FEAT_IO_STAT)
	blk_queue_flag_set(QUEUE_FLAG_IO_STAT, disk->queue);
#endif
}

/*
 * ->open/->release of our own disk.  The signatures changed in 6.5; the
 * bodies live in device.c as bm_open_disk()/bm_release_disk().
 */
int bm_open_disk(struct gendisk *disk);
void bm_release_disk(struct gendisk *disk);

#if defined(HAVE_GENDISK_OPEN)
static inline int bm_fops_open(struct gendisk *disk, blk_mode_t mode)
{
	return bm_open_disk(disk);
}

static inline void bm_fops_release(struct gendisk *disk)
{
	bm_release_disk(disk);
}
#else
static inline int bm_fops_open(struct block_device *bdev, fmode_t mode)
{
	return bm_open_disk(bdev->bd_disk);
}

static inline void bm_fops_release(struct gendisk *disk, fmode_t mode)
{
	bm_release_disk(disk);
}
#endif

#endif /* BLKMIRROR_COMPAT_H */
