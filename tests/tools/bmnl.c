// SPDX-License-Identifier: GPL-2.0
/*
 * bmnl: send hand-built generic netlink messages to the blkmirror family.
 *
 * A test tool, not a user tool: it deliberately lets you send what
 * mirrorctl never would (wrong types, oversized or missing attributes,
 * unknown commands), and prints the kernel's answer verbatim.
 *
 *   bmnl [--dump] [--reserved N] [--fail-nth N] CMD [ATTR=VALUE ...]
 *   bmnl listen [COUNT]
 *
 * CMD and ATTR are numbers or names (version create destroy get set
 * attach switch detach;
 * name primary secondary region_size max_rate min_rate force).  VALUE is one of
 *   s:TEXT      NUL-terminated string     S:TEXT   string without NUL
 *   u8:N u16:N u32:N u64:N                flag     empty attribute
 *   rep:N:C     N copies of character C, NUL-terminated
 *   hex:HEX     raw bytes
 * --reserved puts N in the generic netlink header's reserved field.
 * --fail-nth makes the Nth fault-injection site the request's send
 * reaches fail (/proc/thread-self/fail-nth; failslab on the debug
 * kernel): the kernel handles the request in the sender's context, so
 * only its own allocations and the send's count.  It prints "fail-nth N:
 * injected" or "fail-nth N: not reached (M sites)" on stderr, M being
 * how many sites the send did reach (what is left of N says it), and
 * disarms the rest before the reply is read.
 * Exit: 0 on success, 1 with "error -E (text): message" on a netlink
 * error, 2 on usage or socket trouble.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../uapi/blkmirror.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

#define BUFSZ (1 << 16)

static char buf[BUFSZ];
static size_t len;

static const char *const cmd_names[] = {
	[BLKMIRROR_CMD_VERSION] = "version", [BLKMIRROR_CMD_CREATE] = "create",
	[BLKMIRROR_CMD_DESTROY] = "destroy", [BLKMIRROR_CMD_GET] = "get",
	[BLKMIRROR_CMD_SET] = "set",
	[BLKMIRROR_CMD_ATTACH] = "attach", [BLKMIRROR_CMD_SWITCH] = "switch",
	[BLKMIRROR_CMD_DETACH] = "detach",
	[BLKMIRROR_EVENT_CREATED] = "created",
	[BLKMIRROR_EVENT_PROGRESS] = "progress",
	[BLKMIRROR_EVENT_COMPLETE] = "complete",
	[BLKMIRROR_EVENT_DEGRADED] = "degraded",
	[BLKMIRROR_EVENT_DESTROYED] = "destroyed",
	[BLKMIRROR_EVENT_UNREADABLE] = "unreadable",
	[BLKMIRROR_EVENT_ATTACHED] = "attached",
	[BLKMIRROR_EVENT_SWITCHED] = "switched",
	[BLKMIRROR_EVENT_DETACHED] = "detached",
	[BLKMIRROR_EVENT_CHANGED] = "changed",
};

static const char *const attr_names[] = {
	[BLKMIRROR_A_NAME] = "name", [BLKMIRROR_A_PRIMARY] = "primary",
	[BLKMIRROR_A_SECONDARY] = "secondary",
	[BLKMIRROR_A_REGION_SIZE] = "region_size",
	[BLKMIRROR_A_MAX_RATE] = "max_rate", [BLKMIRROR_A_FORCE] = "force",
	[BLKMIRROR_A_VERSION] = "version", [BLKMIRROR_A_DISK_NAME] = "disk_name",
	[BLKMIRROR_A_STATE] = "state", [BLKMIRROR_A_PERCENT] = "percent",
	[BLKMIRROR_A_SYNCED_BYTES] = "synced_bytes", [BLKMIRROR_A_SIZE] = "size",
	[BLKMIRROR_A_EVENT_SEQ] = "event_seq", [BLKMIRROR_A_LBS] = "lbs",
	[BLKMIRROR_A_FAIL_LEG] = "fail_leg", [BLKMIRROR_A_FAIL_ERRNO] = "fail_errno",
	[BLKMIRROR_A_FAIL_SECTOR] = "fail_sector", [BLKMIRROR_A_RATE] = "rate",
	[BLKMIRROR_A_DEVT] = "devt",
	[BLKMIRROR_A_OLD_PRIMARY] = "old_primary",
	[BLKMIRROR_A_PAUSE_USEC] = "pause_usec",
	[BLKMIRROR_A_DETACHED_LEG] = "detached_leg",
	[BLKMIRROR_A_CONSISTENT] = "consistent",
	[BLKMIRROR_A_UNREADABLE_SECTORS] = "unreadable_sectors",
	[BLKMIRROR_A_MIN_RATE] = "min_rate", [BLKMIRROR_A_YIELDING] = "yielding",
};

/* How far to move past an attribute, never beyond what is left. */
static size_t step(unsigned int nla_len, size_t left)
{
	size_t n = NLA_ALIGN(nla_len);

	return n > left ? left : n;
}

