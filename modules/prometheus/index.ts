// prometheus: a Prometheus exporter like Ceph's. The active daemon serves /metrics in the text
// exposition format on the address granted in mgr.json (`modules.prometheus.allow.net`, e.g.
// ["127.0.0.1:9283"]). The metrics are a cache rebuilt when the cluster data changes (notify()
// marks what is stale, serve() rebuilds it), never by a scrape: a scrape copies out the text. Standbys answer /metrics with an
// empty 200 and an index page pointing at the active, as Ceph's standby does by default, so a
// Prometheus configured with every daemon's address scrapes each cluster fact once.
import {
  Errno,
  MgrModule,
  MgrStandbyModule,
  type CommandArgs,
  type HandleCommandResult,
  type HttpRequest,
  type HttpResponse,
  type NotifyType,
} from "@tsmgr/sdk";
import { COLLECTORS, STALE_ON, type Section } from "./collect.ts";
import { Exposition } from "./exposition.ts";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
const SECTIONS = Object.keys(COLLECTORS) as Section[];

const OPTIONS = [
  {
    name: "perf_counter_priority",
    type: "int" as const,
    default: 5,
    min: 0,
    max: 10,
    desc: "export perf counters of at least this priority (5 is Ceph's PRIO_USEFUL)",
  },
  {
    name: "standby_behaviour",
    type: "str" as const,
    default: "default",
    enum_allowed: ["default", "error"],
    desc: "on a standby: 'default' answers /metrics empty and links the active; 'error' answers every request with standby_error_status_code",
  },
  {
    name: "standby_error_status_code",
    type: "int" as const,
    default: 500,
    min: 400,
    max: 599,
    desc: "the status a standby answers with when standby_behaviour is 'error'",
  },
];

export default class Prometheus extends MgrModule {
  static COMMANDS = [
    { cmd: "prometheus status", desc: "Show the exporter's address, cache and scrape counters", perm: "r" as const },
  ];
  static MODULE_OPTIONS = OPTIONS;
  static NOTIFY_TYPES: NotifyType[] = [
    "osd_map",
    "pg_summary",
    "health",
    "mon_map",
    "mon_status",
    "perf_schema_update",
  ];

  /** The collected metrics of each section; `#body` is all of them as text. */
  readonly #sections = new Map<Section, Exposition>();
  /** Sections whose data changed since they were built: everything, at first. */
  readonly #stale = new Set<Section>(SECTIONS);
  readonly #rebuilds = Object.fromEntries(SECTIONS.map((s) => [s, 0])) as Record<Section, number>;
  readonly #sectionMs = Object.fromEntries(SECTIONS.map((s) => [s, 0])) as Record<Section, number>;
  #body = "";
  #builtAt = "";
  #errors = 0;
  #scrapes = 0;
  #uri = "";
  #wake: () => void = () => {};

