/* A hostile or broken discovery controller against our host (issue 18):
 * a header claiming 8 records with 2 behind it, served by a peer that
 * writes only the bytes it has (or nothing) and completes with success.
 * The host must hand back zeros, never heap contents, and the printer
 * must flag the records nobody wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_main.h"
#include "host/disc_log.h"
#include "host/host.h"
#include "fz.h"
#include "peer.h"

static uint8_t served[1024 + 2 * 1024];

static void make_log(void)
{
	uint64_t numrec = htole64(8);

	memset(served, 0, sizeof(served));
	memcpy(served + 8, &numrec, sizeof(numrec));
	for (int i = 0; i < 2; i++) {
		uint8_t *e = served + 1024 + 1024 * i;

		e[0] = 1; /* TRTYPE RDMA */
		e[1] = 1; /* ADRFAM IPv4 */
		e[2] = 2; /* SUBTYPE NVMe */
		memcpy(e + 32, "4420", 4);
		snprintf((char *)e + 256, 256, "nqn.2026-11.io.nvmf-sim:hostile%d", i);
		memcpy(e + 512, "192.0.2.7", 9);
	}
}


static void read_log(bool nothing, void **log, size_t *len)
{
	struct fz_peer_config pc = { .log = served, .log_len = sizeof(served),
				     .short_write = !nothing, .write_nothing = nothing };
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct fz_peer peer;
	struct nvsim_host *h;
	void *guard;

	make_log();
	fz_peer_start(&peer, &pc);
	guard = fz_poison_heap(16384);
	nvsim_host_config_init(&hc);
	hc.transport.fabric = peer.fab;
	hc.transport.addr = FZ_PEER_ADDR;
	hc.transport.progress = fz_peer_poll;
	hc.transport.progress_arg = &peer;
	hc.subnqn = "nqn.2014-08.org.nvmexpress.discovery";
	hc.hostnqn = "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349";
	assert_int_equal(nvsim_host_connect(&hc, &h, &st), 0);
	assert_int_equal(nvsim_host_discovery_log(h, log, len, &st), 0);
	nvsim_host_disconnect(h);
	for (int i = 0; i < 8; i++)
		fz_peer_poll(&peer);
	fz_peer_stop(&peer);
	free(guard);
}

static void test_short_write_records_read_as_zeros_and_are_flagged(void **state)
{
	struct nvsim_disc_summary sum;
	char text[65536];
	FILE *out = fmemopen(text, sizeof(text), "w");
	uint8_t *b;
	size_t len;
	void *log;

	(void)state;
	read_log(false, &log, &len);
	b = log;
	assert_int_equal(len, 1024 + 8 * 1024);
	for (size_t i = sizeof(served); i < len; i++)
		if (b[i])
			fail_msg("byte %zu is %#x: the peer never wrote it", i, b[i]);
	assert_int_equal(nvsim_disc_log_print(out, log, len, false, &sum), 8);
	fclose(out);
	assert_int_equal(sum.numrec, 8);
	assert_int_equal(sum.valid, 2);
	assert_non_null(strstr(text, "hostile1"));
	assert_non_null(strstr(text, "Entry 7====== not a valid record: all zeros"));
	free(log);
}

static void test_nothing_written_is_an_empty_log(void **state)
{
	struct nvsim_disc_summary sum;
	uint8_t *b;
	size_t len;
	void *log;

	(void)state;
	read_log(true, &log, &len);
	b = log;
	for (size_t i = 0; i < len; i++)
		if (b[i])
			fail_msg("byte %zu is %#x: the peer wrote nothing", i, b[i]);
	assert_int_equal(nvsim_disc_log_print(stdout, log, len, true, &sum), 0);
	assert_int_equal(sum.numrec, 0);
	free(log);
}

static void test_record_flaws_are_named(void **state)
{
	uint8_t rec[1024] = { 9, 1 };
	char why[256];

	(void)state;
	memcpy(rec + 256, "nqn.2026-11.io.nvmf-sim:x", 25);
	memcpy(rec + 512, "\x01\x02", 2);
	assert_int_equal(nvsim_disc_record_flaws(rec), NVSIM_DISC_TRTYPE | NVSIM_DISC_TRADDR);
	nvsim_disc_flaws_str(nvsim_disc_record_flaws(rec), rec, why, sizeof(why));
	assert_string_equal(why, "unknown TRTYPE 9, TRADDR empty or not printable");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_short_write_records_read_as_zeros_and_are_flagged),
	cmocka_unit_test(test_nothing_written_is_an_empty_log),
	cmocka_unit_test(test_record_flaws_are_named),
};

NVMFSIM_TEST_MAIN(tests)
