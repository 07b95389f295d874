/* ns_ram_bench: what Dataset Management deallocate, Write Zeroes and Verify
 * cost on the sparse RAM namespace, and what holding commands in the
 * delayed heap costs, through the controller's submit path exactly as a
 * host's commands arrive (no transport).  Each figure is also given as a
 * multiple of the time this process takes to memcpy 1 MiB, measured next
 * to it: every repetition times the memcpy loop, then the figure, and the
 * ratio is the median of the repetitions' own ratios, so that load which
 * slows both cancels out and figures from different machines compare.  A
 * benchmark, not a test: run it by hand on a quiet machine
 * (docs/performance.md).
 *
 *   ns_ram_bench [--max-chunks N] [--reps N]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <nvme/types.h>

#include "ctrl/ctrl.h"
#include "spec/cqe.h"
#include "spec/sqe.h"
#include "spec/status.h"

#define TIB (1ull << 40)
#define MIB (1u << 20)
#define RANGES 256u
#define SQE_FLAGS_SGL 0x40u /* PSDT 01b, what fabrics hosts send */
#define CC_READY (1u | 6u << NVME_CC_IOSQES_SHIFT | 4u << NVME_CC_IOCQES_SHIFT)
#define HOLD_QUEUES 64u
#define HOLD_DEPTH 1024u
#define NSID_SLOW_1MS 5u
#define NSID_SLOW_5MS 6u
#define NSID_FAST 7u

