// SPDX-License-Identifier: GPL-2.0
/*
 * `up` and `down`: the mirrors of the configuration file (config.c), as
 * `ifup`/`ifdown` do for interfaces.  Both are idempotent: a mirror that
 * is already up, or already down, is left alone and is no error, so that
 * boot scripts and units can run them again.  `up --all` skips, quietly,
 * a mirror a leg of which is not present (a disk not attached to this
 * machine, or not yet), and brings up the others.
 *
 * udev runs `up --all` for every block device that appears or changes
 * (dist/udev/60-blkmirror.rules.in), one worker per device, so several
 * can run at once at boot: each holds an exclusive flock(2) on the
 * configuration file from reading it to its last create, and a second one
 * finds the mirrors the first brought up already up.
 *
 * Exit status, as `mdadm --assemble --scan`: a mirror that should have
 * come up and did not (a bad line, a create the kernel refused) makes it
 * 1, and the other mirrors come up all the same; a mirror whose legs are
 * not all present is not one of those (it waits for them).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mirrorctl.h"

static const char *conf_path(const struct mctl_ctx *ctx)
{
	return ctx->args.str[OPT_CONFIG] ? ctx->args.str[OPT_CONFIG] : MCTL_CONF_DEFAULT;
}

/* NAME or --all, not both, not neither. */
static int check_selection(const struct mctl_ctx *ctx)
{
	bool all = opt_given(&ctx->args, OPT_ALL);

	if (all == !!ctx->args.pos[0]) {
		errmsg("%s: give a mirror NAME or --all%s", ctx->nl.what,
		       all ? ", not both" : "");
		return MCTL_EXIT_USAGE;
	}
	return MCTL_EXIT_OK;
}

/*
 * Parse the file into @c, holding an exclusive lock on it in *@lock (-1
 * when it could not be opened: the parse then reports why), so that two
 * `up`s started by udev for two legs of one mirror do not both create it.
 */
static int load_conf(const struct mctl_ctx *ctx, struct mctl_conf *c, int *lock)
{
	int err;

	*lock = open(conf_path(ctx), O_RDONLY | O_CLOEXEC);
	if (*lock >= 0 && flock(*lock, LOCK_EX) < 0) {
		errmsg("%s: %s: cannot lock: %s", ctx->nl.what, conf_path(ctx),
		       strerror(errno));
		close(*lock);
		*lock = -1;
		return MCTL_EXIT_FAIL;
	}
	err = conf_parse_file(conf_path(ctx), c);
	if (err < 0) {
		errmsg("%s: %s: %s", ctx->nl.what, conf_path(ctx), strerror(-err));
		conf_free(c);
		if (*lock >= 0)
			close(*lock);
		*lock = -1;
		return MCTL_EXIT_FAIL;
	}
	return MCTL_EXIT_OK;
}

static void unlock_conf(int lock)
{
	if (lock >= 0)
		close(lock);
}

/* A sub-command on behalf of up/down: same socket, its own arguments. */
static void sub_ctx(struct mctl_ctx *sub, const struct mctl_ctx *ctx, const char *name)
{
	memset(sub, 0, sizeof(*sub));
	sub->cmd = ctx->cmd;
	sub->nl = ctx->nl;
	sub->nl.object = name;
	sub->args.pos[0] = name;
	sub->args.npos = 1;
}

struct up_state {
	bool exists;
	bool have_devt, have_self;
	uint32_t primary_devt, self_devt;
	char primary[CONF_PATH_MAX];
};

static int note_mirror(const struct mirror_msg *m, void *arg)
{
	struct up_state *st = arg;

	st->exists = true;
	if (msg_has(m, BLKMIRROR_A_DEVT)) {
		st->have_self = true;
		st->self_devt = m->devt;
	}
	if (msg_has(m, BLKMIRROR_A_PRIMARY_DEVT)) {
		st->have_devt = true;
		st->primary_devt = m->primary_devt;
	}
	snprintf(st->primary, sizeof(st->primary), "%s", m->primary ? m->primary : "?");
	return MCTL_CONTINUE;
}

/* 0 when present, else errno; @rdev is the device it names. */
static int leg_present(const char *path, dev_t *rdev)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno;
	if (!S_ISBLK(st.st_mode))
		return ENOTBLK;
	*rdev = st.st_rdev;
	return 0;
}

