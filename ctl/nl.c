// SPDX-License-Identifier: GPL-2.0
/*
 * The one request path to the blkmirror family: resolve it once, send a
 * request, run the reply/ack/error callbacks, and turn a refusal into the
 * kernel's own words (the extended-ack message) plus an exit code.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>

#include "mirrorctl.h"

/*---------------------------------------------------------------------------
 * Attribute parsing, shared by replies and events
 */

static struct nla_policy stat_policy[BLKMIRROR_STAT_MAX + 1] = {
	[BLKMIRROR_STAT_READS ... BLKMIRROR_STAT_COPY_BYTES] = { .type = NLA_U64 },
};

static struct nla_policy mirror_policy[BLKMIRROR_A_MAX + 1] = {
	[BLKMIRROR_A_VERSION]		= { .type = NLA_STRING },
	[BLKMIRROR_A_NAME]		= { .type = NLA_STRING },
	[BLKMIRROR_A_PRIMARY]		= { .type = NLA_STRING },
	[BLKMIRROR_A_SECONDARY]		= { .type = NLA_STRING },
	[BLKMIRROR_A_REGION_SIZE]	= { .type = NLA_U32 },
	[BLKMIRROR_A_MAX_RATE]		= { .type = NLA_U64 },
	[BLKMIRROR_A_FORCE]		= { .type = NLA_FLAG },
	[BLKMIRROR_A_DISK_NAME]		= { .type = NLA_STRING },
	[BLKMIRROR_A_DEVT]		= { .type = NLA_U32 },
	[BLKMIRROR_A_STATE]		= { .type = NLA_U32 },
	[BLKMIRROR_A_PRIMARY_DEVT]	= { .type = NLA_U32 },
	[BLKMIRROR_A_SECONDARY_DEVT]	= { .type = NLA_U32 },
	[BLKMIRROR_A_SIZE]		= { .type = NLA_U64 },
	[BLKMIRROR_A_PRIMARY_LBS]	= { .type = NLA_U32 },
	[BLKMIRROR_A_SECONDARY_LBS]	= { .type = NLA_U32 },
	[BLKMIRROR_A_LBS]		= { .type = NLA_U32 },
	[BLKMIRROR_A_SYNCED_BYTES]	= { .type = NLA_U64 },
	[BLKMIRROR_A_PERCENT]		= { .type = NLA_U32 },
	[BLKMIRROR_A_RATE]		= { .type = NLA_U64 },
	[BLKMIRROR_A_PRIMARY_STATS]	= { .type = NLA_NESTED },
	[BLKMIRROR_A_SECONDARY_STATS]	= { .type = NLA_NESTED },
	[BLKMIRROR_A_FAIL_LEG]		= { .type = NLA_U32 },
	[BLKMIRROR_A_FAIL_ERRNO]	= { .type = NLA_U32 },
	[BLKMIRROR_A_FAIL_SECTOR]	= { .type = NLA_U64 },
	[BLKMIRROR_A_EVENT_SEQ]		= { .type = NLA_U64 },
	[BLKMIRROR_A_UNREADABLE_SECTORS] = { .type = NLA_U64 },
	[BLKMIRROR_A_UNREADABLE_FIRST]	= { .type = NLA_U64 },
	[BLKMIRROR_A_RANGE_SECTOR]	= { .type = NLA_U64 },
	[BLKMIRROR_A_RANGE_SECTORS]	= { .type = NLA_U64 },
	[BLKMIRROR_A_OLD_PRIMARY]	= { .type = NLA_STRING },
	[BLKMIRROR_A_PAUSE_USEC]	= { .type = NLA_U64 },
	[BLKMIRROR_A_DETACHED_LEG]	= { .type = NLA_STRING },
	[BLKMIRROR_A_CONSISTENT]	= { .type = NLA_U8 },
	[BLKMIRROR_A_MIN_RATE]		= { .type = NLA_U64 },
	[BLKMIRROR_A_YIELDING]		= { .type = NLA_U8 },
};

#define FIELD(attr, member) { attr, offsetof(struct mirror_msg, member) }

