/* Get Log Page (NVMe Base 2.0 §5.16 (approx.); catalogue §4.5; UNH-IOL NVMe
 * 1.3): the pages every fabrics I/O controller keeps (supported pages, error
 * information, SMART / health, firmware slot, changed namespaces, commands
 * supported and effects) and the rules on LID, NSID, LPO and NUMD.
 *
 * Linux nvmet 6.1 is lax on several of them (it ignores LPO on most pages,
 * keeps a zeroed firmware slot page, does not check NSID on controller-scope
 * pages, does not enforce MDTS): those answers are known deviations, named
 * beside the FAIL they get. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/status.h"

#define NSID_ALL 0xffffffffu
#define FW_LEN 512u	  /* firmware slot page */
#define SMART_LEN 512u
#define ERR_ENTRY_LEN 64u
#define PAGE_4K 4096u
#define RESERVED_CNS 0xffu /* no NVMe revision defines Identify CNS FFh */
#define CNS_LOC 40u	   /* Identify CNS: SQE byte 40, bit 0 */
#define IO_BYTES (1u << 20)

/* ---- helpers ---------------------------------------------------------------------- */

static struct nvsim_host *open_host(struct conf_ctx *c, uint16_t nr_io)
{
	return conf_connect(c, conf_subnqn(c), nr_io);
}

static const struct nvme_id_ctrl *id_of(struct nvsim_host *h)
{
	return nvsim_host_id_ctrl(h);
}

/* Get Log Page with every field under our control; len is NUMD * 4 and the
 * exact length of the data buffer. */
static int get_log(struct nvsim_host *h, uint8_t lid, uint32_t nsid, uint64_t lpo, bool rae,
		   void *buf, uint32_t len, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_log_page, .nsid = htole32(nsid) };
	struct nvsim_sqe_get_log_page *g = (void *)&sqe;
	uint32_t numd = len / 4 - 1;

	g->lid = lid;
	g->lsp_rae = rae ? NVSIM_LOG_RAE : 0;
	g->numdl = htole16((uint16_t)numd);
	g->numdu = htole16((uint16_t)(numd >> 16));
	g->lpo = htole64(lpo);
	return nvsim_hq_exec(nvsim_host_admin(h), &sqe, buf, len, NVSIM_DIR_C2H, st);
}

/* MDTS in bytes (units of CAP.MPSMIN); 0 when the controller sets no limit. */
static uint64_t mdts_bytes(struct conf_ctx *c, struct nvsim_host *h)
{
	struct nvsim_host_status st;
	uint64_t cap = 0;

	if (!id_of(h)->mdts)
		return 0;
	nvsim_host_prop_get(nvsim_host_admin(h), NVME_REG_CAP, true, &cap, &st);
	if (!CONF_EXPECT(c, "Property Get CAP", &st, CONF_OK))
		return 0;
	return (uint64_t)1 << (12 + NVME_CAP_MPSMIN(cap) + id_of(h)->mdts);
}

static uint64_t u128_low(const uint8_t *field)
{
	uint64_t v;

	memcpy(&v, field, sizeof(v));
	return le64toh(v);
}

/* LPO is only defined when LPA bit 2 (extended data) is set. */
static bool lpo_supported(struct conf_ctx *c, struct nvsim_host *h)
{
	if (id_of(h)->lpa & NVME_CTRL_LPA_EXTENDED)
		return true;
	conf_skip(c, "LPA bit 2 is clear: the controller does not take a log page offset");
	return false;
}

/* The error log, whole (ELPE + 1 entries) unless MDTS is smaller. */
static struct nvme_error_log_page *read_errlog(struct conf_ctx *c, struct nvsim_host *h,
					       size_t *n)
{
	struct nvsim_host_status st;
	uint64_t max = mdts_bytes(c, h);
	size_t len = ((size_t)id_of(h)->elpe + 1) * ERR_ENTRY_LEN;
	struct nvme_error_log_page *e;

	if (max && len > max)
		len = (size_t)max;
	e = calloc(1, len);
	if (!e) {
		conf_error(c, "out of memory");
		return NULL;
	}
	get_log(h, NVME_LOG_LID_ERROR, 0, 0, false, e, (uint32_t)len, &st);
	if (!CONF_EXPECT(c, "Get Log Page 01h (error information)", &st, CONF_OK)) {
		free(e);
		return NULL;
	}
	*n = len / ERR_ENTRY_LEN;
	return e;
}

/* The entry with the highest error count (the spec does not fix the order
 * of entries); NULL when the log is empty. */
static const struct nvme_error_log_page *newest_error(const struct nvme_error_log_page *e,
						      size_t n)
{
	const struct nvme_error_log_page *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (e[i].error_count &&
		    (!best || le64toh(e[i].error_count) > le64toh(best->error_count)))
			best = &e[i];
	return best;
}

