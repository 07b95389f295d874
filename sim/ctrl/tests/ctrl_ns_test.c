/* Namespaces and their back ends (docs/controller.md "Namespaces"): null,
 * sparse RAM, file; 512 B and 4 KiB LBAs; several namespaces; memory cap;
 * slow namespaces on the injected clock. */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "ctrl_harness.h"

static uint8_t wbuf[64 * 1024], rbuf[64 * 1024];

/* A scratch directory per test for file namespaces. */
struct scratch {
	char dir[64];
	char path[96];
};

static void scratch_make(struct scratch *s)
{
	strcpy(s->dir, "/tmp/nvsim-ctrl-ns-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/ns.img", s->dir);
}

static void scratch_drop(struct scratch *s)
{
	unlink(s->path);
	rmdir(s->dir);
}

static void round_trip(struct harness *h, uint32_t nsid, uint32_t lba, uint64_t slba,
		       uint32_t nlb, uint32_t seed)
{
	size_t len = (size_t)nlb * lba;

	h_fill_pattern(wbuf, len, seed);
	assert_success(h_io(h, 1, nvme_cmd_write, nsid, slba, nlb, wbuf, len));
	memset(rbuf, 0x5a, len);
	assert_success(h_io(h, 1, nvme_cmd_read, nsid, slba, nlb, rbuf, len));
	assert_memory_equal(rbuf, wbuf, len);
}

static void test_null_ns_discards_writes_and_reads_zeros(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_NULL, 1 << 20, 512);
	h_fill_pattern(wbuf, 4096, 1);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 8, 8, wbuf, 4096));
	memset(rbuf, 0x5a, 4096);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 8, 8, rbuf, 4096));
	assert_true(h_all_bytes(rbuf, 4096, 0));
	h_stop(&h);
}

static void test_ram_ns_round_trip_512_byte_lbas(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	round_trip(&h, 1, 512, 0, 1, 2);
	round_trip(&h, 1, 512, 7, 9, 3);      /* straddles a 4 KiB chunk */
	round_trip(&h, 1, 512, 2040, 8, 4);   /* the last blocks */
	h_stop(&h);
}

static void test_ram_ns_round_trip_4k_lbas(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 4096);
	round_trip(&h, 1, 4096, 0, 1, 5);
	round_trip(&h, 1, 4096, 100, 16, 6);
	round_trip(&h, 1, 4096, 255, 1, 7);
	h_stop(&h);
}

static void test_ram_ns_unwritten_blocks_read_zeros(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	round_trip(&h, 1, 512, 16, 1, 8);
	memset(rbuf, 0x5a, 8192);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 8, 16, rbuf, 8192));
	assert_true(h_all_bytes(rbuf, 8 * 512, 0));
	assert_memory_equal(rbuf + 8 * 512, wbuf, 512);
	assert_true(h_all_bytes(rbuf + 9 * 512, 7 * 512, 0));
	h_stop(&h);
}

/* Sparse: a 4 KiB chunk appears on the first write into it, not before and
 * not on reads.  The accounting is checked against what each test knows
 * it did: the distinct 4 KiB chunks its writes touched (and its
 * Deallocates left), 4 KiB of data each, and a memory figure holding at
 * least that and no more than the cap. */
static struct nvsim_ns_usage assert_holds(struct harness *h, uint64_t chunks)
{
	struct nvsim_ns_usage u;
	uint64_t mem = UINT64_MAX;

	memset(&u, 0xa5, sizeof(u));
	assert_int_equal(nvsim_ctrl_ns_usage(h->ctrl, 1, &u), 0);
	assert_int_equal(nvsim_ctrl_ns_mem_bytes(h->ctrl, 1, &mem), 0);
	assert_int_equal(u.chunks, chunks);
	assert_int_equal(u.data_bytes, chunks * 4096);
	assert_true(mem >= chunks * 4096);
	assert_true(mem <= u.limit_bytes);
	return u;
}

