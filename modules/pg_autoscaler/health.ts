// The autoscaler's health checks, with Ceph's names and texts: pools in "warn" mode whose pg_num
// is off by the threshold, subtrees whose target_size_bytes overcommit them, and pools that set
// both target sizes.
import type { ClusterData, HealthCheck } from "@tsmgr/sdk";
import type { PoolStatus, Subtree } from "./pool-status.ts";
import { formatBytes } from "../_lib/units.ts";

/** Python's repr() of a list of names: ['a', 'b']. */
const pyList = (names: readonly string[]) => `[${names.map((n) => `'${n}'`).join(", ")}]`;

const check = (summary: string, detail: string[]): HealthCheck => ({
  severity: "warning",
  summary,
  count: detail.length,
  detail,
});

export function healthChecks(
  osdMap: ClusterData["osd_map"],
  pools: readonly PoolStatus[],
  byRoot: Map<number, Subtree>,
): Record<string, HealthCheck> {
  const tooFew: string[] = [];
  const tooMany: string[] = [];
  const bothTargets: string[] = [];
  const totalBytes = new Map<number, number>([...byRoot.keys()].map((r) => [r, 0]));
  const totalTarget = new Map<number, number>([...byRoot.keys()].map((r) => [r, 0]));
  const targetPools = new Map<number, string[]>([...byRoot.keys()].map((r) => [r, []]));
  for (const p of pools) {
    const options = osdMap.pools.find((q) => q.pool === p.pool_id)?.options as
      Record<string, number | undefined> | undefined;
    if ((options?.target_size_ratio ?? 0) > 0 && (options?.target_size_bytes ?? 0) > 0) {
      bothTargets.push(`Pool ${p.pool_name} has target_size_bytes and target_size_ratio set`);
    }
    const root = p.crush_root_id;
    totalBytes.set(root, totalBytes.get(root)! + Math.max(p.actual_raw_used, p.target_bytes * p.raw_used_rate));
    if (p.target_bytes > 0) {
      totalTarget.set(root, totalTarget.get(root)! + p.target_bytes * p.raw_used_rate);
      targetPools.get(root)!.push(p.pool_name);
    }
    if (p.pg_autoscale_mode === "warn") {
      const msg = `Pool ${p.pool_name} has ${p.pg_num_target} placement groups, should have ${p.pg_num_final}`;
      (p.pg_num_final > p.pg_num_target ? tooFew : tooMany).push(msg);
    }
  }
  const overcommit: string[] = [];
  for (const [root, total] of totalBytes) {
    const target = Math.trunc(totalTarget.get(root)!);
    const { capacity, poolNames } = byRoot.get(root)!;
    if (!capacity) continue;
    const by = `${pyList(poolNames)} overcommit available storage by ${(total / capacity).toFixed(3)}x`;
    if (target > 0 && total > capacity) {
      overcommit.push(
        `Pools ${by} due to target_size_bytes ${formatBytes(target, 5)} on pools ${pyList(targetPools.get(root)!)}`,
      );
    } else if (target > capacity) {
      overcommit.push(`Pools ${by} due to collective target_size_bytes of ${formatBytes(target, 5)}`);
    }
  }
  const checks: Record<string, HealthCheck> = {};
  if (tooFew.length) checks.POOL_TOO_FEW_PGS = check(`${tooFew.length} pools have too few placement groups`, tooFew);
  if (tooMany.length)
    checks.POOL_TOO_MANY_PGS = check(`${tooMany.length} pools have too many placement groups`, tooMany);
  if (overcommit.length)
    checks.POOL_TARGET_SIZE_BYTES_OVERCOMMITTED = check(
      `${overcommit.length} subtrees have overcommitted pool target_size_bytes`,
      overcommit,
    );
  if (bothTargets.length)
    checks.POOL_HAS_TARGET_SIZE_BYTES_AND_RATIO = check(
      `${bothTargets.length} pools have both target_size_bytes and target_size_ratio set`,
      bothTargets,
    );
  return checks;
}
