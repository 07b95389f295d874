/* The RC exchange: executing the send WR at the head of a QP.
 *
 * One call does what the wire would: the requester's local checks, the
 * responder's checks (receive, rkey, invalidation), data placement, and the
 * completions on both sides.  Waiting (RNR, transport retries, injected
 * delays) is "this WR is due again at step N"; the scheduler does the rest.
 */
#include <errno.h>
#include <string.h>

#include "verbs/fake_priv.h"

/* ---- data movement ------------------------------------------------------------ */

struct seg {
	uint8_t *p;
	uint64_t len;
};

enum { SEG_MAX = FAKE_MAX_SGE };

/* Resolves SGEs against MRs of pd: every byte must lie in an MR with the
 * lkey, and a destination needs LOCAL_WRITE. */
static bool sges_resolve(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
			 const struct verbs_sge *sge, uint32_t n, bool writable, struct seg *out)
{
	uint32_t i;

	if (n > SEG_MAX)
		return false;
	for (i = 0; i < n; i++) {
		struct fake_mr *mr = fake_mr_by_lkey(fab, pd, sge[i].lkey);

		if (!mr || !fake_mr_covers(mr, sge[i].addr, sge[i].length))
			return false;
		if (writable && !(mr->access & VERBS_ACCESS_LOCAL_WRITE))
			return false;
		out[i].p = (uint8_t *)(uintptr_t)sge[i].addr;
		out[i].len = sge[i].length;
	}
	return true;
}

/* Copies len bytes from the src segments to the dst segments; the callers
 * have checked that both hold at least len. */
static void segs_copy(struct seg *dst, uint32_t nd, const struct seg *src, uint32_t ns,
		      uint64_t len)
{
	uint32_t di = 0, si = 0;
	uint64_t doff = 0, soff = 0;

	while (len && di < nd && si < ns) {
		uint64_t chunk = len;

		if (chunk > dst[di].len - doff)
			chunk = dst[di].len - doff;
		if (chunk > src[si].len - soff)
			chunk = src[si].len - soff;
		if (chunk)
			memmove(dst[di].p + doff, src[si].p + soff, chunk);
		doff += chunk;
		soff += chunk;
		len -= chunk;
		if (doff == dst[di].len) {
			di++;
			doff = 0;
		}
		if (soff == src[si].len) {
			si++;
			soff = 0;
		}
	}
}

static uint8_t *segs_byte(struct seg *segs, uint32_t n, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (off < segs[i].len)
			return segs[i].p + off;
		off -= segs[i].len;
	}
	return NULL;
}

/* Flips bytes of a delivered payload: what a bad link would do if the ICRC
 * did not catch it (the CORRUPT fault). */
static void segs_corrupt(struct verbs_fake_fabric *fab, struct seg *segs, uint32_t n,
			 uint64_t len, uint32_t bytes)
{
	uint32_t i;

	for (i = 0; i < bytes && len; i++) {
		uint8_t *b = segs_byte(segs, n, fake_rng_below(fab, len));

		if (b)
			*b ^= (uint8_t)(1 + fake_rng_below(fab, 255));
	}
}

/* ---- completions ------------------------------------------------------------ */

static void trace_wr(struct verbs_fake_fabric *fab, const struct fake_qp *qp,
		     const struct fake_swr *wr, enum verbs_wc_status status)
{
	struct verbs_fake_trace t;

	if (!fab->trace)
		return;
	t.step = fab->now;
	t.qp_num = qp->base.qp_num;
	t.opcode = wr->opcode;
	t.wr_id = wr->wr_id;
	t.status = status;
	fab->trace(fab->trace_arg, &t);
}

static void requester_success(struct fake_qp *qp, struct fake_swr *wr, enum verbs_wc_opcode op,
			      uint32_t byte_len)
{
	struct verbs_wc wc = {
		.wr_id = wr->wr_id,
		.status = VERBS_WC_SUCCESS,
		.opcode = op,
		.byte_len = byte_len,
		.qp_num = qp->base.qp_num,
	};
	bool signaled = qp->sig_all || (wr->flags & VERBS_SEND_SIGNALED);

	trace_wr(qp->dev->fab, qp, wr, VERBS_WC_SUCCESS);
	fake_ring_pop(&qp->sq);
	if (!signaled) {
		/* As on hardware, an unsignaled WR keeps its slot until a
		 * later signaled completion retires it. */
		qp->sq_unsignaled++;
		return;
	}
	qp->sq_unsignaled = 0;
	fake_cq_push(qp->send_cq, &wc);
}

static void requester_error(struct fake_qp *qp, struct fake_swr *wr, enum verbs_wc_status status)
{
	trace_wr(qp->dev->fab, qp, wr, status);
	fake_complete_error(qp->send_cq, qp, wr->wr_id, status);
	qp->ctr.errors++;
	fake_ring_pop(&qp->sq);
	fake_qp_fail(qp);
}

static void responder_error(struct fake_qp *peer, uint64_t wr_id, enum verbs_wc_status status)
{
	fake_complete_error(peer->recv_cq, peer, wr_id, status);
	peer->ctr.errors++;
	fake_qp_fail(peer);
}