#define NNAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int lookup(const char *const *names, int n, const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);
	int i;

	if (*s && !*end)
		return (int)v;
	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	fprintf(stderr, "bmnl: unknown name %s\n", s);
	exit(2);
}

static void *put(const void *data, size_t n)
{
	void *p = buf + len;

	if (len + NLMSG_ALIGN(n) > BUFSZ) {
		fprintf(stderr, "bmnl: message too large\n");
		exit(2);
	}
	memcpy(p, data, n);
	memset((char *)p + n, 0, NLMSG_ALIGN(n) - n);
	len += NLMSG_ALIGN(n);
	return p;
}

static void put_attr(int type, const void *data, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n),
			    .nla_type = (uint16_t)type };

	put(&a, NLA_HDRLEN);
	len -= NLA_HDRLEN;
	len += NLA_HDRLEN;
	if (n) {
		memcpy(buf + len, data, n);
		memset(buf + len + n, 0, NLA_ALIGN(n) - n);
		len += NLA_ALIGN(n);
	}
}

static void put_value(int type, const char *v)
{
	if (!strncmp(v, "s:", 2)) {
		put_attr(type, v + 2, strlen(v + 2) + 1);
	} else if (!strncmp(v, "S:", 2)) {
		put_attr(type, v + 2, strlen(v + 2));
	} else if (!strcmp(v, "flag")) {
		put_attr(type, NULL, 0);
	} else if (!strncmp(v, "rep:", 4)) {
		size_t n = strtoul(v + 4, NULL, 0);
		const char *c = strchr(v + 4, ':');
		char *s = malloc(n + 1);

		memset(s, c ? c[1] : 'a', n);
		s[n] = 0;
		put_attr(type, s, n + 1);
		free(s);
	} else if (!strncmp(v, "hex:", 4)) {
		unsigned char raw[4096];
		size_t n = 0;

		for (v += 4; v[0] && v[1] && n < sizeof(raw); v += 2)
			sscanf(v, "%2hhx", &raw[n++]);
		put_attr(type, raw, n);
	} else if (!strncmp(v, "u8:", 3)) {
		uint8_t x = (uint8_t)strtoull(v + 3, NULL, 0);

		put_attr(type, &x, 1);
	} else if (!strncmp(v, "u16:", 4)) {
		uint16_t x = (uint16_t)strtoull(v + 4, NULL, 0);

		put_attr(type, &x, 2);
	} else if (!strncmp(v, "u32:", 4)) {
		uint32_t x = (uint32_t)strtoull(v + 4, NULL, 0);

		put_attr(type, &x, 4);
	} else if (!strncmp(v, "u64:", 4)) {
		uint64_t x = strtoull(v + 4, NULL, 0);

		put_attr(type, &x, 8);
	} else {
		fprintf(stderr, "bmnl: bad value %s\n", v);
		exit(2);
	}
}

