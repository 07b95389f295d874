/* The controller model's private header: one for the whole layer, as
 * drivers/nvme/target keeps nvmet.h.  Nothing outside sim/ctrl includes it. */
#ifndef NVSIM_CTRL_PRIV_H
#define NVSIM_CTRL_PRIV_H

#include <nvme/types.h>

#include "ctrl/ctrl.h"
#include "ctrl/ns.h"
#include "spec/status.h"

#define NVSIM_PAGE_SIZE 4096u
#define NVSIM_CHANGED_NS_MAX 1024u /* entries in the Changed Namespace List log */
#define NVSIM_EVENTS_MAX 16u	   /* queued asynchronous events awaiting an AER */
#define NVSIM_INJECT_RULES_MAX 64u
#define NVSIM_CAP_TO_500MS 15u /* CAP.TO: 7.5 s, as nvmet */
#define NVSIM_TEMP_DEFAULT_K 313u
#define NVSIM_TEMP_OVER_DEFAULT_K 343u /* WCTEMP */
#define NVSIM_TEMP_CRIT_K 353u	       /* CCTEMP */

/* A handler either completes now (status >= 0) or keeps the request. */
#define NVSIM_REQ_DEFERRED (-1)

enum nvsim_req_state {
	NVSIM_REQ_EXECUTING,
	NVSIM_REQ_AER_WAITING,
	NVSIM_REQ_DELAYED,
	NVSIM_REQ_DROPPED,
};

struct nvsim_queue {
	uint16_t qid;
	uint16_t sqsize; /* 0's based */
	uint16_t sqhd;
	uint32_t outstanding;
	/* this queue's commands on ctrl->pending, so that Abort and queue
	 * deletion look only at them */
	struct nvsim_req *parked_head, *parked_tail;
};

struct nvsim_req {
	struct nvsim_ctrl *ctrl;
	struct nvsim_queue *queue;
	struct nvsim_sqe sqe;
	struct nvsim_data *data;
	nvsim_done_fn done;
	void *done_arg;

	uint32_t dw0;
	uint32_t dw1;
	uint16_t status;
	uint16_t err_loc;
	uint64_t err_lba;
	bool has_err_lba;

	enum nvsim_req_state state;
	uint64_t delay_ns;	 /* hold the completion this long (slow namespace, injection) */
	uint64_t complete_at_ns; /* when parked as delayed */
	uint64_t seq;		 /* submission order: ties among delayed completions */
	struct nvsim_req *prev, *next;	 /* on ctrl->pending while not completed */
	struct nvsim_req *qprev, *qnext; /* on queue->parked likewise */
	uint32_t heap_idx;		 /* in ctrl->delayed while NVSIM_REQ_DELAYED */
};

struct nvsim_inject_slot {
	struct nvsim_inject_rule rule;
	uint64_t matches;
	uint64_t fired;
	bool used;
};

struct nvsim_ctrl {
	struct nvsim_ctrl_config cfg;

	/* registers */
	uint64_t cap;
	uint32_t vs;
	uint32_t cc;
	uint32_t csts;

	/* queues: the admin queue plus lazily allocated I/O queues 1..max */
	struct nvsim_queue admin;
	struct nvsim_queue **ioq;
	uint32_t nr_io_queues_live;
	uint16_t io_queues_granted; /* 1-based count */

	/* namespaces, indexed by nsid - 1 */
	struct nvsim_ns **ns;

	/* features, current values */
	uint32_t feat_arbitration;
	uint32_t feat_power_mgmt;
	uint16_t feat_temp_over;
	uint16_t feat_temp_under;
	uint32_t feat_error_recovery;
	bool feat_vwc_enabled;
	uint32_t feat_write_atomicity;
	uint32_t feat_aec;
	uint32_t kato_ms;
	uint8_t hostid[16];

	/* keep alive */
	uint64_t last_keep_alive_ns;
	bool kato_expiry_reported;

	/* asynchronous events */
	uint32_t aer_outstanding;
	uint32_t events[NVSIM_EVENTS_MAX];
	uint32_t nr_events;
	bool notice_ns_masked; /* until the Changed Namespace List is read with RAE=0 */
	bool error_event_masked;
	bool smart_event_masked;

