// Ways a cluster snapshot can enter a module's isolate, measured side by side on the same data:
// the JSON text copied in as a string argument then JSON.parse + deep freeze (today's get()), the
// text as one shared ExternalCopy (made once per version, copied in by the isolate's thread),
// the host-parsed object as an ExternalCopy (V8 structured clone), and JSON.parse without the
// freeze (what a lazily frozen view would save at most). Real isolates, real sim renders.
// Run alone: node --no-node-snapshot --import tsx scripts/bench/snapshot-transfer.ts
import ivm from "isolated-vm";
import { loadavg } from "node:os";
import { SimCluster } from "../../runtime/cluster/sim/index.ts";
import { median, say } from "./lib.ts";

const FREEZE = `function freezeTree(o){Object.freeze(o);if(Array.isArray(o)){for(let i=0;i<o.length;i++){const x=o[i];if(typeof x==="object"&&x!==null)freezeTree(x);}return;}const ks=Object.keys(o);for(let i=0;i<ks.length;i++){const x=o[ks[i]];if(typeof x==="object"&&x!==null)freezeTree(x);}}`;

const ISOLATE_SRC = `${FREEZE}
globalThis.viaString = (s) => { const v = JSON.parse(s); freezeTree(v); globalThis.keep = v; return 0; };
globalThis.viaStringNoFreeze = (s) => { globalThis.keep = JSON.parse(s); return 0; };
globalThis.viaCopyText = (s) => { const v = JSON.parse(s); freezeTree(v); globalThis.keep = v; return 0; };
globalThis.viaCopyObject = (o) => { freezeTree(o); globalThis.keep = o; return 0; };
`;

export interface TransferCosts {
  bytes: number;
  stringParseFreezeMs: number;
  stringParseOnlyMs: number;
  externalTextMs: number;
  externalObjectMs: number;
  hostParseMs: number;
}

/** Median wall time of `fn` over `n` runs (the isolate does the work; the host waits). */
async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

export async function measureTransfer(json: string, runs: number): Promise<TransferCosts> {
  const iso = new ivm.Isolate({ memoryLimit: 1024 });
  try {
    const ctx = await iso.createContext();
    await ctx.eval(ISOLATE_SRC);
    const g = ctx.global;
    const f = async (name: string) =>
      (await g.get(name, { reference: true })) as ivm.Reference<(...a: unknown[]) => number>;
    const [s, sn, ct, co] = await Promise.all([
      f("viaString"),
      f("viaStringNoFreeze"),
      f("viaCopyText"),
      f("viaCopyObject"),
    ]);
    const opts = { result: { copy: true } } as const;
    const stringParseFreezeMs = await timeIt(runs, () => s.apply(undefined, [json], opts));
    const stringParseOnlyMs = await timeIt(runs, () => sn.apply(undefined, [json], opts));
    const text = new ivm.ExternalCopy(json);
    const externalTextMs = await timeIt(runs, () => ct.apply(undefined, [text.copyInto()], opts));
    text.release();
    const t0 = performance.now();
    const parsed = JSON.parse(json) as unknown;
    const hostParseMs = performance.now() - t0;
    const obj = new ivm.ExternalCopy(parsed);
    const externalObjectMs = await timeIt(runs, () => co.apply(undefined, [obj.copyInto()], opts));
    obj.release();
    return {
      bytes: Buffer.byteLength(json),
      stringParseFreezeMs,
      stringParseOnlyMs,
      externalTextMs,
      externalObjectMs,
      hostParseMs,
    };
  } finally {
    iso.dispose();
  }
}

const CASES: [label: string, hosts: number, per: number, name: string, runs: number][] = [
  ["osd_map 1,000 OSDs", 50, 20, "osd_map", 15],
  ["osd_map 10,000 OSDs", 500, 20, "osd_map", 7],
  ["pg_dump 2,048 PGs", 16, 4, "pg_dump", 9],
];

async function main(): Promise<void> {
  say(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (const [label, hosts, per, name, runs] of CASES) {
    const json = new SimCluster({ hosts, osdsPerHost: per, tickMs: 0 }).getJson(name)!;
    const c = await measureTransfer(json, runs);
    say(
      `${label} (${(c.bytes / 1024).toFixed(0)} KiB): string+parse+freeze ${c.stringParseFreezeMs.toFixed(2)} ms | string+parse ${c.stringParseOnlyMs.toFixed(2)} ms | ExternalCopy(text)+parse+freeze ${c.externalTextMs.toFixed(2)} ms | ExternalCopy(object)+freeze ${c.externalObjectMs.toFixed(2)} ms (host parse once ${c.hostParseMs.toFixed(2)} ms)`,
    );
  }
  say(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
