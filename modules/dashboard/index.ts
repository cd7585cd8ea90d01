// dashboard: a small status page of the cluster (health, OSDs up/in, pools, PGs), served by the
// active daemon on the address granted in mgr.json (`modules.dashboard.allow.net`). Each
// standby serves the same kind of address and answers every request with a 303 to the active
// daemon's page, so a browser pointed at any daemon of the group lands on the active one,
// before and after a failover. (Ceph's dashboard standby does the same by default.)
import { MgrModule, MgrStandbyModule, type HttpRequest, type HttpResponse } from "@tsmgr/sdk";
import { esc, renderPage } from "./page.ts";
import { clusterStatus } from "./status.ts";

const OPTIONS = [
  {
    name: "refresh_interval",
    type: "secs" as const,
    default: 5,
    min: 0,
    desc: "how often the page reloads itself (0: never)",
  },
  {
    name: "standby_behaviour",
    type: "str" as const,
    default: "redirect",
    enum_allowed: ["redirect", "error"],
    desc: "on a standby: 'redirect' sends browsers to the active daemon; 'error' answers standby_error_status_code",
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

export default class Dashboard extends MgrModule {
  static MODULE_OPTIONS = OPTIONS;

  async serve(): Promise<void> {
    const uri = this.serveHttp((req) => this.#handle(req));
    this.log.info(`dashboard at ${uri}`);
    while (!this.stopping) await this.sleep(60_000);
  }

  #handle(req: HttpRequest): HttpResponse {
    if (req.method !== "GET" && req.method !== "HEAD")
      return { status: 405, headers: { allow: "GET, HEAD" }, body: "" };
    if (req.path === "/") {
      return {
        status: 200,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
        body: renderPage(clusterStatus(this), this.getModuleOption<number>("refresh_interval")),
      };
    }
    if (req.path === "/api/status") {
      return {
        status: 200,
        headers: { "content-type": "application/json", "cache-control": "no-store" },
        body: JSON.stringify(clusterStatus(this)),
      };
    }
    return { status: 404, headers: { "content-type": "text/plain" }, body: `no page at ${req.path}\n` };
  }
}

/** Sends every request to the active daemon's dashboard. */
export class Standby extends MgrStandbyModule {
  static MODULE_OPTIONS = OPTIONS;

  async serve(): Promise<void> {
    this.serveHttp((req) => this.#handle(req));
    while (!this.stopping) await this.sleep(60_000);
  }

  #handle(req: HttpRequest): HttpResponse {
    const text = (status: number, body: string): HttpResponse => ({
      status,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
      body,
    });
    if (this.getModuleOption<string>("standby_behaviour") === "error") {
      return text(
        this.getModuleOption<number>("standby_error_status_code"),
        "this tsmgr daemon is a standby: use the active one's dashboard\n",
      );
    }
    // "" while no daemon is active (starting, failing over) or the active serves no dashboard
    const active = this.getActiveUri();
    if (!active) return text(503, "no active manager is serving the dashboard right now: try again in a few seconds\n");
    // Keep the path and query, on the active's origin: /api/status?x=1 lands on /api/status?x=1.
    const location = `${active.replace(/\/$/, "")}${req.path}${search(req.url)}`;
    return {
      status: 303,
      headers: { location, "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      body: `<!DOCTYPE html><html><body><p>This daemon is a standby: the dashboard is at <a href="${esc(location)}">${esc(location)}</a>.</p></body></html>\n`,
    };
  }
}

/** The query part of a URL, "?x=1", or "" (kept as sent, repeated names and all). */
function search(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? "" : url.slice(q).split("#")[0]!;
}
