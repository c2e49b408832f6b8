// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "blkmirror": the control interface.  Commands
 * that change anything need CAP_SYS_ADMIN; reading state and listening to
 * events does not.  Every refusal says why in the extended ACK.
 */
#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "blkmirror.h"
#include "compat.h"

void bm_extack(struct netlink_ext_ack *extack, const char *fmt, ...)
{
	static char ring[BM_EXTACK_SLOTS][BM_EXTACK_LEN];
	static atomic_t next = ATOMIC_INIT(0);
	char *buf;
	va_list ap;

	if (!extack)
		return;
	buf = ring[(unsigned int)atomic_inc_return(&next) % BM_EXTACK_SLOTS];
	/* The last byte stays NUL: a reader never runs off the slot. */
	va_start(ap, fmt);
	vsnprintf(buf, BM_EXTACK_LEN - 1, fmt, ap);
	va_end(ap);
	extack->_msg = buf;
}

static const struct nla_policy bm_policy[BLKMIRROR_A_MAX + 1] = {
	/* Names are checked by hand so that the refusal can say why. */
	[BLKMIRROR_A_NAME]		= { .type = NLA_NUL_STRING },
	[BLKMIRROR_A_PRIMARY]		= { .type = NLA_NUL_STRING,
					    .len = PATH_MAX - 1 },
	[BLKMIRROR_A_SECONDARY]		= { .type = NLA_NUL_STRING,
					    .len = PATH_MAX - 1 },
	[BLKMIRROR_A_REGION_SIZE]	= { .type = NLA_U32 },
	[BLKMIRROR_A_MAX_RATE]		= { .type = NLA_U64 },
	[BLKMIRROR_A_FORCE]		= { .type = NLA_FLAG },
	[BLKMIRROR_A_MIN_RATE]		= { .type = NLA_U64 },
};

/* ---------------- Helpers ---------------- */

static int bm_require_admin(struct sk_buff *skb, struct genl_info *info)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(info->extack,
		       "creating, destroying and changing mirrors needs CAP_SYS_ADMIN");
	return -EPERM;
}

/* @msg: a string literal, "missing attribute: <what>". */
#define bm_require(info, attr, msg) ({					\
	struct genl_info *__info = (info);				\
	int __attr = (attr), __ret = 0;					\
									\
	if (!__info->attrs[__attr]) {					\
		NL_SET_ERR_MSG(__info->extack, msg);			\
		NL_SET_ERR_ATTR_MISS(__info->extack, NULL, __attr);	\
		__ret = -EINVAL;					\
	}								\
	__ret;								\
})

/*
 * The mirror named in the request; bm_ctl_mutex held.  @admin: the caller
 * passed bm_require_admin(), which decides whether the refusal may quote
 * the name back (see bm_extack_may_format()).
 */
static struct blkmirror *bm_lookup(struct genl_info *info, bool admin)
{
	bool detail = bm_extack_may_format(admin);
	const char *name;
	struct blkmirror *m;
	int ret;

	ret = bm_require(info, BLKMIRROR_A_NAME, "missing attribute: mirror name");
	if (ret)
		return ERR_PTR(ret);
	name = nla_data(info->attrs[BLKMIRROR_A_NAME]);
	m = bm_find(name);
	if (!m) {
		ret = bm_name_valid(name, detail, info->extack);
		if (!ret && bm_name_taken(name)) {
			/* Gone from every list, but not yet from its legs. */
			if (detail)
				bm_extack(info->extack, "mirror %s is being destroyed", name);
			else
				NL_SET_ERR_MSG(info->extack, "that mirror is being destroyed");
			ret = -EBUSY;
		} else if (!ret) {
			if (detail)
				bm_extack(info->extack, "no mirror named %s", name);
			else
				NL_SET_ERR_MSG(info->extack, "no mirror of that name");
			ret = -ENODEV;
		}
		return ERR_PTR(ret);
	}
	return m;
}

