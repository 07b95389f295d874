/* nvmfsim conform: the black-box conformance suite against any NVMe-oF/RDMA
 * target, or, without an address, against the embedded simulator (whose
 * clock the suite then controls).  Exit status 0 only when no case that
 * ran and was not waived FAILed or ERRORed; 2 for a usage error (a
 * selection matching no case included). */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/profile.h"
#include "cli/misbehave.h"
#include "conformance/runner.h"

#define MAX_SELECT 64

struct conform_opts {
	struct cli_conn_opts conn;
	const char *select[MAX_SELECT];
	size_t nr_select;
	enum conf_level level;
	const char *junit, *tap, *json_file, *markdown, *profile, *discovery_nqn, *refusing_nqn;
	const char *target_version;
	char profile_name[128];
	unsigned int timeout_s, wait_restart_s;
	nvsim_quirks_t quirks;
	bool list, catalogue, verbose, strict;
	bool given_nqn, given_trsvcid, given_provider; /* refused without -a */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvmfsim conform [options] [ID-GLOB|GROUP ...]\n\n"
		"Runs the conformance suite against a target (-a) or, by default, against the\n"
		"embedded simulator.  Each case cites its spec section.  An answer the spec\n"
		"requires or explicitly permits passes; anything else FAILs, and when a real\n"
		"implementation is known to answer so, the report names it beside the FAIL.\n"
		"A deterministic error without DNR fails an optional-level DNR check (hosts\n"
		"retry it).  Exit status: 0 when no case that ran and was not waived FAILed\n"
		"or ERRORed, 1 otherwise, 2 for a usage error.\n\n"
		"Select cases by ID glob (\"connect.*\", \"sgl.2.?\") or group name; those\n"
		"respect --level, an exact case ID runs whatever its level.  A selection\n"
		"that matches no case is an error.\n\n"
		"  -l, --list                list the selected cases and exit\n"
		"      --catalogue           print the case table as Markdown and exit\n"
		"      --level LEVEL         mandatory, optional (default) or informative\n"
		"      --timeout SEC         end a case's waits after SEC seconds (default 30);\n"
		"                            a command left without a completion for 5 s while\n"
		"                            its queue is up FAILs \"every command completes\"\n"
		"      --wait-for-restart SEC after a case that timed out or lost its transport,\n"
		"                            give the target SEC seconds (default 3) to accept an\n"
		"                            admin Connect again; if it does not, the run ends:\n"
		"                            \"target stopped answering during case X\", exit 1\n"
		"      --junit FILE          JUnit XML report (one testsuite per group)\n"
		"      --tap FILE            TAP 13 report\n"
		"      --json FILE           JSON report\n"
		"      --markdown FILE       Markdown interop report (table, waivers, every failure)\n"
		"      --target-profile FILE JSON: {\"name\": ..., \"lacks\": [\"referrals\", ...],\n"
		"                            \"refusing_nqn\": ..., \"skip\": [{\"id\", \"why\",\n"
		"                            \"harm\": \"crash\"|\"hang\"}], \"waive\": [{\"id\",\n"
		"                            \"reason\", \"version\"}]}: lacking features and\n"
		"                            skips do not run; a waived case runs and its FAIL\n"
		"                            is reported as waived, counted apart\n"
		"                            \"implementation\": how the cases' known-deviation\n"
		"                            notes name it (\"Linux nvmet 6.1\"): a note the run\n"
		"                            does not bear out is reported as stale\n"
		"      --strict              ignore every waiver of the profile\n"
		"      --target-version TEXT the target's version (firmware, kernel), printed in\n"
		"                            every report\n"
		"      --discovery-nqn NQN   discovery NQN (default %s)\n"
		"      --refusing-nqn NQN    a subsystem that does not allow our host\n"
		"  -v, --verbose             a line per case as it ends\n"
		"      --misbehave SWITCHES  embedded simulator only: break rules on purpose\n"
		"                            (comma-separated; `--misbehave list` names them)\n"
		"\n"
		"Without -a the embedded simulator is the target: -q, -I, --keep-alive-tmo,\n"
		"--seed and --inject apply to it; -n, -s and --provider need -a.\n\n",
		NVME_DISC_SUBSYS_NAME);
	cli_conn_help(out);
}

static int parse_level(const char *s, enum conf_level *l)
{
	if (!strcmp(s, "mandatory"))
		*l = CONF_MANDATORY;
	else if (!strcmp(s, "optional"))
		*l = CONF_OPTIONAL;
	else if (!strcmp(s, "informative"))
		*l = CONF_INFORMATIVE;
	else
		return -1;
	return 0;
}

