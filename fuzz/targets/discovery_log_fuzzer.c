/* discovery_log_fuzzer: a hostile Discovery log against our host.
 *
 * Input: u8 mode, then the log bytes (header and records, any length).
 *   mode bit0 clear: the bytes go straight to the log consumer
 *     (nvsim_disc_log_print, the `nvmfsim discover` printer itself; bit3
 *     picks its JSON form): NUMREC against the buffer, unterminated
 *     strings, unknown enum values.
 *   mode bit0 set: a hostile discovery controller (lib/peer.c) serves them
 *     over the fake fabric, and sim/host reads them with
 *     nvsim_host_discovery_log (header, records, header again; NUMREC
 *     bounded before it allocates; LPO chunks), then the consumer renders
 *     what it returned.  bit1: GENCTR moves on every header read (the retry
 *     loop must end).  bit2: the log's first 4096 bytes double as the
 *     Identify Controller data.  bit4: the peer writes only the bytes it
 *     has and completes with success; bit5: it writes nothing at all.
 *     The host's heap is first filled with a canary: no byte the peer did
 *     not write may come back as anything but zero.
 * Invariants: a returned log is a whole number of records no shorter than
 * NUMREC says, and the consumer never renders more records than it holds. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/disc_log.h"
#include "fz.h"
#include "peer.h"

#define LOG_MAX (64u * 1024u)

static char text[1u << 20];

static void check_render(const void *log, size_t len, uint8_t mode)
{
	FILE *out = fmemopen(text, sizeof(text), "w");
	uint64_t numrec;
	long printed;

	if (!out)
		return;
	printed = nvsim_disc_log_print(out, log, len, mode & 8, NULL);
	fclose(out);
	if (printed < 0)
		return;
	memcpy(&numrec, (const uint8_t *)log + 8, sizeof(numrec));
	numrec = le64toh(numrec);
	if ((uint64_t)printed > numrec || (len - 1024) / 1024 < (uint64_t)printed)
		fz_fail("rendered %ld records of %llu from %zu bytes", printed,
			(unsigned long long)numrec, len);
}


/* Bytes the peer never wrote read as zeros (the GENCTR bump aside). */
static void check_unwritten(const uint8_t *got, size_t got_len, const struct fz_peer_config *pc)
{
	size_t from = pc->write_nothing ? 0 : pc->short_write ? pc->log_len : got_len;

	for (size_t i = from < 16 ? 16 : from; i < got_len; i++)
		if (got[i])
			fz_fail("byte %zu of the log is %#x, which the peer never wrote", i, got[i]);
}

static void via_host(const uint8_t *log, size_t len, uint8_t mode)
{
	void *guard;
	struct fz_peer peer;
	struct fz_peer_config pc = { .log = log, .log_len = len, .genctr_moves = mode & 2,
				     .short_write = mode & 16, .write_nothing = mode & 32 };
	struct nvsim_host_config hc;
	struct nvsim_host_status st;
	struct nvsim_host *h;
	void *got = NULL;
	size_t got_len = 0;

	if (mode & 4) {
		pc.id_ctrl = log;
		pc.id_ctrl_len = len < 4096 ? len : 4096;
	}
	fz_peer_start(&peer, &pc);
	guard = fz_poison_heap(LOG_MAX + 4096);
	nvsim_host_config_init(&hc);
	hc.transport.fabric = peer.fab;
	hc.transport.addr = FZ_PEER_ADDR;
	hc.transport.progress = fz_peer_poll;
	hc.transport.progress_arg = &peer;
	hc.transport.timeout_ms = 2000;
	hc.subnqn = NVME_DISC_SUBSYS_NAME;
	hc.hostnqn = FZ_HOSTNQN;
	if (nvsim_host_connect(&hc, &h, &st) == 0) {
		if (nvsim_host_discovery_log(h, &got, &got_len, &st) == 0) {
			uint64_t numrec;

			if (got_len < 1024 || (got_len - 1024) % 1024)
				fz_fail("host returned a %zu-byte log", got_len);
			memcpy(&numrec, (const uint8_t *)got + 8, 8); /* after GENCTR */
			numrec = le64toh(numrec);
			if ((got_len - 1024) / 1024 != numrec)
				fz_fail("host returned %zu bytes for NUMREC %llu", got_len,
					(unsigned long long)numrec);
			check_unwritten(got, got_len, &pc);
			check_render(got, got_len, mode);
			free(got);
		} else if ((mode & 2) && st.err != -EAGAIN && !st.has_cqe) {
			/* a moving GENCTR must end in -EAGAIN after the retries */
			if (st.err != -E2BIG)
				fz_fail("moving GENCTR: host said %d", st.err);
		}
		nvsim_host_disconnect(h);
	}
	for (int i = 0; i < 8; i++)
		fz_peer_poll(&peer);
	fz_peer_stop(&peer);
	free(guard);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mode;

	if (size < 1 || size - 1 > LOG_MAX)
		return 0;
	mode = data[0];
	if (mode & 1)
		via_host(data + 1, size - 1, mode);
	else
		check_render(data + 1, size - 1, mode);
	return 0;
}
