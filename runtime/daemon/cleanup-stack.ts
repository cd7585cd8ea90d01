// What a starting daemon has opened, closed in reverse order when it stops or fails to start.
export class CleanupStack {
  readonly #steps: (() => Promise<unknown> | unknown)[] = [];

  /** Registers how to close `thing` and returns it, so opening and registering read as one line. */
  add<T>(thing: T, close: (t: T) => Promise<unknown> | unknown): T {
    this.#steps.push(() => close(thing));
    return thing;
  }

  /** Closes everything, last opened first; one failing step does not stop the others. */
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => {});
  }
}
