// selftest: calls every part of the module API against the live cluster and says what works,
// like Ceph's `mgr self-test` module. `tsmgr selftest run` prints a JSON report
// {ok, passed: [...], failed: [{check, why}], skipped: [{check, why}], notes: [...]} and exits 0
// only if no check failed. It is also the reference for what each accessor returns.
//
// Grants it needs (mgr.json): allow.commands ["r", "osd pool create", "osd pool delete",
// "osd set", "osd unset"]. It changes the cluster only briefly and puts back what it changed:
// one OSD flag (set, then unset) and one temporary pool (created, then deleted), and it skips
// both when they would touch what an operator set up.
//
// It reads every data name, so it holds all of them at once: on a cluster of a thousand OSDs
// (pg_dump alone is ~40 MB of JSON there) raise its heap in mgr.json, modules.selftest.limits.memoryMb.
import { MgrModule, type CommandArgs, type HandleCommandResult, type HealthCheck, type NotifyType } from "@tsmgr/sdk";
import { expect, expectError, expectShape, Report, safeJson, Skip } from "./report.ts";
import { DEVICE, INNER, MON_METADATA, OSD_METADATA, PERF_COUNTER_INFO, SERVER, SHAPES } from "./shapes.ts";

const ENOENT = 2;
const EIO = 5;
const EBUSY = 16;
const EINVAL = 22;

/** Waits for cluster changes this long before a check gives up. */
const CHANGE_TIMEOUT_MS = 2000;
/** A perf counter type bit (Ceph's PERFCOUNTER_LONGRUNAVG): samples are [t, sum, count]. */
const PERF_LONGRUNAVG = 4;
const PERF_HISTOGRAM = 16;

interface OsdMap {
  epoch: number;
  flags_set: string[];
  pools: { pool: number; pool_name: string }[];
  osds: { osd: number; up: number; in: number }[];
}

type Workload = "get_spam" | "command_spam";

interface Background {
  workload: Workload;
  running: boolean;
  iterations: number;
  errors: number;
  last_error: string | null;
  started_at: string;
}

export default class SelfTest extends MgrModule {
  static COMMANDS = [
    {
      cmd: "selftest run",
      desc: "Exercise every module API call against the cluster; print a JSON report",
      perm: "rw" as const,
    },
    {
      cmd: "selftest background start name=workload,type=CephChoices,strings=get_spam|command_spam",
      desc: "Run a workload in serve() until stopped: get() of every data name, or a stream of 'osd pool ls'",
      perm: "rw" as const,
    },
    { cmd: "selftest background stop", desc: "Stop the background workload", perm: "rw" as const },
    { cmd: "selftest background status", desc: "Show the background workload's counters", perm: "r" as const },
    {
      cmd: "selftest health set name=checks,type=CephString",
      desc: "Raise health checks given as JSON {CODE: {severity, summary, detail}}",
      perm: "rw" as const,
    },
    { cmd: "selftest health clear", desc: "Clear the checks raised with 'selftest health set'", perm: "rw" as const },
  ];

  // Options of every kind, for the run to read, set and reset (Ceph's selftest has the same idea).
  static MODULE_OPTIONS = [
    { name: "testkey", type: "str" as const, default: "testvalue", desc: "a string option" },
    { name: "testint", type: "int" as const, default: 7, min: 0, max: 100, desc: "an integer option in 0..100" },
    { name: "testfloat", type: "float" as const, default: 0.5, desc: "a float option" },
    { name: "testbool", type: "bool" as const, default: false, desc: "a boolean option" },
    {
      name: "testenum",
      type: "str" as const,
      default: "one",
      enum_allowed: ["one", "two"],
      desc: "a string option with allowed values",
    },
    {
      name: "background_interval",
      type: "secs" as const,
      default: 1,
      min: 0,
      desc: "pause between background iterations, in seconds",
    },
  ];

  // "command" brings the completion of every sendCommand; the others show cluster changes.
  static NOTIFY_TYPES: NotifyType[] = ["osd_map", "pg_summary", "health", "command"];

