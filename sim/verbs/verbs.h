/* The verbs shim: one RDMA API, two providers.
 *
 * NVMe/RDMA code is written once against this header and runs over the
 * in-process fake ("fake", deterministic, fault-injecting) or over rdma-core
 * ("ibv": rxe, siw, mlx5, irdma...).  The calls mirror libibverbs and
 * librdmacm so that their rules are the real ones: a QP is created on a CM id
 * (rdma_create_qp), the CM drives it INIT -> RTR -> RTS, work requests are
 * posted in lists and completed through CQs, and errors move a QP to ERR and
 * flush what is outstanding.  See docs/verbs-shim.md.
 *
 * Conventions: every call returning int returns 0 (or a count) on success and
 * -errno on failure.  Nothing blocks: "no event yet" is -EAGAIN.  With the
 * fake provider, polling a CQ or a CM channel advances the fake fabric one
 * scheduler step (see verbs/fake.h).
 */
#ifndef NVMFSIM_VERBS_VERBS_H
#define NVMFSIM_VERBS_VERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct verbs_device;
struct verbs_pd;
struct verbs_mr;
struct verbs_cq;
struct verbs_srq;
struct verbs_qp;
struct verbs_cm_channel;
struct verbs_cm_id;
struct verbs_fake_fabric;

/* ---- device ------------------------------------------------------------ */

struct verbs_open_opts {
	const char *provider;             /* "fake" or "ibv"; NULL means "fake" */
	const char *device;               /* ibv: device name, NULL = first; fake: label */
	struct verbs_fake_fabric *fabric; /* fake: NULL = the process-wide default fabric */
};

/* Limits of a device; a QP, CQ or SRQ asking for more is refused with
 * -EINVAL, one object more than a count allows with -ENOMEM. */
struct verbs_device_attr {
	uint32_t max_pd;
	uint32_t max_mr;
	uint64_t max_mr_size;
	uint32_t max_cq;
	uint32_t max_cqe;
	uint32_t max_qp;
	uint32_t max_qp_wr;
	uint32_t max_sge;
	uint32_t max_inline_data;     /* 0 when the provider does not report it */
	uint32_t max_msg_sz;
	uint8_t max_qp_rd_atom;       /* most responder_resources a QP may offer */
	uint8_t max_qp_init_rd_atom;  /* most initiator_depth a QP may use */
	uint32_t max_srq;             /* 0: the device has no SRQ */
	uint32_t max_srq_wr;
	uint32_t max_srq_sge;
};

/* Every limit as "name value" lines ("max_qp 131072\n"...), each line
 * starting with prefix (may be NULL).  Returns the length written, as
 * snprintf: >= len means it was cut short; -EINVAL for NULL arguments. */
int verbs_device_attr_format(const struct verbs_device_attr *attr, const char *prefix,
			     char *buf, size_t len);

/* Opens a device of the named provider.  -ENODEV: the provider has no
 * device (for ibv: no RDMA device on this machine); -ENOENT: no provider of
 * that name; -EPROTONOSUPPORT: provider known but not built in. */
int verbs_device_open(const struct verbs_open_opts *opts, struct verbs_device **out);
void verbs_device_close(struct verbs_device *dev);
int verbs_device_query(struct verbs_device *dev, struct verbs_device_attr *attr);
const char *verbs_device_provider(const struct verbs_device *dev);
/* Whether a provider of that name is compiled in. */
bool verbs_provider_available(const char *name);

/* ---- protection domain and memory regions ------------------------------ */

int verbs_pd_alloc(struct verbs_device *dev, struct verbs_pd **out);
/* -EBUSY while MRs or QPs still use the PD (as ibv_dealloc_pd). */
int verbs_pd_dealloc(struct verbs_pd *pd);

enum verbs_access {
	VERBS_ACCESS_LOCAL_WRITE = 1u << 0,
	VERBS_ACCESS_REMOTE_WRITE = 1u << 1, /* requires LOCAL_WRITE */
	VERBS_ACCESS_REMOTE_READ = 1u << 2,
	/* The peer may invalidate the rkey with SEND_WITH_INV (what a kernel
	 * fast-registered MR allows).  Fake only; ibv returns -EOPNOTSUPP. */
	VERBS_ACCESS_REMOTE_INVALIDATE = 1u << 3,
};

int verbs_mr_reg(struct verbs_pd *pd, void *addr, size_t length, unsigned int access,
		 struct verbs_mr **out);
int verbs_mr_dereg(struct verbs_mr *mr);
uint32_t verbs_mr_lkey(const struct verbs_mr *mr);
uint32_t verbs_mr_rkey(const struct verbs_mr *mr);

/* ---- completion queues ---------------------------------------------------- */

