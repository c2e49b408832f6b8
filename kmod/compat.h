/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, chosen by build-time feature probes
 * (kmod/compat/probe.sh), never by version number.
 *
 * Tested: 6.1.  The newer branches follow the documented API changes of
 * 6.5 (blk_mode_t, holder ops), 6.9 (bdev files, limits at allocation)
 * and 6.11 (queue features) and are untested.
 */
#ifndef BLKMIRROR_COMPAT_H
#define BLKMIRROR_COMPAT_H

#include <linux/blkdev.h>
#include <linux/file.h>
#include <linux/netlink.h>

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

/*
 * Extended ACK text with values in it.  6.2+ formats into the extack.
 * 6.1 only keeps a pointer, read after our handler returns, so the text
 * goes into a small ring of static buffers.  A slot is reused only after
 * BM_EXTACK_SLOTS later formatted messages; a request's ACK is built
 * microseconds after its handler returns, so reuse would take that many
 * failing requests in between.  Only CAP_SYS_ADMIN callers reach it (see
 * bm_extack_may_format()).  If root did race that many of its own
 * refusals, it could read another request's text, or a message that grew
 * while netlink_ack() copied it would be dropped with a WARN; never a
 * stale pointer or a read past the ring.
 */
#if defined(HAVE_NL_SET_ERR_MSG_FMT)
#define bm_extack(extack, fmt, ...) NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)
#else
#define BM_EXTACK_SLOTS	64
#define BM_EXTACK_LEN	192
__printf(2, 3) void bm_extack_fmt(struct netlink_ext_ack *extack,
				  const char *fmt, ...);
#define bm_extack(extack, fmt, ...) bm_extack_fmt(extack, fmt, ##__VA_ARGS__)
#endif

/*
 * May this request's refusal be a formatted message?  Always on 6.2+.  On
 * 6.1 only for CAP_SYS_ADMIN callers: anyone may send GET, and a flood of
 * failing GETs could otherwise rewrite a slot while netlink_ack() sizes
 * and copies it, which trips a WARN there.  Unprivileged refusals are
 * fixed strings.
 */
static inline bool bm_extack_may_format(bool admin)
{
#if defined(HAVE_NL_SET_ERR_MSG_FMT)
	return true;
#else
	return admin;
#endif
}

#endif /* BLKMIRROR_COMPAT_H */
