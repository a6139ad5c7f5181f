// Whether a Private Integration Token is already stored for the same location, so adding it again
// (a second click, a pasted token) is refused with the existing connection named instead of quietly
// making a twin. Tokens are compared after decryption, in this process only; none leaves it.
import { timingSafeEqual } from "node:crypto";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";

export async function samePitConnection(
  engine: Engine,
  token: string,
  locationId: string,
): Promise<ConnectionRecord | undefined> {
  for (const c of await engine.store.listConnections({ kind: "pit", locationId })) {
    const stored = (await engine.store.getConnectionSecrets(c.id)).privateToken;
    if (stored !== undefined && sameText(stored, token)) return c;
  }
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
