/* Properties and the controller enable sequence (NVMe Base 2.0 §3.1.4,
 * §3.5 (approx.); Property Get/Set in NVMe-oF 1.1 §3.4/§3.5, Base 2.0 §6.5,
 * §6.6 (approx.); catalogue §4.3).  Widths, read-only registers, CC checks on
 * enable, commands before ready, shutdown and reset, and where Linux nvmet
 * and SPDK answer otherwise (§4.11). */
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"

#define REG_RSVD_18 0x18 /* between CC and CSTS: reserved in every version */
#define CC_GOOD (1u << NVME_CC_EN_SHIFT | 6u << NVME_CC_IOSQES_SHIFT | 4u << NVME_CC_IOCQES_SHIFT)
#define CC_EN_MASK (1u << NVME_CC_EN_SHIFT)
#define FAST_POLLS 50
#define SPDK_PROP "SPDK 23.x (Connect Invalid Parameters for a property error)"

/* A Property Get or Set with a raw ATTRIB byte. */
static void prop_raw(struct nvsim_hq *q, bool set, uint8_t attrib, uint32_t ofst, uint64_t value,
		     struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };

	if (set) {
		struct nvsim_sqe_prop_set *ps = (void *)&sqe;

		ps->fctype = nvme_fabrics_type_property_set;
		ps->attrib = attrib;
		ps->ofst = htole32(ofst);
		ps->value = htole64(value);
	} else {
		struct nvsim_sqe_prop_get *pg = (void *)&sqe;

		pg->fctype = nvme_fabrics_type_property_get;
		pg->attrib = attrib;
		pg->ofst = htole32(ofst);
	}
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}

/* Reads a property the case relies on; any failure is the harness's
 * problem here, since the property's own cases check the answer. */
static bool read_prop(struct conf_ctx *c, struct nvsim_hq *q, uint32_t ofst, bool eight,
		      uint64_t *v)
{
	struct nvsim_host_status st;

	if (nvsim_host_prop_get(q, ofst, eight, v, &st)) {
		CONF_EXPECT(c, eight ? "Property Get (8 bytes)" : "Property Get (4 bytes)", &st,
			    CONF_OK);
		return false;
	}
	return true;
}

static bool write_cc(struct conf_ctx *c, struct nvsim_hq *q, uint32_t cc, const char *what)
{
	struct nvsim_host_status st;

	nvsim_host_prop_set(q, NVME_REG_CC, false, cc, &st);
	return CONF_EXPECT(c, what, &st, CONF_OK);
}

/* Polls CSTS until (CSTS & mask) == want or CSTS.CFS, within CAP.TO (500 ms
 * units; the target's clock moves when the harness owns it).  Returns
 * whether the condition was met; *csts holds the last value read. */
static bool wait_csts(struct conf_ctx *c, struct nvsim_hq *q, uint32_t mask, uint32_t want,
		      uint64_t *csts)
{
	uint64_t cap = 0, waited = 0, limit;

	if (!read_prop(c, q, NVME_REG_CAP, true, &cap))
		return false;
	limit = (NVME_CAP_TO(cap) ? NVME_CAP_TO(cap) : 1) * 500ull;
	for (unsigned int i = 0;; i++) {
		if (!read_prop(c, q, NVME_REG_CSTS, false, csts))
			return false;
		if ((*csts & mask) == want)
			return true;
		if (NVME_CSTS_CFS(*csts) || waited > limit)
			return false;
		if (i < FAST_POLLS) {
			conf_progress(c);
		} else {
			conf_advance(c, 10);
			waited += 10;
		}
	}
}

/* ---- Property Get ------------------------------------------------------------------ */

