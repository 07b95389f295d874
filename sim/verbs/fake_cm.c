/* The fake's connection manager: CM ids and the CM messages (REQ, REP,
 * RTU, REJ, DREQ, DREP) in flight between them.  Channels and events are
 * fake_event.c's, addresses fake_addr.c's.
 *
 * Messages name ids by number, since an id may be gone by delivery; they
 * are delivered in due order, FIFO among equals, from a heap. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "verbs/fake_priv.h"

/* ---- messages ------------------------------------------------------------------ */

static struct fake_id *id_by_num(struct verbs_fake_fabric *fab, uint32_t num)
{
	return num ? fake_map_get(&fab->id_by_num, num) : NULL;
}

static struct cm_msg *msg_new(enum cm_msg_type type, uint32_t from, uint32_t to)
{
	struct cm_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->type = type;
	m->from = from;
	m->to = to;
	m->node.idx = FAKE_HEAP_NONE;
	return m;
}

/* Messages are delivered in due order, FIFO among equals, so that a run is
 * reproducible.  A message that cannot be queued is lost, as on ENOMEM in
 * msg_new: the sender's retries or timeouts take over. */
static void msg_send(struct verbs_fake_fabric *fab, struct cm_msg *m, uint64_t delay)
{
	m->node.key = fab->now + (delay ? delay : 1);
	m->node.tie = fab->next_msg_seq++;
	if (fake_heap_push(&fab->msgs, &m->node))
		free(m);
}

void fake_cm_free_msgs(struct verbs_fake_fabric *fab)
{
	size_t i;

	for (i = 0; i < fab->msgs.n; i++)
		free(verbs_container_of(fab->msgs.v[i], struct cm_msg, node));
	fab->msgs.n = 0;
}

int fake_peer_addr(const struct verbs_cm_id *base, char *buf, size_t len)
{
	const struct fake_id *id = FAKE_OF(const struct fake_id, base);

	if (!id->has_peer)
		return -ENOTCONN;
	return verbs_addr_format(&id->peer, buf, len);
}

/* ---- ids ------------------------------------------------------------------------ */

/* Id numbers count up from 1, skipping 0 and numbers in use after a wrap. */
static uint32_t take_id_num(struct verbs_fake_fabric *fab)
{
	while (fab->next_id_num == 0 || id_by_num(fab, fab->next_id_num))
		fab->next_id_num++;
	return fab->next_id_num++;
}

int fake_id_create(struct verbs_cm_channel *ch_base, void *context, struct verbs_cm_id **out)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, ch_base);
	struct verbs_fake_fabric *fab = ch->dev->fab;
	struct fake_id *id;

	if (ch->dev->removed)
		return -ENODEV;
	id = calloc(1, sizeof(*id));
	if (!id)
		return -ENOMEM;
	id->num = take_id_num(fab);
	if (fake_map_put(&fab->id_by_num, id->num, id)) {
		free(id);
		return -ENOMEM;
	}
	id->base.ops = &verbs_fake_ops;
	id->base.context = context;
	id->ch = ch;
	id->dev = ch->dev;
	fake_list_add_head(&ch->dev->ids, &id->dev_link);
	ch->users++;
	*out = &id->base;
	return 0;
}

static void id_send_dreq(struct fake_id *id)
{
	struct cm_msg *m = msg_new(MSG_DREQ, id->num, id->peer_num);

	if (m)
		msg_send(id->dev->fab, m, 0);
}

static void listener_release_request(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	struct fake_id *listener = id_by_num(fab, id->listener_num);

	if (listener && listener->pending_requests > 0)
		listener->pending_requests--;
}

static void id_send_rej(struct fake_id *id, uint8_t reason, const void *pdata, uint8_t len)
{
	struct cm_msg *m = msg_new(MSG_REJ, id->num, id->peer_num);

	if (!m)
		return;
	m->status = reason;
	if (len)
		memcpy(m->pdata, pdata, len);
	m->pdata_len = VERBS_REJECT_PDATA_MAX;
	msg_send(id->dev->fab, m, 0);
}

int fake_id_destroy(struct verbs_cm_id *base)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_fake_fabric *fab = id->dev->fab;
	struct fake_channel *ch = id->ch;

	/* What the kernel does for an id destroyed mid-life. */
	if (id->state == ID_CONNECTED || id->state == ID_ACCEPTED)
		id_send_dreq(id);
	if (id->state == ID_REQ_RECEIVED) {
		id_send_rej(id, VERBS_REJ_CONSUMER_DEFINED, NULL, 0);
		listener_release_request(fab, id);
	}
	if (id->state == ID_LISTEN)
		fake_listener_del(fab, id);
	fake_source_release(fab, id);
	fake_map_del(&fab->id_by_num, id->num);
	fake_list_del(&id->dev_link);
	fake_events_purge(ch, id);
	free(id);
	ch->users--;
	return 0;
}

