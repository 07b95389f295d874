/* A hostile NVMe/RDMA discovery peer (peer.h). */
#include "peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "fz.h"
#include "spec/cqe.h"
#include "spec/sgl.h"
#include "spec/sqe.h"

#define WR_SEND (1ull << 62)
#define WR_WRITE (1ull << 61)

void fz_peer_start(struct fz_peer *p, const struct fz_peer_config *cfg)
{
	struct verbs_fake_config fc = { .seed = 1 };
	struct verbs_open_opts oo = { .provider = "fake", .device = "fzpeer" };
	struct verbs_cq_attr ca = { .cqe = FZ_PEER_CONNS * (FZ_PEER_RECV * 3) };
	size_t rlen = (size_t)FZ_PEER_CONNS * FZ_PEER_RECV * FZ_PEER_CAPSULE;
	size_t clen = (size_t)FZ_PEER_CONNS * FZ_PEER_RECV * sizeof(struct nvsim_cqe);
	unsigned int acc = VERBS_ACCESS_LOCAL_WRITE;

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->rbuf = calloc(1, rlen);
	p->xfer = calloc(1, FZ_PEER_XFER);
	p->cqes = calloc(1, clen);
	if (!p->rbuf || !p->xfer || !p->cqes || verbs_fake_fabric_create(&fc, &p->fab))
		fz_fail("peer: setup");
	oo.fabric = p->fab;
	if (verbs_device_open(&oo, &p->dev) || verbs_pd_alloc(p->dev, &p->pd) ||
	    verbs_cq_create(p->dev, &ca, &p->cq) || verbs_cm_channel_create(p->dev, &p->ch) ||
	    verbs_cm_id_create(p->ch, p, &p->listen) ||
	    verbs_cm_listen(p->listen, FZ_PEER_ADDR, 8) ||
	    verbs_mr_reg(p->pd, p->rbuf, rlen, acc, &p->rmr) ||
	    verbs_mr_reg(p->pd, p->xfer, FZ_PEER_XFER, acc, &p->xmr) ||
	    verbs_mr_reg(p->pd, p->cqes, clen, acc, &p->cmr))
		fz_fail("peer: verbs setup");
}

static void conn_drop(struct fz_peer_conn *c)
{
	if (c->qp)
		verbs_qp_destroy(c->qp);
	if (c->id)
		verbs_cm_id_destroy(c->id);
	memset(c, 0, sizeof(*c));
}

void fz_peer_stop(struct fz_peer *p)
{
	for (unsigned int i = 0; i < FZ_PEER_CONNS; i++)
		conn_drop(&p->conn[i]);
	verbs_mr_dereg(p->rmr);
	verbs_mr_dereg(p->xmr);
	verbs_mr_dereg(p->cmr);
	verbs_cm_id_destroy(p->listen);
	verbs_cm_channel_destroy(p->ch);
	verbs_cq_destroy(p->cq);
	verbs_pd_dealloc(p->pd);
	verbs_device_close(p->dev);
	verbs_fake_fabric_destroy(p->fab);
	free(p->rbuf);
	free(p->xfer);
	free(p->cqes);
}

static uint8_t *slot_buf(struct fz_peer *p, unsigned int ci, unsigned int ri)
{
	return p->rbuf + ((size_t)ci * FZ_PEER_RECV + ri) * FZ_PEER_CAPSULE;
}

static void post_recv(struct fz_peer *p, unsigned int ci, unsigned int ri)
{
	struct verbs_sge sge = { (uintptr_t)slot_buf(p, ci, ri), FZ_PEER_CAPSULE,
				 verbs_mr_lkey(p->rmr) };
	struct verbs_recv_wr wr = { .wr_id = ci * FZ_PEER_RECV + ri, .sg_list = &sge,
				    .num_sge = 1 };
	const struct verbs_recv_wr *bad;

	verbs_post_recv(p->conn[ci].qp, &wr, &bad);
}