static int up_one(struct mctl_ctx *ctx, const struct mctl_conf_mirror *m, bool all)
{
	struct up_state st = { 0 };
	struct mctl_ctx sub;
	const char *absent = NULL;
	dev_t pdev = 0, sdev;
	int err, perr;

	perr = leg_present(m->primary, &pdev);
	if (perr)
		absent = m->primary;
	else if (m->has_secondary && (err = leg_present(m->secondary, &sdev)) != 0)
		absent = m->secondary, perr = err;
	if (absent && perr == ENOENT && all)
		return MCTL_EXIT_OK;		/* not on this machine, or not yet */
	if (absent) {
		errmsg("%s %s: %s: %s", ctx->nl.what, m->name, absent, strerror(perr));
		return MCTL_EXIT_FAIL;
	}

	ctx->nl.object = m->name;
	err = bm_get_mirror(&ctx->nl, m->name, note_mirror, &st);
	if (err && err != -ENODEV)
		return bm_report(&ctx->nl, err);
	if (st.exists) {
		uint32_t want = (uint32_t)makedev(major(pdev), minor(pdev));

		/*
		 * UUID= of a single-leg mirror: once it is up, the filesystem's
		 * by-uuid link names the mirror (60-blkmirror.rules gives it
		 * the higher link_priority), not the leg.  That is the mirror up.
		 */
		if (st.have_self && st.self_devt == want)
			return MCTL_EXIT_OK;
		if (st.have_devt && st.primary_devt != want) {
			errmsg("%s %s: already up with primary %s, not %s as %s:%u says",
			       ctx->nl.what, m->name, st.primary, m->primary, conf_path(ctx),
			       m->line);
			return MCTL_EXIT_FAIL;
		}
		return MCTL_EXIT_OK;
	}

	sub_ctx(&sub, ctx, m->name);
	sub.args.pos[1] = m->primary;
	sub.args.pos[2] = m->has_secondary ? m->secondary : NULL;
	sub.args.npos = m->has_secondary ? 3 : 2;
	if (m->has_max_rate) {
		sub.args.given |= OPT_BIT(OPT_MAX_RATE);
		sub.args.val[OPT_MAX_RATE] = m->max_rate;
	}
	if (m->has_min_rate) {
		sub.args.given |= OPT_BIT(OPT_MIN_RATE);
		sub.args.val[OPT_MIN_RATE] = m->min_rate;
	}
	if (m->has_region_size) {
		sub.args.given |= OPT_BIT(OPT_REGION_SIZE);
		sub.args.val[OPT_REGION_SIZE] = m->region_size;
	}
	err = cmd_create(&sub);
	memcpy(ctx->nl.ext_msg, sub.nl.ext_msg, sizeof(ctx->nl.ext_msg));
	return err;
}

int cmd_up(struct mctl_ctx *ctx)
{
	struct mctl_conf c = { 0 };
	const struct mctl_conf_mirror *m;
	int ret, r, lock = -1;
	size_t i;

	ret = check_selection(ctx);
	if (ret || (ret = load_conf(ctx, &c, &lock)))
		return ret;
	/* After the file: its errors are worth seeing without the module too. */
	ret = bm_open(&ctx->nl);
	if (ret) {
		conf_free(&c);
		unlock_conf(lock);
		return ret;
	}
	if (ctx->args.pos[0]) {
		m = conf_find(&c, ctx->args.pos[0]);
		if (m) {
			ret = up_one(ctx, m, false);
		} else {
			errmsg("%s %s: no such mirror in %s%s", ctx->nl.what, ctx->args.pos[0],
			       conf_path(ctx), c.errors ? " (see the errors above)" : "");
			ret = MCTL_EXIT_FAIL;
		}
	} else {
		for (i = 0; i < c.n; i++) {
			r = up_one(ctx, &c.m[i], true);
			if (r && !ret)
				ret = r;
		}
		if (c.errors && !ret)
			ret = MCTL_EXIT_FAIL;
	}
	conf_free(&c);
	unlock_conf(lock);
	return ret;
}

static int down_one(struct mctl_ctx *ctx, const char *name)
{
	struct up_state st = { 0 };
	struct mctl_ctx sub;
	int err;

	err = bm_get_mirror(&ctx->nl, name, note_mirror, &st);
	/* Gone, or going (EBUSY: being destroyed): down already. */
	if (err == -ENODEV || err == -EBUSY)
		return MCTL_EXIT_OK;
	if (err)
		return bm_report(&ctx->nl, err);
	sub_ctx(&sub, ctx, name);
	return cmd_destroy(&sub);
}

