// The `sim ...` command table: fault injection and control of the simulated cluster for tests
// and operators, declared with Ceph descriptor strings and answered like mon commands.
import type { CommandResult } from "../types.ts";

/** What the `sim ...` commands drive: the simulation controls SimCluster offers (kept here, not imported, so the two files do not import each other). */
export interface SimControls {
  osdDown(id: number): boolean;
  osdUp(id: number): boolean;
  osdOut(id: number): boolean;
  osdIn(id: number): boolean;
  addOsd(hostname?: string): number;
  removeOsd(id: number): void;
  replaceOsd(id: number): void;
  addHost(name?: string, osds?: number): string;
  setHostUp(name: string, up: boolean): number;
  setMonInQuorum(name: string, inQuorum: boolean): boolean;
  addMon(name: string, hostname?: string): void;
  removeMon(name: string): void;
  addMds(name: string, hostname?: string): void;
  removeMds(name: string): void;
  fillPool(name: string, percent: number): void;
  tick(count?: number): void;
  setHealthCheck(code: string, check: { severity: "warning" | "error"; summary: string }): void;
  clearHealthCheck(code?: string): void;
  addService(type: string, id: string, hostname?: string): void;
  removeService(type: string, id: string): void;
  epochs(): object;
  summary(): object;
}

export const SIM_COMMANDS: readonly { cmd: string; desc: string; perm: string }[] = Object.freeze([
  {
    cmd: "sim osd down name=id,type=CephOsdName",
    desc: "Kill an OSD daemon (stays down until 'sim osd up')",
    perm: "w",
  },
  { cmd: "sim osd up name=id,type=CephOsdName", desc: "Start an OSD daemon again", perm: "w" },
  { cmd: "sim osd out name=id,type=CephOsdName", desc: "Mark an OSD out", perm: "w" },
  { cmd: "sim osd in name=id,type=CephOsdName", desc: "Mark an OSD in", perm: "w" },
  {
    cmd: "sim osd add name=host,type=CephString,req=false",
    desc: "Create an OSD (in the osdmap now, its metadata a few ticks later)",
    perm: "w",
  },
  {
    cmd: "sim osd rm name=id,type=CephOsdName",
    desc: "Purge an OSD (the mgr keeps its metadata a few ticks)",
    perm: "w",
  },
  {
    cmd: "sim osd replace name=id,type=CephOsdName",
    desc: "Swap an OSD's disk: fail, out, purge, recreate",
    perm: "w",
  },
  {
    cmd: "sim host add name=name,type=CephString,req=false name=osds,type=CephInt,range=1|100,req=false",
    desc: "Add a host with new OSDs",
    perm: "w",
  },
  { cmd: "sim host down name=name,type=CephString", desc: "Power off a host: all its OSDs go down", perm: "w" },
  { cmd: "sim host up name=name,type=CephString", desc: "Power a host back on", perm: "w" },
  { cmd: "sim mon down name=id,type=CephString", desc: "Take a mon out of quorum", perm: "w" },
  { cmd: "sim mon up name=id,type=CephString", desc: "Bring a mon back into quorum", perm: "w" },
  {
    cmd: "sim mon add name=id,type=CephString name=host,type=CephString,req=false",
    desc: "Add a mon to the monmap",
    perm: "w",
  },
  { cmd: "sim mon rm name=id,type=CephString", desc: "Remove a mon from the monmap", perm: "w" },
  {
    cmd: "sim mds add name=id,type=CephString name=host,type=CephString,req=false",
    desc: "Start an MDS (a standby in the FSMap)",
    perm: "w",
  },
  { cmd: "sim mds rm name=id,type=CephString", desc: "Stop an MDS", perm: "w" },
  {
    cmd: "sim pool fill name=pool,type=CephPoolname name=percent,type=CephFloat,range=0|100",
    desc: "Fill a pool to a %USED",
    perm: "w",
  },
  { cmd: "sim tick name=count,type=CephInt,range=1|10000,req=false", desc: "Advance the evolution now", perm: "w" },
  {
    cmd: "sim health set name=code,type=CephString name=severity,type=CephChoices,strings=warning|error name=summary,type=CephString,n=N",
    desc: "Raise a health check",
    perm: "w",
  },
  {
    cmd: "sim health clear name=code,type=CephString,req=false",
    desc: "Clear one injected health check, or all",
    perm: "w",
  },
  {
    cmd: "sim service add name=type,type=CephString name=id,type=CephString name=host,type=CephString,req=false",
    desc: "Register a daemon in the service map",
    perm: "w",
  },
  {
    cmd: "sim service rm name=type,type=CephString name=id,type=CephString",
    desc: "Remove a daemon from the service map",
    perm: "w",
  },
  { cmd: "sim status", desc: "Show the simulation's epochs and counts", perm: "r" },
]);

type SimCmd = { prefix: string; [k: string]: unknown };

function osdArg(value: unknown): number {
  if (typeof value === "number") return value;
  const m = /^(?:osd\.)?(\d+)$/.exec(String(value));
  if (!m) throw Object.assign(new Error(`invalid osd id '${String(value)}'`), { errno: -22 });
  return Number(m[1]);
}

