/* CM channels and their event queues.  An event is a copy, queued FIFO per
 * channel; each id counts the queued events that name it, so destroying an
 * id whose events were all taken costs nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "verbs/fake_priv.h"

/* ---- CM channel -------------------------------------------------------------- */

int fake_channel_create(struct verbs_device *base, struct verbs_cm_channel **out)
{
	struct fake_device *dev = FAKE_OF(struct fake_device, base);
	struct fake_channel *ch;
	int rc;

	if (dev->removed)
		return -ENODEV;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->base.ops = &verbs_fake_ops;
	ch->base.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC | EFD_SEMAPHORE);
	if (ch->base.fd < 0) {
		rc = -errno;
		free(ch);
		return rc;
	}
	ch->dev = dev;
	dev->n_channel++;
	*out = &ch->base;
	return 0;
}

int fake_channel_destroy(struct verbs_cm_channel *base)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, base);
	struct fake_device *dev = ch->dev;

	if (ch->users)
		return -EBUSY;
	while (ch->head) {
		struct fake_event *e = ch->head;

		ch->head = e->next;
		free(e);
	}
	close(ch->base.fd);
	free(ch);
	dev->n_channel--;
	fake_device_release(dev);
	return 0;
}

/* ---- events ---------------------------------------------------------------------- */

/* Queues an event for id's channel; the payload is zero padded to pad_len
 * as the IB CM delivers it. */
struct fake_event *fake_event_post(struct fake_id *id, enum verbs_cm_event_type type, int status,
				   const struct cm_msg *m, uint8_t pad_len)
{
	struct fake_channel *ch = id->ch;
	struct fake_event *e = calloc(1, sizeof(*e));
	uint64_t one = 1;

	if (!e)
		return NULL;  /* an event lost to ENOMEM: the peer side times out */
	e->ev.type = type;
	e->ev.id = &id->base;
	e->ev.status = status;
	if (m) {
		e->ev.responder_resources = m->initiator_depth;
		e->ev.initiator_depth = m->responder_resources;
		memcpy(e->ev.private_data, m->pdata, m->pdata_len);
		e->ev.private_data_len = pad_len;
	}
	if (ch->tail)
		ch->tail->next = e;
	else
		ch->head = e;
	ch->tail = e;
	id->queued_events++;
	if (write(ch->base.fd, &one, sizeof(one)) < 0) {
		/* The fd is only a wake-up hint; the queue is authoritative. */
	}
	return e;
}

void fake_event_set_listener(struct fake_event *e, struct fake_id *listener)
{
	e->ev.listen_id = &listener->base;
	listener->queued_events++;
}

/* An event leaves the queue: the ids it names are no longer referenced. */
static void event_unref(struct fake_event *e)
{
	if (e->ev.id)
		FAKE_OF(struct fake_id, e->ev.id)->queued_events--;
	if (e->ev.listen_id)
		FAKE_OF(struct fake_id, e->ev.listen_id)->queued_events--;
}

/* Drops the events naming a destroyed id.  Walks the queue only when the
 * id is named in it, so destroying ids whose events were taken is O(1). */
void fake_events_purge(struct fake_channel *ch, struct fake_id *id)
{
	struct fake_event **pos = &ch->head;
	uint64_t value;

	if (!id->queued_events)
		return;
	ch->tail = NULL;
	while (*pos) {
		struct fake_event *e = *pos;

		if (e->ev.listen_id == &id->base) {
			e->ev.listen_id = NULL;
			id->queued_events--;
		}
		if (e->ev.id == &id->base) {
			*pos = e->next;
			event_unref(e);
			free(e);
			if (read(ch->base.fd, &value, sizeof(value)) < 0) {
				/* counter already zero: nothing to undo */
			}
			continue;
		}
		ch->tail = e;
		pos = &e->next;
	}
}

int fake_get_event(struct verbs_cm_channel *base, struct verbs_cm_event *ev)
{
	struct fake_channel *ch = FAKE_OF(struct fake_channel, base);
	struct fake_event *e;
	uint64_t value;

	if (!ch->dev->fab->manual_step)
		verbs_fake_step(ch->dev->fab);
	e = ch->head;
	if (!e)
		return -EAGAIN;
	ch->head = e->next;
	if (!ch->head)
		ch->tail = NULL;
	*ev = e->ev;
	event_unref(e);
	free(e);
	if (read(ch->base.fd, &value, sizeof(value)) < 0) {
		/* see event_post */
	}
	return 0;
}