  // The cache is built here, not in notify(): notify() only marks sections stale. Building in
  // serve() lets a big cluster's build take its time in short slices (see #rebuild) and merges
  // a burst of notifies (osd_map, pg_summary and health often arrive together) into one build.
  async serve(): Promise<void> {
    while (!this.stopping) {
      if (this.#stale.size === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 60_000);
          this.#wake = () => (clearTimeout(timer), resolve());
        });
        continue;
      }
      const sections = SECTIONS.filter((s) => this.#stale.has(s));
      this.#stale.clear();
      const t0 = Date.now();
      await this.#rebuild(sections);
      if (!this.#uri) {
        // after the first build, so no scrape ever sees an empty exporter
        this.#uri = this.serveHttp((req) => this.#handle(req));
        this.log.info(`serving metrics at ${this.#uri}metrics`);
      }
      // On a cluster of thousands of OSDs a build costs a second of CPU: rest four times as
      // long as it took, so the exporter never uses more than a fifth of a core.
      await this.sleep(Math.min(30_000, 4 * (Date.now() - t0)));
    }
  }

  notify(type: string): void {
    for (const s of STALE_ON[type] ?? []) this.#stale.add(s);
    if (this.#stale.size > 0) this.#wake();
  }

  configNotify(): void {
    this.notify("perf_schema_update"); // perf_counter_priority may have changed
  }

  async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    if (cmd.prefix !== "prometheus status")
      return { retval: -Errno.EINVAL, stdout: "", stderr: `unknown command ${cmd.prefix}` };
    const status = {
      uri: this.#uri,
      scrapes: this.#scrapes,
      rebuilds: this.#rebuilds,
      build_ms: this.#sectionMs,
      stale: [...this.#stale],
      errors: this.#errors,
      built_at: this.#builtAt,
      bytes: this.#body.length,
    };
    return { retval: 0, stdout: JSON.stringify(status, null, 2), stderr: "" };
  }

  async shutdown(): Promise<void> {
    this.#wake();
  }

  /** Rebuilds the given sections; one that throws keeps its previous metrics and is logged. */
  async #rebuild(sections: Section[]): Promise<void> {
    // Each call into a module has a deadline (limits.callTimeoutMs): yield every 50 ms so a long
    // build runs as many short slices.
    let sliceStart = Date.now();
    const pause = async () => {
      if (Date.now() - sliceStart < 50) return;
      await this.sleep(0);
      sliceStart = Date.now();
    };
    const options = { perfPriority: this.getModuleOption<number>("perf_counter_priority"), pause };
    for (const s of sections) {
      const t0 = Date.now();
      const e = new Exposition();
      try {
        await COLLECTORS[s](this, e, options);
        this.#sections.set(s, e);
        this.#rebuilds[s]++;
      } catch (err) {
        this.#errors++;
        this.log.error(`collecting ${s} metrics failed (keeping the previous ones): ${(err as Error).stack ?? err}`);
      }
      this.#sectionMs[s] = Date.now() - t0;
      if (this.stopping) return;
    }
    this.#body = Exposition.render(SECTIONS.flatMap((s) => this.#sections.get(s) ?? []));
    this.#builtAt = new Date().toISOString();
    this.log.debug(`rebuilt ${sections.join(", ")} (${this.#body.length} bytes)`);
  }

  #handle(req: HttpRequest): HttpResponse {
    if (req.method !== "GET" && req.method !== "HEAD")
      return { status: 405, headers: { allow: "GET, HEAD" }, body: "" };
    if (req.path === "/metrics") {
      this.#scrapes++;
      return { status: 200, headers: { "content-type": CONTENT_TYPE }, body: this.#body };
    }
    if (req.path === "/") return html(200, `<h1>Ceph Exporter</h1><p><a href="/metrics">Metrics</a></p>`);
    return { status: 404, headers: { "content-type": "text/plain" }, body: "not found: try /metrics\n" };
  }
}

/** On a standby: nothing to export (the active does), and a pointer to the active. */
export class Standby extends MgrStandbyModule {
  static MODULE_OPTIONS = OPTIONS;

  async serve(): Promise<void> {
    this.serveHttp((req) => this.#handle(req));
    while (!this.stopping) await this.sleep(60_000);
  }

  #handle(req: HttpRequest): HttpResponse {
    if (this.getModuleOption<string>("standby_behaviour") === "error") {
      const status = this.getModuleOption<number>("standby_error_status_code");
      return {
        status,
        headers: { "content-type": "text/plain" },
        body: "this tsmgr daemon is a standby: scrape the active one\n",
      };
    }
    // An empty 200, not an error: Prometheus scraping every daemon sees no gaps or alerts.
    if (req.path === "/metrics") return { status: 200, headers: { "content-type": CONTENT_TYPE }, body: "" };
    if (req.path === "/") {
      const active = this.getActiveUri();
      const where = active
        ? `<p>This daemon is a standby. The active manager serves <a href="${escapeHtml(active)}metrics">${escapeHtml(active)}metrics</a>.</p>`
        : "<p>This daemon is a standby and there is no active manager right now.</p>";
      return html(200, `<h1>Ceph Exporter</h1>${where}`);
    }
    return { status: 404, headers: { "content-type": "text/plain" }, body: "not found: try /metrics\n" };
  }
}

function html(status: number, body: string): HttpResponse {
  return {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: `<!DOCTYPE html>\n<html><head><title>Ceph Exporter</title></head><body>${body}</body></html>\n`,
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