const words = (v: unknown) => (Array.isArray(v) ? v.map(String).join(" ") : String(v ?? ""));
const ok = (stderr: string, stdout = ""): CommandResult => ({ retval: 0, stdout, stderr });

// long: one short case per `sim` command, read as a table; splitting it would only add indirection
function run(sim: SimControls, cmd: SimCmd): CommandResult {
  switch (cmd.prefix) {
    case "sim osd down": {
      const id = osdArg(cmd.id);
      return ok(sim.osdDown(id) ? `osd.${id} killed` : `osd.${id} is already down`);
    }
    case "sim osd up": {
      const id = osdArg(cmd.id);
      return ok(sim.osdUp(id) ? `osd.${id} started` : `osd.${id} is already up`);
    }
    case "sim osd out": {
      const id = osdArg(cmd.id);
      return ok(sim.osdOut(id) ? `marked out osd.${id}` : `osd.${id} is already out`);
    }
    case "sim osd in": {
      const id = osdArg(cmd.id);
      return ok(sim.osdIn(id) ? `marked in osd.${id}` : `osd.${id} is already in`);
    }
    case "sim osd add": {
      const id = sim.addOsd(cmd.host === undefined ? undefined : String(cmd.host));
      return ok(`created osd.${id}`, String(id));
    }
    case "sim osd rm": {
      const id = osdArg(cmd.id);
      sim.removeOsd(id);
      return ok(`purged osd.${id}`);
    }
    case "sim osd replace": {
      const id = osdArg(cmd.id);
      sim.replaceOsd(id);
      return ok(`replacing osd.${id}`);
    }
    case "sim host add": {
      const name = sim.addHost(
        cmd.name === undefined ? undefined : String(cmd.name),
        typeof cmd.osds === "number" ? cmd.osds : undefined,
      );
      return ok(`added host ${name}`, name);
    }
    case "sim host down":
    case "sim host up": {
      const up = cmd.prefix.endsWith("up");
      const n = sim.setHostUp(String(cmd.name), up);
      return ok(`${n} osds ${up ? "started" : "killed"} on ${String(cmd.name)}`);
    }
    case "sim mon down":
    case "sim mon up": {
      const up = cmd.prefix.endsWith("up");
      const changed = sim.setMonInQuorum(String(cmd.id), up);
      return ok(changed ? `mon.${String(cmd.id)} ${up ? "joined" : "left"} quorum` : `mon.${String(cmd.id)} unchanged`);
    }
    case "sim mon add":
      sim.addMon(String(cmd.id), cmd.host === undefined ? undefined : String(cmd.host));
      return ok(`added mon.${String(cmd.id)}`);
    case "sim mon rm":
      sim.removeMon(String(cmd.id));
      return ok(`removed mon.${String(cmd.id)}`);
    case "sim mds add":
      sim.addMds(String(cmd.id), cmd.host === undefined ? undefined : String(cmd.host));
      return ok(`started mds.${String(cmd.id)}`);
    case "sim mds rm":
      sim.removeMds(String(cmd.id));
      return ok(`stopped mds.${String(cmd.id)}`);
    case "sim pool fill": {
      sim.fillPool(String(cmd.pool), Number(cmd.percent));
      return ok(`filled pool '${String(cmd.pool)}' to ${Number(cmd.percent)}%`);
    }
    case "sim tick": {
      const count = typeof cmd.count === "number" ? cmd.count : 1;
      sim.tick(count);
      return ok(`advanced ${count} tick(s)`);
    }
    case "sim health set": {
      const severity = cmd.severity === "error" ? "error" : "warning";
      sim.setHealthCheck(String(cmd.code), { severity, summary: words(cmd.summary) });
      return ok(`set ${String(cmd.code)}`);
    }
    case "sim health clear":
      sim.clearHealthCheck(cmd.code === undefined ? undefined : String(cmd.code));
      return ok(cmd.code === undefined ? "cleared all injected checks" : `cleared ${String(cmd.code)}`);
    case "sim service add":
      sim.addService(String(cmd.type), String(cmd.id), cmd.host === undefined ? undefined : String(cmd.host));
      return ok(`added ${String(cmd.type)}.${String(cmd.id)}`);
    case "sim service rm":
      sim.removeService(String(cmd.type), String(cmd.id));
      return ok(`removed ${String(cmd.type)}.${String(cmd.id)}`);
    case "sim status": {
      const data = { epochs: sim.epochs(), ...sim.summary() };
      const text =
        cmd.format === "json" || cmd.format === "json-pretty"
          ? JSON.stringify(data)
          : `${JSON.stringify(data, null, 2)}\n`;
      return ok("", text);
    }
    default:
      return { retval: -22, stdout: "", stderr: "command not known" };
  }
}

/** Runs a `sim ...` command; errors come back as Ceph-style negative errno results. */
export function handleSimCommand(sim: SimControls, cmd: SimCmd): CommandResult {
  try {
    return run(sim, cmd);
  } catch (e) {
    const err = e as { errno?: number; message?: string };
    const errno = typeof err.errno === "number" ? (err.errno > 0 ? -err.errno : err.errno) : -22;
    return { retval: errno, stdout: "", stderr: err.message ?? String(e) };
  }
}
