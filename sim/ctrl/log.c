/* Get Log Page (NVMe Base 2.0 §5.16 (approx.)) and the logs the controller
 * keeps: error information, SMART / health, firmware slots, changed
 * namespaces, command effects and the list of supported pages.
 *
 * Each page is built whole into a bounce buffer, then the requested window
 * [LPO, LPO + NUMD * 4) is copied out.  The spec leaves dwords past the end
 * of a page undefined (NUMDL, "Get Log Page - Command Dword 10"); we return
 * zeros there, as Linux nvmet does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ctrl_priv.h"

struct log_page {
	uint8_t lid;
	bool ctrl_scope; /* NSID must be 0 or FFFFFFFFh */
	size_t (*size)(const struct nvsim_ctrl *ctrl);
	/* Fills buf (zeroed, size() bytes); may fail with a status. */
	uint16_t (*fill)(struct nvsim_req *req, uint8_t *buf);
	/* Called after a successful read with RAE = 0. */
	void (*clear_event)(struct nvsim_ctrl *ctrl);
};

/* ---- error information (01h) ---------------------------------------------- */

int nvsim_errlog_init(struct nvsim_ctrl *ctrl)
{
	ctrl->errlog = calloc((size_t)ctrl->cfg.elpe + 1, sizeof(*ctrl->errlog));
	return ctrl->errlog ? 0 : -ENOMEM;
}

void nvsim_errlog_record(struct nvsim_ctrl *ctrl, const struct nvsim_req *req)
{
	uint32_t slots = (uint32_t)ctrl->cfg.elpe + 1;
	struct nvme_error_log_page *e;

	if (nvsim_quirk(ctrl, NVSIM_QUIRK_NO_ERROR_LOG))
		return;
	ctrl->errlog_head = (ctrl->errlog_head + 1) % slots;
	e = &ctrl->errlog[ctrl->errlog_head];
	memset(e, 0, sizeof(*e));
	/* The count starts at 1 and never reports 0, which marks an empty
	 * entry (§5.16.1.2 (approx.)). */
	if (++ctrl->error_count == 0)
		ctrl->error_count = 1;
	e->error_count = htole64(ctrl->error_count);
	e->sqid = htole16(req->queue->qid);
	e->cmdid = req->sqe.cid;
	e->status_field = htole16((uint16_t)(req->status << 1));
	e->parm_error_location = htole16(req->err_loc);
	e->lba = htole64(req->has_err_lba ? req->err_lba : 0);
	e->nsid = req->sqe.nsid;
	e->trtype = ctrl->cfg.trtype;
}

static size_t errlog_size(const struct nvsim_ctrl *ctrl)
{
	return ((size_t)ctrl->cfg.elpe + 1) * sizeof(struct nvme_error_log_page);
}

static uint16_t errlog_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint32_t slots = (uint32_t)ctrl->cfg.elpe + 1;
	struct nvme_error_log_page *out = (void *)buf;

	/* Newest first. */
	for (uint32_t i = 0; i < slots; i++)
		out[i] = ctrl->errlog[(ctrl->errlog_head + slots - i) % slots];
	return 0;
}

static void errlog_clear_event(struct nvsim_ctrl *ctrl)
{
	ctrl->error_event_masked = false;
}

/* ---- SMART / health (02h) -------------------------------------------------- */

static void put_u128(uint8_t *field, uint64_t v)
{
	put_le64(field, v);
	memset(field + 8, 0, 8);
}

/* Data units are thousands of 512-byte units, rounded up (§5.16.1.3
 * (approx.)). */
static uint64_t data_units(uint64_t units_512)
{
	return units_512 / 1000 + (units_512 % 1000 != 0);
}

static size_t smart_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return sizeof(struct nvme_smart_log);
}

