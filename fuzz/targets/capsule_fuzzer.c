/* capsule_fuzzer: a stateful host session against the embedded simulator
 * over the fake fabric (CM, NVMe/RDMA transport, target, controller).  The
 * input is a script of up to 24 steps; after each step the session settles
 * and every completion is checked (fz_track: a command completes at most
 * once, never a CQE for a CID we have not outstanding, SQID right, SQ head
 * inside the queue and never ahead of what we sent).
 *
 * Step = u8 op, then its arguments:
 *   0 connect admin: u8 f, u16 sqsize, u32 kato, u8 cattr, u8 n, n x (u16 off, u8 byte)
 *     patches of a valid Connect data; f bit0 discovery NQN, bit1 raw SQE
 *     (64 bytes follow), bit2 CM HSQSIZE = sqsize (else 31), bit3 CM only: no
 *     Connect command (what follows is "before Connect")
 *   1 connect I/O: u8 f, u16 qid (f bit0, else 1), u16 sqsize, u8 cattr, patches
 *   2 property get: u8 attrib, u8 offset index | u32 offset (attrib bit7)
 *   3 property set: as 2, then u64 value
 *   4 raw capsule: u8 f (bit0 I/O slot, bit1 CID as given, bits2-3 data mode:
 *     0 DPTR as given, 1 keyed SGL over host memory (u16 off, u16 len),
 *     2 in-capsule (u16 len <= 8192, up to 512 bytes of it from input),
 *     3 truncated capsule (u8 len)), 64-byte SQE
 *   5 disconnect: u8 f (bit0 I/O slot, bit1 Fabrics Disconnect command)
 *   6 time: u16 ms pass (keep alive)
 *   7 I/O: u8 f (bit0 write), u32 slba, u8 nlb (0's based, < 16), keyed SGL */
#include <string.h>

#include "fz.h"
#include "spec/sgl.h"

#define STEPS 24
#define SETTLE 16

static const uint32_t prop_ofst[] = { 0x00, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20,
				      0x24, 0x28, 0x30, 0x38, 0x3c, 0x04, 0x1000, 0x13 };

