/* The NVMe-oF target wing: subsystems, the dynamic controller model, Connect
 * and the other Fabrics commands, the discovery subsystem, and the fabric
 * queues a transport binds to.  Transport-agnostic: a transport (sim/target's
 * rdma.c, tests' loopback) creates one nvsim_tq per connection and feeds it
 * command capsules; everything else happens here and in sim/ctrl.
 *
 * Library calls return -errno.  Command outcomes are NVMe statuses in the
 * CQE handed to the transport's done callback.
 */
#ifndef NVSIM_TARGET_TARGET_H
#define NVSIM_TARGET_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "ctrl/ctrl.h"
#include "spec/cqe.h"
#include "spec/sqe.h"

struct nvsim_target;
struct nvsim_subsys;
struct nvsim_port;
struct nvsim_tq;

#define NVSIM_NQN_MAX 223u	   /* NVMe Base 2.0 §4.5 (approx.): at most 223 bytes */
#define NVSIM_ADMIN_SQSIZE_MAX 31u /* admin queue: 32 entries (Linux NVME_AQ_DEPTH) */
#define NVSIM_CNTLID_MIN 1u
#define NVSIM_CNTLID_MAX 0xffefu /* FFF0h..FFFFh are reserved (dynamic model) */
#define NVSIM_DISC_KATO_DEFAULT_MS 120000u /* discovery KATO 0 means this (nvmet, SPDK) */
#define NVSIM_SUBSYS_MAX_HOSTS 256u	   /* allowed hosts per subsystem */
#define NVSIM_PORT_MAX_SUBSYS 256u	   /* subsystems a port exposes */
#define NVSIM_PORT_MAX_REFERRALS 32u	   /* referrals per port */
#define NVSIM_DEFAULT_NN 1024u		   /* NN when the config says 0 (as Linux nvmet) */

/* How much the target says about what hosts do wrong (nvsim_target_config.log). */
enum nvsim_log_level {
	NVSIM_LOG_ERROR,
	NVSIM_LOG_WARN,	 /* refused queues and Connects */
	NVSIM_LOG_INFO,	 /* + per queue the first command error of each reason, counts at close */
	NVSIM_LOG_DEBUG, /* + every occurrence */
};

/* dies-mid-run (NVSIM_QUIRK_DIES_MID_RUN): the target goes silent after
 * accepting this many admin Connects, mid-way through a default-level
 * conformance run. */
#define NVSIM_DIES_AFTER_CONNECTS 60u

struct nvsim_target_config {
	/* Controller limits and behaviour, applied to every controller the
	 * target creates (see struct nvsim_ctrl_config). */
	uint16_t mqes;
	uint16_t max_io_queues;
	uint8_t mdts;
	uint16_t kas;
	enum nvsim_kato_zero_policy kato_zero;
	bool traffic_based_keep_alive;
	uint32_t discovery_kato_ms; /* what a discovery Connect with KATO 0 gets */

	/* Transport facts advertised in Identify Controller. */
	uint8_t trtype;
	uint32_t in_capsule_data; /* bytes of in-capsule data accepted (IOCCSZ) */
	uint8_t msdbd;
	bool keyed_sgl;

	uint64_t seed;
	struct nvsim_clock clock;
	nvsim_quirks_t quirks; /* NVSIM_QUIRK_* bits: deliberate misbehaviour, tests only */

	/* Told when a host association (a controller) begins and ends, for
	 * logs.  Optional. */
	void (*assoc_event)(void *arg, bool up, const char *subnqn, const char *hostnqn,
			    uint16_t cntlid);
	/* Why a queue or Connect was refused, or a command failed because of
	 * what the host sent: one line, without a newline, at or below
	 * log_level.  Optional; shares event_arg. */
	void (*log)(void *arg, enum nvsim_log_level level, const char *line);
	enum nvsim_log_level log_level; /* default NVSIM_LOG_INFO */
	void *event_arg;
};

/* Defaults: MQES 1023, 128 I/O queues, MDTS 8 (1 MiB), KAS 1 s, nvmet's KATO
 * policy, discovery KATO 120 s, RDMA, 4 KiB in-capsule data, MSDBD 1. */
void nvsim_target_config_init(struct nvsim_target_config *cfg);
int nvsim_target_create(const struct nvsim_target_config *cfg, struct nvsim_target **out);
/* Ends every association; queues still bound are told to disconnect. */
void nvsim_target_destroy(struct nvsim_target *t);
/* Advance time: delayed completions, keep-alive expiry. */
int nvsim_target_poll(struct nvsim_target *t);
/* dies-mid-run has struck: transports must do nothing more until stopped. */
bool nvsim_target_dead(const struct nvsim_target *t);

/* ---- subsystems ------------------------------------------------------------ */

struct nvsim_subsys_config {
	const char *nqn;
	const char *serial; /* NULL: derived from the NQN */
	const char *model;  /* NULL: "nvmf-sim" */
	bool allow_any_host;
	uint32_t max_namespaces; /* NN; 0 = 1024 */
};

/* -EINVAL for a malformed NQN (named in the message of nvsim_nqn_check),
 * -EEXIST when the NQN is taken, -ENOMEM. */
int nvsim_subsys_add(struct nvsim_target *t, const struct nvsim_subsys_config *cfg,
		     struct nvsim_subsys **out);
