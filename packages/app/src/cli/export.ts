// `hlconnect export zapier DIR`: a Zapier Platform CLI app generated from the catalog
// (src/export/zapier); `--only` limits it to some categories.
import type { Command } from "commander";
import { CliError } from "./errors.ts";

export function registerExportCommands(program: Command): void {
  const exp = program.command("export").description("Generate front ends from the catalog");

  exp
    .command("zapier")
    .description("Write a Zapier Platform CLI app (triggers, searches, creates) into DIR")
    .argument("<dir>", "target folder (must be empty unless --force)")
    .option("--only <categories>", "comma-separated catalog categories to export (default: all)")
    .option(
      "--auth <kind>",
      "how Zaps connect: oauth2 (marketplace app) or token (Private Integration Token)",
      "oauth2",
    )
    .option("--force", "write into a folder that is not empty")
    .option("--json", "print the summary as JSON")
    .action(async (dir: string, opts: { only?: string; auth: string; force?: boolean; json?: boolean }) => {
      const { exportZapier, ExportError, AUTH_KINDS, nextSteps } = await import(
        "../export/zapier/project.ts"
      );
      const { UnknownCategoryError } = await import("../export/zapier/select.ts");
      if (!(AUTH_KINDS as string[]).includes(opts.auth)) {
        throw new CliError(`--auth must be one of ${AUTH_KINDS.join(", ")} (got "${opts.auth}")`, 2);
      }
      const only = opts.only
        ?.split(",")
        .map((c) => c.trim())
        .filter(Boolean);
      try {
        const r = await exportZapier(dir, {
          ...(only?.length ? { only } : {}),
          auth: opts.auth as "oauth2" | "token",
          force: Boolean(opts.force),
        });
        const next = nextSteps(dir, r.auth);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...r, next }, null, 2)}\n`);
          return;
        }
        const c = r.counts;
        process.stdout.write(
          `Wrote a Zapier app to ${r.dir} (${r.files} files): ${c.triggers} triggers, ${c.searches} searches, ` +
            `${c.creates} creates, ${c.helpers} dropdown helpers, ${c.searchOrCreates} find-or-create.\n` +
            `Categories: ${r.categories.join(", ")}.\n\n` +
            "Next, to make it a private integration in your Zapier account (hlconnect's docs/zapier.md):\n" +
            next.map((s) => `  # ${s.why}\n  ${s.command}`).join("\n") +
            "\n\nBefore pushing, its own tests run every step against `hlconnect sandbox` (README.md in the folder).\n",
        );
      } catch (err) {
        if (err instanceof ExportError || err instanceof UnknownCategoryError)
          throw new CliError(err.message, 2);
        throw err;
      }
    });
}
