/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blkmirror: internal interfaces between the parts of the module.
 *
 *	main.c		module init/exit, the registry of mirrors
 *	device.c	create/destroy, legs, the gendisk
 *	io.c		foreground I/O: routing, clones, completion
 *	resync.c	the background copy thread
 *	region.c	window arithmetic (pure; see region.h)
 *	netlink.c	generic netlink commands
 *	events.c	multicast notifications
 */
#ifndef BLKMIRROR_H
#define BLKMIRROR_H

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/list.h>
#include <linux/mutex.h>
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
	struct block_device *bdev;
	void *handle;			/* what closing takes back; see compat.h */
	char *path;
	dev_t devt;
	unsigned int lbs;
	bool read_only;
	struct bm_leg_stats stats;
};

struct bm_resync;

/* Per-request state, carried in the front pad of the primary clone. */
struct bm_io {
	struct blkmirror *m;
	struct bio *orig;
	atomic_t remaining;		/* legs still in flight */
	blk_status_t status;		/* the primary's verdict is the caller's */
	int ahead_gen;			/* counted in m->ahead[], or -1 */
	bool acct;			/* in the disk's I/O statistics */
	bool flush_only;		/* the secondary got an empty flush */
	bool mirrored;			/* the secondary got the request too */
	bool notsupp[BM_NR_LEGS];	/* the leg lacks this discard/zeroes */
	unsigned long start_time;	/* for them, from bio_start_io_acct() */
	struct bio clone;		/* must be last */
};

struct blkmirror {
	struct list_head node;		/* bm_mirrors or bm_dying, under bm_ctl_mutex */
	u64 id;				/* creation order; resumes dumps */
	char name[BLKMIRROR_NAME_MAX + 1];
	int index;			/* minor and disk name suffix */
	struct gendisk *disk;
	struct bm_leg legs[BM_NR_LEGS];
	unsigned int region_bytes;

	/* Openers versus destroy. */
	struct mutex open_mutex;
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

	struct bio_set clone_bs;	/* primary clones carry struct bm_io */
	struct bio_set leg_bs;		/* secondary clones and flushes */
	struct bio_set split_bs;

	struct bm_resync *resync;
	u64 max_rate;			/* bytes/s, 0: no cap; WRITE_ONCE */
	u64 rate;			/* measured copy rate; WRITE_ONCE */

	/* Event ordering: sequence numbers are handed out under @event_mutex. */
	struct mutex event_mutex;
	u64 event_seq;
	unsigned int last_percent;
	struct work_struct degraded_work;
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
struct blkmirror *bm_find(const char *name);		/* bm_ctl_mutex held */
struct blkmirror *bm_find_devt(dev_t devt);		/* bm_ctl_mutex held */
bool bm_name_taken(const char *name);			/* bm_ctl_mutex held */

/* device.c */
struct bm_create_args {
	const char *name;
	const char *paths[BM_NR_LEGS];
	u32 region_bytes;
	u64 max_rate;
};

int bm_name_valid(const char *name, bool detail,
		  struct netlink_ext_ack *extack);
struct blkmirror *bm_create(const struct bm_create_args *args,
			    struct netlink_ext_ack *extack);
int bm_destroy_begin(struct blkmirror *m, bool force,
		     struct netlink_ext_ack *extack);
void bm_destroy_finish(struct blkmirror *m);
int bm_init_disks(void);
void bm_exit_disks(void);

/* io.c */
void bm_submit_bio(struct bio *bio);
void bm_dispatch_write(struct blkmirror *m, struct bio *bio);
void bm_fail_leg(struct blkmirror *m, enum bm_leg_idx leg, int err,
		 sector_t sector);
bool bm_secondary_usable(const struct blkmirror *m);	/* @lock held */

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

/* netlink.c */
extern struct genl_family bm_genl_family;
int bm_netlink_init(void);
void bm_netlink_exit(void);
int bm_fill_mirror(struct sk_buff *skb, struct blkmirror *m);

#endif /* BLKMIRROR_H */
