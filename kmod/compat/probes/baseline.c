// SPDX-License-Identifier: GPL-2.0
/* Must always compile: if it does not, the probe build itself is broken. */
#include <linux/blkdev.h>

sector_t probe(struct block_device *bdev);
sector_t probe(struct block_device *bdev)
{
	return bdev_nr_sectors(bdev);
}