static uint64_t newest_count(struct conf_ctx *c, struct nvsim_host *h, bool *ok)
{
	size_t n = 0;
	struct nvme_error_log_page *e = read_errlog(c, h, &n);
	const struct nvme_error_log_page *top;
	uint64_t count;

	*ok = e != NULL;
	if (!e)
		return 0;
	top = newest_error(e, n);
	count = top ? le64toh(top->error_count) : 0;
	free(e);
	return count;
}

/* Identify with a reserved CNS: a command that fails for a known reason at
 * a known place (CNS, SQE byte 40). */
static bool fail_identify(struct conf_ctx *c, struct nvsim_host *h, uint16_t *cid,
			  struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .cdw10 = htole32(RESERVED_CNS) };
	uint8_t *buf = calloc(1, NVME_IDENTIFY_DATA_SIZE);

	if (!buf) {
		conf_error(c, "out of memory");
		return false;
	}
	nvsim_hq_exec(nvsim_host_admin(h), &sqe, buf, NVME_IDENTIFY_DATA_SIZE, NVSIM_DIR_C2H, st);
	free(buf);
	*cid = le16toh(sqe.cid);
	return CONF_EXPECT(c, "Identify with reserved CNS FFh", st, CONF_STATUS(0, 0x02));
}

static bool read_smart(struct conf_ctx *c, struct nvsim_host *h, uint32_t nsid,
		       struct nvme_smart_log *s)
{
	struct nvsim_host_status st;

	get_log(h, NVME_LOG_LID_SMART, nsid, 0, false, s, SMART_LEN, &st);
	return CONF_EXPECT(c, "Get Log Page 02h (SMART / health)", &st, CONF_OK);
}

static bool read_fw(struct conf_ctx *c, struct nvsim_host *h, struct nvme_firmware_slot *fw)
{
	struct nvsim_host_status st;

	get_log(h, NVME_LOG_LID_FW_SLOT, 0, 0, false, fw, FW_LEN, &st);
	return CONF_EXPECT(c, "Get Log Page 03h (firmware slot)", &st, CONF_OK);
}

/* ---- supported log pages (00h) -------------------------------------------------- */

static bool read_supported(struct conf_ctx *c, struct nvsim_host *h,
			   struct nvme_supported_log_pages *sup)
{
	struct nvsim_host_status st;

	get_log(h, NVME_LOG_LID_SUPPORTED_LOG_PAGES, 0, 0, false, sup, sizeof(*sup), &st);
	if (st.has_cqe && !st.err && nvsim_status_sct(st.sf) == 0 &&
	    nvsim_status_sc(st.sf) == NVME_SC_INVALID_FIELD) {
		/* New in NVMe 2.0: older controllers do not have it. */
		conf_skip(c, "Supported Log Pages (00h) is not implemented");
		return false;
	}
	return CONF_EXPECT(c, "Get Log Page 00h (supported log pages)", &st, CONF_OK);
}

static void supported_lists_mandatory(struct conf_ctx *c)
{
	static const uint8_t must[] = { NVME_LOG_LID_SUPPORTED_LOG_PAGES, NVME_LOG_LID_ERROR,
					NVME_LOG_LID_SMART, NVME_LOG_LID_FW_SLOT };
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_supported_log_pages sup;

	if (!h || !read_supported(c, h, &sup))
		return;
	for (size_t i = 0; i < sizeof(must); i++)
		conf_check(c, le32toh(sup.lid_support[must[i]]) & 1,
			   "LSUPP is clear for mandatory log page %02xh", must[i]);
	conf_check(c, !(le32toh(sup.lid_support[0x6f]) & 1),
		   "LSUPP is set for reserved log page 6Fh");
}

static void supported_pages_readable(struct conf_ctx *c)
{
	static const struct {
		uint8_t lid;
		uint32_t len;
	} pages[] = {
		{ NVME_LOG_LID_ERROR, ERR_ENTRY_LEN },	{ NVME_LOG_LID_SMART, SMART_LEN },
		{ NVME_LOG_LID_FW_SLOT, FW_LEN },	{ NVME_LOG_LID_CHANGED_NS, PAGE_4K },
		{ NVME_LOG_LID_CMD_EFFECTS, PAGE_4K },
	};
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_supported_log_pages sup;
	struct nvsim_host_status st;
	uint8_t *buf = calloc(1, PAGE_4K);
	char what[80];

	if (!buf) {
		conf_error(c, "out of memory");
		return;
	}
	if (h && read_supported(c, h, &sup)) {
		for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
			if (!(le32toh(sup.lid_support[pages[i].lid]) & 1))
				continue;
			snprintf(what, sizeof(what), "Get Log Page %02xh, listed in 00h",
				 pages[i].lid);
			/* RAE keeps the events of 01h and 04h for others. */
			get_log(h, pages[i].lid, NSID_ALL, 0, true, buf, pages[i].len, &st);
			CONF_EXPECT(c, what, &st, CONF_OK);
		}
	}
	free(buf);
}

