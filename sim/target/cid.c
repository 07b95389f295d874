/* The command identifiers outstanding on one queue, so a capsule reusing one
 * is answered Command ID Conflict instead of being confused with its twin
 * (NVMe Base 2.0 §4.2 (approx.): a CID is unique among a queue's commands in
 * flight).  Open addressing, at most half full, backward-shift deletion. */
#include <errno.h>
#include <stdlib.h>

#include "target/target_priv.h"

static uint32_t cid_home(uint16_t cid, uint32_t mask)
{
	return ((uint32_t)cid * 2654435761u >> 7) & mask;
}

int nvsim_cid_set_init(struct nvsim_cid_set *s, uint32_t max_entries)
{
	uint32_t cap = 16;

	while (cap < 2 * max_entries)
		cap <<= 1;
	s->slots = calloc(cap, sizeof(*s->slots));
	if (!s->slots)
		return -ENOMEM;
	s->mask = cap - 1;
	s->count = 0;
	return 0;
}

void nvsim_cid_set_free(struct nvsim_cid_set *s)
{
	free(s->slots);
	s->slots = NULL;
}

/* Slots hold cid + 1, so 0 means empty. */
bool nvsim_cid_set_add(struct nvsim_cid_set *s, uint16_t cid)
{
	uint32_t i = cid_home(cid, s->mask);

	if (s->count * 2 >= s->mask + 1)
		return false; /* cannot happen: bounded by SQSIZE + 1 */
	for (; s->slots[i]; i = (i + 1) & s->mask)
		if (s->slots[i] == (uint32_t)cid + 1)
			return false;
	s->slots[i] = (uint32_t)cid + 1;
	s->count++;
	return true;
}

void nvsim_cid_set_del(struct nvsim_cid_set *s, uint16_t cid)
{
	uint32_t i = cid_home(cid, s->mask), hole;

	for (; s->slots[i] != (uint32_t)cid + 1; i = (i + 1) & s->mask)
		if (!s->slots[i])
			return;
	s->slots[i] = 0;
	s->count--;
	hole = i;
	for (i = (i + 1) & s->mask; s->slots[i]; i = (i + 1) & s->mask) {
		uint32_t home = cid_home((uint16_t)(s->slots[i] - 1), s->mask);
		bool stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);

		if (stays)
			continue;
		s->slots[hole] = s->slots[i];
		s->slots[i] = 0;
		hole = i;
	}
}
