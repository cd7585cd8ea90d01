// iostat: Ceph Pacific's `iostat` module, ported. `iostat [width] [print_header]` prints one row
// of the cluster's client I/O (read, write, total bytes/s and IOPS) from the PG stats delta,
// laid out as Ceph's get_pretty_row in `width` columns. `ceph iostat` repeats it every second
// (the CLI's poll); tsmgr prints one sample per call (see README.md).
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";
import { toPrettyIec } from "../_lib/units.ts";

const EINVAL = 22;
const HEADER = ["Read", "Write", "Total", "Read IOPS", "Write IOPS", "Total IOPS"];
/**
 * Each of the 6 cells needs at least 2 characters (Ceph's formatting fails below 12 with a
 * Python traceback); above MAX_WIDTH no terminal is that wide and the output only grows.
 */
export const MIN_WIDTH = 12;
export const MAX_WIDTH = 4096;

/** MgrModule.get_pretty_row: each element right-aligned in width/n - 2 characters, then " |". */
function prettyRow(elems: readonly string[], width: number): string {
  const cell = Math.trunc(width / elems.length) - 2;
  return "|" + elems.map((e) => e.padStart(cell) + " |").join("");
}

/** MgrModule.get_pretty_header: the row between two dashed lines. */
function prettyHeader(elems: readonly string[], width: number): string {
  const dashes = "+" + ("-".repeat(Math.trunc(width / elems.length) - 1) + "+").repeat(elems.length);
  return `${dashes}\n${prettyRow(elems, width)}\n${dashes}\n`;
}

export default class Iostat extends MgrModule {
  static COMMANDS = [
    {
      cmd: "iostat name=width,type=CephInt,req=false name=print_header,type=CephBool,req=false",
      desc: "Get IO rates",
      perm: "r" as const,
    },
  ];

  /** Bytes and ops per second over the PG stats delta (whole seconds, as Ceph divides). */
  #rates() {
    const delta = this.get("io_rate").pg_stats_delta;
    const seconds = Math.trunc(parseFloat(delta.stamp_delta));
    if (!(seconds > 0)) return { rd: 0, wr: 0, rdOps: 0, wrOps: 0 };
    const per = (n: number) => Math.floor(n / seconds);
    const s = delta.stat_sum;
    // kB in the stats; Ceph shifts to bytes after dividing
    return {
      rd: per(s.num_read_kb) * 1024,
      wr: per(s.num_write_kb) * 1024,
      rdOps: per(s.num_read),
      wrOps: per(s.num_write),
    };
  }

  async handleCommand(
    _inbuf: string,
    cmd: CommandArgs & { width?: number | string; print_header?: boolean },
  ): Promise<HandleCommandResult> {
    const width = cmd.width ?? 80;
    if (typeof width !== "number" || width < MIN_WIDTH || width > MAX_WIDTH) {
      return {
        retval: -EINVAL,
        stdout: "",
        stderr: `iostat: width ${width} is out of range: give ${MIN_WIDTH}..${MAX_WIDTH} (6 columns of at least 2 characters)`,
      };
    }
    const { rd, wr, rdOps, wrOps } = this.#rates();
    const row = [
      `${toPrettyIec(rd)}B/s`,
      `${toPrettyIec(wr)}B/s`,
      `${toPrettyIec(rd + wr)}B/s`,
      String(rdOps),
      String(wrOps),
      String(rdOps + wrOps),
    ];
    const out = (cmd.print_header ? prettyHeader(HEADER, width) : "") + prettyRow(row, width);
    return { retval: 0, stdout: out, stderr: "" };
  }
}
