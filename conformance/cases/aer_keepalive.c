/* Asynchronous Event Request, Abort and Keep Alive (NVMe Base 2.0 §5.2, §5.1,
 * §5.26, §3.9 (approx.); catalogue §4.5): AERs wait up to AERL + 1 and the
 * next is refused; an outstanding AER can be aborted (or the Abort may
 * decline, which DW0 bit 0 says); Keep Alive on I/O and discovery
 * controllers; and the association ending when KATO passes without one.
 *
 * The timer cases need a clock the harness moves (CONF_F_TIME): against a
 * real target they would sleep for whole keep-alive periods. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "conformance/case.h"

#define READY_POLLS 1000
#define SETTLE_MS 100	   /* time for a target to answer what it will answer */
#define DEATH_POLLS 200	   /* progress turns for a teardown to reach the host */
#define UNKNOWN_CID 0xfff0 /* far above any CID the host wing has used */
#define CASE_KATO_MS 10000u
#define ANSWER_MS 1000	   /* how long a command that must complete may take */
#define ANSWER_STEP_MS 10

/* ---- helpers ---------------------------------------------------------------------- */

static bool identify_ctrl(struct conf_ctx *c, struct nvsim_hq *q, struct nvme_id_ctrl *id)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_identify,
				 .cdw10 = htole32(NVME_IDENTIFY_CNS_CTRL) };
	struct nvsim_host_status st;

	nvsim_hq_exec(q, &sqe, id, sizeof(*id), NVSIM_DIR_C2H, &st);
	return CONF_EXPECT(c, "Identify Controller", &st, CONF_OK);
}

static bool enable(struct conf_ctx *c, struct nvsim_hq *q)
{
	uint64_t csts;

	if (!conf_enable(c, q, "Property Set CC.EN = 1", &csts))
		return false;
	if (NVME_CSTS_RDY(csts))
		return true;
	conf_error(c, "controller did not become ready (CSTS %#llx)", (unsigned long long)csts);
	return false;
}

/* An enabled admin queue whose Connect asked for this KATO. */
static struct nvsim_hq *admin_kato(struct conf_ctx *c, uint32_t kato)
{
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	struct conf_connect_args a;
	struct nvsim_host_status st;

	if (!q)
		return NULL;
	conf_connect_args(c, 0, &a);
	a.kato = kato;
	conf_send_connect(c, q, &a, &st);
	if (!CONF_EXPECT(c, "admin Connect", &st, CONF_OK) || !enable(c, q))
		return NULL;
	return q;
}

static void keep_alive(struct nvsim_hq *q, struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_keep_alive };

	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}

/* True when the queue is still up after the target has had its say. */
static bool still_connected(struct conf_ctx *c, struct nvsim_hq *q)
{
	for (int i = 0; i < DEATH_POLLS; i++) {
		conf_progress(c);
		nvsim_hq_poll(q);
		if (!nvsim_hq_connected(q))
			return false;
	}
	return true;
}

static uint32_t target_kato(struct conf_ctx *c)
{
	struct conf_connect_args a;
	uint32_t kato;

	/* The KATO every admin Connect of the harness carries. */
	conf_connect_args(c, 0, &a);
	kato = a.kato;
	if (!kato)
		conf_skip(c, "the harness connects with KATO 0");
	return kato;
}

/* ---- asynchronous events ----------------------------------------------------------- */

static void aer_status(const struct nvsim_hcmd *cmd, struct nvsim_host_status *st)
{
	memset(st, 0, sizeof(*st));
	st->has_cqe = true;
	st->cqe = cmd->cqe;
	st->sf = nvsim_cqe_status_field(&cmd->cqe);
}

/* Give one started command up to ANSWER_MS to complete; false when it has
 * not (st then says why: still waiting, or the queue died). */
static bool finish(struct conf_ctx *c, struct nvsim_hq *q, struct nvsim_hcmd *cmd,
		   struct nvsim_host_status *st)
{
	memset(st, 0, sizeof(*st));
	for (int waited = 0; waited < ANSWER_MS; waited += ANSWER_STEP_MS) {
		int ret = nvsim_hq_reap(q, cmd);

		if (!ret) {
			aer_status(cmd, st);
			return true;
		}
		if (ret != -EAGAIN) {
			st->err = ret;
			return false;
		}
		conf_advance(c, ANSWER_STEP_MS);
	}
	st->err = -ETIMEDOUT;
	return false;
}

