/* The RAM back end: sparse, so a 1 TiB namespace costs only what was
 * written.  Memory is kept in 4 KiB chunks in an open-addressing hash table
 * keyed by chunk index; absent chunks read as zeros.  Deallocating a whole
 * chunk frees it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ns.h"

#define RAM_CHUNK_SHIFT 12u
#define RAM_CHUNK_SIZE (1u << RAM_CHUNK_SHIFT)
#define RAM_MIN_SLOTS 64u

struct ram_slot {
	uint64_t chunk;
	uint8_t *page; /* NULL: empty slot */
};

struct ram_be {
	struct ram_slot *slots;
	size_t nr_slots; /* power of two */
	size_t used;
	uint64_t mem_limit;
};

static size_t ram_hash(uint64_t chunk, size_t mask)
{
	/* splitmix64 finaliser: scattered LBAs must not cluster */
	chunk ^= chunk >> 30;
	chunk *= 0xbf58476d1ce4e5b9ull;
	chunk ^= chunk >> 27;
	chunk *= 0x94d049bb133111ebull;
	chunk ^= chunk >> 31;
	return (size_t)chunk & mask;
}

static struct ram_slot *ram_find(struct ram_be *r, uint64_t chunk)
{
	size_t mask = r->nr_slots - 1;

	for (size_t i = ram_hash(chunk, mask);; i = (i + 1) & mask) {
		if (!r->slots[i].page)
			return NULL;
		if (r->slots[i].chunk == chunk)
			return &r->slots[i];
	}
}

static void ram_place(struct ram_slot *slots, size_t nr_slots, uint64_t chunk, uint8_t *page)
{
	size_t mask = nr_slots - 1;
	size_t i = ram_hash(chunk, mask);

	while (slots[i].page)
		i = (i + 1) & mask;
	slots[i].chunk = chunk;
	slots[i].page = page;
}

static int ram_grow(struct ram_be *r)
{
	size_t nr = r->nr_slots * 2;
	struct ram_slot *slots = calloc(nr, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < r->nr_slots; i++)
		if (r->slots[i].page)
			ram_place(slots, nr, r->slots[i].chunk, r->slots[i].page);
	free(r->slots);
	r->slots = slots;
	r->nr_slots = nr;
	return 0;
}

static int ram_chunk_alloc(struct ram_be *r, uint64_t chunk, uint8_t **page)
{
	int ret;

	if ((uint64_t)(r->used + 1) * RAM_CHUNK_SIZE > r->mem_limit)
		return -ENOSPC;
	if ((r->used + 1) * 2 > r->nr_slots) {
		ret = ram_grow(r);
		if (ret)
			return ret;
	}
	*page = calloc(1, RAM_CHUNK_SIZE);
	if (!*page)
		return -ENOMEM;
	ram_place(r->slots, r->nr_slots, chunk, *page);
	r->used++;
	return 0;
}

/* Backward-shift deletion keeps probe chains intact without tombstones. */
static void ram_chunk_free(struct ram_be *r, struct ram_slot *slot)
{
	size_t mask = r->nr_slots - 1;
	size_t hole = (size_t)(slot - r->slots);

	free(slot->page);
	slot->page = NULL;
	r->used--;
	for (size_t i = (hole + 1) & mask; r->slots[i].page; i = (i + 1) & mask) {
		size_t home = ram_hash(r->slots[i].chunk, mask);
		/* move i into the hole unless its home lies cyclically in (hole, i] */
		bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);

		if (stays)
			continue;
		r->slots[hole] = r->slots[i];
		r->slots[i].page = NULL;
		hole = i;
	}
}

static int ram_read(void *be, uint64_t off, void *buf, size_t len)
{
	struct ram_be *r = be;
	uint8_t *out = buf;

	while (len) {
		uint64_t chunk = off >> RAM_CHUNK_SHIFT;
		size_t in = (size_t)(off & (RAM_CHUNK_SIZE - 1));
		size_t n = RAM_CHUNK_SIZE - in < len ? RAM_CHUNK_SIZE - in : len;
		struct ram_slot *slot = ram_find(r, chunk);

		if (slot)
			memcpy(out, slot->page + in, n);
		else
			memset(out, 0, n);
		out += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int ram_write(void *be, uint64_t off, const void *buf, size_t len)
{
	struct ram_be *r = be;
	const uint8_t *src = buf;

	while (len) {
		uint64_t chunk = off >> RAM_CHUNK_SHIFT;
		size_t in = (size_t)(off & (RAM_CHUNK_SIZE - 1));
		size_t n = RAM_CHUNK_SIZE - in < len ? RAM_CHUNK_SIZE - in : len;
		struct ram_slot *slot = ram_find(r, chunk);
		uint8_t *page;

		if (slot) {
			page = slot->page;
		} else {
			int ret = ram_chunk_alloc(r, chunk, &page);

			if (ret)
				return ret;
		}
		memcpy(page + in, src, n);
		src += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int ram_deallocate(void *be, uint64_t off, uint64_t len)
{
	struct ram_be *r = be;

	while (len) {
		uint64_t chunk = off >> RAM_CHUNK_SHIFT;
		size_t in = (size_t)(off & (RAM_CHUNK_SIZE - 1));
		uint64_t n = RAM_CHUNK_SIZE - in < len ? RAM_CHUNK_SIZE - in : len;
		struct ram_slot *slot = ram_find(r, chunk);

		if (slot) {
			if (n == RAM_CHUNK_SIZE)
				ram_chunk_free(r, slot);
			else
				memset(slot->page + in, 0, (size_t)n);
		}
		off += n;
		len -= n;
	}
	return 0;
}

static int ram_flush(void *be)
{
	(void)be;
	return 0;
}

static uint64_t ram_mem_bytes(void *be)
{
	struct ram_be *r = be;

	return (uint64_t)r->used * RAM_CHUNK_SIZE + r->nr_slots * sizeof(struct ram_slot);
}

static void ram_destroy(void *be)
{
	struct ram_be *r = be;

	if (!r)
		return;
	for (size_t i = 0; i < r->nr_slots; i++)
		free(r->slots[i].page);
	free(r->slots);
	free(r);
}

int nvsim_ns_ram_open(const struct nvsim_ns_config *cfg, void **be)
{
	struct ram_be *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->nr_slots = RAM_MIN_SLOTS;
	r->slots = calloc(r->nr_slots, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		return -ENOMEM;
	}
	r->mem_limit = cfg->mem_limit_bytes;
	if (!r->mem_limit)
		r->mem_limit = cfg->size_bytes < NVSIM_NS_RAM_DEFAULT_LIMIT ? cfg->size_bytes
									   : NVSIM_NS_RAM_DEFAULT_LIMIT;
	/* a namespace not a multiple of 4 KiB still needs its last chunk */
	r->mem_limit = (r->mem_limit + RAM_CHUNK_SIZE - 1) & ~(uint64_t)(RAM_CHUNK_SIZE - 1);
	*be = r;
	return 0;
}

const struct nvsim_ns_ops nvsim_ns_ram_ops = {
	.name = "ram",
	.read = ram_read,
	.write = ram_write,
	.deallocate = ram_deallocate,
	.flush = ram_flush,
	.mem_bytes = ram_mem_bytes,
	.destroy = ram_destroy,
};
