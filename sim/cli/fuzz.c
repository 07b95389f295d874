/* nvmfsim fuzz: wire fuzzing of a live NVMe-oF/RDMA target with the host's
 * raw layer.  Each batch opens a fresh association (admin + one I/O queue),
 * sends well-formed capsules mutated field by field (the field map of the
 * in-process fuzz targets, fuzz/targets) plus a share of raw random bytes,
 * reaps every completion, then checks liveness: a fresh admin connect,
 * Identify and Keep Alive must succeed within the timeout.  A hang (a
 * command unanswered for the timeout) or a failed liveness check saves a
 * replay file (JSON: seed, step, capsules in base64) that --replay reruns.
 * Without an address it fuzzes the embedded simulator. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "spec/sgl.h"

#define BATCH 512u		/* capsules between liveness checks */
#define BUF_LEN (64u * 1024u)	/* host memory per queue the target may READ/WRITE */
#define ICD_MAX 4096u		/* in-capsule bytes we may send */
#define MAX_OUT 256u		/* commands in flight per queue we track */
#define PROGRESS_MS 2000u
#define REPLAY_VERSION 1

static const char *prog = "nvmfsim fuzz";

/* ---- small helpers ----------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* splitmix64: the whole run follows from --seed. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_encode(const uint8_t *p, size_t n)
{
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);

		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = 0;
	return out;
}

/* Decodes into out (at most max bytes); -1 on a malformed string. */
static long base64_decode(const char *s, uint8_t *out, size_t max)
{
	uint32_t v = 0;
	unsigned int bits = 0;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		const char *c = strchr(b64, *s);

		if (!c || !*s)
			return -1;
		v = v << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return -1;
			out[n++] = (uint8_t)(v >> bits);
		}
	}
	return (long)n;
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

/* ---- a fuzzing session --------------------------------------------------------------- */

struct hqueue {
	struct nvsim_hq *hq;
	struct nvsim_hbuf hb;
	uint8_t *mem;
	uint16_t next_cid;
	struct {
		uint16_t cid;
		uint8_t opcode;
		bool aer; /* waits for an event by design: never a hang */
		bool ambiguous; /* its CID was in flight twice: which CQE is whose is unknown */
		uint64_t sent_ms;
	} out[MAX_OUT];
	unsigned int nr_out;
};

/* One capsule as sent, for the replay file. */
struct sent {
	uint64_t step;
	uint8_t qid;
	uint16_t len;
	_Alignas(8) uint8_t bytes[64 + ICD_MAX]; /* read as a struct nvsim_sqe */
};

struct fuzz {
	struct cli_conn_opts conn;
	const char *inject_spec[8];
	unsigned int nr_inject_spec;
	const char *subnqn;
	char addr[320];
	struct nvsim_embedded *embedded;
	uint32_t timeout_ms;
	const char *replay_out;
	uint64_t seed;

	struct nvsim_host *host;
	struct hqueue q[2]; /* admin, I/O queue 1 */

	struct sent *batch; /* capsules of the current batch */
	unsigned int nr_batch;
	/* Host memory the batch's keyed SGLs point at (per queue), so a replay
	 * can point them at its own. */
	uint64_t mem_addr[2];
	uint32_t mem_rkey[2];
	bool replaying;

	/* figures */
	uint64_t sent, completions, reconnects, batches, live_ok;
	uint64_t status[0x800]; /* SCT << 8 | SC */
	uint64_t ok[2][256];	/* successes per queue kind and opcode */
	uint64_t t0, last_progress;
	char finding[256];
};

static int fuzz_open_embedded(struct fuzz *f)
{
	struct nvsim_embedded_config ec;
	int ret;

	nvsim_embedded_config_init(&ec);
	ec.seed = f->conn.seed;
	ret = nvsim_embedded_start(&ec, &f->embedded);
	if (ret) {
		fprintf(stderr, "%s: embedded simulator: %s\n", prog, strerror(-ret));
		return ret;
	}
	for (unsigned int i = 0; i < f->conn.nr_inject; i++)
		nvsim_target_inject_add(f->embedded->target, &f->conn.inject[i]);
	return 0;
}

