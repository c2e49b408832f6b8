// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of mirrorctl: number parsing, names, formatting, JSON,
 * the command line, reply parsing and output, and the extended-ack path
 * against the kernel's own nlctrl family (no blkmirror module needed).
 *
 * Prints "ok - ..." / "not ok - ..." lines; tests/check.sh numbers them.
 * `unit uapi` instead prints every name and value of uapi/blkmirror.h for
 * tests/uapi_yaml.py to compare with uapi/blkmirror.yaml.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <linux/genetlink.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "../mirrorctl.h"

/* One TAP line; newlines in the description would break the stream. */
static void check(bool ok, const char *fmt, ...)
{
	char desc[1024], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	for (p = desc; (p = strchr(p, '\n')); )
		*p = '|';
	printf("%s - %s\n", ok ? "ok" : "not ok", desc);
}

/*---------------------------------------------------------------------------
 * Capturing what a function prints on a file descriptor
 */

struct capture {
	int fd, saved;
	FILE *tmp;
	char buf[8192];
};

static void capture_start(struct capture *c, int fd)
{
	fflush(stdout);
	fflush(stderr);
	c->fd = fd;
	c->tmp = tmpfile();
	c->saved = dup(fd);
	dup2(fileno(c->tmp), fd);
}

static const char *capture_end(struct capture *c)
{
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->fd);
	close(c->saved);
	rewind(c->tmp);
	n = fread(c->buf, 1, sizeof(c->buf) - 1, c->tmp);
	c->buf[n] = '\0';
	fclose(c->tmp);
	return c->buf;
}

/*---------------------------------------------------------------------------
 * units.c
 */

typedef int (*parse_fn)(const char *s, uint64_t *out, const char **why);

static int parse_size(const char *s, uint64_t *out, const char **why)
{
	return parse_bytes(s, false, out, why);
}

static void expect_value(parse_fn fn, const char *what, const char *in, uint64_t want)
{
	const char *why = NULL;
	uint64_t v = 0;
	int ret = fn(in, &v, &why);

	check(ret == 0 && v == want, "%s '%s' is %llu (got %llu%s%s)", what, in,
	      (unsigned long long)want, (unsigned long long)v, why ? ", " : "", why ? why : "");
}

static void expect_error(parse_fn fn, const char *what, const char *in, const char *why_part)
{
	const char *why = "";
	uint64_t v;
	int ret = fn(in, &v, &why);

	check(ret < 0 && strstr(why, why_part), "%s '%s' refused: %s", what, in, why);
}

static void test_sizes(void)
{
	expect_value(parse_size, "size", "4096", 4096);
	expect_value(parse_size, "size", "0", 0);
	expect_value(parse_size, "size", "4K", 4096);
	expect_value(parse_size, "size", "4k", 4096);
	expect_value(parse_size, "size", "4KiB", 4096);
	expect_value(parse_size, "size", "4KB", 4096);
	expect_value(parse_size, "size", "512B", 512);
	expect_value(parse_size, "size", "3M", 3ULL << 20);
	expect_value(parse_size, "size", "2GiB", 2ULL << 30);
	expect_value(parse_size, "size", "1T", 1ULL << 40);
	expect_value(parse_size, "size", "16777215T", 16777215ULL << 40);
	expect_value(parse_size, "size", "18446744073709551615", UINT64_MAX);
	expect_error(parse_size, "size", "", "not a number");
	expect_error(parse_size, "size", "abc", "not a number");
	expect_error(parse_size, "size", "-1", "negative");
	expect_error(parse_size, "size", "-4K", "negative");
	expect_error(parse_size, "size", "+4K", "not a number");
	expect_error(parse_size, "size", "1.5G", "unit");
	expect_error(parse_size, "size", "4X", "unit");
	expect_error(parse_size, "size", "4Ki", "unit");
	expect_error(parse_size, "size", "4iB", "unit");
	expect_error(parse_size, "size", "4 K", "unit");
	expect_error(parse_size, "size", "1P", "unit");
	expect_error(parse_size, "size", "4K/s", "unit");
	expect_error(parse_size, "size", "18446744073709551616", "too large");
	expect_error(parse_size, "size", "16777216T", "too large");
}

/* A limit below the floor is taken, with its meaning spelled out. */
static void expect_rate_warning(const char *in, const char *want)
{
	const char *why = "", *w;
	char buf[256];
	uint64_t v = 0;

	parse_rate(in, &v, &why);
	w = rate_warning(in, v, buf, sizeof(buf));
	if (!want)
		check(!w, "rate '%s' passes without a warning (got '%s')", in, w ? w : "");
	else
		check(w && strcmp(w, want) == 0, "rate '%s' warns '%s' (got '%s')", in, want,
		      w ? w : "(none)");
}

static void test_rate_warnings(void)
{
	expect_rate_warning("100", "'100' is 100 bytes per second (100 B/s), below 64.0 KiB/s: "
			    "one 1 MiB region every 2:54:46 (RATE is in bytes: 100M is 100 MiB/s)");
	expect_rate_warning("1", "'1' is 1 bytes per second (1 B/s), below 64.0 KiB/s: "
			    "one 1 MiB region every 291:16:16 (RATE is in bytes: 1M is 1 MiB/s)");
	expect_rate_warning("8K/s", "'8K/s' is 8192 bytes per second (8.0 KiB/s), below "
			    "64.0 KiB/s: one 1 MiB region every 2:08");
	expect_rate_warning("65535", "'65535' is 65535 bytes per second (64.0 KiB/s), below "
			    "64.0 KiB/s: one 1 MiB region every 0:17 (RATE is in bytes: 65535M is "
			    "65535 MiB/s)");
	expect_rate_warning("64K", NULL);
	expect_rate_warning("65536", NULL);
	expect_rate_warning("100M", NULL);
	expect_rate_warning("0", NULL);
	expect_rate_warning("unlimited", NULL);
}

static void test_rates(void)
{
	expect_value(parse_rate, "rate", "100M/s", 100ULL << 20);
	expect_value(parse_rate, "rate", "100MiB/s", 100ULL << 20);
	expect_value(parse_rate, "rate", "100MB/s", 100ULL << 20);
	expect_value(parse_rate, "rate", "1G", 1ULL << 30);
	expect_value(parse_rate, "rate", "512/s", 512);
	expect_value(parse_rate, "rate", "0", 0);
	expect_value(parse_rate, "rate", "unlimited", 0);
	expect_error(parse_rate, "rate", "-5M", "negative");
	expect_error(parse_rate, "rate", "5M/", "unit");
	expect_error(parse_rate, "rate", "5M/sec", "unit");
	expect_error(parse_rate, "rate", "fast", "not a number");
	expect_error(parse_rate, "rate", "99999999999T/s", "too large");
	test_rate_warnings();
}

static void test_region_sizes(void)
{
	expect_value(parse_region_size, "region size", "64K", 64 << 10);
	expect_value(parse_region_size, "region size", "65536", 65536);
	expect_value(parse_region_size, "region size", "1MiB", 1 << 20);
	expect_value(parse_region_size, "region size", "64M", 64 << 20);
	expect_error(parse_region_size, "region size", "32K", "between");
	expect_error(parse_region_size, "region size", "128M", "between");
	expect_error(parse_region_size, "region size", "96K", "power of two");
	expect_error(parse_region_size, "region size", "65537", "power of two");
	expect_error(parse_region_size, "region size", "1M/s", "unit");
	expect_error(parse_region_size, "region size", "99999999999999999999", "too large");
}

static void test_seconds(void)
{
	expect_value(parse_seconds, "timeout", "0", 0);
	expect_value(parse_seconds, "timeout", "30", 30);
	expect_error(parse_seconds, "timeout", "-1", "negative");
	expect_error(parse_seconds, "timeout", "1.5", "whole number");
	expect_error(parse_seconds, "timeout", "10s", "whole number");
	expect_error(parse_seconds, "timeout", "99999999999", "too large");
}

static void expect_name(const char *name, bool valid)
{
	const char *why = "";
	int ret = check_name(name, &why);

	check((ret == 0) == valid, "name '%.20s%s' is %s%s%s", name, strlen(name) > 20 ? "..." : "",
	      valid ? "valid" : "refused", valid ? "" : ": ", valid ? "" : why);
}