static void test_ram_ns_allocates_4k_chunks_on_first_write(void **state)
{
	struct harness h;
	struct nvsim_ns_usage empty;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1ull << 30, 512);
	empty = assert_holds(&h, 0); /* no chunk before any write */
	assert_true(empty.index_bytes < 1024);
	round_trip(&h, 1, 512, 0, 1, 9); /* chunk 0 */
	assert_holds(&h, 1);
	round_trip(&h, 1, 512, 7, 1, 10); /* still chunk 0 */
	assert_holds(&h, 1);
	round_trip(&h, 1, 512, 1000000, 1, 11); /* far away */
	assert_true(assert_holds(&h, 2).index_bytes > empty.index_bytes);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 500000, 8, rbuf, 4096));
	assert_holds(&h, 2);
	h_stop(&h);
}

static struct nvsim_cqe dealloc(struct harness *h, uint64_t slba, uint32_t nlb)
{
	struct nvme_dsm_range r = { .nlb = htole32(nlb), .slba = htole64(slba) };
	struct nvsim_sqe s = h_sqe_dsm(h, 1, 1, NVSIM_DSM_ATTR_DEALLOCATE);

	return h_exec(h, 1, &s, &r, sizeof(r));
}

/* Deallocate frees the chunks it covers whole and zeroes, but keeps, the
 * chunks it covers in part: 512 B blocks 4..43 over chunks 0..5 (blocks
 * 0..47) free chunks 1..4 and keep 0 and 5 with blocks 0..3 and 44..47. */
static void test_ram_dealloc_frees_whole_chunks_zeroes_partial_ones(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1 << 20, 512);
	h_fill_pattern(wbuf, 48 * 512, 21);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 48, wbuf, 48 * 512));
	assert_holds(&h, 6);
	assert_success(dealloc(&h, 4, 40));
	assert_holds(&h, 2);
	memset(rbuf, 0x5a, 48 * 512);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 48, rbuf, 48 * 512));
	assert_memory_equal(rbuf, wbuf, 4 * 512);
	assert_true(h_all_bytes(rbuf + 4 * 512, 40 * 512, 0));
	assert_memory_equal(rbuf + 44 * 512, wbuf + 44 * 512, 4 * 512);
	assert_success(dealloc(&h, 1, 2)); /* inside one chunk */
	assert_holds(&h, 2);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 4, rbuf, 4 * 512));
	assert_memory_equal(rbuf, wbuf, 512);
	assert_true(h_all_bytes(rbuf + 512, 2 * 512, 0));
	assert_memory_equal(rbuf + 3 * 512, wbuf + 3 * 512, 512);
	h_stop(&h);
}

/* A chunk deallocated in pieces is freed once the last piece goes, by
 * two ranges of one command, by two commands, or by Write Zeroes: with a
 * cap of two chunks' bytes (one chunk and its index fit, not two), the
 * memory comes back and a write elsewhere succeeds again. */
static void test_ram_chunk_deallocated_in_pieces_is_freed(void **state)
{
	struct nvme_dsm_range two[2] = {
		{ .nlb = htole32(4), .slba = htole64(0) },
		{ .nlb = htole32(4), .slba = htole64(4) },
	};
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	struct nvsim_sqe s;
	struct harness h;

	(void)state;
	h_start(&h);
	ns.mem_limit_bytes = 2 * 4096;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	round_trip(&h, 1, 512, 0, 8, 1);
	assert_generic_error(&h, h_io(&h, 1, nvme_cmd_write, 1, 80, 8, wbuf, 4096),
			     NVME_SC_CAP_EXCEEDED, LOC_ANY);
	s = h_sqe_dsm(&h, 1, 2, NVSIM_DSM_ATTR_DEALLOCATE);
	assert_success(h_exec(&h, 1, &s, two, sizeof(two)));
	assert_holds(&h, 0);

	round_trip(&h, 1, 512, 80, 8, 2);
	assert_success(dealloc(&h, 80, 4));
	assert_holds(&h, 1); /* half of it still holds data */
	assert_success(dealloc(&h, 84, 4));
	assert_holds(&h, 0);

	round_trip(&h, 1, 512, 0, 8, 3);
	s = h_sqe_rw(&h, nvme_cmd_write_zeroes, 1, 0, 3);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	s = h_sqe_rw(&h, nvme_cmd_write_zeroes, 1, 3, 5);
	assert_success(h_exec(&h, 1, &s, NULL, 0));
	assert_holds(&h, 0);
	round_trip(&h, 1, 512, 80, 8, 4);
	h_stop(&h);
}

