/* Admin command dispatch (NVMe Base 2.0 §5 (approx.)), Abort, and the
 * opcodes a fabrics controller must refuse. */
#include "ctrl/ctrl_priv.h"

/* Abort (NVMe Base 2.0 §5.1 (approx.)): CDW10 SQID bits 15:0, CID 31:16.
 * Commands still held by the controller (waiting AERs, delayed or dropped
 * completions) can be aborted; anything already completed cannot, which
 * DW0 bit 0 reports. */
static int exec_abort(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint16_t sqid = (uint16_t)(le32toh(req->sqe.cdw10) & 0xffff);
	uint16_t cid = (uint16_t)(le32toh(req->sqe.cdw10) >> 16);
	struct nvsim_queue *q = nvsim_queue_get(ctrl, sqid);

	req->dw0 = 1; /* not aborted */
	/* Only the named queue's held commands: at most its size. */
	for (struct nvsim_req *victim = q ? q->parked_head : NULL; victim; victim = victim->qnext) {
		if (le16toh(victim->sqe.cid) != cid)
			continue;
		nvsim_req_unpark(victim);
		if (victim->state == NVSIM_REQ_AER_WAITING)
			ctrl->aer_outstanding--;
		victim->status = nvsim_status(NVME_SCT_GENERIC, NVME_SC_ABORT_REQ, false);
		victim->dw0 = victim->dw1 = 0;
		nvsim_req_complete(victim);
		req->dw0 = 0;
		break;
	}
	return 0;
}

/* What a discovery controller accepts (Linux nvmet_parse_discovery_cmd;
 * SPDK allows the same set). */
static bool discovery_allows(uint8_t opcode)
{
	switch (opcode) {
	case nvme_admin_get_log_page:
	case nvme_admin_identify:
	case nvme_admin_set_features:
	case nvme_admin_get_features:
	case nvme_admin_async_event:
	case nvme_admin_keep_alive:
		return true;
	default:
		return false;
	}
}

int nvsim_exec_admin(struct nvsim_req *req)
{
	/* Only fabrics commands are allowed until CSTS.RDY (Linux
	 * nvmet_check_ctrl_status; NVMe Base 2.0 §3.5.1 (approx.)). */
	if (!nvsim_ctrl_ready(req->ctrl) && !nvsim_quirk(req->ctrl, NVSIM_QUIRK_ADMIN_BEFORE_READY))
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR),
				      NVSIM_SQE_OFF_OPCODE);
	if (req->ctrl->cfg.discovery && !discovery_allows(req->sqe.opcode))
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE),
				      NVSIM_SQE_OFF_OPCODE);

	switch (req->sqe.opcode) {
	case nvme_admin_get_log_page:
		return nvsim_exec_get_log_page(req);
	case nvme_admin_identify:
		return nvsim_exec_identify(req);
	case nvme_admin_abort_cmd:
		return exec_abort(req);
	case nvme_admin_set_features:
		return nvsim_exec_set_features(req);
	case nvme_admin_get_features:
		return nvsim_exec_get_features(req);
	case nvme_admin_async_event:
		return nvsim_exec_aer(req);
	case nvme_admin_keep_alive:
		return nvsim_exec_keep_alive(req);
	case nvme_admin_delete_sq:
	case nvme_admin_create_sq:
	case nvme_admin_delete_cq:
	case nvme_admin_create_cq:
	case nvme_admin_dbbuf:
		/* PCIe queue management does not exist on fabrics: queues are
		 * created by Connect (NVMe-oF 1.1 §2.4 (approx.)). */
	default:
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE),
				      NVSIM_SQE_OFF_OPCODE);
	}
}
