/* Private to the fake provider: object layouts and the calls its files make
 * into each other.  The fake is split by concern:
 *
 *   fake.c        fabric, limits, device, PD, MR, the ops table
 *   fake_map.c    the index structures (hash map, heap) every lookup uses
 *   fake_qp.c     CQ, SRQ, QP objects and posting
 *   fake_rc.c     executing one send WR: the RC exchange between two QPs
 *   fake_event.c  CM channels and their event queues
 *   fake_addr.c   the address namespace: listeners and source addresses
 *   fake_cm.c     CM ids and the CM messages between them
 *   fake_fault.c  fault injection
 *   fake_sched.c  the seeded generator and the scheduler step
 *
 * Costs: every lookup (QPN, key, id number, listener address, source
 * address) is a hash probe; the scheduler touches only QPs that have work
 * (a heap keyed by when their head WR is due), and memory follows what is
 * in use, never a device limit. */
#ifndef NVMFSIM_VERBS_FAKE_PRIV_H
#define NVMFSIM_VERBS_FAKE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "verbs/fake.h"
#include "verbs/verbs_internal.h"

enum {
	FAKE_RNR_RETRY_FOREVER = 7,
	FAKE_DEFAULT_BACKLOG = 128,
	FAKE_MAX_SGE = 32,  /* the fabric refuses more: WR execution keeps SGEs on the stack */
	/* Source ports of active ids: the IANA dynamic range, handed out in
	 * order (deterministic), skipping ports in use. */
	FAKE_EPHEMERAL_FIRST = 49152,
	FAKE_EPHEMERAL_COUNT = 16384,
	/* "[host]:65535" must fit a VERBS_ADDR_STR_MAX event field. */
	FAKE_HOST_TEXT_MAX = VERBS_ADDR_STR_MAX - sizeof("[]:65535"),
	FAKE_FIRST_QP_NUM = 0x100,
	/* Rings start this small and double up to what was asked for. */
	FAKE_RING_INITIAL = 4,
};

#define FAKE_RNR_ALWAYS UINT32_MAX  /* FORCE_RNR with value 0 */

#define FAKE_OF(type, obj) verbs_container_of(obj, type, base)

/* ---- index structures (fake_map.c) -------------------------------------- */

/* Open-addressing hash map from a non-zero u64 key to a non-NULL pointer.
 * It grows and shrinks with its content; nothing iterates it, so its layout
 * never influences a run. */
struct fake_map_slot {
	uint64_t key;
	void *val;
};

struct fake_map {
	struct fake_map_slot *slots;
	size_t cap, count;
};

void *fake_map_get(const struct fake_map *m, uint64_t key);
/* Inserts or replaces (replacing cannot fail).  -ENOMEM leaves the map
 * unchanged. */
int fake_map_put(struct fake_map *m, uint64_t key, void *val);
void fake_map_del(struct fake_map *m, uint64_t key);
void fake_map_free(struct fake_map *m);

/* Min-heap of nodes embedded in their owners, ordered by (key, tie); ties
 * are unique, so the pop order is a function of the contents alone. */
#define FAKE_HEAP_NONE SIZE_MAX

struct fake_heap_node {
	uint64_t key, tie;
	size_t idx;  /* FAKE_HEAP_NONE when not in a heap */
};

struct fake_heap {
	struct fake_heap_node **v;
	size_t n, cap;
};

int fake_heap_reserve(struct fake_heap *h, size_t n);
/* Never fails once fake_heap_reserve made room. */
int fake_heap_push(struct fake_heap *h, struct fake_heap_node *node);
void fake_heap_remove(struct fake_heap *h, struct fake_heap_node *node);
/* After node->key changed. */
void fake_heap_fix(struct fake_heap *h, struct fake_heap_node *node);
struct fake_heap_node *fake_heap_top(const struct fake_heap *h);
void fake_heap_free(struct fake_heap *h);

