// A module isolate for the web-globals tests: its handleCommand evaluates the JavaScript it is
// given (as an async function body) and answers the result as JSON, so each test states what a
// module does in a line. fetch() goes through a real ModuleFetcher with the grants given.
import { buildHostTable, ModuleFetcher, type FetchLimits, type ModuleContext } from "../../runtime/api/index.ts";
import type { Resolver } from "../../runtime/api/fetch-policy.ts";
import { ModuleSandbox } from "../../runtime/sandbox/index.ts";

const CODE = `var __tsmgr_module = { default: class {
  async handleCommand(inbuf, cmd) {
    const f = (0, eval)("(async () => {" + cmd.code + "\\n})");
    return [0, JSON.stringify(await f()), ""];
  }
} };`;

export interface WebBox {
  run<T = unknown>(code: string): Promise<T>;
  sandbox: ModuleSandbox;
  fetcher: ModuleFetcher;
  dispose(): void;
}

export async function webBox(
  o: {
    grants?: string[];
    limits?: Partial<FetchLimits>;
    resolve?: Resolver;
    role?: "active" | "standby";
    memoryMb?: number;
  } = {},
): Promise<WebBox> {
  const limits = { maxFetchBytes: 8 << 20, fetchTimeoutMs: 5000, maxConcurrentFetches: 8, ...o.limits };
  const fetcher = new ModuleFetcher("web", o.grants ?? [], limits, o.resolve);
  const role = o.role ?? "active";
  const ctx = {
    name: "web",
    role,
    mgrId: "t",
    mgrIp: "127.0.0.1",
    phase: () => "running",
    log: () => {},
    fetch: (h: string, b: string) => fetcher.fetch(h, b),
    fetchAbort: (id: unknown) => fetcher.abort(id),
  } as unknown as ModuleContext;
  const host = buildHostTable(ctx);
  const sandbox = await ModuleSandbox.create({
    name: "web",
    role: "active",
    bundle: { code: CODE } as never,
    displayPath: (s) => s,
    memoryMb: o.memoryMb ?? 64,
    callTimeoutMs: 5000,
    maxTimers: 100,
    host,
    onFatal: () => {},
    onTimerError: () => {},
  });
  await sandbox.construct("active");
  return {
    sandbox,
    fetcher,
    async run<T>(code: string): Promise<T> {
      const out = (await sandbox.call("handleCommand", ["", { code }], 10_000)) as string;
      const [, stdout] = JSON.parse(out) as [number, string];
      return (stdout === undefined ? undefined : JSON.parse(stdout)) as T;
    },
    dispose: () => sandbox.dispose(),
  };
}
