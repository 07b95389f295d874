/* The embedded target under hostile input from the raw host layer: random
 * command capsules and random CM private data, seeded.  Afterwards it must
 * still serve a well-behaved host, and must not have grown (no leaked
 * controllers, queues or buffers).  Prints the figures it measures. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/embedded.h"
#include "cmocka_main.h"
#include "host/host.h"

#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define SEED 0x5eed2026u

/* Under ASan freed memory sits in a quarantine and RSS means little; there
 * the leak checker is the guard, elsewhere the RSS bound. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_BOUND_KIB (UINT64_MAX / 2)
#else
#define RSS_BOUND_KIB (16u * 1024u)
#endif

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t vm_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kib = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %" SCNu64 " kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void host_config(struct nvsim_embedded *e, struct nvsim_host_config *hc)
{
	nvsim_host_config_init(hc);
	hc->transport.fabric = e->fabric;
	hc->transport.addr = NVSIM_EMBEDDED_ADDR;
	hc->transport.progress = nvsim_embedded_poll;
	hc->transport.progress_arg = e;
	hc->transport.timeout_ms = 2000;
	hc->subnqn = SUBNQN;
	hc->hostnqn = HOSTNQN;
	hc->hostid[0] = 0x0f;
	hc->nr_io_queues = 1;
}

static struct nvsim_host *connect_or_fail(struct nvsim_embedded *e)
{
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h = NULL;
	char msg[200];

	host_config(e, &hc);
	if (nvsim_host_connect(&hc, &h, &st))
		fail_msg("connect: %s", nvsim_host_status_str(&st, true, msg, sizeof(msg)));
	return h;
}

static void assert_still_serves(struct nvsim_embedded *e)
{
	struct nvsim_host *h = connect_or_fail(e);
	_Alignas(8) uint8_t id[4096];
	struct nvsim_host_status st;

	assert_int_equal(nvsim_host_identify(h, 1, 0, id, &st), 0);
	assert_int_equal(nvsim_host_keep_alive(h, &st), 0);
	nvsim_host_disconnect(h);
}

static struct nvsim_embedded *start_embedded(void)
{
	struct nvsim_embedded_config cfg;
	struct nvsim_embedded *e;

	nvsim_embedded_config_init(&cfg);
	cfg.seed = SEED;
	cfg.ns_size_bytes = 64ull << 20;
	assert_int_equal(nvsim_embedded_start(&cfg, &e), 0);
	return e;
}

/* Half the capsules start with a plausible SQE (a real opcode, SGL flags,
 * NSID 1, a zero-length or in-capsule descriptor) to get past the first
 * checks; the rest is noise. */
static size_t random_capsule(uint64_t *s, uint8_t *buf, size_t max)
{
	static const uint8_t opcodes[] = { 0x00, 0x01, 0x02, 0x05, 0x08, 0x09, 0x0c, 0x7f,
					   0x06, 0x09, 0x0a, 0x0c, 0x18, 0x08, 0x04, 0x7c };
	size_t len = (size_t)(rng_next(s) % (max + 1));

	for (size_t i = 0; i < len; i += 8) {
		uint64_t r = rng_next(s);

		memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
	}
	if (len >= 64 && (rng_next(s) & 1)) {
		buf[0] = opcodes[rng_next(s) % sizeof(opcodes)];
		buf[1] = 0x40;
		memcpy(buf + 4, &(uint32_t){ htole32(1) }, 4);
		if (rng_next(s) & 1) {
			memset(buf + 24, 0, 16);
			buf[39] = 0x40; /* keyed, length 0 */
		} else {
			buf[39] = 0x01; /* data block, offset subtype */
		}
	}
	return len;
}