static int open_sock(void)
{
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd < 0) {
		perror("bmnl: socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

static uint16_t reserved;
static long fail_nth;
static int fail_nth_fd = -1;

static void arm_fail_nth(void)
{
	char v[32];
	int n;

	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0) {
		perror("bmnl: /proc/thread-self/fail-nth");
		exit(2);
	}
	n = snprintf(v, sizeof(v), "%ld", fail_nth);
	if (write(fail_nth_fd, v, (size_t)n) != n) {
		perror("bmnl: arm fail-nth");
		exit(2);
	}
}

/* After the send: did the fault fire?  Then nothing is left armed. */
static void disarm_fail_nth(void)
{
	char v[32] = "";
	ssize_t n;
	long left;

	n = pread(fail_nth_fd, v, sizeof(v) - 1, 0);
	if (n <= 0 || write(fail_nth_fd, "0", 1) != 1) {
		perror("bmnl: disarm fail-nth");
		exit(2);
	}
	v[n] = 0;
	left = atol(v);
	if (left)
		fprintf(stderr, "fail-nth %ld: not reached (%ld sites)\n",
			fail_nth, fail_nth - left);
	else
		fprintf(stderr, "fail-nth %ld: injected\n", fail_nth);
	close(fail_nth_fd);
}

static void start_msg(int family, int cmd, int flags)
{
	struct nlmsghdr h = { .nlmsg_type = (uint16_t)family,
			      .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags),
			      .nlmsg_seq = 1 };
	struct genlmsghdr g = { .cmd = (uint8_t)cmd, .version = 1,
				.reserved = reserved };

	len = 0;
	put(&h, NLMSG_HDRLEN);
	put(&g, GENL_HDRLEN);
}

static void send_msg(int fd)
{
	ssize_t ret;
	int err;

	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len;
	if (fail_nth)
		arm_fail_nth();
	ret = send(fd, buf, len, 0);
	err = errno;
	if (fail_nth)
		disarm_fail_nth();
	if (ret < 0) {
		errno = err;
		perror("bmnl: send");
		exit(2);
	}
}

static void print_attrs(const char *p, size_t n, const char *indent)
{
	while (n >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)p;
		size_t alen = a->nla_len - NLA_HDRLEN;
		const char *d = p + NLA_HDRLEN;
		int t = a->nla_type & NLA_TYPE_MASK;
		const char *nm = t < NNAMES(attr_names) && attr_names[t] ?
				 attr_names[t] : "?";

		if (a->nla_len < NLA_HDRLEN || a->nla_len > n)
			break;
		if (a->nla_type & NLA_F_NESTED || t == BLKMIRROR_A_PRIMARY_STATS ||
		    t == BLKMIRROR_A_SECONDARY_STATS) {
			printf("%s%s(%d): {\n", indent, nm, t);
			print_attrs(d, alen, "    ");
			printf("%s}\n", indent);
		} else if (alen == 8) {
			uint64_t v;

			memcpy(&v, d, 8);
			printf("%s%s(%d)=%llu\n", indent, nm, t, (unsigned long long)v);
		} else if (alen == 4 && d[3] != 0) {
			printf("%s%s(%d)=%.*s\n", indent, nm, t, (int)alen, d);
		} else if (alen == 4) {
			uint32_t v;

			memcpy(&v, d, 4);
			printf("%s%s(%d)=%u\n", indent, nm, t, v);
		} else {
			printf("%s%s(%d)=%.*s\n", indent, nm, t, (int)alen, d);
		}
		p += NLA_ALIGN(a->nla_len);
		n -= step(a->nla_len, n);
	}
}