static bool start_aers(struct conf_ctx *c, struct nvsim_hq *q, struct nvsim_hcmd *cmds,
		       unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct nvsim_sqe sqe = { .opcode = nvme_admin_async_event };
		int ret = nvsim_hq_start(q, &sqe, NULL, 0, NVSIM_DIR_NONE, &cmds[i]);

		if (ret) {
			conf_error(c, "sending AER %u: %s", i + 1, strerror(-ret));
			return false;
		}
	}
	return true;
}

/* Every AER of cmds must still be waiting: no event exists on a fresh
 * controller, so a completion is the target's doing. */
static bool aers_waiting(struct conf_ctx *c, struct nvsim_hq *q, struct nvsim_hcmd *cmds,
			 unsigned int n)
{
	struct nvsim_host_status st;
	char got[200];

	conf_advance(c, SETTLE_MS);
	for (unsigned int i = 0; i < n; i++) {
		int ret = nvsim_hq_reap(q, &cmds[i]);

		if (ret == -EAGAIN)
			continue;
		if (ret) {
			conf_error(c, "queue died with AERs outstanding: %s", strerror(-ret));
			return false;
		}
		aer_status(&cmds[i], &st);
		conf_check(c, false, "AER %u of %u completed with no event to report: %s", i + 1,
			   n, nvsim_host_status_str(&st, false, got, sizeof(got)));
		return false;
	}
	return true;
}

/* An enabled admin queue and AERL + 1 from Identify; 0 when the queue
 * cannot hold AERL + 2 commands plus the ones a case adds. */
static struct nvsim_hq *aer_setup(struct conf_ctx *c, unsigned int *limit)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvme_id_ctrl *id = calloc(1, sizeof(*id));

	*limit = 0;
	if (!id) {
		conf_error(c, "out of memory");
		return NULL;
	}
	if (q && identify_ctrl(c, q, id)) {
		*limit = id->aerl + 1u;
		if (*limit + 3 > nvsim_hq_free_slots(q)) {
			conf_skip(c, "AERL + 1 = %u does not fit our admin queue", *limit);
			*limit = 0;
		}
	}
	free(id);
	return *limit ? q : NULL;
}

static void aer_limit_waits(struct conf_ctx *c)
{
	struct nvsim_hcmd cmds[256];
	unsigned int n;
	struct nvsim_hq *q = aer_setup(c, &n);

	if (q && start_aers(c, q, cmds, n))
		aers_waiting(c, q, cmds, n);
}

static void aer_limit_exceeded(struct conf_ctx *c)
{
	struct nvsim_hcmd cmds[257];
	struct nvsim_host_status st;
	unsigned int n;
	struct nvsim_hq *q = aer_setup(c, &n);

	if (!q || !start_aers(c, q, cmds, n) || !aers_waiting(c, q, cmds, n) ||
	    !start_aers(c, q, &cmds[n], 1))
		return;
	if (!finish(c, q, &cmds[n], &st) && st.err == -ETIMEDOUT) {
		conf_check(c, false, "AER number AERL + 2 (AERL + 1 = %u) was taken and waits", n);
		return;
	}
	CONF_EXPECT(c, "AER number AERL + 2", &st,
		    CONF_STATUS_MAY_RETRY(1, NVME_SC_ASYNC_LIMIT,
					  "the same AER passes once an outstanding one completes"));
}

static void abort_cmd(struct nvsim_hq *q, uint16_t sqid, uint16_t cid,
		      struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = nvme_admin_abort_cmd,
				 .cdw10 = htole32((uint32_t)cid << 16 | sqid) };

	nvsim_hq_exec(q, &sqe, NULL, 0, NVSIM_DIR_NONE, st);
}

/* Abort the AER cmd: either it ends with Aborted by Request and Abort says
 * so (DW0 bit 0 = 0), or Abort declines (bit 0 = 1) and it keeps waiting.
 * Returns 1 when aborted, 0 when declined, -1 on failure. */
