/* The rdma-core provider: the shim over libibverbs and librdmacm.
 *
 * The shim's calls are already shaped like librdmacm's, so this file is
 * mostly translation: our flags, opcodes and statuses to theirs and back,
 * and a small wrapper per object so that the generic layer finds its common
 * head.  Everything is non-blocking: the CM channel and CQ notification fds
 * are switched to O_NONBLOCK and "nothing yet" is -EAGAIN.
 *
 * The CM device is whatever librdmacm resolves an address to; the PD and
 * CQs are created on the device opened here, so a QP whose id resolved to
 * another device is refused with -EXDEV (use the device that owns the
 * address). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "verbs/verbs_internal.h"

enum { IBV_SGE_MAX = 32 };  /* per WR; a larger list is -EINVAL */

struct ibv_dev {
	struct verbs_device base;
	struct ibv_context **list;
	struct ibv_context *ctx;
	struct verbs_device_attr attr;
};

struct ibv_pd_w {
	struct verbs_pd base;
	struct ibv_pd *pd;
};

struct ibv_mr_w {
	struct verbs_mr base;
	struct ibv_mr *mr;
};

struct ibv_cq_w {
	struct verbs_cq base;
	struct ibv_cq *cq;
	struct ibv_comp_channel *comp;
};

struct ibv_ch_w {
	struct verbs_cm_channel base;
	struct rdma_event_channel *ch;
	struct ibv_dev *dev;
	unsigned int users;
};

struct ibv_id_w {
	struct verbs_cm_id base;
	struct rdma_cm_id *id;
	struct ibv_ch_w *ch;
	int route_timeout_ms;
};

struct ibv_qp_w {
	struct verbs_qp base;
	struct ibv_id_w *id;
	bool has_srq;
};

struct ibv_srq_w {
	struct verbs_srq base;
	struct ibv_srq *srq;
	struct verbs_srq_attr attr;  /* as granted */
};

#define IBV_OF(type, obj) verbs_container_of(obj, type, base)

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return neg_errno();
	return 0;
}

/* ---- device ---------------------------------------------------------------- */

static uint8_t clamp_u8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

static int query_limits(struct ibv_dev *dev)
{
	struct ibv_device_attr a;
	struct ibv_port_attr port;
	int rc;

	rc = ibv_query_device(dev->ctx, &a);
	if (rc)
		return -rc;
	dev->attr.max_pd = (uint32_t)a.max_pd;
	dev->attr.max_mr = (uint32_t)a.max_mr;
	dev->attr.max_mr_size = a.max_mr_size;
	dev->attr.max_cq = (uint32_t)a.max_cq;
	dev->attr.max_cqe = (uint32_t)a.max_cqe;
	dev->attr.max_qp = (uint32_t)a.max_qp;
	dev->attr.max_qp_wr = (uint32_t)a.max_qp_wr;
	dev->attr.max_sge = (uint32_t)a.max_sge;
	dev->attr.max_inline_data = 0;  /* not reported by ibv_query_device */
	dev->attr.max_qp_rd_atom = clamp_u8(a.max_qp_rd_atom);
	dev->attr.max_qp_init_rd_atom = clamp_u8(a.max_qp_init_rd_atom);
	dev->attr.max_srq = (uint32_t)a.max_srq;
	dev->attr.max_srq_wr = (uint32_t)a.max_srq_wr;
	dev->attr.max_srq_sge = (uint32_t)a.max_srq_sge;
	if (ibv_query_port(dev->ctx, 1, &port) == 0)
		dev->attr.max_msg_sz = port.max_msg_sz;
	return 0;
}

static struct ibv_context *pick_device(struct ibv_context **list, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!name || strcmp(ibv_get_device_name(list[i]->device), name) == 0)
			return list[i];
	return NULL;
}

static int ibvw_device_open(const struct verbs_open_opts *opts, struct verbs_device **out)
{
	struct ibv_dev *dev;
	int n = 0, rc;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	/* No kernel support or no device both end here: rdma_get_devices
	 * fails or lists nothing. */
	dev->list = rdma_get_devices(&n);
	if (!dev->list || n <= 0) {
		rc = -ENODEV;
		goto err;
	}
	dev->ctx = pick_device(dev->list, n, opts->device);
	if (!dev->ctx) {
		rc = -ENODEV;
		goto err;
	}
	rc = query_limits(dev);
	if (rc)
		goto err;
	dev->base.ops = &verbs_ibv_ops;
	*out = &dev->base;
	return 0;

err:
	if (dev->list)
		rdma_free_devices(dev->list);
	free(dev);
	return rc;
}

static void ibvw_device_close(struct verbs_device *base)
{
	struct ibv_dev *dev = IBV_OF(struct ibv_dev, base);

	rdma_free_devices(dev->list);
	free(dev);
}

