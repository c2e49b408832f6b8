// SPDX-License-Identifier: GPL-2.0
/*
 * Ranges of the primary that the copy could not read.
 *
 * Someone migrating off a failing disk needs every readable block moved,
 * so a copy read that fails, even when retried block by block, is written
 * down here and the copy goes on past it.  What the secondary holds there
 * is not a copy of the primary; a foreground read must not be served from
 * it, and a write through the mirror that covers the range (the primary
 * took it, so the block is readable again) makes both legs agree.  A
 * later pass (verify, or attaching the leg again) is what retries them.
 *
 * A short list of merged, sorted ranges says where, for reads and for the
 * report; a total says how much, even once the list is full.  A full list
 * is treated as "anywhere": nothing is read from the secondary then.
 */
#include "blkmirror.h"

static void bm_unreadable_remove(struct bm_unreadable *u, unsigned int i)
{
	memmove(&u->r[i], &u->r[i + 1], (u->nr - i - 1) * sizeof(u->r[0]));
	u->nr--;
}

/*
 * The copy could not read [@start, @end); it reads each sector once a
 * pass.  Returns true if that starts a range of its own, false if it
 * grows one already listed (or the list is full): one event per range,
 * not per block.
 */
bool bm_unreadable_add(struct blkmirror *m, sector_t start, sector_t end)
{
	struct bm_unreadable *u = &m->unreadable;
	unsigned long flags;
	bool new = false;
	unsigned int i;

	spin_lock_irqsave(&u->lock, flags);
	u->sectors += end - start;
	for (i = 0; i < u->nr && u->r[i].end < start; i++)
		;
	if (i < u->nr && u->r[i].start <= end) {
		/* Touches or overlaps r[i]: grow it, and swallow what it reaches. */
		u->r[i].start = min(u->r[i].start, start);
		u->r[i].end = max(u->r[i].end, end);
		while (i + 1 < u->nr && u->r[i + 1].start <= u->r[i].end) {
			u->r[i].end = max(u->r[i].end, u->r[i + 1].end);
			bm_unreadable_remove(u, i + 1);
		}
	} else if (u->nr < BM_UNREADABLE_MAX) {
		memmove(&u->r[i + 1], &u->r[i], (u->nr - i) * sizeof(u->r[0]));
		u->r[i].start = start;
		u->r[i].end = end;
		u->nr++;
		new = true;
	} else {
		new = !u->overflow;
		u->overflow = true;
	}
	spin_unlock_irqrestore(&u->lock, flags);
	return new;
}

/*
 * A write through the mirror reached both legs over [@start, @end): what
 * it covers holds the same data on both now.  A range it covers whole
 * goes, one it covers the front or back of shrinks; one it falls strictly
 * inside of stays whole, so that the list never has to grow here.
 */
void bm_unreadable_written(struct blkmirror *m, sector_t start, sector_t end)
{
	struct bm_unreadable *u = &m->unreadable;
	unsigned long flags;
	unsigned int i;

	if (!READ_ONCE(u->sectors))
		return;
	spin_lock_irqsave(&u->lock, flags);
	for (i = 0; i < u->nr && !u->overflow;) {
		sector_t rs = u->r[i].start, re = u->r[i].end;

		if (start <= rs && re <= end) {
			u->sectors -= re - rs;
			bm_unreadable_remove(u, i);
			continue;
		}
		if (start <= rs && rs < end) {
			u->sectors -= end - rs;
			u->r[i].start = end;
		} else if (start < re && re <= end) {
			u->sectors -= re - start;
			u->r[i].end = start;
		}
		i++;
	}
	spin_unlock_irqrestore(&u->lock, flags);
}

/* May the secondary hold something other than the primary's data here? */
bool bm_unreadable_overlaps(struct blkmirror *m, sector_t start, sector_t end)
{
	struct bm_unreadable *u = &m->unreadable;
	unsigned long flags;
	unsigned int i;
	bool ret;

	if (!READ_ONCE(u->sectors))
		return false;
	spin_lock_irqsave(&u->lock, flags);
	ret = u->overflow;
	for (i = 0; i < u->nr && !ret; i++)
		ret = u->r[i].start < end && start < u->r[i].end;
	spin_unlock_irqrestore(&u->lock, flags);
	return ret;
}

/* Total sectors, and the lowest one (meaningful when the total is not 0). */
u64 bm_unreadable_get(struct blkmirror *m, sector_t *first)
{
	struct bm_unreadable *u = &m->unreadable;
	unsigned long flags;
	u64 sectors;

	spin_lock_irqsave(&u->lock, flags);
	sectors = u->sectors;
	*first = u->nr ? u->r[0].start : 0;
	spin_unlock_irqrestore(&u->lock, flags);
	return sectors;
}

/* A new copy, or none: forget what the last one met. */
void bm_unreadable_reset(struct blkmirror *m)
{
	struct bm_unreadable *u = &m->unreadable;
	unsigned long flags;

	spin_lock_irqsave(&u->lock, flags);
	u->nr = 0;
	u->overflow = false;
	WRITE_ONCE(u->sectors, 0);
	spin_unlock_irqrestore(&u->lock, flags);
}