static void get_cap(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;
	uint64_t cap;

	if (!q)
		return;
	nvsim_host_prop_get(q, NVME_REG_CAP, true, &cap, &st);
	if (!CONF_EXPECT(c, "Property Get CAP, 8 bytes", &st, CONF_OK))
		return;
	conf_note(c, "CAP %#llx: MQES %u, TO %u (x500 ms), CSS %#x, MPSMIN %u, MPSMAX %u",
		  (unsigned long long)cap, (unsigned)NVME_CAP_MQES(cap), (unsigned)NVME_CAP_TO(cap),
		  (unsigned)NVME_CAP_CSS(cap), (unsigned)NVME_CAP_MPSMIN(cap),
		  (unsigned)NVME_CAP_MPSMAX(cap));
	/* MQES is 0's based and at least 1 (a two-entry queue). */
	conf_check(c, NVME_CAP_MQES(cap) >= 1, "CAP.MQES is %u; at least 1 required",
		   (unsigned)NVME_CAP_MQES(cap));
	conf_check(c, NVME_CAP_TO(cap) >= 1, "CAP.TO is 0: the host could never wait for RDY");
	conf_check(c, NVME_CAP_CSS(cap) != 0, "CAP.CSS is 0: no command set offered");
	conf_check(c, NVME_CAP_MPSMIN(cap) <= NVME_CAP_MPSMAX(cap), "CAP.MPSMIN %u > MPSMAX %u",
		   (unsigned)NVME_CAP_MPSMIN(cap), (unsigned)NVME_CAP_MPSMAX(cap));
}

static void get_cap_4(struct conf_ctx *c)
{
	static const struct {
		uint32_t ofst;
		const char *what;
	} halves[] = {
		{ NVME_REG_CAP, "Property Get CAP (offset 0h) with a 4-byte size" },
		{ NVME_REG_CAP + 4, "Property Get of CAP's upper half (offset 4h), 4 bytes" },
	};
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	/* CAP is an 8-byte property and SIZE must name a property's size
	 * (NVMe-oF 1.1 §3.4 (approx.)): unlike a PCIe register, neither half is
	 * a property of its own. */
	for (size_t i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
		prop_raw(q, false, 0, halves[i].ofst, 0, &st);
		CONF_EXPECT(c, halves[i].what, &st, CONF_STATUS(0, 0x02),
			    CONF_KNOWN(0, 0, "SPDK 23.x (serves either half)"));
	}
}

static void get_vs(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;
	uint64_t vs;

	if (!q)
		return;
	nvsim_host_prop_get(q, NVME_REG_VS, false, &vs, &st);
	if (!CONF_EXPECT(c, "Property Get VS, 4 bytes", &st, CONF_OK))
		return;
	conf_note(c, "VS %u.%u.%u", (unsigned)(vs >> 16 & 0xffff), (unsigned)(vs >> 8 & 0xff),
		  (unsigned)(vs & 0xff));
	/* NVMe-oF 1.0 is built on NVMe 1.2.1: nothing older can be a fabrics target. */
	conf_check(c, (vs & 0xffffffff) >= 0x00010201, "VS %#llx is below 1.2.1",
		   (unsigned long long)vs);
}

static void get_cc_readback(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint64_t cc;

	if (!q)
		return;
	nvsim_host_prop_get(q, NVME_REG_CC, false, &cc, &st);
	if (CONF_EXPECT(c, "Property Get CC, 4 bytes", &st, CONF_OK))
		conf_check(c, (uint32_t)cc == CC_GOOD, "CC reads %#x after writing %#x",
			   (unsigned)cc, CC_GOOD);
}

static void get_csts_ready(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint64_t csts = 0;

	if (!q)
		return;
	nvsim_host_prop_get(q, NVME_REG_CSTS, false, &csts, &st);
	if (CONF_EXPECT(c, "Property Get CSTS, 4 bytes", &st, CONF_OK))
		conf_check(c, NVME_CSTS_RDY(csts) && !NVME_CSTS_CFS(csts),
			   "CSTS %#x on an enabled controller: RDY 1, CFS 0 expected",
			   (unsigned)csts);
}

static void fresh_controller_reset_values(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	uint64_t cc, csts;

	if (!q || !read_prop(c, q, NVME_REG_CC, false, &cc) ||
	    !read_prop(c, q, NVME_REG_CSTS, false, &csts))
		return;
	/* A new association starts from the reset state. */
	conf_check(c, (uint32_t)cc == 0, "CC is %#x on a new controller; 0 expected", (unsigned)cc);
	conf_check(c, !NVME_CSTS_RDY(csts) && !NVME_CSTS_CFS(csts) && !NVME_CSTS_SHST(csts),
		   "CSTS is %#x on a new controller; RDY, CFS and SHST 0 expected", (unsigned)csts);
}

