// SPDX-License-Identifier: GPL-2.0
/*
 * The command table, and everything generated from it: argument parsing,
 * usage and help text, and the bash completion script.  A command or an
 * option is added here once and shows up in all of them.
 */
#include <stdarg.h>
#include <string.h>

#include "mirrorctl.h"

#ifndef MCTL_VERSION
#define MCTL_VERSION "unknown"
#endif

const char mctl_version[] = MCTL_VERSION;

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*---------------------------------------------------------------------------
 * Tables
 */

struct mctl_option {
	const char *name;	/* without the leading "--" */
	const char *metavar;	/* NULL for a flag */
	int (*parse)(const char *s, uint64_t *out, const char **why);
	const char *help;
};

static const struct mctl_option options[OPT_COUNT] = {
	[OPT_JSON] = { "json", NULL, NULL,
		"print JSON (fields in mirrorctl(8)); also -j/--json before the command" },
	[OPT_WAIT] = { "wait", NULL, NULL,
		"then wait until the mirror is in sync, as 'wait' does" },
	[OPT_FORCE] = { "force", NULL, NULL,
		"destroy even while the mirror is in use" },	/* see opt_help */
	[OPT_REGION_SIZE] = { "region-size", "SIZE", parse_region_size,
		"unit of copy and locking: a power of two, 64K to 64M (default 1M)" },
	[OPT_MAX_RATE] = { "max-rate", "RATE", parse_rate,
		"resync rate limit, e.g. 100M/s; 0 or 'unlimited' for none" },
	[OPT_MIN_RATE] = { "min-rate", "RATE", parse_rate,
		"resync floor under foreground load (default 32M/s); 0: pause" },
	[OPT_TIMEOUT] = { "timeout", "SECONDS", parse_seconds,
		"give up after SECONDS (exit 5)" },
	[OPT_NO_WAIT] = { "no-wait", NULL, NULL,
		"return once the teardown has begun, not when it is over" },
	[OPT_ALL] = { "all", NULL, NULL,
		"every mirror of the configuration file" },
	[OPT_CONFIG] = { "config", "FILE", NULL,	/* a string: no parser */
		"configuration file (default " MCTL_CONF_DEFAULT ")" },
	[OPT_TIMESTAMPS] = { "timestamps", NULL, NULL,
		"start each line with the time, as 2026-12-02T03:04:05.123456+01:00\n"
		"                         (in JSON a \"timestamp\" field)" },
	[OPT_TEST] = { "test", NULL, NULL,
		"exit 6 if a mirror shown is degraded (as mdadm --detail --test)" },
};

static int cmd_help(struct mctl_ctx *ctx);
static int cmd_bash_completion(struct mctl_ctx *ctx);