static void host_config(struct fuzz *f, struct nvsim_host_config *hc, uint16_t nr_io)
{
	nvsim_host_config_init(hc);
	cli_parse_hostid(f->conn.hostid, hc->hostid);
	hc->subnqn = f->subnqn;
	hc->hostnqn = f->conn.hostnqn;
	hc->kato_ms = f->conn.kato_ms;
	hc->nr_io_queues = nr_io;
	hc->admin_sqsize = 31;
	hc->io_sqsize = 127;
	hc->transport.timeout_ms = (int)f->timeout_ms;
	hc->transport.icd_max = ICD_MAX;
	if (f->embedded) {
		hc->transport.provider = "fake";
		hc->transport.fabric = f->embedded->fabric;
		hc->transport.addr = NVSIM_EMBEDDED_ADDR;
		hc->transport.progress = nvsim_embedded_poll;
		hc->transport.progress_arg = f->embedded;
	} else {
		hc->transport.provider = f->conn.provider ? f->conn.provider : "ibv";
		hc->transport.addr = f->addr;
	}
}

static void session_close(struct fuzz *f)
{
	for (unsigned int i = 0; i < 2; i++) {
		nvsim_hq_buf_dereg(&f->q[i].hb);
		free(f->q[i].mem);
		memset(&f->q[i], 0, sizeof(f->q[i]));
	}
	nvsim_host_disconnect(f->host);
	f->host = NULL;
}

static int session_open(struct fuzz *f, struct nvsim_host_status *st)
{
	struct nvsim_host_config hc;
	int ret;

	host_config(f, &hc, 1);
	ret = nvsim_host_connect(&hc, &f->host, st);
	if (ret) {
		f->host = NULL;
		return ret;
	}
	for (unsigned int i = 0; i < 2; i++) {
		struct hqueue *q = &f->q[i];

		q->hq = i ? nvsim_host_io(f->host, 1) : nvsim_host_admin(f->host);
		q->mem = calloc(1, BUF_LEN);
		if (!q->hq || !q->mem || nvsim_hq_buf_reg(q->hq, q->mem, BUF_LEN, &q->hb)) {
			session_close(f);
			return st->err = -ENOMEM;
		}
		/* The helper layer used low CIDs for bring-up. */
		q->next_cid = 0x1000;
		if (!f->replaying) {
			f->mem_addr[i] = (uintptr_t)q->mem;
			f->mem_rkey[i] = q->hb.rkey;
		}
	}
	return 0;
}