static const struct { int attr; size_t off; } str_fields[] = {
	FIELD(BLKMIRROR_A_VERSION, version),
	FIELD(BLKMIRROR_A_NAME, name),
	FIELD(BLKMIRROR_A_DISK_NAME, disk_name),
	FIELD(BLKMIRROR_A_PRIMARY, primary),
	FIELD(BLKMIRROR_A_SECONDARY, secondary),
	FIELD(BLKMIRROR_A_OLD_PRIMARY, old_primary),
	FIELD(BLKMIRROR_A_DETACHED_LEG, detached_leg),
}, u32_fields[] = {
	FIELD(BLKMIRROR_A_DEVT, devt),
	FIELD(BLKMIRROR_A_PRIMARY_DEVT, primary_devt),
	FIELD(BLKMIRROR_A_SECONDARY_DEVT, secondary_devt),
	FIELD(BLKMIRROR_A_STATE, state),
	FIELD(BLKMIRROR_A_PERCENT, percent),
	FIELD(BLKMIRROR_A_LBS, lbs),
	FIELD(BLKMIRROR_A_PRIMARY_LBS, primary_lbs),
	FIELD(BLKMIRROR_A_SECONDARY_LBS, secondary_lbs),
	FIELD(BLKMIRROR_A_REGION_SIZE, region_size),
	FIELD(BLKMIRROR_A_FAIL_LEG, fail_leg),
	FIELD(BLKMIRROR_A_FAIL_ERRNO, fail_errno),
}, u64_fields[] = {
	FIELD(BLKMIRROR_A_SIZE, size),
	FIELD(BLKMIRROR_A_SYNCED_BYTES, synced_bytes),
	FIELD(BLKMIRROR_A_RATE, rate),
	FIELD(BLKMIRROR_A_MAX_RATE, max_rate),
	FIELD(BLKMIRROR_A_FAIL_SECTOR, fail_sector),
	FIELD(BLKMIRROR_A_EVENT_SEQ, event_seq),
	FIELD(BLKMIRROR_A_UNREADABLE_SECTORS, unreadable_sectors),
	FIELD(BLKMIRROR_A_UNREADABLE_FIRST, unreadable_first),
	FIELD(BLKMIRROR_A_RANGE_SECTOR, range_sector),
	FIELD(BLKMIRROR_A_RANGE_SECTORS, range_sectors),
	FIELD(BLKMIRROR_A_PAUSE_USEC, pause_usec),
	FIELD(BLKMIRROR_A_MIN_RATE, min_rate),
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MEMBER(m, off, type)	((type *)((char *)(m) + (off)))

static int parse_stats(struct nlattr *nest, uint64_t stats[BLKMIRROR_STAT_MAX + 1])
{
	struct nlattr *tb[BLKMIRROR_STAT_MAX + 1];
	int i, err;

	err = nla_parse_nested(tb, BLKMIRROR_STAT_MAX, nest, stat_policy);
	if (err < 0)
		return err;
	for (i = 0; i <= BLKMIRROR_STAT_MAX; i++)
		if (tb[i] && stat_policy[i].type == NLA_U64)
			stats[i] = nla_get_u64(tb[i]);
	return 0;
}

/* Fill @m from a family message; unknown (newer) attributes are ignored. */
int bm_parse_mirror(struct nl_msg *msg, struct mirror_msg *m)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[BLKMIRROR_A_MAX + 1];
	size_t i;
	int err;

	memset(m, 0, sizeof(*m));
	err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, BLKMIRROR_A_MAX, mirror_policy);
	if (err < 0)
		return err;
	m->cmd = gnlh->cmd;
	for (i = 0; i <= BLKMIRROR_A_MAX; i++)
		if (tb[i])
			m->has |= 1ULL << i;
	for (i = 0; i < ARRAY_SIZE(str_fields); i++)
		if (tb[str_fields[i].attr])
			*MEMBER(m, str_fields[i].off, const char *) =
				nla_get_string(tb[str_fields[i].attr]);
	for (i = 0; i < ARRAY_SIZE(u32_fields); i++)
		if (tb[u32_fields[i].attr])
			*MEMBER(m, u32_fields[i].off, uint32_t) =
				nla_get_u32(tb[u32_fields[i].attr]);
	for (i = 0; i < ARRAY_SIZE(u64_fields); i++)
		if (tb[u64_fields[i].attr])
			*MEMBER(m, u64_fields[i].off, uint64_t) =
				nla_get_u64(tb[u64_fields[i].attr]);
	if (tb[BLKMIRROR_A_CONSISTENT])
		m->consistent = nla_get_u8(tb[BLKMIRROR_A_CONSISTENT]);
	if (tb[BLKMIRROR_A_YIELDING])
		m->yielding = nla_get_u8(tb[BLKMIRROR_A_YIELDING]);
	if (tb[BLKMIRROR_A_PRIMARY_STATS] &&
	    (err = parse_stats(tb[BLKMIRROR_A_PRIMARY_STATS], m->stats[0])) < 0)
		return err;
	if (tb[BLKMIRROR_A_SECONDARY_STATS] &&
	    (err = parse_stats(tb[BLKMIRROR_A_SECONDARY_STATS], m->stats[1])) < 0)
		return err;
	return 0;
}

