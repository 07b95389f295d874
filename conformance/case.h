/* The conformance case model.  A case has a stable ID (group.test.case, in
 * the spirit of UNH-IOL's numbering), a title, the spec section it checks, a
 * requirement level and the target features it needs.  It runs against a
 * target through the host wing only, on associations of its own that the
 * runner tears down afterwards, pass or fail.
 *
 * Verdicts (docs/conformance.md, "How a case is judged"): every check names
 * the outcomes the spec requires and those it explicitly permits, which
 * pass; anything else FAILs.  A case may also name answers real
 * implementations are known to give (Linux nvmet, SPDK); those are context
 * shown beside the FAIL, never a pass.  A case that makes no check is an
 * ERROR, not a pass.
 */
#ifndef NVSIM_CONFORMANCE_CASE_H
#define NVSIM_CONFORMANCE_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/host.h"

enum conf_level {
	CONF_MANDATORY,
	CONF_OPTIONAL,
	CONF_INFORMATIVE,
};

/* What a case needs from the target; a target profile may declare any of
 * them absent, and the case is then skipped, not failed. */
enum conf_feature {
	CONF_F_DISCOVERY = 1u << 0,  /* a discovery controller */
	CONF_F_KEYED_SGL = 1u << 1,
	CONF_F_IN_CAPSULE = 1u << 2, /* in-capsule data on I/O queues */
	CONF_F_IO = 1u << 3,	     /* namespace 1 readable and writable */
	CONF_F_REFERRALS = 1u << 4,
	CONF_F_TIME = 1u << 5,	     /* the harness can move the target's clock */
	CONF_F_INJECT = 1u << 6,     /* the target takes fault-injection rules */
	CONF_F_HOST_FILTER = 1u << 7, /* a subsystem that refuses our host exists */
};

/* Ordered: a case's result is the worst of its checks. */
enum conf_result {
	CONF_PASS,
	CONF_WAIVED, /* FAILed or ERRORed, waived by the target profile (by ID, with a reason) */
	CONF_SKIP,
	CONF_FAIL,
	CONF_ERROR, /* the harness could not judge the case (transport failure, no check made) */
	CONF_NOT_RUN, /* the target stopped answering before this case */
	CONF_NR_RESULTS,
};

/* One outcome of a check.  Fields set to CONF_ANY are not checked. */
#define CONF_ANY (-1)

enum conf_kind {
	CONF_SPEC,	/* what the spec requires: passes */
	CONF_PERMITTED, /* an alternative the spec explicitly permits: passes, noted; text cites it */
	CONF_KNOWN,	/* not allowed, but a real implementation answers so: FAILs, text names who */
};

/* What the Do Not Retry bit must be on an error (NVMe Base 2.0 §4.2.3 (approx.),
 * "Status Field": DNR set means the same command resubmitted is expected to
 * fail). */
enum conf_dnr {
	CONF_DNR_OPEN = -1,	/* the same command may pass later: either is right */
	CONF_DNR_CLEAR = 0,	/* the spec requires DNR clear */
	CONF_DNR_MANDATED = 1,	/* the spec requires DNR: clear FAILs the check */
	CONF_DNR_IMPLIED = 2,	/* a deterministic error: DNR clear FAILs a separate
				 * optional-level check naming what hosts then do */
};

struct conf_outcome {
	int sct;
	int sc;
	int dnr;   /* enum conf_dnr */
	int iattr; /* Connect Invalid Parameters / Invalid Host: DW0 bits 23:16 */
	int ipo;   /* DW0 bits 15:0 */
	enum conf_kind kind;
	const char *text; /* PERMITTED: the spec's words; KNOWN: implementation, version, why;
			   * DNR_MANDATED and DNR_OPEN: the reason */
};

#define CONF_OK { 0, 0, CONF_DNR_OPEN, CONF_ANY, CONF_ANY, CONF_SPEC, NULL }
/* An error the same command can never pass: DNR is implied. */
#define CONF_STATUS(sct, sc) { (sct), (sc), CONF_DNR_IMPLIED, CONF_ANY, CONF_ANY, CONF_SPEC, NULL }
/* The spec's text requires DNR on this answer (cite it). */
#define CONF_STATUS_DNR(sct, sc, cite)                                                       \
	{ (sct), (sc), CONF_DNR_MANDATED, CONF_ANY, CONF_ANY, CONF_SPEC, (cite) }
/* An error a later retry of the same command may pass (say why). */
#define CONF_STATUS_MAY_RETRY(sct, sc, why)                                                  \
	{ (sct), (sc), CONF_DNR_OPEN, CONF_ANY, CONF_ANY, CONF_SPEC, (why) }
#define CONF_INVALID_PARAM(iattr, ipo)                                                       \
	{ 1, 0x82, CONF_DNR_IMPLIED, (iattr), (ipo), CONF_SPEC, NULL }
/* Alternatives the spec explicitly permits, with its words. */
#define CONF_PERMIT(sct, sc, cite)                                                           \
	{ (sct), (sc), CONF_DNR_IMPLIED, CONF_ANY, CONF_ANY, CONF_PERMITTED, (cite) }
#define CONF_PERMIT_OK(cite) { 0, 0, CONF_DNR_OPEN, CONF_ANY, CONF_ANY, CONF_PERMITTED, (cite) }
/* A known deviation: still a FAIL, reported with who answers so. */
#define CONF_KNOWN(sct, sc, who) { (sct), (sc), CONF_ANY, CONF_ANY, CONF_ANY, CONF_KNOWN, (who) }

