/* nvmfsim io: write a pattern, read it back over other queues and verify
 * it, with up to D commands in flight on each of N I/O queues; reports
 * IOPS, bandwidth and latency percentiles per phase.  Figures are
 * measurements of this run on this machine, never pass/fail criteria.
 *
 * It says what it really did: the geometry the target granted, errors by
 * status with the first failing command, the command that never completed,
 * completions that answer no command of ours.  Buffers are registered once
 * per queue and direction (the target may only read a Write's data and only
 * write a Read's), bounded by what the run can have in flight, and
 * deregistered before they are freed. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "cli/cli.h"

#define NS_PER_S 1000000000ull
#define NS_PER_MS 1000000ull
#define TIMEOUT_SCAN_NS (100 * NS_PER_MS) /* how often in-flight commands are aged */
#define STALL_NS (10 * NS_PER_MS)	  /* no completion for this long: a stall */
#define STALL_NAP_NS 200000		  /* then poll less often than flat out */
#define DEFAULT_IO_TIMEOUT_S 5
#define MAX_IO_TIMEOUT_S 3600
#define NR_STATUS 0x800 /* SCT/SC: 11 bits */
#define OPT_IO_TIMEOUT 2001
/* Latencies in a log-linear histogram: 32 buckets per power of two of ns,
 * so a bucket's middle is within 1/64 of every value in it, in constant
 * memory and without a sort however many commands run. */
#define LAT_SUB_BITS 5
#define LAT_SUB (1u << LAT_SUB_BITS)
#define LAT_BUCKETS ((64 - LAT_SUB_BITS + 1) * LAT_SUB)
#define LAT_RES_PCT 1.6

struct io_opts {
	uint16_t queues;
	uint32_t depth; /* up to 65536: a queue of 64Ki entries */
	uint64_t size;
	uint64_t block;
	uint32_t nsid;
	uint32_t timeout_s;
};

struct slot {
	uint64_t block;
	uint64_t t0;
	uint16_t cid; /* generation << cid_shift | slot index */
	uint16_t gen;
	bool busy;
};

/* One I/O queue: slot i is sent with a CID whose low bits are i, its data
 * at i * block in the phase's buffer.  Slots are reused oldest first and
 * each reuse moves the CID's generation, so a CID comes back only after
 * 65536 commands on the queue: a late second answer to a command is a
 * stray the host wing counts, not the early end of the next one. */
struct ioq {
	struct nvsim_hq *hq;
	uint16_t qid;
	uint32_t nslots;
	uint8_t cid_shift;
	struct slot *slots;
	uint32_t *free; /* a ring of free slots */
	uint32_t free_head, nr_free;
	uint32_t inflight;
	uint64_t next; /* the next block this queue sends in this phase */
	uint8_t *wbuf, *rbuf;
	size_t buf_len;
	struct nvsim_hbuf wmr, rmr; /* H2C: REMOTE_READ; C2H: REMOTE_WRITE */
};

struct failure {
	uint16_t qid, cid;
	uint64_t block;
	uint16_t sf;
};

struct phase {
	const char *name;
	bool write;
	bool stopped; /* the run stopped in this phase: the figures are partial */
	uint64_t done, ok, errors, mismatches, unverified;
	uint64_t elapsed_ns;
	uint64_t lat_min, lat_max; /* successful commands only, as lat */
	uint64_t lat[LAT_BUCKETS];
	uint64_t by_status[NR_STATUS]; /* errors by SCT/SC */
	bool has_error, has_mismatch;
	struct failure first_error, first_mismatch;
};

/* Why the run stopped before its end (the first reason), for -o json. */
struct stop {
	const char *kind; /* NULL: it did not stop */
	const char *phase;
	uint16_t qid; /* 0: the admin queue */
	bool has_cid, has_cmd, has_status;
	uint16_t cid, sf;
	uint8_t opcode;
	bool has_lba;
	uint64_t lba;
	char msg[640];
};

struct run {
	struct cli_session *s;
	struct io_opts o;
	uint64_t seed;
	uint32_t lba_size;
	uint64_t nblocks;
	uint32_t entries_asked;
	uint16_t queues_asked; /* of the association in use: a retry asks for fewer */
	uint16_t nq;	       /* I/O queues granted and used */
	uint32_t entries;      /* per queue, as connected */
	uint32_t depth;	       /* commands in flight per queue at most */
	struct ioq *q;
	uint64_t buf_bytes;
	uint8_t *write_failed; /* bitmap by block, made at the first failed Write */
	uint64_t timeout_ns;
	uint64_t last_scan_ns;
	uint64_t events; /* commands sent and completed: progress */
	uint64_t t_open; /* before the Connect that started the target's KATO timer */
	/* Keep Alive on the admin queue every KATO / 2, the first KATO / 2
	 * after the association was made */
	uint64_t ka_interval_ns, ka_next_ns, ka_t0, ka_sent;
	bool ka_busy;
	struct nvsim_hcmd ka;
	uint64_t strays;
	struct stop stop;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: nvmfsim io [options]\n\n"
		     "Writes a seeded pattern over --size bytes of a namespace, reads it back\n"
		     "through the next queue and verifies every byte, with up to --depth commands\n"
		     "in flight on each of --queues I/O queues; block i goes to queue i mod N.\n"
		     "Without -a it runs against the embedded simulator.  It prints the geometry\n"
		     "the target granted, and per phase the commands, errors counted by status\n"
		     "with the first failing command, and mismatches (successful Reads whose data\n"
		     "differs; a failed Read is an error, and a block whose Write failed is not\n"
		     "verified).  IOPS and MiB/s count successful commands only; latency\n"
		     "percentiles come from a histogram and are within %.1f %%.  A completion\n"
		     "that answers no outstanding command (a second answer, a wrong CID) fails\n"
		     "the run.  The pattern's seed is --seed (default 1): a target that\n"
		     "acknowledges Writes without storing them is caught only by runs with\n"
		     "different seeds.\n\n"
		     "  -Q, --queues N          I/O queues to ask for, 1 to 65535 (default\n"
		     "                          4); the target may grant fewer (a note says so)\n"
		     "  -D, --depth N           commands in flight per queue, 1 to 65536\n"
		     "                          (default 32); clamped, with a note, to the\n"
		     "                          entries the target grants (CAP.MQES + 1,\n"
		     "                          CRQSIZE); queues are asked for no more entries\n"
		     "                          than they have commands\n"
		     "  -S, --size BYTES        bytes to write and verify, a multiple of --block\n"
		     "                          and at least one block (default 64M); BYTES:\n"
		     "                          512, 4k, 64M, 1G, 1T\n"
		     "  -B, --block BYTES       bytes per command, a multiple of the LBA size, at\n"
		     "                          most 65536 LBAs, the target's MDTS and the keyed\n"
		     "                          SGL's %u (16M - 1) (default 128k)\n"
		     "  -N, --namespace-id N    namespace, 1 to %u (default 1)\n"
		     "      --io-timeout SEC    a command not completed after SEC seconds stops\n"
		     "                          the run (exit 1), naming it: queue, CID, opcode,\n"
		     "                          LBA; 1 to %u (default %u)\n"
		     "  -h, --help              this text\n\n"
		     "With --keep-alive-tmo SEC (not 0) a Keep Alive goes out every SEC / 2\n"
		     "during the run.  Buffers take 2 x --block per command that can be in flight\n"
		     "(queues x depth, at most the commands of the run).  A run that stops (a\n"
		     "lost command, a dead queue) reports the phase so far; -o json says why in\n"
		     "\"failure\".  Exit 77: -a names a target but there is no RDMA device.\n\n",
		LAT_RES_PCT, NVSIM_SGL_KEYED_MAX_LEN, 0xfffffffeu, MAX_IO_TIMEOUT_S,
		DEFAULT_IO_TIMEOUT_S);
	cli_conn_help(out);
}