/* A fresh association must answer Identify and Keep Alive in time. */
static int liveness(struct fuzz *f, char *why, size_t len)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h;
	_Alignas(8) uint8_t id[4096];
	char msg[200];
	int ret;

	host_config(f, &hc, 0);
	ret = nvsim_host_connect(&hc, &h, &st);
	if (ret) {
		snprintf(why, len, "liveness: connect failed: %s",
			 nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return ret;
	}
	ret = nvsim_host_identify(h, NVME_IDENTIFY_CNS_CTRL, 0, id, &st);
	if (ret)
		snprintf(why, len, "liveness: Identify failed: %s",
			 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
	else if ((ret = nvsim_host_keep_alive(h, &st)))
		snprintf(why, len, "liveness: Keep Alive failed: %s",
			 nvsim_host_status_str(&st, false, msg, sizeof(msg)));
	nvsim_host_disconnect(h);
	return ret;
}

/* ambiguous: its CID was in flight twice, so which command this CQE
 * answers is unknown: its status counts, not its opcode. */
static void count_cqe(struct fuzz *f, unsigned int qi, uint8_t opcode, bool ambiguous,
		      const struct nvsim_cqe *c)
{
	uint16_t sf = (uint16_t)(le16toh(c->status) >> 1);

	f->completions++;
	f->status[sf & 0x7ff]++;
	if (!(sf & 0x7ff) && !ambiguous)
		f->ok[qi][opcode]++;
}

/* Takes what has arrived.  Returns 0, -ECONNRESET when the queue died, or
 * -ETIMEDOUT with f->finding set when a command waited past the timeout. */
static int reap(struct fuzz *f, unsigned int qi)
{
	struct hqueue *q = &f->q[qi];
	uint64_t now = now_ms();

	for (unsigned int i = 0; i < q->nr_out;) {
		struct nvsim_hcmd cmd = { .cid = q->out[i].cid };
		int ret = nvsim_hq_reap(q->hq, &cmd);

		if (ret == -ECONNRESET)
			return ret;
		if (ret == 0) {
			count_cqe(f, qi, q->out[i].opcode, q->out[i].ambiguous, &cmd.cqe);
		} else if (q->out[i].aer || now - q->out[i].sent_ms < f->timeout_ms) {
			i++;
			continue;
		} else {
			snprintf(f->finding, sizeof(f->finding),
				 "hang: %s CID %#x (opcode %#04x) unanswered after %u ms",
				 qi ? "I/O" : "admin", q->out[i].cid, q->out[i].opcode, f->timeout_ms);
			return -ETIMEDOUT;
		}
		q->out[i] = q->out[--q->nr_out];
	}
	return 0;
}

static bool cid_busy(const struct hqueue *q, uint16_t cid)
{
	for (unsigned int i = 0; i < q->nr_out; i++)
		if (q->out[i].cid == cid)
			return true;
	return false;
}

/* Sends one capsule on queue qi and tracks it; waits for room first (the
 * queue holds SQSIZE + 1 commands).  Returns 0, -ECONNRESET or
 * -ETIMEDOUT (a hang, in f->finding). */
static int send_capsule(struct fuzz *f, unsigned int qi, const uint8_t *capsule, size_t len)
{
	struct hqueue *q = &f->q[qi];
	uint32_t room = qi ? 127 : 31;
	uint16_t cid = len >= 4 ? (uint16_t)(capsule[2] | capsule[3] << 8) : 0;
	int ret;

	while (q->nr_out >= room || q->nr_out == MAX_OUT) {
		ret = reap(f, qi);
		if (ret)
			return ret;
		if (f->embedded)
			nvsim_embedded_poll(f->embedded);
	}
	ret = nvsim_hq_send_raw(q->hq, capsule, len);
	if (ret == -EMSGSIZE)
		return 0;
	if (ret)
		return -ECONNRESET;
	f->sent++;
	/* Every command holds a slot of the target's queue until it completes,
	 * a reused CID included (it is answered Command ID Conflict); a capsule
	 * too short to carry a command is not waited for. */
	if (len >= 64) {
		q->out[q->nr_out].cid = cid;
		q->out[q->nr_out].opcode = capsule[0];
		q->out[q->nr_out].aer = qi == 0 && capsule[0] == nvme_admin_async_event;
		q->out[q->nr_out].ambiguous = false;
		for (unsigned int j = 0; j < q->nr_out; j++)
			if (q->out[j].cid == cid)
				q->out[j].ambiguous = q->out[q->nr_out].ambiguous = true;
		q->out[q->nr_out].sent_ms = now_ms();
		q->nr_out++;
	}
	return 0;
}

/* Commands in flight that must still complete (AERs need not). */
static bool busy(const struct hqueue *q)
{
	for (unsigned int i = 0; i < q->nr_out; i++)
		if (!q->out[i].aer)
			return true;
	return false;
}

/* Waits until every tracked command has completed (or timed out). */
static int drain(struct fuzz *f)
{
	for (;;) {
		int ret = 0;

		for (unsigned int i = 0; i < 2 && !ret; i++)
			ret = reap(f, i);
		if (ret)
			return ret;
		if (!busy(&f->q[0]) && !busy(&f->q[1]))
			return 0;
		if (f->embedded)
			nvsim_embedded_poll(f->embedded);
	}
}

/* ---- capsule generation ------------------------------------------------------------ */

/* A well-formed capsule of a random shape, then 0-3 field mutations; one
 * in sixteen is raw random bytes instead.  Returns its length; *qi is the
 * queue. */
static size_t make_capsule(struct fuzz *f, uint64_t *s, uint8_t *cap, unsigned int *qi)
{
	const struct shape *sh = &shapes[rng_below(s, NR_SHAPES)];
	struct nvsim_sqe *sqe = (void *)cap;
	struct hqueue *q;
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
	q = &f->q[*qi];
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
	if (sh->dir == D_H2C && sh->len <= ICD_MAX && (sh->len <= 512 || sh->fctype == 1)) {
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

/* ---- replay files ---------------------------------------------------------------------- */

static int save_replay(struct fuzz *f)
{
	struct json_object *root = json_object_new_object(), *caps = json_object_new_array();
	struct json_object *target = json_object_new_object(), *inj = json_object_new_array();
	struct json_object *mem = json_object_new_array();
	int ret = 0;

	json_object_object_add(root, "tool", json_object_new_string("nvmfsim fuzz"));
	json_object_object_add(root, "version", json_object_new_int(REPLAY_VERSION));
	json_object_object_add(root, "seed", json_object_new_uint64(f->seed));
	json_object_object_add(root, "step", json_object_new_uint64(f->nr_batch ? f->batch[0].step : 0));
	json_object_object_add(root, "reason", json_object_new_string(f->finding));
	json_object_object_add(target, "traddr", f->conn.traddr ? json_object_new_string(f->conn.traddr)
								: NULL);
	json_object_object_add(target, "trsvcid", json_object_new_string(f->conn.trsvcid));
	json_object_object_add(target, "nqn", json_object_new_string(f->subnqn));
	for (unsigned int i = 0; i < f->nr_inject_spec; i++)
		json_object_array_add(inj, json_object_new_string(f->inject_spec[i]));
	json_object_object_add(target, "inject", inj);
	json_object_object_add(root, "target", target);
	for (unsigned int i = 0; i < 2; i++) {
		struct json_object *m = json_object_new_object();

		json_object_object_add(m, "addr", json_object_new_uint64(f->mem_addr[i]));
		json_object_object_add(m, "rkey", json_object_new_uint64(f->mem_rkey[i]));
		json_object_array_add(mem, m);
	}
	json_object_object_add(root, "memory", mem);
	for (unsigned int i = 0; i < f->nr_batch; i++) {
		struct json_object *c = json_object_new_object();
		char *data = base64_encode(f->batch[i].bytes, f->batch[i].len);

		json_object_object_add(c, "step", json_object_new_uint64(f->batch[i].step));
		json_object_object_add(c, "qid", json_object_new_int(f->batch[i].qid));
		json_object_object_add(c, "data", json_object_new_string(data ? data : ""));
		free(data);
		json_object_array_add(caps, c);
	}
	json_object_object_add(root, "capsules", caps);
	if (json_object_to_file_ext(f->replay_out, root, JSON_C_TO_STRING_PRETTY)) {
		fprintf(stderr, "%s: cannot write %s\n", prog, f->replay_out);
		ret = -EIO;
	}
	json_object_put(root);
	return ret;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		       ? json_object_get_string(v)
		       : NULL;
}

/* Loads a replay file into f->batch (and the target's settings the command
 * line left open).  Prints what is wrong with the file. */
static int load_replay(struct fuzz *f, const char *path, struct json_object **keep)
{
	struct json_object *root = json_object_from_file(path), *caps, *target, *v;
	size_t n;

	if (!root || !json_object_object_get_ex(root, "capsules", &caps) ||
	    !json_object_is_type(caps, json_type_array)) {
		fprintf(stderr, "%s: %s: not a replay file (no \"capsules\" array)\n", prog, path);
		json_object_put(root);
		return -EINVAL;
	}
	if (json_object_object_get_ex(root, "seed", &v))
		f->seed = (uint64_t)json_object_get_uint64(v);
	if (json_object_object_get_ex(root, "target", &target)) {
		struct json_object *inj;

		if (!f->conn.traddr && jstr(target, "traddr"))
			f->conn.traddr = jstr(target, "traddr");
		if (jstr(target, "trsvcid") && !f->conn.traddr)
			f->conn.trsvcid = jstr(target, "trsvcid");
		if (!f->conn.nqn && jstr(target, "nqn"))
			f->subnqn = jstr(target, "nqn");
		/* The embedded simulator's fault injection is part of the case. */
		if (json_object_object_get_ex(target, "inject", &inj) &&
		    json_object_is_type(inj, json_type_array) && !f->conn.traddr) {
			for (size_t i = 0; i < json_object_array_length(inj); i++) {
				const char *spec = json_object_get_string(json_object_array_get_idx(inj, i));
				char err[160];

				if (f->conn.nr_inject == 8 ||
				    cli_parse_inject(spec, &f->conn.inject[f->conn.nr_inject], err,
						     sizeof(err))) {
					fprintf(stderr, "%s: %s: inject '%s' refused\n", prog, path, spec);
					json_object_put(root);
					return -EINVAL;
				}
				f->inject_spec[f->conn.nr_inject] = spec;
				f->conn.nr_inject++;
				f->nr_inject_spec = f->conn.nr_inject;
			}
		}
	}
	if (json_object_object_get_ex(root, "memory", &v) && json_object_is_type(v, json_type_array))
		for (size_t i = 0; i < 2 && i < json_object_array_length(v); i++) {
			struct json_object *m = json_object_array_get_idx(v, i), *x;

			if (json_object_object_get_ex(m, "addr", &x))
				f->mem_addr[i] = (uint64_t)json_object_get_uint64(x);
			if (json_object_object_get_ex(m, "rkey", &x))
				f->mem_rkey[i] = (uint32_t)json_object_get_uint64(x);
		}
	n = json_object_array_length(caps);
	f->batch = calloc(n ? n : 1, sizeof(*f->batch));
	if (!f->batch) {
		json_object_put(root);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(caps, i);
		const char *data = jstr(c, "data");
		long len = data ? base64_decode(data, f->batch[i].bytes, sizeof(f->batch[i].bytes)) : -1;

		if (len < 0) {
			fprintf(stderr, "%s: %s: capsule %zu: bad base64 data\n", prog, path, i);
			json_object_put(root);
			return -EINVAL;
		}
		f->batch[i].len = (uint16_t)len;
		f->batch[i].qid = json_object_object_get_ex(c, "qid", &v) && json_object_get_int(v) ? 1 : 0;
		f->batch[i].step = json_object_object_get_ex(c, "step", &v)
					   ? (uint64_t)json_object_get_uint64(v) : i;
	}
	f->nr_batch = (unsigned int)n;
	*keep = root;
	return 0;
}

/* ---- progress ------------------------------------------------------------------------ */

static const char *opname(bool io, uint8_t opc)
{
	for (size_t i = 0; i < NR_SHAPES; i++)
		if (shapes[i].io == io && shapes[i].opcode == opc && opc != NVSIM_FABRICS_OPCODE)
			return shapes[i].name;
	return opc == NVSIM_FABRICS_OPCODE ? "fabrics" : NULL;
}

static void progress(struct fuzz *f, bool final)
{
	uint64_t now = now_ms(), secs = now - f->t0;
	int top[6];
	char line[1024];
	int n;

	if (!final && now - f->last_progress < PROGRESS_MS)
		return;
	f->last_progress = now;
	/* the six most frequent statuses */
	for (unsigned int k = 0; k < 6; k++) {
		top[k] = -1;
		for (int sc = 0; sc < 0x800; sc++) {
			bool taken = false;

			for (unsigned int j = 0; j < k; j++)
				taken |= top[j] == sc;
			if (!taken && f->status[sc] && (top[k] < 0 || f->status[sc] > f->status[top[k]]))
				top[k] = sc;
		}
	}
	n = snprintf(line, sizeof(line),
		     "fuzz: %" PRIu64 " capsules (%" PRIu64 "/s), %" PRIu64 " completions, %" PRIu64
		     " batches, liveness ok %" PRIu64 "/%" PRIu64 "; statuses",
		     f->sent, secs ? f->sent * 1000 / secs : f->sent, f->completions, f->batches,
		     f->live_ok, f->batches);
	for (unsigned int k = 0; k < 6 && n < (int)sizeof(line); k++)
		if (top[k] >= 0)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %x/%02x:%" PRIu64,
				      top[k] >> 8, top[k] & 0xff, f->status[top[k]]);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "; ok");
	for (unsigned int qi = 0; qi < 2 && n < (int)sizeof(line); qi++)
		for (unsigned int opc = 0; opc < 256 && n < (int)sizeof(line); opc++)
			if (f->ok[qi][opc])
				n += opname(qi, (uint8_t)opc)
					     ? snprintf(line + n, sizeof(line) - (size_t)n, " %s:%" PRIu64,
							opname(qi, (uint8_t)opc), f->ok[qi][opc])
					     : snprintf(line + n, sizeof(line) - (size_t)n,
							" %s%02x:%" PRIu64, qi ? "io" : "admin", opc,
							f->ok[qi][opc]);
	printf("%s\n", line);
	fflush(stdout);
}

/* ---- the run ---------------------------------------------------------------------------- */

/* A keyed SGL that pointed at the recorded run's host memory points at
 * ours: same offset, our key.  Anything else stays as it was. */
static void relocate(struct fuzz *f, struct sent *c)
{
	struct nvsim_sqe *sqe = (void *)c->bytes;
	struct hqueue *q = &f->q[c->qid];

	if (c->len < 64 || nvsim_sgl_type_of(sqe->dptr.sgl.id) != NVSIM_SGL_TYPE_KEYED_DATA_BLOCK ||
	    le32toh(sqe->dptr.keyed.key) != f->mem_rkey[c->qid])
		return;
	sqe->dptr.keyed.key = htole32(q->hb.rkey);
	sqe->dptr.keyed.addr =
		htole64(le64toh(sqe->dptr.keyed.addr) - f->mem_addr[c->qid] + (uintptr_t)q->mem);
}

/* Sends f->batch[0..nr_batch) as they are (a replay). */
static int send_batch(struct fuzz *f)
{
	for (unsigned int i = 0; i < f->nr_batch; i++) {
		relocate(f, &f->batch[i]);
		int ret = send_capsule(f, f->batch[i].qid, f->batch[i].bytes, f->batch[i].len);

		if (ret)
			return ret;
	}
	return drain(f);
}

static int run_replay(struct fuzz *f)
{
	struct nvsim_host_status st;
	char why[256] = "", msg[200];
	int ret;

	ret = session_open(f, &st);
	if (ret) {
		printf("replay: reproduced: cannot connect: %s\n",
		       nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return CLI_EXIT_FAIL;
	}
	ret = send_batch(f);
	if (ret == -ETIMEDOUT) {
		session_close(f);
		printf("replay: %u capsules, seed %" PRIu64 ": reproduced: %s\n", f->nr_batch,
		       f->seed, f->finding);
		fprintf(stderr, "%s: replay reproduced: %s\n", prog, f->finding);
		return CLI_EXIT_FAIL;
	}
	session_close(f);
	if (liveness(f, why, sizeof(why))) {
		printf("replay: %u capsules: reproduced: %s\n", f->nr_batch, why);
		fprintf(stderr, "%s: replay reproduced: %s\n", prog, why);
		return CLI_EXIT_FAIL;
	}
	printf("replay: %u capsules%s, target survived (liveness ok)\n", f->nr_batch,
	       ret == -ECONNRESET ? " (the target dropped the queue)" : "");
	return CLI_EXIT_OK;
}

static int run_fuzz(struct fuzz *f, uint64_t count, uint64_t secs)
{
	uint64_t step = 0, end = secs ? now_ms() + secs * 1000 : 0;
	static _Alignas(8) uint8_t cap[64 + ICD_MAX];
	int found = 0;

	f->batch = calloc(BATCH, sizeof(*f->batch));
	if (!f->batch)
		return CLI_EXIT_FAIL;
	while (!found && (count ? step < count : now_ms() < end)) {
		struct nvsim_host_status st;
		char msg[200];
		uint64_t s = f->seed ^ (f->batches * 0xd1b54a32d192ed03ull);
		int ret = session_open(f, &st);

		if (ret) {
			snprintf(f->finding, sizeof(f->finding), "session connect failed: %s",
				 nvsim_host_status_str(&st, true, msg, sizeof(msg)));
			f->nr_batch = 0;
			found = 1;
			break;
		}
		f->nr_batch = 0;
		for (unsigned int i = 0; i < BATCH && (count ? step < count : true); i++, step++) {
			unsigned int qi;
			size_t len = make_capsule(f, &s, cap, &qi);
			struct sent *b = &f->batch[f->nr_batch++];

			b->step = step;
			b->qid = (uint8_t)qi;
			b->len = (uint16_t)len;
			memcpy(b->bytes, cap, len);
			ret = send_capsule(f, qi, cap, len);
			/* Reap as we go: what completes before a queue dies is counted. */
			if (!ret && (i & 7) == 7) {
				if (f->embedded)
					nvsim_embedded_poll(f->embedded);
				ret = reap(f, 0);
				if (!ret)
					ret = reap(f, 1);
				if (ret) {
					step++; /* this one was sent */
					break;
				}
			}
			if (ret)
				break;
			if ((i & 63) == 63)
				progress(f, false);
		}
		if (!ret)
			ret = drain(f);
		session_close(f);
		f->batches++;
		if (ret == -ECONNRESET)
			f->reconnects++;
		if (ret == -ETIMEDOUT) {
			found = 1;
			break;
		}
		if (liveness(f, f->finding, sizeof(f->finding))) {
			found = 1;
			break;
		}
		f->live_ok++;
		progress(f, false);
	}
	progress(f, true);
	if (!found) {
		printf("fuzz: done: %" PRIu64 " capsules in %" PRIu64 " batches, %" PRIu64
		       " queues dropped by the target, liveness held\n",
		       f->sent, f->batches, f->reconnects);
		return CLI_EXIT_OK;
	}
	fprintf(stderr, "%s: FOUND at step %" PRIu64 ": %s\n", prog,
		f->nr_batch ? f->batch[f->nr_batch - 1].step : step, f->finding);
	if (!save_replay(f))
		fprintf(stderr, "%s: replay file: %s (nvmfsim fuzz --replay %s)\n", prog,
			f->replay_out, f->replay_out);
	return CLI_EXIT_FAIL;
}

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
		"Without -a it fuzzes the embedded simulator (--inject applies there).\n\n"
		"      --time SEC            run this long (default 60 unless --count)\n"
		"      --count N             send this many capsules\n"
		"      --timeout MS          a command or liveness check slower than this is a\n"
		"                            hang (default 2000)\n"
		"      --replay-out FILE     where a finding goes (default nvmfsim-fuzz-replay.json)\n"
		"      --replay FILE         resend a replay file's capsules, check liveness;\n"
		"                            exit 1 when the failure reproduces\n\n",
		BATCH);
	cli_conn_help(out);
}