/* A namespace of 4 KiB + 512 B: its last chunk is part-used, and a
 * Deallocate reaching the end frees it (nothing is stored past the end),
 * without touching the chunk before. */
static void test_ram_dealloc_to_the_end_of_an_odd_sized_namespace(void **state)
{
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 4096 + 512, 512);
	h_fill_pattern(wbuf, 9 * 512, 22);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 9, wbuf, 9 * 512));
	assert_holds(&h, 2);
	assert_success(dealloc(&h, 8, 1));
	assert_holds(&h, 1);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 9, rbuf, 9 * 512));
	assert_memory_equal(rbuf, wbuf, 8 * 512);
	assert_true(h_all_bytes(rbuf + 8 * 512, 512, 0));
	assert_success(dealloc(&h, 0, 9));
	assert_holds(&h, 0);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 9, rbuf, 9 * 512));
	assert_true(h_all_bytes(rbuf, 9 * 512, 0));
	h_stop(&h);
}

/* Chunks scattered over 1 TiB, then one range over everything: the chunks
 * and every index node they needed are gone, back to the empty size. */
static void test_ram_dealloc_everything_returns_the_index_to_empty(void **state)
{
	struct harness h;
	struct nvsim_ns_usage empty;
	uint64_t seed = 0xabcdefull;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 1ull << 40, 4096);
	empty = assert_holds(&h, 0);
	for (unsigned i = 0; i < 200; i++) {
		h_fill_pattern(wbuf, 4096, i);
		assert_success(h_io(&h, 1, nvme_cmd_write, 1, h_splitmix64(&seed) % (1u << 28), 1,
				    wbuf, 4096));
	}
	assert_true(assert_holds(&h, 200).index_bytes > empty.index_bytes); /* seeded: distinct */
	assert_success(dealloc(&h, 0, 1u << 28));
	assert_int_equal(assert_holds(&h, 0).index_bytes, empty.index_bytes);
	h_stop(&h);
}

/* Deallocated chunks give their memory back: a full namespace can be
 * written again after a Deallocate.  The cap counts the index with the
 * chunks: three chunks' bytes hold two chunks and their index, not three. */
static void test_ram_dealloc_gives_capacity_back(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 4096);

	(void)state;
	h_start(&h);
	ns.mem_limit_bytes = 3 * 4096;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	round_trip(&h, 1, 4096, 0, 2, 1);
	assert_generic_error(&h, h_io(&h, 1, nvme_cmd_write, 1, 9, 1, wbuf, 4096),
			     NVME_SC_CAP_EXCEEDED, LOC_ANY);
	assert_int_equal(assert_holds(&h, 2).limit_bytes, 3 * 4096);
	assert_success(dealloc(&h, 1, 1));
	round_trip(&h, 1, 4096, 9, 1, 2);
	assert_holds(&h, 2);
	h_stop(&h);
}

/* Index nodes count against the same cap as chunks: on a 2^60-byte
 * namespace each 4 KiB write far from the others needs seven new nodes, so
 * a cap of sixteen chunks' bytes is Capacity Exceeded after fewer than
 * sixteen such writes, and what is held never passes the cap.  Freeing
 * one far chunk frees its path too: the refused write then fits. */
