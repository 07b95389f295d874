/* The wire fuzzer: capsule generation, tracking, liveness, the run and the
 * replay of a recorded batch.  See wire.h. */
#include <errno.h>
#include <nvme/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/sgl.h"
#include "wire/wire.h"
#include "wire/wire_priv.h"

#define BUF_LEN (64u * 1024u) /* host memory per queue the target may READ/WRITE */
#define ADMIN_SQSIZE 31u
#define IO_SQSIZE 127u

/* splitmix64: the whole run follows from the seed. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* WIRE_TRACE=1: every capsule sent and every completion, on stderr, for
 * reading a finding. */
static bool trace_on(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("WIRE_TRACE");

		on = e && *e && strcmp(e, "0");
	}
	return on;
}

#define TRACE(...)                                                                         \
	do {                                                                               \
		if (trace_on())                                                            \
			fprintf(stderr, "WIRE: " __VA_ARGS__);                             \
	} while (0)

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

/* ---- the field map ------------------------------------------------------------------- */

/* A well-formed command shape and the SQE fields worth mutating for it
 * (byte offset, width).  Follows SPDK's llvm_nvme_fuzz and the catalogue's
 * list of fields that found bugs (NVMe Base / NVMe-oF, §3.4 and §6.4). */
struct field {
	uint8_t off, width;
};

enum dir { D_NONE, D_C2H, D_H2C };

struct shape {
	const char *name;
	bool io;
	uint8_t opcode;
	uint8_t fctype; /* Fabrics only */
	enum dir dir;
	uint32_t len;	/* data bytes of the well-formed command */
	struct field fields[6];
};

#define F(o, w) { o, w }
static const struct shape shapes[] = {
	{ "identify", false, 0x06, 0, D_C2H, 4096, { F(4, 4), F(40, 1), F(42, 2), F(44, 2), F(47, 1), F(56, 1) } },
	{ "get-log", false, 0x02, 0, D_C2H, 512, { F(4, 4), F(40, 1), F(41, 1), F(42, 2), F(44, 4), F(48, 8) } },
	{ "get-features", false, 0x0a, 0, D_NONE, 0, { F(40, 4), F(44, 4), F(4, 4), F(56, 1) } },
	{ "set-features", false, 0x09, 0, D_NONE, 0, { F(40, 4), F(44, 4), F(48, 4), F(4, 4) } },
	{ "keep-alive", false, 0x18, 0, D_NONE, 0, { F(40, 4), F(4, 4) } },
	{ "abort", false, 0x08, 0, D_NONE, 0, { F(40, 2), F(42, 2) } },
	{ "property-get", false, 0x7f, 0x04, D_NONE, 0, { F(40, 1), F(44, 4), F(4, 1) } },
	{ "property-set", false, 0x7f, 0x00, D_NONE, 0, { F(40, 1), F(44, 4), F(48, 8), F(4, 1) } },
	{ "read", true, 0x02, 0, D_C2H, 4096, { F(4, 4), F(40, 8), F(48, 2), F(50, 2), F(52, 4) } },
	{ "write", true, 0x01, 0, D_H2C, 4096, { F(4, 4), F(40, 8), F(48, 2), F(50, 2), F(52, 4) } },
	{ "flush", true, 0x00, 0, D_NONE, 0, { F(4, 4) } },
	{ "write-zeroes", true, 0x08, 0, D_NONE, 0, { F(4, 4), F(40, 8), F(48, 2), F(50, 2) } },
	{ "dsm", true, 0x09, 0, D_H2C, 16, { F(4, 4), F(40, 4), F(44, 4) } },
	{ "compare", true, 0x05, 0, D_H2C, 512, { F(4, 4), F(40, 8), F(48, 2) } },
	{ "verify", true, 0x0c, 0, D_NONE, 0, { F(4, 4), F(40, 8), F(48, 2), F(50, 2) } },
	{ "write-in-capsule", true, 0x01, 0, D_H2C, 512, { F(4, 4), F(40, 8), F(48, 2) } },
	{ "fabrics-connect-again", false, 0x7f, 0x01, D_H2C, 1024, { F(42, 2), F(44, 2), F(46, 1) } },
};
#undef F
#define NR_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

/* Fields every command has: the generic part of the map.  The keyed SGL's
 * address, length and key are apart: a wrong one makes the target's RDMA
 * READ or WRITE fail, which by RDMA semantics ends the queue, so one
 * mutation in 32 goes to them, and queues live long enough to matter. */
