// parseSignature() and signatureToJson(): both descriptor forms, every type, and every way a
// descriptor can be malformed.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { CEPH_TYPES, parseSignature, signatureToJson, type JsonSig } from "../../runtime/commands/index.ts";
import { fixture } from "./_fixtures.ts";

test("parseSignature() reads literal words and arguments from the string form", () => {
  const sig = parseSignature("osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false");
  assert.equal(sig.prefix, ["osd", "pool", "create"]);
  assert.equal(sig.args, [
    { name: "pool", type: "CephPoolname", req: true, repeat: false, n: 1, positional: true },
    { name: "pg_num", type: "CephInt", req: false, repeat: false, n: 1, positional: true, range: { min: 0 } },
  ]);
  assert.is(sig.text, "osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false");
});

test("parseSignature() gives the same Signature for the string and the JSON form", () => {
  const fromString = parseSignature(
    "osd tree name=epoch,type=CephInt,range=0,req=false name=states,type=CephChoices,strings=up|down|in|out|destroyed,n=N,req=false",
  );
  const fromJson = parseSignature({
    sig: [
      "osd",
      "tree",
      { name: "epoch", range: "0", req: "false", type: "CephInt" },
      { n: "N", name: "states", req: "false", strings: "up|down|in|out|destroyed", type: "CephChoices" },
    ],
  });
  assert.equal(fromJson, fromString);
});

test("parseSignature() takes a bare JSON sig array and typed JSON values", () => {
  const sig = parseSignature(["x", { name: "a", type: "CephInt", req: false, n: 2, range: 5 }]);
  assert.equal(sig.args[0], {
    name: "a",
    type: "CephInt",
    req: false,
    repeat: false,
    n: 2,
    positional: true,
    range: { min: 5 },
  });
});

test("parseSignature() reads every field: n=N, n=<count>, range min|max, strings, goodchars, positional=false", () => {
  const sig = parseSignature(
    "t name=a,type=CephString,n=N,goodchars=[a-z] name=b,type=CephFloat,range=0.5|2,n=3,req=false " +
      "name=c,type=CephChoices,strings=x|y name=d,type=CephBool,req=false,positional=false name=e,type=CephSizeBytes,default_unit=kb",
  );
  const [a, b, c, d, e] = sig.args;
  assert.equal([a!.repeat, a!.goodchars], [true, "[a-z]"]);
  assert.equal([b!.n, b!.range, b!.req], [3, { min: 0.5, max: 2 }, false]);
  assert.equal(c!.strings, ["x", "y"]);
  assert.equal([d!.positional, d!.req], [false, false]);
  assert.is(e!.defaultUnit, "KB");
});

test("parseSignature() accepts every ceph_argparse type", () => {
  for (const type of CEPH_TYPES) {
    if (type === "CephPrefix") continue;
    const extra = type === "CephChoices" ? ",strings=a|b" : "";
    const sig = parseSignature(`check name=v,type=${type}${extra}`);
    assert.is(sig.args[0]!.type, type, type);
  }
});

test("parseSignature() reads a CephPrefix argument as a literal word", () => {
  const sig = parseSignature({ sig: ["pg", { name: "prefix", type: "CephPrefix", prefix: "dump" }] });
  assert.equal(sig.prefix, ["pg", "dump"]);
  assert.equal(sig.args, []);
  assert.is(sig.text, "pg dump");
});

test("parseSignature() reads JSON req as ceph_argparse does: only true/True mean required", () => {
  // the real mon corpus has req=fasle (cmd528) and req=False
  const sig = parseSignature({
    sig: ["x", { name: "a", type: "CephString", req: "fasle" }, { name: "b", type: "CephString", req: "True" }],
  });
  assert.equal(
    sig.args.map((a) => a.req),
    [false, true],
  );
});

test("parseSignature() accepts a required keyword-only argument (Ceph never enforces req=false there)", () => {
  const sig = parseSignature("x name=a,type=CephString,positional=false");
  assert.equal([sig.args[0]!.req, sig.args[0]!.positional], [true, false]);
});

test("parseSignature() accepts the argdesc strings CLICommand's to_argdesc produces", () => {
  // shared/reference/ceph-mgr-api.md 3.5 case 16, with the name the decorator prepends
  const sig = parseSignature(
    "x name=a,req=false,type=CephString name=b,positional=false,type=CephString name=c,strings=one|two,type=CephChoices",
  );
  assert.equal(
    sig.args.map((a) => [a.type, a.req, a.positional]),
    [
      ["CephString", false, true],
      ["CephString", true, false],
      ["CephChoices", true, true],
    ],
  );
  assert.equal(sig.args[2]!.strings, ["one", "two"]);
});

test("Signature.text is canonical: parsing it again gives an equal Signature", () => {
  const sig = parseSignature("x   name=r,req=false,range=0.0|1.0,type=CephFloat  name=s,n=N,type=CephString");
  assert.is(sig.text, "x name=r,type=CephFloat,range=0.0|1.0,req=false name=s,type=CephString,n=N");
  assert.equal(parseSignature(sig.text), sig);
});

test("signatureToJson() writes Ceph's JSON form with sorted keys and string values", () => {
  const sig = parseSignature("osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false");
  const json = signatureToJson(sig);
  assert.equal(json, {
    sig: [
      "osd",
      "pool",
      "create",
      { name: "pool", type: "CephPoolname" },
      { name: "pg_num", range: "0", req: "false", type: "CephInt" },
    ],
  });
  assert.is(JSON.stringify(json.sig[4]), '{"name":"pg_num","range":"0","req":"false","type":"CephInt"}');
  assert.equal(parseSignature(json), sig);
});

interface BadCase {
  why: string;
  descriptor: string | JsonSig;
  mentions: string[];
}

for (const { why, descriptor, mentions } of fixture<{ cases: BadCase[] }>("bad-descriptors.json").cases) {
  test(`parseSignature() throws a SyntaxError for ${why}`, () => {
    let error: unknown;
    try {
      parseSignature(descriptor);
    } catch (err) {
      error = err;
    }
    assert.instance(error, SyntaxError);
    const message = (error as SyntaxError).message;
    const quoted =
      typeof descriptor === "string" ? JSON.stringify(descriptor) : JSON.stringify(descriptor.sig).slice(0, 40);
    assert.ok(message.includes(quoted), `message quotes the descriptor: ${message}`);
    for (const m of mentions) assert.ok(message.includes(m), `message mentions ${m}: ${message}`);
  });
}

test("parseSignature() throws a TypeError for something that is no descriptor at all", () => {
  assert.throws(
    () => parseSignature(42 as unknown as string),
    (err: unknown) => err instanceof TypeError && /42/.test((err as Error).message),
  );
});

test.run();
