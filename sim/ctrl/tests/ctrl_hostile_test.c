/* Hostile hosts against the controller model (issue 13 item 8).  A host
 * names as many blocks as the fields allow, and the sparse RAM namespace's
 * work and memory must follow what it holds, not what the host names: each
 * test asserts every answer and the namespace's own accounting
 * (nvsim_ctrl_ns_usage) after every command, and the index nodes the
 * command visited (index_visits): a few tree heights per range plus one
 * path per chunk freed, where a walk following the range would visit
 * millions.  A host also keeps every queue full of commands a slow
 * namespace holds: each completes once, in due order (they sit in a heap,
 * not a list walked per completion), also when a queue full of them is
 * deleted.  Nothing here is timed; the ranges come from fixed seeds,
 * printed. */
#include <inttypes.h>

#include "ctrl_harness.h"

#define TIB (1ull << 40)
#define NS_NLB (TIB / 512u)   /* 2^31 blocks of 512 bytes */
#define LOW_NLB (NS_NLB / 2u) /* the ranges stay below this... */
#define COMMANDS 1000u
#define RANGES 256u
#define WRITTEN 64u	/* chunks written where the ranges go */
#define SENTINELS 16u	/* ...and chunks written above, which must stay */
#define CHUNK_BLOCKS 8u /* 4 KiB */
/* 1 TiB is 2^28 chunks, six bits a level: a tree of five levels.  Per
 * range a walk looks at two boundary paths and the two partial chunks at
 * its ends (a lookup, and a path if it frees them): six heights at most;
 * each chunk freed adds its own path. */
#define HEIGHT 5u
#define VISITS_PER_RANGE (6u * HEIGHT)

static struct nvme_dsm_range ranges[RANGES];
static uint8_t wbuf[4096], rbuf[4096];

static struct nvme_dsm_range range(uint64_t slba, uint32_t nlb)
{
	return (struct nvme_dsm_range){ .cattr = 0, .nlb = htole32(nlb), .slba = htole64(slba) };
}

static struct nvsim_cqe dsm(struct harness *h, uint32_t nsid)
{
	struct nvsim_sqe s = h_sqe_dsm(h, nsid, RANGES, NVSIM_DSM_ATTR_DEALLOCATE);

	return h_exec(h, 1, &s, ranges, sizeof(ranges));
}

static struct nvsim_ns_usage usage(struct harness *h, uint32_t nsid)
{
	struct nvsim_ns_usage u;

	memset(&u, 0xa5, sizeof(u));
	assert_int_equal(nvsim_ctrl_ns_usage(h->ctrl, nsid, &u), 0);
	return u;
}

static void assert_same_usage(struct nvsim_ns_usage a, struct nvsim_ns_usage b)
{
	assert_int_equal(a.chunks, b.chunks);
	assert_int_equal(a.data_bytes, b.data_bytes);
	assert_int_equal(a.index_bytes, b.index_bytes);
}

/* The nodes one command of nr ranges visited, from before to after. */
static void assert_visits_bounded(struct nvsim_ns_usage before, struct nvsim_ns_usage after,
				  unsigned nr)
{
	uint64_t freed = before.chunks - after.chunks;

	assert_true(after.chunks <= before.chunks);
	assert_true(after.index_visits - before.index_visits <=
		    (uint64_t)nr * VISITS_PER_RANGE + freed * HEIGHT);
}

/* A range inside [0, limit) of at most 2^32 - 1 blocks, the field's most;
 * one in 16 is the whole of [0, limit). */
static struct nvme_dsm_range random_range(uint64_t *seed, uint64_t limit)
{
	uint64_t slba = h_splitmix64(seed) % limit, nlb = h_splitmix64(seed) & 0xffffffffu;

	if (h_splitmix64(seed) % 16 == 0)
		return range(0, (uint32_t)(limit < 0xffffffffu ? limit : 0xffffffffu));
	if (nlb > limit - slba)
		nlb = limit - slba;
	return range(slba, (uint32_t)nlb);
}

