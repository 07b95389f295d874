/* NVMe/RDMA, target side.  One RC queue pair per NVMe queue: the host SENDs
 * command capsules into our posted receive buffers; data moves by RDMA READ
 * (host to controller) and RDMA WRITE (controller to host) against the
 * host's keyed SGL descriptors, or rides in the capsule; we SEND the
 * response capsule (with invalidate when the host asked for it).
 *
 * Everything from the wire is hostile: capsule length, SGL type, offset,
 * length and count are bounded before use, without u64 wrap, and each
 * violation gets its own status (NVMe Base 2.0 §4.3.2; catalogue §4.7).  A
 * host that breaks the transport itself (a runt capsule, more capsules
 * than its queue holds) loses the connection. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/rdma_cm.h"
#include "target/rdma.h"
#include "target/target_priv.h"

#define SQE_LEN 64u
#define MSDBD_MAX 16u
#define WR_KIND_BITS 3u
#define WR_KIND_MASK ((1u << WR_KIND_BITS) - 1u)

enum wr_kind { WR_RECV = 1, WR_READ, WR_WRITE, WR_SEND };

enum xfer_dir { XFER_NONE, XFER_H2C, XFER_C2H };

struct remote_seg {
	uint64_t addr;
	uint32_t len;
	uint32_t key;
};

struct rdma_cmd {
	struct rdma_conn *conn;
	uint32_t slot;
	bool busy;
	struct nvsim_sqe sqe;
	enum xfer_dir dir;
	uint8_t *buf;
	size_t buf_cap;
	struct verbs_mr *buf_mr;
	size_t data_len;
	struct nvsim_iov iov;
	struct nvsim_data data;
	struct remote_seg rd[MSDBD_MAX];
	unsigned int nr_rd;
	unsigned int reads_left;
	bool invalidate;
	uint32_t inv_rkey;
	unsigned int wrs_inflight; /* posted send-side WRs not yet completed */
	bool answered;		   /* the CQE has been handed to us */
	bool kept;		   /* never-complete-icd-read: held until the queue goes */
	struct rdma_cmd *next_wait;
};

struct rdma_conn {
	struct nvsim_rdma_target *rt;
	struct rdma_conn *next;
	struct verbs_cm_id *id;
	struct verbs_qp *qp;
	struct verbs_cq *cq;
	struct nvsim_tq *tq;
	uint16_t qid;
	uint32_t depth;	  /* receive buffers: the host's SQ size */
	uint32_t nr_cmds; /* command contexts: twice the depth (see conn_alloc_buffers) */
	uint32_t recv_size;
	uint8_t *recv_buf;
	struct verbs_mr *recv_mr;
	struct nvsim_cqe *rsp;
	struct verbs_mr *rsp_mr;
	struct rdma_cmd *cmds;
	uint32_t *free_slots;
	uint32_t nr_free;
	uint32_t ord; /* RDMA READs we may have outstanding against the host */
	uint32_t reads_inflight;
	struct rdma_cmd *wait_head, *wait_tail;
	uint32_t send_inflight;
	bool disconnect_wanted; /* after the send queue drains */
	bool disconnected;	/* verbs_cm_disconnect called */
	bool dead;		/* DISCONNECTED seen: free at the end of the poll */
};

struct nvsim_rdma_target {
	struct nvsim_target *target;
	struct nvsim_port *port;
	struct nvsim_rdma_target_config cfg;
	struct verbs_device *dev;
	struct verbs_device_attr attr;
	struct verbs_pd *pd;
	struct verbs_cm_channel *ch;
	struct verbs_cm_id *listen_id;
	struct rdma_conn *conns;
	unsigned int nr_conns;
	uint32_t icd;	     /* in-capsule data bytes */
	uint32_t max_io;     /* bytes per command */
	unsigned int msdbd;
	uint32_t conns_seen; /* numbers connections in log lines */
};

void nvsim_rdma_target_config_init(struct nvsim_rdma_target_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->provider = "fake";
	cfg->addr = "0.0.0.0:4420";
	cfg->backlog = 128;
}

static bool rt_quirk(const struct nvsim_rdma_target *rt, nvsim_quirks_t q)
{
	return (rt->target->cfg.quirks & q) != 0;
}

static uint64_t wr_id(uint32_t slot, enum wr_kind kind)
{
	return (uint64_t)slot << WR_KIND_BITS | kind;
}

/* ---- connection teardown ------------------------------------------------- */

static void conn_disconnect(struct rdma_conn *c)
{
	if (c->disconnected || c->dead)
		return;
	c->disconnected = true;
	verbs_cm_disconnect(c->id);
}

/* The target ends the queue: let the responses already posted leave first
 * (a Disconnect's own CQE, say), then disconnect. */
static void conn_terminate(void *arg, struct nvsim_tq *tq)
{
	struct rdma_conn *c = arg;

	(void)tq;
	c->disconnect_wanted = true;
	if (!c->send_inflight)
		conn_disconnect(c);
}

static const struct nvsim_tq_ops conn_tq_ops = { .terminate = conn_terminate };