static int parse(int argc, char **argv, struct conform_opts *o)
{
	static const struct option longopts[] = {
		CLI_CONN_LONGOPTS,
		{ "list", no_argument, NULL, 'l' },
		{ "catalogue", no_argument, NULL, 2001 },
		{ "level", required_argument, NULL, 2002 },
		{ "timeout", required_argument, NULL, 2003 },
		{ "junit", required_argument, NULL, 2004 },
		{ "tap", required_argument, NULL, 2005 },
		{ "json", required_argument, NULL, 2006 },
		{ "target-profile", required_argument, NULL, 2007 },
		{ "discovery-nqn", required_argument, NULL, 2008 },
		{ "refusing-nqn", required_argument, NULL, 2009 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "misbehave", required_argument, NULL, 2010 },
		{ "markdown", required_argument, NULL, 2011 },
		{ "strict", no_argument, NULL, 2012 },
		{ "wait-for-restart", required_argument, NULL, 2013 },
		{ "target-version", required_argument, NULL, 2014 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *prog = "nvmfsim conform";
	uint64_t v;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "lvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1; /* done: exit 0 once stdout is flushed */
		case 'l': o->list = true; break;
		case 'v': o->verbose = true; break;
		case 2001: o->catalogue = true; break;
		case 2002:
			if (parse_level(optarg, &o->level))
				return fprintf(stderr, "%s: --level '%s': mandatory, optional or "
						       "informative\n", prog, optarg), -1;
			break;
		case 2003:
			if (cli_parse_u64(optarg, 3600, &v) || !v)
				return fprintf(stderr, "%s: --timeout '%s': 1 to 3600 seconds\n", prog,
					       optarg), -1;
			o->timeout_s = (unsigned int)v;
			break;
		case 2004: o->junit = optarg; break;
		case 2005: o->tap = optarg; break;
		case 2006: o->json_file = optarg; break;
		case 2007: o->profile = optarg; break;
		case 2008: o->discovery_nqn = optarg; break;
		case 2009: o->refusing_nqn = optarg; break;
		case 2011: o->markdown = optarg; break;
		case 2012: o->strict = true; break;
		case 2014: o->target_version = optarg; break;
		case 2013:
			if (cli_parse_u64(optarg, 3600, &v) || !v)
				return fprintf(stderr, "%s: --wait-for-restart '%s': 1 to 3600 seconds\n",
					       prog, optarg), -1;
			o->wait_restart_s = (unsigned int)v;
			break;
		case 2010: {
			char err[128];

			if (!strcmp(optarg, "list")) {
				for (size_t i = 0; i < cli_nr_quirks; i++)
					printf("%-26s %s\n", cli_quirks[i].name, cli_quirks[i].what);
				return 1;
			}
			if (cli_parse_quirks(optarg, &o->quirks, err, sizeof(err)))
				return fprintf(stderr, "%s: --misbehave: %s\n", prog, err), -1;
			break;
		}
		default:
			o->given_nqn |= opt == 'n';
			o->given_trsvcid |= opt == 's';
			o->given_provider |= opt == 1001;
			ret = cli_conn_opt(&o->conn, prog, opt, optarg);
			if (ret <= 0) {
				if (!ret)
					usage(stderr);
				return -1;
			}
		}
	}
	for (; optind < argc; optind++) {
		if (o->nr_select == MAX_SELECT)
			return fprintf(stderr, "%s: at most %d selections\n", prog, MAX_SELECT), -1;
		o->select[o->nr_select++] = argv[optind];
	}
	if (o->conn.traddr && o->quirks)
		return fprintf(stderr, "%s: --misbehave acts on the embedded simulator; drop -a\n",
			       prog), -1;
	if (o->conn.traddr && o->conn.nr_inject)
		return fprintf(stderr, "%s: --inject acts on the embedded simulator; drop -a\n",
			       prog), -1;
	if (!o->conn.traddr && (o->given_nqn || o->given_trsvcid || o->given_provider))
		return fprintf(stderr, "%s: %s names the target at -a; without -a the embedded "
				       "simulator is tested (its subsystem is %s)\n", prog,
			       o->given_nqn ? "-n/--nqn" : o->given_trsvcid ? "-s/--trsvcid"
									  : "--provider",
			       NVSIM_EMBEDDED_CONF_NQN), -1;
	if (o->conn.traddr && !o->conn.nqn)
		return fprintf(stderr, "%s: -n/--nqn (the subsystem under test) is required with "
				       "-a/--traddr\n", prog), -1;
	return 0;
}

