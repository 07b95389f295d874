/* The suite has teeth: with each misbehaviour switch of the embedded
 * simulator on, the suite at its default level (what `nvmfsim conform`
 * runs) fails, and so does each case listed for the switch; with none,
 * every case of every level passes (issue 6 §6). */
#include <stdio.h>
#include <string.h>

#include "cli/misbehave.h"
#include "cmocka_main.h"

static void run_suite(nvsim_quirks_t quirks, enum conf_level level, struct conf_run *run)
{
	struct cli_sim_clock clock = { 1000000000ull };
	struct conf_run_opts ro = { .max_level = level, .seed = 1 };
	struct nvsim_embedded *e;
	struct conf_target t;

	assert_int_equal(cli_conf_embedded(1, quirks, &clock, &t, &e), 0);
	assert_int_equal(conf_run(&t, &ro, run), 0);
	nvsim_embedded_stop(e);
}

static const struct conf_case_result *find(const struct conf_run *run, const char *id)
{
	for (size_t i = 0; i < run->n; i++)
		if (!strcmp(run->results[i].kase->id, id))
			return &run->results[i];
	return NULL;
}

static void test_every_case_passes_without_misbehaviour(void **state)
{
	struct conf_run run;

	(void)state;
	run_suite(0, CONF_INFORMATIVE, &run);
	for (size_t i = 0; i < run.n; i++) {
		const struct conf_case_result *r = &run.results[i];

		if (r->result == CONF_FAIL || r->result == CONF_ERROR)
			fail_msg("%s %s:\n%s", conf_result_name(r->result), r->kase->id,
				 r->log ? r->log : "");
	}
	assert_true(run.n >= 24);
	conf_run_free(&run);
}

/* The cases that failed, for the message: what caught_by should list. */
static void failed_ids(const struct conf_run *run, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < run->n; i++) {
		int n;

		if (run->results[i].result != CONF_FAIL)
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     run->results[i].kase->id);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* A target that dies: the run stops at the case it dies in (an ERROR: its
 * waits timed out, the probe after it found nobody), reports the rest as
 * not run and fails, within a few waits rather than one per case left. */
static void check_death(const struct cli_quirk *q, const struct conf_run *run)
{
	char headline[256];

	if (!run->down_after)
		fail_msg("switch %s: the run never noticed the target stopped answering", q->name);
	if (strcmp(run->down_after->id, q->caught_by))
		fail_msg("switch %s: the target now dies during %s, not %s: update caught_by",
			 q->name, run->down_after->id, q->caught_by);
	assert_true(run->counts[CONF_NOT_RUN] > 0);
	assert_true(conf_run_failed(run));
	if (run->seconds >= 30.0)
		fail_msg("switch %s: the run took %.1f s after the target died", q->name,
			 run->seconds);
	conf_run_headline(run, headline, sizeof(headline));
	assert_non_null(strstr(headline, "target stopped answering during case"));
	print_message("switch %s: %s (%.1f s)\n", q->name, headline, run->seconds);
}

