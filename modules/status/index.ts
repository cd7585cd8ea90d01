// status: Ceph Pacific's `status` module, ported. `osd status [bucket]` prints a table of the
// OSDs (of the CRUSH buckets whose names match `bucket`, an fnmatch pattern) with host, space
// and I/O rates; `fs status [fs]` prints each filesystem's ranks, pools, standbys and MDS
// versions, or with `-f json` Ceph's JSON document. Answers match the real mgr's (see README.md).
import { MgrModule, type CommandArgs, type HandleCommandResult } from "@tsmgr/sdk";
import { mgrText } from "../_lib/output.ts";
import { pyDumps } from "../_lib/pyjson.ts";
import { BucketNotFound, osdStatus } from "./osd-status.ts";
import { FilesystemNotFound, fsStatus } from "./fs-status.ts";

const ENOENT = 2;
const EINVAL = 22;

export default class Status extends MgrModule {
  // Ceph's own descriptors and perms (the real mgr's command corpus)
  static COMMANDS = [
    {
      cmd: "fs status name=fs,type=CephString,req=false",
      desc: "Show the status of a CephFS filesystem",
      perm: "r" as const,
    },
    {
      cmd: "osd status name=bucket,type=CephString,req=false",
      desc: "Show the status of OSDs within a bucket, or all",
      perm: "r" as const,
    },
  ];

  async handleCommand(
    _inbuf: string,
    cmd: CommandArgs & { bucket?: string; fs?: string },
  ): Promise<HandleCommandResult> {
    try {
      if (cmd.prefix === "osd status") return { retval: 0, stdout: mgrText(osdStatus(this, cmd.bucket)), stderr: "" };
      const json = cmd.format === "json" || cmd.format === "json-pretty";
      const out = fsStatus(this, cmd.fs, json);
      if ("text" in out) return { retval: 0, stdout: mgrText(out.text), stderr: "" };
      return {
        retval: 0,
        stdout: pyDumps(out.json, { sortKeys: true, ...(cmd.format === "json-pretty" ? { indent: 4 } : {}) }),
        stderr: "",
      };
    } catch (e) {
      // Ceph's module puts the bucket message on stdout with a positive errno; tsmgr's errors
      // are negative and the CLI prints stderr after "Error ENOENT:", so it goes there
      if (e instanceof BucketNotFound) return { retval: -ENOENT, stdout: "", stderr: e.message };
      if (e instanceof FilesystemNotFound) return { retval: -EINVAL, stdout: "", stderr: e.message };
      throw e;
    }
  }
}
