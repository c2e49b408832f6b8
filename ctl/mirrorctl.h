/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mirrorctl internal interfaces: the one header shared by every ctl/ file.
 */
#ifndef MIRRORCTL_H
#define MIRRORCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../uapi/blkmirror.h"

#define PROG "mirrorctl"

/* Exit codes; documented in mirrorctl.8, keep the two in step. */
enum mctl_exit {
	MCTL_EXIT_OK		= 0,
	MCTL_EXIT_FAIL		= 1,	/* kernel refused, runtime error */
	MCTL_EXIT_USAGE		= 2,
	MCTL_EXIT_NOMODULE	= 3,
	MCTL_EXIT_PERM		= 4,
	MCTL_EXIT_TIMEOUT	= 5,
	MCTL_EXIT_DEGRADED	= 6,
	MCTL_EXIT_DESTROYED	= 7,
	MCTL_EXIT_DETACHED	= 8,	/* wait: the secondary was detached */
	MCTL_EXIT_INTERRUPTED	= 130,	/* wait stopped by SIGINT, as a shell would (128 + 2) */
	MCTL_EXIT_TERMINATED	= 143,	/* wait, monitor stopped by SIGTERM (128 + 15) */
};

/* Returned by event handlers that want the event loop to go on. */
#define MCTL_CONTINUE	(-1)

/*---------------------------------------------------------------------------
 * Command line
 */

/* Every option any command takes; a command lists the ones it accepts. */
enum mctl_opt {
	OPT_REGION_SIZE,
	OPT_MAX_RATE,
	OPT_MIN_RATE,
	OPT_TIMEOUT,
	OPT_FORCE,
	OPT_WAIT,
	OPT_JSON,
	OPT_NO_WAIT,
	OPT_ALL,
	OPT_CONFIG,
	OPT_TIMESTAMPS,
	OPT_TEST,
	OPT_COUNT
};

#define OPT_BIT(o)	(1U << (o))

/* What a positional argument is; drives the help text and completion. */
enum mctl_arg_kind {
	ARG_NEW_NAME,	/* a name not in use yet: nothing to complete */
	ARG_MIRROR,	/* an existing mirror */
	ARG_DEVICE,	/* a block device path */
	ARG_COMMAND,	/* a mirrorctl command */
};

#define MCTL_MAX_ARGS	3

struct mctl_arg {
	const char *label;		/* "NAME", "PRIMARY", ... */
	enum mctl_arg_kind kind;
	bool optional;
};

struct mctl_args {
	const char *pos[MCTL_MAX_ARGS];
	int npos;
	unsigned int given;		/* OPT_BIT() of each option seen */
	uint64_t val[OPT_COUNT];	/* parsed value of each option taking one */
	const char *str[OPT_COUNT];	/* each value as typed; --config has no other */
};

static inline bool opt_given(const struct mctl_args *a, enum mctl_opt o)
{
	return a->given & OPT_BIT(o);
}

struct mctl_ctx;

struct mctl_cmd {
	const char *name;
	struct mctl_arg args[MCTL_MAX_ARGS];
	unsigned int opts;		/* OPT_BIT() of accepted options */
	const char *help;
	int (*handler)(struct mctl_ctx *ctx);
	unsigned int flags;
	/* What an option means for this command, when the generic text won't do. */
	const char *opt_help[OPT_COUNT];
};

#define CMD_NETLINK	0x1	/* open the family before the handler runs */
#define CMD_HIDDEN	0x2	/* not in help or completion */

/*---------------------------------------------------------------------------
 * Netlink (nl.c)
 */

struct nl_sock;
struct nl_msg;

struct mctl_nl {
	struct nl_sock *sk;
	int family;
	const char *what;		/* command name, for error messages */
	const char *object;		/* mirror name or NULL, ditto */
	char ext_msg[256];		/* extended-ack message of the last error */
};

/* Everything a command handler needs. */
struct mctl_ctx {
	const struct mctl_cmd *cmd;
	struct mctl_args args;
	struct mctl_nl nl;
	bool json;
	bool global_json;		/* -j/--json before the command */
};

/*
 * One received generic netlink message of the family, reply or event, with
 * the attributes that came with it.  Strings point into the message and
 * are only valid inside the callback that got it.
 */
