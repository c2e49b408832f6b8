/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blkmirror: internal interfaces between the parts of the module.
 *
 *	main.c		module init/exit, the registry of mirrors
 *	device.c	create/destroy, legs, the gendisk
 *	io.c		foreground I/O: routing, clones, completion
 *	resync.c	the background copy thread
 *	region.c	window arithmetic (pure; see region.h)
 *	unreadable.c	ranges of the primary the copy could not read
 *	migrate.c	attach, switch, detach: legs changing under a live disk
 *	netlink.c	generic netlink commands
 *	events.c	multicast notifications
 *	sysfs.c		/sys/block/blkmirrorN/blkmirror/, uevents
 */
#ifndef BLKMIRROR_H
#define BLKMIRROR_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "uapi/blkmirror.h"
#include "region.h"

#define BM_VERSION	"0.1.0"

struct netlink_ext_ack;
struct sk_buff;
struct genl_family;

enum bm_leg_idx {
	BM_PRIMARY,
	BM_SECONDARY,
	BM_NR_LEGS,
};

struct bm_leg_stats {
	atomic64_t reads;
	atomic64_t writes;
	atomic64_t flushes;
	atomic64_t discards;
	atomic64_t read_errors;
	atomic64_t write_errors;
	atomic64_t flush_errors;
	atomic64_t copy_bytes;
};

struct bm_leg {
	struct block_device *bdev;	/* NULL: no such leg (state SINGLE) */
	void *holder;			/* one of blkmirror.holders[] */
	void *handle;			/* what closing takes back; see compat.h */
	char *path;
	dev_t devt;
	unsigned int lbs;
	bool read_only;
	struct bm_leg_stats stats;
};

struct bm_resync;

/* Ranges waiting for a read repair, at most; more are not repaired. */
#define BM_REPAIR_QUEUE		16

/* unreadable.c: what the copy could not read from the primary. */
#define BM_UNREADABLE_MAX	16

struct bm_unreadable {
	spinlock_t lock;		/* taken from bio completion */
	unsigned int nr;
	bool overflow;			/* a range had no room in @r */
	u64 sectors;			/* READ_ONCE; all ranges, listed or not */
	struct {
		sector_t start, end;
	} r[BM_UNREADABLE_MAX];
};

/* Per-request state, carried in the front pad of the primary clone. */
struct bm_io {
	struct blkmirror *m;
	struct bio *orig;
	atomic_t remaining;		/* legs still in flight */
	/*
	 * Each leg's completion writes only its own verdict, so that they
	 * need no ordering between them; bm_io_put() decides.
	 */
	blk_status_t status[BM_NR_LEGS];
	int ahead_gen;			/* counted in m->ahead[], or -1 */
	bool acct;			/* in the disk's I/O statistics */
	bool flush_only;		/* the secondary got an empty flush */
	bool mirrored;			/* the secondary got the request too */
	bool sec_held;			/* a count in m->sec_inflight until done */
	bool notsupp[BM_NR_LEGS];	/* the leg lacks this discard/zeroes */
	unsigned long start_time;	/* for them, from bio_start_io_acct() */
	struct llist_node retry_node;	/* m->read_retries */
	struct bio clone;		/* must be last */
};

struct blkmirror {
	struct list_head node;		/* bm_mirrors or bm_dying, under bm_ctl_mutex */
	u64 id;				/* creation order; resumes dumps */
	char name[BLKMIRROR_NAME_MAX + 1];
	int index;			/* minor and disk name suffix */
	struct gendisk *disk;
	struct bm_leg legs[BM_NR_LEGS];
	char holders[BM_NR_LEGS];	/* exclusive-open holders; see bm_open_leg() */
	unsigned int region_bytes;
	/*
	 * Under bm_ctl_mutex: the migration command under way (attach,
	 * switch, detach), or NULL.  One at a time per mirror, and no
	 * destroy meanwhile.
	 */
	const char *busy;

	/* Openers versus destroy: under device.c's bm_open_mutex. */
	unsigned int openers;
	bool closing;			/* destroy has begun: no new openers */

	/*
	 * @lock protects the routing state: @win, @state, @copying, @parked
	 * and the failure record.  Taken from bio completion, so irqsave
	 * outside process context.
	 */
	spinlock_t lock;
	struct bm_window win;
	enum blkmirror_state state;
	bool copying;			/* the copy thread owns the window */
	struct bio_list parked;		/* writes waiting for a region copy */
	enum blkmirror_leg fail_leg;
	int fail_errno;
	sector_t fail_sector;

	/*
	 * Writes routed ahead of the copy, counted per generation.  Claiming
	 * a region flips the generation and waits for the old one to drain,
	 * so no write that predates the claim can land under the copy.
	 */
	unsigned int ahead_gen;
	atomic_t ahead[2];
	wait_queue_head_t ahead_wq;

	/* Every bio accepted by submit_bio until it completes. */
	atomic_t inflight;
	wait_queue_head_t inflight_wq;
	bool dying;			/* READ_ONCE: the disk is gone, I/O fails */