static void get_vs_8(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	prop_raw(q, false, NVSIM_PROP_ATTRIB_SIZE_8, NVME_REG_VS, 0, &st);
	CONF_EXPECT(c, "Property Get VS with an 8-byte size", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(1, 0x82, SPDK_PROP));
}

static void get_reserved_offset(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	prop_raw(q, false, 0, REG_RSVD_18, 0, &st);
	CONF_EXPECT(c, "Property Get of reserved offset 18h", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(1, 0x82, SPDK_PROP));
}

static void get_reserved_size(struct conf_ctx *c)
{
	/* Only 000b (4 bytes) and 001b (8 bytes) are defined; 011b and 111b
	 * have bit 0 set, so a target reading bit 0 alone takes them as 8. */
	static const struct {
		uint8_t size;
		const char *what;
	} sizes[] = {
		{ 0x02, "Property Get VS with reserved ATTRIB.SIZE 010b" },
		{ 0x03, "Property Get CAP with reserved ATTRIB.SIZE 011b" },
		{ 0x07, "Property Get CAP with reserved ATTRIB.SIZE 111b" },
	};
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		prop_raw(q, false, sizes[i].size, sizes[i].size & 1 ? NVME_REG_CAP : NVME_REG_VS,
			 0, &st);
		CONF_EXPECT(c, sizes[i].what, &st, CONF_STATUS(0, 0x02),
			    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (reads only ATTRIB bit 0)"),
			    CONF_KNOWN(1, 0x82, SPDK_PROP));
	}
}

static void get_on_io_queue(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint64_t vs;
	uint16_t cntlid;

	if (!(q = conf_admin(c, true, &cntlid)) || !(io = conf_queue(c, 1, 31)))
		return;
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	conf_send_connect(c, io, &a, &st);
	if (!CONF_EXPECT(c, "I/O Connect, QID 1", &st, CONF_OK))
		return;
	/* Properties belong to the admin queue. */
	nvsim_host_prop_get(io, NVME_REG_VS, false, &vs, &st);
	CONF_EXPECT(c, "Property Get VS on I/O queue 1", &st, CONF_STATUS(0, 0x01),
		    CONF_STATUS(1, 0x85));
}

/* ---- Property Set ------------------------------------------------------------------- */

static void set_cc_readback(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	const uint32_t want = 6u << NVME_CC_IOSQES_SHIFT | 4u << NVME_CC_IOCQES_SHIFT;
	uint64_t cc;

	if (!q || !write_cc(c, q, want, "Property Set CC (EN 0, IOSQES 6, IOCQES 4)") ||
	    !read_prop(c, q, NVME_REG_CC, false, &cc))
		return;
	conf_check(c, (uint32_t)cc == want, "CC reads %#x after writing %#x", (unsigned)cc, want);
}

/* A write to a read-only register is refused and changes nothing. */
static void set_read_only(struct conf_ctx *c, uint32_t ofst, bool eight, const char *what)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;
	uint64_t before, after;

	if (!q || !read_prop(c, q, ofst, eight, &before))
		return;
	prop_raw(q, true, eight ? NVSIM_PROP_ATTRIB_SIZE_8 : 0, ofst, ~before, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x02), CONF_KNOWN(1, 0x82, SPDK_PROP));
	if (read_prop(c, q, ofst, eight, &after))
		conf_check(c, before == after, "the register changed from %#llx to %#llx",
			   (unsigned long long)before, (unsigned long long)after);
}

static void set_vs(struct conf_ctx *c)
{
	set_read_only(c, NVME_REG_VS, false, "Property Set VS");
}

static void set_cap(struct conf_ctx *c)
{
	set_read_only(c, NVME_REG_CAP, true, "Property Set CAP (8 bytes)");
}

