// SPDX-License-Identifier: GPL-2.0
/*
 * Mirror lifecycle: validate and open the legs, build the gendisk, start
 * the copy; and the reverse, in the reverse order.
 */
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "blkmirror.h"
#include "compat.h"
#include "validate.h"

int bm_major;
static u64 bm_next_id;			/* under bm_ctl_mutex */
static DEFINE_IDA(bm_index_ida);

static const char *const bm_leg_names[BM_NR_LEGS] = {
	[BM_PRIMARY] = "primary",
	[BM_SECONDARY] = "secondary",
};

/* ---------------- Block device operations ---------------- */

/*
 * Openers against destroy.  A forced destroy can leave the disk open,
 * and the disk then outlives its mirror: @m is freed at the end of the
 * teardown, and the disk is freed by the block layer when the last
 * opener closes.  As dm does (_minor_lock, a NULL private_data), the
 * teardown unbinds the disk under this lock, and open and release find
 * no mirror rather than a freed one.  The disk has no ->free_disk: on
 * 6.1 blkdev_put() drops our module reference before its last
 * put_device(), so the disk's release may run while the module exits,
 * and no function of ours may run there.  What remains is the block
 * layer's own: disk_release() still reads ->free_disk through
 * disk->fops, our rodata, after that module_put(); an opener preempted
 * between the two while rmmod completes would fault.  md and dm have
 * the same window; it needs a forced destroy of an open mirror and an
 * unload within it.
 */
static DEFINE_MUTEX(bm_open_mutex);

int bm_open_disk(struct gendisk *disk)
{
	struct blkmirror *m;
	int ret = -ENXIO;

	mutex_lock(&bm_open_mutex);
	m = disk->private_data;
	if (m && !m->closing) {
		m->openers++;
		ret = 0;
	}
	mutex_unlock(&bm_open_mutex);
	return ret;
}

void bm_release_disk(struct gendisk *disk)
{
	struct blkmirror *m;

	mutex_lock(&bm_open_mutex);
	m = disk->private_data;
	if (m)
		m->openers--;
	mutex_unlock(&bm_open_mutex);
}

/* From here the disk, whoever still holds it open, reaches no mirror. */
static void bm_unbind_disk(struct blkmirror *m)
{
	mutex_lock(&bm_open_mutex);
	m->disk->private_data = NULL;
	mutex_unlock(&bm_open_mutex);
}

static void bm_free(struct blkmirror *m);

static const struct block_device_operations bm_fops = {
	.owner = THIS_MODULE,
	.submit_bio = bm_submit_bio,
	.open = bm_fops_open,
	.release = bm_fops_release,
};

/* ---------------- Validation ---------------- */

/*
 * @detail: the message may quote what was sent.  Only where the 6.1
 * formatted-message ring is safe to use (see blkmirror.h); otherwise the
 * text is fixed and the caller knows what it sent.
 */
int bm_name_valid(const char *name, bool detail,
		  struct netlink_ext_ack *extack)
{
	size_t pos;

	switch (bm_name_check(name, &pos)) {
	case BM_NAME_OK:
		return 0;
	case BM_NAME_EMPTY:
		NL_SET_ERR_MSG(extack, "mirror name is empty");
		break;
	case BM_NAME_TOO_LONG:
		if (detail)
			bm_extack(extack, "mirror name is %zu bytes long, the limit is %d",
				  strlen(name), BLKMIRROR_NAME_MAX);
		else
			NL_SET_ERR_MSG(extack, "mirror name is too long, the limit is "
				       __stringify(BLKMIRROR_NAME_MAX));
		break;
	case BM_NAME_BAD_START:
		NL_SET_ERR_MSG(extack, "mirror name must not start with '.' or '-'");
		break;
	case BM_NAME_BAD_CHAR:
		if (detail)
			bm_extack(extack,
				  "mirror name has byte 0x%02x at %zu; use A-Z a-z 0-9 _ - .",
				  (unsigned char)name[pos], pos);
		else
			NL_SET_ERR_MSG(extack,
				       "mirror name has a byte other than A-Z a-z 0-9 _ - .");
		break;
	}
	return -EINVAL;
}

/* Is @devt a blkmirror whose legs include @other, at any depth? */
bool bm_stacked_on(dev_t devt, dev_t other)
{
	struct blkmirror *m = bm_find_devt(devt);
	int i;

	if (!m)
		return false;
	for (i = 0; i < BM_NR_LEGS; i++)
		if (m->legs[i].devt == other ||
		    bm_stacked_on(m->legs[i].devt, other))
			return true;
	return false;
}