static const struct field generic[] = {
	{ 0, 1 }, { 1, 1 }, { 2, 2 }, { 4, 4 }, { 8, 8 }, { 16, 8 }, { 39, 1 },
};
static const struct field sgl_fields[] = { { 24, 8 }, { 32, 3 }, { 35, 4 }, { 39, 1 } };

const char *wire_shape_name(bool io, uint8_t opcode)
{
	for (size_t i = 0; i < NR_SHAPES; i++)
		if (shapes[i].io == io && shapes[i].opcode == opcode &&
		    opcode != NVSIM_FABRICS_OPCODE)
			return shapes[i].name;
	return opcode == NVSIM_FABRICS_OPCODE ? "fabrics" : NULL;
}

static uint64_t interesting(uint64_t *s, unsigned int width, uint64_t old)
{
	uint64_t max = width >= 8 ? UINT64_MAX : (1ull << (8 * width)) - 1;

	switch (rng_below(s, 9)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return max;
	case 3: return max >> 1;
	case 4: return (max >> 1) + 1;
	case 5: return (old + 1) & max;
	case 6: return (old - 1) & max;
	case 7: return old ^ (1ull << rng_below(s, 8 * width));
	default: return rng_next(s) & max;
	}
}

/* ---- a session: one association, its queues and what is in flight ------------------- */

static void host_config(const struct wire *w, struct nvsim_host_config *hc, uint16_t nr_io)
{
	*hc = w->cfg.host;
	hc->nr_io_queues = nr_io;
	hc->admin_sqsize = ADMIN_SQSIZE;
	hc->io_sqsize = IO_SQSIZE;
	hc->transport.timeout_ms = (int)w->cfg.timeout_ms;
	hc->transport.icd_max = WIRE_ICD_MAX;
}

static void poll_target(const struct wire *w)
{
	if (w->cfg.host.transport.progress)
		w->cfg.host.transport.progress(w->cfg.host.transport.progress_arg);
}

static void session_close(struct wire *w)
{
	for (unsigned int i = 0; i < 2; i++) {
		nvsim_hq_buf_dereg(&w->q[i].hb);
		free(w->q[i].mem);
		memset(&w->q[i], 0, sizeof(w->q[i]));
	}
	nvsim_host_disconnect(w->host);
	w->host = NULL;
}

static int session_open(struct wire *w, struct nvsim_host_status *st)
{
	struct nvsim_host_config hc;
	int ret;

	host_config(w, &hc, 1);
	w->since_drain = 0;
	ret = nvsim_host_connect(&hc, &w->host, st);
	if (ret) {
		w->host = NULL;
		return ret;
	}
	for (unsigned int i = 0; i < 2; i++) {
		struct wire_queue *q = &w->q[i];

		q->hq = i ? nvsim_host_io(w->host, 1) : nvsim_host_admin(w->host);
		q->mem = calloc(1, BUF_LEN);
		if (!q->hq || !q->mem || nvsim_hq_buf_reg(q->hq, q->mem, BUF_LEN, &q->hb)) {
			session_close(w);
			return st->err = -ENOMEM;
		}
		/* The helper layer used low CIDs for bring-up. */
		q->next_cid = 0x1000;
		w->mem_addr[i] = (uintptr_t)q->mem;
		w->mem_rkey[i] = q->hb.rkey;
	}
	return 0;
}

