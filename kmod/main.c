// SPDX-License-Identifier: GPL-2.0
/*
 * blkmirror: a block device that serves I/O from a primary leg while a
 * kernel thread builds an exact, live copy of it on a secondary leg.
 *
 * This file holds module init/exit and the registry of mirrors.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <linux/workqueue.h>

#include "blkmirror.h"

/* Serialises create, the start of destroy and every walk of the lists. */
DEFINE_MUTEX(bm_ctl_mutex);
LIST_HEAD(bm_mirrors);
LIST_HEAD(bm_dying);
struct workqueue_struct *bm_wq;
struct workqueue_struct *bm_io_wq;
struct workqueue_struct *bm_repair_wq;

struct blkmirror *bm_find(const char *name)
{
	struct blkmirror *m;

	lockdep_assert_held(&bm_ctl_mutex);
	list_for_each_entry(m, &bm_mirrors, node)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

/* Live or still being torn down: either way, not free for a new mirror. */
bool bm_name_taken(const char *name)
{
	struct blkmirror *m;

	if (bm_find(name))
		return true;
	list_for_each_entry(m, &bm_dying, node)
		if (!strcmp(m->name, name))
			return true;
	return false;
}

struct blkmirror *bm_find_devt(dev_t devt)
{
	struct blkmirror *m;

	lockdep_assert_held(&bm_ctl_mutex);
	list_for_each_entry(m, &bm_mirrors, node)
		if (disk_devt(m->disk) == devt)
			return m;
	return NULL;
}

static int __init bm_init(void)
{
	int ret;

	/* Unbound: each stuck teardown gets a worker and holds up no other. */
	bm_wq = alloc_workqueue("blkmirror", WQ_UNBOUND, 0);
	if (!bm_wq)
		return -ENOMEM;
	/*
	 * Unbound as well: from 7.x a queue must say which it is (per-CPU
	 * or not), and the kernel warns about one that does not.
	 */
	bm_io_wq = alloc_workqueue("blkmirror_io", WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!bm_io_wq) {
		ret = -ENOMEM;
		goto destroy_wq;
	}
	bm_repair_wq = alloc_workqueue("blkmirror_repair",
				       WQ_MEM_RECLAIM | WQ_UNBOUND, 0);
	if (!bm_repair_wq) {
		ret = -ENOMEM;
		goto destroy_io_wq;
	}
	ret = bm_init_disks();
	if (ret)
		goto destroy_repair_wq;
	ret = bm_netlink_init();
	if (ret)
		goto exit_disks;
	pr_info("blkmirror: version " BM_VERSION " loaded\n");
	return 0;

exit_disks:
	bm_exit_disks();
destroy_repair_wq:
	destroy_workqueue(bm_repair_wq);
destroy_io_wq:
	destroy_workqueue(bm_io_wq);
destroy_wq:
	destroy_workqueue(bm_wq);
	return ret;
}

/*
 * Every mirror holds a module reference, so by the time we get here the
 * registry is empty: there is nothing to tear down but the interfaces.
 * A teardown frees its mirror and then drops its reference from a work
 * item on bm_wq that still returns through our code: destroying the
 * workqueue waits for it.  A disk that outlived its mirror (open during
 * a forced destroy) runs none of our code when it is freed.
 */
static void __exit bm_exit(void)
{
	bm_netlink_exit();
	bm_exit_disks();
	destroy_workqueue(bm_wq);
	destroy_workqueue(bm_repair_wq);
	destroy_workqueue(bm_io_wq);
}

module_init(bm_init);
module_exit(bm_exit);

MODULE_DESCRIPTION("Block device mirror with live background resync");
MODULE_AUTHOR("The blkmirror developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(BM_VERSION);
/* mirrorctl's family lookup loads us, as it loads nl80211 or team. */
MODULE_ALIAS_GENL_FAMILY(BLKMIRROR_GENL_NAME);