static void conn_free(struct rdma_conn *c)
{
	struct nvsim_tq *tq = c->tq;

	c->dead = true;
	c->tq = NULL;
	/* Outstanding commands complete into cmd_done, which sees dead. */
	if (tq)
		nvsim_tq_destroy(tq);
	if (c->qp)
		verbs_qp_destroy(c->qp);
	for (uint32_t i = 0; c->cmds && i < c->nr_cmds; i++) {
		if (c->cmds[i].buf_mr)
			verbs_mr_dereg(c->cmds[i].buf_mr);
		free(c->cmds[i].buf);
	}
	if (c->recv_mr)
		verbs_mr_dereg(c->recv_mr);
	if (c->rsp_mr)
		verbs_mr_dereg(c->rsp_mr);
	if (c->cq)
		verbs_cq_destroy(c->cq);
	if (c->id)
		verbs_cm_id_destroy(c->id);
	free(c->recv_buf);
	free(c->rsp);
	free(c->cmds);
	free(c->free_slots);
	free(c);
}

/* ---- command slots ------------------------------------------------------- */

static struct rdma_cmd *cmd_get(struct rdma_conn *c)
{
	struct rdma_cmd *cmd;

	if (!c->nr_free)
		return NULL;
	cmd = &c->cmds[c->free_slots[--c->nr_free]];
	cmd->busy = true;
	cmd->dir = XFER_NONE;
	cmd->data_len = 0;
	cmd->nr_rd = 0;
	cmd->reads_left = 0;
	cmd->invalidate = false;
	cmd->wrs_inflight = 0;
	cmd->answered = false;
	cmd->kept = false;
	cmd->next_wait = NULL;
	return cmd;
}

static void cmd_put(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	cmd->busy = false;
	c->free_slots[c->nr_free++] = cmd->slot;
}

/* Make room for len bytes of data, registered for both RDMA directions. */
static int cmd_buffer(struct rdma_cmd *cmd, size_t len)
{
	struct rdma_conn *c = cmd->conn;
	uint8_t *buf;
	int ret;

	/* A zero-length block needs no buffer; buf may still be NULL. */
	if (len == 0)
		return 0;
	if (len <= cmd->buf_cap) {
		memset(cmd->buf, 0, len);
		return 0;
	}
	if (cmd->buf_mr)
		verbs_mr_dereg(cmd->buf_mr);
	cmd->buf_mr = NULL;
	free(cmd->buf);
	cmd->buf_cap = 0;
	buf = calloc(1, len);
	cmd->buf = buf;
	if (!buf)
		return -ENOMEM;
	ret = verbs_mr_reg(c->rt->pd, buf, len, VERBS_ACCESS_LOCAL_WRITE, &cmd->buf_mr);
	if (ret)
		return ret;
	cmd->buf_cap = len;
	return 0;
}

/* ---- sending the response ------------------------------------------------- */

static void cmd_maybe_release(struct rdma_cmd *cmd)
{
	/* busy: a slot already returned must not go on the free list twice. */
	if (cmd->busy && cmd->answered && !cmd->wrs_inflight && !cmd->reads_left && !cmd->kept)
		cmd_put(cmd);
}

static int post_response(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	struct verbs_send_wr wrs[MSDBD_MAX + 1];
	struct verbs_sge sges[MSDBD_MAX + 1];
	const struct verbs_send_wr *bad;
	bool ok = nvsim_cqe_status_field(&c->rsp[cmd->slot]) == 0;
	unsigned int n = 0;
	size_t off = 0;
	int ret;

	/* Data first: RC delivers the WRITEs before the SEND that follows. */
	for (unsigned int i = 0; ok && cmd->dir == XFER_C2H && i < cmd->nr_rd; i++) {
		sges[n] = (struct verbs_sge){ (uintptr_t)cmd->buf + off, cmd->rd[i].len,
					      verbs_mr_lkey(cmd->buf_mr) };
		wrs[n] = (struct verbs_send_wr){ .wr_id = wr_id(cmd->slot, WR_WRITE),
						 .sg_list = &sges[n], .num_sge = 1,
						 .opcode = VERBS_WR_RDMA_WRITE,
						 .send_flags = VERBS_SEND_SIGNALED,
						 .remote_addr = cmd->rd[i].addr,
						 .rkey = cmd->rd[i].key };
		off += cmd->rd[i].len;
		n++;
	}
	sges[n] = (struct verbs_sge){ (uintptr_t)&c->rsp[cmd->slot], sizeof(struct nvsim_cqe),
				      verbs_mr_lkey(c->rsp_mr) };
	wrs[n] = (struct verbs_send_wr){ .wr_id = wr_id(cmd->slot, WR_SEND), .sg_list = &sges[n],
					 .num_sge = 1, .opcode = VERBS_WR_SEND,
					 .send_flags = VERBS_SEND_SIGNALED };
	if (cmd->invalidate) {
		wrs[n].opcode = VERBS_WR_SEND_WITH_INV;
		wrs[n].invalidate_rkey = cmd->inv_rkey;
	}
	n++;
	for (unsigned int i = 0; i + 1 < n; i++)
		wrs[i].next = &wrs[i + 1];
	ret = verbs_post_send(c->qp, wrs, &bad);
	if (ret)
		return ret;
	cmd->wrs_inflight += n;
	c->send_inflight += n;
	return 0;
}

static void cmd_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct rdma_cmd *cmd = arg;
	struct rdma_conn *c = cmd->conn;

	cmd->answered = true;
	if (c->dead || c->disconnected) {
		cmd_maybe_release(cmd);
		return;
	}
	c->rsp[cmd->slot] = *cqe;
	if (post_response(cmd)) {
		conn_disconnect(c);
		cmd_maybe_release(cmd);
	}
}

