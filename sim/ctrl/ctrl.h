/* The emulated NVMe controller: a transport-agnostic model fed one SQE (plus
 * a data buffer) at a time and answering one CQE through a callback.
 *
 * No sockets, no verbs, no threads.  Time comes from an injectable clock, so
 * keep-alive expiry, slow namespaces and delayed completions are
 * deterministic under test.  The target wing (sim/target) owns associations,
 * Connect and transports; it drives this model through the calls below.
 *
 * Errors from library calls are -errno.  Command errors are NVMe statuses in
 * the CQE, recorded in the error log like a real controller does.
 */
#ifndef NVSIM_CTRL_CTRL_H
#define NVSIM_CTRL_CTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/cqe.h"
#include "spec/sqe.h"

struct nvsim_ctrl;

/* ---- data buffers --------------------------------------------------------
 * The command's data as the transport delivers it: already fetched for
 * host-to-controller transfers, to be pushed back after completion for
 * controller-to-host ones.  len is the total the host described (the SGL
 * length); the controller checks it against what the command needs. */
struct nvsim_iov {
	void *base;
	size_t len;
};

struct nvsim_data {
	struct nvsim_iov *iov;
	unsigned int iovcnt;
	size_t len;
};

/* Wrap one contiguous buffer. */
void nvsim_data_init_flat(struct nvsim_data *data, struct nvsim_iov *iov, void *buf, size_t len);
/* Copy between the buffer at byte offset off and flat memory; -ERANGE if
 * [off, off + len) leaves the buffer. */
int nvsim_data_copy_out(const struct nvsim_data *data, size_t off, void *dst, size_t len);
int nvsim_data_copy_in(struct nvsim_data *data, size_t off, const void *src, size_t len);
int nvsim_data_fill(struct nvsim_data *data, size_t off, int byte, size_t len);

/* ---- time ---------------------------------------------------------------- */
struct nvsim_clock {
	uint64_t (*now_ns)(void *ctx);
	void *ctx;
};

/* CLOCK_MONOTONIC. */
struct nvsim_clock nvsim_clock_monotonic(void);

/* ---- configuration -------------------------------------------------------- */

/* What a KATO of 0 means.  The Base spec lets 0 disable the Keep Alive Timer
 * (NVMe Base 2.0 §5.27.1.12 (approx.)) and defines Keep Alive Timeout Invalid
 * for "a value of 0h on a transport that requires keep alive" (§4.6.1.2.1
 * (approx.)).  Linux nvmet disables the timer on Set Features and rejects a
 * Keep Alive command while disabled; SPDK rejects the Set Features. */
enum nvsim_kato_zero_policy {
	NVSIM_KATO_ZERO_DISABLES, /* Linux nvmet */
	NVSIM_KATO_ZERO_INVALID,  /* SPDK: Set Features KATO=0 -> Keep Alive Timeout Invalid */
};

struct nvsim_ctrl_events {
	/* The Keep Alive Timer expired: the owner must tear the association
	 * down (NVMe Base 2.0 §3.9 (approx.)).  Reported once per expiry. */
	void (*kato_expired)(void *arg, struct nvsim_ctrl *ctrl);
	/* A command the controller will never complete (dropped by fault
	 * injection) was freed with its queue or controller: release what
	 * the submitter's done_arg holds.  Optional. */
	void (*command_discarded)(void *arg, void *done_arg);
	/* A command is about to complete with an error (status field, DNR
	 * included) found at err_loc (an SQE byte offset, or FFFFh): for the
	 * owner's logs, before done runs.  Optional. */
	void (*command_failed)(void *arg, void *done_arg, uint16_t status, uint16_t err_loc);
	void *arg;
};

/* A log page the controller's owner serves, such as the target wing's
 * Discovery log (LID 70h): the model checks the command and copies the
 * window; the owner only says how big the page is now and fills it. */
struct nvsim_log_source {
	uint8_t lid;
	size_t (*size)(void *arg);
	void (*fill)(void *arg, uint8_t *buf, size_t len); /* buf is zeroed */
	void *arg;
};