static void test_ram_index_counts_against_the_cap(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1ull << 60, 4096);
	const uint64_t far = 1ull << 42; /* LBAs this far apart share only the root */
	const uint64_t limit = 16 * 4096;
	struct nvsim_cqe cqe;
	uint64_t k = 0;

	(void)state;
	h_start(&h);
	ns.mem_limit_bytes = limit;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	h_fill_pattern(wbuf, 4096, 5);
	for (;; k++) {
		cqe = h_io(&h, 1, nvme_cmd_write, 1, k * far, 1, wbuf, 4096);
		if (h_sf(&cqe))
			break;
		assert_holds(&h, k + 1);
	}
	assert_generic_error(&h, cqe, NVME_SC_CAP_EXCEEDED, LOC_ANY);
	print_message("far 4 KiB writes held under a cap of 16 chunks: %" PRIu64 "\n", k);
	assert_true(k >= 1 && k < 16);
	assert_int_equal(assert_holds(&h, k).limit_bytes, limit);
	assert_success(dealloc(&h, 0, 1));
	assert_holds(&h, k - 1);
	round_trip(&h, 1, 4096, k * far, 1, 6);
	assert_holds(&h, k);
	h_stop(&h);
}

/* A write that needs memory past mem_limit_bytes fails with Capacity
 * Exceeded; chunks already held stay writable. */
static void test_ram_ns_past_mem_limit_is_capacity_exceeded(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 4096);

	(void)state;
	h_start(&h);
	ns.mem_limit_bytes = 3 * 4096;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	round_trip(&h, 1, 4096, 0, 1, 1);
	round_trip(&h, 1, 4096, 5, 1, 2);
	assert_generic_error(&h, h_io(&h, 1, nvme_cmd_write, 1, 9, 1, wbuf, 4096),
			     NVME_SC_CAP_EXCEEDED, LOC_ANY);
	round_trip(&h, 1, 4096, 0, 1, 3);
	assert_holds(&h, 2);
	h_stop(&h);
}

/* mem_limit_bytes 0 holds min(size, 1 GiB) written in full, index
 * included: a small namespace, and one of 8 MiB + 512 B (a part-used last
 * chunk), can be written to the last block.  Above 1 GiB the default is
 * 1 GiB plus the index of 1 GiB written in one run (0.2 %). */
static void test_ram_ns_default_mem_limit_covers_small_namespace(void **state)
{
	const uint64_t odd = (8u << 20) + 512, gib = 1ull << 30;
	struct nvsim_ns_usage u;
	struct harness h;

	(void)state;
	h_start_io(&h, NVSIM_NS_RAM, 64 * 1024, 4096);
	round_trip(&h, 1, 4096, 0, 16, 4);
	assert_holds(&h, 16);
	h_stop(&h);

	h_start_io(&h, NVSIM_NS_RAM, odd, 512);
	for (uint64_t slba = 0; slba < odd / 512; slba += 64)
		round_trip(&h, 1, 512, slba, slba + 64 <= odd / 512 ? 64 : 1, (uint32_t)slba);
	assert_holds(&h, 2049);
	h_stop(&h);

	h_start_io(&h, NVSIM_NS_RAM, 1ull << 40, 4096);
	u = assert_holds(&h, 0);
	assert_true(u.limit_bytes > gib && u.limit_bytes < gib + gib / 400);
	h_stop(&h);
}

/* 1 TiB logical, 1000 scattered 4 KiB writes: memory tracks what was
 * written, not the namespace size. */
static uint64_t vm_rss_bytes(void)
{
	char line[256];
	uint64_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %" SCNu64 " kB", &kb) == 1)
			break;
	fclose(f);
	assert_int_not_equal(kb, 0);
	return kb * 1024;
}

