/* nvmfsim target: serve emulated subsystems over NVMe/RDMA on real verbs
 * (rxe, siw, an RNIC) until SIGINT or SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <nvme/types.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/config.h"
#include "cli/ns_spec.h"

#define PROG "nvmfsim target"
#define MAX_NS 32
#define MAX_HOSTS NVSIM_SUBSYS_MAX_HOSTS
#define MAX_INJECT 16

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvmfsim target -t rdma -a ADDR [-s PORT] -n NQN [options]\n"
		"       nvmfsim target --config FILE [options]\n\n"
		"Serves emulated NVM subsystems over NVMe/RDMA until SIGINT/SIGTERM: one\n"
		"subsystem from the flags, or everything an nvmetcli saved config (JSON)\n"
		"describes (ports, subsystems, namespaces, allowed hosts, referrals).\n\n"
		"  -c, --config FILE         nvmetcli saved config (see below); with it, -t, -a,\n"
		"                            -s, -n, --ns and --allow-host are refused\n"
		"      --check               build everything, say what would be served, and\n"
		"                            exit without listening (0: it would start)\n"
		"  -t, --transport rdma      transport (only rdma)\n"
		"  -a, --traddr ADDR         IPv4 or IPv6 address to listen on (an RDMA netdev's)\n"
		"  -s, --trsvcid PORT        port, 1 to 65535 (default 4420)\n"
		"  -n, --nqn NQN             subsystem NQN (default nqn.2026-11.io.nvmf-sim:target)\n"
		"      --ns KIND:SIZE[:PATH] a namespace, at most %d: ram:1G, null:1T,\n"
		"                            file:10G:/var/tmp/ns1.img (a regular file, created\n"
		"                            if missing, or a block device; default ram:1G)\n"
		"      --lba-size 512|4096   LBA size of the namespaces (default 512); SIZE must\n"
		"                            be a multiple of it\n"
		"      --allow-host NQN      only these hosts may connect (at most %u;\n"
		"                            default: any host)\n"
		"      --max-queues N        I/O queues per controller, 1 to 65534 (default 128)\n"
		"      --mqes N              CAP.MQES: entries per queue minus one (default 1023)\n"
		"      --buffers SIZE        data buffers each listener shares among all its\n"
		"                            queues, registered once (default 64M, at most 16G,\n"
		"                            whole maximum transfers); a command waits in order\n"
		"                            for one, never fails for want of one\n"
		"      --max-connections N   connections a port holds at once (default 4096);\n"
		"                            more are rejected in the RDMA CM (No Resources)\n"
		"      --max-connections-per-host N\n"
		"                            the same from one host address (default 512)\n"
		"      --max-pending-connections N\n"
		"                            connections not yet through Fabrics Connect at\n"
		"                            once (default 256)\n"
		"      --receive-rings SIZE  memory all queues' receive rings may take together\n"
		"                            (default 1G); a queue past it is rejected in the CM\n"
		"      --connect-timeout SECONDS\n"
		"                            a connection that has not completed Fabrics\n"
		"                            Connect by then is dropped (default 10)\n"
		"  -v, --verbose             print the RDMA device's limits (max_qp, max_qp_wr,\n"
		"                            max_mr, ...) before listening\n"
		"      --provider NAME       verbs provider: ibv (default) or fake\n"
		"      --device NAME         RDMA device (default: the first one)\n"
		"      --log-level LEVEL     error, warn, info (default) or debug: warn logs each\n"
		"                            refused queue or Connect and why (\"HOSTNQN empty:\n"
		"                            Connect Invalid Parameters at data byte 512\"); info\n"
		"                            adds associations and, per queue, the first command\n"
		"                            refused for each host error (Command ID Conflict,\n"
		"                            SQ overrun, a bad SGL...) and the counts when it\n"
		"                            closes; debug logs every occurrence\n",
		MAX_NS, MAX_HOSTS);
	cli_inject_help(out);
	fprintf(out,
		"\n--config FILE: what `nvmetcli save` writes, every key checked (an unknown\n"
		"one, a wrong type or a value out of range is refused, naming the element).\n"
		"Namespace device.path: a regular file or a block device (used in whole LBAs),\n"
		"or ram:SIZE / null:SIZE (SIZE a multiple of the LBA size).  Only rdma ports\n"
		"are served; tcp and loop ports are listed in discovery, and a config with no\n"
		"rdma port is refused (exit 1).  Read and ignored: subsystem attr other than\n"
		"allow_any_host, serial and model; namespace nguid/uuid/eui64 (ours derive\n"
		"from serial, NQN and NSID), ana_grpid, ana, resv; port tsas,\n"
		"ana_groups; hosts (allowed_hosts need not be listed there).  Passthru\n"
		"subsystems are refused.  A port's param may set max_queue_size and\n"
		"pi_enable (\"0\" only), as nvmet's, and buffer_pool_size (\"64M\"),\n"
		"receive_ring_size, max_connections, max_connections_per_host,\n"
		"max_pending_connections and connect_timeout_ms, as the flags above\n"
		"(the port's value wins); inline_data_size is read and ignored\n"
		"(the in-capsule data size is the target's); anything else is refused.\n"
		"Limits: the file %u MiB; %u subsystems; %u hosts; %d ports; per\n"
		"subsystem %u namespaces (NSID 1 to %u) and %u allowed hosts; per port\n"
		"%u subsystems and %u referrals; serial 20 and model 40 characters.\n",
		CLI_CONFIG_MAX_BYTES >> 20, CLI_CONFIG_MAX_SUBSYS, CLI_CONFIG_MAX_HOSTS,
		CLI_CONFIG_MAX_PORTS, CLI_CONFIG_MAX_NSID, CLI_CONFIG_MAX_NSID, NVSIM_SUBSYS_MAX_HOSTS,
		NVSIM_PORT_MAX_SUBSYS, NVSIM_PORT_MAX_REFERRALS);
	cli_exit_help(out);
}

struct target_opts {
	const char *traddr, *trsvcid, *nqn, *provider, *device, *config;
	const char *transport; /* -t as given, for the --config refusal */
	bool nqn_given, trsvcid_given, check, verbose;
	const char *ns[MAX_NS];
	unsigned int nr_ns;
	const char *hosts[MAX_HOSTS];
	unsigned int nr_hosts;
	struct nvsim_inject_rule inject[MAX_INJECT];
	unsigned int nr_inject;
	uint32_t lba_size;
	uint64_t max_queues, mqes;
	enum nvsim_log_level log_level;
	struct cli_port_params res; /* --buffers ...: every port's, unless its param says */
};

