/* The in-process RDMA fake provider: fabric, limits, device, PD and MR, and
 * the ops table.
 *
 * Everything lives in a fabric: devices, memory regions, QPs, CM ids and the
 * CM messages in flight.  Nothing runs on its own.  A scheduler step (a poll
 * of a CQ or CM channel, or verbs_fake_step) delivers the CM messages that
 * are due, then lets every QP whose next send WR is due execute that one WR,
 * in an order drawn from the fabric's seeded generator.  Executing a WR does
 * the whole RC exchange at once: the requester's checks, the responder's
 * checks and data placement, and the completions on both sides.  Because a
 * QP executes its WRs strictly one after the other, RC ordering holds.
 * fake_priv.h lists which file does what.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/fake_priv.h"

static struct verbs_fake_fabric *default_fabric;

/* ---- limits ------------------------------------------------------------------ */

/* A ConnectX-6 (ibv_devinfo -vv, part 4123, fw 20.37; see
 * initiators-tcp-scale.md section 3).  max_pd, max_mr_size,
 * max_qp_init_rd_atom and max_msg_sz are what mlx5 devices commonly report
 * (approx.: not in that dump); max_inline_data is not reported by ibverbs. */
static void default_limits(struct verbs_device_attr *a)
{
	a->max_pd = 16777216;
	a->max_mr = 16777216;
	a->max_mr_size = UINT64_MAX;
	a->max_cq = 16777216;
	a->max_cqe = 4194303;
	a->max_qp = 131072;
	a->max_qp_wr = 32768;
	a->max_sge = 30;
	a->max_inline_data = 256;
	a->max_msg_sz = 1u << 30;
	a->max_qp_rd_atom = 16;
	a->max_qp_init_rd_atom = 16;
	a->max_srq = 8388608;
	a->max_srq_wr = 32767;
	a->max_srq_sge = 31;
}

#define FILL_LIMIT(dst, src, field) \
	do { if ((src)->field) (dst)->field = (src)->field; } while (0)

static void overlay_limits(struct verbs_device_attr *dst, const struct verbs_device_attr *src)
{
	FILL_LIMIT(dst, src, max_pd);
	FILL_LIMIT(dst, src, max_mr);
	FILL_LIMIT(dst, src, max_mr_size);
	FILL_LIMIT(dst, src, max_cq);
	FILL_LIMIT(dst, src, max_cqe);
	FILL_LIMIT(dst, src, max_qp);
	FILL_LIMIT(dst, src, max_qp_wr);
	FILL_LIMIT(dst, src, max_sge);
	FILL_LIMIT(dst, src, max_inline_data);
	FILL_LIMIT(dst, src, max_msg_sz);
	FILL_LIMIT(dst, src, max_qp_rd_atom);
	FILL_LIMIT(dst, src, max_qp_init_rd_atom);
	FILL_LIMIT(dst, src, max_srq);
	FILL_LIMIT(dst, src, max_srq_wr);
	FILL_LIMIT(dst, src, max_srq_sge);
}

static bool limits_within(const struct verbs_device_attr *a, const struct verbs_device_attr *cap)
{
	return a->max_pd <= cap->max_pd && a->max_mr <= cap->max_mr &&
	       a->max_mr_size <= cap->max_mr_size && a->max_cq <= cap->max_cq &&
	       a->max_cqe <= cap->max_cqe && a->max_qp <= cap->max_qp &&
	       a->max_qp_wr <= cap->max_qp_wr && a->max_sge <= cap->max_sge &&
	       a->max_inline_data <= cap->max_inline_data && a->max_msg_sz <= cap->max_msg_sz &&
	       a->max_qp_rd_atom <= cap->max_qp_rd_atom &&
	       a->max_qp_init_rd_atom <= cap->max_qp_init_rd_atom &&
	       a->max_srq <= cap->max_srq && a->max_srq_wr <= cap->max_srq_wr &&
	       a->max_srq_sge <= cap->max_srq_sge;
}

/* ---- fabric ------------------------------------------------------------------ */

