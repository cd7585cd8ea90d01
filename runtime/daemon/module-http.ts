// Module HTTP servers (`serveHttp`) and the URIs they publish as the mgr map's `services`.
// A module may listen only on an address granted at modules.NAME.allow.net.
import { PermissionDenied } from "../errors.ts";
import { ModuleHttpServer } from "../http/index.ts";
import type { ModuleRunner } from "./module-runner.ts";

export interface ModuleHttpDeps {
  /** the module's granted addresses (read on every call: a reload may change them) */
  grants(name: string): string[];
  /** called whenever the set of published URIs changed */
  published(services: Record<string, string>): void;
  /** a module's response the host refused to send (bad headers), for the log */
  warn(name: string, message: string): void;
  /** a grant decision, for the audit log */
  audit?(name: string, e: { fn: string; asked: string; allowed: boolean; key: string }): void;
}

export class ModuleHttpHost {
  readonly #deps: ModuleHttpDeps;
  readonly #servers = new Map<string, ModuleHttpServer>();
  /** a stopping module's socket, which a new version's socket on the same address waits for */
  readonly #closing = new Map<string, Promise<void>>();

  constructor(deps: ModuleHttpDeps) {
    this.#deps = deps;
  }

  services(): Record<string, string> {
    return Object.fromEntries([...this.#servers].map(([n, s]) => [n, s.uri]));
  }

  uri(name: string): string | undefined {
    return this.#servers.get(name)?.uri;
  }

  /** Binds a granted address ("" = the first granted) for `runner`; returns its URI at once. */
  serve(name: string, runner: ModuleRunner, address: string): string {
    const grants = this.#deps.grants(name);
    this.#deps.audit?.(name, {
      fn: "serveHttp",
      asked: address || (grants[0] ?? "(none granted)"),
      allowed: address ? grants.includes(address) : grants.length > 0,
      key: "allow.net",
    });
    if (address && !grants.includes(address)) {
      throw new PermissionDenied(
        `module "${name}" requires net access to "${address}": grant it in mgr.json at modules.${name}.allow.net, then run tsmgr module reload ${name}`,
      );
    }
    const existing = this.#servers.get(name);
    if (existing) return existing.uri;
    const addr = address || grants[0];
    if (!addr)
      throw new PermissionDenied(
        `module "${name}" requires net access to serve HTTP: grant an address in mgr.json at modules.${name}.allow.net (e.g. ["127.0.0.1:PORT"]), then run tsmgr module reload ${name}`,
      );
    // Listening is asynchronous; the URI is known now and the socket follows within a tick
    // (after the previous version's socket on this address, if any, has closed).
    const pending = (this.#closing.get(name) ?? Promise.resolve()).then(() =>
      ModuleHttpServer.listen(addr, () => (runner.running ? runner : undefined), runner.limits.callTimeoutMs, {
        warn: (msg) => this.#deps.warn(name, msg),
      }),
    );
    pending.then(
      (s) => {
        if (!runner.running) return void s.close(); // the module stopped while we were binding
        this.#servers.set(name, s);
        this.#deps.published(this.services());
      },
      (e: NodeJS.ErrnoException) =>
        runner.fail(
          new Error(
            `cannot serve HTTP on ${addr}: ${e.code === "EADDRINUSE" ? "the address is in use" : e.message} (modules.${name}.allow.net in mgr.json)`,
          ),
        ),
    );
    return `http://${addr}/`;
  }

  stop(name: string): void {
    const s = this.#servers.get(name);
    this.#servers.delete(name);
    if (s) {
      const closing = s.close();
      this.#closing.set(name, closing);
      void closing.finally(() => this.#closing.get(name) === closing && this.#closing.delete(name));
    }
    this.#deps.published(this.services());
  }
}