static const char *const level_names[] = {
	[NVSIM_LOG_ERROR] = "error", [NVSIM_LOG_WARN] = "warn", [NVSIM_LOG_INFO] = "info",
	[NVSIM_LOG_DEBUG] = "debug",
};

/* -a: the listener takes an IP address (sim/verbs keeps 63 bytes of it). */
static bool ip_address(const char *text)
{
	unsigned char bin[16];

	return strlen(text) <= CLI_TRADDR_MAX &&
	       (inet_pton(AF_INET, text, bin) == 1 || inet_pton(AF_INET6, text, bin) == 1);
}

/* --NAME N, 1 to max: 0 or -1 with the message printed. */
static int flag_count(const char *name, const char *arg, uint64_t max, const char *unit,
		      uint64_t *out)
{
	if (!cli_parse_u64(arg, max, out) && *out)
		return 0;
	fprintf(stderr, PROG ": --%s '%s': want 1 to %llu%s\n", name, arg, (unsigned long long)max,
		unit);
	return -1;
}

/* --NAME SIZE, above 0. */
static int flag_size(const char *name, const char *arg, uint64_t *out)
{
	char why[200];

	if (cli_parse_size_multiple(arg, 0, out, why, sizeof(why)))
		return fprintf(stderr, PROG ": --%s: %s\n", name, why), -1;
	if (!*out)
		return fprintf(stderr, PROG ": --%s: want a size above 0\n", name), -1;
	return 0;
}