int verbs_fake_fabric_create(const struct verbs_fake_config *cfg, struct verbs_fake_fabric **out)
{
	static const struct verbs_fake_config defaults = { .seed = VERBS_FAKE_DEFAULT_SEED };
	struct verbs_fake_fabric *fab;

	if (!out)
		return -EINVAL;
	if (!cfg)
		cfg = &defaults;
	fab = calloc(1, sizeof(*fab));
	if (!fab)
		return -ENOMEM;
	fab->seed = cfg->seed;
	fab->rng = cfg->seed;
	fab->manual_step = cfg->manual_step;
	fab->rnr_steps = cfg->rnr_steps ? cfg->rnr_steps : 2;
	fab->retry_steps = cfg->retry_steps ? cfg->retry_steps : 4;
	fab->cm_retry_steps = cfg->cm_retry_steps ? cfg->cm_retry_steps : 8;
	fab->cm_retries = cfg->cm_retries ? cfg->cm_retries : 3;
	default_limits(&fab->limits);
	overlay_limits(&fab->limits, &cfg->limits);
	if (fab->limits.max_sge > FAKE_MAX_SGE || fab->limits.max_srq_sge > FAKE_MAX_SGE) {
		free(fab);
		return -EINVAL;
	}
	fab->next_qp_num = FAKE_FIRST_QP_NUM;
	fab->next_id_num = 1;
	fake_list_init(&fab->flush);
	*out = fab;
	return 0;
}

int verbs_fake_fabric_destroy(struct verbs_fake_fabric *fab)
{
	if (!fab)
		return -EINVAL;
	if (fab->ndevices)
		return -EBUSY;
	fake_cm_free_msgs(fab);
	fake_map_free(&fab->qp_by_num);
	fake_map_free(&fab->mr_by_key);
	fake_map_free(&fab->id_by_num);
	fake_map_free(&fab->listeners);
	fake_map_free(&fab->port_listeners);
	fake_map_free(&fab->sources);
	fake_heap_free(&fab->msgs);
	fake_heap_free(&fab->due);
	free(fab->scratch);
	if (default_fabric == fab)
		default_fabric = NULL;
	free(fab);
	return 0;
}

uint64_t verbs_fake_fabric_seed(const struct verbs_fake_fabric *fab)
{
	return fab ? fab->seed : 0;
}

uint64_t verbs_fake_now(const struct verbs_fake_fabric *fab)
{
	return fab ? fab->now : 0;
}

struct verbs_fake_fabric *verbs_fake_fabric_of(struct verbs_device *dev)
{
	if (!dev || dev->ops != &verbs_fake_ops)
		return NULL;
	return FAKE_OF(struct fake_device, dev)->fab;
}

void verbs_fake_set_trace(struct verbs_fake_fabric *fab, verbs_fake_trace_fn *fn, void *arg)
{
	if (!fab)
		return;
	fab->trace = fn;
	fab->trace_arg = arg;
}

static uint64_t map_bytes(const struct fake_map *m)
{
	return m->cap * sizeof(*m->slots);
}

