// Helpers of the shipped-module tests: free ports, HTTP polling, and a strict parser of the
// Prometheus text exposition format.
import { createServer } from "node:net";
import { waitFor } from "../_util.ts";

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Fetches until the server answers at all (module HTTP listens a moment after start). */
export async function fetchWhenUp(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
  return waitFor(
    async () => {
      try {
        return await fetch(url, init);
      } catch {
        return undefined; // not listening yet
      }
    },
    `${url} to answer`,
    timeoutMs,
  );
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  samples: Sample[];
  types: Map<string, string>;
  /** samples named `name` whose labels include `labels` */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** the one sample named `name` with these labels (throws if there is not exactly one) */
  value(name: string, labels?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Parses the text exposition format (0.0.4) strictly: every line must be a HELP/TYPE line, a
 * comment, or a valid sample; a family has at most one TYPE, given before its samples, and its
 * samples are contiguous; no series appears twice. Throws naming the first bad line.
 */
export function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const series = new Set<string>();
  const closed = new Set<string>();
  let current = "";
  const lines = text.split("\n");
  if (text !== "" && lines.pop() !== "") throw new Error("the exposition does not end with a newline");
  lines.forEach((line, i) => {
    const bad = (why: string) => new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw bad("invalid metric name");
      if (kind === "TYPE") {
        if (!TYPES.has(rest)) throw bad("unknown type");
        if (types.has(name)) throw bad("a second TYPE line");
        if (samples.some((s) => familyOf(s.name, types) === name)) throw bad("TYPE after the family's samples");
        types.set(name, rest);
      } else {
        if (helps.has(name)) throw bad("a second HELP line");
        helps.add(name);
      }
      return;
    }
    const s = parseSample(line, bad);
    const family = familyOf(s.name, types);
    if (family !== current) {
      if (closed.has(family)) throw bad(`samples of ${family} are not together`);
      if (current) closed.add(current);
      current = family;
    }
    const key = `${s.name}{${Object.entries(s.labels)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(",")}}`;
    if (series.has(key)) throw bad("a duplicate series");
    series.add(key);
    samples.push(s);
  });
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    value(name, labels = {}) {
      const found = find(name, labels);
      if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
      return found[0]!.value;
    },
  };
}

/** A sample's family: `x_sum`/`x_count`/`x_bucket` belong to `x` when `x` is a declared summary/histogram. */
function familyOf(name: string, types: Map<string, string>): string {
  const m = /^(.*)_(sum|count|bucket)$/.exec(name);
  if (m && (types.get(m[1]!) === "summary" || types.get(m[1]!) === "histogram")) return m[1]!;
  return name;
}

function parseSample(line: string, bad: (why: string) => Error): Sample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line[i]!)) i++;
  const name = line.slice(0, i);
  if (!NAME.test(name)) throw bad("invalid metric name");
  const labels: Record<string, string> = {};
  if (line[i] === "{") {
    i++;
    while (line[i] !== "}") {
      const eq = line.indexOf("=", i);
      if (eq < 0) throw bad("a label without =");
      const label = line.slice(i, eq);
      if (!LABEL.test(label)) throw bad(`invalid label name ${JSON.stringify(label)}`);
      if (label in labels) throw bad(`label ${label} twice`);
      i = eq + 1;
      if (line[i] !== '"') throw bad("a label value without quotes");
      i++;
      let value = "";
      for (;;) {
        const c = line[i];
        if (c === undefined) throw bad("an unterminated label value");
        if (c === '"') break;
        if (c === "\\") {
          const e = line[i + 1];
          if (e === "\\") value += "\\";
          else if (e === '"') value += '"';
          else if (e === "n") value += "\n";
          else throw bad("a bad escape in a label value");
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      labels[label] = value;
      i++; // closing quote
      if (line[i] === ",") i++;
      else if (line[i] !== "}") throw bad("labels not separated by ,");
    }
    i++;
  }
  if (line[i] !== " ") throw bad("no space before the value");
  const [valueText, timestamp, ...more] = line.slice(i + 1).split(" ");
  if (more.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp)))
    throw bad("trailing text after the value");
  if (!/^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/.test(valueText ?? ""))
    throw bad("the value is not a number");
  const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
  return { name, labels, value };
}