/* ---- error information (01h) ------------------------------------------------------ */

static void errlog_readable(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_error_log_page *e;
	size_t n = 0;

	if (!h || !(e = read_errlog(c, h, &n)))
		return;
	/* An entry with error count 0 is empty (§5.16.1.2 (approx.)); a used
	 * entry carries a status other than success. */
	for (size_t i = 0; i < n; i++)
		if (e[i].error_count && !conf_check(c, le16toh(e[i].status_field) >> 1,
						      "error log entry %zu (count %llu) has "
						      "status success",
						      i, (unsigned long long)le64toh(e[i].error_count)))
			break;
	free(e);
}

static void errlog_records_failure(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	const struct nvme_error_log_page *top;
	struct nvme_error_log_page *e;
	struct nvsim_host_status st;
	uint64_t before;
	uint16_t cid, loc;
	size_t n = 0;
	bool ok;

	if (!h)
		return;
	before = newest_count(c, h, &ok);
	if (!ok || !fail_identify(c, h, &cid, &st) || !(e = read_errlog(c, h, &n)))
		return;
	/* Extended error information is owed when the completion set More;
	 * without it the entry is still expected of a fabrics target. */
	if (!(st.sf & NVME_SC_MORE))
		conf_note(c, "the failed completion did not set More");
	top = newest_error(e, n);
	if (conf_check(c, top && le64toh(top->error_count) > before,
		       "no new error log entry after a failed Identify (newest count %llu, "
		       "before %llu)",
		       top ? (unsigned long long)le64toh(top->error_count) : 0ull,
		       (unsigned long long)before)) {
		conf_check(c, le16toh(top->sqid) == 0, "entry SQID %u, 0 expected",
			   le16toh(top->sqid));
		conf_check(c, le16toh(top->cmdid) == cid, "entry CID %#x, %#x expected",
			   le16toh(top->cmdid), cid);
		conf_check(c, (le16toh(top->status_field) >> 1 & 0x7ff) == (st.sf & 0x7ff),
			   "entry status field %#x does not match the completion's %#x",
			   le16toh(top->status_field) >> 1, st.sf);
		loc = le16toh(top->parm_error_location);
		if (loc == 0xffff)
			conf_note(c, "the entry gives no parameter error location (FFFFh)");
		else
			conf_check(c, loc == CNS_LOC,
				   "parameter error location %#x; byte 40 bit 0 (CNS) = 28h "
				   "expected",
				   loc);
	}
	free(e);
}

static void errlog_count_increments(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_error_log_page *e;
	const struct nvme_error_log_page *first = NULL, *second = NULL;
	struct nvsim_host_status st;
	uint16_t cid1, cid2;
	size_t n = 0;

	if (!h || !fail_identify(c, h, &cid1, &st) || !fail_identify(c, h, &cid2, &st) ||
	    !(e = read_errlog(c, h, &n)))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!e[i].error_count || le16toh(e[i].sqid) != 0)
			continue;
		if (le16toh(e[i].cmdid) == cid1)
			first = &e[i];
		else if (le16toh(e[i].cmdid) == cid2)
			second = &e[i];
	}
	if (conf_check(c, first && second, "the two failed commands (CID %#x, %#x) are not both "
			"in the error log", cid1, cid2))
		conf_check(c, le64toh(second->error_count) == le64toh(first->error_count) + 1,
			   "error counts %llu then %llu; consecutive errors count up by one",
			   (unsigned long long)le64toh(first->error_count),
			   (unsigned long long)le64toh(second->error_count));
	free(e);
}

static void errlog_nsid_not_allowed(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvsim_host_status st;
	uint8_t buf[ERR_ENTRY_LEN];

	if (!h)
		return;
	/* The Error Information page has controller scope (Figure 202's scope
	 * column (approx.)): an NSID other than 0h or FFFFFFFFh names nothing
	 * it could hold, and only Invalid Field is the answer (SPDK's
	 * ctrlr_ut test_get_log_page, catalogue §3.3).  Success reads the
	 * page as though NSID 5 meant something. */
	get_log(h, NVME_LOG_LID_ERROR, 5, 0, false, buf, sizeof(buf), &st);
	CONF_EXPECT(c, "Get Log Page 01h with NSID 5", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(0, 0,
			       "Linux nvmet 6.1 (NSID not checked on controller-scope pages)"));
}

/* ---- SMART / health (02h) --------------------------------------------------------- */

