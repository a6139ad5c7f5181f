// `hlconnect templates list | use NAME`: the ready flows in templates/ (BatchLeads' three sync patterns,
// onboarding, follow-up, remediation, skip trace, back to BatchLeads), each explained by its leading
// comment, copied into a flows folder to be edited and served.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { closest } from "@hlconnect/client";
import type { Command } from "commander";
import { CliError } from "./errors.ts";
import { table, write } from "./format.ts";

const ROOT = path.resolve(import.meta.dirname, "../../../..");
export const TEMPLATES_DIR = path.join(ROOT, "templates");
const SCHEMA = path.join(ROOT, "docs/flow.schema.json");
const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*$/m;

export interface Template {
  name: string;
  file: string;
  /** The leading comment, without its "# " marks and the editor's schema line. */
  explanation: string;
}

function explanationOf(text: string): string {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith("#")) break;
    if (SCHEMA_LINE.test(line)) continue;
    lines.push(line.replace(/^#\s?/, ""));
  }
  return lines.join("\n").trim();
}

export function listTemplates(dir = TEMPLATES_DIR): Template[] {
  if (!existsSync(dir)) throw new CliError(`no templates folder at ${dir}`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      return { name: f.replace(/\.yaml$/, ""), file, explanation: explanationOf(readFileSync(file, "utf8")) };
    });
}

/** The first sentence, shortened to fit one line of the list. */
function summary(explanation: string, max = 110): string {
  const flat = explanation.replace(/\s+/g, " ");
  const end = flat.search(/\.(\s|$)/);
  const sentence = end === -1 ? flat : flat.slice(0, end + 1);
  return sentence.length <= max ? sentence : `${sentence.slice(0, max - 3).replace(/\s+\S*$/, "")}...`;
}

/** Copy a template into `outDir`, pointing its editor schema line at this install's schema. */
export function useTemplate(name: string, outDir: string, force = false, dir = TEMPLATES_DIR): string {
  const all = listTemplates(dir);
  const wanted = name.replace(/\.ya?ml$/, "");
  const t = all.find((x) => x.name === wanted);
  if (!t) {
    const names = all.map((x) => x.name);
    // A name cut short ("skip-trace") is part of one, not a typo: suggest those first.
    const partOf = names.filter((n) => n.includes(wanted.toLowerCase()));
    const near = partOf.length ? partOf : closest(wanted, names, 3);
    throw new CliError(
      `no template "${name}".${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ""} See \`hlconnect templates list\`.`,
      2,
    );
  }
  const target = path.join(outDir, `${t.name}.yaml`);
  if (existsSync(target) && !force) throw new CliError(`${target} exists; pass --force to overwrite it`);
  mkdirSync(outDir, { recursive: true });
  let text = readFileSync(t.file, "utf8");
  const schema = path.relative(path.resolve(outDir), SCHEMA).split(path.sep).join("/");
  text = text.replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schema}`);
  writeFileSync(target, text);
  return target;
}

export function registerTemplatesCommands(program: Command): void {
  const templates = program
    .command("templates")
    .description("Ready flows to start from: list them, copy one");

  templates
    .command("list")
    .description("List the templates with what each does")
    .option("--json", "print JSON (with the whole explanation)")
    .action((opts: { json?: boolean }) => {
      const all = listTemplates();
      if (opts.json)
        return write(
          JSON.stringify(
            all.map(({ name, explanation }) => ({ name, explanation })),
            null,
            2,
          ),
        );
      write(
        table(
          ["NAME", "WHAT IT DOES"],
          all.map((t) => [t.name, summary(t.explanation)]),
        ),
      );
      write("\n`hlconnect templates use NAME [--out DIR]` copies one into a flows folder.");
    });

  templates
    .command("use")
    .description("Copy a template into a flows folder (default ./flows)")
    .argument("<name>", "template name (from `hlconnect templates list`)")
    .option("--out <dir>", "folder to write it to", "flows")
    .option("--force", "overwrite a file of the same name")
    .action((name: string, opts: { out: string; force?: boolean }) => {
      const target = useTemplate(name, opts.out, opts.force);
      const t = listTemplates().find((x) => x.name === name.replace(/\.ya?ml$/, ""));
      write(`wrote ${target}`);
      if (t) write(`\n${t.explanation}\n`);
      write(
        `Next: edit its vars, then \`hlconnect flows validate ${target}\` and \`hlconnect serve --flows ${opts.out}\`.`,
      );
    });
}
