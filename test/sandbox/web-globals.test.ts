// The web-standard globals of a module isolate (issue 18 item 3), checked against Node's own
// implementations on generated corpora (a seeded generator: the same inputs every run) and for
// the behaviour modules rely on.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { webBox, type WebBox } from "./_web.ts";

let box: WebBox;
test.before(async () => {
  box = await webBox();
});
test.after(() => box.dispose());

/** A small seeded PRNG (mulberry32): the corpus is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function urlCorpus(n: number): [string, string | undefined][] {
  const r = rng(7);
  const schemes = [
    "http://",
    "https://",
    "HTTP://",
    "ws://",
    "file://",
    "ftp://",
    "mailto:",
    "data:",
    "foo://",
    "http:",
    "https:/",
    "javascript:",
    "",
  ];
  const hosts = [
    "example.com",
    "EXAMPLE.com",
    "127.0.0.1",
    "0x7f.1",
    "127.1",
    "[::1]",
    "[0:0::1]",
    "[::ffff:1.2.3.4]",
    "xn--nxasmq6b.com",
    "bücher.de",
    "ß.de",
    "a..b",
    "%41.com",
    "user:pw@host",
    "@h",
    "h:65535",
    "h:65536",
    "h:0",
    "h:",
    "1.2.3.4.5",
    "256.1.1.1",
    "",
    " h ",
    "h\t.com",
    "exa mple.com",
    "10.0.0.5:9093",
  ];
  const paths = [
    "",
    "/",
    "/a/b/../c",
    "/./x",
    "/%2e%2e/y",
    "\\a\\b",
    "/ü",
    "/a b",
    "/%zz",
    "//double",
    "/a/./../..",
    "/%00",
    "/~user",
  ];
  const queries = ["", "?", "?a=1&b=2", "?q=ü", "?a b", "?%", "?x='\"<>`"];
  const frags = ["", "#", "#f", "#a b", "#ü", "#`"];
  const bases = [undefined, "http://base.test/dir/file?q#f", "https://[::1]:8443/", "file:///C:/x", "about:blank"];
  const out: [string, string | undefined][] = [];
  for (let i = 0; i < n; i++) {
    const s = pick(r, schemes) + pick(r, hosts) + pick(r, paths) + pick(r, queries) + pick(r, frags);
    out.push([r() < 0.3 ? pick(r, paths) + pick(r, queries) : s, pick(r, bases)]);
  }
  return out;
}

function parseAll(corpus: [string, string | undefined | null][]): string[] {
  return corpus.map(([s, b]) => {
    try {
      const u = new URL(s, b ?? undefined);
      return [u.href, u.origin, u.host, u.pathname, u.search, [...u.searchParams].join(";")].join(" | ");
    } catch (e) {
      return `throws ${(e as Error).name}`;
    }
  });
}

/**
 * Where Node 20's URL (Ada 2.x) departs from the URL Standard, whatwg-url (its reference
 * implementation) is right (relative URLs against an opaque-path base, dot segments in non-special
 * URLs, a space ending an opaque path): those inputs are checked against the standard's answer below.
 */