static void smart_readable(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_smart_log s;

	if (!h || !read_smart(c, h, NSID_ALL, &s))
		return;
	conf_check(c, s.avail_spare <= 100, "Available Spare %u%%, above 100", s.avail_spare);
	conf_check(c, s.spare_thresh <= 100, "Available Spare Threshold %u%%, above 100",
		   s.spare_thresh);
}

static uint32_t lba_size(struct conf_ctx *c, struct nvsim_host *h)
{
	struct nvme_id_ns *ns = calloc(1, sizeof(*ns));
	struct nvsim_host_status st;
	uint32_t bytes = 0;

	if (!ns) {
		conf_error(c, "out of memory");
		return 0;
	}
	nvsim_host_identify(h, NVME_IDENTIFY_CNS_NS, 1, ns, &st);
	if (CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK))
		bytes = 1u << ns->lbaf[ns->flbas & 0xf].ds;
	free(ns);
	return bytes;
}

/* 1 MiB moved to or from namespace 1 in MDTS-sized commands; *cmds out. */
static bool move_1mib(struct conf_ctx *c, struct nvsim_host *h, bool write, uint32_t *cmds)
{
	uint64_t max = mdts_bytes(c, h);
	uint32_t lbasz = lba_size(c, h), chunk = IO_BYTES;
	struct nvsim_host_status st;
	uint8_t *buf;
	bool ok = true;

	if (!lbasz || lbasz > IO_BYTES)
		return false;
	if (max && max < chunk)
		chunk = (uint32_t)max;
	if (!(buf = malloc(IO_BYTES))) {
		conf_error(c, "out of memory");
		return false;
	}
	for (uint32_t i = 0; i < IO_BYTES; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	*cmds = 0;
	for (uint32_t off = 0; ok && off < IO_BYTES; off += chunk) {
		/* LBA 0 onwards: a namespace may be as small as 1 MiB */
		nvsim_host_rw(h, 1, write, 1, off / lbasz, chunk / lbasz,
			      buf + off, chunk, &st);
		ok = CONF_EXPECT(c, write ? "Write to namespace 1" : "Read from namespace 1", &st,
				 CONF_OK);
		(*cmds)++;
	}
	free(buf);
	return ok;
}

static void smart_counts_io(struct conf_ctx *c, bool write)
{
	struct nvsim_host *h = open_host(c, 1);
	struct nvme_smart_log a, b;
	uint64_t units, cmds;
	uint32_t sent = 0;
	const char *dir = write ? "written" : "read";

	if (!h)
		return;
	if (!nvsim_host_nr_io_queues(h)) {
		conf_error(c, "no I/O queue was granted");
		return;
	}
	if (!read_smart(c, h, NSID_ALL, &a) || !move_1mib(c, h, write, &sent) ||
	    !read_smart(c, h, NSID_ALL, &b))
		return;
	units = write ? u128_low(b.data_units_written) - u128_low(a.data_units_written)
		      : u128_low(b.data_units_read) - u128_low(a.data_units_read);
	cmds = write ? u128_low(b.host_writes) - u128_low(a.host_writes)
		     : u128_low(b.host_reads) - u128_low(a.host_reads);
	/* 2048 units of 512 bytes, counted in thousands rounded up: the
	 * counter moves by 2 or 3 depending on where it stood. */
	conf_check(c, units >= 2 && units <= 3,
		   "Data Units %s moved by %llu after 1 MiB; 2 or 3 expected", dir,
		   (unsigned long long)units);
	conf_check(c, cmds >= sent, "Host %s Commands moved by %llu after %u commands",
		   write ? "Write" : "Read", (unsigned long long)cmds, sent);
	if (cmds > sent)
		conf_note(c, "Host %s Commands moved by %llu for %u commands",
			  write ? "Write" : "Read", (unsigned long long)cmds, sent);
}

static void smart_data_units_written(struct conf_ctx *c)
{
	smart_counts_io(c, true);
}

static void smart_data_units_read(struct conf_ctx *c)
{
	smart_counts_io(c, false);
}

static void smart_counts_errors(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_smart_log a, b;
	struct nvsim_host_status st;
	uint16_t cid;

	if (!h || !read_smart(c, h, NSID_ALL, &a) || !fail_identify(c, h, &cid, &st) ||
	    !read_smart(c, h, NSID_ALL, &b))
		return;
	conf_check(c, u128_low(b.num_err_log_entries) > u128_low(a.num_err_log_entries),
		   "Number of Error Information Log Entries stayed at %llu after a failed "
		   "command",
		   (unsigned long long)u128_low(b.num_err_log_entries));
}

static void smart_nsid_beyond_nn(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvsim_host_status st;
	uint8_t buf[SMART_LEN];
	uint32_t nn;

	if (!h)
		return;
	nn = le32toh(id_of(h)->nn);
	if (nn >= 0xfffffffeu) {
		conf_skip(c, "NN %#x leaves no invalid NSID below FFFFFFFFh", nn);
		return;
	}
	get_log(h, NVME_LOG_LID_SMART, nn + 1, 0, false, buf, sizeof(buf), &st);
	/* Invalid Namespace when per-namespace SMART is offered (LPA bit 0),
	 * Invalid Field when the page is controller scope only. */
	CONF_EXPECT(c, "Get Log Page 02h for NSID NN + 1", &st, CONF_STATUS(0, 0x0b),
		    CONF_STATUS(0, 0x02));
}

static void smart_per_namespace(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 1);
	struct nvme_smart_log all, one;
	uint32_t sent;

	if (!h)
		return;
	if (!(id_of(h)->lpa & NVME_CTRL_LPA_SMART_PER_NS)) {
		conf_skip(c, "LPA bit 0 is clear: no per-namespace SMART");
		return;
	}
	if (!nvsim_host_nr_io_queues(h)) {
		conf_error(c, "no I/O queue was granted");
		return;
	}
	/* Written through one controller, read through the next: the global
	 * page covers every attached namespace, so it holds at least what
	 * namespace 1 alone reports. */
	if (!move_1mib(c, h, true, &sent))
		return;
	conf_disconnect(c, h);
	if (!(h = open_host(c, 0)) || !read_smart(c, h, 1, &one) ||
	    !read_smart(c, h, NSID_ALL, &all))
		return;
	conf_check(c, u128_low(one.data_units_written) <= u128_low(all.data_units_written),
		   "namespace 1 reports more Data Units Written (%llu) than the global page "
		   "(%llu)",
		   (unsigned long long)u128_low(one.data_units_written),
		   (unsigned long long)u128_low(all.data_units_written));
	conf_check(c, u128_low(one.host_writes) <= u128_low(all.host_writes),
		   "namespace 1 reports more Host Write Commands (%llu) than the global page "
		   "(%llu)",
		   (unsigned long long)u128_low(one.host_writes),
		   (unsigned long long)u128_low(all.host_writes));
}

