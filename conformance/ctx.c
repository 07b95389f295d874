/* What a case can do: open associations and raw queues on the target under
 * test, compare answers with accepted outcome sets, and record what it saw.
 * Everything a case opens is registered here and torn down by the runner. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nvme/types.h>

#include "conformance/ctx.h"
#include "spec/status.h"

#define READY_POLLS 1000

/* ---- the log ------------------------------------------------------------------- */

void conf_log(struct conf_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (c->log_len + (size_t)need + 2 > c->log_cap) {
		size_t cap = (c->log_cap ? c->log_cap * 2 : 512) + (size_t)need + 2;
		char *p = realloc(c->log, cap);

		if (!p)
			return;
		c->log = p;
		c->log_cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(c->log + c->log_len, c->log_cap - c->log_len, fmt, ap);
	va_end(ap);
	c->log_len += (size_t)need;
	c->log[c->log_len++] = '\n';
	c->log[c->log_len] = 0;
}

static void accepted_append(struct conf_ctx *c, const char *text)
{
	size_t n = strlen(text);

	if (c->acc_len + n + 1 > c->acc_cap) {
		size_t cap = (c->acc_cap ? c->acc_cap * 2 : 256) + n + 1;
		char *p = realloc(c->accepted, cap);

		if (!p)
			return;
		c->accepted = p;
		c->acc_cap = cap;
	}
	memcpy(c->accepted + c->acc_len, text, n + 1);
	c->acc_len += n;
}

static void set_result(struct conf_ctx *c, enum conf_result r)
{
	if (r > c->result)
		c->result = r;
}

/* A check was made and judged (pass or fail): the case no longer fails
 * closed. */
static void checked(struct conf_ctx *c)
{
	c->nr_checks++;
}

static void fail(struct conf_ctx *c)
{
	checked(c);
	set_result(c, CONF_FAIL);
}

/* ---- outcomes -------------------------------------------------------------------- */

/* "SCT 1h/SC 82h Connect Invalid Parameters [DNR] (IATTR 1, IPO 256)": the
 * status name only, not libnvme's whole sentence. */
static void describe_outcome(const struct conf_outcome *o, char *buf, size_t len)
{
	static const char *const dnr_tag[] = { "", " [DNR clear]", " [DNR]", " [DNR expected]" };
	char name[160], *colon;
	size_t n;

	if (o->sct == 0 && o->sc == 0) {
		snprintf(buf, len, "success");
		return;
	}
	nvsim_status_describe(nvsim_status((unsigned)o->sct, (unsigned)o->sc, false),
			      o->sct == NVME_SCT_CMD_SPECIFIC && o->sc >= 0x80, name, sizeof(name));
	colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	snprintf(buf, len, "%s%s", name,
		 o->kind == CONF_KNOWN || o->dnr < CONF_DNR_OPEN || o->dnr > CONF_DNR_IMPLIED
			 ? ""
			 : dnr_tag[o->dnr + 1]);
	n = strlen(buf);
	if (o->iattr != CONF_ANY && n < len)
		snprintf(buf + n, len - n, " (IATTR %d, IPO %d)", o->iattr, o->ipo);
}

/* Status code and Connect error location; DNR is judged apart. */
static bool outcome_matches(const struct conf_outcome *o, const struct nvsim_host_status *st)
{
	uint32_t dw0 = le32toh(st->cqe.dw0);

	if ((int)nvsim_status_sct(st->sf) != o->sct || (int)nvsim_status_sc(st->sf) != o->sc)
		return false;
	if (o->iattr != CONF_ANY && (int)nvsim_connect_iattr(dw0) != o->iattr)
		return false;
	if (o->ipo != CONF_ANY && (int)nvsim_connect_ipo(dw0) != o->ipo)
		return false;
	return true;
}

/* What came back, short: "SCT 0h/SC 02h Invalid Field in Command [DNR clear]". */
static void describe_got(const struct nvsim_host_status *st, char *buf, size_t len)
{
	uint16_t sf = st->sf;
	char name[160], *colon;
	size_t n;

	if (st->cm_rejected || st->err || !st->has_cqe) {
		nvsim_host_status_str(st, true, buf, len);
		return;
	}
	if (!sf) {
		snprintf(buf, len, "success (DW0 %#x)", le32toh(st->cqe.dw0));
		return;
	}
	nvsim_status_describe(sf & ~NVME_SC_DNR, nvsim_status_sct(sf) == NVME_SCT_CMD_SPECIFIC,
			      name, sizeof(name));
	colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	snprintf(buf, len, "%s%s", name, nvsim_status_dnr(sf) ? " [DNR]" : " [DNR clear]");
	n = strlen(buf);
	if (nvsim_status_sct(sf) == NVME_SCT_CMD_SPECIFIC &&
	    (nvsim_status_sc(sf) == NVME_SC_CONNECT_INVALID_PARAM ||
	     nvsim_status_sc(sf) == NVME_SC_CONNECT_INVALID_HOST) && n < len)
		snprintf(buf + n, len - n, " (IATTR %u, IPO %u)",
			 nvsim_connect_iattr(le32toh(st->cqe.dw0)),
			 nvsim_connect_ipo(le32toh(st->cqe.dw0)));
}

static void list_accepted(struct conf_ctx *c, const struct conf_outcome *set, size_t n)
{
	char buf[200];

	for (size_t i = 0; i < n; i++) {
		if (set[i].kind == CONF_KNOWN)
			continue;
		describe_outcome(&set[i], buf, sizeof(buf));
		if (set[i].kind == CONF_PERMITTED)
			conf_log(c, "    accepted: %s  (permitted: %s)", buf, set[i].text);
		else
			conf_log(c, "    accepted: %s", buf);
	}
}

/* A wait that timed out or a connection that broke or was refused: the
 * runner then checks that the target still answers. */
static void note_transport(struct conf_ctx *c, const struct nvsim_host_status *st)
{
	if (st->err == -ETIMEDOUT || st->err == -ECONNRESET || st->err == -ECONNREFUSED ||
	    st->err == -EHOSTUNREACH)
		c->transport_lost = true;
}

static bool transport_trouble(struct conf_ctx *c, const char *what,
			      const struct nvsim_host_status *st)
{
	char got[240];

	if (!st->err && st->has_cqe && !st->cm_rejected)
		return false;
	describe_got(st, got, sizeof(got));
	note_transport(c, st);
	if (st->wrong_cid) {
		/* a global rule, NVMe Base 2.0 §4.2.4 (approx.): the CQE's CID
		 * is the command's */
		conf_log(c, "FAIL %s: completion carries the command's CID: %s", what, got);
		c->cid_rule_failed = true;
		fail(c);
		return true;
	}
	if (st->no_completion) {
		conf_log(c, "FAIL %s: every command completes (NVMe Base 2.0 §3.3.1 (approx.)): %s",
			 what, got);
		fail(c);
		return true;
	}
	if (st->cm_rejected) {
		conf_log(c, "FAIL %s: the queue was refused: %s", what, got);
		fail(c);
	} else {
		conf_log(c, "ERROR %s: %s", what, got);
		set_result(c, CONF_ERROR);
	}
	return true;
}

static void record_set(struct conf_ctx *c, const char *what, const struct conf_outcome *set,
		       size_t n)
{
	char buf[240];
	bool first = true;

	accepted_append(c, c->acc_len ? "<br>" : "");
	accepted_append(c, what);
	accepted_append(c, ": ");
	for (size_t i = 0; i < n; i++) {
		char o[200];

		if (set[i].kind == CONF_KNOWN)
			continue;
		describe_outcome(&set[i], o, sizeof(o));
		snprintf(buf, sizeof(buf), "%s%s%s", first ? "" : " or ", o,
			 set[i].kind == CONF_PERMITTED ? " (permitted)" : "");
		accepted_append(c, buf);
		first = false;
	}
}

/* What hosts do with a deterministic error left retryable
 * (initiators-tcp-scale.md §1.2-1.4). */
#define DNR_HOSTS                                                                            \
	"a Linux host retries it up to 5 times (nvme_max_retries), SPDK bdev_nvme up to "    \
	"3 (bdev_retry_count), and a retry cannot succeed"

/* The DNR rule of the matched outcome.  Returns false when it FAILed. */
static bool judge_dnr(struct conf_ctx *c, const char *what, const struct conf_outcome *o,
		      const struct nvsim_host_status *st, const char *got)
{
	bool dnr = nvsim_status_dnr(st->sf);

	if (dnr && !nvsim_status_sct(st->sf) && !nvsim_status_sc(st->sf)) {
		/* Status Field: with SCT and SC 0h, DNR should be cleared to 0
		 * (NVMe Base 2.0 §4.2.3 (approx.)); a "should": optional level */
		if (c->max_level < CONF_OPTIONAL)
			return true;
		conf_log(c, "FAIL %s: DNR check (optional): success with DNR set; the spec says DNR "
			    "should be cleared when SCT and SC are 0h (NVMe Base 2.0 §4.2.3 (approx.))",
			 what);
		fail(c);
		return false;
	}
	if (!st->sf || o->dnr == CONF_DNR_OPEN)
		return true;
	if (o->dnr == CONF_DNR_MANDATED && !dnr) {
		conf_log(c, "FAIL %s: DNR check: got %s; the spec requires DNR "
			    "here (%s)", what, got, o->text ? o->text : "");
		fail(c);
		return false;
	}
	if (o->dnr == CONF_DNR_CLEAR && dnr) {
		conf_log(c, "FAIL %s: DNR check: got %s; the spec requires it clear "
			    "(%s)", what, got, o->text ? o->text : "");
		fail(c);
		return false;
	}
	if (o->dnr != CONF_DNR_IMPLIED || dnr)
		return true;
	/* Its own check, at level optional (NVMe Base 2.0 §4.2.3 (approx.):
	 * DNR clear says the same command may succeed if retried). */
	if (c->max_level < CONF_OPTIONAL) {
		conf_note(c, "%s: DNR clear on a deterministic error (DNR check is optional-level, "
			     "not judged at this level)", what);
		return true;
	}
	conf_log(c, "FAIL %s: DNR check (optional): got %s: the same command can "
		    "never succeed, so DNR belongs there (NVMe Base 2.0 §4.2.3 (approx.)); "
		    DNR_HOSTS, what, got);
	fail(c);
	return false;
}

/* A known-deviation note about the implementation under test. */
static bool names_target(const struct conf_ctx *c, const char *who)
{
	const char *impl = c->t->implementation;

	return impl && who && !strncmp(who, impl, strlen(impl));
}

static void stale_note(struct conf_ctx *c, const char *what, const char *who, const char *got)
{
	conf_log(c, "stale note: %s: the case says \"%s\" answers otherwise, but this target (%s) "
		    "answered %s", what, who, c->t->implementation, got);
	c->stale_notes++;
}

/* Notes naming the target under test whose answer did not come. */
static void check_notes(struct conf_ctx *c, const char *what, const struct nvsim_host_status *st,
			const struct conf_outcome *set, size_t n, const char *got)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].kind == CONF_KNOWN && names_target(c, set[i].text) &&
		    !outcome_matches(&set[i], st))
			stale_note(c, what, set[i].text, got);
}

