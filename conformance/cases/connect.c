/* Connect (NVMe-oF 1.1 §3.3; NVMe Base 2.0 §6.3 (approx.)): admin and I/O
 * queues, every rejection with its IATTR/IPO (catalogue §3.3, §4.2), and the
 * choices Linux nvmet and SPDK make where they differ (§4.11). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nvme/types.h>

#include "conformance/case.h"
#include "conformance/runner.h"
#include "spec/cqe.h"
#include "spec/status.h"

#define DATA NVSIM_IATTR_CONNECT_DATA
#define SQE NVSIM_IATTR_SQE
#define READY_POLLS 1000
#define VS_2_0 0x00020000u

/* A host ACL refusing a HOSTNQN it does not list answers Connect Invalid
 * Host, whatever else is wrong with the Connect (NVMe Base 2.2 §6.3, which
 * takes over NVMe-oF 1.1 §3.3; the two rules are not ordered). */
#define INVALID_HOST_CITE                                                                    \
	"NVMe Base 2.2 §6.3 (NVMe-oF 1.1 §3.3), Connect: \"If the host is not allowed to "     \
	"establish an association to any controller in the NVM subsystem, then the "         \
	"controller shall abort the command with a status code of Connect Invalid Host.\""

#define NQN_UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Whether nqn names an identity the run uses (NQNs compare as text; the
 * UUID form's hex may come in either case). */
static bool nqn_in_use(const struct conf_ctx *c, const char *nqn)
{
	const struct conf_target *t = conf_target_of(c);
	const char *used[] = { t->hostnqn, conf_subnqn(c), conf_discovery_nqn(c),
			       conf_refusing_subnqn(c) };

	for (size_t i = 0; i < sizeof(used) / sizeof(used[0]); i++)
		if (used[i] && !strcasecmp(nqn, used[i]))
			return true;
	return false;
}

/* A host NQN no target can have been set up with, and never the one under
 * test: a UUID-form NQN (NVMe Base 2.0 §4.5 (approx.)) with a version 4 UUID
 * drawn from the run's seed, so that a rerun with the seed repeats it;
 * drawn again on a clash. */
static void other_hostnqn(const struct conf_ctx *c, char *nqn, size_t len)
{
	uint64_t x = conf_seed(c) ^ 0x686f73746e716e31ull;

	do {
		uint64_t a = splitmix64(&x), b = splitmix64(&x);

		snprintf(nqn, len, NQN_UUID_PREFIX "%08x-%04x-4%03x-%04x-%012llx",
			 (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
			 0x8000u | ((unsigned)(b >> 48) & 0x3fffu),
			 (unsigned long long)(b & 0xffffffffffffull));
	} while (nqn_in_use(c, nqn));
}

/* A SUBNQN no subsystem of the target has: seeded, and never one the run
 * names. */
static void unknown_subnqn_of(const struct conf_ctx *c, char *nqn, size_t len)
{
	uint64_t x = conf_seed(c) ^ 0x7375626e716e3078ull;

	do
		snprintf(nqn, len, "nqn.2026-11.io.nvmf-sim.conformance:no-such-subsystem-%016llx",
			 (unsigned long long)splitmix64(&x));
	while (nqn_in_use(c, nqn));
}

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
			    CONF_KNOWN(0, 0x02, "SPDK 23.x (Invalid Field for the length)"));
}

