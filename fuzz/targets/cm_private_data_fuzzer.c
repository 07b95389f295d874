/* cm_private_data_fuzzer: RDMA CM private data, both directions.
 *
 * Input: u8 mode.
 *   mode bit0 clear, target side: up to 4 CM requests to the embedded
 *     simulator's NVMe/RDMA layer, each
 *       u8 len (1..56), len bytes of private data (RECFMT, QID, HRQSIZE,
 *       HSQSIZE, CNTLID as the input says), u8 f: bit0 send responder
 *       resources / initiator depth exactly (u8, u8 follow), bit1 then send a
 *       valid Connect for the QID it claimed, bit2 keep the queue open
 *     Accepted queues must work or die cleanly; the tracker checks every
 *     completion of the Connect.
 *   mode bit0 set, host side: a hostile peer (lib/peer.c) answers the host's
 *     request; bit1 with a reject, else an accept; u8 len, then the private
 *     data (up to 196 / 148 bytes).  The host must report what it parsed
 *     (CRQSIZE, reject status) and never read past it. */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "peer.h"
#include "spec/rdma_cm.h"

#define ATTEMPTS 4

static void target_side(struct fz_in *in)
{
	struct fz_sess s;

	fz_sess_init(&s);
	for (unsigned int a = 0; a < ATTEMPTS && fz_left(in); a++) {
		uint8_t pd[VERBS_CONNECT_PDATA_MAX], len = fz_u8(in) % VERBS_CONNECT_PDATA_MAX + 1;
		struct nvsim_hq_config c;
		struct nvsim_host_status st;
		struct nvsim_hq *hq;
		struct nvsim_rdma_cm_req req;
		uint8_t f;

		fz_bytes(in, pd, len);
		f = fz_u8(in);
		fz_sim_hq_config(&s.sim, &c, 0, 31);
		c.cm_private_data = pd;
		c.cm_private_data_len = len;
		if (f & 1) {
			c.exact_rd_params = true;
			c.responder_resources = fz_u8(in);
			c.initiator_depth = fz_u8(in);
		}
		if (nvsim_hq_connect(&c, &hq, &st)) {
			if (!st.err && !st.cm_rejected)
				fz_fail("CM connect failed with neither reject nor error");
			fz_sess_settle(&s, 4);
			continue;
		}
		memset(&req, 0, sizeof(req));
		memcpy(&req, pd, len < sizeof(req) ? len : sizeof(req));
		if (f & 2) {
			/* Hand the queue to slot 0/1 machinery to track the Connect. */
			unsigned int i = le16toh(req.qid) ? 1 : 0;
			struct nvsim_sqe sqe;
			uint8_t cd[FZ_CONNECT_DATA_LEN];

			fz_slot_close(&s, i);
			s.slot[i].hq = hq;
			s.slot[i].mem = calloc(1, FZ_HBUF_LEN);
			if (!s.slot[i].mem ||
			    nvsim_hq_buf_reg(hq, s.slot[i].mem, FZ_HBUF_LEN, &s.slot[i].hb))
				fz_fail("host buffer setup failed");
			fz_track_init(&s.slot[i].tr, hq, le16toh(req.qid));
			fz_connect_sqe(&sqe, 1, le16toh(req.qid), le16toh(req.hsqsize), 0);
			fz_connect_data(cd, i ? s.cntlid : 0xffff, FZ_SUBNQN);
			fz_slot_connect(&s, i, &sqe, cd);
			fz_sess_settle(&s, 16);
			if (!(f & 4))
				fz_slot_close(&s, i);
		} else {
			fz_sess_settle(&s, 4);
			nvsim_hq_close(hq);
		}
		fz_sess_settle(&s, 4);
	}
	fz_sess_fini(&s);
}

static void host_side(struct fz_in *in, uint8_t mode)
{
	uint8_t pd[VERBS_ACCEPT_PDATA_MAX];
	uint8_t max = (mode & 2) ? VERBS_REJECT_PDATA_MAX : VERBS_ACCEPT_PDATA_MAX;
	uint8_t len = (uint8_t)(fz_u8(in) % (max + 1));
	struct fz_peer_config pc = { .reject = mode & 2, .cm_pd = pd, .cm_pd_len = len };
	struct fz_peer peer;
	struct nvsim_hq_config c;
	struct nvsim_host_status st;
	struct nvsim_hq *hq;
	char msg[256];

	fz_bytes(in, pd, len);
	fz_peer_start(&peer, &pc);
	nvsim_hq_config_init(&c);
	c.fabric = peer.fab;
	c.addr = FZ_PEER_ADDR;
	c.timeout_ms = 2000;
	c.progress = fz_peer_poll;
	c.progress_arg = &peer;
	if (nvsim_hq_connect(&c, &hq, &st) == 0) {
		if (mode & 2)
			fz_fail("a rejected request connected");
		nvsim_hq_close(hq);
	} else {
		nvsim_host_status_str(&st, true, msg, sizeof(msg));
		/* The CM pads private data to its full size: any length parses. */
		if ((mode & 2) && !st.cm_rejected)
			fz_fail("a reject reported as %s", msg);
	}
	for (int i = 0; i < 8; i++)
		fz_peer_poll(&peer);
	fz_peer_stop(&peer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	uint8_t mode = fz_u8(&in);

	if (mode & 1)
		host_side(&in, mode);
	else
		target_side(&in);
	return 0;
}
