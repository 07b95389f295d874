/* Host buffers against the embedded target: memory registered for one
 * direction refuses the other (a target that writes into a Write's source,
 * or reads a Read's destination, is caught, not unseen), and streaming
 * commands over buffers registered once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nvme/types.h>

#include "cli/embedded.h"
#include "cmocka_main.h"
#include "host/host.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define LEN 8192u /* above the 4 KiB of in-capsule data: a keyed SGL */
#define LBA 512u

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

static void world_new(struct world *w)
{
	struct nvsim_embedded_config cfg;

	memset(w, 0, sizeof(*w));
	nvsim_embedded_config_init(&cfg);
	cfg.ns_size_bytes = 16ull << 20;
	assert_int_equal(nvsim_embedded_start(&cfg, &w->e), 0);
	reconnect(w);
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

static void test_status_name_is_short_with_sct_and_sc(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(nvsim_host_status_name(0x06, buf, sizeof(buf)),
			    "Internal Error (0/06h)");
	/* DNR is not part of the name: errors with and without it count together */
	assert_string_equal(nvsim_host_status_name(0x4281, buf, sizeof(buf)),
			    "Unrecovered Read Error (2/81h)");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_write_source_refuses_the_target_writing_into_it),
	cmocka_unit_test(test_read_destination_refuses_the_target_reading_it),
	cmocka_unit_test(test_start_reg_streams_over_buffers_registered_once),
	cmocka_unit_test(test_status_name_is_short_with_sct_and_sc),
};

NVMFSIM_TEST_MAIN(tests)