/* ---- firmware slot (03h) ---------------------------------------------------------- */

static void fw_slot_readable(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_firmware_slot fw;

	if (h)
		read_fw(c, h, &fw);
}

static void fw_slot_active_revision(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_firmware_slot fw;
	unsigned int slot;

	if (!h || !read_fw(c, h, &fw))
		return;
	/* AFI bits 2:0 name the slot the running firmware came from; 0 is no
	 * slot at all, and a controller runs some firmware (§5.16.1.4, Active
	 * Firmware Info (approx.)). */
	slot = fw.afi & 0x7;
	if (!conf_check_known(c, slot >= 1, "Linux nvmet 6.1 (the firmware slot page is all zeros)",
			      "AFI %#x names no active slot (bits 2:0 are 0)", fw.afi))
		return;
	conf_check(c, !memcmp(fw.frs[slot - 1], id_of(h)->fr, sizeof(id_of(h)->fr)),
		   "FRS%u '%.8s' differs from Identify FR '%.8s'", slot, fw.frs[slot - 1],
		   id_of(h)->fr);
}

/* ---- changed namespace list (04h) --------------------------------------------------- */

static void changed_ns_well_formed(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_ns_list *l = calloc(1, sizeof(*l));
	struct nvsim_host_status st;
	bool ended = false;

	if (!l) {
		conf_error(c, "out of memory");
		return;
	}
	if (h) {
		/* RAE = 1: reading must not consume an event someone awaits. */
		get_log(h, NVME_LOG_LID_CHANGED_NS, NSID_ALL, 0, true, l, sizeof(*l), &st);
		if (CONF_EXPECT(c, "Get Log Page 04h (changed namespace list)", &st, CONF_OK)) {
			for (size_t i = 0; i < NVME_ID_NS_LIST_MAX; i++) {
				uint32_t nsid = le32toh(l->ns[i]);

				if (!nsid) {
					ended = true;
					continue;
				}
				if (!conf_check(c, !ended, "NSID %#x follows the list's end (entry "
						"%zu)", nsid, i) ||
				    !conf_check(c, nsid != NSID_ALL || i == 0,
						"FFFFFFFFh at entry %zu; it may only stand alone", i))
					break;
			}
		}
	}
	free(l);
}

/* ---- commands supported and effects (05h) ------------------------------------------- */

static struct nvme_cmd_effects_log *read_effects(struct conf_ctx *c, struct nvsim_host *h)
{
	struct nvme_cmd_effects_log *fx;
	struct nvsim_host_status st;