static int bm_put_stats(struct sk_buff *skb, int attr, struct bm_leg *leg)
{
	static const struct {
		int attr;
		size_t offset;
	} fields[] = {
		{ BLKMIRROR_STAT_READS, offsetof(struct bm_leg_stats, reads) },
		{ BLKMIRROR_STAT_WRITES, offsetof(struct bm_leg_stats, writes) },
		{ BLKMIRROR_STAT_FLUSHES, offsetof(struct bm_leg_stats, flushes) },
		{ BLKMIRROR_STAT_DISCARDS, offsetof(struct bm_leg_stats, discards) },
		{ BLKMIRROR_STAT_READ_ERRORS, offsetof(struct bm_leg_stats, read_errors) },
		{ BLKMIRROR_STAT_WRITE_ERRORS, offsetof(struct bm_leg_stats, write_errors) },
		{ BLKMIRROR_STAT_FLUSH_ERRORS, offsetof(struct bm_leg_stats, flush_errors) },
		{ BLKMIRROR_STAT_COPY_BYTES, offsetof(struct bm_leg_stats, copy_bytes) },
	};
	struct nlattr *nest;
	size_t i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		atomic64_t *v = (void *)&leg->stats + fields[i].offset;

		if (nla_put_u64_64bit(skb, fields[i].attr, atomic64_read(v),
				      BLKMIRROR_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int bm_put_leg(struct sk_buff *skb, struct bm_leg *leg, int path_attr,
		      int devt_attr, int lbs_attr, int stats_attr)
{
	if (nla_put_string(skb, path_attr, leg->path) ||
	    nla_put_u32(skb, devt_attr, new_encode_dev(leg->devt)) ||
	    nla_put_u32(skb, lbs_attr, leg->lbs))
		return -EMSGSIZE;
	return bm_put_stats(skb, stats_attr, leg);
}

/*
 * The full state of @m.  Taken under the event mutex so that the event
 * sequence number, the state and the percentage agree (see events.c).
 */
int bm_fill_mirror(struct sk_buff *skb, struct blkmirror *m)
{
	enum blkmirror_state state;
	enum blkmirror_leg fail_leg;
	u64 synced, size, seq, unreadable;
	sector_t first_unreadable;
	unsigned int pct;
	sector_t fail_sector;
	int fail_errno;
	int ret = -EMSGSIZE;

	mutex_lock(&m->event_mutex);
	spin_lock_irq(&m->lock);
	state = m->state;
	synced = bm_window_synced_bytes(&m->win);
	size = (u64)m->win.nr_sectors << SECTOR_SHIFT;
	fail_leg = m->fail_leg;
	fail_errno = m->fail_errno;
	fail_sector = m->fail_sector;
	spin_unlock_irq(&m->lock);
	seq = m->event_seq;
	pct = m->last_percent;
	mutex_unlock(&m->event_mutex);

	if (state == BLKMIRROR_STATE_SYNCED)
		synced = size;
	/* One leg: nothing is being copied, whatever a past copy reached. */
	if (state == BLKMIRROR_STATE_SINGLE) {
		synced = 0;
		pct = 0;
	}
	if (nla_put_string(skb, BLKMIRROR_A_NAME, m->name) ||
	    nla_put_string(skb, BLKMIRROR_A_DISK_NAME, m->disk->disk_name) ||
	    nla_put_u32(skb, BLKMIRROR_A_DEVT,
			new_encode_dev(disk_devt(m->disk))) ||
	    nla_put_u32(skb, BLKMIRROR_A_STATE, state) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_SIZE, size, BLKMIRROR_A_PAD) ||
	    nla_put_u32(skb, BLKMIRROR_A_LBS,
			queue_logical_block_size(m->disk->queue)) ||
	    nla_put_u32(skb, BLKMIRROR_A_REGION_SIZE, m->region_bytes) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_MAX_RATE,
			      READ_ONCE(m->max_rate), BLKMIRROR_A_PAD) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_MIN_RATE,
			      READ_ONCE(m->min_rate), BLKMIRROR_A_PAD) ||
	    nla_put_u8(skb, BLKMIRROR_A_YIELDING, READ_ONCE(m->yielding)) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_SYNCED_BYTES, synced,
			      BLKMIRROR_A_PAD) ||
	    nla_put_u32(skb, BLKMIRROR_A_PERCENT, pct) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_RATE, READ_ONCE(m->rate),
			      BLKMIRROR_A_PAD) ||
	    nla_put_u64_64bit(skb, BLKMIRROR_A_EVENT_SEQ, seq,
			      BLKMIRROR_A_PAD))
		return ret;
	if (bm_put_leg(skb, &m->legs[BM_PRIMARY], BLKMIRROR_A_PRIMARY,
		       BLKMIRROR_A_PRIMARY_DEVT, BLKMIRROR_A_PRIMARY_LBS,
		       BLKMIRROR_A_PRIMARY_STATS) ||
	    (m->legs[BM_SECONDARY].path &&
	     bm_put_leg(skb, &m->legs[BM_SECONDARY], BLKMIRROR_A_SECONDARY,
			BLKMIRROR_A_SECONDARY_DEVT, BLKMIRROR_A_SECONDARY_LBS,
			BLKMIRROR_A_SECONDARY_STATS)))
		return ret;
	unreadable = bm_unreadable_get(m, &first_unreadable);
	if (nla_put_u64_64bit(skb, BLKMIRROR_A_UNREADABLE_SECTORS, unreadable,
			      BLKMIRROR_A_PAD) ||
	    (unreadable &&
	     nla_put_u64_64bit(skb, BLKMIRROR_A_UNREADABLE_FIRST,
			       first_unreadable, BLKMIRROR_A_PAD)))
		return ret;
	if (state == BLKMIRROR_STATE_DEGRADED &&
	    (nla_put_u32(skb, BLKMIRROR_A_FAIL_LEG, fail_leg) ||
	     nla_put_u32(skb, BLKMIRROR_A_FAIL_ERRNO, fail_errno) ||
	     nla_put_u64_64bit(skb, BLKMIRROR_A_FAIL_SECTOR, fail_sector,
			       BLKMIRROR_A_PAD)))
		return ret;
	return 0;
}

