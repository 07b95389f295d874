/* Namespaces and their back ends (private to sim/ctrl).  A back end is one
 * file behind one ops table, addressed in bytes; the namespace layer turns
 * LBAs into byte ranges and checks every range before a back end sees it. */
#ifndef NVSIM_CTRL_NS_H
#define NVSIM_CTRL_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctrl/ctrl.h"

struct nvsim_ns_ops {
	const char *name;
	int (*read)(void *be, uint64_t off, void *buf, size_t len);
	int (*write)(void *be, uint64_t off, const void *buf, size_t len);
	/* When dealloc_zeroes says so, the range reads as zeros afterwards
	 * (DLFEAT 001b) and the cost follows what the back end holds there,
	 * not the length; otherwise nothing changes.  -EOPNOTSUPP: the back
	 * end found out only now that it cannot (dealloc_zeroes is false from
	 * then on) and changed nothing. */
	int (*deallocate)(void *be, uint64_t off, uint64_t len);
	bool (*dealloc_zeroes)(const void *be);
	int (*flush)(void *be);
	void (*usage)(void *be, struct nvsim_ns_usage *u);
	void (*destroy)(void *be);
};

struct nvsim_ns {
	unsigned int refs; /* one per controller it is attached to, plus the opener's */
	uint32_t nsid;
	uint64_t nlb;
	uint32_t lba_size;
	uint8_t lba_shift;
	uint8_t flbas; /* index into the two LBA formats we offer */
	uint64_t latency_ns;
	const struct nvsim_ns_ops *ops;
	void *be;

	uint8_t nguid[16];
	uint8_t uuid[16];
	uint8_t eui64[8];

	/* SMART, per namespace; the controller view sums them */
	uint64_t units_read_512;
	uint64_t units_written_512;
	uint64_t host_read_cmds;
	uint64_t host_write_cmds;
};

/* LBA formats offered in Identify Namespace: index 0 is 512 B, 1 is 4 KiB. */
#define NVSIM_NS_NR_LBAF 2u

/* Default cap on a RAM namespace's memory: a peer can write every block, and
 * we never let it make us allocate without a limit. */
#define NVSIM_NS_RAM_DEFAULT_LIMIT (1ull << 30)


/* Transfer between the namespace at byte offset off and the command buffer. */
int nvsim_ns_read_into(struct nvsim_ns *ns, uint64_t off, struct nvsim_data *data, size_t len);
int nvsim_ns_write_from(struct nvsim_ns *ns, uint64_t off, const struct nvsim_data *data,
			size_t len);
/* Write zeros over [off, off + len): costs what a Write of len costs. */
int nvsim_ns_write_zeros(struct nvsim_ns *ns, uint64_t off, uint64_t len);
/* DLFEAT of Identify Namespace: what reads of deallocated blocks return. */
uint8_t nvsim_ns_dlfeat(const struct nvsim_ns *ns);
/* 1 when the namespace matches data, 0 on a mismatch, -errno on failure. */
int nvsim_ns_compare(struct nvsim_ns *ns, uint64_t off, const struct nvsim_data *data, size_t len);

int nvsim_ns_null_open(const struct nvsim_ns_config *cfg, void **be);
int nvsim_ns_ram_open(const struct nvsim_ns_config *cfg, void **be);
int nvsim_ns_file_open(const struct nvsim_ns_config *cfg, void **be);
extern const struct nvsim_ns_ops nvsim_ns_null_ops;
extern const struct nvsim_ns_ops nvsim_ns_ram_ops;
extern const struct nvsim_ns_ops nvsim_ns_file_ops;

#endif