static int parse(int argc, char **argv, struct target_opts *o)
{
	static const struct option longopts[] = {
		{ "transport", required_argument, NULL, 't' },
		{ "traddr", required_argument, NULL, 'a' },
		{ "trsvcid", required_argument, NULL, 's' },
		{ "nqn", required_argument, NULL, 'n' },
		{ "ns", required_argument, NULL, 1001 },
		{ "lba-size", required_argument, NULL, 1002 },
		{ "allow-host", required_argument, NULL, 1003 },
		{ "max-queues", required_argument, NULL, 1004 },
		{ "mqes", required_argument, NULL, 1005 },
		{ "provider", required_argument, NULL, 1006 },
		{ "device", required_argument, NULL, 1007 },
		{ "config", required_argument, NULL, 'c' },
		{ "inject", required_argument, NULL, 1008 },
		{ "log-level", required_argument, NULL, 1009 },
		{ "check", no_argument, NULL, 1010 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "buffers", required_argument, NULL, 1011 },
		{ "max-connections", required_argument, NULL, 1012 },
		{ "max-connections-per-host", required_argument, NULL, 1013 },
		{ "connect-timeout", required_argument, NULL, 1014 },
		{ "max-pending-connections", required_argument, NULL, 1015 },
		{ "receive-rings", required_argument, NULL, 1016 },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char why[200];
	uint64_t v;
	int opt;

	while ((opt = getopt_long(argc, argv, "t:a:s:n:c:hv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1; /* done: exit 0 once stdout is flushed */
		case 't':
			if (strcmp(optarg, "rdma"))
				return fprintf(stderr, PROG ": --transport '%s': only rdma\n", optarg),
				       -1;
			o->transport = optarg;
			break;
		case 'a':
			if (!ip_address(optarg))
				return fprintf(stderr, PROG ": -a/--traddr '%s': want an IPv4 or IPv6 "
					       "address\n", optarg), -1;
			o->traddr = optarg;
			break;
		case 's':
			if (!cli_port_number(optarg))
				return fprintf(stderr, PROG ": -s/--trsvcid '%s': want a port 1 to "
					       "65535\n", optarg), -1;
			o->trsvcid = optarg;
			o->trsvcid_given = true;
			break;
		case 'n':
			/* our own subsystem: an NQN, never a guess */
			if (cli_check_nqn(optarg, why, sizeof(why)))
				return fprintf(stderr, PROG ": -n/--nqn '%s': %s\n", optarg, why), -1;
			if (!strcmp(optarg, NVME_DISC_SUBSYS_NAME))
				return fprintf(stderr, PROG ": -n/--nqn '%s' is the discovery "
					       "subsystem's NQN\n", optarg), -1;
			o->nqn = optarg;
			o->nqn_given = true;
			break;
		case 1001:
			if (o->nr_ns == MAX_NS)
				return fprintf(stderr, "nvmfsim target: at most %d --ns\n", MAX_NS), -1;
			o->ns[o->nr_ns++] = optarg;
			break;
		case 1002:
			if (cli_parse_u64(optarg, 4096, &v) || (v != 512 && v != 4096))
				return fprintf(stderr, "nvmfsim target: --lba-size '%s': 512 or 4096\n",
					       optarg), -1;
			o->lba_size = (uint32_t)v;
			break;
		case 1003:
			if (o->nr_hosts == MAX_HOSTS)
				return fprintf(stderr, PROG ": at most %u --allow-host\n", MAX_HOSTS),
				       -1;
			if (cli_check_nqn(optarg, why, sizeof(why)))
				return fprintf(stderr, PROG ": --allow-host '%s': %s\n", optarg, why),
				       -1;
			for (unsigned int i = 0; i < o->nr_hosts; i++)
				if (!strcmp(o->hosts[i], optarg))
					return fprintf(stderr, PROG ": --allow-host '%s' given twice\n",
						       optarg), -1;
			o->hosts[o->nr_hosts++] = optarg;
			break;
		case 1004:
			if (cli_parse_u64(optarg, 65534, &o->max_queues) || !o->max_queues)
				return fprintf(stderr, "nvmfsim target: --max-queues '%s': 1 to 65534\n",
					       optarg), -1;
			break;
		case 1005:
			if (cli_parse_u64(optarg, 65535, &o->mqes) || !o->mqes)
				return fprintf(stderr, "nvmfsim target: --mqes '%s': 1 to 65535\n",
					       optarg), -1;
			break;
		case 1006:
			if (strcmp(optarg, "ibv") && strcmp(optarg, "fake"))
				return fprintf(stderr, PROG ": --provider '%s': unknown; use ibv or "
					       "fake\n", optarg), -1;
			o->provider = optarg;
			break;
		case 1007: o->device = optarg; break;
		case 'c': o->config = optarg; break;
		case 1008: {
			char err[160];

			if (o->nr_inject == MAX_INJECT)
				return fprintf(stderr, PROG ": at most %d --inject\n", MAX_INJECT), -1;
			if (cli_parse_inject(optarg, &o->inject[o->nr_inject], err, sizeof(err)))
				return fprintf(stderr, "nvmfsim target: --inject '%s': %s\n", optarg,
					       err), -1;
			o->nr_inject++;
			break;
		}
		case 1009: {
			size_t l;

			for (l = 0; l < sizeof(level_names) / sizeof(level_names[0]); l++)
				if (!strcmp(optarg, level_names[l]))
					break;
			if (l == sizeof(level_names) / sizeof(level_names[0]))
				return fprintf(stderr, "nvmfsim target: --log-level '%s': error, "
						       "warn, info or debug\n", optarg), -1;
			o->log_level = (enum nvsim_log_level)l;
			break;
		}
		case 1010: o->check = true; break;
		case 'v': o->verbose = true; break;
		case 1011:
			if (flag_size("buffers", optarg, &v))
				return -1;
			o->res.buffer_pool_bytes = v;
			break;
		case 1012:
			if (flag_count("max-connections", optarg, 1u << 20, "", &v))
				return -1;
			o->res.max_connections = (uint32_t)v;
			break;
		case 1013:
			if (flag_count("max-connections-per-host", optarg, 1u << 20, "", &v))
				return -1;
			o->res.max_connections_per_host = (uint32_t)v;
			break;
		case 1014:
			if (flag_count("connect-timeout", optarg, 3600, " seconds", &v))
				return -1;
			o->res.connect_timeout_ms = (uint32_t)v * 1000u;
			break;
		case 1015:
			if (flag_count("max-pending-connections", optarg, 1u << 20, "", &v))
				return -1;
			o->res.max_pending_connections = (uint32_t)v;
			break;
		case 1016:
			if (flag_size("receive-rings", optarg, &v))
				return -1;
			o->res.recv_ring_bytes = v;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "nvmfsim target: unexpected argument '%s'\n", argv[optind]), -1;
	if (o->config) {
		/* The config says all of these; a flag would silently lose. */
		const char *given = o->transport ? "-t/--transport" : o->traddr ? "-a/--traddr"
				    : o->trsvcid_given ? "-s/--trsvcid" : o->nqn_given ? "-n/--nqn"
				    : o->nr_ns ? "--ns" : o->nr_hosts ? "--allow-host" : NULL;

		if (given)
			return fprintf(stderr, PROG ": --config describes transports, ports, "
				       "subsystems, namespaces and hosts: drop %s\n", given), -1;
	}
	if (!o->traddr && !o->config)
		return fprintf(stderr, PROG ": -a/--traddr (or --config) is required\n"), -1;
	for (unsigned int i = 0; i < o->nr_ns; i++) {
		struct nvsim_ns_config ns;
		uint64_t size;

		if (cli_parse_ns_spec(o->ns[i], o->lba_size, &ns, why, sizeof(why)))
			return fprintf(stderr, PROG ": --ns '%s': %s\n", o->ns[i], why), -1;
		if (ns.backend == NVSIM_NS_FILE &&
		    cli_ns_path_check(ns.path, true, &size, why, sizeof(why)))
			return fprintf(stderr, PROG ": --ns '%s': %s: %s\n", o->ns[i], ns.path, why),
			       -1;
	}
	return 0;
}

static int build(const struct target_opts *o, struct nvsim_target *t, struct nvsim_port **port)
{
	struct nvsim_subsys_config sc = { .nqn = o->nqn, .allow_any_host = !o->nr_hosts };
	struct nvsim_port_config pc = { .portid = 1, .trtype = NVMF_TRTYPE_RDMA,
					.adrfam = strchr(o->traddr, ':') ? NVMF_ADDR_FAMILY_IP6
									  : NVMF_ADDR_FAMILY_IP4,
					.traddr = o->traddr, .trsvcid = o->trsvcid };
	struct nvsim_subsys *s;
	int ret = nvsim_subsys_add(t, &sc, &s);

	/* The flags were checked in parse: what fails here is the machine. */
	if (ret)
		return fprintf(stderr, PROG ": subsystem %s: %s\n", o->nqn, strerror(-ret)), ret;
	for (unsigned int i = 0; i < o->nr_hosts; i++) {
		ret = nvsim_subsys_allow_host(s, o->hosts[i]);
		if (ret)
			return fprintf(stderr, PROG ": --allow-host '%s': %s\n", o->hosts[i],
				       strerror(-ret)), ret;
	}
	for (unsigned int i = 0; i < (o->nr_ns ? o->nr_ns : 1); i++) {
		const char *spec = o->nr_ns ? o->ns[i] : "ram:1G";
		struct nvsim_ns_config ns;
		char why[200];

		/* checked in parse */
		cli_parse_ns_spec(spec, o->lba_size, &ns, why, sizeof(why));
		ret = nvsim_subsys_add_ns(s, i + 1, &ns);
		if (ret)
			return fprintf(stderr, PROG ": --ns '%s' (namespace %u): %s\n", spec, i + 1,
				       strerror(-ret)), ret;
	}
	ret = nvsim_port_add(t, &pc, port);
	if (ret)
		return fprintf(stderr, PROG ": port %s:%s: %s\n", o->traddr, o->trsvcid,
			       strerror(-ret)), ret;
	ret = nvsim_port_add_subsys(*port, s);
	if (ret)
		fprintf(stderr, PROG ": port %s:%s: subsystem %s: %s\n", o->traddr, o->trsvcid,
			o->nqn, strerror(-ret));
	return ret;
}

static void log_assoc(void *arg, bool up, const char *subnqn, const char *hostnqn,
		      uint16_t cntlid)
{
	const struct target_opts *o = arg;

	if (o->log_level < NVSIM_LOG_INFO)
		return;
	printf("nvmfsim target: %s controller %u of %s for %s\n", up ? "created" : "ended", cntlid,
	       subnqn, hostnqn);
	fflush(stdout);
}

/* Why the target refused a host: the line says which check, and where. */
static void log_line(void *arg, enum nvsim_log_level level, const char *line)
{
	(void)arg;
	printf("nvmfsim target: %s: %s\n", level_names[level], line);
	fflush(stdout);
}

static struct nvsim_target *new_target(const struct target_opts *o,
				       struct nvsim_target_config *out)
{
	struct nvsim_target_config tc;
	struct nvsim_target *t;
	int ret;

	nvsim_target_config_init(&tc);
	tc.assoc_event = log_assoc;
	tc.log = log_line;
	tc.log_level = o->log_level;
	tc.event_arg = (void *)o;
	tc.max_io_queues = (uint16_t)o->max_queues;
	tc.mqes = (uint16_t)o->mqes;
	*out = tc;
	ret = nvsim_target_create(&tc, &t);
	if (ret) {
		fprintf(stderr, PROG ": creating the target: %s\n", strerror(-ret));
		return NULL;
	}
	return t;
}

/* -v: the limits the listeners work within, as the device reports them
 * (the target clamps to these and says which one clamped a request). */
static void print_device_limits(const struct target_opts *o)
{
	struct verbs_open_opts vo = { .provider = o->provider, .device = o->device };
	struct verbs_device_attr attr;
	struct verbs_device *dev;
	char buf[2048];

	if (verbs_device_open(&vo, &dev))
		return; /* listen_port says why */
	if (!verbs_device_query(dev, &attr) &&
	    verbs_device_attr_format(&attr, "  ", buf, sizeof(buf)) > 0)
		printf(PROG ": device limits (provider %s%s%s):\n%s", o->provider,
		       o->device ? ", device " : "", o->device ? o->device : "", buf);
	verbs_device_close(dev);
}

/* A port's listener settings: the flags, then what its "param" says. */
static void port_rdma_config(const struct target_opts *o, const struct cli_config_port *cp,
			     struct nvsim_rdma_target_config *rc)
{
	const struct cli_port_params *res[] = { &o->res, &cp->params };

	nvsim_rdma_target_config_init(rc);
	rc->provider = o->provider;
	rc->device = o->device;
	rc->addr = cp->addr;
	for (size_t i = 0; i < 2; i++) {
		if (res[i]->buffer_pool_bytes)
			rc->buffer_pool_bytes = (size_t)res[i]->buffer_pool_bytes;
		if (res[i]->max_queue_size)
			rc->max_queue_depth = res[i]->max_queue_size;
		if (res[i]->max_connections)
			rc->max_conns_per_port = res[i]->max_connections;
		if (res[i]->max_connections_per_host)
			rc->max_conns_per_host = res[i]->max_connections_per_host;
		if (res[i]->connect_timeout_ms)
			rc->connect_timeout_ms = res[i]->connect_timeout_ms;
		if (res[i]->max_pending_connections)
			rc->max_pending_conns = res[i]->max_pending_connections;
		if (res[i]->recv_ring_bytes)
			rc->recv_ring_bytes_max = (size_t)res[i]->recv_ring_bytes;
	}
}

/* Every listener's settings judged before anything listens: exit 2. */
static int check_listeners(const struct target_opts *o, const struct nvsim_target_config *tc,
			   const struct cli_config *cfg)
{
	struct nvsim_rdma_target_config rc;
	char why[200];

	for (unsigned int i = 0; i < cfg->nr_ports; i++) {
		if (!cfg->ports[i].rdma)
			continue;
		port_rdma_config(o, &cfg->ports[i], &rc);
		if (!nvsim_rdma_target_config_check(&rc, tc, why, sizeof(why)))
			continue;
		if (o->config)
			fprintf(stderr, PROG ": --config %s: ports[%u] (portid %u): %s\n", o->config,
				i, cfg->ports[i].portid, why);
		else
			fprintf(stderr, PROG ": %s\n", why);
		return -1;
	}
	return 0;
}

static unsigned int or_default(unsigned int v, unsigned int def)
{
	return v ? v : def;
}

/* The bounds a listener keeps, as one line's tail. */
static void format_bounds(const struct nvsim_rdma_target_config *rc, char *buf, size_t len)
{
	size_t rings = rc->recv_ring_bytes_max ? rc->recv_ring_bytes_max
					       : (size_t)NVSIM_RDMA_RECV_RING_DEFAULT_BYTES;

	snprintf(buf, len, "connections at most %u (%u per host, %u before Connect), Connect "
		 "within %u ms, receive rings at most %zu MiB",
		 or_default(rc->max_conns_per_port, NVSIM_RDMA_CONNS_PER_PORT_DEFAULT),
		 or_default(rc->max_conns_per_host, NVSIM_RDMA_CONNS_PER_HOST_DEFAULT),
		 or_default(rc->max_pending_conns, NVSIM_RDMA_PENDING_CONNS_DEFAULT),
		 or_default(rc->connect_timeout_ms, NVSIM_RDMA_CONNECT_TIMEOUT_DEFAULT_MS),
		 rings >> 20);
}

/* What the listener really holds, as it started. */
static void print_listening(const struct cli_config_port *cp, const char *which,
			    const struct nvsim_rdma_target_config *rc,
			    const struct nvsim_rdma_target *rt)
{
	struct nvsim_rdma_target_stats st;
	char bounds[256];

	nvsim_rdma_target_get_stats(rt, &st);
	format_bounds(rc, bounds, sizeof(bounds));
	printf(PROG ": listening on rdma %s%s: buffers %zu MiB (%zu-byte units), %s\n", cp->addr,
	       which, st.pool_bytes >> 20, st.pool_unit, bounds);
}

/* --check: a port's settings as configured (the pool is rounded to whole
 * transfers when it starts, and printed then). */
static void print_check(const struct target_opts *o, const struct cli_config_port *cp)
{
	struct nvsim_rdma_target_config rc;
	char bounds[256];

	port_rdma_config(o, cp, &rc);
	format_bounds(&rc, bounds, sizeof(bounds));
	printf(" rdma %s (buffers %zu MiB, %s)", cp->addr,
	       (rc.buffer_pool_bytes ? rc.buffer_pool_bytes
				     : (size_t)NVSIM_RDMA_POOL_DEFAULT_BYTES) >> 20, bounds);
}

static int listen_port(const struct target_opts *o, struct nvsim_target *t,
		       const struct cli_config_port *cp, struct nvsim_rdma_target **rt)
{
	struct nvsim_rdma_target_config rc;
	char which[48] = "";
	int ret;

	port_rdma_config(o, cp, &rc);
	if (o->config)
		snprintf(which, sizeof(which), " (port %u)", cp->portid);
	ret = nvsim_rdma_target_start(t, cp->port, &rc, rt);
	if (ret == -ENODEV && o->device)
		fprintf(stderr, PROG ": no RDMA device '%s' (provider %s)\n", o->device,
			o->provider);
	else if (ret == -ENODEV)
		fprintf(stderr, PROG ": no RDMA device (provider %s): load rdma_rxe or "
				"siw on a netdev, or use an RNIC\n", o->provider);
	else if (ret == -EPROTONOSUPPORT)
		fprintf(stderr, PROG ": provider %s is not built in\n", o->provider);
	else if (ret)
		fprintf(stderr, PROG ": listen on %s%s: %s\n", cp->addr, which, strerror(-ret));
	else
		print_listening(cp, which, &rc, *rt);
	return ret;
}

static const char *trtype_name(uint8_t trtype)
{
	return trtype == NVMF_TRTYPE_RDMA ? "rdma" : trtype == NVMF_TRTYPE_TCP ? "tcp" : "loop";
}

/* Only rdma is served: a config without an rdma port would run forever
 * with nothing listening. */
static int check_servable(const struct cli_config *cfg)
{
	char what[256] = "";
	size_t n = 0;

	for (unsigned int i = 0; i < cfg->nr_ports; i++) {
		if (cfg->ports[i].rdma)
			return 0;
		n += (size_t)snprintf(what + n, n < sizeof(what) ? sizeof(what) - n : 0, "%sport %u "
				      "is %s", i ? ", " : "", cfg->ports[i].portid,
				      trtype_name(cfg->ports[i].trtype));
		if (n >= sizeof(what))
			n = sizeof(what) - 1;
	}
	fprintf(stderr, PROG ": nothing to listen on: %s (not supported yet)\n", what);
	return -1;
}

static void serve(struct nvsim_rdma_target **rts, unsigned int n)
{
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fflush(stdout);
	while (!stop_requested) {
		int work = 0;

		for (unsigned int i = 0; i < n; i++)
			work += nvsim_rdma_target_poll(rts[i]) > 0;
		if (!work) {
			struct timespec idle = { 0, 100000 }; /* nothing to do: 100 us */

			nanosleep(&idle, NULL);
		}
	}
	printf("nvmfsim target: stopping\n");
}

int cmd_target(int argc, char **argv)
{
	struct target_opts o = { .trsvcid = "4420", .nqn = "nqn.2026-11.io.nvmf-sim:target",
				 .provider = "ibv", .lba_size = 512, .max_queues = 128,
				 .mqes = 1023, .log_level = NVSIM_LOG_INFO };
	struct nvsim_rdma_target *rts[CLI_CONFIG_MAX_PORTS] = { 0 };
	struct nvsim_target_config tc;
	static struct cli_config cfg;
	struct nvsim_target *t;
	struct nvsim_port *port = NULL;
	unsigned int nr_rt = 0;
	char err[512];
	int rc_exit = CLI_EXIT_FAIL, ret;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	t = new_target(&o, &tc);
	if (!t)
		return CLI_EXIT_FAIL;
	if (o.config) {
		ret = cli_config_load(o.config, o.lba_size, t, &cfg, err, sizeof(err));
		if (ret) {
			fprintf(stderr, PROG ": --config %s\n", err);
			/* running out of memory is a failure; anything else is the file */
			rc_exit = ret == -ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
			goto out;
		}
		if (check_servable(&cfg))
			goto out;
	} else {
		if (build(&o, t, &port))
			goto out;
		cfg.nr_ports = 1;
		cfg.nr_subsys = 1;
		cfg.nr_ns = o.nr_ns ? o.nr_ns : 1;
		cfg.ports[0].port = port;
		cfg.ports[0].portid = 1;
		cfg.ports[0].trtype = NVMF_TRTYPE_RDMA;
		cfg.ports[0].rdma = true;
		snprintf(cfg.ports[0].addr, sizeof(cfg.ports[0].addr), "%s%s%s:%s",
			 strchr(o.traddr, ':') ? "[" : "", o.traddr, strchr(o.traddr, ':') ? "]" : "",
			 o.trsvcid);
	}
	if (check_listeners(&o, &tc, &cfg)) {
		rc_exit = CLI_EXIT_USAGE;
		goto out;
	}
	for (unsigned int i = 0; i < o.nr_inject; i++) {
		ret = nvsim_target_inject_add(t, &o.inject[i]);
		if (ret) {
			fprintf(stderr, PROG ": --inject rule %u: %s\n", i + 1, strerror(-ret));
			goto out;
		}
	}
	if (o.verbose)
		print_device_limits(&o);
	if (o.check) {
		printf(PROG ": %s: %u subsystems, %u namespaces, %u ports; would serve", o.config ?
		       o.config : "flags", cfg.nr_subsys, cfg.nr_ns, cfg.nr_ports);
		for (unsigned int i = 0; i < cfg.nr_ports; i++)
			if (cfg.ports[i].rdma)
				print_check(&o, &cfg.ports[i]);
		printf("\n");
		rc_exit = CLI_EXIT_OK;
		goto out;
	}
	for (unsigned int i = 0; i < cfg.nr_ports; i++) {
		if (!cfg.ports[i].rdma) {
			printf(PROG ": port %u is %s: listed in discovery, not served\n",
			       cfg.ports[i].portid, trtype_name(cfg.ports[i].trtype));
			continue;
		}
		if (listen_port(&o, t, &cfg.ports[i], &rts[nr_rt]))
			goto out;
		nr_rt++;
	}
	serve(rts, nr_rt);
	rc_exit = CLI_EXIT_OK;
out:
	for (unsigned int i = 0; i < nr_rt; i++)
		nvsim_rdma_target_stop(rts[i]);
	nvsim_target_destroy(t);
	return rc_exit;
}
