/* Connection options in nvme-cli's spelling, and the session every host-side
 * subcommand opens: to the address given, or to the embedded simulator. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/cli.h"
#include "spec/status.h"

/* blktests' fixed host identity: stable output, no /etc/nvme needed. */
#define DEFAULT_HOSTID "0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define DEFAULT_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:" DEFAULT_HOSTID

void cli_conn_opts_init(struct cli_conn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->transport = "rdma";
	o->trsvcid = "4420";
	o->hostnqn = DEFAULT_HOSTNQN;
	o->hostid = DEFAULT_HOSTID;
	o->seed = 1;
	o->kato_ms = 30000;
}

static void inject_rule_help(FILE *out);

void cli_conn_help(FILE *out)
{
	fprintf(out,
		"connection options (nvme-cli spelling):\n"
		"  -t, --transport rdma      transport (only rdma for now)\n"
		"  -a, --traddr ADDR         target address; omit it to use the embedded\n"
		"                            simulator over the in-process RDMA fake\n"
		"  -s, --trsvcid PORT        service id (default 4420)\n"
		"  -n, --nqn NQN             subsystem NQN\n"
		"  -q, --hostnqn NQN         host NQN (default %s)\n"
		"  -I, --hostid UUID         host identifier (default %s)\n"
		"  -o, --output-format FMT   normal (default) or json\n"
		"      --provider NAME       verbs provider: ibv (default with -a) or fake\n"
		"      --seed N              seed of the embedded simulator (default 1)\n"
		"      --keep-alive-tmo SEC  keep-alive timeout (default 30)\n"
		"      --inject RULE         embedded simulator only: fault injection, repeatable;\n",
		DEFAULT_HOSTNQN, DEFAULT_HOSTID);
	inject_rule_help(out);
}

int cli_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!text || !*text || *text == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_size(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!text || !*text || *text == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

int cli_parse_hostid(const char *text, uint8_t out[16])
{
	unsigned int n = 0;

	for (const char *p = text; *p; p++) {
		unsigned int hi, lo;

		if (*p == '-')
			continue;
		if (n == 16 || sscanf(p, "%1x%1x", &hi, &lo) != 2)
			return -EINVAL;
		out[n++] = (uint8_t)(hi << 4 | lo);
		p++;
	}
	return n == 16 ? 0 : -EINVAL;
}

int cli_conn_opt(struct cli_conn_opts *o, const char *prog, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case 't':
		if (strcmp(arg, "rdma") != 0) {
			fprintf(stderr, "%s: --transport '%s': only rdma is supported\n", prog, arg);
			return -1;
		}
		o->transport = arg;
		return 1;
	case 'a':
		o->traddr = arg;
		return 1;
	case 's':
		o->trsvcid = arg;
		return 1;
	case 'n':
		o->nqn = arg;
		return 1;
	case 'q':
		o->hostnqn = arg;
		return 1;
	case 'I': {
		uint8_t id[16];

		if (cli_parse_hostid(arg, id)) {
			fprintf(stderr, "%s: --hostid '%s' is not a UUID\n", prog, arg);
			return -1;
		}
		o->hostid = arg;
		return 1;
	}
	case 'o':
		if (strcmp(arg, "json") && strcmp(arg, "normal")) {
			fprintf(stderr, "%s: --output-format '%s': use normal or json\n", prog, arg);
			return -1;
		}
		o->json = strcmp(arg, "json") == 0;
		return 1;
	case 1001:
		if (strcmp(arg, "fake") && strcmp(arg, "ibv")) {
			fprintf(stderr, "%s: --provider '%s': use ibv or fake\n", prog, arg);
			return -1;
		}
		o->provider = arg;
		return 1;
	case 1002:
		if (cli_parse_u64(arg, UINT64_MAX, &o->seed)) {
			fprintf(stderr, "%s: --seed '%s' is not a number\n", prog, arg);
			return -1;
		}
		return 1;
	case 1003:
		if (cli_parse_u64(arg, 4294967, &v)) {
			fprintf(stderr, "%s: --keep-alive-tmo '%s': seconds, 0 to 4294967\n", prog,
				arg);
			return -1;
		}
		o->kato_ms = (uint32_t)(v * 1000);
		return 1;
	case 1004: {
		char err[160];

		if (o->nr_inject == sizeof(o->inject) / sizeof(o->inject[0])) {
			fprintf(stderr, "%s: at most 8 --inject\n", prog);
			return -1;
		}
		if (cli_parse_inject(arg, &o->inject[o->nr_inject], err, sizeof(err))) {
			fprintf(stderr, "%s: --inject '%s': %s\n", prog, arg, err);
			return -1;
		}
		o->nr_inject++;
		return 1;
	}
	default:
		return 0;
	}
}

