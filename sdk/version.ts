/**
 * The version of the module API this sdk describes. A package's tsmgr.json names the range it
 * needs (`"sdk": "^0.1.0"`); the daemon refuses to install a package whose range this version
 * does not satisfy. Raised with the surface: minor for additions, major for removals or changes.
 *
 * @example
 * // tsmgr.json
 * // { "name": "dash", "version": "1.0.0", "sdk": "^0.1.0", "entry": "index.ts" }
 */
export const SDK_VERSION = "0.1.0";

/**
 * The Ceph release whose manager module API and data shapes tsmgr provides: what a ported Ceph
 * module sees as `self.version` and `self.release_name`.
 */
export const CEPH_VERSION = "16.2.15";
export const CEPH_RELEASE_NAME = "pacific";