static uint16_t smart_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvsim_ctrl *ctrl = req->ctrl;
	struct nvme_smart_log *s = (void *)buf;
	uint32_t nsid = le32toh(req->sqe.nsid);
	uint64_t rd = 0, wr = 0, rcmd = 0, wcmd = 0;
	uint64_t hours = (nvsim_now(ctrl) - ctrl->created_ns) / 3600000000000ull;

	if (nsid == 0 || nsid == NVME_NSID_ALL) {
		/* The controller's view covers every attached namespace; the
		 * namespaces keep the counts, so they outlive associations
		 * (§5.16.1.3 (approx.): "over the life of the controller"). */
		for (uint32_t id = 1; id <= ctrl->cfg.max_namespaces; id++) {
			struct nvsim_ns *ns = nvsim_ns_get(ctrl, id);

			if (!ns)
				continue;
			rd += ns->units_read_512;
			wr += ns->units_written_512;
			rcmd += ns->host_read_cmds;
			wcmd += ns->host_write_cmds;
		}
	} else {
		/* Per namespace (LPA bit 0). */
		struct nvsim_ns *ns = nvsim_ns_get(ctrl, nsid);

		if (!ns)
			return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_NS),
					      NVSIM_SQE_OFF_NSID);
		rd = ns->units_read_512;
		wr = ns->units_written_512;
		rcmd = ns->host_read_cmds;
		wcmd = ns->host_write_cmds;
	}
	if (ctrl->temperature_k >= ctrl->feat_temp_over ||
	    (ctrl->feat_temp_under && ctrl->temperature_k <= ctrl->feat_temp_under))
		s->critical_warning |= NVME_SMART_CRIT_TEMPERATURE;
	put_le16(s->temperature, ctrl->temperature_k);
	s->avail_spare = 100;
	s->spare_thresh = 10;
	put_u128(s->data_units_read, data_units(rd));
	put_u128(s->data_units_written, data_units(wr));
	put_u128(s->host_reads, rcmd);
	put_u128(s->host_writes, wcmd);
	put_u128(s->power_cycles, 1);
	put_u128(s->power_on_hours, hours);
	put_u128(s->num_err_log_entries, ctrl->error_count);
	return 0;
}

static void smart_clear_event(struct nvsim_ctrl *ctrl)
{
	ctrl->smart_event_masked = false;
}

/* ---- firmware slot (03h) --------------------------------------------------- */

static size_t fw_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return sizeof(struct nvme_firmware_slot);
}

static uint16_t fw_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvme_firmware_slot *fw = (void *)buf;
	const char *rev = req->ctrl->cfg.firmware;
	size_t n = strnlen(rev, sizeof(fw->frs[0]));

	fw->afi = nvsim_quirk(req->ctrl, NVSIM_QUIRK_AFI_ZERO) ? 0 : 1; /* slot 1 active */
	memcpy(fw->frs[0], rev, n);
	memset(fw->frs[0] + n, ' ', sizeof(fw->frs[0]) - n);
	return 0;
}

/* ---- changed namespace list (04h) ------------------------------------------ */

void nvsim_changed_ns_add(struct nvsim_ctrl *ctrl, uint32_t nsid)
{
	for (uint32_t i = 0; i < ctrl->nr_changed_ns; i++)
		if (ctrl->changed_ns[i] == nsid)
			return;
	if (ctrl->nr_changed_ns == NVSIM_CHANGED_NS_MAX) {
		ctrl->changed_ns_overflow = true;
		return;
	}
	ctrl->changed_ns[ctrl->nr_changed_ns++] = nsid;
}

static size_t changed_ns_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return sizeof(struct nvme_ns_list);
}

static uint16_t changed_ns_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvsim_ctrl *ctrl = req->ctrl;

	/* More than 1024 changes: the list holds FFFFFFFFh alone (§5.16.1.5
	 * (approx.)). */
	if (ctrl->changed_ns_overflow) {
		put_le32(buf, NVME_NSID_ALL);
		return 0;
	}
	for (uint32_t i = 0; i < ctrl->nr_changed_ns; i++)
		put_le32(buf + 4 * i, ctrl->changed_ns[i]);
	return 0;
}

static void changed_ns_clear_event(struct nvsim_ctrl *ctrl)
{
	ctrl->nr_changed_ns = 0;
	ctrl->changed_ns_overflow = false;
	ctrl->notice_ns_masked = false;
}

