// sub: a module subscribed to osd_map for the in-isolate read figures: getStore / getModuleOption
// from the mirror, and get() right after a notify (the snapshot pushed ahead with it).
import { MgrModule, type CommandArgs, type HandleCommandResult, type NotifyType } from "@tsmgr/sdk";

const ok = (stdout: string): HandleCommandResult => ({ retval: 0, stdout, stderr: "" });

export default class Sub extends MgrModule {
  static override COMMANDS = [
    { cmd: "sub storeget name=n,type=CephInt", desc: "N getStore calls", perm: "r" as const },
    { cmd: "sub optget name=n,type=CephInt", desc: "N getModuleOption calls", perm: "r" as const },
    { cmd: "sub get name=what,type=CephString name=n,type=CephInt", desc: "N get(WHAT) calls", perm: "r" as const },
    { cmd: "sub count", desc: "osd_map notifies seen", perm: "r" as const },
  ];
  static override MODULE_OPTIONS = [{ name: "interval", type: "int" as const, default: 60 }];
  static override NOTIFY_TYPES: NotifyType[] = ["osd_map"];
  #notifies = 0;

  override notify(type: string): void {
    if (type === "osd_map") this.#notifies++;
  }

  override async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    const n = Number(cmd.n ?? 0);
    switch (cmd.prefix) {
      case "sub storeget": {
        let v: string | undefined;
        for (let i = 0; i < n; i++) v = this.getStore("k");
        return ok(String(v?.length ?? -1));
      }
      case "sub optget": {
        let v: unknown;
        for (let i = 0; i < n; i++) v = this.getModuleOption("interval");
        return ok(String(v));
      }
      case "sub get": {
        let v: unknown;
        for (let i = 0; i < n; i++) v = this.get(String(cmd.what));
        return ok(n === 0 ? "" : typeof v);
      }
      default:
        return ok(String(this.#notifies));
    }
  }
}
