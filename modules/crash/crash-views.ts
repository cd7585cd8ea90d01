// The read-only answers of the crash module: ls / ls-new (table or JSON), stat, json_report,
// and the RECENT_CRASH health check, each a function of the crashes and the time.
import type { HealthCheck } from "@tsmgr/sdk";
import { pyDumps } from "../_lib/pyjson.ts";
import { renderTable } from "../_lib/table.ts";
import { crashTime } from "./crash-time.ts";
import type { Crash } from "./metadata.ts";

const DAY_MS = 86_400_000;

const byId = (a: Crash, b: Crash) => (a.crash_id < b.crash_id ? -1 : a.crash_id > b.crash_id ? 1 : 0);

/** `crash ls` (every crash) or `crash ls-new` (not archived), sorted by id. */
export function listCrashes(crashes: Iterable<Crash>, onlyNew: boolean, json: boolean): string {
  const list = [...crashes].filter((c) => !onlyNew || !("archived" in c)).sort(byId);
  if (json) return pyDumps(list, { sortKeys: true, indent: 4 });
  const rows = list.map((c) => [c.crash_id, c.entity_name ?? "unknown", "archived" in c ? "" : "*"]);
  return renderTable([{ name: "ID", align: "l" }, { name: "ENTITY", align: "l" }, { name: "NEW" }], rows);
}

/** `crash stat`: the count, then the ids older than 1, 3 and 7 days (an old crash is in each). */
export function crashStat(crashes: Map<string, Crash>, now: number): string {
  const lines = [`${crashes.size} crashes recorded`];
  for (const days of [1, 3, 7]) {
    const limit = now - days * DAY_MS;
    const ids = [...crashes].filter(([, c]) => crashTime(c.timestamp) <= limit).map(([id]) => id);
    lines.push(ids.length ? [`${ids.length} older than ${days} days old:`, ...ids].join("\n") : "");
  }
  return lines.join("\n");
}

/**
 * `crash json_report`: crashes per process name, as Ceph's (which counts every crash whatever
 * `hours` says, and answers on the status line: stderr).
 */
export function jsonReport(crashes: Iterable<Crash>): string {
  const report: Record<string, number> = {};
  for (const c of crashes) {
    const name = typeof c.process_name === "string" && c.process_name ? c.process_name : "unknown";
    report[name] = (report[name] ?? 0) + 1;
  }
  return pyDumps(report, { sortKeys: true });
}

/** RECENT_CRASH: crashes newer than `warnSecs` and not archived; {} when there are none. */
export function recentCrashCheck(crashes: Iterable<Crash>, warnSecs: number, now: number): Record<string, HealthCheck> {
  const cutoff = now - warnSecs * 1000;
  const recent = [...crashes].filter((c) => crashTime(c.timestamp) > cutoff && !("archived" in c));
  if (recent.length === 0) return {};
  const detail = recent.map(
    (c) =>
      `${c.entity_name ?? "unidentified daemon"} crashed on host ${c.utsname_hostname ?? "(unknown)"} at ${c.timestamp ?? "unknown time"}`,
  );
  if (detail.length > 30) detail.splice(30, detail.length - 30, `and ${recent.length - 30} more`);
  return {
    RECENT_CRASH: {
      severity: "warning",
      summary: `${recent.length} daemons have recently crashed`,
      count: recent.length,
      detail,
    },
  };
}