/* ---- SGL parsing ------------------------------------------------------------ */

static enum xfer_dir xfer_dir_of(const struct nvsim_sqe *sqe)
{
	if (sqe->opcode == NVSIM_FABRICS_OPCODE) {
		switch (((const struct nvsim_sqe_fabrics *)sqe)->fctype) {
		case nvme_fabrics_type_connect:
		case nvme_fabrics_type_auth_send:
			return XFER_H2C;
		case nvme_fabrics_type_auth_receive:
			return XFER_C2H;
		default:
			return XFER_NONE;
		}
	}
	switch (nvsim_opcode_xfer(sqe->opcode)) {
	case 1:
		return XFER_H2C;
	case 2:
		return XFER_C2H;
	default:
		return XFER_NONE;
	}
}

struct sgl_error {
	uint16_t status;
	uint16_t loc;
	const char *what;  /* the check, for the target's log */
	char detail[96];
};

/* A capsule held without an answer (never-complete-icd-read). */
#define SGL_KEEP 1

static int sgl_fail(struct sgl_error *e, unsigned int sc, uint16_t loc, const char *what,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int sgl_fail(struct sgl_error *e, unsigned int sc, uint16_t loc, const char *what,
		    const char *fmt, ...)
{
	va_list ap;

	e->status = NVSIM_SC_GENERIC(sc);
	e->loc = loc;
	e->what = what;
	e->detail[0] = 0;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A keyed descriptor becomes a remote segment. */
static int take_keyed(struct rdma_cmd *cmd, const struct nvsim_sgl_keyed *k, struct sgl_error *e)
{
	enum nvsim_sgl_subtype sub = nvsim_sgl_subtype_of(k->id);
	uint32_t len = nvsim_sgl_keyed_len(k);

	if (nvsim_sgl_type_of(k->id) != NVSIM_SGL_TYPE_KEYED_DATA_BLOCK ||
	    (sub != NVSIM_SGL_SUBTYPE_ADDRESS && sub != NVSIM_SGL_SUBTYPE_INVALIDATE_KEY))
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"SGL descriptor type not supported", "SGL identifier %02Xh", k->id);
	/* Above MDTS: Invalid Field in Command, as the Identify Controller
	 * MDTS field defines it (SPDK answers Data SGL Length Invalid). */
	if (len > cmd->conn->rt->max_io - cmd->data_len &&
	    !rt_quirk(cmd->conn->rt, NVSIM_QUIRK_NO_MDTS))
		return sgl_fail(e, NVME_SC_INVALID_FIELD, NVSIM_SQE_OFF_DPTR,
				"keyed SGL length above MDTS", "%u bytes, %u at most", len,
				cmd->conn->rt->max_io);
	if (sub == NVSIM_SGL_SUBTYPE_INVALIDATE_KEY) {
		cmd->invalidate = true;
		cmd->inv_rkey = le32toh(k->key);
	}
	if (!len)
		return 0;
	cmd->rd[cmd->nr_rd++] =
		(struct remote_seg){ le64toh(k->addr), len, le32toh(k->key) };
	cmd->data_len += len;
	return 0;
}

/* [off, off + len) must lie in the in-capsule data the host sent. */
static int check_in_capsule(struct rdma_cmd *cmd, uint64_t off, uint64_t len, uint32_t icd_rx,
			    struct sgl_error *e)
{
	uint32_t icd = cmd->conn->rt->icd;

	/* icd-offset-unchecked: bounded as if the offset were 0; icd_copy
	 * keeps the copy inside the receive buffer. */
	if (rt_quirk(cmd->conn->rt, NVSIM_QUIRK_ICD_OFFSET_UNCHECKED))
		off = 0;
	if (off > icd)
		return sgl_fail(e, NVME_SC_SGL_INVALID_OFFSET, NVSIM_SQE_OFF_DPTR,
				"in-capsule offset past the in-capsule data",
				"offset %llu, %u bytes of in-capsule data", (unsigned long long)off,
				icd);
	if (len > icd - off)
		return sgl_fail(e, NVME_SC_SGL_INVALID_DATA, NVSIM_SQE_OFF_DPTR,
				"in-capsule offset + length past the in-capsule data",
				"offset %llu + length %llu > %u bytes", (unsigned long long)off,
				(unsigned long long)len, icd);
	if (len > icd_rx - (off < icd_rx ? off : icd_rx))
		return sgl_fail(e, NVME_SC_SGL_INVALID_DATA, NVSIM_SQE_OFF_DPTR,
				"in-capsule descriptor longer than the data sent",
				"offset %llu + length %llu, the capsule carried %u bytes",
				(unsigned long long)off, (unsigned long long)len, icd_rx);
	return 0;
}

/* Copy [off, off + len) of the in-capsule data area, which check_in_capsule
 * bounded; only with icd-offset-unchecked does part of it lie past the
 * area, and that part reads as zeros. */
static void icd_copy(const struct rdma_cmd *cmd, void *dst, const uint8_t *icd_data,
		     uint64_t off, size_t len)
{
	uint32_t icd = cmd->conn->rt->icd;
	size_t n = off < icd ? (size_t)(icd - off) : 0;

	if (!len)
		return;
	if (n > len)
		n = len;
	if (n)
		memcpy(dst, icd_data + off, n);
	memset((uint8_t *)dst + n, 0, len - n);
}

static int parse_last_segment(struct rdma_cmd *cmd, const struct nvsim_sgl_unkeyed *d,
			      const uint8_t *icd_data, uint32_t icd_rx, struct sgl_error *e)
{
	uint64_t off = le64toh(d->addr), len = le32toh(d->length);
	struct nvsim_sgl_keyed k;
	uint64_t count;
	int ret;

	if (nvsim_sgl_subtype_of(d->id) != NVSIM_SGL_SUBTYPE_OFFSET)
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"Last Segment not by in-capsule offset", "SGL identifier %02Xh",
				d->id);
	if (!len || len % sizeof(k))
		return sgl_fail(e, NVME_SC_SGL_INVALID_LAST, NVSIM_SQE_OFF_DPTR,
				"Last Segment length not a non-zero multiple of 16",
				"length %llu", (unsigned long long)len);
	count = len / sizeof(k);
	if (count > cmd->conn->rt->msdbd)
		return sgl_fail(e, NVME_SC_SGL_INVALID_COUNT, NVSIM_SQE_OFF_DPTR,
				"more SGL descriptors than MSDBD", "%llu descriptors, MSDBD %u",
				(unsigned long long)count, cmd->conn->rt->msdbd);
	ret = check_in_capsule(cmd, off, len, icd_rx, e);
	if (ret)
		return ret;
	for (uint64_t i = 0; i < count; i++) {
		icd_copy(cmd, &k, icd_data, off + i * sizeof(k), sizeof(k));
		ret = take_keyed(cmd, &k, e);
		if (ret)
			return ret;
	}
	return 0;
}