  /** What calling get() in the constructor did: null when it threw as it must. */
  readonly #ctorProbe: string | null;
  readonly #notifyCounts = new Map<string, number>();
  /** How many notify("command") arrived, and the latest tags. */
  #commandCount = 0;
  readonly #commandTags: string[] = [];
  readonly #wakers = new Set<() => void>();
  #wakeServe: () => void = () => {};
  #operatorChecks: Record<string, HealthCheck> = {};
  #background: Background | null = null;
  #running = false;

  constructor() {
    super();
    // Never do this in a real module: cluster accessors throw in the constructor (ceph-mgr's
    // "circular locking" rule). The self-test checks that they do.
    let probe: string | null;
    try {
      this.get("osd_map");
      probe = "get() in the constructor returned instead of throwing";
    } catch (e) {
      const msg = (e as Error).message;
      probe = /circular locking/.test(msg)
        ? null
        : `get() in the constructor threw, but without naming the rule: ${msg}`;
    }
    this.#ctorProbe = probe;
  }

  async serve(): Promise<void> {
    while (!this.stopping) {
      const bg = this.#background;
      if (bg?.running) {
        try {
          await this.#backgroundIteration(bg.workload);
          bg.iterations++;
        } catch (e) {
          bg.errors++;
          bg.last_error = `${(e as Error).name}: ${(e as Error).message}`;
        }
        await this.sleep(this.getModuleOption<number>("background_interval") * 1000);
      } else {
        // idle until `background start` (or shutdown) wakes us
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          this.#wakeServe = () => (clearTimeout(timer), resolve());
        });
      }
    }
  }

  notify(type: string, id: unknown): void {
    this.#notifyCounts.set(type, this.#count(type) + 1);
    if (type === "command" && typeof id === "string") {
      this.#commandCount++;
      this.#commandTags.push(id);
      if (this.#commandTags.length > 100) this.#commandTags.shift();
    }
    for (const wake of [...this.#wakers]) wake();
  }

  async handleCommand(
    _inbuf: string,
    cmd: CommandArgs & { workload?: Workload; checks?: string },
  ): Promise<HandleCommandResult> {
    switch (cmd.prefix) {
      case "selftest run": {
        if (this.#running) return { retval: -EBUSY, stdout: "", stderr: "a self-test run is already in progress" };
        this.#running = true;
        try {
          const report = await this.#run();
          const text = JSON.stringify(report, null, 2);
          return report.ok
            ? { retval: 0, stdout: text, stderr: "" }
            : { retval: -EIO, stdout: text, stderr: `${report.failed.length} check(s) failed` };
        } finally {
          this.#running = false;
        }
      }
      case "selftest background start": {
        const workload = cmd.workload ?? "get_spam";
        this.#background = {
          workload,
          running: true,
          iterations: 0,
          errors: 0,
          last_error: null,
          started_at: new Date().toISOString(),
        };
        this.#wakeServe();
        return { retval: 0, stdout: "", stderr: `background workload ${workload} started` };
      }
      case "selftest background stop": {
        if (!this.#background?.running) return { retval: 0, stdout: "", stderr: "no background workload is running" };
        this.#background.running = false;
        return {
          retval: 0,
          stdout: "",
          stderr: `background workload ${this.#background.workload} stopped after ${this.#background.iterations} iterations`,
        };
      }
      case "selftest background status":
        return { retval: 0, stdout: JSON.stringify(this.#background ?? { running: false }), stderr: "" };
      case "selftest health set": {
        let checks: Record<string, HealthCheck>;
        try {
          checks = JSON.parse(cmd.checks ?? "") as Record<string, HealthCheck>;
        } catch (e) {
          return {
            retval: -EINVAL,
            stdout: "",
            stderr: `checks must be JSON such as {"MY_CHECK": {"severity": "warning", "summary": "..."}}: ${(e as Error).message}`,
          };
        }
        try {
          this.setHealthChecks(checks); // validated by the daemon: a TypeError says what is wrong
        } catch (e) {
          return { retval: -EINVAL, stdout: "", stderr: `${(e as Error).name}: ${(e as Error).message}` };
        }
        this.#operatorChecks = checks;
        return { retval: 0, stdout: "", stderr: `set ${Object.keys(checks).length} health check(s)` };
      }
      case "selftest health clear":
        this.#operatorChecks = {};
        this.setHealthChecks({});
        return { retval: 0, stdout: "", stderr: "cleared" };
      default:
        return { retval: -EINVAL, stdout: "", stderr: `unknown command ${cmd.prefix}` };
    }
  }

  async shutdown(): Promise<void> {
    if (this.#background) this.#background.running = false;
    this.#wakeServe();
    for (const wake of [...this.#wakers]) wake();
  }

  // ---- the run ---------------------------------------------------------------------------

  async #run(): Promise<Report> {
    const r = new Report();
    await this.#checkBasics(r);
    await this.#checkData(r);
    await this.#checkDaemons(r);
    await this.#checkPerfCounters(r);
    await this.#checkCommands(r);
    await this.#checkStore(r);
    await this.#checkOptions(r);
    await this.#checkHealth(r);
    return r;
  }

  async #checkBasics(r: Report): Promise<void> {
    await r.check("getMgrId() names this daemon", () => {
      const id = this.getMgrId();
      expect(typeof id === "string" && id.length > 0, `getMgrId() returned ${safeJson(id)}`);
      r.notes.push(`running in daemon ${id}`);
    });
    await r.check("haveMonConnection() is true", () =>
      expect(this.haveMonConnection() === true, "the cluster is not reachable"),
    );
    await r.check("get() in the constructor throws (circular locking)", () =>
      expect(this.#ctorProbe === null, this.#ctorProbe ?? ""),
    );
    await r.check("logging at every level", () => {
      this.log.debug("selftest: debug");
      this.log.info("selftest: info");
      this.log.warn("selftest: warn (a test line, nothing is wrong)");
      this.log.error("selftest: error (a test line, nothing is wrong)");
      console.log("selftest: console.log", { structured: true });
    });
    await r.check("sleep() and setTimeout() keep time", async () => {
      const t0 = Date.now();
      await this.sleep(20);
      const slept = Date.now() - t0;
      expect(slept >= 15, `sleep(20) returned after ${slept} ms`);
      const fired = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(true), 5);
        setTimeout(() => (clearTimeout(t), resolve(false)), 1000);
      });
      expect(fired, "setTimeout(fn, 5) did not fire within 1 s");
    });
  }

  async #checkData(r: Report): Promise<void> {
    for (const [name, specs] of Object.entries(SHAPES)) {
      await r.check(`get("${name}") has the Pacific shape`, () => {
        const v = this.get(name);
        expect(v !== null && v !== undefined, `get("${name}") returned ${safeJson(v)}`);
        expectShape(name, v, specs);
        const inner = INNER[name];
        if (inner) {
          // health and mon_status are {json: "<string>"}, as in ceph-mgr: parse the string.
          let parsed: unknown;
          try {
            parsed = JSON.parse((v as { json: string }).json);
          } catch (e) {
            expect(false, `${name}.json is not JSON text: ${(e as Error).message}`);
          }
          expectShape(`${name}.json`, parsed, inner);
        }
      });
    }
    await r.check("get() of an unknown name is null", () => {
      const v = this.get("no_such_thing");
      expect(v === null, `get("no_such_thing") returned ${safeJson(v)}`);
    });
    await r.check('get("device <devid>") has the device', () => {
      const devices = this.get<{ devices?: { devid: string }[] } | null>("devices")?.devices ?? [];
      const first = devices[0];
      if (!first) return new Skip("the cluster has no devices");
      const v = this.get(`device ${first.devid}`);
      expectShape(`device ${first.devid}`, v, DEVICE);
      expect((v as { device: { devid: string } }).device.devid === first.devid, "another device came back");
    });
    await r.check("get() returns one deep-frozen snapshot per epoch", () => {
      const a = this.get<OsdMap>("osd_map");
      const b = this.get<OsdMap>("osd_map");
      expect(a === b || a.epoch !== b.epoch, 'two get("osd_map") calls in one epoch gave two copies');
      expect(
        Object.isFrozen(a) && Object.isFrozen(a.osds) && (a.osds.length === 0 || Object.isFrozen(a.osds[0])),
        "the snapshot is not deep-frozen",
      );
      let threw = false;
      try {
        (a as { epoch: number }).epoch = -1; // modules are strict mode: writing a frozen object throws
      } catch (e) {
        threw = e instanceof TypeError;
      }
      expect(threw && a.epoch !== -1, "assigning to the snapshot did not throw a TypeError");
    });
  }

  async #checkDaemons(r: Report): Promise<void> {
    const servers = this.listServers();
    await r.check("listServers() lists every host with its daemons", () => {
      expect(Array.isArray(servers) && servers.length > 0, `listServers() returned ${safeJson(servers)}`);
      servers.forEach((s, i) => expectShape(`listServers()[${i}]`, s, SERVER));
    });
    await r.check("getServer(host) is that host's entry of listServers()", () => {
      const first = servers[0];
      if (!first) return new Skip("no servers");
      const s = this.getServer(first.hostname);
      expect(
        JSON.stringify(s) === JSON.stringify(first),
        `getServer(${first.hostname}) = ${safeJson(s)} but listServers() has ${safeJson(first)}`,
      );
    });
    await r.check("getServer() of an unknown host is an empty entry, as Pacific's", () => {
      const s = this.getServer("no-such-host.selftest");
      expect(
        s.hostname === "no-such-host.selftest" && s.services.length === 0 && s.ceph_version === "",
        `returned ${safeJson(s)}`,
      );
    });

    // osd_map and the metadata come from different places and need not agree: an OSD created a
    // moment ago has no metadata yet, a purged one keeps its metadata for a while. Both are
    // normal, so they are noted, not failed; what must hold is that getMetadata() and
    // get("osd_metadata") tell the same story.
    const osdMap = this.get<OsdMap>("osd_map");
    const allMeta = this.get<Record<string, Record<string, string>>>("osd_metadata") ?? {};
    await r.check('getMetadata(osd) agrees with get("osd_metadata") for every OSD', () => {
      const inMap = new Set(osdMap.osds.map((o) => String(o.osd)));
      for (const o of osdMap.osds) {
        const id = String(o.osd);
        const m = this.getMetadata("osd", id);
        expect(
          (m === null) === (allMeta[id] === undefined),
          `osd.${id}: getMetadata() is ${m === null ? "null" : "set"} but get("osd_metadata") ${allMeta[id] ? "has" : "lacks"} it`,
        );
        if (m === null) r.notes.push(`osd.${id} is in the osd_map but has no metadata (yet)`);
        else expectShape(`getMetadata("osd", "${id}")`, m, OSD_METADATA);
      }
      for (const id of Object.keys(allMeta))
        if (!inMap.has(id)) r.notes.push(`osd.${id} has metadata but is not in the osd_map (removed)`);
    });
    await r.check("getMetadata(mon) has the mon's metadata", () => {
      const mons = this.get<{ mons: { name: string }[] }>("mon_map").mons;
      if (mons.length === 0) return new Skip("the mon_map lists no mons");
      expectShape(`getMetadata("mon", "${mons[0]!.name}")`, this.getMetadata("mon", mons[0]!.name), MON_METADATA);
    });
    await r.check("getMetadata() of a missing daemon is null", () => {
      const m = this.getMetadata("osd", "99999");
      expect(m === null, `getMetadata("osd", "99999") returned ${safeJson(m)}`);
    });
    await r.check("getDaemonStatus() is an object of strings, or null for a missing daemon", () => {
      const id = this.#osdWithMetadata();
      if (id !== undefined) {
        const s = this.getDaemonStatus("osd", id);
        expect(
          s === null || (typeof s === "object" && Object.values(s).every((v) => typeof v === "string")),
          `getDaemonStatus("osd", "${id}") returned ${safeJson(s)}`,
        );
      }
      const missing = this.getDaemonStatus("osd", "99999");
      expect(missing === null, `getDaemonStatus("osd", "99999") returned ${safeJson(missing)}`);
    });
  }

  async #checkPerfCounters(r: Report): Promise<void> {
    const id = this.#osdWithMetadata(true);
    const noOsd = () => new Skip("no OSD is up with metadata to read counters from");
    let schema: Record<string, { type: number }> = {};
    await r.check("getPerfSchema(osd) describes each counter", () => {
      if (id === undefined) return noOsd();
      const all = this.getPerfSchema("osd", id) as Record<string, Record<string, { type: number }>>;
      expect(
        Object.keys(all).join() === `osd.${id}`,
        `getPerfSchema("osd", "${id}") has keys ${safeJson(Object.keys(all))}, expected ["osd.${id}"]`,
      );
      schema = all[`osd.${id}`] ?? {};
      expect(Object.keys(schema).length > 0, "the schema is empty");
      expectShape(
        `osd.${id} schema`,
        schema,
        PERF_COUNTER_INFO.map((s) => `{}.${s}`),
      );
      expect(Object.keys(this.getPerfSchema("osd", "99999")).length === 0, "the schema of a missing OSD is not {}");
    });
    await r.check("getCounter() returns [t, v] samples, [t, sum, count] for averages", () => {
      if (id === undefined) return noOsd();
      const plain = Object.keys(schema).find((p) => !(schema[p]!.type & (PERF_LONGRUNAVG | PERF_HISTOGRAM)));
      const avg = Object.keys(schema).find(
        (p) => schema[p]!.type & PERF_LONGRUNAVG && !(schema[p]!.type & PERF_HISTOGRAM),
      );
      for (const [path, width] of [
        [plain, 2],
        [avg, 3],
      ] as const) {
        if (!path) continue;
        const samples = this.getCounter("osd", id, path)[path];
        expect(
          Array.isArray(samples) && samples.length > 0,
          `getCounter("osd", "${id}", "${path}") has no samples: ${safeJson(samples)}`,
        );
        for (const s of samples)
          expect(
            s.length === width && s.every((n) => typeof n === "number"),
            `a sample of ${path} is ${safeJson(s)}, expected ${width} numbers`,
          );
        for (let i = 1; i < samples.length; i++)
          expect(samples[i]![0]! >= samples[i - 1]![0]!, `${path}: sample times go backwards`);
      }
      const none = this.getCounter("osd", "99999", "osd.op_w");
      expect(safeJson(none) === '{"osd.op_w":[]}', `getCounter() of a missing OSD returned ${safeJson(none)}`);
    });
    await r.check("getLatestCounter() is the newest sample", () => {
      if (id === undefined) return noOsd();
      const path = Object.keys(schema).find((p) => !(schema[p]!.type & (PERF_LONGRUNAVG | PERF_HISTOGRAM)));
      if (!path) return new Skip("the schema has no plain counter");
      const latest = this.getLatestCounter("osd", id, path)[path];
      const series = this.getCounter("osd", id, path)[path] ?? [];
      const last = series[series.length - 1];
      expect(
        Array.isArray(latest) && latest.length === 2,
        `getLatestCounter("osd", "${id}", "${path}") returned ${safeJson(latest)}`,
      );
      // a tick may land between the two calls: then the newest sample is newer, never older
      expect(
        last !== undefined && latest[0]! >= last[0]!,
        `latest ${safeJson(latest)} is older than the series' last ${safeJson(last)}`,
      );
      const none = this.getLatestCounter("osd", "99999", path);
      expect(
        Array.isArray(none[path]) && none[path]!.length === 0,
        `getLatestCounter() of a missing OSD returned ${safeJson(none)}`,
      );
    });
  }

  async #checkCommands(r: Report): Promise<void> {
    const countBefore = this.#commandCount;
    await r.check("sendCommand(osd pool ls, json) lists the osd_map's pools", async () => {
      const res = await this.sendCommand({ prefix: "osd pool ls", format: "json" });
      expect(res.retval === 0, `retval ${res.retval}: ${res.stderr}`);
      const names = JSON.parse(res.stdout) as unknown;
      expect(
        Array.isArray(names) && names.every((n) => typeof n === "string"),
        `stdout is not a JSON list of names: ${res.stdout.slice(0, 200)}`,
      );
      const fromMap = this.get<OsdMap>("osd_map").pools.map((p) => p.pool_name);
      expect(
        JSON.stringify([...names].sort()) === JSON.stringify([...fromMap].sort()),
        `osd pool ls says ${safeJson(names)}, the osd_map ${safeJson(fromMap)}`,
      );
    });
    await r.check("sendCommand(osd pool ls) in plain text, one pool a line", async () => {
      const res = await this.sendCommand({ prefix: "osd pool ls" });
      expect(res.retval === 0, `retval ${res.retval}: ${res.stderr}`);
      const lines = res.stdout.split("\n").filter((l) => l !== "");
      expect(
        lines.length === this.get<OsdMap>("osd_map").pools.length,
        `got ${lines.length} lines: ${safeJson(res.stdout)}`,
      );
    });
    await r.check("sendCommand() about a missing pool answers -ENOENT, as the mon does", async () => {
      if (this.get<OsdMap>("osd_map").pools.some((p) => p.pool_name === "nope"))
        return new Skip("a pool is really named 'nope'");
      const res = await this.sendCommand({ prefix: "osd pool get", pool: "nope", var: "size" });
      expect(res.retval === -ENOENT, `retval ${res.retval}, expected -${ENOENT}`);
      expect(
        res.stdout === "" && res.stderr.includes("unrecognized pool 'nope'"),
        `stdout ${safeJson(res.stdout)}, stderr ${safeJson(res.stderr)}`,
      );
    });
    // Three commands reached the cluster so far; each completion must come back as a notify.
    await r.check('each completed command also arrives as notify("command", tag)', async () => {
      const arrived = await this.#until(() => this.#commandCount >= countBefore + 3, CHANGE_TIMEOUT_MS);
      expect(arrived, `${this.#commandCount - countBefore} command notifies arrived for 3 commands sent`);
      const tags = this.#commandTags.slice(-3);
      expect(
        tags.every((t) => t.startsWith("selftest.")),
        `tags ${safeJson(tags)}, expected selftest.N`,
      );
    });
    await r.check("sendCommand() of an unknown command answers -EINVAL, and completes with a notify too", async () => {
      const before = this.#commandCount;
      const res = await this.sendCommand({ prefix: "selftest no such command" });
      expect(res.retval === -EINVAL, `retval ${res.retval}, expected -${EINVAL} (${res.stderr})`);
      // ceph-mgr sends every command to the mon, and every completion, errors included, is a notify
      expect(
        await this.#until(() => this.#commandCount > before, 300),
        `no notify("command") within 300 ms for a command answered ${res.retval} (${res.stderr})`,
      );
    });
    await r.check("sendCommand() of a command not granted rejects with PermissionDenied", async () => {
      // `osd pool rename` is a write this module is not granted by the default mgr.json; had an
      // operator granted it, renaming a pool that does not exist would only answer ENOENT.
      let res: HandleCommandResult;
      try {
        res = await this.sendCommand({
          prefix: "osd pool rename",
          srcpool: "selftest-no-such-pool",
          destpool: "selftest-still-none",
        });
      } catch (e) {
        const err = e as Error;
        expect(err.name === "PermissionDenied", `rejected with ${err.name}: ${err.message}`);
        expect(err.message.includes("allow.commands"), `the message does not say where to grant it: ${err.message}`);
        return;
      }
      return new Skip(`this daemon grants the module "osd pool rename" (it answered ${res.retval})`);
    });
    await r.check("osd set/unset of a flag shows in the osd_map after its notify", () => this.#checkOsdFlag());
    await r.check("a temporary pool appears in the osd_map after create and leaves after delete", () =>
      this.#checkTempPool(),
    );
  }

  /** Sets and unsets one OSD flag, waiting for each change to reach get("osd_map"). */
  async #checkOsdFlag(): Promise<Skip | void> {
    const flag = "noscrub";
    if (this.get<OsdMap>("osd_map").flags_set.includes(flag))
      return new Skip(`the ${flag} flag is already set: an operator's choice, left alone`);
    const hasFlag = () => this.get<OsdMap>("osd_map").flags_set.includes(flag);
    let seen = this.#count("osd_map");
    const set = await this.sendCommand({ prefix: "osd set", key: flag });
    try {
      expect(set.retval === 0, `osd set ${flag}: retval ${set.retval}: ${set.stderr}`);
      expect(
        await this.#until(() => this.#count("osd_map") > seen && hasFlag(), CHANGE_TIMEOUT_MS),
        `no osd_map notify showed ${flag} set within ${CHANGE_TIMEOUT_MS} ms`,
      );
    } finally {
      seen = this.#count("osd_map");
      const unset = await this.sendCommand({ prefix: "osd unset", key: flag });
      expect(unset.retval === 0, `osd unset ${flag}: retval ${unset.retval}: ${unset.stderr}`);
    }
    expect(
      await this.#until(() => this.#count("osd_map") > seen && !hasFlag(), CHANGE_TIMEOUT_MS),
      `no osd_map notify showed ${flag} unset within ${CHANGE_TIMEOUT_MS} ms`,
    );
  }

  /** Creates a small pool, sees it in get("osd_map") after the notify, deletes it, sees it go. */
  async #checkTempPool(): Promise<Skip | void> {
    // Only create what can be removed again: the mon refuses deletes unless mon_allow_pool_delete.
    const allowed = await this.sendCommand({
      prefix: "config get",
      who: "mon",
      key: "mon_allow_pool_delete",
      format: "json",
    });
    if (allowed.retval !== 0)
      return new Skip(`cannot read mon_allow_pool_delete (retval ${allowed.retval}: ${allowed.stderr})`);
    const value = String(JSON.parse(allowed.stdout) as unknown).toLowerCase();
    if (!["true", "1", "yes"].includes(value)) {
      return new Skip(
        "mon_allow_pool_delete is false, so a test pool could not be removed again: run `ceph config set mon mon_allow_pool_delete true` to include this check",
      );
    }
    const pool = `selftest-tmp-${Date.now().toString(36)}`;
    const inMap = () => this.get<OsdMap>("osd_map").pools.some((p) => p.pool_name === pool);
    let seen = this.#count("osd_map");
    const created = await this.sendCommand({ prefix: "osd pool create", pool, pg_num: 8 });
    try {
      expect(created.retval === 0, `osd pool create ${pool}: retval ${created.retval}: ${created.stderr}`);
      expect(
        await this.#until(() => this.#count("osd_map") > seen && inMap(), CHANGE_TIMEOUT_MS),
        `no osd_map notify showed pool ${pool} within ${CHANGE_TIMEOUT_MS} ms`,
      );
    } finally {
      seen = this.#count("osd_map");
      const deleted = await this.sendCommand({
        prefix: "osd pool delete",
        pool,
        pool2: pool,
        yes_i_really_really_mean_it: true,
      });
      expect(deleted.retval === 0, `osd pool delete ${pool}: retval ${deleted.retval}: ${deleted.stderr}`);
    }
    expect(
      await this.#until(() => this.#count("osd_map") > seen && !inMap(), CHANGE_TIMEOUT_MS),
      `pool ${pool} was still in the osd_map ${CHANGE_TIMEOUT_MS} ms after its delete`,
    );
  }

  async #checkStore(r: Report): Promise<void> {
    const p = "selftest-run/";
    await r.check("setStore() then getStore() reads the value back at once", async () => {
      await this.setStore(`${p}a`, "1");
      await this.setStore(`${p}b`, "two\nlines ✓");
      expect(this.getStore(`${p}a`) === "1", `got ${safeJson(this.getStore(`${p}a`))}`);
      expect(this.getStore(`${p}b`) === "two\nlines ✓", `got ${safeJson(this.getStore(`${p}b`))}`);
    });
    await r.check("getStorePrefix() returns this module's keys without the mgr/NAME/ prefix", () => {
      const got = this.getStorePrefix(p);
      expect(safeJson(got) === safeJson({ [`${p}a`]: "1", [`${p}b`]: "two\nlines ✓" }), `got ${safeJson(got)}`);
    });
    await r.check("setStore(key, null) deletes and getStore(key, default) falls back", async () => {
      await this.setStore(`${p}a`, null);
      expect(this.getStore(`${p}a`) === undefined, `a deleted key reads ${safeJson(this.getStore(`${p}a`))}`);
      expect(this.getStore(`${p}a`, "dflt") === "dflt", "the default was not used");
    });
    await r.check("setStore() refuses a value that is not a string (TypeError)", async () => {
      await expectError("setStore(key, 5)", () => this.setStore(`${p}n`, 5 as unknown as string), "TypeError");
    });
    for (const key of Object.keys(this.getStorePrefix(p))) await this.setStore(key, null);
  }

  async #checkOptions(r: Report): Promise<void> {
    const names = ["testkey", "testint", "testfloat", "testbool", "testenum"];
    await r.check("getModuleOption() returns typed defaults", async () => {
      for (const n of names) await this.setModuleOption(n, null); // back to the defaults
      const got = names.map((n) => this.getModuleOption(n));
      expect(safeJson(got) === safeJson(["testvalue", 7, 0.5, false, "one"]), `got ${safeJson(got)}`);
    });
    await r.check("setModuleOption() stores typed values that read back at once", async () => {
      await this.setModuleOption("testkey", "changed");
      await this.setModuleOption("testint", 42);
      await this.setModuleOption("testfloat", 1.25);
      await this.setModuleOption("testbool", true);
      await this.setModuleOption("testenum", "two");
      const got = names.map((n) => this.getModuleOption(n));
      expect(safeJson(got) === safeJson(["changed", 42, 1.25, true, "two"]), `got ${safeJson(got)}`);
    });
    await r.check("setModuleOption() refuses values outside min/max or enum_allowed", async () => {
      const big = await expectError("setModuleOption(testint, 1000)", () => this.setModuleOption("testint", 1000));
      expect(/testint/.test(big.message), `the error does not name the option: ${big.message}`);
      await expectError("setModuleOption(testenum, three)", () => this.setModuleOption("testenum", "three"));
      expect(this.getModuleOption("testint") === 42, "a refused value was stored");
    });
    await r.check("getModuleOption() of an undeclared option throws", async () => {
      await expectError("getModuleOption(no_such_option)", () => this.getModuleOption("no_such_option"));
    });
    for (const n of names) await this.setModuleOption(n, null);
  }

  async #checkHealth(r: Report): Promise<void> {
    await r.check("setHealthChecks() raises and clears checks", () => {
      this.setHealthChecks({
        ...this.#operatorChecks,
        SELFTEST_RUNNING: {
          severity: "warning",
          summary: "a self-test run is in progress",
          detail: ["nothing is wrong"],
        },
      });
      this.setHealthChecks(this.#operatorChecks); // leaves only what `selftest health set` raised
    });
    await r.check("setHealthChecks() refuses a malformed check (TypeError)", async () => {
      await expectError(
        "setHealthChecks({lower_case: ...})",
        () => this.setHealthChecks({ lower_case: { severity: "warning", summary: "x" } }),
        "TypeError",
      );
      await expectError(
        'setHealthChecks({X: {severity: "fatal"}})',
        () => this.setHealthChecks({ X: { severity: "fatal" as "error", summary: "x" } }),
        "TypeError",
      );
    });
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** An OSD with metadata (and up, if asked), or undefined: code for clusters where none is. */
  #osdWithMetadata(up = false): string | undefined {
    const meta = this.get<Record<string, unknown>>("osd_metadata") ?? {};
    const osd = this.get<OsdMap>("osd_map").osds.find((o) => meta[String(o.osd)] !== undefined && (!up || o.up === 1));
    return osd === undefined ? undefined : String(osd.osd);
  }

  #count(type: string): number {
    return this.#notifyCounts.get(type) ?? 0;
  }

  /** Resolves true once `done()` holds (re-checked at every notify), false after `ms`. */
  async #until(done: () => boolean, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!done()) {
      if (Date.now() >= end || this.stopping) return false;
      await this.#nap(end - Date.now());
    }
    return true;
  }

  /** Sleeps up to `ms`, waking early at the next notify or shutdown. */
  #nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.#wakers.add(wake);
    });
  }

  async #backgroundIteration(workload: Workload): Promise<void> {
    if (workload === "command_spam") {
      const res = await this.sendCommand({ prefix: "osd pool ls", format: "json" });
      if (res.retval !== 0) throw new Error(`osd pool ls: retval ${res.retval}: ${res.stderr}`);
      return;
    }
    for (const name of Object.keys(SHAPES))
      if (this.get(name) === null) throw new Error(`get("${name}") returned null`);
  }
}