/* Deliberate misbehaviour, for proving that the conformance suite has
 * teeth: each switch breaks one rule and some case must notice.  Never set
 * outside that test.  A 64-bit set (more switches than an enum constant,
 * an int, can name): controller wing bits 0-15 and 32-47, target wing
 * 16-31 and 48-63; a switch whose rule spans both wings sits with the
 * controller and the target reads it too. */
typedef uint64_t nvsim_quirks_t;

#define NVSIM_QUIRK(n) ((nvsim_quirks_t)1 << (n))
/* controller wing */
#define NVSIM_QUIRK_WRONG_LBAF NVSIM_QUIRK(0) /* Identify NS names the other LBA format */
#define NVSIM_QUIRK_OPCODE_NOT_FIELD NVSIM_QUIRK(1) /* reserved CNS: Invalid Opcode */
#define NVSIM_QUIRK_NO_KATO_EXPIRY NVSIM_QUIRK(2) /* keep-alive never expires */
#define NVSIM_QUIRK_LPO_OFF_BY_ONE NVSIM_QUIRK(3) /* LPO one dword past any page accepted */
#define NVSIM_QUIRK_NO_LBA_CHECK NVSIM_QUIRK(4) /* I/O past the end succeeds */
#define NVSIM_QUIRK_NO_AER_LIMIT NVSIM_QUIRK(5) /* AERs beyond AERL + 1 accepted */
#define NVSIM_QUIRK_WRONG_ID_CNTLID NVSIM_QUIRK(6) /* Identify CNTLID differs from Connect's */
#define NVSIM_QUIRK_PROPERTY_SET_RO NVSIM_QUIRK(7) /* Property Set of VS accepted */
#define NVSIM_QUIRK_NSID_ALL_OK NVSIM_QUIRK(8) /* Identify NS with NSID FFFFFFFFh answers zeros */
#define NVSIM_QUIRK_HOSTID_SETTABLE NVSIM_QUIRK(9) /* Set Features Host Identifier accepted */
#define NVSIM_QUIRK_DNR_CLEAR NVSIM_QUIRK(10) /* every error has DNR clear (both wings) */
#define NVSIM_QUIRK_NO_MDTS NVSIM_QUIRK(11) /* transfers above MDTS executed (both wings) */
#define NVSIM_QUIRK_NO_ERROR_LOG NVSIM_QUIRK(12) /* errors not recorded in the Error log */
#define NVSIM_QUIRK_NQ_FFFF_OK NVSIM_QUIRK(13) /* Number of Queues NSQR/NCQR FFFFh accepted */
#define NVSIM_QUIRK_KAS_WRONG NVSIM_QUIRK(14) /* KATO rounded to 10x the KAS granularity */
#define NVSIM_QUIRK_KEYED_LEN_UNCHECKED NVSIM_QUIRK(15) /* keyed SGL length vs NLB not checked */
#define NVSIM_QUIRK_NQ_AFTER_IO_OK NVSIM_QUIRK(32) /* Number of Queues accepted with I/O queues */
#define NVSIM_QUIRK_SV_ACCEPTED NVSIM_QUIRK(33) /* SV on a non-saveable feature accepted */
#define NVSIM_QUIRK_SEL_RESERVED_OK NVSIM_QUIRK(34) /* Get Features reserved SEL: current value */
#define NVSIM_QUIRK_BAD_NSID_ZEROES NVSIM_QUIRK(35) /* Identify NS, NSID 0 or > NN: zeros */
#define NVSIM_QUIRK_LBA_INTERNAL_ERROR NVSIM_QUIRK(36) /* LBA out of range: Internal Error */
#define NVSIM_QUIRK_AFI_ZERO NVSIM_QUIRK(37) /* Firmware Slot log names no active slot */
#define NVSIM_QUIRK_ADMIN_BEFORE_READY NVSIM_QUIRK(38) /* admin commands served before RDY */
#define NVSIM_QUIRK_CFS_IGNORED NVSIM_QUIRK(39) /* CC.EN with bad IOSQES/IOCQES gets RDY */
#define NVSIM_QUIRK_RESERVED_LID_OK NVSIM_QUIRK(40) /* a reserved LID reads as zeros */
#define NVSIM_QUIRK_KATO_NEEDS_ENABLE NVSIM_QUIRK(41) /* keep alive armed only by CC.EN */
/* target wing */
#define NVSIM_QUIRK_WRONG_SQHD NVSIM_QUIRK(16) /* SQ head one too far */
#define NVSIM_QUIRK_NO_IPO NVSIM_QUIRK(17) /* Connect Invalid Parameters without IPO */
#define NVSIM_QUIRK_CNTLID_ZERO NVSIM_QUIRK(18) /* Connect reports CNTLID 0 */
#define NVSIM_QUIRK_STATIC_CNTLID_OK NVSIM_QUIRK(19) /* admin Connect for a static CNTLID */
#define NVSIM_QUIRK_RECFMT_IGNORED NVSIM_QUIRK(20) /* Connect RECFMT not checked */
#define NVSIM_QUIRK_DISCONNECT_ADMIN_OK NVSIM_QUIRK(21) /* Disconnect on the admin queue succeeds */
#define NVSIM_QUIRK_WRONG_SQID NVSIM_QUIRK(22) /* CQE SQID off by one */
#define NVSIM_QUIRK_NO_HOST_FILTER NVSIM_QUIRK(23) /* Discovery lists subsystems to every host */
#define NVSIM_QUIRK_IO_CONNECT_BEFORE_ENABLE NVSIM_QUIRK(24) /* I/O Connect before CSTS.RDY */
#define NVSIM_QUIRK_HOSTID_NOT_COMPARED NVSIM_QUIRK(25) /* I/O Connect HOSTID not compared */
#define NVSIM_QUIRK_QUEUE_SIZE_UNCHECKED NVSIM_QUIRK(26) /* CM HSQSIZE / Connect SQSIZE unbounded */
#define NVSIM_QUIRK_ICD_OFFSET_UNCHECKED NVSIM_QUIRK(27) /* in-capsule data offset not checked */
#define NVSIM_QUIRK_HOSTNQN_UNCHECKED NVSIM_QUIRK(28) /* Connect HOSTNQN syntax not checked */
#define NVSIM_QUIRK_ZERO_HOSTID_OK NVSIM_QUIRK(29) /* Connect HOSTID of zero accepted */
#define NVSIM_QUIRK_SQSIZE_ZERO_OK NVSIM_QUIRK(30) /* Connect SQSIZE 0 accepted */
#define NVSIM_QUIRK_CID0_ON_ERROR NVSIM_QUIRK(31) /* error completions carry CID 0 */
#define NVSIM_QUIRK_CM_CONNECT_UNCHECKED NVSIM_QUIRK(42) /* Connect not matched to the CM */
#define NVSIM_QUIRK_NEVER_COMPLETE_ICD_READ NVSIM_QUIRK(48) /* in-capsule Read kept, unanswered */
#define NVSIM_QUIRK_DIES_MID_RUN NVSIM_QUIRK(49) /* silent after NVSIM_DIES_AFTER_CONNECTS */

