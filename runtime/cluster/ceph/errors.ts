// The one error the ceph cluster backend throws: it could not attach at all. `code` says why, so
// the daemon can turn it into a clean exit (2) with the message as is.

export type CephBackendErrorCode =
  /** python3 or its rados binding (Debian's python3-rados) is not installed */
  | "ENOPKG"
  /** librados could not reach or authenticate to the cluster (bad conf, keyring, name, no mon) */
  | "ECONNECT"
  /** the helper process failed in some other way */
  | "EHELPER";

export class CephBackendError extends Error {
  override name = "CephBackendError";
  constructor(
    readonly code: CephBackendErrorCode,
    message: string,
    /** librados' errno when it gave one (positive) */
    readonly errno = 0,
  ) {
    super(message);
  }
}