int verbs_fake_fabric_stats(const struct verbs_fake_fabric *fab, struct verbs_fake_stats *out)
{
	if (!fab || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->qps = fab->nqps;
	out->mrs = fab->mr_by_key.count / 2;  /* an lkey and an rkey each */
	out->cm_ids = fab->id_by_num.count;
	out->cm_msgs = fab->msgs.n;
	out->queue_bytes = fab->queue_bytes;
	out->index_bytes = map_bytes(&fab->qp_by_num) + map_bytes(&fab->mr_by_key) +
			   map_bytes(&fab->id_by_num) + map_bytes(&fab->listeners) +
			   map_bytes(&fab->port_listeners) + map_bytes(&fab->sources) +
			   (fab->msgs.cap + fab->due.cap) * sizeof(struct fake_heap_node *) +
			   fab->scratch_cap * sizeof(*fab->scratch);
	return 0;
}

/* ---- device ---------------------------------------------------------------- */

void fake_device_release(struct fake_device *dev)
{
	struct verbs_fake_fabric *fab = dev->fab;

	if (!dev->closed || dev->n_pd || dev->n_mr || dev->n_cq || dev->n_qp || dev->n_srq ||
	    dev->n_channel)
		return;
	free(dev);
	fab->ndevices--;
	if (fab->ndevices == 0 && fab->is_default)
		verbs_fake_fabric_destroy(fab);
}

static int fake_device_open(const struct verbs_open_opts *opts, struct verbs_device **out)
{
	struct verbs_fake_fabric *fab = opts->fabric;
	struct fake_device *dev;
	int rc;

	if (!fab) {
		if (!default_fabric) {
			rc = verbs_fake_fabric_create(NULL, &default_fabric);
			if (rc)
				return rc;
			default_fabric->is_default = true;
		}
		fab = default_fabric;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev) {
		if (fab->is_default && fab->ndevices == 0)
			verbs_fake_fabric_destroy(fab);
		return -ENOMEM;
	}
	dev->base.ops = &verbs_fake_ops;
	dev->fab = fab;
	dev->attr = fab->limits;
	fake_list_init(&dev->ids);
	fake_list_init(&dev->qps);
	fab->ndevices++;
	*out = &dev->base;
	return 0;
}

static void fake_device_close(struct verbs_device *base)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);

	dev->closed = true;
	fake_device_release(dev);
}

static int fake_device_query(struct verbs_device *base, struct verbs_device_attr *attr)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);

	if (dev->removed)
		return -ENODEV;
	*attr = dev->attr;
	return 0;
}

int verbs_fake_device_set_limits(struct verbs_device *base, const struct verbs_device_attr *lim)
{
	struct verbs_device_attr next;
	struct fake_device *dev;

	if (!base || !lim || base->ops != &verbs_fake_ops)
		return -EINVAL;
	dev = FAKE_OF(struct fake_device, base);
	next = dev->attr;
	overlay_limits(&next, lim);
	/* Caps only lower: the fabric's limits are what the "hardware" has. */
	if (!limits_within(&next, &dev->fab->limits))
		return -EINVAL;
	dev->attr = next;
	return 0;
}

int verbs_fake_device_remove(struct verbs_device *base)
{
	struct fake_device *dev;
	struct fake_link *l;

	if (!base || base->ops != &verbs_fake_ops)
		return -EINVAL;
	dev = FAKE_OF(struct fake_device, base);
	if (dev->removed)
		return -ENODEV;
	dev->removed = true;
	fake_cm_device_removed(dev);
	for (l = dev->qps.next; l != &dev->qps; l = l->next)
		fake_qp_fail(verbs_container_of(l, struct fake_qp, dev_link));
	return 0;
}

/* ---- PD and MR ------------------------------------------------------------- */

static int fake_pd_alloc(struct verbs_device *base, struct verbs_pd **out)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);
	struct fake_pd *pd;

	if (dev->removed)
		return -ENODEV;
	if (dev->n_pd >= dev->attr.max_pd)
		return -ENOMEM;
	pd = calloc(1, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	pd->base.ops = &verbs_fake_ops;
	pd->dev = dev;
	dev->n_pd++;
	*out = &pd->base;
	return 0;
}

static int fake_pd_dealloc(struct verbs_pd *base)
{
	struct fake_pd *pd = FAKE_OF(struct fake_pd, base);
	struct fake_device *dev = pd->dev;

	if (pd->users)
		return -EBUSY;
	free(pd);
	dev->n_pd--;
	fake_device_release(dev);
	return 0;
}

/* Keys step by 0x101 (odd, so every u32 comes round once in 2^32 keys) and
 * skip 0 and keys still in use once the counter wraps. */
static uint32_t take_key(struct verbs_fake_fabric *fab)
{
	do
		fab->next_key += 0x101;
	while (fab->next_key == 0 || fake_map_get(&fab->mr_by_key, fab->next_key));
	return fab->next_key;
}