/* ---- the pattern ------------------------------------------------------------------- */

static uint64_t pattern_start(uint64_t seed, uint64_t block)
{
	return (seed ^ (block * 0x9e3779b97f4a7c15ull)) | 1;
}

static uint64_t pattern_next(uint64_t x)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void fill_block(uint8_t *buf, size_t len, uint64_t seed, uint64_t block)
{
	uint64_t x = pattern_start(seed, block);

	for (size_t i = 0; i < len; i += 8) {
		x = pattern_next(x);
		memcpy(buf + i, &x, len - i < 8 ? len - i : 8);
	}
}

/* The pattern regenerated as it is compared: no second buffer. */
static bool block_matches(const uint8_t *buf, size_t len, uint64_t seed, uint64_t block)
{
	uint64_t x = pattern_start(seed, block);

	for (size_t i = 0; i < len; i += 8) {
		x = pattern_next(x);
		if (memcmp(buf + i, &x, len - i < 8 ? len - i : 8))
			return false;
	}
	return true;
}

/* ---- latencies --------------------------------------------------------------------- */

/* Below 32 ns one bucket per ns; above, 32 per power of two. */
static unsigned lat_bucket(uint64_t ns)
{
	unsigned k;

	if (ns < LAT_SUB)
		return (unsigned)ns;
	k = 63u - (unsigned)__builtin_clzll(ns);
	return (k - LAT_SUB_BITS + 1) * LAT_SUB +
	       (unsigned)((ns >> (k - LAT_SUB_BITS)) & (LAT_SUB - 1));
}

/* The middle of bucket i: its width is at most 1/32 of its lower bound. */
static uint64_t lat_mid(unsigned i)
{
	unsigned g = i / LAT_SUB, sub = i % LAT_SUB;

	if (!g)
		return i;
	return ((uint64_t)(LAT_SUB + sub) << (g - 1)) + ((1ull << (g - 1)) >> 1);
}

static void lat_add(struct phase *ph, uint64_t ns)
{
	if (!ph->ok || ns < ph->lat_min)
		ph->lat_min = ns;
	if (ns > ph->lat_max)
		ph->lat_max = ns;
	ph->lat[lat_bucket(ns)]++;
	ph->ok++;
}

/* Percentile p of the successful commands' latencies, in us: the middle
 * of the bucket holding that rank, kept within the exact min and max. */
static double lat_pct_us(const struct phase *ph, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * (double)(ph->ok - 1) + 0.5), seen = 0, v;

	if (p >= 100)
		return (double)ph->lat_max / 1000.0;
	for (unsigned i = 0; i < LAT_BUCKETS; i++) {
		seen += ph->lat[i];
		if (seen <= rank)
			continue;
		v = lat_mid(i);
		v = v < ph->lat_min ? ph->lat_min : v > ph->lat_max ? ph->lat_max : v;
		return (double)v / 1000.0;
	}
	return (double)ph->lat_max / 1000.0;
}

/* ---- messages ---------------------------------------------------------------------- */

static const char *op_name(bool write)
{
	return write ? "Write, opcode 01h" : "Read, opcode 02h";
}

static uint64_t block_lba(const struct run *r, uint64_t block)
{
	return block * (r->o.block / r->lba_size);
}

/* "queue 1 CID 0x0002 (Read, opcode 02h, LBA 512, 256 blocks)" */
static const char *cmd_str(const struct run *r, uint16_t qid, uint16_t cid, bool write,
			   uint64_t block, char *buf, size_t len)
{
	snprintf(buf, len, "queue %u CID 0x%04x (%s, LBA %llu, %llu blocks)", qid, cid,
		 op_name(write), (unsigned long long)block_lba(r, block),
		 (unsigned long long)(r->o.block / r->lba_size));
	return buf;
}

/* The status field's SCT and SC alone: DNR, More and CRD (bits 14:11)
 * say nothing about success. */
static uint16_t sct_sc(uint16_t sf)
{
	return (uint16_t)(sf & ((NVME_SCT_MASK << NVME_SCT_SHIFT) | NVME_SC_MASK));
}

static const char *status_str(uint16_t sf, char *buf, size_t len)
{
	char name[128], crd[16] = "";

	if (sf & NVME_SC_CRD)
		snprintf(crd, sizeof(crd), " [CRD %u]", (sf & NVME_SC_CRD) >> 11);
	snprintf(buf, len, "%s%s%s%s", nvsim_host_status_name(sf, name, sizeof(name)),
		 (sf & NVME_SC_DNR) ? " [DNR]" : "", (sf & NVME_SC_MORE) ? " [More]" : "", crd);
	return buf;
}

/* Prints the reason the run stops; the first one is kept for the report. */
__attribute__((format(printf, 4, 5))) static struct stop *
stop_run(struct run *r, const struct phase *ph, const char *kind, const char *fmt, ...)
{
	static struct stop ignored;
	struct stop *st = r->stop.kind ? &ignored : &r->stop;
	va_list ap;

	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->phase = ph->name;
	va_start(ap, fmt);
	vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "nvmfsim io: %s\n", st->msg);
	return st;
}

