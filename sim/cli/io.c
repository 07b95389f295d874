/* nvmfsim io: write a pattern, read it back and verify it, over N I/O
 * queues with D commands in flight on each; reports IOPS, bandwidth and
 * latency percentiles per phase.  Figures are measurements of this run on
 * this machine, never pass/fail criteria. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"

struct io_opts {
	uint16_t queues;
	uint32_t depth; /* up to 65536: a queue of 64Ki entries */
	uint64_t size;
	uint64_t block;
	uint32_t nsid;
};

struct slot {
	struct nvsim_hcmd cmd;
	uint8_t *buf;
	uint64_t block;
	uint64_t t0;
	bool busy;
};

struct phase {
	const char *name;
	bool write;
	uint64_t *lat_ns;
	uint64_t done, errors, mismatches;
	uint64_t elapsed_ns;
};

struct run {
	struct cli_session *s;
	struct io_opts o;
	uint64_t seed;
	uint32_t lba_size;
	uint64_t nblocks;
	struct slot *slots; /* queues x depth */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim io [options]\n\n"
		     "Writes a seeded pattern over --size bytes of a namespace, reads it back\n"
		     "and verifies every byte, with --depth commands in flight on each of\n"
		     "--queues I/O queues.  Without -a it runs against the embedded simulator.\n\n"
		     "  -Q, --queues N          I/O queues (default 4)\n"
		     "  -D, --depth N           commands in flight per queue, 1 to 65536\n"
		     "                          (default 32)\n"
		     "  -S, --size BYTES        bytes to write and verify, a multiple of --block\n"
		     "                          (default 64M); BYTES: 512, 4k, 64M, 1G, 1T\n"
		     "  -B, --block BYTES       bytes per command, a multiple of the LBA size\n"
		     "                          (default 128k)\n"
		     "  -N, --namespace-id N    namespace (default 1)\n\n");
	cli_conn_help(out);
}

static void fill_block(uint8_t *buf, size_t len, uint64_t seed, uint64_t block)
{
	uint64_t x = (seed ^ (block * 0x9e3779b97f4a7c15ull)) | 1;

	for (size_t i = 0; i < len; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, len - i < 8 ? len - i : 8);
	}
}

static int start(struct run *r, uint16_t qid, struct slot *sl, uint64_t block, bool write)
{
	struct nvsim_sqe sqe = { .opcode = write ? nvme_cmd_write : nvme_cmd_read,
				 .nsid = htole32(r->o.nsid) };
	struct nvsim_sqe_rw *rw = (void *)&sqe;
	uint64_t lbas = r->o.block / r->lba_size;

	rw->slba = htole64(block * lbas);
	rw->nlb = htole16((uint16_t)(lbas - 1));
	if (write)
		fill_block(sl->buf, r->o.block, r->seed, block);
	sl->block = block;
	sl->t0 = now_ns();
	sl->busy = true;
	return nvsim_hq_start(nvsim_host_io(r->s->host, qid), &sqe, sl->buf, r->o.block,
			      write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H, &sl->cmd);
}

static void finish(struct run *r, struct phase *ph, struct slot *sl)
{
	ph->lat_ns[ph->done++] = now_ns() - sl->t0;
	sl->busy = false;
	if (nvsim_cqe_status_field(&sl->cmd.cqe)) {
		ph->errors++;
		return;
	}
	if (!ph->write) {
		uint8_t *want = malloc(r->o.block);

		if (!want) {
			ph->errors++;
			return;
		}
		fill_block(want, r->o.block, r->seed, sl->block);
		if (memcmp(want, sl->buf, r->o.block))
			ph->mismatches++;
		free(want);
	}
}