struct nvsim_ctrl_config {
	uint16_t cntlid;
	char subnqn[224]; /* NQNs are at most 223 bytes + NUL */
	char serial[21];
	char model[41];
	char firmware[9];

	uint16_t mqes;		/* CAP.MQES, 0's based: largest queue is mqes + 1 entries */
	uint16_t max_io_queues; /* I/O queue pairs granted at most (1..65535) */
	uint8_t mdts;		/* 2^mdts x 4 KiB per command; 0 = no limit */
	uint8_t aerl;		/* 0's based: aerl + 1 AERs may be outstanding */
	uint8_t elpe;		/* 0's based error log entries */
	uint8_t acl;		/* 0's based Abort limit */
	uint16_t kas;		/* keep-alive granularity, 100 ms units */
	uint32_t max_namespaces; /* NN */

	enum nvsim_kato_zero_policy kato_zero;
	bool traffic_based_keep_alive; /* any command, not just Keep Alive, resets the timer */
	/* Keep alive runs from the admin Connect (nvsim_ctrl_set_kato), enabled
	 * or not, as on fabrics (NVMe Base 2.0 §3.9 (approx.)): a host that
	 * connects and never enables is timed out too.  Default true. */
	bool keep_alive_from_connect;
	/* Discovery controller: IOSQES/IOCQES not enforced; only Identify CNS
	 * 01h, Get Log Page of extra_log, Keep Alive, Get/Set Features and AER
	 * are allowed (NVMe-oF 1.1 §5 (approx.), as Linux nvmet). */
	bool discovery;
	bool require_sgl;	       /* fabrics: PSDT must be 01b (SGL) */
	bool sgl_oversize_ok;	       /* SGLS bit 18: data SGL may exceed the transfer */
	bool keyed_sgl;		       /* SGLS bit 2 */
	bool volatile_write_cache;     /* VWC present */