int cmd_fuzz(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_CONN_LONGOPTS,
		{ "time", required_argument, NULL, 2001 },
		{ "count", required_argument, NULL, 2002 },
		{ "replay", required_argument, NULL, 2003 },
		{ "replay-out", required_argument, NULL, 2004 },
		{ "timeout", required_argument, NULL, 2005 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct fuzz f;
	struct json_object *replay_json = NULL;
	const char *replay = NULL;
	uint64_t count = 0, secs = 0, v;
	int opt, ret;

	memset(&f, 0, sizeof(f));
	cli_conn_opts_init(&f.conn);
	f.timeout_ms = 2000;
	f.replay_out = "nvmfsim-fuzz-replay.json";
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_CONN_SHORTOPTS "h", longopts, NULL)) != -1) {
		int r;

		if (opt == 1004 && f.nr_inject_spec < 8)
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
		case 2001:
		case 2002:
		case 2005:
			if (cli_parse_u64(optarg, opt == 2005 ? 600000 : UINT64_MAX / 1000, &v) ||
			    (opt == 2005 && !v)) {
				fprintf(stderr, "%s: --%s '%s' is not a valid number\n", prog,
					opt == 2001 ? "time" : opt == 2002 ? "count" : "timeout", optarg);
				return CLI_EXIT_USAGE;
			}
			if (opt == 2001)
				secs = v;
			else if (opt == 2002)
				count = v;
			else
				f.timeout_ms = (uint32_t)v;
			break;
		case 2003:
			replay = optarg;
			break;
		case 2004:
			f.replay_out = optarg;
			break;
		default:
			usage(stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind < argc || (secs && count)) {
		fprintf(stderr, "%s: %s\n", prog,
			optind < argc ? "unexpected argument" : "--time and --count exclude each other");
		return CLI_EXIT_USAGE;
	}
	if (!secs && !count)
		secs = 60;
	f.seed = f.conn.seed;
	f.subnqn = f.conn.nqn;
	if (replay && load_replay(&f, replay, &replay_json))
		return CLI_EXIT_FAIL;
	f.replaying = replay != NULL;
	if (!f.subnqn)
		f.subnqn = "nqn.2026-11.io.nvmf-sim:embedded0";
	if (f.conn.traddr && f.conn.nr_inject) {
		fprintf(stderr, "%s: --inject acts on the embedded simulator; drop -a to use it\n",
			prog);
		return CLI_EXIT_USAGE;
	}
	if (f.conn.traddr)
		snprintf(f.addr, sizeof(f.addr), "%s%s%s:%s", strchr(f.conn.traddr, ':') ? "[" : "",
			 f.conn.traddr, strchr(f.conn.traddr, ':') ? "]" : "", f.conn.trsvcid);
	else if ((ret = fuzz_open_embedded(&f)))
		return CLI_EXIT_FAIL;
	printf("fuzz: %s, subsystem %s, seed %" PRIu64 "\n",
	       f.conn.traddr ? f.addr : "the embedded simulator", f.subnqn, f.seed);
	f.t0 = f.last_progress = now_ms();
	ret = replay ? run_replay(&f) : run_fuzz(&f, count, secs);
	nvsim_embedded_stop(f.embedded);
	free(f.batch);
	json_object_put(replay_json);
	return ret;
}
