/* Keep Alive (NVMe Base 2.0 §5.26, §3.9 (approx.)).  The timer is checked
 * from nvsim_ctrl_poll against the injected clock; expiry is reported once
 * to the owner, which tears the association down. */
#include "ctrl/ctrl_priv.h"

#define KAS_UNIT_MS 100u

/* KATO is honoured in KAS units: round up, never down, so the host is not
 * cut off earlier than it asked. */
uint32_t nvsim_kato_round(const struct nvsim_ctrl *ctrl, uint32_t kato_ms)
{
	uint64_t unit = (uint64_t)ctrl->cfg.kas * KAS_UNIT_MS *
			(nvsim_quirk(ctrl, NVSIM_QUIRK_KAS_WRONG) ? 10 : 1);
	uint64_t rounded = (kato_ms + unit - 1) / unit * unit;

	return rounded > UINT32_MAX ? UINT32_MAX / unit * unit : (uint32_t)rounded;
}

void nvsim_keep_alive_touch(struct nvsim_ctrl *ctrl)
{
	ctrl->last_keep_alive_ns = nvsim_now(ctrl);
	ctrl->kato_expiry_reported = false;
}

void nvsim_keep_alive_check(struct nvsim_ctrl *ctrl)
{
	uint64_t now = nvsim_now(ctrl);

	if (!ctrl->kato_ms || ctrl->kato_expiry_reported ||
	    (!nvsim_ctrl_ready(ctrl) && (!ctrl->cfg.keep_alive_from_connect ||
					 nvsim_quirk(ctrl, NVSIM_QUIRK_KATO_NEEDS_ENABLE))) ||
	    nvsim_quirk(ctrl, NVSIM_QUIRK_NO_KATO_EXPIRY))
		return;
	if (now - ctrl->last_keep_alive_ns < (uint64_t)ctrl->kato_ms * 1000000ull)
		return;
	ctrl->kato_expiry_reported = true;
	if (ctrl->cfg.events.kato_expired)
		ctrl->cfg.events.kato_expired(ctrl->cfg.events.arg, ctrl);
}

int nvsim_exec_keep_alive(struct nvsim_req *req)
{
	struct nvsim_ctrl *ctrl = req->ctrl;

	/* nvmet answers a Keep Alive with the timer disabled as an invalid
	 * timeout; SPDK accepts it.  Follow the configured flavour. */
	if (!ctrl->kato_ms && ctrl->cfg.kato_zero == NVSIM_KATO_ZERO_DISABLES)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_KAT_INVALID),
				      NVSIM_SQE_OFF_OPCODE);
	nvsim_keep_alive_touch(ctrl);
	return 0;
}

uint16_t nvsim_ctrl_set_kato(struct nvsim_ctrl *ctrl, uint32_t kato_ms)
{
	ctrl->kato_ms = nvsim_kato_round(ctrl, kato_ms);
	nvsim_keep_alive_touch(ctrl);
	return 0;
}

uint32_t nvsim_ctrl_kato_ms(const struct nvsim_ctrl *ctrl)
{
	return ctrl->kato_ms;
}
