/* Set Features and Get Features (NVMe Base 2.0 §5.27, §5.15 (approx.);
 * catalogue §4.5): the mandatory features, SEL, SV, Number of Queues, the
 * Keep Alive Timer, the Host Identifier over fabrics, reserved values and
 * NSID scope.  Linux nvmet 6.1 leaves several mandatory features out and
 * ignores SV and NSID; SPDK ignores SEL (§4.11).  Those answers FAIL, with
 * the implementation named beside them. */
#include <stdio.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "conformance/runner.h" /* struct conf_target: the HOSTID and KATO we connect with */
#include "spec/cqe.h"

#define SEL_CURRENT 0u
#define SEL_DEFAULT 1u
#define SEL_SAVED 2u
#define SEL_SUPPORTED 3u
#define CAP_SAVEABLE (1u << 0)
#define CAP_NS_SPECIFIC (1u << 1)
#define CAP_CHANGEABLE (1u << 2)
#define EXHID 1u
#define MAX_IO_TRIED 4

static void get_feat(struct nvsim_hq *q, uint8_t fid, unsigned int sel, uint32_t cdw11,
		     uint32_t nsid, void *buf, size_t len, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_features,
				 .nsid = htole32(nsid),
				 .cdw10 = htole32(fid | (sel & 7u) << 8),
				 .cdw11 = htole32(cdw11) };

	nvsim_hq_exec(q, &sqe, buf, len, buf ? NVSIM_DIR_C2H : NVSIM_DIR_NONE, st);
}

static void set_feat(struct nvsim_hq *q, uint8_t fid, bool sv, uint32_t cdw11, uint32_t nsid,
		     void *buf, size_t len, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features,
				 .nsid = htole32(nsid),
				 .cdw10 = htole32(fid | (sv ? NVSIM_FEAT_SV : 0)),
				 .cdw11 = htole32(cdw11) };

	nvsim_hq_exec(q, &sqe, buf, len, buf ? NVSIM_DIR_H2C : NVSIM_DIR_NONE, st);
}

static uint32_t dw0(const struct nvsim_host_status *st)
{
	return le32toh(st->cqe.dw0);
}

static bool id_ctrl(struct conf_ctx *c, struct nvsim_hq *q, struct nvme_id_ctrl *ctrl)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify,
				 .cdw10 = htole32(NVME_IDENTIFY_CNS_CTRL) };
	struct nvsim_host_status st;

	nvsim_hq_exec(q, &sqe, ctrl, sizeof(*ctrl), NVSIM_DIR_C2H, &st);
	return CONF_EXPECT(c, "Identify Controller", &st, CONF_OK);
}

/* Whether SEL and SV are supported (ONCS bit 4); the SEL cases need it. */
static bool sel_supported(struct conf_ctx *c, struct nvsim_hq *q)
{
	struct nvme_id_ctrl ctrl;

	if (!id_ctrl(c, q, &ctrl))
		return false;
	if (!(le16toh(ctrl.oncs) & NVME_CTRL_ONCS_SAVE_FEATURES)) {
		conf_skip(c, "ONCS bit 4 is 0: Get Features SEL is not supported");
		return false;
	}
	return true;
}

/* The Keep Alive Timer granularity in ms (KAS in 100 ms units); 0 on failure. */
static uint32_t kas_ms(struct conf_ctx *c, struct nvsim_hq *q)
{
	struct nvme_id_ctrl ctrl;

	if (!id_ctrl(c, q, &ctrl))
		return 0;
	if (!le16toh(ctrl.kas)) {
		conf_check(c, false, "KAS is 0 on a fabrics controller");
		return 0;
	}
	return le16toh(ctrl.kas) * 100u;
}

/* KATO as the controller may report it: as set, or rounded up to KAS. */
static bool kato_matches(uint32_t got, uint32_t set, uint32_t gran)
{
	return got == set || got == (set + gran - 1) / gran * gran;
}

/* ---- mandatory features --------------------------------------------------------------- */

