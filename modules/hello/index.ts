// hello: the smallest useful module, written the way we want modules written. It shows a
// command with an optional argument, a typed option, the store, logging and a serve loop.
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";

export default class Hello extends MgrModule {
  static COMMANDS = [
    {
      cmd: "hello name=person,type=CephString,req=false",
      desc: "Say hello (to PERSON, or the world)",
      perm: "r" as const,
    },
    { cmd: "hello count", desc: "How many greetings this module has sent, ever", perm: "r" as const },
  ];

  static MODULE_OPTIONS = [
    { name: "greeting", type: "str" as const, default: "hello", desc: "the word to greet with" },
    { name: "interval", type: "secs" as const, default: 60, min: 1, desc: "how often serve() logs that it is alive" },
  ];

  async serve(): Promise<void> {
    this.log.info("hello module running");
    while (!this.stopping) {
      await this.sleep(this.getModuleOption<number>("interval") * 1000);
      if (!this.stopping) this.log.debug(`still here; ${this.getStore("count", "0")} greetings so far`);
    }
  }

  async handleCommand(_inbuf: string, cmd: CommandArgs & { person?: string }): Promise<HandleCommandResult> {
    if (cmd.prefix === "hello count") return { retval: 0, stdout: this.getStore("count", "0"), stderr: "" };
    const count = Number(this.getStore("count", "0")) + 1;
    await this.setStore("count", String(count)); // durable once awaited
    const greeting = this.getModuleOption<string>("greeting");
    return { retval: 0, stdout: `${greeting} ${cmd.person ?? "world"}`, stderr: "" };
  }

  async shutdown(): Promise<void> {
    this.log.info("hello module stopping");
  }
}
