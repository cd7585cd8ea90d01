// The progress module (Ceph Pacific's, ported) on the simulated cluster: its commands' answers,
// events from remote("progress", ...) as Ceph's modules publish them, bad arguments refused,
// and the recovery event it makes itself when an OSD is marked out.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cleanup, tempDir, waitFor, type TestDaemon } from "../_util.ts";
import { progressCall, setOption, startPorted } from "./_ported.ts";

const test = suite("progress module");
let dir = "";
let d: TestDaemon | undefined;

test.before.each(async () => {
  dir = tempDir();
  d = await startPorted(dir);
});
test.after.each(async () => {
  await d?.stop();
  cleanup(dir);
});

const json = async () =>
  JSON.parse((await d!.command(["progress", "json"])).stdout) as { events: any[]; completed: any[] };

test("progress on a cluster with no events says 'Nothing in progress' and progress json lists none", async () => {
  const r = await d!.command(["progress"]);
  assert.equal([r.retval, r.stdout, r.stderr], [0, "", "Nothing in progress"]);
  const j = await d!.command(["progress", "json"]);
  assert.is(j.stdout, '{\n    "completed": [],\n    "events": []\n}');
});

test("remote update() makes an event with Ceph's fields, shown in tsmgr status; complete() keeps its ghost", async () => {
  assert.equal(await progressCall(d!, "update", "ev-1", "Rebuilding things", 0.25, [["pool", 2]]), { value: null });
  const { events } = await json();
  assert.equal(Object.keys(events[0]).sort(), [
    "duration",
    "id",
    "message",
    "progress",
    "refs",
    "started_at",
    "time_remaining",
  ]);
  assert.equal(
    [events[0].id, events[0].message, events[0].progress, events[0].refs],
    ["ev-1", "Rebuilding things", 0.25, [["pool", 2]]],
  );
  assert.match(events[0].duration, /^\(\d+s\)$/);
  const text = (await d!.command(["progress", "json"])).stdout;
  assert.match(text, /"started_at": \d+\.\d+/); // a float, as Python's time.time()
  const status = JSON.parse((await d!.command(["status"], { format: "json" })).stdout);
  assert.ok(
    JSON.stringify(status.progress_events).includes("Rebuilding things"),
    JSON.stringify(status.progress_events),
  );
  const plain = (await d!.command(["progress"])).stdout;
  assert.match(plain, /^Rebuilding things \(\d+s\)\n    \[=======\.{21}\] (\(remaining: \d+s\))?\n$/); // no remaining time while it rounds to 0 s, as Ceph

  await progressCall(d!, "complete", "ev-1");
  const after = await json();
  assert.equal(after.events, []);
  assert.equal(Object.keys(after.completed[0]).sort(), [
    "add_to_ceph_s:",
    "finished_at",
    "id",
    "message",
    "refs",
    "started_at",
  ]);
  assert.match((await d!.command(["progress", "json"])).stdout, /"progress": 1\.0|"finished_at": \d+\.\d+/);
  assert.match((await d!.command(["progress"])).stdout, /^\n\[Complete\]: Rebuilding things \(\d+s\)\n    \[=+\] \n$/);
});

test("remote fail() completes the event as failed with its message", async () => {
  await progressCall(d!, "update", "ev-2", "Doomed", 0.5);
  await progressCall(d!, "fail", "ev-2", "disk on fire");
  const { completed } = await json();
  assert.is(completed[0].failed, true);
  assert.is(completed[0].failure_message, "disk on fire");
  assert.match((await d!.command(["progress"])).stdout, /\[Failed\]: Doomed/);
});

test("remote update() with bad arguments is refused with TypeError or RangeError and makes no event", async () => {
  const cases: [unknown[], string, RegExp][] = [
    [[42, "m", 0.5], "TypeError", /ev_id must be a non-empty string/],
    [["e", 7, 0.5], "TypeError", /ev_msg must be a string/],
    [["e", "m", "half"], "TypeError", /ev_progress must be a number/],
    [["e", "m", 1.5], "RangeError", /ev_progress must be from 0 to 1, got 1.5/],
    [["e", "m", 0.5, "pool"], "TypeError", /refs must be a list of \[type, id\] pairs/],
    [["e", "m", 0.5, [["pool"]]], "TypeError", /refs must be a list/],
    [["e", "m", 0.5, [], "yes"], "TypeError", /add_to_ceph_s must be a boolean/],
    [["x".repeat(300), "m", 0.5], "RangeError", /at most 256 bytes/],
  ];
  for (const [args, name, message] of cases) {
    const r = await progressCall(d!, "update", ...args);
    assert.is(r.error?.name, name, JSON.stringify(args));
    assert.match(r.error!.message, message);
  }
  assert.equal(await json(), { events: [], completed: [] });
  assert.is((await progressCall(d!, "complete", 5)).error?.name, "TypeError");
  assert.equal(await progressCall(d!, "complete", "never-made"), { value: null }); // Ceph logs it and goes on
  assert.is((await progressCall(d!, "clear")).error?.name, "PermissionDenied"); // not in EXPORTS
});

test("progress off clears and ignores updates, progress on resumes, with Ceph's messages", async () => {
  await progressCall(d!, "update", "ev-3", "Something", 0.1);
  assert.is((await d!.command(["progress", "off"])).stderr, "progress disabled");
  assert.is((await d!.command(["progress", "off"])).stderr, "progress already disabled!");
  assert.equal(await json(), { events: [], completed: [] });
  await progressCall(d!, "update", "ev-4", "Ignored", 0.1);
  assert.equal((await json()).events, []);
  assert.is((await d!.command(["progress", "on"])).stderr, "progress enabled");
  assert.is((await d!.command(["progress", "on"])).stderr, "progress already enabled!");
  await progressCall(d!, "update", "ev-5", "Counted", 0.1);
  assert.is((await json()).events.length, 1);
  assert.equal(await d!.command(["progress", "clear"]), { retval: 0, stdout: "", stderr: "" });
  assert.equal(await json(), { events: [], completed: [] });
});

test("an OSD marked out makes a 'Rebalancing after osd.N marked out' event on the PGs it held", async () => {
  await setOption(d!, "progress", "sleep_interval", "1");
  const sim = d!.cluster as unknown as { osdOut(id: number): boolean; tick(n?: number): void };
  await new Promise((r) => setTimeout(r, 1500)); // one look at the PGs before the change
  sim.osdOut(1);
  const ev = await waitFor(
    async () => (await json()).events.find((e) => e.message === "Rebalancing after osd.1 marked out"),
    "the out event",
    15_000,
  );
  assert.equal(ev.refs, [["osd", 1]]);
  assert.type(ev.progress, "number");
});

test.run();