static int abort_aer(struct conf_ctx *c, struct nvsim_hq *q, struct nvsim_hcmd *cmd)
{
	struct nvsim_host_status st;

	abort_cmd(q, 0, cmd->cid, &st);
	if (!CONF_EXPECT(c, "Abort of an outstanding AER", &st, CONF_OK))
		return -1;
	if (le32toh(st.cqe.dw0) & 1) {
		conf_note(c, "Abort declined to abort the AER (DW0 bit 0 = 1), as it may");
		return aers_waiting(c, q, cmd, 1) ? 0 : -1;
	}
	if (!finish(c, q, cmd, &st)) {
		conf_check(c, false, "Abort reported the AER aborted, but it never completed");
		return -1;
	}
	return CONF_EXPECT(c, "the aborted AER", &st,
			   CONF_STATUS_MAY_RETRY(0, NVME_SC_ABORT_REQ,
						 "the abort was the host's one-off request: the "
						 "same AER sent again may pass"))
		       ? 1
		       : -1;
}

static void abort_outstanding_aer(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_hcmd aer;

	if (q && start_aers(c, q, &aer, 1) && aers_waiting(c, q, &aer, 1))
		abort_aer(c, q, &aer);
}

static void abort_unknown_cid(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	abort_cmd(q, 0, UNKNOWN_CID, &st);
	if (CONF_EXPECT(c, "Abort of a CID nothing uses", &st, CONF_OK))
		conf_check(c, le32toh(st.cqe.dw0) & 1,
			   "Abort of an unknown CID reports it aborted (DW0 %#x, bit 0 = 0)",
			   le32toh(st.cqe.dw0));
}

static void aborted_aer_frees_slot(struct conf_ctx *c)
{
	struct nvsim_hcmd cmds[257];
	unsigned int n;
	struct nvsim_hq *q = aer_setup(c, &n);
	int aborted;

	if (!q || !start_aers(c, q, cmds, n) || !aers_waiting(c, q, cmds, n))
		return;
	aborted = abort_aer(c, q, &cmds[0]);
	if (aborted == 0)
		conf_skip(c, "the target does not abort AERs");
	/* AERL + 1 wait again, so the new one must wait too. */
	if (aborted == 1 && start_aers(c, q, &cmds[n], 1))
		aers_waiting(c, q, &cmds[n], 1);
}

static void aer_on_discovery(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_hcmd aer;
	struct nvsim_host_status st;
	char got[200];
	int ret;

	if (!h || !start_aers(c, nvsim_host_admin(h), &aer, 1))
		return;
	conf_advance(c, SETTLE_MS);
	ret = nvsim_hq_reap(nvsim_host_admin(h), &aer);
	if (ret == -EAGAIN) {
		/* Taken and waiting, as it should with nothing to report: the
		 * controller must go on serving the queue meanwhile. */
		nvsim_host_keep_alive(h, &st);
		CONF_EXPECT(c, "Keep Alive on the discovery controller while an AER waits", &st,
			    CONF_OK);
		return;
	}
	if (ret) {
		conf_error(c, "discovery queue died: %s", strerror(-ret));
		return;
	}
	/* Refusing is allowed (AER is optional there); completing with
	 * success would report an event nobody raised. */
	aer_status(&aer, &st);
	if (CONF_EXPECT(c, "AER on a discovery controller", &st, CONF_STATUS(0, 0x01)))
		conf_note(c, "the discovery controller takes no AER: %s",
			  nvsim_host_status_str(&st, false, got, sizeof(got)));
}

/* ---- Keep Alive ---------------------------------------------------------------------- */

static void keep_alive_succeeds(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;

	if (!q || !target_kato(c))
		return;
	keep_alive(q, &st);
	CONF_EXPECT(c, "Keep Alive with KATO set", &st, CONF_OK);
}

static void keep_alive_discovery(struct conf_ctx *c)
{
	struct nvsim_host *h = conf_connect_discovery(c);
	struct nvsim_host_status st;

	if (!h || !target_kato(c))
		return;
	keep_alive(nvsim_host_admin(h), &st);
	CONF_EXPECT(c, "Keep Alive on a discovery controller", &st, CONF_OK);
}

static void keep_alive_kato_zero(struct conf_ctx *c)
{
	struct nvsim_hq *q = admin_kato(c, 0);
	struct nvsim_host_status st;

	if (!q)
		return;
	keep_alive(q, &st);
	/* The spec has no timer to reset; nvmet calls that an invalid
	 * timeout, SPDK just succeeds. */
	if (CONF_EXPECT(c, "Keep Alive with KATO 0", &st, CONF_OK,
			CONF_STATUS(0, NVME_SC_KAT_INVALID)))
		conf_note(c, "Keep Alive with the timer disabled: %s",
			  nvsim_host_ok(&st) ? "success (as SPDK)"
					     : "Keep Alive Timeout Invalid (as nvmet)");
}