static void test_target_survives_10000_random_capsules(void **state)
{
	enum { CAPSULES = 10000 };
	struct nvsim_embedded *e = start_embedded();
	struct nvsim_host *h;
	uint64_t s = SEED, rss_before, rss_after, reconnects = 0;
	uint8_t capsule[64 + 4096];

	(void)state;
	assert_still_serves(e); /* warm up: first-use allocations */
	rss_before = vm_rss_kib();
	h = connect_or_fail(e);
	for (unsigned int i = 0; i < CAPSULES; i++) {
		struct nvsim_hq *q = (rng_next(&s) & 1) ? nvsim_host_admin(h) : nvsim_host_io(h, 1);
		size_t len = random_capsule(&s, capsule, sizeof(capsule));

		if (!nvsim_hq_connected(q) || nvsim_hq_send_raw(q, capsule, len)) {
			/* The target dropped us, as it may: start over. */
			nvsim_host_disconnect(h);
			h = connect_or_fail(e);
			reconnects++;
			continue;
		}
		nvsim_hq_poll(q);
		nvsim_embedded_poll(e);
	}
	nvsim_host_disconnect(h);
	for (int i = 0; i < 100; i++)
		nvsim_embedded_poll(e);
	assert_int_equal(nvsim_subsys_nr_ctrls(e->subsys[0]), 0);
	assert_still_serves(e);
	rss_after = vm_rss_kib();
	print_message("seed %#x: %u random capsules, %" PRIu64 " reconnects, VmRSS %" PRIu64
		      " KiB -> %" PRIu64 " KiB (+%" PRId64 " KiB)\n",
		      SEED, CAPSULES, reconnects, rss_before, rss_after,
		      (int64_t)rss_after - (int64_t)rss_before);
	assert_true(rss_after < rss_before + RSS_BOUND_KIB);
	nvsim_embedded_stop(e);
}

static void test_target_survives_1000_random_cm_private_data_blobs(void **state)
{
	enum { BLOBS = 1000 };
	struct nvsim_embedded *e = start_embedded();
	uint64_t s = SEED ^ 0xc0ffee, accepted = 0, rejected = 0, rss_before, rss_after;

	(void)state;
	assert_still_serves(e);
	rss_before = vm_rss_kib();
	for (unsigned int i = 0; i < BLOBS; i++) {
		struct nvsim_host_config hc;
		struct nvsim_host_status st;
		struct nvsim_hq *q;
		uint8_t blob[56];
		uint8_t len = (uint8_t)(rng_next(&s) % (sizeof(blob) + 1));

		for (size_t j = 0; j < sizeof(blob); j++)
			blob[j] = (uint8_t)rng_next(&s);
		/* small queue sizes now and then, so some blobs pass */
		if (rng_next(&s) & 1) {
			blob[0] = blob[1] = blob[2] = blob[3] = 0;
			blob[6] = (uint8_t)(blob[6] & 0x1f);
			blob[7] = 0;
		}
		host_config(e, &hc);
		hc.transport.cm_private_data = blob;
		hc.transport.cm_private_data_len = len ? len : 1;
		if (nvsim_hq_connect(&hc.transport, &q, &st) == 0) {
			accepted++;
			nvsim_hq_close(q);
		} else {
			assert_true(st.cm_rejected || st.err);
			rejected++;
		}
		nvsim_embedded_poll(e);
	}
	for (int i = 0; i < 100; i++)
		nvsim_embedded_poll(e);
	assert_int_equal(nvsim_rdma_target_nr_queues(e->rdma), 0);
	assert_still_serves(e);
	rss_after = vm_rss_kib();
	print_message("seed %#x: %u CM blobs, %" PRIu64 " accepted, %" PRIu64
		      " rejected, VmRSS %" PRIu64 " KiB -> %" PRIu64 " KiB\n",
		      SEED ^ 0xc0ffee, BLOBS, accepted, rejected, rss_before, rss_after);
	assert_true(rejected > 0);
	assert_true(rss_after < rss_before + RSS_BOUND_KIB);
	nvsim_embedded_stop(e);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_target_survives_10000_random_capsules),
	cmocka_unit_test(test_target_survives_1000_random_cm_private_data_blobs),
};

NVMFSIM_TEST_MAIN(tests)