int cli_session_open(const struct cli_conn_opts *o, const char *prog, const char *subnqn,
		     uint16_t nr_io, struct cli_session *s)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	char addr[320], msg[512];
	int ret;

	memset(s, 0, sizeof(*s));
	nvsim_host_config_init(&hc);
	if (cli_parse_hostid(o->hostid, hc.hostid))
		return -EINVAL;
	hc.subnqn = subnqn ? subnqn : NVME_DISC_SUBSYS_NAME;
	hc.hostnqn = o->hostnqn;
	hc.kato_ms = o->kato_ms;
	hc.nr_io_queues = nr_io;
	if (o->io_depth)
		hc.io_sqsize = (uint16_t)(o->io_depth - 1);
	if (o->traddr && o->nr_inject) {
		fprintf(stderr, "%s: --inject acts on the embedded simulator; drop -a to use it\n",
			prog);
		return -EINVAL;
	}
	if (!o->traddr) {
		struct nvsim_embedded_config ec;

		nvsim_embedded_config_init(&ec);
		ec.seed = o->seed;
		ret = nvsim_embedded_start(&ec, &s->embedded);
		if (ret) {
			fprintf(stderr, "%s: embedded simulator: %s\n", prog, strerror(-ret));
			return ret;
		}
		hc.transport.provider = "fake";
		hc.transport.fabric = s->embedded->fabric;
		hc.transport.addr = NVSIM_EMBEDDED_ADDR;
		hc.transport.progress = nvsim_embedded_poll;
		hc.transport.progress_arg = s->embedded;
		for (unsigned int i = 0; i < o->nr_inject; i++)
			nvsim_target_inject_add(s->embedded->target, &o->inject[i]);
	} else {
		snprintf(addr, sizeof(addr), "%s%s%s:%s", strchr(o->traddr, ':') ? "[" : "",
			 o->traddr, strchr(o->traddr, ':') ? "]" : "", o->trsvcid);
		hc.transport.provider = o->provider ? o->provider : "ibv";
		hc.transport.addr = addr;
	}
	ret = nvsim_host_connect(&hc, &s->host, &st);
	if (ret) {
		if (st.err == -ENODEV)
			fprintf(stderr, "%s: no RDMA device for provider '%s'\n", prog,
				hc.transport.provider);
		else
			fprintf(stderr, "%s: connect to %s at %s failed: %s\n", prog, hc.subnqn,
				o->traddr ? addr : "the embedded simulator",
				nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		nvsim_embedded_stop(s->embedded);
		s->embedded = NULL;
		return ret;
	}
	return 0;
}

void cli_session_close(struct cli_session *s)
{
	nvsim_host_disconnect(s->host);
	nvsim_embedded_stop(s->embedded);
	memset(s, 0, sizeof(*s));
}

void cli_inject_help(FILE *out)
{
	fprintf(out, "      --inject RULE         fault injection, repeatable;\n");
	inject_rule_help(out);
}

