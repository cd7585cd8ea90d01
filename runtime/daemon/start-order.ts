// Modules that start together (daemon start, a role change, a rescan) build and create their
// isolates concurrently, yet a command conflict must have one answer: the module later in
// alphabetical order loses, as when they started one after another. So a module that reached
// its command check waits for every earlier module of the batch to know its commands (or to
// have failed before), then for each earlier one whose commands collide with its own to finish
// starting (running, so the check sees it, or failed, so it does not). Modules whose commands
// do not collide start as soon as each is ready.
import type { ModuleCommand } from "./module-meta.ts";

interface Entry {
  commands: ModuleCommand[];
  known: Promise<void>;
  knownNow: () => void;
  settled: Promise<void>;
  settledNow: () => void;
  done: boolean;
}

export class StartOrder {
  readonly #names: string[];
  readonly #entries = new Map<string, Entry>();

  constructor(names: Iterable<string>) {
    this.#names = [...names].sort();
    for (const n of this.#names) {
      const e = { commands: [], done: false } as unknown as Entry;
      e.known = new Promise((r) => (e.knownNow = r));
      e.settled = new Promise((r) => (e.settledNow = r));
      this.#entries.set(n, e);
    }
  }

  /** True while `name` is starting in this batch. */
  starting(name: string): boolean {
    const e = this.#entries.get(name);
    return e !== undefined && !e.done;
  }

  /** `name` knows its commands and is about to check them: waits for the earlier ones it collides with. */
  async reached(name: string, commands: ModuleCommand[]): Promise<void> {
    const me = this.#entries.get(name);
    if (!me || me.done) return;
    me.commands = commands;
    me.knownNow();
    for (const other of this.#names) {
      if (other >= name) break;
      const e = this.#entries.get(other)!;
      await e.known;
      if (collide(e.commands, commands)) await e.settled;
    }
  }

  /** `name` finished starting (running, failed, or nothing to run). */
  settled(name: string): void {
    const e = this.#entries.get(name);
    if (!e) return;
    e.done = true;
    e.knownNow();
    e.settledNow();
  }
}

/** Two command sets collide when a prefix of one equals, or starts, a prefix of the other. */
function collide(a: ModuleCommand[], b: ModuleCommand[]): boolean {
  for (const x of a) {
    for (const y of b) {
      const p = x.signature.prefix;
      const q = y.signature.prefix;
      const n = Math.min(p.length, q.length);
      let same = true;
      for (let i = 0; i < n && same; i++) same = p[i] === q[i];
      if (same) return true;
    }
  }
  return false;
}