struct mirror_msg {
	uint8_t cmd;
	uint64_t has;			/* 1ULL << BLKMIRROR_A_x per attribute present */
	const char *version;
	const char *name;
	const char *disk_name;
	const char *primary;
	const char *secondary;
	const char *old_primary;	/* SWITCH reply, SWITCHED event */
	const char *detached_leg;	/* DETACH reply, DETACHED event */
	uint32_t devt, primary_devt, secondary_devt;
	uint32_t state, percent;
	uint32_t lbs, primary_lbs, secondary_lbs;
	uint32_t region_size;
	uint32_t fail_leg, fail_errno;
	uint64_t size, synced_bytes, rate, max_rate, fail_sector;
	uint64_t min_rate;		/* floor under foreground load */
	uint8_t yielding;		/* 1: the copy keeps to min_rate now */
	uint64_t event_seq;		/* events: this one's; GET: the last sent */
	uint64_t unreadable_sectors, unreadable_first;
	uint64_t range_sector, range_sectors;	/* UNREADABLE events */
	uint64_t pause_usec;		/* SWITCH reply, SWITCHED event */
	uint8_t consistent;		/* DETACH reply, DETACHED event */
	uint64_t stats[2][BLKMIRROR_STAT_MAX + 1];	/* [0] primary, [1] secondary */
};

static inline bool msg_has(const struct mirror_msg *m, int attr)
{
	return m->has & (1ULL << attr);
}

/* A single-leg mirror's replies carry no SECONDARY* attributes. */
static inline bool has_secondary(const struct mirror_msg *m)
{
	return msg_has(m, BLKMIRROR_A_SECONDARY);
}

typedef int (*mirror_fn)(const struct mirror_msg *m, void *arg);

int bm_open(struct mctl_nl *nl);
void bm_close(struct mctl_nl *nl);
struct nl_msg *bm_new_request(const struct mctl_nl *nl, uint8_t cmd, int flags);
int bm_request(struct mctl_nl *nl, struct nl_msg *msg, mirror_fn fn, void *arg);
int bm_report(const struct mctl_nl *nl, int err);
int bm_get_mirror(struct mctl_nl *nl, const char *name, mirror_fn fn, void *arg);
int bm_parse_mirror(struct nl_msg *msg, struct mirror_msg *m);
int bm_set_ext_ack(struct nl_sock *sk);

/*---------------------------------------------------------------------------
 * Events (events.c)
 */

struct event_loop {
	struct nl_sock *sk;
	int sigfd;
	int family;			/* drop anything not from blkmirror */
	const char *what;		/* command name, for messages */
	mirror_fn on_event;		/* returns MCTL_CONTINUE or an exit code */
	int (*on_overrun)(void *arg);	/* re-read state after lost events */
	int (*on_idle)(void *arg);	/* no event for EVENTS_IDLE_MS: look */
	void *arg;
	int timeout_ms;			/* < 0: none */
	int result;			/* verdict of the last handler call */
};

/*
 * The kernel may fail to allocate an event; the one lost may be the last
 * (COMPLETE), with no later gap to show it.  Listeners that must not miss
 * the end look at the state after this long without an event.
 */
#define EVENTS_IDLE_MS	2000

int events_subscribe(struct mctl_ctx *ctx, struct event_loop *loop);
int events_run(struct event_loop *loop);
void events_close(struct event_loop *loop);
bool event_is_new(uint64_t *seen, const struct mirror_msg *m);

/*
 * Where wait_for_sync() shows progress: stdout for `wait`; stderr for
 * `create --wait` and `attach --wait`, whose stdout is the device node
 * only; nowhere with --json, whose stdout is the one object.
 */
enum wait_output {
	WAIT_STDOUT,
	WAIT_STDERR,
	WAIT_QUIET,
};

int wait_for_sync(struct mctl_ctx *ctx, const char *name, enum wait_output out);
int destroy_and_wait(struct mctl_ctx *ctx, struct nl_msg *msg);
int cmd_wait(struct mctl_ctx *ctx);
int cmd_monitor(struct mctl_ctx *ctx);

/*---------------------------------------------------------------------------
 * Units, names, numbers (units.c)
 */

#define FMT_LEN	32

/*
 * The smallest resync rate limit that passes without a warning (0 is no
 * limit): one 64 KiB region, the smallest, a second.  Below that a mirror
 * of a few hundred GiB takes months to copy.
 */
#define MCTL_RATE_FLOOR	(64 * 1024)