/*---------------------------------------------------------------------------
 * Socket
 */

/*
 * Ask for extended acks, and capped ones: the kernel then leaves our
 * request out of the error message, which keeps the TLVs easy to find.
 */
int bm_set_ext_ack(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), one = 1;

	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		return -errno;
	/* Only an optimisation: the parser copes with uncapped acks. */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

/*
 * The family version changes only when the contract does incompatibly
 * (uapi/blkmirror.h): a module and a mirrorctl that differ cannot talk.
 */
static int check_version(struct mctl_nl *nl)
{
	struct genl_family *fam;
	struct nl_cache *cache;
	int version = -1;

	if (genl_ctrl_alloc_cache(nl->sk, &cache) < 0)
		return MCTL_EXIT_OK;	/* resolved already; nothing more to learn */
	fam = genl_ctrl_search_by_name(cache, BLKMIRROR_GENL_NAME);
	if (fam) {
		version = (int)genl_family_get_version(fam);
		genl_family_put(fam);
	}
	nl_cache_free(cache);
	if (version < 0 || version == BLKMIRROR_GENL_VERSION)
		return MCTL_EXIT_OK;
	errmsg("the blkmirror module speaks netlink version %d and this mirrorctl "
	       "version %d: install a matching mirrorctl", version, BLKMIRROR_GENL_VERSION);
	return MCTL_EXIT_FAIL;
}

int bm_open(struct mctl_nl *nl)
{
	int err;

	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		errmsg("out of memory");
		return MCTL_EXIT_FAIL;
	}
	err = genl_connect(nl->sk);
	if (err < 0) {
		errmsg("cannot open generic netlink socket: %s", nl_geterror(err));
		return MCTL_EXIT_FAIL;
	}
	nl_socket_enable_msg_peek(nl->sk);
	bm_set_ext_ack(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, BLKMIRROR_GENL_NAME);
	if (nl->family == -NLE_OBJ_NOTFOUND) {
		if (access("/sys/module/blkmirror", F_OK) == 0) {
			errmsg("the blkmirror module is loaded, but its netlink family is not "
			       "visible here: it serves the initial network namespace only");
			return MCTL_EXIT_FAIL;
		}
		errmsg("blkmirror kernel module is not loaded (load it with: modprobe blkmirror)");
		return MCTL_EXIT_NOMODULE;
	}
	if (nl->family < 0) {
		errmsg("cannot resolve generic netlink family " BLKMIRROR_GENL_NAME ": %s",
		       nl_geterror(nl->family));
		return MCTL_EXIT_FAIL;
	}
	return check_version(nl);
}

