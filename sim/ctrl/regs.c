/* Controller registers as fabrics properties (NVMe Base 2.0 §3.1.4
 * (approx.)), the enable/shutdown sequence (§3.5 (approx.)), and the
 * Property Get/Set commands (§6.5, §6.6 (approx.)). */
#include <errno.h>
#include <string.h>

#include "ctrl/ctrl_priv.h"

#define NVSIM_VS_2_0 0x00020000u
#define NVSIM_IOSQES 6u /* 64-byte SQE */
#define NVSIM_IOCQES 4u /* 16-byte CQE */


void nvsim_regs_init(struct nvsim_ctrl *ctrl)
{
	ctrl->cap = (uint64_t)ctrl->cfg.mqes << NVME_CAP_MQES_SHIFT |
		    (uint64_t)1 << NVME_CAP_CQR_SHIFT |
		    (uint64_t)NVSIM_CAP_TO_500MS << NVME_CAP_TO_SHIFT |
		    (uint64_t)NVME_CAP_CSS_NVM << NVME_CAP_CSS_SHIFT |
		    (uint64_t)0 << NVME_CAP_MPSMIN_SHIFT | (uint64_t)0 << NVME_CAP_MPSMAX_SHIFT;
	ctrl->vs = NVSIM_VS_2_0;
	ctrl->cc = 0;
	ctrl->csts = 0;
}

bool nvsim_ctrl_ready(const struct nvsim_ctrl *ctrl)
{
	return NVME_CC_EN(ctrl->cc) && NVME_CSTS_RDY(ctrl->csts);
}

/* CC.EN 0 -> 1: every field must name something CAP offers, else the
 * controller reports Controller Fatal Status and never becomes ready. */
static bool cc_valid_for_enable(const struct nvsim_ctrl *ctrl, uint32_t cc)
{
	unsigned css = NVME_CC_CSS(cc);
	unsigned mps = NVME_CC_MPS(cc);

	if (!ctrl->cfg.discovery && !nvsim_quirk(ctrl, NVSIM_QUIRK_CFS_IGNORED) &&
	    (NVME_CC_IOSQES(cc) != NVSIM_IOSQES || NVME_CC_IOCQES(cc) != NVSIM_IOCQES))
		return false;
	if (mps < NVME_CAP_MPSMIN(ctrl->cap) || mps > NVME_CAP_MPSMAX(ctrl->cap))
		return false;
	if (NVME_CC_AMS(cc) != NVME_CC_AMS_RR)
		return false;
	if (css == NVME_CC_CSS_NVM)
		return NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_NVM;
	if (css == NVME_CC_CSS_CSI)
		return NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_CSI;
	if (css == NVME_CC_CSS_ADMIN)
		return NVME_CAP_CSS(ctrl->cap) & NVME_CAP_CSS_ADMIN;
	return false;
}

static void ctrl_enable(struct nvsim_ctrl *ctrl, uint32_t cc)
{
	if (!cc_valid_for_enable(ctrl, cc)) {
		ctrl->csts = 1u << NVME_CSTS_CFS_SHIFT;
		return;
	}
	ctrl->csts = 1u << NVME_CSTS_RDY_SHIFT;
	nvsim_keep_alive_touch(ctrl);
}

/* CC.EN 1 -> 0 is a Controller Reset: outstanding commands are aborted, I/O
 * queues deleted and features return to their defaults; the association
 * (admin queue, host identity, KATO) survives. */
static void ctrl_reset(struct nvsim_ctrl *ctrl)
{
	nvsim_ctrl_reset_queues(ctrl);
	nvsim_features_reset(ctrl);
	ctrl->aer_outstanding = 0;
	ctrl->nr_events = 0;
	ctrl->notice_ns_masked = ctrl->error_event_masked = ctrl->smart_event_masked = false;
	ctrl->csts = 0;
}

static void cc_write(struct nvsim_ctrl *ctrl, uint32_t cc)
{
	uint32_t old = ctrl->cc;

	ctrl->cc = cc;
	if (!NVME_CC_EN(old) && NVME_CC_EN(cc))
		ctrl_enable(ctrl, cc);
	else if (NVME_CC_EN(old) && !NVME_CC_EN(cc))
		ctrl_reset(ctrl);

	if (!NVME_CC_SHN(old) && NVME_CC_SHN(cc)) {
		/* Shutdown completes at once: nothing volatile is cached. */
		ctrl->csts &= ~(NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT);
		ctrl->csts |= NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT;
	} else if (NVME_CC_SHN(old) && !NVME_CC_SHN(cc)) {
		ctrl->csts &= ~(NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT);
	}
}