static void unknown_subnqn(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	char nqn[NVMF_NQN_SIZE + 1];

	conf_connect_args(c, 0, &a);
	unknown_subnqn_of(c, nqn, sizeof(nqn));
	a.subnqn = nqn;
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

/* Connect Invalid Parameters if "there is a syntax error in the Host NQN or
 * NVM Subsystem NQN value" (NVMe Base 2.2 §6.3, NQN syntax in §4.7; NVMe-oF
 * 1.1 §3.3; catalogue §4.2).  A subsystem with a host ACL refuses the host
 * before its syntax matters: Connect Invalid Host, which §6.3 also
 * prescribes, without ordering the two. */
static void hostnqn_malformed(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	a.hostnqn = "not-an-nqn";
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with HOSTNQN 'not-an-nqn'", &st,
			    CONF_INVALID_PARAM(DATA, 512),
			    CONF_PERMIT(1, 0x84, INVALID_HOST_CITE),
			    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (no HOSTNQN syntax check)"));
}

/* "If the Host Identifier is cleared to 0h, then a status value of Connect
 * Invalid Parameters is returned" (NVMe-oF 1.1 §3.3 (approx.); catalogue
 * §4.2). */
static void hostid_zero(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	conf_connect_args(c, 0, &a);
	memset(a.hostid, 0, sizeof(a.hostid));
	if (admin_try(c, &a, &st))
		CONF_EXPECT(c, "Connect with HOSTID 0", &st, CONF_INVALID_PARAM(DATA, 0),
			    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (HOSTID not checked)"));
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
		    CONF_KNOWN(0, 0x0c, "SPDK 23.x (Command Sequence Error)"),
		    CONF_KNOWN(0, 0x01, "Linux nvmet 6.1 (Connect is unknown once connected)"));
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
		    CONF_KNOWN(0, 0x01, "Linux nvmet 6.1 (every opcode but Connect is unknown)"));
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

/* An admin queue (enabled when asked) and Connect arguments for I/O queue 1
 * of its controller; the admin queue, or NULL. */
static struct nvsim_hq *io_args(struct conf_ctx *c, bool enable, struct conf_connect_args *a)
{
	struct nvsim_hq *admin;
	uint16_t cntlid;

	if (!(admin = conf_admin(c, enable, &cntlid)))
		return NULL;
	conf_connect_args(c, 1, a);
	a->cntlid = cntlid;
	return admin;
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

/* "the Host NQN, NVM Subsystem NQN, and the Controller ID values specified
 * for an I/O Queue are not the same as the values specified for the
 * associated Admin Queue" is Connect Invalid Parameters (NVMe Base 2.2 §6.3;
 * NVMe-oF 1.1 §3.3): at the HOSTNQN, or at the CNTLID that host has no
 * controller under.  A host ACL may refuse the unknown NQN first. */
static void io_other_hostnqn(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	char nqn[NVMF_NQN_SIZE + 1];

	if (!io_args(c, true, &a))
		return;
	other_hostnqn(c, nqn, sizeof(nqn));
	a.hostnqn = nqn;
	conf_note(c, "the other HOSTNQN: %s", nqn);
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect from another HOSTNQN", &st,
			    CONF_INVALID_PARAM(DATA, 16), CONF_INVALID_PARAM(DATA, 512),
			    CONF_PERMIT(1, 0x84, INVALID_HOST_CITE));
}

/* "If the Host Identifier, Host NQN, NVM Subsystem NQN, and Controller ID
 * values specified for an I/O Queue are not the same as the values specified
 * for the associated Admin Queue ... Connect Invalid Parameters" (NVMe-oF 1.1
 * §3.3 (approx.); catalogue §4.2): here only the HOSTID differs, so the error
 * location is the HOSTID. */
static void io_other_hostid(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!io_args(c, true, &a))
		return;
	a.hostid[15] ^= 0xff;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect with another HOSTID", &st, CONF_INVALID_PARAM(DATA, 0),
			    CONF_PERMIT(1, 0x84, INVALID_HOST_CITE),
			    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (I/O Connect ignores HOSTID)"));
}

/* I/O queues are created once the controller is enabled and ready (NVMe Base
 * 2.0 §3.5.2 (approx.), NVMe-oF 1.1 §3.3 (approx.)); SPDK and the catalogue
 * (§3.3) refuse with Connect Invalid Parameters at the QID. */
static void io_before_enable(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (io_args(c, false, &a) && io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect while CC.EN is 0", &st, CONF_INVALID_PARAM(SQE, 42),
			    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (no enable check on I/O Connect)"));
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
			    CONF_INVALID_PARAM(SQE, 42),
			    CONF_KNOWN(1, 0x01, "SPDK 23.x (Invalid Queue Identifier)"));
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
			    CONF_KNOWN(1, 0x01, "SPDK 23.x (Invalid Queue Identifier)"));
}

/* CC.EN 1 (with the entry sizes a Linux host writes) and CSTS.RDY within
 * READY_POLLS turns of the target; false, recorded, otherwise. */
static bool enable_ready(struct conf_ctx *c, struct nvsim_hq *q, const char *what)
{
	uint64_t csts;

	return conf_enable(c, q, what, &csts) &&
	       conf_check(c, NVME_CSTS_RDY(csts) && !NVME_CSTS_CFS(csts),
			  "%s: CSTS %#x, not ready (NVMe Base 2.0 §3.5.2 (approx.))", what,
			  (unsigned)csts);
}

