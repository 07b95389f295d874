/* Index structures of the fake: a hash map and a heap.
 *
 * The map is open addressing with linear probing and backward-shift
 * deletion (no tombstones), kept between 1/8 and 1/2 full, so a probe is
 * O(1) expected and memory follows the number of entries.  The heap is a
 * binary min-heap of nodes embedded in their owners, each node knowing its
 * index so that it can be removed or re-keyed in O(log n). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/fake_priv.h"

enum { MAP_MIN_CAP = 16 };

/* A fixed mixer (splitmix64's finaliser): the same layout on every run. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t map_home(const struct fake_map *m, uint64_t key)
{
	return (size_t)mix64(key) & (m->cap - 1);
}

static void map_place(struct fake_map *m, uint64_t key, void *val)
{
	size_t i = map_home(m, key);

	while (m->slots[i].val && m->slots[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->slots[i].val)
		m->count++;
	m->slots[i].key = key;
	m->slots[i].val = val;
}

static int map_resize(struct fake_map *m, size_t cap)
{
	struct fake_map_slot *old = m->slots;
	size_t old_cap = m->cap, i;

	m->slots = calloc(cap, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = cap;
	m->count = 0;
	for (i = 0; i < old_cap; i++)
		if (old[i].val)
			map_place(m, old[i].key, old[i].val);
	free(old);
	return 0;
}

/* The slot holding key, or NULL. */
static struct fake_map_slot *map_find(const struct fake_map *m, uint64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = map_home(m, key); m->slots[i].val; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return &m->slots[i];
	return NULL;
}

void *fake_map_get(const struct fake_map *m, uint64_t key)
{
	struct fake_map_slot *slot = map_find(m, key);

	return slot ? slot->val : NULL;
}

int fake_map_put(struct fake_map *m, uint64_t key, void *val)
{
	struct fake_map_slot *slot;

	if (!val)
		return -EINVAL;
	/* Replacing never allocates, so it cannot fail. */
	slot = map_find(m, key);
	if (slot) {
		slot->val = val;
		return 0;
	}
	if ((m->count + 1) * 2 > m->cap) {
		int rc = map_resize(m, m->cap ? m->cap * 2 : MAP_MIN_CAP);

		if (rc)
			return rc;
	}
	map_place(m, key, val);
	return 0;
}

/* Whether slot j may take the entry at i: its home must not lie in (j, i]. */
static bool may_shift(const struct fake_map *m, size_t j, size_t i)
{
	size_t home = map_home(m, m->slots[i].key);

	if (j <= i)
		return home <= j || home > i;
	return home <= j && home > i;
}

void fake_map_del(struct fake_map *m, uint64_t key)
{
	size_t i, j;

	if (!m->cap)
		return;
	for (i = map_home(m, key); m->slots[i].val; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			break;
	if (!m->slots[i].val)
		return;
	/* Backward shift: pull later entries of the cluster into the hole. */
	j = i;
	for (i = (j + 1) & (m->cap - 1); m->slots[i].val; i = (i + 1) & (m->cap - 1)) {
		if (may_shift(m, j, i)) {
			m->slots[j] = m->slots[i];
			j = i;
		}
	}
	m->slots[j].key = 0;
	m->slots[j].val = NULL;
	m->count--;
	/* Shrinking is best effort: a failed one leaves a valid, larger map. */
	if (m->cap > MAP_MIN_CAP && m->count * 8 < m->cap)
		map_resize(m, m->cap / 2);
}

void fake_map_free(struct fake_map *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

uint64_t fake_addr_key(const struct verbs_addr *a)
{
	const char *host = a->wildcard ? "" : a->host;
	uint64_t h = 1469598103934665603ull;  /* FNV-1a */

	for (; *host; host++) {
		h ^= (unsigned char)*host;
		h *= 1099511628211ull;
	}
	return mix64(h ^ a->port) | 1;  /* never the empty key 0 */
}

/* ---- heap ------------------------------------------------------------------ */

static bool node_less(const struct fake_heap_node *a, const struct fake_heap_node *b)
{
	return a->key < b->key || (a->key == b->key && a->tie < b->tie);
}

static void heap_set(struct fake_heap *h, size_t i, struct fake_heap_node *node)
{
	h->v[i] = node;
	node->idx = i;
}

static void sift_up(struct fake_heap *h, size_t i)
{
	struct fake_heap_node *node = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!node_less(node, h->v[parent]))
			break;
		heap_set(h, i, h->v[parent]);
		i = parent;
	}
	heap_set(h, i, node);
}

static void sift_down(struct fake_heap *h, size_t i)
{
	struct fake_heap_node *node = h->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && node_less(h->v[child + 1], h->v[child]))
			child++;
		if (!node_less(h->v[child], node))
			break;
		heap_set(h, i, h->v[child]);
		i = child;
	}
	heap_set(h, i, node);
}

int fake_heap_reserve(struct fake_heap *h, size_t n)
{
	struct fake_heap_node **v;
	size_t cap;

	if (n <= h->cap)
		return 0;
	cap = h->cap ? h->cap : 16;
	while (cap < n)
		cap *= 2;
	v = realloc(h->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	h->v = v;
	h->cap = cap;
	return 0;
}

int fake_heap_push(struct fake_heap *h, struct fake_heap_node *node)
{
	int rc = fake_heap_reserve(h, h->n + 1);

	if (rc)
		return rc;
	heap_set(h, h->n++, node);
	sift_up(h, node->idx);
	return 0;
}

void fake_heap_remove(struct fake_heap *h, struct fake_heap_node *node)
{
	size_t i = node->idx;
	struct fake_heap_node *last;

	if (i == FAKE_HEAP_NONE)
		return;
	node->idx = FAKE_HEAP_NONE;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	heap_set(h, i, last);
	fake_heap_fix(h, last);
}

void fake_heap_fix(struct fake_heap *h, struct fake_heap_node *node)
{
	size_t i = node->idx;

	if (i > 0 && node_less(node, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct fake_heap_node *fake_heap_top(const struct fake_heap *h)
{
	return h->n ? h->v[0] : NULL;
}

void fake_heap_free(struct fake_heap *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
