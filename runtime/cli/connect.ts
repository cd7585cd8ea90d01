// How the CLI reaches its daemon group: the admin sockets in the config's data dir (its own
// id first, then any other member). A member that is standby forwards to the active one; while
// the group has no active daemon, the CLI waits (saying so) up to its timeout, then EAGAIN.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/index.ts";
import { Errno } from "../errors.ts";
import { NoDaemon, requestAsok, type WireRequest, type WireResponse } from "../http/index.ts";

function candidates(cfg: Config, id: string | undefined): string[] {
  if (id) return [join(cfg.dataDir, `mgr.${id}.asok`)];
  const own = join(cfg.dataDir, `mgr.${cfg.id}.asok`);
  let others: string[] = [];
  try {
    others = readdirSync(cfg.dataDir)
      .filter((f) => f.startsWith("mgr.") && f.endsWith(".asok"))
      .map((f) => join(cfg.dataDir, f))
      .filter((p) => p !== own);
  } catch {
    // no data dir: no daemon
  }
  return [own, ...others];
}

/** A daemon's answer, or `noDaemon` with the reason in `stderr` when no admin socket answered at all. */
export type GroupResponse = WireResponse & { noDaemon?: true };

export interface SendOptions {
  id?: string;
  timeoutMs: number;
  onWait?: (message: string) => void;
}

/** Sends one request, retrying while the group has no active daemon, until the timeout. */
export async function sendToGroup(cfg: Config, req: WireRequest, o: SendOptions): Promise<GroupResponse> {
  const deadline = Date.now() + o.timeoutMs;
  let waited = false;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0)
      return {
        retval: -Errno.EAGAIN,
        stdout: "",
        stderr: `no active tsmgr daemon answered within ${Math.round(o.timeoutMs / 1000)} s`,
      };
    let answered: WireResponse | undefined;
    let reached = false;
    for (const path of candidates(cfg, o.id)) {
      try {
        answered = await requestAsok(path, { ...req, timeout_ms: Math.max(1, left - 50) }, left);
        reached = true;
        break;
      } catch (e) {
        if (!(e instanceof NoDaemon)) throw e;
      }
    }
    if (!reached) {
      if (!waited) {
        return {
          noDaemon: true,
          retval: -Errno.ENOENT,
          stdout: "",
          stderr: `no tsmgr daemon is running for ${cfg.dataDir}${o.id ? ` with id ${o.id}` : ""} (no admin socket answers there): start one with tsmgr daemon${cfg.file ? ` -c ${cfg.file}` : ""}`,
        };
      }
    } else if (answered!.retval !== -Errno.EAGAIN) return answered!;
    if (!waited) o.onWait?.(`waiting for an active tsmgr daemon (${answered?.stderr ?? "no daemon answers"})...`);
    waited = true;
    await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
  }
}
