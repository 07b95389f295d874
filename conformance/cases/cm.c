/* NVMe/RDMA connection-manager private data (NVMe-oF 1.1 §7.3.3 (approx.),
 * NVMe RDMA Transport 1.0 §3.3 (approx.); catalogue §4.8): the request's
 * RECFMT, QID, HSQSIZE and HRQSIZE checks, zero-padded short data, the
 * CRQSIZE the accept carries, and a queue the CM accepted taking Connect.
 * Linux nvmet checks little here (no HRQSIZE or I/O HSQSIZE bound, no IRD);
 * where it accepts, the Fabrics Connect that follows must refuse instead. */
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "conformance/runner.h"
#include "spec/cqe.h"
#include "spec/rdma_cm.h"

#define ACCEPTED 0
#define SQE NVSIM_IATTR_SQE

static void cm_req(struct nvsim_rdma_cm_req *r, uint16_t qid, uint16_t hsqsize, uint16_t hrqsize,
		   uint16_t cntlid)
{
	memset(r, 0, sizeof(*r));
	r->qid = htole16(qid);
	r->hsqsize = htole16(hsqsize);
	r->hrqsize = htole16(hrqsize);
	r->cntlid = htole16(cntlid);
}

/* The CM step for r; the queue when accepted. */
static struct nvsim_hq *cm_try(struct conf_ctx *c, const struct nvsim_rdma_cm_req *r,
			       uint8_t len, struct nvsim_host_status *st)
{
	return conf_queue_cm(c, le16toh(r->qid), le16toh(r->hsqsize), r, len, st);
}

/* Connect on a queue the CM accepted, with the CM's QID and SQSIZE. */
static void connect_on(struct conf_ctx *c, struct nvsim_hq *q, uint16_t qid, uint16_t sqsize,
		       uint16_t cntlid, struct nvsim_host_status *st)
{
	struct conf_connect_args a;

	conf_connect_args(c, qid, &a);
	a.sqsize = sqsize;
	if (qid)
		a.cntlid = cntlid;
	conf_send_connect(c, q, &a, st);
}

static void recfmt_one(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;

	cm_req(&r, 0, 31, 32, 0xffff);
	r.recfmt = htole16(1);
	cm_try(c, &r, sizeof(r), &st);
	CONF_EXPECT_CM(c, "CM request with RECFMT 1", &st, NVSIM_RDMA_CM_INVALID_RECFMT);
}

static void admin_hsqsize_31(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;

	cm_req(&r, 0, 31, 32, 0xffff);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "admin CM request, HSQSIZE 31", &st, ACCEPTED) || !q)
		return;
	connect_on(c, q, 0, 31, 0, &st);
	CONF_EXPECT(c, "admin Connect with SQSIZE 31 on that queue", &st, CONF_OK);
}

static void admin_hsqsize_32(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t crq;

	cm_req(&r, 0, 32, 33, 0xffff);
	q = cm_try(c, &r, sizeof(r), &st);
	/* nvmet rejects above its 32-entry admin queue; SPDK accepts and
	 * cuts the depth down in CRQSIZE. */
	if (!CONF_EXPECT_CM(c, "admin CM request, HSQSIZE 32", &st, NVSIM_RDMA_CM_INVALID_HSQSIZE,
			    ACCEPTED) ||
	    !q)
		return;
	crq = nvsim_hq_crqsize(q);
	conf_note(c, "HSQSIZE 32 accepted on the admin queue, CRQSIZE %u", crq);
	/* Accepted: the Connect for 33 entries either takes the queue, which
	 * the accept must then hold (CRQSIZE >= HSQSIZE + 1, NVMe RDMA 1.0
	 * §3.3 (approx.), as cm.3.2), or refuses the size there. */
	connect_on(c, q, 0, 32, 0, &st);
	if (CONF_EXPECT(c, "admin Connect with SQSIZE 32 on that queue", &st, CONF_OK,
			CONF_INVALID_PARAM(SQE, 44)) &&
	    nvsim_host_ok(&st))
		conf_check(c, crq >= 33,
			   "a 33-entry admin queue was accepted and connected, but the accept's "
			   "CRQSIZE is %u (a cut-down queue must refuse SQSIZE 32 at Connect)",
			   crq);
}

