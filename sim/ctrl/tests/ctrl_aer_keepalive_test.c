/* Asynchronous Event Request and Keep Alive (docs/controller.md
 * "Asynchronous Event Request", "Keep Alive"; NVMe Base 2.0 §5.2, §5.26,
 * §3.9 (approx.)). */
#include "ctrl_harness.h"

#define AEC_NS_ATTR (1u << 8)

static uint8_t page[4096];

/* AER DW0: type 2:0, information 15:8, log page 23:16. */
static unsigned aen_type(const struct nvsim_cqe *cqe)
{
	return le32toh(cqe->dw0) & 0x7;
}

static unsigned aen_info(const struct nvsim_cqe *cqe)
{
	return (le32toh(cqe->dw0) >> 8) & 0xff;
}

static unsigned aen_lid(const struct nvsim_cqe *cqe)
{
	return (le32toh(cqe->dw0) >> 16) & 0xff;
}

static void submit_aer(struct harness *h, struct h_cmd *c)
{
	c->sqe = h_sqe(h, nvme_admin_async_event, 0);
	assert_int_equal(h_submit(h, 0, c, NULL, 0), 0);
}

/* A ready controller with no namespace yet and namespace notices on. */
static void start_with_notices(struct harness *h)
{
	h_start(h);
	assert_success(h_set_feat(h, NVME_FEAT_FID_ASYNC_EVENT, AEC_NS_ATTR));
}

/* AERL 3: four AERs may wait, and they wait (no event pending). */
static void test_aerl_plus_one_aers_wait_without_completing(void **state)
{
	struct harness h;
	struct h_cmd aer[4];

	(void)state;
	h_start(&h);
	for (int i = 0; i < 4; i++) {
		submit_aer(&h, &aer[i]);
		assert_int_equal(aer[i].done, 0);
	}
	h_advance(&h, MS(100));
	nvsim_ctrl_poll(h.ctrl);
	for (int i = 0; i < 4; i++)
		assert_int_equal(aer[i].done, 0);
	h_stop(&h);
}

static void test_fifth_aer_is_limit_exceeded(void **state)
{
	struct harness h;
	struct h_cmd aer[5];

	(void)state;
	h_start(&h);
	for (int i = 0; i < 4; i++)
		submit_aer(&h, &aer[i]);
	submit_aer(&h, &aer[4]);
	assert_int_equal(aer[4].done, 1);
	assert_error(&h, aer[4].cqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_ASYNC_LIMIT, LOC_ANY);
	for (int i = 0; i < 4; i++)
		assert_int_equal(aer[i].done, 0);
	h_stop(&h);
}

/* The limit follows the configured AERL (0's based). */
static void test_aer_limit_follows_configured_aerl(void **state)
{
	struct harness h;
	struct h_cmd aer[2];

	(void)state;
	h_config(&h);
	h.cfg.aerl = 0;
	h_create(&h);
	h_enable(&h);
	submit_aer(&h, &aer[0]);
	assert_int_equal(aer[0].done, 0);
	submit_aer(&h, &aer[1]);
	assert_int_equal(aer[1].done, 1);
	assert_status(aer[1].cqe, NVME_SCT_CMD_SPECIFIC, NVME_SC_ASYNC_LIMIT, 1);
	h_stop(&h);
}

/* Attaching a namespace: Notice / Namespace Attribute Changed, LID 04h. */
static void test_namespace_attach_raises_ns_attribute_notice(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	start_with_notices(&h);
	submit_aer(&h, &aer);
	assert_int_equal(aer.done, 0);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer.done, 1);
	assert_success(aer.cqe);
	assert_int_equal(aen_type(&aer.cqe), NVME_AER_NOTICE);
	assert_int_equal(aen_info(&aer.cqe), NVME_AER_NOTICE_NS_CHANGED);
	assert_int_equal(aen_lid(&aer.cqe), NVME_LOG_LID_CHANGED_NS);
	h_stop(&h);
}