/* The stop names the command in slot i of q. */
static void stop_at(const struct run *r, struct stop *st, const struct ioq *q, uint32_t i,
		    bool write)
{
	st->qid = q->qid;
	st->has_cid = st->has_cmd = st->has_lba = true;
	st->cid = q->slots[i].cid;
	st->opcode = write ? nvme_cmd_write : nvme_cmd_read;
	st->lba = block_lba(r, q->slots[i].block);
}

/* The oldest command in flight on q, for messages; false when none. */
static bool oldest(const struct ioq *q, uint32_t *idx)
{
	bool found = false;

	for (uint32_t i = 0; i < q->nslots; i++) {
		if (q->slots[i].busy && (!found || q->slots[i].t0 < q->slots[*idx].t0)) {
			*idx = i;
			found = true;
		}
	}
	return found;
}

/* ---- one command ------------------------------------------------------------------- */

static uint32_t slot_take(struct ioq *q)
{
	uint32_t i = q->free[q->free_head];

	q->free_head = q->free_head + 1 == q->nslots ? 0 : q->free_head + 1;
	q->nr_free--;
	return i;
}

/* At the ring's tail: the slot (and its CID's low bits) waits for every
 * other free slot to be used first. */
static void slot_put(struct ioq *q, uint32_t i)
{
	uint32_t tail = q->free_head + q->nr_free;

	q->free[tail >= q->nslots ? tail - q->nslots : tail] = i;
	q->nr_free++;
}

static int start_one(struct run *r, struct ioq *q, const struct phase *ph)
{
	struct nvsim_sqe sqe = { .opcode = ph->write ? nvme_cmd_write : nvme_cmd_read,
				 .nsid = htole32(r->o.nsid) };
	struct nvsim_sqe_rw *rw = (void *)&sqe;
	uint64_t lbas = r->o.block / r->lba_size;
	uint32_t i = slot_take(q);
	struct slot *sl = &q->slots[i];
	size_t off = (size_t)i * r->o.block;
	char what[160];
	int ret;

	sl->block = q->next;
	q->next += r->nq;
	sl->gen++;
	sl->cid = (uint16_t)(((uint32_t)sl->gen << q->cid_shift) | i);
	sqe.cid = htole16(sl->cid);
	rw->slba = htole64(sl->block * lbas);
	rw->nlb = htole16((uint16_t)(lbas - 1));
	if (ph->write)
		fill_block(q->wbuf + off, r->o.block, r->seed, sl->block);
	sl->t0 = now_ns();
	sl->busy = true;
	q->inflight++;
	r->events++;
	ret = nvsim_hq_start_reg(q->hq, &sqe, ph->write ? &q->wmr : &q->rmr, off, r->o.block,
				 ph->write ? NVSIM_DIR_H2C : NVSIM_DIR_C2H);
	if (ret)
		stop_at(r, stop_run(r, ph, "send_failed", "%s phase: sending %s failed: %s%s%s",
				    ph->name, cmd_str(r, q->qid, sl->cid, ph->write, sl->block,
						      what, sizeof(what)),
				    strerror(-ret), *nvsim_hq_why_dead(q->hq) ? ": " : "",
				    nvsim_hq_why_dead(q->hq)),
			q, i, ph->write);
	return ret;
}

static void record_error(struct run *r, struct phase *ph, struct ioq *q, uint32_t i,
			 uint16_t sf)
{
	const struct slot *sl = &q->slots[i];

	ph->errors++;
	ph->by_status[sct_sc(sf)]++;
	if (!ph->has_error) {
		ph->has_error = true;
		ph->first_error = (struct failure){ q->qid, sl->cid, sl->block, sf };
	}
	if (!ph->write)
		return;
	/* the block holds no known data: its Read is not judged */
	if (!r->write_failed)
		r->write_failed = calloc((size_t)(r->nblocks + 7) / 8, 1);
	if (r->write_failed)
		r->write_failed[sl->block / 8] |= (uint8_t)(1u << (sl->block % 8));
}

static bool write_failed(const struct run *r, uint64_t block)
{
	return r->write_failed && (r->write_failed[block / 8] & (1u << (block % 8)));
}

static void verify(struct run *r, struct phase *ph, struct ioq *q, uint32_t i)
{
	const struct slot *sl = &q->slots[i];

	if (write_failed(r, sl->block)) {
		ph->unverified++;
		return;
	}
	if (block_matches(q->rbuf + (size_t)i * r->o.block, r->o.block, r->seed, sl->block))
		return;
	ph->mismatches++;
	if (!ph->has_mismatch) {
		ph->has_mismatch = true;
		ph->first_mismatch = (struct failure){ q->qid, sl->cid, sl->block, 0 };
	}
}

static void complete(struct run *r, struct phase *ph, struct ioq *q, const struct nvsim_cqe *cqe)
{
	uint16_t cid = le16toh(cqe->cid), sf = nvsim_cqe_status_field(cqe);
	uint32_t i = cid & ((1u << q->cid_shift) - 1);
	struct slot *sl;

	/* the host wing stashes only answers to CIDs we sent */
	if (i >= q->nslots || !q->slots[i].busy || q->slots[i].cid != cid)
		return;
	sl = &q->slots[i];
	ph->done++;
	r->events++;
	if (sct_sc(sf)) {
		record_error(r, ph, q, i, sf);
	} else {
		lat_add(ph, now_ns() - sl->t0);
		if (!ph->write)
			verify(r, ph, q, i);
	}
	sl->busy = false;
	q->inflight--;
	slot_put(q, i);
}

/* ---- keep alive, timeouts, strays -------------------------------------------------- */

static void stop_keep_alive(struct stop *st, const struct run *r)
{
	st->qid = 0;
	st->has_cid = st->has_cmd = true;
	st->cid = r->ka.cid;
	st->opcode = nvme_admin_keep_alive;
}

