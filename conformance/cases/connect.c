/* Connect (NVMe-oF 1.1 §3.3; NVMe Base 2.0 §6.3 (approx.)): admin and I/O
 * queues, every rejection with its IATTR/IPO (catalogue §3.3, §4.2), and the
 * choices Linux nvmet and SPDK make where they differ (§4.11). */
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "spec/cqe.h"
#include "spec/status.h"

#define DATA NVSIM_IATTR_CONNECT_DATA
#define SQE NVSIM_IATTR_SQE

/* Admin Connect with the arguments a; the answer in st. */
static bool admin_try(struct conf_ctx *c, const struct conf_connect_args *a,
		      struct nvsim_host_status *st)
{
	struct nvsim_hq *q = conf_queue(c, 0, 31);

	if (!q)
		return false;
	conf_send_connect(c, q, a, st);
	return true;
}

static void admin_connect_returns_cntlid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	uint16_t cntlid;

	conf_connect_args(c, 0, &a);
	if (!admin_try(c, &a, &st) || !CONF_EXPECT(c, "admin Connect", &st, CONF_OK))
		return;
	cntlid = (uint16_t)le32toh(st.cqe.dw0);
	conf_check(c, cntlid >= 1 && cntlid <= 0xffef,
		   "admin Connect returned CNTLID %#x, outside 1h..FFEFh (dynamic model)", cntlid);
}

/* The Connect capsule is the queue's first entry: once the controller has
 * taken it, the head points at entry 1 (NVMe-oF 1.1 §2.4.1 (approx.)). */
static void connect_reports_sqhd_1(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	if (!admin_try(c, &a, &st) || !CONF_EXPECT(c, "admin Connect", &st, CONF_OK))
		return;
	conf_check(c, le16toh(st.cqe.sqhd) == 1,
		   "the Connect completion reports SQHD %u; the Connect took entry 0, so 1",
		   le16toh(st.cqe.sqhd));
}

static void recfmt_nonzero(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.recfmt = 1;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with RECFMT 1", &st, CONF_STATUS(1, 0x80));
}

static void data_not_1024(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.data_len = 512;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with 512 bytes of data", &st, CONF_STATUS(0, 0x0f),
			    CONF_KNOWN(0, 0x02, "SPDK"));
}

static void unknown_subnqn(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.subnqn = "nqn.2026-11.io.nvmf-sim.conformance:no-such-subsystem";
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect to an unknown SUBNQN", &st, CONF_INVALID_PARAM(DATA, 256));
}

static void subnqn_without_nul(struct conf_ctx *c)
{
	char nqn[300];
	struct conf_connect_args a;
	struct nvsim_host_status st;

	memset(nqn, 'x', sizeof(nqn) - 1);
	memcpy(nqn, "nqn.2026-11.io.nvmf-sim:", 24);
	nqn[sizeof(nqn) - 1] = 0;
	conf_connect_args(c, 0, &a);
	a.subnqn = nqn; /* fills all 256 bytes: no terminator */
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with a SUBNQN lacking NUL", &st,
			    CONF_INVALID_PARAM(DATA, 256));
}

static void hostnqn_malformed(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.hostnqn = "not-an-nqn";
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with HOSTNQN 'not-an-nqn'", &st,
			    CONF_INVALID_PARAM(DATA, 512),
			    CONF_KNOWN(0, 0, "Linux nvmet (no NQN syntax check)"));
}

static void hostid_zero(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	memset(a.hostid, 0, sizeof(a.hostid));
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with HOSTID 0", &st, CONF_INVALID_PARAM(DATA, 0),
			    CONF_KNOWN(0, 0, "Linux nvmet"));
}

static void sqsize_zero(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.sqsize = 0;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "admin Connect with SQSIZE 0", &st, CONF_INVALID_PARAM(SQE, 44));
}

static void admin_sqsize_too_big(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.sqsize = 4095;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "admin Connect with SQSIZE 4095", &st, CONF_INVALID_PARAM(SQE, 44));
}

static void admin_static_cntlid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.cntlid = 1;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "admin Connect asking for CNTLID 1", &st,
			    CONF_INVALID_PARAM(DATA, 16));
}

