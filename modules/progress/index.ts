// progress: Ceph Pacific's progress module. It keeps the cluster's long-running events (the ones
// other modules publish with remote("progress", "update", ...), the recovery after an OSD is
// marked out or in, the global recovery), shows them in `tsmgr status` and answers `progress`.
import { Errno, MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";
import { Nap } from "../_lib/nap.ts";
import { dumps } from "../_lib/pyjson.ts";
import { GhostEvent, GlobalRecoveryEvent, PgRecoveryEvent, ProgressEvent, RemoteEvent, type Ref } from "./events.ts";
import { loadCompleted, saveCompleted } from "./history.ts";
import { OsdMoves } from "./osd-moves.ts";
import { updateGlobalRecovery, updatePgRecovery } from "./recovery.ts";
import { checkRefs, checkUpdate } from "./remote-args.ts";

export default class Progress extends MgrModule {
  static COMMANDS = [
    { cmd: "progress", desc: "Show progress of recovery operations", perm: "r" as const },
    { cmd: "progress json", desc: "Show machine readable progress information", perm: "r" as const },
    { cmd: "progress clear", desc: "Reset progress tracking", perm: "rw" as const },
    { cmd: "progress on", desc: "Enable progress tracking", perm: "rw" as const },
    { cmd: "progress off", desc: "Disable progress tracking", perm: "rw" as const },
  ];

  static MODULE_OPTIONS = [
    {
      name: "max_completed_events",
      type: "int" as const,
      default: 50,
      desc: "number of past completed events to remember",
    },
    { name: "sleep_interval", type: "secs" as const, default: 5, desc: "how long the module is going to sleep" },
    { name: "enabled", type: "bool" as const, default: true },
  ];

  /** Ceph's signatures: update(ev_id, ev_msg, ev_progress, refs?, add_to_ceph_s?), complete(ev_id), fail(ev_id, message) */
  static EXPORTS = ["update", "complete", "fail"];

  #events = new Map<string, ProgressEvent>();
  #completed: GhostEvent[] = [];
  #dirty = false;
  #moves: OsdMoves | undefined;
  #nap = new Nap();

  get #enabled(): boolean {
    return this.getModuleOption<boolean>("enabled");
  }

  async serve(): Promise<void> {
    this.log.info("Loading...");
    this.#completed = loadCompleted(this.getStore("completed"), (msg) => this.log.warn(msg));
    this.#prune();
    this.log.info(`Loaded ${this.#completed.length} historic events`);
    this.#moves = new OsdMoves(this);
    while (!this.stopping) {
      if (this.#dirty) await this.#save();
      if (this.#enabled) {
        this.#processOsdMap();
        this.#processPgSummary();
      }
      await this.#nap.sleep(this.getModuleOption<number>("sleep_interval") * 1000);
    }
  }

  configNotify(): void {
    this.#nap.wake();
  }

  async shutdown(): Promise<void> {
    this.#nap.wake();
    for (const id of this.#events.keys()) this.completeProgressEvent(id);
  }

  // ---- called by other modules ----

  /** Creates or advances an event [Ceph: update(ev_id, ev_msg, ev_progress, refs=None, add_to_ceph_s=False)]. */
  update(evId: unknown, evMsg: unknown, evProgress: unknown, refs?: unknown, addToCephS?: unknown): void {
    const args = checkUpdate(evId, evMsg, evProgress, addToCephS);
    const refList = checkRefs(refs);
    if (!this.#enabled) return;
    let ev = this.#events.get(args.id);
    if (ev && !(ev instanceof RemoteEvent))
      throw new TypeError(`progress event "${args.id}" is the progress module's own: other modules cannot update it`);
    if (!ev) {
      ev = new RemoteEvent(args.id, args.message, refList, args.addToCephS);
      this.#events.set(args.id, ev);
      this.log.info(`update: starting ev ${args.id} (${args.message})`);
    }
    (ev as RemoteEvent).fraction = args.progress;
    ev.message = args.message;
    this.#publish(ev);
  }

  /** Completes an event another module published [Ceph: complete(ev_id)]. */
  complete(evId: unknown): void {
    if (typeof evId !== "string") throw new TypeError(`complete(ev_id): ev_id must be a string, got ${typeof evId}`);
    if (!this.#enabled) return;
    const ev = this.#events.get(evId);
    if (!(ev instanceof RemoteEvent)) return void this.log.warn(`complete: ev ${evId} does not exist`);
    ev.fraction = 1;
    this.log.info(`complete: finished ev ${evId} (${ev.message})`);
    this.#complete(ev);
  }

  /** Marks an event failed and completes it [Ceph: fail(ev_id, message)]. */
  fail(evId: unknown, message: unknown): void {
    if (typeof evId !== "string")
      throw new TypeError(`fail(ev_id, message): ev_id must be a string, got ${typeof evId}`);
    if (typeof message !== "string")
      throw new TypeError(`fail(ev_id, message): message must be a string, got ${typeof message}`);
    const ev = this.#events.get(evId);
    if (!(ev instanceof RemoteEvent)) return void this.log.warn(`fail: ev ${evId} does not exist`);
    ev.fraction = 1;
    ev.failed = true;
    ev.failureMessage = message;
    this.log.info(`fail: finished ev ${evId} (${ev.message}): ${message}`);
    this.#complete(ev);
  }

  // ---- commands ----

  async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    switch (cmd.prefix) {
      case "progress":
        return this.#ls();
      case "progress json":
        return {
          retval: 0,
          stdout: dumps({
            events: [...this.#events.values()].map((e) => e.toJson()),
            completed: this.#completed.map((e) => e.toJson()),
          }),
          stderr: "",
        };
      case "progress clear":
        await this.#clear();
        return { retval: 0, stdout: "", stderr: "" };
      case "progress on":
        if (this.#enabled) return { retval: 0, stdout: "", stderr: "progress already enabled!" };
        await this.setModuleOption("enabled", true);
        return { retval: 0, stdout: "", stderr: "progress enabled" };
      case "progress off":
        if (!this.#enabled) return { retval: 0, stdout: "", stderr: "progress already disabled!" };
        await this.setModuleOption("enabled", false);
        await this.#clear();
        return { retval: 0, stdout: "", stderr: "progress disabled" };
    }
    return { retval: -Errno.EINVAL, stdout: "", stderr: `progress: unknown command "${cmd.prefix}"` };
  }

  #ls(): HandleCommandResult {
    if (this.#events.size === 0 && this.#completed.length === 0)
      return { retval: 0, stdout: "", stderr: "Nothing in progress" };
    let out = "";
    const newestFirst = [...this.#events.values()].sort((a, b) => b.startedAt - a.startedAt);
    for (const ev of newestFirst) out += `${ev.twoline()}\n`;
    if (this.#completed.length) {
      out += "\n";
      for (const ghost of this.#completed) out += `[${ghost.failed ? "Failed" : "Complete"}]: ${ghost.twoline()}\n`;
    }
    return { retval: 0, stdout: out, stderr: "" };
  }

  // ---- events ----

  /** Shows the event in `tsmgr status` [Ceph: Event._refresh → update_progress_event]. */
  #publish(ev: ProgressEvent): void {
    const fraction = Math.min(Math.max(ev.progress, 0), 1);
    try {
      this.updateProgressEvent(ev.id, ev.twoline(6), fraction, { refs: ev.refs, addToCephS: ev.addToCephS });
    } catch (e) {
      // e.g. the daemon's cap of events per module: `progress` still tracks it
      this.log.warn(`cannot show event ${ev.id} in status: ${(e as Error).message}`);
    }
  }

  #complete(ev: ProgressEvent): void {
    this.log.info(
      `Completed event ${ev.id} (${ev.message}) in ${Math.round(Date.now() / 1000 - ev.startedAt)} seconds`,
    );
    this.completeProgressEvent(ev.id);
    this.#completed.push(GhostEvent.of(ev));
    this.#events.delete(ev.id);
    this.#prune();
    this.#dirty = true;
  }

  #maybeComplete(ev: ProgressEvent): void {
    if (ev.progress >= 1) this.#complete(ev);
  }

  #prune(): void {
    const max = this.getModuleOption<number>("max_completed_events");
    if (this.#completed.length <= max) return;
    this.#completed = this.#completed.slice(this.#completed.length - max);
    this.#dirty = true;
  }

  async #clear(): Promise<void> {
    for (const id of this.#events.keys()) this.completeProgressEvent(id);
    this.#events.clear();
    this.#completed = [];
    await this.#save();
  }

  async #save(): Promise<void> {
    this.log.info(`Writing back ${this.#completed.length} completed events`);
    this.#dirty = false;
    await this.setStore("completed", saveCompleted(this.#completed));
  }

  // ---- recovery events from the cluster's own state ----

  #processOsdMap(): void {
    for (const move of this.#moves!.poll()) {
      if (move.cancels) {
        for (const ev of [...this.#events.values()]) {
          if (ev instanceof PgRecoveryEvent && ev.osds.includes(move.osd)) {
            this.log.info(`osd.${move.osd} came back in, cancelling event`);
            this.#complete(ev);
          }
        }
      }
      if (move.pgs.length === 0) continue;
      const refs: Ref[] = [["osd", move.osd]];
      const ev = new PgRecoveryEvent(
        `Rebalancing after osd.${move.osd} marked ${move.marked}`,
        refs,
        new Set(move.pgs),
        [move.osd],
        move.epoch,
      );
      updatePgRecovery(ev, this.get("pg_progress"));
      this.#publish(ev);
      this.#events.set(ev.id, ev);
    }
  }

  #processPgSummary(): void {
    // Ceph skips the PG reads while nothing is in progress: the global event only joins others
    if (this.#events.size === 0) return;
    let global = false;
    const pgProgress = this.get("pg_progress");
    for (const ev of [...this.#events.values()]) {
      if (ev instanceof PgRecoveryEvent) {
        updatePgRecovery(ev, pgProgress);
        this.#publish(ev);
        this.#maybeComplete(ev);
      } else if (ev instanceof GlobalRecoveryEvent) {
        global = true;
        if (updateGlobalRecovery(ev, this.get("active_clean_pgs"))) this.#publish(ev);
        this.#maybeComplete(ev);
      }
    }
    if (!global) this.#startGlobalRecovery();
  }

  #startGlobalRecovery(): void {
    const pgs = this.get("active_clean_pgs");
    const activeClean = pgs.pg_stats.length;
    if (pgs.total_num_pgs === 0 || activeClean >= pgs.total_num_pgs) return;
    this.log.warn(`Starting Global Recovery Event,${pgs.total_num_pgs - activeClean} pgs not in active + clean state`);
    const ev = new GlobalRecoveryEvent(this.get("osd_map").epoch, activeClean);
    this.#publish(ev);
    if (updateGlobalRecovery(ev, pgs)) this.#publish(ev);
    this.#events.set(ev.id, ev);
  }
}