	/* Fabrics fields of Identify Controller, set by the transport. */
	uint32_t ioccsz;
	uint32_t iorcsz;
	uint16_t icdoff;
	uint8_t msdbd;
	uint8_t trtype; /* for error log entries */

	struct nvsim_log_source extra_log; /* size == NULL: none */
	nvsim_quirks_t quirks;		    /* NVSIM_QUIRK_* bits; 0 in every real use */

	uint64_t seed; /* fault-injection PRNG */
	struct nvsim_clock clock;
	struct nvsim_ctrl_events events;
};

/* Defaults modelled on a strict fabrics I/O controller: MQES 1023, 128 I/O
 * queues, MDTS 8 (1 MiB), AERL 3, 64 error log entries, KAS 1 s. */
void nvsim_ctrl_config_init(struct nvsim_ctrl_config *cfg);

int nvsim_ctrl_create(const struct nvsim_ctrl_config *cfg, struct nvsim_ctrl **out);
/* Frees everything; outstanding commands are released without completion
 * (call nvsim_ctrl_teardown first to complete them). */
void nvsim_ctrl_destroy(struct nvsim_ctrl *ctrl);

/* ---- namespaces ------------------------------------------------------------ */
enum nvsim_ns_backend {
	NVSIM_NS_NULL, /* discards writes, reads zeros */
	NVSIM_NS_RAM,  /* sparse: memory is allocated on first write */
	NVSIM_NS_FILE, /* pread/pwrite on a file, created if needed */
};

struct nvsim_ns_config {
	enum nvsim_ns_backend backend;
	uint64_t size_bytes;  /* multiple of lba_size */
	uint32_t lba_size;    /* 512 or 4096 */
	const char *path;     /* NVSIM_NS_FILE */
	uint64_t latency_ns;  /* completions wait this long: a slow back end */
	/* NVSIM_NS_RAM: cap on the bytes the namespace holds, 4 KiB chunks and
	 * the index that finds them together (nvsim_ns_usage data_bytes +
	 * index_bytes; malloc's own overhead comes on top).  A write that
	 * would need more fails with Capacity Exceeded.  0: what min(size,
	 * 1 GiB) written in one run needs, index included (1 GiB + 0.2 %), so
	 * a namespace of up to 1 GiB can be written in full. */
	uint64_t mem_limit_bytes;
	/* NVSIM_NS_FILE: act as on a file system or disk that cannot punch
	 * holes (the open probe's other answer): DLFEAT 000b, Deallocate does
	 * nothing, Write Zeroes writes zeros up to MDTS (docs/controller.md).
	 * For tests of that path. */
	bool file_no_punch;
};

/* Create a namespace and attach it; raises a Namespace Attribute Changed
 * notice once the controller is ready. */