static int keep_alive(struct run *r, const struct phase *ph, uint64_t now)
{
	struct nvsim_hq *admin = nvsim_host_admin(r->s->host);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };
	struct stop *st;
	char txt[160];
	uint16_t sf;
	int ret;

	if (!r->ka_interval_ns)
		return 0;
	if (!r->ka_busy) {
		if (now < r->ka_next_ns)
			return 0;
		ret = nvsim_hq_start(admin, &sqe, NULL, 0, NVSIM_DIR_NONE, &r->ka);
		if (ret) {
			stop_keep_alive(stop_run(r, ph, "send_failed", "%s phase: sending Keep "
						 "Alive failed: %s", ph->name, strerror(-ret)), r);
			return ret;
		}
		r->ka_busy = true;
		r->ka_t0 = now;
		r->ka_next_ns = now + r->ka_interval_ns;
		r->ka_sent++;
		return 0;
	}
	ret = nvsim_hq_reap(admin, &r->ka);
	if (ret == -EAGAIN)
		return 0;
	r->ka_busy = false;
	if (ret) {
		stop_keep_alive(stop_run(r, ph, "queue_died", "%s phase: the admin queue died (%s) "
					 "with Keep Alive CID 0x%04x outstanding", ph->name,
					 nvsim_hq_why_dead(admin), r->ka.cid), r);
		return ret;
	}
	sf = nvsim_cqe_status_field(&r->ka.cqe);
	if (sct_sc(sf)) {
		st = stop_run(r, ph, "keep_alive_failed", "%s phase: Keep Alive (admin queue CID "
			      "0x%04x) failed: %s", ph->name, r->ka.cid,
			      status_str(sf, txt, sizeof(txt)));
		stop_keep_alive(st, r);
		st->has_status = true;
		st->sf = sf;
		return -EREMOTEIO;
	}
	return 0;
}

static int check_timeouts(struct run *r, const struct phase *ph, uint64_t now)
{
	char what[160];

	if (now - r->last_scan_ns < TIMEOUT_SCAN_NS)
		return 0;
	r->last_scan_ns = now;
	if (r->ka_busy && now - r->ka_t0 > r->timeout_ns) {
		stop_keep_alive(stop_run(r, ph, "timeout", "%s phase: no completion within %u s "
					 "for admin queue CID 0x%04x (Keep Alive, opcode 18h); "
					 "the run stops", ph->name, r->o.timeout_s, r->ka.cid), r);
		return -ETIMEDOUT;
	}
	for (uint16_t i = 0; i < r->nq; i++) {
		const struct ioq *q = &r->q[i];
		uint32_t idx = 0;

		if (!q->inflight || !oldest(q, &idx) || now - q->slots[idx].t0 <= r->timeout_ns)
			continue;
		stop_at(r, stop_run(r, ph, "timeout", "%s phase: no completion within %u s for %s; "
				    "the run stops", ph->name, r->o.timeout_s,
				    cmd_str(r, q->qid, q->slots[idx].cid, ph->write,
					    q->slots[idx].block, what, sizeof(what))),
			q, idx, ph->write);
		return -ETIMEDOUT;
	}
	return 0;
}

static int queue_died(struct run *r, const struct phase *ph, const struct ioq *q)
{
	char what[160];
	uint32_t idx = 0;
	struct stop *st;

	if (oldest(q, &idx)) {
		st = stop_run(r, ph, "queue_died", "%s phase: queue %u died (%s) with %u commands "
			      "outstanding, the oldest %s", ph->name, q->qid,
			      nvsim_hq_why_dead(q->hq), q->inflight,
			      cmd_str(r, q->qid, q->slots[idx].cid, ph->write, q->slots[idx].block,
				      what, sizeof(what)));
		stop_at(r, st, q, idx, ph->write);
	} else {
		st = stop_run(r, ph, "queue_died", "%s phase: queue %u died (%s) before its "
			      "commands were sent", ph->name, q->qid, nvsim_hq_why_dead(q->hq));
		st->qid = q->qid;
	}
	return -ECONNRESET;
}

/* Completions that answered no outstanding command on hq (a second answer,
 * a wrong CID) or responses that were no completion: the target is wrong
 * whatever the data says.  Names the first; true when there were any. */
static bool queue_strays(struct run *r, const struct phase *ph, struct nvsim_hq *hq,
			 uint16_t qid)
{
	const struct nvsim_stray *list;
	uint32_t n;
	uint64_t total = nvsim_hq_strays(hq, &list, &n), odd = nvsim_hq_unexpected_cqes(hq);
	char qname[32], txt[160], guess[128] = "", more[160] = "";
	struct stop *st;
	uint16_t sf;

	if (!total && !odd)
		return false;
	r->strays += total;
	snprintf(qname, sizeof(qname), qid ? "queue %u" : "the admin queue", qid);
	if (odd > total)
		snprintf(more, sizeof(more), "; and %llu responses that were no completion of ours "
			 "(shorter than a CQE, or beyond what was outstanding)",
			 (unsigned long long)(odd - total));
	if (!n) {
		st = stop_run(r, ph, "stray_completion", "%s phase: %s received %llu responses "
			      "that were no completion of ours (shorter than a CQE, or beyond what "
			      "was outstanding)", ph->name, qname, (unsigned long long)odd);
		st->qid = qid;
		return true;
	}
	sf = nvsim_cqe_status_field(&list[0].cqe);
	if (list[0].has_expected)
		snprintf(guess, sizeof(guess), "; the one command outstanding then was CID "
			 "0x%04x (opcode %02xh): likely its answer under a wrong CID",
			 list[0].expected_cid, list[0].expected_opcode);
	st = stop_run(r, ph, "stray_completion", "%s phase: %s received %llu completions that "
		      "answer no outstanding command; the first: CID 0x%04x, %s, %s%s%s",
		      ph->name, qname, (unsigned long long)total, le16toh(list[0].cqe.cid),
		      status_str(sf, txt, sizeof(txt)),
		      list[0].duplicate ? "a second completion of that CID"
					: "a CID with no command outstanding",
		      guess, more);
	st->qid = qid;
	st->has_cid = st->has_status = true;
	st->cid = le16toh(list[0].cqe.cid);
	st->sf = sf;
	return true;
}

/* After a phase, or when the run stops: late answers are taken in first. */
static bool check_strays(struct run *r, const struct phase *ph)
{
	struct nvsim_hq *admin = nvsim_host_admin(r->s->host);
	bool any = false;

	if (r->s->embedded)
		nvsim_embedded_poll(r->s->embedded);
	nvsim_hq_poll(admin);
	any |= queue_strays(r, ph, admin, 0);
	for (uint16_t i = 0; i < r->nq; i++) {
		nvsim_hq_poll(r->q[i].hq);
		any |= queue_strays(r, ph, r->q[i].hq, r->q[i].qid);
	}
	return any;
}

/* ---- a phase ----------------------------------------------------------------------- */

