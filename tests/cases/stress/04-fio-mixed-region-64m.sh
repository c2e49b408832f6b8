#!/bin/sh
# CHECK: the mixed fio/trim/write-zeroes workload during a resync with the largest regions (64 MiB, two of them): no error, data verifies, legs end byte-identical
# TIMEOUT: 180
. /tests/lib.sh
. /tests/cases/stress/workload.inc
mixed_workload 128 24M --region-size 64M
assert_eq 67108864 "$(mirror_field mix region_size_bytes)" "region size"
