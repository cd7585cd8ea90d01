// Every module of the daemon: discovery, enable/disable (persisted), the role they run in,
// the module half of the command table, notify fan-out and module health.
import {
  defaultModuleConfig,
  moduleConfigOf,
  unknownModuleEntries,
  type Config,
  type ModuleConfig,
} from "../config/index.ts";
import { ModuleLoadError, PermissionDenied } from "../errors.ts";
import { BundleCache, discoverModules, type DiscoveryProblem } from "../loader/index.ts";
import type { Logger } from "../log/index.ts";
import type { ClusterSource, CommandResult } from "../cluster/index.ts";
import type { KvStore } from "../store/index.ts";
import { HealthMutes } from "./health-mutes.ts";
import type { ModuleCommand } from "./module-meta.ts";
import { ModuleRunner, type ModuleStatus, type RunnerServices } from "./module-runner.ts";
import { RemoteCalls } from "../api/index.ts";
import { ProgressEvents } from "./progress.ts";
import { StartOrder } from "./start-order.ts";
import { join } from "node:path";
import type { OptionDecl } from "../store/index.ts";
import {
  effective,
  grantWords,
  isEmpty,
  missing,
  PermissionsNotGranted,
  StoreGrants,
  union,
  type GrantLists,
} from "./grants.ts";
import { Accounting } from "./accounting.ts";

/** Modules started at once (bundle, isolate, constructor): enough to keep esbuild and isolated-vm's threads busy. */
const START_CONCURRENCY = 8;

const ENABLED_KEY = (name: string) => `tsmgr/modules/${name}/enabled`;

/** What the daemon provides to modules; handed through to each runner as it is. */
export type ModuleHooks = Pick<
  RunnerServices,
  "activeUri" | "sendCommand" | "serveHttp" | "stopHttp" | "audit" | "kit"
> & {
  /** prefixes taken by the daemon itself */
  builtinPrefixes(): Set<string>;
  changed(): void;
};

export interface HealthCheck {
  severity: "HEALTH_WARN" | "HEALTH_ERR";
  summary: { message: string; count: number };
  detail: { message: string }[];
}

