// hr: the hot-reload subject. The benchmark rewrites VERSION and times the save until
// `hr ver` answers with the new value.
import { MgrModule, type HandleCommandResult } from "@tsmgr/sdk";

const VERSION = "v0";

export default class Hr extends MgrModule {
  static override COMMANDS = [{ cmd: "hr ver", desc: "the code version answering", perm: "r" as const }];
  override async handleCommand(): Promise<HandleCommandResult> {
    return { retval: 0, stdout: VERSION, stderr: "" };
  }
}
