// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for blkmirror's pure logic: the region window and its write
 * routing, progress, rate and throttle arithmetic, and input validation.
 *
 * The sources are compiled in here rather than exported from the module,
 * so the module keeps no test-only symbols.
 */
#include <kunit/test.h>

#include "../region.c"
#include "../validate.c"

#define KIB(x)	((u32)(x) << 10)
#define MIB(x)	((u32)(x) << 20)
#define SECTORS(bytes)	((sector_t)(bytes) >> SECTOR_SHIFT)

/* ---------------- window geometry ---------------- */

static void bm_test_init_limits(struct kunit *test)
{
	struct bm_window w;

	KUNIT_EXPECT_EQ(test, 0, bm_window_init(&w, 1024, BLKMIRROR_REGION_MIN));
	KUNIT_EXPECT_EQ(test, 0, bm_window_init(&w, 1024, BLKMIRROR_REGION_MAX));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			bm_window_init(&w, 1024, BLKMIRROR_REGION_MIN / 2));
	KUNIT_EXPECT_EQ(test, -EINVAL,
			bm_window_init(&w, 1024, BLKMIRROR_REGION_MAX * 2));
	KUNIT_EXPECT_EQ(test, -EINVAL, bm_window_init(&w, 1024, MIB(1) + 512));
	KUNIT_EXPECT_EQ(test, -EINVAL, bm_window_init(&w, 1024, 0));
}

static void bm_test_partial_last_region(struct kunit *test)
{
	struct bm_window w;

	/* 2.5 regions: the last one is short and ends at the device end. */
	KUNIT_ASSERT_EQ(test, 0, bm_window_init(&w, SECTORS(MIB(2) + KIB(512)),
						MIB(1)));
	KUNIT_EXPECT_EQ(test, 3ULL, w.nr_regions);
	KUNIT_EXPECT_EQ(test, SECTORS(MIB(2)), bm_region_start(&w, 2));
	KUNIT_EXPECT_EQ(test, SECTORS(MIB(2) + KIB(512)), bm_region_end(&w, 2));
	KUNIT_EXPECT_EQ(test, SECTORS(MIB(1)), bm_region_end(&w, 0));
}

static void bm_test_tiny_device(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	/* One sector, one region. */
	KUNIT_ASSERT_EQ(test, 0, bm_window_init(&w, 1, MIB(1)));
	KUNIT_EXPECT_EQ(test, 1ULL, w.nr_regions);
	KUNIT_EXPECT_EQ(test, (sector_t)1, bm_region_end(&w, 0));
	KUNIT_EXPECT_EQ(test, BM_ROUTE_AHEAD, bm_window_route(&w, 0, 1, &front));
	w.hi = 1;
	KUNIT_EXPECT_EQ(test, BM_ROUTE_WAIT, bm_window_route(&w, 0, 1, &front));
	w.lo = 1;
	KUNIT_EXPECT_TRUE(test, bm_window_done(&w));
	KUNIT_EXPECT_EQ(test, BM_ROUTE_BOTH, bm_window_route(&w, 0, 1, &front));
	KUNIT_EXPECT_EQ(test, 512ULL, bm_window_synced_bytes(&w));
}

/* ---------------- write routing ---------------- */

/* 16 regions of 64 KiB (128 sectors); region 5 done, 6 and 7 copying. */
static void bm_setup(struct bm_window *w)
{
	bm_window_init(w, 16 * 128, KIB(64));
	w->lo = 6;
	w->hi = 8;
}