/* The device at @path, for a refusal that names the leg. */
int bm_lookup_leg(int i, const char *path, dev_t *devt,
		  struct netlink_ext_ack *extack)
{
	int ret = lookup_bdev(path, devt);

	if (ret == -ENOTBLK)
		bm_extack(extack, "%s %s is not a block device",
			  bm_leg_names[i], path);
	else if (ret)
		bm_extack(extack, "%s %s: cannot look up (error %d)",
			  bm_leg_names[i], path, ret);
	return ret;
}

/* May @spath become the secondary of a mirror whose primary is @pdevt? */
int bm_check_pair(dev_t pdevt, const char *ppath, dev_t sdevt,
		  const char *spath, struct netlink_ext_ack *extack)
{
	if (pdevt == sdevt) {
		bm_extack(extack, "primary %s and secondary %s are the same device %u:%u",
			  ppath, spath, MAJOR(pdevt), MINOR(pdevt));
		return -EINVAL;
	}
	if (bm_stacked_on(pdevt, sdevt)) {
		bm_extack(extack, "primary %s is a blkmirror stacked on secondary %s",
			  ppath, spath);
		return -EINVAL;
	}
	if (bm_stacked_on(sdevt, pdevt)) {
		bm_extack(extack, "secondary %s is a blkmirror stacked on primary %s",
			  spath, ppath);
		return -EINVAL;
	}
	return 0;
}

static int bm_lookup_legs(const struct bm_create_args *args, dev_t *devt,
			  struct netlink_ext_ack *extack)
{
	int ret;

	ret = bm_lookup_leg(BM_PRIMARY, args->paths[BM_PRIMARY],
			    &devt[BM_PRIMARY], extack);
	if (ret || !args->paths[BM_SECONDARY])
		return ret;
	return bm_lookup_leg(BM_SECONDARY, args->paths[BM_SECONDARY],
			     &devt[BM_SECONDARY], extack) ?:
	       bm_check_pair(devt[BM_PRIMARY], args->paths[BM_PRIMARY],
			     devt[BM_SECONDARY], args->paths[BM_SECONDARY],
			     extack);
}

/*
 * Open a leg exclusively.  The primary may be read-only (the mirror then
 * is too); the secondary must take writes.
 *
 * Each leg is claimed by a holder of its own, never the other leg's:
 * the block layer lets a holder claim a partition of a disk it already
 * holds, which would let a leg be a partition of the other.  A switch
 * moves a leg between the slots, so the holder goes with the leg.
 */
int bm_open_leg(struct blkmirror *m, int i, const char *path,
		struct netlink_ext_ack *extack)
{
	struct bm_leg *leg = &m->legs[i];
	struct bm_leg *other = &m->legs[!i];
	struct block_device *bdev;

	leg->holder = other->holder == &m->holders[0] ? &m->holders[1] :
							 &m->holders[0];
	bdev = bm_open_bdev(path, true, leg->holder, &leg->handle);
	if (PTR_ERR_OR_ZERO(bdev) == -EACCES) {
		bdev = bm_open_bdev(path, false, leg->holder, &leg->handle);
		if (!IS_ERR(bdev) && !bdev_read_only(bdev)) {
			bm_close_bdev(bdev, leg->handle, false);
			bdev = ERR_PTR(-EACCES);
		}
		if (!IS_ERR(bdev))
			leg->read_only = true;
	}
	if (IS_ERR(bdev)) {
		int err = PTR_ERR(bdev);

		if (err == -EBUSY)
			bm_extack(extack, "%s %s is in use (mounted or held)",
				  bm_leg_names[i], path);
		else
			bm_extack(extack, "%s %s: cannot open (error %d)",
				  bm_leg_names[i], path, err);
		return err;
	}
	leg->bdev = bdev;
	leg->devt = bdev->bd_dev;
	leg->lbs = bdev_logical_block_size(bdev);
	leg->path = kstrdup(path, GFP_KERNEL);
	if (!leg->path)
		return -ENOMEM;
	if (i == BM_SECONDARY && leg->read_only) {
		bm_extack(extack, "secondary %s is read-only", path);
		return -EROFS;
	}
	return 0;
}