static void start_1tib(struct harness *h, unsigned nr_ns)
{
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, TIB, 512);

	h_start(h);
	ns.mem_limit_bytes = 64ull << 20;
	for (uint32_t id = 1; id <= nr_ns; id++)
		assert_int_equal(nvsim_ctrl_add_ns(h->ctrl, id, &ns), 0);
	h_io_queues(h, 1, 63);
}

/* 1000 commands of 256 ranges, up to the whole 1 TiB each, on an empty
 * namespace: every one succeeds, the namespace holds exactly what it held
 * empty, index included, and each command visits a few nodes per range. */
static void test_dsm_1000x256_ranges_on_empty_1tib_namespace(void **state)
{
	uint64_t seed = 0xd5a11ce5ull;
	struct nvsim_ns_usage empty, before, after;
	struct harness h;

	(void)state;
	print_message("seed 0x%" PRIx64 "\n", seed);
	start_1tib(&h, 1);
	empty = before = usage(&h, 1);
	assert_int_equal(empty.chunks, 0);
	for (unsigned c = 0; c < COMMANDS; c++) {
		for (unsigned i = 0; i < RANGES; i++)
			ranges[i] = random_range(&seed, NS_NLB);
		assert_success(dsm(&h, 1));
		after = usage(&h, 1);
		assert_same_usage(after, empty);
		assert_visits_bounded(before, after, RANGES);
		before = after;
	}
	h_stop(&h);
}

/* The last range of a refused command: past the end three ways. */
static struct nvme_dsm_range out_of_range(unsigned c)
{
	switch (c / 10 % 3) {
	case 0:
		return range(NS_NLB, 1); /* at NSZE */
	case 1:
		return range(NS_NLB - 1, 2); /* crossing the last LBA */
	default:
		return range(UINT64_MAX, 2); /* SLBA + NLB wraps 2^64 */
	}
}

static void write_chunk(struct harness *h, uint32_t nsid, uint64_t slba, uint32_t seed)
{
	h_fill_pattern(wbuf, sizeof(wbuf), seed);
	assert_success(h_io(h, 1, nvme_cmd_write, nsid, slba, CHUNK_BLOCKS, wbuf, sizeof(wbuf)));
}

static void read_chunk(struct harness *h, uint64_t slba)
{
	memset(rbuf, 0x5a, sizeof(rbuf));
	assert_success(h_io(h, 1, nvme_cmd_read, 1, slba, CHUNK_BLOCKS, rbuf, sizeof(rbuf)));
}

/* Chunk-aligned LBAs: WRITTEN below LOW_NLB, SENTINELS above it. */
static void pick_chunks(uint64_t *seed, uint64_t *written, uint64_t *sentinel)
{
	for (unsigned i = 0; i < WRITTEN; i++)
		written[i] = h_splitmix64(seed) % LOW_NLB / CHUNK_BLOCKS * CHUNK_BLOCKS;
	for (unsigned i = 0; i < SENTINELS; i++)
		sentinel[i] = LOW_NLB + h_splitmix64(seed) % LOW_NLB / CHUNK_BLOCKS * CHUNK_BLOCKS;
}

/* Command c: 255 random ranges below LOW_NLB plus one on written chunk
 * c % 64; every tenth also names a sentinel and ends with a range past the
 * namespace, and must be refused whole. */
static bool fill_command(uint64_t *seed, unsigned c, const uint64_t *written,
			 const uint64_t *sentinel)
{
	bool refused = c % 10 == 9;

	for (unsigned i = 0; i < RANGES; i++)
		ranges[i] = random_range(seed, LOW_NLB);
	ranges[0] = range(written[c % WRITTEN], CHUNK_BLOCKS);
	if (refused) {
		ranges[1] = range(sentinel[c % SENTINELS], CHUNK_BLOCKS);
		ranges[RANGES - 1] = out_of_range(c);
	}
	return refused;
}

/* The same 1000 x 256 over a namespace holding chunks in and out of the
 * ranges: commands with a range past the end are LBA Out of Range and
 * change nothing, not even looking at the index; the others free what they
 * cover, visiting a few nodes per range and a path per chunk freed.  At the end the written
 * chunks read zeros, the sentinels read their data, and the namespace
 * holds what a twin holding only the sentinels holds, index included (no
 * node is left behind). */
