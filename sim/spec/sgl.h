/* SGL descriptors (NVMe Base 2.0 §4.3.2 (approx.), "SGL Descriptor Types";
 * keyed descriptors are NVMe-oF only).  libnvme 1.3 has no SGL structures. */
#ifndef NVSIM_SPEC_SGL_H
#define NVSIM_SPEC_SGL_H

#include "spec/wire.h"

enum nvsim_sgl_type {
	NVSIM_SGL_TYPE_DATA_BLOCK = 0x0,
	NVSIM_SGL_TYPE_BIT_BUCKET = 0x1,
	NVSIM_SGL_TYPE_SEGMENT = 0x2,
	NVSIM_SGL_TYPE_LAST_SEGMENT = 0x3,
	NVSIM_SGL_TYPE_KEYED_DATA_BLOCK = 0x4,
	NVSIM_SGL_TYPE_TRANSPORT_DATA_BLOCK = 0x5,
	NVSIM_SGL_TYPE_VENDOR = 0xf,
};

enum nvsim_sgl_subtype {
	NVSIM_SGL_SUBTYPE_ADDRESS = 0x0,
	NVSIM_SGL_SUBTYPE_OFFSET = 0x1,	/* in-capsule data, offset from the data area */
	NVSIM_SGL_SUBTYPE_TRANSPORT = 0xa,
	NVSIM_SGL_SUBTYPE_INVALIDATE_KEY = 0xf, /* keyed: target answers SEND with invalidate */
};

/* Generic 16-byte descriptor: bytes 0-14 depend on the type, byte 15 is the
 * identifier (type in bits 7:4, subtype in bits 3:0). */
struct nvsim_sgl_desc {
	uint8_t bytes[15];
	uint8_t id;
};

/* Data Block, Bit Bucket, Segment, Last Segment, Transport Data Block. */
struct nvsim_sgl_unkeyed {
	uint64_t addr;
	uint32_t length;
	uint8_t rsvd[3];
	uint8_t id;
};

/* Keyed SGL Data Block: 24-bit length, 32-bit remote key. */
struct nvsim_sgl_keyed {
	uint64_t addr;
	uint8_t length[3];
	uint32_t key;
	uint8_t id;
} __attribute__((packed));

NVSIM_ASSERT_SIZE(struct nvsim_sgl_desc, 16);
NVSIM_ASSERT_SIZE(struct nvsim_sgl_unkeyed, 16);
NVSIM_ASSERT_OFFSET(struct nvsim_sgl_unkeyed, length, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_sgl_unkeyed, id, 15);
NVSIM_ASSERT_SIZE(struct nvsim_sgl_keyed, 16);
NVSIM_ASSERT_OFFSET(struct nvsim_sgl_keyed, length, 8);
NVSIM_ASSERT_OFFSET(struct nvsim_sgl_keyed, key, 11);
NVSIM_ASSERT_OFFSET(struct nvsim_sgl_keyed, id, 15);

#define NVSIM_SGL_KEYED_MAX_LEN 0xffffffu /* 24-bit length field */

static inline uint8_t nvsim_sgl_id(enum nvsim_sgl_type type, enum nvsim_sgl_subtype subtype)
{
	return (uint8_t)((type << 4) | (subtype & 0xf));
}

static inline enum nvsim_sgl_type nvsim_sgl_type_of(uint8_t id)
{
	return (enum nvsim_sgl_type)(id >> 4);
}

static inline enum nvsim_sgl_subtype nvsim_sgl_subtype_of(uint8_t id)
{
	return (enum nvsim_sgl_subtype)(id & 0xf);
}

static inline uint32_t nvsim_sgl_keyed_len(const struct nvsim_sgl_keyed *d)
{
	return (uint32_t)d->length[0] | (uint32_t)d->length[1] << 8 | (uint32_t)d->length[2] << 16;
}

/* len above 24 bits is a caller bug: callers bound it first. */
static inline void nvsim_sgl_keyed_set(struct nvsim_sgl_keyed *d, uint64_t addr, uint32_t len,
				       uint32_t key, enum nvsim_sgl_subtype subtype)
{
	d->addr = htole64(addr);
	d->length[0] = (uint8_t)len;
	d->length[1] = (uint8_t)(len >> 8);
	d->length[2] = (uint8_t)(len >> 16);
	d->key = htole32(key);
	d->id = nvsim_sgl_id(NVSIM_SGL_TYPE_KEYED_DATA_BLOCK, subtype);
}

static inline void nvsim_sgl_unkeyed_set(struct nvsim_sgl_unkeyed *d, enum nvsim_sgl_type type,
					 enum nvsim_sgl_subtype subtype, uint64_t addr,
					 uint32_t len)
{
	d->addr = htole64(addr);
	d->length = htole32(len);
	d->rsvd[0] = d->rsvd[1] = d->rsvd[2] = 0;
	d->id = nvsim_sgl_id(type, subtype);
}

#endif
