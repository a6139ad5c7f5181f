// The README's command lines are what users type: every command, subcommand and option they show must
// exist in the CLI (a renamed option fails here, not in a user's terminal), and they are written the
// way they run after `npm ci` (`npx hlconnect ...`).
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { GROUPS } from "../src/cli/main.ts";

const README = readFileSync(path.resolve(import.meta.dirname, "../../../README.md"), "utf8");

/** The lines of the "Command line" section's code block, continuation lines joined. */
function commandLines(): string[] {
  const section = README.slice(README.indexOf("## Command line"));
  const block = section.slice(
    section.indexOf("```\n") + 4,
    section.indexOf("\n```", section.indexOf("```\n") + 4),
  );
  const lines: string[] = [];
  for (const line of block.split("\n")) {
    if (/^\s/.test(line) && lines.length) lines[lines.length - 1] += ` ${line.trim()}`;
    else if (line.trim()) lines.push(line.trim());
  }
  return lines;
}

async function groupCommand(name: string): Promise<Command> {
  const program = new Command();
  (await GROUPS[name]!())(program);
  return program.commands.find((c) => c.name() === name)!;
}

const optionsOf = (c: Command) => c.options.map((o) => o.long);

describe("the README's command lines", () => {
  const lines = commandLines();

  it("are written as they run after npm ci", () => {
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatch(/^npx hlconnect /);
  });

  it("name only commands, subcommands and options that exist", async () => {
    const problems: string[] = [];
    for (const line of lines) {
      const rest = line.replace(/^npx hlconnect /, "");
      const group = rest.split(" ")[0]!;
      if (group.startsWith("-")) continue; // --version | --help | COMMAND --help
      if (!(group in GROUPS)) {
        problems.push(`${group}: no such command`);
        continue;
      }
      const cmd = await groupCommand(group);
      // Alternatives are separated by " | " outside brackets and parentheses.
      const alternatives = rest.slice(group.length).split(/ \| (?![^[(]*[\])])/);
      for (const alt of alternatives) {
        const words = alt.trim().split(/\s+/).filter(Boolean);
        let target = cmd;
        if (cmd.commands.length) {
          const sub = cmd.commands.find((c) => c.name() === words[0]);
          if (!sub) {
            problems.push(`${group} ${words[0]}: no such subcommand`);
            continue;
          }
          target = sub;
        }
        for (const opt of alt.match(/--[a-z][a-z-]*/g) ?? []) {
          if (!optionsOf(target).includes(opt) && !optionsOf(cmd).includes(opt)) {
            problems.push(`${group} ${target === cmd ? "" : `${target.name()} `}${opt}: no such option`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
