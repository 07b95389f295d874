/* Namespace life cycle, stable identifiers and transfers between a
 * namespace and a command's data buffer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ns.h"

static uint64_t id_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t id_hash_str(uint64_t h, const char *s)
{
	/* FNV-1a: the same serial and NQN always name the same namespace */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* NGUID, UUID and EUI-64 are derived from the controller's serial, its
 * subsystem NQN and the NSID, so they are stable across runs and distinct
 * across namespaces and subsystems. */
static void ns_derive_ids(struct nvsim_ns *ns, const char *serial, const char *subnqn)
{
	uint64_t seed = id_hash_str(id_hash_str(0xcbf29ce484222325ull, serial), subnqn);
	uint64_t a = id_mix(seed ^ ns->nsid), b = id_mix(a), c = id_mix(b), d = id_mix(c);

	put_be64(ns->nguid, a);
	put_be64(ns->nguid + 8, b);
	put_be64(ns->uuid, c);
	put_be64(ns->uuid + 8, d);
	ns->uuid[6] = (uint8_t)((ns->uuid[6] & 0x0f) | 0x80); /* RFC 9562 version 8: custom */
	ns->uuid[8] = (uint8_t)((ns->uuid[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	put_be64(ns->eui64, id_mix(d));
	ns->eui64[0] = 0x02; /* locally administered, never a real OUI */
}

static int ns_check_config(const struct nvsim_ns_config *cfg)
{
	if (cfg->lba_size != 512 && cfg->lba_size != 4096)
		return -EINVAL;
	if (!cfg->size_bytes || cfg->size_bytes % cfg->lba_size)
		return -EINVAL;
	if (cfg->backend == NVSIM_NS_FILE && (!cfg->path || !cfg->path[0]))
		return -EINVAL;
	if (cfg->backend != NVSIM_NS_NULL && cfg->backend != NVSIM_NS_RAM &&
	    cfg->backend != NVSIM_NS_FILE)
		return -EINVAL;
	return 0;
}

int nvsim_ns_open(const struct nvsim_ns_config *cfg, const char *serial, const char *subnqn,
		  uint32_t nsid, struct nvsim_ns **out)
{
	struct nvsim_ns *ns;
	int ret = ns_check_config(cfg);

	if (ret)
		return ret;
	if (!serial || !subnqn || !nsid || nsid == 0xffffffffu)
		return -EINVAL;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	ns->refs = 1;
	ns->nsid = nsid;
	ns->lba_size = cfg->lba_size;
	ns->lba_shift = cfg->lba_size == 512 ? 9 : 12;
	ns->flbas = cfg->lba_size == 512 ? 0 : 1;
	ns->nlb = cfg->size_bytes >> ns->lba_shift;
	ns->latency_ns = cfg->latency_ns;
	switch (cfg->backend) {
	case NVSIM_NS_NULL:
		ns->ops = &nvsim_ns_null_ops;
		ret = nvsim_ns_null_open(cfg, &ns->be);
		break;
	case NVSIM_NS_RAM:
		ns->ops = &nvsim_ns_ram_ops;
		ret = nvsim_ns_ram_open(cfg, &ns->be);
		break;
	case NVSIM_NS_FILE:
		ns->ops = &nvsim_ns_file_ops;
		ret = nvsim_ns_file_open(cfg, &ns->be);
		break;
	}
	if (ret) {
		free(ns);
		return ret;
	}
	ns_derive_ids(ns, serial, subnqn);
	*out = ns;
	return 0;
}

void nvsim_ns_hold(struct nvsim_ns *ns)
{
	ns->refs++;
}

void nvsim_ns_put(struct nvsim_ns *ns)
{
	if (!ns || --ns->refs)
		return;
	ns->ops->destroy(ns->be);
	free(ns);
}

/* Walk the command buffer's segments covering [0, len). */
int nvsim_ns_read_into(struct nvsim_ns *ns, uint64_t off, struct nvsim_data *data, size_t len)
{
	for (unsigned i = 0; i < data->iovcnt && len; i++) {
		size_t n = data->iov[i].len < len ? data->iov[i].len : len;
		int ret = ns->ops->read(ns->be, off, data->iov[i].base, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return len ? -ERANGE : 0;
}

int nvsim_ns_write_from(struct nvsim_ns *ns, uint64_t off, const struct nvsim_data *data,
			size_t len)
{
	for (unsigned i = 0; i < data->iovcnt && len; i++) {
		size_t n = data->iov[i].len < len ? data->iov[i].len : len;
		int ret = ns->ops->write(ns->be, off, data->iov[i].base, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return len ? -ERANGE : 0;
}

int nvsim_ns_write_zeros(struct nvsim_ns *ns, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[64 * 1024];

	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		int ret = ns->ops->write(ns->be, off, zeros, n);

		if (ret)
			return ret;
		off += n;
		len -= n;
	}
	return 0;
}

/* Bits 2:0 001b: deallocated blocks read as zeros; bit 3: Write Zeroes
 * honours DEAC (NVM Command Set 1.0 §4.1.5.1, DLFEAT (approx.)).  A back
 * end that cannot deallocate into zeros promises neither. */
uint8_t nvsim_ns_dlfeat(const struct nvsim_ns *ns)
{
	return ns->ops->dealloc_zeroes(ns->be) ? 0x08 | 0x01 : 0;
}

int nvsim_ns_compare(struct nvsim_ns *ns, uint64_t off, const struct nvsim_data *data, size_t len)
{
	uint8_t bounce[4096];

	for (unsigned i = 0; i < data->iovcnt && len; i++) {
		const uint8_t *p = data->iov[i].base;
		size_t seg = data->iov[i].len < len ? data->iov[i].len : len;

		len -= seg;
		while (seg) {
			size_t n = seg < sizeof(bounce) ? seg : sizeof(bounce);
			int ret = ns->ops->read(ns->be, off, bounce, n);

			if (ret)
				return ret;
			if (memcmp(bounce, p, n))
				return 0;
			p += n;
			off += n;
			seg -= n;
		}
	}
	return len ? -ERANGE : 1;
}
