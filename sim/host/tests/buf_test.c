/* Host buffers against the embedded target: memory registered for one
 * direction refuses the other (a target that writes into a Write's source,
 * or reads a Read's destination, is caught, not unseen), by the raw layer
 * and by nvsim_hq_start; streaming commands over buffers registered once;
 * completions that answer no outstanding command counted as strays. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/embedded.h"
#include "cmocka_main.h"
#include "host/host.h"
#include "spec/status.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define LEN 8192u /* above the 4 KiB of in-capsule data: a keyed SGL */
#define LBA 512u
#define MAX_POLLS 1000000 /* turns of the loop, not time: the target is in-process */

struct world {
	struct nvsim_embedded *e;
	struct nvsim_host *h;
	struct nvsim_hq *q;
};

/* A new association (one I/O queue of 8 entries) to the running target. */
static void reconnect(struct world *w)
{
	static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
					    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };
	struct nvsim_host_config hc;
	struct nvsim_host_status st;

	nvsim_host_config_init(&hc);
	hc.transport.fabric = w->e->fabric;
	hc.transport.addr = NVSIM_EMBEDDED_ADDR;
	hc.transport.progress = nvsim_embedded_poll;
	hc.transport.progress_arg = w->e;
	hc.transport.timeout_ms = 2000;
	hc.subnqn = SUBNQN;
	hc.hostnqn = HOSTNQN;
	memcpy(hc.hostid, hostid, sizeof(hostid));
	hc.nr_io_queues = 1;
	hc.io_sqsize = 7;
	assert_int_equal(nvsim_host_connect(&hc, &w->h, &st), 0);
	w->q = nvsim_host_io(w->h, 1);
	assert_non_null(w->q);
}

static void world_new_quirks(struct world *w, nvsim_quirks_t quirks)
{
	struct nvsim_embedded_config cfg;

	memset(w, 0, sizeof(*w));
	nvsim_embedded_config_init(&cfg);
	cfg.ns_size_bytes = 16ull << 20;
	cfg.target.quirks = quirks;
	assert_int_equal(nvsim_embedded_start(&cfg, &w->e), 0);
	reconnect(w);
}

static void world_new(struct world *w)
{
	world_new_quirks(w, 0);
}

/* Writes to LBA lba answer status sf (0: are dropped, never answered). */
static void inject_at(struct world *w, uint64_t lba, uint16_t sf)
{
	struct nvsim_inject_rule rule;

	nvsim_inject_rule_init(&rule);
	rule.opcode = nvme_cmd_write;
	rule.io_only = true;
	rule.lba_range = true;
	rule.lba_first = rule.lba_last = lba;
	rule.action = sf ? NVSIM_INJECT_STATUS : NVSIM_INJECT_DROP;
	rule.status = sf;
	assert_int_equal(nvsim_target_inject_add(w->e->target, &rule), 0);
}

static void world_free(struct world *w)
{
	nvsim_host_disconnect(w->h);
	nvsim_embedded_stop(w->e);
}

static void rw_sqe(struct nvsim_sqe *sqe, bool write, uint16_t cid, uint64_t slba)
{
	struct nvsim_sqe_rw *rw = (void *)sqe;

	memset(sqe, 0, sizeof(*sqe));
	rw->opcode = write ? nvme_cmd_write : nvme_cmd_read;
	rw->nsid = htole32(1);
	rw->cid = htole16(cid);
	rw->slba = htole64(slba);
	rw->nlb = htole16(LEN / LBA - 1);
}

/* Writes LEN bytes of byte v at slba the ordinary way. */
static void write_bytes(struct world *w, uint64_t slba, uint8_t v)
{
	struct nvsim_host_status st;
	uint8_t *buf = malloc(LEN);

	assert_non_null(buf);
	memset(buf, v, LEN);
	assert_int_equal(nvsim_host_rw(w->h, 1, true, 1, slba, LEN / LBA, buf, LEN, &st), 0);
	free(buf);
}

static bool all_bytes(const uint8_t *buf, size_t len, uint8_t v)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			return false;
	return true;
}

/* The command's outcome: true only for a completion with status 0. */
static bool succeeded(struct nvsim_hq *q, uint16_t cid)
{
	struct nvsim_cqe cqe;

	return !nvsim_hq_wait_cqe(q, cid, &cqe) && !nvsim_cqe_status_field(&cqe);
}

