/* ns_ram_bench: what Dataset Management deallocate, Write Zeroes and Verify
 * cost on the sparse RAM namespace, through the controller's submit path
 * exactly as a host's commands arrive (no transport).  Each figure is also
 * given as a multiple of the time this process takes to memcpy 1 MiB, so
 * that figures from different machines compare.  A benchmark, not a test:
 * run it by hand on a quiet machine (docs/performance.md).
 *
 *   ns_ram_bench [--max-chunks N]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nvme/types.h>

#include "ctrl/ctrl.h"
#include "spec/cqe.h"
#include "spec/sqe.h"
#include "spec/status.h"

#define TIB (1ull << 40)
#define RANGES 256u
#define SQE_FLAGS_SGL 0x40u /* PSDT 01b, what fabrics hosts send */
#define CC_READY (1u | 6u << NVME_CC_IOSQES_SHIFT | 4u << NVME_CC_IOCQES_SHIFT)

struct bench {
	struct nvsim_ctrl *ctrl;
	uint16_t cid;
	unsigned done;
	uint16_t status;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "ns_ram_bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void on_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct bench *b = arg;

	b->done++;
	b->status = nvsim_cqe_status_field(cqe);
}

static struct nvsim_sqe sqe_new(struct bench *b, uint8_t opcode, uint32_t nsid)
{
	struct nvsim_sqe s;

	memset(&s, 0, sizeof(s));
	s.opcode = opcode;
	s.flags = SQE_FLAGS_SGL;
	s.cid = htole16(b->cid++);
	s.nsid = htole32(nsid);
	return s;
}

/* Submit one command and insist on its success: a figure for a failing
 * command would measure the wrong thing. */
static void run(struct bench *b, uint16_t qid, const struct nvsim_sqe *s, void *buf, size_t len)
{
	struct nvsim_iov iov;
	struct nvsim_data data;
	char name[128];
	int ret;

	if (buf)
		nvsim_data_init_flat(&data, &iov, buf, len);
	b->done = 0;
	ret = nvsim_ctrl_submit(b->ctrl, qid, s, buf ? &data : NULL, on_done, b);
	if (ret)
		die("submit", ret);
	if (b->done != 1 || b->status) {
		nvsim_status_describe(b->status, false, name, sizeof(name));
		fprintf(stderr, "ns_ram_bench: opcode 0x%02x answered %s (done %u)\n", s->opcode,
			name, b->done);
		exit(1);
	}
}

static void bench_start(struct bench *b)
{
	struct nvsim_ctrl_config cfg;
	struct nvsim_sqe s;
	uint16_t loc;
	int ret;

	memset(b, 0, sizeof(*b));
	nvsim_ctrl_config_init(&cfg);
	ret = nvsim_ctrl_create(&cfg, &b->ctrl);
	if (ret)
		die("nvsim_ctrl_create", ret);
	if (nvsim_ctrl_prop_set(b->ctrl, NVME_REG_CC, 4, CC_READY, &loc) ||
	    !nvsim_ctrl_ready(b->ctrl))
		die("enable", EIO);
	s = sqe_new(b, nvme_admin_set_features, 0);
	s.cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES);
	run(b, 0, &s, NULL, 0);
	ret = nvsim_ctrl_add_io_queue(b->ctrl, 1, 1023);
	if (ret)
		die("nvsim_ctrl_add_io_queue", ret);
}

static void bench_add_ns(struct bench *b, uint32_t nsid, uint64_t size, uint32_t lba,
			 uint64_t mem_limit)
{
	struct nvsim_ns_config ns = {
		.backend = NVSIM_NS_RAM,
		.size_bytes = size,
		.lba_size = lba,
		.mem_limit_bytes = mem_limit,
	};
	int ret = nvsim_ctrl_add_ns(b->ctrl, nsid, &ns);

	if (ret)
		die("nvsim_ctrl_add_ns", ret);
}

static struct nvsim_ns_usage usage_of(struct bench *b, uint32_t nsid)
{
	struct nvsim_ns_usage u;
	int ret = nvsim_ctrl_ns_usage(b->ctrl, nsid, &u);

	if (ret)
		die("nvsim_ctrl_ns_usage", ret);
	return u;
}

static uint64_t chunks_held(struct bench *b, uint32_t nsid)
{
	return usage_of(b, nsid).chunks;
}