/*
 * Close leg @i and forget it; its path is freed too.  No I/O may be in
 * flight to it, and its holder link must be gone.
 */
void bm_release_leg(struct bm_leg *leg)
{
	if (leg->bdev)
		bm_close_bdev(leg->bdev, leg->handle, !leg->read_only);
	kfree(leg->path);
	memset(leg, 0, sizeof(*leg));
}

void bm_close_leg(struct blkmirror *m, int i)
{
	bm_release_leg(&m->legs[i]);
}

static void bm_close_legs(struct blkmirror *m)
{
	int i;

	for (i = BM_NR_LEGS - 1; i >= 0; i--)
		bm_close_leg(m, i);
}

/* What every leg must be, alone. */
static int bm_check_leg(struct bm_leg *leg, const char *what,
			struct netlink_ext_ack *extack)
{
	if (!bdev_nr_bytes(leg->bdev)) {
		bm_extack(extack, "%s %s is empty", what, leg->path);
		return -EINVAL;
	}
	/* Zoned legs need sequential writes; the copy and routing do not keep to that. */
	if (bdev_is_zoned(leg->bdev)) {
		bm_extack(extack, "%s %s is zoned; zoned devices are not supported",
			  what, leg->path);
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * The secondary against the primary: the same size, block sizes that
 * divide each other, and a size that both can address.  @max_lbs: the
 * largest logical block size it may have; a mirror that exists keeps
 * the block size its users see.
 */
int bm_check_secondary(struct blkmirror *m, unsigned int max_lbs,
		       struct netlink_ext_ack *extack)
{
	struct bm_leg *p = &m->legs[BM_PRIMARY], *s = &m->legs[BM_SECONDARY];
	u64 psize = bdev_nr_bytes(p->bdev), ssize = bdev_nr_bytes(s->bdev);
	unsigned int lo = min(p->lbs, s->lbs), hi = max(p->lbs, s->lbs);
	int ret;

	ret = bm_check_leg(s, "secondary", extack);
	if (ret)
		return ret;
	if (psize != ssize) {
		bm_extack(extack, "sizes differ: primary %s %llu bytes, secondary %s %llu bytes",
			  p->path, psize, s->path, ssize);
		return -EINVAL;
	}
	if (hi % lo) {
		bm_extack(extack, "block sizes %u (%s) and %u (%s) are not multiples",
			  p->lbs, p->path, s->lbs, s->path);
		return -EINVAL;
	}
	if (psize % hi) {
		bm_extack(extack, "size %llu bytes is not a multiple of block size %u",
			  psize, hi);
		return -EINVAL;
	}
	if (s->lbs > max_lbs) {
		bm_extack(extack,
			  "secondary %s has %u-byte blocks, larger than the %u bytes of mirror %s",
			  s->path, s->lbs, max_lbs, m->name);
		return -EINVAL;
	}
	return 0;
}

/* ---------------- The disk ---------------- */

static void bm_build_limits(struct blkmirror *m, struct queue_limits *lim)
{
	struct block_device *p = m->legs[BM_PRIMARY].bdev;
	struct block_device *s = m->legs[BM_SECONDARY].bdev;

	/*
	 * Stacking gives the larger block sizes and io hints and the smaller
	 * transfer limits.  Discard follows the primary alone: it is what
	 * reads are served from.  Write-zeroes must reach both legs or they
	 * would differ, so it stays the minimum of the two.  A mirror made
	 * with one leg offers none: the secondary attached later may lack
	 * it, and the limits of a disk in use are not taken back.
	 */
	blk_set_stacking_limits(lim);
	/*
	 * A leg's queue limits are its whole disk's: where a partition
	 * starts decides its alignment, as in dm_set_device_limits().
	 */
	blk_stack_limits(lim, &bdev_get_queue(p)->limits, get_start_sect(p));
	if (s)
		blk_stack_limits(lim, &bdev_get_queue(s)->limits,
				 get_start_sect(s));
	else
		lim->max_write_zeroes_sectors = 0;
	/* We refuse it: what the legs could do must not be advertised. */
	lim->max_secure_erase_sectors = 0;
	lim->max_discard_sectors = bdev_max_discard_sectors(p);
	lim->max_hw_discard_sectors = bdev_max_discard_sectors(p);
	lim->discard_granularity = bdev_get_queue(p)->limits.discard_granularity;
	if (!lim->discard_granularity && lim->max_discard_sectors)
		lim->discard_granularity = lim->logical_block_size;
	/*
	 * Flushes and FUA pass through whatever the legs are, so that a leg
	 * attached later with a volatile cache is flushed too.
	 */
	bm_limits_set_cache(lim, true, true);
	bm_limits_set_io_stat(lim);
}

static int bm_alloc_gendisk(struct blkmirror *m)
{
	struct block_device *p = m->legs[BM_PRIMARY].bdev;
	struct block_device *s = m->legs[BM_SECONDARY].bdev;
	struct queue_limits lim;
	struct gendisk *disk;
	int ret;

	bm_build_limits(m, &lim);
	disk = bm_alloc_disk(&lim);
	if (IS_ERR(disk))
		return PTR_ERR(disk);

	disk->major = bm_major;
	disk->first_minor = m->index;
	disk->minors = 1;
	disk->fops = &bm_fops;
	disk->private_data = m;
	disk->flags |= GENHD_FL_NO_PART;
	snprintf(disk->disk_name, DISK_NAME_LEN, "blkmirror%d", m->index);
	set_capacity(disk, bdev_nr_sectors(p));
	set_disk_ro(disk, m->legs[BM_PRIMARY].read_only);
	bm_disk_set_cache(disk, true, true);
	bm_disk_set_io_stat(disk);
	ret = bm_disk_stack_flags(disk, p, s ?: p);
	if (ret) {
		put_disk(disk);
		return ret;
	}
	m->disk = disk;
	return 0;
}

/* ---------------- Create and destroy ---------------- */

static void bm_degraded_workfn(struct work_struct *work)
{
	struct blkmirror *m = container_of(work, struct blkmirror,
					   degraded_work);

	bm_resync_kick(m);
	bm_event_degraded(m);
}

static struct blkmirror *bm_alloc(const struct bm_create_args *args)
{
	struct blkmirror *m;
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return NULL;
	strscpy(m->name, args->name, sizeof(m->name));
	m->region_bytes = args->region_bytes;
	m->max_rate = args->max_rate;
	m->min_rate = args->min_rate;
	m->state = BLKMIRROR_STATE_RESYNCING;
	m->index = -1;
	mutex_init(&m->event_mutex);
	spin_lock_init(&m->lock);
	bio_list_init(&m->parked);
	init_waitqueue_head(&m->ahead_wq);
	init_waitqueue_head(&m->inflight_wq);
	init_waitqueue_head(&m->sec_wq);
	bio_list_init(&m->held);
	INIT_WORK(&m->degraded_work, bm_degraded_workfn);
	init_llist_head(&m->read_retries);
	INIT_WORK(&m->read_retry_work, bm_read_retry_workfn);
	mutex_init(&m->quiesce_mutex);
	INIT_WORK(&m->repair_work, bm_repair_workfn);
	bio_list_init(&m->fenced);
	INIT_WORK(&m->fence_work, bm_fence_workfn);
	spin_lock_init(&m->unreadable.lock);

	/*
	 * The primary clone carries the per-request state in front of it.
	 * Clones share the caller's bvecs and flushes have none: neither
	 * pool needs a bvec pool of its own.
	 */
	ret = bioset_init(&m->clone_bs, BIO_POOL_SIZE,
			  offsetof(struct bm_io, clone), 0);
	if (ret)
		goto free;
	ret = bioset_init(&m->leg_bs, BIO_POOL_SIZE, 0, 0);
	if (ret)
		goto exit_clone;
	ret = bioset_init(&m->split_bs, BIO_POOL_SIZE, 0, 0);
	if (ret)
		goto exit_leg;
	ret = ida_alloc_max(&bm_index_ida, MINORMASK, GFP_KERNEL);
	if (ret < 0)
		goto exit_split;
	m->index = ret;
	return m;

exit_split:
	bioset_exit(&m->split_bs);
exit_leg:
	bioset_exit(&m->leg_bs);
exit_clone:
	bioset_exit(&m->clone_bs);
free:
	kfree(m);
	return NULL;
}

/*
 * Undo bm_alloc(); legs are closed by then, the disk is unbound or was
 * never added, and no work item may be queued again.  The repair work
 * is flushed by the teardown, not here: create's error path calls this
 * under bm_ctl_mutex, and a repair takes m->quiesce_mutex, which a
 * switch holds while it takes bm_ctl_mutex (a mirror never added had no
 * read to repair, but lockdep would see the inverted order all the same).
 */
static void bm_free(struct blkmirror *m)
{
	flush_work(&m->degraded_work);
	flush_work(&m->read_retry_work);
	flush_work(&m->fence_work);
	if (m->index >= 0)
		ida_free(&bm_index_ida, m->index);
	bioset_exit(&m->split_bs);
	bioset_exit(&m->leg_bs);
	bioset_exit(&m->clone_bs);
	kfree(m);
}

struct blkmirror *bm_create(const struct bm_create_args *args,
			    struct netlink_ext_ack *extack)
{
	dev_t devt[BM_NR_LEGS];
	struct blkmirror *m;
	int i, nr_legs, ret;

	lockdep_assert_held(&bm_ctl_mutex);
	ret = bm_name_valid(args->name, true, extack);
	if (ret)
		return ERR_PTR(ret);
	if (bm_find(args->name)) {
		bm_extack(extack, "a mirror named %s already exists", args->name);
		return ERR_PTR(-EEXIST);
	}
	if (bm_name_taken(args->name)) {
		bm_extack(extack, "mirror %s is still being destroyed", args->name);
		return ERR_PTR(-EBUSY);
	}
	if (!bm_region_size_valid(args->region_bytes)) {
		bm_extack(extack, "region size %u is not a power of two in [%u, %u]",
			  args->region_bytes, BLKMIRROR_REGION_MIN,
			  BLKMIRROR_REGION_MAX);
		return ERR_PTR(-EINVAL);
	}
	ret = bm_lookup_legs(args, devt, extack);
	if (ret)
		return ERR_PTR(ret);

	m = bm_alloc(args);
	if (!m)
		return ERR_PTR(-ENOMEM);
	nr_legs = args->paths[BM_SECONDARY] ? 2 : 1;
	for (i = 0; i < nr_legs; i++) {
		ret = bm_open_leg(m, i, args->paths[i], extack);
		if (ret)
			goto close_legs;
	}
	ret = bm_check_leg(&m->legs[BM_PRIMARY], "primary", extack);
	if (!ret && nr_legs == 2)
		ret = bm_check_secondary(m, UINT_MAX, extack);
	if (ret)
		goto close_legs;
	ret = bm_window_init(&m->win, bdev_nr_sectors(m->legs[0].bdev),
			     m->region_bytes);
	if (ret)
		goto close_legs;
	ret = bm_alloc_gendisk(m);
	if (ret)
		goto close_legs;
	if (nr_legs == 2) {
		ret = bm_resync_start(m);
		if (ret)
			goto put_disk;
	} else {
		m->state = BLKMIRROR_STATE_SINGLE;
	}

	ret = add_disk(m->disk);
	if (ret)
		goto stop_resync;
	for (i = 0; i < nr_legs; i++) {
		ret = bd_link_disk_holder(m->legs[i].bdev, m->disk);
		if (ret)
			goto unlink_holders;
	}
	ret = bm_sysfs_add(m);
	if (ret)
		goto unlink_holders;

	__module_get(THIS_MODULE);
	m->id = ++bm_next_id;
	list_add_tail(&m->node, &bm_mirrors);
	bm_event_created(m);
	bm_uevent(m);
	if (nr_legs == 2) {
		bm_event_progress(m, true);
		bm_resync_run(m);
	}
	return m;

unlink_holders:
	while (--i >= 0)
		bd_unlink_disk_holder(m->legs[i].bdev, m->disk);
	WRITE_ONCE(m->dying, true);
	bm_resync_stop(m);
	del_gendisk(m->disk);
	smp_mb();	/* ->dying before ->inflight; see bm_destroy_finish() */
	wait_event(m->inflight_wq, !atomic_read(&m->inflight));
	synchronize_rcu();
	bm_close_legs(m);
	bm_unbind_disk(m);	/* an opener (udev) may hold it still */
	put_disk(m->disk);
	bm_free(m);
	return ERR_PTR(ret);
stop_resync:
	bm_resync_stop(m);
put_disk:
	put_disk(m->disk);	/* never added: ->free_disk is not called */
close_legs:
	bm_close_legs(m);
	bm_free(m);
	return ERR_PTR(ret);
}

/*
 * Take @m out of service: refuse if it is open (unless @force), refuse
 * new openers, and move it to bm_dying so that no lookup finds it again.  The
 * caller then runs bm_destroy_finish() without bm_ctl_mutex.
 */
/* Is a migration command under way on @m?  bm_ctl_mutex held. */
bool bm_busy(struct blkmirror *m, struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&bm_ctl_mutex);
	if (!m->busy)
		return false;
	bm_extack(extack, "mirror %s is busy: a %s is under way", m->name,
		  m->busy);
	return true;
}

int bm_destroy_begin(struct blkmirror *m, bool force,
		     struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&bm_ctl_mutex);
	if (bm_busy(m, extack))
		return -EBUSY;
	mutex_lock(&bm_open_mutex);
	if (m->openers && !force) {
		mutex_unlock(&bm_open_mutex);
		bm_extack(extack, "mirror %s (/dev/%s) is open; force tears it down",
			  m->name, m->disk->disk_name);
		return -EBUSY;
	}
	m->closing = true;
	mutex_unlock(&bm_open_mutex);
	list_move_tail(&m->node, &bm_dying);
	return 0;
}