/* Decide where the command's data is.  In-capsule data is copied into the
 * command's buffer here, so the receive buffer can be posted again. */
static int parse_sgl(struct rdma_cmd *cmd, const uint8_t *icd_data, uint32_t icd_rx,
		     struct sgl_error *e)
{
	const union nvsim_dptr *dptr = &cmd->sqe.dptr;
	uint8_t id = dptr->sgl.id;
	int ret;

	cmd->dir = xfer_dir_of(&cmd->sqe);
	/* Not an SGL: the controller refuses it (fabrics need SGLs). */
	if (nvsim_sqe_psdt(&cmd->sqe) != NVSIM_PSDT_SGL_MPTR_CONTIG)
		return 0;
	switch (nvsim_sgl_type_of(id)) {
	case NVSIM_SGL_TYPE_KEYED_DATA_BLOCK:
		ret = take_keyed(cmd, &dptr->keyed, e);
		break;
	case NVSIM_SGL_TYPE_DATA_BLOCK: {
		uint64_t off = le64toh(dptr->unkeyed.addr), len = le32toh(dptr->unkeyed.length);

		if (nvsim_sgl_subtype_of(id) != NVSIM_SGL_SUBTYPE_OFFSET)
			return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
					"Data Block descriptor not by in-capsule offset",
					"SGL identifier %02Xh", id);
		/* never-complete-icd-read: a real target's bug, the Read is
		 * taken and never answered. */
		if (len && cmd->sqe.opcode == nvme_cmd_read && cmd->conn->qid &&
		    rt_quirk(cmd->conn->rt, NVSIM_QUIRK_NEVER_COMPLETE_ICD_READ))
			return SGL_KEEP;
		/* In-capsule data is host to controller only (nvmet). */
		if (len && cmd->dir != XFER_H2C)
			return sgl_fail(e, NVME_SC_INVALID_FIELD, NVSIM_SQE_OFF_OPCODE,
					"in-capsule data on a command that moves no data to the "
					"controller", "%llu bytes", (unsigned long long)len);
		ret = check_in_capsule(cmd, off, len, icd_rx, e);
		if (ret)
			return ret;
		ret = cmd_buffer(cmd, (size_t)len);
		if (ret)
			return sgl_fail(e, NVME_SC_INTERNAL, NVSIM_ERR_LOC_NONE, NULL, NULL);
		icd_copy(cmd, cmd->buf, icd_data, off, (size_t)len);
		cmd->data_len = (size_t)len;
		return 0;
	}
	case NVSIM_SGL_TYPE_LAST_SEGMENT:
		ret = parse_last_segment(cmd, &dptr->unkeyed, icd_data, icd_rx, e);
		break;
	default:
		return sgl_fail(e, NVME_SC_SGL_INVALID_TYPE, NVSIM_SQE_OFF_DPTR,
				"SGL descriptor type not supported", "SGL identifier %02Xh", id);
	}
	if (ret)
		return ret;
	if (cmd->data_len && cmd_buffer(cmd, cmd->data_len))
		return sgl_fail(e, NVME_SC_INTERNAL, NVSIM_ERR_LOC_NONE, NULL, NULL);
	return 0;
}

/* ---- executing a capsule ----------------------------------------------------- */

static void cmd_submit(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	int ret;

	nvsim_data_init_flat(&cmd->data, &cmd->iov, cmd->buf, cmd->data_len);
	ret = nvsim_tq_submit(c->tq, &cmd->sqe, cmd->data_len ? &cmd->data : NULL, cmd_done, cmd);
	if (ret) {
		/* (an overrun is logged by the queue) */
		/* Overrun or a queue already ending: the host broke the
		 * transport's flow control, or is being dropped anyway. */
		cmd->answered = true;
		cmd_maybe_release(cmd);
		conn_disconnect(c);
	}
}

