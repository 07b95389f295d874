/* Fault injection (docs/controller.md "Fault injection"): matching by
 * opcode, queue, NSID, admin/I/O, LBA range, every Nth and seeded
 * probability; count limits; status, delay and drop actions. */
#include "ctrl_harness.h"

static uint8_t wbuf[8192], rbuf[8192];

static void start(struct harness *h)
{
	h_start(h);
	h_add_ns(h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_add_ns(h, 2, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(h, 2, 63);
}

static struct nvsim_inject_rule status_rule(int opcode, uint16_t status)
{
	struct nvsim_inject_rule r;

	nvsim_inject_rule_init(&r);
	r.opcode = opcode;
	r.action = NVSIM_INJECT_STATUS;
	r.status = status;
	return r;
}

static int add_rule(struct harness *h, const struct nvsim_inject_rule *r)
{
	int id = nvsim_ctrl_inject_add(h->ctrl, r);

	assert_true(id >= 0);
	return id;
}

static uint64_t fired(struct harness *h, int id)
{
	uint64_t n = UINT64_MAX;

	assert_int_equal(nvsim_ctrl_inject_fired(h->ctrl, id, &n), 0);
	return n;
}

static struct nvsim_cqe rd(struct harness *h, uint16_t qid, uint32_t nsid, uint64_t slba,
			   uint32_t nlb)
{
	assert_true((size_t)nlb * 512 <= sizeof(rbuf));
	return h_io(h, qid, nvme_cmd_read, nsid, slba, nlb, rbuf, (size_t)nlb * 512);
}

static struct nvsim_cqe wr(struct harness *h, uint16_t qid, uint32_t nsid, uint64_t slba,
			   uint32_t nlb)
{
	assert_true((size_t)nlb * 512 <= sizeof(wbuf));
	return h_io(h, qid, nvme_cmd_write, nsid, slba, nlb, wbuf, (size_t)nlb * 512);
}

#define WRITE_FAULT nvsim_status(NVME_SCT_MEDIA, NVME_SC_WRITE_FAULT, true)
#define READ_ERROR nvsim_status(NVME_SCT_MEDIA, NVME_SC_READ_ERROR, true)

/* The chosen status replaces execution: the write does not happen. */
static void test_inject_status_completes_with_status_instead_of_executing(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_write, WRITE_FAULT);

	(void)state;
	start(&h);
	add_rule(&h, &r);
	h_fill_pattern(wbuf, 512, 1);
	assert_status(wr(&h, 1, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_WRITE_FAULT, 1);
	memset(rbuf, 0x5a, 512);
	assert_success(rd(&h, 1, 1, 0, 1));
	assert_true(h_all_bytes(rbuf, 512, 0));
	h_stop(&h);
}

/* DNR is as given: an injected retryable error carries no DNR. */
static void test_inject_status_without_dnr_leaves_dnr_clear(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r =
		status_rule(nvme_cmd_read, nvsim_status(NVME_SCT_GENERIC, NVME_SC_INTERNAL, false));

	(void)state;
	start(&h);
	add_rule(&h, &r);
	assert_status(rd(&h, 1, 1, 0, 1), NVME_SCT_GENERIC, NVME_SC_INTERNAL, 0);
	h_stop(&h);
}

/* Injected failures are recorded like real ones. */
static void test_injected_failure_lands_in_error_log(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;
	struct nvme_error_log_page e;

	(void)state;
	start(&h);
	r.io_only = true; /* Read shares opcode 02h with Get Log Page */
	add_rule(&h, &r);
	s = h_sqe_rw(&h, nvme_cmd_read, 2, 7, 1);
	cqe = h_exec(&h, 2, &s, rbuf, 512);
	assert_status(cqe, NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	h_errlog_newest(&h, &e);
	assert_int_equal(le16toh(e.cmdid), le16toh(s.cid));
	assert_int_equal(le16toh(e.sqid), 2);
	assert_int_equal(le16toh(e.status_field) >> 1, READ_ERROR);
	assert_int_equal(le32toh(e.nsid), 2);
	h_stop(&h);
}

/* Delay: the command executes, its completion waits for the clock. */
static void test_inject_delay_holds_completion_until_clock_advances(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r;
	struct h_cmd c;

	(void)state;
	start(&h);
	nvsim_inject_rule_init(&r);
	r.opcode = nvme_cmd_write;
	r.action = NVSIM_INJECT_DELAY;
	r.delay_ns = MS(20);
	add_rule(&h, &r);
	h_fill_pattern(wbuf, 512, 2);
	c.sqe = h_sqe_rw(&h, nvme_cmd_write, 1, 4, 1);
	assert_int_equal(h_submit(&h, 1, &c, wbuf, 512), 0);
	assert_int_equal(c.done, 0);
	h_advance(&h, MS(19));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 0);
	assert_int_equal(c.done, 0);
	h_advance(&h, MS(1));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 1);
	assert_int_equal(c.done, 1);
	assert_success(c.cqe);
	assert_success(rd(&h, 1, 1, 4, 1));
	assert_memory_equal(rbuf, wbuf, 512);
	h_stop(&h);
}

/* Drop: no completion, ever. */
static void test_inject_drop_never_completes(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r;
	struct h_cmd c;

	(void)state;
	start(&h);
	nvsim_inject_rule_init(&r);
	r.opcode = nvme_cmd_read;
	r.action = NVSIM_INJECT_DROP;
	add_rule(&h, &r);
	c.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &c, rbuf, 512), 0);
	h_advance(&h, MS(3600 * 1000));
	nvsim_ctrl_poll(h.ctrl);
	assert_int_equal(c.done, 0);
	h_stop(&h);
}

