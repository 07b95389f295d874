/* NVMe/RDMA, host side: one RC queue pair per NVMe queue.  Command capsules
 * go out by SEND from registered slots; response capsules land in posted
 * receive buffers and wait, by CID, until someone asks for them.  Nothing
 * here trusts the target: a response shorter than a CQE, or one for a CID
 * nobody waits for, is counted, not believed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/host_priv.h"
#include "spec/rdma_cm.h"

#define SQE_LEN 64u
#define WR_SEND_BIT (1ull << 63)
#define DEFAULT_TIMEOUT_MS 5000
#define DEFAULT_RESPONDER_RESOURCES 16u

void nvsim_hq_config_init(struct nvsim_hq_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->provider = "fake";
	cfg->sqsize = 31;
	cfg->icd_max = 4096;
	cfg->timeout_ms = DEFAULT_TIMEOUT_MS;
}

uint64_t nvsim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void nvsim_hq_progress(struct nvsim_hq *hq)
{
	if (hq->cfg.progress)
		hq->cfg.progress(hq->cfg.progress_arg);
}

static uint64_t now_ms(void)
{
	return nvsim_now_ms();
}

/* One wait's limit, ignoring the caller's deadline: for teardown. */
static bool wait_expired(const struct nvsim_hq *hq, uint64_t start)
{
	return now_ms() - start > (uint64_t)hq->cfg.timeout_ms;
}

static bool timed_out(const struct nvsim_hq *hq, uint64_t start)
{
	return wait_expired(hq, start) || (hq->cfg.deadline_ms && now_ms() >= hq->cfg.deadline_ms);
}

/* ---- CM ---------------------------------------------------------------------- */

static void mark_dead(struct nvsim_hq *hq, const char *what, const char *detail)
{
	if (!hq->dead)
		snprintf(hq->why_dead, sizeof(hq->why_dead), "%s%s%s", what, detail ? ": " : "",
			 detail ? detail : "");
	hq->dead = true;
}

static void on_cm_event(struct nvsim_hq *hq, const struct verbs_cm_event *ev)
{
	switch (ev->type) {
	case VERBS_CM_EVENT_DISCONNECTED:
	case VERBS_CM_EVENT_DEVICE_REMOVAL:
		hq->connected = false;
		mark_dead(hq, "the target disconnected", verbs_cm_event_str(ev->type));
		break;
	default:
		break;
	}
}

/* Wait for one of the events that end a CM step. */
static int wait_cm(struct nvsim_hq *hq, struct verbs_cm_event *ev)
{
	uint64_t start = now_ms();

	for (;;) {
		int ret = verbs_cm_get_event(hq->ch, ev);

		if (ret == 0)
			return 0;
		if (ret != -EAGAIN)
			return ret;
		if (timed_out(hq, start))
			return -ETIMEDOUT;
		nvsim_hq_progress(hq);
	}
}

static int resolve(struct nvsim_hq *hq)
{
	struct verbs_cm_event ev;
	int ret = verbs_cm_resolve(hq->id, hq->cfg.addr, hq->cfg.timeout_ms);

	if (ret)
		return ret;
	ret = wait_cm(hq, &ev);
	if (ret)
		return ret;
	if (ev.type != VERBS_CM_EVENT_ROUTE_RESOLVED)
		return ev.type == VERBS_CM_EVENT_ADDR_ERROR ? -EADDRNOTAVAIL : -EHOSTUNREACH;
	return 0;
}

/* ---- buffers and the queue pair -------------------------------------------------- */

static int post_recv(struct nvsim_hq *hq, uint32_t i)
{
	struct verbs_sge sge = { (uintptr_t)&hq->recv[i], sizeof(hq->recv[i]),
				 verbs_mr_lkey(hq->recv_mr) };
	struct verbs_recv_wr wr = { .wr_id = i, .sg_list = &sge, .num_sge = 1 };
	const struct verbs_recv_wr *bad;

	return verbs_post_recv(hq->qp, &wr, &bad);
}

