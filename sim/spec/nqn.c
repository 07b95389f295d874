/* NQN syntax.  Hosts and targets that skip this check accept names other
 * implementations refuse; a conformance harness must know which is which. */
#include "spec/nqn.h"

#include <string.h>

#define NQN_UUID_PREFIX "nqn.2014-08.org.nvmexpress:uuid:"
#define UUID_TEXT_LEN 36u

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool uuid_text_valid(const char *u)
{
	if (strlen(u) != UUID_TEXT_LEN)
		return false;
	for (unsigned i = 0; i < UUID_TEXT_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? u[i] != '-' : !is_hex(u[i]))
			return false;
	}
	return true;
}

/* "nqn.yyyy-mm." with a month from 01 to 12. */
static bool date_prefix_valid(const char *s)
{
	int month;

	if (strncmp(s, "nqn.", 4) != 0)
		return false;
	for (int i = 4; i < 8; i++)
		if (!is_digit(s[i]))
			return false;
	if (s[8] != '-' || !is_digit(s[9]) || !is_digit(s[10]) || s[11] != '.')
		return false;
	month = (s[9] - '0') * 10 + (s[10] - '0');
	return month >= 1 && month <= 12;
}

static bool domain_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
	       c == '-';
}

const char *nvsim_nqn_check(const char *buf, size_t field_len)
{
	const char *end = memchr(buf, '\0', field_len);
	size_t len, i;

	if (!end)
		return "not NUL-terminated";
	len = (size_t)(end - buf);
	if (len == 0)
		return "empty";
	if (len > NVSIM_NQN_MAX_LEN)
		return "longer than 223 bytes";
	if (strncmp(buf, NQN_UUID_PREFIX, strlen(NQN_UUID_PREFIX)) == 0)
		return uuid_text_valid(buf + strlen(NQN_UUID_PREFIX)) ? NULL : "malformed UUID";
	if (len < 13 || !date_prefix_valid(buf))
		return "does not start with nqn.yyyy-mm.";
	for (i = 12; i < len && buf[i] != ':'; i++)
		if (!domain_char(buf[i]))
			return "bad character in the domain part";
	if (i == 12)
		return "empty domain";
	for (; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			return "control character";
	return NULL;
}