static void bm_test_route_sides(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	bm_setup(&w);
	/* Wholly behind the copy, ending exactly at its edge. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_BOTH, bm_window_route(&w, 0, 6 * 128, &front));
	/* Wholly ahead, starting exactly at hi. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_AHEAD, bm_window_route(&w, 8 * 128, 8, &front));
	KUNIT_EXPECT_EQ(test, BM_ROUTE_AHEAD,
			bm_window_route(&w, 8 * 128, 8 * 128, &front));
}

static void bm_test_route_exact_region(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	bm_setup(&w);
	/* Exactly covers the region being copied. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_WAIT, bm_window_route(&w, 6 * 128, 128, &front));
	/* Inside it, and in the second one. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_WAIT, bm_window_route(&w, 6 * 128 + 5, 1, &front));
	KUNIT_EXPECT_EQ(test, BM_ROUTE_WAIT, bm_window_route(&w, 8 * 128 - 1, 1, &front));
}

static void bm_test_route_split_lo(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	bm_setup(&w);
	/* Starts behind the copy, ends in the window: split at lo. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_SPLIT,
			bm_window_route(&w, 6 * 128 - 8, 16, &front));
	KUNIT_EXPECT_EQ(test, 8U, front);
	/* Starts behind, ends ahead: still split at lo first. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_SPLIT,
			bm_window_route(&w, 5 * 128, 4 * 128, &front));
	KUNIT_EXPECT_EQ(test, 128U, front);
}

static void bm_test_route_split_window(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	bm_setup(&w);
	/* Starts in region 6, ends in 7: one region at a time. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_SPLIT,
			bm_window_route(&w, 6 * 128 + 100, 100, &front));
	KUNIT_EXPECT_EQ(test, 28U, front);
	/* Starts in the last window region, ends ahead. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_SPLIT,
			bm_window_route(&w, 7 * 128 + 120, 16, &front));
	KUNIT_EXPECT_EQ(test, 8U, front);
}

static void bm_test_route_empty_window(struct kunit *test)
{
	struct bm_window w;
	unsigned int front = 0;

	bm_setup(&w);
	w.lo = 6;
	w.hi = 6;
	/* Straddles lo == hi: the part behind goes to both, the rest ahead. */
	KUNIT_EXPECT_EQ(test, BM_ROUTE_SPLIT,
			bm_window_route(&w, 6 * 128 - 1, 2, &front));
	KUNIT_EXPECT_EQ(test, 1U, front);
	KUNIT_EXPECT_EQ(test, BM_ROUTE_AHEAD, bm_window_route(&w, 6 * 128, 2, &front));
}

/*
 * Every split front lies wholly on one side of each window edge and of
 * each region boundary inside the window, whatever the bio.
 */
static void bm_test_route_split_invariant(struct kunit *test)
{
	struct bm_window w;
	sector_t s;
	unsigned int len;

	bm_setup(&w);
	for (s = 0; s < 16 * 128; s += 37) {
		for (len = 1; s + len <= 16 * 128; len += 53) {
			sector_t pos = s;
			unsigned int left = len, front, unused, guard = 0;

			while (bm_window_route(&w, pos, left, &front) ==
			       BM_ROUTE_SPLIT) {
				KUNIT_ASSERT_GT(test, front, 0U);
				KUNIT_ASSERT_LT(test, front, left);
				KUNIT_ASSERT_NE(test, BM_ROUTE_SPLIT,
						bm_window_route(&w, pos, front,
								&unused));
				pos += front;
				left -= front;
				KUNIT_ASSERT_LT(test, ++guard, 32U);
			}
		}
	}
}

/* ---------------- progress, rate, throttle ---------------- */

static void bm_test_percent(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0U, bm_percent(0, 1000));
	KUNIT_EXPECT_EQ(test, 1U, bm_percent(10, 1000));
	KUNIT_EXPECT_EQ(test, 99U, bm_percent(999, 1000));
	/* Rounds down: 99.99% is still 99. */
	KUNIT_EXPECT_EQ(test, 99U, bm_percent(9999, 10000));
	KUNIT_EXPECT_EQ(test, 100U, bm_percent(1000, 1000));
	KUNIT_EXPECT_EQ(test, 100U, bm_percent(0, 0));
	/* No overflow for devices near the u64 limit. */
	KUNIT_EXPECT_EQ(test, 50U, bm_percent(U64_MAX / 2, U64_MAX));
	KUNIT_EXPECT_EQ(test, 99U, bm_percent(U64_MAX - 1, U64_MAX));
}

static void bm_test_synced_bytes(struct kunit *test)
{
	struct bm_window w;

	bm_window_init(&w, SECTORS(MIB(2) + KIB(512)), MIB(1));
	KUNIT_EXPECT_EQ(test, 0ULL, bm_window_synced_bytes(&w));
	w.lo = 2;
	KUNIT_EXPECT_EQ(test, (u64)MIB(2), bm_window_synced_bytes(&w));
	w.lo = 3;
	KUNIT_EXPECT_EQ(test, (u64)MIB(2) + KIB(512), bm_window_synced_bytes(&w));
}

static void bm_test_rate(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 0ULL, bm_rate(100, 0));
	KUNIT_EXPECT_EQ(test, (u64)MIB(100), bm_rate(MIB(50), NSEC_PER_SEC / 2));
	KUNIT_EXPECT_EQ(test, 1ULL << 40, bm_rate(1ULL << 40, NSEC_PER_SEC));
}

