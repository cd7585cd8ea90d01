// Builds the host functions injected into one module's isolate from the surface declared in
// surface.ts, each bound to that module's ModuleContext.
//
// Rules every entry follows (issue: no ambient authority):
//  1. It is bound to one module's identity when the table is built; nothing a module passes
//     can change whose data it reads or writes, or which grants apply.
//  2. It takes only primitives (strings, numbers, booleans, null) and checks their types
//     first: the prelude JSON-encodes structured arguments, and the host parses them here.
//  3. It returns only primitives; structured results travel as JSON text, so no host object
//     or Reference ever reaches module code.
//  4. A standby gets only the standby surface: the rest is not injected at all, so code that
//     goes around the sdk classes finds nothing to call.
import type { HostTable } from "../sandbox/isolate.ts";
import type { ModuleContext } from "./context.ts";
import { checkArg, SURFACE, type SurfaceEntry } from "./surface.ts";

/** The circular-locking rule of ceph-mgr: cluster state is off-limits while constructing. */
function notInConstructor(ctx: ModuleContext, fn: string): void {
  if (ctx.phase() === "constructing") {
    throw new Error(
      `${fn}() called from the constructor of module ${ctx.name}: cluster accessors cannot be used until the module is constructed (ceph-mgr's "circular locking" rule); move this call to serve() or notify()`,
    );
  }
}

/** One surface entry as a host function: phase rule, argument checks, then the implementation. */
function bind(ctx: ModuleContext, name: string, e: SurfaceEntry): (...raw: unknown[]) => unknown {
  const shown = e.api ?? name;
  const checks = e.args;
  // the hot store reads (getStore: a target of ~1 µs a call) check nothing here: skip the loop
  if (!e.cluster && checks.length <= 2 && checks.every((c) => c.type === "any"))
    return (a?: unknown, b?: unknown) => e.impl(ctx, a, b);
  return (...raw: unknown[]) => {
    if (e.cluster) notInConstructor(ctx, shown);
    const args = new Array<unknown>(checks.length);
    for (let i = 0; i < checks.length; i++) args[i] = checkArg(checks[i]!, raw[i]);
    return e.impl(ctx, ...args);
  };
}

export function buildHostTable(ctx: ModuleContext): HostTable {
  const table: HostTable = {};
  for (const [name, e] of Object.entries(SURFACE) as [string, SurfaceEntry][]) {
    if (ctx.role === "standby" && !e.standby) continue;
    const fn = bind(ctx, name, e);
    // the sandbox wraps each kind differently; async ones must return their promise
    table[name] =
      e.kind === "async" ? { kind: "async", fn: fn as (...a: unknown[]) => Promise<unknown> } : { kind: e.kind, fn };
  }
  return table;
}