/* Hash of a host name and port (wildcards share one host). */
uint64_t fake_addr_key(const struct verbs_addr *a);

/* ---- object layouts ------------------------------------------------------- */

struct fault_slot {
	struct verbs_fake_fault fault;
	uint32_t seen;
	uint32_t applied;
};

struct fake_qp;
struct fake_id;

/* An intrusive doubly-linked list. */
struct fake_link {
	struct fake_link *prev, *next;
};

struct verbs_fake_fabric {
	uint64_t seed;
	uint64_t rng;
	uint64_t now;
	bool manual_step;
	bool is_default;
	uint32_t rnr_steps, retry_steps, cm_retry_steps, cm_retries;
	struct verbs_device_attr limits;
	uint32_t next_key, next_qp_num, next_id_num;
	uint32_t next_port;       /* ephemeral source ports handed out */
	uint64_t next_msg_seq;    /* FIFO order of CM messages due together */
	unsigned int ndevices;
	size_t nqps;
	uint64_t queue_bytes;        /* what every ring holds allocated */
	struct fake_map qp_by_num;   /* QPN -> fake_qp */
	struct fake_map mr_by_key;   /* lkey or rkey -> fake_mr (keys are unique) */
	struct fake_map id_by_num;   /* id number -> fake_id */
	struct fake_map listeners;   /* fake_addr_key -> chain of listening ids */
	struct fake_map port_listeners; /* port -> count of listeners on it */
	struct fake_map sources;     /* fake_addr_key -> chain of ids bound there */
	struct fake_heap msgs;       /* CM messages by (due, seq) */
	struct fake_heap due;        /* RTS QPs with send WRs, by head WR due step */
	struct fake_link flush;      /* ERR QPs still holding WRs */
	struct fake_qp **scratch;    /* one step's QPs, room for every QP */
	size_t scratch_cap;
	struct fault_slot faults[VERBS_FAKE_MAX_FAULTS];
	unsigned int nfaults;
	verbs_fake_trace_fn *trace;
	void *trace_arg;
};

struct fake_device {
	struct verbs_device base;
	struct verbs_fake_fabric *fab;
	struct verbs_device_attr attr;
	bool removed;
	bool closed;
	uint32_t n_pd, n_mr, n_cq, n_qp, n_srq, n_channel;
	struct fake_link ids;  /* newest first */
	struct fake_link qps;  /* oldest first */
};

struct fake_pd {
	struct verbs_pd base;
	struct fake_device *dev;
	uint32_t users;  /* MRs, QPs and SRQs */
};

struct fake_mr {
	struct verbs_mr base;
	struct fake_pd *pd;
	uint64_t addr;
	uint64_t length;
	unsigned int access;
	bool rkey_valid;  /* cleared by SEND_WITH_INV */
};

/* A ring of fixed-size slots that grows by doubling up to cap, so that a
 * queue costs what it holds at its high-water mark, not what it may hold. */
struct fake_ring {
	uint8_t *mem;
	size_t stride;
	uint32_t cap, alloc, head, count;
	uint64_t *bytes;  /* the fabric's queue_bytes, kept current */
};

struct fake_cq {
	struct verbs_cq base;
	struct fake_device *dev;
	struct fake_ring ring;  /* of struct verbs_wc; cap = the size asked for */
	uint32_t users;
	bool overrun;
	bool armed;
	uint32_t pending_events;
};

struct fake_event {
	struct fake_event *next;
	struct verbs_cm_event ev;
};

struct fake_channel {
	struct verbs_cm_channel base;
	struct fake_device *dev;
	struct fake_event *head, *tail;
	uint32_t users;
};

enum id_state {
	ID_IDLE,
	ID_RESOLVING,
	ID_ROUTE_RESOLVED,
	ID_LISTEN,
	ID_CONNECTING,     /* active: REQ sent */
	ID_REQ_RECEIVED,   /* passive: CONNECT_REQUEST delivered */
	ID_ACCEPTED,       /* passive: REP sent, waiting for RTU */
	ID_CONNECTED,
	ID_DISCONNECTING,  /* DREQ sent */
	ID_DISCONNECTED,
	ID_REJECTED,
};

