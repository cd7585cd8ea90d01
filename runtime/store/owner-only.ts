// The daemon's files hold module data and auth keys: they are readable by their owner only
// (0600), whatever the umask and whatever mode an older version left them with.
import { chmodSync, closeSync, existsSync, openSync, statSync } from "node:fs";

const OWNER_ONLY = 0o600;

/** Creates `file` if missing and sets it to 0600 (chmod, so the umask cannot widen or narrow it). */
export function ownerOnly(file: string): void {
  closeSync(openSync(file, "a", OWNER_ONLY));
  chmodSync(file, OWNER_ONLY);
}

/**
 * A SQLite database in WAL mode and its -wal and -shm files, 0600. SQLite gives the -wal and -shm
 * files it creates the database file's mode; existing ones (from before) are set here.
 */
export function sqliteOwnerOnly(dbFile: string): void {
  ownerOnly(dbFile);
  for (const f of [`${dbFile}-wal`, `${dbFile}-shm`]) if (existsSync(f)) chmodSync(f, OWNER_ONLY);
}

/**
 * A warning when `dir` lets other users in (mode wider than 0700): what it is and the command
 * that fixes it. Undefined when the mode is fine or the dir cannot be read.
 */
export function dataDirWarning(dir: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(dir).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const octal = mode.toString(8).padStart(4, "0");
  return (
    `data dir ${dir} has mode ${octal}: other local users can list it and reach the daemon's files ` +
    `(the store holds module data and auth keys); restrict it with: chmod 700 ${dir}`
  );
}
