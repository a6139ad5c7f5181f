// `ops describe` for a person: the entry's purpose, its inputs as a table, the output, scopes and a
// ready `ops run` line. `--json` prints the same description as JSON.

interface FieldSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  anyOf?: FieldSchema[];
  items?: FieldSchema;
  label?: string;
  help?: string;
  options?: { entry?: string };
}

function typeOf(s: FieldSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.format) return s.format;
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  return Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
}

export function formatDescription(d: Record<string, unknown>): string {
  const input = (d.input ?? {}) as { properties?: Record<string, FieldSchema>; required?: string[] };
  const output = (d.output ?? {}) as { description?: string };
  const scopes = (d.scopes as string[] | undefined) ?? [];
  const lines = [
    `${d.name}  (${d.key})`,
    `${d.kind}, ${d.mode}; category ${d.category}${d.seedName ? `; seed operation "${d.seedName}"` : ""}`,
    "",
    `${d.description}.`,
  ];
  if (typeof d.help === "string") lines.push("", d.help);
  const fields = Object.entries(input.properties ?? {});
  lines.push("", fields.length ? "Inputs:" : "Inputs: none");
  const width = Math.max(0, ...fields.map(([n]) => n.length));
  for (const [name, s] of fields) {
    const required = input.required?.includes(name) ? "required" : "optional";
    const pick = s.options?.entry ? ` (pick from ${s.options.entry})` : "";
    lines.push(`  ${name.padEnd(width)}  ${required}  ${typeOf(s)}${pick}${s.label ? `  ${s.label}` : ""}`);
    if (s.help) lines.push(`  ${"".padEnd(width)}    ${s.help.replace(/\s+/g, " ").trim()}`);
  }
  if (output.description) lines.push("", `Output: ${output.description}`);
  if (typeof d.event === "string") lines.push(`Webhook event: ${d.event}`);
  const polling = d.polling as { request?: string; dedupe?: string } | undefined;
  if (polling) lines.push(`Polling: ${polling.request}; new items found by ${polling.dedupe}`);
  lines.push(`Scopes: ${scopes.length ? scopes.join(", ") : "none"}`);
  lines.push(
    `Operations: ${((d.operations as string[] | undefined) ?? []).join(", ")}`,
    "",
    `Example input: ${JSON.stringify(d.example)}`,
    `Try it: hlconnect ops run ${d.key} --example   (--json on describe prints all of this as JSON)`,
    "",
  );
  return lines.join("\n");
}