static void on_request(struct fz_peer *p, const struct verbs_cm_event *ev)
{
	static const uint8_t ok[2 + 2] = { 0, 0, FZ_PEER_RECV - 1, 0 }; /* RECFMT 0, CRQSIZE */
	struct verbs_qp_init_attr qa = { .send_cq = p->cq, .recv_cq = p->cq,
					 .cap = { FZ_PEER_RECV * 2, FZ_PEER_RECV, 1, 1, 0 } };
	struct verbs_conn_param cp = { .responder_resources = 1, .initiator_depth = 1 };
	unsigned int ci;

	for (ci = 0; ci < FZ_PEER_CONNS && p->conn[ci].id; ci++)
		;
	if (p->cfg.reject || ci == FZ_PEER_CONNS) {
		verbs_cm_reject(ev->id, p->cfg.cm_pd, p->cfg.cm_pd_len);
		verbs_cm_id_destroy(ev->id);
		return;
	}
	p->conn[ci].id = ev->id;
	verbs_cm_id_set_context(ev->id, &p->conn[ci]);
	if (verbs_qp_create(ev->id, p->pd, &qa, &p->conn[ci].qp)) {
		conn_drop(&p->conn[ci]);
		return;
	}
	for (unsigned int ri = 0; ri < FZ_PEER_RECV; ri++)
		post_recv(p, ci, ri);
	cp.private_data = p->cfg.cm_pd ? p->cfg.cm_pd : ok;
	cp.private_data_len = p->cfg.cm_pd ? p->cfg.cm_pd_len : sizeof(ok);
	if (verbs_cm_accept(ev->id, &cp))
		conn_drop(&p->conn[ci]);
}

/* Bytes of the served log at [off, off + len) into the transfer buffer,
 * zeros past its end: the peer is hostile, not broken. */
static void fill_log(struct fz_peer *p, uint64_t off, uint32_t len)
{
	memset(p->xfer, 0, len);
	if (off < p->cfg.log_len) {
		size_t n = p->cfg.log_len - off < len ? p->cfg.log_len - off : len;

		memcpy(p->xfer, p->cfg.log + off, n);
	}
	if (off == 0 && len >= 8) {
		uint64_t g;

		if (p->cfg.genctr_moves)
			p->genctr_bump++;
		memcpy(&g, p->xfer, 8);
		g = htole64(le64toh(g) + p->genctr_bump);
		memcpy(p->xfer, &g, 8);
	}
	p->log_reads++;
}

