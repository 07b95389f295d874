/* Provider interface of the verbs shim: an ops table per provider and the
 * common head every provider object starts with.  Not for users. */
#ifndef NVMFSIM_VERBS_INTERNAL_H
#define NVMFSIM_VERBS_INTERNAL_H

#include "verbs/verbs.h"

struct verbs_ops;

/* Each provider object embeds one of these as its first member, so the
 * generic layer can dispatch and answer accessors without a call. */
struct verbs_device {
	const struct verbs_ops *ops;
};

struct verbs_pd {
	const struct verbs_ops *ops;
};

struct verbs_mr {
	const struct verbs_ops *ops;
	uint32_t lkey;
	uint32_t rkey;
};

struct verbs_cq {
	const struct verbs_ops *ops;
	int fd;
};

struct verbs_cm_channel {
	const struct verbs_ops *ops;
	int fd;
};

struct verbs_srq {
	const struct verbs_ops *ops;
};

struct verbs_cm_id {
	const struct verbs_ops *ops;
	void *context;
	struct verbs_qp *qp;
};

struct verbs_qp {
	const struct verbs_ops *ops;
	uint32_t qp_num;
	void *context;
};

struct verbs_ops {
	const char *name;
	int (*device_open)(const struct verbs_open_opts *opts, struct verbs_device **out);
	void (*device_close)(struct verbs_device *dev);
	int (*device_query)(struct verbs_device *dev, struct verbs_device_attr *attr);

	int (*pd_alloc)(struct verbs_device *dev, struct verbs_pd **out);
	int (*pd_dealloc)(struct verbs_pd *pd);
	int (*mr_reg)(struct verbs_pd *pd, void *addr, size_t length, unsigned int access,
		      struct verbs_mr **out);
	int (*mr_dereg)(struct verbs_mr *mr);

	int (*cq_create)(struct verbs_device *dev, const struct verbs_cq_attr *attr,
			 struct verbs_cq **out);
	int (*cq_destroy)(struct verbs_cq *cq);
	int (*poll_cq)(struct verbs_cq *cq, int max, struct verbs_wc *wc);
	int (*cq_req_notify)(struct verbs_cq *cq);
	int (*cq_get_event)(struct verbs_cq *cq);

	int (*channel_create)(struct verbs_device *dev, struct verbs_cm_channel **out);
	int (*channel_destroy)(struct verbs_cm_channel *ch);
	int (*get_event)(struct verbs_cm_channel *ch, struct verbs_cm_event *ev);
	int (*id_create)(struct verbs_cm_channel *ch, void *context, struct verbs_cm_id **out);
	int (*id_destroy)(struct verbs_cm_id *id);
	int (*listen)(struct verbs_cm_id *id, const char *addr, int backlog);
	int (*resolve)(struct verbs_cm_id *id, const char *addr, int timeout_ms);
	int (*connect)(struct verbs_cm_id *id, const struct verbs_conn_param *param);
	int (*accept)(struct verbs_cm_id *id, const struct verbs_conn_param *param);
	int (*reject)(struct verbs_cm_id *id, const void *pdata, uint8_t len);
	int (*disconnect)(struct verbs_cm_id *id);
	int (*peer_addr)(const struct verbs_cm_id *id, char *buf, size_t len);
	int (*bind)(struct verbs_cm_id *id, const char *addr);

	int (*srq_create)(struct verbs_pd *pd, const struct verbs_srq_attr *attr,
			  struct verbs_srq **out);
	int (*srq_destroy)(struct verbs_srq *srq);
	int (*srq_query)(struct verbs_srq *srq, struct verbs_srq_attr *attr);
	int (*post_srq_recv)(struct verbs_srq *srq, const struct verbs_recv_wr *wr,
			     const struct verbs_recv_wr **bad_wr);

	int (*qp_create)(struct verbs_cm_id *id, struct verbs_pd *pd,
			 const struct verbs_qp_init_attr *attr, struct verbs_qp **out);
	int (*qp_destroy)(struct verbs_qp *qp);
	int (*qp_query)(struct verbs_qp *qp, enum verbs_qp_state *state, struct verbs_qp_caps *caps);
	int (*qp_to_error)(struct verbs_qp *qp);
	int (*post_send)(struct verbs_qp *qp, const struct verbs_send_wr *wr,
			 const struct verbs_send_wr **bad_wr);
	int (*post_recv)(struct verbs_qp *qp, const struct verbs_recv_wr *wr,
			 const struct verbs_recv_wr **bad_wr);
};

extern const struct verbs_ops verbs_fake_ops;
#ifdef NVMFSIM_HAVE_RDMA_CORE
extern const struct verbs_ops verbs_ibv_ops;
#endif

/* A parsed "host:port" / "[v6]:port" / "fake:NAME:PORT" address. */
enum { VERBS_HOST_MAX = 64 };

struct verbs_addr {
	char host[VERBS_HOST_MAX];
	uint16_t port;
	bool wildcard;  /* "*", "0.0.0.0", "::" or empty host */
};

/* strip_fake_prefix: accept and drop a leading "fake:" (fake namespace). */
int verbs_addr_parse(const char *text, bool strip_fake_prefix, struct verbs_addr *out);
/* "host:port", or "[host]:port" when host holds a colon (IPv6).  0, or
 * -ENOSPC when it does not fit in len (nothing partial is left in buf). */
int verbs_addr_format(const struct verbs_addr *a, char *buf, size_t len);

#define verbs_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