/* Abort ends a dropped command (Aborted by Request) and frees its slot:
 * a 2-entry queue full of dropped reads takes a new command afterwards. */
static void test_abort_frees_dropped_command(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r;
	struct h_cmd c[3];
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 1, 1);
	nvsim_inject_rule_init(&r);
	r.opcode = nvme_cmd_read;
	r.count = 2;
	r.action = NVSIM_INJECT_DROP;
	add_rule(&h, &r);
	for (int i = 0; i < 2; i++) {
		c[i].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
		assert_int_equal(h_submit(&h, 1, &c[i], rbuf, 512), 0);
	}
	c[2].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &c[2], rbuf, 512), -EBUSY);

	s = h_sqe_abort(&h, 1, le16toh(c[0].sqe.cid));
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 0);
	assert_int_equal(c[0].done, 1);
	assert_status(c[0].cqe, NVME_SCT_GENERIC, NVME_SC_ABORT_REQ, 0);
	assert_int_equal(c[1].done, 0);
	assert_int_equal(h_submit(&h, 1, &c[2], rbuf, 512), 0);
	assert_int_equal(c[2].done, 1);
	assert_success(c[2].cqe);
	h_stop(&h);
}

/* Deleting the queue frees its dropped commands without completing them
 * (the owner hears of each through events.command_discarded), and the same
 * QID can be used again at full depth. */
static void test_queue_deletion_frees_dropped_commands(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r;
	struct h_cmd c[2];

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 1, 1);
	nvsim_inject_rule_init(&r);
	r.opcode = nvme_cmd_read;
	r.count = 2;
	r.action = NVSIM_INJECT_DROP;
	add_rule(&h, &r);
	for (int i = 0; i < 2; i++) {
		c[i].sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
		assert_int_equal(h_submit(&h, 1, &c[i], rbuf, 512), 0);
	}
	assert_int_equal(nvsim_ctrl_delete_io_queue(h.ctrl, 1), 0);
	assert_int_equal(c[0].done + c[1].done, 0);
	assert_int_equal(h.discarded, 2);
	assert_int_equal(nvsim_ctrl_add_io_queue(h.ctrl, 1, 1), 0);
	for (int i = 0; i < 2; i++) {
		struct h_cmd n;

		n.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
		assert_int_equal(h_submit(&h, 1, &n, rbuf, 512), 0);
		assert_int_equal(n.done, 1);
		assert_success(n.cqe);
	}
	h_stop(&h);
}

/* every_nth 3: the 3rd, 6th and 9th matching commands fire. */
static void test_inject_every_nth_fires_on_each_nth_match(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);
	int id;

	(void)state;
	start(&h);
	r.every_nth = 3;
	id = add_rule(&h, &r);
	for (int i = 1; i <= 9; i++) {
		struct nvsim_cqe cqe = rd(&h, 1, 1, 0, 1);

		if (i % 3 == 0)
			assert_status(cqe, NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
		else
			assert_success(cqe);
		/* non-matching commands do not count towards N */
		assert_success(wr(&h, 1, 1, 0, 1));
	}
	assert_int_equal(fired(&h, id), 3);
	h_stop(&h);
}