/*
 * Reply to @info with the state of @m in @msg, which is consumed.  The
 * caller allocates @msg first where failing afterwards would be a lie:
 * a created mirror must not be reported as a failed create.
 */
struct bm_job;

static int bm_send_mirror(struct sk_buff *msg, struct genl_info *info,
			  struct blkmirror *m, u8 cmd,
			  int (*extra)(struct sk_buff *, struct bm_job *),
			  struct bm_job *job)
{
	void *hdr;
	int ret;

	hdr = genlmsg_put_reply(msg, info, &bm_genl_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = bm_fill_mirror(msg, m);
	if (!ret && extra)
		ret = extra(msg, job);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Every attribute of a mirror, leg paths at their longest included, fits
 * in one default-sized message: GET replies and dump entries never fail
 * for size.
 */
static struct sk_buff *bm_new_reply(void)
{
	BUILD_BUG_ON(2 * NLA_ALIGN(NLA_HDRLEN + BLKMIRROR_PATH_MAX) + 1024 >
		     NLMSG_DEFAULT_SIZE);
	return genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
}

/* Leg paths are kept and reported as given: bound them. */
static int bm_check_path(struct genl_info *info, int attr, const char *what)
{
	size_t len = strlen(nla_data(info->attrs[attr]));

	if (len < BLKMIRROR_PATH_MAX)
		return 0;
	bm_extack(info->extack, "%s path is %zu bytes long, the limit is %d",
		  what, len, BLKMIRROR_PATH_MAX - 1);
	NL_SET_BAD_ATTR(info->extack, info->attrs[attr]);
	return -ENAMETOOLONG;
}

/* ---------------- Commands ---------------- */

/*
 * The limits a request leaves in force, from those in force before it
 * (@max_rate, @min_rate).  Naming a floor above the cap is refused.  A
 * cap alone below the floor is not: the cap holds, and the floor comes
 * back when the cap is lifted, so that pinning a copy for a while and
 * letting it go does not leave it crawling under load.
 */
static int bm_resolve_rates(struct genl_info *info, u64 *max_rate,
			    u64 *min_rate)
{
	struct nlattr *max_a = info->attrs[BLKMIRROR_A_MAX_RATE];
	struct nlattr *min_a = info->attrs[BLKMIRROR_A_MIN_RATE];

	if (max_a)
		*max_rate = nla_get_u64(max_a);
	if (min_a)
		*min_rate = nla_get_u64(min_a);
	if (!min_a || !*max_rate || *min_rate <= *max_rate)
		return 0;
	bm_extack(info->extack,
		  "min rate %llu bytes/s is above max rate %llu bytes/s",
		  (unsigned long long)*min_rate, (unsigned long long)*max_rate);
	NL_SET_BAD_ATTR(info->extack, min_a);
	return -EINVAL;
}

static int bm_nl_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = bm_new_reply();
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bm_genl_family, 0,
				BLKMIRROR_CMD_VERSION);
	if (!hdr || nla_put_string(msg, BLKMIRROR_A_VERSION, BM_VERSION)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int bm_nl_create(struct sk_buff *skb, struct genl_info *info)
{
	struct bm_create_args args = {
		.region_bytes = BLKMIRROR_REGION_DEFAULT,
		.min_rate = BLKMIRROR_MIN_RATE_DEFAULT,
	};
	struct nlattr **a = info->attrs;
	struct blkmirror *m;
	struct sk_buff *msg;
	int ret;

	ret = bm_require_admin(skb, info) ?:
	      bm_require(info, BLKMIRROR_A_NAME, "missing attribute: mirror name") ?:
	      bm_require(info, BLKMIRROR_A_PRIMARY,
			 "missing attribute: primary device") ?:
	      bm_check_path(info, BLKMIRROR_A_PRIMARY, "primary") ?:
	      (a[BLKMIRROR_A_SECONDARY] ?
	       bm_check_path(info, BLKMIRROR_A_SECONDARY, "secondary") : 0);
	if (ret)
		return ret;
	args.name = nla_data(a[BLKMIRROR_A_NAME]);
	args.paths[BM_PRIMARY] = nla_data(a[BLKMIRROR_A_PRIMARY]);
	/* Without one, a single-leg mirror: a pass-through until attach. */
	if (a[BLKMIRROR_A_SECONDARY])
		args.paths[BM_SECONDARY] = nla_data(a[BLKMIRROR_A_SECONDARY]);
	if (a[BLKMIRROR_A_REGION_SIZE])
		args.region_bytes = nla_get_u32(a[BLKMIRROR_A_REGION_SIZE]);
	ret = bm_resolve_rates(info, &args.max_rate, &args.min_rate);
	if (ret)
		return ret;

	msg = bm_new_reply();
	if (!msg)
		return -ENOMEM;
	if (mutex_lock_killable(&bm_ctl_mutex)) {
		nlmsg_free(msg);
		return -EINTR;
	}
	m = bm_create(&args, info->extack);
	if (IS_ERR(m)) {
		nlmsg_free(msg);
		ret = PTR_ERR(m);
	} else {
		/*
		 * The mirror exists: a reply the caller's socket has no room
		 * for does not make the create fail.  The CREATED event and a
		 * GET tell the same.
		 */
		bm_send_mirror(msg, info, m, BLKMIRROR_CMD_CREATE, NULL, NULL);
		ret = 0;
	}
	mutex_unlock(&bm_ctl_mutex);
	return ret;
}

/*
 * A command whose work waits on legs runs it on bm_wq, and its handler
 * waits only so long: genetlink holds its family lock across a handler,
 * so a leg that stops answering would otherwise hold up every genetlink
 * family, and with them the commands that could free the leg.  The job
 * is shared by the handler and the work item; whichever is last frees it
 * and, for a migration command, clears the mirror's busy mark, which kept
 * the mirror from being destroyed under either of them.
 */
struct bm_job {
	struct work_struct work;
	struct completion done;
	struct kref ref;
	struct blkmirror *m;
	void (*fn)(struct bm_job *job);
	bool clear_busy;
	/* What the work found, for the reply. */
	int ret;
	bool consistent;
	u64 pause_ns;
	char *leg_path;
};

/*
 * How long a handler waits for its job before it answers anyway.  A
 * teardown normally takes milliseconds, and a caller that then reuses the
 * legs or the name finds them free; the DESTROYED event tells the end.
 * A switch gives up by itself after BM_SWITCH_DRAIN_TIMEOUT, unchanged.
 */
#define BM_DESTROY_WAIT		(2 * HZ)
#define BM_MIGRATE_WAIT		(35 * HZ)

static void bm_job_release(struct kref *ref)
{
	struct bm_job *job = container_of(ref, struct bm_job, ref);

	if (job->clear_busy) {
		mutex_lock(&bm_ctl_mutex);
		job->m->busy = NULL;
		mutex_unlock(&bm_ctl_mutex);
	}
	kfree(job->leg_path);
	kfree(job);
}

static void bm_job_workfn(struct work_struct *work)
{
	struct bm_job *job = container_of(work, struct bm_job, work);

	job->fn(job);
	complete(&job->done);
	kref_put(&job->ref, bm_job_release);
}

/* Start @job; true if it finished within @timeout.  Put it after. */
static bool bm_job_run(struct bm_job *job, unsigned long timeout)
{
	kref_init(&job->ref);
	kref_get(&job->ref);
	init_completion(&job->done);
	INIT_WORK(&job->work, bm_job_workfn);
	queue_work(bm_wq, &job->work);
	return wait_for_completion_killable_timeout(&job->done, timeout) > 0;
}

static void bm_job_put(struct bm_job *job)
{
	kref_put(&job->ref, bm_job_release);
}

static void bm_destroy_job(struct bm_job *job)
{
	bm_destroy_finish(job->m);
}

static int bm_nl_destroy(struct sk_buff *skb, struct genl_info *info)
{
	struct bm_job *job;
	struct blkmirror *m;
	int ret;

	ret = bm_require_admin(skb, info);
	if (ret)
		return ret;
	/* Before anything changes: a destroy that has begun cannot fail. */
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	if (mutex_lock_killable(&bm_ctl_mutex)) {
		kfree(job);
		return -EINTR;
	}
	m = bm_lookup(info, true);
	ret = IS_ERR(m) ? PTR_ERR(m) :
	      bm_destroy_begin(m, nla_get_flag(info->attrs[BLKMIRROR_A_FORCE]),
			       info->extack);
	mutex_unlock(&bm_ctl_mutex);
	if (ret) {
		kfree(job);
		return ret;
	}
	job->m = m;
	job->fn = bm_destroy_job;
	bm_job_run(job, BM_DESTROY_WAIT);
	bm_job_put(job);
	return 0;
}

static int bm_put_switched(struct sk_buff *skb, struct bm_job *job)
{
	return nla_put_string(skb, BLKMIRROR_A_OLD_PRIMARY, job->leg_path ?: "") ?:
	       nla_put_u64_64bit(skb, BLKMIRROR_A_PAUSE_USEC,
				 div_u64(job->pause_ns, NSEC_PER_USEC),
				 BLKMIRROR_A_PAD);
}

static int bm_put_detached(struct sk_buff *skb, struct bm_job *job)
{
	return nla_put_string(skb, BLKMIRROR_A_DETACHED_LEG, job->leg_path ?: "") ?:
	       nla_put_u8(skb, BLKMIRROR_A_CONSISTENT, job->consistent);
}

static void bm_switch_job(struct bm_job *job)
{
	job->ret = bm_switch_finish(job->m, &job->leg_path, &job->pause_ns);
}

static void bm_detach_job(struct bm_job *job)
{
	bm_detach_finish(job->m, &job->leg_path, &job->consistent);
}

/*
 * SWITCH and DETACH: check and claim the mirror, run the job, and reply
 * with the mirror and what the job did.
 */
static int bm_nl_migrate(struct sk_buff *skb, struct genl_info *info, u8 cmd)
{
	bool force = nla_get_flag(info->attrs[BLKMIRROR_A_FORCE]);
	const char *what = cmd == BLKMIRROR_CMD_SWITCH ? "switch" : "detach";
	struct sk_buff *msg;
	struct bm_job *job;
	struct blkmirror *m;
	int ret;

	ret = bm_require_admin(skb, info);
	if (ret)
		return ret;
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	msg = bm_new_reply();
	if (!job || !msg) {
		kfree(job);
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack,
			       "out of memory before anything began; nothing changed");
		return -ENOMEM;
	}
	if (mutex_lock_killable(&bm_ctl_mutex)) {
		ret = -EINTR;
		goto free;
	}
	m = bm_lookup(info, true);
	if (IS_ERR(m))
		ret = PTR_ERR(m);
	else if (cmd == BLKMIRROR_CMD_SWITCH)
		ret = bm_switch_begin(m, force, info->extack);
	else
		ret = bm_detach_begin(m, force, &job->consistent, info->extack);
	mutex_unlock(&bm_ctl_mutex);
	if (ret)
		goto free;

	job->m = m;
	job->clear_busy = true;
	job->fn = cmd == BLKMIRROR_CMD_SWITCH ? bm_switch_job : bm_detach_job;
	if (!bm_job_run(job, BM_MIGRATE_WAIT)) {
		bm_extack(info->extack,
			  "mirror %s: the %s still waits for its legs; an event will tell when it is over",
			  m->name, what);
		ret = -EINPROGRESS;
	} else if (job->ret) {
		bm_extack(info->extack,
			  "mirror %s: the %s failed (error %d) and changed nothing: %s",
			  m->name, what, job->ret,
			  job->ret == -ETIMEDOUT ? "I/O in flight did not finish" :
			  "the secondary failed or could not be flushed");
		ret = job->ret;
	} else {
		/* Still busy until the put below: @m cannot go meanwhile. */
		bm_send_mirror(msg, info, m, cmd,
			       cmd == BLKMIRROR_CMD_SWITCH ? bm_put_switched :
							     bm_put_detached, job);
		msg = NULL;
	}
	bm_job_put(job);
	nlmsg_free(msg);
	return ret;
free:
	kfree(job);
	nlmsg_free(msg);
	return ret;
}

static int bm_nl_switch(struct sk_buff *skb, struct genl_info *info)
{
	return bm_nl_migrate(skb, info, BLKMIRROR_CMD_SWITCH);
}

static int bm_nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	return bm_nl_migrate(skb, info, BLKMIRROR_CMD_DETACH);
}

