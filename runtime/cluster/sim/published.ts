// The versioned view of every data name: a version number per name (bumped only when that name's
// content changed) and its JSON text, rendered lazily once per version and shared by every reader.

export type Renderer = () => string;

export class Published {
  readonly #renderers: ReadonlyMap<string, Renderer>;
  readonly #versions = new Map<string, number>();
  readonly #texts = new Map<string, { version: number; text: string }>();
  #counter = 0;

  constructor(renderers: ReadonlyMap<string, Renderer>) {
    this.#renderers = renderers;
    for (const name of renderers.keys()) this.#versions.set(name, ++this.#counter);
  }

  names(): string[] {
    return [...this.#renderers.keys()];
  }

  /** Bumped with every version of every name. */
  generation(): number {
    return this.#counter;
  }

  /** O(1): a Map lookup. */
  version(name: string): number | undefined {
    return this.#versions.get(name);
  }

  /** Marks names as changed; unknown names are ignored. */
  bump(names: Iterable<string>): void {
    for (const name of names) {
      if (!this.#versions.has(name)) continue;
      this.#versions.set(name, ++this.#counter);
      this.#texts.delete(name);
    }
  }

  json(name: string): string | undefined {
    const version = this.#versions.get(name);
    if (version === undefined) return undefined;
    const cached = this.#texts.get(name);
    if (cached && cached.version === version) return cached.text;
    const text = this.#renderers.get(name)!();
    this.#texts.set(name, { version, text });
    return text;
  }
}
