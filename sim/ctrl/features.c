/* Set Features and Get Features (NVMe Base 2.0 §5.27 (approx.)).  No
 * feature is saveable: SV is refused and "saved" reads the default. */
#include <string.h>

#include "ctrl/ctrl_priv.h"

enum feat_sel {
	SEL_CURRENT = 0,
	SEL_DEFAULT = 1,
	SEL_SAVED = 2,
	SEL_SUPPORTED = 3,
};

#define FEAT_CAP_CHANGEABLE (1u << 2) /* supported-capabilities DW0 bit 2 */
#define TEMP_TMPTH(v) ((v) & 0xffffu)
#define TEMP_TMPSEL(v) (((v) >> 16) & 0xfu)
#define TEMP_THSEL(v) (((v) >> 20) & 0x3u)
#define TEMP_THSEL_OVER 0u
#define TEMP_THSEL_UNDER 1u
#define ERR_REC_DULBE (1u << 16)
#define AEC_SUPPORTED (0xffu | NVME_FEAT_AE_NAN_MASK << NVME_FEAT_AE_NAN_SHIFT)
#define HOSTID_EXHID 1u

void nvsim_features_reset(struct nvsim_ctrl *ctrl)
{
	ctrl->feat_arbitration = 0;
	ctrl->feat_power_mgmt = 0;
	ctrl->feat_temp_over = NVSIM_TEMP_OVER_DEFAULT_K;
	ctrl->feat_temp_under = 0;
	ctrl->feat_error_recovery = 0;
	ctrl->feat_vwc_enabled = ctrl->cfg.volatile_write_cache;
	ctrl->feat_write_atomicity = 0;
	ctrl->feat_aec = 0;
	ctrl->io_queues_granted = ctrl->cfg.max_io_queues;
}

static uint16_t invalid_field(struct nvsim_req *req, uint16_t loc)
{
	return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD), loc);
}

static uint16_t queue_count_dw0(uint16_t granted)
{
	return (uint16_t)(granted - 1);
}

/* ---- per-feature current and default values ------------------------------ */

static uint32_t temp_value(const struct nvsim_ctrl *ctrl, uint32_t cdw11, bool dflt)
{
	bool under = TEMP_THSEL(cdw11) == TEMP_THSEL_UNDER;
	uint16_t t = under ? (dflt ? 0 : ctrl->feat_temp_under)
			   : (dflt ? NVSIM_TEMP_OVER_DEFAULT_K : ctrl->feat_temp_over);

	return (cdw11 & ~0xffffu) | t;
}

static uint16_t temp_check_select(struct nvsim_req *req, uint32_t cdw11)
{
	/* Only the composite temperature exists; THSEL 10b/11b are reserved. */
	if (TEMP_TMPSEL(cdw11) != 0 || TEMP_THSEL(cdw11) > TEMP_THSEL_UNDER)
		return invalid_field(req, NVSIM_SQE_OFF_CDW11);
	return 0;
}

/* Value a Get reports for SEL current (dflt false) or default (true). */
static uint16_t feat_value(struct nvsim_req *req, uint8_t fid, bool dflt, uint32_t *dw0)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint32_t cdw11 = le32toh(req->sqe.cdw11);
	uint16_t status;

	switch (fid) {
	case NVME_FEAT_FID_ARBITRATION:
		*dw0 = dflt ? 0 : ctrl->feat_arbitration;
		return 0;
	case NVME_FEAT_FID_POWER_MGMT:
		*dw0 = dflt ? 0 : ctrl->feat_power_mgmt;
		return 0;
	case NVME_FEAT_FID_TEMP_THRESH:
		status = temp_check_select(req, cdw11);
		if (!status)
			*dw0 = temp_value(ctrl, cdw11, dflt);
		return status;
	case NVME_FEAT_FID_ERR_RECOVERY:
		*dw0 = dflt ? 0 : ctrl->feat_error_recovery;
		return 0;
	case NVME_FEAT_FID_VOLATILE_WC:
		*dw0 = dflt ? ctrl->cfg.volatile_write_cache : ctrl->feat_vwc_enabled;
		return 0;
	case NVME_FEAT_FID_NUM_QUEUES: {
		uint16_t q = queue_count_dw0(dflt ? ctrl->cfg.max_io_queues : ctrl->io_queues_granted);

		*dw0 = (uint32_t)q << 16 | q;
		return 0;
	}
	case NVME_FEAT_FID_WRITE_ATOMIC:
		*dw0 = dflt ? 0 : ctrl->feat_write_atomicity;
		return 0;
	case NVME_FEAT_FID_ASYNC_EVENT:
		*dw0 = dflt ? 0 : ctrl->feat_aec;
		return 0;
	case NVME_FEAT_FID_KATO:
		*dw0 = dflt ? 0 : ctrl->kato_ms;
		return 0;
	default:
		return invalid_field(req, NVSIM_SQE_OFF_CDW10);
	}
}