static void second_connect_busy(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!q)
		return;
	conf_connect_args(c, 0, &a);
	conf_send_connect(c, q, &a, &st);
	CONF_EXPECT(c, "a second Connect on a connected queue", &st, CONF_STATUS(1, 0x81),
		    CONF_KNOWN(0, 0x0c, "SPDK"),
		    CONF_KNOWN(0, 0x01, "Linux nvmet (Connect is unknown once connected)"));
}

static void command_before_connect(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };
	struct nvsim_host_status st;

	if (!q)
		return;
	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &st);
	CONF_EXPECT(c, "Keep Alive before Connect", &st, CONF_STATUS(0, 0x0c),
		    CONF_KNOWN(0, 0x01, "Linux nvmet"));
}

static void host_not_allowed(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!conf_refusing_subnqn(c)) {
		conf_skip(c, "no subsystem refusing our host was named");
		return;
	}
	conf_connect_args(c, 0, &a);
	a.subnqn = conf_refusing_subnqn(c);
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect by a host the subsystem does not allow", &st,
			    CONF_STATUS(1, 0x84));
}

static void kato_zero_accepted(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.kato = 0;
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "admin Connect with KATO 0", &st, CONF_OK);
}

static void discovery_kato_zero_defaults(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	struct nvsim_sqe get = { .opcode = nvme_admin_get_features, .cdw10 = htole32(0x0f) };

	if (!q)
		return;
	conf_connect_args(c, 0, &a);
	a.subnqn = conf_discovery_nqn(c);
	a.kato = 0;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "discovery Connect with KATO 0", &st, CONF_OK))
		return;
	if (!nvsim_host_prop_set(q, 0x14, false, 1u | 6u << 16 | 4u << 20, &st) &&
	    !nvsim_hq_exec(q, &get, NULL, 0, NVSIM_DIR_NONE, &st))
		conf_note(c, "discovery KATO after Connect with 0: %u ms", le32toh(st.cqe.dw0));
}

/* ---- I/O queues -------------------------------------------------------------------- */

static bool io_try(struct conf_ctx *c, const struct conf_connect_args *a,
		   struct nvsim_host_status *st)
{
	struct nvsim_hq *q = conf_queue(c, a->qid ? a->qid : 1, 31);

	if (!q)
		return false;
	conf_send_connect(c, q, a, st);
	return true;
}

static bool io_args(struct conf_ctx *c, bool enable, struct conf_connect_args *a)
{
	uint16_t cntlid;

	if (!conf_admin(c, enable, &cntlid))
		return false;
	conf_connect_args(c, 1, a);
	a->cntlid = cntlid;
	return true;
}

static void io_connect_succeeds(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (io_args(c, true, &a) && io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect, QID 1", &st, CONF_OK);
}

static void io_unknown_cntlid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a))
		return;
	a.cntlid = (uint16_t)(a.cntlid == 0xffef ? 1 : a.cntlid + 1);
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect to another CNTLID", &st, CONF_INVALID_PARAM(DATA, 16));
}

static void io_other_hostnqn(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a))
		return;
	a.hostnqn = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect from another HOSTNQN", &st, CONF_INVALID_PARAM(DATA, 16),
			    CONF_INVALID_PARAM(DATA, 512));
}

static void io_other_hostid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a))
		return;
	a.hostid[15] ^= 0xff;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect with another HOSTID", &st, CONF_INVALID_PARAM(DATA, 0),
			    CONF_INVALID_PARAM(DATA, 16), CONF_KNOWN(0, 0, "Linux nvmet"));
}

static void io_before_enable(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (io_args(c, false, &a) && io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect while CC.EN is 0", &st, CONF_INVALID_PARAM(SQE, 42),
			    CONF_KNOWN(0, 0, "Linux nvmet (no enable check on I/O Connect)"));
}

static void io_qid_above_granted(struct conf_ctx *c)
{
	struct nvsim_sqe nq = { .opcode = nvme_admin_set_features, .cdw10 = htole32(0x07) };
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *admin;
	uint16_t cntlid;
	uint32_t granted;

	if (!(admin = conf_admin(c, true, &cntlid)))
		return;
	/* Ask for one pair; connect one past whatever is granted. */
	nvsim_hq_exec(admin, &nq, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Set Features Number of Queues, one pair", &st, CONF_OK))
		return;
	granted = (le32toh(st.cqe.dw0) & 0xffff) + 1;
	conf_connect_args(c, (uint16_t)(granted + 1), &a);
	a.cntlid = cntlid;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect with QID one above the granted count", &st,
			    CONF_INVALID_PARAM(SQE, 42), CONF_KNOWN(1, 0x01, "SPDK"));
}