static void test_names(void)
{
	char longest[BLKMIRROR_NAME_MAX + 2];

	expect_name("m0", true);
	expect_name("a.b_c-d", true);
	expect_name("0db", true);
	memset(longest, 'x', BLKMIRROR_NAME_MAX);
	longest[BLKMIRROR_NAME_MAX] = '\0';
	expect_name(longest, true);
	longest[BLKMIRROR_NAME_MAX] = 'x';
	longest[BLKMIRROR_NAME_MAX + 1] = '\0';
	expect_name(longest, false);
	expect_name("", false);
	expect_name(".hidden", false);
	expect_name("-x", false);
	expect_name("a/b", false);
	expect_name("a b", false);
	expect_name("caf\xc3\xa9", false);
}

static void expect_str(const char *got, const char *want, const char *what)
{
	check(strcmp(got, want) == 0, "%s is '%s' (got '%s')", what, want, got);
}

/* "2026-12-02T03:04:05.123456+01:00": the shape, and that it is now. */
static void test_timestamp(void)
{
	char ts[FMT_LEN * 2], date[16], tail[8];
	int y, mo, d, h, mi, sec, n = 0;
	long usec;
	time_t now = time(NULL);
	struct tm tm;

	fmt_timestamp(ts);
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	check(strlen(ts) == 32 &&
	      sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%6ld%6s%n", &y, &mo, &d, &h, &mi, &sec,
		     &usec, tail, &n) == 8 && n == 32 &&
	      (tail[0] == '+' || tail[0] == '-') && tail[3] == ':' && strlen(tail) == 6 &&
	      (strncmp(ts, date, 10) == 0 || h == 0),
	      "timestamp is ISO 8601 with microseconds and the UTC offset, today (got '%s')", ts);
}

static void test_formatting(void)
{
	char b[FMT_LEN];

	expect_str(fmt_bytes(0, b), "0 B", "0 bytes");
	expect_str(fmt_bytes(1023, b), "1023 B", "1023 bytes");
	expect_str(fmt_bytes(1024, b), "1.0 KiB", "1024 bytes");
	expect_str(fmt_bytes(3ULL << 29, b), "1.5 GiB", "1.5 GiB");
	expect_str(fmt_bytes(UINT64_MAX, b), "16.0 EiB", "UINT64_MAX bytes");
	expect_str(fmt_rate(126143283, b), "120.3 MiB/s", "a rate");
	expect_str(fmt_duration(42, b), "0:42", "42 seconds");
	expect_str(fmt_duration(3723, b), "1:02:03", "3723 seconds");
	expect_str(fmt_devt(makedev(254, 3), b), "254:3", "a devt");
	expect_str(fmt_pause(0, b), "0.000 ms", "no pause");
	expect_str(fmt_pause(412, b), "0.412 ms", "a pause of 412 us");
	expect_str(fmt_pause(12345678, b), "12345.678 ms", "a long pause");
	expect_str(fmt_percent(1000, 423, false, b), "42.3", "percent with one decimal");
	expect_str(fmt_percent(1000, 4239, false, b), "99.9", "percent past the size, not in sync");
	expect_str(fmt_percent(3, 2, false, b), "66.6", "percent rounded down");
	expect_str(fmt_percent(1ULL << 40, (1ULL << 40) - 1, false, b), "99.9",
		   "percent one byte short is not 100.0");
	expect_str(fmt_percent(1ULL << 40, 1ULL << 40, true, b), "100.0", "percent in sync");
	expect_str(fmt_percent(0, 0, false, b), "0.0", "percent of nothing");
	expect_str(fmt_percent(UINT64_MAX, UINT64_MAX / 2, false, b), "50.0",
		   "percent of the largest size");
	expect_str(fmt_eta(64 << 20, 16 << 20, 8 << 20, b), "0:06", "ETA, 48 MiB at 8 MiB/s");
	expect_str(fmt_eta(64 << 20, 16 << 20, 0, b), "--:--", "ETA without a rate");
	expect_str(fmt_eta(1ULL << 40, 0, 1 << 20, b), "291:16:16", "ETA of 1 TiB at 1 MiB/s");
	test_timestamp();
}

/*---------------------------------------------------------------------------
 * json.c
 */

static void expect_escaped(const char *in, const char *want, const char *what)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	json_escape(f, in);
	fclose(f);
	expect_str(out, want, what);
	free(out);
}

