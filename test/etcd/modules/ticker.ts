// Fixture for the etcd tests: while active, writes "<id>:<n>" to its store every 50 ms and logs
// whether etcd took it; on shutdown, tries one more write ("bye") and logs the outcome. As a
// standby, logs each new value of its "label" option (which only the store's watch brings).
import { MgrModule, MgrStandbyModule } from "@tsmgr/sdk";

export default class Ticker extends MgrModule {
  static COMMANDS = [{ cmd: "ticker last", desc: "the last tick in the store", perm: "r" as const }];
  static MODULE_OPTIONS = [{ name: "label", type: "str" as const, default: "none" }];
  notified = 0;

  configNotify() {
    this.notified++;
    this.log.info(`config notify ${this.notified}: label=${String(this.getModuleOption("label"))}`);
  }

  async handleCommand() {
    return {
      retval: 0,
      stdout: `${this.getStore("tick") ?? "none"} label=${String(this.getModuleOption("label"))} notified=${this.notified}`,
      stderr: "",
    };
  }

  async serve() {
    const me = this.getMgrId();
    for (let n = 1; !this.stopping; n++) {
      try {
        await this.setStore("tick", `${me}:${n}`);
        this.log.info(`tick ok ${me}:${n}`);
      } catch (e) {
        this.log.info(`tick rejected ${me}:${n}: ${(e as Error).message}`);
      }
      await this.sleep(50);
    }
  }

  async shutdown() {
    const me = this.getMgrId();
    try {
      await this.setStore("bye", me);
      this.log.info(`bye ok ${me}`);
    } catch (e) {
      this.log.info(`bye rejected ${me}: ${(e as Error).message}`);
    }
  }
}

export class Standby extends MgrStandbyModule {
  async serve() {
    let last = "";
    while (!this.stopping) {
      const label = String(this.getModuleOption("label"));
      if (label !== last) this.log.info(`standby label=${label}`);
      last = label;
      await this.sleep(50);
    }
  }
}
