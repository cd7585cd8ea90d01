// bench: the module the benchmark drives. Every command does a fixed amount of work inside the
// isolate and returns a tiny answer, so the host can time it from outside (an isolate has no
// high-resolution clock): cost of N operations = time(n=N) - time(n=0), measured by the host.
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";

const ok = (stdout: string): HandleCommandResult => ({ retval: 0, stdout, stderr: "" });

export default class Bench extends MgrModule {
  #seq = 0;

  static override COMMANDS = [
    { cmd: "bench ping", desc: "a constant answer (command round trip)", perm: "r" as const },
    { cmd: "bench id", desc: "the id of the daemon answering (failover)", perm: "r" as const },
    {
      cmd: "bench get name=what,type=CephString name=n,type=CephInt",
      desc: "call get(WHAT) N times",
      perm: "r" as const,
    },
    {
      cmd: "bench storeset name=n,type=CephInt name=par,type=CephInt,req=false",
      desc: "N durable setStore calls, PAR writers at once",
      perm: "w" as const,
    },
    { cmd: "bench storeget name=n,type=CephInt", desc: "N getStore calls", perm: "r" as const },
    {
      cmd: "bench hostcall name=n,type=CephInt",
      desc: "N sync host calls (getMgrIp: getMgrId is now answered in the isolate)",
      perm: "r" as const,
    },
    {
      cmd: "bench churn name=mb,type=CephInt",
      desc: "allocate ~MB MiB of short-lived garbage (makes the isolate collect)",
      perm: "r" as const,
    },
  ];

  override async handleCommand(_inbuf: string, cmd: CommandArgs): Promise<HandleCommandResult> {
    switch (cmd.prefix) {
      case "bench ping":
        return ok("pong");
      case "bench id":
        return ok(this.getMgrId());
      case "bench get": {
        const what = String(cmd.what);
        const n = Number(cmd.n);
        let v: unknown = undefined;
        for (let i = 0; i < n; i++) v = this.get(what);
        return ok(n === 0 ? "" : v === null ? "null" : typeof v);
      }
      case "bench storeset": {
        const n = Number(cmd.n);
        const par = Math.max(1, Number(cmd.par ?? 1));
        const value = "x".repeat(100);
        const writer = async (w: number) => {
          for (let i = w; i < n; i += par) await this.setStore(`w${w}`, `${this.#seq++}:${value}`);
        };
        const all: Promise<void>[] = [];
        for (let w = 0; w < par; w++) all.push(writer(w));
        await Promise.all(all);
        return ok(String(n));
      }
      case "bench storeget": {
        const n = Number(cmd.n);
        let v: string | undefined;
        for (let i = 0; i < n; i++) v = this.getStore("w0");
        return ok(n === 0 ? "" : String(v?.length ?? -1));
      }
      case "bench hostcall": {
        const n = Number(cmd.n);
        let id = "";
        for (let i = 0; i < n; i++) id = this.getMgrIp();
        return ok(id);
      }
      case "bench churn": {
        // held until the command returns, so it reaches the old generation and a full GC follows
        const held: number[][] = [];
        for (let i = 0; i < Number(cmd.mb) * 16; i++) held.push(new Array(8192).fill(i)); // 64 KiB each
        return ok(String(held.length));
      }
      default:
        return { retval: -22, stdout: "", stderr: `unknown command ${cmd.prefix}` };
    }
  }
}
