/* One well-formed command on a queue: CID, PSDT, the SGL, send, wait. */
#include <errno.h>
#include <string.h>

#include "host/host_priv.h"

#define SQE_LEN 64u

void nvsim_hq_allow_in_capsule(struct nvsim_hq *hq, bool allow)
{
	hq->allow_icd = allow;
}

static int send_in_capsule(struct nvsim_hq *hq, struct nvsim_sqe *sqe, const void *buf,
			   size_t len)
{
	/* Data block, offset subtype: the data follows the SQE (ICDOFF 0). */
	nvsim_sgl_unkeyed_set(&sqe->dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, (uint32_t)len);
	return nvsim_hq_send_capsule(hq, sqe, SQE_LEN, buf, len);
}

static void set_psdt(struct nvsim_sqe *sqe)
{
	sqe->flags = (uint8_t)((sqe->flags & ~NVSIM_SQE_PSDT_MASK) |
			       NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT);
}

static bool fits_in_capsule(const struct nvsim_hq *hq, enum nvsim_dir dir, size_t len)
{
	return dir == NVSIM_DIR_H2C && len && hq->allow_icd && len <= hq->cfg.icd_max;
}

/* A keyed SGL data block over [addr, addr + len) of rkey, and send. */
static int send_keyed(struct nvsim_hq *hq, struct nvsim_sqe *sqe, const void *addr, size_t len,
		      uint32_t rkey)
{
	/* No data: a keyed block of length 0, as Linux hosts send. */
	nvsim_sgl_keyed_set(&sqe->dptr.keyed, (uintptr_t)addr, (uint32_t)len, rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	return nvsim_hq_send_raw(hq, sqe, SQE_LEN);
}

int nvsim_hq_start(struct nvsim_hq *hq, struct nvsim_sqe *sqe, void *buf, size_t len,
		   enum nvsim_dir dir, struct nvsim_hcmd *cmd)
{
	int ret;

	memset(cmd, 0, sizeof(*cmd));
	if (len > NVSIM_SGL_KEYED_MAX_LEN || (len && !buf))
		return -EINVAL;
	cmd->cid = hq->next_cid++;
	sqe->cid = htole16(cmd->cid);
	set_psdt(sqe);
	if (fits_in_capsule(hq, dir, len))
		return send_in_capsule(hq, sqe, buf, len);
	if (len) {
		/* this direction only: a target moving data the other way is caught */
		ret = nvsim_hq_buf_reg_dir(hq, buf, len, dir, &cmd->hb);
		if (ret)
			return ret;
	}
	ret = send_keyed(hq, sqe, cmd->hb.addr, len, cmd->hb.rkey);
	if (ret)
		nvsim_hq_buf_dereg(&cmd->hb);
	return ret;
}

int nvsim_hq_start_reg(struct nvsim_hq *hq, struct nvsim_sqe *sqe, const struct nvsim_hbuf *hb,
		       size_t off, size_t len, enum nvsim_dir dir)
{
	const uint8_t *addr = NULL;

	if (len > NVSIM_SGL_KEYED_MAX_LEN || (len && (!hb->mr || off > hb->len ||
						       len > hb->len - off)))
		return -EINVAL;
	if (len)
		addr = (const uint8_t *)hb->addr + off;
	set_psdt(sqe);
	if (fits_in_capsule(hq, dir, len))
		return send_in_capsule(hq, sqe, addr, len);
	return send_keyed(hq, sqe, addr, len, len ? hb->rkey : 0);
}

int nvsim_hq_reap(struct nvsim_hq *hq, struct nvsim_hcmd *cmd)
{
	if (cmd->done)
		return 0;
	nvsim_hq_poll(hq);
	if (nvsim_hq_take_cqe(hq, cmd->cid, &cmd->cqe)) {
		cmd->done = true;
		nvsim_hq_buf_dereg(&cmd->hb);
		return 0;
	}
	return hq->dead ? -ECONNRESET : -EAGAIN;
}

uint32_t nvsim_hq_free_slots(const struct nvsim_hq *hq)
{
	return hq->nr_free_send;
}

int nvsim_hq_wait_status(struct nvsim_hq *hq, const struct nvsim_sqe *sqe,
			 struct nvsim_host_status *st)
{
	struct nvsim_cqe cqe;
	int ret;

	memset(st, 0, sizeof(*st));
	st->has_cmd = true;
	st->opcode = sqe->opcode;
	st->cid = le16toh(sqe->cid);
	st->sgl_id = ((const uint8_t *)&sqe->dptr)[15];
	ret = nvsim_hq_wait_cqe(hq, st->cid, &cqe);
	if (ret == -EBADMSG) {
		st->wrong_cid = true;
		st->cqe = cqe;
	} else if (ret == -ETIMEDOUT) {
		/* the command's own wait ran out, not the caller's deadline */
		st->no_completion = nvsim_hq_connected(hq) &&
				    !(hq->cfg.deadline_ms && nvsim_now_ms() >= hq->cfg.deadline_ms);
	}
	if (ret)
		return st->err = ret;
	return nvsim_host_status_from_cqe(st, &cqe);
}

int nvsim_hq_exec(struct nvsim_hq *hq, struct nvsim_sqe *sqe, void *buf, size_t len,
		  enum nvsim_dir dir, struct nvsim_host_status *st)
{
	struct nvsim_hcmd cmd;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nvsim_hq_start(hq, sqe, buf, len, dir, &cmd);
	if (!ret)
		ret = nvsim_hq_wait_status(hq, sqe, st);
	else
		st->err = ret;
	nvsim_hq_buf_dereg(&cmd.hb);
	return ret;
}