static void test_json(void)
{
	struct capture c;
	struct json j;

	expect_escaped("plain", "\"plain\"", "JSON plain string");
	expect_escaped("a\"b\\c", "\"a\\\"b\\\\c\"", "JSON quote and backslash");
	expect_escaped("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"", "JSON short escapes");
	expect_escaped("\x01\x1f", "\"\\u0001\\u001f\"", "JSON control characters");
	expect_escaped("/dev/disk/by-id/x", "\"/dev/disk/by-id/x\"", "JSON slash kept");
	expect_escaped("caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\"", "JSON UTF-8 kept");
	expect_escaped("a\xff" "b", "\"a\\ufffdb\"", "JSON invalid byte replaced");
	expect_escaped("\xc3", "\"\\ufffd\"", "JSON truncated sequence replaced");
	expect_escaped("\xc0\xaf", "\"\\ufffd\\ufffd\"", "JSON overlong form replaced");
	expect_escaped("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "JSON surrogate replaced");

	capture_start(&c, STDOUT_FILENO);
	json_begin(&j, stdout);
	json_str(&j, "name", "m\"0");
	json_u64(&j, "size_bytes", UINT64_MAX);
	json_null(&j, "failed_leg");
	json_str(&j, "device", NULL);
	json_obj_begin(&j, "stats");
	json_u64(&j, "reads", 1);
	json_u64(&j, "writes", 2);
	json_obj_end(&j);
	json_u64(&j, "percent", 5);
	json_end(&j);
	expect_str(capture_end(&c),
		   "{\"name\":\"m\\\"0\",\"size_bytes\":18446744073709551615,\"failed_leg\":null,"
		   "\"device\":null,\"stats\":{\"reads\":1,\"writes\":2},\"percent\":5}\n",
		   "JSON object");
}

/* list and status of every mirror: one array, "[]" when empty. */
static void test_json_array(void)
{
	struct json_array a;
	struct capture c;
	struct json j;
	int i;

	capture_start(&c, STDOUT_FILENO);
	json_array_begin(&a, stdout);
	json_array_end(&a);
	expect_str(capture_end(&c), "[]\n", "JSON empty array");

	capture_start(&c, STDOUT_FILENO);
	json_array_begin(&a, stdout);
	for (i = 0; i < 2; i++) {
		json_begin_in(&j, &a);
		json_u64(&j, "n", i);
		json_obj_begin(&j, "o");
		json_null(&j, "x");
		json_obj_end(&j);
		json_end(&j);
	}
	json_array_end(&a);
	expect_str(capture_end(&c), "[\n{\"n\":0,\"o\":{\"x\":null}},\n{\"n\":1,\"o\":{\"x\":null}}\n]\n",
		   "JSON array of two objects, one per line");

	capture_start(&c, STDOUT_FILENO);
	json_array_begin(&a, stdout);
	json_begin_in(&j, &a);
	json_str(&j, "name", "m0");
	json_end(&j);
	json_array_end(&a);
	json_begin(&j, stdout);
	json_str(&j, "name", "m1");
	json_end(&j);
	expect_str(capture_end(&c), "[\n{\"name\":\"m0\"}\n]\n{\"name\":\"m1\"}\n",
		   "JSON object after an array is on its own line");
}

/*---------------------------------------------------------------------------
 * cmdline.c
 */

static int parse(struct mctl_ctx *ctx, ...)
{
	char *argv[16] = { PROG };
	int argc = 1, ret;
	struct capture c;
	va_list ap;

	va_start(ap, ctx);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(ctx, 0, sizeof(*ctx));
	capture_start(&c, STDERR_FILENO);
	ret = parse_cmdline(ctx, argc, argv);
	capture_end(&c);
	return ret;
}

static void test_cmdline(void)
{
	struct mctl_ctx ctx;
	int ret;

	ret = parse(&ctx, "create", "m0", "/dev/a", "/dev/b", "--region-size", "256K",
		    "--max-rate=10M/s", "--wait", NULL);
	check(ret == MCTL_CONTINUE && ctx.args.npos == 3 && strcmp(ctx.args.pos[2], "/dev/b") == 0 &&
	      ctx.args.val[OPT_REGION_SIZE] == 256 << 10 &&
	      ctx.args.val[OPT_MAX_RATE] == 10 << 20 && opt_given(&ctx.args, OPT_WAIT) &&
	      !ctx.json, "create with options, --opt VALUE and --opt=VALUE");
	check(parse(&ctx, "list", "--json", NULL) == MCTL_CONTINUE && ctx.json, "list --json");
	check(parse(&ctx, "-j", "list", NULL) == MCTL_CONTINUE && ctx.json &&
	      opt_given(&ctx.args, OPT_JSON), "-j list is list --json");
	check(parse(&ctx, "--json", "status", "m0", NULL) == MCTL_CONTINUE && ctx.json &&
	      ctx.args.npos == 1, "--json status m0 is status m0 --json");
	check(parse(&ctx, "-j", "monitor", "--json", NULL) == MCTL_CONTINUE && ctx.json,
	      "-j monitor --json: both are fine");
	check(parse(&ctx, "-j", "wait", "m0", NULL) == MCTL_EXIT_USAGE,
	      "-j before a command without --json is a usage error");
	check(parse(&ctx, "-j", NULL) == MCTL_EXIT_USAGE, "-j alone: no command given");
	check(parse(&ctx, "list", NULL) == MCTL_CONTINUE && !ctx.json, "list without -j is not JSON");
	check(parse(&ctx, "status", NULL) == MCTL_CONTINUE && ctx.args.npos == 0,
	      "status without NAME");
	check(parse(&ctx, "status", "--", "m0", NULL) == MCTL_CONTINUE && ctx.args.npos == 1,
	      "-- ends options");
	check(parse(&ctx, "destroy", "m0", "--force", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_FORCE), "destroy --force");
	check(parse(&ctx, "wait", "m0", "--timeout", "5", NULL) == MCTL_CONTINUE &&
	      ctx.args.val[OPT_TIMEOUT] == 5, "wait --timeout");
	check(parse(&ctx, "create", "m0", "/dev/a", NULL) == MCTL_CONTINUE && ctx.args.npos == 2 &&
	      !ctx.args.pos[2], "create without SECONDARY (single leg)");
	ret = parse(&ctx, "attach", "m0", "/dev/b", "--max-rate", "1", "--region-size", "64K",
		    "--wait", "--json", NULL);
	check(ret == MCTL_CONTINUE && ctx.args.npos == 2 && strcmp(ctx.args.pos[1], "/dev/b") == 0 &&
	      ctx.args.val[OPT_MAX_RATE] == 1 && ctx.args.val[OPT_REGION_SIZE] == 64 << 10 &&
	      opt_given(&ctx.args, OPT_WAIT) && ctx.json, "attach with all its options");
	check(parse(&ctx, "switch", "m0", "--force", "--json", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_FORCE) && ctx.json, "switch --force --json");
	check(parse(&ctx, "detach", "m0", "--force", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_FORCE) && !ctx.json, "detach --force");

	check(parse(&ctx, "status", "m0", "--test", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_TEST), "status --test");
	check(parse(&ctx, "-j", "list", "--test", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_TEST) && ctx.json, "-j list --test");
	check(parse(&ctx, "wait", "m0", "--test", NULL) == MCTL_EXIT_USAGE, "wait takes no --test");
	check(parse(&ctx, "monitor", "--timestamps", "--json", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_TIMESTAMPS) && ctx.json, "monitor --timestamps --json");
	check(parse(&ctx, "status", "--timestamps", NULL) == MCTL_EXIT_USAGE,
	      "status takes no --timestamps");
	check(parse(&ctx, NULL) == MCTL_EXIT_USAGE, "no command is a usage error");
	check(parse(&ctx, "frobnicate", NULL) == MCTL_EXIT_USAGE, "unknown command");
	check(parse(&ctx, "--bogus", NULL) == MCTL_EXIT_USAGE, "unknown global option");
	check(parse(&ctx, "create", "m0", NULL) == MCTL_EXIT_USAGE, "missing PRIMARY");
	check(parse(&ctx, "attach", "m0", NULL) == MCTL_EXIT_USAGE, "attach: missing SECONDARY");
	check(parse(&ctx, "attach", "m0", "/dev/b", "/dev/c", NULL) == MCTL_EXIT_USAGE,
	      "attach: extra argument");
	check(parse(&ctx, "attach", "m0", "/dev/b", "--force", NULL) == MCTL_EXIT_USAGE,
	      "attach takes no --force");
	check(parse(&ctx, "switch", "m0", "/dev/b", NULL) == MCTL_EXIT_USAGE,
	      "switch: extra argument");
	check(parse(&ctx, "switch", "m0", "--wait", NULL) == MCTL_EXIT_USAGE,
	      "switch takes no --wait");
	check(parse(&ctx, "detach", NULL) == MCTL_EXIT_USAGE, "detach: missing NAME");
	check(parse(&ctx, "detach", "m0", "--max-rate", "1M", NULL) == MCTL_EXIT_USAGE,
	      "detach takes no --max-rate");
	check(parse(&ctx, "create", "m0", "a", "b", "c", NULL) == MCTL_EXIT_USAGE,
	      "extra argument");
	check(parse(&ctx, "create", ".m0", "a", "b", NULL) == MCTL_EXIT_USAGE, "bad name");
	check(parse(&ctx, "create", "m0", "a", "b", "--region-size", "3M", NULL) == MCTL_EXIT_USAGE,
	      "bad region size");
	check(parse(&ctx, "create", "m0", "a", "b", "--max-rate", "-1", NULL) == MCTL_EXIT_USAGE,
	      "negative rate");
	check(parse(&ctx, "destroy", "m0", "--max-rate", "1", NULL) == MCTL_EXIT_USAGE,
	      "option of another command");
	check(parse(&ctx, "set", "m0", "--max-rate", NULL) == MCTL_EXIT_USAGE,
	      "option without its value");
	check(parse(&ctx, "list", "--json=yes", NULL) == MCTL_EXIT_USAGE, "flag with a value");
	check(parse(&ctx, "wait", "m0", "-t", NULL) == MCTL_EXIT_USAGE, "unknown short option");
	check(parse(&ctx, "help", "nosuch", NULL) == MCTL_EXIT_USAGE, "help of unknown command");
	check(parse(&ctx, "up", "--all", "--config", "/tmp/x.conf", NULL) == MCTL_CONTINUE &&
	      opt_given(&ctx.args, OPT_ALL) && ctx.args.str[OPT_CONFIG] &&
	      strcmp(ctx.args.str[OPT_CONFIG], "/tmp/x.conf") == 0, "up --all --config FILE");
	check(parse(&ctx, "down", "db", "--config=/tmp/y", NULL) == MCTL_CONTINUE &&
	      ctx.args.npos == 1 && strcmp(ctx.args.str[OPT_CONFIG], "/tmp/y") == 0,
	      "down NAME --config=FILE");
	check(parse(&ctx, "up", "--config", NULL) == MCTL_EXIT_USAGE, "up --config without FILE");
	check(parse(&ctx, "up", "--all=1", NULL) == MCTL_EXIT_USAGE, "up --all takes no value");
}

/*---------------------------------------------------------------------------
 * events.c: how a signal ends the event loop
 */

/* A genl socket with nothing to read, and @sig pending on the signalfd. */
static int run_loop_with_signal(int sig)
{
	struct event_loop loop = { .what = "test", .timeout_ms = 5000 };
	sigset_t set, old;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	loop.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	loop.sk = nl_socket_alloc();
	if (loop.sigfd < 0 || !loop.sk || nl_connect(loop.sk, NETLINK_GENERIC) < 0 ||
	    nl_socket_set_nonblocking(loop.sk) < 0) {
		ret = -1;
		goto out;
	}
	kill(getpid(), sig);
	ret = events_run(&loop);
out:
	events_close(&loop);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

static void test_signals(void)
{
	int ret;

	ret = run_loop_with_signal(SIGTERM);
	check(ret == MCTL_EXIT_TERMINATED && ret == 143,
	      "SIGTERM ends the event loop (wait, monitor) with 143 (got %d)", ret);
	ret = run_loop_with_signal(SIGINT);
	check(ret == MCTL_EXIT_INTERRUPTED && ret == 130,
	      "SIGINT ends the event loop with 130 (got %d)", ret);
}

/*---------------------------------------------------------------------------
 * config.c
 */

/* Parse @text as FILE "t.conf"; what went to stderr in @err. */
static void parse_conf(const char *text, struct mctl_conf *c, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct capture cap;

	memset(c, 0, sizeof(*c));
	capture_start(&cap, STDERR_FILENO);
	conf_parse_stream(f, "t.conf", c);
	snprintf(err, errlen, "%s", capture_end(&cap));
	fclose(f);
}

/* One bad line: not taken, reported as "t.conf:LINE: ...REASON...". */
static void expect_conf_error(const char *text, unsigned int line, const char *reason)
{
	char err[2048], want[64];
	struct mctl_conf c;

	parse_conf(text, &c, err, sizeof(err));
	snprintf(want, sizeof(want), "t.conf:%u: ", line);
	check(c.errors == 1 && strncmp(err, want, strlen(want)) == 0 && strstr(err, reason) &&
	      !strchr(err, '\n')[1], "config error '%s' at line %u: %s (got '%s')",
	      text, line, reason, err);
	conf_free(&c);
}

/* A tiny max-rate= is warned about with file and line, and still taken. */
static void test_config_rate_warning(void)
{
	const struct mctl_conf_mirror *m;
	struct mctl_conf c;
	char err[2048];

	parse_conf("slow /dev/disk/by-id/a /dev/disk/by-id/b max-rate=100\n", &c, err, sizeof(err));
	m = conf_find(&c, "slow");
	check(c.errors == 0 && m && m->has_max_rate && m->max_rate == 100 &&
	      strcmp(err, "t.conf:1: warning: mirror 'slow': max-rate '100' is 100 bytes per "
		     "second (100 B/s), below 64.0 KiB/s: one 1 MiB region every 2:54:46 "
		     "(RATE is in bytes: 100M is 100 MiB/s)\n") == 0,
	      "config: max-rate=100 is taken with a warning naming file and line (got '%s')", err);
	conf_free(&c);
}

static void test_config(void)
{
	const struct mctl_conf_mirror *m;
	struct mctl_conf c;
	char err[2048];

	parse_conf("# mirrors\n"
		   "\n"
		   "   # indented comment\n"
		   "db /dev/disk/by-id/wwn-0x5000a /dev/disk/by-id/wwn-0x5000b max-rate=100M region-size=4M\n"
		   "data\tUUID=0a1b-2c3d   # one leg\n"
		   "logs PARTUUID=aa-bb /dev/disk/by-path/pci-0000:00:1f.2-ata-3 max-rate=unlimited min-rate=8M\n"
		   "sp \"/dev/disk/by-id/with space\" '/dev/disk/by-id/q\"uote' # quoted\n"
		   "esc \"/dev/disk/by-id/a\\\"b\"\n"
		   "last /dev/disk/by-uuid/ffff",	/* no newline at the end */
		   &c, err, sizeof(err));
	check(c.errors == 0 && c.n == 6 && !err[0], "config: six mirrors, no error (got %zu, '%s')",
	      c.n, err);
	m = conf_find(&c, "db");
	check(m && m->line == 4 && strcmp(m->primary, "/dev/disk/by-id/wwn-0x5000a") == 0 &&
	      m->has_secondary && strcmp(m->secondary, "/dev/disk/by-id/wwn-0x5000b") == 0 &&
	      m->has_max_rate && m->max_rate == 100 << 20 && m->has_region_size &&
	      m->region_size == 4 << 20, "config: two legs and both options");
	m = conf_find(&c, "data");
	check(m && !m->has_secondary && strcmp(m->primary, "/dev/disk/by-uuid/0a1b-2c3d") == 0 &&
	      !m->has_max_rate && !m->has_region_size,
	      "config: UUID= is /dev/disk/by-uuid/, one leg, a comment after it");
	m = conf_find(&c, "logs");
	check(m && strcmp(m->primary, "/dev/disk/by-partuuid/aa-bb") == 0 &&
	      strcmp(m->secondary, "/dev/disk/by-path/pci-0000:00:1f.2-ata-3") == 0 &&
	      m->has_max_rate && m->max_rate == 0 && m->has_min_rate && m->min_rate == 8 << 20,
	      "config: PARTUUID=, by-path, max-rate=unlimited, min-rate=8M");
	m = conf_find(&c, "sp");
	check(m && strcmp(m->primary, "/dev/disk/by-id/with space") == 0 &&
	      strcmp(m->secondary, "/dev/disk/by-id/q\"uote") == 0,
	      "config: \"...\" and '...' quoting");
	m = conf_find(&c, "esc");
	check(m && strcmp(m->primary, "/dev/disk/by-id/a\"b") == 0, "config: \\\" inside \"...\"");
	m = conf_find(&c, "last");
	check(m && strcmp(m->primary, "/dev/disk/by-uuid/ffff") == 0,
	      "config: last line without a newline");
	check(!conf_find(&c, "nosuch"), "config: conf_find of an unknown name");
	conf_free(&c);

	/* A bad line is left out; the others count. */
	parse_conf("a /dev/disk/by-id/x\nb /dev/sdb\nc /dev/disk/by-id/y\n", &c, err, sizeof(err));
	check(c.errors == 1 && c.n == 2 && conf_find(&c, "a") && conf_find(&c, "c") &&
	      !conf_find(&c, "b") && strncmp(err, "t.conf:2: ", 10) == 0,
	      "config: a bad line is reported and the others stay (got '%s')", err);
	conf_free(&c);

	expect_conf_error("x /dev/sdb\n", 1, "not a stable name");
	expect_conf_error("x /dev/disk/by-id/a /dev/sdc\n", 1, "secondary '/dev/sdc'");
	expect_conf_error("x /dev/disk/by-id/a/../../../sda\n", 1, "not a stable name");
	expect_conf_error("x /dev/disk/by-id/\n", 1, "not a stable name");
	expect_conf_error("x UUID=\n", 1, "empty");
	expect_conf_error("\n\nx\n", 3, "no primary");
	expect_conf_error("x max-rate=1M\n", 1, "no primary");
	expect_conf_error(".x /dev/disk/by-id/a\n", 1, "invalid mirror name '.x'");
	expect_conf_error("x /dev/disk/by-id/a speed=1M\n", 1, "unknown option or leg 'speed=1M'");
	expect_conf_error("x /dev/disk/by-id/a sdb\n", 1, "unknown option or leg 'sdb'");
	expect_conf_error("x /dev/disk/by-id/a max-rate\n", 1, "needs =VALUE");
	expect_conf_error("x /dev/disk/by-id/a max-rate=fast\n", 1, "max-rate 'fast'");
	expect_conf_error("x /dev/disk/by-id/a region-size=3M\n", 1, "region-size '3M'");
	expect_conf_error("x /dev/disk/by-id/a max-rate=1M max-rate=2M\n", 1, "given twice");
	expect_conf_error("x /dev/disk/by-id/a /dev/disk/by-id/b /dev/disk/by-id/c\n", 1, "a third leg");
	expect_conf_error("x /dev/disk/by-id/a max-rate=1M /dev/disk/by-id/b\n", 1,
			  "a leg after an option");
	expect_conf_error("x /dev/disk/by-id/a /dev/disk/by-id/a\n", 1, "are both");
	expect_conf_error("x \"/dev/disk/by-id/a\n", 1, "unterminated \"");
	expect_conf_error("x '/dev/disk/by-id/a\n", 1, "unterminated '");
	expect_conf_error("x /dev/disk/by-id/a#b\n", 1, "'#' inside a field");
	expect_conf_error("x /dev/disk/by-id/a\nx /dev/disk/by-id/b\n", 2,
			  "mirror 'x' already defined at line 1");
	expect_conf_error("x /dev/disk/by-id/a\ny /dev/disk/by-id/b /dev/disk/by-id/a\n", 2,
			  "/dev/disk/by-id/a is already a leg of mirror 'x' (line 1)");
	expect_conf_error("x /dev/disk/by-id/a UUID=1 a b c d e f\n", 1, "too many fields");
	expect_conf_error("x UUID=0a1b /dev/disk/by-id/b\n", 1,
			  "primary 'UUID=0a1b' names a filesystem UUID");
	expect_conf_error("x /dev/disk/by-id/a /dev/disk/by-uuid/0a1b\n", 1,
			  "secondary '/dev/disk/by-uuid/0a1b' names a filesystem UUID");

	{
		static char big[CONF_LINE_MAX + 64];

		memset(big, 'a', sizeof(big) - 1);
		memcpy(big + sizeof(big) - 22, "\nz /dev/disk/by-id/z\n", 21);
		parse_conf(big, &c, err, sizeof(err));
		check(c.errors == 1 && c.n == 1 && conf_find(&c, "z") && strstr(err, "t.conf:1: line longer"),
		      "config: an overlong line is one error, the next line counts (got '%s')", err);
		conf_free(&c);
	}

	memset(&c, 0, sizeof(c));
	check(conf_parse_file("/nonexistent/mirrors.conf", &c) == -ENOENT,
	      "config: a missing file is -ENOENT");

	c = (struct mctl_conf){ .quiet = true };
	{
		FILE *f = fmemopen((void *)"x /dev/sdb\n", 11, "r");
		struct capture cap;

		capture_start(&cap, STDERR_FILENO);
		conf_parse_stream(f, "t.conf", &c);
		check(c.errors == 1 && !capture_end(&cap)[0],
		      "config: quiet counts a bad line and prints nothing");
		fclose(f);
	}
	conf_free(&c);
}

/* What attach, switch and detach warn about: the file left behind. */
static void test_config_stale(void)
{
	struct mctl_conf_mirror two = { .name = "db", .primary = "/dev/disk/by-id/a",
					.secondary = "/dev/disk/by-id/b", .has_secondary = true };
	struct mctl_conf_mirror one = { .name = "db", .primary = "/dev/disk/by-id/a" };
	const char *r;
	char buf[512];

	r = conf_stale_reason(&two, "/dev/sda", "/dev/sdb", "/dev/sda", "/dev/sdb", buf, sizeof(buf));
	check(!r, "stale: file and mirror agree (two legs)");
	r = conf_stale_reason(&one, "/dev/sda", NULL, "/dev/sda", NULL, buf, sizeof(buf));
	check(!r, "stale: file and mirror agree (one leg)");
	r = conf_stale_reason(&two, "/dev/sda", "/dev/sdb", "/dev/sdb", NULL, buf, sizeof(buf));
	check(r && strstr(r, "names /dev/disk/by-id/a as the primary, not /dev/sdb: the next "
			  "'up' would copy it over /dev/disk/by-id/b"),
	      "stale: after a switch the old primary would be copied over the new (got '%s')",
	      r ? r : "");
	r = conf_stale_reason(&two, "/dev/sda", "/dev/sdb", "/dev/sda", NULL, buf, sizeof(buf));
	check(r && strstr(r, "still names /dev/disk/by-id/b as the secondary"),
	      "stale: after a detach (got '%s')", r ? r : "");
	r = conf_stale_reason(&one, "/dev/sda", NULL, "/dev/sda", "/dev/sdc", buf, sizeof(buf));
	check(r && strstr(r, "has no secondary, not /dev/sdc"), "stale: after an attach (got '%s')",
	      r ? r : "");
	r = conf_stale_reason(&two, "/dev/sda", "/dev/sdb", "/dev/sda", "/dev/sdc", buf, sizeof(buf));
	check(r && strstr(r, "names /dev/disk/by-id/b as the secondary, not /dev/sdc"),
	      "stale: another secondary attached (got '%s')", r ? r : "");
	r = conf_stale_reason(&two, NULL, "/dev/sdb", "/dev/sdb", NULL, buf, sizeof(buf));
	check(!r, "stale: nothing said when a configured leg is not present");
}

/* create --wait without SECONDARY is refused before anything is opened or sent. */
static void test_create_wait_single(void)
{
	struct mctl_ctx ctx;
	struct capture c;
	const char *out;
	int ret;

	parse(&ctx, "create", "m0", "/nonexistent/a", "--wait", NULL);
	capture_start(&c, STDERR_FILENO);
	ret = cmd_create(&ctx);
	out = capture_end(&c);
	check(ret == MCTL_EXIT_USAGE && strstr(out, "create m0: --wait needs SECONDARY") &&
	      !strstr(out, "/nonexistent"),
	      "create --wait without SECONDARY is a usage error, before the legs are looked at ('%s')",
	      out);
}

/* Help text comes from the table; --force says what it does per command. */
static void test_help(void)
{
	struct mctl_ctx ctx;
	struct capture c;
	const char *out;
	char *argv[] = { PROG, "help", "switch", NULL }, *argv2[] = { PROG, "detach", "-h", NULL };

	memset(&ctx, 0, sizeof(ctx));
	capture_start(&c, STDOUT_FILENO);
	if (parse_cmdline(&ctx, 3, argv) == MCTL_CONTINUE)
		ctx.cmd->handler(&ctx);
	out = capture_end(&c);
	check(strstr(out, "Usage: mirrorctl switch NAME [--force] [--json]") &&
	      strstr(out, "--force                switch even though") &&
	      !strstr(out, "destroy even"), "help switch: synopsis and its own --force text");

	memset(&ctx, 0, sizeof(ctx));
	capture_start(&c, STDOUT_FILENO);
	parse_cmdline(&ctx, 3, argv2);
	out = capture_end(&c);
	check(strstr(out, "Usage: mirrorctl detach NAME [--force] [--json]") &&
	      strstr(out, "detach even while resyncing or degraded"),
	      "detach -h: synopsis and its own --force text");

	memset(&ctx, 0, sizeof(ctx));
	capture_start(&c, STDOUT_FILENO);
	argv[1] = "--help";
	parse_cmdline(&ctx, 2, argv);
	out = capture_end(&c);
	check(strstr(out, "  create NAME PRIMARY [SECONDARY] [--region-size SIZE]") &&
	      strstr(out, "  attach NAME SECONDARY [--region-size SIZE] [--max-rate RATE] [--min-rate RATE] [--wait] [--json]\n") &&
	      strstr(out, "  switch NAME [--force] [--json]\n") &&
	      strstr(out, "  detach NAME [--force] [--json]\n"), "usage lists the migration commands");
}

/*---------------------------------------------------------------------------
 * Replies: parsing and output
 */

static struct nl_msg *fake_mirror_reply(uint8_t cmd, uint32_t state)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, BLKMIRROR_GENL_VERSION);
	nla_put_string(msg, BLKMIRROR_A_NAME, "m0");
	nla_put_string(msg, BLKMIRROR_A_DISK_NAME, "blkmirror0");
	nla_put_u32(msg, BLKMIRROR_A_DEVT, makedev(254, 0));
	nla_put_u32(msg, BLKMIRROR_A_STATE, state);
	nla_put_string(msg, BLKMIRROR_A_PRIMARY, "/dev/ram0");
	nla_put_string(msg, BLKMIRROR_A_SECONDARY, "/dev/ram1");
	nla_put_u32(msg, BLKMIRROR_A_PRIMARY_DEVT, makedev(1, 0));
	nla_put_u32(msg, BLKMIRROR_A_SECONDARY_DEVT, makedev(1, 1));
	nla_put_u64(msg, BLKMIRROR_A_SIZE, 64 << 20);
	nla_put_u32(msg, BLKMIRROR_A_PRIMARY_LBS, 512);
	nla_put_u32(msg, BLKMIRROR_A_SECONDARY_LBS, 4096);
	nla_put_u32(msg, BLKMIRROR_A_LBS, 4096);
	nla_put_u32(msg, BLKMIRROR_A_REGION_SIZE, 1 << 20);
	nla_put_u64(msg, BLKMIRROR_A_MAX_RATE, 0);
	nla_put_u64(msg, BLKMIRROR_A_SYNCED_BYTES, 16 << 20);
	nla_put_u32(msg, BLKMIRROR_A_PERCENT, 25);
	nla_put_u64(msg, BLKMIRROR_A_RATE, 8 << 20);
	nest = nla_nest_start(msg, BLKMIRROR_A_PRIMARY_STATS);
	nla_put_u64(msg, BLKMIRROR_STAT_READS, 7);
	nla_put_u64(msg, BLKMIRROR_STAT_COPY_BYTES, 16 << 20);
	nla_nest_end(msg, nest);
	if (state == BLKMIRROR_STATE_DEGRADED) {
		nla_put_u32(msg, BLKMIRROR_A_FAIL_LEG, BLKMIRROR_LEG_SECONDARY);
		nla_put_u32(msg, BLKMIRROR_A_FAIL_ERRNO, EIO);
		nla_put_u64(msg, BLKMIRROR_A_FAIL_SECTOR, 2048);
	}
	return msg;
}

/* A single-leg mirror, as GET reports it: no SECONDARY* attributes. */
static struct nl_msg *fake_single_reply(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, BLKMIRROR_GENL_VERSION);
	nla_put_string(msg, BLKMIRROR_A_NAME, "m0");
	nla_put_string(msg, BLKMIRROR_A_DISK_NAME, "blkmirror0");
	nla_put_u32(msg, BLKMIRROR_A_DEVT, makedev(254, 0));
	nla_put_u32(msg, BLKMIRROR_A_STATE, BLKMIRROR_STATE_SINGLE);
	nla_put_string(msg, BLKMIRROR_A_PRIMARY, "/dev/ram1");
	nla_put_u32(msg, BLKMIRROR_A_PRIMARY_DEVT, makedev(1, 1));
	nla_put_u64(msg, BLKMIRROR_A_SIZE, 64 << 20);
	nla_put_u32(msg, BLKMIRROR_A_PRIMARY_LBS, 512);
	nla_put_u32(msg, BLKMIRROR_A_LBS, 512);
	nla_put_u32(msg, BLKMIRROR_A_REGION_SIZE, 1 << 20);
	nla_put_u64(msg, BLKMIRROR_A_MAX_RATE, 0);
	nla_put_u64(msg, BLKMIRROR_A_SYNCED_BYTES, 0);
	nla_put_u32(msg, BLKMIRROR_A_PERCENT, 0);
	nla_put_u64(msg, BLKMIRROR_A_RATE, 0);
	nest = nla_nest_start(msg, BLKMIRROR_A_PRIMARY_STATS);
	nla_put_u64(msg, BLKMIRROR_STAT_WRITES, 3);
	nla_nest_end(msg, nest);
	return msg;
}