static int ibvw_device_query(struct verbs_device *base, struct verbs_device_attr *attr)
{
	*attr = IBV_OF(struct ibv_dev, base)->attr;
	return 0;
}

/* ---- PD and MR ----------------------------------------------------------------- */

static int ibv_pd_alloc_w(struct verbs_device *base, struct verbs_pd **out)
{
	struct ibv_dev *dev = IBV_OF(struct ibv_dev, base);
	struct ibv_pd_w *pd = calloc(1, sizeof(*pd));

	if (!pd)
		return -ENOMEM;
	pd->pd = ibv_alloc_pd(dev->ctx);
	if (!pd->pd) {
		free(pd);
		return -ENOMEM;
	}
	pd->base.ops = &verbs_ibv_ops;
	*out = &pd->base;
	return 0;
}

static int ibv_pd_dealloc_w(struct verbs_pd *base)
{
	struct ibv_pd_w *pd = IBV_OF(struct ibv_pd_w, base);
	int rc = ibv_dealloc_pd(pd->pd);

	if (rc)
		return -rc;
	free(pd);
	return 0;
}

static int ibv_mr_reg_w(struct verbs_pd *base, void *addr, size_t length, unsigned int access,
			struct verbs_mr **out)
{
	struct ibv_pd_w *pd = IBV_OF(struct ibv_pd_w, base);
	struct ibv_mr_w *mr;
	int flags = 0;

	/* Remote invalidation needs fast registration, which is a kernel
	 * verb; user-space MRs cannot offer it. */
	if (access & VERBS_ACCESS_REMOTE_INVALIDATE)
		return -EOPNOTSUPP;
	if (access & VERBS_ACCESS_LOCAL_WRITE)
		flags |= IBV_ACCESS_LOCAL_WRITE;
	if (access & VERBS_ACCESS_REMOTE_WRITE)
		flags |= IBV_ACCESS_REMOTE_WRITE;
	if (access & VERBS_ACCESS_REMOTE_READ)
		flags |= IBV_ACCESS_REMOTE_READ;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->mr = ibv_reg_mr(pd->pd, addr, length, flags);
	if (!mr->mr) {
		int rc = neg_errno();

		free(mr);
		return rc;
	}
	mr->base.ops = &verbs_ibv_ops;
	mr->base.lkey = mr->mr->lkey;
	mr->base.rkey = mr->mr->rkey;
	*out = &mr->base;
	return 0;
}

static int ibv_mr_dereg_w(struct verbs_mr *base)
{
	struct ibv_mr_w *mr = IBV_OF(struct ibv_mr_w, base);
	int rc = ibv_dereg_mr(mr->mr);

	if (rc)
		return -rc;
	free(mr);
	return 0;
}

/* ---- CQ ------------------------------------------------------------------------ */

static int ibv_cq_create_w(struct verbs_device *base, const struct verbs_cq_attr *attr,
			   struct verbs_cq **out)
{
	struct ibv_dev *dev = IBV_OF(struct ibv_dev, base);
	struct ibv_cq_w *cq;
	int rc = -ENOMEM;

	if (attr->cqe > INT32_MAX)
		return -EINVAL;
	cq = calloc(1, sizeof(*cq));
	if (!cq)
		return -ENOMEM;
	cq->base.ops = &verbs_ibv_ops;
	cq->base.fd = -1;
	if (attr->notify) {
		cq->comp = ibv_create_comp_channel(dev->ctx);
		if (!cq->comp) {
			rc = neg_errno();
			goto err_cq;
		}
		rc = set_nonblocking(cq->comp->fd);
		if (rc)
			goto err_comp;
		cq->base.fd = cq->comp->fd;
	}
	cq->cq = ibv_create_cq(dev->ctx, (int)attr->cqe, cq, cq->comp, 0);
	if (!cq->cq) {
		rc = neg_errno();
		goto err_comp;
	}
	*out = &cq->base;
	return 0;

err_comp:
	if (cq->comp)
		ibv_destroy_comp_channel(cq->comp);
err_cq:
	free(cq);
	return rc;
}

static int ibv_cq_destroy_w(struct verbs_cq *base)
{
	struct ibv_cq_w *cq = IBV_OF(struct ibv_cq_w, base);
	int rc = ibv_destroy_cq(cq->cq);

	if (rc)
		return -rc;
	if (cq->comp)
		ibv_destroy_comp_channel(cq->comp);
	free(cq);
	return 0;
}

