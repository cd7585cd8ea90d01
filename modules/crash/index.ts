// crash: Ceph Pacific's `crash` module, ported. Daemons' crash reports (posted by ceph-crash
// with `crash post -i META`) are kept in the module store under crash/<crash_id>, listed, shown,
// archived, pruned after `retain_interval`, and raise RECENT_CRASH while one newer than
// `warn_recent_interval` is not archived. Answers match the real mgr's (see README.md).
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";
import { mgrText } from "../_lib/output.ts";
import { pyDumps } from "../_lib/pyjson.ts";
import { crashTime, pyUtcNow } from "./crash-time.ts";
import { crashStat, jsonReport, listCrashes, recentCrashCheck } from "./crash-views.ts";
import { MalformedCrash, parseCrash, type Crash } from "./metadata.ts";

const EINVAL = 22;
const EFBIG = 27;
const DAY_SECS = 86_400;
/** serve() looks at the crashes every warn_recent_interval/100, within these bounds (Ceph's). */
const MIN_WAIT_SECS = 60;
const MAX_WAIT_SECS = 600;

type Args = CommandArgs & { id?: string; keep?: string; hours?: string };
const ok = (stdout = "", stderr = ""): HandleCommandResult => ({ retval: 0, stdout, stderr });
const fail = (errno: number, stderr: string): HandleCommandResult => ({ retval: -errno, stdout: "", stderr });

/** Python's int(str): optional blanks and sign, digits with single underscores between. */
function pyInt(text: string | undefined): number | undefined {
  return text !== undefined && /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text) ? Number(text.replace(/_/g, "")) : undefined;
}

export default class CrashModule extends MgrModule {
  // Ceph's own descriptors and perms (the real mgr's command corpus)
  static COMMANDS = [
    { cmd: "crash info name=id,type=CephString", desc: "show crash dump metadata", perm: "r" as const },
    { cmd: "crash ls", desc: "Show new and archived crash dumps", perm: "r" as const },
    { cmd: "crash ls-new", desc: "Show new crash dumps", perm: "r" as const },
    { cmd: "crash post", desc: "Add a crash dump (use -i <jsonfile>)", perm: "rw" as const },
    {
      cmd: "crash prune name=keep,type=CephString",
      desc: "Remove crashes older than <keep> days",
      perm: "rw" as const,
    },
    { cmd: "crash rm name=id,type=CephString", desc: "Remove a saved crash <id>", perm: "rw" as const },
    { cmd: "crash stat", desc: "Summarize recorded crashes", perm: "r" as const },
    {
      cmd: "crash json_report name=hours,type=CephString",
      desc: "Crashes in the last <hours> hours",
      perm: "r" as const,
    },
    {
      cmd: "crash archive name=id,type=CephString",
      desc: "Acknowledge a crash and silence health warning(s)",
      perm: "w" as const,
    },
    { cmd: "crash archive-all", desc: "Acknowledge all new crashes and silence health warning(s)", perm: "w" as const },
  ];

  static MODULE_OPTIONS = [
    {
      name: "warn_recent_interval",
      type: "secs" as const,
      default: 14 * DAY_SECS,
      desc: "time interval in which to warn about recent crashes",
    },
    {
      name: "retain_interval",
      type: "secs" as const,
      default: 365 * DAY_SECS,
      desc: "how long to retain crashes before pruning them",
    },
  ];

  /** crash_id → crash, in store order then posting order (as Ceph's dict); loaded on first use */
  #crashes = new Map<string, Crash>();

