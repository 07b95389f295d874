/* The Discovery log page (LID 70h; NVMe Base 2.0 §5.16.1.23 (approx.)),
 * built per host: a record for each subsystem on the host's port that the
 * host may connect to, then the port's referrals.  GENCTR counts every
 * change so a host can detect a torn multi-command read. */
#include <string.h>

#include "target/target_priv.h"

#define DISC_HEADER_LEN 1024u
#define DISC_ENTRY_LEN 1024u

_Static_assert(sizeof(struct nvmf_disc_log_entry) == DISC_ENTRY_LEN, "libnvme entry size");
_Static_assert(sizeof(struct nvmf_discovery_log) == DISC_HEADER_LEN, "libnvme header size");

typedef void (*entry_fn)(void *ctx, const struct nvsim_port *p, const struct nvsim_subsys *s,
			 const struct nvsim_referral *r);

static bool port_visible(const struct nvsim_assoc *a, const struct nvsim_port *p)
{
	/* A host sees the port it came in on; with no port (in-process
	 * queues) it sees them all. */
	return !a->port || a->port == p;
}

static void for_each_entry(const struct nvsim_assoc *a, entry_fn fn, void *ctx)
{
	for (const struct nvsim_port *p = a->subsys->target->ports; p; p = p->next) {
		if (!port_visible(a, p))
			continue;
		for (unsigned int i = 0; i < p->nr_subsys; i++)
			if (nvsim_subsys_host_allowed(p->subsys[i], a->hostnqn) ||
			    (a->subsys->target->cfg.quirks & NVSIM_QUIRK_NO_HOST_FILTER))
				fn(ctx, p, p->subsys[i], NULL);
		for (unsigned int i = 0; i < p->nr_referrals; i++)
			fn(ctx, p, NULL, &p->referrals[i]);
	}
}

static void count_entry(void *ctx, const struct nvsim_port *p, const struct nvsim_subsys *s,
			const struct nvsim_referral *r)
{
	(void)p;
	(void)s;
	(void)r;
	(*(uint64_t *)ctx)++;
}

size_t nvsim_discovery_log_size(void *assoc)
{
	uint64_t n = 0;

	for_each_entry(assoc, count_entry, &n);
	return DISC_HEADER_LEN + (size_t)n * DISC_ENTRY_LEN;
}

struct fill_ctx {
	uint8_t *buf;
	size_t len;
	uint64_t n;
};

static void put_field(char *dst, size_t size, const char *src)
{
	/* Discovery strings are space padded, like Identify strings. */
	size_t n = strnlen(src, size);

	memcpy(dst, src, n);
	memset(dst + n, ' ', size - n);
}

static void fill_entry(void *arg, const struct nvsim_port *p, const struct nvsim_subsys *s,
		       const struct nvsim_referral *r)
{
	struct fill_ctx *ctx = arg;
	const struct nvsim_port_config *where = r ? &r->cfg : &p->cfg;
	size_t off = DISC_HEADER_LEN + (size_t)ctx->n * DISC_ENTRY_LEN;
	struct nvmf_disc_log_entry *e;

	ctx->n++;
	if (off + DISC_ENTRY_LEN > ctx->len)
		return;
	e = (struct nvmf_disc_log_entry *)(ctx->buf + off);
	e->trtype = where->trtype;
	e->adrfam = where->adrfam;
	e->subtype = r ? NVME_NQN_DISC : NVME_NQN_NVME;
	e->treq = where->treq;
	e->portid = htole16(where->portid);
	e->cntlid = htole16(0xffff); /* dynamic controller model */
	e->asqsz = htole16(NVSIM_ADMIN_SQSIZE_MAX + 1);
	put_field(e->trsvcid, sizeof(e->trsvcid), where->trsvcid);
	put_field(e->traddr, sizeof(e->traddr), where->traddr);
	memcpy(e->subnqn, r ? NVME_DISC_SUBSYS_NAME : s->nqn,
	       strlen(r ? NVME_DISC_SUBSYS_NAME : s->nqn));
	if (where->trtype == NVMF_TRTYPE_RDMA) {
		e->tsas.rdma.qptype = NVMF_RDMA_QPTYPE_CONNECTED;
		e->tsas.rdma.prtype = NVMF_RDMA_PRTYPE_NOT_SPECIFIED;
		e->tsas.rdma.cms = NVMF_RDMA_CMS_RDMA_CM;
	}
}

void nvsim_discovery_log_fill(void *assoc, uint8_t *buf, size_t len)
{
	struct nvsim_assoc *a = assoc;
	struct nvmf_discovery_log *hdr = (void *)buf;
	struct fill_ctx ctx = { .buf = buf, .len = len };

	if (len < DISC_HEADER_LEN)
		return;
	for_each_entry(a, fill_entry, &ctx);
	hdr->genctr = htole64(a->subsys->target->genctr);
	hdr->numrec = htole64(ctx.n);
	hdr->recfmt = 0;
}