static void set_csts(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;
	uint64_t cap;

	if (!q || !read_prop(c, q, NVME_REG_CAP, true, &cap))
		return;
	/* With NSSR supported, CSTS.NSSRO is write-1-to-clear and a write is legal. */
	if (NVME_CAP_NSSRC(cap)) {
		conf_skip(c, "CAP.NSSRS is 1: CSTS.NSSRO is writable");
		return;
	}
	prop_raw(q, true, 0, NVME_REG_CSTS, 0, &st);
	CONF_EXPECT(c, "Property Set CSTS", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(1, 0x82, "SPDK 23.x (Connect Invalid Parameters: CSTS has no "
					"write handler)"),
		    CONF_KNOWN(0, 0, "SPDK 25.09 (takes the write: only NSSRO is "
				     "write-1-to-clear, the rest ignored)"));
}

static void set_cc_8(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;
	uint64_t cc;

	if (!q)
		return;
	prop_raw(q, true, NVSIM_PROP_ATTRIB_SIZE_8, NVME_REG_CC, CC_GOOD, &st);
	if (!CONF_EXPECT(c, "Property Set CC with an 8-byte size", &st, CONF_STATUS(0, 0x02),
			 CONF_KNOWN(1, 0x82, SPDK_PROP)))
		return;
	if (read_prop(c, q, NVME_REG_CC, false, &cc))
		conf_check(c, !((uint32_t)cc & CC_EN_MASK),
			   "the refused 8-byte write enabled the controller (CC %#x)",
			   (unsigned)cc);
}

static void set_reserved_offset(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	prop_raw(q, true, 0, REG_RSVD_18, 0, &st);
	CONF_EXPECT(c, "Property Set of reserved offset 18h", &st, CONF_STATUS(0, 0x02),
		    CONF_KNOWN(1, 0x82, SPDK_PROP));
}

/* ---- enable -------------------------------------------------------------------------- */

static void enable_ready(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	uint64_t csts = 0;

	if (!q || !write_cc(c, q, CC_GOOD, "Property Set CC.EN 1, IOSQES 6, IOCQES 4"))
		return;
	conf_check(c, wait_csts(c, q, 1u << NVME_CSTS_RDY_SHIFT, 1u << NVME_CSTS_RDY_SHIFT, &csts),
		   "CSTS.RDY did not become 1 within CAP.TO (CSTS %#x)", (unsigned)csts);
}

/* Enabling with a CC field the controller cannot honour: CSTS.CFS and no
 * RDY.  What real targets do instead, per field (all FAILs): */
struct bad_cc_known {
	const char *write_who;  /* refuses the CC write itself, after setting RDY */
	struct conf_outcome io; /* ready anyway: how the I/O Connect is answered */
};

#define SPDK_WRITE_REFUSED "SPDK 23.x (refuses the write after setting RDY)"

/* SPDK sets RDY regardless; it then refuses I/O queues at Connect (IOSQES,
 * IOCQES), or the write itself (MPS, AMS), or takes CSS 001b outright. */
static const struct bad_cc_known spdk_io_refused = {
	NULL,
	{ 1, 0x82, CONF_ANY, 0, 42, CONF_KNOWN,
	  "SPDK 23.x (ready; checks IOSQES/IOCQES only at I/O Connect)" },
};
static const struct bad_cc_known spdk_write_refused = { SPDK_WRITE_REFUSED, { 0 } };
static const struct bad_cc_known spdk_css_taken = {
	NULL,
	CONF_KNOWN(0, 0, "SPDK 25.09 (takes CSS 001b: ready, no CFS, I/O queues accepted)"),
};

