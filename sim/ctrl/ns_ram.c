/* The RAM back end: sparse, so a 1 TiB namespace costs only what was
 * written.  Memory is kept in 4 KiB chunks; absent chunks read as zeros.
 *
 * The chunks hang off a radix tree of 64-way nodes, each with a bitmap of
 * the slots in use, of a fixed height chosen from the namespace size (5
 * levels for 1 TiB).  A hash table finds one chunk in O(1) but can only
 * walk a range chunk by chunk; the tree finds the next allocated chunk of a
 * range in O(height) with one count-trailing-zeros per level, so
 * Deallocate and Write Zeroes cost in proportion to the chunks they free,
 * never to the range the host names.  Empty nodes are freed at once, so
 * the index stays proportional to the chunks held.  Deallocating a whole
 * chunk frees it; a partial chunk is zeroed in place and kept. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl/ns.h"

#define RAM_CHUNK_SHIFT 12u
#define RAM_CHUNK_SIZE (1u << RAM_CHUNK_SHIFT)
#define RAM_FAN_SHIFT 6u
#define RAM_FAN (1u << RAM_FAN_SHIFT)
/* 2^64 bytes are 2^52 chunks: nine levels of six bits. */
#define RAM_LEVELS_MAX 9u

struct ram_node {
	uint64_t present; /* bit i: slot[i] holds a child node or, at level 0, a chunk */
	void *slot[RAM_FAN];
};

struct ram_be {
	struct ram_node *root; /* level height - 1; never freed before destroy */
	unsigned int height;
	uint64_t size;	      /* namespace bytes: nothing is stored past them */
	uint64_t chunks;      /* chunks held */
	uint64_t nodes;	      /* nodes held, root included */
	uint64_t mem_limit;   /* cap on chunk bytes */
	uint64_t index_limit; /* cap on node bytes */
};

static unsigned int digit(uint64_t chunk, unsigned int level)
{
	return (unsigned int)(chunk >> (level * RAM_FAN_SHIFT)) & (RAM_FAN - 1);
}

/* Chunks under one node of the given level. */
static uint64_t span(unsigned int level)
{
	return 1ull << ((level + 1) * RAM_FAN_SHIFT);
}

static uint8_t *ram_find(const struct ram_be *r, uint64_t chunk)
{
	struct ram_node *n = r->root;

	for (unsigned int level = r->height - 1;; level--) {
		unsigned int d = digit(chunk, level);

		if (!(n->present >> d & 1))
			return NULL;
		if (!level)
			return n->slot[d];
		n = n->slot[d];
	}
}

static bool ram_over_limit(const struct ram_be *r, unsigned int new_nodes)
{
	return (r->chunks + 1) * RAM_CHUNK_SIZE > r->mem_limit ||
	       (r->nodes + new_nodes) * sizeof(struct ram_node) > r->index_limit;
}

/* Add chunk (absent) with a fresh page; all or nothing.  whole: the caller
 * overwrites the page in full, so it need not be zeroed. */
static int ram_chunk_alloc(struct ram_be *r, uint64_t chunk, bool whole, uint8_t **page)
{
	struct ram_node *n = r->root, *fresh[RAM_LEVELS_MAX];
	unsigned int level = r->height - 1, missing, i;

	while (level && (n->present >> digit(chunk, level) & 1)) {
		n = n->slot[digit(chunk, level)];
		level--;
	}
	missing = level; /* nodes for levels level - 1 down to 0 */
	if (ram_over_limit(r, missing))
		return -ENOSPC;
	*page = whole ? malloc(RAM_CHUNK_SIZE) : calloc(1, RAM_CHUNK_SIZE);
	if (!*page)
		return -ENOMEM;
	for (i = 0; i < missing; i++) {
		fresh[i] = calloc(1, sizeof(*fresh[i]));
		if (!fresh[i])
			goto err;
	}
	for (i = 0; i < missing; i++, level--) {
		n->slot[digit(chunk, level)] = fresh[i];
		n->present |= 1ull << digit(chunk, level);
		n = fresh[i];
	}
	n->slot[digit(chunk, 0)] = *page;
	n->present |= 1ull << digit(chunk, 0);
	r->nodes += missing;
	r->chunks++;
	return 0;
err:
	while (i--)
		free(fresh[i]);
	free(*page);
	return -ENOMEM;
}

/* Free the chunks [lo, hi] under node n of the given level and the nodes
 * this empties (not n itself).  lo and hi lie within n's span.  Visits
 * only nodes holding something in the range, plus the two boundary paths. */
static void ram_free_range(struct ram_be *r, struct ram_node *n, unsigned int level, uint64_t lo,
			   uint64_t hi)
{
	unsigned int dlo = digit(lo, level), dhi = digit(hi, level);
	uint64_t todo = n->present & (~0ull << dlo) & (~0ull >> (RAM_FAN - 1 - dhi));
	uint64_t base = lo & ~(span(level) - 1);

	while (todo) {
		unsigned int d = (unsigned int)__builtin_ctzll(todo);
		uint64_t clo, chi;
		struct ram_node *child;

		todo &= todo - 1;
		if (!level) {
			free(n->slot[d]);
			n->present &= ~(1ull << d);
			r->chunks--;
			continue;
		}
		child = n->slot[d];
		clo = base + (uint64_t)d * span(level - 1);
		chi = clo + span(level - 1) - 1;
		ram_free_range(r, child, level - 1, clo > lo ? clo : lo, chi < hi ? chi : hi);
		if (child->present)
			continue;
		free(child);
		n->present &= ~(1ull << d);
		r->nodes--;
	}
}