	if (!(id_of(h)->lpa & NVME_CTRL_LPA_CMD_EFFECTS)) {
		conf_skip(c, "LPA bit 1 is clear: no Commands Supported and Effects page");
		return NULL;
	}
	if (!(fx = calloc(1, sizeof(*fx)))) {
		conf_error(c, "out of memory");
		return NULL;
	}
	get_log(h, NVME_LOG_LID_CMD_EFFECTS, 0, 0, false, fx, sizeof(*fx), &st);
	if (!CONF_EXPECT(c, "Get Log Page 05h (commands supported and effects)", &st, CONF_OK)) {
		free(fx);
		return NULL;
	}
	return fx;
}

static void effects_check(struct conf_ctx *c, const __le32 *tab, const char *set,
			  const uint8_t *ops, const char *const *names, size_t n, bool want)
{
	for (size_t i = 0; i < n; i++)
		conf_check(c, !!(le32toh(tab[ops[i]]) & NVME_CMD_EFFECTS_CSUPP) == want,
			   "%s %s (%02xh): CSUPP is %s", set, names[i], ops[i],
			   want ? "clear" : "set though fabrics refuses it");
}

static void effects_admin(struct conf_ctx *c)
{
	static const uint8_t ops[] = { nvme_admin_get_log_page, nvme_admin_identify,
				       nvme_admin_set_features, nvme_admin_get_features,
				       nvme_admin_keep_alive };
	static const char *const names[] = { "Get Log Page", "Identify", "Set Features",
					     "Get Features", "Keep Alive" };
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_cmd_effects_log *fx;

	if (!h || !(fx = read_effects(c, h)))
		return;
	effects_check(c, fx->acs, "admin", ops, names, sizeof(ops), true);
	free(fx);
}

static void effects_io(struct conf_ctx *c)
{
	static const uint8_t ops[] = { nvme_cmd_write, nvme_cmd_read, nvme_cmd_flush };
	static const char *const names[] = { "Write", "Read", "Flush" };
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_cmd_effects_log *fx;

	if (!h || !(fx = read_effects(c, h)))
		return;
	effects_check(c, fx->iocs, "I/O", ops, names, sizeof(ops), true);
	free(fx);
}

static void effects_no_pcie_queues(struct conf_ctx *c)
{
	static const uint8_t ops[] = { nvme_admin_delete_sq, nvme_admin_create_sq,
				       nvme_admin_delete_cq, nvme_admin_create_cq };
	static const char *const names[] = { "Delete I/O SQ", "Create I/O SQ", "Delete I/O CQ",
					     "Create I/O CQ" };
	struct nvsim_host *h = open_host(c, 0);
	struct nvme_cmd_effects_log *fx;

	if (!h || !(fx = read_effects(c, h)))
		return;
	effects_check(c, fx->acs, "admin", ops, names, sizeof(ops), false);
	free(fx);
}

/* ---- LID, NSID, LPO and NUMD -------------------------------------------------------- */

static void lid_refused(struct conf_ctx *c, uint8_t lid)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvsim_host_status st;
	uint8_t buf[512];
	char what[64];

	if (!h)
		return;
	snprintf(what, sizeof(what), "Get Log Page for reserved LID %02xh", lid);
	get_log(h, lid, 0, 0, false, buf, sizeof(buf), &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02), CONF_STATUS(1, NVME_SC_INVALID_LOG_PAGE));
}

static void lid_reserved_general(struct conf_ctx *c)
{
	lid_refused(c, 0x6f);
}

static void lid_reserved_io_set(struct conf_ctx *c)
{
	lid_refused(c, 0xbf);
}

/* NVMe Base 2.1 Figure 199 (Get Log Page CDW12, LPOL, byte offsets), b). */
#define LPO_BITS_IGNORED                                                                     \
	"NVMe Base 2.1 Figure 199, LPOL b): \"The controller is not required to check that "   \
	"bits 1:0 are cleared to 00b\"; if it reports no error it \"shall operate as if bits "  \
	"1:0 are cleared to 00b\""

static void lpo_unaligned(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	uint8_t whole[FW_LEN], part[FW_LEN - 4];
	struct nvsim_host_status st;

	if (!h || !lpo_supported(c, h) || !read_fw(c, h, (struct nvme_firmware_slot *)whole))
		return;
	get_log(h, NVME_LOG_LID_FW_SLOT, 0, 2, false, part, sizeof(part), &st);
	/* Either refused, or bits 1:0 ignored: the data read from offset 0. */
	if (!CONF_EXPECT(c, "Get Log Page 03h at LPO 2", &st, CONF_STATUS(0, 0x02),
			 CONF_PERMIT_OK(LPO_BITS_IGNORED)) ||
	    !nvsim_host_ok(&st))
		return;
	conf_check(c, !memcmp(part, whole, sizeof(part)),
		   "LPO 2 accepted but the data is not the page from offset 0");
}

/* LPO against the 512-byte Firmware Slot page.  NVMe Base 2.1 Figure 199,
 * LPOL c): an offset "greater than the size of the log page requested" is
 * aborted with Invalid Field in Command; one equal to the size is not
 * greater, and is served (the dwords past the end are undefined).  The
 * discovery log's twin of this rule is the remote memory read of §3.4. */