static enum verbs_wc_status status_from_ibv(enum ibv_wc_status s)
{
	switch (s) {
	case IBV_WC_SUCCESS: return VERBS_WC_SUCCESS;
	case IBV_WC_LOC_LEN_ERR: return VERBS_WC_LOC_LEN_ERR;
	case IBV_WC_LOC_QP_OP_ERR: return VERBS_WC_LOC_QP_OP_ERR;
	case IBV_WC_LOC_PROT_ERR: return VERBS_WC_LOC_PROT_ERR;
	case IBV_WC_WR_FLUSH_ERR: return VERBS_WC_WR_FLUSH_ERR;
	case IBV_WC_BAD_RESP_ERR: return VERBS_WC_BAD_RESP_ERR;
	case IBV_WC_LOC_ACCESS_ERR: return VERBS_WC_LOC_ACCESS_ERR;
	case IBV_WC_REM_INV_REQ_ERR: return VERBS_WC_REM_INV_REQ_ERR;
	case IBV_WC_REM_ACCESS_ERR: return VERBS_WC_REM_ACCESS_ERR;
	case IBV_WC_REM_OP_ERR: return VERBS_WC_REM_OP_ERR;
	case IBV_WC_RETRY_EXC_ERR: return VERBS_WC_RETRY_EXC_ERR;
	case IBV_WC_RNR_RETRY_EXC_ERR: return VERBS_WC_RNR_RETRY_EXC_ERR;
	case IBV_WC_FATAL_ERR: return VERBS_WC_FATAL_ERR;
	default: return VERBS_WC_GENERAL_ERR;
	}
}

static enum verbs_wc_opcode opcode_from_ibv(enum ibv_wc_opcode op)
{
	switch (op) {
	case IBV_WC_SEND: return VERBS_WC_SEND;
	case IBV_WC_RDMA_WRITE: return VERBS_WC_RDMA_WRITE;
	case IBV_WC_RDMA_READ: return VERBS_WC_RDMA_READ;
	case IBV_WC_RECV:
	case IBV_WC_RECV_RDMA_WITH_IMM: return VERBS_WC_RECV;
	default: return VERBS_WC_OPCODE_INVALID;
	}
}

static void wc_from_ibv(struct verbs_wc *out, const struct ibv_wc *in)
{
	memset(out, 0, sizeof(*out));
	out->wr_id = in->wr_id;
	out->status = status_from_ibv(in->status);
	/* Error completions carry no valid opcode in libibverbs either. */
	out->opcode = in->status == IBV_WC_SUCCESS ? opcode_from_ibv(in->opcode)
						   : VERBS_WC_OPCODE_INVALID;
	out->byte_len = in->byte_len;
	out->qp_num = in->qp_num;
	out->src_qp = in->src_qp;
	out->vendor_err = in->vendor_err;
	if (in->wc_flags & IBV_WC_WITH_INV) {
		out->wc_flags = VERBS_WC_WITH_INV;
		out->invalidated_rkey = in->invalidated_rkey;
	}
}

static int ibv_poll_cq_w(struct verbs_cq *base, int max, struct verbs_wc *wc)
{
	struct ibv_cq_w *cq = IBV_OF(struct ibv_cq_w, base);
	struct ibv_wc batch[16];
	int done = 0;

	while (done < max) {
		int want = max - done < 16 ? max - done : 16;
		int n = ibv_poll_cq(cq->cq, want, batch);
		int i;

		if (n < 0)
			return done ? done : -EIO;
		for (i = 0; i < n; i++)
			wc_from_ibv(&wc[done + i], &batch[i]);
		done += n;
		if (n < want)
			break;
	}
	return done;
}

static int ibv_cq_req_notify_w(struct verbs_cq *base)
{
	int rc = ibv_req_notify_cq(IBV_OF(struct ibv_cq_w, base)->cq, 0);

	return rc ? -rc : 0;
}

static int ibv_cq_get_event_w(struct verbs_cq *base)
{
	struct ibv_cq_w *cq = IBV_OF(struct ibv_cq_w, base);
	struct ibv_cq *ev_cq;
	void *ev_ctx;

	if (ibv_get_cq_event(cq->comp, &ev_cq, &ev_ctx))
		return errno == EAGAIN ? -EAGAIN : neg_errno();
	ibv_ack_cq_events(ev_cq, 1);
	return 0;
}

/* ---- CM -------------------------------------------------------------------------- */

static int ibv_channel_create_w(struct verbs_device *base, struct verbs_cm_channel **out)
{
	struct ibv_ch_w *ch = calloc(1, sizeof(*ch));
	int rc;

	if (!ch)
		return -ENOMEM;
	ch->ch = rdma_create_event_channel();
	if (!ch->ch) {
		rc = neg_errno();
		free(ch);
		return rc;
	}
	rc = set_nonblocking(ch->ch->fd);
	if (rc) {
		rdma_destroy_event_channel(ch->ch);
		free(ch);
		return rc;
	}
	ch->base.ops = &verbs_ibv_ops;
	ch->base.fd = ch->ch->fd;
	ch->dev = IBV_OF(struct ibv_dev, base);
	*out = &ch->base;
	return 0;
}