static void test_ram_1tib_sparse_1000_writes_stays_under_64mib(void **state)
{
	enum { WRITES = 1000 };
	const uint64_t tib = 1ull << 40, limit = 64ull << 20;
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, tib, 4096);
	static uint64_t lbas[WRITES];
	uint64_t seed = 0x5eed1234, mem = 0, rss;

	(void)state;
	h_start(&h);
	ns.mem_limit_bytes = limit;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	for (unsigned i = 0; i < WRITES; i++) {
		lbas[i] = h_splitmix64(&seed) % (tib / 4096);
		h_fill_pattern(wbuf, 4096, i);
		assert_success(h_io(&h, 1, nvme_cmd_write, 1, lbas[i], 1, wbuf, 4096));
	}
	/* read back every 97th write not overwritten later */
	for (unsigned i = 0; i < WRITES; i += 97) {
		bool later = false;

		for (unsigned j = i + 1; j < WRITES; j++)
			later |= lbas[j] == lbas[i];
		if (later)
			continue;
		h_fill_pattern(wbuf, 4096, i);
		assert_success(h_io(&h, 1, nvme_cmd_read, 1, lbas[i], 1, rbuf, 4096));
		assert_memory_equal(rbuf, wbuf, 4096);
	}
	assert_int_equal(nvsim_ctrl_ns_mem_bytes(h.ctrl, 1, &mem), 0);
	rss = vm_rss_bytes();
	print_message("1 TiB ram namespace, %d scattered 4 KiB writes: ns_mem_bytes %" PRIu64
		      " (%.2f MiB), VmRSS %" PRIu64 " (%.2f MiB)\n",
		      WRITES, mem, mem / 1048576.0, rss, rss / 1048576.0);
	assert_true(mem >= 4096);
	assert_true(mem < limit);
	assert_true(rss < limit);
	h_stop(&h);
}

/* File back end: created sparse at the namespace size, data at
 * LBA x lba_size in the file. */
static void file_round_trip(uint32_t lba)
{
	struct harness h;
	struct scratch sc;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_FILE, 8 << 20, lba);
	struct stat st;
	int fd;

	scratch_make(&sc);
	h_start(&h);
	ns.path = sc.path;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	assert_int_equal(stat(sc.path, &st), 0);
	assert_int_equal(st.st_size, 8 << 20);
	assert_true((uint64_t)st.st_blocks * 512 < (8u << 20)); /* sparse */

	round_trip(&h, 1, lba, 3, 2, 12);
	fd = open(sc.path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, rbuf, 2 * lba, 3 * (off_t)lba), 2 * (ssize_t)lba);
	close(fd);
	assert_memory_equal(rbuf, wbuf, 2 * lba);
	h_stop(&h);
	scratch_drop(&sc);
}

static void test_file_ns_round_trip_512_byte_lbas(void **state)
{
	(void)state;
	file_round_trip(512);
}

static void test_file_ns_round_trip_4k_lbas(void **state)
{
	(void)state;
	file_round_trip(4096);
}

/* Whether the file system under path punches holes, asked directly. */
static bool fs_punches_holes(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	bool ok;

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, wbuf, 8192, 0), 8192);
	ok = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
	close(fd);
	unlink(path);
	return ok;
}

static uint8_t id_dlfeat(struct harness *h)
{
	static uint8_t id[4096];

	assert_success(h_identify(h, NVME_IDENTIFY_CNS_NS, 1, id));
	return ((struct nvme_id_ns *)id)->dlfeat;
}

/* 512-byte units the file occupies on disk, after a Flush. */
static uint64_t file_blocks(struct harness *h, const char *path)
{
	struct nvsim_sqe s = h_sqe(h, nvme_cmd_flush, 1);
	struct stat st;

	assert_success(h_exec(h, 1, &s, NULL, 0));
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_blocks;
}

static void file_ns_start(struct harness *h, struct scratch *sc, bool no_punch)
{
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_FILE, 64 << 20, 512);

	h_start(h);
	ns.path = sc->path;
	ns.file_no_punch = no_punch;
	assert_int_equal(nvsim_ctrl_add_ns(h->ctrl, 1, &ns), 0);
	h_io_queues(h, 1, 63);
}

/* Where the file system punches holes (asked first; skipped otherwise):
 * DLFEAT 001b with DEAC; DSM deallocate and Write Zeroes punch holes, so
 * the file gives its blocks back, the range reads zeros and its neighbours
 * keep their data; Write Zeroes of 65536 blocks (32 MiB) writes nothing. */