/* Zero [in, in + len) of one chunk; an absent chunk already reads zeros. */
static void ram_zero_part(struct ram_be *r, uint64_t chunk, size_t in, size_t len)
{
	uint8_t *page = ram_find(r, chunk);

	if (page)
		memset(page + in, 0, len);
}

/* Bytes of [off, off + len) inside the namespace.  The namespace layer
 * checks every range; only the no-lba-check quirk gets further, and then
 * nothing past the end is stored (reads there return zeros). */
static uint64_t ram_clip(const struct ram_be *r, uint64_t off, uint64_t len)
{
	if (off >= r->size)
		return 0;
	return len < r->size - off ? len : r->size - off;
}

static int ram_read(void *be, uint64_t off, void *buf, size_t len)
{
	struct ram_be *r = be;
	uint8_t *out = buf;
	size_t inside = (size_t)ram_clip(r, off, len);

	memset(out + inside, 0, len - inside);
	for (len = inside; len;) {
		uint64_t chunk = off >> RAM_CHUNK_SHIFT;
		size_t in = (size_t)(off & (RAM_CHUNK_SIZE - 1));
		size_t n = RAM_CHUNK_SIZE - in < len ? RAM_CHUNK_SIZE - in : len;
		const uint8_t *page = ram_find(r, chunk);

		if (page)
			memcpy(out, page + in, n);
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

	for (len = (size_t)ram_clip(r, off, len); len;) {
		uint64_t chunk = off >> RAM_CHUNK_SHIFT;
		size_t in = (size_t)(off & (RAM_CHUNK_SIZE - 1));
		size_t n = RAM_CHUNK_SIZE - in < len ? RAM_CHUNK_SIZE - in : len;
		uint8_t *page = ram_find(r, chunk);

		if (!page) {
			int ret = ram_chunk_alloc(r, chunk, n == RAM_CHUNK_SIZE, &page);

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

/* Partial chunks at either end are zeroed, whole chunks between freed. */
static int ram_deallocate(void *be, uint64_t off, uint64_t len)
{
	struct ram_be *r = be;
	uint64_t end, first, last;
	size_t head, tail;

	len = ram_clip(r, off, len);
	if (!len)
		return 0;
	end = off + len; /* no wrap: off + len <= size */
	first = off >> RAM_CHUNK_SHIFT;
	last = (end - 1) >> RAM_CHUNK_SHIFT;
	head = (size_t)(off & (RAM_CHUNK_SIZE - 1));
	tail = (size_t)(end & (RAM_CHUNK_SIZE - 1));
	if (first == last && (head || tail)) {
		ram_zero_part(r, first, head, (size_t)len);
		return 0;
	}
	if (head)
		ram_zero_part(r, first++, head, RAM_CHUNK_SIZE - head);
	if (tail)
		ram_zero_part(r, last--, 0, tail);
	if (first <= last)
		ram_free_range(r, r->root, r->height - 1, first, last);
	return 0;
}

static int ram_flush(void *be)
{
	(void)be;
	return 0;
}

static void ram_usage(void *be, struct nvsim_ns_usage *u)
{
	const struct ram_be *r = be;

	u->chunks = r->chunks;
	u->data_bytes = r->chunks * RAM_CHUNK_SIZE;
	u->index_bytes = r->nodes * sizeof(struct ram_node) + sizeof(*r);
}

static void ram_free_all(struct ram_node *n, unsigned int level)
{
	for (uint64_t todo = n->present; todo; todo &= todo - 1) {
		unsigned int d = (unsigned int)__builtin_ctzll(todo);

		if (level)
			ram_free_all(n->slot[d], level - 1);
		free(n->slot[d]);
	}
}

static void ram_destroy(void *be)
{
	struct ram_be *r = be;

	if (!r)
		return;
	ram_free_all(r->root, r->height - 1);
	free(r->root);
	free(r);
}

/* Levels of six bits that index every chunk of the namespace. */
static unsigned int ram_height(uint64_t size)
{
	uint64_t max_chunk = (size - 1) >> RAM_CHUNK_SHIFT;
	unsigned int h = 1;

	while (h < RAM_LEVELS_MAX && (max_chunk >> (h * RAM_FAN_SHIFT)))
		h++;
	return h;
}

int nvsim_ns_ram_open(const struct nvsim_ns_config *cfg, void **be)
{
	struct ram_be *r;

	if (!cfg->size_bytes)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->root = calloc(1, sizeof(*r->root));
	if (!r->root) {
		free(r);
		return -ENOMEM;
	}
	r->nodes = 1;
	r->size = cfg->size_bytes;
	r->height = ram_height(cfg->size_bytes);
	r->mem_limit = cfg->mem_limit_bytes;
	if (!r->mem_limit)
		r->mem_limit = cfg->size_bytes < NVSIM_NS_RAM_DEFAULT_LIMIT ? cfg->size_bytes
									   : NVSIM_NS_RAM_DEFAULT_LIMIT;
	/* a namespace not a multiple of 4 KiB still needs its last chunk */
	r->mem_limit = (r->mem_limit + RAM_CHUNK_SIZE - 1) & ~(uint64_t)(RAM_CHUNK_SIZE - 1);
	/* Chunks written in runs need one node per 64 of them (0.2 %); 4 KiB
	 * writes scattered over a huge namespace need up to height - 1 each.
	 * A quarter of the chunk cap bounds that, plus one full path so any
	 * first write fits. */
	r->index_limit = r->mem_limit / 4 + (uint64_t)r->height * sizeof(struct ram_node);
	*be = r;
	return 0;
}

const struct nvsim_ns_ops nvsim_ns_ram_ops = {
	.name = "ram",
	.read = ram_read,
	.write = ram_write,
	.deallocate = ram_deallocate,
	.flush = ram_flush,
	.usage = ram_usage,
	.destroy = ram_destroy,
};