static int ibv_channel_destroy_w(struct verbs_cm_channel *base)
{
	struct ibv_ch_w *ch = IBV_OF(struct ibv_ch_w, base);

	if (ch->users)
		return -EBUSY;
	rdma_destroy_event_channel(ch->ch);
	free(ch);
	return 0;
}

static struct ibv_id_w *id_wrap(struct ibv_ch_w *ch, struct rdma_cm_id *cm_id, void *context)
{
	struct ibv_id_w *id = calloc(1, sizeof(*id));

	if (!id)
		return NULL;
	id->base.ops = &verbs_ibv_ops;
	id->base.context = context;
	id->id = cm_id;
	id->ch = ch;
	cm_id->context = id;
	ch->users++;
	return id;
}

static enum verbs_cm_event_type event_type_from_rdma(enum rdma_cm_event_type t)
{
	switch (t) {
	case RDMA_CM_EVENT_ROUTE_RESOLVED: return VERBS_CM_EVENT_ROUTE_RESOLVED;
	case RDMA_CM_EVENT_ADDR_ERROR: return VERBS_CM_EVENT_ADDR_ERROR;
	case RDMA_CM_EVENT_ROUTE_ERROR: return VERBS_CM_EVENT_ROUTE_ERROR;
	case RDMA_CM_EVENT_CONNECT_REQUEST: return VERBS_CM_EVENT_CONNECT_REQUEST;
	case RDMA_CM_EVENT_UNREACHABLE: return VERBS_CM_EVENT_UNREACHABLE;
	case RDMA_CM_EVENT_REJECTED: return VERBS_CM_EVENT_REJECTED;
	case RDMA_CM_EVENT_ESTABLISHED: return VERBS_CM_EVENT_ESTABLISHED;
	case RDMA_CM_EVENT_DISCONNECTED: return VERBS_CM_EVENT_DISCONNECTED;
	case RDMA_CM_EVENT_DEVICE_REMOVAL: return VERBS_CM_EVENT_DEVICE_REMOVAL;
	default: return VERBS_CM_EVENT_CONNECT_ERROR;
	}
}

static void copy_conn_event(struct verbs_cm_event *ev, const struct rdma_cm_event *e)
{
	const struct rdma_conn_param *p = &e->param.conn;
	uint8_t len = p->private_data_len;

	/* The kernel's length is bounded by the CM message, but we copy into
	 * a fixed array: clamp anyway. */
	if (len > VERBS_CM_PDATA_MAX)
		len = VERBS_CM_PDATA_MAX;
	if (p->private_data && len)
		memcpy(ev->private_data, p->private_data, len);
	ev->private_data_len = len;
	ev->responder_resources = p->responder_resources;
	ev->initiator_depth = p->initiator_depth;
}

/* "a.b.c.d:port" or "[v6]:port"; -ENOTCONN for no address (family 0),
 * -EAFNOSUPPORT for one we cannot print (AF_IB). */
static int sockaddr_format(const struct sockaddr *sa, char *buf, size_t len)
{
	struct verbs_addr a;
	const void *raw;
	uint16_t port;

	if (!sa || sa->sa_family == AF_UNSPEC)
		return -ENOTCONN;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		raw = &in->sin_addr;
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		raw = &in6->sin6_addr;
		port = ntohs(in6->sin6_port);
	} else {
		return -EAFNOSUPPORT;
	}
	memset(&a, 0, sizeof(a));
	if (!inet_ntop(sa->sa_family, raw, a.host, sizeof(a.host)))
		return neg_errno();
	a.port = port;
	return verbs_addr_format(&a, buf, len);
}

static int ibv_peer_addr_w(const struct verbs_cm_id *base, char *buf, size_t len)
{
	return sockaddr_format(rdma_get_peer_addr(IBV_OF(const struct ibv_id_w, base)->id), buf,
			       len);
}

/* Outcome of translating one rdma_cm event. */
enum event_use {
	EVENT_DELIVER,   /* ev is filled */
	EVENT_INTERNAL,  /* handled here (route resolution, TIMEWAIT_EXIT...) */
	EVENT_DROP_ID,   /* a request we could not wrap: reject, destroy after the ack */
};

static enum event_use translate_event(struct ibv_ch_w *ch, struct rdma_cm_event *e,
				      struct verbs_cm_event *ev)
{
	struct ibv_id_w *id = e->id->context;