static void test_single(void)
{
	struct nl_msg *msg = fake_single_reply(BLKMIRROR_CMD_GET);
	struct mirror_msg m;
	struct capture c;
	const char *out;

	check(bm_parse_mirror(msg, &m) == 0 && m.state == BLKMIRROR_STATE_SINGLE &&
	      !has_secondary(&m) && !m.secondary, "a single-leg GET reply parses, no secondary");
	check(strcmp(state_name(m.state), "single") == 0, "state single is named 'single'");

	capture_start(&c, STDOUT_FILENO);
	print_mirror_json(&m, true, NULL);
	out = capture_end(&c);
	check(strstr(out, "\"state\":\"single\"") &&
	      strstr(out, "\"primary\":\"/dev/ram1\",\"primary_devt\":\"1:1\","
			  "\"secondary\":null,\"secondary_devt\":null,") &&
	      strstr(out, "\"primary_lbs\":512,\"secondary_lbs\":null,") &&
	      strstr(out, "\"secondary_stats\":null}\n"),
	      "single-leg status JSON: every secondary field null (got '%s')", out);

	capture_start(&c, STDOUT_FILENO);
	print_mirror_json(&m, false, NULL);
	out = capture_end(&c);
	check(strcmp(out, "{\"name\":\"m0\",\"device\":\"/dev/blkmirror0\",\"state\":\"single\","
			  "\"percent\":0}\n") == 0, "single-leg list JSON (got '%s')", out);

	capture_start(&c, STDOUT_FILENO);
	print_list_line(&m, "");
	out = capture_end(&c);
	check(strcmp(out, "m0               /dev/blkmirror0  single        -\n") == 0,
	      "single-leg list line (got '%s')", out);

	capture_start(&c, STDOUT_FILENO);
	print_status(&m);
	out = capture_end(&c);
	check(strstr(out, "  state:              single (no secondary") &&
	      strstr(out, "  primary:            /dev/ram1 (1:1), logical block size 512\n") &&
	      strstr(out, "  secondary:          -\n") &&
	      strstr(out, "  secondary stats:    -\n") && !strstr(out, "0:0"),
	      "single-leg status: secondary shown as '-' (got '%s')", out);
	nlmsg_free(msg);

	/* The result of a switch: the mirror, plus what it released and the pause. */
	msg = fake_single_reply(BLKMIRROR_CMD_SWITCH);
	nla_put_string(msg, BLKMIRROR_A_OLD_PRIMARY, "/dev/ram0");
	nla_put_u64(msg, BLKMIRROR_A_PAUSE_USEC, 1234);
	check(bm_parse_mirror(msg, &m) == 0 && m.old_primary && strcmp(m.old_primary, "/dev/ram0") == 0 &&
	      m.pause_usec == 1234, "a SWITCH reply parses OLD_PRIMARY and PAUSE_USEC");
	capture_start(&c, STDOUT_FILENO);
	print_switched(&m, false);
	print_switched(&m, true);
	out = capture_end(&c);
	check(strcmp(out, "m0: /dev/ram1 is now the primary; /dev/ram0 released; I/O paused 1.234 ms\n"
			  "{\"name\":\"m0\",\"primary\":\"/dev/ram1\",\"old_primary\":\"/dev/ram0\","
			  "\"pause_usec\":1234,\"state\":\"single\"}\n") == 0,
	      "switch result, human and JSON (got '%s')", out);
	nlmsg_free(msg);

	/* The result of a detach, consistent or not. */
	msg = fake_single_reply(BLKMIRROR_CMD_DETACH);
	nla_put_string(msg, BLKMIRROR_A_DETACHED_LEG, "/dev/ram2");
	nla_put_u8(msg, BLKMIRROR_A_CONSISTENT, 1);
	check(bm_parse_mirror(msg, &m) == 0 && m.consistent == 1 &&
	      strcmp(m.detached_leg, "/dev/ram2") == 0, "a DETACH reply parses DETACHED_LEG, CONSISTENT");
	capture_start(&c, STDOUT_FILENO);
	print_detached(&m, false);
	print_detached(&m, true);
	out = capture_end(&c);
	check(strcmp(out, "m0: detached /dev/ram2, a consistent copy as of the detach\n"
			  "{\"name\":\"m0\",\"primary\":\"/dev/ram1\",\"detached\":\"/dev/ram2\","
			  "\"consistent\":true,\"state\":\"single\"}\n") == 0,
	      "consistent detach result, human and JSON (got '%s')", out);
	nlmsg_free(msg);
	msg = fake_single_reply(BLKMIRROR_CMD_DETACH);
	nla_put_string(msg, BLKMIRROR_A_DETACHED_LEG, "/dev/ram2");
	nla_put_u8(msg, BLKMIRROR_A_CONSISTENT, 0);
	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_detached(&m, false);
	print_detached(&m, true);
	out = capture_end(&c);
	check(strcmp(out, "m0: detached /dev/ram2, NOT a consistent copy (it was not in sync)\n"
			  "{\"name\":\"m0\",\"primary\":\"/dev/ram1\",\"detached\":\"/dev/ram2\","
			  "\"consistent\":false,\"state\":\"single\"}\n") == 0,
	      "forced detach result, human and JSON (got '%s')", out);
	nlmsg_free(msg);
}