static int run_phase(struct run *r, struct phase *ph)
{
	uint64_t next = 0, t0 = now_ns();

	while (ph->done < r->nblocks) {
		for (uint16_t q = 0; q < r->o.queues; q++) {
			for (uint32_t d = 0; d < r->o.depth; d++) {
				struct slot *sl = &r->slots[(size_t)q * r->o.depth + d];
				int ret;

				if (sl->busy) {
					ret = nvsim_hq_reap(nvsim_host_io(r->s->host, q + 1),
							    &sl->cmd);
					if (ret == -EAGAIN)
						continue;
					if (ret) {
						fprintf(stderr, "nvmfsim io: queue %u: %s\n", q + 1,
							nvsim_hq_why_dead(nvsim_host_io(r->s->host, q + 1)));
						return ret;
					}
					finish(r, ph, sl);
				}
				if (next < r->nblocks) {
					ret = start(r, q + 1, sl, next++, ph->write);
					if (ret) {
						fprintf(stderr, "nvmfsim io: queue %u: start: %s %s\n",
							q + 1, strerror(-ret),
							nvsim_hq_why_dead(nvsim_host_io(r->s->host, q + 1)));
						return ret;
					}
				}
			}
		}
		if (r->s->embedded)
			nvsim_embedded_poll(r->s->embedded);
	}
	ph->elapsed_ns = now_ns() - t0;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *sorted, uint64_t n, double p)
{
	uint64_t i = (uint64_t)(p / 100.0 * (double)(n - 1) + 0.5);

	return (double)sorted[i] / 1000.0;
}

static void report(const struct run *r, struct phase *ph, struct json_object *root)
{
	double secs = (double)ph->elapsed_ns / 1e9;
	double iops = (double)ph->done / secs, mibs = (double)(ph->done * r->o.block) / secs / 1048576.0;

	qsort(ph->lat_ns, ph->done, sizeof(uint64_t), cmp_u64);
	if (root) {
		struct json_object *j = json_object_new_object();

		json_object_object_add(j, "commands", json_object_new_uint64(ph->done));
		json_object_object_add(j, "errors", json_object_new_uint64(ph->errors));
		json_object_object_add(j, "mismatches", json_object_new_uint64(ph->mismatches));
		json_object_object_add(j, "seconds", json_object_new_double(secs));
		json_object_object_add(j, "iops", json_object_new_double(iops));
		json_object_object_add(j, "mib_per_s", json_object_new_double(mibs));
		json_object_object_add(j, "lat_p50_us", json_object_new_double(pct_us(ph->lat_ns, ph->done, 50)));
		json_object_object_add(j, "lat_p99_us", json_object_new_double(pct_us(ph->lat_ns, ph->done, 99)));
		json_object_object_add(j, "lat_p999_us", json_object_new_double(pct_us(ph->lat_ns, ph->done, 99.9)));
		json_object_object_add(j, "lat_max_us", json_object_new_double(pct_us(ph->lat_ns, ph->done, 100)));
		json_object_object_add(root, ph->name, j);
		return;
	}
	printf("%-6s %llu commands, %llu errors, %llu mismatches, %.3f s, %.0f IOPS, %.1f MiB/s, "
	       "latency us p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
	       ph->name, (unsigned long long)ph->done, (unsigned long long)ph->errors,
	       (unsigned long long)ph->mismatches, secs, iops, mibs, pct_us(ph->lat_ns, ph->done, 50),
	       pct_us(ph->lat_ns, ph->done, 99), pct_us(ph->lat_ns, ph->done, 99.9),
	       pct_us(ph->lat_ns, ph->done, 100));
}

static int parse_io_opt(struct io_opts *io, int opt, const char *arg)
{
	char err[160] = "";
	uint64_t v;

	switch (opt) {
	case 'Q':
		if (cli_parse_u64(arg, 65535, &v) || !v)
			return fprintf(stderr, "nvmfsim io: --queues '%s': 1 to 65535\n", arg), -1;
		io->queues = (uint16_t)v;
		return 1;
	case 'D':
		if (cli_parse_u64(arg, 65536, &v) || !v)
			return fprintf(stderr, "nvmfsim io: --depth '%s': 1 to 65536\n", arg), -1;
		io->depth = (uint32_t)v;
		return 1;
	case 'S':
		if (cli_parse_size_multiple(arg, 0, &io->size, err, sizeof(err)))
			return fprintf(stderr, "nvmfsim io: --size %s\n", err), -1;
		if (!io->size)
			return fprintf(stderr, "nvmfsim io: --size 0: at least one block\n"), -1;
		return 1;
	case 'B':
		if (cli_parse_size_multiple(arg, 0, &io->block, err, sizeof(err)))
			return fprintf(stderr, "nvmfsim io: --block %s\n", err), -1;
		if (!io->block || io->block > (16u << 20))
			return fprintf(stderr, "nvmfsim io: --block '%s': 1 to 16M\n", arg), -1;
		return 1;
	case 'N':
		if (cli_parse_u64(arg, 0xfffffffeu, &v) || !v)
			return fprintf(stderr, "nvmfsim io: --namespace-id '%s'\n", arg), -1;
		io->nsid = (uint32_t)v;
		return 1;
	default:
		return 0;
	}
}

