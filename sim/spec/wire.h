/* Helpers shared by every wire-format header: little-endian accessors and
 * the static-assert shorthand.  NVMe and its transports are little-endian on
 * the wire; we keep structures in wire order and convert at the edges. */
#ifndef NVSIM_SPEC_WIRE_H
#define NVSIM_SPEC_WIRE_H

#include <assert.h>
#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#define NVSIM_ASSERT_SIZE(type, size) \
	static_assert(sizeof(type) == (size), #type " must be " #size " bytes on the wire")
#define NVSIM_ASSERT_OFFSET(type, field, off) \
	static_assert(offsetof(type, field) == (off), #type "." #field " must sit at byte " #off)

static inline uint16_t get_le16(const void *p)
{
	uint16_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static inline uint32_t get_le32(const void *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t get_le64(const void *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void put_le16(void *p, uint16_t v)
{
	v = htole16(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void put_le32(void *p, uint32_t v)
{
	v = htole32(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

static inline void put_le64(void *p, uint64_t v)
{
	v = htole64(v);
	__builtin_memcpy(p, &v, sizeof(v));
}

#endif