  async serve(): Promise<void> {
    while (!this.stopping) {
      this.#refreshHealth();
      await this.#prune(this.#option("retain_interval"));
      const wait = Math.min(MAX_WAIT_SECS, Math.max(this.#option("warn_recent_interval") / 100, MIN_WAIT_SECS));
      await this.sleep(wait * 1000);
    }
  }

  configNotify(): void {
    this.#refreshHealth();
  }

  #option(name: "warn_recent_interval" | "retain_interval"): number {
    return this.getModuleOption(name) as number;
  }

  /** The crashes, read from the store when none are in memory (Ceph reloads then too). */
  #all(): Map<string, Crash> {
    if (this.#crashes.size > 0) return this.#crashes;
    const stored = this.getStorePrefix("crash/");
    for (const key of Object.keys(stored).sort()) {
      try {
        this.#crashes.set(key.slice("crash/".length), JSON.parse(stored[key]!) as Crash);
      } catch {
        this.log.warn(`store key crash/${key.slice(6)} holds no JSON: skipped`);
      }
    }
    return this.#crashes;
  }

  #refreshHealth(): void {
    this.setHealthChecks(recentCrashCheck(this.#all().values(), this.#option("warn_recent_interval"), Date.now()));
  }

  /** Writes one crash (null: removes it) to the store, then to memory. */
  async #save(id: string, crash: Crash | null): Promise<void> {
    await this.setStore(`crash/${id}`, crash === null ? null : JSON.stringify(crash));
    if (crash === null) this.#crashes.delete(id);
    else this.#crashes.set(id, crash);
  }

  /** Removes crashes at least `seconds` old. */
  async #prune(seconds: number): Promise<void> {
    const cutoff = Date.now() - seconds * 1000;
    const old = [...this.#all()].filter(([, c]) => crashTime(c.timestamp) <= cutoff);
    for (const [id] of old) await this.#save(id, null);
    if (old.length) this.#refreshHealth();
  }

  async #post(inbuf: string): Promise<HandleCommandResult> {
    let crash: Crash;
    try {
      crash = parseCrash(inbuf);
    } catch (e) {
      if (e instanceof MalformedCrash) return fail(EINVAL, `malformed crash metadata: ${e.message}`);
      throw e;
    }
    if (this.#all().has(crash.crash_id)) return ok();
    try {
      await this.#save(crash.crash_id, crash);
    } catch (e) {
      if ((e as Error).name !== "LimitExceeded") throw e;
      return fail(
        EFBIG,
        `crash ${crash.crash_id} (${inbuf.length} bytes of metadata) cannot be stored: ${(e as Error).message}`,
      );
    }
    this.#refreshHealth();
    return ok();
  }

  async #archive(ids: string[]): Promise<void> {
    for (const id of ids) {
      const crash = this.#all().get(id)!;
      if (!crash.archived) await this.#save(id, { ...crash, archived: pyUtcNow() });
    }
    this.#refreshHealth();
  }

  async handleCommand(inbuf: string, cmd: Args): Promise<HandleCommandResult> {
    const r = await this.#dispatch(inbuf, cmd);
    return { ...r, stdout: mgrText(r.stdout) };
  }

  // long: one case per command, as Ceph's table of handlers
  async #dispatch(inbuf: string, cmd: Args): Promise<HandleCommandResult> {
    const crashes = this.#all();
    const json = cmd.format === "json" || cmd.format === "json-pretty";
    switch (cmd.prefix) {
      case "crash info": {
        const crash = crashes.get(cmd.id!);
        // Ceph answers EINVAL (not ENOENT) with this text
        return crash
          ? ok(pyDumps(crash, { sortKeys: true, indent: 4 }))
          : fail(EINVAL, `crash info: ${cmd.id} not found`);
      }
      case "crash ls":
      case "crash ls-new":
        return ok(listCrashes(crashes.values(), cmd.prefix === "crash ls-new", json));
      case "crash post":
        return this.#post(inbuf);
      case "crash rm":
        if (crashes.has(cmd.id!)) {
          await this.#save(cmd.id!, null);
          this.#refreshHealth();
        }
        return ok();
      case "crash prune": {
        const keep = pyInt(cmd.keep);
        if (keep === undefined) return fail(EINVAL, "keep argument must be integer");
        await this.#prune(keep * DAY_SECS);
        return ok();
      }
      case "crash stat":
        return ok(crashStat(crashes, Date.now()));
      case "crash json_report":
        if (pyInt(cmd.hours) === undefined) return fail(EINVAL, "<hours> argument must be integer");
        return ok("", jsonReport(crashes.values()));
      case "crash archive":
        if (!crashes.has(cmd.id!)) return fail(EINVAL, `crash info: ${cmd.id} not found`);
        await this.#archive([cmd.id!]);
        return ok();
      case "crash archive-all":
        await this.#archive([...crashes.keys()]);
        return ok();
      default:
        return fail(EINVAL, `unknown command ${cmd.prefix}`);
    }
  }
}
