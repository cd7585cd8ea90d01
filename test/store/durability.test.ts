// Acknowledged means durable: a child process writing keys is SIGKILLed at random moments,
// and every key it printed after set() resolved must be in the store afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openSqliteStore } from "../../runtime/store/index.ts";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const writer = fileURLToPath(new URL("./_writer.ts", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "tsmgr-durability-"));

test.after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the writer until `killAfterMs` past its first acknowledged key, SIGKILLs it, returns the acked lines. */
function runAndKill(file: string, prefix: string, killAfterMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--no-node-snapshot", "--import", "tsx", writer, file, prefix, "4"], {
      cwd: projectRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000); // never hang the suite
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!timer && out.includes(`${prefix}/`)) timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      if (signal !== "SIGKILL")
        return reject(new Error(`writer exited with ${code ?? signal} before the kill: ${err}`));
      // Only complete lines count: a line cut by the kill was not fully acknowledged.
      const lines = out
        .split("\n")
        .slice(0, -1)
        .filter((l) => l.startsWith(`${prefix}/`));
      resolve(lines);
    });
  });
}

test("every write acknowledged before a SIGKILL is in the store after reopening (5 random kills)", async () => {
  const file = join(root, "data", "store.db");
  const acked: string[] = [];
  for (let round = 1; round <= 5; round++) {
    const lines = await runAndKill(file, `r${round}`, 20 + Math.floor(Math.random() * 200));
    assert.ok(lines.length > 0, `round ${round}: the writer acknowledged nothing`);
    acked.push(...lines);
  }
  const store = openSqliteStore(file);
  const data = await store.loadAll();
  await store.close();
  const lost = acked.filter((line) => {
    const [key, value] = line.split(" ");
    return data.get(key!) !== value;
  });
  assert.equal(lost, [], `${lost.length} of ${acked.length} acknowledged writes lost`);
  assert.ok(acked.length >= 100, `only ${acked.length} writes acknowledged: too few to judge`);
});

test.run();