static void hrqsize_too_small(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;

	/* 32 commands, room for 16 responses. */
	cm_req(&r, 0, 31, 16, 0xffff);
	q = cm_try(c, &r, sizeof(r), &st);
	if (CONF_EXPECT_CM(c, "admin CM request, HSQSIZE 31 with HRQSIZE 16", &st,
			   NVSIM_RDMA_CM_INVALID_HRQSIZE, ACCEPTED) &&
	    q)
		conf_note(c, "HRQSIZE below HSQSIZE + 1 accepted (Linux nvmet does not check), "
			     "CRQSIZE %u", nvsim_hq_crqsize(q));
}

/* An enabled association for I/O queue cases, and CAP.MQES. */
static bool assoc(struct conf_ctx *c, uint16_t *cntlid, uint16_t *mqes)
{
	struct nvsim_host_status st;
	struct nvsim_hq *admin = conf_admin(c, true, cntlid);
	uint64_t cap = 0;

	if (!admin)
		return false;
	nvsim_host_prop_get(admin, NVME_REG_CAP, true, &cap, &st);
	if (!CONF_EXPECT(c, "Property Get CAP", &st, CONF_OK))
		return false;
	*mqes = (uint16_t)NVME_CAP_MQES(cap);
	return true;
}

static void io_hsqsize_above_mqes(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t cntlid, mqes;

	if (!assoc(c, &cntlid, &mqes))
		return;
	if (mqes >= 4095) {
		conf_skip(c, "CAP.MQES %u: too deep a queue for this case", mqes);
		return;
	}
	cm_req(&r, 1, (uint16_t)(mqes + 1), (uint16_t)(mqes + 2), cntlid);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "I/O CM request, HSQSIZE MQES + 1", &st,
			    NVSIM_RDMA_CM_INVALID_HSQSIZE, ACCEPTED) ||
	    !q)
		return;
	/* Accepted by the CM (nvmet): the Connect must refuse the size. */
	conf_note(c, "the CM accepted HSQSIZE MQES + 1 (CRQSIZE %u); Connect must refuse it",
		  nvsim_hq_crqsize(q));
	connect_on(c, q, 1, (uint16_t)(mqes + 1), cntlid, &st);
	CONF_EXPECT(c, "I/O Connect with SQSIZE MQES + 1", &st, CONF_INVALID_PARAM(SQE, 44));
}

static void io_hsqsize_mqes(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t cntlid, mqes;

	if (!assoc(c, &cntlid, &mqes))
		return;
	if (mqes >= 4095) {
		conf_skip(c, "CAP.MQES %u: too deep a queue for this case", mqes);
		return;
	}
	cm_req(&r, 1, mqes, (uint16_t)(mqes + 1), cntlid);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "I/O CM request, HSQSIZE = MQES", &st, ACCEPTED) || !q)
		return;
	connect_on(c, q, 1, mqes, cntlid, &st);
	CONF_EXPECT(c, "I/O Connect with SQSIZE = MQES", &st, CONF_OK);
}

static void qid_above_max(struct conf_ctx *c)
{
	struct nvsim_sqe nq = { .opcode = nvme_admin_set_features,
				.cdw10 = htole32(NVME_FEAT_FID_NUM_QUEUES),
				.cdw11 = htole32(0xfffeu << 16 | 0xfffeu) };
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *admin, *q;
	uint16_t cntlid;
	uint32_t granted;

	if (!(admin = conf_admin(c, true, &cntlid)))
		return;
	/* Ask for the most; one past what is granted is past the maximum. */
	nvsim_hq_exec(admin, &nq, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Set Features Number of Queues, FFFEh pairs", &st, CONF_OK))
		return;
	granted = (le32toh(st.cqe.dw0) & 0xffff) + 1;
	if (granted >= 0xffff) {
		conf_skip(c, "%u queues granted: no QID lies above", granted);
		return;
	}
	cm_req(&r, (uint16_t)(granted + 1), 31, 32, cntlid);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "I/O CM request, QID one above the maximum", &st,
			    NVSIM_RDMA_CM_INVALID_QID, ACCEPTED) ||
	    !q)
		return;
	connect_on(c, q, (uint16_t)(granted + 1), 31, cntlid, &st);
	CONF_EXPECT(c, "I/O Connect with that QID", &st, CONF_INVALID_PARAM(SQE, 42),
		    CONF_KNOWN(1, 0x01, "SPDK 23.x (Invalid Queue Identifier)"));
}