struct verbs_cq_attr {
	uint32_t cqe;  /* capacity; more outstanding completions than this overruns the CQ */
	bool notify;   /* create a notification fd (verbs_cq_fd) */
};

int verbs_cq_create(struct verbs_device *dev, const struct verbs_cq_attr *attr,
		    struct verbs_cq **out);
/* -EBUSY while a QP still uses the CQ. */
int verbs_cq_destroy(struct verbs_cq *cq);

enum verbs_wc_status {
	VERBS_WC_SUCCESS,
	VERBS_WC_LOC_LEN_ERR,
	VERBS_WC_LOC_QP_OP_ERR,
	VERBS_WC_LOC_PROT_ERR,
	VERBS_WC_WR_FLUSH_ERR,
	VERBS_WC_BAD_RESP_ERR,
	VERBS_WC_LOC_ACCESS_ERR,
	VERBS_WC_REM_INV_REQ_ERR,
	VERBS_WC_REM_ACCESS_ERR,
	VERBS_WC_REM_OP_ERR,
	VERBS_WC_RETRY_EXC_ERR,
	VERBS_WC_RNR_RETRY_EXC_ERR,
	VERBS_WC_FATAL_ERR,
	VERBS_WC_GENERAL_ERR,
};

enum verbs_wc_opcode {
	VERBS_WC_SEND,
	VERBS_WC_RDMA_WRITE,
	VERBS_WC_RDMA_READ,
	VERBS_WC_RECV,
	/* Error completions carry no valid opcode (as in libibverbs); the fake
	 * reports this value so code relying on it shows up in tests. */
	VERBS_WC_OPCODE_INVALID = 0xff,
};

enum { VERBS_WC_WITH_INV = 1u << 0 };

struct verbs_wc {
	uint64_t wr_id;
	enum verbs_wc_status status;
	enum verbs_wc_opcode opcode;  /* valid only when status is SUCCESS */
	uint32_t byte_len;            /* RECV: bytes received; RDMA_READ: bytes read */
	uint32_t qp_num;
	uint32_t src_qp;              /* RECV: the sender's QP number */
	uint32_t wc_flags;            /* VERBS_WC_WITH_INV */
	uint32_t invalidated_rkey;    /* valid with VERBS_WC_WITH_INV */
	uint32_t vendor_err;
};

/* Returns how many completions were written to wc (0..max) or -errno.
 * -EOVERFLOW once the CQ has overrun: it is then unusable, as after
 * IBV_EVENT_CQ_ERR. */
int verbs_poll_cq(struct verbs_cq *cq, int max, struct verbs_wc *wc);
/* Arms the CQ: the next completion added makes verbs_cq_fd readable, once. */
int verbs_cq_req_notify(struct verbs_cq *cq);
/* Consumes one notification: 0, or -EAGAIN when none is pending. */
int verbs_cq_get_event(struct verbs_cq *cq);
/* The notification fd (pollable), or -1 if created without notify. */
int verbs_cq_fd(const struct verbs_cq *cq);

/* ---- connection manager ------------------------------------------------- */

/* Private data limits of the IB/RoCE CM once rdma_cm's own header is
 * subtracted: what fits in a connect request, an accept (REP) and a reject.
 * A peer always receives the whole field, zero padded to these sizes. */
enum {
	VERBS_CONNECT_PDATA_MAX = 56,
	VERBS_ACCEPT_PDATA_MAX = 196,
	VERBS_REJECT_PDATA_MAX = 148,
	VERBS_CM_PDATA_MAX = 196,
};

/* Room for an address as text: "host:port", "[v6addr]:port", NUL included. */
enum { VERBS_ADDR_STR_MAX = 64 };

/* IB CM reject reasons reported as the REJECTED event's status. */
enum {
	VERBS_REJ_TIMEOUT = 1,
	VERBS_REJ_INVALID_SERVICE_ID = 8,  /* nobody listens on that address */
	VERBS_REJ_STALE_CONN = 10,
	VERBS_REJ_CONSUMER_DEFINED = 28,   /* the peer called verbs_cm_reject */
};

enum verbs_cm_event_type {
	VERBS_CM_EVENT_ROUTE_RESOLVED,  /* address and route known; create the QP now */
	VERBS_CM_EVENT_ADDR_ERROR,
	VERBS_CM_EVENT_ROUTE_ERROR,
	VERBS_CM_EVENT_CONNECT_REQUEST, /* on the listener's channel; id is the new id */
	VERBS_CM_EVENT_CONNECT_ERROR,
	VERBS_CM_EVENT_UNREACHABLE,     /* the request was never answered */
	VERBS_CM_EVENT_REJECTED,        /* status: reject reason */
	VERBS_CM_EVENT_ESTABLISHED,
	VERBS_CM_EVENT_DISCONNECTED,    /* status -ETIMEDOUT when the peer never answered */
	VERBS_CM_EVENT_DEVICE_REMOVAL,
};