static void test_file_ns_deallocate_punches_holes(void **state)
{
	struct harness h;
	struct scratch sc;
	uint64_t full, after;

	(void)state;
	scratch_make(&sc);
	if (!fs_punches_holes(sc.path)) {
		scratch_drop(&sc);
		skip();
	}
	file_ns_start(&h, &sc, false);
	assert_int_equal(id_dlfeat(&h), 0x09);
	h_fill_pattern(wbuf, 128 * 512, 30);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 128, wbuf, 128 * 512));
	full = file_blocks(&h, sc.path);
	assert_true(full >= 128);
	assert_success(dealloc(&h, 8, 56)); /* 4 KiB .. 32 KiB */
	after = file_blocks(&h, sc.path);
	assert_true(after + 56 <= full);
	memset(rbuf, 0x5a, 128 * 512);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 128, rbuf, 128 * 512));
	assert_memory_equal(rbuf, wbuf, 8 * 512);
	assert_true(h_all_bytes(rbuf + 8 * 512, 56 * 512, 0));
	assert_memory_equal(rbuf + 64 * 512, wbuf + 64 * 512, 64 * 512);

	assert_success(h_io(&h, 1, nvme_cmd_write_zeroes, 1, 64, 65536, NULL, 0));
	assert_true(file_blocks(&h, sc.path) + 64 <= after);
	assert_true(file_blocks(&h, sc.path) * 512 < (1u << 20));
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 128, rbuf, 128 * 512));
	assert_memory_equal(rbuf, wbuf, 8 * 512);
	assert_true(h_all_bytes(rbuf + 8 * 512, 120 * 512, 0));
	h_stop(&h);
	scratch_drop(&sc);
}

/* A file without holes (file_no_punch, what the probe answers on a file
 * system or disk that has none): DLFEAT 000b; a DSM deallocate succeeds
 * and changes nothing (it is advisory); Write Zeroes of up to MDTS (1 MiB,
 * 2048 blocks) writes the zeros and leaves its neighbours alone; one block
 * more is Invalid Field in Command on NLB and changes nothing. */
static void test_file_ns_without_holes_bounds_write_zeroes(void **state)
{
	struct harness h;
	struct scratch sc;

	(void)state;
	scratch_make(&sc);
	file_ns_start(&h, &sc, true);
	assert_int_equal(id_dlfeat(&h), 0);
	h_fill_pattern(wbuf, 16 * 512, 31);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 16, wbuf, 16 * 512));
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 2056, 16, wbuf, 16 * 512));
	assert_success(dealloc(&h, 0, 16));
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 16, rbuf, 16 * 512));
	assert_memory_equal(rbuf, wbuf, 16 * 512);

	assert_success(h_io(&h, 1, nvme_cmd_write_zeroes, 1, 8, 2048, NULL, 0));
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 16, rbuf, 16 * 512));
	assert_memory_equal(rbuf, wbuf, 8 * 512);
	assert_true(h_all_bytes(rbuf + 8 * 512, 8 * 512, 0));
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 2048, 24, rbuf, 24 * 512));
	assert_true(h_all_bytes(rbuf, 8 * 512, 0));
	assert_memory_equal(rbuf + 8 * 512, wbuf, 16 * 512);

	assert_generic_error(&h, h_io(&h, 1, nvme_cmd_write_zeroes, 1, 2056, 2049, NULL, 0),
			     NVME_SC_INVALID_FIELD, LOC_CDW12);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 2056, 16, rbuf, 16 * 512));
	assert_memory_equal(rbuf, wbuf, 16 * 512);
	h_stop(&h);
	scratch_drop(&sc);
}

/* An existing, shorter file is extended and keeps its data; a new
 * controller on the same file sees what the last one wrote. */
static void test_file_ns_extends_existing_file_and_keeps_data(void **state)
{
	struct harness h;
	struct scratch sc;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_FILE, 1 << 20, 512);
	struct stat st;
	int fd;

	(void)state;
	scratch_make(&sc);
	h_fill_pattern(wbuf, 4096, 77);
	fd = open(sc.path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, wbuf, 4096), 4096);
	close(fd);

	h_start(&h);
	ns.path = sc.path;
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	assert_int_equal(stat(sc.path, &st), 0);
	assert_int_equal(st.st_size, 1 << 20);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 0, 8, rbuf, 4096));
	assert_memory_equal(rbuf, wbuf, 4096);
	h_fill_pattern(wbuf, 512, 78);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 100, 1, wbuf, 512));
	h_stop(&h);

	h_start(&h);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	assert_success(h_io(&h, 1, nvme_cmd_read, 1, 100, 1, rbuf, 512));
	assert_memory_equal(rbuf, wbuf, 512);
	h_stop(&h);
	scratch_drop(&sc);
}

