// `health [detail]`: the manager's health checks (failed modules, module health checks).
// Module text is shown escaped in plain output, so it cannot recolour or forge a line.
import type { HealthCheck } from "../modules.ts";
import { oneLine, shownText } from "./_util.ts";
import type { Builtin, BuiltinAnswer, BuiltinDeps } from "./types.ts";

function overall(checks: Record<string, HealthCheck>): string {
  const codes = Object.keys(checks);
  if (codes.length === 0) return "HEALTH_OK";
  return codes.some((c) => checks[c]!.severity === "HEALTH_ERR") ? "HEALTH_ERR" : "HEALTH_WARN";
}

export function healthReport(checks: Record<string, HealthCheck>, detail: boolean): BuiltinAnswer {
  const codes = Object.keys(checks);
  const status = overall(checks);
  const data = {
    status,
    checks: Object.fromEntries(codes.map((c) => [c, detail ? checks[c] : { severity: checks[c]!.severity, summary: checks[c]!.summary, muted: false }])),
    mutes: [],
  };
  let text = status;
  if (codes.length > 0) text += " " + codes.map((c) => oneLine(checks[c]!.summary.message)).join("; ");
  if (detail) {
    for (const c of codes) {
      const check = checks[c]!;
      text += `\n[${check.severity === "HEALTH_ERR" ? "ERR" : "WRN"}] ${c}: ${oneLine(check.summary.message)}`;
      text += check.detail.map((d) => "\n    " + shownText(d.message).replace(/\n/g, "\n    ")).join("");
    }
  }
  return { data, text };
}

export function healthCommands({ modules }: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: "health name=detail,type=CephChoices,strings=detail,req=false",
      desc: "the manager's health: failed modules and module health checks",
      perm: "r",
      needsActive: true,
      run: (a) => healthReport(modules.healthChecks(), a.detail === "detail"),
    },
  ];
}
