// `health mute CODE [TTL] [--sticky]`: muted checks stay listed (with "muted": true) but no longer
// count toward the overall status, as in Ceph's HealthMonitor. A mute ends when its TTL passes;
// a non-sticky one also ends when its check clears, when the check's count grows, or (for a
// check without a count) when its summary changes. Kept in the store, so mutes survive restarts
// and fail-overs.
import { Errno } from "../errors.ts";
import type { KvStore } from "../store/index.ts";
import { parseTimespan, TimespanError } from "./timespan.ts";

export const MUTES_KEY = "tsmgr/health/mutes";

/** What a mute looks at in a health check (modules.ts's HealthCheck has it). */
interface RaisedCheck {
  summary: { message: string; count: number };
}

/** One mute, with Ceph's field names; `ttl` is epoch ms (absent: until unmuted). */
export interface HealthMute {
  code: string;
  ttl?: number;
  sticky: boolean;
  summary: string;
  count: number;
}

export class MuteError extends Error {
  override name = "MuteError";
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

export class HealthMutes {
  readonly #kv: KvStore;
  readonly #now: () => number;

  constructor(kv: KvStore, now: () => number = Date.now) {
    this.#kv = kv;
    this.#now = now;
  }

  #read(): Record<string, HealthMute> {
    const raw = this.#kv.get(MUTES_KEY);
    if (raw === undefined) return {};
    try {
      const v = JSON.parse(raw) as unknown;
      return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, HealthMute>) : {};
    } catch {
      return {}; // a damaged record mutes nothing rather than breaking health
    }
  }

  async #write(m: Record<string, HealthMute>): Promise<void> {
    await this.#kv.set(MUTES_KEY, Object.keys(m).length ? JSON.stringify(m) : null);
  }

  /** Ceph's checks, messages and errnos: an unraised code needs --sticky; a TTL of 0 is refused. */
  async mute(
    code: string,
    ttl: string | undefined,
    sticky: boolean,
    checks: Record<string, RaisedCheck>,
  ): Promise<void> {
    if (code === "") throw new MuteError(Errno.EINVAL, "must specify an alert code to mute");
    let until: number | undefined;
    if (ttl !== undefined) {
      let secs: number;
      try {
        secs = parseTimespan(ttl);
        if (secs === 0) throw new TimespanError("timespan = 0");
      } catch (e) {
        if (!(e instanceof TimespanError)) throw e;
        throw new MuteError(Errno.EINVAL, `invalid duration: ${ttl} (${e.message})`);
      }
      until = this.#now() + secs * 1000;
    }
    const check = Object.hasOwn(checks, code) ? checks[code] : undefined;
    if (!sticky && !check) throw new MuteError(Errno.ENOENT, `health alert ${code} is not currently raised`);
    const all = this.#read();
    all[code] = {
      code,
      ...(until === undefined ? {} : { ttl: until }),
      sticky,
      summary: sticky ? "" : check!.summary.message,
      count: sticky ? 0 : check!.summary.count,
    };
    await this.#write(all);
  }

  /** Removes one mute, or all of them; an unknown code is not an error (as in Ceph). */
  async unmute(code?: string): Promise<void> {
    const all = this.#read();
    if (code === undefined) {
      if (Object.keys(all).length) await this.#write({});
      return;
    }
    if (!Object.hasOwn(all, code)) return;
    delete all[code];
    await this.#write(all);
  }

  /**
   * The mutes still in force against `checks` (Ceph's check_mutes): expired or outgrown ones are
   * dropped, and dropped from the store when `persist` (the active daemon) is set.
   */
  current(checks: Record<string, RaisedCheck>, persist: boolean): HealthMute[] {
    const all = this.#read();
    let changed = false;
    const now = this.#now();
    for (const [code, m] of Object.entries(all)) {
      const check = Object.hasOwn(checks, code) ? checks[code] : undefined;
      let ends = m.ttl !== undefined && m.ttl <= now;
      if (!ends && !m.sticky) {
        if (!check) ends = true;
        else if (m.count) {
          if (check.summary.count > m.count) ends = true;
          else if (check.summary.count < m.count) {
            m.count = check.summary.count; // the mute ratchets down with the check
            changed = true;
          }
        } else if (m.summary !== check.summary.message) ends = true;
      }
      if (ends) {
        delete all[code];
        changed = true;
      }
    }
    if (changed && persist) void this.#write(all).catch(() => {}); // retried at the next read
    return Object.values(all).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  }
}
