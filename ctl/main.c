// SPDX-License-Identifier: GPL-2.0
/*
 * mirrorctl: control blkmirror block-device mirrors over generic netlink.
 * Everything lives behind mctl_main() so that the unit tests can link it.
 */
#include "mirrorctl.h"

int main(int argc, char **argv)
{
	return mctl_main(argc, argv);
}
