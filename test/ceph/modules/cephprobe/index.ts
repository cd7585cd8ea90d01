// A module for the real-Ceph tests: reads get() names, watches notifies and sends commands the
// way a module author would, and answers with what it saw as JSON.
import { MgrModule, type CommandArgs, type HandleCommandResult, type NotifyType } from "@tsmgr/sdk";

interface OsdMap {
  epoch: number;
  osds: { osd: number; in: number; up: number }[];
}

const ok = (v: unknown): HandleCommandResult => ({ retval: 0, stdout: JSON.stringify(v), stderr: "" });

export default class CephProbe extends MgrModule {
  static NOTIFY_TYPES: NotifyType[] = ["osd_map"];
  static COMMANDS = [
    { cmd: "cephprobe get name=what,type=CephString", desc: "get(what) as JSON", perm: "r" as const },
    { cmd: "cephprobe mon", desc: "haveMonConnection()", perm: "r" as const },
    {
      cmd: "cephprobe send name=cmd,type=CephString",
      desc: "sendCommand(JSON cmd): retval/stdout/stderr, or the error's name",
      perm: "rw" as const,
    },
    {
      cmd: "cephprobe out name=id,type=CephInt",
      desc: "osd out ID, then the next osd_map after it",
      perm: "rw" as const,
    },
    // an isolate has no high-resolution clock: the host times these loops (see test/ceph/bench.ts)
    {
      cmd: "cephprobe loop name=what,type=CephString name=n,type=CephInt",
      desc: "get(what) n times",
      perm: "r" as const,
    },
    {
      cmd: "cephprobe loopcmd name=n,type=CephInt",
      desc: "sendCommand('osd pool ls') n times, one after the other",
      perm: "r" as const,
    },
  ];

  #osdMapNotifies = 0;

  notify(type: string): void {
    if (type === "osd_map") this.#osdMapNotifies += 1;
  }

  async handleCommand(
    _inbuf: string,
    cmd: CommandArgs & { what?: string; cmd?: string; id?: number; n?: number },
  ): Promise<HandleCommandResult> {
    switch (cmd.prefix) {
      case "cephprobe get":
        return { retval: 0, stdout: JSON.stringify(this.get(cmd.what!)), stderr: "" };
      case "cephprobe mon":
        return ok(this.haveMonConnection());
      case "cephprobe send":
        try {
          return ok(await this.sendCommand(JSON.parse(cmd.cmd!)));
        } catch (e) {
          return ok({ error: (e as Error).name, message: (e as Error).message });
        }
      case "cephprobe out":
        return ok(await this.#out(cmd.id!));
      case "cephprobe loop": {
        let size = 0;
        for (let i = 0; i < cmd.n!; i++) size += this.get(cmd.what!) ? 1 : 0;
        return ok(size);
      }
      case "cephprobe loopcmd": {
        let failed = 0;
        for (let i = 0; i < cmd.n!; i++)
          failed += (await this.sendCommand({ prefix: "osd pool ls", format: "json" })).retval === 0 ? 0 : 1;
        return ok(failed);
      }
    }
    return { retval: -22, stdout: "", stderr: `unknown command ${cmd.prefix}` };
  }

  /** Sends `osd out`, then waits for the osd_map notify that follows and reads that map. */
  async #out(id: number) {
    const before = this.get<OsdMap>("osd_map").epoch;
    const seen = this.#osdMapNotifies;
    const r = await this.sendCommand({ prefix: "osd out", ids: [String(id)] });
    // up to 30 s: the notify is what is waited for, the deadline only bounds a failing run
    for (let i = 0; i < 1200 && this.#osdMapNotifies === seen; i++) await this.sleep(25);
    const map = this.get<OsdMap>("osd_map");
    return {
      r,
      before,
      notified: this.#osdMapNotifies > seen,
      epoch: map.epoch,
      in: map.osds.find((o) => o.osd === id)?.in,
    };
  }
}
