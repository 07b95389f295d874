/* The fake's address namespace: which id listens where, and which source
 * addresses active ids hold.  Both are hash maps from fake_addr_key to a
 * chain of the ids at that key (distinct addresses may share a key), so a
 * lookup is one probe and a short compare. */
#include <errno.h>
#include <string.h>

#include "verbs/fake_priv.h"

/* ---- the address namespace ---------------------------------------------------- */

static bool addr_equal(const struct verbs_addr *a, const struct verbs_addr *b)
{
	if (a->port != b->port || a->wildcard != b->wildcard)
		return false;
	return a->wildcard || strcmp(a->host, b->host) == 0;
}

/* The id at exactly this address in map (listeners or sources), or NULL. */
static struct fake_id *chain_find(const struct fake_map *map, const struct verbs_addr *a,
				  bool source)
{
	struct fake_id *id;

	for (id = fake_map_get(map, fake_addr_key(a)); id; id = id->addr_next)
		if (addr_equal(source ? &id->local : &id->addr, a))
			return id;
	return NULL;
}

static int chain_add(struct fake_map *map, struct fake_id *id, const struct verbs_addr *a)
{
	uint64_t key = fake_addr_key(a);
	struct fake_id *head = fake_map_get(map, key);
	int rc = fake_map_put(map, key, id);

	if (rc)
		return rc;
	id->addr_next = head;
	return 0;
}

static void chain_del(struct fake_map *map, struct fake_id *id, const struct verbs_addr *a)
{
	uint64_t key = fake_addr_key(a);
	struct fake_id *head = fake_map_get(map, key), **pos;

	if (head == id) {
		if (id->addr_next)
			fake_map_put(map, key, id->addr_next);  /* replaces: cannot fail */
		else
			fake_map_del(map, key);
		return;
	}
	for (pos = &head; *pos; pos = &(*pos)->addr_next) {
		if (*pos == id) {
			*pos = id->addr_next;
			return;
		}
	}
}

static struct verbs_addr wildcard_at(uint16_t port)
{
	struct verbs_addr w = { .port = port, .wildcard = true };

	return w;
}

static uintptr_t port_listener_count(const struct verbs_fake_fabric *fab, uint16_t port)
{
	return (uintptr_t)fake_map_get(&fab->port_listeners, (uint64_t)port + 1);
}

static int port_listener_adjust(struct verbs_fake_fabric *fab, uint16_t port, int delta)
{
	uintptr_t n = port_listener_count(fab, port) + (uintptr_t)(intptr_t)delta;

	if (!n) {
		fake_map_del(&fab->port_listeners, (uint64_t)port + 1);
		return 0;
	}
	return fake_map_put(&fab->port_listeners, (uint64_t)port + 1, (void *)n);
}

/* The listener for a connect to a (not wildcard) address: the one bound
 * there, else one on every name at that port.  Listen refuses overlaps, so
 * at most one matches. */
struct fake_id *fake_listener_find(struct verbs_fake_fabric *fab, const struct verbs_addr *a)
{
	struct verbs_addr w = wildcard_at(a->port);
	struct fake_id *id = chain_find(&fab->listeners, a, false);

	if (!id)
		id = chain_find(&fab->listeners, &w, false);
	return id && !id->dev->removed ? id : NULL;
}

bool fake_listen_conflicts(const struct verbs_fake_fabric *fab, const struct verbs_addr *a)
{
	struct verbs_addr w = wildcard_at(a->port);

	if (a->wildcard)
		return port_listener_count(fab, a->port) > 0;
	return chain_find(&fab->listeners, a, false) || chain_find(&fab->listeners, &w, false);
}

/* Whether a source address is taken: bound by an active id or listened on. */
static bool source_taken(const struct verbs_fake_fabric *fab, const struct verbs_addr *a)
{
	return chain_find(&fab->sources, a, true) || fake_listen_conflicts(fab, a);
}

void fake_source_release(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	if (!id->in_sources)
		return;
	chain_del(&fab->sources, id, &id->local);
	id->in_sources = false;
}

int fake_source_claim(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	int rc;

	if (source_taken(fab, &id->local))
		return -EADDRINUSE;
	rc = chain_add(&fab->sources, id, &id->local);
	if (rc)
		return rc;
	id->in_sources = true;
	return 0;
}

/* The next free ephemeral port on id->local's host, in order: the same
 * calls give the same ports.  -EADDRNOTAVAIL when all are taken. */
static int source_claim_ephemeral(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	uint32_t i;

	for (i = 0; i < FAKE_EPHEMERAL_COUNT; i++) {
		id->local.port = (uint16_t)(FAKE_EPHEMERAL_FIRST +
					    fab->next_port++ % FAKE_EPHEMERAL_COUNT);
		int rc = fake_source_claim(fab, id);

		if (rc != -EADDRINUSE)
			return rc;
	}
	return -EADDRNOTAVAIL;
}

/* One fake namespace: the source host of an active id is the one it bound,
 * else the host it resolved (as a loopback connection has); its port is the
 * one it bound, else the next free ephemeral one. */
int fake_source_assign(struct verbs_fake_fabric *fab, struct fake_id *id,
			 const struct verbs_addr *dst)
{
	if (id->in_sources && id->bound && !id->bind_addr.wildcard && id->bind_addr.port)
		return 0;  /* fully named by verbs_cm_bind, claimed there */
	fake_source_release(fab, id);
	id->local = id->bound && !id->bind_addr.wildcard ? id->bind_addr : *dst;
	id->local.wildcard = false;
	if (id->bound && id->bind_addr.port) {
		id->local.port = id->bind_addr.port;
		return fake_source_claim(fab, id);
	}
	return source_claim_ephemeral(fab, id);
}

/* Listens at a; -EADDRINUSE when it overlaps a listener or a bound source. */
int fake_listener_add(struct verbs_fake_fabric *fab, struct fake_id *id,
		      const struct verbs_addr *a)
{
	int rc;

	if (fake_listen_conflicts(fab, a) || chain_find(&fab->sources, a, true))
		return -EADDRINUSE;
	rc = port_listener_adjust(fab, a->port, 1);
	if (rc)
		return rc;
	rc = chain_add(&fab->listeners, id, a);
	if (rc)
		port_listener_adjust(fab, a->port, -1);
	return rc;
}

void fake_listener_del(struct verbs_fake_fabric *fab, struct fake_id *id)
{
	chain_del(&fab->listeners, id, &id->addr);
	port_listener_adjust(fab, id->addr.port, -1);  /* a decrement never allocates */
}
