/* The scheduler: the fabric's seeded generator and the step.
 *
 * A step costs what is due, not what exists.  QPs in RTS holding send WRs
 * sit in a heap keyed by the step their head WR is due; QPs in ERR still
 * holding WRs sit in a flush list.  Both are kept exact by fake_sched_qp,
 * called wherever a QP's state or queues change, so an idle QP costs
 * nothing per step.  Within a step the QPs are taken in QP-number order and
 * then shuffled with the seeded generator, so a seed fixes the interleaving.
 */
#include <errno.h>
#include <stdlib.h>

#include "verbs/fake_priv.h"

/* splitmix64: tiny, good enough, and the same sequence everywhere. */
uint64_t fake_rng_next(struct verbs_fake_fabric *fab)
{
	uint64_t z = (fab->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fake_rng_below(struct verbs_fake_fabric *fab, uint64_t bound)
{
	return bound ? fake_rng_next(fab) % bound : 0;
}

/* ---- bookkeeping ------------------------------------------------------------ */

int fake_sched_reserve(struct verbs_fake_fabric *fab, size_t nqps)
{
	struct fake_qp **scratch;
	int rc;

	/* Each QP is at most once in the heap and once in a step's scratch. */
	rc = fake_heap_reserve(&fab->due, nqps);
	if (rc)
		return rc;
	if (fab->scratch_cap >= nqps)
		return 0;
	scratch = realloc(fab->scratch, fab->due.cap * sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	fab->scratch = scratch;
	fab->scratch_cap = fab->due.cap;
	return 0;
}

static struct fake_qp *qp_of_node(struct fake_heap_node *node)
{
	return verbs_container_of(node, struct fake_qp, due);
}

static bool qp_needs_flush(const struct fake_qp *qp)
{
	return qp->state == VERBS_QPS_ERR && (qp->sq.count || qp->rq.count);
}

void fake_sched_qp(struct fake_qp *qp)
{
	struct verbs_fake_fabric *fab = qp->dev->fab;

	if (qp->state == VERBS_QPS_RTS && qp->sq.count) {
		const struct fake_swr *head = fake_ring_head(&qp->sq);

		qp->due.key = head->ready_at;
		if (qp->due.idx == FAKE_HEAP_NONE)
			fake_heap_push(&fab->due, &qp->due);  /* room reserved at create */
		else
			fake_heap_fix(&fab->due, &qp->due);
	} else {
		fake_heap_remove(&fab->due, &qp->due);
	}
	if (qp_needs_flush(qp) && !fake_list_linked(&qp->flush_link))
		fake_list_add_tail(&fab->flush, &qp->flush_link);
	else if (!qp_needs_flush(qp) && fake_list_linked(&qp->flush_link))
		fake_list_del(&qp->flush_link);
}

void fake_sched_forget(struct fake_qp *qp)
{
	fake_heap_remove(&qp->dev->fab->due, &qp->due);
	if (fake_list_linked(&qp->flush_link))
		fake_list_del(&qp->flush_link);
}

/* ---- the step ------------------------------------------------------------------ */

static int qp_num_cmp(const void *a, const void *b)
{
	uint32_t x = (*(struct fake_qp *const *)a)->base.qp_num;
	uint32_t y = (*(struct fake_qp *const *)b)->base.qp_num;

	return x < y ? -1 : x > y;
}

static bool qp_due(const struct verbs_fake_fabric *fab, const struct fake_qp *qp)
{
	return qp->state == VERBS_QPS_RTS && qp->sq.count &&
	       ((const struct fake_swr *)fake_ring_head(&qp->sq))->ready_at <= fab->now;
}

/* Flushes every ERR QP that still holds WRs, in QP-number order. */
static int flush_step(struct verbs_fake_fabric *fab)
{
	struct fake_link *l;
	size_t i, n = 0;
	int processed = 0;

	for (l = fab->flush.next; l != &fab->flush; l = l->next)
		fab->scratch[n++] = verbs_container_of(l, struct fake_qp, flush_link);
	if (n > 1)
		qsort(fab->scratch, n, sizeof(*fab->scratch), qp_num_cmp);
	for (i = 0; i < n; i++) {
		struct fake_qp *qp = fab->scratch[i];

		processed += (int)(qp->sq.count + qp->rq.count);
		fake_qp_fail(qp);
	}
	return processed;
}

/* Takes every QP whose head WR is due out of the heap, in QP-number order. */
static size_t collect_due(struct verbs_fake_fabric *fab)
{
	struct fake_heap_node *top;
	size_t n = 0;

	while ((top = fake_heap_top(&fab->due)) && top->key <= fab->now) {
		fake_heap_remove(&fab->due, top);
		fab->scratch[n++] = qp_of_node(top);
	}
	if (n > 1)
		qsort(fab->scratch, n, sizeof(*fab->scratch), qp_num_cmp);
	return n;
}

int verbs_fake_step(struct verbs_fake_fabric *fab)
{
	size_t i, nready;
	int processed;

	if (!fab)
		return -EINVAL;
	fab->now++;
	processed = fake_cm_deliver_due(fab);
	processed += flush_step(fab);
	nready = collect_due(fab);
	/* Fisher-Yates from the seeded generator: the interleaving of QPs
	 * within a step is a function of the seed. */
	for (i = nready; i > 1; i--) {
		size_t j = (size_t)fake_rng_below(fab, i);
		struct fake_qp *t = fab->scratch[i - 1];

		fab->scratch[i - 1] = fab->scratch[j];
		fab->scratch[j] = t;
	}
	for (i = 0; i < nready; i++) {
		struct fake_qp *qp = fab->scratch[i];

		/* An earlier QP of this step may have failed this one. */
		if (qp_due(fab, qp)) {
			fake_exec_head(qp);
			processed++;
		}
		fake_sched_qp(qp);
	}
	return processed;
}

static bool fabric_busy(const struct verbs_fake_fabric *fab)
{
	return fab->msgs.n || fab->due.n || fab->flush.next != &fab->flush;
}

int verbs_fake_run(struct verbs_fake_fabric *fab, int max_steps)
{
	int steps = 0;

	if (!fab || max_steps < 0)
		return -EINVAL;
	while (steps < max_steps && fabric_busy(fab)) {
		verbs_fake_step(fab);
		steps++;
	}
	return steps;
}