static int write_report(const char *path, int (*fn)(const struct conf_run *, FILE *),
			const struct conf_run *r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int ret;

	if (!f) {
		fprintf(stderr, "nvmfsim conform: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ret = fn(r, f);
	if (f != stdout && fclose(f))
		ret = -1;
	return ret;
}

static void list_cases(const struct conf_run_opts *ro)
{
	size_t ng;
	const struct conf_group *const *g = conf_groups(&ng);

	for (size_t i = 0; i < ng; i++)
		for (size_t k = 0; k < g[i]->nr_cases; k++)
			if (conf_selected(ro, g[i], &g[i]->cases[k]))
				printf("%-14s %-11s %s  [%s]\n", g[i]->cases[k].id,
				       conf_level_name(g[i]->cases[k].level), g[i]->cases[k].title,
				       g[i]->cases[k].spec);
}

/* The embedded simulator as the target, with the host identity, keep-alive
 * and fault rules the options asked for. */
static int setup_embedded(struct conform_opts *o, struct conf_target *t, struct nvsim_embedded **e,
			  struct cli_sim_clock *clock)
{
	int ret = cli_conf_embedded(o->conn.seed, o->quirks, clock, t, e);

	if (ret) {
		fprintf(stderr, "nvmfsim conform: embedded simulator: %s\n", strerror(-ret));
		return -1;
	}
	if (!strcmp(o->conn.hostnqn, NVSIM_EMBEDDED_PRIVATE_HOST)) {
		fprintf(stderr, "nvmfsim conform: -q %s is the one host the simulator's private "
				"subsystem allows; the host-filter cases need another\n",
			o->conn.hostnqn);
		return -1;
	}
	t->hostnqn = o->conn.hostnqn;
	cli_parse_hostid(o->conn.hostid, t->hostid);
	t->kato_ms = o->conn.kato_ms;
	for (unsigned int i = 0; i < o->conn.nr_inject; i++)
		if (nvsim_target_inject_add((*e)->target, &o->conn.inject[i])) {
			fprintf(stderr, "nvmfsim conform: too many --inject rules\n");
			return -1;
		}
	return 0;
}

static int setup_target(struct conform_opts *o, struct conf_target *t, struct nvsim_embedded **e,
			struct cli_sim_clock *clock, char *addr, size_t addr_len)
{
	if (!o->conn.traddr)
		return setup_embedded(o, t, e, clock);
	memset(t, 0, sizeof(*t));
	t->hostnqn = o->conn.hostnqn;
	cli_parse_hostid(o->conn.hostid, t->hostid);
	t->kato_ms = o->conn.kato_ms;
	t->timeout_ms = 5000;
	t->discovery_nqn = o->discovery_nqn ? o->discovery_nqn : NVME_DISC_SUBSYS_NAME;
	t->refusing_subnqn = o->refusing_nqn;
	t->features = CONF_F_DISCOVERY | CONF_F_KEYED_SGL | CONF_F_IN_CAPSULE | CONF_F_IO |
		      CONF_F_REFERRALS;
	if (t->refusing_subnqn)
		t->features |= CONF_F_HOST_FILTER;
	snprintf(addr, addr_len, "%s%s%s:%s", strchr(o->conn.traddr, ':') ? "[" : "",
		 o->conn.traddr, strchr(o->conn.traddr, ':') ? "]" : "", o->conn.trsvcid);
	t->provider = o->conn.provider ? o->conn.provider : "ibv";
	t->addr = addr;
	t->subnqn = o->conn.nqn;
	return 0;
}

/* One CM connection before the suite: a machine without RDMA, or a target
 * that does not answer, is said once instead of in every case. */
static int probe_target(const struct conf_target *t)
{
	struct nvsim_hq_config qc;
	struct nvsim_host_status st;
	struct nvsim_hq *q = NULL;
	char msg[256];

	nvsim_hq_config_init(&qc);
	qc.provider = t->provider;
	qc.fabric = t->fabric;
	qc.addr = t->addr;
	qc.timeout_ms = t->timeout_ms;
	qc.progress = t->progress;
	qc.progress_arg = t->progress_arg;
	if (!nvsim_hq_connect(&qc, &q, &st)) {
		nvsim_hq_close(q);
		return 0;
	}
	if (st.err == -ENODEV)
		fprintf(stderr, "nvmfsim conform: no RDMA device (provider %s): load rdma_rxe or "
				"siw on a netdev, or use an RNIC; no case was run\n", t->provider);
	else
		fprintf(stderr, "nvmfsim conform: the target at %s does not accept an RDMA CM "
				"connection: %s; no case was run\n",
			t->addr, nvsim_host_status_str(&st, true, msg, sizeof(msg)));
	return -1;
}

static int check_selection(const struct conf_run_opts *ro)
{
	bool other_level = false;
	const char *bad = conf_unmatched_selection(ro, &other_level);

	if (!bad)
		return 0;
	if (other_level)
		fprintf(stderr, "nvmfsim conform: '%s' selects no case at level %s; add --level "
				"informative, or name the case ID itself\n", bad,
			conf_level_name(ro->max_level));
	else
		fprintf(stderr, "nvmfsim conform: '%s' matches no case or group (`nvmfsim conform "
				"--list --level informative` lists them)\n", bad);
	return -1;
}

static int write_reports(const struct conform_opts *o, const struct conf_target *t,
			 const char *addr, const struct conf_run *run)
{
	int rc = 0;

	if ((o->junit && write_report(o->junit, conf_report_junit, run)) ||
	    (o->tap && write_report(o->tap, conf_report_tap, run)) ||
	    (o->json_file && write_report(o->json_file, conf_report_json, run)))
		rc = -1;
	if (o->markdown) {
		FILE *f = fopen(o->markdown, "w");
		char what[800];

		snprintf(what, sizeof(what), "%s (%s at %s)",
			 o->profile_name[0] ? o->profile_name : "the target", t->subnqn,
			 o->conn.traddr ? addr : "the embedded simulator");
		if (!f || conf_report_markdown(run, what, f) || fclose(f)) {
			fprintf(stderr, "nvmfsim conform: %s: cannot write\n", o->markdown);
			rc = -1;
		}
	}
	return rc;
}

static int run_catalogue(void)
{
	struct cli_sim_clock cclock = { 1000000000ull };
	struct conf_run_opts all = { .max_level = CONF_INFORMATIVE, .seed = 1 };
	struct nvsim_embedded *e = NULL;
	struct conf_target t;
	struct conf_run run;

	/* Record what each case accepts from a run on the simulator. */
	if (cli_conf_embedded(1, 0, &cclock, &t, &e) || conf_run(&t, &all, &run)) {
		fprintf(stderr, "nvmfsim conform: --catalogue: cannot run the suite\n");
		nvsim_embedded_stop(e);
		return CLI_EXIT_FAIL;
	}
	conf_report_catalogue(&run, stdout);
	cli_quirks_markdown(stdout);
	conf_run_free(&run);
	nvsim_embedded_stop(e);
	return CLI_EXIT_OK;
}

int cmd_conform(int argc, char **argv)
{
	struct conform_opts o = { .level = CONF_OPTIONAL };
	struct conf_run_opts ro = { 0 };
	struct cli_sim_clock clock = { 1000000000ull };
	struct nvsim_embedded *e = NULL;
	struct conf_target t;
	struct conf_run run;
	char addr[320], headline[512];
	int rc = CLI_EXIT_FAIL, ret;

	cli_conn_opts_init(&o.conn);
	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	ro.select = o.select;
	ro.nr_select = o.nr_select;
	ro.max_level = o.level;
	ro.seed = o.conn.seed;
	ro.case_timeout_s = o.timeout_s;
	ro.strict = o.strict;
	ro.wait_for_restart_s = o.wait_restart_s;
	ro.progress = o.verbose ? stderr : NULL;
	if (o.catalogue)
		return run_catalogue();
	if (check_selection(&ro))
		return CLI_EXIT_USAGE;
	if (o.list) {
		list_cases(&ro);
		return CLI_EXIT_OK;
	}
	if (setup_target(&o, &t, &e, &clock, addr, sizeof(addr)))
		goto out;
	if (o.profile && cli_profile_load(o.profile, &t, o.profile_name, sizeof(o.profile_name))) {
		rc = CLI_EXIT_USAGE; /* a bad input file */
		goto out;
	}
	if (!t.refusing_subnqn)
		t.features &= ~CONF_F_HOST_FILTER;
	t.version = o.target_version;
	fprintf(stderr, "nvmfsim conform: %s at %s%s%s%s, seed %llu, level %s%s\n", t.subnqn,
		o.conn.traddr ? addr : "the embedded simulator", t.version ? " (" : "",
		t.version ? t.version : "", t.version ? ")" : "", (unsigned long long)ro.seed,
		conf_level_name(ro.max_level), ro.strict ? ", strict (waivers ignored)" : "");
	if (probe_target(&t))
		goto out;
	if (conf_run(&t, &ro, &run)) {
		fprintf(stderr, "nvmfsim conform: out of memory\n");
		goto out;
	}
	if (o.conn.json)
		conf_report_json(&run, stdout);
	else
		conf_report_console(&run, stdout);
	if (conf_run_headline(&run, headline, sizeof(headline))[0])
		fprintf(stderr, "nvmfsim conform: %s\n", headline);
	rc = conf_run_failed(&run) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	if (write_reports(&o, &t, addr, &run))
		rc = CLI_EXIT_FAIL;
	conf_run_free(&run);
out:
	nvsim_embedded_stop(e);
	return rc;
}