struct bench {
	struct nvsim_ctrl *ctrl;
	uint64_t clock_ns; /* the controller's clock: only held commands read it */
	uint16_t cid;
	unsigned done;
	uint16_t status;
	unsigned reps;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t bench_clock(void *ctx)
{
	return ((const struct bench *)ctx)->clock_ns;
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
	if (nvsim_cqe_status_field(cqe))
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

static void submit(struct bench *b, uint16_t qid, const struct nvsim_sqe *s, void *buf, size_t len)
{
	struct nvsim_iov iov;
	struct nvsim_data data;
	int ret;

	if (buf)
		nvsim_data_init_flat(&data, &iov, buf, len);
	ret = nvsim_ctrl_submit(b->ctrl, qid, s, buf ? &data : NULL, on_done, b);
	if (ret)
		die("submit", ret);
}

/* A figure for a failing command would measure the wrong thing. */
static void expect_done(struct bench *b, unsigned want, const char *what)
{
	char name[128];

	if (b->done == want && !b->status)
		return;
	nvsim_status_describe(b->status, false, name, sizeof(name));
	fprintf(stderr, "ns_ram_bench: %s: %u of %u completions, status %s\n", what, b->done,
		want, name);
	exit(1);
}

/* Submit one command and insist on its success, now. */
static void run(struct bench *b, uint16_t qid, const struct nvsim_sqe *s, void *buf, size_t len)
{
	b->done = 0;
	b->status = 0;
	submit(b, qid, s, buf, len);
	expect_done(b, 1, "a command");
}

static void bench_add_ns(struct bench *b, uint32_t nsid, enum nvsim_ns_backend kind,
			 uint64_t size, uint32_t lba, uint64_t mem_limit, uint64_t latency_ns)
{
	struct nvsim_ns_config ns = {
		.backend = kind,
		.size_bytes = size,
		.lba_size = lba,
		.mem_limit_bytes = mem_limit,
		.latency_ns = latency_ns,
	};
	int ret = nvsim_ctrl_add_ns(b->ctrl, nsid, &ns);

	if (ret)
		die("nvsim_ctrl_add_ns", ret);
}

static void bench_start(struct bench *b, unsigned reps)
{
	struct nvsim_ctrl_config cfg;
	struct nvsim_sqe s;
	uint16_t loc;
	int ret;

	memset(b, 0, sizeof(*b));
	b->reps = reps;
	nvsim_ctrl_config_init(&cfg);
	cfg.clock = (struct nvsim_clock){ .now_ns = bench_clock, .ctx = b };
	ret = nvsim_ctrl_create(&cfg, &b->ctrl);
	if (ret)
		die("nvsim_ctrl_create", ret);
	if (nvsim_ctrl_prop_set(b->ctrl, NVME_REG_CC, 4, CC_READY, &loc) ||
	    !nvsim_ctrl_ready(b->ctrl))
		die("enable", EIO);
	s = sqe_new(b, nvme_admin_set_features, 0);
	s.cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES);
	s.cdw11 = htole32((HOLD_QUEUES - 1) << 16 | (HOLD_QUEUES - 1));
	run(b, 0, &s, NULL, 0);
	for (uint16_t q = 1; q <= HOLD_QUEUES; q++) {
		ret = nvsim_ctrl_add_io_queue(b->ctrl, q, HOLD_DEPTH - 1);
		if (ret)
			die("nvsim_ctrl_add_io_queue", ret);
	}
	bench_add_ns(b, 1, NVSIM_NS_RAM, TIB, 512, 0, 0);     /* 2^31 blocks */
	bench_add_ns(b, 2, NVSIM_NS_RAM, 2 * TIB, 512, 0, 0); /* 2^32 blocks */
	bench_add_ns(b, 3, NVSIM_NS_RAM, TIB, 4096, 0, 0);    /* Write Zeroes, Verify */
	/* chunks to deallocate: 1 GiB of chunks scattered over 1 TiB needs
	 * more index than the default cap allows for */
	bench_add_ns(b, 4, NVSIM_NS_RAM, TIB, 4096, 2ull << 30, 0);
	bench_add_ns(b, NSID_SLOW_1MS, NVSIM_NS_NULL, MIB, 512, 0, 1000000);
	bench_add_ns(b, NSID_SLOW_5MS, NVSIM_NS_NULL, MIB, 512, 0, 5000000);
	bench_add_ns(b, NSID_FAST, NVSIM_NS_NULL, MIB, 512, 0, 0);
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* ---- the yardstick -------------------------------------------------------- */

/* The working-set rule: one 1 MiB source and one 1 MiB destination,
 * allocated and faulted in once, copied whole every time. */
static uint8_t *copy_src, *copy_dst;
static unsigned copy_sum;

static void yardstick_init(void)
{
	copy_src = malloc(MIB);
	copy_dst = malloc(MIB);
	if (!copy_src || !copy_dst)
		die("malloc", ENOMEM);
	for (size_t i = 0; i < MIB; i++)
		copy_src[i] = (uint8_t)(i * 131u);
	memcpy(copy_dst, copy_src, MIB); /* fault both in */
}

/* The mean time of one 1 MiB memcpy over a batch of 16. */
static double memcpy_1mib_ns(void)
{
	enum { PER_BATCH = 16 };
	uint64_t t0 = now_ns();

	for (unsigned i = 0; i < PER_BATCH; i++) {
		copy_src[i] ^= 1; /* each copy has new data: nothing to elide */
		memcpy(copy_dst, copy_src, MIB);
		copy_sum += copy_dst[i * 4099u % MIB];
	}
	return (double)(now_ns() - t0) / PER_BATCH;
}

/* ---- figures --------------------------------------------------------------- */

/* One repetition of a figure: its time in ns, set-up excluded. */
typedef double (*once_fn)(struct bench *b, const void *arg);

struct figure {
	double ns;    /* median over the repetitions */
	double yard;  /* median memcpy 1 MiB next to them */
	double ratio; /* median of the repetitions' figure / memcpy */
};

static struct figure measure(struct bench *b, once_fn once, const void *arg)
{
	double *t = calloc(b->reps, sizeof(*t)), *y = calloc(b->reps, sizeof(*y));
	double *r = calloc(b->reps, sizeof(*r));
	struct figure f;

	if (!t || !y || !r)
		die("calloc", ENOMEM);
	for (unsigned k = 0; k < b->reps; k++) {
		y[k] = memcpy_1mib_ns();
		t[k] = once(b, arg);
		r[k] = t[k] / y[k];
	}
	f = (struct figure){ median(t, b->reps), median(y, b->reps), median(r, b->reps) };
	free(t);
	free(y);
	free(r);
	return f;
}

static void report(const char *name, struct figure f, const char *detail)
{
	const char *unit = "ns";
	double v = f.ns;

	if (f.ns >= 1e9) {
		v = f.ns / 1e9;
		unit = "s";
	} else if (f.ns >= 1e6) {
		v = f.ns / 1e6;
		unit = "ms";
	} else if (f.ns >= 1e3) {
		v = f.ns / 1e3;
		unit = "us";
	}
	printf("%-44s %9.2f %-2s %10.4g x memcpy (%5.1f us)  %s\n", name, v, unit, f.ratio,
	       f.yard / 1e3, detail);
	fflush(stdout);
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

struct dsm_empty {
	uint32_t nsid;
	uint32_t nlb;
};

/* The mean of 101 DSMs of 256 ranges of nlb blocks each from LBA 0. */
static double dsm_empty_once(struct bench *b, const void *arg)
{
	const struct dsm_empty *d = arg;
	enum { CMDS = 101 };
	uint64_t t0;

	for (unsigned i = 0; i < RANGES; i++)
		ranges[i] = (struct nvme_dsm_range){ .nlb = htole32(d->nlb), .slba = 0 };
	t0 = now_ns();
	for (unsigned k = 0; k < CMDS; k++) {
		struct nvsim_sqe s = dsm_sqe(b, d->nsid, RANGES);

		run(b, 1, &s, ranges, sizeof(ranges));
	}
	return (double)(now_ns() - t0) / CMDS;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void write_one(struct bench *b, uint32_t nsid, uint64_t slba, uint16_t *status)
{
	static uint8_t buf[4096];
	struct nvsim_sqe s = sqe_new(b, nvme_cmd_write, nsid);
	struct nvsim_sqe_rw *rw = (struct nvsim_sqe_rw *)&s;

	memset(buf, 0xa5, sizeof(buf));
	rw->slba = htole64(slba);
	rw->nlb = 0;
	b->done = 0;
	b->status = 0;
	submit(b, 1, &s, buf, sizeof(buf));
	*status = b->status;
}

/* Fill n distinct 4 KiB chunks of a 4 KiB-LBA namespace, scattered over it
 * (seeded) or in one run from LBA 0. */
static void write_chunks(struct bench *b, uint32_t nsid, uint64_t nlb, uint64_t n, bool scatter)
{
	uint64_t seed = 0xbe7c4ull, before = chunks_held(b, nsid);

	for (uint64_t i = 0; chunks_held(b, nsid) < before + n; i++) {
		uint16_t status;

		write_one(b, nsid, scatter ? splitmix64(&seed) % nlb : i, &status);
		if (status)
			expect_done(b, 1, "writing chunks to deallocate");
	}
}

struct dealloc {
	uint64_t chunks;
	bool scatter;
	uint64_t index; /* the index's bytes with the chunks held */
};

/* One DSM whose single range covers the whole namespace, over the chunks
 * written first (not timed). */
static double dealloc_once(struct bench *b, const void *arg)
{
	struct dealloc *d = (struct dealloc *)arg;
	struct nvsim_sqe s = dsm_sqe(b, 4, 1);
	uint64_t t0;

	write_chunks(b, 4, TIB / 4096, d->chunks, d->scatter);
	d->index = usage_of(b, 4).index_bytes;
	ranges[0] = (struct nvme_dsm_range){ .nlb = htole32((uint32_t)(TIB / 4096)), .slba = 0 };
	t0 = now_ns();
	run(b, 1, &s, ranges, sizeof(ranges[0]));
	t0 = now_ns() - t0;
	expect_chunks(b, 4, 0, "DSM over the whole namespace");
	return (double)t0;
}

/* Write Zeroes or Verify of a whole 4 KiB-LBA namespace, 65536 blocks (the
 * most NLB names) per command: 4096 commands. */
static double range_pass_once(struct bench *b, const void *arg)
{
	uint8_t opcode = *(const uint8_t *)arg;
	uint64_t t0 = now_ns();

	for (uint64_t slba = 0; slba < TIB / 4096; slba += 65536) {
		struct nvsim_sqe s = sqe_new(b, opcode, 3);
		struct nvsim_sqe_rw *rw = (struct nvsim_sqe_rw *)&s;

		rw->slba = htole64(slba);
		rw->nlb = htole16(0xffff);
		run(b, 1, &s, NULL, 0);
	}
	return (double)(now_ns() - t0) / 4096;
}

/* Verify commands on null namespaces, spread over the 64 queues: held
 * ones alternate between a 1 ms and a 5 ms namespace while the clock
 * moves 0.1 ms every 256 submissions (so each queue's commands lie all
 * over the heap), then one poll completes them all.  The time per
 * command, submission and completion, with n held at once; n 0: the same
 * commands on a namespace that holds nothing, for the baseline. */
static double held_once(struct bench *b, const void *arg)
{
	uint32_t n = *(const uint32_t *)arg, cmds = n ? n : HOLD_QUEUES * HOLD_DEPTH;
	uint64_t t0;
	int polled;

	b->done = 0;
	b->status = 0;
	t0 = now_ns();
	for (uint32_t i = 0; i < cmds; i++) {
		uint32_t nsid = !n ? NSID_FAST : i % 2 ? NSID_SLOW_5MS : NSID_SLOW_1MS;
		struct nvsim_sqe s = sqe_new(b, nvme_cmd_verify, nsid);

		if (i % 256 == 0)
			b->clock_ns += 100000;
		submit(b, (uint16_t)(1 + i % HOLD_QUEUES), &s, NULL, 0);
	}
	b->clock_ns += 10000000;
	polled = nvsim_ctrl_poll(b->ctrl);
	t0 = now_ns() - t0;
	if (n && (uint32_t)polled != cmds)
		die("poll", EIO);
	expect_done(b, cmds, "held commands");
	return (double)t0 / cmds;
}

static void figures_empty(struct bench *b)
{
	const struct dsm_empty one = { 1, 1u << 31 }, two = { 2, 0xffffffffu };

	report("dsm 256 x 2^31 blocks, empty 1 TiB", measure(b, dsm_empty_once, &one),
	       "(512 B LBAs: each range the whole namespace; mean of 101 commands)");
	expect_chunks(b, 1, 0, "DSM on the empty namespace");
	report("dsm 256 x (2^32-1) blocks, empty 2 TiB", measure(b, dsm_empty_once, &two),
	       "(512 B LBAs: the most a range names; mean of 101 commands)");
	expect_chunks(b, 2, 0, "DSM on the empty namespace");
}

static void figure_range_pass(struct bench *b, const char *name, uint8_t opcode)
{
	report(name, measure(b, range_pass_once, &opcode),
	       "(4 KiB LBAs: 4096 commands of 65536 blocks over 1 TiB; per command)");
	expect_chunks(b, 3, 0, name);
}

static void figure_dealloc(struct bench *b, uint64_t n, bool scatter)
{
	char name[64], detail[160];
	struct dealloc d = { .chunks = n, .scatter = scatter };
	struct figure f = measure(b, dealloc_once, &d);

	snprintf(name, sizeof(name), "dsm 1 TiB over %" PRIu64 " chunks, %s", n,
		 scatter ? "scattered" : "one run");
	snprintf(detail, sizeof(detail), "(%.1f ns per chunk freed; index %.1f%% of the chunks)",
		 f.ns / (double)n, 100.0 * (double)d.index / (double)(n * 4096));
	report(name, f, detail);
}

static void figure_held(struct bench *b, uint32_t n)
{
	char name[64], detail[160];

	if (n)
		snprintf(name, sizeof(name), "held command, %u held at once", n);
	else
		snprintf(name, sizeof(name), "command not held (baseline)");
	snprintf(detail, sizeof(detail), "(Verify on null namespaces over 64 queues; "
		 "submit + completion, per command)");
	report(name, measure(b, held_once, &n), detail);
}

/* How many 4 KiB chunks a 64 MiB cap holds, chunks and index together,
 * written three ways over 1 TiB: a count, not a time. */
static void capacity_row(const char *how, uint64_t step, bool scatter, struct bench *b,
			 uint32_t nsid)
{
	uint64_t seed = 0xca9ull, nlb = TIB / 4096;
	struct nvsim_ns_usage u;
	uint16_t status = 0;

	for (uint64_t i = 0; !status; i++)
		write_one(b, nsid, scatter ? splitmix64(&seed) % nlb : i * step % nlb, &status);
	u = usage_of(b, nsid);
	printf("64 MiB cap, 4 KiB writes %-22s %6" PRIu64 " chunks of 16384 (index %.1f%%, "
	       "%" PRIu64 " of %" PRIu64 " bytes held)\n",
	       how, u.chunks, 100.0 * (double)u.index_bytes / (double)u.data_bytes,
	       u.data_bytes + u.index_bytes, u.limit_bytes);
}

static void capacity_rows(struct bench *b)
{
	static const struct {
		const char *how;
		uint64_t step;
		bool scatter;
	} rows[] = {
		{ "in one run", 1, false },
		{ "16 MiB apart", 4096, false },
		{ "scattered (seeded)", 0, true },
	};

	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bench_add_ns(b, 10 + i, NVSIM_NS_RAM, TIB, 4096, 64ull << 20, 0);
		capacity_row(rows[i].how, rows[i].step, rows[i].scatter, b, 10 + i);
		nvsim_ctrl_remove_ns(b->ctrl, 10 + i);
	}
	printf("\n");
}

/* The first line of /proc/cpuinfo whose name is key, value only. */
static void cpuinfo_field(const char *key, char *out, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon || strncmp(line, key, strlen(key)))
			continue;
		snprintf(out, len, "%s", colon[1] == ' ' ? colon + 2 : colon + 1);
		out[strcspn(out, "\n")] = 0;
		break;
	}
	if (f)
		fclose(f);
}

static void print_machine(unsigned reps)
{
	char model[128], mhz[32], cache[32], cores[16];
	struct utsname u;

	cpuinfo_field("model name", model, sizeof(model));
	cpuinfo_field("cpu MHz", mhz, sizeof(mhz));
	cpuinfo_field("cache size", cache, sizeof(cache));
	cpuinfo_field("cpu cores", cores, sizeof(cores));
	if (uname(&u))
		die("uname", errno);
	printf("machine: %s, %s MHz, cache %s, %s cores, %ld CPUs online; %s %s %s\n", model,
	       mhz, cache, cores, sysconf(_SC_NPROCESSORS_ONLN), u.sysname, u.release,
	       u.machine);
	printf("each figure: median of %u repetitions, each after its own memcpy of 1 MiB "
	       "(mean of 16 copies)\n\n",
	       reps);
#ifndef __OPTIMIZE__
	printf("warning: built without optimisation; figures are not representative\n");
#endif
}

static uint64_t parse_num(const char *opt, const char *v, uint64_t lo, uint64_t hi)
{
	char *end;
	uint64_t n = strtoull(v, &end, 0);

	if (*end || n < lo || n > hi) {
		fprintf(stderr, "ns_ram_bench: %s %s: %" PRIu64 "..%" PRIu64 "\n", opt, v, lo, hi);
		exit(2);
	}
	return n;
}

static void parse_args(int argc, char **argv, uint64_t *max_chunks, unsigned *reps)
{
	*max_chunks = 262144; /* 1 GiB of chunks */
	*reps = 9;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--max-chunks") && i + 1 < argc) {
			*max_chunks = parse_num(argv[i], argv[i + 1], 1024, 262144);
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
			*reps = (unsigned)parse_num(argv[i], argv[i + 1], 1, 101);
			i++;
			continue;
		}
		fprintf(stderr, "usage: ns_ram_bench [--max-chunks N (1024..262144)] "
				"[--reps N (1..101)]\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	uint64_t max_chunks;
	unsigned reps;
	struct bench b;

	parse_args(argc, argv, &max_chunks, &reps);
	print_machine(reps);
	yardstick_init();
	bench_start(&b, reps);

	capacity_rows(&b);
	figures_empty(&b);
	figure_range_pass(&b, "write zeroes 1 TiB, empty", nvme_cmd_write_zeroes);
	figure_range_pass(&b, "verify 1 TiB", nvme_cmd_verify);
	for (uint64_t n = 1024; n < max_chunks; n *= 16)
		figure_dealloc(&b, n, true);
	figure_dealloc(&b, max_chunks, true);
	figure_dealloc(&b, max_chunks, false);
	figure_held(&b, 0);
	figure_held(&b, HOLD_QUEUES * 16);
	figure_held(&b, HOLD_QUEUES * HOLD_DEPTH);
	nvsim_ctrl_destroy(b.ctrl);
	if (copy_sum == 0xffffffffu)
		puts(""); /* keeps the copies observable */
	free(copy_src);
	free(copy_dst);
	return 0;
}