export class ModuleManager {
  readonly #cfg: Config;
  readonly #kv: KvStore;
  readonly #log: Logger;
  readonly #hooks: ModuleHooks;
  readonly #runners = new Map<string, ModuleRunner>();
  readonly #services: RunnerServices;
  #problems: DiscoveryProblem[] = [];
  #role: "active" | "standby" | "none" = "none";
  readonly #moduleChecks = new Map<string, Record<string, HealthCheck>>();
  /** remote() between this daemon's modules (issue 15) */
  readonly remoteCalls = new RemoteCalls((n) => this.#hooks.kit?.remoteCallee?.(n) ?? this.#runners.get(n));
  /** the progress events modules published (shown by `status`) */
  readonly progress = new ProgressEvents();
  /** `health mute`: muted checks do not count toward the overall status */
  readonly mutes: HealthMutes;
  /** each module's option declarations as of its last run (`mgr module ls` shows them while it is off) */
  readonly #lastOptions = new Map<string, OptionDecl[]>();
  /** the batches of modules starting together now (see start-order.ts) */
  readonly #orders = new Set<StartOrder>();
  // ---- declared permissions, consent and accounting (issue 19) ----
  /** `tsmgr module grant`: the operator's decisions, kept in the store */
  readonly storeGrants: StoreGrants;
  /** per-module CPU, heap, calls, store use (module ls -f json, tsmgr top, /metrics) */
  readonly accounting: Accounting;
  readonly #allowCache = new Map<string, { key: unknown[]; allow: ModuleConfig["allow"] }>();

  constructor(cfg: Config, kv: KvStore, cluster: ClusterSource, log: Logger, hooks: ModuleHooks) {
    this.#cfg = cfg;
    this.#kv = kv;
    this.#log = log;
    this.#hooks = hooks;
    this.mutes = new HealthMutes(kv);
    this.storeGrants = new StoreGrants(kv);
    this.accounting = new Accounting(kv, () => this.runners());
    this.#services = {
      ...hooks,
      config: cfg,
      cache: new BundleCache(join(cfg.dataDir, "bundles")),
      logger: log,
      cluster,
      kv,
      moduleConfig: (n) => this.moduleConfig(n),
      setHealthChecks: (n, c) => this.#setModuleChecks(n, c),
      checkCommands: (n, c) => this.#orderedCheck(n, c),
      permit: (n, declared) => this.#permit(n, declared),
      remote: (caller, target, method, argsJson) =>
        this.remoteCalls.call(caller, this.moduleConfig(caller).allow.remote, target, method, argsJson),
      progress: this.progress,
      changed: (n) => {
        const decls = this.#runners.get(n)?.optionDecls();
        if (decls?.length) this.#lastOptions.set(n, decls);
        hooks.changed();
      },
    };
    cluster.subscribe((type, id) => {
      if (this.#role !== "active") return;
      for (const r of this.#runners.values()) r.notify(type, id);
    });
    // An option changed by another daemon of the group (etcd) reaches the module as Ceph's
    // config_notify; local `config set` notifies the module itself.
    kv.subscribe((key, _value, origin) => {
      if (origin !== "remote") return;
      const m = /^config\/mgr\/mgr\/([a-z][a-z0-9_]*)\//.exec(key);
      if (m) this.#runners.get(m[1]!)?.configNotify();
    });
  }

  get role(): "active" | "standby" | "none" {
    return this.#role;
  }

  /**
   * The module's section of mgr.json (own entries only: a module named "constructor" gets the
   * defaults), its `allow` being what the module may use now: what it declared (static
   * PERMISSIONS) ∩ what mgr.json and `module grant` granted; all of that when it declares nothing.
   * Read on every call: a `module revoke` stops the next call that needs it.
   */
  moduleConfig(name: string): ModuleConfig {
    const section = moduleConfigOf(this.#cfg, name) ?? defaultModuleConfig();
    const declared = this.#runners.get(name)?.permissions;
    const key = [section, declared, this.#kv.get(`tsmgr/grants/${name}`)];
    const hit = this.#allowCache.get(name);
    if (hit && hit.key.every((k, i) => k === key[i])) return { ...section, allow: hit.allow };
    const allow = { ...section.allow, ...effective(declared, this.granted(name)) } as ModuleConfig["allow"];
    this.#allowCache.set(name, { key, allow });
    return { ...section, allow };
  }

  /** What mgr.json and `module grant` grant the module together (before the intersection). */
  granted(name: string): GrantLists {
    const section = moduleConfigOf(this.#cfg, name) ?? defaultModuleConfig();
    return union(section.allow, this.storeGrants.get(name));
  }

  /** Refuses to start a module that asks for more than it was granted, naming the difference. */
  #permit(name: string, declared: GrantLists | undefined): void {
    const gap = this.#gap(name, declared);
    this.#refused.delete(name);
    if (gap === undefined) return;
    this.#refused.set(name, gap);
    throw new PermissionsNotGranted(gap);
  }
  readonly #refused = new Map<string, string>();

  #gap(name: string, declared: GrantLists | undefined): string | undefined {
    if (declared === undefined) return undefined;
    const left = missing(declared, this.granted(name));
    if (isEmpty(left)) return undefined;
    const words = grantWords(left);
    return `module ${name} asks for permissions it was not granted: ${words}: review them with tsmgr module info ${name}, then grant them with tsmgr module grant ${name} ${words} (or --all), or in mgr.json at modules.${name}.allow`;
  }

  /**
   * Why the module may not start for want of grants: from its last load's static PERMISSIONS
   * (known once it was built), or the refusal of its last start. Undefined: nothing missing.
   */
  permissionGap(name: string): string | undefined {
    const asked = this.#runners.get(name)?.requested;
    if (asked?.known) return this.#gap(name, asked.permissions);
    return this.#refused.get(name);
  }

  /**
   * Takes the module sections of a freshly read mgr.json (`module reload`, SIGHUP); returns the
   * names of the modules whose section changed. Daemon-wide fields need a restart to change.
   */
  applyModuleConfig(fresh: Config, only?: string): string[] {
    const changed: string[] = [];
    const names =
      only === undefined
        ? new Set([...Object.keys(this.#cfg.modules), ...Object.keys(fresh.modules)])
        : new Set([only]);
    for (const name of names) {
      const before = JSON.stringify(this.moduleConfig(name));
      const after = moduleConfigOf(fresh, name);
      if (after === undefined) delete this.#cfg.modules[name];
      else this.#cfg.modules[name] = after;
      if (JSON.stringify(this.moduleConfig(name)) !== before) changed.push(name);
    }
    return changed;
  }

  /** Rebuilds and restarts one module now, with its current mgr.json section (new grants and limits). */
  async reloadModule(name: string): Promise<void> {
    const r = this.#runners.get(name);
    if (!r || this.#role === "none" || !this.isEnabled(name)) return;
    if (!r.running) await r.start(this.#role);
    else await r.reload("tsmgr module reload", true);
  }

  /** Enabled by `tsmgr module enable/disable` (persisted), else by mgr.json. */
  isEnabled(name: string): boolean {
    const v = this.#kv.get(ENABLED_KEY(name));
    if (v !== undefined) return v === "true";
    return this.moduleConfig(name).enabled;
  }

  runner(name: string): ModuleRunner | undefined {
    return this.#runners.get(name);
  }

  runners(): ModuleRunner[] {
    return [...this.#runners.values()];
  }

  /** Finds modules on disk: new ones are added (and started if enabled), vanished ones stopped. */
  async rescan(): Promise<void> {
    const { modules, problems } = discoverModules(this.#cfg.modulePath);
    // a mgr.json section naming no module is a typo, not a wish: said with a "did you mean"
    // (a module that exists but cannot load is reported as such, not as a typo)
    const present = [...modules.map((m) => m.name), ...problems.map((p) => p.found.replace(/\.ts$/, ""))];
    const typos = unknownModuleEntries(this.#cfg, present).map((message) => ({ found: "mgr.json", message }));
    this.#problems = [...problems, ...typos];
    for (const p of this.#problems) this.#log.warn({ found: p.found }, p.message);
    const seen = new Set<string>();
    const starts: Promise<unknown>[] = [];
    const fresh: string[] = [];
    for (const m of modules) {
      seen.add(m.name);
      const existing = this.#runners.get(m.name);
      if (existing && existing.entry === m.entry) continue;
      if (existing) starts.push(existing.dispose());
      const r = new ModuleRunner(m.name, m.entry, this.#services);
      this.#runners.set(m.name, r);
      if (this.#role !== "none" && this.isEnabled(m.name)) fresh.push(m.name);
    }
    if (fresh.length > 0 && this.#role !== "none") starts.push(this.#startAll(fresh, this.#role));
    for (const [name, r] of this.#runners) {
      if (seen.has(name)) continue;
      this.#runners.delete(name);
      this.#moduleChecks.delete(name);
      starts.push(r.dispose());
      this.#log.info({ module: name }, "module removed from the module path: unloaded");
    }
    await Promise.all(starts);
    this.#hooks.changed();
  }

  /** Runs every enabled module in `role` (stopping what ran in the other role first). */
  async setRole(role: "active" | "standby" | "none"): Promise<void> {
    if (role === this.#role) return;
    this.#settling++;
    try {
      const stops = [...this.#runners.values()].map((r) =>
        r.stop(
          role === "none" ? "daemon stopping" : `daemon became ${role}`,
          role !== "none" && this.isEnabled(r.name),
        ),
      );
      await Promise.all(stops);
      this.#role = role;
      this.#moduleChecks.clear();
      if (role === "none") return;
      await this.#startAll(
        [...this.#runners.keys()].filter((n) => this.isEnabled(n)),
        role,
      );
      this.#hooks.changed();
    } finally {
      this.#settling--;
    }
  }

  /**
   * True until the first role is taken and while modules switch roles: a command no module
   * knows yet may belong to one still loading, so callers should hear EAGAIN, not EINVAL.
   */
  /**
   * Starts `names` together: bundles built and isolates created concurrently, each module
   * running as soon as it is ready; the command check keeps alphabetical order (start-order.ts).
   */
  async #startAll(names: string[], role: "active" | "standby"): Promise<void> {
    const order = new StartOrder(names);
    this.#orders.add(order);
    // START_CONCURRENCY at a time, in alphabetical order (an earlier module never waits on a
    // later one): all at once would run every module's synchronous steps back to back and hold
    // off the admin socket until the last isolate exists
    const queue = [...names].sort();
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const name = n;
        await this.#runners
          .get(name)
          ?.start(role)
          .finally(() => order.settled(name));
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, queue.length) }, worker));
    } finally {
      this.#orders.delete(order);
    }
  }

  /** The command check, after the earlier modules of a batch starting together that collide. */
  #orderedCheck(name: string, cmds: ModuleCommand[]): void | Promise<void> {
    const order = [...this.#orders].find((o) => o.starting(name));
    if (!order) return this.#checkCommands(name, cmds);
    return order.reached(name, cmds).then(() => this.#checkCommands(name, cmds));
  }

  get settling(): boolean {
    return this.#settling > 0 || this.#role === "none";
  }
  #settling = 0;

  async enable(name: string, enabled: boolean): Promise<void> {
    const r = this.#runners.get(name);
    await this.#kv.set(ENABLED_KEY(name), String(enabled));
    if (!r || this.#role === "none") return;
    if (enabled) await r.start(this.#role);
    else {
      await r.stop("disabled");
      this.#moduleChecks.delete(name);
    }
    this.#hooks.changed();
  }

  async dispose(): Promise<void> {
    this.accounting.stop();
    this.#role = "none";
    await Promise.all([...this.#runners.values()].map((r) => r.dispose()));
  }

  status(): ModuleStatus[] {
    const acct = new Map(this.accounting.all().map((a) => [a.name, a]));
    const out = [...this.#runners.values()].map((r) => ({
      ...r.status(this.isEnabled(r.name)),
      accounting: acct.get(r.name),
    }));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * A disabled module that the words were probably meant for: one whose commands (from when it
   * last ran) start with them, or whose name the first word spells or nearly spells.
   */
  disabledOwner(words: string[]): string | undefined {
    const first = words[0];
    if (first === undefined) return undefined;
    const disabled = this.runners().filter((r) => !this.isEnabled(r.name));
    const byCommand = disabled.find((r) =>
      r.lastCommands.some((c) => c.signature.prefix.every((w, i) => i >= words.length || words[i] === w)),
    );
    if (byCommand) return byCommand.name;
    return disabled.find(
      (r) => r.name === first || (first.length >= 3 && r.name.startsWith(first)) || r.name.replace(/_/g, "-") === first,
    )?.name;
  }

  /** The module's options: the running version's, else those of its last run in this process. */
  optionDecls(name: string): OptionDecl[] {
    const running = this.#runners.get(name)?.optionDecls();
    return running?.length ? running : (this.#lastOptions.get(name) ?? []);
  }

  problems(): DiscoveryProblem[] {
    return this.#problems;
  }

  /** Commands of every running module. */
  commands(): ModuleCommand[] {
    return [...this.#runners.values()].flatMap((r) => r.tableCommands);
  }

  /**
   * A module's prefixes may not take what belongs to others: a built-in's prefix or any leading
   * part of it ("health" of "health detail"), nor a built-in's prefix and more ("health detail"
   * of "health <detail>"), nor another running module's prefix or a leading part of it. With the table's longest-prefix rule this means no module command can match
   * words meant for a built-in or another module.
   */
  #checkCommands(name: string, cmds: ModuleCommand[]): void {
    const reserved = new Map<string, { owner: string; full: string }>();
    const reserve = (full: string, owner: string) => {
      const words = full.split(" ");
      for (let i = 1; i <= words.length; i++) {
        const p = words.slice(0, i).join(" ");
        if (!reserved.has(p) || (owner === "tsmgr" && reserved.get(p)!.owner !== "tsmgr"))
          reserved.set(p, { owner, full });
      }
    };
    const builtins = this.#hooks.builtinPrefixes();
    for (const p of builtins) reserve(p, "tsmgr");
    for (const r of this.#runners.values()) {
      if (r.name === name || !r.running) continue;
      for (const c of r.commands) reserve(c.signature.prefix.join(" "), r.name);
    }
    for (const c of cmds) {
      const p = c.signature.prefix.join(" ");
      // "health detail" outspells the built-in "health <detail>": the table would give it those words
      const extended = [...builtins].find((b) => p.startsWith(b + " "));
      const taken = reserved.get(p) ?? (extended === undefined ? undefined : { owner: "tsmgr", full: extended });
      if (!taken) continue;
      if (taken.owner === "tsmgr") {
        const what =
          taken.full === p
            ? "is a built-in tsmgr command"
            : `would take words meant for the built-in command "${taken.full}"`;
        throw new ModuleLoadError(
          `module ${name}: command "${p}" ${what}: choose another prefix (e.g. "${name} ${p}")`,
        );
      }
      if (taken.full === p)
        throw new ModuleLoadError(
          `module ${name}: command "${p}" is already provided by module ${taken.owner}: command prefixes must be unique across modules`,
        );
      throw new ModuleLoadError(
        `module ${name}: command "${p}" would take words meant for "${taken.full}" of module ${taken.owner}: a module's prefix may not be the start of another module's`,
      );
    }
  }

  // ---- health --------------------------------------------------------------------------

  #setModuleChecks(name: string, raw: unknown): void {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw))
      throw new TypeError("setHealthChecks(): pass an object of { CODE: { severity, summary, count?, detail? } }");
    const checks: Record<string, HealthCheck> = {};
    for (const [code, c] of Object.entries(raw as Record<string, unknown>)) {
      if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(code))
        throw new TypeError(
          `setHealthChecks(): check code ${JSON.stringify(code)} must be UPPER_CASE letters, digits and _`,
        );
      if (code.startsWith("MGR_"))
        throw new PermissionDenied(
          `module "${name}" cannot raise health check "${code}": MGR_* codes are reserved for the daemon`,
        );
      if (typeof c !== "object" || c === null)
        throw new TypeError(`setHealthChecks(): check ${code} must be an object`);
      const { severity, summary, count, detail } = c as Record<string, unknown>;
      if (severity !== "warning" && severity !== "error")
        throw new TypeError(
          `setHealthChecks(): check ${code}: severity must be "warning" or "error", got ${JSON.stringify(severity)}`,
        );
      if (typeof summary !== "string")
        throw new TypeError(`setHealthChecks(): check ${code}: summary must be a string`);
      const lines = Array.isArray(detail)
        ? detail.filter((d): d is string => typeof d === "string").slice(0, 1000)
        : [];
      checks[code] = {
        severity: severity === "error" ? "HEALTH_ERR" : "HEALTH_WARN",
        summary: { message: summary.slice(0, 4096), count: typeof count === "number" ? count : lines.length },
        detail: lines.map((message) => ({ message: message.slice(0, 4096) })),
      };
    }
    if (Object.keys(checks).length > 100) throw new RangeError("setHealthChecks(): at most 100 checks per module");
    this.#moduleChecks.set(name, checks);
  }

  /** MGR_MODULE_ERROR for failed modules, plus every module's own checks. */
  healthChecks(): Record<string, HealthCheck> {
    const out: Record<string, HealthCheck> = {};
    const failed = this.status().filter((s) => s.enabled && s.error);
    if (failed.length > 0) {
      out.MGR_MODULE_ERROR = {
        severity: failed.some((s) => s.state === "failed") ? "HEALTH_ERR" : "HEALTH_WARN",
        summary: {
          message:
            failed.length === 1
              ? `Module '${failed[0]!.name}' ${failure(failed[0]!)}: ${firstLine(failed[0]!.error!.message)}`
              : `${failed.length} mgr modules have failed`,
          count: failed.length,
        },
        detail: failed.map((s) => ({
          message: `Module '${s.name}' ${failure(s)}: ${s.error!.message}${s.error!.frame && !s.error!.message.includes(s.error!.frame) ? "\n" + s.error!.frame : ""}`,
        })),
      };
    }
    for (const p of this.#problems) {
      const what =
        p.found === "mgr.json"
          ? "mgr.json names a module that is not in the module path"
          : "a file in the module path cannot be loaded";
      out.MGR_MODULE_ERROR ??= { severity: "HEALTH_WARN", summary: { message: what, count: 0 }, detail: [] };
      out.MGR_MODULE_ERROR.detail.push({ message: p.message });
      out.MGR_MODULE_ERROR.summary.count++;
    }
    // the daemon's own checks first; a module can add codes, never replace one
    for (const checks of this.#moduleChecks.values())
      for (const [code, c] of Object.entries(checks)) if (!(code in out)) out[code] = c;
    return out;
  }
}

/** What went wrong, in the words health shows. */
function failure(s: ModuleStatus): string {
  const e = s.error!;
  if (e.during === "reload") return "failed to reload (the previous version keeps running)";
  return "has failed"; // Ceph's words for a module that did not load or died
}

function firstLine(s: string): string {
  return s.split("\n")[0]!;
}
