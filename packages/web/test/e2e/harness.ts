// End-to-end harness: `hlconnect serve --demo --json` as a child process on a free port with a
// temporary data dir and flows folder, and Debian's Chromium driven by playwright-core with a fresh
// profile. Screenshots go to test-artifacts/e2e/ (gitignored; CI keeps them as artefacts).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const ROOT = path.resolve(import.meta.dirname, "../../../..");
export const BIN = path.join(ROOT, "packages/app/bin/hlconnect.mjs");
export const ARTIFACTS = path.join(ROOT, "test-artifacts/e2e");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface Demo {
  serverUrl: string;
  apiToken: string;
  dataDir: string;
  flowsDir: string;
  sandbox: { baseUrl: string; locationId: string; locationToken: string };
  /** The demo's one-click sign-in link, as it prints it. */
  signInUrl: string;
  child: ChildProcess;
  stop: () => Promise<void>;
  /** The server's API with the bearer token, as a script would call it. */
  api: <T>(method: string, p: string, body?: unknown) => Promise<T>;
  /** The sandbox's HighLevel API with the location token. */
  sandboxApi: <T>(method: string, p: string, body?: unknown) => Promise<T>;
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["HLCONNECT_SECRET", "HLCONNECT_API_TOKEN", "HIGHLEVEL_BASE_URL", "HIGHLEVEL_TOKEN"])
    delete env[k];
  return env;
}

/** Starts the demo server; `flowsDir` (default: a new empty temp dir) is passed as --flows. */
export async function startDemo(options: { flowsDir?: string } = {}): Promise<Demo> {
  if (!existsSync(path.join(ROOT, "packages/web/dist/index.html"))) {
    throw new Error("the web app is not built: run `npm run build:web` first");
  }
  const flowsDir = options.flowsDir ?? mkdtempSync(path.join(tmpdir(), "hlc-e2e-flows-"));
  const dataDir = mkdtempSync(path.join(tmpdir(), "hlc-e2e-data-"));
  const child = spawn(
    process.execPath,
    [BIN, "serve", "--demo", "--json", "--port", "0", "--data", dataDir, "--flows", flowsDir],
    { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-20_000);
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`no first line within 60 s; stderr:\n${stderr}`)),
      60_000,
    );
    child.stdout!.on("data", (c: Buffer) => {
      buffer += c.toString();
      const nl = buffer.indexOf("\n");
      if (nl >= 0 && timer) {
        clearTimeout(timer);
        resolve(buffer.slice(0, nl));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}) before its first line; stderr:\n${stderr}`));
    });
  });
  const start = JSON.parse(line) as Omit<
    Demo,
    "child" | "stop" | "api" | "sandboxApi" | "flowsDir" | "signInUrl"
  > & {
    signInUrl?: string;
  };
  const call =
    (base: string, headers: Record<string, string>) =>
    async <T>(method: string, p: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    };
  return {
    ...start,
    signInUrl: start.signInUrl ?? `${start.serverUrl}/login?token=${encodeURIComponent(start.apiToken)}`,
    flowsDir,
    child,
    api: call(start.serverUrl, { authorization: `Bearer ${start.apiToken}` }),
    sandboxApi: call(start.sandbox.baseUrl, {
      authorization: `Bearer ${start.sandbox.locationToken}`,
      version: "2021-07-28",
    }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (!options.flowsDir) rmSync(flowsDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/** Chromium with a fresh profile; console errors of the page are collected for the tests to check. */
export async function openBrowser(): Promise<Browser & { consoleErrors: string[] }> {
  const profile = mkdtempSync(path.join(tmpdir(), "hlc-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
    // axe-core is injected as a script; the page's CSP (rightly) forbids that.
    bypassCSP: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  const consoleErrors: string[] = [];
  page.on("pageerror", (e) => consoleErrors.push(e.message));
  // "Leave without saving?" and the like: a person who navigates away on purpose says yes.
  context.on("dialog", (d) => void d.accept());
  return {
    context,
    page,
    consoleErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const AXE = path.join(ROOT, "node_modules/axe-core/axe.min.js");

/** axe-core on the page as it is now: the critical and serious violations, described. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
    return axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  })) as {
    violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Polls `fn` until it returns something other than undefined. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
