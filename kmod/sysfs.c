// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/block/blkmirrorN/blkmirror/: the mirror behind a disk, read-only,
 * the way dm has /sys/block/dm-N/dm/ and md has /sys/block/mdX/md/.
 * Netlink stays the control interface; this is for udev rules, lsblk-like
 * tools and scripts that only read files.  Every change of state also
 * sends a KOBJ_CHANGE uevent on the disk with BLKMIRROR_NAME and
 * BLKMIRROR_STATE, which is what gives /dev/blkmirror/NAME its link.
 *
 *	name		the mirror's name
 *	state		resyncing, synced, degraded or single
 *	primary		path of the primary leg
 *	secondary	path of the secondary leg, empty with one leg
 *	degraded	1 if a leg failed, else 0
 *	sync_completed	"DONE / TOTAL" in 512-byte sectors while a copy runs,
 *			"none" otherwise (as md's)
 *	sync_speed	the copy's current rate, KiB/s (as md's)
 *	max_rate	the copy's cap, bytes/s, 0 for none
 *	min_rate	the copy's floor under foreground load, bytes/s
 *	unreadable_sectors  sectors of the primary the copy could not read
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "blkmirror.h"

struct bm_sysfs_attr {
	struct attribute attr;
	ssize_t (*show)(struct blkmirror *m, char *buf);
};

const char *bm_state_name(enum blkmirror_state state)
{
	switch (state) {
	case BLKMIRROR_STATE_RESYNCING:	return "resyncing";
	case BLKMIRROR_STATE_SYNCED:	return "synced";
	case BLKMIRROR_STATE_DEGRADED:	return "degraded";
	case BLKMIRROR_STATE_SINGLE:	return "single";
	default:			return "unknown";
	}
}

static enum blkmirror_state bm_sysfs_state(struct blkmirror *m)
{
	enum blkmirror_state state;

	spin_lock_irq(&m->lock);
	state = m->state;
	spin_unlock_irq(&m->lock);
	return state;
}

static ssize_t bm_name_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%s\n", m->name);
}

static ssize_t bm_state_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%s\n", bm_state_name(bm_sysfs_state(m)));
}

/* Leg paths change under bm_ctl_mutex (switch, detach). */
static ssize_t bm_leg_show(struct blkmirror *m, int i, char *buf)
{
	ssize_t ret;

	if (mutex_lock_interruptible(&bm_ctl_mutex))
		return -EINTR;
	ret = sysfs_emit(buf, "%s\n", m->legs[i].path ?: "");
	mutex_unlock(&bm_ctl_mutex);
	return ret;
}

static ssize_t bm_primary_show(struct blkmirror *m, char *buf)
{
	return bm_leg_show(m, BM_PRIMARY, buf);
}

static ssize_t bm_secondary_show(struct blkmirror *m, char *buf)
{
	return bm_leg_show(m, BM_SECONDARY, buf);
}

static ssize_t bm_degraded_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  bm_sysfs_state(m) == BLKMIRROR_STATE_DEGRADED);
}

static ssize_t bm_sync_completed_show(struct blkmirror *m, char *buf)
{
	enum blkmirror_state state;
	sector_t done, total;

	spin_lock_irq(&m->lock);
	state = m->state;
	done = bm_window_synced_bytes(&m->win) >> SECTOR_SHIFT;
	total = m->win.nr_sectors;
	spin_unlock_irq(&m->lock);
	if (state != BLKMIRROR_STATE_RESYNCING)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%llu / %llu\n", (unsigned long long)done,
			  (unsigned long long)total);
}

static ssize_t bm_sync_speed_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(m->rate) >> 10);
}

static ssize_t bm_max_rate_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(m->max_rate));
}

static ssize_t bm_min_rate_show(struct blkmirror *m, char *buf)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(m->min_rate));
}

static ssize_t bm_unreadable_show(struct blkmirror *m, char *buf)
{
	sector_t first;

	return sysfs_emit(buf, "%llu\n", bm_unreadable_get(m, &first));
}

#define BM_ATTR(_name, _show) \
	static struct bm_sysfs_attr bm_attr_##_name = { \
		.attr = { .name = #_name, .mode = 0444 }, .show = _show }

BM_ATTR(name, bm_name_show);
BM_ATTR(state, bm_state_show);
BM_ATTR(primary, bm_primary_show);
BM_ATTR(secondary, bm_secondary_show);
BM_ATTR(degraded, bm_degraded_show);
BM_ATTR(sync_completed, bm_sync_completed_show);
BM_ATTR(sync_speed, bm_sync_speed_show);
BM_ATTR(max_rate, bm_max_rate_show);
BM_ATTR(min_rate, bm_min_rate_show);
BM_ATTR(unreadable_sectors, bm_unreadable_show);

static struct attribute *bm_attrs[] = {
	&bm_attr_name.attr,
	&bm_attr_state.attr,
	&bm_attr_primary.attr,
	&bm_attr_secondary.attr,
	&bm_attr_degraded.attr,
	&bm_attr_sync_completed.attr,
	&bm_attr_sync_speed.attr,
	&bm_attr_max_rate.attr,
	&bm_attr_min_rate.attr,
	&bm_attr_unreadable_sectors.attr,
	NULL,
};
ATTRIBUTE_GROUPS(bm);

static ssize_t bm_attr_show(struct kobject *kobj, struct attribute *attr,
			    char *buf)
{
	struct blkmirror *m = container_of(kobj, struct blkmirror, kobj);

	return container_of(attr, struct bm_sysfs_attr, attr)->show(m, buf);
}

static const struct sysfs_ops bm_sysfs_ops = {
	.show = bm_attr_show,
};

/* The kobject lives in @m; its end only tells bm_sysfs_del(). */
static void bm_kobj_release(struct kobject *kobj)
{
	complete(&container_of(kobj, struct blkmirror, kobj)->kobj_done);
}

/* Not const: 6.1's kobject_init_and_add() takes a plain pointer. */
static struct kobj_type bm_ktype = {
	.sysfs_ops = &bm_sysfs_ops,
	.default_groups = bm_groups,
	.release = bm_kobj_release,
};

int bm_sysfs_add(struct blkmirror *m)
{
	int ret;

	init_completion(&m->kobj_done);
	ret = kobject_init_and_add(&m->kobj, &bm_ktype,
				   &disk_to_dev(m->disk)->kobj, "%s", "blkmirror");
	if (ret) {
		kobject_put(&m->kobj);
		wait_for_completion(&m->kobj_done);
	}
	return ret;
}

/* Readers still in a show() finish first; none start after. */
void bm_sysfs_del(struct blkmirror *m)
{
	kobject_del(&m->kobj);
	kobject_put(&m->kobj);
	wait_for_completion(&m->kobj_done);
}

/*
 * Tell udev what the disk is now.  Best effort, like the netlink events:
 * a uevent that cannot be allocated is only a missed refresh.
 */
void bm_uevent(struct blkmirror *m)
{
	char name[sizeof("BLKMIRROR_NAME=") + BLKMIRROR_NAME_MAX];
	char state[sizeof("BLKMIRROR_STATE=resyncing")];
	char *envp[3];

	envp[0] = name;
	envp[1] = state;
	envp[2] = NULL;
	snprintf(name, sizeof(name), "BLKMIRROR_NAME=%s", m->name);
	snprintf(state, sizeof(state), "BLKMIRROR_STATE=%s",
		 bm_state_name(bm_sysfs_state(m)));
	kobject_uevent_env(&disk_to_dev(m->disk)->kobj, KOBJ_CHANGE, envp);
}