static int setup_qp(struct nvsim_hq *hq)
{
	struct verbs_cq_attr cq_attr = { .cqe = hq->depth + hq->nr_recv };
	struct verbs_qp_init_attr qa = { 0 };
	size_t send_bytes = (size_t)hq->depth * hq->capsule_size;
	int ret = verbs_cq_create(hq->dev, &cq_attr, &hq->cq);

	if (ret)
		return ret;
	qa.send_cq = hq->cq;
	qa.recv_cq = hq->cq;
	qa.cap.max_send_wr = hq->depth;
	qa.cap.max_recv_wr = hq->nr_recv;
	qa.cap.max_send_sge = 1;
	qa.cap.max_recv_sge = 1;
	ret = verbs_qp_create(hq->id, hq->pd, &qa, &hq->qp);
	if (ret)
		return ret;
	hq->send_buf = calloc(1, send_bytes);
	hq->free_send = calloc(hq->depth, sizeof(*hq->free_send));
	hq->recv = calloc(hq->nr_recv, sizeof(*hq->recv));
	hq->arrived_cap = hq->nr_recv * 2u;
	hq->arrived = calloc(hq->arrived_cap, sizeof(*hq->arrived));
	if (!hq->send_buf || !hq->free_send || !hq->recv || !hq->arrived ||
	    nvsim_cid_track_init(&hq->cids, hq->depth))
		return -ENOMEM;
	ret = verbs_mr_reg(hq->pd, hq->send_buf, send_bytes, 0, &hq->send_mr);
	if (!ret)
		ret = verbs_mr_reg(hq->pd, hq->recv, hq->nr_recv * sizeof(*hq->recv),
				   VERBS_ACCESS_LOCAL_WRITE, &hq->recv_mr);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < hq->depth; i++)
		hq->free_send[hq->nr_free_send++] = i;
	for (uint32_t i = 0; i < hq->nr_recv; i++) {
		ret = post_recv(hq, i);
		if (ret)
			return ret;
	}
	return 0;
}

static void build_cm_request(const struct nvsim_hq *hq, struct nvsim_rdma_cm_req *req)
{
	memset(req, 0, sizeof(*req));
	req->qid = htole16(hq->cfg.qid);
	req->hrqsize = htole16((uint16_t)hq->nr_recv);
	req->hsqsize = htole16(hq->cfg.sqsize);
	req->cntlid = htole16(hq->cfg.cntlid);
}

static int establish(struct nvsim_hq *hq, struct nvsim_host_status *st)
{
	struct nvsim_rdma_cm_req req;
	struct verbs_conn_param p = { 0 };
	struct verbs_cm_event ev;
	int ret;

	build_cm_request(hq, &req);
	p.private_data = hq->cfg.cm_private_data_len ? hq->cfg.cm_private_data : &req;
	p.private_data_len = hq->cfg.cm_private_data_len ? hq->cfg.cm_private_data_len
							 : (uint8_t)sizeof(req);
	p.responder_resources = hq->cfg.responder_resources ? hq->cfg.responder_resources
							    : DEFAULT_RESPONDER_RESOURCES;
	if (hq->attr.max_qp_rd_atom && p.responder_resources > hq->attr.max_qp_rd_atom)
		p.responder_resources = hq->attr.max_qp_rd_atom;
	if (hq->cfg.exact_rd_params)
		p.responder_resources = hq->cfg.responder_resources;
	p.initiator_depth = hq->cfg.initiator_depth;
	p.retry_count = 7;
	p.rnr_retry_count = 7;
	ret = verbs_cm_connect(hq->id, &p);
	if (ret)
		return ret;
	ret = wait_cm(hq, &ev);
	if (ret)
		return ret;
	switch (ev.type) {
	case VERBS_CM_EVENT_ESTABLISHED:
		if (ev.private_data_len >= sizeof(struct nvsim_rdma_cm_accept)) {
			struct nvsim_rdma_cm_accept acc;

			memcpy(&acc, ev.private_data, sizeof(acc));
			hq->crqsize = le16toh(acc.crqsize);
		}
		hq->connected = true;
		return 0;
	case VERBS_CM_EVENT_REJECTED:
		st->cm_rejected = true;
		st->cm_reason = (uint8_t)ev.status;
		if (ev.private_data_len >= sizeof(struct nvsim_rdma_cm_reject)) {
			struct nvsim_rdma_cm_reject rej;

			memcpy(&rej, ev.private_data, sizeof(rej));
			st->cm_sts_valid = true;
			st->cm_sts = le16toh(rej.sts);
		}
		return -ECONNREFUSED;
	case VERBS_CM_EVENT_UNREACHABLE:
		return -EHOSTUNREACH;
	default:
		return -ECONNREFUSED;
	}
}

