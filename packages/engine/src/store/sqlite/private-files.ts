// The data dir holds contact data and encrypted tokens: only its owner may read it. A folder this
// process creates is made 700 and the database files 600 whatever the umask (SQLite gives -wal and
// -shm the mode of the database file, so the database's mode is what matters). An existing folder
// is never chmodded: it may be a volume the process does not own (chmod fails with EPERM although
// the folder is usable) or a folder such as the home dir named by mistake. Its loose mode is a
// warning for the caller to log; `hlconnect doctor` reports it too.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Create the folder 700 (with its parents) when missing. For an existing folder nothing changes;
 * the answer is a warning when others may read or enter it, else undefined.
 */
export function preparePrivateDir(dir: string): string | undefined {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    try {
      chmodSync(dir, PRIVATE_DIR_MODE); // the umask may have taken bits we meant to keep
      return undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    }
  }
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `the data dir ${dir} has mode ${mode.toString(8)}: other users may read its contact data (left as it is; \`chmod 700 ${dir}\` if this process alone should use it)`;
}

/** Create the file empty with mode 600 when missing; make an existing one 600. */
export function preparePrivateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, "a", PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Make these files 600 where they exist (a database's -wal and -shm). */
export function tightenFiles(files: string[]): void {
  for (const f of files) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}