/* ---- commands supported and effects (05h) ---------------------------------- */

static const uint8_t admin_opcodes[] = {
	nvme_admin_get_log_page, nvme_admin_identify,	   nvme_admin_abort_cmd,
	nvme_admin_set_features, nvme_admin_get_features, nvme_admin_async_event,
	nvme_admin_keep_alive,	 NVSIM_FABRICS_OPCODE,
};

static size_t effects_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return sizeof(struct nvme_cmd_effects_log);
}

static uint16_t effects_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvme_cmd_effects_log *fx = (void *)buf;
	const uint32_t csupp = NVME_CMD_EFFECTS_CSUPP;
	const uint32_t lbcc = csupp | NVME_CMD_EFFECTS_LBCC;

	(void)req;
	for (size_t i = 0; i < sizeof(admin_opcodes); i++)
		fx->acs[admin_opcodes[i]] = htole32(csupp);
	fx->acs[nvme_admin_set_features] = htole32(csupp | NVME_CMD_EFFECTS_CCC);
	fx->iocs[nvme_cmd_flush] = htole32(csupp);
	fx->iocs[nvme_cmd_read] = htole32(csupp);
	fx->iocs[nvme_cmd_compare] = htole32(csupp);
	fx->iocs[nvme_cmd_verify] = htole32(csupp);
	fx->iocs[nvme_cmd_write] = htole32(lbcc);
	fx->iocs[nvme_cmd_write_zeroes] = htole32(lbcc);
	fx->iocs[nvme_cmd_dsm] = htole32(lbcc);
	return 0;
}

/* ---- supported log pages (00h) and the table ------------------------------- */

static size_t supported_size(const struct nvsim_ctrl *ctrl);
static uint16_t supported_fill(struct nvsim_req *req, uint8_t *buf);

static const struct log_page log_pages[] = {
	{ NVME_LOG_LID_SUPPORTED_LOG_PAGES, true, supported_size, supported_fill, NULL },
	{ NVME_LOG_LID_ERROR, true, errlog_size, errlog_fill, errlog_clear_event },
	{ NVME_LOG_LID_SMART, false, smart_size, smart_fill, smart_clear_event },
	{ NVME_LOG_LID_FW_SLOT, true, fw_size, fw_fill, NULL },
	{ NVME_LOG_LID_CHANGED_NS, true, changed_ns_size, changed_ns_fill, changed_ns_clear_event },
	{ NVME_LOG_LID_CMD_EFFECTS, true, effects_size, effects_fill, NULL },
};

static size_t supported_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return sizeof(struct nvme_supported_log_pages);
}

static uint16_t supported_fill(struct nvsim_req *req, uint8_t *buf)
{
	struct nvme_supported_log_pages *sup = (void *)buf;

	(void)req;
	for (size_t i = 0; i < sizeof(log_pages) / sizeof(log_pages[0]); i++)
		sup->lid_support[log_pages[i].lid] = htole32(1); /* LSUPP */
	return 0;
}

static const struct log_page *log_page_find(uint8_t lid)
{
	for (size_t i = 0; i < sizeof(log_pages) / sizeof(log_pages[0]); i++)
		if (log_pages[i].lid == lid)
			return &log_pages[i];
	return NULL;
}

/* ---- the command --------------------------------------------------------- */

static uint16_t log_fail(struct nvsim_req *req, uint16_t loc)
{
	return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD), loc);
}

/* Copy [lpo, lpo + len) of the page to the host, zeros past its end. */
static uint16_t log_copy_window(struct nvsim_req *req, const uint8_t *page, size_t page_len,
				uint64_t lpo, uint64_t len)
{
	size_t avail = lpo < page_len ? page_len - (size_t)lpo : 0;
	size_t n = len < avail ? (size_t)len : avail;

	if ((n && nvsim_data_copy_in(req->data, 0, page + lpo, n)) ||
	    nvsim_data_fill(req->data, n, 0, (size_t)len - n))
		return NVSIM_SC_GENERIC(NVME_SC_DATA_XFER_ERROR);
	return 0;
}