/* Several namespaces of different kinds on one controller keep their data
 * apart. */
static void test_several_namespaces_keep_separate_data(void **state)
{
	struct harness h;
	uint8_t a[4096], b[4096];

	(void)state;
	h_start(&h);
	h_add_ns(&h, 1, NVSIM_NS_RAM, 1 << 20, 512);
	h_add_ns(&h, 2, NVSIM_NS_RAM, 1 << 20, 4096);
	h_add_ns(&h, 3, NVSIM_NS_NULL, 1 << 20, 512);
	h_io_queues(&h, 2, 63);
	h_fill_pattern(a, sizeof(a), 31);
	h_fill_pattern(b, sizeof(b), 32);
	assert_success(h_io(&h, 1, nvme_cmd_write, 1, 0, 8, a, 4096));
	assert_success(h_io(&h, 2, nvme_cmd_write, 2, 0, 1, b, 4096));
	assert_success(h_io(&h, 1, nvme_cmd_write, 3, 0, 8, a, 4096));
	assert_success(h_io(&h, 2, nvme_cmd_read, 1, 0, 8, rbuf, 4096));
	assert_memory_equal(rbuf, a, 4096);
	assert_success(h_io(&h, 1, nvme_cmd_read, 2, 0, 1, rbuf, 4096));
	assert_memory_equal(rbuf, b, 4096);
	assert_success(h_io(&h, 1, nvme_cmd_read, 3, 0, 8, rbuf, 4096));
	assert_true(h_all_bytes(rbuf, 4096, 0));
	h_stop(&h);
}

/* Only the two LBA formats exist, and the size is whole blocks. */
static void test_add_ns_rejects_other_lba_sizes_and_partial_blocks(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 1024);

	(void)state;
	h_start(&h);
	assert_true(nvsim_ctrl_add_ns(h.ctrl, 1, &ns) < 0);
	ns = h_ns_config(NVSIM_NS_RAM, (1 << 20) + 512, 4096);
	assert_true(nvsim_ctrl_add_ns(h.ctrl, 1, &ns) < 0);
	ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 4096);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), -EEXIST);
	h_stop(&h);
}

/* A slow namespace completes only when the clock has moved past its
 * latency and the owner polls. */
static void test_slow_ns_completes_only_after_clock_advances_and_poll(void **state)
{
	struct harness h;
	struct nvsim_ns_config ns = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	struct h_cmd wr, rd;

	(void)state;
	h_start(&h);
	ns.latency_ns = MS(5);
	assert_int_equal(nvsim_ctrl_add_ns(h.ctrl, 1, &ns), 0);
	h_io_queues(&h, 1, 63);
	h_fill_pattern(wbuf, 512, 40);
	wr.sqe = h_sqe_rw(&h, nvme_cmd_write, 1, 3, 1);
	assert_int_equal(h_submit(&h, 1, &wr, wbuf, 512), 0);
	assert_int_equal(wr.done, 0);
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 0);
	h_advance(&h, MS(4));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 0);
	assert_int_equal(wr.done, 0);
	h_advance(&h, MS(1));
	assert_int_equal(wr.done, 0); /* time alone does not complete it */
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 1);
	assert_int_equal(wr.done, 1);
	assert_success(wr.cqe);

	rd.sqe = h_sqe_rw(&h, nvme_cmd_read, 1, 3, 1);
	assert_int_equal(h_submit(&h, 1, &rd, rbuf, 512), 0);
	assert_int_equal(rd.done, 0);
	h_advance(&h, MS(5));
	assert_int_equal(nvsim_ctrl_poll(h.ctrl), 1);
	assert_int_equal(rd.done, 1);
	assert_success(rd.cqe);
	assert_memory_equal(rbuf, wbuf, 512);
	h_stop(&h);
}