/* A fresh association must answer Identify and Keep Alive in time. */
static int liveness(struct wire *w)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h;
	_Alignas(8) uint8_t id[4096];
	char msg[200];
	int ret;

	host_config(w, &hc, 0);
	ret = nvsim_host_connect(&hc, &h, &st);
	if (ret) {
		snprintf(w->finding, sizeof(w->finding), "liveness: connect failed: %s",
			 nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return ret;
	}
	ret = nvsim_host_identify(h, NVME_IDENTIFY_CNS_CTRL, 0, id, &st);
	if (ret)
		snprintf(w->finding, sizeof(w->finding), "liveness: Identify failed: %s",
			 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
	else if ((ret = nvsim_host_keep_alive(h, &st)))
		snprintf(w->finding, sizeof(w->finding), "liveness: Keep Alive failed: %s",
			 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
	nvsim_host_disconnect(h);
	return ret;
}

/* ambiguous: its CID was in flight twice, so which command this CQE
 * answers is unknown: its status counts, not its opcode. */
static void count_cqe(struct wire *w, unsigned int qi, uint8_t opcode, bool ambiguous,
		      const struct nvsim_cqe *c)
{
	uint16_t sf = (uint16_t)(le16toh(c->status) >> 1);

	w->st.completions++;
	w->st.status[sf & 0x7ff]++;
	if (!(sf & 0x7ff) && !ambiguous)
		w->st.ok[qi][opcode]++;
}

/* Which tracked command a completion for out[i]'s CID answers, when the
 * CID is in flight twice.  A Command ID Conflict (generic status 03h, NVMe
 * Base 2.0 Generic Command Status (approx.)) answers the command that
 * reused the CID: the newest.  Any other answer goes to the oldest that is
 * not an AER, since an AER may wait for an event forever.  Either way a
 * hang behind a reused CID is still a hang, and an AER that took a reused
 * CID is not one. */
static unsigned int answered(const struct wire_queue *q, unsigned int i, const struct nvsim_cqe *c)
{
	uint16_t sf = (uint16_t)(le16toh(c->status) >> 1);
	bool conflict = (sf & 0x7ff) == NVME_SC_CMDID_CONFLICT;
	unsigned int pick = i;

	if (!q->out[i].ambiguous)
		return i;
	for (unsigned int j = 0; j < q->nr_out; j++) {
		const struct wire_out *o = &q->out[j], *p = &q->out[pick];

		if (o->cid != q->out[i].cid || j == pick)
			continue;
		if (conflict ? o->seq > p->seq : !o->aer && (p->aer || o->seq < p->seq))
			pick = j;
	}
	return pick;
}

/* Drops out[i]; the others with its CID are no longer ambiguous once one
 * is left. */
static void untrack(struct wire_queue *q, unsigned int i)
{
	uint16_t cid = q->out[i].cid;
	unsigned int same = 0, last = 0;

	q->out[i] = q->out[--q->nr_out];
	for (unsigned int j = 0; j < q->nr_out; j++)
		if (q->out[j].cid == cid) {
			same++;
			last = j;
		}
	if (same == 1)
		q->out[last].ambiguous = false;
}

/* Takes what has arrived.  Returns 0, -ECONNRESET when the queue died, or
 * -ETIMEDOUT with the finding set when a command waited past the timeout. */
static int reap(struct wire *w, unsigned int qi)
{
	struct wire_queue *q = &w->q[qi];
	uint64_t now = nvsim_now_ms();

	for (unsigned int i = 0; i < q->nr_out;) {
		struct nvsim_hcmd cmd = { .cid = q->out[i].cid };
		int ret = nvsim_hq_reap(q->hq, &cmd);

		if (ret == -ECONNRESET) {
			TRACE("q%u died, %u in flight (first: step %llu CID %#x opcode %#x)\n", qi,
			      q->nr_out, (unsigned long long)q->out[i].step, q->out[i].cid,
			      q->out[i].opcode);
			return ret;
		}
		if (ret == 0) {
			unsigned int k = answered(q, i, &cmd.cqe);

			if (k != i) {
				/* out[i] stays; look at it again after the swap. */
				TRACE("q%u step %llu CID %#x: the answer is step %llu's\n", qi,
				      (unsigned long long)q->out[i].step, q->out[i].cid,
				      (unsigned long long)q->out[k].step);
				count_cqe(w, qi, q->out[k].opcode, true, &cmd.cqe);
				untrack(q, k);
				continue;
			}
			TRACE("q%u step %llu CID %#x opcode %#04x: status %#06x\n", qi,
			      (unsigned long long)q->out[i].step, q->out[i].cid, q->out[i].opcode,
			      le16toh(cmd.cqe.status) >> 1);
			count_cqe(w, qi, q->out[i].opcode, q->out[i].ambiguous, &cmd.cqe);
		} else if (q->out[i].aer || now - q->out[i].sent_ms < w->cfg.timeout_ms) {
			i++;
			continue;
		} else {
			snprintf(w->finding, sizeof(w->finding),
				 "hang: %s CID %#x (opcode %#04x) unanswered after %u ms",
				 qi ? "I/O" : "admin", q->out[i].cid, q->out[i].opcode,
				 w->cfg.timeout_ms);
			w->finding_step = q->out[i].step;
			return -ETIMEDOUT;
		}
		untrack(q, i);
	}
	return 0;
}

static bool cid_busy(const struct wire_queue *q, uint16_t cid)
{
	for (unsigned int i = 0; i < q->nr_out; i++)
		if (q->out[i].cid == cid)
			return true;
	return false;
}

/* Sends one capsule and tracks it; waits for room first (the queue holds
 * SQSIZE + 1 commands).  Returns 0, -ECONNRESET or -ETIMEDOUT (a hang). */
static int send_capsule(struct wire *w, const struct wire_capsule *c)
{
	struct wire_queue *q = &w->q[c->qid];
	uint32_t room = c->qid ? IO_SQSIZE + 1 : ADMIN_SQSIZE + 1;
	uint16_t cid = c->len >= 4 ? (uint16_t)(c->bytes[2] | c->bytes[3] << 8) : 0;
	int ret;

	while (q->nr_out >= room || q->nr_out == WIRE_MAX_OUT) {
		ret = reap(w, c->qid);
		if (ret)
			return ret;
		poll_target(w);
	}
	ret = nvsim_hq_send_raw(q->hq, c->bytes, c->len);
	TRACE("q%u step %llu: %u bytes, CID %#x opcode %#04x: %s\n", c->qid,
	      (unsigned long long)c->step, c->len, cid, c->len ? c->bytes[0] : 0,
	      ret ? strerror(-ret) : "sent");
	if (ret == -EMSGSIZE)
		return 0;
	if (ret)
		return -ECONNRESET;
	w->st.sent++;
	/* Every command holds a slot of the target's queue until it completes,
	 * a reused CID included (it is answered Command ID Conflict); a capsule
	 * too short to carry a command is not waited for. */
	if (c->len >= 64) {
		struct wire_out *o = &q->out[q->nr_out];

		o->cid = cid;
		o->opcode = c->bytes[0];
		o->aer = c->qid == 0 && c->bytes[0] == nvme_admin_async_event;
		o->ambiguous = false;
		o->step = c->step;
		o->seq = q->seq++;
		for (unsigned int j = 0; j < q->nr_out; j++)
			if (q->out[j].cid == cid)
				q->out[j].ambiguous = o->ambiguous = true;
		o->sent_ms = nvsim_now_ms();
		q->nr_out++;
	}
	return 0;
}

/* Commands in flight that must still complete (AERs need not). */
static bool busy(const struct wire_queue *q)
{
	for (unsigned int i = 0; i < q->nr_out; i++)
		if (!q->out[i].aer)
			return true;
	return false;
}

/* Waits until every tracked command has completed (or timed out). */
static int drain(struct wire *w)
{
	for (;;) {
		int ret = 0;

		for (unsigned int i = 0; i < 2 && !ret; i++)
			ret = reap(w, i);
		if (ret)
			return ret;
		if (!busy(&w->q[0]) && !busy(&w->q[1]))
			return 0;
		poll_target(w);
	}
}

/* A first fused command: a target may hold it until the second arrives. */
static bool fused_first(const struct wire_capsule *c)
{
	return c->len >= 2 && (c->bytes[1] & 3) == 1;
}

/* After each capsule: reap every 8, so that what completes before a queue
 * dies is counted, and wait for every answer every WIRE_WINDOW.  The wait
 * is what finds a hang: a queue the generator's own capsules end (about
 * one in 80 does) takes its unanswered commands with it, so a command
 * dropped early in a batch would otherwise go unseen unless the queue
 * lived to the batch's end.  A window never ends on a first fused
 * command, whose partner is the next capsule. */
static int after_send(struct wire *w, const struct wire_capsule *c)
{
	int ret;

	if (++w->since_drain >= WIRE_WINDOW && !fused_first(c)) {
		w->since_drain = 0;
		return drain(w);
	}
	if (w->since_drain % 8)
		return 0;
	poll_target(w);
	ret = reap(w, 0);
	return ret ? ret : reap(w, 1);
}

/* ---- capsule generation ------------------------------------------------------------ */

/* A well-formed capsule of a random shape, then 0-3 field mutations; one
 * in sixteen is raw random bytes instead.  Returns its length; *qi is the
 * queue. */
static size_t make_capsule(struct wire *w, uint64_t *s, uint8_t *cap, unsigned int *qi)
{
	const struct shape *sh = &shapes[rng_below(s, NR_SHAPES)];
	struct nvsim_sqe *sqe = (void *)cap;
	struct wire_queue *q;
	size_t len = 64;
	unsigned int muts;

	if (rng_below(s, 16) == 0) {
		/* A runt capsule (under 64 bytes) ends the queue: one raw in eight. */
		len = rng_below(s, 8) ? 64 + rng_below(s, 512 + 1) : rng_below(s, 64);
		for (size_t i = 0; i < len; i++)
			cap[i] = (uint8_t)rng_next(s);
		*qi = rng_below(s, 2);
		return len;
	}
	*qi = sh->io;
	q = &w->q[*qi];
	memset(cap, 0, 64);
	sqe->opcode = sh->opcode;
	sqe->flags = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
	do
		sqe->cid = htole16(q->next_cid++);
	while (cid_busy(q, le16toh(sqe->cid)));
	if (sh->opcode == NVSIM_FABRICS_OPCODE) {
		cap[4] = sh->fctype;
		if (sh->fctype == nvme_fabrics_type_property_set) {
			/* CC with EN set: a well-formed set does not stop the controller. */
			cap[44] = 0x14;
			sqe->cdw12 = htole32(0x00460001);
		}
	} else {
		sqe->nsid = htole32(sh->io ? 1 : 0);
	}
	switch (sh->opcode | (sh->io ? 0x100 : 0)) {
	case 0x06: sqe->cdw10 = htole32(1); break;			 /* CNS 1 */
	case 0x02: sqe->cdw10 = htole32((sh->len / 4 - 1) << 16 | 0x02); /* SMART */
		sqe->nsid = htole32(0xffffffff);
		break;
	case 0x0a: case 0x09: sqe->cdw10 = htole32(0x07); break;	 /* Number of Queues */
	case 0x102: case 0x101: case 0x105:
		sqe->cdw10 = htole32(rng_below(s, 2048));
		sqe->cdw12 = htole32(sh->len / 512 - 1);
		break;
	case 0x108: case 0x10c: sqe->cdw12 = htole32(7); break;
	case 0x109: sqe->cdw11 = htole32(1 << 2); break;		 /* deallocate, 1 range */
	default: break;
	}
	if (sh->dir == D_H2C && sh->len <= WIRE_ICD_MAX && (sh->len <= 512 || sh->fctype == 1)) {
		/* In-capsule data: a data block, offset subtype. */
		nvsim_sgl_unkeyed_set(&sqe->dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
				      NVSIM_SGL_SUBTYPE_OFFSET, 0, sh->len);
		for (uint32_t i = 0; i < sh->len; i++)
			cap[64 + i] = (uint8_t)rng_next(s);
		len += sh->len;
	} else {
		nvsim_sgl_keyed_set(&sqe->dptr.keyed, sh->len ? (uintptr_t)q->mem : 0, sh->len,
				    sh->len ? q->hb.rkey : 0, NVSIM_SGL_SUBTYPE_ADDRESS);
	}
	muts = rng_below(s, 4);
	for (unsigned int m = 0; m < muts; m++) {
		/* Three in four mutations hit the shape's own fields. */
		const struct field *fl;
		uint64_t old = 0, v;
		unsigned int nf = 0;

		while (nf < 6 && sh->fields[nf].width)
			nf++;
		if (nf && rng_below(s, 4))
			fl = &sh->fields[rng_below(s, nf)];
		else
			fl = &generic[rng_below(s, sizeof(generic) / sizeof(generic[0]))];
		if (rng_below(s, 32) == 0)
			fl = &sgl_fields[rng_below(s, 4)];
		memcpy(&old, cap + fl->off, fl->width);
		v = interesting(s, fl->width, le64toh(old));
		v = htole64(v);
		memcpy(cap + fl->off, &v, fl->width);
	}
	return len;
}

/* ---- the run ---------------------------------------------------------------------------- */

struct wire *wire_new(const struct wire_config *cfg)
{
	struct wire *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->cfg = *cfg;
	w->batch = calloc(WIRE_BATCH, sizeof(*w->batch));
	w->store = calloc(WIRE_BATCH, sizeof(*w->store));
	if (!w->batch || !w->store) {
		wire_free(w);
		return NULL;
	}
	for (unsigned int i = 0; i < WIRE_BATCH; i++)
		w->batch[i].bytes = w->store[i].b;
	return w;
}

void wire_free(struct wire *w)
{
	if (!w)
		return;
	if (w->host)
		session_close(w);
	free(w->batch);
	free(w->store);
	free(w);
}

const struct wire_stats *wire_stats(const struct wire *w)
{
	return &w->st;
}

const char *wire_finding(const struct wire *w)
{
	return w->finding;
}

uint64_t wire_finding_step(const struct wire *w)
{
	return w->finding_step;
}

const struct nvsim_host_status *wire_setup_status(const struct wire *w)
{
	return &w->setup;
}

size_t wire_batch_len(const struct wire *w)
{
	return w->nr_batch;
}

static bool more(uint64_t step, uint64_t count, uint64_t deadline_ms)
{
	return count ? step < count : nvsim_now_ms() < deadline_ms;
}

enum wire_result wire_run(struct wire *w, uint64_t count, uint64_t deadline_ms,
			  wire_progress_fn progress, void *arg)
{
	uint64_t step = 0;

	while (more(step, count, deadline_ms)) {
		struct nvsim_host_status st;
		uint64_t s = w->cfg.seed ^ (w->st.batches * 0xd1b54a32d192ed03ull);
		int ret = session_open(w, &st);

		w->nr_batch = 0;
		if (ret && !w->st.batches) {
			/* Nothing was fuzzed yet: the set-up failed, not the target. */
			w->setup = st;
			return WIRE_SETUP_FAILED;
		}
		if (ret) {
			char msg[200];

			snprintf(w->finding, sizeof(w->finding), "session connect failed: %s",
				 nvsim_host_status_str(&st, true, msg, sizeof(msg)));
			w->finding_step = step;
			return WIRE_FOUND;
		}
		for (unsigned int i = 0; i < WIRE_BATCH && (!count || step < count); i++, step++) {
			struct wire_capsule *b = &w->batch[w->nr_batch++];
			unsigned int qi;

			b->len = (uint16_t)make_capsule(w, &s, b->bytes, &qi);
			b->step = step;
			b->qid = (uint8_t)qi;
			ret = send_capsule(w, b);
			if (!ret && (ret = after_send(w, b))) {
				step++; /* this one was sent */
				break;
			}
			if (ret)
				break;
			if ((i & 63) == 63 && progress && !progress(arg, &w->st)) {
				session_close(w);
				return WIRE_STOPPED;
			}
		}
		if (!ret)
			ret = drain(w);
		session_close(w);
		w->st.batches++;
		if (ret == -ECONNRESET)
			w->st.reconnects++;
		if (ret == -ETIMEDOUT)
			return WIRE_FOUND;
		if (liveness(w)) {
			w->finding_step = w->nr_batch ? w->batch[w->nr_batch - 1].step : step;
			return WIRE_FOUND;
		}
		w->st.live_ok++;
		if (progress && !progress(arg, &w->st))
			return WIRE_STOPPED;
	}
	return WIRE_PASSED;
}

/* A keyed SGL that pointed at the recorded run's host memory points at
 * ours: same offset, our key.  Anything else stays as it was. */
static void relocate(const struct wire *w, const struct wire_replay *r, struct wire_capsule *c)
{
	struct nvsim_sqe *sqe = (void *)c->bytes;
	const struct wire_queue *q = &w->q[c->qid];

	if (c->len < 64 || nvsim_sgl_type_of(sqe->dptr.sgl.id) != NVSIM_SGL_TYPE_KEYED_DATA_BLOCK ||
	    le32toh(sqe->dptr.keyed.key) != r->mem_rkey[c->qid])
		return;
	sqe->dptr.keyed.key = htole32(q->hb.rkey);
	sqe->dptr.keyed.addr =
		htole64(le64toh(sqe->dptr.keyed.addr) - r->mem_addr[c->qid] + (uintptr_t)q->mem);
}

enum wire_result wire_replay(struct wire *w, const struct wire_replay *r, bool *dropped)
{
	static struct wire_slot slot;
	struct nvsim_host_status st;
	int ret;

	*dropped = false;
	w->nr_batch = 0;
	ret = session_open(w, &st);
	if (ret) {
		w->setup = st;
		return WIRE_SETUP_FAILED;
	}
	for (size_t i = 0; i < r->nr && !ret; i++) {
		struct wire_capsule c = r->capsules[i];

		/* A copy: aligned for the SQE, and relocated without touching r. */
		if (c.qid > 1 || c.len > WIRE_CAPSULE_MAX)
			continue;
		memcpy(slot.b, c.bytes, c.len);
		c.bytes = slot.b;
		relocate(w, r, &c);
		ret = send_capsule(w, &c);
		if (!ret)
			ret = after_send(w, &c);
	}
	if (!ret)
		ret = drain(w);
	session_close(w);
	if (ret == -ETIMEDOUT)
		return WIRE_FOUND;
	*dropped = ret == -ECONNRESET;
	if (liveness(w))
		return WIRE_FOUND;
	return WIRE_PASSED;
}