static int post_read(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;
	struct verbs_send_wr wrs[MSDBD_MAX];
	struct verbs_sge sges[MSDBD_MAX];
	const struct verbs_send_wr *bad;
	size_t off = 0;
	int ret;

	for (unsigned int i = 0; i < cmd->nr_rd; i++) {
		sges[i] = (struct verbs_sge){ (uintptr_t)cmd->buf + off, cmd->rd[i].len,
					      verbs_mr_lkey(cmd->buf_mr) };
		wrs[i] = (struct verbs_send_wr){ .wr_id = wr_id(cmd->slot, WR_READ),
						 .sg_list = &sges[i], .num_sge = 1,
						 .opcode = VERBS_WR_RDMA_READ,
						 .send_flags = VERBS_SEND_SIGNALED,
						 .remote_addr = cmd->rd[i].addr,
						 .rkey = cmd->rd[i].key,
						 .next = i + 1 < cmd->nr_rd ? &wrs[i + 1] : NULL };
		off += cmd->rd[i].len;
	}
	ret = verbs_post_send(c->qp, wrs, &bad);
	if (ret)
		return ret;
	cmd->reads_left = cmd->nr_rd;
	c->reads_inflight += cmd->nr_rd;
	c->send_inflight += cmd->nr_rd;
	return 0;
}

/* Issue waiting RDMA READs while the host's responder resources allow; a
 * command with more descriptors than that still goes alone. */
static void reads_kick(struct rdma_conn *c)
{
	while (c->wait_head && (!c->reads_inflight ||
				c->reads_inflight + c->wait_head->nr_rd <= c->ord)) {
		struct rdma_cmd *cmd = c->wait_head;

		c->wait_head = cmd->next_wait;
		if (!c->wait_head)
			c->wait_tail = NULL;
		if (post_read(cmd)) {
			cmd->answered = true;
			cmd_maybe_release(cmd);
			conn_disconnect(c);
			return;
		}
	}
}

static void cmd_fetch_then_submit(struct rdma_cmd *cmd)
{
	struct rdma_conn *c = cmd->conn;

	if (c->wait_tail)
		c->wait_tail->next_wait = cmd;
	else
		c->wait_head = cmd;
	c->wait_tail = cmd;
	reads_kick(c);
}

static int post_recv_slot(struct rdma_conn *c, uint32_t slot)
{
	struct verbs_sge sge = { (uintptr_t)(c->recv_buf + (size_t)slot * c->recv_size),
				 c->recv_size, verbs_mr_lkey(c->recv_mr) };
	struct verbs_recv_wr wr = { .wr_id = wr_id(slot, WR_RECV), .sg_list = &sge, .num_sge = 1 };
	const struct verbs_recv_wr *bad;

	return verbs_post_recv(c->qp, &wr, &bad);
}

static void on_capsule(struct rdma_conn *c, uint32_t slot, uint32_t len)
{
	const uint8_t *capsule = c->recv_buf + (size_t)slot * c->recv_size;
	struct sgl_error err = { 0 };
	struct rdma_cmd *cmd;
	int ret;

	/* A runt capsule has no CID to answer: the host broke the binding. */
	if (len < SQE_LEN || len > c->recv_size) {
		char detail[64];

		snprintf(detail, sizeof(detail), "%u bytes; the connection is dropped", len);
		nvsim_tq_log_host_error(c->tq, "capsule shorter than an SQE", detail);
		conn_disconnect(c);
		return;
	}
	cmd = cmd_get(c);
	if (!cmd) {
		/* More capsules than the queue negotiated. */
		nvsim_tq_log_host_error(c->tq, "SQ overrun",
					"more capsules in flight than the queue holds; the "
					"connection is dropped");
		conn_disconnect(c);
		return;
	}
	memcpy(&cmd->sqe, capsule, SQE_LEN);
	ret = parse_sgl(cmd, capsule + SQE_LEN, len - SQE_LEN, &err);
	if (post_recv_slot(c, slot)) {
		conn_disconnect(c);
		cmd_put(cmd);
		return;
	}
	if (ret == SGL_KEEP) {
		/* freed with the connection (conn_free) */
		cmd->kept = true;
		return;
	}
	if (ret) {
		cmd->data_len = 0;
		cmd->nr_rd = 0;
		cmd->dir = XFER_NONE;
		if (nvsim_tq_fail_why(c->tq, &cmd->sqe, err.status, err.loc, err.what,
				      err.detail[0] ? err.detail : NULL, cmd_done, cmd)) {
			cmd_put(cmd);
			conn_disconnect(c);
		}
		return;
	}
	if (cmd->dir == XFER_H2C && cmd->nr_rd)
		cmd_fetch_then_submit(cmd);
	else
		cmd_submit(cmd);
}

/* An RDMA READ or WRITE against the host's keyed SGL failed: the region
 * it names is not registered for us, or is shorter (NVMe-oF 1.1 §7.3
 * (approx.): the host's keys and lengths bound what the target may
 * touch). */