int nvsim_hq_connect(const struct nvsim_hq_config *cfg, struct nvsim_hq **out,
		     struct nvsim_host_status *st)
{
	struct verbs_open_opts opts = { .provider = cfg->provider, .device = cfg->device,
					.fabric = cfg->fabric };
	struct nvsim_hq *hq;
	int ret;

	memset(st, 0, sizeof(*st));
	if (!cfg->addr)
		return st->err = -EINVAL;
	hq = calloc(1, sizeof(*hq));
	if (!hq)
		return st->err = -ENOMEM;
	hq->cfg = *cfg;
	if (hq->cfg.timeout_ms <= 0)
		hq->cfg.timeout_ms = DEFAULT_TIMEOUT_MS;
	hq->depth = (uint32_t)cfg->sqsize + 1;
	hq->nr_recv = cfg->hrqsize ? cfg->hrqsize : hq->depth;
	hq->capsule_size = SQE_LEN + cfg->icd_max;
	hq->allow_icd = cfg->qid != 0; /* ICDOFF applies to I/O queues */
	ret = verbs_device_open(&opts, &hq->dev);
	if (!ret)
		ret = verbs_device_query(hq->dev, &hq->attr);
	if (!ret)
		ret = verbs_pd_alloc(hq->dev, &hq->pd);
	if (!ret)
		ret = verbs_cm_channel_create(hq->dev, &hq->ch);
	if (!ret)
		ret = verbs_cm_id_create(hq->ch, hq, &hq->id);
	if (!ret)
		ret = resolve(hq);
	if (!ret)
		ret = setup_qp(hq);
	if (!ret)
		ret = establish(hq, st);
	if (ret) {
		st->err = st->cm_rejected ? 0 : ret;
		nvsim_hq_close(hq);
		return ret;
	}
	*out = hq;
	return 0;
}

void nvsim_hq_close(struct nvsim_hq *hq)
{
	if (!hq)
		return;
	if (hq->connected) {
		struct verbs_cm_event ev;
		uint64_t start = now_ms();

		verbs_cm_disconnect(hq->id);
		/* Let the target see it; do not wait forever for the echo. */
		while (!hq->dead && !wait_expired(hq, start)) {
			if (verbs_cm_get_event(hq->ch, &ev) == 0)
				on_cm_event(hq, &ev);
			else
				nvsim_hq_progress(hq);
		}
	}
	if (hq->qp)
		verbs_qp_destroy(hq->qp);
	if (hq->send_mr)
		verbs_mr_dereg(hq->send_mr);
	if (hq->recv_mr)
		verbs_mr_dereg(hq->recv_mr);
	if (hq->cq)
		verbs_cq_destroy(hq->cq);
	if (hq->id)
		verbs_cm_id_destroy(hq->id);
	if (hq->ch)
		verbs_cm_channel_destroy(hq->ch);
	if (hq->pd)
		verbs_pd_dealloc(hq->pd);
	if (hq->dev)
		verbs_device_close(hq->dev);
	free(hq->send_buf);
	free(hq->free_send);
	free(hq->recv);
	free(hq->arrived);
	nvsim_cid_track_free(&hq->cids);
	free(hq);
}

uint16_t nvsim_hq_crqsize(const struct nvsim_hq *hq)
{
	return hq->crqsize;
}

bool nvsim_hq_connected(const struct nvsim_hq *hq)
{
	return hq->connected && !hq->dead;
}

const char *nvsim_hq_why_dead(const struct nvsim_hq *hq)
{
	return hq->dead ? hq->why_dead : "";
}

uint64_t nvsim_hq_unexpected_cqes(const struct nvsim_hq *hq)
{
	return hq->unexpected;
}

/* ---- completions --------------------------------------------------------------- */

static void stash_cqe(struct nvsim_hq *hq, const struct nvsim_cqe *cqe)
{
	/* A target that answers more than it was asked fills the stash; the
	 * oldest answers go, counted. */
	if (hq->nr_arrived == hq->arrived_cap) {
		memmove(hq->arrived, hq->arrived + 1, (hq->arrived_cap - 1) * sizeof(*hq->arrived));
		hq->nr_arrived--;
		hq->unexpected++;
	}
	hq->arrived[hq->nr_arrived++] = *cqe;
}

