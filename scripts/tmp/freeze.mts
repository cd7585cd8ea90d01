import ivm from "isolated-vm";
import { createSimCluster } from "/work/main/runtime/cluster/index.ts";
import { readFileSync } from "node:fs";
const c = createSimCluster({ hosts: 50, osdsPerHost: 20, tickMs: 0 } as any);
await (c as any).start?.();
const text = c.getJson("osd_map")!;
console.log("bytes", text.length);
const iso = new ivm.Isolate({ memoryLimit: 512 });
const ctx = await iso.createContext();
const prelude = readFileSync("/work/main/runtime/sandbox/prelude.js", "utf8");
const fz = prelude.slice(prelude.indexOf("  function freezeTree"), prelude.indexOf("  function deepFreeze"));
await ctx.eval(`const freeze=Object.freeze, ArrayIsArray=Array.isArray, objectKeys=Object.keys; ${fz}
globalThis.t = (s, mode) => { const t0 = Date.now(); let o; for (let i = 0; i < 20; i++) { o = JSON.parse(s); if (mode === 1) freezeTree(o); if (mode === 2) freezeTree2(o); if (mode === 3) freezeTree3(o); if (mode === 4) freezeTree4(o);} return (Date.now() - t0) / 20; };
function freezeTree2(o) { const stack = [o]; while (stack.length) { const x = stack.pop(); freeze(x); if (ArrayIsArray(x)) { for (let i = 0; i < x.length; i++) { const y = x[i]; if (typeof y === "object" && y !== null) stack.push(y); } } else { for (const k in x) { const y = x[k]; if (typeof y === "object" && y !== null) stack.push(y); } } } }
function freezeTree3(o) { const stack = [o]; while (stack.length) { const x = stack.pop(); freeze(x); if (ArrayIsArray(x)) { for (let i = 0; i < x.length; i++) { const y = x[i]; if (typeof y === "object" && y !== null) stack.push(y); } } else { const ks = objectKeys(x); for (let i = 0; i < ks.length; i++) { const y = x[ks[i]]; if (typeof y === "object" && y !== null) stack.push(y); } } } }
function freezeTree4(o) { if (ArrayIsArray(o)) { for (let i = 0; i < o.length; i++) { const y = o[i]; if (typeof y === "object" && y !== null) freezeTree4(y); } } else { for (const k in o) { const y = o[k]; if (typeof y === "object" && y !== null) freezeTree4(y); } } freeze(o); }
`);
const f = await ctx.global.get("t");
for (const mode of [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]) console.log(["parse", "parse+freeze", "parse+freeze2 stack forin", "stack keys", "rec forin, freeze after"][mode], await f.apply(undefined, [text, mode]));
await ctx.eval(`globalThis.p = (s) => { const t0 = Date.now(); for (let i = 0; i < 20; i++) JSON.parse(s); return (Date.now() - t0) / 20; }; globalThis.keep = (s) => { globalThis.kept = s; }; globalThis.pk = () => p(kept);`);
const p = await ctx.global.get("p");
const ec = new ivm.ExternalCopy(text);
for (let k = 0; k < 4; k++) {
  console.log("string arg", await p.apply(undefined, [text]));
  console.log("externalcopy arg", await p.apply(undefined, [ec.copyInto()]));
}
const buf = Buffer.from(text, "latin1");
const ab = new ivm.ExternalCopy(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
await ctx.eval(`globalThis.pb = (b) => { const t0 = Date.now(); let s; for (let i = 0; i < 20; i++) { s = new TextDecoder().decode(new Uint8Array(b)); } const t1 = Date.now(); for (let i = 0; i < 20; i++) JSON.parse(s); return [(t1 - t0) / 20, (Date.now() - t1) / 20]; };`).catch(e => console.log("no TextDecoder", e.message));
process.exit(0);
