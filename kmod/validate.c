// SPDX-License-Identifier: GPL-2.0
/* Pure checks on user input; see validate.h. */
#include <linux/ctype.h>
#include <linux/log2.h>
#include <linux/string.h>

#include "validate.h"
#include "uapi/blkmirror.h"

enum bm_name_verdict bm_name_check(const char *name, size_t *pos)
{
	size_t len = strnlen(name, BLKMIRROR_NAME_MAX + 1);
	size_t i;

	*pos = 0;
	if (!len)
		return BM_NAME_EMPTY;
	if (len > BLKMIRROR_NAME_MAX)
		return BM_NAME_TOO_LONG;
	if (name[0] == '.' || name[0] == '-')
		return BM_NAME_BAD_START;
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		/* The kernel's isalnum() also accepts Latin-1 letters. */
		if (isascii(c) && (isalnum(c) || c == '_' || c == '-' ||
				   c == '.'))
			continue;
		*pos = i;
		return BM_NAME_BAD_CHAR;
	}
	return BM_NAME_OK;
}

bool bm_region_size_valid(u32 bytes)
{
	return is_power_of_2(bytes) && bytes >= BLKMIRROR_REGION_MIN &&
	       bytes <= BLKMIRROR_REGION_MAX;
}