/* Features an I/O controller must support (NVMe Base 2.1 §3.1.3.6, Figure
 * 32: Arbitration, Power Management, Temperature Threshold, Number of
 * Queues, Asynchronous Event Configuration "M"; Keep Alive Timer "M" where
 * the transport needs it, as fabrics do; Error Recovery and Write Atomicity
 * Normal from the NVM Command Set's table (approx.)).  "If any feature is
 * supported, then the Set Features command and the Get Features command
 * shall be supported": Get Features of each must succeed.  Linux nvmet 6.1
 * keeps these under #if 0 in nvmet_execute_get_features and answers
 * Invalid Field. */
#define NVMET_NO_FEATURE "Linux nvmet 6.1 (feature not implemented: Invalid Field)"

static const struct mandatory_row {
	uint8_t fid;
	const char *what;
	const char *known; /* an implementation known to refuse it, or NULL */
} mandatory_rows[] = {
	{ NVME_FEAT_FID_ARBITRATION, "Get Features Arbitration", NVMET_NO_FEATURE },
	{ NVME_FEAT_FID_POWER_MGMT, "Get Features Power Management", NVMET_NO_FEATURE },
	{ NVME_FEAT_FID_TEMP_THRESH, "Get Features Temperature Threshold", NVMET_NO_FEATURE },
	{ NVME_FEAT_FID_ERR_RECOVERY, "Get Features Error Recovery", NVMET_NO_FEATURE },
	{ NVME_FEAT_FID_NUM_QUEUES, "Get Features Number of Queues", NULL },
	{ NVME_FEAT_FID_WRITE_ATOMIC, "Get Features Write Atomicity Normal", NVMET_NO_FEATURE },
	{ NVME_FEAT_FID_ASYNC_EVENT, "Get Features Asynchronous Event Configuration", NULL },
	{ NVME_FEAT_FID_KATO, "Get Features Keep Alive Timer", NULL },
};

static void get_mandatory(struct conf_ctx *c, const struct mandatory_row *r)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	get_feat(q, r->fid, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (r->known)
		CONF_EXPECT(c, r->what, &st, CONF_OK, CONF_KNOWN(0, 0x02, r->known));
	else
		CONF_EXPECT(c, r->what, &st, CONF_OK);
}

#define GET_MANDATORY(fn, i)                                                                 \
	static void fn(struct conf_ctx *c)                                                   \
	{                                                                                    \
		get_mandatory(c, &mandatory_rows[i]);                                        \
	}

GET_MANDATORY(get_arbitration, 0)
GET_MANDATORY(get_power, 1)
GET_MANDATORY(get_temp, 2)
GET_MANDATORY(get_err_recovery, 3)
GET_MANDATORY(get_nr_queues, 4)
GET_MANDATORY(get_atomicity, 5)
GET_MANDATORY(get_aec, 6)
GET_MANDATORY(get_kato, 7)

static void get_irq_coalescing(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* PCIe interrupts: a fabrics controller may take it or refuse it. */
	get_feat(q, NVME_FEAT_FID_IRQ_COALESCE, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features Interrupt Coalescing", &st, CONF_OK,
			CONF_STATUS(0, 0x02)))
		conf_note(c, "Interrupt Coalescing (08h) %s", st.sf ? "refused" : "answered");
}

