/* nvmfsim fuzz: the command around the wire fuzzer (fuzz/wire): options,
 * the embedded simulator when there is no address, judging a replay file
 * before it is resent, and the output (text or one JSON object a line). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/replay_in.h"
#include "wire/wire.h"

#define PROGRESS_MS 2000u
#define DEFAULT_SECS 60u

static const char *prog = "nvmfsim fuzz";

struct fuzz {
	struct cli_conn_opts conn;
	const char *inject_spec[WIRE_REPLAY_MAX_INJECT];
	unsigned int nr_inject_spec;
	const char *subnqn;
	char addr[320];
	struct nvsim_embedded *embedded;
	uint32_t timeout_ms;
	const char *replay_out;
	uint64_t seed;
	struct wire *w;

	/* a replay file, as read, and what is resent */
	struct cli_replay replay_in;
	struct wire_replay replay;

	uint64_t t0, last_progress;
	bool stdout_failed; /* a write to stdout failed: stop, and exit 1 */
};

/* ---- output ---------------------------------------------------------------------------- */

/* Prints one JSON object as a line and puts it. */
static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void jadd_u64(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_uint64(v));
}

static void jadd_str(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

static void opname(char *buf, size_t len, unsigned int qi, unsigned int opc)
{
	const char *name = wire_shape_name(qi, (uint8_t)opc);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s%02x", qi ? "io" : "admin", opc);
}

static void progress_json(const struct wire_stats *st, uint64_t rate)
{
	struct json_object *o = json_object_new_object(), *sts = json_object_new_object();
	struct json_object *ok = json_object_new_object();
	char key[32];

	jadd_str(o, "event", "progress");
	jadd_u64(o, "capsules", st->sent);
	jadd_u64(o, "per_second", rate);
	jadd_u64(o, "completions", st->completions);
	jadd_u64(o, "batches", st->batches);
	jadd_u64(o, "liveness_ok", st->live_ok);
	jadd_u64(o, "queues_dropped", st->reconnects);
	for (unsigned int sc = 0; sc < 0x800; sc++)
		if (st->status[sc]) {
			snprintf(key, sizeof(key), "%x/%02x", sc >> 8, sc & 0xff);
			jadd_u64(sts, key, st->status[sc]);
		}
	json_object_object_add(o, "statuses", sts);
	for (unsigned int qi = 0; qi < 2; qi++)
		for (unsigned int opc = 0; opc < 256; opc++)
			if (st->ok[qi][opc]) {
				struct json_object *prev;

				opname(key, sizeof(key), qi, opc);
				/* Fabrics commands of both queues share one name. */
				if (json_object_object_get_ex(ok, key, &prev))
					json_object_set_uint64(prev, json_object_get_uint64(prev) +
									 st->ok[qi][opc]);
				else
					jadd_u64(ok, key, st->ok[qi][opc]);
			}
	json_object_object_add(o, "ok", ok);
	print_json(o);
}

static void progress_text(const struct wire_stats *st, uint64_t rate)
{
	int top[6];
	char line[1024], name[32];
	int n;

	/* the six most frequent statuses */
	for (unsigned int k = 0; k < 6; k++) {
		top[k] = -1;
		for (int sc = 0; sc < 0x800; sc++) {
			bool taken = false;

			for (unsigned int j = 0; j < k; j++)
				taken |= top[j] == sc;
			if (!taken && st->status[sc] &&
			    (top[k] < 0 || st->status[sc] > st->status[top[k]]))
				top[k] = sc;
		}
	}
	n = snprintf(line, sizeof(line),
		     "fuzz: %" PRIu64 " capsules (%" PRIu64 "/s), %" PRIu64 " completions, %" PRIu64
		     " batches, liveness ok %" PRIu64 "/%" PRIu64 "; statuses",
		     st->sent, rate, st->completions, st->batches, st->live_ok, st->batches);
	for (unsigned int k = 0; k < 6 && n < (int)sizeof(line); k++)
		if (top[k] >= 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %x/%02x:%" PRIu64,
				      top[k] >> 8, top[k] & 0xff, st->status[top[k]]);
	if (n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, "; ok");
	for (unsigned int qi = 0; qi < 2 && n < (int)sizeof(line); qi++)
		for (unsigned int opc = 0; opc < 256 && n < (int)sizeof(line); opc++)
			if (st->ok[qi][opc]) {
				opname(name, sizeof(name), qi, opc);
				n += snprintf(line + n, sizeof(line) - (size_t)n, " %s:%" PRIu64,
					      name, st->ok[qi][opc]);
			}
	printf("%s\n", line);
}

static void progress(struct fuzz *f, const struct wire_stats *st, bool final)
{
	uint64_t now = nvsim_now_ms(), ms = now - f->t0;
	uint64_t rate = ms ? st->sent * 1000 / ms : st->sent;

	if (!final && now - f->last_progress < PROGRESS_MS)
		return;
	f->last_progress = now;
	if (f->conn.json)
		progress_json(st, rate);
	else
		progress_text(st, rate);
	if (fflush(stdout) || ferror(stdout))
		f->stdout_failed = true;
}

static bool on_progress(void *arg, const struct wire_stats *st)
{
	struct fuzz *f = arg;

	progress(f, st, false);
	return !f->stdout_failed;
}

/* ---- replay files ---------------------------------------------------------------------- */

/* Takes a replay file's target and seed where the command line gave none;
 * its --inject rules apply only to the embedded simulator. */
static int use_replay(struct fuzz *f, const char *path)
{
	const struct cli_replay *r = &f->replay_in;
	const size_t max = sizeof(f->conn.inject) / sizeof(f->conn.inject[0]);
	char err[600];

	if (cli_replay_load(path, &f->replay_in, err, sizeof(err))) {
		fprintf(stderr, "%s: replay file %s\n", prog, err);
		return -EINVAL;
	}
	if (!f->conn.traddr && r->traddr) {
		f->conn.traddr = r->traddr;
		if (r->trsvcid)
			f->conn.trsvcid = r->trsvcid;
	}
	if (!f->conn.nqn && r->nqn)
		f->subnqn = r->nqn;
	if (r->has_seed)
		f->seed = r->replay.seed;
	f->replay = r->replay;
	f->replay.seed = f->seed;
	if (f->conn.traddr)
		return 0;
	if (f->conn.nr_inject + r->nr_inject > max) {
		fprintf(stderr, "%s: replay file %s: target.inject: with --inject, more than %zu "
				"rules\n", prog, path, max);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < r->nr_inject; i++)
		f->conn.inject[f->conn.nr_inject++] = r->inject[i];
	return 0;
}

/* ---- the runs -------------------------------------------------------------------------- */

static int setup_failed(struct fuzz *f)
{
	const struct nvsim_host_status *st = wire_setup_status(f->w);
	char msg[200];

	if (st->err == -ENODEV)
		fprintf(stderr, "%s: no RDMA device (provider %s): load rdma_rxe or siw on a "
				"netdev, or use an RNIC; nothing was sent\n",
			prog, f->conn.provider ? f->conn.provider : "ibv");
	else
		fprintf(stderr, "%s: cannot connect to %s at %s: %s; nothing was sent\n", prog,
			f->subnqn, f->conn.traddr ? f->addr : "the embedded simulator",
			nvsim_host_status_str(st, true, msg, sizeof(msg)));
	return CLI_EXIT_FAIL;
}

static int run_replay(struct fuzz *f)
{
	bool dropped;
	enum wire_result r = wire_replay(f->w, &f->replay, &dropped);

	if (r == WIRE_SETUP_FAILED)
		return setup_failed(f);
	if (f->conn.json) {
		struct json_object *o = json_object_new_object();

		jadd_str(o, "event", "replay");
		jadd_u64(o, "capsules", f->replay.nr);
		jadd_u64(o, "seed", f->seed);
		jadd_str(o, "result", r == WIRE_FOUND ? "reproduced" : "survived");
		if (r == WIRE_FOUND)
			jadd_str(o, "finding", wire_finding(f->w));
		json_object_object_add(o, "queue_dropped", json_object_new_boolean(dropped));
		print_json(o);
	} else if (r == WIRE_FOUND) {
		printf("replay: %zu capsules, seed %" PRIu64 ": reproduced: %s\n", f->replay.nr,
		       f->seed, wire_finding(f->w));
	} else {
		printf("replay: %zu capsules%s, target survived (liveness ok)\n", f->replay.nr,
		       dropped ? " (the target dropped the queue)" : "");
	}
	if (r == WIRE_FOUND) {
		fprintf(stderr, "%s: replay reproduced: %s\n", prog, wire_finding(f->w));
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

static int run_fuzz(struct fuzz *f, uint64_t count, uint64_t secs)
{
	const struct wire_target_desc t = {
		.traddr = f->conn.traddr,
		.trsvcid = f->conn.trsvcid,
		.nqn = f->subnqn,
		.inject = f->inject_spec,
		.nr_inject = f->nr_inject_spec,
	};
	enum wire_result r = wire_run(f->w, count, count ? 0 : f->t0 + secs * 1000, on_progress, f);
	const struct wire_stats *st = wire_stats(f->w);
	char err[200];
	int saved;

	if (r == WIRE_SETUP_FAILED)
		return setup_failed(f);
	progress(f, st, true);
	if (r == WIRE_STOPPED)
		return CLI_EXIT_FAIL; /* stdout failed: main reports it */
	if (r == WIRE_PASSED) {
		if (f->conn.json) {
			struct json_object *o = json_object_new_object();

			jadd_str(o, "event", "done");
			jadd_u64(o, "capsules", st->sent);
			jadd_u64(o, "batches", st->batches);
			jadd_u64(o, "queues_dropped", st->reconnects);
			json_object_object_add(o, "liveness_held", json_object_new_boolean(true));
			print_json(o);
		} else {
			printf("fuzz: done: %" PRIu64 " capsules in %" PRIu64 " batches, %" PRIu64
			       " queues dropped by the target, liveness held\n",
			       st->sent, st->batches, st->reconnects);
		}
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "%s: FOUND at step %" PRIu64 ": %s\n", prog, wire_finding_step(f->w),
		wire_finding(f->w));
	saved = wire_save_replay(f->w, &t, f->replay_out, err, sizeof(err));
	if (saved)
		fprintf(stderr, "%s: cannot write the replay file %s: %s\n", prog, f->replay_out,
			err);
	else
		fprintf(stderr, "%s: replay file: %s (nvmfsim fuzz --replay %s)\n", prog,
			f->replay_out, f->replay_out);
	if (f->conn.json) {
		struct json_object *o = json_object_new_object();

		jadd_str(o, "event", "found");
		jadd_u64(o, "step", wire_finding_step(f->w));
		jadd_str(o, "finding", wire_finding(f->w));
		jadd_u64(o, "capsules_in_batch", wire_batch_len(f->w));
		jadd_str(o, "replay_file", saved ? NULL : f->replay_out);
		print_json(o);
	}
	return CLI_EXIT_FAIL;
}

/* ---- options ----------------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvmfsim fuzz [-t rdma -a ADDR -s PORT -n NQN] [--seed S]\n"
		"                    [--time SEC | --count N] [--replay-out FILE]\n"
		"       nvmfsim fuzz --replay FILE [-a ADDR ...]\n\n"
		"Wire fuzzing: field-aware mutations of well-formed command capsules, plus\n"
		"raw random bytes, in batches of %u on a fresh association (admin and one\n"
		"I/O queue); after each batch a fresh admin connect, Identify and Keep Alive\n"
		"must succeed.  A hang or a failed liveness check saves a replay file.\n"
		"Without -a it fuzzes the embedded simulator (--inject applies there).\n"
		"With -o json, progress and the result are one JSON object a line.\n\n"
		"      --time SEC            run this long, at least 1 (default %u)\n"
		"      --count N             send this many capsules instead, at least 1\n"
		"      --timeout MS          a command or liveness check slower than this is a\n"
		"                            hang (default 2000)\n"
		"      --replay-out FILE     where a finding goes\n"
		"                            (default nvmfsim-fuzz-replay.json)\n"
		"      --replay FILE         resend a replay file's capsules, check liveness;\n"
		"                            exit 1 when the failure reproduces\n\n",
		WIRE_BATCH, DEFAULT_SECS);
	cli_conn_help(out);
}

/* A whole number from 1 to max for --name; prints why not. */
static int positive(const char *name, const char *arg, uint64_t max, uint64_t *out)
{
	if (cli_parse_u64(arg, max, out) || !*out) {
		fprintf(stderr, "%s: --%s '%s': want a whole number, 1 to %" PRIu64 "\n", prog,
			name, arg, max);
		return -1;
	}
	return 0;
}

int cmd_fuzz(int argc, char **argv)
{
	enum { O_TIME = 2001, O_COUNT, O_REPLAY, O_REPLAY_OUT, O_TIMEOUT };
	static const struct option longopts[] = {
		CLI_CONN_LONGOPTS,
		{ "time", required_argument, NULL, O_TIME },
		{ "count", required_argument, NULL, O_COUNT },
		{ "replay", required_argument, NULL, O_REPLAY },
		{ "replay-out", required_argument, NULL, O_REPLAY_OUT },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct fuzz f;
	struct wire_config wc;
	const char *replay = NULL;
	uint64_t count = 0, secs = 0, v;
	bool replay_out_given = false;
	int opt, ret;

	memset(&f, 0, sizeof(f));
	cli_conn_opts_init(&f.conn);
	f.timeout_ms = 2000;
	f.replay_out = "nvmfsim-fuzz-replay.json";
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "h", longopts, NULL)) != -1) {
		int r;

		if (opt == 1004 && f.nr_inject_spec < WIRE_REPLAY_MAX_INJECT)
			f.inject_spec[f.nr_inject_spec++] = optarg;
		r = cli_conn_opt(&f.conn, prog, opt, optarg);
		if (r < 0)
			return CLI_EXIT_USAGE;
		if (r > 0)
			continue;
		switch (opt) {
		case 'h':
			usage(stdout);
			return CLI_EXIT_OK;
		/* 0 would mean "no limit" to the run loop: refused, not the default. */
		case O_TIME:
			if (positive("time", optarg, UINT64_MAX / 1000, &secs))
				return CLI_EXIT_USAGE;
			break;
		case O_COUNT:
			if (positive("count", optarg, UINT64_MAX, &count))
				return CLI_EXIT_USAGE;
			break;
		case O_TIMEOUT:
			if (positive("timeout", optarg, 600000, &v))
				return CLI_EXIT_USAGE;
			f.timeout_ms = (uint32_t)v;
			break;
		case O_REPLAY:
			replay = optarg;
			break;
		case O_REPLAY_OUT:
			f.replay_out = optarg;
			replay_out_given = true;
			break;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (secs && count) {
		fprintf(stderr, "%s: --time and --count exclude each other\n", prog);
		return CLI_EXIT_USAGE;
	}
	if (replay && (secs || count || replay_out_given)) {
		fprintf(stderr, "%s: --replay resends a file: --%s does not apply to it\n", prog,
			secs ? "time" : count ? "count" : "replay-out");
		return CLI_EXIT_USAGE;
	}
	if (cli_conn_check(&f.conn, prog))
		return CLI_EXIT_USAGE;
	if (!secs && !count)
		secs = DEFAULT_SECS;
	f.seed = f.conn.seed;
	f.subnqn = f.conn.nqn;
	if (replay && use_replay(&f, replay)) {
		cli_replay_free(&f.replay_in);
		return CLI_EXIT_USAGE;
	}
	if (!f.subnqn)
		f.subnqn = NVSIM_EMBEDDED_CONF_NQN;

	wc.seed = f.seed;
	wc.timeout_ms = f.timeout_ms;
	nvsim_host_config_init(&wc.host);
	if (cli_parse_hostid(f.conn.hostid, wc.host.hostid)) {
		fprintf(stderr, "%s: --hostid '%s' is not a UUID\n", prog, f.conn.hostid);
		cli_replay_free(&f.replay_in);
		return CLI_EXIT_USAGE;
	}
	wc.host.subnqn = f.subnqn;
	wc.host.hostnqn = f.conn.hostnqn;
	wc.host.kato_ms = f.conn.kato_ms;
	if (f.conn.traddr) {
		snprintf(f.addr, sizeof(f.addr), "%s%s%s:%s", strchr(f.conn.traddr, ':') ? "[" : "",
			 f.conn.traddr, strchr(f.conn.traddr, ':') ? "]" : "", f.conn.trsvcid);
		wc.host.transport.provider = f.conn.provider ? f.conn.provider : "ibv";
		wc.host.transport.addr = f.addr;
	} else {
		struct nvsim_embedded_config ec;

		nvsim_embedded_config_init(&ec);
		ec.seed = f.conn.seed;
		ret = nvsim_embedded_start(&ec, &f.embedded);
		if (ret) {
			fprintf(stderr, "%s: embedded simulator: %s\n", prog, strerror(-ret));
			cli_replay_free(&f.replay_in);
			return CLI_EXIT_FAIL;
		}
		for (unsigned int i = 0; i < f.conn.nr_inject; i++)
			nvsim_target_inject_add(f.embedded->target, &f.conn.inject[i]);
		wc.host.transport.provider = "fake";
		wc.host.transport.fabric = f.embedded->fabric;
		wc.host.transport.addr = NVSIM_EMBEDDED_ADDR;
		wc.host.transport.progress = nvsim_embedded_poll;
		wc.host.transport.progress_arg = f.embedded;
	}
	f.w = wire_new(&wc);
	if (!f.w) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ret = CLI_EXIT_FAIL;
		goto out;
	}
	if (f.conn.json) {
		struct json_object *o = json_object_new_object();

		jadd_str(o, "event", "start");
		jadd_str(o, "target", f.conn.traddr ? f.addr : "embedded");
		jadd_str(o, "subnqn", f.subnqn);
		jadd_u64(o, "seed", f.seed);
		print_json(o);
	} else {
		printf("fuzz: %s, subsystem %s, seed %" PRIu64 "\n",
		       f.conn.traddr ? f.addr : "the embedded simulator", f.subnqn, f.seed);
	}
	if (fflush(stdout) || ferror(stdout)) {
		ret = CLI_EXIT_FAIL; /* nowhere to report to: main says so */
		goto out;
	}
	f.t0 = f.last_progress = nvsim_now_ms();
	ret = replay ? run_replay(&f) : run_fuzz(&f, count, secs);
out:
	wire_free(f.w);
	nvsim_embedded_stop(f.embedded);
	cli_replay_free(&f.replay_in);
	return ret;
}
