/* The target wing's private header: one for the layer, as nvmet.h is for
 * drivers/nvme/target.  Nothing outside sim/target includes it. */
#ifndef NVSIM_TARGET_PRIV_H
#define NVSIM_TARGET_PRIV_H

#include <nvme/types.h>

#include "spec/status.h"
#include "target/target.h"

#define NVSIM_CONNECT_DATA_LEN 1024u
#define NVSIM_SUBSYS_MAX_INJECT 16u

struct nvsim_host_entry {
	char nqn[NVSIM_NQN_MAX + 1];
};

struct nvsim_subsys {
	struct nvsim_target *target;
	struct nvsim_subsys *next;
	struct nvsim_subsys *hash_next; /* in the target's NQN index */
	char nqn[NVSIM_NQN_MAX + 1];
	char serial[21];
	char model[41];
	bool discovery;
	bool allow_any_host;
	uint32_t max_namespaces;
	/* Indexed by nsid - 1, shared by every controller; grown to the
	 * highest NSID added (ns_cap entries), so an unused NN costs nothing. */
	struct nvsim_ns **ns;
	uint32_t ns_cap;

	struct nvsim_host_entry *hosts; /* grown as hosts are allowed */
	unsigned int nr_hosts, hosts_cap;

	struct nvsim_inject_rule *inject; /* allocated at the first rule */
	unsigned int nr_inject;

	struct nvsim_assoc *assocs; /* live controllers */
	unsigned int nr_assocs;
	uint16_t next_cntlid;
};

struct nvsim_referral {
	struct nvsim_port_config cfg;
	char traddr[NVMF_TRADDR_SIZE + 1];
	char trsvcid[NVMF_TRSVCID_SIZE + 1];
};

struct nvsim_port {
	struct nvsim_target *target;
	struct nvsim_port *next;
	struct nvsim_port_config cfg;
	char traddr[NVMF_TRADDR_SIZE + 1];
	char trsvcid[NVMF_TRSVCID_SIZE + 1];
	struct nvsim_subsys *subsys[NVSIM_PORT_MAX_SUBSYS];
	unsigned int nr_subsys;
	struct nvsim_referral referrals[NVSIM_PORT_MAX_REFERRALS];
	unsigned int nr_referrals;
};

/* One host association: a controller with its admin and I/O queues. */
struct nvsim_assoc {
	struct nvsim_subsys *subsys;
	struct nvsim_assoc *next;
	struct nvsim_port *port;
	struct nvsim_ctrl *ctrl;
	uint16_t cntlid;
	char hostnqn[NVSIM_NQN_MAX + 1];
	uint8_t hostid[16];
	struct nvsim_tq *admin;
	struct nvsim_tq **io; /* indexed by qid, 1..max_io_queues */
	unsigned int refs;    /* bound queues */
	bool expired;	      /* keep-alive timer ran out; ended at the next poll */
	bool ending;
};

enum nvsim_tq_state {
	NVSIM_TQ_WAIT_CONNECT,
	NVSIM_TQ_LIVE,
	NVSIM_TQ_TERMINATED, /* told the transport to go; waiting for destroy */
};

struct nvsim_cid_set {
	uint32_t *slots;
	uint32_t mask;
	uint32_t count;
};

int nvsim_cid_set_init(struct nvsim_cid_set *s, uint32_t max_entries);
void nvsim_cid_set_free(struct nvsim_cid_set *s);
/* false when cid is already in the set */
bool nvsim_cid_set_add(struct nvsim_cid_set *s, uint16_t cid);
void nvsim_cid_set_del(struct nvsim_cid_set *s, uint16_t cid);

/* Host errors seen on one queue, by reason: the first of each is logged,
 * the rest counted and summed up when the queue goes. */
#define NVSIM_TQ_REASONS 16u

struct nvsim_tq_reason {
	char what[72];
	uint32_t count;
};