/* The migration events, as monitor shows them. */
static void expect_event(struct nl_msg *msg, const char *want, const char *what)
{
	struct mirror_msg m;
	struct capture c;
	const char *out;

	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_event(&m, true, false);
	print_event(&m, false, false);
	out = capture_end(&c);
	check(strcmp(out, want) == 0, "%s event, JSON and human (got '%s')", what, out);
	nlmsg_free(msg);
}

static struct nl_msg *fake_event(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, 0x20, 0, 0, cmd, BLKMIRROR_GENL_VERSION);
	nla_put_string(msg, BLKMIRROR_A_NAME, "m0");
	nla_put_u64(msg, BLKMIRROR_A_EVENT_SEQ, 9);
	return msg;
}

static void test_migration_events(void)
{
	struct nl_msg *msg;

	msg = fake_event(BLKMIRROR_EVENT_ATTACHED);
	nla_put_string(msg, BLKMIRROR_A_SECONDARY, "/dev/ram1");
	expect_event(msg, "{\"event\":\"attached\",\"name\":\"m0\",\"secondary\":\"/dev/ram1\","
			  "\"type\":\"event\"}\n"
			  "attached  m0 secondary /dev/ram1, copy started\n", "attached");

	msg = fake_event(BLKMIRROR_EVENT_SWITCHED);
	nla_put_string(msg, BLKMIRROR_A_PRIMARY, "/dev/ram1");
	nla_put_string(msg, BLKMIRROR_A_OLD_PRIMARY, "/dev/ram0");
	nla_put_u64(msg, BLKMIRROR_A_PAUSE_USEC, 250);
	expect_event(msg, "{\"event\":\"switched\",\"name\":\"m0\",\"primary\":\"/dev/ram1\","
			  "\"old_primary\":\"/dev/ram0\",\"pause_usec\":250,\"type\":\"event\"}\n"
			  "switched  m0 primary /dev/ram1, released /dev/ram0, I/O paused 0.250 ms\n",
		     "switched");

	msg = fake_event(BLKMIRROR_EVENT_DETACHED);
	nla_put_string(msg, BLKMIRROR_A_DETACHED_LEG, "/dev/ram1");
	nla_put_u8(msg, BLKMIRROR_A_CONSISTENT, 0);
	expect_event(msg, "{\"event\":\"detached\",\"name\":\"m0\",\"detached\":\"/dev/ram1\","
			  "\"consistent\":false,\"type\":\"event\"}\n"
			  "detached  m0 /dev/ram1, not a consistent copy\n", "detached (forced)");

	msg = fake_event(BLKMIRROR_EVENT_DETACHED);
	nla_put_string(msg, BLKMIRROR_A_DETACHED_LEG, "/dev/ram1");
	nla_put_u8(msg, BLKMIRROR_A_CONSISTENT, 1);
	expect_event(msg, "{\"event\":\"detached\",\"name\":\"m0\",\"detached\":\"/dev/ram1\","
			  "\"consistent\":true,\"type\":\"event\"}\n"
			  "detached  m0 /dev/ram1, a consistent copy\n", "detached (in sync)");
}

