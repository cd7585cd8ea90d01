// A stand-in for a module that remote() calls reach in a test: plain functions in the test's
// process, called with the JSON-copied arguments, their result copied back as JSON, each call
// recorded. The caller's grant (modules.NAME.allow.remote) is still checked, as in the daemon.
import type { RemoteCallee } from "../api/index.ts";

/** The methods a stub answers with: `(...args) => result` (sync or async; a throw reaches the caller). */
export type StubMethods = Record<string, (...args: any[]) => unknown>;

/** One call a stub received. */
export interface StubCall {
  method: string;
  args: unknown[];
}

export class RemoteStub implements RemoteCallee {
  readonly running = true;
  readonly exports: readonly string[];
  /** every call received, oldest first */
  readonly calls: StubCall[] = [];
  readonly #methods: StubMethods;

  constructor(target: string, methods: StubMethods) {
    if (typeof methods !== "object" || methods === null)
      throw new TypeError(
        `stubRemote("${target}"): pass an object of methods, e.g. { update: (...args) => undefined }`,
      );
    for (const [name, fn] of Object.entries(methods)) {
      if (typeof fn !== "function")
        throw new TypeError(`stubRemote("${target}"): ${JSON.stringify(name)} must be a function, got ${typeof fn}`);
    }
    this.#methods = { ...methods };
    this.exports = Object.freeze(Object.keys(methods));
  }

  async callExport(method: string, argsJson: string): Promise<string | undefined> {
    const args = JSON.parse(argsJson) as unknown[];
    this.calls.push({ method, args });
    const result = await this.#methods[method]!(...args);
    return result === undefined ? undefined : JSON.stringify(result);
  }
}
