// The options Ceph adds to every module (mgr_module.py's _register_options): `log_level`,
// `log_to_file`, `log_to_cluster`, `log_to_cluster_level`, and what they do to a module's lines.
import { validateOptionDecls, type OptionDecl } from "../store/index.ts";

const LEVELS = ["info", "debug", "critical", "error", "warning", ""];

/** Declared for every module unless it declares an option of the same name itself (as Ceph). */
export const CEPH_MODULE_OPTIONS: readonly OptionDecl[] = Object.freeze(
  validateOptionDecls("tsmgr", [
    {
      name: "log_level",
      type: "str",
      default: "",
      enum_allowed: LEVELS,
      desc: "this module's log level (\"\": the daemon's)",
      runtime: true,
      level: "advanced",
    },
    {
      name: "log_to_file",
      type: "bool",
      default: false,
      desc: "accepted for Ceph parity: a module's lines always go to the daemon's log",
      runtime: true,
      level: "advanced",
    },
    {
      name: "log_to_cluster",
      type: "bool",
      default: false,
      desc: "also send this module's lines to the cluster log (tsmgr log last)",
      runtime: true,
      level: "advanced",
    },
    {
      name: "log_to_cluster_level",
      type: "str",
      default: "info",
      enum_allowed: LEVELS,
      desc: "the lowest level sent to the cluster log",
      runtime: true,
      level: "advanced",
    },
  ]),
);

export function withCephModuleOptions(decls: OptionDecl[]): OptionDecl[] {
  const own = new Set(decls.map((d) => d.name));
  return [...decls, ...CEPH_MODULE_OPTIONS.filter((d) => !own.has(d.name))];
}

export type LineLevel = "debug" | "info" | "warn" | "error";

// Python's levels, which Ceph's module options name, against a module's four
const RANK: Record<string, number> = { debug: 10, info: 20, warning: 30, warn: 30, error: 40, critical: 50 };

/** Whether a line at `level` passes a Ceph level name ("" passes everything: the daemon filters). */
export function passes(level: LineLevel, threshold: unknown): boolean {
  if (typeof threshold !== "string" || threshold === "" || !Object.hasOwn(RANK, threshold)) return true;
  return RANK[level]! >= RANK[threshold]!;
}

/** The cluster log priority (CLUSTER_LOG_PRIO) of a line at `level`. */
export function clusterPriority(level: LineLevel): number {
  return { debug: 0, info: 1, warn: 3, error: 4 }[level];
}