int parse_bytes(const char *s, bool rate, uint64_t *out, const char **why);
int parse_region_size(const char *s, uint64_t *out, const char **why);
int parse_rate(const char *s, uint64_t *out, const char **why);
int parse_seconds(const char *s, uint64_t *out, const char **why);
const char *rate_warning(const char *given, uint64_t rate, char *buf, size_t len);
int check_name(const char *s, const char **why);
char *fmt_bytes(uint64_t v, char buf[FMT_LEN]);
char *fmt_rate(uint64_t v, char buf[FMT_LEN]);
char *fmt_duration(uint64_t secs, char buf[FMT_LEN]);
char *fmt_devt(uint32_t devt, char buf[FMT_LEN]);
char *fmt_pause(uint64_t usec, char buf[FMT_LEN]);
bool eta_seconds(uint64_t size, uint64_t synced, uint64_t rate, uint64_t *secs);
char *fmt_eta(uint64_t size, uint64_t synced, uint64_t rate, char buf[FMT_LEN]);
char *fmt_percent(uint64_t size, uint64_t synced, bool in_sync, char buf[FMT_LEN]);
char *fmt_timestamp(char buf[FMT_LEN * 2]);

/*---------------------------------------------------------------------------
 * JSON writer (json.c): one object per line, flushed at its end; an array
 * is "[", one object per line with commas, "]" (or "[]").
 */

struct json_array {
	FILE *f;
	unsigned int n;			/* elements so far */
};

struct json {
	FILE *f;
	bool need_comma;
	struct json_array *array;	/* the array this object is in, or NULL */
};

void json_escape(FILE *f, const char *s);
void json_begin(struct json *j, FILE *f);
void json_begin_in(struct json *j, struct json_array *a);
void json_end(struct json *j);
void json_array_begin(struct json_array *a, FILE *f);
void json_array_end(struct json_array *a);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_null(struct json *j, const char *key);
void json_bool(struct json *j, const char *key, bool val);
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);

/*---------------------------------------------------------------------------
 * Output of mirrors and events (output.c)
 */

const char *state_name(uint32_t state);
void print_list_line(const struct mirror_msg *m, const char *prefix);
void print_status(const struct mirror_msg *m);
void print_mirror_json(const struct mirror_msg *m, bool full, struct json_array *a);
int check_stdout(void);
void print_event(const struct mirror_msg *m, bool json, bool timestamps);
void print_state_line(const struct mirror_msg *m, bool json, bool timestamps);
void print_state_end(bool json, bool timestamps);
void print_failure(FILE *f, const struct mirror_msg *m);
void print_switched(const struct mirror_msg *m, bool json);
void print_detached(const struct mirror_msg *m, bool json);


/*---------------------------------------------------------------------------
 * Command handlers (cmds.c, wait.c)
 */

int cmd_create(struct mctl_ctx *ctx);
int cmd_attach(struct mctl_ctx *ctx);
int cmd_switch(struct mctl_ctx *ctx);
int cmd_detach(struct mctl_ctx *ctx);
int cmd_destroy(struct mctl_ctx *ctx);
int cmd_set(struct mctl_ctx *ctx);
int cmd_list(struct mctl_ctx *ctx);
int cmd_status(struct mctl_ctx *ctx);
int cmd_version(struct mctl_ctx *ctx);

/*---------------------------------------------------------------------------
 * Configuration file (config.c), blkmirror.conf(5)
 */

#define MCTL_CONF_DEFAULT	"/etc/blkmirror/mirrors.conf"
#define CONF_PATH_MAX		4096
#define CONF_LINE_MAX		4096	/* longer lines are an error */

struct mctl_conf_mirror {
	char name[BLKMIRROR_NAME_MAX + 1];
	char primary[CONF_PATH_MAX];	/* a stable path; UUID= made /dev/disk/by-uuid/ */
	char secondary[CONF_PATH_MAX];
	bool has_secondary;
	bool has_max_rate, has_min_rate, has_region_size;
	uint64_t max_rate, min_rate, region_size;
	unsigned int line;
};

struct mctl_conf {
	const char *file;
	struct mctl_conf_mirror *m;
	size_t n;
	unsigned int errors;		/* bad lines, each reported as FILE:LINE: reason */
	bool quiet;			/* count bad lines, do not report them */
};

int conf_parse_stream(FILE *f, const char *file, struct mctl_conf *c);
int conf_parse_file(const char *path, struct mctl_conf *c);
void conf_free(struct mctl_conf *c);
const struct mctl_conf_mirror *conf_find(const struct mctl_conf *c, const char *name);

const char *conf_stale_reason(const struct mctl_conf_mirror *m, const char *conf_primary,
			      const char *conf_secondary, const char *primary,
			      const char *secondary, char *buf, size_t len);
void conf_warn_if_stale(struct mctl_ctx *ctx, const char *name);
int cmd_up(struct mctl_ctx *ctx);
int cmd_down(struct mctl_ctx *ctx);

/* cmdline.c */
extern const char mctl_version[];
int parse_cmdline(struct mctl_ctx *ctx, int argc, char **argv);
int mctl_main(int argc, char **argv);

/* output.c: "mirrorctl: <message>" on stderr */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* MIRRORCTL_H */