static const struct lpo_row {
	uint64_t lpo;
	bool refused;
	const char *what;
} lpo_rows[] = {
	{ 2 * FW_LEN, true, "Get Log Page 03h (512 bytes) at LPO 1024" },
	/* LPOU set, LPOL 0: a target truncating LPO to 32 bits reads offset 0 */
	{ 1ull << 32, true, "Get Log Page 03h at LPO 1_0000_0000h" },
	/* the smallest offset refused, where an off-by-one in the bound shows */
	{ FW_LEN + 4, true, "Get Log Page 03h at LPO 516 (one dword past its end)" },
	/* the largest offset served: a bound written as >= refuses it */
	{ FW_LEN, false, "Get Log Page 03h at LPO 512 (its size)" },
};

#define NVMET_LPO_IGNORED "Linux nvmet 6.1 (LPO ignored: the page is zero-filled)"

static void lpo_bound(struct conf_ctx *c)
{
	const struct lpo_row *r = conf_row(c);
	struct nvsim_host *h = open_host(c, 0);
	struct nvsim_host_status st;
	uint8_t buf[64];

	if (!h || !lpo_supported(c, h))
		return;
	get_log(h, NVME_LOG_LID_FW_SLOT, 0, r->lpo, false, buf, sizeof(buf), &st);
	if (r->refused)
		CONF_EXPECT(c, r->what, &st, CONF_STATUS(0, 0x02),
			    CONF_KNOWN(0, 0, NVMET_LPO_IGNORED));
	else
		CONF_EXPECT(c, r->what, &st, CONF_OK);
}


static void numd_past_end(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	uint8_t whole[FW_LEN], longer[2 * FW_LEN];
	struct nvsim_host_status st;

	if (!h || !read_fw(c, h, (struct nvme_firmware_slot *)whole))
		return;
	/* The page in full, the dwords past its end undefined. */
	get_log(h, NVME_LOG_LID_FW_SLOT, 0, 0, false, longer, sizeof(longer), &st);
	if (CONF_EXPECT(c, "Get Log Page 03h for 1024 bytes", &st, CONF_OK))
		conf_check(c, !memcmp(whole, longer, sizeof(whole)),
			   "the first 512 bytes of a longer read differ from the page");
}