static void log_remote_refusal(struct rdma_conn *c, const struct rdma_cmd *cmd, const char *op,
			       const struct verbs_wc *wc)
{
	char detail[160];

	if (!c->tq)
		return;
	snprintf(detail, sizeof(detail),
		 "opcode %02Xh CID 0x%x: RDMA %s of its keyed SGL (key %#x, address %#llx, "
		 "%u bytes) failed with work completion status %d; the connection is dropped",
		 cmd->sqe.opcode, le16toh(cmd->sqe.cid), op, cmd->nr_rd ? cmd->rd[0].key : 0,
		 cmd->nr_rd ? (unsigned long long)cmd->rd[0].addr : 0ull,
		 cmd->nr_rd ? cmd->rd[0].len : 0, (int)wc->status);
	nvsim_tq_log_host_error(c->tq, "keyed SGL outside the host's registered memory", detail);
}

static void on_completion(struct rdma_conn *c, const struct verbs_wc *wc)
{
	uint32_t slot = (uint32_t)(wc->wr_id >> WR_KIND_BITS);
	enum wr_kind kind = (enum wr_kind)(wc->wr_id & WR_KIND_MASK);
	struct rdma_cmd *cmd = slot < c->nr_cmds ? &c->cmds[slot] : NULL;
	bool submitted = false;

	if (kind == WR_RECV) {
		if (wc->status == VERBS_WC_SUCCESS && !c->dead && !c->disconnected)
			on_capsule(c, slot, wc->byte_len);
		else if (wc->status != VERBS_WC_WR_FLUSH_ERR)
			conn_disconnect(c);
		return;
	}
	if (!cmd)
		return;
	c->send_inflight--;
	if (kind == WR_READ) {
		c->reads_inflight--;
		cmd->reads_left--;
		if (wc->status != VERBS_WC_SUCCESS) {
			/* The host's buffer refused us: nothing to execute. */
			cmd->answered = true;
			if (wc->status != VERBS_WC_WR_FLUSH_ERR) {
				log_remote_refusal(c, cmd, "READ", wc);
				conn_disconnect(c);
			}
		} else if (!cmd->reads_left && !c->disconnected && !c->dead) {
			/* From here cmd_done (or cmd_submit's failure path)
			 * owns the slot and may already have released it. */
			submitted = true;
			cmd_submit(cmd);
		}
		reads_kick(c);
	} else {
		cmd->wrs_inflight--;
		if (wc->status != VERBS_WC_SUCCESS && wc->status != VERBS_WC_WR_FLUSH_ERR) {
			if (kind == WR_WRITE)
				log_remote_refusal(c, cmd, "WRITE", wc);
			conn_disconnect(c);
		}
	}
	if (!submitted)
		cmd_maybe_release(cmd);
	if (c->disconnect_wanted && !c->send_inflight)
		conn_disconnect(c);
}

/* ---- accepting a queue ------------------------------------------------------- */

static int reject(struct verbs_cm_id *id, enum nvsim_rdma_cm_reject_sts sts)
{
	struct nvsim_rdma_cm_reject rej = { .recfmt = 0, .sts = htole16(sts) };

	return verbs_cm_reject(id, &rej, sizeof(rej));
}

/* NVMe/RDMA private data (NVMe-oF 1.1 §7.3.3 (approx.)).  Returns 0 and the
 * queue's depth, or the reject status. */
static int check_private_data(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev,
			      uint16_t *qid, uint32_t *depth, char *why, size_t why_len)
{
	struct nvsim_rdma_cm_req copy, *req = &copy;
	uint32_t max_io_depth = rt->cfg.max_queue_depth;
	uint32_t hsq, hrq, max;

	if (ev->private_data_len < sizeof(*req)) {
		snprintf(why, why_len, "private data of %u bytes, not %zu", ev->private_data_len,
			 sizeof(*req));
		return NVSIM_RDMA_CM_INVALID_LEN;
	}
	/* The event's bytes carry no alignment promise. */
	memcpy(&copy, ev->private_data, sizeof(copy));
	if (le16toh(req->recfmt) != 0) {
		snprintf(why, why_len, "RECFMT %u, not 0", le16toh(req->recfmt));
		return NVSIM_RDMA_CM_INVALID_RECFMT;
	}
	*qid = le16toh(req->qid);
	if (*qid > rt->target->cfg.max_io_queues) {
		snprintf(why, why_len, "QID %u above the %u I/O queues served", *qid,
			 rt->target->cfg.max_io_queues);
		return NVSIM_RDMA_CM_INVALID_QID;
	}
	hsq = (uint32_t)le16toh(req->hsqsize) + 1;
	hrq = le16toh(req->hrqsize);
	/* The admin queue holds at most 32 entries (Linux NVME_AQ_DEPTH). */
	max = *qid ? max_io_depth : NVSIM_RDMA_ADMIN_QUEUE_MAX;
	if (hsq > max && !rt_quirk(rt, NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED)) {
		snprintf(why, why_len, "HSQSIZE %u: %u entries, %u at most for QID %u", hsq - 1,
			 hsq, max, *qid);
		return NVSIM_RDMA_CM_INVALID_HSQSIZE;
	}
	/* Every command gets a response: the host must be able to take one
	 * per SQ entry. */
	if (hrq < hsq) {
		snprintf(why, why_len, "HRQSIZE %u below the %u SQ entries", hrq, hsq);
		return NVSIM_RDMA_CM_INVALID_HRQSIZE;
	}
	/* We fetch write data with RDMA READ: the host must serve reads. */
	if (ev->initiator_depth == 0) {
		snprintf(why, why_len, "the host serves no RDMA READ (responder resources 0)");
		return NVSIM_RDMA_CM_INVALID_IRD;
	}
	*depth = hsq;
	return 0;
}

