// `mgr self-test module NAME`: runs the module's selfTest() (Ceph's self_test), answered in the
// words of Ceph's selftest module: "Self-test OK" / "Test failed: ..." / "Module not found".
import { Errno } from "../../errors.ts";
import { oneLine } from "./_util.ts";
import type { Builtin, BuiltinDeps } from "./types.ts";

export const SELF_TEST_CMD = "mgr self-test module name=module,type=CephString";
export const SELF_TEST_DESC = "run a module's selfTest(): 'Self-test OK' or 'Test failed: ...'";

export function selfTestCommands({ modules }: BuiltinDeps): Builtin[] {
  return [
    {
      cmd: SELF_TEST_CMD,
      desc: SELF_TEST_DESC,
      perm: "rw",
      needsActive: true,
      run: async (a) => {
        const r = modules.runner(String(a.module));
        if (!r || !r.running) return { retval: -Errno.ENOENT, stderr: "Module not found" };
        try {
          const out = await r.callExport("selfTest", "[]", true);
          const value = out === undefined ? undefined : (JSON.parse(out) as unknown);
          const text =
            value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value);
          return { data: value ?? null, text, stderr: "Self-test OK" };
        } catch (e) {
          const err = e as Error;
          return { retval: -1, stderr: `Test failed: ${oneLine(`${err.name}: ${err.message}`)}` };
        }
      },
    },
  ];
}