const nodeDeparts = ([s, b]: [string, string | undefined]) =>
  b === "about:blank" || (/^foo:/i.test(s) && /\.\.|%2e/i.test(s)) || /^(javascript|mailto|data): .* [?#]/i.test(s);

test("URL parses 2,000 generated URLs (relative ones against bases) exactly as Node's URL does", async () => {
  const corpus = urlCorpus(3000)
    .filter((c) => !nodeDeparts(c))
    .slice(0, 2000);
  assert.is(corpus.length, 2000);
  const fn = parseAll.toString();
  const inIsolate = await box.run<string[]>(`${fn}; return parseAll(${JSON.stringify(corpus)});`);
  const node = parseAll(corpus);
  const diff = corpus.map((c, i) => [c, inIsolate[i], node[i]]).filter(([, a, b]) => a !== b);
  assert.equal(
    diff.slice(0, 5),
    [],
    `${diff.length} of ${corpus.length} URLs differ: ${JSON.stringify(diff.slice(0, 5), null, 1)}`,
  );
});

test("URL follows the URL Standard where Node 20 does not: opaque-path bases, dot segments in non-special URLs", async () => {
  const out = await box.run(`
    const r = [];
    try { new URL("/a", "about:blank"); r.push("parsed"); } catch (e) { r.push(e.name); }
    r.push(new URL("foo://h:65535/a/./../..#").href, new URL("#x", "about:blank").href, new URL("javascript: h ?#").href);
    return r;`);
  assert.equal(out, ["TypeError", "foo://h:65535/#", "about:blank#x", "javascript: h%20?#"]);
});

test("URLSearchParams builds, sorts and serializes as Node's does", async () => {
  const code = `const p = new URLSearchParams("b=2&a=1&a=ü&c=%20x+y"); p.append("d", "&="); p.sort(); return [p.toString(), p.getAll("a"), p.has("c"), [...new URLSearchParams({x: "1 2"})]];`;
  const p = new URLSearchParams("b=2&a=1&a=ü&c=%20x+y");
  p.append("d", "&=");
  p.sort();
  assert.equal(await box.run(code), [p.toString(), p.getAll("a"), p.has("c"), [...new URLSearchParams({ x: "1 2" })]]);
});

function stringCorpus(n: number): string[] {
  const r = rng(11);
  const pieces = [
    "a",
    "é",
    "€",
    "😀",
    "\u0000",
    "\ud800",
    "\udfff",
    "\ud83d",
    "\ufeff",
    "\u07ff",
    "\u0800",
    "\uffff",
    "\u{10ffff}",
    "z",
  ];
  return Array.from({ length: n }, () => Array.from({ length: Math.floor(r() * 12) }, () => pick(r, pieces)).join(""));
}

function byteCorpus(n: number): number[][] {
  const r = rng(13);
  const interesting = [
    0x00, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef, 0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff, 0xef,
    0xbb, 0xbf,
  ];
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(r() * 10) }, () => (r() < 0.7 ? pick(r, interesting) : Math.floor(r() * 256))),
  );
}

test("TextEncoder and TextDecoder (replacement, fatal, BOM, streaming) match Node's on 2,000 strings and 2,000 byte sequences", async () => {
  const strings = stringCorpus(2000);
  const bytes = byteCorpus(2000);
  const run = (strs: string[], bs: number[][]) => {
    const enc = strs.map((s) => [...new TextEncoder().encode(s)].join(","));
    const dec = bs.map((b) => {
      const u = new Uint8Array(b);
      let fatal: string;
      try {
        fatal = new TextDecoder("utf-8", { fatal: true }).decode(u);
      } catch (e) {
        fatal = (e as Error).name;
      }
      const d = new TextDecoder("utf-8", { ignoreBOM: b.length % 2 === 0 });
      const streamed = d.decode(u.subarray(0, 3), { stream: true }) + d.decode(u.subarray(3));
      return [new TextDecoder().decode(u), fatal, streamed].join("|");
    });
    return { enc, dec };
  };
  const inIsolate = await box.run<{ enc: string[]; dec: string[] }>(
    `return (${run.toString()})(${JSON.stringify(strings)}, ${JSON.stringify(bytes)});`,
  );
  const node = run(strings, bytes);
  assert.equal(inIsolate.enc.filter((e, i) => e !== node.enc[i]).length, 0, "encode differs");
  const bad = inIsolate.dec.map((d, i) => [bytes[i], d, node.dec[i]]).filter(([, a, b]) => a !== b);
  assert.equal(bad.slice(0, 5), [], `${bad.length} decodes differ`);
});

test("atob and btoa match Node's on generated input, including the errors", async () => {
  const r = rng(17);
  const alphabet = "ABCxyz0189+/= \t\n-_!é";
  const inputs = Array.from({ length: 1000 }, () =>
    Array.from({ length: Math.floor(r() * 14) }, () => pick(r, [...alphabet])).join(""),
  );
  const run = (xs: string[]) =>
    xs.map((x) => {
      const out: string[] = [];
      for (const f of [atob, btoa]) {
        try {
          out.push(f(x));
        } catch (e) {
          out.push(`throws ${(e as Error).name}`);
        }
      }
      return out.join("|");
    });
  assert.equal(await box.run(`return (${run.toString()})(${JSON.stringify(inputs)});`), run(inputs));
});

test("structuredClone keeps cycles, Maps, Sets, Dates, typed arrays and errors, and refuses functions with DataCloneError", async () => {
  const out = await box.run(`
    const o = { d: new Date(5), m: new Map([[1, { x: [1, 2] }]]), s: new Set(["a"]), u: new Uint16Array([1, 65535]), e: new RangeError("r"), re: /a+/gi };
    o.self = o;
    const c = structuredClone(o);
    let refused;
    try { structuredClone({ f() {} }); } catch (e) { refused = e.name; }
    return [c !== o, c.self === c, c.d.getTime(), c.m.get(1).x, [...c.s], [...c.u], c.e instanceof RangeError, c.e.message, c.re.flags, refused];`);
  assert.equal(out, [true, true, 5, [1, 2], ["a"], [1, 65535], true, "r", "gi", "DataCloneError"]);
});

