/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * blkmirror generic netlink contract.
 *
 * Shared verbatim by the kernel module (kmod/) and mirrorctl (ctl/).
 * Numbers are ABI: append new values, never renumber.  The same contract
 * is described for tooling in uapi/blkmirror.yaml; a test keeps the two
 * in step.
 */
#ifndef _UAPI_LINUX_BLKMIRROR_H
#define _UAPI_LINUX_BLKMIRROR_H

#define BLKMIRROR_GENL_NAME		"blkmirror"
#define BLKMIRROR_GENL_VERSION		1
#define BLKMIRROR_MCGRP_EVENTS		"events"

/* Longest mirror name, not counting the terminating NUL. */
#define BLKMIRROR_NAME_MAX		63

/* Leg paths are shorter than this, counting the terminating NUL. */
#define BLKMIRROR_PATH_MAX		1024

/* Region size bounds, in bytes; the region is the unit of copy and locking. */
#define BLKMIRROR_REGION_MIN		(64U * 1024)
#define BLKMIRROR_REGION_MAX		(64U * 1024 * 1024)
#define BLKMIRROR_REGION_DEFAULT	(1024U * 1024)

/*
 * The resync's floor under foreground load, bytes/s, when none is given:
 * a 1 TiB copy still ends within about nine hours of steady load, and it
 * takes a fifth of a disk that streams 160 MB/s.  The cap defaults to
 * none: an idle mirror copies as fast as its legs allow.
 */
#define BLKMIRROR_MIN_RATE_DEFAULT	(32ULL * 1024 * 1024)

enum blkmirror_cmd {
	BLKMIRROR_CMD_UNSPEC,
	BLKMIRROR_CMD_VERSION,		/* -> VERSION */
	/* NAME PRIMARY [SECONDARY REGION_SIZE MAX_RATE MIN_RATE] */
	BLKMIRROR_CMD_CREATE,
	BLKMIRROR_CMD_DESTROY,		/* NAME [FORCE] */
	BLKMIRROR_CMD_GET,		/* NAME -> mirror; dump: every mirror */
	BLKMIRROR_CMD_SET,		/* NAME [MAX_RATE MIN_RATE] */

	/* Notifications, multicast on the "events" group. */
	BLKMIRROR_EVENT_CREATED,	/* NAME DISK_NAME DEVT */
	/* NAME PERCENT SYNCED_BYTES SIZE RATE MAX_RATE MIN_RATE YIELDING */
	BLKMIRROR_EVENT_PROGRESS,
	BLKMIRROR_EVENT_COMPLETE,	/* NAME SIZE */
	BLKMIRROR_EVENT_DEGRADED,	/* NAME FAIL_LEG FAIL_ERRNO FAIL_SECTOR */
	BLKMIRROR_EVENT_DESTROYED,	/* NAME */
	/* NAME RANGE_SECTOR RANGE_SECTORS UNREADABLE_SECTORS */
	BLKMIRROR_EVENT_UNREADABLE,

	/*
	 * Online migration.  A mirror may have one leg (state SINGLE): a
	 * pass-through to its primary.  ATTACH gives it a secondary and
	 * starts the copy; SWITCH, once in sync, makes the secondary the
	 * only leg and releases the old primary; DETACH drops the secondary.
	 * Replies carry the mirror as GET does, plus what the command did.
	 */
	/* NAME SECONDARY [REGION_SIZE MAX_RATE MIN_RATE] */
	BLKMIRROR_CMD_ATTACH,
	BLKMIRROR_CMD_SWITCH,		/* NAME [FORCE] -> + OLD_PRIMARY PAUSE_USEC */
	BLKMIRROR_CMD_DETACH,		/* NAME [FORCE] -> + DETACHED_LEG CONSISTENT */
	BLKMIRROR_EVENT_ATTACHED,	/* NAME SECONDARY */
	BLKMIRROR_EVENT_SWITCHED,	/* NAME PRIMARY OLD_PRIMARY PAUSE_USEC */
	BLKMIRROR_EVENT_DETACHED,	/* NAME DETACHED_LEG CONSISTENT */
	/* A SET took effect: the limits now in force.  NAME MAX_RATE MIN_RATE */
	BLKMIRROR_EVENT_CHANGED,

	__BLKMIRROR_CMD_MAX,
	BLKMIRROR_CMD_MAX = __BLKMIRROR_CMD_MAX - 1
};