struct nvsim_tq {
	struct nvsim_target *target;
	struct nvsim_port *port;
	const struct nvsim_tq_ops *ops;
	void *ops_arg;
	enum nvsim_tq_state state;
	struct nvsim_assoc *assoc;
	uint16_t qid;
	uint16_t sqsize;
	uint16_t sqhd;
	bool sqflow_disabled;
	uint32_t outstanding; /* capsules not yet answered, Connect included */
	struct nvsim_cid_set cids; /* CIDs of commands the controller holds */
	struct nvsim_tq *next_live; /* on the target's list of queues */
	struct nvsim_tq **pprev_live; /* what points at us there: O(1) unlink */
	/* Command contexts, sqsize + 1 of them from Connect on (the queue
	 * refuses more outstanding): a command never allocates. */
	struct tq_cmd *cmds;
	struct tq_cmd *free_cmds;
	char peer[80];		    /* nvsim_tq_set_peer; "" when unknown */
	/* nvsim_tq_set_transport_queue: what the transport set up before
	 * Connect, which Connect must match. */
	bool xport_known;
	uint16_t xport_qid, xport_sqsize;
	struct nvsim_tq_reason reasons[NVSIM_TQ_REASONS];
	unsigned int nr_reasons;
	uint32_t other_reasons; /* errors of reasons the table had no room for */
};

struct nvsim_target {
	struct nvsim_target_config cfg;
	struct nvsim_subsys *subsystems;
	struct nvsim_subsys **subsys_tail; /* where the next one is linked */
	/* Subsystems by NQN: adding and finding stay O(1) with thousands. */
	struct nvsim_subsys **subsys_index;
	size_t index_size; /* a power of two, 0 before the first */
	size_t nr_subsys;
	struct nvsim_subsys *discovery;
	struct nvsim_port *ports;
	struct nvsim_tq *queues;
	uint64_t genctr;
	uint64_t seed_counter; /* each controller gets its own fault-injection seed */
	uint64_t admin_connects; /* accepted, for dies-mid-run */
	bool dead;		 /* dies-mid-run struck */
};

/* target.c */
void nvsim_target_changed(struct nvsim_target *t);
/* Whether a line at level would be logged (a log callback and the level). */
bool nvsim_target_logs(const struct nvsim_target *t, enum nvsim_log_level level);
void nvsim_target_log(struct nvsim_target *t, enum nvsim_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "Invalid Field in Command": the status's name without libnvme's gloss. */
const char *nvsim_status_name(uint16_t status, bool fabrics, char *buf, size_t len);
bool nvsim_subsys_host_allowed(const struct nvsim_subsys *s, const char *hostnqn);
struct nvsim_assoc *nvsim_assoc_find(struct nvsim_subsys *s, uint16_t cntlid);
int nvsim_assoc_create(struct nvsim_subsys *s, struct nvsim_port *port, const char *hostnqn,
		       const uint8_t hostid[16], struct nvsim_assoc **out);
void nvsim_assoc_put(struct nvsim_assoc *a);
void nvsim_assoc_end(struct nvsim_assoc *a);

/* connect.c: Connect on a queue still waiting for it. */
int nvsim_connect_exec(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		       struct nvsim_cqe *cqe);

/* discovery.c */
size_t nvsim_discovery_log_size(void *assoc);
void nvsim_discovery_log_fill(void *assoc, uint8_t *buf, size_t len);

/* queue.c */
void nvsim_tq_terminate(struct nvsim_tq *tq);
/* At Connect: contexts for the n commands the queue may hold.  -ENOMEM. */
int nvsim_tq_cmds_init(struct nvsim_tq *tq, uint32_t n);
/* ctrl event: a dropped command's wrapper is released without completion */
void nvsim_tq_command_discarded(void *events_arg, void *done_arg);
/* ctrl event: where the controller found a command's error, for the log */
void nvsim_tq_command_failed(void *events_arg, void *done_arg, uint16_t status, uint16_t err_loc);
/* nvsim_tq_fail with the transport's reason for the log: what names the
 * check (one log line per queue for each), detail the values (may be NULL). */
int nvsim_tq_fail_why(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
		      uint16_t err_loc, const char *what, const char *detail, nvsim_done_fn done,
		      void *arg);
/* One host error on the queue: logged at level the first time for its
 * reason (what), at debug after that; counted for the teardown line. */
void nvsim_tq_note(struct nvsim_tq *tq, enum nvsim_log_level level, const char *what,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
