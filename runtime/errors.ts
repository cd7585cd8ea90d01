// The few named errors tsmgr raises, each with a stable `code`. Only name and message cross
// an isolate boundary, so callers match on `name`/`code`, never on `instanceof`.

/** errno values used across the command protocol and as CLI exit codes (Linux numbering). */
export const Errno = {
  ENOENT: 2,
  EIO: 5,
  EAGAIN: 11,
  EACCES: 13,
  EEXIST: 17,
  EINVAL: 22,
  EFBIG: 27,
  ENOSPC: 28,
  ENOSYS: 38,
  ENOTSUP: 95,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
} as const;

/** A module asked for something mgr.json does not grant it. */
export class PermissionDenied extends Error {
  override name = "PermissionDenied";
  readonly code = "EACCES";
  readonly errno = Errno.EACCES;
}

/** A quota or resource limit (memory, time, size, count) was exceeded. */
export class LimitExceeded extends Error {
  override name = "LimitExceeded";
  readonly code = "ELIMIT";
}

/** A module could not be built or started; `location` is `file:line:col` in the .ts source when known. */
export class ModuleLoadError extends Error {
  override name = "ModuleLoadError";
  readonly code = "ELOAD";
  constructor(
    message: string,
    readonly location?: string,
    readonly frame?: string,
  ) {
    super(message);
  }
}

/** A command failed with an errno (positive, as `Errno` lists them). */
export class CommandError extends Error {
  override name = "CommandError";
  readonly code = "ECOMMAND";
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

/** The config file is invalid: `field` is the dotted path of the offending field. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code = "ECONFIG";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}

/** The store could not be opened or written. */
export class StoreError extends Error {
  override name = "StoreError";
  readonly code = "ESTORE";
}
