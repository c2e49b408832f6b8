/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Region window: which part of the device is in sync, being copied, or
 * untouched, and where a write must go because of it.
 *
 * The resync copies regions in ascending order through a window:
 *
 *	0          lo               hi                 nr_regions
 *	| in sync  | being copied   | not yet copied   |
 *
 * Regions below @lo are identical on both legs, so writes there go to
 * both.  Regions in [@lo, @hi) have a copy in flight; a write there must
 * wait, or the copy could overwrite it on the secondary with older data.
 * Regions from @hi up have not been read yet; a write there goes to the
 * primary only and the copy picks it up later.
 *
 * These helpers are pure arithmetic on a snapshot: no locking, no
 * allocation, no sleeping, safe in any context.  The caller serialises
 * access (struct blkmirror.lock) and owns the consequences.
 */
#ifndef BLKMIRROR_REGION_H
#define BLKMIRROR_REGION_H

#include <linux/types.h>

struct bm_window {
	sector_t nr_sectors;		/* device length */
	unsigned int region_shift;	/* log2 of the region size in sectors */
	u64 nr_regions;			/* including a short last region */
	u64 lo;				/* first region not known to be in sync */
	u64 hi;				/* first region not yet claimed by the copy */
};

enum bm_route {
	BM_ROUTE_BOTH,		/* in sync: write both legs */
	BM_ROUTE_AHEAD,		/* not copied yet: primary only, copy follows */
	BM_ROUTE_WAIT,		/* region being copied: park until it is done */
	BM_ROUTE_SPLIT,		/* straddles a boundary: split, route each part */
};

int bm_window_init(struct bm_window *w, sector_t nr_sectors,
		   unsigned int region_bytes);

/* Routing for a write of @nr_sectors (> 0) at @sector; sets *@front on SPLIT. */
enum bm_route bm_window_route(const struct bm_window *w, sector_t sector,
			      unsigned int nr_sectors, unsigned int *front);

static inline sector_t bm_region_start(const struct bm_window *w, u64 region)
{
	return (sector_t)region << w->region_shift;
}

/* First sector past @region, clamped to the device end. */
sector_t bm_region_end(const struct bm_window *w, u64 region);

static inline bool bm_window_done(const struct bm_window *w)
{
	return w->lo >= w->nr_regions;
}

/* Bytes known to be identical on both legs. */
u64 bm_window_synced_bytes(const struct bm_window *w);

/*
 * Progress in whole percent.  Never reports 100 before the copy is
 * complete, so "100" and COMPLETE always mean the same thing.
 */
unsigned int bm_percent(u64 done, u64 total);

/* Bytes per second from @bytes moved in @ns nanoseconds; 0 if @ns is 0. */
u64 bm_rate(u64 bytes, u64 ns);

/*
 * Throttle: how long (ns) to wait before the copy may move more data,
 * given @bytes copied since @elapsed_ns ago under a cap of @max_rate
 * bytes/s (0: no cap).
 */
u64 bm_throttle_delay(u64 bytes, u64 elapsed_ns, u64 max_rate);

#endif /* BLKMIRROR_REGION_H */