int nvsim_ctrl_add_ns(struct nvsim_ctrl *ctrl, uint32_t nsid, const struct nvsim_ns_config *cfg);

/* A namespace outside any controller, so that every controller of one
 * subsystem shares the same media (NVMe-oF: controllers are created per
 * host association, namespaces belong to the subsystem).  Reference
 * counted: open gives one reference, each attach takes one. NGUID, UUID
 * and EUI-64 derive from serial, subsystem NQN and NSID. */
struct nvsim_ns;
int nvsim_ns_open(const struct nvsim_ns_config *cfg, const char *serial, const char *subnqn,
		  uint32_t nsid, struct nvsim_ns **out);
void nvsim_ns_hold(struct nvsim_ns *ns);
void nvsim_ns_put(struct nvsim_ns *ns);
int nvsim_ctrl_attach_ns(struct nvsim_ctrl *ctrl, uint32_t nsid, struct nvsim_ns *ns);
int nvsim_ctrl_remove_ns(struct nvsim_ctrl *ctrl, uint32_t nsid);
/* Bytes of memory the namespace's back end holds: for RAM, its pages plus
 * their index (under 1 KiB when empty); 0 for null and file. */
int nvsim_ctrl_ns_mem_bytes(struct nvsim_ctrl *ctrl, uint32_t nsid, uint64_t *bytes);
/* The same, itemised: what a test or a log asserts on.  RAM: 4 KiB chunks
 * held; the index that finds them (radix tree nodes, 520 bytes each on
 * LP64, plus the back end's own struct); the cap on the two together; and
 * index_visits, the index nodes every lookup and range walk has looked at
 * since the namespace was opened, a cost meter tests read around a
 * command.  All zero for null and file. */
struct nvsim_ns_usage {
	uint64_t chunks;
	uint64_t data_bytes;
	uint64_t index_bytes;
	uint64_t limit_bytes;
	uint64_t index_visits;
};
int nvsim_ctrl_ns_usage(struct nvsim_ctrl *ctrl, uint32_t nsid, struct nvsim_ns_usage *u);

/* ---- queues ---------------------------------------------------------------- */
/* An I/O queue pair created by Connect.  The admin queue (qid 0) exists from
 * creation with admin_sqsize entries.  sqsize is 0's based. */
int nvsim_ctrl_set_admin_queue_size(struct nvsim_ctrl *ctrl, uint16_t sqsize);
int nvsim_ctrl_add_io_queue(struct nvsim_ctrl *ctrl, uint16_t qid, uint16_t sqsize);
/* Completes the queue's outstanding commands with Aborted - SQ Deletion. */
int nvsim_ctrl_delete_io_queue(struct nvsim_ctrl *ctrl, uint16_t qid);
/* Number of I/O queues granted by Set Features Number of Queues (1-based). */
uint16_t nvsim_ctrl_io_queues_granted(const struct nvsim_ctrl *ctrl);

/* ---- commands -------------------------------------------------------------- */
typedef void (*nvsim_done_fn)(void *arg, const struct nvsim_cqe *cqe);

/* Submit one command on queue qid.  The completion arrives through done,
 * possibly before this returns, possibly later (from nvsim_ctrl_poll), or,
 * for an AER, when an event occurs.  data may be NULL when the command
 * carries none.  data must stay valid until done is called.
 * Returns 0 when the command was accepted (its outcome is in the CQE),
 * -ENOENT for a queue that does not exist, -EBUSY when the queue already has
 * sqsize + 1 commands outstanding (the host overran it). */
int nvsim_ctrl_submit(struct nvsim_ctrl *ctrl, uint16_t qid, const struct nvsim_sqe *sqe,
		      struct nvsim_data *data, nvsim_done_fn done, void *arg);

/* Complete a command the transport already found wrong (a malformed SGL,
 * say) with that status, as the controller would: it takes a queue slot,
 * advances SQ head and lands in the error log with err_loc. */