static void enable_bad(struct conf_ctx *c, uint32_t cc, const char *what,
		       const struct bad_cc_known *k)
{
	const struct conf_outcome write_set[] = { CONF_OK, CONF_KNOWN(1, 0x82, k->write_who) };
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint16_t cntlid;
	uint64_t csts = 0;

	if (!(q = conf_admin(c, false, &cntlid)))
		return;
	nvsim_host_prop_set(q, NVME_REG_CC, false, cc, &st);
	if (!conf_expect(c, what, &st, write_set, k->write_who ? 2 : 1) || !nvsim_host_ok(&st))
		return;
	if (wait_csts(c, q, 1u << NVME_CSTS_CFS_SHIFT, 1u << NVME_CSTS_CFS_SHIFT, &csts)) {
		conf_check(c, !NVME_CSTS_RDY(csts), "CSTS %#x: CFS and RDY both set",
			   (unsigned)csts);
		return;
	}
	if (!NVME_CSTS_RDY(csts)) {
		conf_check(c, false, "neither CSTS.CFS nor RDY became 1 (CSTS %#x)",
			   (unsigned)csts);
		return;
	}
	/* Ready anyway: a FAIL whatever the I/O Connect gets, since the enable
	 * itself was to be refused with CFS; no spec text found permits
	 * refusing the I/O queue later in place of CFS. */
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	if (!(io = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, io, &a, &st);
	if (k->io.text)
		conf_expect(c, "CSTS.RDY set despite the bad CC; I/O Connect", &st, &k->io, 1);
	else
		conf_check(c, false, "CSTS.RDY set despite the bad CC (CSTS %#x)",
			   (unsigned)csts);
}

static void enable_bad_iosqes(struct conf_ctx *c)
{
	enable_bad(c, (CC_GOOD & ~(0xfu << NVME_CC_IOSQES_SHIFT)) | 5u << NVME_CC_IOSQES_SHIFT,
		   "Property Set CC.EN 1 with IOSQES 5", &spdk_io_refused);
}

static void enable_bad_iocqes(struct conf_ctx *c)
{
	enable_bad(c, (CC_GOOD & ~(0xfu << NVME_CC_IOCQES_SHIFT)) | 5u << NVME_CC_IOCQES_SHIFT,
		   "Property Set CC.EN 1 with IOCQES 5", &spdk_io_refused);
}

static void enable_bad_mps(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	uint64_t cap;
	uint32_t mps;

	if (!q || !read_prop(c, q, NVME_REG_CAP, true, &cap))
		return;
	conf_close(c, q);
	mps = (uint32_t)NVME_CAP_MPSMAX(cap) + 1;
	if (mps > NVME_CC_MPS_MASK) {
		conf_skip(c, "CAP.MPSMAX is 15: no MPS above it");
		return;
	}
	enable_bad(c, CC_GOOD | mps << NVME_CC_MPS_SHIFT,
		   "Property Set CC.EN 1 with MPS above MPSMAX", &spdk_write_refused);
}

static void enable_bad_ams(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	uint64_t cap;
	uint32_t ams;

	if (!q || !read_prop(c, q, NVME_REG_CAP, true, &cap))
		return;
	conf_close(c, q);
	/* Weighted round robin when CAP.AMS does not offer it, else reserved 011b. */
	ams = NVME_CAP_AMS(cap) & NVME_CAP_AMS_WRR ? 3u : (uint32_t)NVME_CC_AMS_WRRU;
	enable_bad(c, CC_GOOD | ams << NVME_CC_AMS_SHIFT,
		   "Property Set CC.EN 1 with an unsupported AMS", &spdk_write_refused);
}

static void enable_bad_css(struct conf_ctx *c)
{
	/* CSS 001b is reserved in every version. */
	enable_bad(c, CC_GOOD | 1u << NVME_CC_CSS_SHIFT, "Property Set CC.EN 1 with CSS 001b",
		   &spdk_css_taken);
}

/* ---- commands before ready ------------------------------------------------------ */

static void before_ready(struct conf_ctx *c, struct nvsim_sqe *sqe, void *buf, size_t len,
			 enum nvsim_dir dir, const char *what)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	nvsim_hq_exec(q, sqe, buf, len, dir, &st);
	CONF_EXPECT(c, what, &st, CONF_STATUS(0, 0x0c));
}

static void identify_before_ready(struct conf_ctx *c)
{
	uint8_t buf[NVME_IDENTIFY_DATA_SIZE];
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .cdw10 = htole32(1) };

	before_ready(c, &sqe, buf, sizeof(buf), NVSIM_DIR_C2H, "Identify Controller before CC.EN");
}