static void test_namespace_detach_raises_ns_attribute_notice(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ASYNC_EVENT, AEC_NS_ATTR));
	/* consume whatever the attach left, and unmask */
	assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0, false));
	submit_aer(&h, &aer);
	if (aer.done) { /* the attach notice, if it was queued */
		assert_int_equal(aen_lid(&aer.cqe), NVME_LOG_LID_CHANGED_NS);
		assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0,
					 false));
		submit_aer(&h, &aer);
	}
	assert_int_equal(aer.done, 0);
	assert_int_equal(nvsim_ctrl_remove_ns(h.ctrl, 1), 0);
	assert_int_equal(aer.done, 1);
	assert_success(aer.cqe);
	assert_int_equal(aen_type(&aer.cqe), NVME_AER_NOTICE);
	assert_int_equal(aen_info(&aer.cqe), NVME_AER_NOTICE_NS_CHANGED);
	assert_int_equal(aen_lid(&aer.cqe), NVME_LOG_LID_CHANGED_NS);
	h_stop(&h);
}

/* The notice is optional: with AEC bit 8 clear it is not sent (§5.27.1.9
 * (approx.)). */
static void test_namespace_change_without_aec_bit_8_sends_no_notice(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	h_start(&h);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ASYNC_EVENT, 0));
	submit_aer(&h, &aer);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer.done, 0);
	h_stop(&h);
}

/* An event with no AER waiting is kept and reported by the next AER. */
static void test_event_queues_until_an_aer_is_submitted(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	start_with_notices(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	submit_aer(&h, &aer);
	assert_int_equal(aer.done, 1);
	assert_success(aer.cqe);
	assert_int_equal(aen_type(&aer.cqe), NVME_AER_NOTICE);
	assert_int_equal(aen_lid(&aer.cqe), NVME_LOG_LID_CHANGED_NS);
	h_stop(&h);
}

/* The owner's error event: type Error, the given information, LID 01h. */
static void test_raised_error_event_reports_type_error_and_lid_01(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	h_start(&h);
	submit_aer(&h, &aer);
	nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_PERSISTENT_INTERNAL_ERROR);
	assert_int_equal(aer.done, 1);
	assert_success(aer.cqe);
	assert_int_equal(aen_type(&aer.cqe), NVME_AER_ERROR);
	assert_int_equal(aen_info(&aer.cqe), NVME_AER_ERROR_PERSISTENT_INTERNAL_ERROR);
	assert_int_equal(aen_lid(&aer.cqe), NVME_LOG_LID_ERROR);
	h_stop(&h);
}

/* Events of different types queue side by side, oldest first, one per AER. */
static void test_queued_events_are_reported_one_per_aer_oldest_first(void **state)
{
	struct harness h;
	struct h_cmd aer[3];

	(void)state;
	start_with_notices(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_PERSISTENT_INTERNAL_ERROR);
	submit_aer(&h, &aer[0]);
	submit_aer(&h, &aer[1]);
	submit_aer(&h, &aer[2]);
	assert_int_equal(aer[0].done, 1);
	assert_int_equal(aen_type(&aer[0].cqe), NVME_AER_NOTICE);
	assert_int_equal(aer[1].done, 1);
	assert_int_equal(aen_type(&aer[1].cqe), NVME_AER_ERROR);
	assert_int_equal(aen_lid(&aer[1].cqe), NVME_LOG_LID_ERROR);
	assert_int_equal(aer[2].done, 0);
	h_stop(&h);
}

/* Once reported, an event type is masked until its log is read with RAE =
 * 0; RAE = 1 keeps it masked (§5.2, §5.16 (approx.)). */
