/* nvmfsim target: serve emulated subsystems over NVMe/RDMA on real verbs
 * (rxe, siw, an RNIC) until SIGINT or SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <nvme/types.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/config.h"

#define MAX_NS 32
#define MAX_HOSTS 32

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
		"  -c, --config FILE         nvmetcli saved config; namespace paths may also be\n"
		"                            ram:SIZE or null:SIZE\n"
		"  -t, --transport rdma      transport (only rdma)\n"
		"  -a, --traddr ADDR         address to listen on (an RDMA netdev's IP)\n"
		"  -s, --trsvcid PORT        port (default 4420)\n"
		"  -n, --nqn NQN             subsystem NQN (default nqn.2026-11.io.nvmf-sim:target)\n"
		"      --ns KIND:SIZE[:PATH] a namespace, repeatable: ram:1G, null:1T,\n"
		"                            file:10G:/var/tmp/ns1.img (default ram:1G)\n"
		"      --lba-size 512|4096   LBA size of the namespaces (default 512)\n"
		"      --allow-host NQN      only these hosts may connect (repeatable;\n"
		"                            default: any host)\n"
		"      --max-queues N        I/O queues per controller, 1 to 65534 (default 128)\n"
		"      --mqes N              CAP.MQES: entries per queue minus one (default 1023)\n"
		"      --provider NAME       verbs provider: ibv (default) or fake\n"
		"      --device NAME         RDMA device (default: the first one)\n"
		"      --log-level LEVEL     error, warn, info (default) or debug: warn logs each\n"
		"                            refused queue or Connect and why (\"HOSTNQN empty:\n"
		"                            Connect Invalid Parameters at data byte 512\"); info\n"
		"                            adds associations and, per queue, the first command\n"
		"                            refused for each host error (Command ID Conflict,\n"
		"                            SQ overrun, a bad SGL...) and the counts when it\n"
		"                            closes; debug logs every occurrence\n");
	cli_inject_help(out);
	cli_exit_help(out);
}

struct target_opts {
	const char *traddr, *trsvcid, *nqn, *provider, *device, *config;
	const char *ns[MAX_NS];
	unsigned int nr_ns;
	const char *hosts[MAX_HOSTS];
	unsigned int nr_hosts;
	struct nvsim_inject_rule inject[16];
	unsigned int nr_inject;
	uint32_t lba_size;
	uint64_t max_queues, mqes;
	enum nvsim_log_level log_level;
};

static const char *const level_names[] = {
	[NVSIM_LOG_ERROR] = "error", [NVSIM_LOG_WARN] = "warn", [NVSIM_LOG_INFO] = "info",
	[NVSIM_LOG_DEBUG] = "debug",
};

static int parse_ns(const char *spec, uint32_t lba, struct nvsim_ns_config *ns)
{
	char kind[8] = { 0 };
	const char *colon = strchr(spec, ':');
	const char *path;
	char size[256] = { 0 };
	size_t size_len;

	memset(ns, 0, sizeof(*ns));
	if (!colon || (size_t)(colon - spec) >= sizeof(kind))
		return -EINVAL;
	memcpy(kind, spec, (size_t)(colon - spec));
	path = strchr(colon + 1, ':');
	size_len = path ? (size_t)(path - colon - 1) : strlen(colon + 1);
	/* Refused, not cut: a cut text may parse as another size. */
	if (size_len >= sizeof(size))
		return -EINVAL;
	memcpy(size, colon + 1, size_len);
	if (cli_parse_size(size, &ns->size_bytes) || !ns->size_bytes || ns->size_bytes % lba)
		return -EINVAL;
	ns->lba_size = lba;
	if (!strcmp(kind, "ram"))
		ns->backend = NVSIM_NS_RAM;
	else if (!strcmp(kind, "null"))
		ns->backend = NVSIM_NS_NULL;
	else if (!strcmp(kind, "file") && path && path[1])
		ns->backend = NVSIM_NS_FILE, ns->path = path + 1;
	else
		return -EINVAL;
	if (ns->backend != NVSIM_NS_FILE && path)
		return -EINVAL;
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint64_t v;
	int opt;

	while ((opt = getopt_long(argc, argv, "t:a:s:n:c:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 1; /* done: exit 0 once stdout is flushed */
		case 't':
			if (strcmp(optarg, "rdma"))
				return fprintf(stderr, "nvmfsim target: --transport '%s': only rdma\n",
					       optarg), -1;
			break;
		case 'a': o->traddr = optarg; break;
		case 's': o->trsvcid = optarg; break;
		case 'n': o->nqn = optarg; break;
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
				return fprintf(stderr, "nvmfsim target: at most %d --allow-host\n",
					       MAX_HOSTS), -1;
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
		case 1006: o->provider = optarg; break;
		case 1007: o->device = optarg; break;
		case 'c': o->config = optarg; break;
		case 1008: {
			char err[160];

			if (o->nr_inject == 16)
				return fprintf(stderr, "nvmfsim target: at most 16 --inject\n"), -1;
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
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "nvmfsim target: unexpected argument '%s'\n", argv[optind]), -1;
	if (o->config && (o->traddr || o->nr_ns || o->nr_hosts))
		return fprintf(stderr, "nvmfsim target: --config describes ports, namespaces and "
				       "hosts: drop -a, --ns and --allow-host\n"), -1;
	if (!o->traddr && !o->config)
		return fprintf(stderr, "nvmfsim target: -a/--traddr (or --config) is required\n"), -1;
	for (unsigned int i = 0; i < o->nr_ns; i++) {
		struct nvsim_ns_config ns;

		if (parse_ns(o->ns[i], o->lba_size, &ns))
			return fprintf(stderr, "nvmfsim target: --ns '%s': want ram:SIZE, null:SIZE "
					       "or file:SIZE:PATH, SIZE a multiple of %u\n",
				       o->ns[i], o->lba_size), -1;
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

	if (ret)
		return fprintf(stderr, "nvmfsim target: --nqn '%s' is not a valid NQN\n", o->nqn),
		       ret;
	for (unsigned int i = 0; i < o->nr_hosts; i++)
		if (nvsim_subsys_allow_host(s, o->hosts[i]))
			return fprintf(stderr, "nvmfsim target: --allow-host '%s' is not a valid NQN\n",
				       o->hosts[i]), -EINVAL;
	for (unsigned int i = 0; i < (o->nr_ns ? o->nr_ns : 1); i++) {
		struct nvsim_ns_config ns;

		parse_ns(o->nr_ns ? o->ns[i] : "ram:1G", o->lba_size, &ns); /* checked in parse */
		ret = nvsim_subsys_add_ns(s, i + 1, &ns);
		if (ret)
			return fprintf(stderr, "nvmfsim target: namespace %u: %s\n", i + 1,
				       strerror(-ret)), ret;
	}
	ret = nvsim_port_add(t, &pc, port);
	if (!ret)
		ret = nvsim_port_add_subsys(*port, s);
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

static struct nvsim_target *new_target(const struct target_opts *o)
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
	ret = nvsim_target_create(&tc, &t);
	if (ret) {
		fprintf(stderr, "nvmfsim target: %s\n", strerror(-ret));
		return NULL;
	}
	return t;
}

static int listen_port(const struct target_opts *o, struct nvsim_target *t,
		       struct nvsim_port *port, const char *addr, struct nvsim_rdma_target **rt)
{
	struct nvsim_rdma_target_config rc;
	int ret;

	nvsim_rdma_target_config_init(&rc);
	rc.provider = o->provider;
	rc.device = o->device;
	rc.addr = addr;
	ret = nvsim_rdma_target_start(t, port, &rc, rt);
	if (ret == -ENODEV)
		fprintf(stderr, "nvmfsim target: no RDMA device (provider %s): load rdma_rxe or "
				"siw on a netdev, or use an RNIC\n", o->provider);
	else if (ret)
		fprintf(stderr, "nvmfsim target: listen on %s: %s\n", addr, strerror(-ret));
	else
		printf("nvmfsim target: listening on rdma %s\n", addr);
	return ret;
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
	static struct cli_config cfg;
	struct nvsim_target *t;
	struct nvsim_port *port = NULL;
	unsigned int nr_rt = 0;
	char err[512];
	int rc_exit = CLI_EXIT_FAIL, ret;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	t = new_target(&o);
	if (!t)
		return CLI_EXIT_FAIL;
	if (o.config) {
		if (cli_config_load(o.config, o.lba_size, t, &cfg, err, sizeof(err))) {
			fprintf(stderr, "nvmfsim target: --config %s\n", err);
			goto out;
		}
	} else {
		if (build(&o, t, &port))
			goto out;
		cfg.nr_ports = 1;
		cfg.ports[0].port = port;
		cfg.ports[0].rdma = true;
		snprintf(cfg.ports[0].addr, sizeof(cfg.ports[0].addr), "%s%s%s:%s",
			 strchr(o.traddr, ':') ? "[" : "", o.traddr, strchr(o.traddr, ':') ? "]" : "",
			 o.trsvcid);
	}
	for (unsigned int i = 0; i < o.nr_inject; i++)
		if (nvsim_target_inject_add(t, &o.inject[i])) {
			fprintf(stderr, "nvmfsim target: too many --inject rules\n");
			goto out;
		}
	for (unsigned int i = 0; i < cfg.nr_ports; i++) {
		if (!cfg.ports[i].rdma) {
			printf("nvmfsim target: port %u is not rdma: listed in discovery, not served\n",
			       i);
			continue;
		}
		if (listen_port(&o, t, cfg.ports[i].port, cfg.ports[i].addr, &rts[nr_rt]))
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
