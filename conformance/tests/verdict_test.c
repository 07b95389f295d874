/* The verdict engine itself (issue 11 §5): what passes, what FAILs, how DNR
 * is judged, that a case fails closed, how waivers and harmful skips are
 * applied and counted, and when a run fails a CI.  Answers are fabricated
 * here; no target is involved. */
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "conformance/ctx.h"

#define SC_INVALID_FIELD 0x02
#define DNR (1u << 14)

static const struct conf_target target = { .provider = "fake", .addr = "nowhere" };

static void ctx_init(struct conf_ctx *c, enum conf_level level)
{
	memset(c, 0, sizeof(*c));
	c->t = &target;
	c->max_level = level;
}

static void ctx_free(struct conf_ctx *c)
{
	free(c->log);
	free(c->accepted);
}

static struct nvsim_host_status answer(unsigned int sct, unsigned int sc, bool dnr)
{
	struct nvsim_host_status st = { .has_cqe = true };

	st.sf = (uint16_t)(sct << 8 | sc | (dnr ? DNR : 0));
	return st;
}

static bool log_has(const struct conf_ctx *c, const char *text)
{
	return c->log && strstr(c->log, text);
}

/* ---- outcomes ------------------------------------------------------------------------ */

static void test_required_answer_passes(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, SC_INVALID_FIELD, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD)));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

static void test_other_status_fails(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0x01, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD)));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "got:"));
	assert_true(log_has(&c, "accepted:"));
	ctx_free(&c);
}

static void test_success_where_error_required_fails(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0, false);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD)));
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
}

static void test_error_where_success_required_fails(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, SC_INVALID_FIELD, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_OK));
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
}

static void test_known_deviation_fails_and_names_who(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0, false);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "LPO past the page", &st, CONF_STATUS(0, SC_INVALID_FIELD),
				 CONF_KNOWN(0, 0, "Linux nvmet 6.1 (LPO not checked)")));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "known deviation: Linux nvmet 6.1 (LPO not checked)"));
	ctx_free(&c);
}

static void test_known_deviation_not_listed_as_accepted(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0x06, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, 0x80), CONF_KNOWN(0, 0x06, "bdev backend"));
	assert_null(strstr(c.accepted, "bdev"));
	assert_null(strstr(c.log, "accepted: SCT 0h/SC 06h"));
	ctx_free(&c);
}

static void test_permitted_alternative_passes_with_note(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0x09, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD),
				CONF_PERMIT(0, 0x09, "the spec's words")));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	assert_true(log_has(&c, "which the spec permits: the spec's words"));
	ctx_free(&c);
}

static void test_permitted_success_passes_with_note(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0, false);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD),
				CONF_PERMIT_OK("optional feature")));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	assert_true(log_has(&c, "optional feature"));
	ctx_free(&c);
}

static void test_spec_alternative_before_known_wins(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0x0f, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	/* a status listed both as known and as the spec's: the spec's wins */
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_KNOWN(0, 0x0f, "someone"),
				CONF_STATUS(0, 0x0f)));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

static void test_connect_ipo_is_judged(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(1, 0x82, true);

	(void)state;
	st.cqe.dw0 = htole32(1u << 16 | 256u); /* IATTR 23:16, IPO 15:0 */
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_INVALID_PARAM(1, 512)));
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_INVALID_PARAM(1, 256)));
	ctx_free(&c);
}

static void test_transport_error_is_error_not_fail(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = { .err = -110 };

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_OK));
	assert_int_equal(c.result, CONF_ERROR);
	ctx_free(&c);
}

static void test_cm_reject_where_answer_expected_fails(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = { .cm_rejected = true, .cm_sts_valid = true, .cm_sts = 3 };

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(CONF_EXPECT(&c, "x", &st, CONF_OK));
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
}

