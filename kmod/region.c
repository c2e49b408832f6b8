// SPDX-License-Identifier: GPL-2.0
/*
 * Region window arithmetic.  See region.h for the model; everything here is
 * side-effect free so that it can be unit tested on its own.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/errno.h>
#include <linux/blk_types.h>
#include <linux/time64.h>

#include "region.h"
#include "validate.h"
#include "uapi/blkmirror.h"

int bm_window_init(struct bm_window *w, sector_t nr_sectors,
		   unsigned int region_bytes)
{
	if (!bm_region_size_valid(region_bytes))
		return -EINVAL;

	w->nr_sectors = nr_sectors;
	w->region_shift = ilog2(region_bytes) - SECTOR_SHIFT;
	w->nr_regions = (nr_sectors + (1ULL << w->region_shift) - 1) >>
			w->region_shift;
	w->lo = 0;
	w->hi = 0;
	return 0;
}

sector_t bm_region_end(const struct bm_window *w, u64 region)
{
	sector_t end = bm_region_start(w, region + 1);

	return min(end, w->nr_sectors);
}

enum bm_route bm_window_route(const struct bm_window *w, sector_t sector,
			      unsigned int nr_sectors, unsigned int *front)
{
	u64 first = sector >> w->region_shift;
	u64 last = (sector + nr_sectors - 1) >> w->region_shift;

	if (last < w->lo)
		return BM_ROUTE_BOTH;
	if (first >= w->hi)
		return BM_ROUTE_AHEAD;

	/*
	 * The write touches the window or crosses one of its edges.  Cut it
	 * so that each piece lies wholly on one side of every edge: the
	 * in-sync part first, then one region of the window at a time.  A
	 * large write thus waits for one region's copy, not the window's.
	 */
	if (first < w->lo) {
		*front = bm_region_start(w, w->lo) - sector;
		return BM_ROUTE_SPLIT;
	}
	if (last == first)
		return BM_ROUTE_WAIT;
	*front = bm_region_start(w, first + 1) - sector;
	return BM_ROUTE_SPLIT;
}

u64 bm_window_synced_bytes(const struct bm_window *w)
{
	sector_t s = w->lo >= w->nr_regions ? w->nr_sectors :
		     bm_region_start(w, w->lo);

	return (u64)s << SECTOR_SHIFT;
}

unsigned int bm_percent(u64 done, u64 total)
{
	u64 pct;

	if (!total || done >= total)
		return 100;
	/* done < total here; scale without overflowing for huge devices. */
	if (done > U64_MAX / 100)
		pct = div64_u64(done, div64_u64(total, 100) ?: 1);
	else
		pct = div64_u64(done * 100, total);
	return min_t(u64, pct, 99);
}

u64 bm_rate(u64 bytes, u64 ns)
{
	if (!ns)
		return 0;
	return mul_u64_u64_div_u64(bytes, NSEC_PER_SEC, ns);
}

u64 bm_throttle_delay(u64 bytes, u64 elapsed_ns, u64 max_rate)
{
	u64 due_ns;

	if (!max_rate)
		return 0;
	/* When the copy of @bytes is allowed to have finished. */
	due_ns = mul_u64_u64_div_u64(bytes, NSEC_PER_SEC, max_rate);
	return due_ns > elapsed_ns ? due_ns - elapsed_ns : 0;
}
