// `hlconnect connections oauth`: a one-time link to the running server's GET /oauth/start. The server
// runs the whole exchange (HighLevel must redirect back to it anyway, and it holds the encrypted store),
// so this command only signs a link with the data dir's HLCONNECT_SECRET and prints (or opens) it. With
// no server running it says how to start one rather than running a callback listener of its own.
import { spawn } from "node:child_process";
import type { UserType } from "@hlconnect/client";
import { START_LINK_TTL_MS, signStartLink, startLinkKey } from "../server/oauth/start-link.ts";
import { requireSecret, resolveDataDir, withEngine } from "./data.ts";
import { CliError } from "./errors.ts";
import { write } from "./format.ts";
import { findServerUrl } from "./server-file.ts";

export interface OAuthLinkOptions {
  agency?: boolean;
  open?: boolean;
  label?: string;
  whiteLabel?: boolean;
  reconnect?: string;
  server?: string;
  data?: string;
  json?: boolean;
}

const HEALTH_TIMEOUT_MS = 3_000;

export async function oauthLink(opts: OAuthLinkOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.data);
  const serverUrl = (opts.server ?? findServerUrl(dataDir))?.replace(/\/+$/, "");
  if (!serverUrl) {
    throw new CliError(
      `no hlconnect server is running on ${dataDir}: start one with \`hlconnect serve --data ${opts.data ?? dataDir}\` ` +
        "(HighLevel sends the browser back to its /oauth/callback), then run this again; " +
        "or name a server with --server URL",
    );
  }
  await mustAnswer(serverUrl);
  await mustHaveOAuthApp(serverUrl);
  const secret = requireSecret(
    dataDir,
    "the link is signed with it, and the server checks it with the same one",
  );
  const userType = opts.reconnect ? await reconnectUserType(opts) : opts.agency ? "Company" : "Location";
  const label = opts.label?.trim();
  const link = signStartLink(serverUrl, startLinkKey(secret), {
    userType,
    whiteLabel: Boolean(opts.whiteLabel),
    ...(label ? { label } : {}),
    ...(opts.reconnect ? { reconnect: opts.reconnect } : {}),
  });
  const expiresAt = new Date(Date.now() + START_LINK_TTL_MS).toISOString();
  if (opts.json) write(JSON.stringify({ link, expiresAt }));
  else {
    const what = opts.reconnect
      ? `reconnect ${opts.reconnect}`
      : userType === "Company"
        ? "connect an agency (its sub-accounts get location tokens)"
        : "connect a sub-account (location)";
    write(
      [
        `Open this link in a browser to ${what}; it works once, for ${START_LINK_TTL_MS / 60_000} minutes:`,
        "",
        `  ${link}`,
        "",
        "After HighLevel's consent page, the server saves the connection and says so; then",
        "`hlconnect connections list` shows it.",
      ].join("\n"),
    );
  }
  if (opts.open) openInBrowser(link);
}

/** A link to a server without a marketplace app would only lead to an error page: say what to set. */
async function mustHaveOAuthApp(serverUrl: string): Promise<void> {
  const res = await fetch(`${serverUrl}/oauth/status`, {
    signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
  }).catch(() => undefined);
  const status = res?.ok ? ((await res.json().catch(() => ({}))) as { configured?: unknown }) : {};
  if (status.configured !== false) return;
  throw new CliError(
    `the server at ${serverUrl} has no OAuth app configured: set HIGHLEVEL_CLIENT_ID and ` +
      "HIGHLEVEL_CLIENT_SECRET to your HighLevel marketplace app's where `hlconnect serve` runs, register " +
      `${serverUrl}/oauth/callback as the app's redirect URL, and restart the server ` +
      "(or add a Private Integration Token with `hlconnect connections add`)",
  );
}

async function mustAnswer(serverUrl: string): Promise<void> {
  try {
    await fetch(`${serverUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
  } catch (err) {
    throw new CliError(
      `no hlconnect server answers at ${serverUrl} (${(err as Error).message}): start it with \`hlconnect serve\``,
    );
  }
}

/** A reconnection authorizes the same kind of account as before. */
async function reconnectUserType(opts: OAuthLinkOptions): Promise<UserType> {
  const id = opts.reconnect as string;
  const connection = await withEngine({ data: opts.data, mustExist: true }, (engine) =>
    engine.store.getConnection(id),
  );
  if (!connection) throw new CliError(`no connection "${id}" (see \`hlconnect connections list\`)`);
  if (connection.kind === "pit") {
    throw new CliError(`connection ${id} uses a Private Integration Token: OAuth cannot reconnect it`, 2);
  }
  const userType: UserType = connection.kind === "agency" ? "Company" : "Location";
  if (opts.agency && userType !== "Company") {
    throw new CliError(`connection ${id} is a location connection: leave out --agency to reconnect it`, 2);
  }
  return userType;
}

function openInBrowser(url: string): void {
  // No shell: the URL's "&" would split a shell command.
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["rundll32", ["url.dll,FileProtocolHandler", url]]
        : ["xdg-open", [url]];
  const child = spawn(command, args as string[], { detached: true, stdio: "ignore" });
  child.on("error", () => write("(could not open a browser: open the link above yourself)"));
  child.unref();
}
