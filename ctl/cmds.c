// SPDX-License-Identifier: GPL-2.0
/*
 * The request/reply commands: create, attach, switch, detach, destroy, set,
 * list, status, version.
 * wait and monitor, which follow events, live in wait.c and monitor.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>

#include "mirrorctl.h"

/*---------------------------------------------------------------------------
 * Options that become attributes
 */

/* How a command-line option maps onto a request attribute. */
struct opt_attr {
	enum mctl_opt opt;
	int attr;
	int type;		/* NLA_FLAG, NLA_U32 or NLA_U64 */
};

static const struct opt_attr create_attrs[] = {
	{ OPT_REGION_SIZE,	BLKMIRROR_A_REGION_SIZE,	NLA_U32 },
	{ OPT_MAX_RATE,		BLKMIRROR_A_MAX_RATE,		NLA_U64 },
	{ OPT_MIN_RATE,		BLKMIRROR_A_MIN_RATE,		NLA_U64 },
};

/* destroy, switch and detach: --force is all they take. */
static const struct opt_attr force_attrs[] = {
	{ OPT_FORCE,		BLKMIRROR_A_FORCE,		NLA_FLAG },
};

/* What `set` can change; a new rate control is one more line here. */
static const struct opt_attr set_attrs[] = {
	{ OPT_MAX_RATE,		BLKMIRROR_A_MAX_RATE,		NLA_U64 },
	{ OPT_MIN_RATE,		BLKMIRROR_A_MIN_RATE,		NLA_U64 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Both limits on one command line: a floor above the cap is a mistake we
 * can name before asking.  Against the limits in force the kernel checks.
 */
static int check_rates(const struct mctl_ctx *ctx)
{
	uint64_t max = ctx->args.val[OPT_MAX_RATE], min = ctx->args.val[OPT_MIN_RATE];
	char b1[FMT_LEN], b2[FMT_LEN];

	if (!opt_given(&ctx->args, OPT_MAX_RATE) || !opt_given(&ctx->args, OPT_MIN_RATE) ||
	    !max || min <= max)
		return MCTL_EXIT_OK;
	errmsg("%s %s: --min-rate %s is above --max-rate %s", ctx->nl.what,
	       ctx->args.pos[0], fmt_rate(min, b1), fmt_rate(max, b2));
	return MCTL_EXIT_USAGE;
}

/* Put each given option of @map; returns how many, or -1 if @msg is full. */
static int put_opt_attrs(struct nl_msg *msg, const struct mctl_args *args,
			 const struct opt_attr *map, size_t n)
{
	int count = 0, err = 0;
	size_t i;

	for (i = 0; i < n && !err; i++) {
		uint64_t v = args->val[map[i].opt];

		if (!opt_given(args, map[i].opt))
			continue;
		if (map[i].type == NLA_FLAG)
			err = nla_put_flag(msg, map[i].attr);
		else if (map[i].type == NLA_U32)
			err = nla_put_u32(msg, map[i].attr, (uint32_t)v);
		else
			err = nla_put_u64(msg, map[i].attr, v);
		count++;
	}
	return err < 0 ? -1 : count;
}

/*
 * Build a request on mirror NAME (pos[0]) with the options of @map.
 * Returns NULL after saying why.
 */
static struct nl_msg *mirror_request(struct mctl_ctx *ctx, uint8_t cmd,
				     const struct opt_attr *map, size_t n)
{
	struct nl_msg *msg = bm_new_request(&ctx->nl, cmd, 0);

	if (!msg)
		return NULL;
	if (nla_put_string(msg, BLKMIRROR_A_NAME, ctx->args.pos[0]) < 0 ||
	    put_opt_attrs(msg, &ctx->args, map, n) < 0) {
		errmsg("%s %s: request too large", ctx->nl.what, ctx->args.pos[0]);
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int send_request(struct mctl_ctx *ctx, struct nl_msg *msg, mirror_fn fn)
{
	if (!msg)
		return MCTL_EXIT_FAIL;
	return bm_report(&ctx->nl, bm_request(&ctx->nl, msg, fn, ctx));
}

/*---------------------------------------------------------------------------
 * create
 */

/*
 * Canonical path of a block device: the kernel opens legs by path, and
 * /dev/disk/by-id/... links are what people type.  Refuses anything that
 * is not a block device before a request is sent.
 */
static int resolve_device(struct mctl_ctx *ctx, const char *path, char real[PATH_MAX],
			  dev_t *rdev)
{
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) < 0) {
		errmsg("%s %s: %s: %s", ctx->nl.what, ctx->args.pos[0], path, strerror(errno));
		return -1;
	}
	if (!S_ISBLK(st.st_mode)) {
		errmsg("%s %s: %s: not a block device", ctx->nl.what, ctx->args.pos[0], path);
		return -1;
	}
	*rdev = st.st_rdev;
	return 0;
}

/*
 * Set once a reply has been shown.  The kernel may lack the memory for
 * the reply after the command took effect; then a GET shows the result.
 */
static bool reply_shown;

static int print_created(const struct mirror_msg *m, void *arg)
{
	struct mctl_ctx *ctx = arg;

	reply_shown = true;
	if (ctx->json)
		print_mirror_json(m, true, NULL);
	else if (ctx->cmd && ctx->cmd->handler == cmd_up)	/* several: say which */
		printf("%s /dev/%s\n", m->name ? m->name : "?", m->disk_name ? m->disk_name : "?");
	else
		printf("/dev/%s\n", m->disk_name ? m->disk_name : "?");
	fflush(stdout);
	return MCTL_CONTINUE;
}

/* Send @msg (consumed), show the reply with @fn, or a GET if none came. */
static int request_and_show(struct mctl_ctx *ctx, struct nl_msg *msg, mirror_fn fn)
{
	int ret;

	reply_shown = false;
	ret = send_request(ctx, msg, fn);
	if (!ret && !reply_shown)
		ret = bm_report(&ctx->nl, bm_get_mirror(&ctx->nl, ctx->args.pos[0], fn, ctx));
	return ret;
}

/* --wait of create and attach: stdout is the node (or the object) only. */
static int then_wait(struct mctl_ctx *ctx)
{
	if (!opt_given(&ctx->args, OPT_WAIT))
		return MCTL_EXIT_OK;
	/* JSON readers get the object above; progress lines would corrupt it. */
	return wait_for_sync(ctx, ctx->args.pos[0], ctx->json ? WAIT_QUIET : WAIT_STDERR);
}

static struct nl_msg *put_leg(struct mctl_ctx *ctx, struct nl_msg *msg, int attr,
			      const char *path)
{
	if (msg && nla_put_string(msg, attr, path) < 0) {
		errmsg("%s %s: request too large", ctx->nl.what, ctx->args.pos[0]);
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int cmd_create(struct mctl_ctx *ctx)
{
	const char *sec_arg = ctx->args.pos[2];
	char primary[PATH_MAX], secondary[PATH_MAX];
	dev_t pdev, sdev;
	struct nl_msg *msg;
	int ret;

	ret = check_rates(ctx);
	if (ret)
		return ret;
	if (!sec_arg && opt_given(&ctx->args, OPT_WAIT)) {
		errmsg("%s %s: --wait needs SECONDARY: a mirror with one leg has nothing "
		       "to copy (give it one with '" PROG " attach %s SECONDARY --wait')",
		       ctx->nl.what, ctx->args.pos[0], ctx->args.pos[0]);
		return MCTL_EXIT_USAGE;
	}
	if (resolve_device(ctx, ctx->args.pos[1], primary, &pdev) < 0 ||
	    (sec_arg && resolve_device(ctx, sec_arg, secondary, &sdev) < 0))
		return MCTL_EXIT_FAIL;
	if (sec_arg && pdev == sdev) {
		errmsg("%s %s: %s and %s are the same device", ctx->nl.what,
		       ctx->args.pos[0], ctx->args.pos[1], sec_arg);
		return MCTL_EXIT_FAIL;
	}
	msg = mirror_request(ctx, BLKMIRROR_CMD_CREATE, create_attrs, ARRAY_SIZE(create_attrs));
	msg = put_leg(ctx, msg, BLKMIRROR_A_PRIMARY, primary);
	if (sec_arg)
		msg = put_leg(ctx, msg, BLKMIRROR_A_SECONDARY, secondary);
	if (!msg)
		return MCTL_EXIT_FAIL;
	ret = request_and_show(ctx, msg, print_created);
	return ret ? ret : then_wait(ctx);
}

/*---------------------------------------------------------------------------
 * attach, switch, detach: online migration
 */

struct attach_check {
	struct mctl_ctx *ctx;
	const char *arg;	/* SECONDARY as given */
	dev_t sdev;
	int result;
};

/* The new leg must be neither the primary nor the mirror itself. */
static int check_attach(const struct mirror_msg *m, void *arg)
{
	struct attach_check *c = arg;
	uint32_t s = (uint32_t)makedev(major(c->sdev), minor(c->sdev));

	if (msg_has(m, BLKMIRROR_A_PRIMARY_DEVT) && m->primary_devt == s) {
		errmsg("%s %s: %s is the mirror's primary%s%s%s", c->ctx->nl.what,
		       c->ctx->args.pos[0], c->arg, m->primary ? " (" : "",
		       m->primary ? m->primary : "", m->primary ? ")" : "");
		c->result = MCTL_EXIT_FAIL;
	} else if (msg_has(m, BLKMIRROR_A_DEVT) && m->devt == s) {
		errmsg("%s %s: %s is the mirror itself", c->ctx->nl.what,
		       c->ctx->args.pos[0], c->arg);
		c->result = MCTL_EXIT_FAIL;
	}
	return c->result == MCTL_EXIT_OK ? MCTL_CONTINUE : c->result;
}

int cmd_attach(struct mctl_ctx *ctx)
{
	struct attach_check c = { .ctx = ctx, .arg = ctx->args.pos[1] };
	char secondary[PATH_MAX];
	struct nl_msg *msg;
	int ret;

	ret = check_rates(ctx);
	if (ret)
		return ret;
	if (resolve_device(ctx, c.arg, secondary, &c.sdev) < 0)
		return MCTL_EXIT_FAIL;
	ret = bm_report(&ctx->nl, bm_get_mirror(&ctx->nl, ctx->args.pos[0], check_attach, &c));
	if (ret)
		return ret;
	/* Region size and rate apply to the copy onto the new leg. */
	msg = mirror_request(ctx, BLKMIRROR_CMD_ATTACH, create_attrs, ARRAY_SIZE(create_attrs));
	msg = put_leg(ctx, msg, BLKMIRROR_A_SECONDARY, secondary);
	if (!msg)
		return MCTL_EXIT_FAIL;
	ret = request_and_show(ctx, msg, print_created);
	if (!ret)
		conf_warn_if_stale(ctx, ctx->args.pos[0]);
	return ret ? ret : then_wait(ctx);
}

static int show_switched(const struct mirror_msg *m, void *arg)
{
	struct mctl_ctx *ctx = arg;

	reply_shown = true;
	print_switched(m, ctx->json);
	return MCTL_CONTINUE;
}

/* After a change of legs: does /etc/blkmirror/mirrors.conf still agree? */
static int legs_changed(struct mctl_ctx *ctx, int ret)
{
	if (!ret)
		conf_warn_if_stale(ctx, ctx->args.pos[0]);
	return ret;
}

int cmd_switch(struct mctl_ctx *ctx)
{
	return legs_changed(ctx, request_and_show(ctx, mirror_request(ctx, BLKMIRROR_CMD_SWITCH,
						force_attrs, ARRAY_SIZE(force_attrs)), show_switched));
}

static int show_detached(const struct mirror_msg *m, void *arg)
{
	struct mctl_ctx *ctx = arg;

	reply_shown = true;
	print_detached(m, ctx->json);
	return MCTL_CONTINUE;
}

int cmd_detach(struct mctl_ctx *ctx)
{
	return legs_changed(ctx, request_and_show(ctx, mirror_request(ctx, BLKMIRROR_CMD_DETACH,
						force_attrs, ARRAY_SIZE(force_attrs)), show_detached));
}

/*---------------------------------------------------------------------------
 * destroy, set
 */

int cmd_destroy(struct mctl_ctx *ctx)
{
	struct nl_msg *msg = mirror_request(ctx, BLKMIRROR_CMD_DESTROY, force_attrs,
					    ARRAY_SIZE(force_attrs));

	if (!msg || opt_given(&ctx->args, OPT_NO_WAIT))
		return send_request(ctx, msg, NULL);
	return destroy_and_wait(ctx, msg);
}

int cmd_set(struct mctl_ctx *ctx)
{
	size_t i;
	int ret = check_rates(ctx);

	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(set_attrs); i++)
		if (opt_given(&ctx->args, set_attrs[i].opt))
			break;
	if (i == ARRAY_SIZE(set_attrs)) {
		errmsg("set %s: nothing to change; see '" PROG " help set'", ctx->args.pos[0]);
		return MCTL_EXIT_USAGE;
	}
	return send_request(ctx, mirror_request(ctx, BLKMIRROR_CMD_SET, set_attrs,
						ARRAY_SIZE(set_attrs)), NULL);
}

/*---------------------------------------------------------------------------
 * list, status
 */

/*
 * --test makes the exit code tell degraded (6) from not (0), as mdadm
 * --detail --test does: a check script needs no parsing.
 *
 * With --json, list and status of every mirror print one array (`[]` for
 * none), one object per line; status NAME prints the one object.  A dump
 * that fails part-way still closes the array it began, so that what was
 * printed parses; the exit code says it failed.
 */
struct dump {
	struct mctl_ctx *ctx;
	struct json_array array;
	bool full;		/* status: every field */
	unsigned int shown;
	unsigned int degraded;	/* --test: how many of those shown */
};

static int dump_one(const struct mirror_msg *m, void *arg)
{
	struct dump *d = arg;

	if (d->ctx->json) {
		print_mirror_json(m, d->full, d->ctx->args.pos[0] ? NULL : &d->array);
	} else if (d->full) {
		if (d->shown)
			putchar('\n');
		print_status(m);
	} else {
		print_list_line(m, "");
	}
	d->shown++;
	if (m->state == BLKMIRROR_STATE_DEGRADED)
		d->degraded++;
	return MCTL_CONTINUE;
}

static int dump_mirrors(struct mctl_ctx *ctx, bool full)
{
	struct dump d = { .ctx = ctx, .full = full };
	bool array = ctx->json && !ctx->args.pos[0];
	int ret;

	json_array_begin(&d.array, stdout);
	ret = bm_report(&ctx->nl, bm_get_mirror(&ctx->nl, ctx->args.pos[0], dump_one, &d));
	if (array && (ret == MCTL_EXIT_OK || d.array.n))
		json_array_end(&d.array);
	if (ret == MCTL_EXIT_OK && d.degraded && opt_given(&ctx->args, OPT_TEST))
		ret = MCTL_EXIT_DEGRADED;
	return ret;
}

int cmd_list(struct mctl_ctx *ctx)
{
	return dump_mirrors(ctx, false);
}

int cmd_status(struct mctl_ctx *ctx)
{
	return dump_mirrors(ctx, true);
}

/*---------------------------------------------------------------------------
 * version
 */

static void print_versions(const struct mctl_ctx *ctx, const char *module)
{
	struct json j;

	if (ctx->json) {
		json_begin(&j, stdout);
		json_str(&j, "version", mctl_version);
		json_str(&j, "module_version", module);
		json_end(&j);
		return;
	}
	printf(PROG " version %s\n", mctl_version);
	if (module)
		printf("blkmirror module version %s\n", module);
	fflush(stdout);
}

static int print_module_version(const struct mirror_msg *m, void *arg)
{
	print_versions(arg, m->version ? m->version : "unknown");
	return MCTL_CONTINUE;
}

/* The userspace version is printed even when the module is not loaded. */
int cmd_version(struct mctl_ctx *ctx)
{
	int ret = bm_open(&ctx->nl);

	if (ret) {
		print_versions(ctx, NULL);
		return ret;
	}
	return send_request(ctx, bm_new_request(&ctx->nl, BLKMIRROR_CMD_VERSION, 0),
			    print_module_version);
}