static void answer(struct fz_peer *p, unsigned int ci, unsigned int ri, uint32_t byte_len)
{
	const struct nvsim_sqe *sqe = (const void *)slot_buf(p, ci, ri);
	const struct nvsim_sqe_fabrics *fab = (const void *)sqe;
	struct nvsim_cqe *cqe = (void *)(p->cqes + (ci * FZ_PEER_RECV + ri) * sizeof(*cqe));
	struct fz_peer_conn *c = &p->conn[ci];
	uint32_t xfer = 0, status = 0;
	uint64_t value = 0;
	struct verbs_sge wsge, ssge;
	struct verbs_send_wr w = { 0 }, s = { 0 };
	const struct verbs_send_wr *bad;

	memset(cqe, 0, sizeof(*cqe));
	if (byte_len < sizeof(*sqe))
		return;
	if (sqe->opcode == NVSIM_FABRICS_OPCODE) {
		const struct nvsim_sqe_prop_get *pg = (const void *)sqe;

		switch (fab->fctype) {
		case nvme_fabrics_type_connect:
			value = 1; /* CNTLID */
			break;
		case nvme_fabrics_type_property_get:
			if (le32toh(pg->ofst) == NVME_REG_CAP)
				value = 31u | 1u << 16 | 1ull << 24 | 1ull << 37;
			else if (le32toh(pg->ofst) == NVME_REG_CSTS)
				value = p->cc & 1;
			else if (le32toh(pg->ofst) == NVME_REG_VS)
				value = 0x00010400;
			break;
		case nvme_fabrics_type_property_set:
			p->cc = (uint32_t)le64toh(((const struct nvsim_sqe_prop_set *)sqe)->value);
			break;
		default:
			break;
		}
	} else if (sqe->opcode == nvme_admin_identify || sqe->opcode == nvme_admin_get_log_page) {
		const struct nvsim_sgl_keyed *k = &sqe->dptr.keyed;

		xfer = nvsim_sgl_keyed_len(k);
		if (xfer > FZ_PEER_XFER)
			xfer = FZ_PEER_XFER;
		if (sqe->opcode == nvme_admin_identify) {
			size_t n = p->cfg.id_ctrl_len < xfer ? p->cfg.id_ctrl_len : xfer;

			memset(p->xfer, 0, xfer);
			if (p->cfg.id_ctrl)
				memcpy(p->xfer, p->cfg.id_ctrl, n);
		} else {
			uint64_t lpo = (uint64_t)le32toh(sqe->cdw13) << 32 | le32toh(sqe->cdw12);

			fill_log(p, lpo, xfer);
			if (p->cfg.short_write)
				xfer = lpo >= p->cfg.log_len ? 0
				       : p->cfg.log_len - lpo < xfer ? (uint32_t)(p->cfg.log_len - lpo)
								     : xfer;
		}
		if (p->cfg.write_nothing)
			xfer = 0;
		wsge = (struct verbs_sge){ (uintptr_t)p->xfer, xfer, verbs_mr_lkey(p->xmr) };
		w.wr_id = WR_WRITE;
		w.sg_list = &wsge;
		w.num_sge = 1;
		w.opcode = VERBS_WR_RDMA_WRITE;
		w.remote_addr = le64toh(k->addr);
		w.rkey = le32toh(k->key);
		w.next = &s;
	} else if (sqe->opcode != nvme_admin_keep_alive) {
		status = NVME_SC_INVALID_OPCODE | NVME_SC_DNR;
	}
	c->sqhd = (uint16_t)((c->sqhd + 1u) % 32u);
	cqe->dw0 = htole32((uint32_t)value);
	cqe->dw1 = htole32((uint32_t)(value >> 32));
	cqe->sqhd = htole16(c->sqhd);
	cqe->cid = sqe->cid;
	cqe->status = htole16((uint16_t)(status << 1));
	ssge = (struct verbs_sge){ (uintptr_t)cqe, sizeof(*cqe), verbs_mr_lkey(p->cmr) };
	s.wr_id = WR_SEND;
	s.sg_list = &ssge;
	s.num_sge = 1;
	s.opcode = VERBS_WR_SEND;
	s.send_flags = VERBS_SEND_SIGNALED;
	verbs_post_send(c->qp, xfer ? &w : &s, &bad);
}

void fz_peer_poll(void *arg)
{
	struct fz_peer *p = arg;
	struct verbs_cm_event ev;
	struct verbs_wc wc[16];
	int n;

	while (verbs_cm_get_event(p->ch, &ev) == 0) {
		if (ev.type == VERBS_CM_EVENT_CONNECT_REQUEST) {
			on_request(p, &ev);
		} else if (ev.type == VERBS_CM_EVENT_DISCONNECTED) {
			struct fz_peer_conn *c = verbs_cm_id_context(ev.id);

			if (c && c != (void *)p)
				conn_drop(c);
		}
	}
	while ((n = verbs_poll_cq(p->cq, 16, wc)) > 0) {
		for (int i = 0; i < n; i++) {
			unsigned int ci, ri;

			if (wc[i].wr_id & (WR_SEND | WR_WRITE) || wc[i].status != VERBS_WC_SUCCESS)
				continue;
			ci = (unsigned int)(wc[i].wr_id / FZ_PEER_RECV);
			ri = (unsigned int)(wc[i].wr_id % FZ_PEER_RECV);
			if (!p->conn[ci].qp)
				continue;
			answer(p, ci, ri, wc[i].byte_len);
			post_recv(p, ci, ri);
		}
	}
}
