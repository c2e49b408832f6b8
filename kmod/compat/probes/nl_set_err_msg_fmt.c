// SPDX-License-Identifier: GPL-2.0
/* 6.2+: extended ACK messages may be formatted into the extack itself. */
#include <linux/netlink.h>

void probe(struct netlink_ext_ack *extack);
void probe(struct netlink_ext_ack *extack)
{
	NL_SET_ERR_MSG_FMT(extack, "%d", 1);
}
