/* Generic layer of the verbs shim: provider selection, argument checks that
 * hold for every provider, dispatch through the ops table, address parsing
 * and names.  Providers may assume non-NULL objects and out pointers. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/verbs_internal.h"

static const struct verbs_ops *const providers[] = {
	&verbs_fake_ops,
#ifdef NVMFSIM_HAVE_RDMA_CORE
	&verbs_ibv_ops,
#endif
};

/* Every name the shim knows, built in or not, so that "ibv" on a build
 * without rdma-core is -EPROTONOSUPPORT rather than "no such provider". */
static const char *const known_providers[] = { "fake", "ibv" };

static const struct verbs_ops *provider_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i];
	return NULL;
}

static bool provider_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known_providers) / sizeof(known_providers[0]); i++)
		if (strcmp(known_providers[i], name) == 0)
			return true;
	return false;
}

bool verbs_provider_available(const char *name)
{
	return name && provider_find(name) != NULL;
}

int verbs_device_open(const struct verbs_open_opts *opts, struct verbs_device **out)
{
	static const struct verbs_open_opts defaults;
	const struct verbs_ops *ops;
	const char *name;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	name = opts->provider ? opts->provider : "fake";
	ops = provider_find(name);
	if (!ops)
		return provider_known(name) ? -EPROTONOSUPPORT : -ENOENT;
	return ops->device_open(opts, out);
}

void verbs_device_close(struct verbs_device *dev)
{
	if (dev)
		dev->ops->device_close(dev);
}

int verbs_device_query(struct verbs_device *dev, struct verbs_device_attr *attr)
{
	if (!dev || !attr)
		return -EINVAL;
	return dev->ops->device_query(dev, attr);
}

const char *verbs_device_provider(const struct verbs_device *dev)
{
	return dev ? dev->ops->name : NULL;
}

/* The limits in the order ibv_devinfo -v prints them. */
#define ATTR_FIELD(f) { #f, offsetof(struct verbs_device_attr, f), \
			sizeof(((struct verbs_device_attr *)0)->f) }

static const struct attr_field {
	const char *name;
	size_t offset, size;
} attr_fields[] = {
	ATTR_FIELD(max_mr_size),
	ATTR_FIELD(max_qp),
	ATTR_FIELD(max_qp_wr),
	ATTR_FIELD(max_sge),
	ATTR_FIELD(max_cq),
	ATTR_FIELD(max_cqe),
	ATTR_FIELD(max_mr),
	ATTR_FIELD(max_pd),
	ATTR_FIELD(max_qp_rd_atom),
	ATTR_FIELD(max_qp_init_rd_atom),
	ATTR_FIELD(max_srq),
	ATTR_FIELD(max_srq_wr),
	ATTR_FIELD(max_srq_sge),
	ATTR_FIELD(max_inline_data),
	ATTR_FIELD(max_msg_sz),
};

static uint64_t attr_value(const struct verbs_device_attr *a, const struct attr_field *f)
{
	const unsigned char *p = (const unsigned char *)a + f->offset;
	uint64_t v64;
	uint32_t v32;

	switch (f->size) {
	case sizeof(uint8_t):
		return *p;
	case sizeof(uint32_t):
		memcpy(&v32, p, sizeof(v32));
		return v32;
	default:
		memcpy(&v64, p, sizeof(v64));
		return v64;
	}
}

int verbs_device_attr_format(const struct verbs_device_attr *attr, const char *prefix,
			     char *buf, size_t len)
{
	size_t i, total = 0;

	if (!attr || (!buf && len))
		return -EINVAL;
	if (!prefix)
		prefix = "";
	for (i = 0; i < sizeof(attr_fields) / sizeof(attr_fields[0]); i++) {
		size_t room = total < len ? len - total : 0;
		int n = snprintf(room ? buf + total : NULL, room, "%s%-20s %llu\n", prefix,
				 attr_fields[i].name,
				 (unsigned long long)attr_value(attr, &attr_fields[i]));

		if (n < 0)
			return -EINVAL;
		total += (size_t)n;
	}
	return total > INT32_MAX ? -EOVERFLOW : (int)total;
}

int verbs_pd_alloc(struct verbs_device *dev, struct verbs_pd **out)
{
	if (!dev || !out)
		return -EINVAL;
	return dev->ops->pd_alloc(dev, out);
}

int verbs_pd_dealloc(struct verbs_pd *pd)
{
	if (!pd)
		return -EINVAL;
	return pd->ops->pd_dealloc(pd);
}

int verbs_mr_reg(struct verbs_pd *pd, void *addr, size_t length, unsigned int access,
		 struct verbs_mr **out)
{
	const unsigned int known = VERBS_ACCESS_LOCAL_WRITE | VERBS_ACCESS_REMOTE_WRITE |
				   VERBS_ACCESS_REMOTE_READ | VERBS_ACCESS_REMOTE_INVALIDATE;