/*
 * Tear down in the reverse order of bm_create().  Cannot fail: the worst
 * a stuck leg can do is make this wait, and only this.
 */
void bm_destroy_finish(struct blkmirror *m)
{
	int i;

	/*
	 * The copy stops within one copy I/O and hands back parked writes;
	 * from here writes go to the primary alone, or to both legs if they
	 * are in sync.
	 */
	bm_resync_stop(m);
	bm_sysfs_del(m);
	for (i = 0; i < BM_NR_LEGS; i++)
		if (m->legs[i].bdev)
			bd_unlink_disk_holder(m->legs[i].bdev, m->disk);
	/*
	 * I/O still works while del_gendisk() writes back what a forced
	 * destroy's openers left dirty in the page cache; it then drains
	 * submitters and the block layer fails later bios itself.
	 */
	del_gendisk(m->disk);
	WRITE_ONCE(m->dying, true);

	/*
	 * Clones still point at the legs: let every one of them finish.  The
	 * barrier orders ->dying before reading ->inflight; it pairs with
	 * bm_submit_bio() and bm_inflight_put().  The grace period lets a
	 * bm_inflight_put() that took the count to zero finish its wake-up
	 * before @m can be freed.
	 */
	smp_mb();
	wait_event(m->inflight_wq, !atomic_read(&m->inflight));
	synchronize_rcu();
	flush_work(&m->degraded_work);
	/* Its last retry has completed; let the work item return. */
	flush_work(&m->read_retry_work);
	/*
	 * A repair is queued by a retry that is still in flight, and one
	 * under way counts itself in ->inflight: both are over by now, and
	 * whatever is still queued finds ->dying and lets the legs be.
	 */
	flush_work(&m->repair_work);
	/* Fenced writes are counted in ->inflight: all sent by now. */
	flush_work(&m->fence_work);

	for (i = 0; i < BM_NR_LEGS; i++) {
		if (!m->legs[i].bdev ||
		    (i == BM_SECONDARY && m->state == BLKMIRROR_STATE_DEGRADED &&
		     m->fail_leg == BLKMIRROR_LEG_SECONDARY))
			continue;
		blkdev_issue_flush(m->legs[i].bdev);
	}
	bm_close_legs(m);
	bm_event_destroyed(m);

	/* Only now may the name be used again: after its DESTROYED event. */
	mutex_lock(&bm_ctl_mutex);
	list_del(&m->node);
	mutex_unlock(&bm_ctl_mutex);
	/*
	 * Nothing reaches @m any more: the block layer fails new bios since
	 * del_gendisk(), ours have all completed, the work items are done
	 * and an opener's release finds the disk unbound.  The disk itself
	 * goes with its last opener.  Our work item returns through module
	 * code after the put; module exit destroys bm_wq, which waits for it.
	 */
	bm_unbind_disk(m);
	put_disk(m->disk);
	bm_free(m);
	module_put(THIS_MODULE);
}

int bm_init_disks(void)
{
	int ret = register_blkdev(0, "blkmirror");

	if (ret < 0)
		return ret;
	bm_major = ret;
	return 0;
}

/* Every mirror is freed before its teardown drops its module reference. */
void bm_exit_disks(void)
{
	unregister_blkdev(bm_major, "blkmirror");
	ida_destroy(&bm_index_ida);
}