/* Enabled and ready first, so that only the controller's kind can be the
 * reason for the refusal. */
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
	if (!enable_ready(c, q, "Property Set CC.EN 1 on the discovery controller"))
		return;
	a.qid = 1;
	if (io_try(c, &a, &st))
		CONF_EXPECT(c, "I/O Connect to a discovery controller", &st,
			    CONF_INVALID_PARAM(SQE, 42), CONF_INVALID_PARAM(DATA, 16));
}

/* Disconnect (FCTYPE 08h) arrived in NVMe Base 2.0 (§6.4 (approx.)); an
 * older controller has none.  Returns 1 when VS is 2.0 or later, 0 when
 * older, -1 when VS could not be read (recorded). */
static int has_disconnect(struct conf_ctx *c, struct nvsim_hq *admin, uint32_t *vs)
{
	struct nvsim_host_status st;
	uint64_t v = 0;

	if (nvsim_host_prop_get(admin, NVME_REG_VS, false, &v, &st)) {
		CONF_EXPECT(c, "Property Get VS", &st, CONF_OK);
		return -1;
	}
	*vs = (uint32_t)v;
	return *vs >= VS_2_0;
}

static void io_reconnect_after_disconnect(struct conf_ctx *c)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *admin, *q;
	struct nvsim_sqe disc = { .opcode = NVSIM_FABRICS_OPCODE };
	uint32_t vs = 0;
	int disconnect;

	if (!(admin = io_args(c, true, &a)) || (disconnect = has_disconnect(c, admin, &vs)) < 0 ||
	    !(q = conf_queue(c, 1, 31)))
		return;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "I/O Connect, QID 1", &st, CONF_OK))
		return;
	if (disconnect) {
		((struct nvsim_sqe_fabrics *)&disc)->fctype = 0x08;
		nvsim_hq_exec(q, &disc, NULL, 0, NVSIM_DIR_NONE, &st);
		if (!CONF_EXPECT(c, "Disconnect on I/O queue 1", &st, CONF_OK))
			return;
	} else {
		conf_note(c, "VS %#x predates Disconnect (NVMe Base 2.0): the transport "
			     "connection alone ends the queue", vs);
	}
	conf_close(c, q);
	/* A target tears the old queue down in its own time (at once after a
	 * Disconnect, later after a transport disconnect): retry a while. */
	for (int i = 0; i < 20; i++) {
		conf_advance(c, i ? 100 : 0);
		if (!io_try(c, &a, &st))
			return;
		/* the old QID 1 still bound: Command Sequence Error, DNR or not */
		if (!(st.has_cqe && nvsim_status_sct(st.sf) == 0 && nvsim_status_sc(st.sf) == 0x0c))
			break;
	}
	CONF_EXPECT(c, disconnect ? "I/O Connect, QID 1 again after Disconnect"
				  : "I/O Connect, QID 1 again after the transport disconnect",
		    &st, CONF_OK);
}

/* The TREQ of our subsystem's Discovery log entry, or -1 when there is no
 * discovery controller or no entry. */
static int subsys_treq(struct conf_ctx *c)
{
	const struct nvmf_discovery_log *log;
	struct nvsim_host_status st;
	struct nvsim_host *h;
	void *buf = NULL;
	size_t len = 0;
	int treq = -1;

	if (!(conf_target_of(c)->features & CONF_F_DISCOVERY) ||
	    !(h = conf_connect_discovery(c)))
		return -1;
	if (nvsim_host_discovery_log(h, &buf, &len, &st)) {
		CONF_EXPECT(c, "reading the Discovery log", &st, CONF_OK);
	} else {
		log = buf;
		for (uint64_t i = 0; len >= sizeof(*log) && i < le64toh(log->numrec) &&
				     sizeof(*log) + (i + 1) * sizeof(log->entries[0]) <= len;
		     i++) {
			if (!strncmp(log->entries[i].subnqn, conf_subnqn(c),
				     sizeof(log->entries[i].subnqn))) {
				treq = log->entries[i].treq;
				break;
			}
		}
	}
	free(buf);
	conf_disconnect(c, h);
	return treq;
}

/* TP 8005 (NVMe-oF 1.1 §3.3, §2.4.1 (approx.)): a controller that disables SQ
 * flow control answers the Connect with SQHD FFFFh and omits head updates
 * from then on; the Discovery log's TREQ bit 2 says whether it can. */
#define SQFLOW_OPTIONAL                                                                      \
	"NVMe-oF 1.1 Discovery Log Page Entry TREQ (approx.): bit 2 cleared means the "      \
	"controller does not support disabling SQ flow control, and the host must use it"