int cmd_down(struct mctl_ctx *ctx)
{
	struct mctl_conf c = { 0 };
	int ret, r, lock = -1;
	size_t i;

	ret = check_selection(ctx);
	if (ret)
		return ret;
	if (!ctx->args.pos[0] && (ret = load_conf(ctx, &c, &lock)))
		return ret;
	/* No module, no mirror: down already. */
	if (access("/sys/module/blkmirror", F_OK) < 0 && errno == ENOENT) {
		conf_free(&c);
		unlock_conf(lock);
		return c.errors ? MCTL_EXIT_FAIL : MCTL_EXIT_OK;
	}
	ret = bm_open(&ctx->nl);
	if (ret || ctx->args.pos[0]) {
		conf_free(&c);
		unlock_conf(lock);
		return ret ? ret : down_one(ctx, ctx->args.pos[0]);
	}
	/* The reverse of the order up brings them up in. */
	for (i = c.n; i-- > 0; ) {
		ctx->nl.object = c.m[i].name;
		r = down_one(ctx, c.m[i].name);
		if (r && !ret)
			ret = r;
	}
	if (c.errors && !ret)
		ret = MCTL_EXIT_FAIL;
	conf_free(&c);
	unlock_conf(lock);
	return ret;
}

/*---------------------------------------------------------------------------
 * After attach, switch and detach: the file may now say otherwise.
 *
 * Nothing is kept on the legs, so `up` trusts the file.  After a switch the
 * file's PRIMARY is the released old disk: the next `up` would copy its
 * stale data over the disk that has the live data.  Say so while the
 * operator is there.
 */

/*
 * What the next `up` of @m would do wrong, given the legs the mirror has
 * now (canonical paths, @secondary NULL for none) and @m's legs resolved
 * the same way (@conf_primary, @conf_secondary; NULL when not present).
 * NULL when the file agrees or a leg cannot be told.
 */
const char *conf_stale_reason(const struct mctl_conf_mirror *m, const char *conf_primary,
			      const char *conf_secondary, const char *primary,
			      const char *secondary, char *buf, size_t len)
{
	if (!conf_primary || (m->has_secondary && !conf_secondary))
		return NULL;
	if (strcmp(conf_primary, primary) != 0) {
		if (m->has_secondary)
			snprintf(buf, len, "names %s as the primary, not %s: the next 'up' would "
				 "copy it over %s", m->primary, primary, m->secondary);
		else
			snprintf(buf, len, "names %s as the primary, not %s: the next 'up' would "
				 "bring the mirror up on it", m->primary, primary);
		return buf;
	}
	if (m->has_secondary && !secondary) {
		snprintf(buf, len, "still names %s as the secondary: the next 'up' would copy "
			 "the primary onto it again", m->secondary);
		return buf;
	}
	if (secondary && !m->has_secondary) {
		snprintf(buf, len, "has no secondary, not %s: the next 'up' would bring the "
			 "mirror up with one leg", secondary);
		return buf;
	}
	if (secondary && strcmp(conf_secondary, secondary) != 0) {
		snprintf(buf, len, "names %s as the secondary, not %s: the next 'up' would "
			 "copy onto that one", m->secondary, secondary);
		return buf;
	}
	return NULL;
}

static int note_legs(const struct mirror_msg *m, void *arg)
{
	char (*legs)[CONF_PATH_MAX] = arg;

	snprintf(legs[0], CONF_PATH_MAX, "%s", m->primary ? m->primary : "");
	snprintf(legs[1], CONF_PATH_MAX, "%s", m->secondary ? m->secondary : "");
	return MCTL_CONTINUE;
}

/* A warning on stderr when the default file disagrees with mirror @name. */
void conf_warn_if_stale(struct mctl_ctx *ctx, const char *name)
{
	char legs[2][CONF_PATH_MAX] = { "", "" }, cp[CONF_PATH_MAX], cs[CONF_PATH_MAX], why[1024];
	struct mctl_conf c = { .quiet = true };
	const struct mctl_conf_mirror *m;
	const char *reason;

	if (conf_parse_file(MCTL_CONF_DEFAULT, &c) < 0)
		return;
	m = conf_find(&c, name);
	if (m && bm_get_mirror(&ctx->nl, name, note_legs, legs) == 0 && legs[0][0]) {
		reason = conf_stale_reason(m, realpath(m->primary, cp),
					   m->has_secondary ? realpath(m->secondary, cs) : NULL,
					   legs[0], legs[1][0] ? legs[1] : NULL, why, sizeof(why));
		if (reason)
			errmsg("%s %s: warning: %s:%u %s; update the file", ctx->nl.what, name,
			       MCTL_CONF_DEFAULT, m->line, reason);
	}
	conf_free(&c);
}