static void test_dsm_1000x256_ranges_free_written_chunks_keep_the_rest(void **state)
{
	uint64_t seed = 0xfee1600dull, written[WRITTEN], sentinel[SENTINELS];
	struct nvsim_ns_usage before, after;
	struct harness h;

	(void)state;
	print_message("seed 0x%" PRIx64 "\n", seed);
	start_1tib(&h, 2);
	pick_chunks(&seed, written, sentinel);
	for (unsigned i = 0; i < SENTINELS; i++) {
		write_chunk(&h, 1, sentinel[i], 1000 + i);
		write_chunk(&h, 2, sentinel[i], 1000 + i);
	}
	for (unsigned i = 0; i < WRITTEN; i++)
		write_chunk(&h, 1, written[i], i);
	before = usage(&h, 1);
	assert_true(before.chunks > SENTINELS);
	for (unsigned c = 0; c < COMMANDS; c++) {
		bool refused = fill_command(&seed, c, written, sentinel);
		struct nvsim_cqe cqe = dsm(&h, 1);

		after = usage(&h, 1);
		if (refused) {
			assert_generic_error(&h, cqe, NVME_SC_LBA_RANGE, LOC_ANY);
			assert_same_usage(after, before);
			assert_int_equal(after.index_visits, before.index_visits);
		} else {
			assert_success(cqe);
			assert_visits_bounded(before, after, RANGES);
			assert_true(after.chunks >= SENTINELS);
		}
		before = after;
	}
	assert_int_equal(after.chunks, SENTINELS);
	assert_same_usage(after, usage(&h, 2));
	for (unsigned i = 0; i < WRITTEN; i++) {
		read_chunk(&h, written[i]);
		assert_true(h_all_bytes(rbuf, sizeof(rbuf), 0));
	}
	for (unsigned i = 0; i < SENTINELS; i++) {
		read_chunk(&h, sentinel[i]);
		h_fill_pattern(wbuf, sizeof(wbuf), 1000 + i);
		assert_memory_equal(rbuf, wbuf, sizeof(wbuf));
	}
	h_stop(&h);
}

/* One DSM naming the same 64 chunks 256 times, then one naming them in
 * 256 adjacent pieces of two blocks: each frees the 64 chunks and visits
 * no more nodes than one range over them would, since the ranges are
 * merged before the walk. */
static void test_dsm_repeated_or_split_ranges_walk_once(void **state)
{
	struct nvsim_ns_usage before, after;
	struct harness h;

	(void)state;
	start_1tib(&h, 1);
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < WRITTEN; i++)
			write_chunk(&h, 1, (uint64_t)i * CHUNK_BLOCKS, i);
		before = usage(&h, 1);
		assert_int_equal(before.chunks, WRITTEN);
		for (unsigned i = 0; i < RANGES; i++)
			ranges[i] = pass ? range((uint64_t)i * 2, 2)
					 : range(0, WRITTEN * CHUNK_BLOCKS);
		assert_success(dsm(&h, 1));
		after = usage(&h, 1);
		assert_int_equal(after.chunks, 0);
		assert_visits_bounded(before, after, 1);
	}
	h_stop(&h);
}

static struct nvsim_cqe range_cmd(struct harness *h, uint8_t opcode, uint64_t slba, uint32_t nlb)
{
	struct nvsim_sqe s = h_sqe_rw(h, opcode, 1, slba, nlb);

	return h_exec(h, 1, &s, NULL, 0);
}

/* Write Zeroes and Verify of the most blocks one command names (65536), 1000
 * of each over the 1 TiB namespace: success inside, LBA Out of Range past
 * the end or wrapping; Write Zeroes frees the chunks it covers whole,
 * visiting a few nodes and a path per chunk freed; Verify changes nothing
 * and looks at nothing. */
