/* NVMe Qualified Names (NVMe Base 2.0 §4.5 (approx.)): both wings check
 * them, the target on Connect, the host before sending. */
#ifndef NVSIM_SPEC_NQN_H
#define NVSIM_SPEC_NQN_H

#include <stdbool.h>
#include <stddef.h>

#define NVSIM_NQN_MAX_LEN 223u /* bytes, without the terminating NUL */

/* Checks that buf (a fixed field of field_len bytes, as in Connect data)
 * holds a NUL-terminated NQN of a valid form:
 *   nqn.yyyy-mm.<reverse domain>[:<anything printable>]
 *   nqn.2014-08.org.nvmexpress:uuid:<8-4-4-4-12 hex UUID>
 * Returns NULL when valid, else a short reason for messages. */
const char *nvsim_nqn_check(const char *buf, size_t field_len);

#endif