	memset(ev, 0, sizeof(*ev));
	/* Not part of the shim's event set: DISCONNECTED already told the
	 * consumer, and address changes are not modelled. */
	if (e->event == RDMA_CM_EVENT_TIMEWAIT_EXIT || e->event == RDMA_CM_EVENT_ADDR_CHANGE)
		return EVENT_INTERNAL;
	if (e->event == RDMA_CM_EVENT_ADDR_RESOLVED) {
		if (rdma_resolve_route(e->id, id->route_timeout_ms) == 0)
			return EVENT_INTERNAL;
		ev->type = VERBS_CM_EVENT_ROUTE_ERROR;
		ev->status = neg_errno();
		ev->id = &id->base;
		return EVENT_DELIVER;
	}
	ev->type = event_type_from_rdma(e->event);
	ev->status = e->status;
	if (e->event == RDMA_CM_EVENT_CONNECT_REQUEST) {
		struct ibv_id_w *listener = e->listen_id->context;

		/* The new id arrives carrying the listener's context. */
		id = id_wrap(ch, e->id, listener->base.context);
		if (!id) {
			rdma_reject(e->id, NULL, 0);
			return EVENT_DROP_ID;
		}
		ev->listen_id = &listener->base;
		/* Best effort: an unprintable address (AF_IB) stays "". */
		(void)sockaddr_format(rdma_get_peer_addr(e->id), ev->peer_addr,
				      sizeof(ev->peer_addr));
	}
	ev->id = &id->base;
	if (e->event == RDMA_CM_EVENT_CONNECT_REQUEST || e->event == RDMA_CM_EVENT_ESTABLISHED ||
	    e->event == RDMA_CM_EVENT_REJECTED)
		copy_conn_event(ev, e);
	return EVENT_DELIVER;
}

static int ibv_get_event_w(struct verbs_cm_channel *base, struct verbs_cm_event *ev)
{
	struct ibv_ch_w *ch = IBV_OF(struct ibv_ch_w, base);
	struct rdma_cm_event *e;
	struct rdma_cm_id *cm_id;
	enum event_use use;

	do {
		if (rdma_get_cm_event(ch->ch, &e))
			return errno == EAGAIN ? -EAGAIN : neg_errno();
		use = translate_event(ch, e, ev);
		cm_id = e->id;
		/* The event points into librdmacm memory: everything needed
		 * was copied, and an id can only be destroyed once its
		 * events are acked. */
		rdma_ack_cm_event(e);
		if (use == EVENT_DROP_ID)
			rdma_destroy_id(cm_id);
	} while (use != EVENT_DELIVER);
	return 0;
}

static int ibv_id_create_w(struct verbs_cm_channel *base, void *context, struct verbs_cm_id **out)
{
	struct ibv_ch_w *ch = IBV_OF(struct ibv_ch_w, base);
	struct rdma_cm_id *cm_id;
	struct ibv_id_w *id;

	if (rdma_create_id(ch->ch, &cm_id, NULL, RDMA_PS_TCP))
		return neg_errno();
	id = id_wrap(ch, cm_id, context);
	if (!id) {
		rdma_destroy_id(cm_id);
		return -ENOMEM;
	}
	*out = &id->base;
	return 0;
}

static int ibv_id_destroy_w(struct verbs_cm_id *base)
{
	struct ibv_id_w *id = IBV_OF(struct ibv_id_w, base);

	if (rdma_destroy_id(id->id))
		return neg_errno();
	id->ch->users--;
	free(id);
	return 0;
}

static int lookup(const char *text, bool passive, struct addrinfo **res)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct verbs_addr a;
	char port[8];
	int rc;

	rc = verbs_addr_parse(text, false, &a);
	if (rc)
		return rc;
	snprintf(port, sizeof(port), "%u", a.port);
	if (passive)
		hints.ai_flags = AI_PASSIVE;
	rc = getaddrinfo(a.wildcard && passive ? NULL : a.host, port, &hints, res);
	return rc ? -EADDRNOTAVAIL : 0;
}

static int ibv_listen_w(struct verbs_cm_id *base, const char *text, int backlog)
{
	struct ibv_id_w *id = IBV_OF(struct ibv_id_w, base);
	struct addrinfo *res;
	int rc;

	rc = lookup(text, true, &res);
	if (rc)
		return rc;
	rc = rdma_bind_addr(id->id, res->ai_addr) ? neg_errno() : 0;
	freeaddrinfo(res);
	if (rc)
		return rc;
	return rdma_listen(id->id, backlog) ? neg_errno() : 0;
}

static int ibv_bind_w(struct verbs_cm_id *base, const char *text)
{
	struct ibv_id_w *id = IBV_OF(struct ibv_id_w, base);
	struct addrinfo *res;
	int rc;

	/* Passive lookup: a wildcard host binds INADDR_ANY / in6addr_any. */
	rc = lookup(text, true, &res);
	if (rc)
		return rc;
	rc = rdma_bind_addr(id->id, res->ai_addr) ? neg_errno() : 0;
	freeaddrinfo(res);
	return rc;
}

