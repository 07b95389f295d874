/* The suite has teeth: with each misbehaviour switch of the embedded
 * simulator on, the suite at its default level (what `nvmfsim conform`
 * runs) fails, and so does each case listed for the switch; with none,
 * every case of every level passes (issue 6 §6). */
#include <stdlib.h>
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
	failed_ids(&run, failed, sizeof(failed));
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
		caught++;
	}
	print_message("switch %s: %u listed case(s) fail as they must; failing: %s\n", name,
		      caught, failed);
	conf_run_free(&run);
}

/* Every switch of cli_quirks[], each with its test below. */
#define SWITCHES(X)                                                                          \
	X(wrong_lbaf, "wrong-lbaf")                                                          \
	X(opcode_not_field, "opcode-not-field")                                              \
	X(no_kato_expiry, "no-kato-expiry")                                                  \
	X(lpo_off_by_one, "lpo-off-by-one")                                                  \
	X(no_lba_check, "no-lba-check")                                                      \
	X(no_aer_limit, "no-aer-limit")                                                      \
	X(wrong_id_cntlid, "wrong-id-cntlid")                                                \
	X(property_set_ro, "property-set-ro")                                                \
	X(nsid_all_ok, "nsid-all-ok")                                                        \
	X(hostid_settable, "hostid-settable")                                                \
	X(wrong_sqhd, "wrong-sqhd")                                                          \
	X(no_ipo, "no-ipo")                                                                  \
	X(cntlid_zero, "cntlid-zero")                                                        \
	X(static_cntlid_ok, "static-cntlid-ok")                                              \
	X(recfmt_ignored, "recfmt-ignored")                                                  \
	X(disconnect_admin_ok, "disconnect-admin-ok")                                        \
	X(wrong_sqid, "wrong-sqid")                                                          \
	X(no_host_filter, "no-host-filter")                                                  \
	X(dnr_clear, "dnr-clear")                                                            \
	X(no_mdts, "no-mdts")                                                                \
	X(io_connect_before_enable, "io-connect-before-enable")                              \
	X(hostid_not_compared, "hostid-not-compared")                                        \
	X(queue_size_unchecked, "queue-size-unchecked")                                      \
	X(keyed_length_unchecked, "keyed-length-unchecked")                                  \
	X(icd_offset_unchecked, "icd-offset-unchecked")                                      \
	X(kas_wrong, "kas-wrong")                                                            \
	X(no_error_log, "no-error-log")                                                      \
	X(nq_ffff_ok, "nq-ffff-ok")                                                          \
	X(nq_after_io_ok, "nq-after-io-ok")                                                  \
	X(sv_accepted, "sv-accepted")                                                        \
	X(sel_reserved_ok, "sel-reserved-ok")                                                \
	X(bad_nsid_zeroes, "bad-nsid-zeroes")                                                \
	X(lba_internal_error, "lba-internal-error")                                          \
	X(afi_zero, "afi-zero")                                                              \
	X(admin_before_ready, "admin-before-ready")                                          \
	X(cfs_ignored, "cfs-ignored")                                                        \
	X(reserved_lid_ok, "reserved-lid-ok")                                                \
	X(hostnqn_syntax_unchecked, "hostnqn-syntax-unchecked")                              \
	X(zero_hostid_ok, "zero-hostid-ok")                                                  \
	X(sqsize_zero_ok, "sqsize-zero-ok")

#define SWITCH_TEST(id, name)                                                                \
	static void test_switch_##id##_is_caught(void **state)                              \
	{                                                                                    \
		(void)state;                                                                 \
		check_switch(name);                                                          \
	}
SWITCHES(SWITCH_TEST)

#define SWITCH_NAME(id, name) name,
static const char *const tested[] = { SWITCHES(SWITCH_NAME) };

/* Each switch is one bit of its own, has a name of its own and a test. */
static void test_every_switch_is_distinct_and_tested(void **state)
{
	(void)state;
	assert_int_equal(sizeof(tested) / sizeof(tested[0]), cli_nr_quirks);
	for (size_t i = 0; i < cli_nr_quirks; i++) {
		bool has_test = false;

		assert_true(cli_quirks[i].bit && !(cli_quirks[i].bit & (cli_quirks[i].bit - 1)));
		for (size_t j = 0; j < i; j++) {
			assert_true(cli_quirks[i].bit != cli_quirks[j].bit);
			assert_string_not_equal(cli_quirks[i].name, cli_quirks[j].name);
		}
		for (size_t j = 0; j < cli_nr_quirks; j++)
			has_test |= !strcmp(tested[j], cli_quirks[i].name);
		if (!has_test)
			fail_msg("switch %s has no test", cli_quirks[i].name);
	}
}

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

#define SWITCH_ENTRY(id, name) cmocka_unit_test(test_switch_##id##_is_caught),
static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_every_case_passes_without_misbehaviour),
	cmocka_unit_test(test_every_switch_is_distinct_and_tested),
	cmocka_unit_test(test_parse_quirks),
	SWITCHES(SWITCH_ENTRY)
};

NVMFSIM_TEST_MAIN(tests)