static const struct mctl_cmd commands[] = {
	{ "create", { { "NAME", ARG_NEW_NAME, false }, { "PRIMARY", ARG_DEVICE, false },
			{ "SECONDARY", ARG_DEVICE, true } },
	    OPT_BIT(OPT_REGION_SIZE) | OPT_BIT(OPT_MAX_RATE) | OPT_BIT(OPT_MIN_RATE) |
	    OPT_BIT(OPT_WAIT) | OPT_BIT(OPT_JSON),
	    "Create mirror NAME, copying PRIMARY onto SECONDARY in the background,\n"
	    "and print its device node.  Without SECONDARY the mirror has one leg\n"
	    "(state single), a pass-through to PRIMARY, until 'attach'.",
	    cmd_create, CMD_NETLINK,
	    { [OPT_WAIT] = "then wait until in sync, as 'wait' does, with progress on\n"
			   "                         stderr (needs SECONDARY)" } },
	{ "attach", { { "NAME", ARG_MIRROR, false }, { "SECONDARY", ARG_DEVICE, false } },
	    OPT_BIT(OPT_REGION_SIZE) | OPT_BIT(OPT_MAX_RATE) | OPT_BIT(OPT_MIN_RATE) |
	    OPT_BIT(OPT_WAIT) | OPT_BIT(OPT_JSON),
	    "Give single-leg mirror NAME the secondary SECONDARY and start copying\n"
	    "onto it in the background; print the mirror's device node.",
	    cmd_attach, CMD_NETLINK,
	    { [OPT_WAIT] = "then wait until in sync, as 'wait' does, with progress on\n"
			   "                         stderr" } },
	{ "switch", { { "NAME", ARG_MIRROR, false } }, OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_JSON),
	    "Make the secondary of in-sync mirror NAME its only leg and release the\n"
	    "old primary; I/O pauses for a moment and carries on.",
	    cmd_switch, CMD_NETLINK,
	    { [OPT_FORCE] = "switch even though the copy could not read some sectors\n"
			    "                         of the primary (they are not on the secondary)" } },
	{ "detach", { { "NAME", ARG_MIRROR, false } }, OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_JSON),
	    "Drop the secondary of mirror NAME, which goes on with its primary\n"
	    "alone.  In sync, the secondary is left a consistent point-in-time copy.",
	    cmd_detach, CMD_NETLINK,
	    { [OPT_FORCE] = "detach even while resyncing or degraded (the secondary is\n"
			    "                         then not a consistent copy)" } },
	{ "destroy", { { "NAME", ARG_MIRROR, false } },
	    OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_NO_WAIT) | OPT_BIT(OPT_TIMEOUT),
	    "Remove mirror NAME; the legs are left as they are.  Waits until its\n"
	    "legs are closed and the name is free (exit 5 on timeout).",
	    cmd_destroy, CMD_NETLINK, { 0 } },
	{ "list", { { 0 } }, OPT_BIT(OPT_JSON) | OPT_BIT(OPT_TEST),
	    "One line per mirror: name, device, state, percent in sync.", cmd_list, CMD_NETLINK, { 0 } },
	{ "status", { { "NAME", ARG_MIRROR, true } }, OPT_BIT(OPT_JSON) | OPT_BIT(OPT_TEST),
	    "Everything about mirror NAME, or about every mirror: state, percent\n"
	    "in sync and time left, legs, settings, counters.", cmd_status, CMD_NETLINK, { 0 } },
	{ "wait", { { "NAME", ARG_MIRROR, false } }, OPT_BIT(OPT_TIMEOUT),
	    "Block until mirror NAME is in sync, showing progress.  Fails if it\n"
	    "degrades (exit 6), is destroyed (exit 7), its secondary is detached\n"
	    "(exit 8) or the timeout passes (exit 5); at once if it has one leg (exit 1).",
	    cmd_wait, CMD_NETLINK, { 0 } },
	{ "monitor", { { "NAME", ARG_MIRROR, true } }, OPT_BIT(OPT_JSON) | OPT_BIT(OPT_TIMESTAMPS),
	    "Print the current state, a line \"state -\" that ends it, then every\n"
	    "event as it happens, until interrupted.", cmd_monitor, CMD_NETLINK, { 0 } },
	{ "set", { { "NAME", ARG_MIRROR, false } }, OPT_BIT(OPT_MAX_RATE) | OPT_BIT(OPT_MIN_RATE),
	    "Change the resync limits of mirror NAME, at once, without restarting\n"
	    "the copy.", cmd_set, CMD_NETLINK, { 0 } },
	{ "up", { { "NAME", ARG_NEW_NAME, true } }, OPT_BIT(OPT_ALL) | OPT_BIT(OPT_CONFIG),
	    "Bring up mirror NAME, or --all, as the configuration file describes\n"
	    "it (blkmirror.conf(5)).  Already up is fine; with --all, a mirror a leg\n"
	    "of which is not present is skipped.",
	    cmd_up, 0, { 0 } },	/* opens netlink itself, after reading the file */
	{ "down", { { "NAME", ARG_MIRROR, true } }, OPT_BIT(OPT_ALL) | OPT_BIT(OPT_CONFIG),
	    "Take mirror NAME, or every configured mirror (--all), down: destroy\n"
	    "it, waiting for the teardown.  Already down is fine.",
	    cmd_down, 0, { 0 } },
	{ "version", { { 0 } }, OPT_BIT(OPT_JSON),
	    "Print the version of mirrorctl and of the loaded kernel module.",
	    cmd_version, 0, { 0 } },
	{ "help", { { "COMMAND", ARG_COMMAND, true } }, 0,
	    "Show the commands, or the options of COMMAND.", cmd_help, 0, { 0 } },
	{ "__bash-completion", { { 0 } }, 0,
	    "Print the bash completion script.", cmd_bash_completion, CMD_HIDDEN, { 0 } },
};

static const struct mctl_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

#define for_each_visible_cmd(i)						\
	for ((i) = 0; (i) < ARRAY_SIZE(commands); (i)++)		\
		if (!(commands[i].flags & CMD_HIDDEN))