/* Waits for cmd's end: 0 (its CQE in cmd->cqe) or -ECONNRESET. */
static int reap_wait(struct world *w, struct nvsim_hcmd *cmd)
{
	for (int i = 0; i < MAX_POLLS; i++) {
		int ret = nvsim_hq_reap(w->q, cmd);

		if (ret != -EAGAIN)
			return ret;
		nvsim_embedded_poll(w->e);
	}
	fail_msg("CID 0x%04x: no completion and the queue still up", cmd->cid);
	return -ETIMEDOUT;
}

/* A Read handed the rkey of a Write's source (registered REMOTE_READ only):
 * the target's RDMA WRITE fails, the buffer keeps its bytes. */
static void test_write_source_refuses_the_target_writing_into_it(void **state)
{
	struct world w;
	struct nvsim_hbuf hb;
	struct nvsim_sqe sqe;
	uint8_t *buf = aligned_alloc(4096, LEN);

	(void)state;
	assert_non_null(buf);
	world_new(&w);
	write_bytes(&w, 0, 0x5a);
	memset(buf, 0xa5, LEN);
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, buf, LEN, NVSIM_DIR_H2C, &hb), 0);
	rw_sqe(&sqe, false, 0x40, 0);
	/* keyed: C2H never goes in the capsule */
	assert_int_equal(nvsim_hq_start_reg(w.q, &sqe, &hb, 0, LEN, NVSIM_DIR_C2H), 0);
	assert_false(succeeded(w.q, 0x40));
	nvsim_hq_buf_dereg(&hb);
	assert_true(all_bytes(buf, LEN, 0xa5));
	world_free(&w);
	free(buf);
}

/* A Write handed the rkey of a Read's destination (REMOTE_WRITE only): the
 * target's RDMA READ fails and the namespace keeps its old data. */
static void test_read_destination_refuses_the_target_reading_it(void **state)
{
	struct world w;
	struct nvsim_hbuf hb;
	struct nvsim_sqe sqe;
	struct nvsim_host_status st;
	uint8_t *buf = aligned_alloc(4096, LEN);

	(void)state;
	assert_non_null(buf);
	world_new(&w);
	write_bytes(&w, 0, 0x5a);
	memset(buf, 0xa5, LEN);
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, buf, LEN, NVSIM_DIR_C2H, &hb), 0);
	rw_sqe(&sqe, true, 0x41, 0);
	assert_int_equal(nvsim_hq_start_reg(w.q, &sqe, &hb, 0, LEN, NVSIM_DIR_C2H), 0);
	assert_false(succeeded(w.q, 0x41));
	nvsim_hq_buf_dereg(&hb);
	/* the queue may be gone: a new association reads what the namespace holds */
	nvsim_host_disconnect(w.h);
	reconnect(&w);
	memset(buf, 0, LEN);
	assert_int_equal(nvsim_host_rw(w.h, 1, false, 1, 0, LEN / LBA, buf, LEN, &st), 0);
	assert_true(all_bytes(buf, LEN, 0x5a));
	world_free(&w);
	free(buf);
}

/* Four Writes then four Reads over two buffers registered once, CIDs chosen
 * by the caller, reaped in whatever order they arrive. */