/* Reap what arrived on q, then fill its free slots.  *busy: work remains. */
static int queue_turn(struct run *r, struct phase *ph, struct ioq *q, bool *busy)
{
	struct nvsim_cqe cqe;
	int ret;

	while (!(ret = nvsim_hq_reap_any(q->hq, &cqe)))
		complete(r, ph, q, &cqe);
	if (ret == -ECONNRESET && (q->inflight || q->next < r->nblocks))
		return queue_died(r, ph, q);
	while (q->nr_free && q->next < r->nblocks) {
		ret = start_one(r, q, ph);
		if (ret)
			return ret;
	}
	*busy |= q->inflight || q->next < r->nblocks;
	return 0;
}

/* Waiting on a stalled target (a lost command, a slow device) need not
 * take a whole core until the I/O timeout. */
static void nap_if_stalled(struct run *r, uint64_t now, uint64_t *seen, uint64_t *since)
{
	struct timespec nap = { 0, STALL_NAP_NS };

	if (r->events != *seen) {
		*seen = r->events;
		*since = now;
	} else if (now - *since > STALL_NS) {
		nanosleep(&nap, NULL);
	}
}

static int run_phase(struct run *r, struct phase *ph)
{
	uint64_t t0 = now_ns(), seen = r->events, since = t0;
	bool busy = true;
	int ret = 0;

	/* block b is written by queue b mod N and read by the next queue */
	for (uint16_t i = 0; i < r->nq; i++)
		r->q[i].next = ph->write ? i : (uint64_t)(i + r->nq - 1) % r->nq;
	while (busy && !ret) {
		uint64_t now;

		busy = false;
		for (uint16_t i = 0; i < r->nq && !ret; i++)
			ret = queue_turn(r, ph, &r->q[i], &busy);
		now = now_ns();
		if (!ret)
			ret = keep_alive(r, ph, now);
		if (!ret)
			ret = check_timeouts(r, ph, now);
		nap_if_stalled(r, now, &seen, &since);
		if (r->s->embedded)
			nvsim_embedded_poll(r->s->embedded);
	}
	ph->elapsed_ns = now_ns() - t0;
	return ret;
}

/* ---- reports ----------------------------------------------------------------------- */

static struct json_object *json_failure(const struct run *r, const struct phase *ph,
					const struct failure *f, bool with_status)
{
	struct json_object *j = json_object_new_object();
	char st[160];

	json_object_object_add(j, "queue", json_object_new_int(f->qid));
	json_object_object_add(j, "cid", json_object_new_int(f->cid));
	json_object_object_add(j, "opcode", json_object_new_int(ph->write ? 1 : 2));
	json_object_object_add(j, "lba", json_object_new_uint64(block_lba(r, f->block)));
	if (with_status)
		json_object_object_add(j, "status", json_object_new_string(status_str(
							   f->sf, st, sizeof(st))));
	return j;
}

static void report_json(const struct run *r, const struct phase *ph, double secs, double iops,
			double mibs, struct json_object *root)
{
	struct json_object *j = json_object_new_object(), *by = json_object_new_object();
	static const struct { const char *key; double p; } pct[] = {
		{ "lat_p50_us", 50 }, { "lat_p99_us", 99 }, { "lat_p999_us", 99.9 },
		{ "lat_max_us", 100 } };
	char name[128];

	json_object_object_add(j, "stopped", json_object_new_boolean(ph->stopped));
	json_object_object_add(j, "commands", json_object_new_uint64(ph->done));
	json_object_object_add(j, "successful", json_object_new_uint64(ph->ok));
	json_object_object_add(j, "errors", json_object_new_uint64(ph->errors));
	json_object_object_add(j, "mismatches", json_object_new_uint64(ph->mismatches));
	json_object_object_add(j, "unverified", json_object_new_uint64(ph->unverified));
	for (uint32_t sf = 0; sf < NR_STATUS; sf++)
		if (ph->by_status[sf])
			json_object_object_add(by, nvsim_host_status_name((uint16_t)sf, name,
									  sizeof(name)),
					       json_object_new_uint64(ph->by_status[sf]));
	json_object_object_add(j, "errors_by_status", by);
	if (ph->has_error)
		json_object_object_add(j, "first_error", json_failure(r, ph, &ph->first_error,
								      true));
	if (ph->has_mismatch)
		json_object_object_add(j, "first_mismatch",
				       json_failure(r, ph, &ph->first_mismatch, false));
	json_object_object_add(j, "seconds", json_object_new_double(secs));
	json_object_object_add(j, "iops", json_object_new_double(iops));
	json_object_object_add(j, "mib_per_s", json_object_new_double(mibs));
	for (unsigned i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
		json_object_object_add(j, pct[i].key, ph->ok ? json_object_new_double(
				       lat_pct_us(ph, pct[i].p)) : NULL);
	json_object_object_add(j, "lat_resolution_pct", json_object_new_double(LAT_RES_PCT));
	json_object_object_add(root, ph->name, j);
}

static void report_failures(const struct run *r, const struct phase *ph)
{
	char name[128], what[160], st[160];
	const char *sep = "";

	if (ph->errors) {
		printf("       errors by status:");
		for (uint32_t sf = 0; sf < NR_STATUS; sf++) {
			if (!ph->by_status[sf])
				continue;
			printf("%s %llu × %s", sep, (unsigned long long)ph->by_status[sf],
			       nvsim_host_status_name((uint16_t)sf, name, sizeof(name)));
			sep = ",";
		}
		printf("\n       first error: %s: %s\n",
		       cmd_str(r, ph->first_error.qid, ph->first_error.cid, ph->write,
			       ph->first_error.block, what, sizeof(what)),
		       status_str(ph->first_error.sf, st, sizeof(st)));
	}
	if (ph->has_mismatch)
		printf("       first mismatch: %s: the data differs from what was written\n",
		       cmd_str(r, ph->first_mismatch.qid, ph->first_mismatch.cid, false,
			       ph->first_mismatch.block, what, sizeof(what)));
	if (ph->unverified)
		printf("       %llu blocks not verified: their Write failed\n",
		       (unsigned long long)ph->unverified);
}

static void report(const struct run *r, const struct phase *ph, struct json_object *root)
{
	double secs = (double)ph->elapsed_ns / 1e9;
	double iops = secs > 0 ? (double)ph->ok / secs : 0;
	double mibs = secs > 0 ? (double)(ph->ok * r->o.block) / secs / 1048576.0 : 0;

	if (root) {
		report_json(r, ph, secs, iops, mibs, root);
		return;
	}
	printf("%-6s %llu commands%s, %llu errors, %llu mismatches, %.3f s, %.0f IOPS, "
	       "%.1f MiB/s, ", ph->name, (unsigned long long)ph->done,
	       ph->stopped ? " (stopped)" : "", (unsigned long long)ph->errors,
	       (unsigned long long)ph->mismatches, secs, iops, mibs);
	if (ph->ok)
		printf("latency us p50 %.1f p99 %.1f p99.9 %.1f max %.1f\n", lat_pct_us(ph, 50),
		       lat_pct_us(ph, 99), lat_pct_us(ph, 99.9), lat_pct_us(ph, 100));
	else
		printf("no latency: no command succeeded\n");
	report_failures(r, ph);
}

static struct json_object *json_stop(const struct stop *st)
{
	struct json_object *j = json_object_new_object();
	char txt[160];

	json_object_object_add(j, "kind", json_object_new_string(st->kind));
	json_object_object_add(j, "phase", json_object_new_string(st->phase));
	json_object_object_add(j, "queue", json_object_new_int(st->qid));
	json_object_object_add(j, "cid", st->has_cid ? json_object_new_int(st->cid) : NULL);
	json_object_object_add(j, "opcode", st->has_cmd ? json_object_new_int(st->opcode) : NULL);
	json_object_object_add(j, "lba", st->has_lba ? json_object_new_uint64(st->lba) : NULL);
	json_object_object_add(j, "status", st->has_status ? json_object_new_string(status_str(
						    st->sf, txt, sizeof(txt))) : NULL);
	json_object_object_add(j, "message", json_object_new_string(st->msg));
	return j;
}

/* ---- options ----------------------------------------------------------------------- */

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
		/* a keyed SGL data block's length is 24 bits */
		if (!io->block || io->block > NVSIM_SGL_KEYED_MAX_LEN)
			return fprintf(stderr, "nvmfsim io: --block '%s': 1 to %u bytes (16M - 1, "
				       "what a keyed SGL data block can describe)\n", arg,
				       NVSIM_SGL_KEYED_MAX_LEN), -1;
		return 1;
	case 'N':
		if (cli_parse_u64(arg, 0xfffffffeu, &v) || !v)
			return fprintf(stderr, "nvmfsim io: --namespace-id '%s': 1 to %u (0 and "
				       "FFFFFFFFh name no single namespace)\n", arg,
				       0xfffffffeu), -1;
		io->nsid = (uint32_t)v;
		return 1;
	case OPT_IO_TIMEOUT:
		if (cli_parse_u64(arg, MAX_IO_TIMEOUT_S, &v) || !v)
			return fprintf(stderr, "nvmfsim io: --io-timeout '%s': seconds, 1 to %u\n",
				       arg, MAX_IO_TIMEOUT_S), -1;
		io->timeout_s = (uint32_t)v;
		return 1;
	default:
		return 0;
	}
}