/*---------------------------------------------------------------------------
 * Usage and help
 */

static void print_synopsis(FILE *f, const struct mctl_cmd *cmd)
{
	int i;

	fputs(cmd->name, f);
	for (i = 0; i < MCTL_MAX_ARGS && cmd->args[i].label; i++)
		fprintf(f, cmd->args[i].optional ? " [%s]" : " %s", cmd->args[i].label);
	for (i = 0; i < OPT_COUNT; i++) {
		if (!(cmd->opts & OPT_BIT(i)))
			continue;
		if (options[i].metavar)
			fprintf(f, " [--%s %s]", options[i].name, options[i].metavar);
		else
			fprintf(f, " [--%s]", options[i].name);
	}
}

static void print_usage(FILE *f)
{
	size_t i;

	fputs("Usage: " PROG " [-h|--help] [-V|--version] [-j|--json] COMMAND [ARGUMENTS]\n\n"
	      "Commands:\n", f);
	for_each_visible_cmd(i) {
		fputs("  ", f);
		print_synopsis(f, &commands[i]);
		fputc('\n', f);
	}
	fputs("\nSIZE and RATE take K, M, G, T (1024-based, optionally with iB; RATE\n"
	      "also /s).  Run '" PROG " help COMMAND' for details, and see mirrorctl(8).\n", f);
}

static void print_cmd_help(FILE *f, const struct mctl_cmd *cmd)
{
	char flag[64];
	int i;

	fputs("Usage: " PROG " ", f);
	print_synopsis(f, cmd);
	fprintf(f, "\n\n%s\n", cmd->help);
	if (!cmd->opts)
		return;
	fputs("\nOptions:\n", f);
	for (i = 0; i < OPT_COUNT; i++) {
		if (!(cmd->opts & OPT_BIT(i)))
			continue;
		snprintf(flag, sizeof(flag), "--%s%s%s", options[i].name,
			 options[i].metavar ? " " : "",
			 options[i].metavar ? options[i].metavar : "");
		fprintf(f, "  %-22s %s\n", flag,
			cmd->opt_help[i] ? cmd->opt_help[i] : options[i].help);
	}
}

/* Say what is wrong, then how the command (or mirrorctl) is used. */
static int __attribute__((format(printf, 2, 3)))
usage_error(const struct mctl_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s%s", cmd ? cmd->name : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd) {
		fputs("Usage: " PROG " ", stderr);
		print_synopsis(stderr, cmd);
		fputc('\n', stderr);
	} else {
		print_usage(stderr);
	}
	return MCTL_EXIT_USAGE;
}

static int cmd_help(struct mctl_ctx *ctx)
{
	if (ctx->args.pos[0])
		print_cmd_help(stdout, find_cmd(ctx->args.pos[0]));
	else
		print_usage(stdout);
	return MCTL_EXIT_OK;
}

/*---------------------------------------------------------------------------
 * Bash completion, generated from the tables
 */

static const char *const arg_kind_word[] = {
	[ARG_NEW_NAME]	= "none",
	[ARG_MIRROR]	= "mirror",
	[ARG_DEVICE]	= "device",
	[ARG_COMMAND]	= "command",
};

static void print_completion_case(const struct mctl_cmd *cmd)
{
	int i;

	printf("\t%s)\n\t\topts=\"--help", cmd->name);
	for (i = 0; i < OPT_COUNT; i++)
		if (cmd->opts & OPT_BIT(i))
			printf(" --%s", options[i].name);
	printf("\"\n\t\tkinds=(");
	for (i = 0; i < MCTL_MAX_ARGS && cmd->args[i].label; i++)
		printf("%s%s", i ? " " : "", arg_kind_word[cmd->args[i].kind]);
	printf(")\n\t\t;;\n");
}