/* One namespace shared by two controllers of a subsystem (ctrl.h
 * nvsim_ns_open): the same media and the same identifiers on both, and it
 * outlives the controller that goes first. */
static void test_shared_namespace_is_same_media_on_every_controller(void **state)
{
	struct harness a, b;
	struct nvsim_ns_config cfg = h_ns_config(NVSIM_NS_RAM, 1 << 20, 512);
	struct nvsim_ns *ns = NULL;
	static uint8_t ida[4096], idb[4096];

	(void)state;
	assert_int_equal(nvsim_ns_open(&cfg, "NVMFSIM0000000000001",
				       "nqn.2026-11.io.nvmf-sim:subsys0", 1, &ns), 0);
	h_start(&a);
	h_start(&b);
	assert_int_equal(nvsim_ctrl_attach_ns(a.ctrl, 1, ns), 0);
	assert_int_equal(nvsim_ctrl_attach_ns(b.ctrl, 1, ns), 0);
	nvsim_ns_put(ns); /* the controllers hold it now */
	h_io_queues(&a, 1, 63);
	h_io_queues(&b, 1, 63);

	h_fill_pattern(wbuf, 1024, 50);
	assert_success(h_io(&a, 1, nvme_cmd_write, 1, 10, 2, wbuf, 1024));
	assert_success(h_io(&b, 1, nvme_cmd_read, 1, 10, 2, rbuf, 1024));
	assert_memory_equal(rbuf, wbuf, 1024);
	assert_success(h_identify(&a, NVME_IDENTIFY_CNS_NS, 1, ida));
	assert_success(h_identify(&b, NVME_IDENTIFY_CNS_NS, 1, idb));
	assert_memory_equal(((struct nvme_id_ns *)ida)->nguid, ((struct nvme_id_ns *)idb)->nguid,
			    16);

	h_stop(&a);
	memset(rbuf, 0, 1024);
	assert_success(h_io(&b, 1, nvme_cmd_read, 1, 10, 2, rbuf, 1024));
	assert_memory_equal(rbuf, wbuf, 1024);
	h_stop(&b);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_null_ns_discards_writes_and_reads_zeros),
	cmocka_unit_test(test_ram_ns_round_trip_512_byte_lbas),
	cmocka_unit_test(test_ram_ns_round_trip_4k_lbas),
	cmocka_unit_test(test_ram_ns_unwritten_blocks_read_zeros),
	cmocka_unit_test(test_ram_ns_allocates_4k_chunks_on_first_write),
	cmocka_unit_test(test_ram_dealloc_frees_whole_chunks_zeroes_partial_ones),
	cmocka_unit_test(test_ram_chunk_deallocated_in_pieces_is_freed),
	cmocka_unit_test(test_ram_dealloc_to_the_end_of_an_odd_sized_namespace),
	cmocka_unit_test(test_ram_dealloc_everything_returns_the_index_to_empty),
	cmocka_unit_test(test_ram_dealloc_gives_capacity_back),
	cmocka_unit_test(test_ram_index_counts_against_the_cap),
	cmocka_unit_test(test_ram_ns_past_mem_limit_is_capacity_exceeded),
	cmocka_unit_test(test_ram_ns_default_mem_limit_covers_small_namespace),
	cmocka_unit_test(test_ram_1tib_sparse_1000_writes_stays_under_64mib),
	cmocka_unit_test(test_file_ns_round_trip_512_byte_lbas),
	cmocka_unit_test(test_file_ns_round_trip_4k_lbas),
	cmocka_unit_test(test_file_ns_deallocate_punches_holes),
	cmocka_unit_test(test_file_ns_without_holes_bounds_write_zeroes),
	cmocka_unit_test(test_file_ns_extends_existing_file_and_keeps_data),
	cmocka_unit_test(test_several_namespaces_keep_separate_data),
	cmocka_unit_test(test_add_ns_rejects_other_lba_sizes_and_partial_blocks),
	cmocka_unit_test(test_slow_ns_completes_only_after_clock_advances_and_poll),
	cmocka_unit_test(test_shared_namespace_is_same_media_on_every_controller),
};

NVMFSIM_TEST_MAIN(tests)
