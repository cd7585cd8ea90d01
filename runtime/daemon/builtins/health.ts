// `health [detail]`, `health mute CODE [TTL] [--sticky]`, `health unmute [CODE]`: the manager's
// health checks (failed modules, module health checks) as Ceph's HealthMonitor shows them, mutes
// included: a muted check stays listed ("muted": true) but no longer counts toward the status.
// Module text is shown escaped in plain output, so it cannot recolour or forge a line.
import type { HealthMute } from "../health-mutes.ts";
import { MuteError } from "../health-mutes.ts";
import type { HealthCheck } from "../modules.ts";
import { cephTime, prettyTimedelta } from "../timespan.ts";
import { fail, oneLine, shownText } from "./_util.ts";
import type { Builtin, BuiltinAnswer, BuiltinDeps } from "./types.ts";

function overall(checks: Record<string, HealthCheck>, muted: Set<string>): string {
  const codes = Object.keys(checks).filter((c) => !muted.has(c));
  if (codes.length === 0) return "HEALTH_OK";
  return codes.some((c) => checks[c]!.severity === "HEALTH_ERR") ? "HEALTH_ERR" : "HEALTH_WARN";
}

/** A mute as Ceph dumps it: the ttl only when there is one, as a utime. */
function muteJson(m: HealthMute): Record<string, unknown> {
  return {
    code: m.code,
    ...(m.ttl === undefined ? {} : { ttl: cephTime(m.ttl) }),
    sticky: m.sticky,
    summary: m.summary,
    count: m.count,
  };
}

/** The "(MUTED ttl 59m, STICKY) " mark of a detail line, as Ceph writes it. */
function mutedMark(m: HealthMute, now: number): string {
  let s = "(MUTED";
  if (m.ttl !== undefined) s += m.ttl > now ? ` ttl ${prettyTimedelta(m.ttl - now)}` : "0s";
  if (m.sticky) s += ", STICKY";
  return s + ") ";
}

export function healthReport(
  checks: Record<string, HealthCheck>,
  detail: boolean,
  mutes: HealthMute[] = [],
  now = Date.now(),
): BuiltinAnswer {
  const codes = Object.keys(checks);
  const byCode = new Map(mutes.map((m) => [m.code, m]));
  const muted = new Set(byCode.keys());
  const status = overall(checks, muted);
  const data = {
    status,
    checks: Object.fromEntries(
      codes.map((c) => [
        c,
        detail
          ? { ...checks[c], muted: muted.has(c) }
          : { severity: checks[c]!.severity, summary: checks[c]!.summary, muted: muted.has(c) },
      ]),
    ),
    mutes: mutes.map(muteJson),
  };
  const shown = codes.filter((c) => !muted.has(c));
  let text = status;
  if (shown.length > 0) text += " " + shown.map((c) => oneLine(checks[c]!.summary.message)).join("; ");
  if (mutes.length > 0) {
    text += shown.length > 0 ? "; " : " ";
    text += `(muted:${mutes.map((m) => ` ${m.code}${m.ttl === undefined ? "" : `(${m.ttl > now ? prettyTimedelta(m.ttl - now) : "0s"})`}`).join("")})`;
  }
  if (detail) {
    for (const c of codes) {
      const check = checks[c]!;
      const m = byCode.get(c);
      text += `\n${m ? mutedMark(m, now) : ""}[${check.severity === "HEALTH_ERR" ? "ERR" : "WRN"}] ${c}: ${oneLine(check.summary.message)}`;
      text += check.detail.map((d) => "\n    " + shownText(d.message).replace(/\n/g, "\n    ")).join("");
    }
  }
  return { data, text };
}

export function healthCommands({ modules }: BuiltinDeps): Builtin[] {
  const report = (detail: boolean) => {
    const checks = modules.healthChecks();
    return healthReport(checks, detail, modules.mutes.current(checks, modules.role === "active"));
  };
  const muteErrors = async (fn: () => Promise<void>): Promise<BuiltinAnswer> => {
    try {
      await fn();
    } catch (e) {
      if (e instanceof MuteError) fail(e.errno, e.message);
      throw e;
    }
    return { text: "" };
  };
  return [
    {
      cmd: "health name=detail,type=CephChoices,strings=detail,req=false",
      desc: "the manager's health: failed modules and module health checks",
      perm: "r",
      needsActive: true,
      run: (a) => report(a.detail === "detail"),
    },
    {
      cmd: "health mute name=code,type=CephString name=ttl,type=CephString,req=false name=sticky,type=CephBool,req=false",
      desc: "mute health alert",
      perm: "w",
      needsActive: true,
      run: (a) =>
        muteErrors(() =>
          modules.mutes.mute(
            String(a.code),
            a.ttl === undefined ? undefined : String(a.ttl),
            a.sticky === true,
            modules.healthChecks(),
          ),
        ),
    },
    {
      cmd: "health unmute name=code,type=CephString,req=false",
      desc: "unmute existing health alert mute(s)",
      perm: "w",
      needsActive: true,
      run: (a) => muteErrors(() => modules.mutes.unmute(a.code === undefined ? undefined : String(a.code))),
    },
  ];
}