/* Run 200 reads against a 50% rule; which ones fail is the pattern. */
static uint64_t probability_pattern(uint64_t seed, uint8_t pattern[200])
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);
	uint64_t n;
	int id;

	h_config(&h);
	h.cfg.seed = seed;
	h_create(&h);
	h_enable(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_io_queues(&h, 1, 63);
	r.probability_ppm = 500000;
	id = add_rule(&h, &r);
	for (int i = 0; i < 200; i++) {
		struct nvsim_cqe cqe = rd(&h, 1, 1, 0, 1);

		pattern[i] = h_sf(&cqe) != 0;
	}
	n = fired(&h, id);
	h_stop(&h);
	return n;
}

/* The same seed fires on the same commands; a probability rule fires on
 * some commands, not all and not none. */
static void test_inject_probability_reproducible_with_same_seed(void **state)
{
	uint8_t a[200], b[200];
	uint64_t na, nb, count = 0;

	(void)state;
	na = probability_pattern(42, a);
	nb = probability_pattern(42, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(na, nb);
	for (int i = 0; i < 200; i++)
		count += a[i];
	assert_int_equal(count, na);
	/* 200 fair draws: all-or-nothing has probability 2^-199 */
	assert_in_range(count, 1, 199);
}

/* count 2: fires twice, then never again. */
static void test_inject_count_limits_firings(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);
	int id;

	(void)state;
	start(&h);
	r.count = 2;
	id = add_rule(&h, &r);
	assert_status(rd(&h, 1, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	assert_status(rd(&h, 1, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	for (int i = 0; i < 5; i++)
		assert_success(rd(&h, 1, 1, 0, 1));
	assert_int_equal(fired(&h, id), 2);
	h_stop(&h);
}

/* LBA range [100, 199]: I/O overlapping it matches, other I/O does not. */
static void test_inject_lba_range_matches_only_overlapping_io(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(NVSIM_MATCH_ANY, READ_ERROR);
	struct nvsim_sqe s;

	(void)state;
	start(&h);
	r.io_only = true;
	r.lba_range = true;
	r.lba_first = 100;
	r.lba_last = 199;
	add_rule(&h, &r);
	assert_success(rd(&h, 1, 1, 92, 8)); /* 92..99 */
	assert_status(rd(&h, 1, 1, 99, 2), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	assert_status(rd(&h, 1, 1, 150, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	assert_status(wr(&h, 1, 1, 199, 4), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	assert_success(rd(&h, 1, 1, 200, 8)); /* 200..207 */
	s = h_sqe(&h, nvme_cmd_flush, 1);      /* names no LBAs */
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	h_stop(&h);
}

static void test_inject_matches_opcode(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_write, WRITE_FAULT);

	(void)state;
	start(&h);
	add_rule(&h, &r);
	assert_success(rd(&h, 1, 1, 0, 1));
	assert_status(wr(&h, 1, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_WRITE_FAULT, 1);
	h_stop(&h);
}

static void test_inject_matches_queue(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);

	(void)state;
	start(&h);
	r.qid = 2;
	add_rule(&h, &r);
	assert_success(rd(&h, 1, 1, 0, 1));
	assert_status(rd(&h, 2, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	h_stop(&h);
}

static void test_inject_matches_nsid(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);

	(void)state;
	start(&h);
	r.nsid = 2;
	add_rule(&h, &r);
	assert_success(rd(&h, 1, 1, 0, 1));
	assert_status(rd(&h, 1, 2, 0, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	h_stop(&h);
}

/* Opcodes overlap between the admin and NVM sets (02h is Get Log Page and
 * Read): admin_only picks the admin one. */
static void test_inject_admin_only_skips_io(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r =
		status_rule(0x02, nvsim_status(NVME_SCT_GENERIC, NVME_SC_INTERNAL, true));
	uint8_t smart[512];

	(void)state;
	start(&h);
	r.admin_only = true;
	add_rule(&h, &r);
	assert_success(rd(&h, 1, 1, 0, 1));
	assert_status(h_get_log(&h, NVME_LOG_LID_SMART, 0, smart, sizeof(smart), 0, false),
		      NVME_SCT_GENERIC, NVME_SC_INTERNAL, 1);
	h_stop(&h);
}

static void test_inject_io_only_skips_admin(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r =
		status_rule(0x02, nvsim_status(NVME_SCT_GENERIC, NVME_SC_INTERNAL, true));
	uint8_t smart[512];

	(void)state;
	start(&h);
	r.io_only = true;
	add_rule(&h, &r);
	assert_success(h_get_log(&h, NVME_LOG_LID_SMART, 0, smart, sizeof(smart), 0, false));
	assert_status(rd(&h, 1, 1, 0, 1), NVME_SCT_GENERIC, NVME_SC_INTERNAL, 1);
	h_stop(&h);
}

/* inject_fired counts each firing of each rule separately. */
static void test_inject_fired_counts_per_rule(void **state)
{
	struct harness h;
	struct nvsim_inject_rule rr = status_rule(nvme_cmd_read, READ_ERROR);
	struct nvsim_inject_rule rw = status_rule(nvme_cmd_write, WRITE_FAULT);
	int idr, idw;
	uint64_t n;

	(void)state;
	start(&h);
	idr = add_rule(&h, &rr);
	idw = add_rule(&h, &rw);
	assert_int_not_equal(idr, idw);
	assert_int_equal(fired(&h, idr), 0);
	for (int i = 0; i < 3; i++)
		rd(&h, 1, 1, 0, 1);
	wr(&h, 1, 1, 0, 1);
	assert_int_equal(fired(&h, idr), 3);
	assert_int_equal(fired(&h, idw), 1);
	assert_true(nvsim_ctrl_inject_fired(h.ctrl, 1000, &n) < 0);
	h_stop(&h);
}

static void test_inject_clear_removes_all_rules(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r = status_rule(nvme_cmd_read, READ_ERROR);

	(void)state;
	start(&h);
	add_rule(&h, &r);
	assert_status(rd(&h, 1, 1, 0, 1), NVME_SCT_MEDIA, NVME_SC_READ_ERROR, 1);
	assert_int_equal(nvsim_ctrl_inject_clear(h.ctrl), 0);
	assert_success(rd(&h, 1, 1, 0, 1));
	h_stop(&h);
}

/* Teardown: dropped commands stay silent and are reported discarded. */
static void test_teardown_discards_dropped_commands_without_completion(void **state)
{
	struct harness h;
	struct nvsim_inject_rule r;
	struct h_cmd c;

	(void)state;
	start(&h);
	nvsim_inject_rule_init(&r);
	r.opcode = nvme_cmd_read;
	r.io_only = true;
	r.action = NVSIM_INJECT_DROP;
	add_rule(&h, &r);
	c.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 0, 1);
	assert_int_equal(h_submit(&h, 1, &c, rbuf, 512), 0);
	nvsim_ctrl_teardown(h.ctrl);
	assert_int_equal(c.done, 0);
	assert_int_equal(h.discarded, 1);
	assert_ptr_equal(h.last_discarded_arg, &c);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_inject_status_completes_with_status_instead_of_executing),
	cmocka_unit_test(test_inject_status_without_dnr_leaves_dnr_clear),
	cmocka_unit_test(test_injected_failure_lands_in_error_log),
	cmocka_unit_test(test_inject_delay_holds_completion_until_clock_advances),
	cmocka_unit_test(test_inject_drop_never_completes),
	cmocka_unit_test(test_abort_frees_dropped_command),
	cmocka_unit_test(test_queue_deletion_frees_dropped_commands),
	cmocka_unit_test(test_teardown_discards_dropped_commands_without_completion),
	cmocka_unit_test(test_inject_every_nth_fires_on_each_nth_match),
	cmocka_unit_test(test_inject_probability_reproducible_with_same_seed),
	cmocka_unit_test(test_inject_count_limits_firings),
	cmocka_unit_test(test_inject_lba_range_matches_only_overlapping_io),
	cmocka_unit_test(test_inject_matches_opcode),
	cmocka_unit_test(test_inject_matches_queue),
	cmocka_unit_test(test_inject_matches_nsid),
	cmocka_unit_test(test_inject_admin_only_skips_io),
	cmocka_unit_test(test_inject_io_only_skips_admin),
	cmocka_unit_test(test_inject_fired_counts_per_rule),
	cmocka_unit_test(test_inject_clear_removes_all_rules),
};

NVMFSIM_TEST_MAIN(tests)
