/* The wire fuzzer behind `nvmfsim fuzz`: field-aware mutations of
 * well-formed command capsules plus raw random bytes, sent with the host's
 * raw layer in batches, each on a fresh association (admin + I/O queue 1);
 * every command tracked until it completes; after each batch a liveness
 * check (a fresh admin connect, Identify, Keep Alive).  A hang or a failed
 * liveness check is a finding, saved as a replay file that a later run
 * resends.
 *
 * The engine knows the host wing only: the caller sets up the target
 * (a live one, or an in-process one whose progress hook is in the host
 * config), parses options, prints, and judges replay files it reads
 * (struct wire_replay is what it hands over). */
#ifndef NVSIM_FUZZ_WIRE_H
#define NVSIM_FUZZ_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/host.h"

#define WIRE_BATCH 512u				 /* capsules between liveness checks */
#define WIRE_WINDOW 32u				 /* capsules between waits for every answer */
#define WIRE_ICD_MAX 4096u			 /* in-capsule bytes we may send */
#define WIRE_CAPSULE_MAX (64u + WIRE_ICD_MAX)	 /* bytes of one capsule */
#define WIRE_REPLAY_VERSION 1
/* Limits of a replay file, for the reader and the writer alike. */
#define WIRE_REPLAY_MAX_BYTES (16u << 20)
#define WIRE_REPLAY_MAX_CAPSULES 100000u
#define WIRE_REPLAY_MAX_INJECT 8u
/* Base64 characters of the largest capsule. */
#define WIRE_CAPSULE_B64_MAX ((WIRE_CAPSULE_MAX + 2) / 3 * 4)

struct wire_capsule {
	uint64_t step;
	uint8_t qid; /* 0 admin, 1 I/O queue 1 */
	uint16_t len; /* at most WIRE_CAPSULE_MAX */
	uint8_t *bytes;
};

/* A recorded batch, as a replay file holds it. */
struct wire_replay {
	uint64_t seed;
	/* The recorded run's host memory per queue, so that keyed SGLs that
	 * pointed into it point into this run's. */
	uint64_t mem_addr[2];
	uint32_t mem_rkey[2];
	const struct wire_capsule *capsules;
	size_t nr;
};

/* What the replay file says about the target; the engine does not read it. */
struct wire_target_desc {
	const char *traddr; /* NULL: the embedded simulator */
	const char *trsvcid;
	const char *nqn;
	const char *const *inject; /* the embedded simulator's fault injection */
	unsigned int nr_inject;
};

struct wire_config {
	/* Transport (provider, addr, fabric, progress hook) and identity
	 * (subnqn, hostnqn, hostid, kato_ms); the engine sets the queues, their
	 * sizes, in-capsule data and the per-wait timeout. */
	struct nvsim_host_config host;
	uint32_t timeout_ms; /* a command or liveness step slower than this is a hang */
	uint64_t seed;
};

struct wire_stats {
	uint64_t sent, completions, reconnects, batches, live_ok;
	uint64_t status[0x800]; /* SCT << 8 | SC */
	uint64_t ok[2][256];	/* successes per queue kind and opcode */
};

enum wire_result {
	WIRE_PASSED,	   /* liveness held (a replay: the target survived) */
	WIRE_FOUND,	   /* a hang or a failed liveness check: wire_finding() */
	WIRE_SETUP_FAILED, /* the first association failed: wire_setup_status() */
	WIRE_STOPPED,	   /* the progress callback asked to stop */
};

/* Called every 64 capsules and after each batch; false stops the run. */
typedef bool (*wire_progress_fn)(void *arg, const struct wire_stats *st);

struct wire;

struct wire *wire_new(const struct wire_config *cfg);
void wire_free(struct wire *w);

/* Fuzzes until count capsules were sent (count > 0) or until the
 * CLOCK_MONOTONIC deadline deadline_ms, or a finding. */
enum wire_result wire_run(struct wire *w, uint64_t count, uint64_t deadline_ms,
			  wire_progress_fn progress, void *arg);
/* Resends a recorded batch on a fresh association, then checks liveness.
 * *dropped: the target dropped a queue on the way (allowed). */
enum wire_result wire_replay(struct wire *w, const struct wire_replay *r, bool *dropped);

const struct wire_stats *wire_stats(const struct wire *w);
/* The finding ("hang: ...", "liveness: ..."), and the step it was seen at. */
const char *wire_finding(const struct wire *w);
uint64_t wire_finding_step(const struct wire *w);
/* Why the first association failed. */
const struct nvsim_host_status *wire_setup_status(const struct wire *w);
/* Capsules of the batch a finding came from (at most WIRE_BATCH). */
size_t wire_batch_len(const struct wire *w);

/* Writes the finding's batch as a replay file (JSON).  Returns 0, or
 * -errno with err set. */
int wire_save_replay(const struct wire *w, const struct wire_target_desc *t, const char *path,
		     char *err, size_t len);

/* The command shape's name ("identify", "read") of an opcode; "fabrics"
 * for any Fabrics command; NULL for one the generator has no shape for. */
const char *wire_shape_name(bool io, uint8_t opcode);

/* Decodes base64 into out (at most max bytes); -1 on a malformed string or
 * one that does not fit. */
long wire_base64_decode(const char *s, uint8_t *out, size_t max);

#endif