uint16_t nvsim_ctrl_prop_get(struct nvsim_ctrl *ctrl, uint32_t ofst, unsigned size,
			     uint64_t *value, uint16_t *errloc)
{
	const uint16_t invalid = NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD);

	*errloc = NVSIM_ERR_LOC_NONE;
	if (size != 4 && size != 8) {
		*errloc = offsetof(struct nvsim_sqe_prop_get, attrib);
		return invalid;
	}
	switch (ofst) {
	case NVME_REG_CAP:
		if (size == 8) {
			*value = ctrl->cap;
			return 0;
		}
		break;
	case NVME_REG_VS:
	case NVME_REG_CC:
	case NVME_REG_CSTS:
		if (size == 4) {
			*value = ofst == NVME_REG_VS ? ctrl->vs
				 : ofst == NVME_REG_CC ? ctrl->cc
						       : ctrl->csts;
			return 0;
		}
		break;
	default:
		*errloc = offsetof(struct nvsim_sqe_prop_get, ofst);
		return invalid;
	}
	/* A known register read with the wrong width. */
	*errloc = offsetof(struct nvsim_sqe_prop_get, attrib);
	return invalid;
}

uint16_t nvsim_ctrl_prop_set(struct nvsim_ctrl *ctrl, uint32_t ofst, unsigned size,
			     uint64_t value, uint16_t *errloc)
{
	*errloc = NVSIM_ERR_LOC_NONE;
	/* CC is the only writable property a fabrics controller has here. */
	if (ofst == NVME_REG_VS && size == 4 && nvsim_quirk(ctrl, NVSIM_QUIRK_PROPERTY_SET_RO))
		return 0;
	if (ofst != NVME_REG_CC) {
		*errloc = offsetof(struct nvsim_sqe_prop_set, ofst);
		return NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD);
	}
	if (size != 4) {
		*errloc = offsetof(struct nvsim_sqe_prop_set, attrib);
		return NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD);
	}
	cc_write(ctrl, (uint32_t)value);
	return 0;
}

static int exec_prop_get(struct nvsim_req *req)
{
	const struct nvsim_sqe_prop_get *cmd = (const void *)&req->sqe;
	unsigned size = (cmd->attrib & NVSIM_PROP_ATTRIB_SIZE_8) ? 8 : 4;
	uint64_t value = 0;
	uint16_t loc, status;

	if (cmd->attrib & ~NVSIM_PROP_ATTRIB_SIZE_8)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      offsetof(struct nvsim_sqe_prop_get, attrib));
	status = nvsim_ctrl_prop_get(req->ctrl, le32toh(cmd->ofst), size, &value, &loc);
	if (status)
		return nvsim_req_fail(req, status, loc);
	/* The value rides in CQE DW0 (and DW1 for 8-byte properties). */
	req->dw0 = (uint32_t)value;
	req->dw1 = (uint32_t)(value >> 32);
	return 0;
}

static int exec_prop_set(struct nvsim_req *req)
{
	const struct nvsim_sqe_prop_set *cmd = (const void *)&req->sqe;
	unsigned size = (cmd->attrib & NVSIM_PROP_ATTRIB_SIZE_8) ? 8 : 4;
	uint16_t loc, status;

	if (cmd->attrib & ~NVSIM_PROP_ATTRIB_SIZE_8)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD),
				      offsetof(struct nvsim_sqe_prop_set, attrib));
	status = nvsim_ctrl_prop_set(req->ctrl, le32toh(cmd->ofst), size, le64toh(cmd->value), &loc);
	return status ? nvsim_req_fail(req, status, loc) : 0;
}

/* Fabrics commands that reach the controller model: Property Get/Set on the
 * admin queue.  Connect, authentication and Disconnect belong to the target
 * wing, which answers them before the controller sees anything. */
int nvsim_exec_fabrics(struct nvsim_req *req)
{
	const struct nvsim_sqe_fabrics *cmd = (const void *)&req->sqe;

	if (req->queue->qid != 0)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE),
				      NVSIM_SQE_OFF_FCTYPE);
	switch (cmd->fctype) {
	case nvme_fabrics_type_property_get:
		return exec_prop_get(req);
	case nvme_fabrics_type_property_set:
		return exec_prop_set(req);
	default:
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_OPCODE),
				      NVSIM_SQE_OFF_FCTYPE);
	}
}
