// Child process for the SIGKILL test: several writers set keys in a loop and print each key
// only after its set() resolved, i.e. after the store acknowledged it as durable.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KvStore, openSqliteStore } from "../../runtime/store/index.ts";

// A test runner that imports every file in test/ must find nothing to do here.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

async function main(): Promise<void> {
  const [file, prefix, writers = "4"] = process.argv.slice(2);
  if (!file || !prefix) {
    process.stderr.write("usage: _writer.ts STORE_FILE KEY_PREFIX [WRITERS]\n");
    process.exit(2);
  }
  const kv = await KvStore.open(openSqliteStore(file));
  await Promise.all(
    Array.from({ length: Number(writers) }, async (_, w) => {
      for (let i = 0; ; i++) {
        const key = `${prefix}/w${w}/${i}`;
        await kv.set(key, `v${i}`);
        // Writes to a pipe are synchronous on Linux: once this returns the parent can read it.
        process.stdout.write(`${key} v${i}\n`);
      }
    }),
  );
}