/* ---- waiting ---------------------------------------------------------------- */

static bool peer_reachable(const struct fake_qp *qp)
{
	const struct fake_qp *peer = qp->peer;

	if (qp->link_down || !peer || peer->dev->removed)
		return false;
	/* A responder below RTR (or in ERR) drops what it receives. */
	return peer->state == VERBS_QPS_RTR || peer->state == VERBS_QPS_RTS;
}

static enum exec_result transport_retry(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;

	if (wr->transport_tries >= qp->retry_count) {
		requester_error(qp, wr, VERBS_WC_RETRY_EXC_ERR);
		return EXEC_DONE;
	}
	wr->transport_tries++;
	qp->ctr.retries++;
	wr->ready_at = fab->now + fab->retry_steps;
	return EXEC_WAIT;
}

static enum exec_result rnr_nak(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;

	qp->ctr.rnr_naks++;
	if (qp->rnr_retry_count != FAKE_RNR_RETRY_FOREVER && wr->rnr_tries >= qp->rnr_retry_count) {
		requester_error(qp, wr, VERBS_WC_RNR_RETRY_EXC_ERR);
		return EXEC_DONE;
	}
	wr->rnr_tries++;
	wr->ready_at = fab->now + fab->rnr_steps;
	return EXEC_WAIT;
}

/* ---- RDMA WRITE / READ -------------------------------------------------------- */

/* The local side of a WR: its SGEs, or the inline copy. */
static bool local_segs(struct fake_qp *qp, struct fake_swr *wr, bool writable, struct seg *segs,
		       uint32_t *n)
{
	if (wr->flags & VERBS_SEND_INLINE) {
		segs[0].p = fake_swr_inline(qp, wr);
		segs[0].len = wr->length;
		*n = 1;
		return true;
	}
	*n = wr->num_sge;
	return sges_resolve(qp->dev->fab, qp->pd, fake_swr_sge(wr), wr->num_sge, writable, segs);
}

/* The responder's rkey check: right PD, not invalidated, the access the
 * operation needs, and the whole range inside the MR. */
static struct fake_mr *remote_mr_check(struct fake_qp *peer, struct fake_swr *wr,
				       unsigned int access)
{
	struct fake_mr *mr = fake_mr_by_rkey(peer->dev->fab, peer->pd, wr->rkey);

	if (!mr || !mr->rkey_valid || !(mr->access & access))
		return NULL;
	if (!fake_mr_covers(mr, wr->remote_addr, wr->length))
		return NULL;
	return mr;
}

static enum exec_result exec_rdma(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_qp *peer = qp->peer;
	bool is_read = wr->opcode == VERBS_WR_RDMA_READ;
	struct seg local[SEG_MAX], remote;
	uint32_t nlocal;

	if (!local_segs(qp, wr, is_read, local, &nlocal)) {
		requester_error(qp, wr, VERBS_WC_LOC_PROT_ERR);
		return EXEC_DONE;
	}
	/* Zero-length RDMA carries no rkey check, as on the wire. */
	if (wr->length) {
		if (wr->forced_access_error ||
		    !remote_mr_check(peer, wr, is_read ? VERBS_ACCESS_REMOTE_READ
						       : VERBS_ACCESS_REMOTE_WRITE)) {
			/* An rkey violation breaks the responder QP too. */
			peer->ctr.errors++;
			fake_qp_fail(peer);
			requester_error(qp, wr, VERBS_WC_REM_ACCESS_ERR);
			return EXEC_DONE;
		}
	}
	remote.p = (uint8_t *)(uintptr_t)wr->remote_addr;
	remote.len = wr->length;
	if (is_read) {
		segs_copy(local, nlocal, &remote, 1, wr->length);
		segs_corrupt(fab, local, nlocal, wr->length, wr->corrupt_bytes);
		qp->ctr.read_ops++;
		qp->ctr.read_bytes += wr->length;
		requester_success(qp, wr, VERBS_WC_RDMA_READ, (uint32_t)wr->length);
	} else {
		segs_copy(&remote, 1, local, nlocal, wr->length);
		segs_corrupt(fab, &remote, 1, wr->length, wr->corrupt_bytes);
		qp->ctr.write_ops++;
		qp->ctr.write_bytes += wr->length;
		requester_success(qp, wr, VERBS_WC_RDMA_WRITE, 0);
	}
	return EXEC_DONE;
}

/* ---- SEND ---------------------------------------------------------------------- */

/* SEND_WITH_INV: the named rkey must be one the peer allowed us to
 * invalidate.  Returns the MR, or NULL for an invalid request. */
static struct fake_mr *invalidate_target(struct fake_qp *peer, uint32_t rkey)
{
	struct fake_mr *mr = fake_mr_by_rkey(peer->dev->fab, peer->pd, rkey);

	if (!mr || !mr->rkey_valid || !(mr->access & VERBS_ACCESS_REMOTE_INVALIDATE))
		return NULL;
	return mr;
}

