// The data dir holds contact data and encrypted tokens: only its owner may read it. The folder is
// kept 700 and the database files 600 whatever the umask (SQLite gives -wal and -shm the mode of
// the database file, so the database's mode is what matters), and a dir left open by an older
// version is tightened when opened.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create the folder 700 (with its parents), or tighten it to 700 when it exists. */
export function preparePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
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
