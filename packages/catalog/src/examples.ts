// Examples that run against any account: `{"$example": "contact.id"}` stands for an id found, or
// made, in the account when the example runs. Each category registers the fixtures it needs.
import type { CatalogContext, ExampleInput } from "./types.ts";

export type ExampleFixture = (
  ctx: CatalogContext,
  get: (name: string) => Promise<unknown>,
) => Promise<unknown>;

const fixtures = new Map<string, ExampleFixture>();

export function registerExampleFixture(name: string, make: ExampleFixture): void {
  if (fixtures.has(name)) throw new Error(`example fixture "${name}" is registered twice`);
  fixtures.set(name, make);
}

export function exampleFixtureNames(): string[] {
  return [...fixtures.keys()].sort();
}

function isRef(v: unknown): v is { $example: string } {
  return !!v && typeof v === "object" && typeof (v as { $example?: unknown }).$example === "string";
}

/** Replace every `{"$example": "fixture.path"}` in an example with the value it names. */
export async function resolveExample(
  ctx: CatalogContext,
  example: ExampleInput,
): Promise<Record<string, unknown>> {
  const made = new Map<string, Promise<unknown>>();
  const get = (name: string): Promise<unknown> => {
    let p = made.get(name);
    if (!p) {
      const make = fixtures.get(name);
      if (!make) return Promise.reject(new Error(`no example fixture named "${name}"`));
      p = make(ctx, get);
      made.set(name, p);
    }
    return p;
  };
  const walk = async (v: unknown): Promise<unknown> => {
    if (isRef(v)) {
      const [name, ...path] = v.$example.split(".");
      let cur = await get(name!);
      for (const part of path) cur = (cur as Record<string, unknown> | undefined)?.[part];
      if (cur === undefined) throw new Error(`example fixture "${v.$example}" has no value`);
      return cur;
    }
    if (Array.isArray(v)) return Promise.all(v.map(walk));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await walk(x);
      return out;
    }
    return v;
  };
  return (await walk(example)) as Record<string, unknown>;
}

/** A unique suffix for records examples create, so repeated runs never collide. */
export function uniqueSuffix(ctx: CatalogContext): string {
  return `${ctx.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