static int ibv_resolve_w(struct verbs_cm_id *base, const char *text, int timeout_ms)
{
	struct ibv_id_w *id = IBV_OF(struct ibv_id_w, base);
	struct addrinfo *res;
	int rc;

	rc = lookup(text, false, &res);
	if (rc)
		return rc;
	id->route_timeout_ms = timeout_ms;
	rc = rdma_resolve_addr(id->id, NULL, res->ai_addr, timeout_ms) ? neg_errno() : 0;
	freeaddrinfo(res);
	return rc;
}

static void conn_param_to_rdma(struct rdma_conn_param *out, const struct verbs_conn_param *in)
{
	memset(out, 0, sizeof(*out));
	out->private_data = in->private_data;
	out->private_data_len = in->private_data_len;
	out->responder_resources = in->responder_resources;
	out->initiator_depth = in->initiator_depth;
	out->retry_count = in->retry_count;
	out->rnr_retry_count = in->rnr_retry_count;
}

static int ibv_connect_w(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct rdma_conn_param p;

	conn_param_to_rdma(&p, param);
	return rdma_connect(IBV_OF(struct ibv_id_w, base)->id, &p) ? neg_errno() : 0;
}

static int ibv_accept_w(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct rdma_conn_param p;

	conn_param_to_rdma(&p, param);
	return rdma_accept(IBV_OF(struct ibv_id_w, base)->id, &p) ? neg_errno() : 0;
}

static int ibv_reject_w(struct verbs_cm_id *base, const void *pdata, uint8_t len)
{
	return rdma_reject(IBV_OF(struct ibv_id_w, base)->id, pdata, len) ? neg_errno() : 0;
}

static int ibv_disconnect_w(struct verbs_cm_id *base)
{
	return rdma_disconnect(IBV_OF(struct ibv_id_w, base)->id) ? neg_errno() : 0;
}

/* ---- QP ------------------------------------------------------------------------ */

static int ibv_qp_create_w(struct verbs_cm_id *id_base, struct verbs_pd *pd_base,
			   const struct verbs_qp_init_attr *attr, struct verbs_qp **out)
{
	struct ibv_id_w *id = IBV_OF(struct ibv_id_w, id_base);
	struct ibv_pd_w *pd = IBV_OF(struct ibv_pd_w, pd_base);
	struct ibv_qp_init_attr qa;
	struct ibv_qp_w *qp;

	if (!id->id->verbs)
		return -EINVAL;  /* not resolved yet */
	if (id->id->verbs != pd->pd->context)
		return -EXDEV;
	memset(&qa, 0, sizeof(qa));
	qa.send_cq = IBV_OF(struct ibv_cq_w, attr->send_cq)->cq;
	qa.recv_cq = IBV_OF(struct ibv_cq_w, attr->recv_cq)->cq;
	qa.cap.max_send_wr = attr->cap.max_send_wr;
	qa.cap.max_recv_wr = attr->cap.max_recv_wr;
	qa.cap.max_send_sge = attr->cap.max_send_sge;
	qa.cap.max_recv_sge = attr->cap.max_recv_sge;
	qa.cap.max_inline_data = attr->cap.max_inline_data;
	qa.qp_type = IBV_QPT_RC;
	qa.sq_sig_all = attr->sq_sig_all;
	if (attr->srq) {
		qa.srq = IBV_OF(struct ibv_srq_w, attr->srq)->srq;
		qa.cap.max_recv_wr = 0;
		qa.cap.max_recv_sge = 0;
	}
	qp = calloc(1, sizeof(*qp));
	if (!qp)
		return -ENOMEM;
	if (rdma_create_qp(id->id, pd->pd, &qa)) {
		int rc = neg_errno();

		free(qp);
		return rc;
	}
	qp->base.ops = &verbs_ibv_ops;
	qp->base.qp_num = id->id->qp->qp_num;
	qp->base.context = attr->context;
	qp->id = id;
	qp->has_srq = attr->srq != NULL;
	id->base.qp = &qp->base;
	*out = &qp->base;
	return 0;
}

static int ibv_qp_destroy_w(struct verbs_qp *base)
{
	struct ibv_qp_w *qp = IBV_OF(struct ibv_qp_w, base);

	rdma_destroy_qp(qp->id->id);
	qp->id->base.qp = NULL;
	free(qp);
	return 0;
}

static enum verbs_qp_state state_from_ibv(enum ibv_qp_state s)
{
	switch (s) {
	case IBV_QPS_RESET: return VERBS_QPS_RESET;
	case IBV_QPS_INIT: return VERBS_QPS_INIT;
	case IBV_QPS_RTR: return VERBS_QPS_RTR;
	case IBV_QPS_RTS:
	case IBV_QPS_SQD: return VERBS_QPS_RTS;
	default: return VERBS_QPS_ERR;  /* SQE, ERR, unknown */
	}
}