static void short_private_data(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;

	/* RECFMT and QID only: IB/RoCE pad it with zeros (HRQSIZE 0), iWARP
	 * delivers 4 bytes. */
	cm_req(&r, 0, 31, 32, 0xffff);
	q = cm_try(c, &r, 4, &st);
	/* IB/RoCE pad the field to 56 bytes: a target that does not check
	 * HRQSIZE (Linux nvmet) sees a valid admin request and accepts it. */
	if (!CONF_EXPECT_CM(c, "CM request with 4 bytes of private data", &st,
			    NVSIM_RDMA_CM_INVALID_LEN, NVSIM_RDMA_CM_INVALID_HRQSIZE, ACCEPTED) ||
	    st.cm_rejected || !q)
		return;
	/* Accepted, it was read as the padded request, HSQSIZE 0: the accept
	 * still carries its private data, with a CRQSIZE covering that one
	 * entry (NVMe RDMA 1.0 §3.3 (approx.), as cm.3.2). */
	conf_note(c, "the padded request was accepted (HRQSIZE 0 not checked)");
	conf_check(c, nvsim_hq_crqsize(q) >= 1,
		   "the accept of the padded request reports CRQSIZE %u (no accept private "
		   "data, or a receive queue of none)",
		   nvsim_hq_crqsize(q));
}

static void crqsize_covers_hsqsize(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t cntlid, mqes, io_sq;

	cm_req(&r, 0, 31, 32, 0xffff);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "admin CM request, HSQSIZE 31", &st, ACCEPTED) || !q)
		return;
	conf_check(c, nvsim_hq_crqsize(q) >= 32,
		   "admin queue of 32 entries accepted with CRQSIZE %u", nvsim_hq_crqsize(q));
	if (!assoc(c, &cntlid, &mqes))
		return;
	io_sq = mqes < 127 ? mqes : 127;
	cm_req(&r, 1, io_sq, (uint16_t)(io_sq + 1), cntlid);
	q = cm_try(c, &r, sizeof(r), &st);
	if (CONF_EXPECT_CM(c, "I/O CM request", &st, ACCEPTED) && q)
		conf_check(c, nvsim_hq_crqsize(q) >= io_sq + 1u,
			   "I/O queue of %u entries accepted with CRQSIZE %u", io_sq + 1u,
			   nvsim_hq_crqsize(q));
}

static void io_queue_then_connect(struct conf_ctx *c)
{
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t cntlid, mqes;

	if (!assoc(c, &cntlid, &mqes))
		return;
	cm_req(&r, 1, 31, 32, cntlid);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "I/O CM request, QID 1, HSQSIZE 31", &st, ACCEPTED) || !q)
		return;
	connect_on(c, q, 1, 31, cntlid, &st);
	CONF_EXPECT(c, "I/O Connect on that queue", &st, CONF_OK);
}

static void ird_zero(struct conf_ctx *c)
{
	const struct conf_target *t = conf_target_of(c);
	struct nvsim_hq_config qc;
	struct nvsim_host_status st;
	struct nvsim_hq *q = NULL;

	/* conf_queue_cm cannot send 0 read resources: a queue of our own,
	 * closed here. */
	nvsim_hq_config_init(&qc);
	qc.provider = t->provider;
	qc.fabric = t->fabric;
	qc.addr = t->addr;
	qc.progress = t->progress;
	qc.progress_arg = t->progress_arg;
	qc.timeout_ms = t->timeout_ms;
	qc.qid = 0;
	qc.sqsize = 31;
	qc.responder_resources = 0; /* the target may not RDMA READ from us */
	qc.initiator_depth = 0;
	qc.exact_rd_params = true;
	nvsim_hq_connect(&qc, &q, &st);
	/* SPDK refuses; nvmet accepts and then cannot fetch write data. */
	if (CONF_EXPECT_CM(c, "CM request offering 0 RDMA READ resources", &st,
			   NVSIM_RDMA_CM_INVALID_IRD, ACCEPTED) &&
	    q)
		conf_note(c, "accepted with 0 RDMA READ resources");
	nvsim_hq_close(q);
}

/* A queue the CM set up (QID, HSQSIZE) taking a Connect that describes
 * another one.  The target sized its receive buffers, flow control and READ
 * credits from the CM request, so Connect must name the same QID and an
 * SQSIZE no larger (NVMe-oF 1.1 §7.3.3 (approx.): the CM request's QID
 * identifies the queue the RDMA QP carries). */
struct cm_mismatch {
	uint16_t cm_qid, cm_hsqsize;
	uint16_t connect_qid, connect_sqsize;
	uint16_t ipo; /* the Connect field that must be named */
	const char *what;
};