struct fake_id {
	struct verbs_cm_id base;
	struct fake_channel *ch;
	struct fake_device *dev;
	struct fake_link dev_link;
	uint32_t num;
	enum id_state state;
	struct verbs_addr addr;  /* listener: bound; active: resolved destination */
	struct verbs_addr bind_addr; /* what verbs_cm_bind asked for (bound) */
	struct verbs_addr local; /* active: source address, once resolved */
	struct verbs_addr peer;  /* the other end: destination, or requester's source */
	bool has_peer;
	bool bound;              /* verbs_cm_bind named the source */
	bool in_sources;         /* local is in fab->sources */
	struct fake_id *addr_next;  /* chain in fab->listeners or fab->sources */
	uint32_t queued_events;  /* events in ch naming this id (id or listen_id) */
	int backlog;
	int pending_requests;   /* listener: CONNECT_REQUESTs not yet answered */
	uint32_t listener_num;  /* passive: the listener it came from */
	uint32_t peer_num;      /* the other end's id */
	uint32_t peer_qp_num;   /* passive: the requester's QP */
	struct verbs_conn_param param;  /* own connect/accept parameters */
};

/* A send WR; its SGEs and inline bytes follow it in the ring slot. */
struct fake_swr {
	uint64_t wr_id;
	enum verbs_wr_opcode opcode;
	uint32_t flags;
	uint64_t remote_addr;
	uint32_t rkey;
	uint32_t invalidate_rkey;
	uint32_t num_sge;
	uint64_t length;
	uint64_t ready_at;
	uint32_t rnr_tries;
	uint32_t transport_tries;
	uint32_t forced_rnr;
	uint32_t corrupt_bytes;
	bool faults_evaluated;
	bool forced_access_error;
};

/* A receive WR; its SGEs follow it in the ring slot. */
struct fake_rwr {
	uint64_t wr_id;
	uint32_t num_sge;
};

struct fake_srq {
	struct verbs_srq base;
	struct fake_device *dev;
	struct fake_pd *pd;
	uint32_t max_wr, max_sge;
	struct fake_ring rq;
	uint32_t users;  /* QPs attached */
};

struct fake_qp {
	struct verbs_qp base;
	struct fake_device *dev;
	struct fake_pd *pd;
	struct fake_cq *send_cq, *recv_cq;
	struct fake_srq *srq;
	struct fake_id *id;
	struct fake_qp *peer;
	struct fake_link dev_link;
	struct fake_link flush_link;  /* in fab->flush when prev != NULL */
	struct fake_heap_node due;    /* in fab->due: key = head WR's ready_at */
	enum verbs_qp_state state;
	struct verbs_qp_caps caps;
	bool sig_all;
	bool link_down;
	uint8_t retry_count, rnr_retry_count;
	struct fake_ring sq, rq;
	uint32_t sq_unsignaled;  /* executed unsignaled WRs still holding a slot */
	struct verbs_fake_qp_counters ctr;
};

enum cm_msg_type {
	MSG_ROUTE,       /* resolve finished */
	MSG_REQ,
	MSG_REP,
	MSG_RTU,
	MSG_REJ,
	MSG_DREQ,
	MSG_DREP,
	MSG_DREQ_TIMEOUT,
};

struct cm_msg {
	struct fake_heap_node node;  /* key = due step, tie = send order */
	enum cm_msg_type type;
	uint32_t from, to;  /* id numbers: an id may be gone by delivery */
	uint32_t qp_num;
	uint32_t tries;
	int status;
	struct verbs_addr addr;  /* REQ: destination */
	struct verbs_addr src;   /* REQ: the requester's source address */
	uint8_t responder_resources, initiator_depth;
	uint8_t pdata_len;
	uint8_t pdata[VERBS_CM_PDATA_MAX];
};