	/*
	 * A switch holds new bios here (@suspended, @held under @lock) while
	 * those in flight drain; held bios are not counted in @inflight.
	 */
	bool suspended;
	struct bio_list held;

	/*
	 * Foreground I/O on its way to the secondary, counted under @lock
	 * when it is routed there: a detach waits for it before closing.
	 */
	atomic_t sec_inflight;
	wait_queue_head_t sec_wq;
	bool sec_failed;		/* @lock; a secondary error while single */

	struct bio_set clone_bs;	/* primary clones carry struct bm_io */
	struct bio_set leg_bs;		/* secondary clones and flushes */
	struct bio_set split_bs;

	struct bm_resync *resync;
	u64 max_rate;			/* bytes/s, 0: no cap; WRITE_ONCE */
	u64 min_rate;			/* floor under load, <= max_rate */
	u64 rate;			/* measured copy rate; WRITE_ONCE */
	bool yielding;			/* resync thread; WRITE_ONCE */

	/* Event ordering: sequence numbers are handed out under @event_mutex. */
	struct mutex event_mutex;
	u64 event_seq;
	unsigned int last_percent;
	struct work_struct degraded_work;

	/* Reads the primary failed, to be served by the secondary. */
	struct llist_head read_retries;
	struct work_struct read_retry_work;

	/*
	 * Read repair (io.c): ranges a secondary-served read found bad on
	 * the primary, under @lock, rewritten from the secondary by
	 * @repair_work on bm_repair_wq.  @quiesce_mutex makes a switch and
	 * a repair take turns at suspending I/O.
	 */
	struct mutex quiesce_mutex;
	/*
	 * Under @lock: a repair write to the primary given up on while still
	 * in flight, and the writes over its range that wait for it; and how
	 * many repair I/Os, reads too, were given up on and are still in
	 * flight.  Each holds a count in ->inflight, so a repair that
	 * started meanwhile could never drain: it is not tried.
	 */
	struct bm_repair *fence;
	unsigned int repairs_stuck;
	struct bio_list fenced;
	struct work_struct fence_work;
	unsigned int nr_repairs;
	struct {
		sector_t sector;
		unsigned int sectors;
	} repairs[BM_REPAIR_QUEUE];
	struct work_struct repair_work;

	struct bm_unreadable unreadable;

	struct kobject kobj;		/* /sys/block/blkmirrorN/blkmirror */
	struct completion kobj_done;
};

/*
 * main.c: registry.  bm_ctl_mutex serialises create, the start of destroy
 * and every lookup.  A destroy's teardown runs outside it, on bm_dying,
 * so that a leg that stops answering holds up that destroy and nothing
 * else; the name stays taken until the teardown is over.
 */
extern struct mutex bm_ctl_mutex;
extern struct list_head bm_mirrors;
extern struct list_head bm_dying;
extern int bm_major;
/*
 * Teardowns run here, outside the netlink handler that asked for them:
 * genetlink holds its family lock across a handler, and a leg that stops
 * answering would hold it, and with it every genetlink family, for as
 * long as the teardown waits.  Module exit flushes it.
 */
extern struct workqueue_struct *bm_wq;
/* Work in the I/O path (read retries): it must progress under reclaim. */
extern struct workqueue_struct *bm_io_wq;
/*
 * Read repairs.  Not bm_io_wq: a repair waits for the I/O in flight to
 * drain, and that I/O may be a read retry queued on bm_io_wq behind it;
 * under memory pressure both would share bm_io_wq's one rescuer thread.
 */
extern struct workqueue_struct *bm_repair_wq;
struct blkmirror *bm_find(const char *name);		/* bm_ctl_mutex held */
struct blkmirror *bm_find_devt(dev_t devt);		/* bm_ctl_mutex held */
bool bm_name_taken(const char *name);			/* bm_ctl_mutex held */

/* device.c */
struct bm_create_args {
	const char *name;
	const char *paths[BM_NR_LEGS];
	u32 region_bytes;
	u64 max_rate, min_rate;
};

int bm_name_valid(const char *name, bool detail,
		  struct netlink_ext_ack *extack);
struct blkmirror *bm_create(const struct bm_create_args *args,
			    struct netlink_ext_ack *extack);
int bm_destroy_begin(struct blkmirror *m, bool force,
		     struct netlink_ext_ack *extack);
void bm_destroy_finish(struct blkmirror *m);
bool bm_busy(struct blkmirror *m, struct netlink_ext_ack *extack);
bool bm_stacked_on(dev_t devt, dev_t other);		/* bm_ctl_mutex held */
int bm_lookup_leg(int i, const char *path, dev_t *devt,
		  struct netlink_ext_ack *extack);
int bm_check_pair(dev_t pdevt, const char *ppath, dev_t sdevt,
		  const char *spath, struct netlink_ext_ack *extack);
int bm_open_leg(struct blkmirror *m, int i, const char *path,
		struct netlink_ext_ack *extack);