static void cm_connect_mismatch(struct conf_ctx *c)
{
	const struct cm_mismatch *m = conf_row(c);
	struct nvsim_rdma_cm_req r;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	uint16_t cntlid, mqes;

	if (!assoc(c, &cntlid, &mqes))
		return;
	if (m->connect_sqsize > mqes || m->cm_hsqsize > mqes) {
		conf_skip(c, "CAP.MQES %u: too shallow a queue for this case", mqes);
		return;
	}
	cm_req(&r, m->cm_qid, m->cm_hsqsize, (uint16_t)(m->cm_hsqsize + 1),
	       m->cm_qid ? cntlid : 0xffff);
	q = cm_try(c, &r, sizeof(r), &st);
	if (!CONF_EXPECT_CM(c, "CM request", &st, ACCEPTED) || !q)
		return;
	conf_note(c, "CM: QID %u, HSQSIZE %u; Connect: QID %u, SQSIZE %u (%s)", m->cm_qid,
		  m->cm_hsqsize, m->connect_qid, m->connect_sqsize, m->what);
	connect_on(c, q, m->connect_qid, m->connect_sqsize, cntlid, &st);
	CONF_EXPECT(c, "Connect describing another queue than the CM request", &st,
		    CONF_INVALID_PARAM(SQE, m->ipo),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (Connect not compared with the CM request)"));
}

static const struct cm_mismatch admin_as_io = { 0, 31, 1, 31, 42, "admin in the CM, I/O later" };
static const struct cm_mismatch io_as_admin = { 1, 31, 0, 31, 42, "I/O in the CM, admin later" };
static const struct cm_mismatch deeper = { 1, 31, 1, 63, 44, "SQSIZE above HSQSIZE" };

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row) { id, title, spec, level, feats, fn, row }
#define CM "NVMe-oF 1.1 §7.3.3 (approx.)"

static const struct conf_case cm_cases[] = {
	CASE("cm.1.1", "RECFMT 1 is rejected with Invalid RECFMT", CM, CONF_MANDATORY, 0,
	     recfmt_one),
	CASE("cm.1.2", "admin HSQSIZE 31 is accepted and the queue takes Connect", CM,
	     CONF_MANDATORY, 0, admin_hsqsize_31),
	CASE("cm.1.3", "admin HSQSIZE 32 is rejected or cut down", CM, CONF_OPTIONAL, 0,
	     admin_hsqsize_32),
	CASE("cm.1.4", "HRQSIZE below HSQSIZE + 1 is rejected or accepted", CM,
	     CONF_INFORMATIVE, 0, hrqsize_too_small),
	CASE("cm.2.1", "I/O HSQSIZE above CAP.MQES is refused (CM or Connect)",
	     CM ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, io_hsqsize_above_mqes),
	CASE("cm.2.2", "I/O HSQSIZE equal to CAP.MQES is accepted and connects", CM,
	     CONF_MANDATORY, 0, io_hsqsize_mqes),
	CASE("cm.2.3", "QID above the maximum is refused (CM or Connect)", CM ", NVMe-oF 1.1 §3.3",
	     CONF_MANDATORY, 0, qid_above_max),
	CASE("cm.2.4", "an I/O queue the CM accepted takes Connect", CM, CONF_MANDATORY, 0,
	     io_queue_then_connect),
	CASE("cm.3.1", "4 bytes of private data are rejected", CM, CONF_OPTIONAL, 0,
	     short_private_data),
	CASE("cm.3.2", "CRQSIZE in the accept covers HSQSIZE + 1", CM, CONF_MANDATORY, 0,
	     crqsize_covers_hsqsize),
	CASE("cm.3.3", "0 RDMA READ resources: Invalid IRD or accepted", CM, CONF_INFORMATIVE, 0,
	     ird_zero),
	CASE_ROW("cm.4.1", "a queue the CM set up as admin refuses an I/O Connect",
		 CM ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, cm_connect_mismatch, &admin_as_io),
	CASE_ROW("cm.4.2", "a queue the CM set up as I/O refuses an admin Connect",
		 CM ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, cm_connect_mismatch, &io_as_admin),
	CASE_ROW("cm.4.3", "Connect SQSIZE above the CM request's HSQSIZE is refused",
		 CM ", NVMe-oF 1.1 §3.3", CONF_MANDATORY, 0, cm_connect_mismatch, &deeper),
};

const struct conf_group conf_group_cm = { "cm", cm_cases, sizeof(cm_cases) / sizeof(cm_cases[0]) };