static int bm_nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct bm_attach_args args = {};
	struct blkmirror *m;
	struct sk_buff *msg;
	int ret;

	ret = bm_require_admin(skb, info) ?:
	      bm_require(info, BLKMIRROR_A_SECONDARY,
			 "missing attribute: secondary device") ?:
	      bm_check_path(info, BLKMIRROR_A_SECONDARY, "secondary");
	if (ret)
		return ret;
	args.path = nla_data(a[BLKMIRROR_A_SECONDARY]);
	if (a[BLKMIRROR_A_REGION_SIZE]) {
		args.region_bytes = nla_get_u32(a[BLKMIRROR_A_REGION_SIZE]);
		args.have_region = true;
	}
	args.have_rate = a[BLKMIRROR_A_MAX_RATE] || a[BLKMIRROR_A_MIN_RATE];
	msg = bm_new_reply();
	if (!msg) {
		NL_SET_ERR_MSG(info->extack,
			       "out of memory before anything began; nothing changed");
		return -ENOMEM;
	}
	if (mutex_lock_killable(&bm_ctl_mutex)) {
		nlmsg_free(msg);
		return -EINTR;
	}
	m = bm_lookup(info, true);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
	} else {
		args.max_rate = READ_ONCE(m->max_rate);
		args.min_rate = READ_ONCE(m->min_rate);
		ret = bm_resolve_rates(info, &args.max_rate, &args.min_rate) ?:
		      bm_attach(m, &args, info->extack);
	}
	if (ret) {
		nlmsg_free(msg);
	} else {
		/* Attached: a reply with no room does not undo that. */
		bm_send_mirror(msg, info, m, BLKMIRROR_CMD_ATTACH, NULL, NULL);
	}
	mutex_unlock(&bm_ctl_mutex);
	return ret;
}