int fake_bind(struct verbs_cm_id *base, const char *text)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_addr addr;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_IDLE || id->bound)
		return -EINVAL;
	rc = verbs_addr_parse(text, true, &addr);
	if (rc)
		return rc;
	if (strlen(addr.host) > FAKE_HOST_TEXT_MAX)
		return -ENAMETOOLONG;
	if (!addr.wildcard && addr.port) {
		id->local = addr;
		rc = fake_source_claim(id->dev->fab, id);
		if (rc)
			return rc;
	}
	id->bind_addr = addr;
	id->bound = true;
	return 0;
}

int fake_listen(struct verbs_cm_id *base, const char *text, int backlog)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_fake_fabric *fab = id->dev->fab;
	struct verbs_addr addr;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	/* Listening binds the address itself (rdma_bind_addr + rdma_listen). */
	if (id->state != ID_IDLE || id->bound)
		return -EINVAL;
	rc = verbs_addr_parse(text, true, &addr);
	if (rc)
		return rc;
	if (addr.port == 0)
		return -EINVAL;
	id->addr = addr;
	rc = fake_listener_add(fab, id, &addr);
	if (rc)
		return rc;
	id->backlog = backlog > 0 ? backlog : FAKE_DEFAULT_BACKLOG;
	id->state = ID_LISTEN;
	return 0;
}

int fake_resolve(struct verbs_cm_id *base, const char *text, int timeout_ms)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_addr addr;
	struct cm_msg *m;
	int rc;

	(void)timeout_ms;  /* the fake resolves in one step */
	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_IDLE)
		return -EINVAL;
	rc = verbs_addr_parse(text, true, &addr);
	if (rc)
		return rc;
	if (addr.port == 0)
		return -EINVAL;
	if (strlen(addr.host) > FAKE_HOST_TEXT_MAX)
		return -ENAMETOOLONG;
	m = msg_new(MSG_ROUTE, id->num, id->num);
	if (!m)
		return -ENOMEM;
	m->status = addr.wildcard ? -EADDRNOTAVAIL : 0;
	if (!addr.wildcard) {
		rc = fake_source_assign(id->dev->fab, id, &addr);
		if (rc) {
			free(m);
			return rc;
		}
	}
	id->addr = addr;
	id->peer = addr;
	id->has_peer = !addr.wildcard;
	id->state = ID_RESOLVING;
	msg_send(id->dev->fab, m, 0);
	return 0;
}

static int rd_atom_check(const struct fake_device *dev, const struct verbs_conn_param *p)
{
	if (p->responder_resources > dev->attr.max_qp_rd_atom)
		return -EINVAL;
	if (p->initiator_depth > dev->attr.max_qp_init_rd_atom)
		return -EINVAL;
	return 0;
}

static void fill_pdata(struct cm_msg *m, const struct verbs_conn_param *p)
{
	m->responder_resources = p->responder_resources;
	m->initiator_depth = p->initiator_depth;
	if (p->private_data_len)
		memcpy(m->pdata, p->private_data, p->private_data_len);
}

int fake_connect(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct cm_msg *m;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_ROUTE_RESOLVED || !id->base.qp)
		return -EINVAL;
	rc = rd_atom_check(id->dev, param);
	if (rc)
		return rc;
	m = msg_new(MSG_REQ, id->num, 0);
	if (!m)
		return -ENOMEM;
	fill_pdata(m, param);
	m->pdata_len = VERBS_CONNECT_PDATA_MAX;
	m->addr = id->addr;
	m->src = id->local;
	m->qp_num = id->base.qp->qp_num;
	id->param = *param;
	id->param.private_data = NULL;
	id->state = ID_CONNECTING;
	msg_send(id->dev->fab, m, 0);
	return 0;
}

static void qp_set_retries(struct fake_qp *qp, const struct verbs_conn_param *p)
{
	qp->retry_count = p->retry_count;
	qp->rnr_retry_count = p->rnr_retry_count;
}

int fake_accept(struct verbs_cm_id *base, const struct verbs_conn_param *param)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);
	struct verbs_fake_fabric *fab = id->dev->fab;
	struct fake_qp *qp, *peer;
	struct cm_msg *m;
	int rc;

	if (id->dev->removed)
		return -ENODEV;
	if (id->state != ID_REQ_RECEIVED || !id->base.qp)
		return -EINVAL;
	rc = rd_atom_check(id->dev, param);
	if (rc)
		return rc;
	m = msg_new(MSG_REP, id->num, id->peer_num);
	if (!m)
		return -ENOMEM;
	fill_pdata(m, param);
	m->pdata_len = VERBS_ACCEPT_PDATA_MAX;
	qp = FAKE_OF(struct fake_qp, id->base.qp);
	m->qp_num = qp->base.qp_num;
	/* rdma_accept takes the QP through RTR to RTS. */
	qp_set_retries(qp, param);
	qp->state = VERBS_QPS_RTS;
	fake_sched_qp(qp);
	peer = fake_qp_by_num(fab, id->peer_qp_num);
	if (peer && !peer->peer) {
		qp->peer = peer;
		peer->peer = qp;
	}
	id->param = *param;
	id->param.private_data = NULL;
	id->state = ID_ACCEPTED;
	listener_release_request(fab, id);
	msg_send(fab, m, 0);
	return 0;
}

