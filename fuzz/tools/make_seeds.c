/* make_seeds: writes the seed and regression inputs of every fuzz target
 * into DIR/<target>/ (normally fuzz/corpus).  Each input is built from the
 * input format documented at the top of its target; names say what it is
 * (seed-*: a valid command shape; regress-*: one known bug class).
 *
 *   nvmfsim_make_seeds fuzz/corpus
 *
 * Deterministic: the same binary writes the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nvme/types.h>

#include "spec/sgl.h"
#include "spec/sqe.h"

#define SUBNQN "nqn.2026-11.io.nvmf-sim:embedded0"
#define HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:0f01fb42-9f7f-4856-b0b3-51e60b8de349"
#define PSDT_SGL (NVSIM_PSDT_SGL_MPTR_CONTIG << NVSIM_SQE_PSDT_SHIFT)

static const char *root;
static unsigned int written;

/* ---- a growing input ------------------------------------------------------------ */

struct buf {
	uint8_t b[65536 + 2048];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > sizeof(b->b)) {
		fprintf(stderr, "make_seeds: input too large\n");
		exit(1);
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void u16(struct buf *b, uint16_t v)
{
	u8(b, (uint8_t)v);
	u8(b, (uint8_t)(v >> 8));
}

static void u32(struct buf *b, uint32_t v)
{
	u16(b, (uint16_t)v);
	u16(b, (uint16_t)(v >> 16));
}

static void u64(struct buf *b, uint64_t v)
{
	u32(b, (uint32_t)v);
	u32(b, (uint32_t)(v >> 32));
}

static void zeros(struct buf *b, size_t n)
{
	while (n--)
		u8(b, 0);
}

static void save(const char *target, const char *name, const struct buf *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	if (mkdir(path, 0755) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(b->b, 1, b->n, f) != b->n || fclose(f)) {
		perror(path);
		exit(1);
	}
	written++;
}

/* ---- wire pieces ------------------------------------------------------------------ */

static struct nvsim_sqe connect_sqe(uint16_t cid, uint16_t qid, uint16_t sqsize, uint32_t kato,
				    uint8_t cattr)
{
	struct nvsim_sqe sqe = { 0 };
	struct nvsim_sqe_connect *c = (void *)&sqe;

	c->opcode = NVSIM_FABRICS_OPCODE;
	c->rsvd1 = PSDT_SGL;
	c->cid = htole16(cid);
	c->fctype = nvme_fabrics_type_connect;
	c->qid = htole16(qid);
	c->sqsize = htole16(sqsize);
	c->cattr = cattr;
	c->kato = htole32(kato);
	nvsim_sgl_unkeyed_set(&sqe.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
			      NVSIM_SGL_SUBTYPE_OFFSET, 0, 1024);
	return sqe;
}

static const uint8_t hostid[16] = { 0x0f, 0x01, 0xfb, 0x42, 0x9f, 0x7f, 0x48, 0x56,
				    0xb0, 0xb3, 0x51, 0xe6, 0x0b, 0x8d, 0xe3, 0x49 };

static void connect_data(uint8_t *cd, uint16_t cntlid, const char *subnqn)
{
	struct nvmf_connect_data *d = (void *)cd;

	memset(cd, 0, 1024);
	memcpy(d->hostid, hostid, 16);
	d->cntlid = htole16(cntlid);
	snprintf(d->subsysnqn, sizeof(d->subsysnqn), "%s", subnqn);
	snprintf(d->hostnqn, sizeof(d->hostnqn), "%s", HOSTNQN);
}

static struct nvsim_sqe admin_sqe(uint8_t opcode, uint32_t nsid, uint32_t cdw10, uint32_t cdw11,
				  uint32_t cdw12, uint32_t cdw13)
{
	struct nvsim_sqe sqe = { 0 };

	sqe.opcode = opcode;
	sqe.flags = PSDT_SGL;
	sqe.nsid = htole32(nsid);
	sqe.cdw10 = htole32(cdw10);
	sqe.cdw11 = htole32(cdw11);
	sqe.cdw12 = htole32(cdw12);
	sqe.cdw13 = htole32(cdw13);
	return sqe;
}

/* ---- connect_fuzzer ------------------------------------------------------------------ */

static void connect_record(struct buf *b, uint8_t flags, struct nvsim_sqe sqe, const uint8_t *cd)
{
	u8(b, flags);
	put(b, &sqe, sizeof(sqe));
	if (((flags >> 4) & 3) == 0)
		put(b, cd, 1024);
}

static void seeds_connect(void)
{
	uint8_t cd[1024], io[1024];
	struct buf b;

	connect_data(cd, 0xffff, SUBNQN);
	connect_data(io, 0, SUBNQN);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	save("connect", "seed-admin", &b);
	connect_record(&b, 4, connect_sqe(2, 1, 127, 0, 0), io);
	save("connect", "seed-admin-then-io", &b);
	connect_record(&b, 4, connect_sqe(3, 2, 127, 0, 4), io);
	save("connect", "seed-admin-then-two-io-sqflow-off", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	connect_record(&b, 1, connect_sqe(2, 0, 31, 5000, 0), cd);
	save("connect", "seed-admin-connect-twice-same-queue", &b);
	connect_data(cd, 0xffff, NVME_DISC_SUBSYS_NAME);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 0, 0), cd);
	save("connect", "seed-discovery-kato-0", &b);
	connect_data(cd, 0xffff, SUBNQN);
	b.n = 0, connect_record(&b, 0x10, connect_sqe(1, 0, 31, 5000, 0), cd);
	save("connect", "seed-admin-no-data", &b);
	b.n = 0, connect_record(&b, 0x20, connect_sqe(1, 0, 31, 5000, 0), cd);
	put(&b, cd, 512);
	save("connect", "seed-admin-half-data", &b);

	/* Known bug classes. */
	memset(((struct nvmf_connect_data *)cd)->subsysnqn, 'a', 256);
	memset(((struct nvmf_connect_data *)cd)->hostnqn, 'b', 256);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	save("connect", "regress-connect-nqn-without-nul", &b);
	connect_data(cd, 0xffff, SUBNQN);
	memset(((struct nvmf_connect_data *)cd)->hostid, 0, 16);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	save("connect", "regress-connect-hostid-zero", &b);
	connect_data(cd, 0xffff, SUBNQN);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 0, 5000, 0), cd);
	save("connect", "regress-connect-admin-sqsize-0", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	connect_record(&b, 4, connect_sqe(2, 1, 0, 0, 0), io);
	save("connect", "regress-connect-io-sqsize-0", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	connect_record(&b, 4, connect_sqe(2, 0xffff, 127, 0, 0), io);
	save("connect", "regress-connect-qid-ffff", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 0xffff, 5000, 0), cd);
	save("connect", "regress-connect-admin-sqsize-ffff", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(2, 1, 127, 0, 0), io);
	save("connect", "regress-connect-io-without-admin", &b);
	b.n = 0, connect_record(&b, 0, connect_sqe(1, 0, 31, 5000, 0), cd);
	connect_record(&b, 0, connect_sqe(2, 1, 127, 0, 0), io); /* CNTLID 0: nobody's */
	save("connect", "regress-connect-io-unknown-cntlid", &b);
	{
		struct nvsim_sqe sqe = admin_sqe(0x06, 0, 1, 0, 0, 0);

		b.n = 0, connect_record(&b, 0x12, sqe, cd);
		save("connect", "regress-connect-command-before-connect", &b);
	}
	{
		struct nvsim_sqe sqe = connect_sqe(1, 0, 31, 5000, 0);

		((struct nvsim_sqe_connect *)&sqe)->recfmt = htole16(1);
		b.n = 0, connect_record(&b, 0, sqe, cd);
		save("connect", "regress-connect-recfmt-1", &b);
	}
}