static void expect_chunks(struct bench *b, uint32_t nsid, uint64_t want, const char *after)
{
	uint64_t got = chunks_held(b, nsid);

	if (got != want) {
		fprintf(stderr, "ns_ram_bench: after %s the namespace holds %" PRIu64
				" chunks, expected %" PRIu64 "\n",
			after, got, want);
		exit(1);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/* ---- the yardstick -------------------------------------------------------- */

static uint8_t *copy_src, *copy_dst;

/* Median over 31 batches of the mean time of one 1 MiB memcpy. */
static double memcpy_1mib_ns(void)
{
	enum { MIB = 1 << 20, BATCHES = 31, PER_BATCH = 64 };
	uint64_t t[BATCHES];
	unsigned sum = 0;

	copy_src = malloc(MIB);
	copy_dst = malloc(MIB);
	if (!copy_src || !copy_dst)
		die("malloc", ENOMEM);
	for (size_t i = 0; i < MIB; i++)
		copy_src[i] = (uint8_t)(i * 131u);
	memcpy(copy_dst, copy_src, MIB); /* fault both in */
	for (unsigned k = 0; k < BATCHES; k++) {
		uint64_t t0 = now_ns();

		for (unsigned i = 0; i < PER_BATCH; i++) {
			copy_src[i] ^= 1; /* each copy has new data: nothing to elide */
			memcpy(copy_dst, copy_src, MIB);
			sum += copy_dst[i * 4099u % MIB];
		}
		t[k] = (now_ns() - t0) / PER_BATCH;
	}
	if (sum == 0xffffffffu)
		puts(""); /* keeps the copies observable */
	return (double)median(t, BATCHES);
}

/* ---- figures --------------------------------------------------------------- */

static double yard; /* ns per 1 MiB memcpy: the unit of every ratio */

static void report(const char *name, double ns, const char *detail)
{
	const char *unit = "ns";
	double v = ns;

	if (ns >= 1e9) {
		v = ns / 1e9;
		unit = "s";
	} else if (ns >= 1e6) {
		v = ns / 1e6;
		unit = "ms";
	} else if (ns >= 1e3) {
		v = ns / 1e3;
		unit = "us";
	}
	printf("%-44s %10.2f %-2s  %10.3f x memcpy 1 MiB   %s\n", name, v, unit, ns / yard, detail);
}

static struct nvme_dsm_range ranges[RANGES];

static struct nvsim_sqe dsm_sqe(struct bench *b, uint32_t nsid, unsigned nr)
{
	struct nvsim_sqe s = sqe_new(b, nvme_cmd_dsm, nsid);
	struct nvsim_sqe_dsm *d = (struct nvsim_sqe_dsm *)&s;

	d->nr = (uint8_t)(nr - 1);
	d->attributes = htole32(NVSIM_DSM_ATTR_DEALLOCATE);
	return s;
}

/* One DSM of 256 ranges of nlb blocks each from LBA 0, median of reps. */
static double dsm_256_empty(struct bench *b, uint32_t nsid, uint32_t nlb, unsigned reps)
{
	uint64_t *t = calloc(reps, sizeof(*t)), med;

	if (!t)
		die("calloc", ENOMEM);
	for (unsigned i = 0; i < RANGES; i++)
		ranges[i] = (struct nvme_dsm_range){ .nlb = htole32(nlb), .slba = 0 };
	for (unsigned k = 0; k < reps; k++) {
		struct nvsim_sqe s = dsm_sqe(b, nsid, RANGES);
		uint64_t t0 = now_ns();

		run(b, 1, &s, ranges, sizeof(ranges));
		t[k] = now_ns() - t0;
	}
	expect_chunks(b, nsid, 0, "DSM on the empty namespace");
	med = median(t, reps);
	free(t);
	return (double)med;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Fill n distinct 4 KiB chunks of a 4 KiB-LBA namespace, scattered over it
 * (seeded) or in one run from LBA 0. */
static void write_chunks(struct bench *b, uint32_t nsid, uint64_t nlb, uint64_t n, bool scatter)
{
	static uint8_t buf[4096];
	uint64_t seed = 0xbe7c4ull, before = chunks_held(b, nsid);

	memset(buf, 0xa5, sizeof(buf));
	for (uint64_t i = 0; chunks_held(b, nsid) < before + n; i++) {
		struct nvsim_sqe s = sqe_new(b, nvme_cmd_write, nsid);
		struct nvsim_sqe_rw *rw = (struct nvsim_sqe_rw *)&s;

		rw->slba = htole64(scatter ? splitmix64(&seed) % nlb : i);
		rw->nlb = 0;
		run(b, 1, &s, buf, sizeof(buf));
	}
}

/* One DSM whose single range covers the whole namespace, over n chunks
 * written first; median of three.  *index: the index's bytes with the n
 * chunks held. */
static double dsm_over_chunks(struct bench *b, uint32_t nsid, uint64_t nlb, uint64_t n,
			      bool scatter, uint64_t *index)
{
	uint64_t t[3];

	for (unsigned k = 0; k < 3; k++) {
		struct nvsim_sqe s = dsm_sqe(b, nsid, 1);
		uint64_t t0;

		write_chunks(b, nsid, nlb, n, scatter);
		*index = usage_of(b, nsid).index_bytes;
		ranges[0] = (struct nvme_dsm_range){ .nlb = htole32((uint32_t)nlb), .slba = 0 };
		t0 = now_ns();
		run(b, 1, &s, ranges, sizeof(ranges[0]));
		t[k] = now_ns() - t0;
		expect_chunks(b, nsid, 0, "DSM over the whole namespace");
	}
	return (double)median(t, 3);
}

/* Write Zeroes or Verify of a whole 4 KiB-LBA namespace, 65536 blocks (the
 * most NLB names) per command. */
static double range_pass(struct bench *b, uint32_t nsid, uint64_t nlb, uint8_t opcode,
			 uint64_t *cmds)
{
	uint64_t t0 = now_ns();

	*cmds = 0;
	for (uint64_t slba = 0; slba < nlb; slba += 65536) {
		struct nvsim_sqe s = sqe_new(b, opcode, nsid);
		struct nvsim_sqe_rw *rw = (struct nvsim_sqe_rw *)&s;

		rw->slba = htole64(slba);
		rw->nlb = htole16(0xffff);
		run(b, 1, &s, NULL, 0);
		(*cmds)++;
	}
	return (double)(now_ns() - t0);
}

static void print_machine(void)
{
	char line[256], model[256] = "unknown";
	unsigned cpus = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "processor", 9))
			cpus++;
		if (!strncmp(line, "model name", 10) && colon && !strcmp(model, "unknown")) {
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = 0;
		}
	}
	if (f)
		fclose(f);
	printf("machine: %s, %u logical CPUs in /proc/cpuinfo, %ld online\n", model, cpus,
	       sysconf(_SC_NPROCESSORS_ONLN));
#ifndef __OPTIMIZE__
	printf("warning: built without optimisation; figures are not representative\n");
#endif
}

