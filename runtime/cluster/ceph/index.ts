// Public surface of the real-Ceph cluster backend: createCephCluster(cfg.cluster.ceph, opts)
// implements ClusterSource over librados (Debian's python3-rados, in a helper process).
export {
  CEPH_DATA_NAMES,
  CephCluster,
  createCephCluster,
  type CephClusterOptions,
  type CephConfig,
} from "./cluster.ts";
export { CephBackendError, type CephBackendErrorCode } from "./errors.ts";
export { INSTALL_HINT } from "./transport.ts";
export { benchCephBackend, type CephBenchFigure, type CephBenchFigures } from "./bench.ts";
