/* Connection options in nvme-cli's spelling, and the session every host-side
 * subcommand opens: to the address given, or to the embedded simulator. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/cli.h"
#include "spec/nqn.h"
#include "spec/status.h"
#include "verbs/verbs.h"

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
	cli_exit_help(out);
}

void cli_exit_help(FILE *out)
{
	fprintf(out, "\nexit status:\n"
		     "  0   success\n"
		     "  1   the run failed: the target refused or stopped answering, verification\n"
		     "      failed, a conformance case FAILed, the output could not be written\n"
		     "  2   a usage or input error: a bad option or value, a bad file, a\n"
		     "      selection that matches nothing\n"
		     "  77  a device needed is absent: the test helpers, and nvmfsim io with -a\n"
		     "      when there is no RDMA device\n");
}

/* ---- numbers, sizes, UUIDs, NQNs ------------------------------------------ */

static void say(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Digits in base 10 or 16 over exactly len bytes; -ERANGE past UINT64_MAX. */
static int digits_u64(const char *text, size_t len, unsigned base, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int d = hex_digit(text[i]);

		if (d < 0 || (unsigned)d >= base)
			return -EINVAL;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			return -ERANGE;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int cli_parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t v;
	bool hex;

	if (!text)
		return -EINVAL;
	/* strtoull's leading blanks, sign and octal ("010" is 8) are surprises
	 * on a command line: decimal, or hex after 0x. */
	hex = text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
	if (digits_u64(text + (hex ? 2 : 0), strlen(text) - (hex ? 2 : 0), hex ? 16 : 10, &v) ||
	    v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cli_parse_size_n(const char *text, size_t len, uint64_t multiple, uint64_t *out, char *err,
		     size_t errlen)
{
	unsigned shift = 0;
	size_t n = len;
	uint64_t v;
	int ret;

	if (n) {
		switch (text[n - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: break;
		}
		n -= shift != 0;
	}
	ret = digits_u64(text, n, 10, &v);
	if (ret == -EINVAL) {
		say(err, errlen, "'%.*s' is not a size: want digits and an optional k, M, G or T "
			"(powers of 1024)", (int)len, text);
		return -EINVAL;
	}
	if (ret || v > (UINT64_MAX >> shift)) {
		say(err, errlen, "'%.*s' is more than 2^64 - 1 bytes", (int)len, text);
		return -EINVAL;
	}
	v <<= shift;
	if (multiple > 1 && v % multiple) {
		say(err, errlen, "'%.*s' (%llu bytes) is not a multiple of %llu", (int)len, text,
		    (unsigned long long)v, (unsigned long long)multiple);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int cli_parse_size_multiple(const char *text, uint64_t multiple, uint64_t *out, char *err,
			    size_t len)
{
	return cli_parse_size_n(text ? text : "", text ? strlen(text) : 0, multiple, out, err,
				len);
}

int cli_parse_size(const char *text, uint64_t *out)
{
	return cli_parse_size_multiple(text, 0, out, NULL, 0);
}

int cli_parse_hostid(const char *text, uint8_t out[16])
{
	uint8_t id[16] = { 0 };
	unsigned int nib = 0;

	/* RFC 4122 text only: a skipped blank or dash would shift the bytes. */
	if (!text || strlen(text) != 36)
		return -EINVAL;
	for (unsigned int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		int d = hex_digit(text[i]);

		if (dash ? text[i] != '-' : d < 0)
			return -EINVAL;
		if (dash)
			continue;
		id[nib / 2] |= (uint8_t)(nib % 2 ? d : d << 4);
		nib++;
	}
	memcpy(out, id, sizeof(id));
	return 0;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, at most U+10FFFF), 0 when malformed; *cp its code. */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t c;

	if (s[0] < 0x80)
		n = 1;
	else if (s[0] >= 0xc2 && s[0] < 0xe0)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] < 0xf0)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] < 0xf5)
		n = 4;
	else
		return 0;
	c = n == 1 ? s[0] : s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int cli_check_nqn(const char *text, char *err, size_t len)
{
	static const char uuid_prefix[] = "nqn.2014-08.org.nvmexpress:uuid:";
	const char *why, *colon, *dom, *end;
	size_t n = text ? strlen(text) : 0;
	uint8_t id[16];

	if (!n) {
		say(err, len, "empty: want an NQN (nqn.yyyy-mm.reverse.domain:name)");
		return -EINVAL;
	}
	if (n > NVSIM_NQN_MAX_LEN) {
		say(err, len, "%zu bytes: an NQN is at most %u (NVMe Base 2.0 §4.5)", n,
		    NVSIM_NQN_MAX_LEN);
		return -EINVAL;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_seq((const unsigned char *)text + i, &cp);

		if (!k) {
			say(err, len, "byte %zu is not UTF-8 (NVMe Base 2.0 §4.5)", i);
			return -EINVAL;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			say(err, len, "byte %zu is a control character", i);
			return -EINVAL;
		}
		i += k;
	}
	if (!strncmp(text, uuid_prefix, sizeof(uuid_prefix) - 1)) {
		if (cli_parse_hostid(text + sizeof(uuid_prefix) - 1, id)) {
			say(err, len, "'%s' is not a UUID (8-4-4-4-12 hex digits)",
			    text + sizeof(uuid_prefix) - 1);
			return -EINVAL;
		}
		return 0;
	}
	why = nvsim_nqn_check(text, n + 1);
	if (why) {
		say(err, len, "%s: want nqn.yyyy-mm.reverse.domain:name or "
			"nqn.2014-08.org.nvmexpress:uuid:UUID (NVMe Base 2.0 §4.5)", why);
		return -EINVAL;
	}
	/* Stricter than the target's check: every label of the domain named,
	 * and the name after the colon present (only the discovery NQN has
	 * none). */
	dom = text + 12; /* after "nqn.yyyy-mm." */
	colon = strchr(dom, ':');
	end = colon ? colon : text + n;
	for (const char *p = dom; p < end; p++)
		if (*p == '.' && (p == dom || p[-1] == '.' || p + 1 == end)) {
			say(err, len, "an empty label in the domain '%.*s'", (int)(end - dom), dom);
			return -EINVAL;
		}
	if (!colon && strcmp(text, NVME_DISC_SUBSYS_NAME)) {
		say(err, len, "no ':name' after the domain (only the discovery NQN has none)");
		return -EINVAL;
	}
	if (colon && !colon[1]) {
		say(err, len, "nothing after the ':'");
		return -EINVAL;
	}
	return 0;
}

/* Our own host NQN must be one; a target's subsystem name is sent as
 * given when it only breaks the syntax (Linux nvmet takes any name, e.g.
 * blktests' "blktests-subsystem-1"), but it must fit the Connect field. */
static int conn_nqn(const char *prog, const char *opt, const char *arg, const char **dst,
		    bool ours)
{
	char err[160];

	if (cli_check_nqn(arg, err, sizeof(err))) {
		if (ours || !*arg || strlen(arg) > 255 /* the Connect data field */ ||
		    strstr(err, "UTF-8") || strstr(err, "control character")) {
			fprintf(stderr, "%s: %s '%s': %s\n", prog, opt, arg, err);
			return -1;
		}
		fprintf(stderr, "%s: warning: %s '%s' is not an NQN (%s); sent as given\n", prog,
			opt, arg, err);
	}
	*dst = arg;
	return 1;
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
		/* We add the brackets of a v6 address; the verbs layer holds the
		 * host part in a fixed buffer. */
		if (!*arg || strlen(arg) > CLI_TRADDR_MAX || strpbrk(arg, "[] \t\n")) {
			fprintf(stderr, "%s: -a/--traddr '%.*s%s': want an address or host name "
				"of 1 to %u bytes, v6 without brackets\n", prog, 80, arg,
				strlen(arg) > 80 ? "..." : "", CLI_TRADDR_MAX);
			return -1;
		}
		o->traddr = arg;
		return 1;
	case 's':
		if (cli_parse_u64(arg, 65535, &v) || !v || arg[0] == '0') {
			fprintf(stderr, "%s: -s/--trsvcid '%s': want a port, 1 to 65535\n", prog,
				arg);
			return -1;
		}
		o->trsvcid = arg;
		return 1;
	case 'n':
		return conn_nqn(prog, "-n/--nqn", arg, &o->nqn, false);
	case 'q':
		return conn_nqn(prog, "-q/--hostnqn", arg, &o->hostnqn, true);
	case 'I': {
		uint8_t id[16];

		if (cli_parse_hostid(arg, id)) {
			fprintf(stderr, "%s: -I/--hostid '%s': want a UUID, 8-4-4-4-12 hex "
				"digits\n", prog, arg);
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

int cli_conn_check(const struct cli_conn_opts *o, const char *prog)
{
	if (o->traddr && o->nr_inject) {
		fprintf(stderr, "%s: --inject acts on the embedded simulator; drop -a to use it\n",
			prog);
		return -1;
	}
	/* The embedded simulator is reached over the in-process fake on its
	 * own port: these would be ignored without -a. */
	if (!o->traddr && o->provider) {
		fprintf(stderr, "%s: --provider needs -a/--traddr\n", prog);
		return -1;
	}
	if (!o->traddr && strcmp(o->trsvcid, "4420")) {
		fprintf(stderr, "%s: -s/--trsvcid needs -a/--traddr\n", prog);
		return -1;
	}
	return 0;
}

int cli_session_open(const struct cli_conn_opts *o, const char *prog, const char *subnqn,
		     uint16_t nr_io, struct cli_session *s)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	char addr[CLI_TRADDR_MAX + 16], msg[512];
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
		hc.io_sqsize = (uint16_t)(o->io_depth - 1); /* 0's based: 65536 fits */
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
		/* Replay files and profiles set these without cli_conn_opt. */
		if (strlen(o->traddr) > CLI_TRADDR_MAX || strlen(o->trsvcid) > 5) {
			fprintf(stderr, "%s: address '%.80s' or port '%.16s' too long\n", prog,
				o->traddr, o->trsvcid);
			return -EINVAL;
		}
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
		else if (st.cm_rejected && st.cm_reason == VERBS_REJ_INVALID_SERVICE_ID)
			/* The CM's answer when nothing listens on that port; the
			 * zero "status" is padding, not an NVMe/RDMA reject. */
			fprintf(stderr, "%s: connect to %s at %s failed: no target listens there "
				"(CM reject reason %u, invalid service ID)\n", prog, hc.subnqn,
				o->traddr ? addr : "the embedded simulator", st.cm_reason);
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
		"                            (one action, each key once; SCT:SC in hex, not 0:0)\n"
		"                            e.g. --inject opcode=0x02,io,status=2:81,dnr,every=100\n");
}

/* The keys of a rule; each may be given once. */
enum inject_key {
	IK_OPCODE, IK_QID, IK_NSID, IK_ADMIN, IK_IO, IK_LBA, IK_EVERY, IK_PPM, IK_COUNT,
	IK_STATUS, IK_DNR, IK_DELAY, IK_DROP, IK_NR
};

static const struct {
	const char *name;
	bool flag;    /* no value */
	uint64_t min; /* numeric keys */
	uint64_t max;
} inject_keys[IK_NR] = {
	[IK_OPCODE] = { "opcode", false, 0, 0xff },
	[IK_QID] = { "qid", false, 0, 0xffff },
	[IK_NSID] = { "nsid", false, 0, 0xffffffffu },
	[IK_ADMIN] = { "admin", true, 0, 0 },
	[IK_IO] = { "io", true, 0, 0 },
	[IK_LBA] = { "lba", false, 0, 0 },
	/* The rule's 0 means "every match" / "always" / "forever": a user
	 * who writes 0 means something else, so 0 is refused. */
	[IK_EVERY] = { "every", false, 1, UINT32_MAX },
	[IK_PPM] = { "ppm", false, 1, 1000000 },
	[IK_COUNT] = { "count", false, 1, UINT32_MAX },
	[IK_STATUS] = { "status", false, 0, 0 },
	[IK_DNR] = { "dnr", true, 0, 0 },
	[IK_DELAY] = { "delay-us", false, 1, UINT32_MAX },
	[IK_DROP] = { "drop", true, 0, 0 },
};

struct inject_parse {
	const char *field[IK_NR]; /* the field as written, for messages */
	size_t field_len[IK_NR];
	uint64_t num[IK_NR];
	unsigned sct, sc;
	uint64_t lba_first, lba_last;
};

/* Hex digits (an optional 0x) over exactly len bytes, at most max. */
static int hex_field(const char *text, size_t len, uint64_t max, unsigned *out)
{
	uint64_t v;
	bool pfx = len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');

	if (digits_u64(text + (pfx ? 2 : 0), len - (pfx ? 2 : 0), 16, &v) || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int inject_value(struct inject_parse *p, enum inject_key k, const char *val, char *err,
			size_t len)
{
	const char *name = inject_keys[k].name;
	char num[32];

	if (k == IK_STATUS) {
		const char *colon = strchr(val, ':');

		if (!colon || hex_field(val, (size_t)(colon - val), 7, &p->sct) ||
		    hex_field(colon + 1, strlen(colon + 1), 0xff, &p->sc)) {
			say(err, len, "'status=%s': want status=SCT:SC, hex, SCT 0 to 7, SC 0 "
			    "to ff", val);
			return -EINVAL;
		}
		if (!p->sct && !p->sc) {
			say(err, len, "'status=%s' is a successful completion, not a fault", val);
			return -EINVAL;
		}
		return 0;
	}
	if (k == IK_LBA) {
		const char *dash = strchr(val, '-');

		if (!dash || (size_t)(dash - val) >= sizeof(num))
			goto bad_lba;
		memcpy(num, val, (size_t)(dash - val));
		num[dash - val] = 0;
		if (cli_parse_u64(num, UINT64_MAX, &p->lba_first) ||
		    cli_parse_u64(dash + 1, UINT64_MAX, &p->lba_last) || p->lba_last < p->lba_first)
			goto bad_lba;
		return 0;
bad_lba:
		say(err, len, "'lba=%s': want lba=FIRST-LAST, FIRST <= LAST", val);
		return -EINVAL;
	}
	if (cli_parse_u64(val, inject_keys[k].max, &p->num[k]) || p->num[k] < inject_keys[k].min) {
		say(err, len, "'%s=%s': want %llu to %llu", name, val,
		    (unsigned long long)inject_keys[k].min, (unsigned long long)inject_keys[k].max);
		return -EINVAL;
	}
	return 0;
}

static int inject_field(struct inject_parse *p, const char *kv, size_t n, char *err, size_t len)
{
	const char *eq = memchr(kv, '=', n);
	size_t klen = eq ? (size_t)(eq - kv) : n;
	char val[128];
	int k;

	if (!n) {
		say(err, len, "an empty field (two commas, or one at an end)");
		return -EINVAL;
	}
	for (k = 0; k < IK_NR; k++)
		if (strlen(inject_keys[k].name) == klen && !strncmp(kv, inject_keys[k].name, klen))
			break;
	if (k == IK_NR) {
		say(err, len, "'%.*s': unknown key '%.*s' (keys: opcode qid nsid admin io lba "
			"every ppm count status dnr delay-us drop)", (int)n, kv, (int)klen, kv);
		return -EINVAL;
	}
	if (p->field[k]) {
		say(err, len, "'%.*s': %s is given twice", (int)n, kv, inject_keys[k].name);
		return -EINVAL;
	}
	p->field[k] = kv;
	p->field_len[k] = n;
	if (inject_keys[k].flag) {
		if (eq) {
			say(err, len, "'%.*s': %s takes no value", (int)n, kv, inject_keys[k].name);
			return -EINVAL;
		}
		return 0;
	}
	if (!eq || eq + 1 == kv + n) {
		say(err, len, "'%.*s': %s needs a value (%s=...)", (int)n, kv, inject_keys[k].name,
		    inject_keys[k].name);
		return -EINVAL;
	}
	if (n - klen - 1 >= sizeof(val)) {
		say(err, len, "'%.*s': the value is too long", (int)klen, kv);
		return -EINVAL;
	}
	memcpy(val, eq + 1, n - klen - 1);
	val[n - klen - 1] = 0;
	return inject_value(p, (enum inject_key)k, val, err, len);
}

/* Two keys that cannot both be given: a message naming both. */
static int inject_clash(const struct inject_parse *p, enum inject_key a, enum inject_key b,
			const char *why, char *err, size_t len)
{
	if (!p->field[a] || !p->field[b])
		return 0;
	say(err, len, "'%.*s' and '%.*s' contradict: %s", (int)p->field_len[a], p->field[a],
	    (int)p->field_len[b], p->field[b], why);
	return -EINVAL;
}

int cli_parse_inject(const char *spec, struct nvsim_inject_rule *rule, char *err, size_t len)
{
	struct inject_parse p = { 0 };
	const char *kv = spec;

	nvsim_inject_rule_init(rule);
	if (!spec || !*spec) {
		say(err, len, "an empty rule");
		return -EINVAL;
	}
	for (;;) {
		const char *comma = strchr(kv, ',');
		size_t n = comma ? (size_t)(comma - kv) : strlen(kv);

		if (inject_field(&p, kv, n, err, len))
			return -EINVAL;
		if (!comma)
			break;
		kv = comma + 1;
	}
	if (inject_clash(&p, IK_STATUS, IK_DROP, "give one action", err, len) ||
	    inject_clash(&p, IK_STATUS, IK_DELAY, "give one action", err, len) ||
	    inject_clash(&p, IK_DELAY, IK_DROP, "give one action", err, len) ||
	    inject_clash(&p, IK_ADMIN, IK_IO, "a command is on the admin queue or an I/O queue",
			 err, len) ||
	    inject_clash(&p, IK_ADMIN, IK_LBA, "admin commands carry no LBA", err, len) ||
	    inject_clash(&p, IK_DNR, IK_DROP, "dnr is a bit of the status=SCT:SC answered", err,
			 len) ||
	    inject_clash(&p, IK_DNR, IK_DELAY, "dnr is a bit of the status=SCT:SC answered", err,
			 len))
		return -EINVAL;
	if (p.field[IK_QID] && ((p.field[IK_ADMIN] && p.num[IK_QID]) ||
				(p.field[IK_IO] && !p.num[IK_QID]))) {
		enum inject_key q = p.field[IK_ADMIN] ? IK_ADMIN : IK_IO;

		say(err, len, "'%.*s' and '%s' contradict: the admin queue is qid 0",
		    (int)p.field_len[IK_QID], p.field[IK_QID], inject_keys[q].name);
		return -EINVAL;
	}
	if (!p.field[IK_STATUS] && !p.field[IK_DELAY] && !p.field[IK_DROP]) {
		say(err, len, "say what to do: status=SCT:SC, delay-us=N or drop");
		return -EINVAL;
	}
	if (p.field[IK_DNR] && !p.field[IK_STATUS]) {
		say(err, len, "'dnr' needs status=SCT:SC");
		return -EINVAL;
	}
	if (p.field[IK_OPCODE])
		rule->opcode = (int)p.num[IK_OPCODE];
	if (p.field[IK_QID])
		rule->qid = (int)p.num[IK_QID];
	if (p.field[IK_NSID])
		rule->nsid = (int64_t)p.num[IK_NSID];
	rule->admin_only = p.field[IK_ADMIN] != NULL;
	rule->io_only = p.field[IK_IO] != NULL;
	if (p.field[IK_LBA]) {
		rule->lba_range = true;
		rule->lba_first = p.lba_first;
		rule->lba_last = p.lba_last;
	}
	rule->every_nth = (uint32_t)p.num[IK_EVERY];
	rule->probability_ppm = (uint32_t)p.num[IK_PPM];
	rule->count = (uint32_t)p.num[IK_COUNT];
	if (p.field[IK_DROP]) {
		rule->action = NVSIM_INJECT_DROP;
	} else if (p.field[IK_DELAY]) {
		rule->action = NVSIM_INJECT_DELAY;
		rule->delay_ns = p.num[IK_DELAY] * 1000;
	} else {
		rule->action = NVSIM_INJECT_STATUS;
		rule->status = nvsim_status((uint8_t)p.sct, (uint8_t)p.sc, p.field[IK_DNR] != NULL);
	}
	return 0;
}

int cli_close_stdout(const char *prog, int rc)
{
	bool failed = ferror(stdout) != 0;
	int saved = 0;

	if (fflush(stdout) == EOF) {
		failed = true;
		saved = errno;
	}
	/* fclose reports what a last flush could not write; stdout is gone
	 * after it either way. */
	if (fclose(stdout) == EOF && !failed) {
		failed = true;
		saved = errno;
	}
	if (!failed)
		return rc;
	fprintf(stderr, "%s: writing the standard output failed: %s\n", prog,
		saved ? strerror(saved) : "write error");
	return rc == CLI_EXIT_OK ? CLI_EXIT_FAIL : rc;
}