static void io_sqsize_zero(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a))
		return;
	a.sqsize = 0;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect with SQSIZE 0", &st, CONF_INVALID_PARAM(SQE, 44));
}

static void io_duplicate_qid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a) || !io_try(c, &a, &st) ||
	    !CONF_EXPECT(c, "first I/O Connect, QID 1", &st, CONF_OK))
		return;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "second I/O Connect with QID 1", &st, CONF_STATUS(0, 0x0c),
			    CONF_KNOWN(1, 0x01, "SPDK"));
}

static void io_to_discovery(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!q)
		return;
	conf_connect_args(c, 0, &a);
	a.subnqn = conf_discovery_nqn(c);
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "discovery admin Connect", &st, CONF_OK))
		return;
	a.cntlid = (uint16_t)le32toh(st.cqe.dw0);
	nvsim_host_prop_set(q, 0x14, false, 1u | 6u << 16 | 4u << 20, &st);
	a.qid = 1;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect to a discovery controller", &st,
			    CONF_INVALID_PARAM(SQE, 42), CONF_INVALID_PARAM(DATA, 16));
}

static void io_reconnect_after_disconnect(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q;
	struct nvsim_sqe disc = { .opcode = NVSIM_FABRICS_OPCODE };

	if (!io_args(c, true, &a) || !(q = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "I/O Connect, QID 1", &st, CONF_OK))
		return;
	((struct nvsim_sqe_fabrics *)&disc)->fctype = 0x08;
	nvsim_hq_exec(q, &disc, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Disconnect on I/O queue 1", &st, CONF_OK,
			 CONF_KNOWN(0, 0x01, "targets before NVMe 2.0")))
		return;
	conf_close(c, q);
	/* A target tears the old queue down in its own time (at once after a
	 * Disconnect, later after a transport disconnect): retry a while. */
	for (int i = 0; i < 20; i++) {
		conf_advance(c, i ? 100 : 0);
		if (!io_try(c, &a, &st))
			return;
		if (!(st.has_cqe && st.sf == nvsim_status(0, 0x0c, true)))
			break;
	}
	CONF_EXPECT(c, "I/O Connect, QID 1 again after Disconnect", &st, CONF_OK);
}

static void sq_flow_disabled(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	uint64_t v;

	if (!q)
		return;
	conf_connect_args(c, 0, &a);
	a.cattr = NVSIM_CONNECT_CATTR_DISABLE_SQFLOW;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "admin Connect disabling SQ flow control", &st, CONF_OK))
		return;
	nvsim_host_prop_get(q, 0x08, false, &v, &st);
	if (!CONF_EXPECT(c, "Property Get VS", &st, CONF_OK) || le16toh(st.cqe.sqhd) == 0xffff)
		return;
	/* Support for disabling SQ flow control is optional (TREQ bit 2 in
	 * the Discovery log); a target without it keeps reporting a head. */
	conf_check_known(c, false, "Linux nvmet 6.1 over rdma",
			"SQHD is %#x with SQ flow control disabled; FFFFh when supported "
			"(NVMe-oF 1.1 §2.4.1 (approx.))", le16toh(st.cqe.sqhd));
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn }
#define CONNECT "NVMe-oF 1.1 §3.3"