	if (!pd || !out || (!addr && length))
		return -EINVAL;
	if (access & ~known)
		return -EINVAL;
	/* As ibv_reg_mr: remote write without local write is refused. */
	if ((access & VERBS_ACCESS_REMOTE_WRITE) && !(access & VERBS_ACCESS_LOCAL_WRITE))
		return -EINVAL;
	if ((uintptr_t)addr + length < (uintptr_t)addr)
		return -EINVAL;
	return pd->ops->mr_reg(pd, addr, length, access, out);
}

int verbs_mr_dereg(struct verbs_mr *mr)
{
	if (!mr)
		return -EINVAL;
	return mr->ops->mr_dereg(mr);
}

uint32_t verbs_mr_lkey(const struct verbs_mr *mr)
{
	return mr ? mr->lkey : 0;
}

uint32_t verbs_mr_rkey(const struct verbs_mr *mr)
{
	return mr ? mr->rkey : 0;
}

int verbs_cq_create(struct verbs_device *dev, const struct verbs_cq_attr *attr,
		    struct verbs_cq **out)
{
	if (!dev || !attr || !out || attr->cqe == 0)
		return -EINVAL;
	return dev->ops->cq_create(dev, attr, out);
}

int verbs_cq_destroy(struct verbs_cq *cq)
{
	if (!cq)
		return -EINVAL;
	return cq->ops->cq_destroy(cq);
}

int verbs_poll_cq(struct verbs_cq *cq, int max, struct verbs_wc *wc)
{
	if (!cq || max < 0 || (max > 0 && !wc))
		return -EINVAL;
	return cq->ops->poll_cq(cq, max, wc);
}

int verbs_cq_req_notify(struct verbs_cq *cq)
{
	if (!cq)
		return -EINVAL;
	if (cq->fd < 0)
		return -EINVAL;
	return cq->ops->cq_req_notify(cq);
}

int verbs_cq_get_event(struct verbs_cq *cq)
{
	if (!cq)
		return -EINVAL;
	if (cq->fd < 0)
		return -EINVAL;
	return cq->ops->cq_get_event(cq);
}

int verbs_cq_fd(const struct verbs_cq *cq)
{
	return cq ? cq->fd : -1;
}

int verbs_cm_channel_create(struct verbs_device *dev, struct verbs_cm_channel **out)
{
	if (!dev || !out)
		return -EINVAL;
	return dev->ops->channel_create(dev, out);
}

int verbs_cm_channel_destroy(struct verbs_cm_channel *ch)
{
	if (!ch)
		return -EINVAL;
	return ch->ops->channel_destroy(ch);
}

int verbs_cm_get_event(struct verbs_cm_channel *ch, struct verbs_cm_event *ev)
{
	if (!ch || !ev)
		return -EINVAL;
	return ch->ops->get_event(ch, ev);
}

int verbs_cm_channel_fd(const struct verbs_cm_channel *ch)
{
	return ch ? ch->fd : -1;
}

int verbs_cm_id_create(struct verbs_cm_channel *ch, void *context, struct verbs_cm_id **out)
{
	if (!ch || !out)
		return -EINVAL;
	return ch->ops->id_create(ch, context, out);
}

int verbs_cm_id_destroy(struct verbs_cm_id *id)
{
	if (!id)
		return -EINVAL;
	if (id->qp)
		return -EBUSY;
	return id->ops->id_destroy(id);
}

void *verbs_cm_id_context(const struct verbs_cm_id *id)
{
	return id ? id->context : NULL;
}

void verbs_cm_id_set_context(struct verbs_cm_id *id, void *context)
{
	if (id)
		id->context = context;
}

struct verbs_qp *verbs_cm_id_qp(const struct verbs_cm_id *id)
{
	return id ? id->qp : NULL;
}