	/* logs */
	struct nvme_error_log_page *errlog; /* ring of elpe + 1, newest at errlog_head */
	uint32_t errlog_head;
	uint64_t error_count;
	uint32_t changed_ns[NVSIM_CHANGED_NS_MAX];
	uint32_t nr_changed_ns;
	bool changed_ns_overflow;
	uint16_t temperature_k;
	uint64_t created_ns;

	/* commands not yet completed: AERs, delayed and dropped ones */
	struct nvsim_req *pending_head, *pending_tail;
	uint64_t next_seq;
	uint32_t nr_reqs; /* requests alive, parked or executing */
	/* delayed requests, a binary min-heap on (complete_at_ns, seq) with
	 * room for every live request, so parking never allocates */
	struct nvsim_req **delayed;
	uint32_t nr_delayed, delayed_cap;

	/* fault injection */
	struct nvsim_inject_slot inject[NVSIM_INJECT_RULES_MAX];
	uint64_t prng;
};

/* Whether a misbehaviour switch is on (ctrl.h); false in every real use. */
static inline bool nvsim_quirk(const struct nvsim_ctrl *ctrl, nvsim_quirks_t q)
{
	return (ctrl->cfg.quirks & q) != 0;
}

/* ctrl.c */
uint64_t nvsim_now(const struct nvsim_ctrl *ctrl);
struct nvsim_queue *nvsim_queue_get(struct nvsim_ctrl *ctrl, uint16_t qid);
void nvsim_req_complete(struct nvsim_req *req);
void nvsim_req_park(struct nvsim_req *req, enum nvsim_req_state state);
void nvsim_req_unpark(struct nvsim_req *req);
void nvsim_ctrl_reset_queues(struct nvsim_ctrl *ctrl);
uint16_t nvsim_req_fail(struct nvsim_req *req, uint16_t status, uint16_t err_loc);
uint16_t nvsim_req_check_data_len(struct nvsim_req *req, uint64_t need);
size_t nvsim_req_data_len(const struct nvsim_req *req);
uint64_t nvsim_mdts_bytes(const struct nvsim_ctrl *ctrl);

/* namespaces: NULL for an NSID outside 1..NN or not attached */
struct nvsim_ns *nvsim_ns_get(struct nvsim_ctrl *ctrl, uint32_t nsid);
bool nvsim_nsid_in_range(const struct nvsim_ctrl *ctrl, uint32_t nsid);

/* regs.c */
void nvsim_regs_init(struct nvsim_ctrl *ctrl);
int nvsim_exec_fabrics(struct nvsim_req *req);

/* admin.c */
int nvsim_exec_admin(struct nvsim_req *req);

/* identify.c */
int nvsim_exec_identify(struct nvsim_req *req);

/* log.c */
int nvsim_exec_get_log_page(struct nvsim_req *req);
int nvsim_errlog_init(struct nvsim_ctrl *ctrl);
void nvsim_errlog_record(struct nvsim_ctrl *ctrl, const struct nvsim_req *req);
void nvsim_changed_ns_add(struct nvsim_ctrl *ctrl, uint32_t nsid);

/* features.c */
void nvsim_features_reset(struct nvsim_ctrl *ctrl);
int nvsim_exec_set_features(struct nvsim_req *req);
int nvsim_exec_get_features(struct nvsim_req *req);

/* aer.c */
int nvsim_exec_aer(struct nvsim_req *req);
void nvsim_aen_post(struct nvsim_ctrl *ctrl, uint8_t type, uint8_t info, uint8_t lid);
void nvsim_aen_notice_ns_changed(struct nvsim_ctrl *ctrl, uint32_t nsid);
void nvsim_aer_abort_all(struct nvsim_ctrl *ctrl);

/* keepalive.c */
int nvsim_exec_keep_alive(struct nvsim_req *req);
void nvsim_keep_alive_touch(struct nvsim_ctrl *ctrl);
void nvsim_keep_alive_check(struct nvsim_ctrl *ctrl);
uint32_t nvsim_kato_round(const struct nvsim_ctrl *ctrl, uint32_t kato_ms);

/* io.c */
int nvsim_exec_io(struct nvsim_req *req);

/* inject.c */
/* Applies the first matching rule.  Returns true when the request was fully
 * handled (status injected or dropped); sets *delay_ns for delays. */
bool nvsim_inject_apply(struct nvsim_ctrl *ctrl, struct nvsim_req *req, uint64_t *delay_ns);

/* deterministic PRNG (splitmix64) shared by injection */
uint64_t nvsim_prng_next(uint64_t *state);

#endif