/* ---- Set ------------------------------------------------------------------ */

static uint16_t set_number_of_queues(struct nvsim_req *req, uint32_t cdw11)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint32_t nsqr = cdw11 & 0xffff, ncqr = cdw11 >> 16;
	uint32_t want = (nsqr < ncqr ? nsqr : ncqr) + 1;

	/* FFFFh would ask for 65536 queues, more than a QID can name. */
	if ((nsqr == 0xffff || ncqr == 0xffff) && !nvsim_quirk(ctrl, NVSIM_QUIRK_NQ_FFFF_OK))
		return invalid_field(req, NVSIM_SQE_OFF_CDW11);
	/* The count is fixed once I/O queues exist (§5.27.1.5 (approx.)). */
	if (ctrl->nr_io_queues_live && !nvsim_quirk(ctrl, NVSIM_QUIRK_NQ_AFTER_IO_OK))
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR),
				      NVSIM_SQE_OFF_CDW10);
	ctrl->io_queues_granted =
		(uint16_t)(want < ctrl->cfg.max_io_queues ? want : ctrl->cfg.max_io_queues);
	req->dw0 = (uint32_t)queue_count_dw0(ctrl->io_queues_granted) << 16 |
		   queue_count_dw0(ctrl->io_queues_granted);
	return 0;
}

static uint16_t set_temp_threshold(struct nvsim_req *req, uint32_t cdw11)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint16_t status = temp_check_select(req, cdw11);

	if (status)
		return status;
	if (TEMP_THSEL(cdw11) == TEMP_THSEL_UNDER)
		ctrl->feat_temp_under = (uint16_t)TEMP_TMPTH(cdw11);
	else
		ctrl->feat_temp_over = (uint16_t)TEMP_TMPTH(cdw11);
	/* Crossing a threshold is a SMART / health event (§5.2 (approx.)). */
	if (ctrl->temperature_k >= ctrl->feat_temp_over ||
	    (ctrl->feat_temp_under && ctrl->temperature_k <= ctrl->feat_temp_under))
		if (ctrl->feat_aec & NVME_SMART_CRIT_TEMPERATURE)
			nvsim_aen_post(ctrl, NVME_AER_SMART, NVME_AER_SMART_TEMPERATURE_THRESHOLD,
				       NVME_LOG_LID_SMART);
	return 0;
}

static uint16_t set_kato(struct nvsim_req *req, uint32_t kato_ms)
{
	struct nvsim_ctrl *ctrl = req->ctrl;

	if (!kato_ms && ctrl->cfg.kato_zero == NVSIM_KATO_ZERO_INVALID)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_KAT_INVALID),
				      NVSIM_SQE_OFF_CDW11);
	ctrl->kato_ms = nvsim_kato_round(ctrl, kato_ms);
	nvsim_keep_alive_touch(ctrl);
	return 0;
}

static uint16_t set_feature(struct nvsim_req *req, uint8_t fid, uint32_t cdw11)
{
	struct nvsim_ctrl *ctrl = req->ctrl;

	switch (fid) {
	case NVME_FEAT_FID_ARBITRATION:
		ctrl->feat_arbitration = cdw11;
		return 0;
	case NVME_FEAT_FID_POWER_MGMT:
		/* One power state (NPSS = 0): PS must be 0. */
		if (cdw11 & 0x1f)
			return invalid_field(req, NVSIM_SQE_OFF_CDW11);
		ctrl->feat_power_mgmt = cdw11 & 0xff;
		return 0;
	case NVME_FEAT_FID_TEMP_THRESH:
		return set_temp_threshold(req, cdw11);
	case NVME_FEAT_FID_ERR_RECOVERY:
		/* DULBE needs deallocated-block errors, which we do not report. */
		if (cdw11 & ERR_REC_DULBE)
			return invalid_field(req, NVSIM_SQE_OFF_CDW11);
		ctrl->feat_error_recovery = cdw11 & 0xffff;
		return 0;
	case NVME_FEAT_FID_VOLATILE_WC:
		if (!ctrl->cfg.volatile_write_cache)
			return invalid_field(req, NVSIM_SQE_OFF_CDW10);
		ctrl->feat_vwc_enabled = cdw11 & 1;
		return 0;
	case NVME_FEAT_FID_NUM_QUEUES:
		return set_number_of_queues(req, cdw11);
	case NVME_FEAT_FID_WRITE_ATOMIC:
		ctrl->feat_write_atomicity = cdw11 & 1;
		return 0;
	case NVME_FEAT_FID_ASYNC_EVENT:
		ctrl->feat_aec = cdw11 & AEC_SUPPORTED;
		return 0;
	case NVME_FEAT_FID_KATO:
		return set_kato(req, cdw11);
	case NVME_FEAT_FID_HOST_ID:
		if (nvsim_quirk(ctrl, NVSIM_QUIRK_HOSTID_SETTABLE))
			return 0;
		/* Over fabrics the host identifier comes from Connect
		 * (NVMe-oF 1.1 §3.3 (approx.)); SPDK answers the same. */
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_CMD_SEQ_ERROR),
				      NVSIM_SQE_OFF_CDW10);
	default:
		return invalid_field(req, NVSIM_SQE_OFF_CDW10);
	}
}

