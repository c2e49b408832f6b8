// SPDX-License-Identifier: GPL-2.0
/* 6.11+: I/O accounting is a queue_limits feature, not a queue flag. */
#include <linux/blkdev.h>

void probe(struct queue_limits *lim);
void probe(struct queue_limits *lim)
{
	lim->features |= BLK_FEAT_IO_STAT;
}
