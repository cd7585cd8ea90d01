// tsmgr's version in Ceph's words. The release is the Ceph release whose commands and shapes tsmgr
// speaks (pacific, 16.2.x); the version is tsmgr's own (package.json), and the release type is
// "dev" before 1.0, then "stable". Ceph's tools parse "ceph version X (...) RELEASE (TYPE)"
// by position, so the long form keeps that layout with "tsmgr" for "ceph".
import { readFileSync } from "node:fs";
import { CEPH_RELEASE_NAME } from "../../../sdk/version.ts";

/** One release name for the daemon and its modules (`this.releaseName`): the SDK's. */
export const CEPH_RELEASE = CEPH_RELEASE_NAME;

export interface VersionInfo {
  version: string;
  release: string;
  release_type: "dev" | "stable";
  /** "tsmgr version 0.1.0 (tsmgr) pacific (dev)": Ceph's `ceph_version` layout */
  long: string;
}

let cached: VersionInfo | undefined;

export function versionInfo(): VersionInfo {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  const type = /^0\./.test(pkg.version) ? "dev" : "stable";
  cached = {
    version: pkg.version,
    release: CEPH_RELEASE,
    release_type: type,
    long: `tsmgr version ${pkg.version} (tsmgr) ${CEPH_RELEASE} (${type})`,
  };
  return cached;
}