bool conf_expect(struct conf_ctx *c, const char *what, const struct nvsim_host_status *st,
		 const struct conf_outcome *set, size_t n)
{
	const struct conf_outcome *known = NULL;
	char got[240];

	record_set(c, what, set, n);
	if (transport_trouble(c, what, st))
		return false;
	describe_got(st, got, sizeof(got));
	check_notes(c, what, st, set, n, got);
	for (size_t i = 0; i < n; i++) {
		if (!outcome_matches(&set[i], st))
			continue;
		if (set[i].kind == CONF_KNOWN) {
			if (!known)
				known = &set[i];
			continue;
		}
		checked(c);
		if (set[i].kind == CONF_PERMITTED)
			conf_note(c, "%s: got %s, which the spec permits: %s", what, got, set[i].text);
		judge_dnr(c, what, &set[i], st, got);
		return true;
	}
	conf_log(c, "FAIL %s", what);
	conf_log(c, "    got:      %s", got);
	list_accepted(c, set, n);
	if (known)
		conf_log(c, "    known deviation: %s answers so", known->text);
	fail(c);
	return false;
}

bool conf_expect_cm(struct conf_ctx *c, const char *what, const struct nvsim_host_status *st,
		    const uint16_t *sts, size_t n)
{
	char got[240];

	accepted_append(c, c->acc_len ? "<br>" : "");
	accepted_append(c, what);
	accepted_append(c, ": ");
	for (size_t i = 0; i < n; i++) {
		accepted_append(c, i ? " or " : "");
		accepted_append(c, sts[i] ? "CM reject " : "accepted");
		accepted_append(c, sts[i] ? nvsim_rdma_cm_sts_str(sts[i]) : "");
	}
	describe_got(st, got, sizeof(got));
	if (st->err && !st->cm_rejected) {
		note_transport(c, st);
		conf_log(c, "ERROR %s: %s", what, got);
		set_result(c, CONF_ERROR);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if ((sts[i] == 0 && !st->cm_rejected) ||
		    (sts[i] && st->cm_rejected && st->cm_sts_valid && st->cm_sts == sts[i])) {
			checked(c);
			return true;
		}
	}
	conf_log(c, "FAIL %s", what);
	conf_log(c, "    got:      %s", st->cm_rejected ? got : "the queue was accepted");
	for (size_t i = 0; i < n; i++)
		conf_log(c, "    accepted: %s%s", sts[i] ? "CM reject, status " : "accepted",
			 sts[i] ? nvsim_rdma_cm_sts_str(sts[i]) : "");
	fail(c);
	return false;
}