static void get_log_before_ready(struct conf_ctx *c)
{
	uint8_t buf[512];
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_log_page };
	struct nvsim_sqe_get_log_page *g = (void *)&sqe;

	g->lid = NVME_LOG_LID_SMART;
	g->numdl = htole16(sizeof(buf) / 4 - 1);
	g->nsid = htole32(NVME_NSID_ALL);
	before_ready(c, &sqe, buf, sizeof(buf), NVSIM_DIR_C2H, "Get Log Page SMART before CC.EN");
}

static void get_features_before_ready(struct conf_ctx *c)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_get_features,
				 .cdw10 = htole32(NVME_FEAT_FID_KATO) };

	before_ready(c, &sqe, NULL, 0, NVSIM_DIR_NONE, "Get Features KATO before CC.EN");
}

static void set_features_before_ready(struct conf_ctx *c)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_set_features,
				 .cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES) };

	before_ready(c, &sqe, NULL, 0, NVSIM_DIR_NONE,
		     "Set Features Number of Queues before CC.EN");
}

static void keep_alive_before_ready(struct conf_ctx *c)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };

	before_ready(c, &sqe, NULL, 0, NVSIM_DIR_NONE, "Keep Alive before CC.EN");
}

/* ---- shutdown and reset ------------------------------------------------------------ */

static void shutdown_to(struct conf_ctx *c, uint32_t shn, const char *what)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint64_t csts = 0;

	if (!q || !write_cc(c, q, CC_GOOD | shn << NVME_CC_SHN_SHIFT, what))
		return;
	conf_check(c,
		   wait_csts(c, q, NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT,
			     NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT, &csts),
		   "CSTS.SHST did not reach 10b (complete) (CSTS %#x)", (unsigned)csts);
}

static void shutdown_normal(struct conf_ctx *c)
{
	shutdown_to(c, NVME_CC_SHN_NORMAL, "Property Set CC.SHN 01b (normal shutdown)");
}

static void shutdown_abrupt(struct conf_ctx *c)
{
	shutdown_to(c, NVME_CC_SHN_ABRUPT, "Property Set CC.SHN 10b (abrupt shutdown)");
}

/* Clears CC.EN and waits for RDY to follow. */
static bool disable(struct conf_ctx *c, struct nvsim_hq *q)
{
	uint64_t csts = 0;

	if (!write_cc(c, q, CC_GOOD & ~CC_EN_MASK, "Property Set CC.EN 0"))
		return false;
	return conf_check(c, wait_csts(c, q, 1u << NVME_CSTS_RDY_SHIFT, 0, &csts),
			  "CSTS.RDY still 1 after CC.EN 1->0 (CSTS %#x)", (unsigned)csts);
}

static bool enable(struct conf_ctx *c, struct nvsim_hq *q)
{
	uint64_t csts = 0;

	if (!write_cc(c, q, CC_GOOD, "Property Set CC.EN 1 again"))
		return false;
	return conf_check(
		c, wait_csts(c, q, 1u << NVME_CSTS_RDY_SHIFT, 1u << NVME_CSTS_RDY_SHIFT, &csts),
		"CSTS.RDY did not return to 1 after re-enabling (CSTS %#x)", (unsigned)csts);
}

static void restart_after_shutdown(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint64_t csts = 0;

	if (!q ||
	    !write_cc(c, q, CC_GOOD | NVME_CC_SHN_NORMAL << NVME_CC_SHN_SHIFT, "normal shutdown") ||
	    !conf_check(c,
			wait_csts(c, q, NVME_CSTS_SHST_MASK << NVME_CSTS_SHST_SHIFT,
				  NVME_CSTS_SHST_CMPLT << NVME_CSTS_SHST_SHIFT, &csts),
			"shutdown did not complete (CSTS %#x)", (unsigned)csts))
		return;
	/* After a shutdown the host resets (EN 1->0) and enables again. */
	if (disable(c, q))
		enable(c, q);
}