static void keep_alive_before_enable(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, false, NULL);
	struct nvsim_host_status st;

	if (!q)
		return;
	keep_alive(q, &st);
	CONF_EXPECT(c, "Keep Alive while CC.EN is 0", &st, CONF_STATUS(0, NVME_SC_CMD_SEQ_ERROR));
}

/* ---- the timer ----------------------------------------------------------------------- */

/* Rows: enable the controller first, or never (the timer runs from the
 * admin Connect either way). */
static const bool enabled = true, never_enabled = false;

static void kato_expiry_ends_association(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, *(const bool *)conf_row(c), NULL);
	uint32_t kato = target_kato(c);
	struct nvsim_host_status st;
	bool alive;

	if (!q || !kato)
		return;
	conf_advance(c, kato + kato / 3);
	alive = still_connected(c, q);
	if (alive)
		keep_alive(q, &st);
	conf_check(c, !alive,
		   "the association outlived KATO %u ms by %u ms (a late Keep Alive got %s)", kato,
		   kato / 3, alive && nvsim_host_ok(&st) ? "success" : "an error");
}

static void keep_alive_resets_timer(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t kato = target_kato(c);
	struct nvsim_host_status st;

	if (!q || !kato)
		return;
	for (int round = 0; round < 2; round++) {
		conf_advance(c, kato * 2 / 3);
		if (!conf_check(c, still_connected(c, q),
				"the association ended %u ms after the last Keep Alive, KATO %u "
				"ms",
				kato * 2 / 3, kato))
			return;
		keep_alive(q, &st);
		if (!CONF_EXPECT(c, "Keep Alive within KATO", &st, CONF_OK))
			return;
	}
}

