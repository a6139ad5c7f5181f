// `hlconnect doctor --live`: the checks that matter once flows run against a real account. The
// server's public URL answers (HighLevel and Zapier post there), webhooks are checked against the right
// key, every enabled flow's connection holds the scopes the flow needs, and the clock is close enough to
// HighLevel's for signed webhooks (older than DEFAULT_WEBHOOK_MAX_AGE_MS are refused as replays).
import { DEFAULT_WEBHOOK_MAX_AGE_MS } from "@hlconnect/client";
import type { Check } from "./doctor.ts";

const TIMEOUT_MS = 5000;

export async function liveChecks(data: string | undefined, baseUrl: string): Promise<Check[]> {
  return [
    publicKeyCheck(baseUrl),
    await publicUrlCheck(),
    await clockCheck(baseUrl),
    ...(await scopeChecks(data)),
  ];
}

function publicKeyCheck(baseUrl: string): Check {
  const override = process.env.HIGHLEVEL_WEBHOOK_PUBLIC_KEY?.trim();
  const real = /leadconnectorhq\.com|gohighlevel\.com/.test(baseUrl);
  if (!override)
    return { level: "ok", what: "webhook key", detail: "HighLevel's published Ed25519 key (the default)" };
  return real
    ? {
        level: "warn",
        what: "webhook key",
        detail:
          "HIGHLEVEL_WEBHOOK_PUBLIC_KEY replaces HighLevel's published key: real webhooks will be refused unless it is HighLevel's",
        fix: "unset HIGHLEVEL_WEBHOOK_PUBLIC_KEY (it is for the sandbox and tests)",
      }
    : { level: "ok", what: "webhook key", detail: "HIGHLEVEL_WEBHOOK_PUBLIC_KEY (a sandbox's key)" };
}

async function publicUrlCheck(): Promise<Check> {
  const url = process.env.HLCONNECT_PUBLIC_URL?.trim();
  if (!url) {
    return {
      level: "warn",
      what: "public URL",
      detail:
        "HLCONNECT_PUBLIC_URL is not set: HighLevel's webhooks, hooks and the OAuth callback cannot reach this server",
      fix: "put the server behind HTTPS (docs/going-live.md, section 3) and set HLCONNECT_PUBLIC_URL=https://your-host",
    };
  }
  const target = `${url.replace(/\/+$/, "")}/healthz`;
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
    await res.body?.cancel();
    if (!res.ok) {
      return {
        level: "fail",
        what: "public URL",
        detail: `${target} answered HTTP ${res.status}`,
        fix: "the reverse proxy must pass /healthz, /webhooks/highlevel, /hooks/* and /oauth/callback to hlconnect",
      };
    }
    const https = url.startsWith("https://");
    return https
      ? { level: "ok", what: "public URL", detail: `${target} answers` }
      : {
          level: "warn",
          what: "public URL",
          detail: `${url} is not HTTPS: HighLevel requires https for webhook and redirect URLs`,
          fix: "serve it through a reverse proxy with TLS (docs/going-live.md, section 3)",
        };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return {
      level: "fail",
      what: "public URL",
      detail: `${target} does not answer (${cause})`,
      fix: "check the DNS name, the reverse proxy and that `hlconnect serve` runs",
    };
  }
}

/** Skew between this machine and HighLevel's Date header. */
async function clockCheck(baseUrl: string): Promise<Check> {
  try {
    const before = Date.now();
    const res = await fetch(baseUrl, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
    await res.body?.cancel();
    const after = Date.now();
    const date = res.headers.get("date");
    if (!date)
      return { level: "warn", what: "clock", detail: `${baseUrl} sent no Date header to compare with` };
    // The Date header has whole seconds: a skew under 2 s cannot be told apart from rounding.
    const skew = Date.parse(date) - (before + after) / 2;
    const tolerance = DEFAULT_WEBHOOK_MAX_AGE_MS;
    const seconds = Math.round(skew / 1000);
    if (Math.abs(skew) > tolerance / 2) {
      return {
        level: Math.abs(skew) > tolerance ? "fail" : "warn",
        what: "clock",
        detail: `${Math.abs(seconds)} s ${skew > 0 ? "behind" : "ahead of"} HighLevel; webhooks older than ${tolerance / 1000} s are refused`,
        fix: "synchronise the clock (timedatectl set-ntp true)",
      };
    }
    return {
      level: "ok",
      what: "clock",
      detail: `within ${Math.max(1, Math.abs(seconds))} s of HighLevel's`,
    };
  } catch (err) {
    return {
      level: "warn",
      what: "clock",
      detail: `could not compare with ${baseUrl}: ${(err as Error).message}`,
    };
  }
}

async function scopeChecks(data: string | undefined): Promise<Check[]> {
  const { openEngine } = await import("./data.ts");
  const { connectionScopeReport } = await import("../server/connection-scopes.ts");
  let engine: Awaited<ReturnType<typeof openEngine>>["engine"] | undefined;
  try {
    engine = (await openEngine({ data, mustExist: true })).engine;
    const enabled = new Set((await engine.store.listFlows({ enabled: true })).map((f) => f.id));
    const checks: Check[] = [];
    for (const connection of await engine.store.listConnections()) {
      const what = `scopes ${connection.id}`;
      try {
        const report = await connectionScopeReport(engine, connection);
        const missing = report.missing.filter((m) => enabled.has(m.flowId));
        const flows = report.flows.filter((f) => enabled.has(f.flowId));
        checks.push(
          missing.length
            ? {
                level: "fail",
                what,
                detail: missing.map((m) => m.message).join("; "),
                fix:
                  connection.kind === "pit"
                    ? "edit the Private Integration in HighLevel (Settings > Private Integrations) to add the scopes, or make a new token"
                    : "add the scopes to the Marketplace app and reconnect (hlconnect connections oauth)",
              }
            : {
                level: "ok",
                what,
                detail: `"${connection.label}" holds every scope its ${flows.length} enabled flow(s) need`,
              },
        );
      } catch (err) {
        checks.push({ level: "fail", what, detail: `could not check: ${(err as Error).message}` });
      }
    }
    return checks;
  } catch (err) {
    return [{ level: "warn", what: "scopes", detail: (err as Error).message }];
  } finally {
    await engine?.stop().catch(() => {});
  }
}