static int bm_nl_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct blkmirror *m;
	u64 max_rate, min_rate;
	int ret;

	ret = bm_require_admin(skb, info);
	if (ret)
		return ret;
	/* Only the rates can change; saying nothing is a mistake. */
	if (a[BLKMIRROR_A_REGION_SIZE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[BLKMIRROR_A_REGION_SIZE],
				    "the region size is fixed at create");
		return -EINVAL;
	}
	if (!a[BLKMIRROR_A_MAX_RATE] && !a[BLKMIRROR_A_MIN_RATE]) {
		NL_SET_ERR_MSG(info->extack,
			       "missing attribute: max rate or min rate (nothing to set)");
		return -EINVAL;
	}
	if (mutex_lock_killable(&bm_ctl_mutex))
		return -EINTR;
	m = bm_lookup(info, true);
	if (IS_ERR(m)) {
		ret = PTR_ERR(m);
		goto out;
	}
	max_rate = READ_ONCE(m->max_rate);
	min_rate = READ_ONCE(m->min_rate);
	ret = bm_resolve_rates(info, &max_rate, &min_rate);
	if (ret)
		goto out;
	/* The copy thread picks both up at its next step: no restart. */
	WRITE_ONCE(m->max_rate, max_rate);
	WRITE_ONCE(m->min_rate, min_rate);
	bm_resync_kick(m);
	bm_event_changed(m);