static int ibv_qp_query_w(struct verbs_qp *base, enum verbs_qp_state *state,
			  struct verbs_qp_caps *caps)
{
	struct ibv_qp *qp = IBV_OF(struct ibv_qp_w, base)->id->id->qp;
	struct ibv_qp_init_attr init;
	struct ibv_qp_attr a;
	int rc;

	rc = ibv_query_qp(qp, &a, IBV_QP_STATE | IBV_QP_CAP, &init);
	if (rc)
		return -rc;
	if (state)
		*state = state_from_ibv(a.qp_state);
	if (caps) {
		caps->max_send_wr = a.cap.max_send_wr;
		caps->max_recv_wr = a.cap.max_recv_wr;
		caps->max_send_sge = a.cap.max_send_sge;
		caps->max_recv_sge = a.cap.max_recv_sge;
		caps->max_inline_data = a.cap.max_inline_data;
	}
	return 0;
}

static int ibv_qp_to_error_w(struct verbs_qp *base)
{
	struct ibv_qp_attr a = { .qp_state = IBV_QPS_ERR };
	int rc = ibv_modify_qp(IBV_OF(struct ibv_qp_w, base)->id->id->qp, &a, IBV_QP_STATE);

	return rc ? -rc : 0;
}

static int send_wr_to_ibv(struct ibv_send_wr *out, struct ibv_sge *sge,
			  const struct verbs_send_wr *in)
{
	static const enum ibv_wr_opcode opcodes[] = {
		[VERBS_WR_SEND] = IBV_WR_SEND,
		[VERBS_WR_SEND_WITH_INV] = IBV_WR_SEND_WITH_INV,
		[VERBS_WR_RDMA_WRITE] = IBV_WR_RDMA_WRITE,
		[VERBS_WR_RDMA_READ] = IBV_WR_RDMA_READ,
	};
	uint32_t i;

	if ((unsigned int)in->opcode > VERBS_WR_RDMA_READ || in->num_sge > IBV_SGE_MAX)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < in->num_sge; i++) {
		sge[i].addr = in->sg_list[i].addr;
		sge[i].length = in->sg_list[i].length;
		sge[i].lkey = in->sg_list[i].lkey;
	}
	out->wr_id = in->wr_id;
	out->sg_list = sge;
	out->num_sge = (int)in->num_sge;
	out->opcode = opcodes[in->opcode];
	if (in->send_flags & VERBS_SEND_SIGNALED)
		out->send_flags |= IBV_SEND_SIGNALED;
	if (in->send_flags & VERBS_SEND_INLINE)
		out->send_flags |= IBV_SEND_INLINE;
	if (in->send_flags & VERBS_SEND_FENCE)
		out->send_flags |= IBV_SEND_FENCE;
	if (in->opcode == VERBS_WR_SEND_WITH_INV)
		out->invalidate_rkey = in->invalidate_rkey;
	out->wr.rdma.remote_addr = in->remote_addr;
	out->wr.rdma.rkey = in->rkey;
	return 0;
}

/* One WR per ibv_post_send keeps *bad_wr exact without mapping lists. */
static int ibv_post_send_w(struct verbs_qp *base, const struct verbs_send_wr *wr,
			   const struct verbs_send_wr **bad_wr)
{
	struct ibv_qp *qp = IBV_OF(struct ibv_qp_w, base)->id->id->qp;
	struct ibv_sge sge[IBV_SGE_MAX];
	struct ibv_send_wr iwr, *ibad;
	int rc;

	for (; wr; wr = wr->next) {
		*bad_wr = wr;
		rc = send_wr_to_ibv(&iwr, sge, wr);
		if (rc)
			return rc;
		rc = ibv_post_send(qp, &iwr, &ibad);
		if (rc)
			return -rc;
	}
	*bad_wr = NULL;
	return 0;
}

static int recv_wr_to_ibv(struct ibv_recv_wr *out, struct ibv_sge *sge,
			  const struct verbs_recv_wr *in)
{
	uint32_t i;

	if (in->num_sge > IBV_SGE_MAX)
		return -EINVAL;
	for (i = 0; i < in->num_sge; i++) {
		sge[i].addr = in->sg_list[i].addr;
		sge[i].length = in->sg_list[i].length;
		sge[i].lkey = in->sg_list[i].lkey;
	}
	memset(out, 0, sizeof(*out));
	out->wr_id = in->wr_id;
	out->sg_list = sge;
	out->num_sge = (int)in->num_sge;
	return 0;
}