void bm_close(struct mctl_nl *nl)
{
	nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *bm_new_request(const struct mctl_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, BLKMIRROR_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (!msg)
		errmsg("out of memory");
	return msg;
}

/*---------------------------------------------------------------------------
 * One request, its replies and its ack
 */

struct request {
	struct mctl_nl *nl;
	mirror_fn fn;
	void *arg;
	int err;		/* > 0 while waiting, then 0 or -errno */
	int verdict;		/* first exit code @fn returned, or MCTL_CONTINUE */
};

/*
 * Copy NLMSGERR_ATTR_MSG out of an error or done message.  @tlv_off is where
 * the TLVs start, counted from the netlink header.
 */
static void copy_ext_msg(struct mctl_nl *nl, const struct nlmsghdr *nlh, size_t tlv_off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = (int)nlh->nlmsg_len - (int)tlv_off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + tlv_off),
		      len, NULL) < 0 || !tb[NLMSGERR_ATTR_MSG])
		return;
	/* The string is kernel text; bound it rather than trust its NUL. */
	snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%.*s",
		 nla_len(tb[NLMSGERR_ATTR_MSG]), (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	nl->ext_msg[strcspn(nl->ext_msg, "\n")] = '\0';
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct request *req = arg;
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	(void)nla;
	/* Without NLM_F_CAPPED the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	copy_ext_msg(req->nl, nlh, off);
	req->err = e->error;
	return NL_STOP;
}

/* A dump ends in NLMSG_DONE, which carries the dump's error, if any. */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int err = 0;

	if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		copy_ext_msg(req->nl, nlh, NLMSG_HDRLEN + sizeof(int));
	}
	req->err = err < 0 ? err : 0;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->err = 0;
	return NL_STOP;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct mirror_msg m;

	/* Once @fn has decided, the rest is only read to reach the ack. */
	if (!req->fn || req->verdict != MCTL_CONTINUE)
		return NL_OK;
	if (bm_parse_mirror(msg, &m) < 0) {
		errmsg("%s: malformed reply from the kernel", req->nl->what);
		req->verdict = MCTL_EXIT_FAIL;
		return NL_OK;
	}
	req->verdict = req->fn(&m, req->arg);
	return NL_OK;
}

/*
 * Send @msg (consumed) and run @fn on every reply until it returns an exit
 * code instead of MCTL_CONTINUE.  Returns a negative errno if the kernel
 * refused (its message in nl->ext_msg; see bm_report()), else the exit code
 * @fn returned, else 0.
 */
int bm_request(struct mctl_nl *nl, struct nl_msg *msg, mirror_fn fn, void *arg)
{
	struct request req = {
		.nl = nl, .fn = fn, .arg = arg, .err = 1, .verdict = MCTL_CONTINUE,
	};
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	nl->ext_msg[0] = '\0';
	if (!cb) {
		nlmsg_free(msg);
		errmsg("out of memory");
		return MCTL_EXIT_FAIL;
	}
	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		errmsg("%s: send failed: %s", nl->what, nl_geterror(err));
		nl_cb_put(cb);
		return MCTL_EXIT_FAIL;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &req);
	while (req.err > 0) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && req.err > 0) {
			errmsg("%s: receive failed: %s", nl->what, nl_geterror(err));
			nl_cb_put(cb);
			return MCTL_EXIT_FAIL;
		}
	}
	nl_cb_put(cb);
	if (req.err)
		return req.err;
	return req.verdict == MCTL_CONTINUE ? 0 : req.verdict;
}

/*
 * Print "mirrorctl: <command> <NAME>: <ext-ack message> (<strerror>)" for a
 * kernel refusal @err (negative errno) and return the matching exit code.
 * Positive @err is already an exit code and passes through.
 */
int bm_report(const struct mctl_nl *nl, int err)
{
	char where[128];

	if (err >= 0)
		return err;
	snprintf(where, sizeof(where), "%s%s%s", nl->what,
		 nl->object ? " " : "", nl->object ? nl->object : "");
	if (nl->ext_msg[0])
		errmsg("%s: %s (%s)", where, nl->ext_msg, strerror(-err));
	else
		errmsg("%s: %s", where, strerror(-err));
	if (err == -EPERM || err == -EACCES) {
		errmsg("%s needs CAP_SYS_ADMIN; run it as root", nl->what);
		return MCTL_EXIT_PERM;
	}
	return MCTL_EXIT_FAIL;
}

/* GET one mirror by name, or dump them all when @name is NULL. */
int bm_get_mirror(struct mctl_nl *nl, const char *name, mirror_fn fn, void *arg)
{
	struct nl_msg *msg;

	msg = bm_new_request(nl, BLKMIRROR_CMD_GET, name ? 0 : NLM_F_DUMP);
	if (!msg)
		return MCTL_EXIT_FAIL;
	if (name && nla_put_string(msg, BLKMIRROR_A_NAME, name) < 0) {
		nlmsg_free(msg);
		errmsg("%s: request too large", nl->what);
		return MCTL_EXIT_FAIL;
	}
	return bm_request(nl, msg, fn, arg);
}
