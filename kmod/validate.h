/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on what userspace hands us, kept pure (no locks, no allocation,
 * any context) so that the unit tests can drive them directly.  Callers
 * turn the verdicts into extended-ACK text.
 */
#ifndef BLKMIRROR_VALIDATE_H
#define BLKMIRROR_VALIDATE_H

#include <linux/types.h>

enum bm_name_verdict {
	BM_NAME_OK,
	BM_NAME_EMPTY,
	BM_NAME_TOO_LONG,
	BM_NAME_BAD_START,	/* '.' or '-' first: hidden files, options */
	BM_NAME_BAD_CHAR,	/* *pos is the offending byte */
};

/* The name ends up in sysfs and udev links: ASCII [A-Za-z0-9_.-] only. */
enum bm_name_verdict bm_name_check(const char *name, size_t *pos);

bool bm_region_size_valid(u32 bytes);

#endif /* BLKMIRROR_VALIDATE_H */