/* Where the responder's receives come from: its own queue or its SRQ,
 * whose PD then owns the receive buffers. */
static struct fake_ring *recv_queue(struct fake_qp *peer, const struct fake_pd **pd)
{
	if (peer->srq) {
		*pd = peer->srq->pd;
		return &peer->srq->rq;
	}
	*pd = peer->pd;
	return &peer->rq;
}

/* Takes the oldest receive off rq: the copy stays valid for this WR. */
static struct fake_rwr *recv_take(struct fake_ring *rq, struct verbs_sge *sges)
{
	struct fake_rwr *recv = fake_ring_head(rq);

	memcpy(sges, fake_rwr_sge(recv), recv->num_sge * sizeof(*sges));
	fake_ring_pop(rq);
	return recv;
}

static void recv_complete(struct fake_qp *qp, struct fake_qp *peer, const struct fake_swr *wr,
			  uint64_t recv_wr_id, const struct fake_mr *inv)
{
	struct verbs_wc wc;

	memset(&wc, 0, sizeof(wc));
	wc.wr_id = recv_wr_id;
	wc.status = VERBS_WC_SUCCESS;
	wc.opcode = VERBS_WC_RECV;
	wc.byte_len = (uint32_t)wr->length;
	wc.qp_num = peer->base.qp_num;
	wc.src_qp = qp->base.qp_num;
	if (inv) {
		wc.wc_flags = VERBS_WC_WITH_INV;
		wc.invalidated_rkey = inv->base.rkey;
	}
	fake_cq_push(peer->recv_cq, &wc);
	peer->ctr.recv_ops++;
	peer->ctr.recv_bytes += wr->length;
}

static enum exec_result exec_send(struct fake_qp *qp, struct fake_swr *wr)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_qp *peer = qp->peer;
	struct seg local[SEG_MAX], dst[SEG_MAX];
	struct verbs_sge recv_sge[SEG_MAX];
	const struct fake_pd *recv_pd;
	struct fake_ring *rq = recv_queue(peer, &recv_pd);
	struct fake_mr *inv = NULL;
	struct fake_rwr *recv;
	uint64_t recv_wr_id;
	uint32_t nlocal, nrecv;

	if (!local_segs(qp, wr, false, local, &nlocal)) {
		requester_error(qp, wr, VERBS_WC_LOC_PROT_ERR);
		return EXEC_DONE;
	}
	if (wr->forced_rnr || rq->count == 0) {
		if (wr->forced_rnr && wr->forced_rnr != FAKE_RNR_ALWAYS)
			wr->forced_rnr--;
		return rnr_nak(qp, wr);
	}
	recv = recv_take(rq, recv_sge);
	recv_wr_id = recv->wr_id;
	nrecv = recv->num_sge;
	if (!sges_resolve(fab, recv_pd, recv_sge, nrecv, true, dst)) {
		responder_error(peer, recv_wr_id, VERBS_WC_LOC_PROT_ERR);
		requester_error(qp, wr, VERBS_WC_REM_OP_ERR);
		return EXEC_DONE;
	}
	if (fake_sge_total(recv_sge, nrecv) < wr->length) {
		responder_error(peer, recv_wr_id, VERBS_WC_LOC_LEN_ERR);
		requester_error(qp, wr, VERBS_WC_REM_INV_REQ_ERR);
		return EXEC_DONE;
	}
	if (wr->opcode == VERBS_WR_SEND_WITH_INV) {
		inv = invalidate_target(peer, wr->invalidate_rkey);
		if (!inv) {
			responder_error(peer, recv_wr_id, VERBS_WC_LOC_QP_OP_ERR);
			requester_error(qp, wr, VERBS_WC_REM_OP_ERR);
			return EXEC_DONE;
		}
		inv->rkey_valid = false;
	}
	segs_copy(dst, nrecv, local, nlocal, wr->length);
	segs_corrupt(fab, dst, nrecv, wr->length, wr->corrupt_bytes);
	recv_complete(qp, peer, wr, recv_wr_id, inv);
	qp->ctr.send_ops++;
	qp->ctr.send_bytes += wr->length;
	requester_success(qp, wr, VERBS_WC_SEND, 0);
	return EXEC_DONE;
}

enum exec_result fake_exec_head(struct fake_qp *qp)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;
	struct fake_swr *wr = fake_ring_head(&qp->sq);

	if (!wr->faults_evaluated) {
		fake_faults_apply_to_wr(fab, qp, wr);
		if (wr->ready_at > fab->now)
			return EXEC_WAIT;
	}
	if (wr->length > qp->dev->attr.max_msg_sz) {
		requester_error(qp, wr, VERBS_WC_LOC_LEN_ERR);
		return EXEC_DONE;
	}
	if (!peer_reachable(qp))
		return transport_retry(qp, wr);
	if (wr->opcode == VERBS_WR_RDMA_READ || wr->opcode == VERBS_WR_RDMA_WRITE)
		return exec_rdma(qp, wr);
	return exec_send(qp, wr);
}
