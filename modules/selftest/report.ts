// The self-test's bookkeeping: named checks that pass, fail with a reason, or are skipped with
// a reason (something the test must not do on this cluster), collected into one JSON report.
import { checkShape } from "./shapes.ts";

export interface Outcome {
  check: string;
  why: string;
}

/** Thrown by a check to fail with a reason. */
export class CheckFailed extends Error {
  override name = "CheckFailed";
}

/** Returned by a check that chose not to run (e.g. it would change what the operator set). */
export class Skip {
  constructor(readonly why: string) {}
}

export class Report {
  readonly passed: string[] = [];
  readonly failed: Outcome[] = [];
  readonly skipped: Outcome[] = [];
  /** Facts worth knowing that are not failures (an OSD without metadata yet, ...). */
  readonly notes: string[] = [];
  readonly #started = Date.now();

  /** Runs one check; an exception fails it (with the exception's message), a Skip skips it. */
  async check(name: string, fn: () => unknown): Promise<void> {
    try {
      const r = await fn();
      if (r instanceof Skip) this.skipped.push({ check: name, why: r.why });
      else this.passed.push(name);
    } catch (e) {
      this.failed.push({ check: name, why: describe(e) });
    }
  }

  get ok(): boolean {
    return this.failed.length === 0;
  }

  toJSON() {
    return {
      ok: this.ok,
      ms: Date.now() - this.#started,
      passed: this.passed,
      failed: this.failed,
      skipped: this.skipped,
      notes: this.notes,
    };
  }
}

/** Fails the current check unless `cond` holds. */
export function expect(cond: unknown, why: string): asserts cond {
  if (!cond) throw new CheckFailed(why);
}

/** Fails the current check unless `value` has every "path:type" of `specs` (see shapes.ts). */
export function expectShape(what: string, value: unknown, specs: readonly string[]): void {
  const problems = checkShape(what, value, specs);
  if (problems.length > 0) throw new CheckFailed(problems.join("; "));
}

/**
 * Fails the current check unless `fn` throws (or rejects) with an error named `name`;
 * returns that error. Errors from the daemon keep only name and message: match on `name`.
 */
export async function expectError(what: string, fn: () => unknown, name?: string): Promise<Error> {
  let result: unknown;
  try {
    result = await fn();
  } catch (e) {
    const err = e as Error;
    if (name !== undefined && err.name !== name)
      throw new CheckFailed(`${what} threw ${err.name} (${err.message}), expected ${name}`);
    return err;
  }
  throw new CheckFailed(`${what} did not throw${name ? ` ${name}` : ""} (it returned ${safeJson(result)})`);
}

export function describe(e: unknown): string {
  if (e instanceof CheckFailed) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

export function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(v);
  }
}
