// Moving a file or folder where rename(2) may cross file systems (the data dir and the module
// path can live on different ones): rename when it can, else copy beside the target and rename
// the copy into place, so the target appears whole or not at all.
import { cpSync, renameSync, rmSync } from "node:fs";

export function moveInto(src: string, dst: string): void {
  try {
    renameSync(src, dst);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EXDEV") throw e;
  }
  const tmp = `${dst}.tsmgr-copy`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(src, tmp, { recursive: true, verbatimSymlinks: true });
  renameSync(tmp, dst);
  rmSync(src, { recursive: true, force: true });
}
