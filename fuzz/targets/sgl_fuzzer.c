/* sgl_fuzzer: SGL descriptor parsing and bounds in the embedded simulator's
 * NVMe/RDMA layer (sim/target/rdma.c), over the fake fabric.  A well-formed
 * association comes first (admin Connect, CC.EN, I/O queue 1), so capsules
 * reach the data path; then up to 8 capsules whose DPTR and in-capsule bytes
 * come from the input.  The classic bugs live here: an in-capsule offset +
 * length that wraps (CVE-2023-6356's cousin), a keyed length over MDTS,
 * Last Segment descriptors pointing past the capsule.
 *
 * Capsule = u8 f, u8 op index, u32 NSID, 16 bytes DPTR, 24 bytes CDW10-15,
 *           u16 in-capsule length (<= 8192), up to 1024 bytes of it from input
 *   f bit0 I/O queue (else admin), bit1 keyed address is an offset into
 *   host memory (bit2: with its rkey), bit3 PSDT as given (u8 follows),
 *   bit4 CID as given (u16 follows). */
#include <string.h>

#include "fz.h"
#include "spec/sgl.h"

#define CAPSULES 8

static const uint8_t ops[8] = { 0x01, 0x02, 0x06, 0x09, 0x02, 0x00, 0x7f, 0x0a };

static void setup(struct fz_sess *s)
{
	struct nvsim_sqe sqe;
	uint8_t cd[FZ_CONNECT_DATA_LEN];

	if (fz_slot_open(s, 0, 0, 31, NULL, 0))
		fz_fail("admin CM connect failed");
	fz_connect_sqe(&sqe, 0x100, 0, 31, 0);
	fz_connect_data(cd, 0xffff, FZ_SUBNQN);
	fz_slot_connect(s, 0, &sqe, cd);
	fz_sess_settle(s, 8);
	fz_sess_enable(s);
	fz_sess_settle(s, 8);
	if (fz_slot_open(s, 1, 1, 127, NULL, 0))
		fz_fail("I/O CM connect failed");
	fz_connect_sqe(&sqe, 0x100, 1, 127, 0);
	fz_connect_data(cd, s->cntlid, FZ_SUBNQN);
	fz_slot_connect(s, 1, &sqe, cd);
	fz_sess_settle(s, 8);
	if (!s->slot[0].tr.live || !s->slot[1].tr.live)
		fz_fail("well-formed association failed");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) uint8_t capsule[sizeof(struct nvsim_sqe) + 8192];
	struct fz_in in = { data, size };
	struct fz_sess s;

	fz_sess_init(&s);
	setup(&s);
	for (unsigned int n = 0; n < CAPSULES && fz_left(&in); n++) {
		uint8_t f = fz_u8(&in), op = fz_u8(&in);
		unsigned int i = f & 1;
		struct fz_slot *sl = &s.slot[i];
		struct nvsim_sqe *sqe = (void *)capsule;
		size_t icd, take;

		memset(sqe, 0, sizeof(*sqe));
		sqe->opcode = ops[op % 8];
		sqe->flags = NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT;
		sqe->nsid = htole32(fz_u32(&in));
		fz_bytes(&in, &sqe->dptr, sizeof(sqe->dptr));
		fz_bytes(&in, &sqe->cdw10, 24);
		if (sqe->opcode == NVSIM_FABRICS_OPCODE)
			((struct nvsim_sqe_fabrics *)sqe)->fctype = (uint8_t)sqe->nsid;
		if (f & 8)
			sqe->flags = fz_u8(&in);
		sqe->cid = htole16((f & 16) ? fz_u16(&in) : sl->next_cid++);
		icd = fz_u16(&in) % 8193;
		take = icd < 1024 ? icd : 1024;
		fz_bytes(&in, capsule + sizeof(*sqe), take);
		memset(capsule + sizeof(*sqe) + take, 0, icd - take);
		if (!sl->hq)
			continue;
		if ((f & 2) && nvsim_sgl_type_of(sqe->dptr.sgl.id) == NVSIM_SGL_TYPE_KEYED_DATA_BLOCK) {
			sqe->dptr.keyed.addr =
				htole64((uintptr_t)sl->mem + (le64toh(sqe->dptr.keyed.addr) & 0xffff));
			if (f & 4)
				sqe->dptr.keyed.key = htole32(sl->hb.rkey);
		}
		fz_slot_send(&s, i, capsule, sizeof(*sqe) + icd);
		fz_sess_settle(&s, 16);
	}
	fz_sess_fini(&s);
	return 0;
}