static int conn_alloc_buffers(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	size_t recv_bytes = (size_t)c->depth * c->recv_size;
	int ret;

	/* A host may send its next capsule as soon as it sees a response,
	 * before our SEND of that response has completed here: a context is
	 * busy until then, so keep twice as many as the queue holds (as
	 * nvmet-rdma does with its responses). */
	c->nr_cmds = 2 * c->depth;
	c->recv_buf = calloc(1, recv_bytes);
	c->rsp = calloc(c->nr_cmds, sizeof(*c->rsp));
	c->cmds = calloc(c->nr_cmds, sizeof(*c->cmds));
	c->free_slots = calloc(c->nr_cmds, sizeof(*c->free_slots));
	if (!c->recv_buf || !c->rsp || !c->cmds || !c->free_slots)
		return -ENOMEM;
	ret = verbs_mr_reg(rt->pd, c->recv_buf, recv_bytes, VERBS_ACCESS_LOCAL_WRITE, &c->recv_mr);
	if (!ret)
		ret = verbs_mr_reg(rt->pd, c->rsp, (size_t)c->nr_cmds * sizeof(*c->rsp), 0,
				   &c->rsp_mr);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < c->nr_cmds; i++) {
		c->cmds[i].conn = c;
		c->cmds[i].slot = i;
		c->free_slots[c->nr_cmds - 1 - i] = i;
	}
	c->nr_free = c->nr_cmds;
	return 0;
}

static int conn_setup_qp(struct rdma_conn *c)
{
	struct nvsim_rdma_target *rt = c->rt;
	uint32_t send_wr = 2 * c->depth * (rt->msdbd + 1);
	struct verbs_cq_attr cq_attr = { .cqe = send_wr + c->depth };
	struct verbs_qp_init_attr qp_attr = { 0 };
	int ret = verbs_cq_create(rt->dev, &cq_attr, &c->cq);

	if (ret)
		return ret;
	qp_attr.send_cq = c->cq;
	qp_attr.recv_cq = c->cq;
	qp_attr.cap.max_send_wr = send_wr;
	qp_attr.cap.max_recv_wr = c->depth;
	qp_attr.cap.max_send_sge = 1;
	qp_attr.cap.max_recv_sge = 1;
	qp_attr.context = c;
	ret = verbs_qp_create(c->id, rt->pd, &qp_attr, &c->qp);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < c->depth; i++) {
		ret = post_recv_slot(c, i);
		if (ret)
			return ret;
	}
	return 0;
}

static void on_connect_request(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev)
{
	struct nvsim_rdma_cm_accept acc = { 0 };
	struct verbs_conn_param param = { 0 };
	struct rdma_conn *c;
	uint32_t depth = 0, no = ++rt->conns_seen;
	uint16_t qid = 0;
	char why[96], peer[80];
	int sts = check_private_data(rt, ev, &qid, &depth, why, sizeof(why));

	/* The verbs shim names no peer address yet: the connection's number
	 * and our address tell the log's lines of one queue apart. */
	snprintf(peer, sizeof(peer), "rdma conn %u on %s", no, rt->cfg.addr);
	if (sts) {
		nvsim_target_log(rt->target, NVSIM_LOG_WARN,
				 "%s: queue refused: %s: RDMA CM reject, status %02Xh", peer, why,
				 sts);
		reject(ev->id, (enum nvsim_rdma_cm_reject_sts)sts);
		verbs_cm_id_destroy(ev->id);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		reject(ev->id, NVSIM_RDMA_CM_NO_RSC);
		verbs_cm_id_destroy(ev->id);
		return;
	}
	c->rt = rt;
	c->id = ev->id;
	c->qid = qid;
	c->depth = depth;
	c->recv_size = SQE_LEN + rt->icd;
	c->ord = ev->initiator_depth < rt->attr.max_qp_init_rd_atom ? ev->initiator_depth
								   : rt->attr.max_qp_init_rd_atom;
	if (!c->ord)
		c->ord = 1;
	verbs_cm_id_set_context(c->id, c);
	if (conn_alloc_buffers(c) || conn_setup_qp(c) ||
	    nvsim_tq_create(rt->target, rt->port, &conn_tq_ops, c, &c->tq)) {
		nvsim_target_log(rt->target, NVSIM_LOG_ERROR,
				 "%s: queue refused: no resources for %u entries", peer, depth);
		reject(ev->id, NVSIM_RDMA_CM_NO_RSC);
		conn_free(c);
		return;
	}
	nvsim_tq_set_peer(c->tq, peer);
	acc.crqsize = htole16((uint16_t)depth);
	param.private_data = &acc;
	param.private_data_len = sizeof(acc);
	param.initiator_depth = (uint8_t)c->ord;
	param.responder_resources = 0; /* the host never reads from us */
	param.rnr_retry_count = 7;
	param.retry_count = 7;
	if (verbs_cm_accept(c->id, &param)) {
		conn_free(c);
		return;
	}
	c->next = rt->conns;
	rt->conns = c;
	rt->nr_conns++;
}