static void test_error_event_masked_until_error_log_read_with_rae0(void **state)
{
	struct harness h;
	struct h_cmd aer[2];
	uint8_t e[64];

	(void)state;
	h_start(&h);
	submit_aer(&h, &aer[0]);
	nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_PERSISTENT_INTERNAL_ERROR);
	assert_int_equal(aer[0].done, 1);

	submit_aer(&h, &aer[1]);
	nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_TRANSIENT_INTERNAL_ERROR);
	assert_int_equal(aer[1].done, 0);
	assert_success(h_get_log(&h, NVME_LOG_LID_ERROR, 0, e, sizeof(e), 0, true));
	nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_DIAG_FAILURE);
	assert_int_equal(aer[1].done, 0); /* RAE = 1 kept it masked */
	assert_success(h_get_log(&h, NVME_LOG_LID_ERROR, 0, e, sizeof(e), 0, false));
	/* unmasked: the event held meanwhile (or the next one) is reported */
	if (!aer[1].done)
		nvsim_ctrl_raise_error_event(h.ctrl, NVME_AER_ERROR_TRANSIENT_INTERNAL_ERROR);
	assert_int_equal(aer[1].done, 1);
	assert_int_equal(aen_type(&aer[1].cqe), NVME_AER_ERROR);
	assert_int_equal(aen_info(&aer[1].cqe), NVME_AER_ERROR_TRANSIENT_INTERNAL_ERROR);
	h_stop(&h);
}

static void test_ns_notice_masked_until_changed_ns_log_read_with_rae0(void **state)
{
	struct harness h;
	struct h_cmd aer[2];

	(void)state;
	start_with_notices(&h);
	submit_aer(&h, &aer[0]);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer[0].done, 1);

	submit_aer(&h, &aer[1]);
	h_add_ns(&h, 2, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer[1].done, 0);
	assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0, true));
	h_add_ns(&h, 3, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer[1].done, 0); /* RAE = 1 kept it masked */
	assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0, false));
	if (!aer[1].done)
		h_add_ns(&h, 4, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer[1].done, 1);
	assert_int_equal(aen_type(&aer[1].cqe), NVME_AER_NOTICE);
	assert_int_equal(aen_lid(&aer[1].cqe), NVME_LOG_LID_CHANGED_NS);
	h_stop(&h);
}

/* Namespaces attached before the controller is ready are its initial
 * inventory, learnt through Identify: they join no Changed Namespace List
 * and raise no notice. */
static void test_namespace_attached_before_ready_is_not_a_change(void **state)
{
	struct harness h;
	struct h_cmd aer;

	(void)state;
	h_config(&h);
	h_create(&h);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	h_enable(&h);
	assert_success(h_set_feat(&h, NVME_FEAT_FID_ASYNC_EVENT, AEC_NS_ATTR));
	submit_aer(&h, &aer);
	assert_int_equal(aer.done, 0);
	memset(page, 0xa5, sizeof(page));
	assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0, true));
	assert_true(h_all_bytes(page, sizeof(page), 0));
	/* while ready, a change does count */
	h_add_ns(&h, 2, NVSIM_NS_NULL, 1 << 20, 512);
	assert_int_equal(aer.done, 1);
	assert_success(h_get_log(&h, NVME_LOG_LID_CHANGED_NS, 0, page, sizeof(page), 0, true));
	assert_int_equal(get_le32(page), 2);
	h_stop(&h);
}

/* When the association ends, waiting AERs end with Aborted - SQ Deletion. */
static void test_teardown_ends_waiting_aers_with_sq_deletion(void **state)
{
	struct harness h;
	struct h_cmd aer[3];

	(void)state;
	h_start(&h);
	for (int i = 0; i < 3; i++)
		submit_aer(&h, &aer[i]);
	nvsim_ctrl_teardown(h.ctrl);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(aer[i].done, 1);
		assert_status(aer[i].cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_QUEUE, 0);
		assert_int_equal(le16toh(aer[i].cqe.cid), le16toh(aer[i].sqe.cid));
	}
	h_stop(&h);
}

/* ---- keep alive ---------------------------------------------------------- */