static void get_vwc(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (!(ctrl.vwc & NVME_CTRL_VWC_PRESENT)) {
		conf_skip(c, "no volatile write cache (VWC bit 0 is 0)");
		return;
	}
	get_feat(q, NVME_FEAT_FID_VOLATILE_WC, SEL_CURRENT, 0, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features Volatile Write Cache", &st, CONF_OK);
}

/* ---- SEL ----------------------------------------------------------------------------------- */

static void sel_current_is_connect_kato(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t kato = conf_target_of(c)->kato_ms, gran;
	struct nvsim_host_status st;

	if (!q || !(gran = kas_ms(c, q)))
		return;
	if (!kato) {
		conf_skip(c, "the harness connects with KATO 0");
		return;
	}
	get_feat(q, NVME_FEAT_FID_KATO, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features KATO, SEL 000b", &st, CONF_OK))
		conf_check(c, kato_matches(dw0(&st), kato, gran),
			   "current KATO %u ms; Connect gave %u ms (KAS granularity %u ms)",
			   dw0(&st), kato, gran);
}

static void sel_default_unaffected(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint32_t before, val;

	if (!q || !sel_supported(c, q))
		return;
	get_feat(q, NVME_FEAT_FID_KATO, SEL_DEFAULT, 0, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Get Features KATO, SEL 001b (default)", &st, CONF_OK))
		return;
	before = dw0(&st);
	val = before == 20000 ? 40000 : 20000;
	set_feat(q, NVME_FEAT_FID_KATO, false, val, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Set Features KATO", &st, CONF_OK))
		return;
	get_feat(q, NVME_FEAT_FID_KATO, SEL_DEFAULT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features KATO, SEL 001b after a Set", &st, CONF_OK))
		conf_check(c, dw0(&st) == before, "default KATO moved from %u to %u with a Set",
			   before, dw0(&st));
}

static void sel_saved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint32_t caps, def;

	if (!q || !sel_supported(c, q))
		return;
	get_feat(q, NVME_FEAT_FID_KATO, SEL_SUPPORTED, 0, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Get Features KATO, SEL 011b", &st, CONF_OK))
		return;
	caps = dw0(&st);
	get_feat(q, NVME_FEAT_FID_KATO, SEL_DEFAULT, 0, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Get Features KATO, SEL 001b", &st, CONF_OK))
		return;
	def = dw0(&st);
	get_feat(q, NVME_FEAT_FID_KATO, SEL_SAVED, 0, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Get Features KATO, SEL 010b (saved)", &st, CONF_OK))
		return;
	/* Without a saved value the controller reports the default. */
	if (!(caps & CAP_SAVEABLE))
		conf_check(c, dw0(&st) == def,
			   "saved KATO %u differs from default %u, not saveable", dw0(&st), def);
}

static void sel_capabilities(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q || !sel_supported(c, q))
		return;
	get_feat(q, NVME_FEAT_FID_KATO, SEL_SUPPORTED, 0, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Get Features KATO, SEL 011b (supported capabilities)", &st, CONF_OK))
		return;
	conf_note(c, "KATO capabilities %#x", dw0(&st));
	conf_check(c, !(dw0(&st) & CAP_NS_SPECIFIC), "KATO reported namespace specific (%#x)",
		   dw0(&st));
	conf_check(c, (dw0(&st) & CAP_CHANGEABLE) != 0, "KATO reported not changeable (%#x)",
		   dw0(&st));
	conf_check(c, !(dw0(&st) & ~7u), "reserved capability bits set (%#x)", dw0(&st));
}

static void sel_reserved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q || !sel_supported(c, q))
		return;
	/* SEL 100b-111b are reserved (Get Features CDW10); a reserved coded
	 * value is what Invalid Field in Command names.  Answering with some
	 * value tells the host nothing it asked for. */
	get_feat(q, NVME_FEAT_FID_KATO, 4, 0, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features KATO, reserved SEL 100b", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(0, 0, "SPDK nvmf at 3230130, read in source (SEL not decoded)"));
}

/* ---- SV and unknown FIDs ------------------------------------------------------------------- */

static void save_not_saveable(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (le16toh(ctrl.oncs) & NVME_CTRL_ONCS_SAVE_FEATURES) {
		get_feat(q, NVME_FEAT_FID_KATO, SEL_SUPPORTED, 0, 0, NULL, 0, &st);
		if (!CONF_EXPECT(c, "Get Features KATO, SEL 011b", &st, CONF_OK))
			return;
		if (dw0(&st) & CAP_SAVEABLE) {
			conf_skip(c, "KATO is saveable here");
			return;
		}
	}
	/* Set Features CDW10 SV: a Feature that is not saveable is aborted with
	 * Feature Identifier Not Saveable (with ONCS bit 4 clear no Feature
	 * is).  Success tells the host a value was saved that was not. */
	set_feat(q, NVME_FEAT_FID_KATO, true, conf_target_of(c)->kato_ms, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features KATO with SV 1", &st, CONF_STATUS(1, 0x0d),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (SV ignored)"));
}

static void get_fid_zero(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	get_feat(q, 0x00, SEL_CURRENT, 0, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features of reserved FID 00h", &st, CONF_STATUS(0, 0x02));
}

static void get_fid_reserved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	get_feat(q, 0x50, SEL_CURRENT, 0, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features of reserved FID 50h", &st, CONF_STATUS(0, 0x02));
}

static void set_fid_reserved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	set_feat(q, 0x50, false, 0, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features of reserved FID 50h", &st, CONF_STATUS(0, 0x02));
}

/* ---- Number of Queues ---------------------------------------------------------------------- */

static void nr_queues_ffff(struct conf_ctx *c, uint32_t cdw11, const char *what)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* NSQR and NCQR are 0's based, at most 65,534; "If the value specified
	 * is 65,535, the controller should return an error of Invalid Field in
	 * Command" (Number of Queues, CDW11 (approx.)).  A "should", so these
	 * cases are optional-level: a controller granting what it can is not
	 * outside the spec, but it is outside what the spec recommends. */
	set_feat(q, NVME_FEAT_FID_NUM_QUEUES, false, cdw11, 0, NULL, 0, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(0, 0,
			       "Linux nvmet without the NCQR/NSQR FFFFh check (Amit Engel's patch)"));
}

static void nr_queues_nsqr_ffff(struct conf_ctx *c)
{
	nr_queues_ffff(c, 0xffff, "Set Features Number of Queues, NSQR FFFFh");
}

static void nr_queues_ncqr_ffff(struct conf_ctx *c)
{
	nr_queues_ffff(c, 0xffffu << 16, "Set Features Number of Queues, NCQR FFFFh");
}

static void nr_queues_granted(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint32_t granted, n;
	uint16_t cntlid;

	if (!(q = conf_admin(c, true, &cntlid)))
		return;
	set_feat(q, NVME_FEAT_FID_NUM_QUEUES, false, 1u | 1u << 16, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Set Features Number of Queues, two pairs", &st, CONF_OK))
		return;
	granted = dw0(&st);
	conf_note(c, "asked for 2 SQs and 2 CQs; granted %u SQs and %u CQs", (granted & 0xffff) + 1,
		  (granted >> 16) + 1);
	get_feat(q, NVME_FEAT_FID_NUM_QUEUES, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features Number of Queues", &st, CONF_OK))
		conf_check(c, dw0(&st) == granted, "Get reports %#x; Set granted %#x", dw0(&st),
			   granted);
	/* Every granted queue pair can be connected (a few are enough to tell). */
	n = (granted & 0xffff) < (granted >> 16) ? (granted & 0xffff) + 1 : (granted >> 16) + 1;
	if (n > MAX_IO_TRIED)
		n = MAX_IO_TRIED;
	for (uint16_t qid = 1; qid <= n; qid++) {
		char what[64];

		conf_connect_args(c, qid, &a);
		a.cntlid = cntlid;
		if (!(io = conf_queue(c, qid, 31)))
			return;
		conf_send_connect(c, io, &a, &st);
		snprintf(what, sizeof(what), "I/O Connect, granted QID %u", qid);
		if (!CONF_EXPECT(c, what, &st, CONF_OK))
			return;
	}
}

static void nr_queues_after_io(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint16_t cntlid;

	if (!(q = conf_admin(c, true, &cntlid)))
		return;
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	if (!(io = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, io, &a, &st);
	if (!CONF_EXPECT(c, "I/O Connect, QID 1", &st, CONF_OK))
		return;
	/* Number of Queues: "If a Set Features command is submitted for this
	 * Feature after creation of any I/O Submission and/or I/O Completion
	 * Queues, then the controller shall abort that Set Features command
	 * with status code of Command Sequence Error" (NVMe Base 2.x, Number of
	 * Queues (§5.27.1.5 in 2.0 (approx.)); SPDK's nvme_compliance expects it).
	 * Connecting an I/O queue creates both queues of the pair. */
	set_feat(q, NVME_FEAT_FID_NUM_QUEUES, false, 1u | 1u << 16, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features Number of Queues with an I/O queue connected", &st,
		    CONF_STATUS(0, 0x0c),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (grants the queues again)"));
}

/* ---- Keep Alive Timer ---------------------------------------------------------------------- */

static void kato_readback(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	const uint32_t val = 12345;
	uint32_t gran;

	if (!q || !(gran = kas_ms(c, q)))
		return;
	set_feat(q, NVME_FEAT_FID_KATO, false, val, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Set Features KATO 12345 ms", &st, CONF_OK))
		return;
	get_feat(q, NVME_FEAT_FID_KATO, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features KATO", &st, CONF_OK))
		conf_check(c, kato_matches(dw0(&st), val, gran),
			   "KATO reads %u ms after setting %u ms (KAS granularity %u ms)", dw0(&st),
			   val, gran);
}

static void kato_zero(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	set_feat(q, NVME_FEAT_FID_KATO, false, 0, 0, NULL, 0, &st);
	/* 0 disables the timer, or is refused where the transport needs keep alive. */
	if (!CONF_EXPECT(c, "Set Features KATO 0", &st, CONF_OK, CONF_STATUS(0, 0x1a)))
		return;
	if (st.sf) {
		conf_note(c, "KATO 0 refused: Keep Alive Timeout Invalid");
		return;
	}
	conf_note(c, "KATO 0 accepted: keep alive disabled");
	get_feat(q, NVME_FEAT_FID_KATO, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features KATO after setting 0", &st, CONF_OK))
		conf_check(c, dw0(&st) == 0, "KATO reads %u ms after setting 0", dw0(&st));
}

/* ---- Host Identifier ----------------------------------------------------------------------- */

static void hostid_set_refused(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint8_t id[16];

	if (!q)
		return;
	memcpy(id, conf_target_of(c)->hostid, sizeof(id));
	id[0] ^= 0xff;
	/* Over fabrics the Host Identifier comes from Connect only. */
	set_feat(q, NVME_FEAT_FID_HOST_ID, false, EXHID, 0, id, sizeof(id), &st);
	CONF_EXPECT(c, "Set Features Host Identifier", &st, CONF_STATUS(0, 0x0c),
		    CONF_KNOWN(0, 0x0f,
			       "Linux nvmet 6.1 (expects no data with Set Features: the host "
			       "sent the 16 bytes the feature carries)"));
}

static void hostid_get(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint8_t id[16];

	if (!q)
		return;
	memset(id, 0, sizeof(id));
	get_feat(q, NVME_FEAT_FID_HOST_ID, SEL_CURRENT, EXHID, 0, id, sizeof(id), &st);
	if (CONF_EXPECT(c, "Get Features Host Identifier, EXHID 1", &st, CONF_OK))
		conf_check(c, !memcmp(id, conf_target_of(c)->hostid, sizeof(id)),
			   "the Host Identifier is not the HOSTID given at Connect");
}

static void hostid_get_64bit(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint8_t id[8];

	if (!q)
		return;
	get_feat(q, NVME_FEAT_FID_HOST_ID, SEL_CURRENT, 0, 0, id, sizeof(id), &st);
	/* Both errors apply; a controller may report either (NVMe 1.3 ECN 002):
	 * nvmet checks the 16-byte length first. */
	CONF_EXPECT(c, "Get Features Host Identifier, EXHID 0 (64-bit)", &st, CONF_STATUS(0, 0x02),
		    CONF_STATUS(0, 0x0f));
}

/* ---- reserved and unsupported values ------------------------------------------------------- */

static void temp_thsel_reserved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	get_feat(q, NVME_FEAT_FID_TEMP_THRESH, SEL_CURRENT, 2u << 20, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features Temperature Threshold, THSEL 10b", &st, CONF_STATUS(0, 0x02));
}

static void temp_tmpsel_reserved(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* TMPSEL 1001b..1110b are reserved; keep the threshold at a harmless 343 K. */
	set_feat(q, NVME_FEAT_FID_TEMP_THRESH, false, 9u << 16 | 343u, 0, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features Temperature Threshold, TMPSEL 1001b", &st,
		    CONF_STATUS(0, 0x02));
}

static void power_state_beyond_npss(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;
	char what[80];

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (ctrl.npss >= 31) {
		conf_skip(c, "NPSS %u: every PS value names a state", ctrl.npss);
		return;
	}
	snprintf(what, sizeof(what), "Set Features Power Management, PS %u (NPSS %u)",
		 ctrl.npss + 1u, ctrl.npss);
	set_feat(q, NVME_FEAT_FID_POWER_MGMT, false, ctrl.npss + 1u, 0, NULL, 0, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02));
}

static void dulbe_unsupported(struct conf_ctx *c)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .nsid = htole32(1) };
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ns ns;
	struct nvsim_host_status st;

	if (!q)
		return;
	nvsim_hq_exec(q, &sqe, &ns, sizeof(ns), NVSIM_DIR_C2H, &st);
	if (!CONF_EXPECT(c, "Identify Namespace 1", &st, CONF_OK))
		return;
	if (ns.nsfeat & NVME_NS_FEAT_DULBE) {
		conf_skip(c, "namespace 1 supports DULBE");
		return;
	}
	set_feat(q, NVME_FEAT_FID_ERR_RECOVERY, false, 1u << 16, NVME_NSID_ALL, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features Error Recovery with DULBE, not supported", &st,
		    CONF_STATUS(0, 0x02));
}

static void aec_readback(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ctrl ctrl;
	struct nvsim_host_status st;
	const uint32_t ns_attr = 1u << 8;

	if (!q || !id_ctrl(c, q, &ctrl))
		return;
	if (!(le32toh(ctrl.oaes) & NVME_CTRL_OAES_NA)) {
		conf_skip(c, "OAES bit 8 (namespace attribute notices) is 0");
		return;
	}
	for (uint32_t val = ns_attr;; val = 0) {
		char what[64];

		snprintf(what, sizeof(what), "Set Features Async Event Configuration %#x", val);
		set_feat(q, NVME_FEAT_FID_ASYNC_EVENT, false, val, 0, NULL, 0, &st);
		if (!CONF_EXPECT(c, what, &st, CONF_OK))
			return;
		get_feat(q, NVME_FEAT_FID_ASYNC_EVENT, SEL_CURRENT, 0, 0, NULL, 0, &st);
		if (!CONF_EXPECT(c, "Get Features Async Event Configuration", &st, CONF_OK) ||
		    !conf_check(c, dw0(&st) == val, "AEC reads %#x after setting %#x", dw0(&st),
				val) ||
		    !val)
			return;
	}
}

static void arbitration_readback(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	const uint32_t ab = 3; /* Arbitration Burst: 8 commands */

	if (!q)
		return;
	set_feat(q, NVME_FEAT_FID_ARBITRATION, false, ab, 0, NULL, 0, &st);
	if (!CONF_EXPECT(c, "Set Features Arbitration, AB 3", &st, CONF_OK,
			 CONF_KNOWN(0, 0x02, NVMET_NO_FEATURE)) ||
	    st.sf)
		return;
	get_feat(q, NVME_FEAT_FID_ARBITRATION, SEL_CURRENT, 0, 0, NULL, 0, &st);
	if (CONF_EXPECT(c, "Get Features Arbitration", &st, CONF_OK))
		conf_check(c, (dw0(&st) & 7u) == ab, "Arbitration reads AB %u after setting %u",
			   dw0(&st) & 7u, ab);
}

/* ---- NSID scope ---------------------------------------------------------------------------- */

static void set_ctrl_feature_with_nsid(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* NVMe Base 2.1, Feature values (printed page 160, after Figure 125):
	 * for a controller-scope Feature, "if the NSID field is set to a valid
	 * namespace identifier ... the Set Features command shall abort with
	 * a status code of Feature Not Namespace Specific".  Namespace 1 is
	 * valid here (io and the Identify cases use it). */
	set_feat(q, NVME_FEAT_FID_KATO, false, conf_target_of(c)->kato_ms, 1, NULL, 0, &st);
	CONF_EXPECT(c, "Set Features KATO with NSID 1", &st, CONF_STATUS(1, 0x0f),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1; SPDK nvmf at 3230130 (NSID ignored)"));
}

static void get_ctrl_feature_broadcast(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* The same text: with NSID FFFFFFFFh "the Get Features command shall
	 * return the current setting of the requested feature value for the
	 * controller". */
	get_feat(q, NVME_FEAT_FID_KATO, SEL_CURRENT, 0, NVME_NSID_ALL, NULL, 0, &st);
	CONF_EXPECT(c, "Get Features KATO with NSID FFFFFFFFh", &st, CONF_OK);
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define GETF "NVMe Base 2.0 §5.15 (approx.)"
#define SETF "NVMe Base 2.0 §5.27 (approx.)"
#define FEAT "NVMe Base 2.0 §5.27.1 (approx.)"
#define MANDF "NVMe Base 2.1 §3.1.3.6 (Figure 32)"

static const struct conf_case features_cases[] = {
	CASE("features.1.1", "Get Features Arbitration (01h) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_arbitration),
	CASE("features.1.2", "Get Features Power Management (02h) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_power),
	CASE("features.1.3", "Get Features Temperature Threshold (04h) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_temp),
	CASE("features.1.4", "Get Features Error Recovery (05h) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_err_recovery),
	CASE("features.1.5", "Get Features Number of Queues (07h) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_nr_queues),
	CASE("features.1.6", "Get Features Write Atomicity Normal (0Ah) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_atomicity),
	CASE("features.1.7", "Get Features Asynchronous Event Configuration (0Bh) succeeds",
	     GETF ", " MANDF, CONF_MANDATORY, 0, get_aec),
	CASE("features.1.8", "Get Features Keep Alive Timer (0Fh) succeeds", GETF ", " MANDF,
	     CONF_MANDATORY, 0, get_kato),
	CASE("features.1.9", "Get Features Interrupt Coalescing (08h, PCIe): answered or refused",
	     GETF ", NVMe-oF 1.1 §4.1 (approx.)", CONF_INFORMATIVE, 0, get_irq_coalescing),
	CASE("features.1.10", "Get Features Volatile Write Cache (06h) succeeds when VWC present",
	     GETF ", " FEAT, CONF_MANDATORY, 0, get_vwc),
	CASE("features.2.1", "SEL 000b returns the current KATO, the one Connect gave", GETF,
	     CONF_MANDATORY, 0, sel_current_is_connect_kato),
	CASE("features.2.2", "SEL 001b returns a default a Set does not change", GETF,
	     CONF_MANDATORY, 0, sel_default_unaffected),
	CASE("features.2.3", "SEL 010b returns the saved value (the default if not saveable)", GETF,
	     CONF_MANDATORY, 0, sel_saved),
	CASE("features.2.4", "SEL 011b: KATO changeable, not namespace specific", GETF,
	     CONF_MANDATORY, 0, sel_capabilities),
	CASE("features.2.5", "reserved SEL 100b is Invalid Field", GETF, CONF_MANDATORY, 0,
	     sel_reserved),
	CASE("features.3.1", "Set Features with SV 1 on a non-saveable feature: 1h/0Dh", SETF,
	     CONF_MANDATORY, 0, save_not_saveable),
	CASE("features.3.2", "Get Features of reserved FID 00h is Invalid Field", GETF,
	     CONF_MANDATORY, 0, get_fid_zero),
	CASE("features.3.3", "Get Features of reserved FID 50h is Invalid Field", GETF,
	     CONF_MANDATORY, 0, get_fid_reserved),
	CASE("features.3.4", "Set Features of reserved FID 50h is Invalid Field", SETF,
	     CONF_MANDATORY, 0, set_fid_reserved),
	CASE("features.4.1", "Number of Queues with NSQR FFFFh is Invalid Field (a should)",
	     SETF ", §5.27.1.5 (approx.)", CONF_OPTIONAL, 0, nr_queues_nsqr_ffff),
	CASE("features.4.2", "Number of Queues with NCQR FFFFh is Invalid Field (a should)",
	     SETF ", §5.27.1.5 (approx.)", CONF_OPTIONAL, 0, nr_queues_ncqr_ffff),
	CASE("features.4.3", "Number of Queues: DW0 grant, Get agrees, granted queues connect",
	     SETF ", §5.27.1.5 (approx.)", CONF_MANDATORY, 0, nr_queues_granted),
	CASE("features.4.4", "Number of Queues after an I/O queue exists: Command Sequence Error",
	     SETF ", §5.27.1.5 (approx.)", CONF_MANDATORY, 0, nr_queues_after_io),
	CASE("features.5.1", "Set KATO reads back, rounded up to KAS granularity at most",
	     SETF ", §5.27.1.12 (approx.)", CONF_MANDATORY, 0, kato_readback),
	CASE("features.5.2", "Set KATO 0: accepted as disabled or Keep Alive Timeout Invalid",
	     SETF ", §5.27.1.12 (approx.)", CONF_INFORMATIVE, 0, kato_zero),
	CASE("features.6.1", "Set Features Host Identifier over fabrics: Command Sequence Error",
	     SETF ", §5.27.1.28 (approx.)", CONF_MANDATORY, 0, hostid_set_refused),
	CASE("features.6.2", "Get Features Host Identifier (EXHID 1) returns Connect's HOSTID",
	     GETF ", §5.27.1.28 (approx.)", CONF_MANDATORY, 0, hostid_get),
	CASE("features.6.3", "Get Features Host Identifier with EXHID 0 is Invalid Field",
	     GETF ", §5.27.1.28 (approx.)", CONF_MANDATORY, 0, hostid_get_64bit),
	CASE("features.7.1", "Temperature Threshold with reserved THSEL 10b is Invalid Field",
	     GETF ", §5.27.1.4 (approx.)", CONF_MANDATORY, 0, temp_thsel_reserved),
	CASE("features.7.2", "Temperature Threshold with reserved TMPSEL 1001b is Invalid Field",
	     SETF ", §5.27.1.4 (approx.)", CONF_MANDATORY, 0, temp_tmpsel_reserved),
	CASE("features.7.3", "Power Management with PS beyond NPSS is Invalid Field",
	     SETF ", §5.27.1.2 (approx.)", CONF_MANDATORY, 0, power_state_beyond_npss),
	CASE("features.7.4", "Error Recovery with DULBE the namespace lacks is Invalid Field",
	     SETF ", §5.27.1.5 (approx.)", CONF_MANDATORY, 0, dulbe_unsupported),
	CASE("features.7.5", "Asynchronous Event Configuration reads back what was set",
	     SETF ", §5.27.1.7 (approx.)", CONF_MANDATORY, 0, aec_readback),
	CASE("features.7.6", "Arbitration reads back the Arbitration Burst that was set",
	     SETF ", §5.27.1.1 (approx.)", CONF_MANDATORY, 0, arbitration_readback),
	CASE("features.8.1", "Set of a controller feature with NSID 1: Feature Not NS Specific",
	     SETF ", NVMe Base 2.1 feature values (p. 160)", CONF_MANDATORY, 0,
	     set_ctrl_feature_with_nsid),
	CASE("features.8.2", "Get of a controller feature with NSID FFFFFFFFh succeeds",
	     GETF ", NVMe Base 2.1 feature values (p. 160)", CONF_MANDATORY, 0,
	     get_ctrl_feature_broadcast),
};

const struct conf_group conf_group_features = {
	"features", features_cases, sizeof(features_cases) / sizeof(features_cases[0])
};
