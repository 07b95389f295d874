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
 * chunk frees it; a partial chunk is zeroed in place, and freed once no
 * byte of it is left nonzero (a host freeing a chunk in pieces gets the
 * memory back).
 *
 * One cap bounds everything the namespace holds: chunks, index nodes and
 * this back end's own struct, the figure usage reports. */
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
/* A cap above any machine's memory, low enough that the sums below
 * cannot wrap. */
#define RAM_LIMIT_MAX (1ull << 62)

struct ram_node {
	uint64_t present; /* bit i: slot[i] holds a child node or, at level 0, a chunk */
	void *slot[RAM_FAN];
};

struct ram_be {
	struct ram_node *root; /* level height - 1; never freed before destroy */
	unsigned int height;
	uint64_t size;	 /* namespace bytes: nothing is stored past them */
	uint64_t chunks; /* chunks held */
	uint64_t nodes;	 /* nodes held, root included */
	uint64_t limit;	 /* cap on ram_held(): chunks, nodes and this struct */
	uint64_t visits; /* nodes looked at by lookups and range walks */
};

/* Index of the lowest set bit of a nonzero word.  __builtin_ctzll is
 * gcc's and clang's (one instruction on x86-64 and arm64); other
 * compilers get the loop. */
static unsigned int lowest_bit(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned int)__builtin_ctzll(v);
#else
	unsigned int i = 0;

	for (; !(v & 1); v >>= 1)
		i++;
	return i;
#endif
}

static unsigned int digit(uint64_t chunk, unsigned int level)
{
	return (unsigned int)(chunk >> (level * RAM_FAN_SHIFT)) & (RAM_FAN - 1);
}

/* Chunks under one node of the given level. */
static uint64_t span(unsigned int level)
{
	return 1ull << ((level + 1) * RAM_FAN_SHIFT);
}

/* Bytes held with this many chunks and nodes: what the cap bounds. */
static uint64_t ram_held(uint64_t chunks, uint64_t nodes)
{
	return chunks * RAM_CHUNK_SIZE + nodes * sizeof(struct ram_node) + sizeof(struct ram_be);
}

static uint8_t *ram_find(struct ram_be *r, uint64_t chunk)
{
	struct ram_node *n = r->root;

	for (unsigned int level = r->height - 1;; level--) {
		unsigned int d = digit(chunk, level);

		r->visits++;
		if (!(n->present >> d & 1))
			return NULL;
		if (!level)
			return n->slot[d];
		n = n->slot[d];
	}
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
	if (ram_held(r->chunks + 1, r->nodes + missing) > r->limit)
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

	r->visits++;
	while (todo) {
		unsigned int d = lowest_bit(todo);
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

static bool all_zero(const uint8_t *p, size_t len)
{
	return !len || (!p[0] && !memcmp(p, p + 1, len - 1));
}

/* Zero [in, in + len) of one chunk (an absent chunk already reads zeros)
 * and free the chunk when none of its bytes is left nonzero, so that a
 * chunk deallocated in pieces goes too.  The check reads the rest of the
 * chunk: at most 4 KiB, for a command that named at least one block. */
static void ram_zero_part(struct ram_be *r, uint64_t chunk, size_t in, size_t len)
{
	uint8_t *page = ram_find(r, chunk);

	if (!page)
		return;
	memset(page + in, 0, len);
	if (all_zero(page, in) && all_zero(page + in + len, RAM_CHUNK_SIZE - in - len))
		ram_free_range(r, r->root, r->height - 1, chunk, chunk);
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

/* Partial chunks at either end are zeroed (and freed if that leaves them
 * all zeros), whole chunks between freed.  The namespace's end counts as
 * a chunk's end: nothing past it is ever stored. */
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
	tail = end == r->size ? 0 : (size_t)(end & (RAM_CHUNK_SIZE - 1));
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

/* Absent chunks read zeros: deallocating always leaves zeros behind. */
static bool ram_dealloc_zeroes(const void *be)
{
	(void)be;
	return true;
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
	u->index_bytes = ram_held(0, r->nodes);
	u->index_visits = r->visits;
	u->limit_bytes = r->limit;
}

static void ram_free_all(struct ram_node *n, unsigned int level)
{
	for (uint64_t todo = n->present; todo; todo &= todo - 1) {
		unsigned int d = lowest_bit(todo);

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

/* Nodes of a tree of the given height holding chunks [0, chunks): what
 * writing them in one run builds. */
static uint64_t ram_dense_nodes(uint64_t chunks, unsigned int height)
{
	uint64_t nodes = 1;

	for (unsigned int level = 0; level + 1 < height; level++)
		nodes += (chunks + span(level) - 1) / span(level);
	return nodes;
}

/* The default cap holds min(size, 1 GiB) written in one run, index
 * included, so a namespace of up to 1 GiB can always be written in full. */
static uint64_t ram_default_limit(uint64_t size, unsigned int height)
{
	uint64_t chunks = (size >> RAM_CHUNK_SHIFT) + !!(size & (RAM_CHUNK_SIZE - 1));

	if (chunks > NVSIM_NS_RAM_DEFAULT_LIMIT >> RAM_CHUNK_SHIFT)
		chunks = NVSIM_NS_RAM_DEFAULT_LIMIT >> RAM_CHUNK_SHIFT;
	return ram_held(chunks, ram_dense_nodes(chunks, height));
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
	r->limit = cfg->mem_limit_bytes ? cfg->mem_limit_bytes
					: ram_default_limit(cfg->size_bytes, r->height);
	if (r->limit > RAM_LIMIT_MAX)
		r->limit = RAM_LIMIT_MAX;
	*be = r;
	return 0;
}

const struct nvsim_ns_ops nvsim_ns_ram_ops = {
	.name = "ram",
	.read = ram_read,
	.write = ram_write,
	.deallocate = ram_deallocate,
	.dealloc_zeroes = ram_dealloc_zeroes,
	.flush = ram_flush,
	.usage = ram_usage,
	.destroy = ram_destroy,
};
