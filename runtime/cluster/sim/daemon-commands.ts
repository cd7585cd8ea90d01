// Commands sent to one simulated daemon (`ceph tell osd.0 perf dump`): the OSD answers the common
// admin-socket commands in a real OSD's shapes, an MDS its version and status; a daemon that does
// not exist answers ENOENT, a down one ETIMEDOUT (the objecter would wait for it to come back).
// Mon and mgr targets are mon commands and go through the simulated mon.
import type { CommandResult, DaemonTarget } from "../types.ts";
import { configOption, effectiveValue } from "./config.ts";
import { EINVAL, ENOENT, fail, type Cmd } from "./cmd-util.ts";
import { CEPH_VERSION, CEPH_VERSION_SHORT } from "./constants.ts";
import { mgrGet } from "../_fixtures.ts";
import { perfDump, perfSchemaDump } from "./perf.ts";
import type { SimState } from "./state.ts";

const ETIMEDOUT = -110;
const GIT_SHA = /\(([0-9a-f]{40})\)/.exec(CEPH_VERSION)![1]!;

const ok = (data: unknown): CommandResult => ({ retval: 0, stdout: JSON.stringify(data), stderr: "" });
const version = () => ok({ version: CEPH_VERSION_SHORT, release: "pacific", release_type: "stable" });

type OsdHandler = (state: SimState, id: number, cmd: Cmd) => CommandResult;

const OSD_COMMANDS: Record<string, OsdHandler> = {
  version,
  git_version: () => ok({ git_version: GIT_SHA }),
  status: (state, id) => {
    const o = state.osd(id)!;
    return ok({ cluster_fsid: state.fsid, osd_fsid: o.uuid, whoami: id, state: "active", oldest_map: 1, newest_map: state.osdmapEpoch, num_pgs: o.numPgs });
  },
  "perf dump": (state, id, cmd) => {
    const dump = perfDump(state, "osd", String(id)) ?? {};
    const logger = typeof cmd.logger === "string" ? cmd.logger : undefined;
    if (logger === undefined) return ok(dump);
    const section = dump[logger] ?? {};
    const counter = typeof cmd.counter === "string" ? cmd.counter : undefined;
    return ok({ [logger]: counter === undefined ? section : counter in section ? { [counter]: section[counter] } : {} });
  },
  "perf schema": (state, id) => ok(perfSchemaDump(state, "osd", String(id)) ?? {}),
  dump_ops_in_flight: () => ok({ ops: [], num_ops: 0 }),
  ops: () => ok({ ops: [], num_ops: 0 }),
  "config get": (state, id, cmd) => {
    const name = String(cmd.var);
    const value = configOption(name) ? effectiveValue(state, `osd.${id}`, name) : undefined;
    // the OSD's own answer for a name it does not know
    if (value === undefined) return fail(ENOENT, `error getting '${name}': (2) No such file or directory`);
    return ok({ [name]: value });
  },
  "config show": (state, id) => {
    const out: Record<string, string> = {};
    for (const o of mgrGet<{ options: { name: string }[] }>("config_options").options) out[o.name] = effectiveValue(state, `osd.${id}`, o.name) ?? "";
    return ok(out);
  },
};

/** Runs one command on a simulated OSD or MDS; the caller validated it against the OSD's descriptors. */
export function runDaemonCommand(state: SimState, target: DaemonTarget, cmd: Cmd): CommandResult {
  if (target.type === "osd") return osdCommand(state, target.id, cmd);
  if (target.type === "mds") {
    const d = state.mdsDaemons.get(target.id);
    if (!d) return fail(ENOENT, `mds.${target.id} does not exist`);
    if (cmd.prefix === "version") return version();
    if (cmd.prefix === "status") return ok({ cluster_fsid: state.fsid, whoami: -1, id: 0, want_state: "up:standby", state: "up:standby", mdsmap_epoch: state.fsmapEpoch });
    return fail(EINVAL, "unrecognized command! [" + cmd.prefix + "]");
  }
  return fail(EINVAL, `no simulated daemon commands for ${target.type}`);
}

function osdCommand(state: SimState, id: string, cmd: Cmd): CommandResult {
  const o = /^\d+$/.test(id) ? state.osd(Number(id)) : undefined;
  // the objecter's answer for an osd the map does not have
  if (!o) return fail(ENOENT, `osd.${id} does not exist`);
  if (!o.up) return fail(ETIMEDOUT, `osd.${id} is down`);
  const handler = OSD_COMMANDS[cmd.prefix];
  if (!handler) return fail(EINVAL, `the simulated osd.${id} does not implement "${cmd.prefix}" (a real OSD does): it answers ${Object.keys(OSD_COMMANDS).join(", ")}`);
  return handler(state, o.id, cmd);
}
