// The two CRUSH questions the autoscaler asks (Ceph's CRUSHMap.get_rule_root and
// get_osds_under), answered from the crush map dump: a module here has no CRUSH library.
import type { ClusterData } from "@tsmgr/sdk";

type Crush = ClusterData["osd_map_crush"];

/** The bucket a rule starts from: the item of its first `take` step (null without one). */
export function ruleRoot(crush: Crush, ruleId: number): number | null {
  const rule = crush.rules.find((r) => r.rule_id === ruleId);
  const take = rule?.steps.find((s) => s.op === "take");
  return take?.item ?? null;
}

/** Every OSD below a bucket (device-class shadow buckets included), in the dump's order. */
export function osdsUnder(crush: Crush, rootId: number): number[] {
  const buckets = new Map(crush.buckets.map((b) => [b.id, b]));
  const out: number[] = [];
  const seen = new Set<number>();
  const walk = (id: number) => {
    if (seen.has(id)) return; // a malformed map must not loop us
    seen.add(id);
    for (const item of buckets.get(id)?.items ?? []) {
      if (item.id >= 0) out.push(item.id);
      else walk(item.id);
    }
  };
  walk(rootId);
  return out;
}