static void reset_clears_ready(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint64_t cc;

	if (!q || !disable(c, q) || !read_prop(c, q, NVME_REG_CC, false, &cc))
		return;
	conf_check(c, !((uint32_t)cc & CC_EN_MASK), "CC.EN reads 1 after writing 0 (CC %#x)",
		   (unsigned)cc);
}

static void reset_refuses_io_connect(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint16_t cntlid;

	if (!(q = conf_admin(c, true, &cntlid)) || !disable(c, q))
		return;
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	if (!(io = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, io, &a, &st);
	/* As connect.2.5: I/O queues only on an enabled, ready controller
	 * (NVMe Base 2.0 §3.5.2 (approx.), NVMe-oF 1.1 §3.3 (approx.)). */
	CONF_EXPECT(c, "I/O Connect after CC.EN 1->0", &st,
		    CONF_INVALID_PARAM(NVSIM_IATTR_SQE, 42),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (no enable check on I/O Connect)"));
}

static void reenable_works(struct conf_ctx *c)
{
	uint8_t id[NVME_IDENTIFY_DATA_SIZE];
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify, .cdw10 = htole32(1) };
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q, *io;
	uint16_t cntlid;

	if (!(q = conf_admin(c, true, &cntlid)) || !disable(c, q) || !enable(c, q))
		return;
	nvsim_hq_exec(q, &sqe, id, sizeof(id), NVSIM_DIR_C2H, &st);
	if (!CONF_EXPECT(c, "Identify Controller after re-enabling", &st, CONF_OK))
		return;
	conf_connect_args(c, 1, &a);
	a.cntlid = cntlid;
	if (!(io = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, io, &a, &st);
	CONF_EXPECT(c, "I/O Connect after re-enabling", &st, CONF_OK);
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define PGET "NVMe-oF 1.1 §3.4, NVMe Base 2.0 §3.1.4 (approx.)"
#define PSET "NVMe-oF 1.1 §3.5, NVMe Base 2.0 §3.1.4 (approx.)"
#define INIT "NVMe Base 2.0 §3.5.2, §3.1.4 (approx.)"
#define SHUT "NVMe Base 2.0 §3.6 (approx.)"
#define RESET "NVMe Base 2.0 §3.7.2 (approx.)"

static const struct conf_case property_cases[] = {
	CASE("property.1.1", "Property Get CAP (8 bytes) succeeds and MQES/TO/CSS are sane", PGET,
	     CONF_MANDATORY, 0, get_cap),
	CASE("property.1.2", "Property Get of CAP or its upper half, 4 bytes: Invalid Field", PGET,
	     CONF_MANDATORY, 0, get_cap_4),
	CASE("property.1.3", "Property Get VS (4 bytes) succeeds, 1.2.1 or later", PGET,
	     CONF_MANDATORY, 0, get_vs),
	CASE("property.1.4", "Property Get CC (4 bytes) reads back what was written", PGET,
	     CONF_MANDATORY, 0, get_cc_readback),
	CASE("property.1.5", "Property Get CSTS (4 bytes): RDY 1, CFS 0 when enabled", PGET,
	     CONF_MANDATORY, 0, get_csts_ready),
	CASE("property.1.6", "a new controller starts with CC 0 and CSTS RDY/CFS/SHST 0",
	     PGET ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, fresh_controller_reset_values),
	CASE("property.1.7", "Property Get VS with an 8-byte size is Invalid Field", PGET,
	     CONF_MANDATORY, 0, get_vs_8),
	CASE("property.1.8", "Property Get of a reserved offset is Invalid Field", PGET,
	     CONF_MANDATORY, 0, get_reserved_offset),
	CASE("property.1.9", "Property Get with a reserved ATTRIB.SIZE is Invalid Field", PGET,
	     CONF_MANDATORY, 0, get_reserved_size),
	CASE("property.1.10", "Property Get on an I/O queue is refused",
	     PGET ", NVMe Base 2.0 §6 (approx.)", CONF_MANDATORY, 0, get_on_io_queue),
	CASE("property.2.1", "Property Set CC succeeds and reads back", PSET, CONF_MANDATORY, 0,
	     set_cc_readback),
	CASE("property.2.2", "Property Set VS (read-only) is refused and changes nothing", PSET,
	     CONF_MANDATORY, 0, set_vs),
	CASE("property.2.3", "Property Set CAP (read-only) is refused and changes nothing", PSET,
	     CONF_MANDATORY, 0, set_cap),
	CASE("property.2.4", "Property Set CSTS (read-only without NSSR) is refused", PSET,
	     CONF_MANDATORY, 0, set_csts),
	CASE("property.2.5", "Property Set CC with an 8-byte size is refused", PSET, CONF_MANDATORY,
	     0, set_cc_8),
	CASE("property.2.6", "Property Set of a reserved offset is refused", PSET, CONF_MANDATORY,
	     0, set_reserved_offset),
	CASE("property.3.1", "CC.EN 0->1 with IOSQES 6, IOCQES 4 sets CSTS.RDY within CAP.TO", INIT,
	     CONF_MANDATORY, 0, enable_ready),
	CASE("property.3.2", "CC.EN 0->1 with IOSQES 5 sets CSTS.CFS, not RDY",
	     INIT ", NVMe-oF 1.1 §3.5 (approx.)", CONF_MANDATORY, 0, enable_bad_iosqes),
	CASE("property.3.3", "CC.EN 0->1 with IOCQES 5 sets CSTS.CFS, not RDY",
	     INIT ", NVMe-oF 1.1 §3.5 (approx.)", CONF_MANDATORY, 0, enable_bad_iocqes),
	CASE("property.3.4", "CC.EN 0->1 with MPS above CAP.MPSMAX sets CSTS.CFS, not RDY", INIT,
	     CONF_OPTIONAL, 0, enable_bad_mps),
	CASE("property.3.5", "CC.EN 0->1 with an AMS CAP does not offer sets CSTS.CFS, not RDY",
	     INIT, CONF_OPTIONAL, 0, enable_bad_ams),
	CASE("property.3.6", "CC.EN 0->1 with reserved CSS 001b sets CSTS.CFS, not RDY", INIT,
	     CONF_MANDATORY, 0, enable_bad_css),
	CASE("property.4.1", "Identify before CSTS.RDY is Command Sequence Error", INIT,
	     CONF_MANDATORY, 0, identify_before_ready),
	CASE("property.4.2", "Get Log Page before CSTS.RDY is Command Sequence Error", INIT,
	     CONF_MANDATORY, 0, get_log_before_ready),
	CASE("property.4.3", "Get Features before CSTS.RDY is Command Sequence Error", INIT,
	     CONF_MANDATORY, 0, get_features_before_ready),
	CASE("property.4.4", "Set Features before CSTS.RDY is Command Sequence Error", INIT,
	     CONF_MANDATORY, 0, set_features_before_ready),
	CASE("property.4.5", "Keep Alive before CSTS.RDY is Command Sequence Error", INIT,
	     CONF_MANDATORY, 0, keep_alive_before_ready),
	CASE("property.5.1", "CC.SHN 01b (normal) brings CSTS.SHST to 10b", SHUT, CONF_MANDATORY, 0,
	     shutdown_normal),
	CASE("property.5.2", "CC.SHN 10b (abrupt) brings CSTS.SHST to 10b", SHUT, CONF_MANDATORY, 0,
	     shutdown_abrupt),
	CASE("property.5.3", "after shutdown, CC.EN 1->0->1 makes the controller ready again",
	     SHUT ", " RESET, CONF_MANDATORY, 0, restart_after_shutdown),
	CASE("property.6.1", "CC.EN 1->0 clears CSTS.RDY and CC.EN", RESET, CONF_MANDATORY, 0,
	     reset_clears_ready),
	CASE("property.6.2", "after CC.EN 1->0 an I/O Connect is refused (SQE byte 42)",
	     RESET ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, reset_refuses_io_connect),
	CASE("property.6.3", "re-enabling after a reset serves admin commands and I/O Connect",
	     RESET, CONF_MANDATORY, 0, reenable_works),
};

const struct conf_group conf_group_property = {
	"property", property_cases, sizeof(property_cases) / sizeof(property_cases[0])
};
