// The fence of a group's writes: the active's leader key, which the etcd election provides and the
// etcd store guards every commit with.

/** The guard a commit carries: the active's leader key (relative to the prefix) and its create revision. */
export interface Fence {
  key: string;
  createRevision: string;
}

/**
 * Where the store gets its fence (runtime/election/etcd.ts implements it). `current()` throws a
 * `StoreError` when this daemon may not write (it is not, or no longer, the active one);
 * `rejected()` is told when etcd refused a fenced commit (the leader key changed).
 */
export interface FenceProvider {
  current(): Fence;
  rejected(fence: Fence): void;
}