static void test_note_about_target_not_borne_out_is_stale(void **state)
{
	struct conf_target t = target;
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, SC_INVALID_FIELD, true);

	(void)state;
	t.implementation = "Linux nvmet 6.1";
	ctx_init(&c, CONF_OPTIONAL);
	c.t = &t;
	CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (LPO not checked)"),
		    CONF_KNOWN(0, 0, "SPDK 23.01 (something)"));
	assert_int_equal(c.stale_notes, 1);
	assert_true(log_has(&c, "stale note"));
	ctx_free(&c);
	ctx_init(&c, CONF_OPTIONAL);
	c.t = &t;
	st = answer(0, 0, false);
	CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD),
		    CONF_KNOWN(0, 0, "Linux nvmet 6.1 (LPO not checked)"));
	assert_int_equal(c.stale_notes, 0); /* it did answer so: the note holds */
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
}

/* ---- DNR -------------------------------------------------------------------------------- */

static void test_implied_dnr_clear_fails_at_optional_level(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, SC_INVALID_FIELD, false);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	/* the status was right: the check returns true, the DNR check FAILs */
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD)));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "DNR check (optional)"));
	assert_true(log_has(&c, "Linux host retries it up to 5 times"));
	ctx_free(&c);
}

static void test_implied_dnr_clear_only_noted_at_mandatory_level(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, SC_INVALID_FIELD, false);

	(void)state;
	ctx_init(&c, CONF_MANDATORY);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS(0, SC_INVALID_FIELD)));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	assert_true(log_has(&c, "not judged at this level"));
	ctx_free(&c);
}

static void test_mandated_dnr_clear_fails_at_every_level(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(1, 0x80, false);

	(void)state;
	ctx_init(&c, CONF_MANDATORY);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS_DNR(1, 0x80, "spec §x")));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "the spec requires DNR here (spec §x)"));
	ctx_free(&c);
}

static void test_dnr_set_passes(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(1, 0x80, true);

	(void)state;
	ctx_init(&c, CONF_INFORMATIVE);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_STATUS_DNR(1, 0x80, "spec §x"),
				CONF_STATUS(0, 0x02)));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

static void test_may_retry_accepts_either_dnr(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status clear = answer(0, 0x07, false), set = answer(0, 0x07, true);

	(void)state;
	ctx_init(&c, CONF_INFORMATIVE);
	assert_true(CONF_EXPECT(&c, "x", &clear, CONF_STATUS_MAY_RETRY(0, 0x07, "aborted")));
	assert_true(CONF_EXPECT(&c, "y", &set, CONF_STATUS_MAY_RETRY(0, 0x07, "aborted")));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

static void test_dnr_required_clear_fails_when_set(void **state)
{
	struct conf_ctx c;
	struct conf_outcome o = { 0, 0x21, CONF_DNR_CLEAR, CONF_ANY, CONF_ANY, CONF_SPEC, "§x" };
	struct nvsim_host_status st = answer(0, 0x21, true);

	(void)state;
	ctx_init(&c, CONF_MANDATORY);
	assert_true(conf_expect(&c, "x", &st, &o, 1));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "requires it clear"));
	ctx_free(&c);
}

static void test_success_with_dnr_set_fails_dnr_check(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0, true);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_OK));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "success with DNR set"));
	ctx_free(&c);
}

static void test_success_has_no_dnr_rule(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status st = answer(0, 0, false);

	(void)state;
	ctx_init(&c, CONF_INFORMATIVE);
	assert_true(CONF_EXPECT(&c, "x", &st, CONF_OK));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

/* ---- checks, fail closed ------------------------------------------------------------------- */

static void test_case_without_check_is_error(void **state)
{
	struct conf_ctx c;

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	conf_note(&c, "looked, judged nothing");
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_ERROR);
	assert_true(log_has(&c, "made no check"));
	ctx_free(&c);
}

static void test_passing_plain_check_counts(void **state)
{
	struct conf_ctx c;

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_true(conf_check(&c, true, "fine"));
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	ctx_free(&c);
}

