// SPDX-License-Identifier: GPL-2.0
/* 6.5-6.8: blkdev_get_by_path() takes blk_mode_t, holder and holder ops. */
#include <linux/blkdev.h>

struct block_device *probe(void);
struct block_device *probe(void)
{
	return blkdev_get_by_path("", BLK_OPEN_READ, NULL, NULL);
}