static void record_stray(struct nvsim_hq *hq, const struct nvsim_cqe *cqe, bool duplicate)
{
	struct nvsim_stray one = { .cqe = *cqe };

	hq->unexpected++;
	hq->strays_total++;
	one.has_expected = nvsim_cid_sole_outstanding(&hq->cids, &one.expected_cid,
						      &one.expected_opcode);
	/* With one other command waiting, this is most likely its answer
	 * under the wrong CID (say CID 0), not a repeat of an old one. */
	one.duplicate = duplicate && !one.has_expected;
	if (one.has_expected) {
		/* kept apart from the capped list: a waiter must see every one */
		hq->wrong_cqe = *cqe;
		hq->wrong_for = one.expected_cid;
		hq->wrong_seq++;
	}
	if (hq->nr_strays < NVSIM_HQ_STRAYS_KEPT)
		hq->strays[hq->nr_strays++] = one;
}

static void on_cqe(struct nvsim_hq *hq, const struct nvsim_cqe *cqe)
{
	switch (nvsim_cid_done(&hq->cids, le16toh(cqe->cid))) {
	case NVSIM_CID_MATCHED:
		stash_cqe(hq, cqe);
		break;
	case NVSIM_CID_DUPLICATE:
		record_stray(hq, cqe, true);
		break;
	default:
		record_stray(hq, cqe, false);
	}
}

uint64_t nvsim_hq_strays(const struct nvsim_hq *hq, const struct nvsim_stray **list, uint32_t *n)
{
	*list = hq->strays;
	*n = hq->nr_strays;
	return hq->strays_total;
}

static void on_wc(struct nvsim_hq *hq, const struct verbs_wc *wc)
{
	if (wc->wr_id & WR_SEND_BIT) {
		hq->free_send[hq->nr_free_send++] = (uint32_t)(wc->wr_id & ~WR_SEND_BIT);
		if (wc->status != VERBS_WC_SUCCESS)
			mark_dead(hq, "capsule SEND failed", verbs_wc_status_str(wc->status));
		return;
	}
	if (wc->status != VERBS_WC_SUCCESS) {
		mark_dead(hq, "response RECV failed", verbs_wc_status_str(wc->status));
		return;
	}
	if (wc->byte_len < sizeof(struct nvsim_cqe))
		hq->unexpected++;
	else
		on_cqe(hq, &hq->recv[wc->wr_id]);
	if (post_recv(hq, (uint32_t)wc->wr_id))
		mark_dead(hq, "re-posting a receive failed", NULL);
}

int nvsim_hq_poll(struct nvsim_hq *hq)
{
	struct verbs_cm_event ev;
	struct verbs_wc wc[16];
	int n, work = 0;

	while (verbs_cm_get_event(hq->ch, &ev) == 0)
		on_cm_event(hq, &ev);
	while ((n = verbs_poll_cq(hq->cq, 16, wc)) > 0) {
		for (int i = 0; i < n; i++)
			on_wc(hq, &wc[i]);
		work += n;
	}
	if (n < 0 && n != -EAGAIN)
		mark_dead(hq, "polling the CQ failed", strerror(-n));
	return work;
}

bool nvsim_hq_take_cqe(struct nvsim_hq *hq, uint16_t cid, struct nvsim_cqe *out)
{
	for (uint32_t i = 0; i < hq->nr_arrived; i++) {
		if (le16toh(hq->arrived[i].cid) != cid)
			continue;
		*out = hq->arrived[i];
		memmove(&hq->arrived[i], &hq->arrived[i + 1],
			(hq->nr_arrived - i - 1) * sizeof(*hq->arrived));
		hq->nr_arrived--;
		return true;
	}
	return false;
}

int nvsim_hq_reap_any(struct nvsim_hq *hq, struct nvsim_cqe *cqe)
{
	if (!hq->nr_arrived)
		nvsim_hq_poll(hq);
	if (hq->nr_arrived) {
		/* the newest: no shifting, and order does not matter here */
		*cqe = hq->arrived[--hq->nr_arrived];
		return 0;
	}
	return hq->dead ? -ECONNRESET : -EAGAIN;
}

uint32_t nvsim_hq_entries(const struct nvsim_hq *hq)
{
	return hq->depth;
}