static void test_check_known_fails_with_who(void **state)
{
	struct conf_ctx c;

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	assert_false(conf_check_known(&c, false, "SPDK 23.01", "AFI %d", 0));
	assert_int_equal(c.result, CONF_FAIL);
	assert_true(log_has(&c, "FAIL AFI 0"));
	assert_true(log_has(&c, "known deviation: SPDK 23.01"));
	ctx_free(&c);
}

static void test_permitted_counts_as_check(void **state)
{
	struct conf_ctx c;

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	conf_permitted(&c, "support is optional", "no SQ flow control disable");
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_PASS);
	assert_true(log_has(&c, "support is optional"));
	ctx_free(&c);
}

static void test_fail_is_not_undone_by_later_pass(void **state)
{
	struct conf_ctx c;
	struct nvsim_host_status ok = answer(0, 0, false);

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	conf_check(&c, false, "broken");
	CONF_EXPECT(&c, "x", &ok, CONF_OK);
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_FAIL);
	ctx_free(&c);
}

static void test_skip_without_check_is_skip(void **state)
{
	struct conf_ctx c;

	(void)state;
	ctx_init(&c, CONF_OPTIONAL);
	conf_skip(&c, "feature absent");
	conf_ctx_finish(&c);
	assert_int_equal(c.result, CONF_SKIP);
	ctx_free(&c);
}

/* ---- the runner: waivers, harmful skips, exit status ---------------------------------------- */

static void case_fails(struct conf_ctx *c)
{
	conf_check(c, false, "rule broken");
}

static void case_passes(struct conf_ctx *c)
{
	conf_check(c, true, "rule kept");
}

static void case_checks_nothing(struct conf_ctx *c)
{
	(void)c;
}

/* Waits past its deadline: the wait ends there instead of a signal
 * unwinding the stack. */
static void case_runs_away(struct conf_ctx *c)
{
	conf_advance(c, 60000);
	conf_check(c, true, "returned");
}

static const struct conf_case runaway_case[] = {
	{ "r.1.1", "runs away", "test", CONF_MANDATORY, 0, case_runs_away, NULL },
};
static const struct conf_group runaway_group = { "r", runaway_case, 1 };

static void test_runaway_case_ends_at_its_deadline_as_error(void **state)
{
	const struct conf_group *const groups[] = { &runaway_group };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .case_timeout_s = 1 };
	struct conf_run r;

	(void)state;
	assert_int_equal(conf_run_groups(&target, &o, groups, 1, &r), 0);
	assert_int_equal(r.results[0].result, CONF_ERROR);
	assert_non_null(strstr(r.results[0].log, "stopped after 1 s"));
	assert_true(r.results[0].seconds < 5);
	conf_run_free(&r);
}

static const struct conf_case test_cases[] = {
	{ "t.1.1", "fails", "test", CONF_MANDATORY, 0, case_fails, NULL },
	{ "t.1.2", "passes", "test", CONF_MANDATORY, 0, case_passes, NULL },
	{ "t.1.3", "checks nothing", "test", CONF_MANDATORY, 0, case_checks_nothing, NULL },
	{ "t.2.1", "informative, passes", "test", CONF_INFORMATIVE, 0, case_passes, NULL },
};
static const struct conf_group test_group = { "t", test_cases, 4 };
static const struct conf_group *const test_groups[] = { &test_group };

static void run(const struct conf_target *t, const struct conf_run_opts *o, struct conf_run *r)
{
	assert_int_equal(conf_run_groups(t, o, test_groups, 1, r), 0);
}

static const struct conf_case_result *result_of(const struct conf_run *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->results[i].kase->id, id))
			return &r->results[i];
	fail_msg("no result for %s", id);
	return NULL;
}

static void test_run_counts_and_fails(void **state)
{
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL };
	struct conf_run r;

	(void)state;
	run(&target, &o, &r);
	assert_int_equal(r.n, 3); /* the informative case is not selected */
	assert_int_equal(r.counts[CONF_FAIL], 1);
	assert_int_equal(r.counts[CONF_PASS], 1);
	assert_int_equal(r.counts[CONF_ERROR], 1); /* t.1.3 failed closed */
	assert_true(conf_run_failed(&r));
	conf_run_free(&r);
}