static void test_replies(void)
{
	struct nl_msg *msg = fake_mirror_reply(BLKMIRROR_CMD_GET, BLKMIRROR_STATE_RESYNCING);
	struct mirror_msg m;
	struct capture c;
	const char *out;

	check(bm_parse_mirror(msg, &m) == 0 && m.cmd == BLKMIRROR_CMD_GET &&
	      strcmp(m.name, "m0") == 0 && m.percent == 25 && m.size == 64 << 20 &&
	      m.stats[0][BLKMIRROR_STAT_READS] == 7 && m.stats[1][BLKMIRROR_STAT_READS] == 0 &&
	      msg_has(&m, BLKMIRROR_A_RATE) && !msg_has(&m, BLKMIRROR_A_FAIL_LEG),
	      "a GET reply parses into its fields");

	capture_start(&c, STDOUT_FILENO);
	print_mirror_json(&m, true, NULL);
	out = capture_end(&c);
	check(strstr(out, "{\"name\":\"m0\",\"device\":\"/dev/blkmirror0\",\"state\":\"resyncing\","
			  "\"percent\":25,\"devt\":\"254:0\",\"primary\":\"/dev/ram0\","
			  "\"primary_devt\":\"1:0\",\"secondary\":\"/dev/ram1\","
			  "\"secondary_devt\":\"1:1\",\"size_bytes\":67108864,"
			  "\"synced_bytes\":16777216,\"rate_bytes_per_sec\":8388608,"
			  "\"eta_seconds\":6,\"region_size_bytes\":1048576,\"max_rate_bytes_per_sec\":0,"
			  "\"min_rate_bytes_per_sec\":null,\"yielding\":false,"
			  "\"logical_block_size\":4096,\"primary_lbs\":512,\"secondary_lbs\":4096,"
			  "\"failed_leg\":null,\"failed_errno\":null,\"failed_sector\":null,"
			  "\"unreadable_sectors\":0,\"unreadable_first_sector\":null,"
			  "\"primary_stats\":{\"reads\":7,\"writes\":0,\"flushes\":0,\"discards\":0,"
			  "\"read_errors\":0,\"write_errors\":0,\"flush_errors\":0,"
			  "\"copy_bytes\":16777216},\"secondary_stats\":{") == out,
	      "status JSON has the documented fields in order");

	capture_start(&c, STDOUT_FILENO);
	print_list_line(&m, "");
	out = capture_end(&c);
	check(strcmp(out, "m0               /dev/blkmirror0  resyncing   25%\n") == 0,
	      "list line (got '%.60s')", out);
	nlmsg_free(msg);

	msg = fake_mirror_reply(BLKMIRROR_EVENT_DEGRADED, BLKMIRROR_STATE_DEGRADED);
	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_event(&m, true, false);
	print_event(&m, false, false);
	out = capture_end(&c);
	check(strcmp(out, "{\"event\":\"degraded\",\"name\":\"m0\",\"failed_leg\":\"secondary\","
			  "\"failed_errno\":5,\"failed_sector\":2048,\"type\":\"event\"}\n"
			  "degraded  m0 secondary leg failed: Input/output error at sector 2048\n") == 0,
	      "degraded event, JSON and human (got '%s')", out);
	nlmsg_free(msg);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* monitor: state lines, the end of the state, and "type" in JSON. */
static void test_monitor_lines(void)
{
	struct nl_msg *msg = fake_mirror_reply(BLKMIRROR_CMD_GET, BLKMIRROR_STATE_RESYNCING);
	struct mirror_msg m;
	struct capture c;
	const char *out;

	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_state_line(&m, false, false);
	print_state_end(false, false);
	out = capture_end(&c);
	check(strcmp(out, "state     m0               /dev/blkmirror0  resyncing   25%\n"
			  "state     -\n") == 0, "monitor: state line, then 'state -' (got '%s')", out);

	capture_start(&c, STDOUT_FILENO);
	print_state_line(&m, true, false);
	print_state_end(true, false);
	out = capture_end(&c);
	check(starts_with(out, "{\"name\":\"m0\",\"device\":") &&
	      strstr(out, "\"eta_seconds\":6,") &&
	      strstr(out, "},\"type\":\"state\"}\n{\"type\":\"state-end\"}\n") &&
	      !strstr(out, "\"event\""),
	      "monitor --json: a mirror object with type state, then type state-end (got '%s')",
	      out);

	capture_start(&c, STDOUT_FILENO);
	print_state_line(&m, false, true);
	print_state_end(true, true);
	out = capture_end(&c);
	check(strlen(out) > 80 && out[4] == '-' && out[10] == 'T' &&
	      (out[26] == '+' || out[26] == '-') &&
	      strncmp(out + 32, " state     m0 ", 14) == 0 &&
	      strstr(out, "\n{\"type\":\"state-end\",\"timestamp\":\"") &&
	      out[strlen(out) - 1] == '\n',
	      "monitor --timestamps: the time starts a line, and is a field in JSON (got '%s')", out);
	nlmsg_free(msg);

	msg = fake_event(BLKMIRROR_EVENT_DESTROYED);
	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_event(&m, true, true);
	print_event(&m, false, true);
	out = capture_end(&c);
	check(starts_with(out, "{\"event\":\"destroyed\",\"name\":\"m0\",\"type\":\"event\","
			       "\"timestamp\":\"2") &&
	      strstr(out, " destroyed m0\n") && strlen(strstr(out, "}\n2")) == 2 + 32 + 14,
	      "monitor --timestamps: events too, JSON and human (got '%s')", out);
	nlmsg_free(msg);

	msg = fake_mirror_reply(BLKMIRROR_CMD_GET, BLKMIRROR_STATE_RESYNCING);
	bm_parse_mirror(msg, &m);
	capture_start(&c, STDOUT_FILENO);
	print_status(&m);
	out = capture_end(&c);
	check(strstr(out, "  state:              resyncing, 25.0% (16.0 MiB of 64.0 MiB) at "
			  "8.0 MiB/s, ETA 0:06\n") != NULL,
	      "status: percent with one decimal, rate and ETA (got '%.200s')", out);
	nlmsg_free(msg);
}

/*---------------------------------------------------------------------------
 * nl.c against the kernel: nlctrl refuses an over-long family name with an
 * extended-ack message, which is exactly the path a blkmirror refusal takes.
 */

static void test_ext_ack(void)
{
	struct mctl_nl nl = { .what = "create", .object = "m0" };
	char longname[64];
	struct nl_msg *msg;
	struct capture c;
	const char *out;
	int err, ret;

	nl.sk = nl_socket_alloc();
	if (genl_connect(nl.sk) < 0) {
		printf("ok - extended ack from the kernel # SKIP no generic netlink here\n");
		nl_socket_free(nl.sk);
		return;
	}
	bm_set_ext_ack(nl.sk);
	nl.family = GENL_ID_CTRL;
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, 0, CTRL_CMD_GETFAMILY, 1);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, longname);
	err = bm_request(&nl, msg, NULL, NULL);
	check(err == -EINVAL && strstr(nl.ext_msg, "policy"),
	      "kernel refusal returns -errno and its ext-ack message ('%s')", nl.ext_msg);

	capture_start(&c, STDERR_FILENO);
	ret = bm_report(&nl, err);
	out = capture_end(&c);
	check(ret == MCTL_EXIT_FAIL &&
	      strcmp(out, "mirrorctl: create m0: Attribute failed policy validation "
			  "(Invalid argument)\n") == 0,
	      "refusal printed as 'command NAME: message (strerror)'");

	nl.ext_msg[0] = '\0';
	capture_start(&c, STDERR_FILENO);
	ret = bm_report(&nl, -EPERM);
	out = capture_end(&c);
	check(ret == MCTL_EXIT_PERM && strncmp(out, "mirrorctl: create m0: Operation not permitted\n",
					       46) == 0 && strstr(out, "CAP_SYS_ADMIN"),
	      "EPERM exits 4 and says what is needed");

	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, NLM_F_DUMP,
		    CTRL_CMD_GETFAMILY, 1);
	err = bm_request(&nl, msg, NULL, NULL);
	check(err == 0, "a dump ends cleanly at NLMSG_DONE");
	nl_socket_free(nl.sk);
}