static void test_start_reg_streams_over_buffers_registered_once(void **state)
{
	enum { N = 4 };
	struct world w;
	struct nvsim_hbuf wmr, rmr;
	struct nvsim_sqe sqe;
	struct nvsim_cqe cqe;
	uint8_t *wb = aligned_alloc(4096, N * LEN), *rb = aligned_alloc(4096, N * LEN);
	bool seen[N];

	(void)state;
	assert_non_null(wb);
	assert_non_null(rb);
	world_new(&w);
	for (unsigned i = 0; i < N; i++)
		memset(wb + i * LEN, 0x10 + i, LEN);
	memset(rb, 0, N * LEN);
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, wb, N * LEN, NVSIM_DIR_H2C, &wmr), 0);
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, rb, N * LEN, NVSIM_DIR_C2H, &rmr), 0);
	for (int pass = 0; pass < 2; pass++) {
		memset(seen, 0, sizeof(seen));
		for (uint16_t i = 0; i < N; i++) {
			rw_sqe(&sqe, !pass, i, (uint64_t)i * (LEN / LBA));
			assert_int_equal(nvsim_hq_start_reg(w.q, &sqe, pass ? &rmr : &wmr,
							    (size_t)i * LEN, LEN,
							    pass ? NVSIM_DIR_C2H : NVSIM_DIR_H2C),
					 0);
		}
		for (unsigned done = 0; done < N;) {
			int ret = nvsim_hq_reap_any(w.q, &cqe);

			if (ret == -EAGAIN) {
				nvsim_embedded_poll(w.e);
				continue;
			}
			assert_int_equal(ret, 0);
			assert_true(le16toh(cqe.cid) < N);
			assert_false(seen[le16toh(cqe.cid)]);
			assert_int_equal(nvsim_cqe_status_field(&cqe), 0);
			seen[le16toh(cqe.cid)] = true;
			done++;
		}
	}
	assert_memory_equal(wb, rb, N * LEN);
	assert_int_equal(nvsim_hq_reap_any(w.q, &cqe), -EAGAIN);
	nvsim_hq_buf_dereg(&wmr);
	nvsim_hq_buf_dereg(&rmr);
	world_free(&w);
	free(wb);
	free(rb);
}

/* nvsim_hq_start registers a command's buffer for the direction it is
 * given alone: a Read whose buffer is registered H2C cannot be written by
 * the target, a Write whose buffer is registered C2H cannot be read. */
static void test_start_registers_for_the_given_direction_only(void **state)
{
	struct world w;
	struct nvsim_hcmd cmd;
	struct nvsim_sqe sqe;
	struct nvsim_host_status st;
	uint8_t *buf = aligned_alloc(4096, LEN);
	int ret;

	(void)state;
	assert_non_null(buf);
	world_new(&w);
	write_bytes(&w, 0, 0x5a);
	memset(buf, 0xa5, LEN);
	rw_sqe(&sqe, false, 0, 0);
	assert_int_equal(nvsim_hq_start(w.q, &sqe, buf, LEN, NVSIM_DIR_H2C, &cmd), 0);
	ret = reap_wait(&w, &cmd);
	assert_true(ret || nvsim_cqe_status_field(&cmd.cqe));
	nvsim_hq_buf_dereg(&cmd.hb);
	assert_true(all_bytes(buf, LEN, 0xa5));
	nvsim_host_disconnect(w.h);
	reconnect(&w);
	rw_sqe(&sqe, true, 0, 0);
	assert_int_equal(nvsim_hq_start(w.q, &sqe, buf, LEN, NVSIM_DIR_C2H, &cmd), 0);
	ret = reap_wait(&w, &cmd);
	assert_true(ret || nvsim_cqe_status_field(&cmd.cqe));
	nvsim_hq_buf_dereg(&cmd.hb);
	nvsim_host_disconnect(w.h);
	reconnect(&w);
	memset(buf, 0, LEN);
	assert_int_equal(nvsim_host_rw(w.h, 1, false, 1, 0, LEN / LBA, buf, LEN, &st), 0);
	assert_true(all_bytes(buf, LEN, 0x5a));
	world_free(&w);
	free(buf);
}

/* cid0-on-error answers the one command outstanding under CID 0: the
 * waiter learns of the wrong CID, the stray names the command it most
 * likely answered, and the queue counts it. */