int verbs_cm_id_peer_addr(const struct verbs_cm_id *id, char *buf, size_t len)
{
	if (!id || !buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	return id->ops->peer_addr(id, buf, len);
}

int verbs_cm_bind(struct verbs_cm_id *id, const char *addr)
{
	if (!id || !addr)
		return -EINVAL;
	return id->ops->bind(id, addr);
}

int verbs_cm_listen(struct verbs_cm_id *id, const char *addr, int backlog)
{
	if (!id || !addr)
		return -EINVAL;
	return id->ops->listen(id, addr, backlog);
}

int verbs_cm_resolve(struct verbs_cm_id *id, const char *addr, int timeout_ms)
{
	if (!id || !addr || timeout_ms < 0)
		return -EINVAL;
	return id->ops->resolve(id, addr, timeout_ms);
}

static bool conn_param_valid(const struct verbs_conn_param *param, unsigned int pdata_max)
{
	if (param->private_data_len > pdata_max)
		return false;
	if (param->private_data_len && !param->private_data)
		return false;
	return param->retry_count <= 7 && param->rnr_retry_count <= 7;
}

int verbs_cm_connect(struct verbs_cm_id *id, const struct verbs_conn_param *param)
{
	if (!id || !param || !conn_param_valid(param, VERBS_CONNECT_PDATA_MAX))
		return -EINVAL;
	return id->ops->connect(id, param);
}

int verbs_cm_accept(struct verbs_cm_id *id, const struct verbs_conn_param *param)
{
	if (!id || !param || !conn_param_valid(param, VERBS_ACCEPT_PDATA_MAX))
		return -EINVAL;
	return id->ops->accept(id, param);
}

int verbs_cm_reject(struct verbs_cm_id *id, const void *private_data, uint8_t len)
{
	if (!id || len > VERBS_REJECT_PDATA_MAX || (len && !private_data))
		return -EINVAL;
	return id->ops->reject(id, private_data, len);
}

int verbs_cm_disconnect(struct verbs_cm_id *id)
{
	if (!id)
		return -EINVAL;
	return id->ops->disconnect(id);
}

int verbs_qp_create(struct verbs_cm_id *id, struct verbs_pd *pd,
		    const struct verbs_qp_init_attr *attr, struct verbs_qp **out)
{
	if (!id || !pd || !attr || !out || !attr->send_cq || !attr->recv_cq)
		return -EINVAL;
	if (pd->ops != id->ops || attr->send_cq->ops != id->ops || attr->recv_cq->ops != id->ops)
		return -EINVAL;
	if (attr->srq && attr->srq->ops != id->ops)
		return -EINVAL;
	if (id->qp)
		return -EBUSY;
	return id->ops->qp_create(id, pd, attr, out);
}

int verbs_qp_destroy(struct verbs_qp *qp)
{
	if (!qp)
		return -EINVAL;
	return qp->ops->qp_destroy(qp);
}

uint32_t verbs_qp_num(const struct verbs_qp *qp)
{
	return qp ? qp->qp_num : 0;
}

void *verbs_qp_context(const struct verbs_qp *qp)
{
	return qp ? qp->context : NULL;
}

int verbs_qp_query(struct verbs_qp *qp, enum verbs_qp_state *state, struct verbs_qp_caps *caps)
{
	if (!qp)
		return -EINVAL;
	return qp->ops->qp_query(qp, state, caps);
}

int verbs_qp_to_error(struct verbs_qp *qp)
{
	if (!qp)
		return -EINVAL;
	return qp->ops->qp_to_error(qp);
}

int verbs_post_send(struct verbs_qp *qp, const struct verbs_send_wr *wr,
		    const struct verbs_send_wr **bad_wr)
{
	const struct verbs_send_wr *ignored;

	if (!bad_wr)
		bad_wr = &ignored;
	*bad_wr = wr;
	if (!qp || !wr)
		return -EINVAL;
	return qp->ops->post_send(qp, wr, bad_wr);
}

int verbs_post_recv(struct verbs_qp *qp, const struct verbs_recv_wr *wr,
		    const struct verbs_recv_wr **bad_wr)
{
	const struct verbs_recv_wr *ignored;

	if (!bad_wr)
		bad_wr = &ignored;
	*bad_wr = wr;
	if (!qp || !wr)
		return -EINVAL;
	return qp->ops->post_recv(qp, wr, bad_wr);
}

int verbs_srq_create(struct verbs_pd *pd, const struct verbs_srq_attr *attr,
		     struct verbs_srq **out)
{
	if (!pd || !attr || !out || attr->max_wr == 0)
		return -EINVAL;
	*out = NULL;
	return pd->ops->srq_create(pd, attr, out);
}

int verbs_srq_destroy(struct verbs_srq *srq)
{
	if (!srq)
		return -EINVAL;
	return srq->ops->srq_destroy(srq);
}

int verbs_srq_query(struct verbs_srq *srq, struct verbs_srq_attr *attr)
{
	if (!srq || !attr)
		return -EINVAL;
	return srq->ops->srq_query(srq, attr);
}

int verbs_post_srq_recv(struct verbs_srq *srq, const struct verbs_recv_wr *wr,
			const struct verbs_recv_wr **bad_wr)
{
	const struct verbs_recv_wr *ignored;

	if (!bad_wr)
		bad_wr = &ignored;
	*bad_wr = wr;
	if (!srq || !wr)
		return -EINVAL;
	return srq->ops->post_srq_recv(srq, wr, bad_wr);
}

/* ---- addresses ------------------------------------------------------------ */

static int parse_port(const char *text, uint16_t *port)
{
	unsigned long value = 0;
	const char *p;

	if (!*text)
		return -EINVAL;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		value = value * 10 + (unsigned long)(*p - '0');
		if (value > 65535)
			return -EINVAL;
	}
	*port = (uint16_t)value;
	return 0;
}