int nvsim_ctrl_fail_command(struct nvsim_ctrl *ctrl, uint16_t qid, const struct nvsim_sqe *sqe,
			    uint16_t status, uint16_t err_loc, nvsim_done_fn done, void *arg);

/* Advance time-driven work: delayed completions whose time has come and the
 * keep-alive check.  Returns the number of completions delivered. */
int nvsim_ctrl_poll(struct nvsim_ctrl *ctrl);

/* Complete every outstanding command (AERs, delayed ones) with Aborted - SQ
 * Deletion, as when the association ends.  Dropped commands are freed
 * without a completion (events.command_discarded). */
void nvsim_ctrl_teardown(struct nvsim_ctrl *ctrl);

/* ---- registers (fabrics properties) ----------------------------------------
 * Offsets as in NVMe Base 2.0 §3.1.4 (approx.): CAP 00h (8 bytes), VS 08h,
 * CC 14h, CSTS 1Ch.  Return an NVMe status field (0 = success); errloc gets
 * the byte of the Property Get/Set SQE at fault. */
uint16_t nvsim_ctrl_prop_get(struct nvsim_ctrl *ctrl, uint32_t ofst, unsigned size,
			     uint64_t *value, uint16_t *errloc);
uint16_t nvsim_ctrl_prop_set(struct nvsim_ctrl *ctrl, uint32_t ofst, unsigned size,
			     uint64_t value, uint16_t *errloc);
bool nvsim_ctrl_ready(const struct nvsim_ctrl *ctrl);
/* Host identifier from Connect: Get Features Host Identifier reports it. */
void nvsim_ctrl_set_hostid(struct nvsim_ctrl *ctrl, const uint8_t hostid[16]);
/* KATO from Connect (ms); rounded up to the KAS granularity. */
uint16_t nvsim_ctrl_set_kato(struct nvsim_ctrl *ctrl, uint32_t kato_ms);
uint32_t nvsim_ctrl_kato_ms(const struct nvsim_ctrl *ctrl);

/* ---- asynchronous events ---------------------------------------------------- */
/* Report an error not tied to a command (Asynchronous Event type 0, e.g.
 * info 05h Persistent Internal Error). */
void nvsim_ctrl_raise_error_event(struct nvsim_ctrl *ctrl, uint8_t info);

/* ---- fault injection -------------------------------------------------------- */
enum nvsim_inject_action {
	NVSIM_INJECT_STATUS, /* complete with the chosen status instead of executing */
	NVSIM_INJECT_DELAY,  /* execute, then hold the completion for delay_ns */
	NVSIM_INJECT_DROP,   /* never execute, never complete */
};

#define NVSIM_MATCH_ANY (-1)

struct nvsim_inject_rule {
	/* Match: each field NVSIM_MATCH_ANY or a value. */
	int opcode;
	int qid;
	int64_t nsid;
	bool admin_only;
	bool io_only;
	bool lba_range;	    /* match only I/O whose LBAs overlap [lba_first, lba_last] */
	uint64_t lba_first;
	uint64_t lba_last;
	uint32_t every_nth;   /* 0 or 1: every match; N: the Nth, 2Nth, ... */
	uint32_t probability_ppm; /* 0 = always; else chance per match in 1e-6, seeded */
	uint32_t count;	      /* stop after firing this many times; 0 = forever */

	enum nvsim_inject_action action;
	uint16_t status; /* NVSIM_INJECT_STATUS: status field, DNR as chosen */
	uint64_t delay_ns;
};

void nvsim_inject_rule_init(struct nvsim_inject_rule *rule);
/* Returns the rule's id (>= 0) or -errno. */
int nvsim_ctrl_inject_add(struct nvsim_ctrl *ctrl, const struct nvsim_inject_rule *rule);
int nvsim_ctrl_inject_clear(struct nvsim_ctrl *ctrl);
/* How many times rule id has fired. */
int nvsim_ctrl_inject_fired(struct nvsim_ctrl *ctrl, int id, uint64_t *fired);

#endif