static int fake_mr_reg(struct verbs_pd *base, void *addr, size_t length, unsigned int access,
		       struct verbs_mr **out)
{
	struct fake_pd *pd = FAKE_OF(struct fake_pd, base);
	struct fake_device *dev = pd->dev;
	struct verbs_fake_fabric *fab = dev->fab;
	struct fake_mr *mr;

	if (dev->removed)
		return -ENODEV;
	if (length > dev->attr.max_mr_size)
		return -EINVAL;
	if (dev->n_mr >= dev->attr.max_mr)
		return -ENOMEM;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->base.ops = &verbs_fake_ops;
	mr->base.lkey = take_key(fab);
	if (fake_map_put(&fab->mr_by_key, mr->base.lkey, mr))
		goto err_mr;
	mr->base.rkey = take_key(fab);
	if (fake_map_put(&fab->mr_by_key, mr->base.rkey, mr))
		goto err_lkey;
	mr->pd = pd;
	mr->addr = (uint64_t)(uintptr_t)addr;
	mr->length = length;
	mr->access = access;
	mr->rkey_valid = true;
	pd->users++;
	dev->n_mr++;
	*out = &mr->base;
	return 0;

err_lkey:
	fake_map_del(&fab->mr_by_key, mr->base.lkey);
err_mr:
	free(mr);
	return -ENOMEM;
}

static int fake_mr_dereg(struct verbs_mr *base)
{
	struct fake_mr *mr = FAKE_OF(struct fake_mr, base);
	struct fake_pd *pd = mr->pd;
	struct fake_device *dev = pd->dev;

	fake_map_del(&dev->fab->mr_by_key, mr->base.lkey);
	fake_map_del(&dev->fab->mr_by_key, mr->base.rkey);
	free(mr);
	pd->users--;
	dev->n_mr--;
	fake_device_release(dev);
	return 0;
}

/* [addr, addr + len) inside the MR, without u64 wrap. */
bool fake_mr_covers(const struct fake_mr *mr, uint64_t addr, uint64_t len)
{
	if (addr < mr->addr || len > mr->length)
		return false;
	return addr - mr->addr <= mr->length - len;
}

struct fake_mr *fake_mr_by_lkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				uint32_t lkey)
{
	struct fake_mr *mr = fake_map_get(&fab->mr_by_key, lkey);

	return mr && mr->base.lkey == lkey && mr->pd == pd ? mr : NULL;
}

struct fake_mr *fake_mr_by_rkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				uint32_t rkey)
{
	struct fake_mr *mr = fake_map_get(&fab->mr_by_key, rkey);

	return mr && mr->base.rkey == rkey && mr->pd == pd ? mr : NULL;
}

const struct verbs_ops verbs_fake_ops = {
	.name = "fake",
	.device_open = fake_device_open,
	.device_close = fake_device_close,
	.device_query = fake_device_query,
	.pd_alloc = fake_pd_alloc,
	.pd_dealloc = fake_pd_dealloc,
	.mr_reg = fake_mr_reg,
	.mr_dereg = fake_mr_dereg,
	.cq_create = fake_cq_create,
	.cq_destroy = fake_cq_destroy,
	.poll_cq = fake_poll_cq,
	.cq_req_notify = fake_cq_req_notify,
	.cq_get_event = fake_cq_get_event,
	.channel_create = fake_channel_create,
	.channel_destroy = fake_channel_destroy,
	.get_event = fake_get_event,
	.id_create = fake_id_create,
	.id_destroy = fake_id_destroy,
	.listen = fake_listen,
	.resolve = fake_resolve,
	.connect = fake_connect,
	.accept = fake_accept,
	.reject = fake_reject,
	.disconnect = fake_disconnect,
	.peer_addr = fake_peer_addr,
	.bind = fake_bind,
	.srq_create = fake_srq_create,
	.srq_destroy = fake_srq_destroy,
	.srq_query = fake_srq_query,
	.post_srq_recv = fake_post_srq_recv,
	.qp_create = fake_qp_create,
	.qp_destroy = fake_qp_destroy,
	.qp_query = fake_qp_query,
	.qp_to_error = fake_qp_to_error,
	.post_send = fake_post_send,
	.post_recv = fake_post_recv,
};