static bool check_v(struct conf_ctx *c, bool ok, const char *who, const char *fmt, va_list ap)
{
	char msg[512];

	if (ok) {
		checked(c);
		if (names_target(c, who)) {
			vsnprintf(msg, sizeof(msg), fmt, ap);
			stale_note(c, msg, who, "as the spec asks");
		}
		return true;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	conf_log(c, "FAIL %s", msg);
	if (who)
		conf_log(c, "    known deviation: %s answers so", who);
	fail(c);
	return false;
}

bool conf_check(struct conf_ctx *c, bool ok, const char *fmt, ...)
{
	va_list ap;
	bool ret;

	va_start(ap, fmt);
	ret = check_v(c, ok, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

bool conf_check_known(struct conf_ctx *c, bool ok, const char *who, const char *fmt, ...)
{
	va_list ap;
	bool ret;

	va_start(ap, fmt);
	ret = check_v(c, ok, who, fmt, ap);
	va_end(ap);
	return ret;
}

void conf_permitted(struct conf_ctx *c, const char *cite, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	checked(c);
	conf_log(c, "note: %s, which the spec permits: %s", msg, cite);
}

void conf_note(struct conf_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_log(c, "note: %s", msg);
}

void conf_skip(struct conf_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_log(c, "skipped: %s", msg);
	set_result(c, CONF_SKIP);
}

void conf_error(struct conf_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_log(c, "ERROR %s", msg);
	set_result(c, CONF_ERROR);
}

static void judge_queue_completions(struct conf_ctx *c, struct nvsim_hq *q, const char *which)
{
	const struct nvsim_stray *list = NULL;
	uint32_t n = 0;
	uint64_t total;

	if (q)
		nvsim_hq_poll(q); /* a duplicate may still be in flight */
	total = q ? nvsim_hq_strays(q, &list, &n) : 0;

	for (uint32_t i = 0; i < n; i++) {
		char expected[96] = "no command of ours was outstanding with it";

		if (list[i].has_expected)
			snprintf(expected, sizeof(expected),
				 "the one command outstanding had CID %#x (opcode %02xh)",
				 list[i].expected_cid, list[i].expected_opcode);
		if (list[i].duplicate)
			conf_log(c, "FAIL one completion per command (NVMe Base 2.0 §4.2.4 (approx.)): "
				    "%s: a second completion for CID %#x (status %#x)", which,
				 le16toh(list[i].cqe.cid), le16toh(list[i].cqe.status) >> 1);
		else if (!c->cid_rule_failed || !list[i].has_expected)
			conf_log(c, "FAIL completion carries the command's CID (NVMe Base 2.0 §4.2.4 "
				    "(approx.)): %s: a completion with CID %#x (status %#x); %s", which,
				 le16toh(list[i].cqe.cid), le16toh(list[i].cqe.status) >> 1, expected);
		fail(c);
	}
	if (total > n)
		conf_log(c, "    ... and %llu more such completions on %s",
			 (unsigned long long)(total - n), which);
}

static void judge_host_completions(struct conf_ctx *c, struct nvsim_host *h)
{
	char which[48];

	judge_queue_completions(c, nvsim_host_admin(h), "admin queue");
	for (uint16_t q = 1; q <= nvsim_host_nr_io_queues(h); q++) {
		snprintf(which, sizeof(which), "I/O queue %u", q);
		judge_queue_completions(c, nvsim_host_io(h, q), which);
	}
}

/* Global rules, checked on every case: each completion matches a command
 * of ours, once. */
static void judge_completions(struct conf_ctx *c)
{
	char which[48];

	for (unsigned int i = 0; i < c->nr_queues; i++) {
		snprintf(which, sizeof(which), "raw queue %u", i);
		judge_queue_completions(c, c->queues[i], which);
	}
	for (unsigned int i = 0; i < c->nr_hosts; i++)
		judge_host_completions(c, c->hosts[i]);
}

void conf_ctx_finish(struct conf_ctx *c)
{
	judge_completions(c);
	/* Fail closed: a case that judged nothing did not pass. */
	if (c->result == CONF_PASS && !c->nr_checks)
		conf_error(c, "the case made no check");
}

/* ---- associations and queues ----------------------------------------------------- */

static void transport_config(const struct conf_ctx *c, struct nvsim_hq_config *qc)
{
	const struct conf_target *t = c->t;

	nvsim_hq_config_init(qc);
	qc->provider = t->provider;
	qc->fabric = t->fabric;
	qc->addr = t->addr;
	qc->progress = t->progress;
	qc->progress_arg = t->progress_arg;
	qc->timeout_ms = t->timeout_ms;
	qc->deadline_ms = c->deadline_ms;
}

struct nvsim_host *conf_connect(struct conf_ctx *c, const char *subnqn, uint16_t nr_io)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h = NULL;
	char msg[256];

	if (c->nr_hosts == CONF_MAX_HOSTS) {
		conf_error(c, "case opens too many associations");
		return NULL;
	}
	nvsim_host_config_init(&hc);
	transport_config(c, &hc.transport);
	hc.subnqn = subnqn;
	hc.hostnqn = c->t->hostnqn;
	memcpy(hc.hostid, c->t->hostid, sizeof(hc.hostid));
	hc.kato_ms = c->t->kato_ms;
	hc.nr_io_queues = nr_io;
	if (nvsim_host_connect(&hc, &h, &st)) {
		note_transport(c, &st);
		conf_error(c, "connect to %s: %s", subnqn,
			   nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return NULL;
	}
	c->hosts[c->nr_hosts++] = h;
	return h;
}

struct nvsim_host *conf_connect_discovery(struct conf_ctx *c)
{
	return conf_connect(c, c->t->discovery_nqn, 0);
}

struct nvsim_hq *conf_queue_cm(struct conf_ctx *c, uint16_t qid, uint16_t sqsize,
			       const void *pdata, uint8_t pdata_len, struct nvsim_host_status *st)
{
	struct nvsim_hq_config qc;
	struct nvsim_hq *q = NULL;

	memset(st, 0, sizeof(*st));
	if (c->nr_queues == CONF_MAX_QUEUES) {
		conf_error(c, "case opens too many queues");
		return NULL;
	}
	transport_config(c, &qc);
	qc.qid = qid;
	qc.sqsize = sqsize;
	qc.cm_private_data = pdata;
	qc.cm_private_data_len = pdata_len;
	if (nvsim_hq_connect(&qc, &q, st))
		return NULL;
	c->queues[c->nr_queues++] = q;
	return q;
}

struct nvsim_hq *conf_queue(struct conf_ctx *c, uint16_t qid, uint16_t sqsize)
{
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue_cm(c, qid, sqsize, NULL, 0, &st);
	char msg[256];

	if (!q && c->nr_queues < CONF_MAX_QUEUES) {
		note_transport(c, &st);
		conf_error(c, "queue %u: %s", qid, nvsim_host_status_str(&st, true, msg, sizeof(msg)));
	}
	return q;
}

void conf_close(struct conf_ctx *c, struct nvsim_hq *q)
{
	for (unsigned int i = 0; i < c->nr_queues; i++) {
		if (c->queues[i] != q)
			continue;
		judge_queue_completions(c, q, "a closed raw queue");
		nvsim_hq_close(q);
		c->queues[i] = c->queues[--c->nr_queues];
		return;
	}
}

void conf_disconnect(struct conf_ctx *c, struct nvsim_host *h)
{
	for (unsigned int i = 0; i < c->nr_hosts; i++) {
		if (c->hosts[i] != h)
			continue;
		judge_host_completions(c, h);
		nvsim_host_disconnect(h);
		c->hosts[i] = c->hosts[--c->nr_hosts];
		return;
	}
}

void conf_ctx_cleanup(struct conf_ctx *c)
{
	while (c->nr_queues)
		nvsim_hq_close(c->queues[--c->nr_queues]);
	while (c->nr_hosts)
		nvsim_host_disconnect(c->hosts[--c->nr_hosts]);
	/* let the target notice, so the next case starts clean */
	for (int i = 0; i < 50; i++)
		conf_progress(c);
}

void conf_connect_args(struct conf_ctx *c, uint16_t qid, struct conf_connect_args *a)
{
	memset(a, 0, sizeof(*a));
	a->qid = qid;
	a->sqsize = 31;
	a->cntlid = 0xffff;
	a->kato = qid ? 0 : c->t->kato_ms;
	a->subnqn = c->t->subnqn;
	a->hostnqn = c->t->hostnqn;
	memcpy(a->hostid, c->t->hostid, sizeof(a->hostid));
	a->data_len = 1024;
}

void conf_send_connect(struct conf_ctx *c, struct nvsim_hq *q, const struct conf_connect_args *a,
		       struct nvsim_host_status *st)
{
	struct nvsim_sqe sqe = { .opcode = NVSIM_FABRICS_OPCODE };
	struct nvsim_sqe_connect *cmd = (void *)&sqe;
	uint8_t *data = calloc(1, 2048);
	struct nvmf_connect_data *cd = (void *)data;

	(void)c;
	memset(st, 0, sizeof(*st));
	if (!data) {
		st->err = -ENOMEM;
		return;
	}
	cmd->fctype = nvme_fabrics_type_connect;
	cmd->recfmt = htole16(a->recfmt);
	cmd->qid = htole16(a->qid);
	cmd->sqsize = htole16(a->sqsize);
	cmd->cattr = a->cattr;
	cmd->kato = htole32(a->kato);
	memcpy(cd->hostid, a->hostid, sizeof(cd->hostid));
	cd->cntlid = htole16(a->cntlid);
	memcpy(cd->subsysnqn, a->subnqn, strnlen(a->subnqn, sizeof(cd->subsysnqn)));
	memcpy(cd->hostnqn, a->hostnqn, strnlen(a->hostnqn, sizeof(cd->hostnqn)));
	nvsim_hq_exec(q, &sqe, data, a->data_len > 2048 ? 2048 : a->data_len, NVSIM_DIR_H2C, st);
	free(data);
}

static bool wait_ready(struct conf_ctx *c, struct nvsim_hq *q)
{
	struct nvsim_host_status st;
	uint64_t csts = 0;

	for (int i = 0; i < READY_POLLS; i++) {
		if (nvsim_host_prop_get(q, NVME_REG_CSTS, false, &csts, &st))
			break;
		if (NVME_CSTS_RDY(csts))
			return true;
		if (NVME_CSTS_CFS(csts))
			break;
		conf_progress(c);
	}
	conf_error(c, "controller did not become ready (CSTS %#llx)", (unsigned long long)csts);
	return false;
}

struct nvsim_hq *conf_admin(struct conf_ctx *c, bool enable, uint16_t *cntlid)
{
	struct conf_connect_args a;
	struct nvsim_host_status st;
	struct nvsim_hq *q = conf_queue(c, 0, 31);
	char msg[256];

	if (!q)
		return NULL;
	conf_connect_args(c, 0, &a);
	conf_send_connect(c, q, &a, &st);
	if (!nvsim_host_ok(&st)) {
		note_transport(c, &st);
		conf_error(c, "admin Connect: %s", nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return NULL;
	}
	if (cntlid)
		*cntlid = (uint16_t)le32toh(st.cqe.dw0);
	if (!enable)
		return q;
	if (nvsim_host_prop_set(q, NVME_REG_CC, false,
				1u << NVME_CC_EN_SHIFT | 6u << NVME_CC_IOSQES_SHIFT |
					4u << NVME_CC_IOCQES_SHIFT,
				&st)) {
		note_transport(c, &st);
		conf_error(c, "enable: %s", nvsim_host_status_str(&st, true, msg, sizeof(msg)));
		return NULL;
	}
	return wait_ready(c, q) ? q : NULL;
}

bool conf_enable(struct conf_ctx *c, struct nvsim_hq *q, const char *what, uint64_t *csts)
{
	struct nvsim_host_status st;

	*csts = 0;
	nvsim_host_prop_set(q, NVME_REG_CC, false,
			    1u << NVME_CC_EN_SHIFT | 6u << NVME_CC_IOSQES_SHIFT |
				    4u << NVME_CC_IOCQES_SHIFT,
			    &st);
	if (!CONF_EXPECT(c, what, &st, CONF_OK))
		return false;
	for (int i = 0; i < READY_POLLS; i++) {
		nvsim_host_prop_get(q, NVME_REG_CSTS, false, csts, &st);
		if (!CONF_EXPECT(c, "Property Get CSTS", &st, CONF_OK))
			return false;
		if (NVME_CSTS_RDY(*csts) || NVME_CSTS_CFS(*csts))
			break;
		conf_advance(c, 1); /* a real target may take a moment */
	}
	return true;
}

/* ---- time and identity --------------------------------------------------------------- */

void conf_progress(struct conf_ctx *c)
{
	if (c->t->progress)
		c->t->progress(c->t->progress_arg);
}

void conf_advance(struct conf_ctx *c, uint64_t ms)
{
	if (c->t->advance_time) {
		c->t->advance_time(c->t->time_arg, ms);
	} else {
		uint64_t now = nvsim_now_ms();

		/* a real-time wait ends at the case's deadline too */
		if (c->deadline_ms && now + ms > c->deadline_ms)
			ms = c->deadline_ms > now ? c->deadline_ms - now : 0;
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < 20; i++)
		conf_progress(c);
}

const struct conf_target *conf_target_of(const struct conf_ctx *c)
{
	return c->t;
}

const void *conf_row(const struct conf_ctx *c)
{
	return c->kase->row;
}

uint64_t conf_seed(const struct conf_ctx *c)
{
	return c->seed;
}

const char *conf_subnqn(const struct conf_ctx *c)
{
	return c->t->subnqn;
}

const char *conf_refusing_subnqn(const struct conf_ctx *c)
{
	return c->t->refusing_subnqn;
}

const char *conf_discovery_nqn(const struct conf_ctx *c)
{
	return c->t->discovery_nqn;
}
