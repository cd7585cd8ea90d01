// fan: a small module subscribed to osd_map. Copied 100 times (fan_000 ... fan_099, the command
// prefix renamed) for the idle-isolate memory and the notify fan-out figures. On each notify it
// reads the new map, as a typical module does (`fan quiet` turns the read off, to separate the
// cost of the notify call from the cost of get()).
import { MgrModule, type CommandArgs, type HandleCommandResult, type NotifyType } from "@tsmgr/sdk";

export default class Fan extends MgrModule {
  static override COMMANDS = [
    { cmd: "fan count", desc: "notifies seen and the last osd_map epoch", perm: "r" as const },
    { cmd: "fan quiet", desc: "stop reading osd_map in notify()", perm: "w" as const },
  ];
  static override NOTIFY_TYPES: NotifyType[] = ["osd_map"];
  #notifies = 0;
  #epoch = 0;
  #read = true;

  override notify(type: string): void {
    if (type !== "osd_map") return;
    this.#notifies++;
    if (this.#read) this.#epoch = this.get<{ epoch: number }>("osd_map")?.epoch ?? 0;
  }

  override async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    if (cmd.prefix.endsWith(" quiet")) this.#read = false;
    return { retval: 0, stdout: `${this.#notifies} ${this.#epoch}`, stderr: "" };
  }
}
