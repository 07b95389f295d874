/* admin_fuzzer: the admin (and I/O) command argument space of the controller
 * model through the loopback target (nvsim_tq_submit): Identify CNS/CNTID/
 * NSID, Get Log Page LID/LSP/NUMD/LPO, Get/Set Features FID/SEL/CDW11,
 * Keep Alive, AER, Abort, Property Get/Set, and I/O commands.  The field
 * map follows SPDK's llvm_nvme_fuzz (one fuzzer per opcode there; one
 * selector byte here).
 *
 * Input:
 *   u8 setup   bit0 no admin Connect (commands before Connect)
 *              bit1 no CC.EN (commands before enable)
 *              bit2 no I/O queue 1; bit3 I/O Connect before CC.EN
 *              bit4 the admin queue connects to the discovery NQN
 *   records (up to 16):
 *   u8 sel     bits0-3 opcode (0 raw, see table), bit4 DPTR as given (else a
 *              keyed SGL of the length below), bit5 CID as given (reuse),
 *              bit6 on I/O queue 1, bit7 length is a full u32
 *   64 bytes   the SQE (opcode/PSDT/CID/DPTR patched as the bits say)
 *   u16 | u32  data length in bytes (bit7: u32, to go past MDTS)
 *   data       for host-to-controller commands, up to 4096 bytes from input
 * As the RDMA transport does, a transfer over MDTS (1 MiB) is answered
 * Invalid Field through nvsim_tq_fail and the controller never sees it. */
#include <stdlib.h>
#include <string.h>

#include "fz.h"
#include "spec/sgl.h"
#include "spec/status.h"

#define RECORDS 16
#define MAX_XFER (1u << 20) /* 4 KiB << MDTS 8 */

static const struct {
	uint8_t opcode;
	bool io;
} table[16] = {
	{ 0, false },	 { 0x06, false }, { 0x02, false }, { 0x0a, false },
	{ 0x09, false }, { 0x18, false }, { 0x0c, false }, { 0x08, false },
	{ 0x7f, false }, { 0x02, true },  { 0x01, true },  { 0x00, true },
	{ 0x08, true },	 { 0x09, true },  { 0x7f, true },  { 0, true },
};

static bool setup_cmd(struct fz_lq *q, const struct nvsim_sqe *sqe, const void *data,
		      size_t len, struct fz_lcmd *cmd)
{
	if (fz_lq_submit(q, sqe, data, len, len, cmd) || !cmd->done)
		return false;
	return !(le16toh(cmd->cqe.status) >> 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_loop l;
	struct fz_lq admin, io = { 0 };
	struct fz_lcmd setup[3], cmd[RECORDS];
	unsigned int ns = 0, nc = 0;
	uint8_t flags = fz_u8(&in), cd[FZ_CONNECT_DATA_LEN];
	uint16_t cntlid = 0xffff;
	struct nvsim_sqe sqe;

	fz_loop_init(&l);
	fz_lq_open(&l, &admin);
	if (!(flags & 1)) {
		fz_connect_sqe(&sqe, 0xff00, 0, 31, 5000);
		fz_connect_data(cd, 0xffff, (flags & 16) ? NVME_DISC_SUBSYS_NAME : FZ_SUBNQN);
		if (setup_cmd(&admin, &sqe, cd, sizeof(cd), &setup[ns]))
			cntlid = (uint16_t)le32toh(setup[ns].cqe.dw0);
		ns++;
	}
	if (!(flags & 4)) {
		fz_lq_open(&l, &io);
		if (flags & 8) {
			fz_connect_sqe(&sqe, 0xff01, 1, 127, 0);
			fz_connect_data(cd, cntlid, FZ_SUBNQN);
			setup_cmd(&io, &sqe, cd, sizeof(cd), &setup[ns++]);
		}
	}
	if (!(flags & 2)) {
		struct nvsim_sqe_prop_set *ps = (void *)&sqe;

		memset(&sqe, 0, sizeof(sqe));
		ps->opcode = NVSIM_FABRICS_OPCODE;
		ps->rsvd1 = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
		ps->cid = htole16(0xff02);
		ps->fctype = nvme_fabrics_type_property_set;
		ps->ofst = htole32(0x14); /* CC: EN, IOSQES 6, IOCQES 4 */
		ps->value = htole64(0x00460001);
		setup_cmd(&admin, &sqe, NULL, 0, &setup[ns++]);
	}
	if (io.tq && !(flags & 8)) {
		fz_connect_sqe(&sqe, 0xff03, 1, 127, 0);
		fz_connect_data(cd, cntlid, FZ_SUBNQN);
		setup_cmd(&io, &sqe, cd, sizeof(cd), &setup[ns++]);
	}

	for (unsigned int r = 0; r < RECORDS && fz_left(&in); r++) {
		uint8_t sel = fz_u8(&in), buf[4096];
		struct fz_lq *q;
		uint32_t len;
		size_t fill;

		fz_bytes(&in, &sqe, sizeof(sqe));
		/* Up to 64 KiB unless bit7: most commands move 4 KiB at most, and
		 * zeroing megabytes per command would cost more than the run. */
		len = (sel & 0x80) ? fz_u32(&in) : fz_u16(&in);
		if (table[sel & 15].opcode || (sel & 15) == 11)
			sqe.opcode = table[sel & 15].opcode;
		q = (table[sel & 15].io || (sel & 0x40)) ? &io : &admin;
		if (!q->tq || q->terminated)
			continue;
		sqe.flags = (uint8_t)((sqe.flags & ~NVSIM_SQE_PSDT_MASK) |
				      NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT);
		if (!(sel & 0x20))
			sqe.cid = htole16((uint16_t)r);
		if (sel & 0x10)
			len = nvsim_sgl_keyed_len(&sqe.dptr.keyed);
		else
			nvsim_sgl_keyed_set(&sqe.dptr.keyed, 0x1000, len & NVSIM_SGL_KEYED_MAX_LEN,
					    0x1234, NVSIM_SGL_SUBTYPE_ADDRESS);
		/* Host-to-controller data comes from the input (opcode bit 0). */
		fill = (sqe.opcode & 1) ? (len < sizeof(buf) ? len : sizeof(buf)) : 0;
		fz_bytes(&in, buf, fill);
		if (len > MAX_XFER) {
			fz_lq_fail(q, &sqe, NVSIM_SC_GENERIC(NVME_SC_INVALID_FIELD), NVSIM_SQE_OFF_DPTR,
				   &cmd[nc++]);
			continue;
		}
		fz_lq_submit(q, &sqe, buf, fill, len, &cmd[nc++]);
		l.now_ns += 1000000;
		nvsim_target_poll(l.t);
	}
	/* Time passes: delayed completions and keep-alive expiry run. */
	l.now_ns += 10ull * 1000000000ull;
	nvsim_target_poll(l.t);
	fz_lq_close(&io);
	fz_lq_close(&admin);
	fz_loop_fini(&l);
	for (unsigned int i = 0; i < ns; i++)
		fz_lcmd_free(&setup[i]);
	for (unsigned int i = 0; i < nc; i++)
		fz_lcmd_free(&cmd[i]);
	return 0;
}