int fake_reject(struct verbs_cm_id *base, const void *pdata, uint8_t len)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);

	if (id->state != ID_REQ_RECEIVED)
		return -EINVAL;
	id_send_rej(id, VERBS_REJ_CONSUMER_DEFINED, pdata, len);
	listener_release_request(id->dev->fab, id);
	id->state = ID_REJECTED;
	return 0;
}

static void id_qp_fail(struct fake_id *id)
{
	if (id->base.qp)
		fake_qp_fail(FAKE_OF(struct fake_qp, id->base.qp));
}

int fake_disconnect(struct verbs_cm_id *base)
{
	struct fake_id *id = FAKE_OF(struct fake_id, base);

	if (id->state != ID_CONNECTED && id->state != ID_ACCEPTED)
		return -EINVAL;
	id_qp_fail(id);
	id_send_dreq(id);
	id->state = ID_DISCONNECTING;
	return 0;
}

/* ---- message handlers, one per message type ------------------------------------- */

static void on_route(struct fake_id *id, struct cm_msg *m)
{
	if (id->state != ID_RESOLVING)
		return;
	if (m->status) {
		id->state = ID_IDLE;
		fake_event_post(id, VERBS_CM_EVENT_ADDR_ERROR, m->status, NULL, 0);
		return;
	}
	id->state = ID_ROUTE_RESOLVED;
	fake_event_post(id, VERBS_CM_EVENT_ROUTE_RESOLVED, 0, NULL, 0);
}

static void reply_rej(struct verbs_fake_fabric *fab, const struct cm_msg *req, uint8_t reason,
		      const uint8_t *pdata, uint8_t len)
{
	struct cm_msg *m = msg_new(MSG_REJ, 0, req->from);

	if (!m)
		return;
	m->status = reason;
	if (len)
		memcpy(m->pdata, pdata, len);
	m->pdata_len = VERBS_REJECT_PDATA_MAX;
	msg_send(fab, m, 0);
}

/* A full backlog drops the request; the requester retries and finally
 * reports UNREACHABLE. */
static void req_retry_or_give_up(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *active = id_by_num(fab, m->from);
	struct cm_msg *again;

	if (!active || active->state != ID_CONNECTING)
		return;
	if (m->tries >= fab->cm_retries) {
		active->state = ID_IDLE;
		fake_event_post(active, VERBS_CM_EVENT_UNREACHABLE, -ETIMEDOUT, NULL, 0);
		return;
	}
	again = msg_new(MSG_REQ, m->from, 0);
	if (!again)
		return;
	*again = *m;
	again->node.idx = FAKE_HEAP_NONE;
	again->tries++;
	msg_send(fab, again, fab->cm_retry_steps);
}

static void on_req(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *listener = fake_listener_find(fab, &m->addr);
	const struct verbs_fake_fault *fault;
	struct verbs_cm_id *new_base;
	struct fake_id *id;
	struct fake_event *ev;

	if (!listener) {
		reply_rej(fab, m, VERBS_REJ_INVALID_SERVICE_ID, NULL, 0);
		return;
	}
	fault = fake_reject_fault(fab, listener->addr.port);
	if (fault) {
		reply_rej(fab, m, fault->reject_reason ? fault->reject_reason
						       : VERBS_REJ_CONSUMER_DEFINED,
			  fault->private_data, fault->private_data_len);
		return;
	}
	if (listener->pending_requests >= listener->backlog ||
	    fake_id_create(&listener->ch->base, listener->base.context, &new_base)) {
		req_retry_or_give_up(fab, m);
		return;
	}
	id = FAKE_OF(struct fake_id, new_base);
	id->state = ID_REQ_RECEIVED;
	id->listener_num = listener->num;
	id->peer_num = m->from;
	id->peer_qp_num = m->qp_num;
	id->addr = listener->addr;
	id->peer = m->src;
	id->has_peer = true;
	listener->pending_requests++;
	ev = fake_event_post(id, VERBS_CM_EVENT_CONNECT_REQUEST, 0, m, m->pdata_len);
	if (ev) {
		fake_event_set_listener(ev, listener);
		verbs_addr_format(&m->src, ev->ev.peer_addr, sizeof(ev->ev.peer_addr));
	}
}