/* Returns 0, CLI_EXIT_FAIL (the target) or CLI_EXIT_USAGE (options that do
 * not fit this namespace). */
static int setup(struct run *r, const struct cli_conn_opts *co)
{
	struct nvsim_host_status st;
	_Alignas(8) uint8_t idns[4096];
	const struct nvme_id_ns *ns = (const void *)idns;
	char msg[256];
	uint64_t cap, nsze, capacity;
	uint8_t ds;

	if (nvsim_host_nr_io_queues(r->s->host) < r->o.queues) {
		fprintf(stderr, "nvmfsim io: the target granted %u I/O queues, %u asked\n",
			nvsim_host_nr_io_queues(r->s->host), r->o.queues);
		return CLI_EXIT_FAIL;
	}
	/* The host asks for --depth entries but takes what CAP.MQES allows:
	 * more commands than that in flight would fail mid-run. */
	if (nvsim_host_prop_get(nvsim_host_admin(r->s->host), NVME_REG_CAP, true, &cap, &st)) {
		fprintf(stderr, "nvmfsim io: Property Get CAP: %s\n",
			nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return CLI_EXIT_FAIL;
	}
	if (r->o.depth > NVME_CAP_MQES(cap) + 1) {
		fprintf(stderr, "nvmfsim io: --depth %u is more than the target's queues hold "
			"(CAP.MQES + 1 = %llu)\n", r->o.depth,
			(unsigned long long)NVME_CAP_MQES(cap) + 1);
		return CLI_EXIT_USAGE;
	}
	if (nvsim_host_identify(r->s->host, NVME_IDENTIFY_CNS_NS, r->o.nsid, idns, &st)) {
		fprintf(stderr, "nvmfsim io: Identify Namespace %u: %s\n", r->o.nsid,
			nvsim_host_status_str(&st, false, msg, sizeof(msg)));
		return CLI_EXIT_FAIL;
	}
	nsze = le64toh(ns->nsze);
	if (!nsze) {
		fprintf(stderr, "nvmfsim io: namespace %u is inactive (Identify Namespace returned "
			"zeroed data: NSZE 0)\n", r->o.nsid);
		return CLI_EXIT_FAIL;
	}
	/* LBADS below 9 is not supported (NVM Command Set 1.0 §4.1.5.1 (approx.)). */
	ds = ns->lbaf[ns->flbas & 0xf].ds;
	if (ds < 9 || ds > 31 || nsze > UINT64_MAX >> ds) {
		fprintf(stderr, "nvmfsim io: namespace %u reports LBADS %u and NSZE %llu: not a "
			"usable format\n", r->o.nsid, ds, (unsigned long long)nsze);
		return CLI_EXIT_FAIL;
	}
	r->lba_size = 1u << ds;
	capacity = nsze << ds;
	if (r->o.block % r->lba_size || r->o.block / r->lba_size > 65536) {
		fprintf(stderr, "nvmfsim io: --block %llu must be a multiple of the %u-byte LBA, "
			"at most 65536 LBAs\n", (unsigned long long)r->o.block, r->lba_size);
		return CLI_EXIT_USAGE;
	}
	if (r->o.size > capacity) {
		fprintf(stderr, "nvmfsim io: --size %llu exceeds the namespace's %llu bytes\n",
			(unsigned long long)r->o.size, (unsigned long long)capacity);
		return CLI_EXIT_USAGE;
	}
	r->nblocks = r->o.size / r->o.block;
	r->seed = co->seed;
	r->slots = calloc((size_t)r->o.queues * r->o.depth, sizeof(*r->slots));
	for (size_t i = 0; r->slots && i < (size_t)r->o.queues * r->o.depth; i++)
		if (!(r->slots[i].buf = malloc(r->o.block))) {
			fprintf(stderr, "nvmfsim io: out of memory for %u x %u buffers of %llu "
				"bytes\n", r->o.queues, r->o.depth, (unsigned long long)r->o.block);
			return CLI_EXIT_FAIL;
		}
	if (!r->slots) {
		fprintf(stderr, "nvmfsim io: out of memory for %u x %u commands\n", r->o.queues,
			r->o.depth);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

int cmd_io(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_CONN_LONGOPTS,
		{ "queues", required_argument, NULL, 'Q' },
		{ "depth", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 'S' },
		{ "block", required_argument, NULL, 'B' },
		{ "namespace-id", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cli_conn_opts co;
	struct cli_session s;
	struct run r = { .s = &s, .o = { 4, 32, 64ull << 20, 128u << 10, 1 } };
	struct phase ph[2] = { { .name = "write", .write = true }, { .name = "read" } };
	struct json_object *root = NULL;
	char nqn[64];
	int opt, ret, rc = CLI_EXIT_FAIL;

	cli_conn_opts_init(&co);
	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "Q:D:S:B:N:h", longopts, NULL)) !=
	       -1) {
		if (opt == 'h') {
			usage(stdout);
			return CLI_EXIT_OK;
		}
		ret = parse_io_opt(&r.o, opt, optarg);
		if (!ret)
			ret = cli_conn_opt(&co, "nvmfsim io", opt, optarg);
		if (ret <= 0) {
			if (!ret)
				usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nvmfsim io: unexpected argument '%s'\n", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (!co.nqn && co.traddr) {
		fprintf(stderr, "nvmfsim io: -n/--nqn is required with -a/--traddr\n");
		return CLI_EXIT_USAGE;
	}
	/* Every block written is read back: a tail shorter than --block would
	 * silently go unverified. */
	if (r.o.size % r.o.block) {
		fprintf(stderr, "nvmfsim io: --size %llu is not a multiple of --block %llu\n",
			(unsigned long long)r.o.size, (unsigned long long)r.o.block);
		return CLI_EXIT_USAGE;
	}
	if (cli_conn_check(&co, "nvmfsim io"))
		return CLI_EXIT_USAGE;
	co.io_depth = r.o.depth;
	snprintf(nqn, sizeof(nqn), NVSIM_EMBEDDED_NQN_FMT, 0u);
	if (cli_session_open(&co, "nvmfsim io", co.nqn ? co.nqn : nqn, r.o.queues, &s))
		return CLI_EXIT_FAIL;
	ret = setup(&r, &co);
	if (ret) {
		rc = ret;
		goto out;
	}
	if (!co.json)
		printf("nvmfsim io: seed %llu, %u queues x depth %u, %llu x %llu-byte commands "
		       "per phase, LBA %u bytes\n",
		       (unsigned long long)r.seed, r.o.queues, r.o.depth,
		       (unsigned long long)r.nblocks, (unsigned long long)r.o.block, r.lba_size);
	root = co.json ? json_object_new_object() : NULL;
	for (int p = 0; p < 2; p++) {
		ph[p].lat_ns = calloc(r.nblocks ? r.nblocks : 1, sizeof(uint64_t));
		if (!ph[p].lat_ns || run_phase(&r, &ph[p])) {
			fprintf(stderr, "nvmfsim io: %s phase: the queue failed\n", ph[p].name);
			goto out;
		}
		report(&r, &ph[p], root);
	}
	if (root)
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	rc = ph[0].errors || ph[1].errors || ph[1].mismatches ? CLI_EXIT_FAIL : CLI_EXIT_OK;
	if (rc && !co.json)
		fprintf(stderr, "nvmfsim io: verification FAILED\n");
out:
	json_object_put(root);
	for (size_t i = 0; r.slots && i < (size_t)r.o.queues * r.o.depth; i++)
		free(r.slots[i].buf);
	free(r.slots);
	free(ph[0].lat_ns);
	free(ph[1].lat_ns);
	cli_session_close(&s);
	return rc;
}