static uint64_t parse_args(int argc, char **argv)
{
	uint64_t max = 262144; /* the default 1 GiB memory cap, all in chunks */
	char *end;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-chunks") && i + 1 < argc) {
			max = strtoull(argv[++i], &end, 0);
			if (*end || max < 1024 || max > 262144) {
				fprintf(stderr, "ns_ram_bench: --max-chunks %s: 1024..262144\n",
					argv[i]);
				exit(2);
			}
			continue;
		}
		fprintf(stderr, "usage: ns_ram_bench [--max-chunks N (1024..262144)]\n");
		exit(2);
	}
	return max;
}

static void figures_empty(struct bench *b)
{
	report("dsm 256 x 2^31 blocks, empty 1 TiB", dsm_256_empty(b, 1, 1u << 31, 1001),
	       "(512 B LBAs: each range the whole namespace; median of 1001)");
	report("dsm 256 x (2^32-1) blocks, empty 2 TiB", dsm_256_empty(b, 2, 0xffffffffu, 1001),
	       "(512 B LBAs: the most a range names; median of 1001)");
}

static void figure_range_pass(struct bench *b, const char *name, uint8_t opcode)
{
	char detail[160];
	uint64_t cmds;
	double t = range_pass(b, 3, TIB / 4096, opcode, &cmds);

	snprintf(detail, sizeof(detail), "(4 KiB LBAs, %" PRIu64 " commands of 65536 blocks, "
		 "%.0f ns each)", cmds, t / (double)cmds);
	report(name, t, detail);
	expect_chunks(b, 3, 0, name);
}

static void figure_dealloc(struct bench *b, uint64_t n, bool scatter)
{
	char name[64], detail[160];
	uint64_t index;
	double t = dsm_over_chunks(b, 4, TIB / 4096, n, scatter, &index);

	snprintf(name, sizeof(name), "dsm 1 TiB over %" PRIu64 " chunks, %s", n,
		 scatter ? "scattered" : "one run");
	snprintf(detail, sizeof(detail),
		 "(%.1f ns per chunk freed; index %.1f%% of the chunks; median of 3)",
		 t / (double)n, 100.0 * (double)index / (double)(n * 4096));
	report(name, t, detail);
}

int main(int argc, char **argv)
{
	uint64_t max_chunks = parse_args(argc, argv);
	struct bench b;

	print_machine();
	yard = memcpy_1mib_ns();
	printf("memcpy 1 MiB: %.2f us (%.2f GB/s); ratios below are figure / this\n\n",
	       yard / 1e3, (double)(1 << 20) / yard);

	bench_start(&b);
	bench_add_ns(&b, 1, TIB, 512, 0);     /* 2^31 blocks */
	bench_add_ns(&b, 2, 2 * TIB, 512, 0); /* 2^32 blocks */
	bench_add_ns(&b, 3, TIB, 4096, 0);    /* Write Zeroes, Verify */
	bench_add_ns(&b, 4, TIB, 4096, 0);    /* chunks to deallocate */

	figures_empty(&b);
	figure_range_pass(&b, "write zeroes 1 TiB, empty", nvme_cmd_write_zeroes);
	figure_range_pass(&b, "verify 1 TiB", nvme_cmd_verify);
	for (uint64_t n = 1024; n < max_chunks; n *= 16)
		figure_dealloc(&b, n, true);
	figure_dealloc(&b, max_chunks, true);
	figure_dealloc(&b, max_chunks, false);
	nvsim_ctrl_destroy(b.ctrl);
	free(copy_src);
	free(copy_dst);
	return 0;
}