test("crypto.subtle.digest answers what node:crypto does for SHA-1/256/384/512; randomUUID is a v4 UUID", async () => {
  const out = await box.run<Record<string, string>>(`
    const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
    const data = new TextEncoder().encode("tsmgr ü");
    const r = {};
    for (const a of ["SHA-1", "SHA-256", "SHA-384", "SHA-512"]) r[a] = hex(await crypto.subtle.digest(a, data));
    r.uuid = crypto.randomUUID();
    r.random = String(crypto.getRandomValues(new Uint8Array(64)).some((x) => x !== 0));
    try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e) { r.quota = e.name; }
    return r;`);
  for (const [a, n] of [
    ["SHA-1", "sha1"],
    ["SHA-256", "sha256"],
    ["SHA-384", "sha384"],
    ["SHA-512", "sha512"],
  ] as const) {
    assert.is(out[a], createHash(n).update("tsmgr ü").digest("hex"), a);
  }
  assert.match(out.uuid!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is(out.random, "true");
  assert.is(out.quota, "QuotaExceededError");
});

test("AbortSignal.timeout() fires on the host's timers; AbortController, EventTarget and once listeners work", async () => {
  const out = await box.run(`
    const s = AbortSignal.timeout(20);
    await new Promise((r) => s.addEventListener("abort", r));
    const c = new AbortController();
    const seen = [];
    c.signal.addEventListener("abort", () => seen.push("once"), { once: true });
    c.signal.onabort = () => seen.push("on");
    c.abort();
    c.abort();
    const t = new EventTarget();
    t.addEventListener("x", (e) => seen.push(e.type + ":" + (e.target === t)));
    t.dispatchEvent(new Event("x"));
    return [s.aborted, s.reason.name, c.signal.reason.name, seen, AbortSignal.any([c.signal]).aborted];`);
  assert.equal(out, [true, "TimeoutError", "AbortError", ["on", "once", "x:true"], true]);
});

test("Headers refuse CR and LF in values and bad names; Response and Request read their bodies once", async () => {
  const out = await box.run(`
    const errs = [];
    for (const f of [() => new Headers({ a: "x\\r\\nInjected: 1" }), () => new Headers([["bad name", "v"]]), () => new Headers().set("a", "x\\ny")]) {
      try { f(); errs.push("no error"); } catch (e) { errs.push(e.name); }
    }
    const r = Response.json({ a: 1 }, { status: 201 });
    const first = await r.clone().json();
    const text = await r.text();
    let again;
    try { await r.text(); } catch (e) { again = e.name; }
    const q = new Request("http://x.test/a?b", { method: "post", body: new URLSearchParams("a=1") });
    return [errs, first, text, again, r.headers.get("content-type"), q.method, q.headers.get("content-type"), await q.text()];`);
  assert.equal(out, [
    ["TypeError", "TypeError", "TypeError"],
    { a: 1 },
    '{"a":1}',
    "TypeError",
    "application/json",
    "POST",
    "application/x-www-form-urlencoded;charset=UTF-8",
    "a=1",
  ]);
});

test('a Node global is a ReferenceError naming the available globals, while typeof process stays "undefined"', async () => {
  assert.equal(await box.run(`return [typeof process, typeof require, typeof Buffer, typeof setImmediate]`), [
    "undefined",
    "undefined",
    "undefined",
    "undefined",
  ]);
  const err = (await box.run(`return process.env.HOME`).catch((e: Error) => e)) as Error;
  assert.match(
    err.message,
    /^process is not defined: tsmgr modules run in a sandbox .*available globals are URL, URLSearchParams, TextEncoder.*fetch/,
  );
});

test("URL is not loaded until a module touches it: an idle isolate does not carry the whatwg-url bundle", async () => {
  const idle = await webBox();
  try {
    const before = await idle.run<number>(
      `return Object.getOwnPropertyDescriptor(globalThis, "URL").get === undefined ? 1 : 0`,
    );
    assert.is(before, 0, "URL is still the lazy accessor");
    assert.is(await idle.run(`return new URL("http://x.test/").host`), "x.test");
    assert.is(
      await idle.run(`return Object.getOwnPropertyDescriptor(globalThis, "URL").get === undefined ? 1 : 0`),
      1,
      "URL became a plain value",
    );
  } finally {
    idle.dispose();
  }
});

test.run();