/*---------------------------------------------------------------------------
 * uapi dump for tests/uapi_yaml.py
 */

#define DUMP(kind, name)	printf("%s %s %lld\n", kind, #name, (long long)(name))

static void dump_uapi(void)
{
	printf("string BLKMIRROR_GENL_NAME %s\n", BLKMIRROR_GENL_NAME);
	printf("string BLKMIRROR_MCGRP_EVENTS %s\n", BLKMIRROR_MCGRP_EVENTS);
	DUMP("const", BLKMIRROR_GENL_VERSION);
	DUMP("const", BLKMIRROR_NAME_MAX);
	DUMP("const", BLKMIRROR_PATH_MAX);
	DUMP("const", BLKMIRROR_REGION_MIN);
	DUMP("const", BLKMIRROR_REGION_MAX);
	DUMP("const", BLKMIRROR_REGION_DEFAULT);
	DUMP("const", BLKMIRROR_MIN_RATE_DEFAULT);
	DUMP("cmd", BLKMIRROR_CMD_VERSION);
	DUMP("cmd", BLKMIRROR_CMD_CREATE);
	DUMP("cmd", BLKMIRROR_CMD_DESTROY);
	DUMP("cmd", BLKMIRROR_CMD_GET);
	DUMP("cmd", BLKMIRROR_CMD_SET);
	DUMP("cmd", BLKMIRROR_EVENT_CREATED);
	DUMP("cmd", BLKMIRROR_EVENT_PROGRESS);
	DUMP("cmd", BLKMIRROR_EVENT_COMPLETE);
	DUMP("cmd", BLKMIRROR_EVENT_DEGRADED);
	DUMP("cmd", BLKMIRROR_EVENT_DESTROYED);
	DUMP("cmd", BLKMIRROR_EVENT_UNREADABLE);
	DUMP("cmd", BLKMIRROR_CMD_ATTACH);
	DUMP("cmd", BLKMIRROR_CMD_SWITCH);
	DUMP("cmd", BLKMIRROR_CMD_DETACH);
	DUMP("cmd", BLKMIRROR_EVENT_ATTACHED);
	DUMP("cmd", BLKMIRROR_EVENT_SWITCHED);
	DUMP("cmd", BLKMIRROR_EVENT_DETACHED);
	DUMP("cmd", BLKMIRROR_EVENT_CHANGED);
	DUMP("max", BLKMIRROR_CMD_MAX);
	DUMP("attr", BLKMIRROR_A_PAD);
	DUMP("attr", BLKMIRROR_A_VERSION);
	DUMP("attr", BLKMIRROR_A_NAME);
	DUMP("attr", BLKMIRROR_A_PRIMARY);
	DUMP("attr", BLKMIRROR_A_SECONDARY);
	DUMP("attr", BLKMIRROR_A_REGION_SIZE);
	DUMP("attr", BLKMIRROR_A_MAX_RATE);
	DUMP("attr", BLKMIRROR_A_FORCE);
	DUMP("attr", BLKMIRROR_A_DISK_NAME);
	DUMP("attr", BLKMIRROR_A_DEVT);
	DUMP("attr", BLKMIRROR_A_STATE);
	DUMP("attr", BLKMIRROR_A_PRIMARY_DEVT);
	DUMP("attr", BLKMIRROR_A_SECONDARY_DEVT);
	DUMP("attr", BLKMIRROR_A_SIZE);
	DUMP("attr", BLKMIRROR_A_PRIMARY_LBS);
	DUMP("attr", BLKMIRROR_A_SECONDARY_LBS);
	DUMP("attr", BLKMIRROR_A_LBS);
	DUMP("attr", BLKMIRROR_A_SYNCED_BYTES);
	DUMP("attr", BLKMIRROR_A_PERCENT);
	DUMP("attr", BLKMIRROR_A_RATE);
	DUMP("attr", BLKMIRROR_A_PRIMARY_STATS);
	DUMP("attr", BLKMIRROR_A_SECONDARY_STATS);
	DUMP("attr", BLKMIRROR_A_FAIL_LEG);
	DUMP("attr", BLKMIRROR_A_FAIL_ERRNO);
	DUMP("attr", BLKMIRROR_A_FAIL_SECTOR);
	DUMP("attr", BLKMIRROR_A_EVENT_SEQ);
	DUMP("attr", BLKMIRROR_A_UNREADABLE_SECTORS);
	DUMP("attr", BLKMIRROR_A_UNREADABLE_FIRST);
	DUMP("attr", BLKMIRROR_A_RANGE_SECTOR);
	DUMP("attr", BLKMIRROR_A_RANGE_SECTORS);
	DUMP("attr", BLKMIRROR_A_OLD_PRIMARY);
	DUMP("attr", BLKMIRROR_A_PAUSE_USEC);
	DUMP("attr", BLKMIRROR_A_DETACHED_LEG);
	DUMP("attr", BLKMIRROR_A_CONSISTENT);
	DUMP("attr", BLKMIRROR_A_MIN_RATE);
	DUMP("attr", BLKMIRROR_A_YIELDING);
	DUMP("max", BLKMIRROR_A_MAX);
	DUMP("stat", BLKMIRROR_STAT_PAD);
	DUMP("stat", BLKMIRROR_STAT_READS);
	DUMP("stat", BLKMIRROR_STAT_WRITES);
	DUMP("stat", BLKMIRROR_STAT_FLUSHES);
	DUMP("stat", BLKMIRROR_STAT_DISCARDS);
	DUMP("stat", BLKMIRROR_STAT_READ_ERRORS);
	DUMP("stat", BLKMIRROR_STAT_WRITE_ERRORS);
	DUMP("stat", BLKMIRROR_STAT_FLUSH_ERRORS);
	DUMP("stat", BLKMIRROR_STAT_COPY_BYTES);
	DUMP("max", BLKMIRROR_STAT_MAX);
	DUMP("enum", BLKMIRROR_STATE_UNSPEC);
	DUMP("enum", BLKMIRROR_STATE_RESYNCING);
	DUMP("enum", BLKMIRROR_STATE_SYNCED);
	DUMP("enum", BLKMIRROR_STATE_DEGRADED);
	DUMP("enum", BLKMIRROR_STATE_SINGLE);
	DUMP("enum", BLKMIRROR_LEG_NONE);
	DUMP("enum", BLKMIRROR_LEG_PRIMARY);
	DUMP("enum", BLKMIRROR_LEG_SECONDARY);
}

/* `unit conf FILE`: FILE parses with no error and has @want mirrors. */
static void check_conf_file(const char *file, const char *want)
{
	struct mctl_conf c = { 0 };
	int err;

	err = conf_parse_file(file, &c);
	check(err == 0 && c.errors == 0 && c.n == strtoul(want, NULL, 10),
	      "%s parses: %s mirrors, no error (got %zu, %u errors, %d)", file, want,
	      c.n, c.errors, err);
	conf_free(&c);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "uapi") == 0) {
		dump_uapi();
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "conf") == 0) {
		check_conf_file(argv[2], argv[3]);
		return 0;
	}
	test_sizes();
	test_rates();
	test_region_sizes();
	test_seconds();
	test_names();
	test_formatting();
	test_json();
	test_json_array();
	test_cmdline();
	test_signals();
	test_config();
	test_config_rate_warning();
	test_monitor_lines();
	test_config_stale();
	test_create_wait_single();
	test_help();
	test_replies();
	test_single();
	test_migration_events();
	test_ext_ack();
	return 0;
}
