// `hlconnect connections`: add a Private Integration Token connection (stored encrypted with
// HLCONNECT_SECRET), authorize one by OAuth through the running server, list connections (never their
// secrets; the default one, which flows naming none use, marked), rename one or set its company id,
// test one with a cheap read, and remove one no enabled flow uses. The rules (default, duplicates,
// company id, removal) are the API's own functions, so both say the same.
import { registerSecret } from "@hlconnect/client";
import { defaultConnection } from "@hlconnect/engine/connections/default";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";
import { type Command, Option } from "commander";
import { checkCompanyIdText } from "../connections/company-id.ts";
import { samePitConnection } from "../server/connection-duplicate.ts";
import { removeConnection, updateConnection } from "../server/connection-edit.ts";
import { connectionScopeReport } from "../server/connection-scopes.ts";
import { type ConnectionTestResult, testConnection } from "../server/connection-test.ts";
import { HttpError } from "../server/http-errors.ts";
import { connectionViews } from "../server/views.ts";
import { oauthLink } from "./connections-oauth.ts";
import { DATA_HELP, openEngine, withEngine } from "./data.ts";
import { CliError } from "./errors.ts";
import { table, write } from "./format.ts";
import { addScaleOptions, type ScaleOptions } from "./scale.ts";

export function registerConnectionsCommands(program: Command): void {
  const connections = program
    .command("connections")
    .description("HighLevel connections: add, oauth, list, test, edit, remove");

  addScaleOptions(
    connections
      .command("add")
      .description("Add a HighLevel location by Private Integration Token (stored encrypted)")
      .option("--token <token>", "the Private Integration Token (default: $HIGHLEVEL_TOKEN)")
      .requiredOption("--location <id>", "the location (sub-account) id")
      .option("--label <label>", "a name to recognise it by")
      .option(
        "--company-id <id>",
        "the agency (company) id users search needs (default: read from the location when the token may)",
      )
      // The option's first name, kept so scripts written for it still work.
      .addOption(new Option("--company <id>").hideHelp())
      .option("--allow-duplicate", "add it even when this token is already stored for this location")
      .option("--data <dir>", DATA_HELP),
  ).action((opts: AddOptions) => addPitConnection(opts));

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
            c.default ? `${c.label} (default)` : c.label,
          ]),
        ),
      );
      if (all.length > 1) write("\nflows that name no connection use the default one (the first added)");
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
      // It was the default: the flows that name no connection moved to the next oldest.
      const next = removed.newDefault;
      if (next)
        write(`the default connection is now ${next.id} ("${next.label}"): flows that name none use it`);
    });
  });

  addScaleOptions(
    connections
      .command("edit")
      .description("Rename a connection or set its company (agency) id")
      .argument("<id>", "connection id")
      .option("--label <label>", "the new name")
      .option("--company-id <id>", 'the agency (company) id users search needs ("" removes it)')
      .option("--data <dir>", DATA_HELP),
  ).action((id: string, opts: EditOptions) => editConnection(id, opts));

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

interface AddOptions extends ScaleOptions {
  token?: string;
  location: string;
  label?: string;
  companyId?: string;
  company?: string;
  allowDuplicate?: boolean;
  data?: string;
}

async function addPitConnection(opts: AddOptions): Promise<void> {
  const token = (opts.token ?? process.env.HIGHLEVEL_TOKEN ?? "").trim();
  if (!token) throw new CliError("give the token with --token or in HIGHLEVEL_TOKEN", 2);
  registerSecret(token);
  const companyId = companyIdOption(opts.companyId ?? opts.company);
  const { engine } = await openEngine({
    data: opts.data,
    secretNeededFor: "the token is stored encrypted with it",
    scale: opts,
  });
  try {
    // The same token for the same location again is most often a repeated command: say so, unless asked.
    if (!opts.allowDuplicate) {
      const same = await samePitConnection(engine, token, opts.location);
      if (same) {
        throw new CliError(
          `this token for location ${opts.location} is already connection ${same.id} ("${same.label}"): ` +
            "nothing was added (add it a second time with --allow-duplicate)",
        );
      }
    }
    const record = await engine.addConnection(
      {
        label: opts.label ?? `HighLevel location ${opts.location}`,
        kind: "pit",
        locationIds: [opts.location],
        ...(companyId ? { companyId } : {}),
      },
      { privateToken: token },
    );
    // Tested on save: a token HighLevel refuses is not kept; missing scopes are named per flow. The
    // test also records the location's company id when none was given.
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
    const saved = (await engine.store.getConnection(record.id)) ?? record;
    await sayDefault(engine, saved);
    sayCompanyId(saved, companyId, tested);
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
}

/** A typed --company-id, trimmed; "" or absent: none. */
function companyIdOption(value: string | undefined): string | undefined {
  if (value === undefined || !value.trim()) return undefined;
  const checked = checkCompanyIdText(value);
  if ("problem" in checked) throw new CliError(`--company-id: ${checked.problem}`, 2);
  return checked.companyId;
}

/** Whether flows that name no connection will use the new one (the default is the first added). */
async function sayDefault(engine: Engine, added: ConnectionRecord): Promise<void> {
  const fallback = defaultConnection(await engine.store.listConnections());
  if (!fallback || fallback.id === added.id) {
    write("it is the default connection: flows that name no connection use it");
  } else {
    write(
      `flows that name no connection keep using the default, ${fallback.id} ("${fallback.label}"); ` +
        `flows use this one with \`connection: ${added.id}\``,
    );
  }
}

/** Where the company id came from, or that users search will miss it. */
function sayCompanyId(saved: ConnectionRecord, given: string | undefined, tested?: ConnectionTestResult) {
  const read = tested?.ok ? tested.location.companyId : undefined;
  if (!saved.companyId) {
    write(
      `warning: no company id is known for connection ${saved.id} (the token could not read it from the ` +
        "location): users search needs it: add --company-id with " +
        `\`hlconnect connections edit ${saved.id} --company-id COMPANY_ID\` (the id of the agency that owns the location)`,
    );
  } else if (!given && read) {
    write(`company id ${read} (read from the location)`);
  } else if (given && read && read !== given) {
    write(
      `warning: location ${saved.locationIds[0]} belongs to company ${read}, not ${given} (--company-id): ` +
        `users search would ask the wrong agency; fix it with \`hlconnect connections edit ${saved.id} --company-id ${read}\``,
    );
  }
}

interface EditOptions extends ScaleOptions {
  label?: string;
  companyId?: string;
  data?: string;
}

async function editConnection(id: string, opts: EditOptions): Promise<void> {
  if (opts.label === undefined && opts.companyId === undefined) {
    throw new CliError("say what to change: --label LABEL and/or --company-id ID", 2);
  }
  const changes: Record<string, unknown> = {
    ...(opts.label !== undefined ? { label: opts.label } : {}),
    // "" removes it; anything else is checked here so the message names the option, not the API field.
    ...(opts.companyId !== undefined ? { companyId: companyIdOption(opts.companyId) ?? "" } : {}),
  };
  await withEngine({ data: opts.data, mustExist: true, scale: opts }, async (engine) => {
    let saved: ConnectionRecord;
    try {
      saved = await updateConnection(engine, id, changes);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 404)
        throw new CliError(`no connection "${id}" (see \`hlconnect connections list\`)`);
      throw new CliError(err.message, 2);
    }
    write(
      `connection ${saved.id} ("${saved.label}"): ` +
        (saved.companyId ? `company id ${saved.companyId}` : "no company id (users search needs one)"),
    );
  });
}