static void sq_flow_disabled(struct conf_ctx *c)
{
	int treq = subsys_treq(c);
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	uint16_t sqhd;
	uint64_t v;

	if (!q)
		return;
	conf_connect_args(c, 0, &a);
	a.cattr = NVSIM_CONNECT_CATTR_DISABLE_SQFLOW;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "admin Connect disabling SQ flow control", &st, CONF_OK))
		return;
	sqhd = le16toh(st.cqe.sqhd);
	if (treq >= 0)
		conf_note(c, "Discovery log TREQ %#x for the subsystem", (unsigned)treq);
	if (sqhd == 0xffff) {
		/* Disabled: later SQHD values carry nothing. */
		nvsim_host_prop_get(q, NVME_REG_VS, false, &v, &st);
		CONF_EXPECT(c, "Property Get VS with SQ flow control disabled", &st, CONF_OK);
		return;
	}
	if (treq >= 0 && (treq & NVMF_TREQ_DISABLE_SQFLOW)) {
		conf_check(c, false,
			   "the Discovery log advertises SQ flow control disable (TREQ %#x), yet "
			   "the Connect asking for it reported SQHD %#x, not FFFFh",
			   (unsigned)treq, sqhd);
		return;
	}
	conf_permitted(c, SQFLOW_OPTIONAL, "the controller kept SQ flow control (TREQ %s)",
		       treq < 0 ? "unknown" : "bit 2 clear");
	/* Then flow control is in force and the head must be real. */
	if (!conf_check(c, sqhd == 1, "the Connect reported SQHD %#x; FFFFh (disabled) or 1",
			sqhd))
		return;
	nvsim_host_prop_get(q, NVME_REG_VS, false, &v, &st);
	if (CONF_EXPECT(c, "Property Get VS", &st, CONF_OK))
		conf_check(c, le16toh(st.cqe.sqhd) == 2,
			   "SQHD %u after the second command with SQ flow control kept; 2 expected",
			   le16toh(st.cqe.sqhd));
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CONNECT "NVMe-oF 1.1 §3.3"

static const struct conf_case connect_cases[] = {
	CASE("connect.1.1", "admin Connect returns a dynamic CNTLID", CONNECT, CONF_MANDATORY, 0,
	     admin_connect_returns_cntlid),
	CASE("connect.1.2", "RECFMT other than 0 is Incompatible Format", CONNECT, CONF_MANDATORY,
	     0, recfmt_nonzero),
	CASE("connect.1.3", "Connect data other than 1024 bytes is refused", CONNECT,
	     CONF_MANDATORY, 0, data_not_1024),
	CASE("connect.1.4", "unknown SUBNQN: Invalid Parameters at data byte 256", CONNECT,
	     CONF_MANDATORY, 0, unknown_subnqn),
	CASE("connect.1.5", "SUBNQN without NUL: Invalid Parameters at data byte 256",
	     CONNECT ", NVMe Base 2.0 §4.5", CONF_MANDATORY, 0, subnqn_without_nul),
	CASE("connect.1.6", "malformed HOSTNQN: Invalid Parameters at byte 512, or Invalid Host",
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
	CASE("connect.1.16", "CATTR disabling SQ flow control: Connect SQHD FFFFh, or kept",
	     CONNECT ", §2.4.1 (approx.)", CONF_OPTIONAL, 0, sq_flow_disabled),
	CASE("connect.1.17", "the Connect completion reports SQ head 1", CONNECT ", §2.4.1",
	     CONF_MANDATORY, 0, connect_reports_sqhd_1),
	CASE("connect.2.1", "I/O Connect to an enabled controller succeeds", CONNECT,
	     CONF_MANDATORY, 0, io_connect_succeeds),
	CASE("connect.2.2", "I/O Connect to an unknown CNTLID: data byte 16", CONNECT,
	     CONF_MANDATORY, 0, io_unknown_cntlid),
	CASE("connect.2.3", "I/O Connect from another HOSTNQN is refused", CONNECT, CONF_MANDATORY,
	     0, io_other_hostnqn),
	CASE("connect.2.4", "I/O Connect with another HOSTID is refused", CONNECT, CONF_MANDATORY,
	     0, io_other_hostid),
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
	CASE("connect.2.10", "an I/O queue connects again after Disconnect (or the transport's)",
	     CONNECT ", NVMe Base 2.0 §6.4", CONF_OPTIONAL, 0, io_reconnect_after_disconnect),
};

const struct conf_group conf_group_connect = { "connect", connect_cases,
						sizeof(connect_cases) / sizeof(connect_cases[0]) };