static struct nvsim_cqe keep_alive(struct harness *h)
{
	struct nvsim_sqe s = h_sqe(h, nvme_admin_keep_alive, 0);

	return h_exec(h, 0, &s, NULL, 0);
}

static void start_with_kato(struct harness *h, uint32_t kato_ms, bool traffic_based)
{
	h_config(h);
	h->cfg.traffic_based_keep_alive = traffic_based;
	h_create(h);
	nvsim_ctrl_set_kato(h->ctrl, kato_ms);
	h_enable(h);
}

static void poll_expect_expired(struct harness *h, unsigned n)
{
	nvsim_ctrl_poll(h->ctrl);
	assert_int_equal(h->kato_expired, n);
}

/* Silence shorter than KATO is fine; longer is an expiry. */
static void test_kato_expiry_reported_after_kato_without_keep_alive(void **state)
{
	struct harness h;

	(void)state;
	start_with_kato(&h, 2000, false);
	h_advance(&h, MS(1999));
	poll_expect_expired(&h, 0);
	h_advance(&h, MS(2));
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

/* The timer runs from the admin Connect (set_kato), not from CC.EN: a host
 * that connects and never enables loses its controller after KATO. */
static void test_kato_expiry_reported_for_a_controller_never_enabled(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h_create(&h);
	nvsim_ctrl_set_kato(h.ctrl, 1000);
	h_advance(&h, MS(999));
	poll_expect_expired(&h, 0);
	h_advance(&h, MS(2));
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

/* The owner learns of an expiry once, however often it polls. */
static void test_kato_expiry_reported_exactly_once(void **state)
{
	struct harness h;

	(void)state;
	start_with_kato(&h, 1000, false);
	h_advance(&h, MS(1500));
	poll_expect_expired(&h, 1);
	poll_expect_expired(&h, 1);
	h_advance(&h, MS(5000));
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

static void test_keep_alive_resets_the_timer(void **state)
{
	struct harness h;

	(void)state;
	start_with_kato(&h, 2000, false);
	h_advance(&h, MS(1500));
	assert_success(keep_alive(&h));
	h_advance(&h, MS(1500)); /* 3 s since enable, 1.5 s since Keep Alive */
	poll_expect_expired(&h, 0);
	assert_success(keep_alive(&h));
	h_advance(&h, MS(1500));
	poll_expect_expired(&h, 0);
	h_advance(&h, MS(600));
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

/* Without traffic-based keep alive only Keep Alive counts. */
static void test_other_commands_do_not_reset_timer_without_traffic_based_keep_alive(void **state)
{
	struct harness h;
	static uint8_t id[4096];

	(void)state;
	start_with_kato(&h, 2000, false);
	for (int i = 0; i < 5; i++) {
		h_advance(&h, MS(500));
		assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id));
	}
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

/* Traffic-based keep alive (CTRATT TBKAS): any command resets the timer. */
static void test_traffic_based_keep_alive_any_command_resets_timer(void **state)
{
	struct harness h;
	static uint8_t id[4096];

	(void)state;
	start_with_kato(&h, 2000, true);
	for (int i = 0; i < 5; i++) {
		h_advance(&h, MS(1500));
		assert_success(h_identify(&h, NVME_IDENTIFY_CNS_CTRL, 0, id));
		poll_expect_expired(&h, 0);
	}
	h_advance(&h, MS(2100));
	poll_expect_expired(&h, 1);
	h_stop(&h);
}

/* I/O counts as traffic too. */
static void test_traffic_based_keep_alive_counts_io_commands(void **state)
{
	struct harness h;
	static uint8_t blk[512];

	(void)state;
	start_with_kato(&h, 2000, true);
	h_add_ns(&h, 1, NVSIM_NS_NULL, 1 << 20, 512);
	h_io_queues(&h, 1, 63);
	for (int i = 0; i < 5; i++) {
		h_advance(&h, MS(1500));
		assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 1, blk, sizeof(blk)));
		poll_expect_expired(&h, 0);
	}
	h_stop(&h);
}

/* nvmet policy: with the timer disabled (KATO 0), Keep Alive is Keep Alive
 * Timeout Invalid. */
static void test_keep_alive_with_timer_disabled_is_kato_invalid(void **state)
{
	struct harness h;

	(void)state;
	start_with_kato(&h, 0, false);
	assert_error(&h, keep_alive(&h), NVME_SCT_GENERIC, NVME_SC_KAT_INVALID, LOC_ANY);
	h_stop(&h);
}

/* SPDK policy: KATO 0 can only come from Connect, and then Keep Alive is
 * simply accepted (only the nvmet policy rejects it). */
static void test_keep_alive_with_timer_disabled_succeeds_with_invalid_policy(void **state)
{
	struct harness h;

	(void)state;
	h_config(&h);
	h.cfg.kato_zero = NVSIM_KATO_ZERO_INVALID;
	h_create(&h);
	nvsim_ctrl_set_kato(h.ctrl, 0);
	h_enable(&h);
	assert_success(keep_alive(&h));
	h_advance(&h, MS(3600 * 1000));
	poll_expect_expired(&h, 0);
	h_stop(&h);
}

/* "Once per expiry": a Keep Alive after an expiry re-arms the timer, and a
 * second silence is a second expiry. */
static void test_kato_expiry_rearmed_by_keep_alive(void **state)
{
	struct harness h;

	(void)state;
	start_with_kato(&h, 1000, false);
	h_advance(&h, MS(1100));
	poll_expect_expired(&h, 1);
	assert_success(keep_alive(&h));
	h_advance(&h, MS(900));
	poll_expect_expired(&h, 1);
	h_advance(&h, MS(200));
	poll_expect_expired(&h, 2);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_aerl_plus_one_aers_wait_without_completing),
	cmocka_unit_test(test_fifth_aer_is_limit_exceeded),
	cmocka_unit_test(test_aer_limit_follows_configured_aerl),
	cmocka_unit_test(test_namespace_attach_raises_ns_attribute_notice),
	cmocka_unit_test(test_namespace_detach_raises_ns_attribute_notice),
	cmocka_unit_test(test_namespace_change_without_aec_bit_8_sends_no_notice),
	cmocka_unit_test(test_event_queues_until_an_aer_is_submitted),
	cmocka_unit_test(test_raised_error_event_reports_type_error_and_lid_01),
	cmocka_unit_test(test_queued_events_are_reported_one_per_aer_oldest_first),
	cmocka_unit_test(test_error_event_masked_until_error_log_read_with_rae0),
	cmocka_unit_test(test_ns_notice_masked_until_changed_ns_log_read_with_rae0),
	cmocka_unit_test(test_namespace_attached_before_ready_is_not_a_change),
	cmocka_unit_test(test_teardown_ends_waiting_aers_with_sq_deletion),
	cmocka_unit_test(test_kato_expiry_reported_after_kato_without_keep_alive),
	cmocka_unit_test(test_kato_expiry_reported_for_a_controller_never_enabled),
	cmocka_unit_test(test_kato_expiry_reported_exactly_once),
	cmocka_unit_test(test_keep_alive_resets_the_timer),
	cmocka_unit_test(test_other_commands_do_not_reset_timer_without_traffic_based_keep_alive),
	cmocka_unit_test(test_traffic_based_keep_alive_any_command_resets_timer),
	cmocka_unit_test(test_traffic_based_keep_alive_counts_io_commands),
	cmocka_unit_test(test_keep_alive_with_timer_disabled_is_kato_invalid),
	cmocka_unit_test(test_keep_alive_with_timer_disabled_succeeds_with_invalid_policy),
	cmocka_unit_test(test_kato_expiry_rearmed_by_keep_alive),
};

NVMFSIM_TEST_MAIN(tests)
