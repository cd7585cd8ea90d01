/**
 * The errno values a command result's `retval` carries, negated as Ceph's are
 * (`{ retval: -Errno.EINVAL, ... }`); the CLI exits with the positive number.
 *
 * ```ts
 * if (!pool) return { retval: -Errno.ENOENT, stdout: "", stderr: `pool '${name}' does not exist` };
 * ```
 */
export const Errno = Object.freeze({
  EPERM: 1,
  ENOENT: 2,
  EIO: 5,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  EOPNOTSUPP: 95,
  ETIMEDOUT: 110,
} as const);
