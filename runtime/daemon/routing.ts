// Every request, from any transport (admin socket, HTTP API, the library), is answered here or
// forwarded to the active daemon of the group. The decision:
//
//   this daemon   the command resolves to                 answer
//   -----------   -------------------------------------   -------------------------------------------
//   active        nothing yet, modules still starting     EAGAIN "still starting": it may be a module's
//   active        nothing / bad arguments / caps refused  that error
//   standby       nothing (EINVAL)                        forward: it may be a module only the active runs
//   standby       caps refused, other errors              that error
//   any           a built-in a standby can answer         run here (status, help, mgr fail, sim ...)
//   standby       an active-only built-in, a module       forward
//   active        anything else                           run here
//
// A forwarded request carries its caller's caps; the active runs it with the narrower of those and
// the channel's own (the admin socket and the peer key are "*"), so a standby never lends its rights.
import type { CommandResult } from "../cluster/index.ts";
import { Errno } from "../errors.ts";
import type { Election } from "../election/index.ts";
import { NoDaemon, requestAsok, requestHttp, type RequestHandler, type WireRequest } from "../http/index.ts";
import type { AuditLog } from "../audit/index.ts";
import type { AuthKeys } from "./auth-keys.ts";
import type { Builtin } from "./builtins/index.ts";
import { intersectCaps, type CommandRouter } from "./command-router.ts";
import type { ModuleManager } from "./modules.ts";

export interface RoutingDeps {
  router: CommandRouter;
  builtins: Builtin[];
  election: () => Election;
  modules: ModuleManager;
  auth: AuthKeys;
  /** operator actions (built-ins with perm w or x) are recorded after they ran */
  audit?: AuditLog;
}

export function createRequestHandler(deps: RoutingDeps): RequestHandler {
  const { router, modules } = deps;
  const activeOnly = new Set(deps.builtins.filter((b) => b.needsActive).map((b) => b.cmd));
  const forward = forwarder(deps);

  return async (req, channelCaps) => {
    const caps = req.caps === undefined ? channelCaps : intersectCaps(channelCaps, req.caps);
    const input = req.argv ?? req.cmd!;
    const format = req.format;
    const active = deps.election().isActive();
    const r = router.resolve({ input, caps, format });
    if ("retval" in r) {
      const unknown = r.retval === -Errno.EINVAL;
      if (unknown && active && modules.settling) {
        return {
          id: req.id,
          retval: -Errno.EAGAIN,
          stdout: "",
          stderr: `the daemon is still starting its modules (${r.stderr.split("\n")[0]}): try again`,
        };
      }
      const { unmatched, ...answer } = r;
      const owner = unmatched && active && Array.isArray(input) ? modules.disabledOwner(input) : undefined;
      if (owner)
        return {
          id: req.id,
          ...answer,
          stderr: `module '${owner}' is disabled, so its commands are not available: enable it with tsmgr module enable ${owner}`,
        };
      if (!(unknown && !active)) return { id: req.id, ...answer };
      return { id: req.id, ...(await forward(req, caps)) };
    }
    const local = r.entry.builtin !== undefined && !activeOnly.has(r.entry.builtin.cmd);
    if (!active && !local) return { id: req.id, ...(await forward(req, caps)) };
    const out = await router.run({ input, caps, format, inbuf: req.inbuf, timeoutMs: req.timeout_ms }, r);
    if (r.entry.builtin)
      await deps.audit?.operator(r.entry.signature.prefix.join(" "), r.entry.perm, r.args, caps, out.retval);
    return { id: req.id, ...out };
  };
}

/** Sends a request to the active daemon: its admin socket on this machine, else its HTTP API. */
function forwarder(deps: RoutingDeps): (req: WireRequest, caps: string) => Promise<CommandResult> {
  return async (req, caps) => {
    const m = deps.election().map();
    if (req.forwarded || !m.available || !m.active_asok) {
      return {
        retval: -Errno.EAGAIN,
        stdout: "",
        stderr: "no active tsmgr daemon in the group right now (starting or failing over): try again",
      };
    }
    const timeout = req.timeout_ms ?? 30_000;
    const fwd: WireRequest = { ...req, forwarded: true, caps };
    try {
      const { id: _id, ...out } = await requestAsok(m.active_asok, fwd, timeout);
      return out;
    } catch (e) {
      if (!(e instanceof NoDaemon)) throw e;
    }
    // The active may run on another machine (etcd groups): its HTTP API, with the group's peer key.
    const peer = deps.auth.peerKey();
    if (m.active_addr && peer) {
      try {
        const { id: _id, ...out } = await requestHttp(m.active_addr, fwd, timeout, peer);
        return out;
      } catch (e) {
        if (!(e instanceof NoDaemon)) throw e;
      }
    }
    return {
      retval: -Errno.EAGAIN,
      stdout: "",
      stderr: `the active daemon ${m.active_name} does not answer (failing over?): try again`,
    };
  };
}
