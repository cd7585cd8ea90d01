// The "did you mean" helper shared by load and config errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { closest, didYouMean, editDistance } from "../../runtime/suggest.ts";

test("editDistance() counts insertions, deletions, substitutions and neighbour swaps as one edit each", () => {
  assert.is(editDistance("osd_map", "osd_map"), 0);
  assert.is(editDistance("osd_mapp", "osd_map"), 1);
  assert.is(editDistance("helo", "hello"), 1);
  assert.is(editDistance("defualt", "default"), 1);
  assert.is(editDistance("kitten", "sitting"), 3);
  assert.is(editDistance("", "abc"), 3);
});

test("closest() suggests a near word, ignoring case, and nothing for a far one", () => {
  assert.is(closest("helo", ["dashboard", "hello", "prometheus"]), "hello");
  assert.is(closest("OSD_MAP", ["osd_map", "mon_map"]), "osd_map");
  assert.is(closest("prometeus", ["dashboard", "hello", "prometheus"]), "prometheus");
  assert.is(closest("xyz", ["dashboard", "hello"]), undefined);
  assert.is(closest("ab", ["xy"]), undefined);
});

test("didYouMean() is a phrase for the middle of a message, or empty", () => {
  assert.is(didYouMean("prem", ["cmd", "desc", "perm"]), ' (did you mean "perm"?)');
  assert.is(didYouMean("zzzz", ["cmd", "desc", "perm"]), "");
});

test.run();