/* Every block written is read back: a tail shorter than --block would go
 * unverified, so --size is whole blocks (refused, not rounded). */
static int check_size(const struct io_opts *o)
{
	if (o->size < o->block) {
		fprintf(stderr, "nvmfsim io: --size %llu is below one --block (%llu)\n",
			(unsigned long long)o->size, (unsigned long long)o->block);
		return -1;
	}
	if (o->size % o->block) {
		fprintf(stderr, "nvmfsim io: --size %llu is not a multiple of --block %llu\n",
			(unsigned long long)o->size, (unsigned long long)o->block);
		return -1;
	}
	return 0;
}

/* ---- what the target allows -------------------------------------------------------- */

/* --block against MDTS (units of CAP.MPSMIN pages, 0: no limit); the
 * keyed SGL's limit was checked with the option.  CLI_EXIT_USAGE when it
 * does not fit. */
static int check_block_limits(const struct run *r, uint64_t cap)
{
	const struct nvme_id_ctrl *id = nvsim_host_id_ctrl(r->s->host);
	unsigned shift = 12u + (unsigned)NVME_CAP_MPSMIN(cap) + id->mdts;

	if (id->mdts && shift < 64 && r->o.block > 1ull << shift) {
		fprintf(stderr, "nvmfsim io: --block %llu is above the target's maximum data "
			"transfer of %llu bytes (MDTS %u, CAP.MPSMIN %u)\n",
			(unsigned long long)r->o.block, 1ull << shift, id->mdts,
			(unsigned)NVME_CAP_MPSMIN(cap));
		return CLI_EXIT_USAGE;
	}
	return 0;
}

static int check_namespace(struct run *r)
{
	struct nvsim_host_status st;
	_Alignas(8) uint8_t idns[4096];
	const struct nvme_id_ns *ns = (const void *)idns;
	char msg[256];
	uint64_t nsze, capacity;
	uint8_t ds;

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
	return 0;
}

/* Queues and depth as granted; notes where they differ from the request. */
static int plan_geometry(struct run *r, uint64_t cap)
{
	uint64_t most;
	uint32_t limit;
	uint16_t crq;

	r->nq = nvsim_host_nr_io_queues(r->s->host);
	if (!r->nq) {
		fprintf(stderr, "nvmfsim io: the target granted no I/O queue\n");
		return CLI_EXIT_FAIL;
	}
	if (r->nq < r->o.queues)
		fprintf(stderr, "nvmfsim io: note: the target granted %u of the %u I/O queues "
			"asked; the commands are spread over those %u\n", r->nq, r->o.queues,
			r->nq);
	r->entries = nvsim_hq_entries(nvsim_host_io(r->s->host, 1));
	crq = nvsim_hq_crqsize(nvsim_host_io(r->s->host, 1));
	limit = crq && crq < r->entries ? crq : r->entries;
	most = (r->nblocks + r->nq - 1) / r->nq;
	r->depth = r->o.depth < limit ? r->o.depth : limit;
	if (r->o.depth > limit && limit < r->entries_asked)
		fprintf(stderr, "nvmfsim io: note: --depth %u clamped to %u: the target's I/O "
			"queues hold %u entries (CAP.MQES %llu, CRQSIZE %u)\n", r->o.depth,
			r->depth, limit, (unsigned long long)NVME_CAP_MQES(cap), crq);
	else if (r->depth < most && r->depth < r->o.depth)
		/* the target granted fewer queues twice: they were sized for more */
		fprintf(stderr, "nvmfsim io: note: depth %u: the queues hold the %u entries asked "
			"for a share of %u queues, and %u were granted\n", r->depth, limit,
			r->queues_asked, r->nq);
	/* no queue has more commands in flight than it has commands */
	if (most < r->depth)
		r->depth = (uint32_t)most;
	return 0;
}