static int cmd_bash_completion(struct mctl_ctx *ctx)
{
	size_t i;
	int o;

	(void)ctx;
	printf("# bash completion for " PROG "(8)\n"
	       "# Generated by '" PROG " __bash-completion' from its command table;\n"
	       "# do not edit, run 'make -C ctl completion' instead.\n\n"
	       "_mirrorctl()\n{\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	       "\tlocal cmd= opts= kind= npos=0 i\n\tlocal -a kinds=()\n"
	       "\tlocal valued=\"");
	for (o = 0; o < OPT_COUNT; o++)
		if (options[o].metavar)
			printf(" --%s", options[o].name);
	printf("\"\n\tlocal commands=\"");
	for_each_visible_cmd(i)
		printf("%s%s", i ? " " : "", commands[i].name);
	printf("\"\n\n"
	       "\t# The command, then how many positional words follow it.\n"
	       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	       "\t\tcase \" $valued \" in *\" ${COMP_WORDS[i]} \"*) ((i++)); continue;; esac\n"
	       "\t\tcase ${COMP_WORDS[i]} in\n"
	       "\t\t-*) ;;\n"
	       "\t\t*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; else ((npos++)); fi ;;\n"
	       "\t\tesac\n\tdone\n\n"
	       "\tcase \" $valued \" in *\" $prev \"*) return;; esac\n\n"
	       "\tcase $cmd in\n"
	       "\t\"\")\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$commands -h --help -V --version -j --json\" -- \"$cur\"))\n"
	       "\t\treturn\n\t\t;;\n");
	for_each_visible_cmd(i)
		print_completion_case(&commands[i]);
	printf("\t*)\n\t\treturn\n\t\t;;\n\tesac\n\n"
	       "\tif [[ $cur == -* ]]; then\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n\t\treturn\n\tfi\n"
	       "\tkind=${kinds[npos]}\n"
	       "\tcase $kind in\n"
	       "\tmirror)\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$(" PROG " list 2>/dev/null | awk '{print $1}')\" -- \"$cur\"))\n"
	       "\t\t;;\n"
	       "\tdevice)\n"
	       "\t\tcompopt -o filenames 2>/dev/null\n"
	       "\t\tCOMPREPLY=($(compgen -f -- \"${cur:-/dev/}\"))\n"
	       "\t\t;;\n"
	       "\tcommand)\n"
	       "\t\tCOMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
	       "\t\t;;\n"
	       "\tesac\n}\n"
	       "complete -F _mirrorctl " PROG "\n");
	return MCTL_EXIT_OK;
}

/*---------------------------------------------------------------------------
 * Parsing
 */

static int parse_option(struct mctl_ctx *ctx, char **argv, int *i)
{
	const struct mctl_cmd *cmd = ctx->cmd;
	char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	const char *value = NULL, *why;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	int o;

	for (o = 0; o < OPT_COUNT; o++)
		if ((cmd->opts & OPT_BIT(o)) && strlen(options[o].name) == len &&
		    strncmp(options[o].name, arg, len) == 0)
			break;
	if (o == OPT_COUNT)
		return usage_error(cmd, "unknown option '%s'", argv[*i]);
	if (!options[o].metavar) {
		if (eq)
			return usage_error(cmd, "option '--%s' takes no value",
					   options[o].name);
	} else if (eq) {
		value = eq + 1;
	} else if (argv[*i + 1]) {
		value = argv[++*i];
	} else {
		return usage_error(cmd, "option '--%s' needs %s", options[o].name,
				   options[o].metavar);
	}
	/* Kept as typed also for parsed values: messages quote it. */
	if (value)
		ctx->args.str[o] = value;
	if (value && options[o].parse && options[o].parse(value, &ctx->args.val[o], &why) < 0) {
		fprintf(stderr, PROG ": %s: --%s '%s': %s\n", cmd->name, options[o].name,
			value, why);
		return MCTL_EXIT_USAGE;
	}
	ctx->args.given |= OPT_BIT(o);
	return MCTL_CONTINUE;
}

/* Check a positional argument against what its kind allows. */
static int check_positional(const struct mctl_cmd *cmd, const struct mctl_arg *spec,
			    const char *value)
{
	const char *why;

	switch (spec->kind) {
	case ARG_NEW_NAME:
	case ARG_MIRROR:
		if (check_name(value, &why) < 0) {
			fprintf(stderr, PROG ": %s: invalid name '%s': %s\n", cmd->name,
				value, why);
			return MCTL_EXIT_USAGE;
		}
		break;
	case ARG_COMMAND:
		if (!find_cmd(value))
			return usage_error(cmd, "unknown command '%s'", value);
		break;
	case ARG_DEVICE:	/* resolved by the command, which can say more */
		break;
	}
	return MCTL_CONTINUE;
}

static int parse_positional(struct mctl_ctx *ctx, const char *value)
{
	const struct mctl_cmd *cmd = ctx->cmd;
	int n = ctx->args.npos;

	if (n == MCTL_MAX_ARGS || !cmd->args[n].label)
		return usage_error(cmd, "unexpected argument '%s'", value);
	ctx->args.pos[ctx->args.npos++] = value;
	return check_positional(cmd, &cmd->args[n], value);
}

