#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/demo.sh   (make demo)
#
# Builds everything like `make check`, then boots one guest that moves a
# mounted ext4 being written from a ramdisk onto an NBD export, with no
# outage: attach, the copy, switch (tests/guest/demo.sh).
# The guest's serial console is this terminal; Ctrl-A X leaves QEMU.
# Without a terminal (CI) the console still streams to stdout.  The
# console log is also kept in tests/out/<run>/logs/demo.log.
# BLKMIRROR_DEMO_RATE (default 16M) is the copy's --max-rate: at 16M/s
# the 256 MiB copy takes about 16 s, long enough to watch the progress
# bar while the writer runs.

set -u

. "$(dirname "$0")/host.sh"

sh "$BM_TESTS/deps.sh" || bm_die "tests/deps.sh failed"
KVER=$(bm_pick_kver)
[ -n "$KVER" ] || bm_die "no Debian kernel with both image and headers"

OUT=$BM_TESTS/out/demo-$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$OUT/logs" "$OUT/plan"
echo "blkmirror demo: building (logs in ${OUT#"$BM_TOP"/})"
bm_build "$OUT" "$KVER" || bm_die "build failed"
bm_initrd "$OUT/initrd" "$KVER" "$OUT/plan" || bm_die "initramfs build failed"
echo "blkmirror demo: booting Debian $KVER under QEMU (TCG)..."

# The guest powers off at the end; unattended runs get a timeout.
if [ -t 0 ] && [ -t 1 ]; then
	(bm_qemu "/boot/vmlinuz-$KVER" "$OUT/initrd" "bm_mode=demo bm_rate=${BLKMIRROR_DEMO_RATE:-16M}" -display none \
		-chardev "stdio,id=con,mux=on,signal=off,logfile=$OUT/logs/demo.log" \
		-serial chardev:con -mon chardev=con)
	rc=$?
	stty sane 2>/dev/null
else
	(bm_qemu "/boot/vmlinuz-$KVER" "$OUT/initrd" "bm_mode=demo bm_rate=${BLKMIRROR_DEMO_RATE:-16M}" -display none -monitor none \
		-chardev "stdio,id=con,logfile=$OUT/logs/demo.log" \
		-serial chardev:con </dev/null) &
	qpid=$!
	( trap 'kill $s 2>/dev/null; exit 0' TERM
	  sleep 900 & s=$!; wait $s; kill "$qpid" ) >/dev/null 2>&1 &
	wpid=$!
	wait $qpid
	rc=$?
	kill $wpid 2>/dev/null
fi
rm -f "$OUT/initrd"
if grep -q 'Demo complete' "$OUT/logs/demo.log" 2>/dev/null; then
	exit 0
fi
echo "blkmirror demo: did not complete (qemu rc $rc); console log ${OUT#"$BM_TOP"/}/logs/demo.log" >&2
exit 1