int nvsim_hq_wait_cqe(struct nvsim_hq *hq, uint16_t cid, struct nvsim_cqe *cqe)
{
	uint64_t start = now_ms(), seen = hq->wrong_seq;

	for (;;) {
		nvsim_hq_poll(hq);
		if (nvsim_hq_take_cqe(hq, cid, cqe))
			return 0;
		/* a stray that arrived while cid was the sole command outstanding:
		 * its answer under the wrong CID; the command is over */
		if (hq->wrong_seq != seen && hq->wrong_for == cid) {
			*cqe = hq->wrong_cqe;
			nvsim_cid_done(&hq->cids, cid);
			return -EBADMSG;
		}
		if (hq->dead)
			return -ECONNRESET;
		if (timed_out(hq, start))
			return -ETIMEDOUT;
		nvsim_hq_progress(hq);
	}
}

/* ---- sending ---------------------------------------------------------------------- */

/* A command's CID and opcode, from the first bytes of its capsule. */
static uint16_t capsule_cid(const void *capsule)
{
	const uint8_t *p = capsule;

	return (uint16_t)(p[2] | p[3] << 8);
}

int nvsim_hq_send_capsule(struct nvsim_hq *hq, const void *capsule, size_t len, const void *data,
			  size_t data_len)
{
	struct verbs_sge sge;
	struct verbs_send_wr wr = { 0 };
	const struct verbs_send_wr *bad;
	uint64_t start = now_ms();
	uint32_t slot;
	uint8_t *dst;

	if (len > hq->capsule_size || data_len > hq->capsule_size - len)
		return -EMSGSIZE;
	while (!hq->nr_free_send) {
		if (hq->dead)
			return -ECONNRESET;
		if (timed_out(hq, start))
			return -ETIMEDOUT;
		nvsim_hq_poll(hq);
		nvsim_hq_progress(hq);
	}
	if (hq->dead || !hq->connected)
		return -ECONNRESET;
	slot = hq->free_send[--hq->nr_free_send];
	if (len >= 4)
		nvsim_cid_sent(&hq->cids, capsule_cid(capsule), ((const uint8_t *)capsule)[0]);
	/* Straight into the registered slot: no copy through a bounce buffer. */
	dst = hq->send_buf + (size_t)slot * hq->capsule_size;
	memcpy(dst, capsule, len);
	if (data_len)
		memcpy(dst + len, data, data_len);
	sge = (struct verbs_sge){ (uintptr_t)dst, (uint32_t)(len + data_len),
				  verbs_mr_lkey(hq->send_mr) };
	wr.wr_id = WR_SEND_BIT | slot;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.opcode = VERBS_WR_SEND;
	wr.send_flags = VERBS_SEND_SIGNALED;
	if (verbs_post_send(hq->qp, &wr, &bad)) {
		hq->free_send[hq->nr_free_send++] = slot;
		if (len >= 4)
			nvsim_cid_done(&hq->cids, capsule_cid(capsule));
		return -EIO;
	}
	return 0;
}

int nvsim_hq_send_raw(struct nvsim_hq *hq, const void *capsule, size_t len)
{
	return nvsim_hq_send_capsule(hq, capsule, len, NULL, 0);
}

static unsigned dir_access(enum nvsim_dir dir)
{
	switch (dir) {
	case NVSIM_DIR_H2C:
		return VERBS_ACCESS_REMOTE_READ;
	case NVSIM_DIR_C2H:
		return VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE;
	default:
		return VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE |
		       VERBS_ACCESS_REMOTE_READ;
	}
}

int nvsim_hq_buf_reg_dir(struct nvsim_hq *hq, void *addr, size_t len, enum nvsim_dir dir,
			 struct nvsim_hbuf *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = verbs_mr_reg(hq->pd, addr, len, dir_access(dir), &out->mr);
	if (ret)
		return ret;
	out->addr = addr;
	out->len = len;
	out->rkey = verbs_mr_rkey(out->mr);
	return 0;
}

int nvsim_hq_buf_reg(struct nvsim_hq *hq, void *addr, size_t len, struct nvsim_hbuf *out)
{
	return nvsim_hq_buf_reg_dir(hq, addr, len, NVSIM_DIR_NONE, out);
}

void nvsim_hq_buf_dereg(struct nvsim_hbuf *buf)
{
	if (buf->mr)
		verbs_mr_dereg(buf->mr);
	buf->mr = NULL;
}
