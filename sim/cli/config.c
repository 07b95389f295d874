/* Reading an nvmetcli saved config.  Namespace paths name a file or block
 * device, as in nvmetcli; "ram:SIZE" and "null:SIZE" are our extensions for
 * memory-backed and discarding namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <nvme/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/config.h"

struct ctx {
	struct nvsim_target *t;
	struct cli_config *out;
	unsigned int lba_size;
	char *err;
	size_t errlen;
};

static int fail(struct ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct json_object *array_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

static int64_t int_of(struct json_object *o, const char *key, int64_t dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_string))
		return strtoll(json_object_get_string(v), NULL, 0);
	return json_object_get_int64(v);
}

static int file_size(const char *path, uint64_t *size)
{
	struct stat st;
	int fd;
	off_t end;

	if (stat(path, &st))
		return -errno;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	end = lseek(fd, 0, SEEK_END);
	close(fd);
	if (end < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

static int load_namespace(struct ctx *c, struct nvsim_subsys *s, struct json_object *j,
			  const char *where)
{
	struct json_object *dev;
	struct nvsim_ns_config ns = { .lba_size = c->lba_size };
	int64_t nsid = int_of(j, "nsid", 0);
	const char *path;
	int ret;

	if (int_of(j, "enable", 1) == 0)
		return 0;
	if (nsid < 1 || nsid > 0xfffffffe)
		return fail(c, -EINVAL, "%s.nsid: %lld is not 1 to 4294967294", where, (long long)nsid);
	if (!json_object_object_get_ex(j, "device", &dev) || !(path = str_of(dev, "path")))
		return fail(c, -EINVAL, "%s.device.path: missing", where);
	if (!strncmp(path, "ram:", 4) || !strncmp(path, "null:", 5)) {
		ns.backend = path[0] == 'r' ? NVSIM_NS_RAM : NVSIM_NS_NULL;
		if (cli_parse_size(strchr(path, ':') + 1, &ns.size_bytes))
			return fail(c, -EINVAL, "%s.device.path: '%s': bad size", where, path);
	} else {
		ns.backend = NVSIM_NS_FILE;
		ns.path = path;
		ret = file_size(path, &ns.size_bytes);
		if (ret)
			return fail(c, ret, "%s.device.path: %s: %s", where, path, strerror(-ret));
	}
	ns.size_bytes -= ns.size_bytes % c->lba_size;
	if (!ns.size_bytes)
		return fail(c, -EINVAL, "%s.device.path: '%s' holds less than one LBA", where, path);
	ret = nvsim_subsys_add_ns(s, (uint32_t)nsid, &ns);
	if (ret)
		return fail(c, ret, "%s: %s", where, strerror(-ret));
	return 0;
}

static int load_subsystem(struct ctx *c, struct json_object *j, unsigned int i)
{
	struct nvsim_subsys_config sc = { 0 };
	struct json_object *attr = NULL, *list;
	struct nvsim_subsys *s;
	char where[64];
	int ret;

	sc.nqn = str_of(j, "nqn");
	if (!sc.nqn)
		return fail(c, -EINVAL, "subsystems[%u].nqn: missing", i);
	if (json_object_object_get_ex(j, "attr", &attr)) {
		sc.allow_any_host = int_of(attr, "allow_any_host", 0) != 0;
		sc.serial = str_of(attr, "serial");
		sc.model = str_of(attr, "model");
	}
	ret = nvsim_subsys_add(c->t, &sc, &s);
	if (ret == -EEXIST)
		return fail(c, ret, "subsystems[%u].nqn: '%s' appears twice", i, sc.nqn);
	if (ret)
		return fail(c, ret, "subsystems[%u]: nqn '%s' invalid, or serial over 20 / model "
				    "over 40 characters", i, sc.nqn);
	list = array_of(j, "allowed_hosts");
	for (size_t k = 0; list && k < json_object_array_length(list); k++) {
		const char *h = json_object_get_string(json_object_array_get_idx(list, k));

		if (!h || nvsim_subsys_allow_host(s, h))
			return fail(c, -EINVAL, "subsystems[%u].allowed_hosts[%zu]: '%s' is not an NQN",
				    i, k, h ? h : "");
	}
	list = array_of(j, "namespaces");
	for (size_t k = 0; list && k < json_object_array_length(list); k++) {
		snprintf(where, sizeof(where), "subsystems[%u].namespaces[%zu]", i, k);
		ret = load_namespace(c, s, json_object_array_get_idx(list, k), where);
		if (ret)
			return ret;
	}
	return 0;
}

static uint8_t trtype_of(const char *s)
{
	return s && !strcmp(s, "rdma") ? NVMF_TRTYPE_RDMA : s && !strcmp(s, "tcp") ? NVMF_TRTYPE_TCP
							     : s && !strcmp(s, "loop") ? NVMF_TRTYPE_LOOP
										      : 0;
}

static uint8_t adrfam_of(const char *s)
{
	return s && !strcmp(s, "ipv6") ? NVMF_ADDR_FAMILY_IP6 : NVMF_ADDR_FAMILY_IP4;
}

static int port_addr(struct ctx *c, struct json_object *j, const char *where,
		     struct nvsim_port_config *pc)
{
	struct json_object *addr;

	if (!json_object_object_get_ex(j, "addr", &addr))
		return fail(c, -EINVAL, "%s.addr: missing", where);
	pc->trtype = trtype_of(str_of(addr, "trtype"));
	if (!pc->trtype)
		return fail(c, -EINVAL, "%s.addr.trtype: '%s' is not rdma, tcp or loop", where,
			    str_of(addr, "trtype") ? str_of(addr, "trtype") : "");
	pc->adrfam = adrfam_of(str_of(addr, "adrfam"));
	pc->traddr = str_of(addr, "traddr");
	pc->trsvcid = str_of(addr, "trsvcid") ? str_of(addr, "trsvcid") : "4420";
	pc->portid = (uint16_t)int_of(j, "portid", 0);
	if (!pc->traddr)
		return fail(c, -EINVAL, "%s.addr.traddr: missing", where);
	return 0;
}

static int load_port(struct ctx *c, struct json_object *j, unsigned int i)
{
	struct nvsim_port_config pc = { 0 };
	struct cli_config_port *cp;
	struct json_object *list;
	char where[48];
	int ret;

	if (c->out->nr_ports == CLI_CONFIG_MAX_PORTS)
		return fail(c, -ENOSPC, "ports[%u]: at most %d ports", i, CLI_CONFIG_MAX_PORTS);
	snprintf(where, sizeof(where), "ports[%u]", i);
	ret = port_addr(c, j, where, &pc);
	if (ret)
		return ret;
	cp = &c->out->ports[c->out->nr_ports];
	ret = nvsim_port_add(c->t, &pc, &cp->port);
	if (ret)
		return fail(c, ret, "%s.addr: traddr or trsvcid too long", where);
	cp->rdma = pc.trtype == NVMF_TRTYPE_RDMA;
	snprintf(cp->addr, sizeof(cp->addr), "%s%s%s:%s", strchr(pc.traddr, ':') ? "[" : "",
		 pc.traddr, strchr(pc.traddr, ':') ? "]" : "", pc.trsvcid);
	c->out->nr_ports++;
	list = array_of(j, "subsystems");
	for (size_t k = 0; list && k < json_object_array_length(list); k++) {
		const char *nqn = json_object_get_string(json_object_array_get_idx(list, k));
		struct nvsim_subsys *s = nqn ? nvsim_subsys_find(c->t, nqn) : NULL;

		if (!s)
			return fail(c, -ENOENT, "%s.subsystems[%zu]: no subsystem '%s'", where, k,
				    nqn ? nqn : "");
		nvsim_port_add_subsys(cp->port, s);
	}
	list = array_of(j, "referrals");
	for (size_t k = 0; list && k < json_object_array_length(list); k++) {
		struct nvsim_port_config ref = { 0 };
		char rwhere[96];

		snprintf(rwhere, sizeof(rwhere), "%s.referrals[%zu]", where, k);
		ret = port_addr(c, json_object_array_get_idx(list, k), rwhere, &ref);
		if (!ret && nvsim_port_add_referral(cp->port, &ref))
			ret = fail(c, -EINVAL, "%s: too many referrals or address too long", rwhere);
		if (ret)
			return ret;
	}
	return 0;
}

int cli_config_load(const char *path, unsigned int lba_size, struct nvsim_target *t,
		    struct cli_config *out, char *err, size_t errlen)
{
	struct ctx c = { t, out, lba_size, err, errlen };
	struct json_object *root = json_object_from_file(path), *list;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!root)
		return fail(&c, -EINVAL, "%s: %s", path, json_util_get_last_err());
	list = array_of(root, "subsystems");
	for (size_t i = 0; !ret && list && i < json_object_array_length(list); i++)
		ret = load_subsystem(&c, json_object_array_get_idx(list, i), (unsigned int)i);
	list = array_of(root, "ports");
	for (size_t i = 0; !ret && list && i < json_object_array_length(list); i++)
		ret = load_port(&c, json_object_array_get_idx(list, i), (unsigned int)i);
	if (!ret && !out->nr_ports)
		ret = fail(&c, -EINVAL, "%s: no ports: nothing to listen on", path);
	json_object_put(root);
	return ret;
}
