// The Prometheus text exposition format (version 0.0.4): metric families with HELP and TYPE
// lines, then one sample per line, `name{label="value",...} value`.
// https://prometheus.io/docs/instrumenting/exposition_formats/

export type MetricType = "gauge" | "counter" | "untyped";

interface Family {
  type: MetricType;
  help: string;
  samples: string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Collects samples grouped by family, so each family is written once, its samples together. */
export class Exposition {
  readonly #families = new Map<string, Family>();

  /** Adds one sample. The first sample of a family fixes its type and help. */
  add(name: string, type: MetricType, help: string, value: number, labels: Record<string, string> = {}): void {
    if (!METRIC_NAME.test(name)) throw new TypeError(`invalid metric name ${JSON.stringify(name)}`);
    let family = this.#families.get(name);
    if (!family) {
      family = { type, help, samples: [] };
      this.#families.set(name, family);
    }
    const pairs = Object.entries(labels).map(([k, v]) => {
      if (!LABEL_NAME.test(k)) throw new TypeError(`invalid label name ${JSON.stringify(k)} on ${name}`);
      return `${k}="${escapeLabelValue(v)}"`;
    });
    family.samples.push(`${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`);
  }

  /**
   * Writes several collections as one exposition. A family found in more than one is written
   * once, with all its samples (the format forbids a second HELP/TYPE for a name).
   */
  static render(parts: readonly Exposition[]): string {
    const merged = new Map<string, Family>();
    for (const part of parts) {
      for (const [name, f] of part.#families) {
        const m = merged.get(name);
        if (m) m.samples = m.samples.concat(f.samples);
        else merged.set(name, { ...f });
      }
    }
    let out = "";
    for (const [name, f] of merged) {
      out += `# HELP ${name} ${escapeHelp(f.help)}\n# TYPE ${name} ${f.type}\n${f.samples.join("\n")}\n`;
    }
    return out;
  }
}

/** A Ceph perf counter path as a metric name, as Ceph's prometheus module spells it. */
export function promethize(path: string): string {
  let result = path.replace(/[./\s]|::/g, "_").replace(/\+/g, "_plus");
  // hyphens become underscores, except a trailing one, which means "minus"
  result = result.endsWith("-") ? `${result.slice(0, -1)}_minus` : result.replace(/-/g, "_");
  result = result.replace(/[^a-zA-Z0-9_:]/g, "_");
  return `ceph_${result}`;
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Go's float spelling, which Prometheus parses: NaN, +Inf, -Inf, or a plain number. */
export function formatValue(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}
