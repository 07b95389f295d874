/* Fault injection: up to VERBS_FAKE_MAX_FAULTS rules, matched against a
 * send WR when it first reaches the head of its queue (data faults) or
 * against a connect request (REJECT_CONNECT).  Whether a match fires is
 * decided by skip, count and ppm, the last drawn from the fabric's
 * generator, so a seeded run replays exactly. */
#include <errno.h>
#include <string.h>

#include "verbs/fake_priv.h"

static bool fault_is_data(enum verbs_fake_fault_kind kind)
{
	return kind != VERBS_FAKE_FAULT_REJECT_CONNECT;
}

int verbs_fake_inject(struct verbs_fake_fabric *fab, const struct verbs_fake_fault *fault)
{
	struct fault_slot *slot;

	if (!fab || !fault)
		return -EINVAL;
	if ((unsigned int)fault->kind > VERBS_FAKE_FAULT_REJECT_CONNECT)
		return -EINVAL;
	if (fault->ppm > 1000000 || fault->private_data_len > VERBS_REJECT_PDATA_MAX)
		return -EINVAL;
	if (fault->opcodes & ~((1u << (VERBS_WR_RDMA_READ + 1)) - 1))
		return -EINVAL;
	if (fab->nfaults == VERBS_FAKE_MAX_FAULTS)
		return -ENOSPC;
	slot = &fab->faults[fab->nfaults++];
	memset(slot, 0, sizeof(*slot));
	slot->fault = *fault;
	return 0;
}

void verbs_fake_clear_faults(struct verbs_fake_fabric *fab)
{
	if (fab)
		fab->nfaults = 0;
}

/* Counts a match and decides whether this one is hit (skip, count, ppm). */
static bool fault_fires(struct verbs_fake_fabric *fab, struct fault_slot *slot)
{
	slot->seen++;
	if (slot->seen <= slot->fault.skip)
		return false;
	if (slot->fault.count && slot->applied >= slot->fault.count)
		return false;
	if (slot->fault.ppm && fake_rng_below(fab, 1000000) >= slot->fault.ppm)
		return false;
	slot->applied++;
	return true;
}

static void fault_apply(struct verbs_fake_fabric *fab, const struct verbs_fake_fault *f,
			struct fake_qp *qp, struct fake_swr *wr)
{
	switch (f->kind) {
	case VERBS_FAKE_FAULT_DELAY:
		wr->ready_at = fab->now + f->value;
		break;
	case VERBS_FAKE_FAULT_DROP_CONNECTION:
		qp->link_down = true;
		if (qp->peer)
			qp->peer->link_down = true;
		break;
	case VERBS_FAKE_FAULT_CORRUPT:
		wr->corrupt_bytes = f->value ? f->value : 1;
		break;
	case VERBS_FAKE_FAULT_FORCE_RNR:
		wr->forced_rnr = f->value ? f->value : FAKE_RNR_ALWAYS;
		break;
	case VERBS_FAKE_FAULT_REM_ACCESS:
		wr->forced_access_error = true;
		break;
	case VERBS_FAKE_FAULT_REJECT_CONNECT:
		break;
	}
}

void fake_faults_apply_to_wr(struct verbs_fake_fabric *fab, struct fake_qp *qp,
			     struct fake_swr *wr)
{
	unsigned int i;

	wr->faults_evaluated = true;
	for (i = 0; i < fab->nfaults; i++) {
		struct fault_slot *slot = &fab->faults[i];
		const struct verbs_fake_fault *f = &slot->fault;

		if (!fault_is_data(f->kind))
			continue;
		if (f->qp_num && f->qp_num != qp->base.qp_num)
			continue;
		if (f->opcodes && !(f->opcodes & (1u << wr->opcode)))
			continue;
		if (!fault_fires(fab, slot))
			continue;
		fault_apply(fab, f, qp, wr);
	}
}

const struct verbs_fake_fault *fake_reject_fault(struct verbs_fake_fabric *fab, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < fab->nfaults; i++) {
		struct fault_slot *slot = &fab->faults[i];

		if (slot->fault.kind != VERBS_FAKE_FAULT_REJECT_CONNECT)
			continue;
		if (slot->fault.port && slot->fault.port != port)
			continue;
		if (fault_fires(fab, slot))
			return &slot->fault;
	}
	return NULL;
}
