/* Which commands of a queue are waiting for their completion, by CID, so
 * that a completion carrying a CID we have no command for (a target that
 * answers errors with CID 0, or answers twice) is seen for what it is
 * instead of waiting out a timeout.  O(1) per command: CIDs index a table
 * of at least twice the queue depth (the helper layer hands CIDs out in
 * sequence); a raw sender's colliding CIDs go to a short overflow list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host_priv.h"

int nvsim_cid_track_init(struct nvsim_cid_track *t, uint32_t depth)
{
	uint32_t cap = 64;

	memset(t, 0, sizeof(*t));
	while (cap < 2u * depth && cap < 65536u)
		cap <<= 1;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = cap - 1;
	return 0;
}

void nvsim_cid_track_free(struct nvsim_cid_track *t)
{
	free(t->slot);
	t->slot = NULL;
}

static struct nvsim_cid_slot *find_over(struct nvsim_cid_track *t, uint16_t cid)
{
	for (uint32_t i = 0; i < t->nr_over; i++)
		if (t->over[i].cid == cid)
			return &t->over[i];
	return NULL;
}

void nvsim_cid_sent(struct nvsim_cid_track *t, uint16_t cid, uint8_t opcode)
{
	struct nvsim_cid_slot *s = &t->slot[cid & t->mask];

	t->last_cid = cid;
	t->nr_outstanding++;
	if (s->pending && s->cid != cid) {
		s = find_over(t, cid);
		if (!s && t->nr_over < NVSIM_CID_OVERFLOW) {
			s = &t->over[t->nr_over++];
			*s = (struct nvsim_cid_slot){ 0 }; /* a removed entry's copy may linger */
		}
		if (!s) {
			/* untracked: its completion will look stray; say so */
			t->untracked++;
			return;
		}
	}
	if (s->cid != cid)
		s->pending = 0;
	s->cid = cid;
	s->opcode = opcode;
	s->used = true;
	if (s->pending < UINT8_MAX)
		s->pending++; /* a CID reused while outstanding: two answers due */
}

enum nvsim_cid_match nvsim_cid_done(struct nvsim_cid_track *t, uint16_t cid)
{
	struct nvsim_cid_slot *s = &t->slot[cid & t->mask];

	if (!(s->cid == cid && s->pending)) {
		struct nvsim_cid_slot *o = find_over(t, cid);

		if (o && o->pending) {
			o->pending--;
			if (!o->pending)
				*o = t->over[--t->nr_over];
			t->nr_outstanding--;
			return NVSIM_CID_MATCHED;
		}
		return s->used && s->cid == cid ? NVSIM_CID_DUPLICATE : NVSIM_CID_UNKNOWN;
	}
	s->pending--;
	t->nr_outstanding--;
	return NVSIM_CID_MATCHED;
}

bool nvsim_cid_sole_outstanding(const struct nvsim_cid_track *t, uint16_t *cid, uint8_t *opcode)
{
	const struct nvsim_cid_slot *s = &t->slot[t->last_cid & t->mask];

	if (t->nr_outstanding != 1 || s->cid != t->last_cid || !s->pending)
		return false;
	*cid = s->cid;
	*opcode = s->opcode;
	return true;
}
