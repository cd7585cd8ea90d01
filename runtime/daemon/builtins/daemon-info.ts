// The commands every Ceph daemon answers on its admin socket, about the daemon itself:
// `version`, `config show` (its configuration, flat, every value a string), `perf dump` and
// `perf schema` (its own counters). Plain output is JSON, as Ceph's admin socket prints it.
import { join } from "node:path";
import type { Config } from "../../config/index.ts";
import { PERF_SCHEMA } from "../perf-counters.ts";
import { versionInfo } from "./_version.ts";
import type { Builtin, BuiltinAnswer, BuiltinDeps } from "./types.ts";

const pretty = (data: unknown): BuiltinAnswer => ({ data, text: JSON.stringify(data, null, 4) });

/** A URL's user:password, if an endpoint carries one, is not shown. */
const redact = (s: string) => s.replace(/\/\/[^/@\s]*@/g, "//***@");

function flatten(value: unknown, key: string, out: Record<string, string>): void {
  if (Array.isArray(value)) out[key] = value.map((v) => redact(String(v))).join(",");
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) flatten(v, key ? `${key}.${k}` : k, out);
  else out[key] = redact(String(value));
}

/**
 * The daemon's configuration as Ceph's `config show` gives it: key → string. Keys are mgr.json's
 * paths (`http.listen`, `limits.memoryMb`, `modules.hello.enabled`), after defaults and this
 * daemon's `daemons.ID` overrides; Ceph's identity keys (`name`, `admin_socket`) come first.
 * Other daemons' overrides are theirs, not shown.
 */
export function flatConfig(cfg: Config): Record<string, string> {
  const out: Record<string, string> = { name: `mgr.${cfg.id}`, admin_socket: join(cfg.dataDir, `mgr.${cfg.id}.asok`) };
  const { daemons: _others, file, ...rest } = cfg;
  out.config_file = file;
  flatten(rest, "", out);
  return out;
}

export function daemonInfoCommands({ config, counters, modules, kv }: BuiltinDeps): Builtin[] {
  const perfDump = () => {
    const st = modules.status();
    return {
      tsmgr: {
        uptime: Math.floor((Date.now() - counters.started) / 1000),
        builtin_commands: counters.builtinCommands,
        module_commands: counters.moduleCommands,
        command_errors: counters.commandErrors,
        command_lat: counters.latency(),
      },
      modules: {
        modules_known: st.length,
        modules_running: st.filter((s) => s.state === "active" || s.state === "standby").length,
        modules_failed: st.filter((s) => s.enabled && s.state === "failed").length,
        restarts: st.reduce((n, s) => n + s.restarts, 0),
        notifies_coalesced: st.reduce((n, s) => n + s.notifies_coalesced, 0),
        heap_bytes: st.reduce((n, s) => n + s.heap_bytes, 0),
      },
      store: { keys: kv.prefix("").length, writes: counters.storeWrites, remote_changes: counters.storeRemoteChanges },
    };
  };
  return [
    {
      cmd: "version",
      desc: "get the daemon's version (tsmgr's, with the Ceph release it speaks)",
      perm: "r",
      needsActive: false,
      run: () => {
        const v = versionInfo();
        return pretty({ version: v.version, release: v.release, release_type: v.release_type });
      },
    },
    {
      cmd: "config show",
      desc: "dump current config settings",
      perm: "r",
      needsActive: false,
      run: () => pretty(flatConfig(config)),
    },
    { cmd: "perf dump", desc: "dump perfcounters value", perm: "r", needsActive: false, run: () => pretty(perfDump()) },
    {
      cmd: "perf schema",
      desc: "dump perfcounters schema",
      perm: "r",
      needsActive: false,
      run: () => pretty(PERF_SCHEMA),
    },
  ];
}