struct conf_target;
struct conf_ctx;

struct conf_case {
	const char *id;
	const char *title;
	const char *spec;
	enum conf_level level;
	unsigned int features;
	void (*run)(struct conf_ctx *c);
	/* A row of a table, for cases that differ only in a field and the
	 * expected answer: one run function serves them all (conf_row). */
	const void *row;
};

/* A group of cases, one per file under conformance/cases/. */
struct conf_group {
	const char *name;
	const struct conf_case *cases;
	size_t nr_cases;
};

/* ---- for cases ------------------------------------------------------------------ */

/* Judge an answer against the outcome set: pass, or FAIL with the full
 * decode of what came back, what the spec accepts and, when the answer is
 * a known deviation, who gives it.  DNR is judged as enum conf_dnr says.
 * Returns true when the answer is one the spec accepts (a DNR-only failure
 * still returns true: the status itself was right). */
bool conf_expect(struct conf_ctx *c, const char *what, const struct nvsim_host_status *st,
		 const struct conf_outcome *set, size_t n);
#define CONF_EXPECT(c, what, st, ...)                                                        \
	conf_expect((c), (what), (st), (const struct conf_outcome[]){ __VA_ARGS__ },            \
		    sizeof((const struct conf_outcome[]){ __VA_ARGS__ }) /                         \
			    sizeof(struct conf_outcome))

/* The CM must reject with one of these NVMe/RDMA statuses (0: accept). */
bool conf_expect_cm(struct conf_ctx *c, const char *what, const struct nvsim_host_status *st,
		    const uint16_t *sts, size_t n);
#define CONF_EXPECT_CM(c, what, st, ...)                                                     \
	conf_expect_cm((c), (what), (st), (const uint16_t[]){ __VA_ARGS__ },                   \
		       sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t))

/* A plain condition; fails the case with the formatted message. */
bool conf_check(struct conf_ctx *c, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A plain condition where a real implementation is known to fall short
 * (who: implementation and version): a FAIL, with who shown beside it. */
bool conf_check_known(struct conf_ctx *c, bool ok, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The target took an alternative the spec explicitly permits (cite its
 * words): a check that passed, with a note. */
void conf_permitted(struct conf_ctx *c, const char *cite, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record an implementation choice the spec allows but which is worth
 * reporting (e.g. which of two allowed answers the target picked). */
void conf_note(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The case cannot run here (a feature turned out to be absent). */
void conf_skip(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The harness failed (could not connect, transport died): not the target's
 * conformance, but not a pass either. */
void conf_error(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Associations and queues, torn down by the runner after the case. */
struct nvsim_host *conf_connect(struct conf_ctx *c, const char *subnqn, uint16_t nr_io);
struct nvsim_host *conf_connect_discovery(struct conf_ctx *c);
/* A queue with only the CM connection made (no Fabrics Connect yet). */
struct nvsim_hq *conf_queue(struct conf_ctx *c, uint16_t qid, uint16_t sqsize);
/* Same, with the CM request's private data and read depths as given. */
struct nvsim_hq *conf_queue_cm(struct conf_ctx *c, uint16_t qid, uint16_t sqsize,
			       const void *pdata, uint8_t pdata_len, struct nvsim_host_status *st);
/* A Fabrics Connect built from the target's identity, with fields to vary. */
struct conf_connect_args {
	uint16_t qid, sqsize, cntlid, recfmt;
	uint8_t cattr;
	uint32_t kato;
	const char *subnqn, *hostnqn;
	uint8_t hostid[16];
	size_t data_len;
};
void conf_connect_args(struct conf_ctx *c, uint16_t qid, struct conf_connect_args *a);
void conf_send_connect(struct conf_ctx *c, struct nvsim_hq *q, const struct conf_connect_args *a,
		       struct nvsim_host_status *st);
/* Admin queue with Connect done; enabled when asked; cntlid out. */
struct nvsim_hq *conf_admin(struct conf_ctx *c, bool enable, uint16_t *cntlid);
/* Property Set CC.EN 1 (the entry sizes a Linux host writes: IOSQES 6,
 * IOCQES 4), judged as 'what', then Property Get CSTS until RDY or CFS,
 * about a second at most.  False when a property command failed (judged);
 * *csts is the last CSTS read, for the caller to judge. */
bool conf_enable(struct conf_ctx *c, struct nvsim_hq *q, const char *what, uint64_t *csts);
void conf_close(struct conf_ctx *c, struct nvsim_hq *q);
void conf_disconnect(struct conf_ctx *c, struct nvsim_host *h);

/* Give the target time: polls it, and moves its clock when the harness
 * controls it (CONF_F_TIME). */
void conf_advance(struct conf_ctx *c, uint64_t ms);
void conf_progress(struct conf_ctx *c);
const struct conf_target *conf_target_of(const struct conf_ctx *c);
/* The running case's table row (conf_case.row). */
const void *conf_row(const struct conf_ctx *c);
uint64_t conf_seed(const struct conf_ctx *c);
/* The NQN of the NVM subsystem under test, and of one refusing our host. */
const char *conf_subnqn(const struct conf_ctx *c);
const char *conf_refusing_subnqn(const struct conf_ctx *c);
const char *conf_discovery_nqn(const struct conf_ctx *c);

#endif
