// `top`: every module's cost (CPU, heap, calls, store), most CPU first. `tsmgr top` polls it
// once a second (runtime/cli/top.ts); `-f json` gives the figures as `module ls -f json` does.
import type { ModuleAccounting } from "../accounting.ts";
import { table } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)}M`;

/** Most CPU over the last 5 s first, then over 60 s, then in total; ties by name. */
export function byCpu(a: ModuleAccounting, b: ModuleAccounting): number {
  return (
    b.cpu_share_5s - a.cpu_share_5s ||
    b.cpu_share_60s - a.cpu_share_60s ||
    b.cpu_seconds_total - a.cpu_seconds_total ||
    a.name.localeCompare(b.name)
  );
}

export function topTable(rows: (ModuleAccounting & { state: string })[]): string {
  const lines = [
    [
      "MODULE",
      "STATE",
      "CPU5S",
      "CPU60S",
      "CPUTIME",
      "HEAP",
      "LIMIT",
      "CALLS",
      "ERRORS",
      "RESTARTS",
      "KEYS",
      "STORE",
      "HTTP",
    ],
  ];
  for (const r of rows) {
    const calls = Object.values(r.calls).reduce((n, c) => n + c.count, 0);
    lines.push([
      r.name,
      r.state,
      pct(r.cpu_share_5s),
      pct(r.cpu_share_60s),
      `${r.cpu_seconds_total.toFixed(2)}s`,
      mib(r.heap_used_bytes),
      mib(r.heap_limit_bytes),
      String(calls),
      String(r.errors),
      String(r.restarts),
      String(r.store_keys),
      `${r.store_bytes}B`,
      String(r.http_requests),
    ]);
  }
  return table(lines);
}

export function topCommands({ modules }: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "top",
      desc: "every module's CPU (share over 5 s and 60 s, total), heap, calls, errors, restarts and store use, most CPU first",
      perm: "r",
      needsActive: true,
      run: () => {
        const state = new Map(modules.status().map((s) => [s.name, s.state]));
        const rows = modules.accounting
          .all()
          .sort(byCpu)
          .map((a) => ({ ...a, state: state.get(a.name) ?? "-" }));
        return { data: { modules: rows }, text: topTable(rows) };
      },
    },
  ];
}
