// formatUsage(): one-line usages as `ceph` prints them (ceph_argparse's helpstr).

import { test } from "uvu";
import * as assert from "uvu/assert";
import { argUsage, formatUsage, loadCorpus, parseSignature } from "../../runtime/commands/index.ts";

function usageOf(descriptor: string): string {
  return formatUsage(parseSignature(descriptor));
}

test("formatUsage() brackets optional arguments and types ints and floats", () => {
  assert.is(
    usageOf(
      "osd pool create name=pool,type=CephPoolname name=pg_num,type=CephInt,range=0,req=false name=ratio,type=CephFloat,req=false",
    ),
    "osd pool create <pool> [<pg_num:int>] [<ratio:float>]",
  );
});

test("formatUsage() shows choices, repeats, OSD ids, daemon names and flags as ceph does", () => {
  assert.is(
    usageOf("osd tree name=states,type=CephChoices,strings=up|down,n=N,req=false"),
    "osd tree [<states:up|down>...]",
  );
  assert.is(usageOf("osd out name=ids,type=CephString,n=N"), "osd out <ids>...");
  assert.is(
    usageOf("osd reweight name=id,type=CephOsdName name=weight,type=CephFloat"),
    "osd reweight <id|osd.id> <weight:float>",
  );
  assert.is(usageOf("tell name=target,type=CephName name=args,type=CephString,n=N"), "tell <type.id> <args>...");
  assert.is(
    usageOf("osd pool rm name=pool,type=CephPoolname name=yes_i_really_mean_it,type=CephBool,req=false"),
    "osd pool rm <pool> [--yes-i-really-mean-it]",
  );
  assert.is(
    usageOf("osd pool ls name=format,type=CephChoices,strings=json|plain,req=false"),
    "osd pool ls [--format {json|plain}]",
  );
});

test("formatUsage() shows keyword-only arguments in their --name form", () => {
  assert.is(
    usageOf(
      "fs ls name=count,type=CephInt,req=false,positional=false name=fmt,type=CephChoices,strings=json|plain,req=false,positional=false name=who,type=CephOsdName,req=false,positional=false name=x,type=CephString,req=false,positional=false",
    ),
    "fs ls [--count <int>] [--fmt {json|plain}] [--who <id|osd.id>] [--x <value>]",
  );
});

test("argUsage() describes one argument the way error messages quote it", () => {
  assert.is(argUsage(parseSignature("x name=pg_num,type=CephInt,req=false").args[0]!), "[<pg_num:int>]");
});

test("formatUsage() prints the real osd pool create of Ceph 16.2.15", () => {
  const create = loadCorpus("mon").find((e) => e.signature.prefix.join(" ") === "osd pool create")!;
  assert.is(
    formatUsage(create.signature),
    "osd pool create <pool> [<pg_num:int>] [<pgp_num:int>] [<pool_type:replicated|erasure>] [<erasure_code_profile>] [<rule>] " +
      "[<expected_num_objects:int>] [<size:int>] [<pg_num_min:int>] [<pg_num_max:int>] [<autoscale_mode:on|off|warn>] [--bulk] " +
      "[<target_size_bytes:int>] [<target_size_ratio:float>]",
  );
});

test("formatUsage() gives a usage for every corpus command that starts with its words", () => {
  for (const name of ["mon", "mgr", "osd0"] as const) {
    for (const { signature } of loadCorpus(name))
      assert.ok(formatUsage(signature).startsWith(signature.prefix.join(" ")));
  }
});

test.run();
