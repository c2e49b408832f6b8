#!/bin/sh
# CHECK: Debian's systemd as PID 1, with the project's units and rules as `make install` installs them and `systemctl enable blkmirror@solo.service blkmirror@duo.service blkmirror.target`: both configured mirrors (single-leg by UUID=, two-leg by PARTUUID= on loop partitions attached before boot) come up through their blkmirror@ units, the fstab mounts on /dev/blkmirror/NAME are active, ordered after those units (unit graph and timestamps), and show the files written on the legs before boot; no unit failed; duo resyncs to equal legs; a third mirror's disk hot-added after boot comes up through blkmirror-hotplug@.service; stopping each mount and then its unit takes the mirror down
# TIMEOUT: 240
# BOOT: systemd
#
# One boot (tests/guest/init, "boot"): BM_BOOT_PHASE=prepare runs before
# systemd, as the admin's setup before a reboot; BM_BOOT_PHASE=check runs
# from bm-boot-check.service once systemd has booted.  Not covered: a
# real shutdown (the guest powers off at once after the checks); the
# stop of mount then unit below is what shutdown.target would order.
. /tests/lib.sh
# mbr_image (an MBR with a disk identifier, for a PARTUUID).
. /tests/cases/udev/udev.inc

D=/var/lib/bmboot
U=0b1a0b01-0000-4000-8000-00000000b007
SOLO=0b1a0b01 DUOP=0b1a0b02 DUOS=0b1a0b03 LATE=0b1a0b04

prepare() {
	modprobe loop || fail "modprobe loop"
	load_ext4
	mkdir -p $D /mnt/solo /mnt/duo /etc/blkmirror
	mbr_image $D/solo.img $SOLO 32
	mbr_image $D/duop.img $DUOP 32
	mbr_image $D/duos.img $DUOS 32
	mbr_image $D/late.img $LATE 16
	s=$(losetup --show -f -P $D/solo.img) || fail "losetup solo"
	p=$(losetup --show -f -P $D/duop.img) || fail "losetup duop"
	q=$(losetup --show -f -P $D/duos.img) || fail "losetup duos"
	# No lazy init: nothing writes to the filesystems behind the checks.
	mkfs.ext4 -q -F -U $U -E lazy_itable_init=0,lazy_journal_init=0 ${s}p1 ||
		fail "mkfs solo"
	mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 ${p}p1 || fail "mkfs duop"
	for m in solo:$s duo:$p; do
		mount -t ext4 "${m#*:}p1" /mnt/${m%:*} || fail "mount ${m#*:}p1"
		echo "written on ${m%:*}'s leg before boot" >/mnt/${m%:*}/f || fail "write"
		umount /mnt/${m%:*} || fail "umount"
	done
	dev_fill ${q}p1 stale
	cat >/etc/blkmirror/mirrors.conf <<CONF
solo UUID=$U
duo PARTUUID=$DUOP-01 PARTUUID=$DUOS-01
# not enabled, its disk hot-added after boot: blkmirror-hotplug@.service
late PARTUUID=$LATE-01
CONF
	cat >/etc/fstab <<FSTAB
/dev/blkmirror/solo /mnt/solo ext4 defaults 0 0
/dev/blkmirror/duo /mnt/duo ext4 defaults 0 0
FSTAB
	# As README.md says, offline: systemd is not running yet.
	must systemctl enable blkmirror@solo.service blkmirror@duo.service blkmirror.target
	note "systemctl enable: $OUT $ERR"
	[ -d /sys/module/blkmirror ] && fail "blkmirror loaded before boot"
	return 0
}

# prop UNIT PROPERTY
prop() {
	systemctl show -P "$2" "$1"
}