static const struct conf_case connect_cases[] = {
	CASE("connect.1.1", "admin Connect returns a dynamic CNTLID", CONNECT, CONF_MANDATORY, 0,
	     admin_connect_returns_cntlid),
	CASE("connect.1.2", "RECFMT other than 0 is Incompatible Format", CONNECT, CONF_MANDATORY, 0,
	     recfmt_nonzero),
	CASE("connect.1.3", "Connect data other than 1024 bytes is refused", CONNECT,
	     CONF_MANDATORY, 0, data_not_1024),
	CASE("connect.1.4", "unknown SUBNQN: Invalid Parameters at data byte 256", CONNECT,
	     CONF_MANDATORY, 0, unknown_subnqn),
	CASE("connect.1.5", "SUBNQN without NUL: Invalid Parameters at data byte 256",
	     CONNECT ", NVMe Base 2.0 §4.5", CONF_MANDATORY, 0, subnqn_without_nul),
	CASE("connect.1.6", "malformed HOSTNQN: Invalid Parameters at data byte 512",
	     CONNECT ", NVMe Base 2.0 §4.5", CONF_MANDATORY, 0, hostnqn_malformed),
	CASE("connect.1.7", "HOSTID of zero: Invalid Parameters at data byte 0", CONNECT,
	     CONF_MANDATORY, 0, hostid_zero),
	CASE("connect.1.8", "SQSIZE 0: Invalid Parameters at SQE byte 44", CONNECT, CONF_MANDATORY,
	     0, sqsize_zero),
	CASE("connect.1.9", "admin SQSIZE above the admin queue limit: SQE byte 44", CONNECT,
	     CONF_MANDATORY, 0, admin_sqsize_too_big),
	CASE("connect.1.10", "admin Connect for a static CNTLID: data byte 16", CONNECT,
	     CONF_MANDATORY, 0, admin_static_cntlid),
	CASE("connect.1.11", "a second Connect on a connected queue is Controller Busy", CONNECT,
	     CONF_MANDATORY, 0, second_connect_busy),
	CASE("connect.1.12", "a command before Connect is refused", CONNECT, CONF_MANDATORY, 0,
	     command_before_connect),
	CASE("connect.1.13", "a host the subsystem does not allow: Connect Invalid Host", CONNECT,
	     CONF_MANDATORY, CONF_F_HOST_FILTER, host_not_allowed),
	CASE("connect.1.14", "admin Connect with KATO 0 is accepted", CONNECT ", §5.21.1.15",
	     CONF_INFORMATIVE, 0, kato_zero_accepted),
	CASE("connect.1.15", "discovery Connect with KATO 0 is accepted", CONNECT,
	     CONF_INFORMATIVE, CONF_F_DISCOVERY, discovery_kato_zero_defaults),
	CASE("connect.1.16", "CATTR disabling SQ flow control reports SQHD FFFFh",
	     CONNECT ", §2.4.1", CONF_OPTIONAL, 0, sq_flow_disabled),
	CASE("connect.1.17", "the Connect completion reports SQ head 1", CONNECT ", §2.4.1",
	     CONF_MANDATORY, 0, connect_reports_sqhd_1),
	CASE("connect.2.1", "I/O Connect to an enabled controller succeeds", CONNECT,
	     CONF_MANDATORY, 0, io_connect_succeeds),
	CASE("connect.2.2", "I/O Connect to an unknown CNTLID: data byte 16", CONNECT,
	     CONF_MANDATORY, 0, io_unknown_cntlid),
	CASE("connect.2.3", "I/O Connect from another HOSTNQN is refused", CONNECT, CONF_MANDATORY,
	     0, io_other_hostnqn),
	CASE("connect.2.4", "I/O Connect with another HOSTID is refused", CONNECT, CONF_MANDATORY, 0,
	     io_other_hostid),
	CASE("connect.2.5", "I/O Connect before CC.EN: SQE byte 42", CONNECT ", NVMe Base 2.0 §3.5",
	     CONF_MANDATORY, 0, io_before_enable),
	CASE("connect.2.6", "I/O Connect with QID above the granted count is refused", CONNECT,
	     CONF_MANDATORY, 0, io_qid_above_granted),
	CASE("connect.2.7", "I/O Connect with SQSIZE 0: SQE byte 44", CONNECT, CONF_MANDATORY, 0,
	     io_sqsize_zero),
	CASE("connect.2.8", "a QID connected twice is refused", CONNECT, CONF_MANDATORY, 0,
	     io_duplicate_qid),
	CASE("connect.2.9", "I/O Connect to a discovery controller is refused", CONNECT,
	     CONF_MANDATORY, CONF_F_DISCOVERY, io_to_discovery),
	CASE("connect.2.10", "an I/O queue connects again after Disconnect",
	     CONNECT ", NVMe Base 2.0 §6.4", CONF_OPTIONAL, 0, io_reconnect_after_disconnect),
};

const struct conf_group conf_group_connect = { "connect", connect_cases,
						sizeof(connect_cases) / sizeof(connect_cases[0]) };