struct verbs_cm_event {
	enum verbs_cm_event_type type;
	struct verbs_cm_id *id;
	struct verbs_cm_id *listen_id;  /* CONNECT_REQUEST only */
	int status;
	/* From the receiver's point of view, as librdmacm reports them: on a
	 * CONNECT_REQUEST, responder_resources is how many RDMA READs the
	 * peer wants to have outstanding against us (its initiator_depth). */
	uint8_t responder_resources;
	uint8_t initiator_depth;
	uint8_t private_data_len;
	uint8_t private_data[VERBS_CM_PDATA_MAX];
	/* CONNECT_REQUEST only: the connecting end's address, "host:port" or
	 * "[v6addr]:port" (rdma_get_peer_addr of the new id); "" if unknown. */
	char peer_addr[VERBS_ADDR_STR_MAX];
};

struct verbs_conn_param {
	const void *private_data;
	uint8_t private_data_len;
	uint8_t responder_resources;  /* RDMA READs we serve concurrently for the peer */
	uint8_t initiator_depth;      /* RDMA READs we issue concurrently */
	uint8_t retry_count;          /* transport retries, 0..7 */
	uint8_t rnr_retry_count;      /* RNR retries, 0..7; 7 = retry forever */
};

int verbs_cm_channel_create(struct verbs_device *dev, struct verbs_cm_channel **out);
/* -EBUSY while ids still use the channel. */
int verbs_cm_channel_destroy(struct verbs_cm_channel *ch);
/* Copies the next event into ev; 0, or -EAGAIN when none is pending.  No
 * acknowledgement is needed: the event is a copy. */
int verbs_cm_get_event(struct verbs_cm_channel *ch, struct verbs_cm_event *ev);
int verbs_cm_channel_fd(const struct verbs_cm_channel *ch);

int verbs_cm_id_create(struct verbs_cm_channel *ch, void *context, struct verbs_cm_id **out);
/* -EBUSY while a QP is still attached (destroy the QP first).  Destroying a
 * connected id disconnects it. */
int verbs_cm_id_destroy(struct verbs_cm_id *id);
void *verbs_cm_id_context(const struct verbs_cm_id *id);
void verbs_cm_id_set_context(struct verbs_cm_id *id, void *context);
struct verbs_qp *verbs_cm_id_qp(const struct verbs_cm_id *id);
/* The other end's address as "host:port" / "[v6addr]:port" into buf: on an
 * id from a CONNECT_REQUEST the connecting end, on a resolved id the address
 * it resolved.  0; -ENOTCONN when the id has no peer (idle, listening);
 * -ENOSPC when len is too small (VERBS_ADDR_STR_MAX always suffices). */
int verbs_cm_id_peer_addr(const struct verbs_cm_id *id, char *buf, size_t len);

/* Addresses: "host:port", "[v6addr]:port"; the fake also accepts
 * "fake:NAME:PORT".  A host of "*", "0.0.0.0" or "::" listens on all. */
int verbs_cm_listen(struct verbs_cm_id *id, const char *addr, int backlog);
/* Names the source address of an active id before verbs_cm_resolve
 * (rdma_bind_addr): a wildcard host takes the route's, port 0 an ephemeral
 * one.  -EADDRINUSE for a source address already bound; a bound id cannot
 * listen (-EINVAL). */
int verbs_cm_bind(struct verbs_cm_id *id, const char *addr);
/* Resolves address and route; ends with ROUTE_RESOLVED or an error event. */
int verbs_cm_resolve(struct verbs_cm_id *id, const char *addr, int timeout_ms);
int verbs_cm_connect(struct verbs_cm_id *id, const struct verbs_conn_param *param);
int verbs_cm_accept(struct verbs_cm_id *id, const struct verbs_conn_param *param);
int verbs_cm_reject(struct verbs_cm_id *id, const void *private_data, uint8_t len);
/* Moves the QP to ERR and tells the peer; both sides get DISCONNECTED. */
int verbs_cm_disconnect(struct verbs_cm_id *id);

/* ---- queue pairs ---------------------------------------------------------- */

enum verbs_qp_state {
	VERBS_QPS_RESET,
	VERBS_QPS_INIT,
	VERBS_QPS_RTR,
	VERBS_QPS_RTS,
	VERBS_QPS_ERR,
};

struct verbs_qp_caps {
	uint32_t max_send_wr;
	uint32_t max_recv_wr;
	uint32_t max_send_sge;
	uint32_t max_recv_sge;
	uint32_t max_inline_data;
};