/* ---- lists ---------------------------------------------------------------- */

static inline void fake_list_init(struct fake_link *head)
{
	head->prev = head->next = head;
}

static inline bool fake_list_linked(const struct fake_link *l)
{
	return l->prev != NULL;
}

static inline void fake_list_add_tail(struct fake_link *head, struct fake_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static inline void fake_list_add_head(struct fake_link *head, struct fake_link *l)
{
	fake_list_add_tail(head->next, l);
}

static inline void fake_list_del(struct fake_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

/* ---- calls between the files ------------------------------------------- */

/* fake.c */
void fake_device_release(struct fake_device *dev);
struct fake_mr *fake_mr_by_lkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				uint32_t lkey);
struct fake_mr *fake_mr_by_rkey(struct verbs_fake_fabric *fab, const struct fake_pd *pd,
				uint32_t rkey);
bool fake_mr_covers(const struct fake_mr *mr, uint64_t addr, uint64_t len);

/* fake_sched.c */
uint64_t fake_rng_next(struct verbs_fake_fabric *fab);
uint64_t fake_rng_below(struct verbs_fake_fabric *fab, uint64_t bound);
/* Puts a QP in, or takes it out of, the due heap and the flush list after
 * its state or queues changed.  Never fails: room is reserved per QP. */
void fake_sched_qp(struct fake_qp *qp);
void fake_sched_forget(struct fake_qp *qp);
int fake_sched_reserve(struct verbs_fake_fabric *fab, size_t nqps);

/* fake_qp.c */
int fake_cq_create(struct verbs_device *dev, const struct verbs_cq_attr *attr,
		   struct verbs_cq **out);
int fake_cq_destroy(struct verbs_cq *cq);
int fake_poll_cq(struct verbs_cq *cq, int max, struct verbs_wc *wc);
int fake_cq_req_notify(struct verbs_cq *cq);
int fake_cq_get_event(struct verbs_cq *cq);
void fake_cq_push(struct fake_cq *cq, const struct verbs_wc *wc);
int fake_srq_create(struct verbs_pd *pd, const struct verbs_srq_attr *attr,
		    struct verbs_srq **out);
int fake_srq_destroy(struct verbs_srq *srq);
int fake_srq_query(struct verbs_srq *srq, struct verbs_srq_attr *attr);
int fake_post_srq_recv(struct verbs_srq *srq, const struct verbs_recv_wr *wr,
		       const struct verbs_recv_wr **bad_wr);
int fake_qp_create(struct verbs_cm_id *id, struct verbs_pd *pd,
		   const struct verbs_qp_init_attr *attr, struct verbs_qp **out);
int fake_qp_destroy(struct verbs_qp *qp);
int fake_qp_query(struct verbs_qp *qp, enum verbs_qp_state *state, struct verbs_qp_caps *caps);
int fake_qp_to_error(struct verbs_qp *qp);
int fake_post_send(struct verbs_qp *qp, const struct verbs_send_wr *wr,
		   const struct verbs_send_wr **bad_wr);
int fake_post_recv(struct verbs_qp *qp, const struct verbs_recv_wr *wr,
		   const struct verbs_recv_wr **bad_wr);
struct fake_qp *fake_qp_by_num(struct verbs_fake_fabric *fab, uint32_t num);
void fake_qp_fail(struct fake_qp *qp);
void fake_complete_error(struct fake_cq *cq, const struct fake_qp *qp, uint64_t wr_id,
			 enum verbs_wc_status status);
void *fake_ring_slot(const struct fake_ring *r, uint32_t i);
void *fake_ring_head(const struct fake_ring *r);
void fake_ring_pop(struct fake_ring *r);
struct verbs_sge *fake_swr_sge(struct fake_swr *wr);
uint8_t *fake_swr_inline(const struct fake_qp *qp, struct fake_swr *wr);
struct verbs_sge *fake_rwr_sge(struct fake_rwr *wr);
uint64_t fake_sge_total(const struct verbs_sge *sge, uint32_t n);

/* fake_rc.c */
enum exec_result {
	EXEC_DONE,     /* completed (success or error) */
	EXEC_WAIT,     /* held for a later step: delay, RNR or transport retry */
};

enum exec_result fake_exec_head(struct fake_qp *qp);

/* fake_event.c */
int fake_channel_create(struct verbs_device *dev, struct verbs_cm_channel **out);
int fake_channel_destroy(struct verbs_cm_channel *ch);
int fake_get_event(struct verbs_cm_channel *ch, struct verbs_cm_event *ev);
/* Queues an event for id's channel; the payload is zero padded to pad_len.
 * NULL when out of memory (the event is lost; the peer times out). */
struct fake_event *fake_event_post(struct fake_id *id, enum verbs_cm_event_type type, int status,
				   const struct cm_msg *m, uint8_t pad_len);
void fake_event_set_listener(struct fake_event *e, struct fake_id *listener);
/* Drops the queued events naming a destroyed id. */
void fake_events_purge(struct fake_channel *ch, struct fake_id *id);

/* fake_addr.c */
/* The listener for a connect to a (not wildcard) address, or NULL. */
struct fake_id *fake_listener_find(struct verbs_fake_fabric *fab, const struct verbs_addr *a);
bool fake_listen_conflicts(const struct verbs_fake_fabric *fab, const struct verbs_addr *a);
int fake_listener_add(struct verbs_fake_fabric *fab, struct fake_id *id,
		      const struct verbs_addr *a);
void fake_listener_del(struct verbs_fake_fabric *fab, struct fake_id *id);
/* Claims id->local; -EADDRINUSE when taken. */
int fake_source_claim(struct verbs_fake_fabric *fab, struct fake_id *id);
/* Gives a resolving id its source address (bound, else dst's host and an
 * ephemeral port): -EADDRINUSE, -EADDRNOTAVAIL, -ENOMEM. */
int fake_source_assign(struct verbs_fake_fabric *fab, struct fake_id *id,
		       const struct verbs_addr *dst);
void fake_source_release(struct verbs_fake_fabric *fab, struct fake_id *id);

/* fake_cm.c */
int fake_id_create(struct verbs_cm_channel *ch, void *context, struct verbs_cm_id **out);
int fake_id_destroy(struct verbs_cm_id *id);
int fake_bind(struct verbs_cm_id *id, const char *addr);
int fake_listen(struct verbs_cm_id *id, const char *addr, int backlog);
int fake_resolve(struct verbs_cm_id *id, const char *addr, int timeout_ms);
int fake_connect(struct verbs_cm_id *id, const struct verbs_conn_param *param);
int fake_accept(struct verbs_cm_id *id, const struct verbs_conn_param *param);
int fake_reject(struct verbs_cm_id *id, const void *pdata, uint8_t len);
int fake_disconnect(struct verbs_cm_id *id);
int fake_peer_addr(const struct verbs_cm_id *id, char *buf, size_t len);
/* Delivers every CM message due now; returns how many. */
int fake_cm_deliver_due(struct verbs_fake_fabric *fab);
void fake_cm_free_msgs(struct verbs_fake_fabric *fab);
/* DEVICE_REMOVAL to the device's ids, DISCONNECTED to their peers. */
void fake_cm_device_removed(struct fake_device *dev);

/* fake_fault.c */
void fake_faults_apply_to_wr(struct verbs_fake_fabric *fab, struct fake_qp *qp,
			     struct fake_swr *wr);
/* The REJECT_CONNECT fault that fires for a request to port, or NULL. */
const struct verbs_fake_fault *fake_reject_fault(struct verbs_fake_fabric *fab, uint16_t port);

#endif
