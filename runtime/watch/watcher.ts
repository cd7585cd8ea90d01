// Hot reload: chokidar watches the module path; a change to any input of a module's bundle
// rebuilds that module, new and deleted modules are picked up. Saves are coalesced, and the
// final content always wins: chokidar can report two quick writes as one event carrying the
// first half of the file, so after each build the inputs are checked again (content hash) and,
// if they moved, the module is rebuilt — instead of paying awaitWriteFinish's 100 ms on every save.
import { watch, type FSWatcher } from "chokidar";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { sep } from "node:path";
import { moduleNameOf, readRegularFileSync } from "../loader/index.ts";
import type { Logger } from "../log/index.ts";
import type { WatchTarget } from "./watch-target.ts";

/** Quiet time after the last event of a burst before building. */
const SETTLE_MS = 8;
/**
 * Late looks at the inputs after a build, for a later write whose event chokidar swallowed (it
 * drops a file's change events for ~50 ms after one). Hashing a module's inputs costs tens of µs.
 */
const RECHECKS_MS = [15, 40, 90];

type Stamp = Map<string, string>;

function stamp(files: readonly string[]): Stamp {
  // Content, not size+mtime: saves of equal size within one kernel clock tick share an mtime.
  // Read as the loader reads (regular files only, never blocking on a pipe): anything else is
  // a change the next build reports.
  const s: Stamp = new Map();
  for (const f of files) {
    try {
      s.set(f, createHash("sha1").update(readRegularFileSync(f)).digest("base64"));
    } catch (e) {
      s.set(f, (e as NodeJS.ErrnoException).code === "ENOENT" ? "gone" : `unreadable: ${(e as Error).message}`);
    }
  }
  return s;
}

function isEmpty(file: string): boolean {
  try {
    const s = statSync(file);
    return s.isFile() && s.size === 0; // a pipe's size is 0 too: build it, and the build says what it is
  } catch {
    return false;
  }
}

function same(a: Stamp, b: Stamp): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

interface ModuleWatch {
  timer?: NodeJS.Timeout;
  recheck?: NodeJS.Timeout;
  building: boolean;
  dirty: boolean;
  built?: Stamp;
}

export class ModuleWatcher {
  readonly #fs: FSWatcher;
  readonly #modules: WatchTarget;
  readonly #log: Logger;
  readonly #root: string;
  readonly #state = new Map<string, ModuleWatch>();
  #rescanTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(root: string, modules: WatchTarget, log: Logger) {
    this.#root = root;
    this.#modules = modules;
    this.#log = log.child({ component: "watch" });
    this.#fs = watch(root, {
      ignoreInitial: true,
      // editors' temp and backup files are not module sources
      ignored: (p: string) => {
        const base = p.slice(p.lastIndexOf(sep) + 1);
        return (
          base.startsWith(".") ||
          base.endsWith("~") ||
          base.endsWith(".swp") ||
          base.endsWith(".tmp") ||
          /\.tmp\d*$/.test(base) ||
          base === "node_modules"
        );
      },
    });
  }

  static async start(root: string, modules: WatchTarget, log: Logger): Promise<ModuleWatcher> {
    const w = new ModuleWatcher(root, modules, log);
    await new Promise<void>((resolve) => w.#fs.once("ready", () => resolve()));
    w.#fs.on("all", (event, path) => w.#onEvent(event, path));
    w.#fs.on("error", (e) => w.#log.warn(`watcher error: ${(e as Error).message}`));
    return w;
  }

  #onEvent(event: string, path: string): void {
    if (this.#closed) return;
    const structural = event === "add" || event === "addDir" || event === "unlink" || event === "unlinkDir";
    const owner = moduleNameOf(this.#root, path);
    if (structural && owner && !this.#modules.runner(owner)) return this.#scheduleRescan();
    if ((event === "unlink" || event === "unlinkDir") && owner && this.#isEntryGone(owner))
      return this.#scheduleRescan();
    for (const r of this.#modules.runners()) {
      if (r.name === owner || r.inputs.includes(path)) this.#schedule(r.name);
    }
  }

  #isEntryGone(name: string): boolean {
    const r = this.#modules.runner(name);
    if (!r) return true;
    try {
      statSync(r.entry);
      return false;
    } catch {
      return true;
    }
  }

  #scheduleRescan(): void {
    clearTimeout(this.#rescanTimer);
    this.#rescanTimer = setTimeout(() => {
      this.#modules.rescan().catch((e: Error) => this.#log.error(`rescan of ${this.#root} failed: ${e.message}`));
    }, SETTLE_MS * 4);
  }

  #schedule(name: string): void {
    let w = this.#state.get(name);
    if (!w) this.#state.set(name, (w = { building: false, dirty: false }));
    if (w.building) {
      w.dirty = true;
      return;
    }
    clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.#build(name, w!), SETTLE_MS);
  }

  async #build(name: string, w: ModuleWatch): Promise<void> {
    const r = this.#modules.runner(name);
    if (!r || this.#closed) return;
    if (isEmpty(r.entry)) return this.#recheck(name, w, stamp([r.entry])); // truncated by a save in progress: its content follows
    w.building = true;
    w.dirty = false;
    const before = stamp(r.inputs.length ? r.inputs : [r.entry]);
    try {
      await r.reload("file changed");
    } catch (e) {
      this.#log.error({ module: name }, `reload failed: ${(e as Error).message}`);
    } finally {
      w.building = false;
    }
    if (this.#closed) return;
    const after = stamp(r.inputs.length ? r.inputs : [r.entry]);
    w.built = after;
    // content moved during the build, or a change arrived meanwhile: build again
    if (w.dirty || !same(before, after)) return this.#schedule(name);
    this.#recheck(name, w, after);
  }

  /** Looks at the inputs again a few times; any change since `seen` schedules a build. */
  #recheck(name: string, w: ModuleWatch, seen: Stamp): void {
    clearTimeout(w.recheck);
    w.built = seen;
    const files = [...seen.keys()];
    const look = (i: number) => {
      if (this.#closed || i >= RECHECKS_MS.length) return;
      w.recheck = setTimeout(
        () => {
          const r = this.#modules.runner(name);
          const now = stamp(r && r.inputs.length ? r.inputs : files);
          if (!same(seen, now)) return this.#schedule(name);
          look(i + 1);
        },
        RECHECKS_MS[i]! - (RECHECKS_MS[i - 1] ?? 0),
      );
    };
    look(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#rescanTimer);
    for (const w of this.#state.values()) {
      clearTimeout(w.timer);
      clearTimeout(w.recheck);
    }
    await this.#fs.close();
  }
}
