// `tsmgr --help`, `tsmgr WORDS --help` and `tsmgr help WORDS`: built-in commands and `daemon` are
// described without a daemon (none is contacted, none is started); other words are asked of the
// daemon as `help WORDS`, never run; with no daemon the CLI says module commands need one.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { builtinHelp, type HelpEntry } from "../../runtime/cli/builtin-help.ts";
import { cleanup, cli, ROOT, startTestDaemon, tempDir, writeConfig, type TestDaemon } from "../_util.ts";

/** A stand-in admin socket at DIR/data/mgr.t.asok: records each request, answers `answer`. */
async function fakeDaemon(
  dir: string,
  answer: object,
): Promise<{ requests: { argv: string[] }[]; close(): Promise<void> }> {
  mkdirSync(join(dir, "data"), { recursive: true });
  const requests: { argv: string[] }[] = [];
  const server: Server = createServer((sock) => {
    let buf = "";
    sock.setEncoding("utf8");
    sock.on("data", (c: string) => {
      buf += c;
      if (!buf.includes("\n")) return;
      requests.push(JSON.parse(buf.slice(0, buf.indexOf("\n"))) as { argv: string[] });
      sock.end(JSON.stringify(answer) + "\n");
    });
  });
  await new Promise<void>((r) => server.listen(join(dir, "data", "mgr.t.asok"), r));
  return { requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const offline = suite("help without a daemon");
let dir = "";
let cfg = "";
offline.before.each(() => {
  dir = tempDir();
  cfg = writeConfig(dir, {});
});
offline.after.each(() => cleanup(dir));

offline("tsmgr --help names every built-in family, sim and daemon included, one line each", async () => {
  const r = await cli(["--help"]);
  assert.is(r.code, 0, r.stderr);
  for (const family of ["daemon", "status", "health", "module", "config-key", "config", "mgr", "auth", "sim", "help"]) {
    assert.match(r.stdout, new RegExp(`^  tsmgr ${family} `, "m"), `no line for ${family}`);
  }
});

offline("tsmgr daemon --help prints the daemon's usage and exits 0 without starting one", async () => {
  const fake = await fakeDaemon(dir, { retval: 0, stdout: "from a daemon", stderr: "" });
  try {
    for (const args of [
      ["-c", cfg, "daemon", "--help"],
      ["-c", cfg, "help", "daemon"],
      ["daemon", "-h", "-c", join(dir, "missing.json")],
    ]) {
      const r = await cli(args, { timeoutMs: 15_000 });
      assert.is(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stdout, /^usage: tsmgr daemon \[-c FILE\]/);
      assert.match(r.stdout, /-c, --config FILE/);
    }
    assert.equal(fake.requests, [], "no daemon was asked");
    assert.equal(
      readdirSync(join(dir, "data")),
      ["mgr.t.asok"],
      "no daemon was started (it would create its store and socket)",
    );
  } finally {
    await fake.close();
  }
});

offline(
  "tsmgr status --help and tsmgr help config-key get describe built-ins without contacting a daemon",
  async () => {
    const fake = await fakeDaemon(dir, { retval: 0, stdout: "from a daemon", stderr: "" });
    try {
      const status = await cli(["-c", cfg, "status", "--help"]);
      assert.is(status.code, 0, status.stderr);
      assert.is(status.stdout, "status\n    the mgr map: which daemon is active, the standbys, services\n");
      const get = await cli(["-c", cfg, "help", "config-key", "get", "some/key"]);
      assert.is(get.code, 0, get.stderr);
      assert.is(get.stdout, "config-key get <key>\n    get a stored value\n");
      const module = await cli(["-c", cfg, "-f", "json", "module", "--help"]);
      assert.equal(
        (JSON.parse(module.stdout) as HelpEntry[]).map((e) => e.prefix),
        [
          "module ls",
          "module info",
          "module enable",
          "module disable",
          "module reload",
          "module install",
          "module rollback",
          "module grant",
          "module revoke",
        ],
      );
      assert.equal(fake.requests, [], "no daemon was asked");
    } finally {
      await fake.close();
    }
  },
);

offline("tsmgr greet --help and tsmgr help greet ask the daemon for help greet, never run greet", async () => {
  const fake = await fakeDaemon(dir, { retval: 0, stdout: "greet <who>\n    says hello (module greet)", stderr: "" });
  try {
    for (const args of [
      ["greet", "--help"],
      ["help", "greet"],
      ["--help", "greet", "bob"],
    ]) {
      const r = await cli(["-c", cfg, ...args]);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout, "greet <who>\n    says hello (module greet)\n");
    }
    assert.equal(
      fake.requests.map((q) => q.argv),
      [
        ["help", "greet"],
        ["help", "greet"],
        ["help", "greet", "bob"],
      ],
    );
  } finally {
    await fake.close();
  }
});

offline(
  "with no daemon, help of a module command says a running daemon describes it (exit 2); tsmgr help lists the built-ins",
  async () => {
    const r = await cli(["-c", cfg, "greet", "--help"]);
    assert.is(r.code, 2);
    assert.is(r.stdout, "");
    assert.match(
      r.stderr,
      /^"greet" is not a built-in command, and module commands are described by a running daemon: no tsmgr daemon is running for /,
    );
    assert.not.match(r.stderr, /missing required argument/);
    const all = await cli(["-c", cfg, "help"]);
    assert.is(all.code, 0, all.stderr);
    for (const e of builtinHelp()) assert.ok(all.stdout.includes(`${e.usage}\n    ${e.desc}\n`), e.usage);
    assert.match(all.stderr, /module commands are listed by a running daemon/);
    assert.not.ok(existsSync(join(dir, "data", "store.db")), "no daemon was started");
  },
);

offline.run();

const live = suite("help with a running daemon");
let d: TestDaemon | undefined;
live.before(async () => {
  dir = tempDir();
  mkdirSync(join(dir, "modules"));
  copyFileSync(join(ROOT, "test", "fixtures", "modules", "good.ts"), join(dir, "modules", "good.ts"));
  d = await startTestDaemon(dir, { modules: { good: { enabled: true } } });
  cfg = writeConfig(dir, {});
});
live.after(async () => {
  await d?.stop();
  cleanup(dir);
});

live(
  "tsmgr good echo --help and tsmgr help good echo print the module command's usage instead of running it",
  async () => {
    for (const args of [
      ["good", "echo", "--help"],
      ["help", "good", "echo"],
    ]) {
      const r = await cli(["-c", cfg, ...args]);
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /^good echo <text>\n    echoes \(module good\)$/m);
      assert.not.match(r.stdout + r.stderr, /missing required argument|unused arguments/);
    }
  },
);

live("the CLI's built-in list is the daemon's: same commands, descriptors and descriptions", async () => {
  const r = await d!.command(["help"], { format: "json" });
  assert.is(r.retval, 0, r.stderr);
  const daemon = (JSON.parse(r.stdout) as HelpEntry[]).filter((e) => e.module === "tsmgr");
  assert.equal(
    builtinHelp()
      .map((e) => e.prefix)
      .sort(),
    daemon.map((e) => e.prefix).sort(),
  );
  const row = (e: HelpEntry) => `${e.cmd} | ${e.desc} | ${e.perm}`;
  assert.equal(builtinHelp().map(row).sort(), daemon.map(row).sort());
});

live.run();