static void test_write_zeroes_and_verify_1000_max_ranges_on_1tib(void **state)
{
	const uint32_t most = 65536;
	uint64_t seed = 0x2e205ull, written[WRITTEN], sentinel[SENTINELS];
	struct nvsim_ns_usage u;
	struct harness h;

	(void)state;
	print_message("seed 0x%" PRIx64 "\n", seed);
	start_1tib(&h, 1);
	pick_chunks(&seed, written, sentinel);
	for (unsigned i = 0; i < WRITTEN; i++)
		write_chunk(&h, 1, written[i], i);
	u = usage(&h, 1);
	for (unsigned c = 0; c < COMMANDS; c++) {
		uint64_t slba = h_splitmix64(&seed) % (NS_NLB - most + 1);
		struct nvsim_ns_usage after;

		assert_success(range_cmd(&h, nvme_cmd_verify, slba, most));
		after = usage(&h, 1);
		assert_same_usage(after, u);
		assert_int_equal(after.index_visits, u.index_visits);
		assert_success(range_cmd(&h, nvme_cmd_write_zeroes, slba, most));
		after = usage(&h, 1);
		assert_visits_bounded(u, after, 1);
		u = after;
	}
	for (unsigned i = 0; i < WRITTEN; i++) {
		uint64_t slba = written[i] < most ? 0 : written[i] - most + CHUNK_BLOCKS;

		assert_success(range_cmd(&h, nvme_cmd_write_zeroes, slba, most));
		read_chunk(&h, written[i]);
		assert_true(h_all_bytes(rbuf, sizeof(rbuf), 0));
	}
	assert_int_equal(usage(&h, 1).chunks, 0);
	assert_generic_error(&h, range_cmd(&h, nvme_cmd_write_zeroes, NS_NLB - most + 1, most),
			     NVME_SC_LBA_RANGE, LOC_CDW10);
	assert_generic_error(&h, range_cmd(&h, nvme_cmd_write_zeroes, UINT64_MAX - 1, most),
			     NVME_SC_LBA_RANGE, LOC_CDW10);
	assert_generic_error(&h, range_cmd(&h, nvme_cmd_verify, UINT64_MAX - 1, most),
			     NVME_SC_LBA_RANGE, LOC_CDW10);
	h_stop(&h);
}

/* ---- commands held by a slow namespace -------------------------------------- */

#define PARK_QUEUES 64u
#define PARK_DEPTH 1024u
#define PARKED (PARK_QUEUES * PARK_DEPTH)
#define DELETED_QID 5u	/* holds commands i with i % 64 == 4 */
#define ABORTED 100u	/* on queue 1 + 100 % 64 = 37 with CID 100 / 64 = 1 */
#define REFILLED PARK_DEPTH /* submitted on the recreated queue */

struct parked {
	uint64_t due;
	uint32_t order; /* submission order */
	uint32_t done;
	uint16_t sf;
};

static struct parked parked[PARKED + REFILLED];
static uint32_t completed[PARKED + REFILLED], nr_completed;

static void parked_done(void *arg, const struct nvsim_cqe *cqe)
{
	struct parked *p = arg;

	p->sf = h_sf(cqe);
	p->done++;
	completed[nr_completed++] = (uint32_t)(p - parked);
}

static void submit_held(struct harness *h, uint32_t i, uint16_t qid, uint32_t nsid, uint16_t cid)
{
	struct nvsim_sqe s = h_sqe_rw(h, nvme_cmd_verify, nsid, 0, 1);

	s.cid = htole16(cid);
	parked[i] = (struct parked){ .due = h->clock.ns + MS(nsid == 1 ? 5 : 1), .order = i };
	assert_int_equal(nvsim_ctrl_submit(h->ctrl, qid, &s, NULL, parked_done, &parked[i]), 0);
}

/* Completions from completed[from] on are in due order, ties in
 * submission order. */
static void assert_due_order(uint32_t from)
{
	for (uint32_t i = from + 1; i < nr_completed; i++) {
		const struct parked *a = &parked[completed[i - 1]], *b = &parked[completed[i]];

		assert_true(a->due < b->due || (a->due == b->due && a->order < b->order));
	}
}

