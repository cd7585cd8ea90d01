// `log last [N] [channel]`: the newest cluster log entries, as Ceph's `ceph log last` prints them
// (plain: "STAMP NAME (RANK) SEQ : CHANNEL [PRI] MESSAGE"; -f json: Ceph's LogEntry list).
import type { ClusterSource, LogEntry } from "../../cluster/index.ts";
import { fail, oneLine } from "./_util.ts";
import type { Builtin } from "./types.ts";

export const LOG_LAST_CMD =
  "log last name=num,type=CephInt,range=1,req=false name=channel,type=CephChoices,strings=*|cluster|audit|cephadm,req=false";
export const LOG_LAST_DESC = "print the last few lines of the cluster log (modules write it with clusterLog())";

export function logCommands(cluster: ClusterSource): Builtin[] {
  return [
    {
      cmd: LOG_LAST_CMD,
      desc: LOG_LAST_DESC,
      perm: "r",
      needsActive: false,
      run: async (a) => {
        const cmd = {
          prefix: "log last",
          num: typeof a.num === "number" ? a.num : 20,
          channel: typeof a.channel === "string" ? a.channel : "cluster",
          format: "json",
        };
        const r = await cluster.sendCommand(cmd, "");
        if (r.retval !== 0) fail(-r.retval, r.stderr || `log last failed with error ${r.retval}`);
        const entries = JSON.parse(r.stdout || "[]") as LogEntry[];
        return {
          data: entries,
          text: entries
            .map((e) => `${e.stamp} ${e.name} (${e.rank}) ${e.seq} : ${e.channel} ${e.priority} ${oneLine(e.message)}`)
            .join("\n"),
        };
      },
    },
  ];
}
