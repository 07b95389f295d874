/* connect_fuzzer: the Connect command (SQE + 1024-byte data) through
 * nvsim_tq_submit on a loopback target, the target's Connect parser and
 * association logic with no transport in front.
 *
 * Input: up to 4 records, each a Connect on a queue:
 *   u8 flags   bit0 reuse the previous queue (a second Connect on it)
 *              bit1 keep opcode/FCTYPE as given (otherwise forced to Connect)
 *              bit2 put the CNTLID of the last admin association in the data
 *              bits4-5 data length: 0 1024, 1 none, 2 512, 3 u16 from input (<= 4096)
 *   64 bytes   the SQE
 *   [u16]      data length (mode 3)
 *   n bytes    the data (zero filled past the end of the input)
 * Invariants: each command completes at most once, with its own CID, and a
 * Connect completes before nvsim_tq_submit returns. */
#include <stdlib.h>
#include <string.h>

#include "fz.h"

#define RECORDS 4
#define DATA_MAX 4096u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_loop l;
	struct fz_lq q[RECORDS];
	struct fz_lcmd cmd[RECORDS];
	unsigned int nq = 0, nc = 0;
	uint16_t cntlid = 0xffff;
	uint8_t *buf = malloc(DATA_MAX);

	if (!buf)
		return 0;
	fz_loop_init(&l);
	for (unsigned int r = 0; r < RECORDS && fz_left(&in); r++) {
		uint8_t flags = fz_u8(&in);
		struct nvsim_sqe sqe;
		struct nvsim_sqe_connect *c = (void *)&sqe;
		size_t len;
		struct fz_lq *qq;

		fz_bytes(&in, &sqe, sizeof(sqe));
		switch ((flags >> 4) & 3) {
		case 0: len = FZ_CONNECT_DATA_LEN; break;
		case 1: len = 0; break;
		case 2: len = 512; break;
		default: len = fz_u16(&in) % (DATA_MAX + 1); break;
		}
		fz_bytes(&in, buf, len);
		if (!(flags & 2)) {
			c->opcode = NVSIM_FABRICS_OPCODE;
			c->fctype = nvme_fabrics_type_connect;
		}
		if ((flags & 4) && len >= 18) {
			buf[16] = (uint8_t)cntlid; /* nvmf_connect_data.cntlid */
			buf[17] = (uint8_t)(cntlid >> 8);
		}
		if (!(flags & 1) || !nq || q[nq - 1].terminated) {
			fz_lq_open(&l, &q[nq]);
			nq++;
		}
		qq = &q[nq - 1];
		if (fz_lq_submit(qq, &sqe, buf, len, len, &cmd[nc]) == 0 &&
		    sqe.opcode == NVSIM_FABRICS_OPCODE && c->fctype == nvme_fabrics_type_connect) {
			if (!cmd[nc].done)
				fz_fail("Connect did not complete synchronously");
			if (!(le16toh(cmd[nc].cqe.status) >> 1) && !le16toh(c->qid))
				cntlid = (uint16_t)le32toh(cmd[nc].cqe.dw0);
		}
		nc++;
		l.now_ns += 1000000;
		nvsim_target_poll(l.t);
	}
	/* I/O queues first, then the admin queues, as a transport would. */
	for (unsigned int i = nq; i-- > 0;)
		if (nvsim_tq_qid(q[i].tq) != 0)
			fz_lq_close(&q[i]);
	for (unsigned int i = 0; i < nq; i++)
		fz_lq_close(&q[i]);
	fz_loop_fini(&l);
	for (unsigned int i = 0; i < nc; i++)
		fz_lcmd_free(&cmd[i]);
	free(buf);
	return 0;
}