/* A discovery controller has the Keep Alive Timer and Asynchronous Event
 * Configuration only (NVMe-oF 1.1 §5 (approx.); Linux nvmet refuses the
 * rest with Invalid Field at CDW10). */
static bool discovery_feature(uint8_t fid)
{
	return fid == NVME_FEAT_FID_KATO || fid == NVME_FEAT_FID_ASYNC_EVENT;
}

/* Every feature here is controller-wide (Feature Not Namespace Specific,
 * §5.27 (approx.)). */
static uint16_t check_feature_nsid(struct nvsim_req *req)
{
	uint32_t nsid = le32toh(req->sqe.nsid);

	if (nsid && nsid != NVME_NSID_ALL)
		return nvsim_req_fail(req, NVSIM_SC_CMD_SPECIFIC(NVME_SC_FEATURE_NOT_PER_NS),
				      NVSIM_SQE_OFF_NSID);
	return 0;
}

int nvsim_exec_set_features(struct nvsim_req *req)
{
	uint32_t cdw10 = le32toh(req->sqe.cdw10);
	uint8_t fid = NVSIM_FEAT_FID(cdw10);
	uint16_t status = check_feature_nsid(req);

	if (status)
		return status;
	if (req->ctrl->cfg.discovery && !discovery_feature(fid))
		return invalid_field(req, NVSIM_SQE_OFF_CDW10);
	if ((cdw10 & NVSIM_FEAT_SV) && !nvsim_quirk(req->ctrl, NVSIM_QUIRK_SV_ACCEPTED))
		return nvsim_req_fail(req, NVSIM_SC_CMD_SPECIFIC(NVME_SC_FEATURE_NOT_SAVEABLE),
				      NVSIM_SQE_OFF_CDW10);
	return set_feature(req, fid, le32toh(req->sqe.cdw11));
}

/* ---- Get ------------------------------------------------------------------ */

static uint16_t get_host_id(struct nvsim_req *req, uint8_t sel)
{
	static const uint8_t zero_id[16];
	uint16_t status;

	/* Fabrics use the 128-bit identifier only (EXHID = 1). */
	if (!(le32toh(req->sqe.cdw11) & HOSTID_EXHID))
		return invalid_field(req, NVSIM_SQE_OFF_CDW11);
	status = nvsim_req_check_data_len(req, sizeof(req->ctrl->hostid));
	if (status)
		return status;
	if (nvsim_data_copy_in(req->data, 0, sel == SEL_CURRENT ? req->ctrl->hostid : zero_id,
			       sizeof(zero_id)))
		return NVSIM_SC_GENERIC(NVME_SC_DATA_XFER_ERROR);
	return 0;
}

static bool feature_supported(uint8_t fid)
{
	switch (fid) {
	case NVME_FEAT_FID_ARBITRATION:
	case NVME_FEAT_FID_POWER_MGMT:
	case NVME_FEAT_FID_TEMP_THRESH:
	case NVME_FEAT_FID_ERR_RECOVERY:
	case NVME_FEAT_FID_VOLATILE_WC:
	case NVME_FEAT_FID_NUM_QUEUES:
	case NVME_FEAT_FID_WRITE_ATOMIC:
	case NVME_FEAT_FID_ASYNC_EVENT:
	case NVME_FEAT_FID_KATO:
	case NVME_FEAT_FID_HOST_ID:
		return true;
	default:
		return false;
	}
}

int nvsim_exec_get_features(struct nvsim_req *req)
{
	uint32_t cdw10 = le32toh(req->sqe.cdw10);
	uint8_t fid = NVSIM_FEAT_FID(cdw10), sel = NVSIM_FEAT_SEL(cdw10);
	uint16_t status = check_feature_nsid(req);

	if (status)
		return status;
	if (!feature_supported(fid) || (req->ctrl->cfg.discovery && !discovery_feature(fid)))
		return invalid_field(req, NVSIM_SQE_OFF_CDW10);
	if (sel > SEL_SUPPORTED && !nvsim_quirk(req->ctrl, NVSIM_QUIRK_SEL_RESERVED_OK))
		return invalid_field(req, NVSIM_SQE_OFF_CDW10);
	if (sel == SEL_SUPPORTED) {
		/* Not saveable, not namespace specific; changeable unless it
		 * is the host identifier, fixed by Connect. */
		req->dw0 = fid == NVME_FEAT_FID_HOST_ID ? 0 : FEAT_CAP_CHANGEABLE;
		return 0;
	}
	if (fid == NVME_FEAT_FID_HOST_ID)
		return get_host_id(req, sel);
	return feat_value(req, fid, sel != SEL_CURRENT, &req->dw0);
}