static void numd_above_mdts(struct conf_ctx *c)
{
	struct nvsim_host *h = open_host(c, 0);
	struct nvsim_host_status st;
	uint64_t max;
	uint8_t *buf;

	if (!h)
		return;
	max = mdts_bytes(c, h);
	if (!max || max + PAGE_4K > NVSIM_SGL_KEYED_MAX_LEN) {
		conf_skip(c, "MDTS sets no limit a single SGL can pass");
		return;
	}
	if (!(buf = malloc(max + PAGE_4K))) {
		conf_error(c, "out of memory");
		return;
	}
	get_log(h, NVME_LOG_LID_ERROR, 0, 0, false, buf, (uint32_t)(max + PAGE_4K), &st);
	/* MDTS (Identify Controller): a command that exceeds it is aborted
	 * with Invalid Field in Command.  Over a fabric the keyed SGL carries
	 * the same length, and a transport that checks it against its transfer
	 * limit before the command is parsed answers Data SGL Length Invalid
	 * (SPDK's nvmf_rdma_request_parse_sgl): the refusal either way.  Success
	 * moves more than the controller says it can. */
	CONF_EXPECT(c, "Get Log Page 01h for MDTS + 4 KiB", &st, CONF_STATUS(0, 0x02),
		    CONF_STATUS(0, 0x0f),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (MDTS not enforced on Get Log Page)"));
	free(buf);
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row)                                    \
	{ id, title, spec, level, feats, fn, row }
#define GLP "NVMe Base 2.0 §5.16 (approx.)"
#define GLP_ERR "NVMe Base 2.0 §5.16.1.2 (approx.)"
#define GLP_SMART "NVMe Base 2.0 §5.16.1.3 (approx.)"
#define GLP_FW "NVMe Base 2.0 §5.16.1.4 (approx.)"
#define GLP_CHNS "NVMe Base 2.0 §5.16.1.5 (approx.)"
#define GLP_FX "NVMe Base 2.0 §5.16.1.6 (approx.)"
#define GLP_SUP "NVMe Base 2.0 §5.16.1.1 (approx.)"
#define LPO_SPEC GLP ", NVMe Base 2.1 Figure 199 (LPOL)"

static const struct conf_case log_cases[] = {
	CASE("log.1.1", "Supported Log Pages lists the mandatory pages and not a reserved one",
	     GLP_SUP, CONF_OPTIONAL, 0, supported_lists_mandatory),
	CASE("log.1.2", "every standard page listed in Supported Log Pages is readable", GLP_SUP,
	     CONF_OPTIONAL, 0, supported_pages_readable),
	CASE("log.2.1", "Error Information log reads whole; used entries carry an error status",
	     GLP_ERR, CONF_MANDATORY, 0, errlog_readable),
	CASE("log.2.2", "a failed command is logged with its SQID, CID, status and location",
	     GLP_ERR, CONF_OPTIONAL, 0, errlog_records_failure),
	CASE("log.2.3", "consecutive errors get consecutive error counts", GLP_ERR, CONF_OPTIONAL,
	     0, errlog_count_increments),
	CASE("log.2.4", "Error Information (controller scope) with NSID 5 is Invalid Field", GLP,
	     CONF_MANDATORY, 0, errlog_nsid_not_allowed),
	CASE("log.3.1", "SMART / Health log reads 512 bytes with sane spare percentages",
	     GLP_SMART, CONF_MANDATORY, 0, smart_readable),
	CASE("log.3.2", "SMART Data Units Written moves by 2-3 after a 1 MiB write", GLP_SMART,
	     CONF_MANDATORY, CONF_F_IO, smart_data_units_written),
	CASE("log.3.3", "SMART Data Units Read moves by 2-3 after a 1 MiB read", GLP_SMART,
	     CONF_MANDATORY, CONF_F_IO, smart_data_units_read),
	CASE("log.3.4", "SMART Number of Error Log Entries counts a failed command", GLP_SMART,
	     CONF_OPTIONAL, 0, smart_counts_errors),
	CASE("log.3.5", "SMART for an NSID beyond NN is refused", GLP_SMART, CONF_MANDATORY, 0,
	     smart_nsid_beyond_nn),
	CASE("log.3.6", "per-namespace SMART (LPA bit 0) stays within the global page's counts",
	     GLP_SMART, CONF_OPTIONAL, CONF_F_IO, smart_per_namespace),
	CASE("log.4.1", "Firmware Slot Information log reads 512 bytes", GLP_FW, CONF_MANDATORY,
	     0, fw_slot_readable),
	CASE("log.4.2", "AFI names the active slot, whose revision is Identify FR", GLP_FW,
	     CONF_MANDATORY, 0, fw_slot_active_revision),
	CASE("log.5.1", "Changed Namespace List reads as a zero-terminated NSID list", GLP_CHNS,
	     CONF_OPTIONAL, 0, changed_ns_well_formed),
	CASE("log.6.1", "Commands Supported and Effects marks the mandatory admin commands",
	     GLP_FX, CONF_OPTIONAL, 0, effects_admin),
	CASE("log.6.2", "Commands Supported and Effects marks Write, Read and Flush", GLP_FX,
	     CONF_OPTIONAL, 0, effects_io),
	CASE("log.6.3", "Commands Supported and Effects does not claim PCIe queue commands",
	     GLP_FX ", NVMe-oF 1.1 §2.4 (approx.)", CONF_OPTIONAL, 0, effects_no_pcie_queues),
	CASE("log.7.1", "reserved LID 6Fh is refused", GLP, CONF_MANDATORY, 0,
	     lid_reserved_general),
	CASE("log.7.2", "reserved LID BFh is refused", GLP, CONF_MANDATORY, 0,
	     lid_reserved_io_set),
	CASE("log.7.3", "LPO not dword aligned: Invalid Field, or bits 1:0 ignored", LPO_SPEC,
	     CONF_MANDATORY, 0, lpo_unaligned),
	CASE_ROW("log.7.4", "LPO beyond the page is Invalid Field", LPO_SPEC, CONF_MANDATORY, 0,
	     lpo_bound, &lpo_rows[0]),
	CASE_ROW("log.7.5", "LPO with only the upper dword set is beyond the page", LPO_SPEC,
	     CONF_MANDATORY, 0, lpo_bound, &lpo_rows[1]),
	CASE_ROW("log.7.6", "LPO one dword past the page is Invalid Field", LPO_SPEC, CONF_MANDATORY, 0,
	     lpo_bound, &lpo_rows[2]),
	CASE("log.7.7", "NUMD reaching past the page is served", GLP, CONF_MANDATORY, 0,
	     numd_past_end),
	CASE("log.7.8", "NUMD above MDTS is refused", GLP ", §5.17.2.1 (MDTS) (approx.)",
	     CONF_MANDATORY, 0, numd_above_mdts),
	CASE_ROW("log.7.9", "LPO equal to the page size is served (only greater is refused)",
	     LPO_SPEC, CONF_OPTIONAL, 0, lpo_bound, &lpo_rows[3]),
};

const struct conf_group conf_group_log = { "log", log_cases,
					    sizeof(log_cases) / sizeof(log_cases[0]) };
