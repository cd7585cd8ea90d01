// Text tables as Ceph's modules print them: Python's PrettyTable (3.6, Debian 12's) with
// `border=False`, `left_padding_width = 0` and `right_padding_width = 2`, the layout of
// `ceph osd status`, `ceph fs status`, `ceph crash ls`, `ceph osd pool autoscale-status`.

/** A column's alignment: PrettyTable's "l", "r", or "c" (its default, centred as str.center()). */
export type Align = "l" | "r" | "c";

export interface Column {
  name: string;
  align?: Align;
}

/** Terminal colour escapes do not take room: PrettyTable measures text without them. */
const ESCAPES = /\x1b\[[0-9;]*m|\x1b\(B/g;

function visibleWidth(text: string): number {
  return [...text.replace(ESCAPES, "")].length;
}

function justify(text: string, width: number, align: Align): string {
  const len = visibleWidth(text);
  const excess = width - len;
  if (align === "l") return text + " ".repeat(excess);
  if (align === "r") return " ".repeat(excess) + text;
  const half = Math.floor(excess / 2);
  if (excess % 2 === 0) return " ".repeat(half) + text + " ".repeat(half);
  // str.center(): the odd space goes right of odd-length text, left of even-length text
  return len % 2 ? " ".repeat(half) + text + " ".repeat(half + 1) : " ".repeat(half + 1) + text + " ".repeat(half);
}

/**
 * A borderless table: each column as wide as its widest cell (header included), cells justified
 * and followed by two spaces, lines joined by "\n" without a final one. Like PrettyTable with
 * `border=False`, a table without rows is "" (not even the header).
 *
 * @example renderTable([{ name: "ID", align: "r" }, { name: "HOST", align: "l" }], [[0, "vm"]])
 *          // "ID  HOST  \n 0  vm    "
 */
export function renderTable(columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  if (rows.length === 0) return "";
  const cells = rows.map((row) => columns.map((_, i) => cellText(row[i])));
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.name), ...cells.map((r) => visibleWidth(r[i]!))));
  const line = (texts: readonly string[]) =>
    texts.map((t, i) => justify(t, widths[i]!, columns[i]!.align ?? "c") + "  ").join("");
  return [line(columns.map((c) => c.name)), ...cells.map(line)].join("\n");
}

/** A cell as Python's str() shows it: None, True and False by their Python names. */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  return String(v);
}