struct nvsim_subsys *nvsim_subsys_find(struct nvsim_target *t, const char *nqn);
/* -EINVAL: not an NQN; -EEXIST: already allowed; -ENOSPC: already
 * NVSIM_SUBSYS_MAX_HOSTS; -ENOMEM. */
int nvsim_subsys_allow_host(struct nvsim_subsys *s, const char *hostnqn);
/* Namespaces are shared by every controller of the subsystem.  -EINVAL:
 * nsid 0 or above NN; -EEXIST: nsid taken; else what opening it returned. */
int nvsim_subsys_add_ns(struct nvsim_subsys *s, uint32_t nsid, const struct nvsim_ns_config *cfg);
int nvsim_subsys_remove_ns(struct nvsim_subsys *s, uint32_t nsid);
/* Fault-injection rules applied to every controller of the subsystem,
 * present and future.  Returns 0 or -errno. */
int nvsim_subsys_inject_add(struct nvsim_subsys *s, const struct nvsim_inject_rule *rule);
/* The same rule on every NVM subsystem of the target. */
int nvsim_target_inject_add(struct nvsim_target *t, const struct nvsim_inject_rule *rule);
/* Number of live controllers (associations). */
unsigned int nvsim_subsys_nr_ctrls(const struct nvsim_subsys *s);

/* ---- ports, discovery -------------------------------------------------------- */

struct nvsim_port_config {
	uint16_t portid;
	uint8_t trtype; /* enum nvmf_trtype */
	uint8_t adrfam; /* enum nvmf_addr_family */
	uint8_t treq;
	const char *traddr;
	const char *trsvcid;
};

int nvsim_port_add(struct nvsim_target *t, const struct nvsim_port_config *cfg,
		   struct nvsim_port **out);
/* Expose a subsystem on a port: it then appears in the Discovery log of
 * hosts allowed to see it.  -EEXIST: already there; -ENOSPC: the port has
 * NVSIM_PORT_MAX_SUBSYS. */
int nvsim_port_add_subsys(struct nvsim_port *p, struct nvsim_subsys *s);
/* A referral: another discovery service, listed in this port's log.
 * -ENOSPC: NVSIM_PORT_MAX_REFERRALS already; -EINVAL: an address too long. */
int nvsim_port_add_referral(struct nvsim_port *p, const struct nvsim_port_config *where);
uint64_t nvsim_target_genctr(const struct nvsim_target *t);

/* ---- fabric queues (one per transport connection) -------------------------- */

struct nvsim_tq_ops {
	/* The target ends the queue (keep-alive expiry, association torn
	 * down, Disconnect): the transport must close the connection and
	 * then call nvsim_tq_destroy.  Called at most once. */
	void (*terminate)(void *arg, struct nvsim_tq *tq);
};

int nvsim_tq_create(struct nvsim_target *t, struct nvsim_port *port,
		    const struct nvsim_tq_ops *ops, void *arg, struct nvsim_tq **out);
/* The transport connection is gone.  For the admin queue this ends the
 * association: outstanding commands complete (Aborted - SQ Deletion) before
 * this returns, and the association's I/O queues are terminated. */
void nvsim_tq_destroy(struct nvsim_tq *tq);

/* Submit one command capsule.  data covers what the capsule's SGL
 * describes (already fetched for host-to-controller transfers).  The CQE
 * reaches done, now or later; data must stay valid until then.
 * -EBUSY: the host already has SQSIZE + 1 commands outstanding. */
int nvsim_tq_submit(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, struct nvsim_data *data,
		    nvsim_done_fn done, void *arg);

/* Answer a capsule the transport found malformed (a bad SGL) with status;
 * it counts as a command of the queue and lands in the error log with
 * err_loc (an SQE byte offset).  Before Connect it is answered directly. */
int nvsim_tq_fail(struct nvsim_tq *tq, const struct nvsim_sqe *sqe, uint16_t status,
		  uint16_t err_loc, nvsim_done_fn done, void *arg);

/* Who is at the other end, for log lines ("rdma conn 3 on 10.0.0.1:4420");
 * copied. */
void nvsim_tq_set_peer(struct nvsim_tq *tq, const char *peer);
/* The queue the transport set up before Fabrics Connect (NVMe/RDMA: the
 * CM request's QID and HSQSIZE, 0's based): its receive buffers, flow
 * control and RDMA READ credits follow them, so a Connect naming another
 * QID or a larger SQSIZE is refused with Connect Invalid Parameters. */
void nvsim_tq_set_transport_queue(struct nvsim_tq *tq, uint16_t qid, uint16_t sqsize);
/* A transport-level host error on the queue (a runt capsule, an overrun, an
 * RDMA READ the host's memory refused), for the log: what is the reason,
 * detail says more (may be NULL). */
void nvsim_tq_log_host_error(struct nvsim_tq *tq, const char *what, const char *detail);

bool nvsim_tq_connected(const struct nvsim_tq *tq);
uint16_t nvsim_tq_qid(const struct nvsim_tq *tq);
/* 0's based SQ size negotiated by Connect (0 before). */
uint16_t nvsim_tq_sqsize(const struct nvsim_tq *tq);
uint16_t nvsim_tq_cntlid(const struct nvsim_tq *tq);

#endif