static void sqe_init(struct nvsim_sqe *sqe, struct fz_slot *sl)
{
	memset(sqe, 0, sizeof(*sqe));
	sqe->flags = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
	sqe->cid = htole16(sl->next_cid++);
	/* no data: a keyed block of length 0, as Linux hosts send */
	nvsim_sgl_keyed_set(&sqe->dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
}

static void patch_data(struct fz_in *in, uint8_t *cd)
{
	unsigned int n = fz_u8(in) % 8;

	for (unsigned int i = 0; i < n; i++) {
		uint16_t off = fz_u16(in) % FZ_CONNECT_DATA_LEN;

		cd[off] = fz_u8(in);
	}
}

static void step_connect(struct fz_sess *s, struct fz_in *in, bool io)
{
	uint8_t f = fz_u8(in), cd[FZ_CONNECT_DATA_LEN];
	uint16_t qid = io ? 1 : 0, sqsize, cm_sq;
	uint8_t cattr;
	uint32_t kato = 0;
	unsigned int i = io;
	struct nvsim_sqe sqe;
	struct nvsim_sqe_connect *c = (void *)&sqe;

	if (io && (f & 1))
		qid = fz_u16(in);
	sqsize = fz_u16(in);
	if (!io)
		kato = fz_u32(in);
	cattr = fz_u8(in);
	fz_connect_data(cd, io ? s->cntlid : 0xffff,
			(!io && (f & 1)) ? NVME_DISC_SUBSYS_NAME : FZ_SUBNQN);
	patch_data(in, cd);
	cm_sq = (f & 4) ? sqsize : 31;
	if (fz_slot_open(s, i, qid, cm_sq, NULL, 0))
		return;
	fz_connect_sqe(&sqe, s->slot[i].next_cid++, qid, sqsize, kato);
	c->cattr = cattr;
	if (!io && (f & 2))
		fz_bytes(in, &sqe, sizeof(sqe));
	if (f & 8)
		return;
	fz_slot_connect(s, i, &sqe, cd);
}

static void step_prop(struct fz_sess *s, struct fz_in *in, bool set)
{
	uint8_t attrib = fz_u8(in);
	uint32_t ofst = (attrib & 0x80) ? fz_u32(in) : prop_ofst[fz_u8(in) % 16];
	struct nvsim_sqe sqe;
	struct nvsim_sqe_prop_set *ps = (void *)&sqe;

	if (!s->slot[0].hq)
		return;
	sqe_init(&sqe, &s->slot[0]);
	ps->opcode = NVSIM_FABRICS_OPCODE;
	ps->fctype = set ? nvme_fabrics_type_property_set : nvme_fabrics_type_property_get;
	ps->attrib = attrib & 0x7f;
	ps->ofst = htole32(ofst);
	if (set)
		ps->value = htole64(fz_u64(in));
	fz_slot_send(s, 0, &sqe, sizeof(sqe));
}

static void step_raw(struct fz_sess *s, struct fz_in *in)
{
	static _Alignas(8) uint8_t capsule[sizeof(struct nvsim_sqe) + 8192];
	uint8_t f = fz_u8(in);
	unsigned int i = f & 1;
	struct fz_slot *sl = &s->slot[i];
	struct nvsim_sqe sqe;
	size_t len = sizeof(sqe);

	fz_bytes(in, &sqe, sizeof(sqe));
	if (!(f & 2))
		sqe.cid = htole16(sl->next_cid++);
	switch ((f >> 2) & 3) {
	case 1: {
		uint16_t off = fz_u16(in), n = fz_u16(in);

		/* Offsets past the buffer end are the point: the target's READ
		 * or WRITE must fail cleanly. */
		nvsim_sgl_keyed_set(&sqe.dptr.keyed, (uintptr_t)sl->mem + off, n,
				    sl->hb.rkey, NVSIM_SGL_SUBTYPE_ADDRESS);
		break;
	}
	case 2: {
		size_t icd = fz_u16(in) % 8193, take = icd < 512 ? icd : 512;

		fz_bytes(in, capsule + sizeof(sqe), take);
		memset(capsule + sizeof(sqe) + take, 0, icd - take);
		len += icd;
		break;
	}
	case 3:
		len = fz_u8(in) % sizeof(sqe);
		break;
	default:
		break;
	}
	memcpy(capsule, &sqe, sizeof(sqe));
	fz_slot_send(s, i, capsule, len);
}

static void step_disconnect(struct fz_sess *s, struct fz_in *in)
{
	uint8_t f = fz_u8(in);
	unsigned int i = f & 1;
	struct nvsim_sqe sqe;

	if (!(f & 2)) {
		fz_slot_close(s, i);
		return;
	}
	if (!s->slot[i].hq)
		return;
	sqe_init(&sqe, &s->slot[i]);
	sqe.opcode = NVSIM_FABRICS_OPCODE;
	((struct nvsim_sqe_fabrics *)&sqe)->fctype = nvme_fabrics_type_disconnect;
	fz_slot_send(s, i, &sqe, sizeof(sqe));
}

static void step_io(struct fz_sess *s, struct fz_in *in)
{
	uint8_t f = fz_u8(in);
	uint32_t slba = fz_u32(in);
	uint8_t nlb = fz_u8(in) % 16;
	struct fz_slot *sl = &s->slot[1];
	struct nvsim_sqe sqe;
	struct nvsim_sqe_rw *rw = (void *)&sqe;

	if (!sl->hq)
		return;
	sqe_init(&sqe, sl);
	rw->opcode = (f & 1) ? 0x01 : 0x02;
	rw->nsid = htole32(1);
	rw->slba = htole64(slba);
	rw->nlb = htole16(nlb);
	nvsim_sgl_keyed_set(&sqe.dptr.keyed, (uintptr_t)sl->mem, (nlb + 1u) * 512u, sl->hb.rkey,
			    NVSIM_SGL_SUBTYPE_ADDRESS);
	fz_slot_send(s, 1, &sqe, sizeof(sqe));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_sess s;

	fz_sess_init(&s);
	for (unsigned int n = 0; n < STEPS && fz_left(&in); n++) {
		switch (fz_u8(&in) % 8) {
		case 0: step_connect(&s, &in, false); break;
		case 1: step_connect(&s, &in, true); break;
		case 2: step_prop(&s, &in, false); break;
		case 3: step_prop(&s, &in, true); break;
		case 4: step_raw(&s, &in); break;
		case 5: step_disconnect(&s, &in); break;
		case 6: s.sim.now_ns += (uint64_t)fz_u16(&in) * 1000000u; break;
		default: step_io(&s, &in); break;
		}
		fz_sess_settle(&s, SETTLE);
	}
	fz_sess_fini(&s);
	return 0;
}
