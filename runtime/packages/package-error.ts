// A package was refused: what was wrong with it (value quoted) and what to do. `errno` is the
// answer's errno (EINVAL for a bad package, EACCES for a trust refusal, EEXIST for a name clash).
import { Errno } from "../errors.ts";

export class PackageError extends Error {
  override name = "PackageError";
  readonly code = "EPACKAGE";
  constructor(
    message: string,
    readonly errno: number = Errno.EINVAL,
  ) {
    super(message);
  }
}
