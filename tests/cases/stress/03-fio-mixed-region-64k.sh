#!/bin/sh
# CHECK: the mixed fio/trim/write-zeroes workload during a resync with the smallest regions (64 KiB): no error, data verifies, legs end byte-identical
# TIMEOUT: 150
. /tests/lib.sh
. /tests/cases/stress/workload.inc
mixed_workload 64 12M --region-size 64K
assert_eq 65536 "$(mirror_field mix region_size_bytes)" "region size"