static void test_waiver_turns_fail_into_waived_counted_apart(void **state)
{
	static const struct conf_waiver w[] = { { "t.1.1", "vendor bug 42", "2.1" },
						{ "t.1.3", "harness gap", NULL } };
	struct conf_target t = target;
	const char *sel[] = { "t.1.1", "t.1.3" };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .select = sel, .nr_select = 2 };
	struct conf_run r;

	(void)state;
	t.waivers = w;
	t.nr_waivers = 2;
	run(&t, &o, &r);
	assert_int_equal(r.counts[CONF_WAIVED], 2);
	assert_int_equal(r.counts[CONF_PASS], 0);
	assert_int_equal(result_of(&r, "t.1.1")->unwaived, CONF_FAIL);
	assert_string_equal(result_of(&r, "t.1.1")->waiver->reason, "vendor bug 42");
	assert_int_equal(result_of(&r, "t.1.3")->unwaived, CONF_ERROR);
	assert_false(conf_run_failed(&r));
	conf_run_free(&r);
}

static void test_strict_ignores_waivers(void **state)
{
	static const struct conf_waiver w[] = { { "t.1.1", "vendor bug 42", NULL } };
	struct conf_target t = target;
	const char *sel[] = { "t.1.1" };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .select = sel, .nr_select = 1,
				   .strict = true };
	struct conf_run r;

	(void)state;
	t.waivers = w;
	t.nr_waivers = 1;
	run(&t, &o, &r);
	assert_int_equal(r.counts[CONF_FAIL], 1);
	assert_int_equal(r.counts[CONF_WAIVED], 0);
	assert_true(conf_run_failed(&r));
	conf_run_free(&r);
}

static void test_waiver_of_passing_case_is_reported_stale(void **state)
{
	static const struct conf_waiver w[] = { { "t.1.2", "old bug", NULL } };
	struct conf_target t = target;
	const char *sel[] = { "t.1.2" };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .select = sel, .nr_select = 1 };
	struct conf_run r;

	(void)state;
	t.waivers = w;
	t.nr_waivers = 1;
	run(&t, &o, &r);
	assert_int_equal(r.results[0].result, CONF_PASS);
	assert_non_null(strstr(r.results[0].log, "the waiver can go"));
	conf_run_free(&r);
}

static void test_waiver_needs_exact_id(void **state)
{
	static const struct conf_waiver w[] = { { "t.1.*", "glob", NULL } };
	struct conf_target t = target;
	const char *sel[] = { "t.1.1" };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .select = sel, .nr_select = 1 };
	struct conf_run r;

	(void)state;
	t.waivers = w;
	t.nr_waivers = 1;
	run(&t, &o, &r);
	assert_int_equal(r.counts[CONF_FAIL], 1);
	conf_run_free(&r);
}

static void test_crashing_skip_leads_the_headline(void **state)
{
	static const struct conf_skip_rule s[] = { { "t.1.1", "GPF in the target",
						     CONF_HARM_CRASH } };
	struct conf_target t = target;
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL };
	struct conf_run r;
	char headline[256];

	(void)state;
	t.skips = s;
	t.nr_skips = 1;
	run(&t, &o, &r);
	assert_int_equal(result_of(&r, "t.1.1")->result, CONF_SKIP);
	assert_string_equal(conf_run_headline(&r, headline, sizeof(headline)),
			    "1 case skipped: crashes the target (t.1.1)");
	conf_run_free(&r);
}

static void test_plain_skip_has_no_headline(void **state)
{
	static const struct conf_skip_rule s[] = { { "t.1.1", "not here", CONF_HARM_NONE } };
	struct conf_target t = target;
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL };
	struct conf_run r;
	char headline[256];

	(void)state;
	t.skips = s;
	t.nr_skips = 1;
	run(&t, &o, &r);
	assert_string_equal(conf_run_headline(&r, headline, sizeof(headline)), "");
	conf_run_free(&r);
}

