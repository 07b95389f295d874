/* Fault injection: rules that make chosen commands fail, wait or vanish,
 * so hosts and conformance checks can be driven through error paths on
 * demand.  Matching is deterministic; the probability draw uses the
 * controller's seeded generator, so a seed replays the same faults. */
#include <errno.h>
#include <string.h>

#include "ctrl/ctrl_priv.h"

#define PPM_SCALE 1000000u

uint64_t nvsim_prng_next(uint64_t *state)
{
	/* splitmix64: tiny, full period, good enough for fault draws */
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void nvsim_inject_rule_init(struct nvsim_inject_rule *rule)
{
	memset(rule, 0, sizeof(*rule));
	rule->opcode = NVSIM_MATCH_ANY;
	rule->qid = NVSIM_MATCH_ANY;
	rule->nsid = NVSIM_MATCH_ANY;
	rule->action = NVSIM_INJECT_STATUS;
}

static int rule_check(const struct nvsim_inject_rule *r)
{
	if (r->opcode < NVSIM_MATCH_ANY || r->opcode > 0xff)
		return -EINVAL;
	if (r->qid < NVSIM_MATCH_ANY || r->qid > 0xffff)
		return -EINVAL;
	if (r->nsid < NVSIM_MATCH_ANY || r->nsid > (int64_t)UINT32_MAX)
		return -EINVAL;
	if (r->admin_only && r->io_only)
		return -EINVAL;
	if (r->lba_range && r->lba_first > r->lba_last)
		return -EINVAL;
	if (r->probability_ppm > PPM_SCALE)
		return -EINVAL;
	if (r->action != NVSIM_INJECT_STATUS && r->action != NVSIM_INJECT_DELAY &&
	    r->action != NVSIM_INJECT_DROP)
		return -EINVAL;
	return 0;
}

int nvsim_ctrl_inject_add(struct nvsim_ctrl *ctrl, const struct nvsim_inject_rule *rule)
{
	int ret = rule_check(rule);

	if (ret)
		return ret;
	for (int id = 0; id < (int)NVSIM_INJECT_RULES_MAX; id++) {
		struct nvsim_inject_slot *slot = &ctrl->inject[id];

		if (slot->used)
			continue;
		memset(slot, 0, sizeof(*slot));
		slot->rule = *rule;
		slot->used = true;
		return id;
	}
	return -ENOSPC;
}

int nvsim_ctrl_inject_clear(struct nvsim_ctrl *ctrl)
{
	memset(ctrl->inject, 0, sizeof(ctrl->inject));
	return 0;
}

int nvsim_ctrl_inject_fired(struct nvsim_ctrl *ctrl, int id, uint64_t *fired)
{
	if (id < 0 || id >= (int)NVSIM_INJECT_RULES_MAX || !ctrl->inject[id].used)
		return -ENOENT;
	*fired = ctrl->inject[id].fired;
	return 0;
}

static bool is_lba_command(const struct nvsim_req *req)
{
	if (req->queue->qid == 0)
		return false;
	switch (req->sqe.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_write:
	case nvme_cmd_compare:
	case nvme_cmd_write_zeroes:
	case nvme_cmd_verify:
		return true;
	default:
		return false;
	}
}

/* [slba, slba + nlb) overlaps [first, last]; saturating, so a wrapping
 * range from a hostile host still matches sensibly. */
static bool lba_overlaps(const struct nvsim_req *req, uint64_t first, uint64_t last)
{
	const struct nvsim_sqe_rw *cmd = (const void *)&req->sqe;
	uint64_t slba = le64toh(cmd->slba), nlb = (uint64_t)le16toh(cmd->nlb);
	uint64_t end = slba + nlb < slba ? UINT64_MAX : slba + nlb; /* inclusive */

	return slba <= last && end >= first;
}

static bool rule_matches(const struct nvsim_inject_rule *r, const struct nvsim_req *req)
{
	uint16_t qid = req->queue->qid;

	if (r->opcode != NVSIM_MATCH_ANY && r->opcode != req->sqe.opcode)
		return false;
	if (r->qid != NVSIM_MATCH_ANY && r->qid != qid)
		return false;
	if (r->nsid != NVSIM_MATCH_ANY && (uint32_t)r->nsid != le32toh(req->sqe.nsid))
		return false;
	if ((r->admin_only && qid != 0) || (r->io_only && qid == 0))
		return false;
	if (r->lba_range && (!is_lba_command(req) || !lba_overlaps(req, r->lba_first, r->lba_last)))
		return false;
	return true;
}

/* Counting and chance decide whether a matching rule fires this time. */
static bool rule_fires(struct nvsim_ctrl *ctrl, struct nvsim_inject_slot *slot)
{
	const struct nvsim_inject_rule *r = &slot->rule;

	if (r->count && slot->fired >= r->count)
		return false;
	slot->matches++;
	if (r->every_nth > 1 && slot->matches % r->every_nth)
		return false;
	if (r->probability_ppm && nvsim_prng_next(&ctrl->prng) % PPM_SCALE >= r->probability_ppm)
		return false;
	slot->fired++;
	return true;
}

bool nvsim_inject_apply(struct nvsim_ctrl *ctrl, struct nvsim_req *req, uint64_t *delay_ns)
{
	for (unsigned i = 0; i < NVSIM_INJECT_RULES_MAX; i++) {
		struct nvsim_inject_slot *slot = &ctrl->inject[i];

		if (!slot->used || !rule_matches(&slot->rule, req) || !rule_fires(ctrl, slot))
			continue;
		switch (slot->rule.action) {
		case NVSIM_INJECT_DELAY:
			*delay_ns = slot->rule.delay_ns;
			return false;
		case NVSIM_INJECT_DROP:
			nvsim_req_park(req, NVSIM_REQ_DROPPED);
			return true;
		case NVSIM_INJECT_STATUS:
			if (is_lba_command(req)) {
				req->err_lba = le64toh(((const struct nvsim_sqe_rw *)&req->sqe)->slba);
				req->has_err_lba = true;
			}
			req->status = slot->rule.status;
			nvsim_req_complete(req);
			return true;
		}
	}
	return false;
}