out:
	mutex_unlock(&bm_ctl_mutex);
	return ret;
}

static int bm_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = bm_new_reply();
	struct blkmirror *m;
	int ret;

	if (!msg)
		return -ENOMEM;
	if (mutex_lock_killable(&bm_ctl_mutex)) {
		nlmsg_free(msg);
		return -EINTR;
	}
	m = bm_lookup(info, false);
	if (IS_ERR(m)) {
		nlmsg_free(msg);
		ret = PTR_ERR(m);
	} else {
		ret = bm_send_mirror(msg, info, m, BLKMIRROR_CMD_GET, NULL, NULL);
	}
	mutex_unlock(&bm_ctl_mutex);
	return ret;
}

/* cb->args[0]: id of the last mirror sent, so a dump survives destroys. */
static int bm_nl_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct blkmirror *m;
	int ret = 0;

	if (mutex_lock_killable(&bm_ctl_mutex))
		return -EINTR;
	list_for_each_entry(m, &bm_mirrors, node) {
		void *hdr;

		if (m->id <= cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &bm_genl_family,
				  NLM_F_MULTI, BLKMIRROR_CMD_GET);
		if (!hdr) {
			ret = -EMSGSIZE;
			break;
		}
		ret = bm_fill_mirror(skb, m);
		if (ret) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = m->id;
	}
	mutex_unlock(&bm_ctl_mutex);
	/* A full buffer is not an error: the dump continues in the next one. */
	if (ret == -EMSGSIZE && skb->len)
		ret = 0;
	return ret ?: skb->len;
}