/* ---- admin_fuzzer -------------------------------------------------------------------- */

/* sel bits: 0-3 table index, 4 raw DPTR, 5 CID as given, 6 I/O, 7 u32 length */
static void admin_record(struct buf *b, uint8_t sel, struct nvsim_sqe sqe, uint32_t len)
{
	u8(b, sel);
	put(b, &sqe, sizeof(sqe));
	if (sel & 0x80)
		u32(b, len);
	else
		u16(b, (uint16_t)len);
	if (sqe.opcode & 1)
		zeros(b, len < 4096 ? len : 4096);
}

static uint32_t numd(uint32_t bytes, uint8_t lid)
{
	return (bytes / 4 - 1) << 16 | lid;
}

static void seeds_admin(void)
{
	static const uint8_t cns[] = { 0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x10, 0x11, 0x12, 0x13 };
	static const uint8_t lids[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x70, 0x80 };
	static const uint8_t fids[] = { 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08,
					0x0a, 0x0b, 0x0f, 0x80, 0x81, 0x10 };
	struct buf b;
	char name[64];

	for (size_t i = 0; i < sizeof(cns); i++) {
		b.n = 0, u8(&b, 0);
		admin_record(&b, 1, admin_sqe(0x06, cns[i] == 0 ? 1 : 0, cns[i], 0, 0, 0), 4096);
		snprintf(name, sizeof(name), "seed-identify-cns-%02x", cns[i]);
		save("admin", name, &b);
	}
	for (size_t i = 0; i < sizeof(lids); i++) {
		b.n = 0, u8(&b, lids[i] == 0x70 ? 16 : 0);
		admin_record(&b, 2, admin_sqe(0x02, 0xffffffff, numd(512, lids[i]), 0, 0, 0), 512);
		snprintf(name, sizeof(name), "seed-get-log-lid-%02x", lids[i]);
		save("admin", name, &b);
	}
	for (size_t i = 0; i < sizeof(fids); i++) {
		b.n = 0, u8(&b, 0);
		admin_record(&b, 3, admin_sqe(0x0a, 0, fids[i], 0, 0, 0), 0);
		admin_record(&b, 3, admin_sqe(0x0a, 0, fids[i] | 3u << 8, 0, 0, 0), 0);
		admin_record(&b, 4, admin_sqe(0x09, 0, fids[i], 0x10001, 0, 0), 0);
		snprintf(name, sizeof(name), "seed-features-fid-%02x", fids[i]);
		save("admin", name, &b);
	}
	b.n = 0, u8(&b, 0);
	admin_record(&b, 5, admin_sqe(0x18, 0, 0, 0, 0, 0), 0);
	admin_record(&b, 6, admin_sqe(0x0c, 0, 0, 0, 0, 0), 0);
	admin_record(&b, 7, admin_sqe(0x08, 0, 1u << 16, 0, 0, 0), 0);
	save("admin", "seed-keep-alive-aer-abort", &b);
	{
		struct nvsim_sqe pg = admin_sqe(0x7f, 0, 0, 0, 0, 0);

		((struct nvsim_sqe_fabrics *)&pg)->fctype = nvme_fabrics_type_property_get;
		((struct nvsim_sqe_prop_get *)&pg)->attrib = 1;
		b.n = 0, u8(&b, 0);
		admin_record(&b, 8, pg, 0);
		((struct nvsim_sqe_prop_get *)&pg)->ofst = htole32(0x1c);
		((struct nvsim_sqe_prop_get *)&pg)->attrib = 0;
		admin_record(&b, 8, pg, 0);
		save("admin", "seed-property-get-cap-csts", &b);
	}
	b.n = 0, u8(&b, 0);
	admin_record(&b, 10, admin_sqe(0x01, 1, 0, 0, 7, 0), 4096);
	admin_record(&b, 9, admin_sqe(0x02, 1, 0, 0, 7, 0), 4096);
	admin_record(&b, 11, admin_sqe(0x00, 1, 0, 0, 0, 0), 0);
	admin_record(&b, 12, admin_sqe(0x08, 1, 8, 0, 7, 0), 0);
	admin_record(&b, 13, admin_sqe(0x09, 1, 0, 4, 0, 0), 16);
	save("admin", "seed-io-write-read-flush-zeroes-dsm", &b);

	/* Known bug classes. */
	b.n = 0, u8(&b, 0);
	admin_record(&b, 2, admin_sqe(0x02, 0xffffffff, numd(4096, 0x02), 0, 0, 0), 4096);
	save("admin", "regress-numd-past-the-page", &b);
	b.n = 0, u8(&b, 0);
	admin_record(&b, 0x82, admin_sqe(0x02, 0xffffffff, 0xffffu << 16 | 0x02, 0xffff, 0, 0),
		     0x400000);
	save("admin", "regress-numd-max-over-mdts", &b);
	b.n = 0, u8(&b, 16);
	admin_record(&b, 2, admin_sqe(0x02, 0, numd(1024, 0x70), 0, 0x100000, 0), 1024);
	admin_record(&b, 2, admin_sqe(0x02, 0, numd(1024, 0x70), 0, 0xfffffc00, 0xffffffff), 1024);
	save("admin", "regress-discovery-log-lpo-past-the-end", &b);
	b.n = 0, u8(&b, 0);
	admin_record(&b, 2, admin_sqe(0x02, 0xffffffff, numd(512, 0x02), 0, 0xfffffe00,
				      0xffffffff), 512);
	save("admin", "regress-log-lpo-wraps", &b);
	{
		struct nvsim_sqe aer = admin_sqe(0x0c, 0, 0, 0, 0, 0);

		aer.cid = htole16(5);
		b.n = 0, u8(&b, 0);
		admin_record(&b, 0x26, aer, 0);
		admin_record(&b, 0x26, aer, 0);
		admin_record(&b, 0x21, admin_sqe(0x06, 0, 1, 0, 0, 0), 4096); /* CID 0: fine */
		save("admin", "regress-cid-reuse", &b);
	}
	b.n = 0, u8(&b, 1 | 2 | 4);
	admin_record(&b, 1, admin_sqe(0x06, 0, 1, 0, 0, 0), 4096);
	save("admin", "regress-command-before-connect", &b);
	b.n = 0, u8(&b, 2);
	admin_record(&b, 1, admin_sqe(0x06, 0, 1, 0, 0, 0), 4096);
	save("admin", "regress-admin-before-cc-en", &b);
	b.n = 0, u8(&b, 2 | 8);
	admin_record(&b, 9, admin_sqe(0x02, 1, 0, 0, 0, 0), 512);
	save("admin", "regress-io-before-cc-en", &b);
	b.n = 0, u8(&b, 0);
	admin_record(&b, 1, admin_sqe(0x06, 0xffffffff, 0, 0, 0, 0), 4096);
	admin_record(&b, 1, admin_sqe(0x06, 0, 2, 0, 0, 0), 4096);
	admin_record(&b, 1, admin_sqe(0x06, 0xfffffffe, 3, 0, 0, 0), 4096);
	save("admin", "regress-identify-nsid-broadcast-and-edges", &b);
	b.n = 0, u8(&b, 0);
	admin_record(&b, 9, admin_sqe(0x02, 1, 0xfffff800, 0xffffffff, 0xffff, 0), 4096);
	save("admin", "regress-io-slba-wraps", &b);
}