static bool is_extra_log(const struct nvsim_ctrl *ctrl, uint8_t lid)
{
	return ctrl->cfg.extra_log.size && ctrl->cfg.extra_log.lid == lid;
}

static size_t extra_size(const struct nvsim_ctrl *ctrl)
{
	return ctrl->cfg.extra_log.size(ctrl->cfg.extra_log.arg);
}

static uint16_t extra_fill(struct nvsim_req *req, uint8_t *buf)
{
	const struct nvsim_log_source *src = &req->ctrl->cfg.extra_log;

	src->fill(src->arg, buf, src->size(src->arg));
	return 0;
}

/* What a controller that serves any LID answers: a page of zeros. */
static size_t reserved_size(const struct nvsim_ctrl *ctrl)
{
	(void)ctrl;
	return 512;
}

static uint16_t reserved_fill(struct nvsim_req *req, uint8_t *buf)
{
	(void)req;
	(void)buf;
	return 0;
}

/* The page a LID names on this controller, or NULL.  A discovery
 * controller serves only its owner's page (the Discovery log). */
static const struct log_page *log_page_lookup(const struct nvsim_ctrl *ctrl, uint8_t lid,
					      struct log_page *extra)
{
	const struct log_page *lp;

	if (is_extra_log(ctrl, lid)) {
		*extra = (struct log_page){ lid, true, extra_size, extra_fill, NULL };
		return extra;
	}
	lp = ctrl->cfg.discovery ? NULL : log_page_find(lid);
	if (!lp && nvsim_quirk(ctrl, NVSIM_QUIRK_RESERVED_LID_OK)) {
		*extra = (struct log_page){ lid, false, reserved_size, reserved_fill, NULL };
		return extra;
	}
	return lp;
}

int nvsim_exec_get_log_page(struct nvsim_req *req)
{
	const struct nvsim_sqe_get_log_page *cmd = (const void *)&req->sqe;
	struct nvsim_ctrl *ctrl = req->ctrl;
	uint32_t nsid = le32toh(cmd->nsid);
	uint64_t numd = ((uint64_t)le16toh(cmd->numdu) << 16 | le16toh(cmd->numdl)) + 1;
	uint64_t len = numd * 4, lpo = le64toh(cmd->lpo);
	struct log_page extra;
	const struct log_page *lp = log_page_lookup(ctrl, cmd->lid, &extra);
	uint8_t *page;
	size_t page_len;
	uint16_t status;

	if (!lp)
		return log_fail(req, offsetof(struct nvsim_sqe_get_log_page, lid));
	if (lp->ctrl_scope && nsid != 0 && nsid != NVME_NSID_ALL)
		return log_fail(req, NVSIM_SQE_OFF_NSID);
	if (len > nvsim_mdts_bytes(ctrl))
		return log_fail(req, offsetof(struct nvsim_sqe_get_log_page, numdl));
	status = nvsim_req_check_data_len(req, len);
	if (status)
		return status;
	page_len = lp->size(ctrl);
	/* Refused when greater than the page (§5.16, LPOL); at exactly the
	 * size nothing is left and the whole transfer is zeros. */
	if ((lpo & 3) || lpo > page_len + (nvsim_quirk(ctrl, NVSIM_QUIRK_LPO_OFF_BY_ONE) ? 4 : 0))
		return log_fail(req, offsetof(struct nvsim_sqe_get_log_page, lpo));

	page = calloc(1, page_len);
	if (!page)
		return nvsim_req_fail(req, NVSIM_SC_GENERIC(NVME_SC_INTERNAL), NVSIM_ERR_LOC_NONE);
	status = lp->fill(req, page);
	if (!status)
		status = log_copy_window(req, page, page_len, lpo, len);
	free(page);
	if (!status && lp->clear_event && !(cmd->lsp_rae & NVSIM_LOG_RAE))
		lp->clear_event(ctrl);
	return status;
}
