// `tsmgr config validate [FILE]`: checks a mgr.json with the daemon's own loader, so the answer
// is exactly what `tsmgr daemon` would say (the field and what is wrong), without starting one.
import { loadConfig } from "../config/index.ts";
import { ConfigError } from "../errors.ts";

export interface ValidateResult {
  code: 0 | 2;
  stdout: string;
  stderr: string;
}

/** `file` (the -c/TSMGR_CONFIG/./mgr.json file when none is given), checked as daemon `id` would read it. */
export function validateConfigFile(file: string, id?: string): ValidateResult {
  try {
    loadConfig(file, { id });
    return { code: 0, stdout: "ok", stderr: "" };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { code: 2, stdout: "", stderr: `tsmgr config validate: ${e.message}` };
  }
}