/* ---- capsule_fuzzer -------------------------------------------------------------------- */

static void step_connect_admin(struct buf *b, uint8_t f, uint16_t sqsize, uint32_t kato)
{
	u8(b, 0), u8(b, f), u16(b, sqsize), u32(b, kato), u8(b, 0), u8(b, 0);
}

static void step_connect_io(struct buf *b, uint8_t f, uint16_t qid, uint16_t sqsize, uint8_t cattr)
{
	u8(b, 1), u8(b, f);
	if (f & 1)
		u16(b, qid);
	u16(b, sqsize), u8(b, cattr), u8(b, 0);
}

static void step_prop_set_cc(struct buf *b)
{
	u8(b, 3), u8(b, 0), u8(b, 4), u64(b, 0x00460001);
}

static void step_raw(struct buf *b, uint8_t f, struct nvsim_sqe sqe, uint16_t a, uint16_t c)
{
	u8(b, 4), u8(b, f);
	put(b, &sqe, sizeof(sqe));
	switch ((f >> 2) & 3) {
	case 1: u16(b, a), u16(b, c); break;
	case 2: u16(b, a), zeros(b, a < 512 ? a : 512); break;
	case 3: u8(b, (uint8_t)a); break;
	default: break;
	}
}

static void seeds_capsule(void)
{
	struct nvsim_sqe id = admin_sqe(0x06, 0, 1, 0, 0, 0);
	struct buf b;

	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	u8(&b, 2), u8(&b, 1), u8(&b, 0); /* Property Get CAP, 8 bytes */
	step_prop_set_cc(&b);
	u8(&b, 2), u8(&b, 0), u8(&b, 6); /* CSTS */
	step_connect_io(&b, 0, 1, 127, 0);
	u8(&b, 7), u8(&b, 1), u32(&b, 0), u8(&b, 7); /* write 8 blocks */
	u8(&b, 7), u8(&b, 0), u32(&b, 0), u8(&b, 7); /* read them */
	step_raw(&b, 4, id, 0, 4096);		      /* Identify over host memory */
	u8(&b, 5), u8(&b, 3);			      /* Fabrics Disconnect on I/O */
	u8(&b, 5), u8(&b, 0);			      /* close admin */
	save("capsule", "seed-session-connect-enable-io-identify-disconnect", &b);

	b.n = 0;
	step_connect_admin(&b, 1, 31, 0);
	step_prop_set_cc(&b);
	step_raw(&b, 4, admin_sqe(0x02, 0, numd(1024, 0x70), 0, 0, 0), 0, 1024);
	save("capsule", "seed-discovery-log", &b);

	b.n = 0;
	step_connect_admin(&b, 0, 31, 1000);
	step_prop_set_cc(&b);
	u8(&b, 6), u16(&b, 5000); /* KATO expires */
	step_raw(&b, 4, id, 0, 4096);
	save("capsule", "seed-keep-alive-expiry", &b);

	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	step_connect_io(&b, 0, 1, 127, 4);
	u8(&b, 7), u8(&b, 1), u32(&b, 8), u8(&b, 0);
	save("capsule", "seed-io-sqflow-disabled", &b);

	/* Known bug classes. */
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	{
		struct nvsim_sqe aer = admin_sqe(0x0c, 0, 0, 0, 0, 0);

		aer.cid = htole16(7);
		nvsim_sgl_keyed_set(&aer.dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
		step_raw(&b, 2, aer, 0, 0);
		step_raw(&b, 2, aer, 0, 0);
	}
	save("capsule", "regress-cid-reuse", &b);
	b.n = 0;
	step_connect_admin(&b, 8, 31, 0); /* CM only */
	step_raw(&b, 4, id, 0, 4096);
	save("capsule", "regress-command-before-connect", &b);
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_connect_io(&b, 0, 1, 127, 0);
	u8(&b, 7), u8(&b, 0), u32(&b, 0), u8(&b, 0);
	save("capsule", "regress-io-before-cc-en", &b);
	b.n = 0;
	step_connect_admin(&b, 4, 0, 5000);
	step_prop_set_cc(&b);
	step_raw(&b, 4, id, 0, 4096);
	save("capsule", "regress-sqsize-0", &b);
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	step_connect_io(&b, 1, 0xffff, 127, 0);
	save("capsule", "regress-qid-ffff", &b);
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	step_connect_io(&b, 0, 1, 127, 0);
	{
		struct nvsim_sqe w = admin_sqe(0x01, 1, 0, 0, 0, 0);

		nvsim_sgl_unkeyed_set(&w.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
				      NVSIM_SGL_SUBTYPE_OFFSET, 0xfffffffffffffff0ull, 0x200);
		step_raw(&b, 1 | 8, w, 512, 0);
	}
	save("capsule", "regress-sgl-offset-wrap", &b);
	b.n = 0;
	step_connect_admin(&b, 1, 31, 0);
	step_prop_set_cc(&b);
	step_raw(&b, 4, admin_sqe(0x02, 0, numd(1024, 0x70), 0, 0xfffff000, 0xffffffff), 0, 1024);
	save("capsule", "regress-discovery-log-lpo-past-the-end", &b);
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	step_raw(&b, 4, admin_sqe(0x02, 0xffffffff, numd(4096, 0x02), 0, 0, 0), 0, 4096);
	save("capsule", "regress-numd-past-the-page", &b);
	/* Found by nvmfsim fuzz under ASan+UBSan: a zero-length in-capsule data
	 * block on a command slot that never had a buffer (an AER holds the used
	 * one) reaches memset/memcpy with NULL (sim/target/rdma.c cmd_buffer). */
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_prop_set_cc(&b);
	{
		struct nvsim_sqe aer = admin_sqe(0x0c, 0, 0, 0, 0, 0), kq = id;

		nvsim_sgl_keyed_set(&aer.dptr.keyed, 0, 0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
		step_raw(&b, 0, aer, 0, 0);
		nvsim_sgl_unkeyed_set(&kq.dptr.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK,
				      NVSIM_SGL_SUBTYPE_OFFSET, 0, 0);
		step_raw(&b, 0, kq, 0, 0);
	}
	save("capsule", "regress-in-capsule-length-0-fresh-slot", &b);
	b.n = 0;
	step_connect_admin(&b, 0, 31, 5000);
	step_raw(&b, 12, id, 40, 0); /* a 40-byte capsule */
	save("capsule", "regress-truncated-capsule", &b);
}

/* ---- sgl_fuzzer -------------------------------------------------------------------------- */

static void sgl_capsule(struct buf *b, uint8_t f, uint8_t op, uint32_t nsid,
			const struct nvsim_sgl_desc *d, uint32_t cdw10, uint32_t cdw12, uint16_t icd)
{
	u8(b, f), u8(b, op), u32(b, nsid);
	put(b, d, 16);
	u32(b, cdw10), u32(b, 0), u32(b, cdw12), zeros(b, 12);
	u16(b, icd);
	zeros(b, icd < 1024 ? icd : 1024);
}

static struct nvsim_sgl_desc icd_desc(uint64_t off, uint32_t len)
{
	union nvsim_dptr d;

	nvsim_sgl_unkeyed_set(&d.unkeyed, NVSIM_SGL_TYPE_DATA_BLOCK, NVSIM_SGL_SUBTYPE_OFFSET, off,
			      len);
	return d.sgl;
}

static struct nvsim_sgl_desc keyed_desc(uint64_t addr, uint32_t len, uint8_t sub)
{
	union nvsim_dptr d;

	nvsim_sgl_keyed_set(&d.keyed, addr, len, 0, sub);
	return d.sgl;
}

static void seeds_sgl(void)
{
	struct nvsim_sgl_desc d;
	struct buf b;

	d = icd_desc(0, 512);
	b.n = 0, sgl_capsule(&b, 1, 0, 1, &d, 0, 0, 512);
	save("sgl", "seed-write-in-capsule", &b);
	d = keyed_desc(0, 512, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1 | 2 | 4, 1, 1, &d, 0, 0, 0);
	save("sgl", "seed-read-keyed", &b);
	d = keyed_desc(0, 4096, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1 | 2 | 4, 0, 1, &d, 0, 7, 0);
	save("sgl", "seed-write-keyed-rdma-read", &b);
	b.n = 0, sgl_capsule(&b, 2 | 4, 2, 0, &d, 1, 0, 0);
	save("sgl", "seed-identify-keyed", &b);
	d = keyed_desc(0, 4096, NVSIM_SGL_SUBTYPE_INVALIDATE_KEY);
	b.n = 0, sgl_capsule(&b, 1 | 2 | 4, 1, 1, &d, 0, 7, 0);
	save("sgl", "seed-read-keyed-invalidate", &b);
	d = keyed_desc(0, 0, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1, 5, 1, &d, 0, 0, 0);
	save("sgl", "seed-flush-keyed-zero", &b);
	{
		/* Last Segment in the capsule, holding one keyed descriptor. */
		union nvsim_dptr seg;
		struct nvsim_sgl_desc k = keyed_desc(0, 512, NVSIM_SGL_SUBTYPE_ADDRESS);

		nvsim_sgl_unkeyed_set(&seg.unkeyed, NVSIM_SGL_TYPE_LAST_SEGMENT,
				      NVSIM_SGL_SUBTYPE_OFFSET, 0, 16);
		b.n = 0;
		u8(&b, 1), u8(&b, 1), u32(&b, 1);
		put(&b, &seg.sgl, 16);
		zeros(&b, 24);
		u16(&b, 16);
		put(&b, &k, 16);
		save("sgl", "seed-last-segment-in-capsule", &b);
		nvsim_sgl_unkeyed_set(&seg.unkeyed, NVSIM_SGL_TYPE_LAST_SEGMENT,
				      NVSIM_SGL_SUBTYPE_OFFSET, 4096, 0xfffffff0);
		b.n = 0;
		u8(&b, 1), u8(&b, 1), u32(&b, 1);
		put(&b, &seg.sgl, 16);
		zeros(&b, 24);
		u16(&b, 16);
		put(&b, &k, 16);
		save("sgl", "regress-sgl-last-segment-past-capsule", &b);
	}

	/* Known bug classes. */
	d = icd_desc(0xfffffffffffffff0ull, 0x20);
	b.n = 0, sgl_capsule(&b, 1, 0, 1, &d, 0, 0, 512);
	save("sgl", "regress-sgl-offset-wrap", &b);
	d = icd_desc(0xffffffffffffff00ull, 0x200);
	b.n = 0, sgl_capsule(&b, 0, 3, 0, &d, 0x0f, 0, 512);
	save("sgl", "regress-sgl-offset-wrap-admin", &b);
	d = icd_desc(256, 512);
	b.n = 0, sgl_capsule(&b, 1, 0, 1, &d, 0, 0, 512);
	save("sgl", "regress-sgl-offset-plus-length-past-capsule", &b);
	d = icd_desc(0, 0xffffffff);
	b.n = 0, sgl_capsule(&b, 1, 0, 1, &d, 0, 0, 2048);
	save("sgl", "regress-sgl-length-u32-max", &b);
	/* Found by nvmfsim fuzz under ASan+UBSan: a zero-length in-capsule data
	 * block reaches memset/memcpy with a NULL buffer (sim/target/rdma.c). */
	d = icd_desc(0, 0);
	b.n = 0, sgl_capsule(&b, 1, 5, 1, &d, 0, 0, 0);
	save("sgl", "regress-sgl-in-capsule-length-0", &b);
	d = keyed_desc(0, 0xffffff, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1 | 2 | 4, 1, 1, &d, 0, 0xffff, 0);
	save("sgl", "regress-sgl-keyed-over-mdts", &b);
	d = keyed_desc(0xfff0, 4096, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1 | 2 | 4, 1, 1, &d, 0, 7, 0);
	save("sgl", "regress-sgl-keyed-past-host-buffer", &b);
	d = keyed_desc(0, 512, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0, sgl_capsule(&b, 1 | 2, 1, 1, &d, 0, 0, 0);
	save("sgl", "regress-sgl-keyed-bad-rkey", &b);
	memset(&d, 0, sizeof(d));
	d.id = nvsim_sgl_id(NVSIM_SGL_TYPE_BIT_BUCKET, 0);
	b.n = 0, sgl_capsule(&b, 1, 1, 1, &d, 0, 0, 0);
	save("sgl", "regress-sgl-bit-bucket", &b);
	d.id = nvsim_sgl_id(NVSIM_SGL_TYPE_TRANSPORT_DATA_BLOCK, NVSIM_SGL_SUBTYPE_TRANSPORT);
	b.n = 0, sgl_capsule(&b, 1, 1, 1, &d, 0, 0, 0);
	save("sgl", "regress-sgl-transport-data-block", &b);
	d = keyed_desc(0, 512, NVSIM_SGL_SUBTYPE_ADDRESS);
	b.n = 0;
	u8(&b, 1 | 8), u8(&b, 1), u32(&b, 1);
	put(&b, &d, 16);
	zeros(&b, 24);
	u8(&b, 0); /* PSDT 0: PRPs */
	u16(&b, 0);
	save("sgl", "regress-sgl-psdt-prp", &b);
}

/* ---- cm_private_data_fuzzer ---------------------------------------------------------------- */

static void cm_req(struct buf *b, uint16_t recfmt, uint16_t qid, uint16_t hrq, uint16_t hsq,
		   uint16_t cntlid, uint8_t f)
{
	u8(b, 32 - 1); /* len byte: % 56 + 1 = 32 */
	u16(b, recfmt), u16(b, qid), u16(b, hrq), u16(b, hsq), u16(b, cntlid);
	zeros(b, 22);
	u8(b, f);
}

static void seeds_cm(void)
{
	struct buf b;

	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 32, 31, 0, 2);
	save("cm_private_data", "seed-admin-request-then-connect", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 32, 31, 0, 2 | 4), cm_req(&b, 0, 1, 128, 127, 1, 2);
	save("cm_private_data", "seed-admin-and-io-requests", &b);
	b.n = 0, u8(&b, 1), u8(&b, 32), u16(&b, 0), u16(&b, 32), zeros(&b, 28);
	save("cm_private_data", "seed-host-accept", &b);
	b.n = 0, u8(&b, 3), u8(&b, 4), u16(&b, 0), u16(&b, 4);
	save("cm_private_data", "seed-host-reject-invalid-hsqsize", &b);

	/* Known bug classes. */
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 32, 0, 0, 2);
	save("cm_private_data", "regress-cm-hsqsize-0", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 0, 31, 0, 2);
	save("cm_private_data", "regress-cm-hrqsize-0", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 64, 63, 0, 2);
	save("cm_private_data", "regress-cm-admin-hsqsize-over-32", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0xffff, 128, 127, 0, 2);
	save("cm_private_data", "regress-cm-qid-ffff", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 1, 0, 32, 31, 0, 2);
	save("cm_private_data", "regress-cm-recfmt-1", &b);
	b.n = 0, u8(&b, 0), u8(&b, 0), u8(&b, 0), u8(&b, 2); /* 1 byte of private data */
	save("cm_private_data", "regress-cm-private-data-1-byte", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 32, 31, 0, 1 | 2);
	u8(&b, 0), u8(&b, 0); /* responder resources and initiator depth 0 */
	save("cm_private_data", "regress-cm-rd-atom-0", &b);
	b.n = 0, u8(&b, 0), cm_req(&b, 0, 0, 32, 0xffff, 0, 2);
	save("cm_private_data", "regress-cm-hsqsize-ffff", &b);
	b.n = 0, u8(&b, 1), u8(&b, 0);
	save("cm_private_data", "regress-host-accept-no-private-data", &b);
	b.n = 0, u8(&b, 3), u8(&b, 0);
	save("cm_private_data", "regress-host-reject-no-private-data", &b);
}

/* ---- discovery_log_fuzzer ------------------------------------------------------------------ */

static void disc_header(struct buf *b, uint64_t genctr, uint64_t numrec)
{
	u64(b, genctr), u64(b, numrec), u16(b, 0), zeros(b, 1024 - 18);
}

static void disc_entry(struct buf *b, uint8_t trtype, uint8_t subtype, const char *traddr,
		       const char *nqn)
{
	struct nvmf_disc_log_entry e;

	memset(&e, 0, sizeof(e));
	e.trtype = trtype;
	e.adrfam = NVMF_ADDR_FAMILY_IP4;
	e.subtype = subtype;
	e.treq = NVMF_TREQ_NOT_SPECIFIED;
	e.portid = htole16(1);
	e.cntlid = htole16(0xffff);
	e.asqsz = htole16(32);
	snprintf(e.trsvcid, sizeof(e.trsvcid), "4420");
	snprintf(e.traddr, sizeof(e.traddr), "%s", traddr);
	snprintf(e.subnqn, sizeof(e.subnqn), "%s", nqn);
	if (trtype == NVMF_TRTYPE_RDMA) {
		e.tsas.rdma.qptype = NVMF_RDMA_QPTYPE_CONNECTED;
		e.tsas.rdma.prtype = NVMF_RDMA_PRTYPE_NOT_SPECIFIED;
		e.tsas.rdma.cms = NVMF_RDMA_CMS_RDMA_CM;
	}
	put(b, &e, sizeof(e));
}

static void seeds_discovery(void)
{
	struct buf b;

	for (uint8_t mode = 0; mode < 2; mode++) {
		char name[64];
		const char *how = mode ? "via-host" : "render";

		b.n = 0, u8(&b, mode), disc_header(&b, 1, 0);
		snprintf(name, sizeof(name), "seed-%s-empty", how);
		save("discovery_log", name, &b);
		b.n = 0, u8(&b, mode), disc_header(&b, 3, 2);
		disc_entry(&b, NVMF_TRTYPE_RDMA, NVME_NQN_NVME, "192.168.1.10", SUBNQN);
		disc_entry(&b, NVMF_TRTYPE_TCP, NVME_NQN_DISC, "10.0.0.1", NVME_DISC_SUBSYS_NAME);
		snprintf(name, sizeof(name), "seed-%s-subsystem-and-referral", how);
		save("discovery_log", name, &b);

		/* Known bug classes. */
		b.n = 0, u8(&b, mode), disc_header(&b, 1, 1000);
		disc_entry(&b, NVMF_TRTYPE_RDMA, NVME_NQN_NVME, "192.168.1.10", SUBNQN);
		snprintf(name, sizeof(name), "regress-%s-numrec-past-the-end", how);
		save("discovery_log", name, &b);
		b.n = 0, u8(&b, mode), disc_header(&b, 1, 0x8000000000000001ull);
		snprintf(name, sizeof(name), "regress-%s-numrec-huge", how);
		save("discovery_log", name, &b);
		b.n = 0, u8(&b, mode), disc_header(&b, 1, 1);
		{
			uint8_t e[1024];

			memset(e, 0xff, sizeof(e));
			put(&b, e, sizeof(e));
		}
		snprintf(name, sizeof(name), "regress-%s-strings-without-nul", how);
		save("discovery_log", name, &b);
	}
	b.n = 0, u8(&b, 1 | 2), disc_header(&b, 1, 1);
	disc_entry(&b, NVMF_TRTYPE_RDMA, NVME_NQN_NVME, "192.168.1.10", SUBNQN);
	save("discovery_log", "regress-via-host-genctr-always-moves", &b);
	b.n = 0, u8(&b, 1 | 4), disc_header(&b, 1, 1);
	disc_entry(&b, NVMF_TRTYPE_RDMA, NVME_NQN_NVME, "192.168.1.10", SUBNQN);
	save("discovery_log", "regress-via-host-log-as-identify-data", &b);
	b.n = 0, u8(&b, 0);
	zeros(&b, 100);
	save("discovery_log", "regress-render-shorter-than-header", &b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR   (e.g. fuzz/corpus)\n", argv[0]);
		return 2;
	}
	root = argv[1];
	seeds_connect();
	seeds_admin();
	seeds_capsule();
	seeds_sgl();
	seeds_cm();
	seeds_discovery();
	printf("make_seeds: %u inputs written under %s\n", written, root);
	return 0;
}