static int copy_host(struct verbs_addr *out, const char *host, size_t len)
{
	if (len >= sizeof(out->host))
		return -ENAMETOOLONG;
	memcpy(out->host, host, len);
	out->host[len] = '\0';
	out->wildcard = len == 0 || strcmp(out->host, "*") == 0 ||
			strcmp(out->host, "0.0.0.0") == 0 || strcmp(out->host, "::") == 0;
	return 0;
}

int verbs_addr_parse(const char *text, bool strip_fake_prefix, struct verbs_addr *out)
{
	const char *colon;
	int rc;

	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (strip_fake_prefix && strncmp(text, "fake:", 5) == 0)
		text += 5;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		rc = copy_host(out, text + 1, (size_t)(close - text - 1));
		if (rc)
			return rc;
		return parse_port(close + 2, &out->port);
	}
	/* The last colon splits host and port; a bare v6 address (several
	 * colons, no brackets) is ambiguous and refused. */
	colon = strrchr(text, ':');
	if (!colon || memchr(text, ':', (size_t)(colon - text)))
		return -EINVAL;
	rc = copy_host(out, text, (size_t)(colon - text));
	if (rc)
		return rc;
	return parse_port(colon + 1, &out->port);
}

int verbs_addr_format(const struct verbs_addr *a, char *buf, size_t len)
{
	bool v6 = strchr(a->host, ':') != NULL;
	int n;

	if (!buf || !len)
		return -EINVAL;
	n = snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a->host, a->port);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}

/* ---- names ----------------------------------------------------------------- */

const char *verbs_wc_status_str(enum verbs_wc_status status)
{
	static const char *const names[] = {
		[VERBS_WC_SUCCESS] = "success",
		[VERBS_WC_LOC_LEN_ERR] = "local length error",
		[VERBS_WC_LOC_QP_OP_ERR] = "local QP operation error",
		[VERBS_WC_LOC_PROT_ERR] = "local protection error",
		[VERBS_WC_WR_FLUSH_ERR] = "work request flushed error",
		[VERBS_WC_BAD_RESP_ERR] = "bad response error",
		[VERBS_WC_LOC_ACCESS_ERR] = "local access error",
		[VERBS_WC_REM_INV_REQ_ERR] = "remote invalid request error",
		[VERBS_WC_REM_ACCESS_ERR] = "remote access error",
		[VERBS_WC_REM_OP_ERR] = "remote operation error",
		[VERBS_WC_RETRY_EXC_ERR] = "transport retry counter exceeded",
		[VERBS_WC_RNR_RETRY_EXC_ERR] = "RNR retry counter exceeded",
		[VERBS_WC_FATAL_ERR] = "fatal error",
		[VERBS_WC_GENERAL_ERR] = "general error",
	};

	if ((unsigned int)status >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[status];
}

const char *verbs_cm_event_str(enum verbs_cm_event_type type)
{
	static const char *const names[] = {
		[VERBS_CM_EVENT_ROUTE_RESOLVED] = "ROUTE_RESOLVED",
		[VERBS_CM_EVENT_ADDR_ERROR] = "ADDR_ERROR",
		[VERBS_CM_EVENT_ROUTE_ERROR] = "ROUTE_ERROR",
		[VERBS_CM_EVENT_CONNECT_REQUEST] = "CONNECT_REQUEST",
		[VERBS_CM_EVENT_CONNECT_ERROR] = "CONNECT_ERROR",
		[VERBS_CM_EVENT_UNREACHABLE] = "UNREACHABLE",
		[VERBS_CM_EVENT_REJECTED] = "REJECTED",
		[VERBS_CM_EVENT_ESTABLISHED] = "ESTABLISHED",
		[VERBS_CM_EVENT_DISCONNECTED] = "DISCONNECTED",
		[VERBS_CM_EVENT_DEVICE_REMOVAL] = "DEVICE_REMOVAL",
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[type];
}

const char *verbs_qp_state_str(enum verbs_qp_state state)
{
	static const char *const names[] = {
		[VERBS_QPS_RESET] = "RESET", [VERBS_QPS_INIT] = "INIT", [VERBS_QPS_RTR] = "RTR",
		[VERBS_QPS_RTS] = "RTS",     [VERBS_QPS_ERR] = "ERR",
	};

	if ((unsigned int)state >= sizeof(names) / sizeof(names[0]))
		return "UNKNOWN";
	return names[state];
}