static void inject_rule_help(FILE *out)
{
	fprintf(out,
		"                            RULE is key=value,...\n"
		"                            match: opcode=N qid=N nsid=N admin io lba=FIRST-LAST\n"
		"                            when:  every=N ppm=N (seeded) count=N\n"
		"                            do:    status=SCT:SC [dnr] | delay-us=N | drop\n"
		"                            e.g. --inject opcode=0x02,io,status=2:81,dnr,every=100\n");
}

static int inject_kv(struct nvsim_inject_rule *r, const char *key, const char *val, bool *dnr,
		     unsigned *sct_sc)
{
	uint64_t v, v2;

	if (!strcmp(key, "admin") || !strcmp(key, "io") || !strcmp(key, "dnr") ||
	    !strcmp(key, "drop")) {
		if (val)
			return -EINVAL;
		if (key[0] == 'a')
			r->admin_only = true;
		else if (key[0] == 'i')
			r->io_only = true;
		else if (key[1] == 'n')
			*dnr = true;
		else
			r->action = NVSIM_INJECT_DROP;
		return 0;
	}
	if (!val)
		return -EINVAL;
	if (!strcmp(key, "status")) {
		char *end;
		unsigned long sct = strtoul(val, &end, 16), sc;

		if (*end != ':' || sct > 7)
			return -EINVAL;
		sc = strtoul(end + 1, &end, 16);
		if (*end || sc > 0xff)
			return -EINVAL;
		*sct_sc = (unsigned)(sct << 8 | sc);
		r->action = NVSIM_INJECT_STATUS;
		return 0;
	}
	if (!strcmp(key, "lba")) {
		const char *dash = strchr(val, '-');
		char first[32] = { 0 };

		if (!dash || (size_t)(dash - val) >= sizeof(first))
			return -EINVAL;
		memcpy(first, val, (size_t)(dash - val));
		if (cli_parse_u64(first, UINT64_MAX, &v) || cli_parse_u64(dash + 1, UINT64_MAX, &v2) ||
		    v2 < v)
			return -EINVAL;
		r->lba_range = true;
		r->lba_first = v;
		r->lba_last = v2;
		return 0;
	}
	if (cli_parse_u64(val, UINT32_MAX, &v))
		return -EINVAL;
	if (!strcmp(key, "opcode") && v <= 0xff)
		r->opcode = (int)v;
	else if (!strcmp(key, "qid") && v <= 0xffff)
		r->qid = (int)v;
	else if (!strcmp(key, "nsid"))
		r->nsid = (int64_t)v;
	else if (!strcmp(key, "every"))
		r->every_nth = (uint32_t)v;
	else if (!strcmp(key, "ppm") && v <= 1000000)
		r->probability_ppm = (uint32_t)v;
	else if (!strcmp(key, "count"))
		r->count = (uint32_t)v;
	else if (!strcmp(key, "delay-us"))
		r->action = NVSIM_INJECT_DELAY, r->delay_ns = v * 1000;
	else
		return -EINVAL;
	return 0;
}

int cli_parse_inject(const char *spec, struct nvsim_inject_rule *rule, char *err, size_t len)
{
	char buf[256], *save = NULL;
	bool dnr = false;
	unsigned sct_sc = 0;

	nvsim_inject_rule_init(rule);
	rule->action = NVSIM_INJECT_STATUS;
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, len, "rule too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (eq)
			*eq = 0;
		if (inject_kv(rule, kv, eq ? eq + 1 : NULL, &dnr, &sct_sc)) {
			snprintf(err, len, "'%s%s%s' is not a valid key=value", kv, eq ? "=" : "",
				 eq ? eq + 1 : "");
			return -EINVAL;
		}
	}
	if (rule->action == NVSIM_INJECT_STATUS && !sct_sc) {
		snprintf(err, len, "say what to do: status=SCT:SC, delay-us=N or drop");
		return -EINVAL;
	}
	rule->status = nvsim_status(sct_sc >> 8, sct_sc & 0xff, dnr);
	return 0;
}