static void test_wrong_cid_answer_is_a_stray_naming_the_sole_command(void **state)
{
	struct world w;
	struct nvsim_hbuf hb;
	struct nvsim_sqe sqe;
	struct nvsim_cqe cqe;
	const struct nvsim_stray *list;
	uint32_t n;
	uint8_t *buf = aligned_alloc(4096, LEN);

	(void)state;
	assert_non_null(buf);
	memset(buf, 0x11, LEN);
	world_new_quirks(&w, NVSIM_QUIRK_CID0_ON_ERROR);
	inject_at(&w, 0, nvsim_status(NVME_SCT_GENERIC, NVME_SC_INTERNAL, false));
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, buf, LEN, NVSIM_DIR_H2C, &hb), 0);
	rw_sqe(&sqe, true, 0x20, 0);
	assert_int_equal(nvsim_hq_start_reg(w.q, &sqe, &hb, 0, LEN, NVSIM_DIR_H2C), 0);
	assert_int_equal(nvsim_hq_wait_cqe(w.q, 0x20, &cqe), -EBADMSG);
	assert_int_equal(le16toh(cqe.cid), 0);
	assert_int_equal(nvsim_hq_strays(w.q, &list, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(le16toh(list[0].cqe.cid), 0);
	assert_int_equal(nvsim_cqe_status_field(&list[0].cqe) & 0x7ff, NVME_SC_INTERNAL);
	assert_true(list[0].has_expected);
	assert_int_equal(list[0].expected_cid, 0x20);
	assert_int_equal(list[0].expected_opcode, nvme_cmd_write);
	assert_false(list[0].duplicate);
	assert_int_equal(nvsim_hq_unexpected_cqes(w.q), 1);
	nvsim_hq_buf_dereg(&hb);
	world_free(&w);
	free(buf);
}

/* With two commands outstanding (one never answered), an answer under
 * CID 0, which the queue's Connect used: a second completion of that CID,
 * attributed to no command, and neither outstanding command completes. */
static void test_second_completion_of_a_cid_is_a_duplicate_stray(void **state)
{
	struct world w;
	struct nvsim_hbuf hb;
	struct nvsim_sqe sqe;
	struct nvsim_cqe cqe;
	const struct nvsim_stray *list;
	uint32_t n = 0;
	uint64_t total = 0;
	uint8_t *buf = aligned_alloc(4096, 2 * LEN);

	(void)state;
	assert_non_null(buf);
	memset(buf, 0x22, 2 * LEN);
	world_new_quirks(&w, NVSIM_QUIRK_CID0_ON_ERROR);
	inject_at(&w, 0, 0);
	inject_at(&w, LEN / LBA, nvsim_status(NVME_SCT_GENERIC, NVME_SC_INTERNAL, false));
	assert_int_equal(nvsim_hq_buf_reg_dir(w.q, buf, 2 * LEN, NVSIM_DIR_H2C, &hb), 0);
	for (uint16_t i = 0; i < 2; i++) {
		rw_sqe(&sqe, true, (uint16_t)(0x21 + i), (uint64_t)i * (LEN / LBA));
		assert_int_equal(nvsim_hq_start_reg(w.q, &sqe, &hb, (size_t)i * LEN, LEN,
						    NVSIM_DIR_H2C), 0);
	}
	for (int i = 0; i < MAX_POLLS && !total; i++) {
		nvsim_hq_poll(w.q);
		nvsim_embedded_poll(w.e);
		total = nvsim_hq_strays(w.q, &list, &n);
	}
	assert_int_equal(total, 1);
	assert_int_equal(n, 1);
	assert_int_equal(le16toh(list[0].cqe.cid), 0);
	assert_true(list[0].duplicate);
	assert_false(list[0].has_expected);
	assert_int_equal(nvsim_hq_reap_any(w.q, &cqe), -EAGAIN);
	nvsim_hq_buf_dereg(&hb);
	world_free(&w);
	free(buf);
}

static void test_status_name_is_short_with_sct_and_sc(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(nvsim_host_status_name(0x06, buf, sizeof(buf)),
			    "Internal Error (0/06h)");
	/* DNR is not part of the name: errors with and without it count together */
	assert_string_equal(nvsim_host_status_name(0x4281, buf, sizeof(buf)),
			    "Unrecovered Read Error (2/81h)");
	/* what libnvme cannot name: one wording, SCT/SC kept apart */
	assert_string_equal(nvsim_host_status_name(0x00ff, buf, sizeof(buf)),
			    "Unknown status (0/ffh)");
	assert_string_equal(nvsim_host_status_name(0x46ff, buf, sizeof(buf)),
			    "Unknown status (6/ffh)");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_write_source_refuses_the_target_writing_into_it),
	cmocka_unit_test(test_read_destination_refuses_the_target_reading_it),
	cmocka_unit_test(test_start_reg_streams_over_buffers_registered_once),
	cmocka_unit_test(test_start_registers_for_the_given_direction_only),
	cmocka_unit_test(test_wrong_cid_answer_is_a_stray_naming_the_sole_command),
	cmocka_unit_test(test_second_completion_of_a_cid_is_a_duplicate_stray),
	cmocka_unit_test(test_status_name_is_short_with_sct_and_sc),
};

NVMFSIM_TEST_MAIN(tests)
