// `sim ...` and the simulator's mon commands: built-ins only while the cluster is the simulator.
import { handleSimCommand, SIM_COMMANDS, type ClusterSource, type SimCluster } from "../../cluster/index.ts";
import type { Builtin, Perm } from "./types.ts";

export function simCommands(cluster: ClusterSource): Builtin[] {
  if (cluster.backend !== "sim") return [];
  return SIM_COMMANDS.map((c) => ({
    ...c,
    perm: c.perm as Perm,
    needsActive: false,
    run: (args: Record<string, unknown>) => {
      const r = handleSimCommand(cluster as SimCluster, args as { prefix: string });
      return { text: r.stdout, retval: r.retval, stderr: r.stderr };
    },
  }));
}
