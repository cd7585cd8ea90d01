// Calls between modules (ceph-mgr's `remote`): module A awaits a method module B lists in its
// static EXPORTS. The hub checks A's grant (modules.A.allow.remote), that B runs, and how deep
// the chain of calls is; the arguments and the result cross as JSON text, so neither side ever
// holds the other's objects. B runs the call under its own limits.callTimeoutMs.
import { LimitExceeded, PermissionDenied } from "../errors.ts";

/** Ceph raises ImportError for a module that is not loaded; tsmgr says it with this name. */
export class ModuleNotFound extends Error {
  override name = "ModuleNotFound";
}

/** How a remote call chain may nest (A→B→A→… ) before it is refused: a recursion bomb stops here. */
export const MAX_REMOTE_DEPTH = 8;
/** Remote calls one module may have waiting at once: a loop of un-awaited calls stops here. */
export const MAX_REMOTE_INFLIGHT = 64;
/** A result larger than this is refused (it is copied through the daemon). */
export const MAX_REMOTE_RESULT = 8 * 1024 * 1024;

/** The callee side, as the daemon provides it (a module runner). */
export interface RemoteCallee {
  /** true while a version runs and can take calls */
  readonly running: boolean;
  /** the running version's static EXPORTS */
  readonly exports: readonly string[];
  /** runs one exported method (or `selfTest` for the daemon: internal) under the callee's limits */
  callExport(method: string, argsJson: string, internal: boolean): Promise<string | undefined>;
}

/** The chains of calls running inside each module, for the depth rule. */
export class RemoteCalls {
  readonly #find: (name: string) => RemoteCallee | undefined;
  /** module → the chains (caller names, outermost first) of the calls it is serving now */
  readonly #serving = new Map<string, string[][]>();
  readonly #waiting = new Map<string, number>();

  constructor(find: (name: string) => RemoteCallee | undefined) {
    this.#find = find;
  }

  /**
   * `caller` calls `target.method(...args)`. The chain's depth is counted from the deepest call
   * `caller` is serving right now: a module's host calls do not say which incoming call they
   * belong to, so this errs towards refusing (only ever under concurrent chains).
   */
  async call(
    caller: string,
    grants: readonly string[],
    target: string,
    method: string,
    argsJson: string,
  ): Promise<string | undefined> {
    if (!grants.includes(target) && !grants.includes(`${target}.${method}`)) {
      throw new PermissionDenied(
        `module "${caller}" may not call ${target}.${method}(): add "${target}" or "${target}.${method}" to modules.${caller}.allow.remote in mgr.json`,
      );
    }
    const callee = this.#find(target);
    if (!callee || !callee.running)
      throw new ModuleNotFound(
        `remote(): module "${target}" is not running${callee ? "" : " (no such module in the module path)"}: enable it (tsmgr module enable ${target}) or check tsmgr module ls`,
      );
    if (!callee.exports.includes(method)) {
      throw new PermissionDenied(
        `remote(): module "${target}" does not export ${JSON.stringify(method)}: its static EXPORTS are [${callee.exports.map((e) => JSON.stringify(e)).join(", ")}]`,
      );
    }
    const chain = [...this.#deepest(caller), caller];
    if (chain.length > MAX_REMOTE_DEPTH) {
      throw new LimitExceeded(
        `remote(): the call chain ${[...chain, target].join(" → ")} is ${chain.length + 1} modules deep: the limit is ${MAX_REMOTE_DEPTH} (a cycle of remote calls?)`,
      );
    }
    const waiting = this.#waiting.get(caller) ?? 0;
    if (waiting >= MAX_REMOTE_INFLIGHT)
      throw new LimitExceeded(
        `remote(): module "${caller}" has ${waiting} remote calls waiting: the limit is ${MAX_REMOTE_INFLIGHT}; await them before starting more`,
      );
    this.#waiting.set(caller, waiting + 1);
    const serving = this.#serving.get(target) ?? [];
    this.#serving.set(target, serving);
    serving.push(chain);
    try {
      const out = await callee.callExport(method, argsJson, false);
      if (typeof out === "string" && out.length > MAX_REMOTE_RESULT)
        throw new RangeError(
          `remote(): ${target}.${method}() returned ${out.length} characters of JSON: the limit is ${MAX_REMOTE_RESULT}`,
        );
      return out;
    } finally {
      serving.splice(serving.indexOf(chain), 1);
      if (serving.length === 0) this.#serving.delete(target);
      const w = this.#waiting.get(caller)! - 1;
      if (w === 0) this.#waiting.delete(caller);
      else this.#waiting.set(caller, w);
    }
  }

  #deepest(name: string): string[] {
    let best: string[] = [];
    for (const c of this.#serving.get(name) ?? []) if (c.length > best.length) best = c;
    return best;
  }
}
