/* Asynchronous Event Request (NVMe Base 2.0 §5.2 (approx.)).  AERs wait on
 * the pending list until an event arrives; events wait in a small queue
 * until an AER does.  Once an event type has been reported it stays masked
 * until the host reads its log page with RAE = 0 (the log clears it). */
#include "ctrl/ctrl_priv.h"

#define AEN_DW0(type, info, lid) ((uint32_t)(type) | (uint32_t)(info) << 8 | (uint32_t)(lid) << 16)
#define AEN_TYPE(dw0) ((dw0) & 0x7u)

static bool *aen_mask_of(struct nvsim_ctrl *ctrl, uint8_t type)
{
	switch (type) {
	case NVME_AER_ERROR:
		return &ctrl->error_event_masked;
	case NVME_AER_SMART:
		return &ctrl->smart_event_masked;
	case NVME_AER_NOTICE:
		return &ctrl->notice_ns_masked;
	default:
		return NULL;
	}
}

/* AERs live on the admin queue: its held commands only, oldest first. */
static struct nvsim_req *aer_waiting(struct nvsim_ctrl *ctrl)
{
	for (struct nvsim_req *r = ctrl->admin.parked_head; r; r = r->qnext)
		if (r->state == NVSIM_REQ_AER_WAITING)
			return r;
	return NULL;
}

/* Pair queued events with waiting AERs, oldest first on both sides. */
static void aen_deliver(struct nvsim_ctrl *ctrl)
{
	struct nvsim_req *aer;

	while (ctrl->nr_events && (aer = aer_waiting(ctrl))) {
		uint32_t dw0 = ctrl->events[0];
		bool *mask = aen_mask_of(ctrl, (uint8_t)AEN_TYPE(dw0));

		for (uint32_t i = 1; i < ctrl->nr_events; i++)
			ctrl->events[i - 1] = ctrl->events[i];
		ctrl->nr_events--;
		if (mask)
			*mask = true;
		nvsim_req_unpark(aer);
		ctrl->aer_outstanding--;
		aer->dw0 = dw0;
		aer->status = 0;
		nvsim_req_complete(aer);
	}
}

void nvsim_aen_post(struct nvsim_ctrl *ctrl, uint8_t type, uint8_t info, uint8_t lid)
{
	uint32_t dw0 = AEN_DW0(type, info, lid);
	bool *mask = aen_mask_of(ctrl, type);

	if (mask && *mask)
		return;
	/* The same condition twice before the host looks is one event. */
	for (uint32_t i = 0; i < ctrl->nr_events; i++)
		if (ctrl->events[i] == dw0)
			return;
	if (ctrl->nr_events == NVSIM_EVENTS_MAX)
		return;
	ctrl->events[ctrl->nr_events++] = dw0;
	aen_deliver(ctrl);
}

void nvsim_aen_notice_ns_changed(struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	/* Namespaces attached before the controller is enabled are its initial
	 * inventory, which the host learns from Identify, not a change. */
	if (!nvsim_ctrl_ready(ctrl))
		return;
	nvsim_changed_ns_add(ctrl, nsid);
	if (ctrl->feat_aec & (NVME_FEAT_AE_NAN_MASK << NVME_FEAT_AE_NAN_SHIFT))
		nvsim_aen_post(ctrl, NVME_AER_NOTICE, NVME_AER_NOTICE_NS_CHANGED,
			       NVME_LOG_LID_CHANGED_NS);
}

void nvsim_ctrl_raise_error_event(struct nvsim_ctrl *ctrl, uint8_t info)
{
	/* Error events cannot be disabled by AEC (§5.27.1.7 (approx.)). */
	nvsim_aen_post(ctrl, NVME_AER_ERROR, info, NVME_LOG_LID_ERROR);
}

int nvsim_exec_aer(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;

	if (ctrl->aer_outstanding > ctrl->cfg.aerl &&
	    !(nvsim_quirk(ctrl, NVSIM_QUIRK_NO_AER_LIMIT) && ctrl->aer_outstanding < 64))
		return nvsim_req_fail(req, NVSIM_SC_CMD_SPECIFIC(NVME_SC_ASYNC_LIMIT),
				      NVSIM_SQE_OFF_OPCODE);
	ctrl->aer_outstanding++;
	nvsim_req_park(req, NVSIM_REQ_AER_WAITING);
	aen_deliver(ctrl);
	return NVSIM_REQ_DEFERRED;
}
