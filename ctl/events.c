// SPDX-License-Identifier: GPL-2.0
/*
 * Following the "events" multicast group (after iw's event.c): a socket of
 * its own with sequence checks off, a poll loop that also watches SIGINT and
 * SIGTERM through a signalfd and an optional deadline, and recovery from a
 * receive-buffer overrun by re-reading state instead of dying.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "mirrorctl.h"

/*
 * A resync sends about a hundred small PROGRESS events per mirror; 1 MiB
 * (capped by net.core.rmem_max) holds far more than that, so overruns only
 * happen when the reader stops reading.  MIRRORCTL_RCVBUF overrides it so
 * that the tests can force one.
 */
#define EVENTS_RCVBUF	(1 << 20)

static int events_rcvbuf(void)
{
	const char *env = getenv("MIRRORCTL_RCVBUF"), *why;
	uint64_t v;

	if (env && parse_bytes(env, false, &v, &why) == 0 && v > 0 && v <= INT32_MAX)
		return (int)v;
	return EVENTS_RCVBUF;
}

static int on_event_msg(struct nl_msg *msg, void *arg)
{
	struct event_loop *loop = arg;
	struct mirror_msg m;

	if (nlmsg_hdr(msg)->nlmsg_type != loop->family)
		return NL_SKIP;
	/* Events come from the kernel; anything else here is not one. */
	if (nlmsg_get_src(msg)->nl_pid != 0)
		return NL_SKIP;
	if (bm_parse_mirror(msg, &m) < 0)
		return NL_SKIP;		/* one malformed event is no reason to stop */
	loop->result = loop->on_event(&m, loop->arg);
	return loop->result == MCTL_CONTINUE ? NL_OK : NL_STOP;
}

static int open_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int event_socket_error(struct event_loop *loop, const char *what, int err)
{
	errmsg("%s: events: %s: %s", loop->what, what, nl_geterror(err));
	events_close(loop);
	return MCTL_EXIT_FAIL;
}

/*
 * Join the events group.  Call this before reading state with GET, so that
 * nothing which happens after the GET can be missed.
 */
int events_subscribe(struct mctl_ctx *ctx, struct event_loop *loop)
{
	int grp, err, rcvbuf = events_rcvbuf();

	loop->family = ctx->nl.family;
	loop->what = ctx->nl.what;
	loop->sigfd = -1;
	loop->sk = nl_socket_alloc();
	if (!loop->sk) {
		errmsg("out of memory");
		return MCTL_EXIT_FAIL;
	}
	nl_socket_disable_seq_check(loop->sk);
	nl_socket_enable_msg_peek(loop->sk);
	nl_socket_modify_cb(loop->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event_msg, loop);
	err = genl_connect(loop->sk);
	if (err < 0)
		return event_socket_error(loop, "connect", err);
	/* After connect: libnl sets its own 32 KiB default while connecting. */
	if (setsockopt(nl_socket_get_fd(loop->sk), SOL_SOCKET, SO_RCVBUF,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		return event_socket_error(loop, "receive buffer", -nl_syserr2nlerr(errno));
	grp = genl_ctrl_resolve_grp(loop->sk, BLKMIRROR_GENL_NAME, BLKMIRROR_MCGRP_EVENTS);
	if (grp < 0)
		return event_socket_error(loop, "resolve group " BLKMIRROR_MCGRP_EVENTS, grp);
	err = nl_socket_add_membership(loop->sk, grp);
	if (err < 0)
		return event_socket_error(loop, "join group " BLKMIRROR_MCGRP_EVENTS, err);
	err = nl_socket_set_nonblocking(loop->sk);
	if (err < 0)
		return event_socket_error(loop, "non-blocking", err);
	loop->sigfd = open_signalfd();
	if (loop->sigfd < 0) {
		errmsg("%s: signalfd: %s", loop->what, strerror(errno));
		events_close(loop);
		return MCTL_EXIT_FAIL;
	}
	return MCTL_EXIT_OK;
}

void events_close(struct event_loop *loop)
{
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	loop->sigfd = -1;
	nl_socket_free(loop->sk);
	loop->sk = NULL;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read everything queued on the socket.  Returns MCTL_CONTINUE when it is
 * drained, or the exit code a handler asked for.
 */
static int drain_events(struct event_loop *loop)
{
	int err;

	for (;;) {
		loop->result = MCTL_CONTINUE;
		err = nl_recvmsgs_default(loop->sk);
		if (loop->result != MCTL_CONTINUE)
			return loop->result;
		if (err == -NLE_AGAIN)
			return MCTL_CONTINUE;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events for us. */
			errmsg("%s: events lost (receive buffer overrun), re-reading state",
			       loop->what);
			loop->result = loop->on_overrun(loop->arg);
			if (loop->result != MCTL_CONTINUE)
				return loop->result;
			continue;
		}
		if (err < 0) {
			errmsg("%s: receiving events: %s", loop->what, nl_geterror(err));
			return MCTL_EXIT_FAIL;
		}
	}
}

/*
 * True for an event that the last GET (which set *seen to its event_seq) or
 * an earlier event has not accounted for yet; records it as seen.
 */
bool event_is_new(uint64_t *seen, const struct mirror_msg *m)
{
	if (!msg_has(m, BLKMIRROR_A_EVENT_SEQ))
		return true;		/* a module without sequence numbers */
	if (m->event_seq <= *seen)
		return false;
	*seen = m->event_seq;
	return true;
}

/* SIGTERM: 143, SIGINT: 130, as a shell reports a job those signals ended. */
static int signal_exit(int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si) && si.ssi_signo == SIGTERM)
		return MCTL_EXIT_TERMINATED;
	return MCTL_EXIT_INTERRUPTED;
}

/*
 * Deliver events until a handler returns an exit code, the timeout passes
 * (MCTL_EXIT_TIMEOUT), SIGINT arrives (MCTL_EXIT_INTERRUPTED) or SIGTERM
 * (MCTL_EXIT_TERMINATED).
 */
int events_run(struct event_loop *loop)
{
	int64_t deadline = loop->timeout_ms < 0 ? -1 : now_ms() + loop->timeout_ms;
	struct pollfd pfd[2] = {
		{ .fd = nl_socket_get_fd(loop->sk), .events = POLLIN },
		{ .fd = loop->sigfd, .events = POLLIN },
	};
	int ret;

	/* Events may be queued already: they arrived while we read state. */
	ret = drain_events(loop);
	while (ret == MCTL_CONTINUE) {
		int wait_ms = loop->on_idle ? EVENTS_IDLE_MS : -1;
		int n;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return MCTL_EXIT_TIMEOUT;
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = (int)left;
		}
		n = poll(pfd, 2, wait_ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			errmsg("%s: poll: %s", loop->what, strerror(errno));
			return MCTL_EXIT_FAIL;
		}
		if (pfd[1].revents)
			return signal_exit(loop->sigfd);
		if (pfd[0].revents)
			ret = drain_events(loop);
		else if (n == 0 && loop->on_idle)
			ret = loop->on_idle(loop->arg);
	}
	return ret;
}