static void bm_test_throttle(struct kunit *test)
{
	/*
	 * Bytes and rate differ on purpose: x86's mul_u64_u64_div_u64() may
	 * put two equal compile-time constants in one register and divide
	 * by the product.  Run-time values never alias like that.
	 */
	/* No cap: never wait. */
	KUNIT_EXPECT_EQ(test, 0ULL, bm_throttle_delay(1ULL << 40, 0, 0));
	/* 20 MiB at 10 MiB/s is due after 2 s. */
	KUNIT_EXPECT_EQ(test, 2ULL * NSEC_PER_SEC,
			bm_throttle_delay(MIB(20), 0, MIB(10)));
	KUNIT_EXPECT_EQ(test, (u64)NSEC_PER_SEC / 4,
			bm_throttle_delay(MIB(20), 7 * NSEC_PER_SEC / 4, MIB(10)));
	/* Behind schedule: go at once. */
	KUNIT_EXPECT_EQ(test, 0ULL, bm_throttle_delay(MIB(20), 3 * NSEC_PER_SEC,
						      MIB(10)));
	/* The slowest cap and the largest region stay within u64. */
	KUNIT_EXPECT_EQ(test, (u64)BLKMIRROR_REGION_MAX * NSEC_PER_SEC,
			bm_throttle_delay(BLKMIRROR_REGION_MAX, 0, 1));
}

/* ---------------- validation ---------------- */

static void bm_test_names(struct kunit *test)
{
	char buf[BLKMIRROR_NAME_MAX + 2];
	size_t pos;

	KUNIT_EXPECT_EQ(test, BM_NAME_OK, bm_name_check("a", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_OK, bm_name_check("db_01.mirror-x", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_EMPTY, bm_name_check("", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_BAD_START, bm_name_check(".x", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_BAD_START, bm_name_check("-x", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_BAD_CHAR, bm_name_check("a/b", &pos));
	KUNIT_EXPECT_EQ(test, (size_t)1, pos);
	KUNIT_EXPECT_EQ(test, BM_NAME_BAD_CHAR, bm_name_check("a b", &pos));
	KUNIT_EXPECT_EQ(test, BM_NAME_BAD_CHAR, bm_name_check("\377a", &pos));
	KUNIT_EXPECT_EQ(test, (size_t)0, pos);

	memset(buf, 'a', sizeof(buf));
	buf[BLKMIRROR_NAME_MAX] = 0;
	KUNIT_EXPECT_EQ(test, BM_NAME_OK, bm_name_check(buf, &pos));
	buf[BLKMIRROR_NAME_MAX] = 'a';
	buf[BLKMIRROR_NAME_MAX + 1] = 0;
	KUNIT_EXPECT_EQ(test, BM_NAME_TOO_LONG, bm_name_check(buf, &pos));
}

static void bm_test_region_sizes(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, bm_region_size_valid(BLKMIRROR_REGION_MIN));
	KUNIT_EXPECT_TRUE(test, bm_region_size_valid(BLKMIRROR_REGION_DEFAULT));
	KUNIT_EXPECT_TRUE(test, bm_region_size_valid(BLKMIRROR_REGION_MAX));
	KUNIT_EXPECT_FALSE(test, bm_region_size_valid(BLKMIRROR_REGION_MIN - 1));
	KUNIT_EXPECT_FALSE(test, bm_region_size_valid(BLKMIRROR_REGION_MAX + 1));
	KUNIT_EXPECT_FALSE(test, bm_region_size_valid(3 * BLKMIRROR_REGION_MIN));
	KUNIT_EXPECT_FALSE(test, bm_region_size_valid(0));
}

static struct kunit_case bm_test_cases[] = {
	KUNIT_CASE(bm_test_init_limits),
	KUNIT_CASE(bm_test_partial_last_region),
	KUNIT_CASE(bm_test_tiny_device),
	KUNIT_CASE(bm_test_route_sides),
	KUNIT_CASE(bm_test_route_exact_region),
	KUNIT_CASE(bm_test_route_split_lo),
	KUNIT_CASE(bm_test_route_split_window),
	KUNIT_CASE(bm_test_route_empty_window),
	KUNIT_CASE(bm_test_route_split_invariant),
	KUNIT_CASE(bm_test_percent),
	KUNIT_CASE(bm_test_synced_bytes),
	KUNIT_CASE(bm_test_rate),
	KUNIT_CASE(bm_test_throttle),
	KUNIT_CASE(bm_test_names),
	KUNIT_CASE(bm_test_region_sizes),
	{}
};

static struct kunit_suite bm_test_suite = {
	.name = "blkmirror",
	.test_cases = bm_test_cases,
};

kunit_test_suite(bm_test_suite);

MODULE_DESCRIPTION("KUnit tests for blkmirror");
MODULE_LICENSE("GPL");
