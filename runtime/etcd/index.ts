// Public surface of the etcd code the etcd backends share (store/etcd.ts, election/etcd.ts): the
// client, the group marker and the fence.
export { createEtcdClient, dropWatches, waitForEtcd, ETCD_CALL_TIMEOUT_MS, ETCD_OPEN_TIMEOUT_MS } from "./client.ts";
export { etcdReason } from "./etcd-reason.ts";
export { checkGroup, GROUP_KEY } from "./group.ts";
export type { Fence, FenceProvider } from "./fence.ts";