static void on_rep(struct verbs_fake_fabric *fab, struct fake_id *id, struct cm_msg *m)
{
	struct fake_qp *qp;
	struct cm_msg *rtu;

	if (id->state != ID_CONNECTING || !id->base.qp)
		return;
	qp = FAKE_OF(struct fake_qp, id->base.qp);
	if (qp->state == VERBS_QPS_INIT) {
		qp_set_retries(qp, &id->param);
		qp->state = VERBS_QPS_RTS;
		fake_sched_qp(qp);
	}
	id->peer_num = m->from;
	id->state = ID_CONNECTED;
	fake_event_post(id, VERBS_CM_EVENT_ESTABLISHED, 0, m, m->pdata_len);
	rtu = msg_new(MSG_RTU, id->num, m->from);
	if (rtu)
		msg_send(fab, rtu, 0);
}

static void on_rtu(struct fake_id *id)
{
	if (id->state != ID_ACCEPTED)
		return;
	id->state = ID_CONNECTED;
	fake_event_post(id, VERBS_CM_EVENT_ESTABLISHED, 0, NULL, 0);
}

static void on_rej(struct fake_id *id, struct cm_msg *m)
{
	if (id->state != ID_CONNECTING)
		return;
	id->state = ID_REJECTED;
	fake_event_post(id, VERBS_CM_EVENT_REJECTED, m->status, m, m->pdata_len);
}

static void on_dreq(struct verbs_fake_fabric *fab, struct fake_id *id, struct cm_msg *m)
{
	struct cm_msg *drep;

	if (id->state == ID_CONNECTED || id->state == ID_ACCEPTED) {
		id_qp_fail(id);
		id->state = ID_DISCONNECTED;
		fake_event_post(id, VERBS_CM_EVENT_DISCONNECTED, 0, NULL, 0);
	}
	drep = msg_new(MSG_DREP, id->num, m->from);
	if (drep)
		msg_send(fab, drep, 0);
}

static void on_drep(struct fake_id *id, int status)
{
	if (id->state != ID_DISCONNECTING)
		return;
	id->state = ID_DISCONNECTED;
	fake_event_post(id, VERBS_CM_EVENT_DISCONNECTED, status, NULL, 0);
}

static void deliver(struct verbs_fake_fabric *fab, struct cm_msg *m)
{
	struct fake_id *to = m->type == MSG_REQ ? NULL : id_by_num(fab, m->to);
	struct cm_msg *timeout;

	if (m->type == MSG_REQ) {
		on_req(fab, m);
		return;
	}
	if (!to || to->dev->removed) {
		/* A DREQ nobody answers ends in a timeout for its sender. */
		if (m->type == MSG_DREQ) {
			timeout = msg_new(MSG_DREQ_TIMEOUT, 0, m->from);
			if (timeout)
				msg_send(fab, timeout, (uint64_t)fab->cm_retries * fab->cm_retry_steps);
		}
		return;
	}
	switch (m->type) {
	case MSG_ROUTE:
		on_route(to, m);
		break;
	case MSG_REP:
		on_rep(fab, to, m);
		break;
	case MSG_RTU:
		on_rtu(to);
		break;
	case MSG_REJ:
		on_rej(to, m);
		break;
	case MSG_DREQ:
		on_dreq(fab, to, m);
		break;
	case MSG_DREP:
		on_drep(to, 0);
		break;
	case MSG_DREQ_TIMEOUT:
		on_drep(to, -ETIMEDOUT);
		break;
	case MSG_REQ:
		break;
	}
}

int fake_cm_deliver_due(struct verbs_fake_fabric *fab)
{
	struct fake_heap_node *top;
	int n = 0;

	while ((top = fake_heap_top(&fab->msgs)) && top->key <= fab->now) {
		struct cm_msg *m = verbs_container_of(top, struct cm_msg, node);

		fake_heap_remove(&fab->msgs, top);
		deliver(fab, m);
		free(m);
		n++;
	}
	return n;
}

void fake_cm_device_removed(struct fake_device *dev)
{
	struct verbs_fake_fabric *fab = dev->fab;
	struct fake_link *l;

	for (l = dev->ids.next; l != &dev->ids; l = l->next) {
		struct fake_id *id = verbs_container_of(l, struct fake_id, dev_link);
		struct fake_id *peer;

		fake_event_post(id, VERBS_CM_EVENT_DEVICE_REMOVAL, 0, NULL, 0);
		peer = id_by_num(fab, id->peer_num);
		if (peer && peer->dev != dev &&
		    (peer->state == ID_CONNECTED || peer->state == ID_ACCEPTED)) {
			id_qp_fail(peer);
			peer->state = ID_DISCONNECTED;
			fake_event_post(peer, VERBS_CM_EVENT_DISCONNECTED, 0, NULL, 0);
		}
	}
}
