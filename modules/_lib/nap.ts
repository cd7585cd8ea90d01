// A serve() loop's wait between rounds that configNotify() and shutdown() can cut short, so a new
// sleep_interval takes effect at once instead of after the old one ran out (Ceph's modules wait
// on a threading.Event for the same reason).

export class Nap {
  #wake: (() => void) | undefined;

  /** Resolves after `ms`, or as soon as wake() is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  wake(): void {
    this.#wake?.();
  }
}