static void on_cm_event(struct nvsim_rdma_target *rt, const struct verbs_cm_event *ev)
{
	struct rdma_conn *c;

	if (ev->type == VERBS_CM_EVENT_CONNECT_REQUEST) {
		on_connect_request(rt, ev);
		return;
	}
	c = ev->id ? verbs_cm_id_context(ev->id) : NULL;
	if (!c || ev->id == rt->listen_id)
		return;
	switch (ev->type) {
	case VERBS_CM_EVENT_DISCONNECTED:
	case VERBS_CM_EVENT_DEVICE_REMOVAL:
	case VERBS_CM_EVENT_CONNECT_ERROR:
	case VERBS_CM_EVENT_UNREACHABLE:
		c->dead = true;
		break;
	default:
		break;
	}
}

/* ---- listener ---------------------------------------------------------------- */

int nvsim_rdma_target_start(struct nvsim_target *t, struct nvsim_port *port,
			    const struct nvsim_rdma_target_config *cfg,
			    struct nvsim_rdma_target **out)
{
	struct verbs_open_opts opts = { .provider = cfg->provider, .device = cfg->device,
					.fabric = cfg->fabric };
	struct nvsim_rdma_target *rt = calloc(1, sizeof(*rt));
	uint32_t mqes_depth = (uint32_t)t->cfg.mqes + 1;
	int ret;

	if (!rt)
		return -ENOMEM;
	rt->target = t;
	rt->port = port;
	rt->cfg = *cfg;
	rt->icd = t->cfg.in_capsule_data;
	rt->max_io = t->cfg.mdts ? 4096u << t->cfg.mdts : 1u << 24;
	rt->msdbd = t->cfg.msdbd ? t->cfg.msdbd : 1;
	if (rt->msdbd > MSDBD_MAX || rt->max_io > NVSIM_SGL_KEYED_MAX_LEN + 1u) {
		ret = -EINVAL;
		goto err;
	}
	ret = verbs_device_open(&opts, &rt->dev);
	if (ret)
		goto err;
	ret = verbs_device_query(rt->dev, &rt->attr);
	if (ret)
		goto err;
	if (!rt->cfg.max_queue_depth || rt->cfg.max_queue_depth > mqes_depth)
		rt->cfg.max_queue_depth = mqes_depth;
	/* Each of twice the depth's contexts may need a SEND plus one WR per
	 * descriptor. */
	if (rt->attr.max_qp_wr &&
	    2 * rt->cfg.max_queue_depth * (rt->msdbd + 1) > rt->attr.max_qp_wr)
		rt->cfg.max_queue_depth = rt->attr.max_qp_wr / (2 * (rt->msdbd + 1));
	ret = verbs_pd_alloc(rt->dev, &rt->pd);
	if (!ret)
		ret = verbs_cm_channel_create(rt->dev, &rt->ch);
	if (!ret)
		ret = verbs_cm_id_create(rt->ch, NULL, &rt->listen_id);
	if (!ret)
		ret = verbs_cm_listen(rt->listen_id, cfg->addr, cfg->backlog ? cfg->backlog : 128);
	if (ret)
		goto err;
	*out = rt;
	return 0;
err:
	nvsim_rdma_target_stop(rt);
	return ret;
}

static void reap_dead(struct nvsim_rdma_target *rt)
{
	for (struct rdma_conn **pp = &rt->conns; *pp;) {
		struct rdma_conn *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		rt->nr_conns--;
		conn_free(c);
	}
}

int nvsim_rdma_target_poll(struct nvsim_rdma_target *rt)
{
	struct verbs_cm_event ev;
	struct verbs_wc wc[32];
	int work = 0;

	/* dies-mid-run: a crashed target takes no event and answers nothing;
	 * what the host sends waits in the fabric until we are stopped. */
	if (nvsim_target_dead(rt->target))
		return 0;
	while (verbs_cm_get_event(rt->ch, &ev) == 0) {
		on_cm_event(rt, &ev);
		work++;
	}
	for (struct rdma_conn *c = rt->conns; c; c = c->next) {
		int n = 0;

		while (!c->dead && !nvsim_target_dead(rt->target) &&
		       (n = verbs_poll_cq(c->cq, 32, wc)) > 0) {
			for (int i = 0; i < n && !nvsim_target_dead(rt->target); i++)
				on_completion(c, &wc[i]);
			work += n;
		}
		if (n < 0 && n != -EAGAIN)
			conn_disconnect(c);
	}
	work += nvsim_target_poll(rt->target);
	reap_dead(rt);
	return work;
}

void nvsim_rdma_target_stop(struct nvsim_rdma_target *rt)
{
	if (!rt)
		return;
	while (rt->conns) {
		struct rdma_conn *c = rt->conns;

		rt->conns = c->next;
		conn_disconnect(c);
		conn_free(c);
	}
	/* Connect requests never taken (a dead target's, or ones that came
	 * after the last poll) hold ids on the channel: refuse them. */
	if (rt->ch) {
		struct verbs_cm_event ev;

		while (verbs_cm_get_event(rt->ch, &ev) == 0)
			if (ev.type == VERBS_CM_EVENT_CONNECT_REQUEST)
				verbs_cm_id_destroy(ev.id);
	}
	if (rt->listen_id)
		verbs_cm_id_destroy(rt->listen_id);
	if (rt->ch)
		verbs_cm_channel_destroy(rt->ch);
	if (rt->pd)
		verbs_pd_dealloc(rt->pd);
	if (rt->dev)
		verbs_device_close(rt->dev);
	free(rt);
}

unsigned int nvsim_rdma_target_nr_queues(const struct nvsim_rdma_target *rt)
{
	return rt->nr_conns;
}
