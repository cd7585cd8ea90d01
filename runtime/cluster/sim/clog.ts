// The cluster log: LogEntry records as the mon writes them, delivered to modules as `clog`
// notifications (the id is the entry itself, as in the fixture's notify log) and kept for `log last`.
import { monAddrvec } from "./addrs.ts";
import { deepFreeze } from "../_fixtures.ts";
import type { LogEntry } from "../types.ts";
import type { SimState } from "./state.ts";

export type ClogPriority = "[DBG]" | "[INF]" | "[SEC]" | "[WRN]" | "[ERR]";

const RECENT_LOG_SIZE = 500;

export function clog(state: SimState, channel: "cluster" | "audit", priority: ClogPriority, message: string): LogEntry {
  const leader = state.mons.find((m) => m.inQuorum) ?? state.mons[0]!;
  const entry: LogEntry = {
    addrs: monAddrvec(state.hosts[leader.host]!.ip),
    seq: ++state.clogSeq,
    channel,
    message,
    name: `mon.${leader.name}`,
    rank: `mon.${leader.rank}`,
    stamp: state.nowStamp,
    priority,
  };
  // Every subscriber gets the same object: it must not be changeable by any of them.
  deepFreeze(entry);
  state.recentLog.push(entry);
  if (state.recentLog.length > RECENT_LOG_SIZE) state.recentLog.splice(0, state.recentLog.length - RECENT_LOG_SIZE);
  state.notify("clog", entry);
  return entry;
}

/** The audit line the mon writes for a command the mgr sent. */
export function auditCommand(state: SimState, cmd: Record<string, unknown>, phase: "dispatch" | "finished"): void {
  const text = JSON.stringify(cmd);
  clog(state, "audit", "[INF]", `from='mgr.4587 127.0.0.1:0/21932' entity='mgr.x' cmd=[${text}]: ${phase}`);
}
