/* Shared plumbing of the in-process fuzz targets (see fz.h). */
#include "fz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "host/host_priv.h" /* read-only: the host's stash of arrived CQEs */
#include "spec/rdma_cm.h"
#include "spec/sgl.h"

/* ---- input reader ------------------------------------------------------------- */

void fz_bytes(struct fz_in *in, void *dst, size_t len)
{
	size_t take = len < in->n ? len : in->n;

	if (take)
		memcpy(dst, in->p, take);
	if (take < len)
		memset((uint8_t *)dst + take, 0, len - take);
	in->p += take;
	in->n -= take;
}

uint8_t fz_u8(struct fz_in *in)
{
	uint8_t v;

	fz_bytes(in, &v, 1);
	return v;
}

uint16_t fz_u16(struct fz_in *in)
{
	uint8_t b[2];

	fz_bytes(in, b, 2);
	return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t fz_u32(struct fz_in *in)
{
	return (uint32_t)fz_u16(in) | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
	return (uint64_t)fz_u32(in) | (uint64_t)fz_u32(in) << 32;
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("FUZZ INVARIANT: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* FZ_TRACE=1 in the environment: print every completion (debugging an input). */
bool fz_trace(void)
{
	static int on = -1;

	if (on < 0)
		on = getenv("FZ_TRACE") != NULL;
	return on;
}

/* ---- well-formed pieces ------------------------------------------------------ */

void fz_connect_sqe(struct nvsim_sqe *sqe, uint16_t cid, uint16_t qid, uint16_t sqsize,
		    uint32_t kato)
{
	struct nvsim_sqe_connect *c = (void *)sqe;

	memset(sqe, 0, sizeof(*sqe));
	c->opcode = NVSIM_FABRICS_OPCODE;
	c->rsvd1 = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
	c->cid = htole16(cid);
	c->fctype = nvme_fabrics_type_connect;
	c->qid = htole16(qid);
	c->sqsize = htole16(sqsize);
	c->kato = htole32(kato);
	nvsim_sgl_unkeyed_set(&sqe->dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, FZ_CONNECT_DATA_LEN);
}

void fz_connect_data(void *buf1024, uint16_t cntlid, const char *subnqn)
{
	struct nvmf_connect_data *cd = buf1024;
	static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
					    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };

	memset(buf1024, 0, FZ_CONNECT_DATA_LEN);
	memcpy(cd->hostid, hostid, sizeof(hostid));
	cd->cntlid = htole16(cntlid);
	snprintf(cd->subsysnqn, sizeof(cd->subsysnqn), "%s", subnqn);
	snprintf(cd->hostnqn, sizeof(cd->hostnqn), "%s", FZ_HOSTNQN);
}

/* ---- loopback target ------------------------------------------------------------ */

static uint64_t fake_now(void *ctx)
{
	return *(uint64_t *)ctx;
}

void fz_loop_init(struct fz_loop *l)
{
	struct nvsim_target_config cfg;
	struct nvsim_subsys_config sc = { .nqn = FZ_SUBNQN, .allow_any_host = true };
	struct nvsim_ns_config ns = { .backend = NVSIM_NS_RAM, .size_bytes = 1u << 20,
				      .lba_size = 512 };

	memset(l, 0, sizeof(*l));
	l->now_ns = 1000000000ull;
	nvsim_target_config_init(&cfg);
	cfg.seed = 1;
	cfg.clock = (struct nvsim_clock){ .now_ns = fake_now, .ctx = &l->now_ns };
	if (nvsim_target_create(&cfg, &l->t) || nvsim_subsys_add(l->t, &sc, &l->s) ||
	    nvsim_subsys_add_ns(l->s, 1, &ns))
		fz_fail("loopback target setup failed");
}

void fz_loop_fini(struct fz_loop *l)
{
	nvsim_target_destroy(l->t);
	l->t = NULL;
}

static void lq_terminate(void *arg, struct nvsim_tq *tq)
{
	struct fz_lq *q = arg;

	(void)tq;
	if (q->terminated)
		fz_fail("queue terminated twice");
	q->terminated = true;
}

static const struct nvsim_tq_ops lq_ops = { .terminate = lq_terminate };

void fz_lq_open(struct fz_loop *l, struct fz_lq *q)
{
	memset(q, 0, sizeof(*q));
	if (nvsim_tq_create(l->t, NULL, &lq_ops, q, &q->tq))
		fz_fail("nvsim_tq_create failed");
}

void fz_lq_close(struct fz_lq *q)
{
	if (q->tq)
		nvsim_tq_destroy(q->tq);
	q->tq = NULL;
}

static void lcmd_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct fz_lcmd *c = arg;

	if (c->done++)
		fz_fail("CID %#x completed twice", c->cid);
	if (le16toh(cqe->cid) != c->cid)
		fz_fail("completion for CID %#x carries CID %#x", c->cid, le16toh(cqe->cid));
	c->cqe = *cqe;
}

int fz_lq_submit(struct fz_lq *q, const struct nvsim_sqe *sqe, const void *src, size_t src_len,
		 size_t len, struct fz_lcmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->cid = le16toh(sqe->cid);
	/* Exactly len bytes, so ASan sees any read past what the SGL said. */
	cmd->buf = malloc(len ? len : 1);
	if (!cmd->buf)
		fz_fail("out of memory");
	if (src_len > len)
		src_len = len;
	if (src_len)
		memcpy(cmd->buf, src, src_len);
	memset(cmd->buf + src_len, 0, len - src_len);
	nvsim_data_init_flat(&cmd->data, &cmd->iov, cmd->buf, len);
	return nvsim_tq_submit(q->tq, sqe, &cmd->data, lcmd_done, cmd);
}

void fz_lcmd_free(struct fz_lcmd *cmd)
{
	free(cmd->buf);
	cmd->buf = NULL;
}

/* ---- embedded simulator -------------------------------------------------------- */

void fz_sim_init(struct fz_sim *s)
{
	struct nvsim_embedded_config cfg;

	memset(s, 0, sizeof(*s));
	s->now_ns = 1000000000ull;
	nvsim_embedded_config_init(&cfg);
	cfg.seed = 1;
	cfg.ns_size_bytes = 1u << 20;
	/* The RDMA layer allocates receive buffers per SQ entry when it accepts a
	 * queue: MQES 127 keeps that small enough for thousands of runs a
	 * second and leaves every check in place (only the bound moves). */
	cfg.target.mqes = 127;
	/* Likewise 1 KiB of in-capsule data (IOCCSZ 68): a Connect still fits,
	 * and per-queue buffers stay under ASan's mmap threshold. */
	cfg.target.in_capsule_data = 1024;
	cfg.target.clock = (struct nvsim_clock){ .now_ns = fake_now, .ctx = &s->now_ns };
	if (nvsim_embedded_start(&cfg, &s->e))
		fz_fail("embedded simulator failed to start");
}

void fz_sim_fini(struct fz_sim *s)
{
	/* Let the target see every disconnect before it goes. */
	for (int i = 0; i < 8; i++)
		fz_sim_poll(s);
	nvsim_embedded_stop(s->e);
	s->e = NULL;
}

void fz_sim_poll(struct fz_sim *s)
{
	s->now_ns += 1000; /* 1 us per turn: time moves, but only with the input */
	nvsim_embedded_poll(s->e);
}

static void sim_progress(void *arg)
{
	fz_sim_poll(arg);
}

void fz_sim_hq_config(struct fz_sim *s, struct nvsim_hq_config *c, uint16_t qid,
		      uint16_t sqsize)
{
	nvsim_hq_config_init(c);
	c->fabric = s->e->fabric;
	c->addr = NVSIM_EMBEDDED_ADDR;
	c->qid = qid;
	c->sqsize = sqsize;
	/* The target takes 1 KiB in capsule (fz_sim_init); more lets oversize
	 * capsules through, and the host allocates this per send slot. */
	c->icd_max = 2048;
	/* The fake answers in a few turns; a wait this long is a hang. */
	c->timeout_ms = 2000;
	c->progress = sim_progress;
	c->progress_arg = s;
}

/* ---- completion tracker ---------------------------------------------------------- */

void fz_track_init(struct fz_track *t, struct nvsim_hq *hq, uint16_t qid)
{
	memset(t, 0, sizeof(*t));
	t->hq = hq;
	t->qid = qid;
}

bool fz_track_sent(struct fz_track *t, const uint8_t *capsule, size_t len)
{
	struct nvsim_sqe_connect sqe, *c = &sqe;

	if (len < sizeof(struct nvsim_sqe))
		return true;
	memcpy(&sqe, capsule, sizeof(sqe)); /* capsules come at any alignment */
	if (t->nr_out == FZ_TRACK_MAX)
		return false;
	t->out[t->nr_out].cid = le16toh(c->cid);
	t->out[t->nr_out].connect = c->opcode == NVSIM_FABRICS_OPCODE &&
				    c->fctype == nvme_fabrics_type_connect;
	t->out[t->nr_out].sqsize = le16toh(c->sqsize);
	t->out[t->nr_out].cattr = c->cattr;
	t->out[t->nr_out].qid = le16toh(c->qid);
	t->nr_out++;
	if (t->live)
		t->sent_after_connect++;
	return true;
}

static void check_cqe(struct fz_track *t, const struct nvsim_cqe *cqe)
{
	uint16_t cid = le16toh(cqe->cid), sqhd = le16toh(cqe->sqhd);
	unsigned int i;

	t->completions++;
	if (fz_trace())
		fprintf(stderr, "fz: qid %u cqe cid %#x status %#x sqhd %u sqid %u dw0 %#x\n", t->qid, cid,
			le16toh(cqe->status) >> 1, sqhd, le16toh(cqe->sqid), le32toh(cqe->dw0));
	/* The oldest command with this CID: the target answers in order of
	 * arrival for a reused CID (the conflict comes after the original). */
	for (i = 0; i < t->nr_out && t->out[i].cid != cid; i++)
		;
	if (i == t->nr_out)
		fz_fail("qid %u: completion for CID %#x, which is not outstanding", t->qid, cid);
	/* Before Connect the queue has no ID of its own yet. */
	if (t->live && le16toh(cqe->sqid) != t->qid)
		fz_fail("qid %u: CQE for CID %#x says SQID %u", t->qid, cid, le16toh(cqe->sqid));
	if (t->out[i].connect && !t->live && !(le16toh(cqe->status) >> 1)) {
		t->live = true;
		t->qid = t->out[i].qid;
		t->cntlid = (uint16_t)le32toh(cqe->dw0);
		t->q_entries = (uint32_t)t->out[i].sqsize + 1u;
		t->sqflow_off = t->out[i].cattr & NVSIM_CONNECT_CATTR_DISABLE_SQFLOW;
		t->last_sqhd = sqhd;
		/* commands sent behind the Connect were consumed after it */
		t->sent_after_connect = t->nr_out - i - 1;
	} else if (t->live) {
		if (t->sqflow_off) {
			if (sqhd != 0xffff)
				fz_fail("qid %u: SQ flow control off, SQHD %#x", t->qid, sqhd);
		} else {
			if (sqhd >= t->q_entries)
				fz_fail("qid %u: SQHD %u outside a %u-entry queue", t->qid, sqhd,
					t->q_entries);
			t->head_advance += (sqhd + t->q_entries - t->last_sqhd) % t->q_entries;
			t->last_sqhd = sqhd;
			if (t->head_advance > t->sent_after_connect)
				fz_fail("qid %u: SQ head advanced %llu, only %llu submitted",
					t->qid, (unsigned long long)t->head_advance,
					(unsigned long long)t->sent_after_connect);
		}
	}
	memmove(&t->out[i], &t->out[i + 1], (t->nr_out - i - 1) * sizeof(t->out[0]));
	t->nr_out--;
}

void fz_track_drain(struct fz_track *t)
{
	struct nvsim_hq *hq = t->hq;

	if (!hq)
		return;
	nvsim_hq_poll(hq);
	if (hq->unexpected)
		fz_fail("qid %u: %llu completions the host could not even stash", t->qid,
			(unsigned long long)hq->unexpected);
	while (hq->nr_arrived) {
		struct nvsim_cqe cqe = hq->arrived[0];

		memmove(hq->arrived, hq->arrived + 1, (hq->nr_arrived - 1) * sizeof(cqe));
		hq->nr_arrived--;
		check_cqe(t, &cqe);
	}
}

int fz_lq_fail(struct fz_lq *q, const struct nvsim_sqe *sqe, uint16_t status, uint16_t err_loc,
	       struct fz_lcmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->cid = le16toh(sqe->cid);
	return nvsim_tq_fail(q->tq, sqe, status, err_loc, lcmd_done, cmd);
}

/* ---- host session ------------------------------------------------------------------ */

void fz_sess_init(struct fz_sess *s)
{
	memset(s, 0, sizeof(*s));
	fz_sim_init(&s->sim);
}

void fz_slot_close(struct fz_sess *s, unsigned int i)
{
	struct fz_slot *sl = &s->slot[i];

	if (!sl->hq)
		return;
	fz_track_drain(&sl->tr);
	nvsim_hq_buf_dereg(&sl->hb);
	nvsim_hq_close(sl->hq);
	free(sl->mem);
	memset(sl, 0, sizeof(*sl));
}

void fz_sess_fini(struct fz_sess *s)
{
	fz_slot_close(s, 1);
	fz_slot_close(s, 0);
	fz_sim_fini(&s->sim);
}

int fz_slot_open(struct fz_sess *s, unsigned int i, uint16_t qid, uint16_t hsqsize,
		 const void *pd, uint8_t pd_len)
{
	struct fz_slot *sl = &s->slot[i];
	struct nvsim_hq_config c;
	struct nvsim_rdma_cm_req req = { 0 };
	struct nvsim_host_status st;
	int ret;

	fz_slot_close(s, i);
	/* The host allocates a send slot per SQ entry: keep its queue small and
	 * still ask for any HSQSIZE, through our own CM private data. */
	fz_sim_hq_config(&s->sim, &c, qid, hsqsize > 127 ? 127 : hsqsize);
	c.cntlid = s->cntlid;
	if (!pd && hsqsize > 127) {
		req.qid = htole16(qid);
		req.hrqsize = htole16(hsqsize == 0xffff ? 0xffff : (uint16_t)(hsqsize + 1));
		req.hsqsize = htole16(hsqsize);
		req.cntlid = htole16(s->cntlid);
		pd = &req;
		pd_len = sizeof(req);
	}
	c.cm_private_data = pd;
	c.cm_private_data_len = pd_len;
	ret = nvsim_hq_connect(&c, &sl->hq, &st);
	if (ret) {
		sl->hq = NULL;
		return ret;
	}
	sl->mem = calloc(1, FZ_HBUF_LEN);
	if (!sl->mem || nvsim_hq_buf_reg(sl->hq, sl->mem, FZ_HBUF_LEN, &sl->hb))
		fz_fail("host buffer setup failed");
	fz_track_init(&sl->tr, sl->hq, qid);
	return 0;
}

int fz_slot_send(struct fz_sess *s, unsigned int i, const void *capsule, size_t len)
{
	struct fz_slot *sl = &s->slot[i];
	int ret;

	if (!sl->hq)
		return -ENOTCONN;
	if (!fz_track_sent(&sl->tr, capsule, len))
		return -ENOSPC;
	ret = nvsim_hq_send_raw(sl->hq, capsule, len);
	if (ret) {
		/* Not sent: it cannot complete. */
		if (len >= sizeof(struct nvsim_sqe))
			sl->tr.nr_out--;
		if (sl->tr.live && len >= sizeof(struct nvsim_sqe))
			sl->tr.sent_after_connect--;
		if (!nvsim_hq_connected(sl->hq))
			fz_slot_close(s, i);
	}
	return ret;
}

int fz_slot_connect(struct fz_sess *s, unsigned int i, const struct nvsim_sqe *sqe,
		    const uint8_t *data1024)
{
	uint8_t capsule[sizeof(*sqe) + FZ_CONNECT_DATA_LEN];

	memcpy(capsule, sqe, sizeof(*sqe));
	memcpy(capsule + sizeof(*sqe), data1024, FZ_CONNECT_DATA_LEN);
	return fz_slot_send(s, i, capsule, sizeof(capsule));
}

int fz_sess_enable(struct fz_sess *s)
{
	struct nvsim_sqe sqe = { 0 };
	struct nvsim_sqe_prop_set *ps = (void *)&sqe;

	ps->opcode = NVSIM_FABRICS_OPCODE;
	ps->rsvd1 = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
	ps->cid = htole16(0xfff0);
	ps->fctype = nvme_fabrics_type_property_set;
	ps->ofst = htole32(0x14);
	nvsim_sgl_keyed_set(&sqe.dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
	ps->value = htole64(0x00460001);
	return fz_slot_send(s, 0, &sqe, sizeof(sqe));
}

void fz_sess_settle(struct fz_sess *s, unsigned int turns)
{
	for (unsigned int t = 0; t < turns; t++) {
		fz_sim_poll(&s->sim);
		for (unsigned int i = 0; i < 2; i++) {
			struct fz_slot *sl = &s->slot[i];

			if (!sl->hq)
				continue;
			fz_track_drain(&sl->tr);
			if (i == 0 && sl->tr.live)
				s->cntlid = sl->tr.cntlid;
			if (!nvsim_hq_connected(sl->hq))
				fz_slot_close(s, i);
		}
	}
}

void *fz_poison_heap(size_t block)
{
	void *b[8], *guard;

	for (int i = 0; i < 8; i++) {
		b[i] = malloc(block);
		if (b[i])
			memset(b[i], FZ_CANARY, block);
	}
	guard = malloc(64);
	for (int i = 0; i < 8; i++)
		free(b[i]);
	return guard;
}
