// Commands sent to one simulated daemon (`ceph tell osd.0 perf dump`): an OSD and a named mon
// answer the common admin commands in a real daemon's shapes, an MDS its version and status; a
// daemon that does not exist answers ENOENT as `ceph tell` does, a down OSD ETIMEDOUT (the
// objecter would wait for it to come back). The mgr target's commands go through the simulated mon.
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

type Handler = (state: SimState, who: DaemonTarget, cmd: Cmd) => CommandResult;
const key = (who: DaemonTarget) => `${who.type}.${who.id}`;

/** What an OSD and a mon both answer (their admin commands in common). */
const COMMON: Record<string, Handler> = {
  version,
  git_version: () => ok({ git_version: GIT_SHA }),
  "perf dump": (state, who, cmd) => {
    const dump = perfDump(state, who.type, who.id) ?? {};
    const logger = typeof cmd.logger === "string" ? cmd.logger : undefined;
    if (logger === undefined) return ok(dump);
    const section = dump[logger] ?? {};
    const counter = typeof cmd.counter === "string" ? cmd.counter : undefined;
    return ok({
      [logger]: counter === undefined ? section : counter in section ? { [counter]: section[counter] } : {},
    });
  },
  "perf schema": (state, who) => ok(perfSchemaDump(state, who.type, who.id) ?? {}),
  ops: () => ok({ ops: [], num_ops: 0 }),
  "config get": (state, who, cmd) => {
    const name = String(cmd.var);
    const value = configOption(name) ? effectiveValue(state, key(who), name) : undefined;
    // the daemon's own answer for a name it does not know
    if (value === undefined) return fail(ENOENT, `error getting '${name}': (2) No such file or directory`);
    return ok({ [name]: value });
  },
  "config show": (state, who) => {
    const out: Record<string, string> = {};
    for (const o of mgrGet<{ options: { name: string }[] }>("config_options").options)
      out[o.name] = effectiveValue(state, key(who), o.name) ?? "";
    return ok(out);
  },
};

const OSD: Record<string, Handler> = {
  ...COMMON,
  status: (state, who) => {
    const o = state.osd(Number(who.id))!;
    return ok({
      cluster_fsid: state.fsid,
      osd_fsid: o.uuid,
      whoami: o.id,
      state: "active",
      oldest_map: 1,
      newest_map: state.osdmapEpoch,
      num_pgs: o.numPgs,
    });
  },
  dump_ops_in_flight: () => ok({ ops: [], num_ops: 0 }),
};

const MON: Record<string, Handler> = {
  ...COMMON,
  // mon_status is answered by runDaemonCommand from the published text
  sessions: () => ok([]),
};

/**
 * Runs one command on a simulated OSD, named mon or MDS; the caller validated it against that
 * daemon type's descriptors. `monStatus` is the published mon_status text.
 */
export function runDaemonCommand(
  state: SimState,
  target: DaemonTarget,
  cmd: Cmd,
  monStatus: () => string,
): CommandResult {
  if (target.type === "osd") {
    const o = /^\d+$/.test(target.id) ? state.osd(Number(target.id)) : undefined;
    // the objecter's answer for an osd the map does not have
    if (!o) return fail(ENOENT, `problem getting command descriptions from osd.${target.id}`);
    if (!o.up) return fail(ETIMEDOUT, `osd.${target.id} is down`);
    return dispatch(OSD, state, target, cmd);
  }
  if (target.type === "mon") {
    if (!state.mons.some((m) => m.name === target.id))
      return fail(ENOENT, `problem getting command descriptions from mon.${target.id}`);
    if (cmd.prefix === "mon_status")
      return { retval: 0, stdout: (JSON.parse(monStatus()) as { json: string }).json, stderr: "" };
    return dispatch(MON, state, target, cmd);
  }
  if (target.type === "mds") {
    if (!state.mdsDaemons.has(target.id))
      return fail(ENOENT, `problem getting command descriptions from mds.${target.id}`);
    if (cmd.prefix === "version") return version();
    if (cmd.prefix === "status")
      return ok({
        cluster_fsid: state.fsid,
        whoami: -1,
        id: 0,
        want_state: "up:standby",
        state: "up:standby",
        mdsmap_epoch: state.fsmapEpoch,
      });
    return fail(EINVAL, "unrecognized command! [" + cmd.prefix + "]");
  }
  return fail(EINVAL, `no simulated daemon commands for ${target.type}`);
}

function dispatch(table: Record<string, Handler>, state: SimState, who: DaemonTarget, cmd: Cmd): CommandResult {
  const handler = Object.hasOwn(table, cmd.prefix) ? table[cmd.prefix] : undefined;
  if (!handler)
    return fail(
      EINVAL,
      `the simulated ${key(who)} does not implement "${cmd.prefix}" (a real one does): it answers ${Object.keys(table).join(", ")}`,
    );
  return handler(state, who, cmd);
}
