// pg_autoscaler: Ceph Pacific's PG autoscaler. It sizes every pool's pg_num from its share of its
// CRUSH subtree, answers `osd pool autoscale-status`, raises POOL_TOO_FEW_PGS / POOL_TOO_MANY_PGS
// for pools in "warn" mode and the POOL_TARGET_SIZE_* checks, and for pools in "on" mode sets
// pg_num itself, reporting the change through the progress module.
import { Errno, MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";
import { Nap } from "../_lib/nap.ts";
import { dumps, pyFloat } from "../_lib/pyjson.ts";
import { healthChecks } from "./health.ts";
import { poolStatus, type ClusterView, type PoolStatus } from "./pool-status.ts";
import { PgAdjustments } from "./progress-events.ts";
import { statusTable } from "./status-table.ts";

export default class PgAutoscaler extends MgrModule {
  static COMMANDS = [
    {
      cmd: "osd pool autoscale-status name=format,type=CephString,req=false",
      desc: "report on pool pg_num sizing recommendation and intent",
      perm: "r" as const,
    },
    {
      cmd: "osd pool get noautoscale",
      desc: "Get the noautoscale flag to see if all pools are setting the autoscaler on or off as well as newly created pools in the future.",
      perm: "w" as const,
    },
    {
      cmd: "osd pool unset noautoscale",
      desc: "Unset the noautoscale flag so all pools will have autoscale enabled (including newly created pools in the future).",
      perm: "w" as const,
    },
    {
      cmd: "osd pool set noautoscale",
      desc: "set the noautoscale for all pools (including newly created pools in the future) and complete all on-going progress events regarding PG-autoscaling.",
      perm: "w" as const,
    },
  ];

  static MODULE_OPTIONS = [
    { name: "sleep_interval", type: "secs" as const, default: 60 },
    { name: "noautoscale", type: "bool" as const, default: false, desc: "global autoscale flag" },
  ];

  #events = new PgAdjustments(this);
  #nap = new Nap();

  get #noautoscale(): boolean {
    return this.getModuleOption<boolean>("noautoscale");
  }

  async serve(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.#maybeAdjust();
        await this.#events.refresh(this.get("osd_map"), this.#noautoscale);
      } catch (e) {
        // one bad round (the progress module away, a cluster hiccup) must not stop the next
        this.log.error(`autoscale round failed: ${(e as Error).message}`);
      }
      await this.#nap.sleep(this.getModuleOption<number>("sleep_interval") * 1000);
    }
  }

  configNotify(): void {
    this.#nap.wake();
  }

  async shutdown(): Promise<void> {
    this.#nap.wake();
  }

  async handleCommand(_inbuf: string, cmd: CommandArgs & { format?: string }): Promise<HandleCommandResult> {
    switch (cmd.prefix) {
      case "osd pool autoscale-status":
        return this.#status(cmd.format ?? "plain");
      case "osd pool get noautoscale":
        return { retval: 0, stdout: "", stderr: `noautoscale is ${this.#noautoscale ? "on" : "off"}` };
      case "osd pool set noautoscale":
        if (this.#noautoscale) return { retval: 0, stdout: "", stderr: "noautoscale is already set!" };
        await this.#setNoautoscale(true);
        await this.#events.completeAll();
        return { retval: 0, stdout: "", stderr: "noautoscale is set, all pools now have autoscale off" };
      case "osd pool unset noautoscale":
        if (!this.#noautoscale) return { retval: 0, stdout: "", stderr: "noautoscale is already unset!" };
        await this.#setNoautoscale(false);
        return { retval: 0, stdout: "", stderr: "noautoscale is unset, all pools now have autoscale on" };
    }
    return { retval: -Errno.EINVAL, stdout: "", stderr: `pg_autoscaler: unknown command "${cmd.prefix}"` };
  }

  #view(): ClusterView {
    return {
      osdMap: this.get("osd_map"),
      crush: this.get("osd_map_crush"),
      osdStats: this.get("osd_stats"),
      df: this.get("df"),
      targetPgPerOsd: Number(this.getCephOption("mon_target_pg_per_osd")),
      warn: (msg) => this.log.warn(msg),
    };
  }

  #status(format: string): HandleCommandResult {
    const { pools } = poolStatus(this.#view());
    if (format === "json" || format === "json-pretty")
      return { retval: 0, stdout: dumps(pools.map(asPython)), stderr: "" };
    return { retval: 0, stdout: statusTable(pools), stderr: "" };
  }

  /** The flag, the default mode of new pools, and every pool's mode, as Ceph sets them. */
  async #setNoautoscale(on: boolean): Promise<void> {
    const mode = on ? "off" : "on";
    await this.setModuleOption("noautoscale", on);
    await this.sendCommand({
      prefix: "config set",
      who: "global",
      name: "osd_pool_default_pg_autoscale_mode",
      value: mode,
    });
    for (const p of this.get("osd_map").pools) {
      await this.sendCommand({ prefix: "osd pool set", pool: p.pool_name, var: "pg_autoscale_mode", val: mode });
    }
  }

  async #maybeAdjust(): Promise<void> {
    if (this.#noautoscale) return;
    const view = this.#view();
    if (view.osdMap.require_osd_release < "nautilus") return;
    const { pools, byRoot } = poolStatus(view);
    this.setHealthChecks(healthChecks(view.osdMap, pools, byRoot));
    for (const p of pools) {
      if (!p.would_adjust || p.pg_autoscale_mode !== "on") continue;
      // setting pg_num sets pg_num_target; the cluster walks pg_num there
      const r = await this.sendCommand({
        prefix: "osd pool set",
        pool: p.pool_name,
        var: "pg_num",
        val: String(p.pg_num_final),
      });
      const current = view.osdMap.pools.find((q) => q.pool === p.pool_id)?.pg_num ?? p.pg_num_target;
      await this.#events.start(p.pool_id, current, p.pg_num_final);
      if (r.retval !== 0)
        this.log.error(
          `pg_num adjustment on ${p.pool_name} to ${p.pg_num_final} failed: ${JSON.stringify([r.retval, r.stdout, r.stderr])}`,
        );
    }
  }
}

/** A row with the fields Python holds as floats marked, so `-f json` prints 3.0 where Ceph does. */
function asPython(p: PoolStatus): Record<string, unknown> {
  const floats = [
    "raw_used_rate",
    "actual_raw_used",
    "raw_used",
    "actual_capacity_ratio",
    "capacity_ratio",
    "target_ratio",
    "effective_target_ratio",
    "bias",
  ] as const;
  const out: Record<string, unknown> = { ...p };
  for (const k of floats) out[k] = pyFloat(p[k]);
  return out;
}