static int ibv_post_recv_w(struct verbs_qp *base, const struct verbs_recv_wr *wr,
			   const struct verbs_recv_wr **bad_wr)
{
	struct ibv_qp_w *qw = IBV_OF(struct ibv_qp_w, base);
	struct ibv_sge sge[IBV_SGE_MAX];
	struct ibv_recv_wr iwr, *ibad;
	int rc;

	/* Receives of a QP on an SRQ go to the SRQ (verbs_post_srq_recv). */
	if (qw->has_srq)
		return -EINVAL;
	for (; wr; wr = wr->next) {
		*bad_wr = wr;
		rc = recv_wr_to_ibv(&iwr, sge, wr);
		if (rc)
			return rc;
		rc = ibv_post_recv(qw->id->id->qp, &iwr, &ibad);
		if (rc)
			return -rc;
	}
	*bad_wr = NULL;
	return 0;
}

/* ---- SRQ ------------------------------------------------------------------------ */

static int ibv_srq_create_w(struct verbs_pd *pd_base, const struct verbs_srq_attr *attr,
			    struct verbs_srq **out)
{
	struct ibv_pd_w *pd = IBV_OF(struct ibv_pd_w, pd_base);
	struct ibv_srq_init_attr init;
	struct ibv_srq_w *srq;
	int rc;

	srq = calloc(1, sizeof(*srq));
	if (!srq)
		return -ENOMEM;
	memset(&init, 0, sizeof(init));
	init.attr.max_wr = attr->max_wr;
	init.attr.max_sge = attr->max_sge;
	srq->srq = ibv_create_srq(pd->pd, &init);
	if (!srq->srq) {
		rc = neg_errno();
		free(srq);
		return rc;
	}
	/* ibv_create_srq writes back what the device granted. */
	srq->attr.max_wr = init.attr.max_wr;
	srq->attr.max_sge = init.attr.max_sge;
	srq->base.ops = &verbs_ibv_ops;
	*out = &srq->base;
	return 0;
}

static int ibv_srq_destroy_w(struct verbs_srq *base)
{
	struct ibv_srq_w *srq = IBV_OF(struct ibv_srq_w, base);
	int rc = ibv_destroy_srq(srq->srq);

	if (rc)
		return -rc;
	free(srq);
	return 0;
}

static int ibv_srq_query_w(struct verbs_srq *base, struct verbs_srq_attr *attr)
{
	*attr = IBV_OF(struct ibv_srq_w, base)->attr;
	return 0;
}

static int ibv_post_srq_recv_w(struct verbs_srq *base, const struct verbs_recv_wr *wr,
			       const struct verbs_recv_wr **bad_wr)
{
	struct ibv_srq *srq = IBV_OF(struct ibv_srq_w, base)->srq;
	struct ibv_sge sge[IBV_SGE_MAX];
	struct ibv_recv_wr iwr, *ibad;
	int rc;

	for (; wr; wr = wr->next) {
		*bad_wr = wr;
		rc = recv_wr_to_ibv(&iwr, sge, wr);
		if (rc)
			return rc;
		rc = ibv_post_srq_recv(srq, &iwr, &ibad);
		if (rc)
			return -rc;
	}
	*bad_wr = NULL;
	return 0;
}

const struct verbs_ops verbs_ibv_ops = {
	.name = "ibv",
	.device_open = ibvw_device_open,
	.device_close = ibvw_device_close,
	.device_query = ibvw_device_query,
	.pd_alloc = ibv_pd_alloc_w,
	.pd_dealloc = ibv_pd_dealloc_w,
	.mr_reg = ibv_mr_reg_w,
	.mr_dereg = ibv_mr_dereg_w,
	.cq_create = ibv_cq_create_w,
	.cq_destroy = ibv_cq_destroy_w,
	.poll_cq = ibv_poll_cq_w,
	.cq_req_notify = ibv_cq_req_notify_w,
	.cq_get_event = ibv_cq_get_event_w,
	.channel_create = ibv_channel_create_w,
	.channel_destroy = ibv_channel_destroy_w,
	.get_event = ibv_get_event_w,
	.id_create = ibv_id_create_w,
	.id_destroy = ibv_id_destroy_w,
	.listen = ibv_listen_w,
	.resolve = ibv_resolve_w,
	.connect = ibv_connect_w,
	.accept = ibv_accept_w,
	.reject = ibv_reject_w,
	.disconnect = ibv_disconnect_w,
	.peer_addr = ibv_peer_addr_w,
	.bind = ibv_bind_w,
	.srq_create = ibv_srq_create_w,
	.srq_destroy = ibv_srq_destroy_w,
	.srq_query = ibv_srq_query_w,
	.post_srq_recv = ibv_post_srq_recv_w,
	.qp_create = ibv_qp_create_w,
	.qp_destroy = ibv_qp_destroy_w,
	.qp_query = ibv_qp_query_w,
	.qp_to_error = ibv_qp_to_error_w,
	.post_send = ibv_post_send_w,
	.post_recv = ibv_post_recv_w,
};