static const struct genl_ops bm_genl_ops[] = {
	{
		.cmd = BLKMIRROR_CMD_VERSION,
		.doit = bm_nl_version,
	},
	{
		.cmd = BLKMIRROR_CMD_CREATE,
		.doit = bm_nl_create,
	},
	{
		.cmd = BLKMIRROR_CMD_DESTROY,
		.doit = bm_nl_destroy,
	},
	{
		.cmd = BLKMIRROR_CMD_GET,
		.doit = bm_nl_get,
		.dumpit = bm_nl_get_dump,
	},
	{
		.cmd = BLKMIRROR_CMD_SET,
		.doit = bm_nl_set,
	},
	{
		.cmd = BLKMIRROR_CMD_ATTACH,
		.doit = bm_nl_attach,
	},
	{
		.cmd = BLKMIRROR_CMD_SWITCH,
		.doit = bm_nl_switch,
	},
	{
		.cmd = BLKMIRROR_CMD_DETACH,
		.doit = bm_nl_detach,
	},
};

static const struct genl_multicast_group bm_mcgrps[] = {
	{ .name = BLKMIRROR_MCGRP_EVENTS },
};

struct genl_family bm_genl_family __ro_after_init = {
	.name = BLKMIRROR_GENL_NAME,
	.version = BLKMIRROR_GENL_VERSION,
	.maxattr = BLKMIRROR_A_MAX,
	.policy = bm_policy,
	/*
	 * No .resv_start_op: at 0, the header's reserved field and flags
	 * are checked for every command we have.
	 */
	/* bm_ctl_mutex serialises us; don't hold up other families. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = bm_genl_ops,
	.n_ops = ARRAY_SIZE(bm_genl_ops),
	.mcgrps = bm_mcgrps,
	.n_mcgrps = ARRAY_SIZE(bm_mcgrps),
};

int bm_netlink_init(void)
{
	return genl_register_family(&bm_genl_family);
}

void bm_netlink_exit(void)
{
	genl_unregister_family(&bm_genl_family);
}