/* Blocks queue i carries in a phase whose first block is first. */
static uint64_t queue_blocks(const struct run *r, uint64_t first)
{
	return first < r->nblocks ? (r->nblocks - first + r->nq - 1) / r->nq : 0;
}

/* Anonymous pages: zeros (a Read the target never filled holds no stale
 * pattern) without a pass over them, page-aligned for registration. */
static void *buf_new(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void buf_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

static int queue_alloc(struct run *r, struct ioq *q, uint16_t i)
{
	uint64_t w = queue_blocks(r, i), rd = queue_blocks(r, (uint64_t)(i + r->nq - 1) % r->nq);
	uint64_t most = w > rd ? w : rd;
	int ret;

	q->qid = (uint16_t)(i + 1);
	q->hq = nvsim_host_io(r->s->host, q->qid);
	q->nslots = most < r->depth ? (uint32_t)most : r->depth;
	if (!q->nslots)
		return 0;
	while ((1u << q->cid_shift) < q->nslots)
		q->cid_shift++;
	q->buf_len = (size_t)q->nslots * r->o.block;
	q->slots = calloc(q->nslots, sizeof(*q->slots));
	q->free = calloc(q->nslots, sizeof(*q->free));
	q->wbuf = buf_new(q->buf_len);
	q->rbuf = buf_new(q->buf_len);
	if (!q->slots || !q->free || !q->wbuf || !q->rbuf)
		return -ENOMEM;
	for (uint32_t s = 0; s < q->nslots; s++)
		q->free[q->nr_free++] = s;
	r->buf_bytes += 2 * q->buf_len;
	ret = nvsim_hq_buf_reg_dir(q->hq, q->wbuf, q->buf_len, NVSIM_DIR_H2C, &q->wmr);
	if (!ret)
		ret = nvsim_hq_buf_reg_dir(q->hq, q->rbuf, q->buf_len, NVSIM_DIR_C2H, &q->rmr);
	return ret;
}

static int alloc_queues(struct run *r)
{
	int ret;

	r->q = calloc(r->nq, sizeof(*r->q));
	if (!r->q)
		return -ENOMEM;
	for (uint16_t i = 0; i < r->nq; i++) {
		ret = queue_alloc(r, &r->q[i], i);
		if (ret) {
			fprintf(stderr, "nvmfsim io: buffers for queue %u (%u x %llu bytes): %s\n",
				i + 1, r->q[i].nslots, (unsigned long long)r->o.block,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Returns 0, CLI_EXIT_FAIL (the target) or CLI_EXIT_USAGE (options that do
 * not fit this target or namespace); all before any I/O. */
static int setup(struct run *r, const struct cli_conn_opts *co)
{
	struct nvsim_host_status st;
	char msg[256];
	uint64_t cap;
	int ret;

	if (nvsim_host_prop_get(nvsim_host_admin(r->s->host), NVME_REG_CAP, true, &cap, &st)) {
		fprintf(stderr, "nvmfsim io: Property Get CAP: %s\n",
			nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return CLI_EXIT_FAIL;
	}
	ret = check_block_limits(r, cap);
	if (!ret)
		ret = check_namespace(r);
	if (!ret)
		ret = plan_geometry(r, cap);
	if (ret)
		return ret;
	r->seed = co->seed;
	r->timeout_ns = (uint64_t)r->o.timeout_s * NS_PER_S;
	r->ka_interval_ns = (uint64_t)co->kato_ms * NS_PER_MS / 2;
	/* the target's timer runs from the Connect: a Keep Alive at t = 0 of
	 * the run would only hide a host that stops sending them */
	r->ka_next_ns = r->t_open + r->ka_interval_ns;
	return alloc_queues(r) ? CLI_EXIT_FAIL : 0;
}

/* The target can no longer reach a buffer once deregistered: only then is
 * it freed, whatever the run left in flight. */
static void release_buffers(struct run *r)
{
	for (uint16_t i = 0; r->q && i < r->nq; i++) {
		nvsim_hq_buf_dereg(&r->q[i].wmr);
		nvsim_hq_buf_dereg(&r->q[i].rmr);
	}
}

static void free_run(struct run *r)
{
	for (uint16_t i = 0; r->q && i < r->nq; i++) {
		free(r->q[i].slots);
		free(r->q[i].free);
		buf_free(r->q[i].wbuf, r->q[i].buf_len);
		buf_free(r->q[i].rbuf, r->q[i].buf_len);
	}
	free(r->q);
	free(r->write_failed);
}

/* ---- the command ------------------------------------------------------------------- */

static void print_geometry(const struct run *r, struct json_object *root)
{
	uint64_t most = (r->nblocks + r->nq - 1) / r->nq, least = r->nblocks / r->nq;
	uint16_t carrying = r->nblocks < r->nq ? (uint16_t)r->nblocks : r->nq;

	if (root) {
		struct json_object *g = json_object_new_object();

		json_object_object_add(g, "seed", json_object_new_uint64(r->seed));
		json_object_object_add(g, "queues_asked", json_object_new_int(r->o.queues));
		json_object_object_add(g, "queues_granted", json_object_new_int(r->nq));
		json_object_object_add(g, "queues_carrying", json_object_new_int(carrying));
		json_object_object_add(g, "queue_entries", json_object_new_uint64(r->entries));
		json_object_object_add(g, "depth_asked", json_object_new_uint64(r->o.depth));
		json_object_object_add(g, "depth", json_object_new_uint64(r->depth));
		json_object_object_add(g, "commands_per_phase", json_object_new_uint64(r->nblocks));
		json_object_object_add(g, "commands_per_queue_max", json_object_new_uint64(most));
		json_object_object_add(g, "block", json_object_new_uint64(r->o.block));
		json_object_object_add(g, "lba_size", json_object_new_uint64(r->lba_size));
		json_object_object_add(g, "buffer_bytes", json_object_new_uint64(r->buf_bytes));
		json_object_object_add(g, "io_timeout_s", json_object_new_uint64(r->o.timeout_s));
		json_object_object_add(root, "geometry", g);
		return;
	}
	printf("nvmfsim io: seed %llu, %u of %u I/O queues granted, %u carry commands, %u entries "
	       "each, depth %u (asked %u), %llu x %llu-byte commands per phase, ",
	       (unsigned long long)r->seed, r->nq, r->o.queues, carrying, r->entries, r->depth,
	       r->o.depth, (unsigned long long)r->nblocks, (unsigned long long)r->o.block);
	if (most == least)
		printf("%llu per queue, ", (unsigned long long)most);
	else
		printf("%llu to %llu per queue, ", (unsigned long long)least,
		       (unsigned long long)most);
	printf("LBA %u bytes, buffers %llu KiB, I/O timeout %u s\n", r->lba_size,
	       (unsigned long long)(r->buf_bytes >> 10), r->o.timeout_s);
}

static int run_phases(struct run *r, struct phase *ph, struct json_object *root)
{
	int ret = 0, p;

	for (p = 0; p < 2 && !ret; p++) {
		ret = run_phase(r, &ph[p]);
		/* a stray fails the run even when everything else went well */
		if (check_strays(r, &ph[p]) && !ret)
			ret = -EPROTO;
		ph[p].stopped = ret != 0;
		report(r, &ph[p], root);
	}
	if (!root && r->ka_interval_ns)
		printf("keep-alive: %llu Keep Alive commands sent, one per %llu ms\n",
		       (unsigned long long)r->ka_sent,
		       (unsigned long long)(r->ka_interval_ns / NS_PER_MS));
	if (root) {
		json_object_object_add(root, "keep_alive_sent", json_object_new_uint64(r->ka_sent));
		json_object_object_add(root, "stray_completions",
				       json_object_new_uint64(r->strays));
		if (r->stop.kind)
			json_object_object_add(root, "failure", json_stop(&r->stop));
	}
	if (r->stop.kind) {
		fprintf(stderr, "nvmfsim io: FAILED: the run stopped in the %s phase (%s); so far "
			"%llu write errors, %llu read errors, %llu mismatches\n", r->stop.phase,
			r->stop.kind, (unsigned long long)ph[0].errors,
			(unsigned long long)ph[1].errors, (unsigned long long)ph[1].mismatches);
		return CLI_EXIT_FAIL;
	}
	if (!ph[0].errors && !ph[1].errors && !ph[1].mismatches)
		return CLI_EXIT_OK;
	fprintf(stderr, "nvmfsim io: verification FAILED: %llu write errors, %llu read errors, "
		"%llu mismatches\n", (unsigned long long)ph[0].errors,
		(unsigned long long)ph[1].errors, (unsigned long long)ph[1].mismatches);
	return CLI_EXIT_FAIL;
}

static int parse_args(int argc, char **argv, struct io_opts *o, struct cli_conn_opts *co)
{
	static const struct option longopts[] = {
		CLI_CONN_LONGOPTS,
		{ "queues", required_argument, NULL, 'Q' },
		{ "depth", required_argument, NULL, 'D' },
		{ "size", required_argument, NULL, 'S' },
		{ "block", required_argument, NULL, 'B' },
		{ "namespace-id", required_argument, NULL, 'N' },
		{ "io-timeout", required_argument, NULL, OPT_IO_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt, ret;

	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "Q:D:S:B:N:h", longopts, NULL)) !=
	       -1) {
		if (opt == 'h') {
			usage(stdout);
			return 1;
		}
		ret = parse_io_opt(o, opt, optarg);
		if (!ret)
			ret = cli_conn_opt(co, "nvmfsim io", opt, optarg);
		if (ret <= 0) {
			if (!ret)
				usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "nvmfsim io: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!co->nqn && co->traddr) {
		fprintf(stderr, "nvmfsim io: -n/--nqn is required with -a/--traddr\n");
		return -1;
	}
	if (check_size(o) || cli_conn_check(co, "nvmfsim io"))
		return -1;
	return 0;
}

/* Entries a queue needs when n queues share the run's commands: no more
 * than it has commands (and the two an I/O queue must have), at most
 * --depth. */
static uint32_t entries_for(const struct run *r, uint32_t n)
{
	uint64_t per_queue = (r->nblocks + n - 1) / n;
	uint32_t e = per_queue < r->o.depth ? (uint32_t)per_queue : r->o.depth;

	return e < 2 ? 2 : e;
}

static int open_session(struct run *r, struct cli_conn_opts *co, uint16_t queues)
{
	char nqn[64];

	r->queues_asked = queues;
	r->entries_asked = entries_for(r, queues);
	co->io_depth = r->entries_asked;
	snprintf(nqn, sizeof(nqn), NVSIM_EMBEDDED_NQN_FMT, 0u);
	r->t_open = now_ns();
	return cli_session_open(co, "nvmfsim io", co->nqn ? co->nqn : nqn, queues, r->s);
}

/* Entries are asked for in Connect, after Number of Queues: sized for the
 * queues asked, they fall short when the target grants fewer.  Then the
 * association is made again for the queues granted (the first one closed
 * before). */
static int fit_session(struct run *r, struct cli_conn_opts *co)
{
	uint16_t got = nvsim_host_nr_io_queues(r->s->host);
	uint32_t need;

	if (!got || got >= r->queues_asked)
		return 0;
	need = entries_for(r, got);
	/* a target that clamped the entries will not grant more on a retry */
	if (need <= r->entries_asked ||
	    nvsim_hq_entries(nvsim_host_io(r->s->host, 1)) < r->entries_asked)
		return 0;
	fprintf(stderr, "nvmfsim io: note: the target granted %u of the %u I/O queues asked, "
		"whose %u entries were sized for %u queues; connecting again for %u queues of "
		"%u entries\n", got, r->queues_asked, r->entries_asked, r->queues_asked, got,
		need);
	cli_session_close(r->s);
	return open_session(r, co, got);
}

int cmd_io(int argc, char **argv)
{
	struct cli_conn_opts co;
	struct cli_session s = { 0 };
	struct run r = { .s = &s,
			 .o = { 4, 32, 64ull << 20, 128u << 10, 1, DEFAULT_IO_TIMEOUT_S } };
	struct phase ph[2] = { { .name = "write", .write = true }, { .name = "read" } };
	struct json_object *root = NULL;
	int ret, rc;

	cli_conn_opts_init(&co);
	ret = parse_args(argc, argv, &r.o, &co);
	if (ret)
		return ret > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	r.nblocks = r.o.size / r.o.block;
	ret = open_session(&r, &co, r.o.queues);
	if (!ret)
		ret = fit_session(&r, &co);
	if (ret)
		return ret == -ENODEV ? CLI_EXIT_SKIP : CLI_EXIT_FAIL;
	rc = setup(&r, &co);
	if (!rc) {
		root = co.json ? json_object_new_object() : NULL;
		print_geometry(&r, root);
		rc = run_phases(&r, ph, root);
		if (root)
			printf("%s\n", json_object_to_json_string_ext(
					       root, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(root);
	release_buffers(&r);
	cli_session_close(&s);
	free_run(&r);
	return rc;
}