static void set_features_kato_applies(struct conf_ctx *c)
{
	struct nvsim_sqe set = { .opcode = nvme_admin_set_features,
				 .cdw10 = htole32(NVME_FEAT_FID_KATO),
				 .cdw11 = htole32(CASE_KATO_MS) };
	struct nvsim_sqe get = { .opcode = nvme_admin_get_features,
				 .cdw10 = htole32(NVME_FEAT_FID_KATO) };
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	struct nvsim_host_status st;
	uint32_t eff;

	if (!q)
		return;
	nvsim_hq_exec(q, &set, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Set Features Keep Alive Timer, 10 s", &st, CONF_OK))
		return;
	nvsim_hq_exec(q, &get, NULL, 0, NVSIM_DIR_NONE, &st);
	if (!CONF_EXPECT(c, "Get Features Keep Alive Timer", &st, CONF_OK))
		return;
	/* The controller may round up to its KAS granularity, never down. */
	eff = le32toh(st.cqe.dw0);
	if (!conf_check(c, eff >= CASE_KATO_MS, "KATO reads %u ms after setting %u ms", eff,
			CASE_KATO_MS))
		return;
	conf_advance(c, eff / 2);
	if (!conf_check(c, still_connected(c, q), "the association ended at half the new KATO"))
		return;
	conf_advance(c, eff);
	conf_check(c, !still_connected(c, q),
		   "the association outlived the KATO set by Set Features (%u ms) by %u ms", eff,
		   eff / 2);
}

static void reconnect_after_expiry(struct conf_ctx *c)
{
	struct nvsim_hq *q = conf_admin(c, true, NULL);
	uint32_t kato = target_kato(c);
	struct nvsim_host_status st;

	if (!q || !kato)
		return;
	conf_advance(c, kato + kato / 3);
	if (!conf_check(c, !still_connected(c, q), "the association outlived KATO"))
		return;
	conf_close(c, q);
	if (!(q = conf_admin(c, true, NULL)))
		return;
	keep_alive(q, &st);
	CONF_EXPECT(c, "Keep Alive on the new association", &st, CONF_OK);
}

static void kato_zero_never_expires(struct conf_ctx *c)
{
	struct nvsim_hq *q = admin_kato(c, 0);

	if (q)
		conf_advance(c, 10 * 60 * 1000);
	if (q)
		conf_check(c, still_connected(c, q),
			   "an association with KATO 0 ended after 10 minutes of silence");
}

#define CASE(id, title, spec, level, feats, fn) { id, title, spec, level, feats, fn, NULL }
#define CASE_ROW(id, title, spec, level, feats, fn, row)                                    \
	{ id, title, spec, level, feats, fn, row }
#define AER "NVMe Base 2.0 §5.2 (approx.)"
#define ABORT "NVMe Base 2.0 §5.1 (approx.)"
#define KA "NVMe Base 2.0 §5.26 (approx.)"
#define KATO "NVMe Base 2.0 §3.9 (approx.)"

static const struct conf_case aer_keepalive_cases[] = {
	CASE("aer_keepalive.1.1", "AERL + 1 AERs wait without completing", AER, CONF_MANDATORY, 0,
	     aer_limit_waits),
	CASE("aer_keepalive.1.2", "AER number AERL + 2 is Asynchronous Event Request Limit "
	     "Exceeded", AER, CONF_MANDATORY, 0, aer_limit_exceeded),
	CASE("aer_keepalive.1.3", "Abort of a waiting AER: Aborted by Request, or declined",
	     ABORT ", " AER, CONF_MANDATORY, 0, abort_outstanding_aer),
	CASE("aer_keepalive.1.4", "Abort of an unknown CID reports DW0 bit 0 = 1 (not aborted)",
	     ABORT, CONF_MANDATORY, 0, abort_unknown_cid),
	CASE("aer_keepalive.1.5", "an aborted AER frees its slot for a new one", ABORT ", " AER,
	     CONF_OPTIONAL, 0, aborted_aer_frees_slot),
	CASE("aer_keepalive.1.6", "an AER on a discovery controller waits (or is refused)",
	     AER ", NVMe-oF 1.1 §5 (approx.)", CONF_OPTIONAL, CONF_F_DISCOVERY, aer_on_discovery),
	CASE("aer_keepalive.2.1", "Keep Alive succeeds with KATO set", KA, CONF_MANDATORY, 0,
	     keep_alive_succeeds),
	CASE("aer_keepalive.2.2", "Keep Alive succeeds on a discovery controller",
	     KA ", NVMe-oF 1.1 §5 (approx.)", CONF_MANDATORY, CONF_F_DISCOVERY,
	     keep_alive_discovery),
	CASE("aer_keepalive.2.3", "Keep Alive with KATO 0: success or Keep Alive Timeout Invalid",
	     KA, CONF_INFORMATIVE, 0, keep_alive_kato_zero),
	CASE("aer_keepalive.2.4", "Keep Alive before CC.EN is Command Sequence Error",
	     KA ", NVMe Base 2.0 §3.5 (approx.)", CONF_MANDATORY, 0, keep_alive_before_enable),
	CASE_ROW("aer_keepalive.3.1", "KATO passing without Keep Alive ends the association",
		 KATO, CONF_MANDATORY, CONF_F_TIME, kato_expiry_ends_association, &enabled),
	/* Base 2.0 §3.9 (approx.): the Keep Alive Timer starts when the admin
	 * Connect completes, not at CC.EN; Linux nvmet and SPDK start it there
	 * too.  A host that never enables must not hold its controller. */
	CASE_ROW("aer_keepalive.3.6", "a controller never enabled still expires on KATO",
		 KATO ", NVMe-oF 1.1 §3.3 (approx.)", CONF_MANDATORY, CONF_F_TIME,
		 kato_expiry_ends_association, &never_enabled),
	CASE("aer_keepalive.3.2", "a Keep Alive within KATO keeps the association", KATO,
	     CONF_MANDATORY, CONF_F_TIME, keep_alive_resets_timer),
	CASE("aer_keepalive.3.3", "a KATO set by Set Features governs expiry",
	     KATO ", §5.27.1.12 (approx.)", CONF_MANDATORY, CONF_F_TIME,
	     set_features_kato_applies),
	CASE("aer_keepalive.3.4", "a host connects again after its association expired", KATO,
	     CONF_MANDATORY, CONF_F_TIME, reconnect_after_expiry),
	CASE("aer_keepalive.3.5", "an association with KATO 0 does not expire", KATO,
	     CONF_INFORMATIVE, CONF_F_TIME, kato_zero_never_expires),
};

const struct conf_group conf_group_aer_keepalive = {
	"aer_keepalive", aer_keepalive_cases,
	sizeof(aer_keepalive_cases) / sizeof(aer_keepalive_cases[0])
};