/* Every queue of a 64-queue association full (1024 each) of Verify
 * commands held by two slow namespaces (5 ms and 1 ms), submitted as the
 * clock moves, so each queue's commands lie all over the heap.  An Abort
 * finds its command among them.  Deleting a full queue completes its 1024
 * with Aborted - SQ Deletion at once, nothing else; a recreated queue's
 * 1024 new commands, due before most of the old, join the heap.  One poll
 * then completes every other command once, in due order, ties in
 * submission order. */
static void test_64k_held_commands_complete_once_in_due_order(void **state)
{
	struct nvsim_ns_config slow = h_ns_config(NVSIM_NS_NULL, 1 << 20, 512);
	uint32_t before_delete, before_poll;
	struct harness h;
	struct nvsim_sqe s;
	struct nvsim_cqe cqe;

	(void)state;
	h_start(&h);
	slow.latency_ns = MS(5);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &slow), 0);
	slow.latency_ns = MS(1);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 2, &slow), 0);
	h_io_queues(&h, PARK_QUEUES, PARK_DEPTH - 1);
	nr_completed = 0;
	for (uint32_t i = 0; i < PARKED; i++) {
		if (i % 256 == 0)
			h_advance(&h, 100000); /* 0.1 ms */
		submit_held(&h, i, (uint16_t)(1 + i % PARK_QUEUES), 1 + i % 2,
			    (uint16_t)(i / PARK_QUEUES)); /* CID unique on its queue */
	}
	assert_int_equal(nr_completed, 0);
	s = h_sqe_abort(&h, 1 + ABORTED % PARK_QUEUES, ABORTED / PARK_QUEUES);
	cqe = h_exec(&h, 0, &s, NULL, 0);
	assert_success(cqe);
	assert_int_equal(le32toh(cqe.dw0) & 1, 0); /* aborted */
	assert_int_equal(nr_completed, 1);
	assert_int_equal(completed[0], ABORTED);
	assert_int_equal(nvsim_status_sc(parked[ABORTED].sf), NVME_SC_ABORT_REQ);

	before_delete = nr_completed;
	assert_int_equal(nvsim_ctrl_delete_io_queue(h.ctrl, DELETED_QID), 0);
	assert_int_equal(nr_completed, before_delete + PARK_DEPTH);
	for (uint32_t k = before_delete; k < nr_completed; k++) {
		const struct parked *p = &parked[completed[k]];

		assert_int_equal(completed[k] % PARK_QUEUES, DELETED_QID - 1);
		assert_int_equal(p->done, 1);
		assert_int_equal(nvsim_status_sct(p->sf), NVME_SCT_GENERIC);
		assert_int_equal(nvsim_status_sc(p->sf), NVME_SC_ABORT_QUEUE);
	}
	assert_int_equal(nvsim_ctrl_add_io_queue(h.ctrl, DELETED_QID, PARK_DEPTH - 1), 0);
	for (uint32_t j = 0; j < REFILLED; j++)
		submit_held(&h, PARKED + j, DELETED_QID, 2, (uint16_t)j);

	before_poll = nr_completed;
	h_advance(&h, MS(10));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), PARKED + REFILLED - before_poll);
	assert_int_equal(nr_completed, PARKED + REFILLED);
	for (uint32_t i = 0; i < PARKED + REFILLED; i++) {
		bool deleted = i < PARKED && i % PARK_QUEUES == DELETED_QID - 1;

		assert_int_equal(parked[i].done, 1);
		assert_true(i == ABORTED || deleted || parked[i].sf == 0);
	}
	for (uint32_t k = before_poll; k < nr_completed; k++)
		assert_true(completed[k] >= PARKED ||
			    completed[k] % PARK_QUEUES != DELETED_QID - 1);
	assert_due_order(before_poll);
	h_stop(&h);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_dsm_1000x256_ranges_on_empty_1tib_namespace),
	cmocka_unit_test(test_dsm_1000x256_ranges_free_written_chunks_keep_the_rest),
	cmocka_unit_test(test_dsm_repeated_or_split_ranges_walk_once),
	cmocka_unit_test(test_write_zeroes_and_verify_1000_max_ranges_on_1tib),
	cmocka_unit_test(test_64k_held_commands_complete_once_in_due_order),
};

NVMFSIM_TEST_MAIN(tests)