void bm_close_leg(struct blkmirror *m, int i);
void bm_release_leg(struct bm_leg *leg);
int bm_check_secondary(struct blkmirror *m, unsigned int max_lbs,
		       struct netlink_ext_ack *extack);

/* migrate.c: attach, switch, detach.  *_begin under bm_ctl_mutex. */
struct bm_attach_args {
	const char *path;
	u32 region_bytes;
	u64 max_rate, min_rate;
	bool have_region, have_rate;
};

int bm_attach(struct blkmirror *m, const struct bm_attach_args *args,
	      struct netlink_ext_ack *extack);
int bm_switch_begin(struct blkmirror *m, bool force,
		    struct netlink_ext_ack *extack);
int bm_switch_finish(struct blkmirror *m, char **old_path, u64 *pause_ns);
int bm_detach_begin(struct blkmirror *m, bool force, bool *consistent,
		    struct netlink_ext_ack *extack);
void bm_detach_finish(struct blkmirror *m, char **path, bool *consistent);
int bm_init_disks(void);
void bm_exit_disks(void);

/* io.c */
void bm_submit_bio(struct bio *bio);
void bm_dispatch_write(struct blkmirror *m, struct bio *bio);
void bm_suspend(struct blkmirror *m);
int bm_drain(struct blkmirror *m, int own, unsigned long timeout);
void bm_resume(struct blkmirror *m);
int bm_flush_leg(struct blkmirror *m, int i, unsigned long timeout);
void bm_fail_leg(struct blkmirror *m, enum bm_leg_idx leg, int err,
		 sector_t sector);
bool bm_secondary_usable(const struct blkmirror *m);	/* @lock held */
void bm_read_retry_workfn(struct work_struct *work);
void bm_repair_workfn(struct work_struct *work);
void bm_fence_workfn(struct work_struct *work);

/* unreadable.c */
bool bm_unreadable_add(struct blkmirror *m, sector_t start, sector_t end);
void bm_unreadable_written(struct blkmirror *m, sector_t start, sector_t end);
bool bm_unreadable_overlaps(struct blkmirror *m, sector_t start, sector_t end);
u64 bm_unreadable_get(struct blkmirror *m, sector_t *first);
void bm_unreadable_reset(struct blkmirror *m);

/* resync.c */
int bm_resync_start(struct blkmirror *m);
void bm_resync_run(struct blkmirror *m);
void bm_resync_stop(struct blkmirror *m);
void bm_resync_kick(struct blkmirror *m);

/* events.c: may sleep; never fail the caller (events are best effort). */
void bm_event_created(struct blkmirror *m);
void bm_event_progress(struct blkmirror *m, bool force);
void bm_event_complete(struct blkmirror *m);
void bm_event_degraded(struct blkmirror *m);
void bm_event_destroyed(struct blkmirror *m);
void bm_event_unreadable(struct blkmirror *m, sector_t start, sector_t end);
void bm_event_attached(struct blkmirror *m);
void bm_event_switched(struct blkmirror *m, const char *old_path, u64 pause_ns);
void bm_event_detached(struct blkmirror *m, const char *path, bool consistent);
void bm_event_changed(struct blkmirror *m);

/* sysfs.c */
const char *bm_state_name(enum blkmirror_state state);
int bm_sysfs_add(struct blkmirror *m);
void bm_sysfs_del(struct blkmirror *m);
void bm_uevent(struct blkmirror *m);		/* may sleep */

/* netlink.c */
extern struct genl_family bm_genl_family;
int bm_netlink_init(void);
void bm_netlink_exit(void);
int bm_fill_mirror(struct sk_buff *skb, struct blkmirror *m);

/*
 * Extended ACK text with values in it.  Not NL_SET_ERR_MSG_FMT: 6.1 lacks
 * it, and from 6.2 it formats into 80 bytes inside the extack, which cuts
 * any message that names a leg.  The extack only keeps a pointer, read
 * after our handler returns, so the text goes into a ring of static
 * buffers, each long enough for two leg paths.  A slot is reused only
 * after BM_EXTACK_SLOTS later formatted messages; a request's ACK is built
 * microseconds after its handler returns, so reuse would take that many
 * failing requests in between.  Only CAP_SYS_ADMIN callers reach it (see
 * bm_extack_may_format()).  If root did race that many of its own
 * refusals, it could read another request's text, or a message that grew
 * while netlink_ack() copied it would be dropped with a WARN; never a
 * stale pointer or a read past the ring.
 */
#define BM_EXTACK_SLOTS	64
#define BM_EXTACK_LEN	(2 * BLKMIRROR_PATH_MAX + 256)
__printf(2, 3) void bm_extack(struct netlink_ext_ack *extack,
			      const char *fmt, ...);

/*
 * May this request's refusal be a formatted message?  Only for
 * CAP_SYS_ADMIN callers: anyone may send GET, and a flood of failing GETs
 * could otherwise rewrite a slot while netlink_ack() sizes and copies it,
 * which trips a WARN there.  Unprivileged refusals are fixed strings.
 */
static inline bool bm_extack_may_format(bool admin)
{
	return admin;
}

#endif /* BLKMIRROR_H */