struct verbs_qp_init_attr {
	struct verbs_cq *send_cq;
	struct verbs_cq *recv_cq;
	struct verbs_qp_caps cap;
	bool sq_sig_all;  /* every send WR completes, signalled or not */
	void *context;
	/* Receives come from this SRQ (same device); cap.max_recv_wr and
	 * max_recv_sge are then ignored and verbs_post_recv is -EINVAL. */
	struct verbs_srq *srq;
};

/* An RC QP on a CM id (rdma_create_qp): the id must be route-resolved or
 * come from a CONNECT_REQUEST.  The QP starts in INIT; the CM moves it to RTR
 * and RTS on accept / establishment. */
int verbs_qp_create(struct verbs_cm_id *id, struct verbs_pd *pd,
		    const struct verbs_qp_init_attr *attr, struct verbs_qp **out);
int verbs_qp_destroy(struct verbs_qp *qp);
uint32_t verbs_qp_num(const struct verbs_qp *qp);
void *verbs_qp_context(const struct verbs_qp *qp);
int verbs_qp_query(struct verbs_qp *qp, enum verbs_qp_state *state, struct verbs_qp_caps *caps);
/* Moves the QP to ERR; outstanding WRs complete with WR_FLUSH_ERR. */
int verbs_qp_to_error(struct verbs_qp *qp);

struct verbs_sge {
	uint64_t addr;
	uint32_t length;
	uint32_t lkey;
};

enum verbs_wr_opcode {
	VERBS_WR_SEND,
	VERBS_WR_SEND_WITH_INV,
	VERBS_WR_RDMA_WRITE,
	VERBS_WR_RDMA_READ,
};

enum verbs_send_flags {
	VERBS_SEND_SIGNALED = 1u << 0,
	VERBS_SEND_INLINE = 1u << 1,  /* payload copied at post time; lkeys ignored */
	VERBS_SEND_FENCE = 1u << 2,
};

struct verbs_send_wr {
	const struct verbs_send_wr *next;
	uint64_t wr_id;
	const struct verbs_sge *sg_list;
	uint32_t num_sge;
	enum verbs_wr_opcode opcode;
	uint32_t send_flags;
	uint64_t remote_addr;      /* RDMA_WRITE / RDMA_READ */
	uint32_t rkey;             /* RDMA_WRITE / RDMA_READ */
	uint32_t invalidate_rkey;  /* SEND_WITH_INV: the peer's rkey to invalidate */
};

struct verbs_recv_wr {
	const struct verbs_recv_wr *next;
	uint64_t wr_id;
	const struct verbs_sge *sg_list;
	uint32_t num_sge;
};

/* Post a list.  On failure the WRs before *bad_wr are posted, *bad_wr and
 * those after it are not (as ibv_post_send).  -EINVAL: malformed WR or QP
 * state forbids posting; -ENOMEM: queue full. */
int verbs_post_send(struct verbs_qp *qp, const struct verbs_send_wr *wr,
		    const struct verbs_send_wr **bad_wr);
int verbs_post_recv(struct verbs_qp *qp, const struct verbs_recv_wr *wr,
		    const struct verbs_recv_wr **bad_wr);

/* ---- shared receive queues ---------------------------------------------- */

/* A receive queue many QPs draw from (ibv_create_srq).  A SEND arriving on a
 * QP attached to it consumes the oldest receive posted to the SRQ, and
 * completes on that QP's recv CQ with that QP's number; with the SRQ empty
 * the sender gets RNR NAKs.  A QP error flushes its own send queue, not the
 * SRQ.  The receive SGEs must lie in MRs of the SRQ's PD. */
struct verbs_srq_attr {
	uint32_t max_wr;   /* receives outstanding at once; at most max_srq_wr */
	uint32_t max_sge;  /* SGEs per receive; at most max_srq_sge */
};

/* -EINVAL above max_srq_wr / max_srq_sge or for max_wr 0; -ENOMEM beyond
 * max_srq SRQs; -EOPNOTSUPP when the device has none. */
int verbs_srq_create(struct verbs_pd *pd, const struct verbs_srq_attr *attr,
		     struct verbs_srq **out);
/* -EBUSY while a QP is attached. */
int verbs_srq_destroy(struct verbs_srq *srq);
/* The sizes granted (a provider may round up). */
int verbs_srq_query(struct verbs_srq *srq, struct verbs_srq_attr *attr);
/* As verbs_post_recv: -EINVAL for a malformed WR, -ENOMEM when full. */
int verbs_post_srq_recv(struct verbs_srq *srq, const struct verbs_recv_wr *wr,
			const struct verbs_recv_wr **bad_wr);

/* ---- names ------------------------------------------------------------- */

const char *verbs_wc_status_str(enum verbs_wc_status status);
const char *verbs_cm_event_str(enum verbs_cm_event_type type);
const char *verbs_qp_state_str(enum verbs_qp_state state);

#endif