enum blkmirror_attr {
	BLKMIRROR_A_UNSPEC,
	BLKMIRROR_A_PAD,		/* alignment padding for u64 */
	BLKMIRROR_A_VERSION,		/* string: module version */
	BLKMIRROR_A_NAME,		/* string: mirror name */
	BLKMIRROR_A_PRIMARY,		/* string: path of the primary leg */
	BLKMIRROR_A_SECONDARY,		/* string: path of the secondary leg */
	BLKMIRROR_A_REGION_SIZE,	/* u32: bytes */
	BLKMIRROR_A_MAX_RATE,		/* u64: bytes/s, 0 = unlimited */
	BLKMIRROR_A_FORCE,		/* flag */
	BLKMIRROR_A_DISK_NAME,		/* string: e.g. "blkmirror0" */
	BLKMIRROR_A_DEVT,		/* u32: mirror dev_t, userspace encoding */
	BLKMIRROR_A_STATE,		/* u32: enum blkmirror_state */
	BLKMIRROR_A_PRIMARY_DEVT,	/* u32 */
	BLKMIRROR_A_SECONDARY_DEVT,	/* u32 */
	BLKMIRROR_A_SIZE,		/* u64: bytes */
	BLKMIRROR_A_PRIMARY_LBS,	/* u32: logical block size, bytes */
	BLKMIRROR_A_SECONDARY_LBS,	/* u32 */
	BLKMIRROR_A_LBS,		/* u32: the mirror's own logical block size */
	BLKMIRROR_A_SYNCED_BYTES,	/* u64 */
	BLKMIRROR_A_PERCENT,		/* u32: 0..100, 100 only once in sync */
	BLKMIRROR_A_RATE,		/* u64: current resync rate, bytes/s */
	BLKMIRROR_A_PRIMARY_STATS,	/* nest: enum blkmirror_stat */
	BLKMIRROR_A_SECONDARY_STATS,	/* nest: enum blkmirror_stat */
	BLKMIRROR_A_FAIL_LEG,		/* u32: enum blkmirror_leg */
	BLKMIRROR_A_FAIL_ERRNO,		/* u32: positive errno */
	BLKMIRROR_A_FAIL_SECTOR,	/* u64: 512-byte sector */
	/*
	 * u64: per-mirror event sequence number.  Every event carries the
	 * next one; GET reports the last one sent, so a listener that
	 * subscribes, then GETs, drops events numbered at or below it and
	 * sees neither a gap nor a duplicate.
	 */
	BLKMIRROR_A_EVENT_SEQ,
	/*
	 * u64: sectors of the primary that the copy could not read.  The
	 * copy goes on past them; until a write through the mirror covers
	 * them, the secondary holds no copy of what is there.
	 */
	BLKMIRROR_A_UNREADABLE_SECTORS,
	BLKMIRROR_A_UNREADABLE_FIRST,	/* u64: the lowest such sector */
	BLKMIRROR_A_RANGE_SECTOR,	/* u64: first sector of a range (events) */
	BLKMIRROR_A_RANGE_SECTORS,	/* u64: its length in sectors */
	BLKMIRROR_A_OLD_PRIMARY,	/* string: the leg a SWITCH released */
	BLKMIRROR_A_PAUSE_USEC,		/* u64: how long a SWITCH held I/O */
	BLKMIRROR_A_DETACHED_LEG,	/* string: the leg a DETACH dropped */
	/*
	 * u8: 1 if the leg DETACH dropped holds every write acknowledged
	 * before the detach, a point-in-time copy; 0 if not (resync or
	 * degraded).
	 */
	BLKMIRROR_A_CONSISTENT,
	/*
	 * u64: bytes/s the resync keeps to while foreground I/O runs; 0: it
	 * then stops until the foreground is idle.  A request naming one
	 * above MAX_RATE (when that is not 0) is refused; a MAX_RATE alone
	 * below it is not: the cap holds at all times.
	 */
	BLKMIRROR_A_MIN_RATE,
	/*
	 * u8: 1 while the resync yields to foreground I/O (the mirror
	 * completed some since the copy last looked) and keeps to MIN_RATE.
	 */
	BLKMIRROR_A_YIELDING,

	__BLKMIRROR_A_MAX,
	BLKMIRROR_A_MAX = __BLKMIRROR_A_MAX - 1
};

/* Per-leg counters, nested in BLKMIRROR_A_{PRIMARY,SECONDARY}_STATS; all u64. */
enum blkmirror_stat {
	BLKMIRROR_STAT_UNSPEC,
	BLKMIRROR_STAT_PAD,
	BLKMIRROR_STAT_READS,
	BLKMIRROR_STAT_WRITES,
	BLKMIRROR_STAT_FLUSHES,
	BLKMIRROR_STAT_DISCARDS,
	BLKMIRROR_STAT_READ_ERRORS,
	BLKMIRROR_STAT_WRITE_ERRORS,
	BLKMIRROR_STAT_FLUSH_ERRORS,
	BLKMIRROR_STAT_COPY_BYTES,	/* bytes moved by the resync on this leg */

	__BLKMIRROR_STAT_MAX,
	BLKMIRROR_STAT_MAX = __BLKMIRROR_STAT_MAX - 1
};

enum blkmirror_state {
	BLKMIRROR_STATE_UNSPEC,
	BLKMIRROR_STATE_RESYNCING,
	BLKMIRROR_STATE_SYNCED,
	BLKMIRROR_STATE_DEGRADED,
	BLKMIRROR_STATE_SINGLE,		/* one leg: a pass-through to the primary */
};

enum blkmirror_leg {
	BLKMIRROR_LEG_NONE,
	BLKMIRROR_LEG_PRIMARY,
	BLKMIRROR_LEG_SECONDARY,
};

#endif /* _UAPI_LINUX_BLKMIRROR_H */