/* Print replies until the ACK or DONE; returns the netlink error. */
static int recv_replies(int fd, int *group_id, int quiet)
{
	static char rbuf[BUFSZ];

	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			perror("bmnl: recv");
			exit(2);
		}
		for (h = (void *)rbuf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				const char *msg = "";

				if (!e->error)
					return 0;
				if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
					size_t off = sizeof(*e) +
						(h->nlmsg_flags & NLM_F_CAPPED ? 0 :
						 e->msg.nlmsg_len - NLMSG_HDRLEN);
					const char *p = (const char *)e + off;
					size_t left = h->nlmsg_len - NLMSG_HDRLEN - off;

					while (left >= NLA_HDRLEN) {
						const struct nlattr *a = (const void *)p;

						if (a->nla_len < NLA_HDRLEN || a->nla_len > left)
							break;
						if (a->nla_type == NLMSGERR_ATTR_MSG)
							msg = p + NLA_HDRLEN;
						p += NLA_ALIGN(a->nla_len);
						left -= step(a->nla_len, left);
					}
				}
				printf("error %d (%s): %s\n", e->error,
				       strerror(-e->error), msg);
				return e->error;
			}
			if (group_id) {
				/* CTRL_CMD_NEWFAMILY: find family id and group. */
				const char *p = (char *)NLMSG_DATA(h) + GENL_HDRLEN;
				size_t left = h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

				while (left >= NLA_HDRLEN) {
					const struct nlattr *a = (const void *)p;

					if (a->nla_type == CTRL_ATTR_FAMILY_ID)
						memcpy(&group_id[0], p + NLA_HDRLEN, 2);
					if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
						const char *q = p + NLA_HDRLEN + NLA_HDRLEN;
						size_t gl = a->nla_len - 2 * NLA_HDRLEN;

						while (gl >= NLA_HDRLEN) {
							const struct nlattr *b = (const void *)q;

							if (b->nla_type == CTRL_ATTR_MCAST_GRP_ID)
								memcpy(&group_id[1], q + NLA_HDRLEN, 4);
							q += NLA_ALIGN(b->nla_len);
							gl -= step(b->nla_len, gl);
						}
					}
					p += NLA_ALIGN(a->nla_len);
					left -= step(a->nla_len, left);
				}
				continue;
			}
			if (!quiet) {
				struct genlmsghdr *g = NLMSG_DATA(h);

				printf("%s:\n", g->cmd < NNAMES(cmd_names) &&
				       cmd_names[g->cmd] ? cmd_names[g->cmd] : "?");
				print_attrs((char *)g + GENL_HDRLEN,
					    h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, "  ");
				fflush(stdout);
			}
		}
	}
}

static void resolve(int fd, int ids[2])
{
	ids[0] = 0;
	ids[1] = 0;
	start_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)(buf + NLMSG_HDRLEN))->version = 2;
	put_attr(CTRL_ATTR_FAMILY_NAME, BLKMIRROR_GENL_NAME,
		 sizeof(BLKMIRROR_GENL_NAME));
	send_msg(fd);
	if (recv_replies(fd, ids, 1) || !ids[0]) {
		fprintf(stderr, "bmnl: family %s not found\n", BLKMIRROR_GENL_NAME);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	int ids[2], fd = open_sock();
	int flags = 0, i = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: bmnl [--dump] [--reserved N] [--fail-nth N] CMD [ATTR=VALUE ...] | bmnl listen [COUNT]\n");
		return 2;
	}
	resolve(fd, ids);
	if (!strcmp(argv[1], "listen")) {
		long count = argc > 2 ? strtol(argv[2], NULL, 0) : -1;

		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ids[1],
			       sizeof(ids[1]))) {
			perror("bmnl: join events");
			return 2;
		}
		printf("listening\n");
		fflush(stdout);
		while (count--) {
			recv_replies(fd, NULL, 0);
			fflush(stdout);
		}
		return 0;
	}
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--dump"))
			flags = NLM_F_DUMP;
		else if (!strcmp(argv[i], "--reserved") && i + 2 < argc)
			reserved = (uint16_t)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--fail-nth") && i + 2 < argc)
			fail_nth = strtol(argv[++i], NULL, 0);
		else
			break;
	}
	start_msg(ids[0], lookup(cmd_names, NNAMES(cmd_names), argv[i++]), flags);
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq) {
			fprintf(stderr, "bmnl: expected ATTR=VALUE, got %s\n", argv[i]);
			return 2;
		}
		*eq = 0;
		put_value(lookup(attr_names, NNAMES(attr_names), argv[i]), eq + 1);
	}
	send_msg(fd);
	return recv_replies(fd, NULL, 0) ? 1 : 0;
}