static void check_switch(const char *name)
{
	const struct cli_quirk *q = NULL;
	struct conf_run run;
	char ids[512], failed[4096], *save = NULL;
	unsigned int caught = 0;

	for (size_t i = 0; i < cli_nr_quirks; i++)
		if (!strcmp(cli_quirks[i].name, name))
			q = &cli_quirks[i];
	assert_non_null(q);
	/* The default level: a switch only optional or informative cases
	 * notice would pass `nvmfsim conform`. */
	run_suite(q->bit, CONF_OPTIONAL, &run);
	if (q->dies) {
		check_death(q, &run);
		conf_run_free(&run);
		return;
	}
	failed_ids(&run, failed, sizeof(failed));
	/* Only a switch that drops a command may leave one uncompleted: a
	 * wrong-CID answer, say, must be named as such, not waited out. */
	for (size_t i = 0; strcmp(name, "never-complete-icd-read") && i < run.n; i++)
		if (run.results[i].log && strstr(run.results[i].log, "every command completes"))
			fail_msg("switch %s: case %s reports a command never completed:\n%s", name,
				 run.results[i].kase->id, run.results[i].log);
	if (!q->caught_by[0])
		fail_msg("switch %s lists no case that catches it (failing: %s)", name,
			 failed[0] ? failed : "none");
	if (!conf_run_failed(&run))
		fail_msg("switch %s (%s): the default-level run did not fail", name, q->what);
	snprintf(ids, sizeof(ids), "%s", q->caught_by);
	for (char *id = strtok_r(ids, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
		const struct conf_case_result *r = find(&run, id);

		if (!r)
			fail_msg("switch %s: case %s did not run at the default level", name, id);
		if (r->result != CONF_FAIL)
			fail_msg("switch %s (%s): case %s gave %s, not FAIL (failing: %s)", name,
				 q->what, id, conf_result_name(r->result), failed);
		if (q->log_has && (!r->log || !strstr(r->log, q->log_has)))
			fail_msg("switch %s: case %s FAILed, but not \"%s\":\n%s", name, id,
				 q->log_has, r->log ? r->log : "");
		caught++;
	}
	print_message("switch %s: %u listed case(s) fail as they must; failing: %s\n", name,
		      caught, failed);
	conf_run_free(&run);
}

/* One test per switch, named after it (test_every_switch_has_a_test holds
 * the two lists together); CTest finds each by its cmocka_unit_test line. */
#define SWITCH_TEST(fn, name)                                                                \
	static void fn(void **state)                                                         \
	{                                                                                    \
		(void)state;                                                                 \
		check_switch(name);                                                          \
	}

SWITCH_TEST(test_switch_wrong_lbaf_is_caught, "wrong-lbaf")
SWITCH_TEST(test_switch_opcode_not_field_is_caught, "opcode-not-field")
SWITCH_TEST(test_switch_no_kato_expiry_is_caught, "no-kato-expiry")
SWITCH_TEST(test_switch_lpo_off_by_one_is_caught, "lpo-off-by-one")
SWITCH_TEST(test_switch_no_lba_check_is_caught, "no-lba-check")
SWITCH_TEST(test_switch_no_aer_limit_is_caught, "no-aer-limit")
SWITCH_TEST(test_switch_wrong_id_cntlid_is_caught, "wrong-id-cntlid")
SWITCH_TEST(test_switch_property_set_ro_is_caught, "property-set-ro")
SWITCH_TEST(test_switch_nsid_all_ok_is_caught, "nsid-all-ok")
SWITCH_TEST(test_switch_hostid_settable_is_caught, "hostid-settable")
SWITCH_TEST(test_switch_wrong_sqhd_is_caught, "wrong-sqhd")
SWITCH_TEST(test_switch_no_ipo_is_caught, "no-ipo")
SWITCH_TEST(test_switch_cntlid_zero_is_caught, "cntlid-zero")
SWITCH_TEST(test_switch_static_cntlid_ok_is_caught, "static-cntlid-ok")
SWITCH_TEST(test_switch_recfmt_ignored_is_caught, "recfmt-ignored")
SWITCH_TEST(test_switch_disconnect_admin_ok_is_caught, "disconnect-admin-ok")
SWITCH_TEST(test_switch_wrong_sqid_is_caught, "wrong-sqid")
SWITCH_TEST(test_switch_no_host_filter_is_caught, "no-host-filter")
SWITCH_TEST(test_switch_dnr_clear_is_caught, "dnr-clear")
SWITCH_TEST(test_switch_no_mdts_is_caught, "no-mdts")
SWITCH_TEST(test_switch_io_connect_before_enable_is_caught, "io-connect-before-enable")
SWITCH_TEST(test_switch_hostid_not_compared_is_caught, "hostid-not-compared")
SWITCH_TEST(test_switch_queue_size_unchecked_is_caught, "queue-size-unchecked")
SWITCH_TEST(test_switch_cm_connect_unchecked_is_caught, "cm-connect-unchecked")
SWITCH_TEST(test_switch_keyed_length_unchecked_is_caught, "keyed-length-unchecked")
SWITCH_TEST(test_switch_icd_offset_unchecked_is_caught, "icd-offset-unchecked")
SWITCH_TEST(test_switch_kas_wrong_is_caught, "kas-wrong")
SWITCH_TEST(test_switch_no_error_log_is_caught, "no-error-log")
SWITCH_TEST(test_switch_nq_ffff_ok_is_caught, "nq-ffff-ok")
SWITCH_TEST(test_switch_nq_after_io_ok_is_caught, "nq-after-io-ok")
SWITCH_TEST(test_switch_sv_accepted_is_caught, "sv-accepted")
SWITCH_TEST(test_switch_sel_reserved_ok_is_caught, "sel-reserved-ok")
SWITCH_TEST(test_switch_bad_nsid_zeroes_is_caught, "bad-nsid-zeroes")
SWITCH_TEST(test_switch_lba_internal_error_is_caught, "lba-internal-error")
SWITCH_TEST(test_switch_afi_zero_is_caught, "afi-zero")
SWITCH_TEST(test_switch_admin_before_ready_is_caught, "admin-before-ready")
SWITCH_TEST(test_switch_cfs_ignored_is_caught, "cfs-ignored")
SWITCH_TEST(test_switch_reserved_lid_ok_is_caught, "reserved-lid-ok")
SWITCH_TEST(test_switch_kato_needs_enable_is_caught, "kato-needs-enable")
SWITCH_TEST(test_switch_hostnqn_syntax_unchecked_is_caught, "hostnqn-syntax-unchecked")
SWITCH_TEST(test_switch_zero_hostid_ok_is_caught, "zero-hostid-ok")
SWITCH_TEST(test_switch_sqsize_zero_ok_is_caught, "sqsize-zero-ok")
SWITCH_TEST(test_switch_cid0_on_error_is_caught, "cid0-on-error")
SWITCH_TEST(test_switch_never_complete_icd_read_is_caught, "never-complete-icd-read")
SWITCH_TEST(test_switch_dies_mid_run_is_caught, "dies-mid-run")

/* The parser takes names to bits, above bit 31 too, and refuses others. */
static void test_parse_quirks(void **state)
{
	nvsim_quirks_t bits = 0;
	char err[128];

	(void)state;
	assert_int_equal(cli_parse_quirks("wrong-lbaf,afi-zero", &bits, err, sizeof(err)), 0);
	assert_true(bits == (NVSIM_QUIRK_WRONG_LBAF | NVSIM_QUIRK_AFI_ZERO));
	assert_int_equal(cli_parse_quirks("no-such-switch", &bits, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no-such-switch"));
}

static void test_every_switch_has_a_test(void **state);

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_every_case_passes_without_misbehaviour),
	cmocka_unit_test(test_every_switch_has_a_test),
	cmocka_unit_test(test_parse_quirks),
	cmocka_unit_test(test_switch_wrong_lbaf_is_caught),
	cmocka_unit_test(test_switch_opcode_not_field_is_caught),
	cmocka_unit_test(test_switch_no_kato_expiry_is_caught),
	cmocka_unit_test(test_switch_lpo_off_by_one_is_caught),
	cmocka_unit_test(test_switch_no_lba_check_is_caught),
	cmocka_unit_test(test_switch_no_aer_limit_is_caught),
	cmocka_unit_test(test_switch_wrong_id_cntlid_is_caught),
	cmocka_unit_test(test_switch_property_set_ro_is_caught),
	cmocka_unit_test(test_switch_nsid_all_ok_is_caught),
	cmocka_unit_test(test_switch_hostid_settable_is_caught),
	cmocka_unit_test(test_switch_wrong_sqhd_is_caught),
	cmocka_unit_test(test_switch_no_ipo_is_caught),
	cmocka_unit_test(test_switch_cntlid_zero_is_caught),
	cmocka_unit_test(test_switch_static_cntlid_ok_is_caught),
	cmocka_unit_test(test_switch_recfmt_ignored_is_caught),
	cmocka_unit_test(test_switch_disconnect_admin_ok_is_caught),
	cmocka_unit_test(test_switch_wrong_sqid_is_caught),
	cmocka_unit_test(test_switch_no_host_filter_is_caught),
	cmocka_unit_test(test_switch_dnr_clear_is_caught),
	cmocka_unit_test(test_switch_no_mdts_is_caught),
	cmocka_unit_test(test_switch_io_connect_before_enable_is_caught),
	cmocka_unit_test(test_switch_hostid_not_compared_is_caught),
	cmocka_unit_test(test_switch_queue_size_unchecked_is_caught),
	cmocka_unit_test(test_switch_cm_connect_unchecked_is_caught),
	cmocka_unit_test(test_switch_keyed_length_unchecked_is_caught),
	cmocka_unit_test(test_switch_icd_offset_unchecked_is_caught),
	cmocka_unit_test(test_switch_kas_wrong_is_caught),
	cmocka_unit_test(test_switch_no_error_log_is_caught),
	cmocka_unit_test(test_switch_nq_ffff_ok_is_caught),
	cmocka_unit_test(test_switch_nq_after_io_ok_is_caught),
	cmocka_unit_test(test_switch_sv_accepted_is_caught),
	cmocka_unit_test(test_switch_sel_reserved_ok_is_caught),
	cmocka_unit_test(test_switch_bad_nsid_zeroes_is_caught),
	cmocka_unit_test(test_switch_lba_internal_error_is_caught),
	cmocka_unit_test(test_switch_afi_zero_is_caught),
	cmocka_unit_test(test_switch_admin_before_ready_is_caught),
	cmocka_unit_test(test_switch_cfs_ignored_is_caught),
	cmocka_unit_test(test_switch_reserved_lid_ok_is_caught),
	cmocka_unit_test(test_switch_kato_needs_enable_is_caught),
	cmocka_unit_test(test_switch_hostnqn_syntax_unchecked_is_caught),
	cmocka_unit_test(test_switch_zero_hostid_ok_is_caught),
	cmocka_unit_test(test_switch_sqsize_zero_ok_is_caught),
	cmocka_unit_test(test_switch_cid0_on_error_is_caught),
	cmocka_unit_test(test_switch_never_complete_icd_read_is_caught),
	cmocka_unit_test(test_switch_dies_mid_run_is_caught),
};

/* Each switch is one bit of its own under a name of its own, and tests[]
 * runs test_switch_<name>_is_caught for it, and for nothing else. */
static void test_every_switch_has_a_test(void **state)
{
	const char *prefix = "test_switch_", *suffix = "_is_caught";
	size_t nr_switch_tests = 0;

	(void)state;
	for (size_t i = 0; i < cli_nr_quirks; i++) {
		const struct cli_quirk *q = &cli_quirks[i];
		char want[128];
		bool has_test = false;

		assert_true(q->bit && !(q->bit & (q->bit - 1)));
		for (size_t j = 0; j < i; j++) {
			assert_true(q->bit != cli_quirks[j].bit);
			assert_string_not_equal(q->name, cli_quirks[j].name);
		}
		snprintf(want, sizeof(want), "%s%s%s", prefix, q->name, suffix);
		for (char *p = want; *p; p++)
			if (*p == '-')
				*p = '_';
		for (size_t j = 0; j < sizeof(tests) / sizeof(tests[0]); j++)
			has_test |= !strcmp(tests[j].name, want);
		if (!has_test)
			fail_msg("switch %s has no test %s", q->name, want);
	}
	for (size_t j = 0; j < sizeof(tests) / sizeof(tests[0]); j++)
		nr_switch_tests += !strncmp(tests[j].name, prefix, strlen(prefix));
	assert_int_equal(nr_switch_tests, cli_nr_quirks);
}

NVMFSIM_TEST_MAIN(tests)
