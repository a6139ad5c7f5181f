// Which import this is: the same file (path, size, modification time and first megabyte) gives the
// same id, so running it again after a kill resumes it instead of starting over.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import path from "node:path";
import type { ImportIdentity } from "./state.ts";

const HEAD_BYTES = 1024 * 1024;

export async function importIdentity(file: string): Promise<ImportIdentity> {
  const full = path.resolve(file);
  const fh = await open(full, "r");
  try {
    const st = await fh.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, st.size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const headHash = createHash("sha256").update(head.subarray(0, bytesRead)).digest("hex");
    const id = createHash("sha256")
      .update(`${full}\n${st.size}\n${Math.trunc(st.mtimeMs)}\n${headHash}`)
      .digest("base64url")
      .slice(0, 16);
    return { id, file: full, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
  } finally {
    await fh.close();
  }
}
