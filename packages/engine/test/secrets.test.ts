import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SecretDecryptError, SecretKeyError } from "../src/secrets/errors.ts";
import { deriveKey, generateSecret, parseSecret } from "../src/secrets/key.ts";
import { unlockVault } from "../src/secrets/unlock.ts";
import { Vault } from "../src/secrets/vault.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";

const dir = mkdtempSync(join(tmpdir(), "hlconnect-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tempFile = () => join(dir, `secrets-${++counter}.db`);

const key = Buffer.alloc(32, 7);

describe("HLCONNECT_SECRET parsing", () => {
  it("takes a 32-byte key in hex, base64 or base64url as the key itself", () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 250));
    for (const text of [bytes.toString("hex"), bytes.toString("base64"), bytes.toString("base64url")]) {
      const spec = parseSecret(`${text}\n`);
      expect(spec.kind).toBe("key");
      expect(spec.kind === "key" && spec.key.equals(bytes)).toBe(true);
    }
  });

  it("treats anything else as a passphrase", () => {
    expect(parseSecret("a long enough passphrase")).toEqual({
      kind: "passphrase",
      passphrase: "a long enough passphrase",
    });
    // 64 characters, but not hex.
    expect(parseSecret("z".repeat(64)).kind).toBe("passphrase");
  });

  it("refuses empty and short secrets, naming the setting", () => {
    expect(() => parseSecret("  ")).toThrow(SecretKeyError);
    expect(() => parseSecret("")).toThrow("HLCONNECT_SECRET is empty");
    expect(() => parseSecret("short")).toThrow(
      /HLCONNECT_SECRET is too short: use a 32-byte key .* or a passphrase/,
    );
  });

  it("generates keys that parse as keys", () => {
    expect(parseSecret(generateSecret()).kind).toBe("key");
    expect(generateSecret()).not.toBe(generateSecret());
  });

  it("derives the same key from the same passphrase and salt, another from another salt", async () => {
    const salt = Buffer.alloc(16, 1);
    const a = await deriveKey("a long enough passphrase", salt);
    expect(a).toHaveLength(32);
    expect((await deriveKey("a long enough passphrase", salt)).equals(a)).toBe(true);
    expect((await deriveKey("a long enough passphrase", Buffer.alloc(16, 2))).equals(a)).toBe(false);
  });
});

describe("Vault (AES-256-GCM)", () => {
  it("seals and opens, with a fresh IV each time", () => {
    const vault = new Vault(key);
    const a = vault.seal("token-123 ✓", "connection:c:tokens");
    const b = vault.seal("token-123 ✓", "connection:c:tokens");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain("token-123");
    expect(vault.open(a, "connection:c:tokens")).toBe("token-123 ✓");
  });

  it("does not open a value under another context (copied to another row)", () => {
    const vault = new Vault(key);
    const sealed = vault.seal("x", "connection:a:tokens");
    expect(() => vault.open(sealed, "connection:b:tokens")).toThrow(SecretDecryptError);
  });

  it("detects altered data and a wrong key, with a clear message", () => {
    const vault = new Vault(key);
    const sealed = vault.seal("secret", "ctx");
    const parts = sealed.split(".");
    const data = Buffer.from(parts[3]!, "base64url");
    data[0]! ^= 1;
    const altered = [...parts.slice(0, 3), data.toString("base64url")].join(".");
    expect(() => vault.open(altered, "ctx")).toThrow(/ctx: cannot decrypt \(the key is not the one/);
    expect(() => new Vault(Buffer.alloc(32, 8)).open(sealed, "ctx")).toThrow(SecretDecryptError);
  });

  it("says so when given something that is not a sealed value", () => {
    const vault = new Vault(key);
    expect(() => vault.open("plain text", "ctx")).toThrow(/ctx: not a sealed value/);
    expect(() => vault.open("v1.AAAA.BBBB.CCCC", "ctx")).toThrow(/not a sealed value/);
    expect(() => new Vault(Buffer.alloc(16))).toThrow(/must be 32 bytes/);
  });

  it("unlockVault accepts the right secret and refuses another", async () => {
    const salt = Buffer.alloc(16, 3);
    const first = await unlockVault("the right passphrase", { salt, check: undefined });
    const again = await unlockVault("the right passphrase", { salt, check: first.check });
    expect(again.vault.open(first.vault.seal("v", "c"), "c")).toBe("v");
    await expect(
      unlockVault("the wrong passphrase", { salt, check: first.check, where: "/data/x.db" }),
    ).rejects.toThrow(
      /HLCONNECT_SECRET does not match the secret the stored data was encrypted with \(\/data\/x\.db\)/,
    );
  });
});

describe("store and HLCONNECT_SECRET", () => {
  it("opens with the same passphrase later (the salt is kept in the database)", async () => {
    const file = tempFile();
    const one = await openSqliteStore({ file, secret: "my install passphrase" });
    await one.saveConnection({ id: "c", label: "c", kind: "pit" });
    await one.setConnectionSecrets("c", { privateToken: "pit-abc" });
    await one.close();
    const two = await openSqliteStore({ file, secret: "my install passphrase" });
    expect(await two.getConnectionSecrets("c")).toEqual({ privateToken: "pit-abc" });
    await two.close();
  });

  it("a wrong HLCONNECT_SECRET fails at open with a clear error, not garbage", async () => {
    const file = tempFile();
    const one = await openSqliteStore({ file, secret: generateSecret() });
    await one.close();
    const opening = openSqliteStore({ file, secret: generateSecret() });
    await expect(opening).rejects.toThrow(SecretKeyError);
    await expect(openSqliteStore({ file, secret: "not the original one" })).rejects.toThrow(
      /HLCONNECT_SECRET does not match the secret the stored data was encrypted with \(.*secrets-\d+\.db\)/,
    );
  });

  it("without HLCONNECT_SECRET the store works, but secrets say what is missing", async () => {
    const file = tempFile();
    const store = await openSqliteStore({ file });
    await store.saveConnection({ id: "c", label: "c", kind: "pit" });
    expect((await store.listConnections()).map((c) => c.id)).toEqual(["c"]);
    await expect(store.setConnectionSecrets("c", { privateToken: "p" })).rejects.toThrow(
      /HLCONNECT_SECRET is not set: it is needed to encrypt and decrypt connection secrets/,
    );
    await expect(store.tokenStore().load("c")).resolves.toBeUndefined();
    await store.close();
  });

  it("a malformed HLCONNECT_SECRET is refused before anything is written", async () => {
    await expect(openSqliteStore({ file: tempFile(), secret: "tiny" })).rejects.toThrow(
      /HLCONNECT_SECRET is too short/,
    );
  });
});
