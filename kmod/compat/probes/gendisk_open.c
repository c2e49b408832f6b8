// SPDX-License-Identifier: GPL-2.0
/* 6.5+: ->open() takes the gendisk and a blk_mode_t, ->release() the gendisk. */
#include <linux/blkdev.h>

static int probe_open(struct gendisk *disk, blk_mode_t mode)
{
	return 0;
}

static void probe_release(struct gendisk *disk)
{
}

const struct block_device_operations probe_fops = {
	.open = probe_open,
	.release = probe_release,
};
