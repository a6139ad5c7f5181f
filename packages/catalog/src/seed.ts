// The seed catalog: the 124 operations users know from the product we replace, by their names.
// Entries take name, description and category from here, so they cannot drift from it.
import { readFileSync } from "node:fs";

export interface SeedOperation {
  category: string;
  kind: "trigger" | "action";
  name: string;
  description: string;
  method: string;
  path: string;
  spec: string;
  operationId: string;
}

let seedOps: SeedOperation[] | undefined;

export function seedOperations(): SeedOperation[] {
  seedOps ??= (
    JSON.parse(
      readFileSync(new URL("../../../specs/catalog/seed-operations.json", import.meta.url), "utf8"),
    ) as { operations: SeedOperation[] }
  ).operations;
  return seedOps;
}

/** Name, description and category of a seed operation, found by its seed name. */
export function fromSeed(name: string): {
  name: string;
  description: string;
  category: string;
  seedName: string;
} {
  const op = seedOperations().find((o) => o.name === name);
  if (!op) throw new Error(`"${name}" is not in the seed catalog`);
  return { name: op.name, description: op.description, category: op.category, seedName: op.name };
}