check() {
	st=$(timeout "$(tscale 180)" systemctl is-system-running --wait 2>&1)
	note "systemctl is-system-running: $st"
	note "systemctl --failed:"
	systemctl --failed --no-legend --plain --no-pager 2>&1 | sed 's/^/#   /'
	failed=$(systemctl --failed --no-legend --plain --no-pager 2>&1)
	if [ -n "$failed" ] || [ "$st" != running ]; then
		note "journal, the blkmirror and mount lines:"
		journalctl -b --no-pager -o short-monotonic 2>&1 |
			grep -E 'blkmirror|mirrorctl|mnt-|/mnt/|local-fs|Failed|failed' |
			tail -n 60 | sed 's/^/#   /'
	fi
	assert_eq "" "$failed" "systemctl --failed"
	assert_eq running "$st" "systemctl is-system-running --wait"
	assert_eq active "$(prop systemd-modules-load.service ActiveState)" \
		"systemd-modules-load.service (loads blkmirror)"
	assert_eq active "$(prop blkmirror.target ActiveState)" "blkmirror.target"

	for m in solo duo; do
		svc=blkmirror@$m.service mnt=mnt-$m.mount
		assert_eq active "$(prop $svc ActiveState)" "$svc ActiveState"
		assert_eq exited "$(prop $svc SubState)" "$svc SubState"
		assert_eq success "$(prop $svc Result)" "$svc Result"
		assert_eq active "$(prop $mnt ActiveState)" "$mnt ActiveState"
		assert_eq success "$(prop $mnt Result)" "$mnt Result"
		dev=$(mirror_field $m device)
		assert_match "$dev" '^/dev/blkmirror[0-9]+$' "device of $m"
		assert_eq "$dev" "$(readlink -f /dev/blkmirror/$m)" "/dev/blkmirror/$m"
		assert_eq "$dev" "$(awk -v m=/mnt/$m '$2 == m { print $1 }' /proc/mounts |
			xargs readlink -f)" "what is mounted on /mnt/$m"
		# The unit graph: the mount is after local-fs-pre.target, which
		# is after blkmirror.target and the unit.
		deps=$(systemctl list-dependencies --after --plain --no-pager $mnt 2>&1)
		assert_contains "$deps" "$svc" "units $mnt is ordered after"
		assert_contains "$deps" "blkmirror.target" "units $mnt is ordered after"
		# And what happened: the mount began after the unit had finished.
		up=$(prop $svc ActiveEnterTimestampMonotonic)
		began=$(prop $mnt InactiveExitTimestampMonotonic)
		note "$svc active at ${up} us, $mnt started at ${began} us"
		assert_ge 1 "$up" "$svc ActiveEnterTimestampMonotonic"
		assert_ge "$up" "$began" "$mnt start (us) against $svc active"
		assert_eq "written on $m's leg before boot" "$(cat /mnt/$m/f)" "/mnt/$m/f"
	done
	fspre=$(prop local-fs-pre.target ActiveEnterTimestampMonotonic)
	tgt=$(prop blkmirror.target ActiveEnterTimestampMonotonic)
	assert_ge "$tgt" "$fspre" "local-fs-pre.target reached (us) against blkmirror.target"
	note "journal:"
	journalctl -b --no-pager -o short-monotonic 2>&1 |
		grep -E 'blkmirror@|mnt-(solo|duo)|Mount(ing|ed) /mnt|Local File Systems' |
		sed 's/^/#   /'

	assert_eq single "$(mirror_field solo state)" "state of solo"
	assert_eq "$(readlink -f /dev/disk/by-partuuid/$SOLO-01)" \
		"$(mirror_field solo primary)" "primary of solo"
	assert_eq "$(readlink -f /dev/disk/by-partuuid/$DUOP-01)" \
		"$(mirror_field duo primary)" "primary of duo"
	assert_eq "$(readlink -f /dev/disk/by-partuuid/$DUOS-01)" \
		"$(mirror_field duo secondary)" "secondary of duo"
	wait_synced duo

	note "blkmirror-hotplug@ at boot (journal):"
	journalctl -b --no-pager -o cat 2>&1 | grep -E 'blkmirror-hotplug@' | sed 's/^/#   /'
	# A disk hot-added once the system runs: the rules want
	# blkmirror-hotplug@.service for it, which brings up late.
	l=$(losetup --show -f -P $D/late.img) || fail "losetup late"
	l=${l#/dev/}
	wait_until 60 mirrorctl status late ||
		fail "late not up after its disk was hot-added; journal: $(journalctl -b --no-pager -o cat |
			grep -E "hotplug|${l}" | tail -n 10)"
	assert_eq single "$(mirror_field late state)" "state of late, after its disk was hot-added"
	# By the unit, not by anything else: its journal line is there once
	# the oneshot has finished (it may still be finishing).
	wait_until 30 sh -c "journalctl -b --no-pager -o cat |
		grep -q 'Finished blkmirror-hotplug@.*-$l-${l}p1\\.service'" ||
		fail "no blkmirror-hotplug@ finished for ${l}p1; journal: $(journalctl -b --no-pager -o cat |
			grep -E "hotplug|${l}" | tail -n 10)"
	assert_eq /dev/${l}p1 "$(mirror_field late primary)" "primary of late"
	wait_until 30 test -b /dev/blkmirror/late || fail "no /dev/blkmirror/late"
	# Down in the order shutdown.target would take them: mount, then unit.
	for m in solo duo; do
		must systemctl stop mnt-$m.mount
		dev=$(mirror_field $m device)
		run e2fsck -fn "$dev"
		assert_eq 0 "$RC" "e2fsck -fn $dev ($m): $OUT"
	done
	assert_legs_equal "$(mirror_field duo primary)" "$(mirror_field duo secondary)"
	must mirrorctl down late
	for m in solo duo; do
		must systemctl stop blkmirror@$m.service
		assert_eq inactive "$(prop blkmirror@$m.service ActiveState)" "blkmirror@$m after stop"
	done
	assert_eq 0 "$(mirrorctl list --json | grep -c '"name"')" "mirrors up after the units stopped"
	failed=$(systemctl --failed --no-legend --plain --no-pager 2>&1)
	assert_eq "" "$failed" "systemctl --failed after the stops"
}

case ${BM_BOOT_PHASE:-} in
prepare) prepare ;;
check) check ;;
*) fail "BM_BOOT_PHASE is '${BM_BOOT_PHASE:-}': run by tests/guest/init as a boot case" ;;
esac
