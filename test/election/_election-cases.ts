// What every election backend gives a pair of daemons (runtime/election/types.ts), as one set of
// cases run against each: test/election/election.test.ts (SQLite, one data dir) and
// test/etcd/election.test.ts (etcd, two data dirs as on two machines) call
// `electionCases(test, backend)` with their own pair factory. What only one backend does (SQLite's
// lease row, etcd's fencing tokens and group marker) stays in its own file.
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import { waitFor, type TestDaemon } from "../_util.ts";

export interface ElectionUnderTest {
  /** "sqlite" or "etcd": prefixes each case's name */
  name: string;
  /**
   * Starts daemons a then b, both with the `with_standby` fixture module enabled, in one group.
   * The test file's after.each hook stops them (stopping twice must be harmless).
   */
  pair(leaseMs?: number): Promise<[TestDaemon, TestDaemon]>;
  /** The value of a store key as the backend holds it (read past the daemons), if it can tell. */
  stored?(key: string): Promise<string | undefined>;
}

const json = async (d: TestDaemon, argv: string[]) => JSON.parse((await d.command(argv, { format: "json" })).stdout);

/** Registers the shared election cases on `test` (so the file's own hooks apply). */
export function electionCases(test: Test, backend: ElectionUnderTest): void {
  const named = (what: string) => `${backend.name}: ${what}`;

  test(named("the first daemon becomes active, the second standby; both show Ceph's mgr map fields"), async () => {
    const [a, b] = await backend.pair();
    assert.ok(a.isActive());
    assert.not.ok(b.isActive());
    const map = await waitFor(async () => {
      const m = await json(b, ["status"]);
      return m.standbys.length === 1 ? m : undefined;
    }, "b to list itself as standby");
    assert.is(map.active_name, "a");
    assert.is(map.available, true);
    assert.ok(map.epoch >= 1);
    assert.type(map.active_addr, "string");
    assert.is(map.active_asok, a.asokPath);
    assert.ok(map.active_gid > 0);
    assert.equal(
      map.standbys.map((s: { name: string }) => s.name),
      ["b"],
    );
    assert.equal(map.services, {});
    // the active learns of a new standby on its next renewal: wait for it, then compare
    await waitFor(async () => (await json(a, ["status"])).standbys.length === 1, "a to list b as standby");
    assert.equal(await json(a, ["status"]), map, "both daemons show the same map");
  });

  test(named("a command sent to the standby is answered by the active, and its write is stored"), async () => {
    const [a, b] = await backend.pair();
    assert.match((await b.command(["ws", "who"])).stdout, /^active on a count=1/);
    assert.is((await b.command(["config-key", "set", "via", "standby"])).retval, 0);
    assert.is((await b.command(["config-key", "get", "via"])).stdout, "standby");
    assert.is((await a.command(["config-key", "get", "via"])).stdout, "standby");
    if (backend.stored) assert.is(await backend.stored("via"), "standby");
  });

  test(
    named("mgr fail hands over: the standby becomes active with the stored state; the failed one rejoins as standby"),
    async () => {
      const [a, b] = await backend.pair();
      assert.match((await a.command(["ws", "who"])).stdout, /count=1/);
      const epoch = (await json(a, ["status"])).epoch;
      assert.match((await a.command(["mgr", "fail"])).stdout, /failed mgr\.a/);
      await waitFor(() => b.isActive(), "b to become active", 3000);
      await waitFor(
        async () => /^active on b count=2/.test((await a.command(["ws", "who"])).stdout),
        "b's module, started with the stored count",
      );
      assert.not.ok(a.isActive());
      assert.is(a.modules().find((m) => m.name === "with_standby")!.state, "standby");
      const map = await waitFor(async () => {
        const m = await json(a, ["status"]);
        return m.active_name === "b" && m.standbys.some((s: { name: string }) => s.name === "a") ? m : undefined;
      }, "a listed as standby of b");
      assert.ok(map.epoch > epoch, `epoch grew: ${epoch} → ${map.epoch}`);
    },
  );

  test(named("mgr fail sent to the standby reaches the active"), async () => {
    const [a, b] = await backend.pair();
    assert.match((await b.command(["mgr", "fail"])).stdout, /failed mgr\.a/);
    await waitFor(() => b.isActive() && !a.isActive(), "b to take over", 3000);
  });

  test(named("stopping the active hands over at once, without waiting for its lease to expire"), async () => {
    const [a, b] = await backend.pair(3000);
    const t0 = Date.now();
    await a.stop();
    await waitFor(() => b.isActive(), "b to take over", 3000);
    assert.ok(Date.now() - t0 < 2000, "the lease was released, not left to expire (3 s)");
  });
}
