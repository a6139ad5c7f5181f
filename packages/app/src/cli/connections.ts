// `hlconnect connections`: add a Private Integration Token connection (stored encrypted with
// HLCONNECT_SECRET), authorize one by OAuth through the running server, list connections (never their
// secrets), test one with a cheap read, and remove one no enabled flow uses.
import { registerSecret } from "@hlconnect/client";
import type { Command } from "commander";
import { removeConnection } from "../server/connection-edit.ts";
import { connectionScopeReport } from "../server/connection-scopes.ts";
import { testConnection } from "../server/connection-test.ts";
import { connectionViews } from "../server/views.ts";
import { oauthLink } from "./connections-oauth.ts";
import { DATA_HELP, openEngine, withEngine } from "./data.ts";
import { CliError } from "./errors.ts";
import { table, write } from "./format.ts";
import { addScaleOptions, type ScaleOptions } from "./scale.ts";

export function registerConnectionsCommands(program: Command): void {
  const connections = program
    .command("connections")
    .description("HighLevel connections: add, oauth, list, test, remove");

  addScaleOptions(
    connections
      .command("add")
      .description("Add a HighLevel location by Private Integration Token (stored encrypted)")
      .option("--token <token>", "the Private Integration Token (default: $HIGHLEVEL_TOKEN)")
      .requiredOption("--location <id>", "the location (sub-account) id")
      .option("--label <label>", "a name to recognise it by")
      .option("--company <id>", "the agency (company) id")
      .option("--data <dir>", DATA_HELP),
  ).action(
    async (
      opts: ScaleOptions & {
        token?: string;
        location: string;
        label?: string;
        company?: string;
        data?: string;
      },
    ) => {
      const token = (opts.token ?? process.env.HIGHLEVEL_TOKEN ?? "").trim();
      if (!token) throw new CliError("give the token with --token or in HIGHLEVEL_TOKEN", 2);
      registerSecret(token);
      const { engine } = await openEngine({
        data: opts.data,
        secretNeededFor: "the token is stored encrypted with it",
        scale: opts,
      });
      try {
        const record = await engine.addConnection(
          {
            label: opts.label ?? `HighLevel location ${opts.location}`,
            kind: "pit",
            locationIds: [opts.location],
            ...(opts.company ? { companyId: opts.company } : {}),
          },
          { privateToken: token },
        );
        // Tested on save: a token HighLevel refuses is not kept; missing scopes are named per flow.
        const tested = await testConnection(engine, record.id);
        // Only a token HighLevel refuses is dropped; one without the location read scope still works
        // for its flows, and one that could not be checked (HighLevel unreachable) is kept, marked failing.
        if (tested && !tested.ok && tested.status === 401 && !/scope/i.test(tested.error)) {
          await engine.store.deleteConnection(record.id);
          engine.clients.forget(record.id);
          throw new CliError(`the token was not saved: HighLevel refused it (${tested.error})`);
        }
        const where = tested?.ok && tested.location.name ? ` "${tested.location.name}"` : "";
        write(`added connection ${record.id} ("${record.label}", location ${opts.location}${where})`);
        if (tested && !tested.ok && !/scope/i.test(tested.error)) {
          write(`warning: could not test it: ${tested.error}`);
          write(`test it again with: hlconnect connections test ${record.id}`);
          return;
        }
        const report = await connectionScopeReport(engine, record);
        for (const m of report.missing) write(`warning: ${m.message}, which this token lacks`);
        for (const u of report.unchecked) write(`note: could not check ${u.scope}: ${u.reason}`);
        if (report.flows.length && !report.missing.length) {
          write(`the token holds every scope its ${report.flows.length} flow(s) need`);
        }
      } finally {
        await engine.stop();
      }
    },
  );

  addScaleOptions(
    connections
      .command("list")
      .description("List connections (without their secrets)")
      .option("--data <dir>", DATA_HELP)
      .option("--json", "print JSON"),
  ).action(async (opts: ScaleOptions & { data?: string; json?: boolean }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      const all = await connectionViews(engine, await engine.store.listConnections());
      if (opts.json) return write(JSON.stringify(all, null, 2));
      if (all.length === 0) return write("no connections yet: add one with `hlconnect connections add`");
      write(
        table(
          ["ID", "KIND", "LOCATIONS", "STATUS", "LABEL"],
          all.map((c) => [
            c.id,
            c.kind,
            c.locationIds.join(",") || "-",
            c.health + (c.pausedFlows.length ? ` (paused: ${c.pausedFlows.map((f) => f.id).join(",")})` : ""),
            c.label,
          ]),
        ),
      );
      for (const c of all) {
        if (c.statusReason) write(`\n${c.id}: ${c.statusReason}`);
        else if (c.health === "failing")
          write(`\n${c.id}: last test failed: ${c.lastTest?.reason ?? "no reason given"}`);
        else if (c.health === "untested")
          write(`\n${c.id}: not tested yet: run \`hlconnect connections test ${c.id}\``);
      }
    });
  });

  connections
    .command("oauth")
    .description("Print a one-time link that authorizes a connection by OAuth through the running server")
    .option(
      "--agency",
      "authorize an agency (Company): its sub-accounts are reached with minted location tokens",
    )
    .option("--label <label>", "a name to recognise it by")
    .option(
      "--reconnect <id>",
      "authorize this connection again (same location or agency) and resume its flows",
    )
    .option("--white-label", "use the white-label marketplace (marketplace.leadconnectorhq.com)")
    .option("--open", "open the link in the default browser")
    .option("--server <url>", "the server (default: $HLCONNECT_SERVER_URL, else the one serving --data)")
    .option("--data <dir>", DATA_HELP)
    .option("--json", "print {link, expiresAt}")
    .addHelpText(
      "after",
      `
The server runs the exchange: it needs HIGHLEVEL_CLIENT_ID and HIGHLEVEL_CLIENT_SECRET (serve --demo uses
the sandbox's app), and HighLevel must be able to send the browser back to its /oauth/callback
(HLCONNECT_PUBLIC_URL when it is not reached at the address it listens on). The link is signed with
HLCONNECT_SECRET, works once and expires after 10 minutes.`,
    )
    .action(
      (opts: {
        agency?: boolean;
        label?: string;
        reconnect?: string;
        whiteLabel?: boolean;
        open?: boolean;
        server?: string;
        data?: string;
        json?: boolean;
      }) => oauthLink(opts),
    );

  addScaleOptions(
    connections
      .command("remove")
      .description("Remove a connection (refused while enabled flows use it)")
      .argument("<id>", "connection id")
      .option("--data <dir>", DATA_HELP),
  ).action(async (id: string, opts: ScaleOptions & { data?: string }) => {
    await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
      const removed = await removeConnection(engine, id);
      write(`removed connection ${removed.id} ("${removed.label}")`);
    });
  });

  addScaleOptions(
    connections
      .command("test")
      .description("Read the connection's location through it (HIGHLEVEL_BASE_URL picks the API)")
      .argument("<id>", "connection id")
      .option("--data <dir>", DATA_HELP),
  ).action(async (id: string, opts: ScaleOptions & { data?: string }) => {
    const { engine } = await openEngine({
      data: opts.data,
      mustExist: true,
      secretNeededFor: "it decrypts the connection's token",
      scale: opts,
    });
    try {
      const result = await testConnection(engine, id);
      if (!result) throw new CliError(`no connection "${id}" (see \`hlconnect connections list\`)`);
      if (!result.ok) {
        throw new CliError(
          `connection ${id} does not work: ${result.error}${result.status ? ` (HTTP ${result.status})` : ""}`,
        );
      }
      write(
        `connection ${id} works: location ${result.location.id}${result.location.name ? ` (${result.location.name})` : ""}`,
      );
    } finally {
      await engine.stop();
    }
  });
}
