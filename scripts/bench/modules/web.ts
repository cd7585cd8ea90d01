// web: serves a trivial HTTP handler on the address granted in mgr.json (allow.net).
import { MgrModule } from "@tsmgr/sdk";

export default class Web extends MgrModule {
  override async serve(): Promise<void> {
    this.serveHttp(() => ({ status: 200, headers: { "content-type": "text/plain" }, body: "ok" }));
    while (!this.stopping) await this.sleep(60_000);
  }
}