/* A rate so low it is likely a unit left out: say what it means (see rate_warning). */
static void warn_rates(const struct mctl_ctx *ctx)
{
	char why[256];
	int o;

	for (o = 0; o < OPT_COUNT; o++)
		if (opt_given(&ctx->args, o) && options[o].parse == parse_rate &&
		    rate_warning(ctx->args.str[o], ctx->args.val[o], why, sizeof(why)))
			fprintf(stderr, PROG ": %s%s%s: warning: --%s %s\n", ctx->cmd->name,
				ctx->args.pos[0] ? " " : "",
				ctx->args.pos[0] ? ctx->args.pos[0] : "", options[o].name, why);
}

/*
 * Parse the words after the command name into ctx->args.  Returns
 * MCTL_CONTINUE, or an exit code once help or an error has been printed.
 */
int parse_cmd_args(struct mctl_ctx *ctx, int argc, char **argv)
{
	const struct mctl_cmd *cmd = ctx->cmd;
	bool options_done = false;
	int i, ret = MCTL_CONTINUE;

	for (i = 0; i < argc && ret == MCTL_CONTINUE; i++) {
		const char *a = argv[i];

		if (options_done || a[0] != '-' || a[1] == '\0') {
			ret = parse_positional(ctx, a);
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			print_cmd_help(stdout, cmd);
			return MCTL_EXIT_OK;
		} else if (a[1] == '-') {
			ret = parse_option(ctx, argv, &i);
		} else {
			ret = usage_error(cmd, "unknown option '%s'", a);
		}
	}
	if (ret != MCTL_CONTINUE)
		return ret;
	if (ctx->args.npos < MCTL_MAX_ARGS && cmd->args[ctx->args.npos].label &&
	    !cmd->args[ctx->args.npos].optional)
		return usage_error(cmd, "missing %s", cmd->args[ctx->args.npos].label);
	ctx->json = opt_given(&ctx->args, OPT_JSON);
	warn_rates(ctx);
	return MCTL_CONTINUE;
}

/*
 * Global options, then the command.  -j/--json before the command is the
 * command's --json (as `ip -j`), for the commands that take it.  Returns
 * MCTL_CONTINUE or an exit code.
 */
int parse_cmdline(struct mctl_ctx *ctx, int argc, char **argv)
{
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) {
			ctx->global_json = true;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			print_usage(stdout);
			return MCTL_EXIT_OK;
		}
		if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0) {
			printf(PROG " version %s\n", mctl_version);
			return MCTL_EXIT_OK;
		}
		return usage_error(NULL, "unknown option '%s'", argv[i]);
	}
	if (i == argc)
		return usage_error(NULL, "no command given");
	ctx->cmd = find_cmd(argv[i]);
	if (!ctx->cmd)
		return usage_error(NULL, "unknown command '%s'", argv[i]);
	ctx->nl.what = ctx->cmd->name;
	ret = parse_cmd_args(ctx, argc - i - 1, argv + i + 1);
	if (ret != MCTL_CONTINUE || !ctx->global_json)
		return ret;
	if (!(ctx->cmd->opts & OPT_BIT(OPT_JSON)))
		return usage_error(ctx->cmd, "no JSON output: '%s' takes no --json",
				   ctx->cmd->name);
	ctx->args.given |= OPT_BIT(OPT_JSON);
	ctx->json = true;
	return MCTL_CONTINUE;
}

/*
 * Parse, connect if the command talks to the kernel, run it.  Output that
 * could not be written (a full disk, /dev/full) fails the command.
 */
int mctl_main(int argc, char **argv)
{
	struct mctl_ctx ctx = { 0 };
	int ret;

	ret = parse_cmdline(&ctx, argc, argv);
	if (ret != MCTL_CONTINUE)
		goto check;
	ctx.nl.object = ctx.args.pos[0];
	if (ctx.cmd->flags & CMD_NETLINK) {
		ret = bm_open(&ctx.nl);
		if (ret)
			goto out;
	}
	ret = ctx.cmd->handler(&ctx);
out:
	if (ctx.nl.sk)
		bm_close(&ctx.nl);
check:
	if (check_stdout() && ret == MCTL_EXIT_OK)
		ret = MCTL_EXIT_FAIL;
	return ret;
}