static void test_exact_id_runs_whatever_its_level(void **state)
{
	const char *sel[] = { "t.2.1" };
	struct conf_run_opts o = { .max_level = CONF_MANDATORY, .select = sel, .nr_select = 1 };
	struct conf_run r;

	(void)state;
	run(&target, &o, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.counts[CONF_PASS], 1);
	assert_false(conf_run_failed(&r));
	conf_run_free(&r);
}

static void test_glob_respects_level(void **state)
{
	const char *sel[] = { "t.2.*" };
	struct conf_run_opts o = { .max_level = CONF_MANDATORY, .select = sel, .nr_select = 1 };
	struct conf_run r;

	(void)state;
	run(&target, &o, &r);
	assert_int_equal(r.n, 0);
	conf_run_free(&r);
}

static void test_unmatched_selection_is_named(void **state)
{
	const char *sel[] = { "connect", "nosuchgroup" };
	struct conf_run_opts o = { .max_level = CONF_OPTIONAL, .select = sel, .nr_select = 2 };
	bool other = true;

	(void)state;
	assert_string_equal(conf_unmatched_selection(&o, &other), "nosuchgroup");
	assert_false(other);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_required_answer_passes),
	cmocka_unit_test(test_other_status_fails),
	cmocka_unit_test(test_success_where_error_required_fails),
	cmocka_unit_test(test_error_where_success_required_fails),
	cmocka_unit_test(test_known_deviation_fails_and_names_who),
	cmocka_unit_test(test_known_deviation_not_listed_as_accepted),
	cmocka_unit_test(test_permitted_alternative_passes_with_note),
	cmocka_unit_test(test_permitted_success_passes_with_note),
	cmocka_unit_test(test_spec_alternative_before_known_wins),
	cmocka_unit_test(test_connect_ipo_is_judged),
	cmocka_unit_test(test_transport_error_is_error_not_fail),
	cmocka_unit_test(test_cm_reject_where_answer_expected_fails),
	cmocka_unit_test(test_note_about_target_not_borne_out_is_stale),
	cmocka_unit_test(test_implied_dnr_clear_fails_at_optional_level),
	cmocka_unit_test(test_implied_dnr_clear_only_noted_at_mandatory_level),
	cmocka_unit_test(test_mandated_dnr_clear_fails_at_every_level),
	cmocka_unit_test(test_dnr_set_passes),
	cmocka_unit_test(test_may_retry_accepts_either_dnr),
	cmocka_unit_test(test_dnr_required_clear_fails_when_set),
	cmocka_unit_test(test_success_has_no_dnr_rule),
	cmocka_unit_test(test_success_with_dnr_set_fails_dnr_check),
	cmocka_unit_test(test_case_without_check_is_error),
	cmocka_unit_test(test_passing_plain_check_counts),
	cmocka_unit_test(test_check_known_fails_with_who),
	cmocka_unit_test(test_permitted_counts_as_check),
	cmocka_unit_test(test_fail_is_not_undone_by_later_pass),
	cmocka_unit_test(test_skip_without_check_is_skip),
	cmocka_unit_test(test_run_counts_and_fails),
	cmocka_unit_test(test_waiver_turns_fail_into_waived_counted_apart),
	cmocka_unit_test(test_strict_ignores_waivers),
	cmocka_unit_test(test_waiver_of_passing_case_is_reported_stale),
	cmocka_unit_test(test_waiver_needs_exact_id),
	cmocka_unit_test(test_crashing_skip_leads_the_headline),
	cmocka_unit_test(test_plain_skip_has_no_headline),
	cmocka_unit_test(test_exact_id_runs_whatever_its_level),
	cmocka_unit_test(test_glob_respects_level),
	cmocka_unit_test(test_unmatched_selection_is_named),
	cmocka_unit_test(test_runaway_case_ends_at_its_deadline_as_error),
};

NVMFSIM_TEST_MAIN(tests)
