// Issue 7, figures 1 and 2: how close a sync of a few thousand writes runs to the rate limit's ceiling
// without tripping it, for one location and for ten at once. The sandbox enforces a compressed burst
// window (HighLevel: 100 per 10 s) and its own request log says what it accepted in each of its
// windows. Ours and the official SDK (rateLimitRetry on) run the same loop, the one the SDK's README
// suggests: concurrent calls, here a pool of workers each upserting one record after another.
//
// Each side starts from the sandbox's seeded state (POST /__sandbox/reset): the sandbox looks for a
// duplicate among all of a location's contacts on every upsert, so its cost grows with the contacts
// already there, and the second side must not pay for the first side's records.
import type { HighLevel } from "@gohighlevel/api-client";
import { HighLevelClient, InMemoryRateLimiter, type InMemoryRateLimiterOptions } from "@hlconnect/client";
import { type PoolResult, quietConsole, runPool, sdkFor, sleep } from "../lib/drive.ts";
import type { Figure } from "../lib/report.ts";
import { type SandboxProcess, startSandboxProcess } from "../lib/sandbox-process.ts";
import { forLocation, type WindowStats, windowStats } from "../lib/windows.ts";

/** Workers per location: the same simple loop for both clients. */
const CONCURRENCY = 20;
const VERSION = "2021-07-28";
const PEER = { peerName: "SDK rateLimitRetry" };

interface Limit {
  max: number;
  windowMs: number;
}

interface Location {
  id: string;
  token: string;
}

interface Side {
  /** Upsert record i of `run` into location `loc` (index into the location list). */
  upsert(loc: number, run: string, i: number): Promise<unknown>;
}

interface Outcome {
  pool: PoolResult;
  all: WindowStats;
  perLocation: WindowStats[];
  sent: number;
}

function record(locationId: string, run: string, i: number) {
  return {
    locationId,
    firstName: `Bench${i}`,
    lastName: run,
    email: `${run}-${i}@bench.example`,
    source: "bench",
  };
}

function ourSide(
  sb: SandboxProcess,
  locations: Location[],
  limiterOptions?: InMemoryRateLimiterOptions,
): Side {
  // One limiter shared by every location's client, as the engine shares one between connections.
  const limiter = new InMemoryRateLimiter(limiterOptions);
  const clients = locations.map(
    (l) => new HighLevelClient({ credentials: l.token, baseUrl: sb.info.baseUrl, locationId: l.id, limiter }),
  );
  return {
    upsert: (loc, run, i) =>
      clients[loc]!.call("upsert-contact", {}, record(locations[loc]!.id, run, i) as never),
  };
}

function sdkSide(sb: SandboxProcess, locations: Location[]): Side {
  const sdks: HighLevel[] = locations.map((l) => sdkFor(sb.info.baseUrl, l.token, true));
  return {
    upsert: (loc, run, i) => sdks[loc]!.contacts.upsertContact(record(locations[loc]!.id, run, i) as never),
  };
}

/**
 * `perLocation` upserts into each of `locations` at once; what the sandbox accepted, window by window.
 * Each run starts 20 ms into a fresh sandbox window, with an empty request log.
 */
async function sync(
  sb: SandboxProcess,
  side: Side,
  locations: Location[],
  run: string,
  perLocation: number,
  limit: Limit,
): Promise<Outcome> {
  await sb.clearRequests();
  await sleep(limit.windowMs - (Date.now() % limit.windowMs) + 20);
  const log = sb.collect();
  const total = perLocation * locations.length;
  const pool = await quietConsole(() =>
    runPool(total, CONCURRENCY * locations.length, (n) =>
      side.upsert(n % locations.length, run, Math.floor(n / locations.length)),
    ),
  );
  const entries = (await log.stop()).filter((e) => e.operationId === "upsert-contact");
  return {
    pool,
    all: windowStats(entries, limit.windowMs, limit.max * locations.length),
    perLocation: locations.map((l) => windowStats(forLocation(entries, l.id), limit.windowMs, limit.max)),
    sent: entries.length,
  };
}

const pct = (x: number) => Number((100 * x).toFixed(1));
const tooManyShare = (o: Outcome) => (o.sent ? o.all.tooMany / o.sent : 0);

function describe(o: Outcome): string {
  return (
    `${o.pool.failed} failed, ${o.all.tooMany} x 429 of ${o.sent} sent, ` +
    `${o.all.steadyPerWindow.toFixed(1)}/window over ${o.all.steadyWindows} steady windows ` +
    `(worst ${pct(o.all.worstWindow)}%), ${o.pool.seconds.toFixed(1)} s` +
    (o.pool.errors[0] ? `; first error: ${o.pool.errors[0].slice(0, 120)}` : "")
  );
}

/** The seeded location again, from a fresh copy of the sandbox's seeded data. */
async function seededLocation(sb: SandboxProcess): Promise<Location[]> {
  await sb.control("reset", { method: "POST" });
  return [{ id: sb.info.locationId, token: sb.info.locationToken }];
}

export async function ceilingUtilisation(quick: boolean): Promise<Figure[]> {
  const records = quick ? 600 : 3000;
  const limit = { max: 100, windowMs: 1000 };
  const sb = await startSandboxProcess(["--rate-limit", `${limit.max}/${limit.windowMs}`]);
  try {
    let locations = await seededLocation(sb);
    const a = await sync(sb, ourSide(sb, locations), locations, "ours", records, limit);
    locations = await seededLocation(sb);
    const b = await sync(sb, sdkSide(sb, locations), locations, "sdk", records, limit);
    // Diagnosis: the limiter merges Remaining reports up to reorderWindowMs (2,000 ms) apart by the
    // lowest; with a window shorter than that, a report from before the window reset keeps pinning
    // the allowance at zero. Scaled by the same 10x as the window, the loss shows where it comes from.
    locations = await seededLocation(sb);
    const c = await sync(
      sb,
      ourSide(sb, locations, { reorderWindowMs: 200 }),
      locations,
      "ours-scaled",
      records,
      limit,
    );
    const suite = `${records} upserts vs ${limit.max}/${limit.windowMs} ms`;
    return [
      {
        suite,
        figure: "accepted requests per window, steady part",
        unit: "% of limit",
        ours: pct(a.all.utilisation),
        peer: pct(b.all.utilisation),
        ...PEER,
        target: ">= 95%",
        met: a.all.utilisation >= 0.95,
        better: "higher",
        note: `ours: ${describe(a)}. SDK: ${describe(b)}. ${CONCURRENCY} workers each.`,
      },
      {
        suite,
        figure: "429 answers",
        unit: "% of requests",
        ours: pct(tooManyShare(a)),
        peer: pct(tooManyShare(b)),
        ...PEER,
        target: "< 1%",
        met: tooManyShare(a) < 0.01,
        better: "lower",
        note: `ours ${a.all.tooMany} of ${a.sent}, SDK ${b.all.tooMany} of ${b.sent}`,
      },
      {
        suite,
        figure: "failed records",
        unit: "records",
        ours: a.pool.failed,
        peer: b.pool.failed,
        ...PEER,
        target: "0",
        met: a.pool.failed === 0,
        better: "lower",
      },
      {
        suite,
        figure: "wall time",
        unit: "s",
        ours: Number(a.pool.seconds.toFixed(2)),
        peer: Number(b.pool.seconds.toFixed(2)),
        ...PEER,
        better: "lower",
        note: `the floor is ${(records / limit.max).toFixed(0)} windows of ${limit.windowMs} ms`,
      },
      {
        suite,
        figure: "diagnosis: ours, limiter reorderWindowMs 200 (scaled 10x like the window)",
        unit: "% of limit",
        ours: pct(c.all.utilisation),
        peer: pct(b.all.utilisation),
        ...PEER,
        better: "higher",
        note: `ours (reorderWindowMs 200): ${describe(c)}; 429s ${pct(tooManyShare(c))}%`,
      },
    ];
  } finally {
    await sb.stop();
  }
}

/** A fresh copy of the seeded data, and `n` new sub-accounts of its agency, each with a location token. */
async function freshLocations(sb: SandboxProcess, n: number): Promise<Location[]> {
  await sb.control("reset", { method: "POST" });
  const out: Location[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${sb.info.baseUrl}/locations/`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${sb.info.agencyToken}`,
        version: VERSION,
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: `Bench location ${i + 1}`, companyId: sb.info.companyId }),
    });
    const body = (await res.json()) as { id?: string; location?: { id?: string } };
    const id = body.id ?? body.location?.id;
    if (!res.ok || !id) throw new Error(`create-location answered ${res.status}: ${JSON.stringify(body)}`);
    const { token } = await sb.control<{ token: string }>("tokens", {
      body: { type: "location", locationId: id },
    });
    out.push({ id, token });
  }
  return out;
}

export async function manyLocations(quick: boolean): Promise<Figure[]> {
  const count = 10;
  // The sandbox is one process on one core and spends 1 to 2 ms on an upsert: ten locations at 100
  // per second would be ~1,000 upserts/s, beyond what it can serve on a small machine, and the figure
  // would measure the sandbox. 25 per 1,000 ms per location keeps it at ~250/s, well within.
  const limit = { max: 25, windowMs: 1000 };
  const perLocation = quick ? 100 : 400;
  const sb = await startSandboxProcess(["--rate-limit", `${limit.max}/${limit.windowMs}`]);
  try {
    const sides = [
      ["ours", (l: Location[]) => ourSide(sb, l)],
      ["sdk", (l: Location[]) => sdkSide(sb, l)],
    ] as const;
    const results: Record<string, { single: Outcome; many: Outcome }> = {};
    for (const [name, make] of sides) {
      let locations = await freshLocations(sb, 1);
      const single = await sync(sb, make(locations), locations, `${name}-one`, perLocation, limit);
      locations = await freshLocations(sb, count);
      const many = await sync(sb, make(locations), locations, `${name}-ten`, perLocation, limit);
      results[name] = { single, many };
    }
    const a = results.ours!;
    const b = results.sdk!;
    const scale = (r: { single: Outcome; many: Outcome }) =>
      r.many.all.steadyPerWindow / r.single.all.steadyPerWindow;
    const suite = `${count} locations x ${perLocation} upserts, ${limit.max}/${limit.windowMs} ms each`;
    const perSecond = (o: Outcome) => Math.round((o.all.steadyPerWindow * 1000) / limit.windowMs);
    const worstLocation = (o: Outcome) => Math.min(...o.perLocation.map((s) => s.utilisation));
    return [
      {
        suite,
        figure: "aggregate rate / one location's rate",
        unit: "x",
        ours: Number(scale(a).toFixed(2)),
        peer: Number(scale(b).toFixed(2)),
        ...PEER,
        target: ">= 9x",
        met: scale(a) >= 9,
        better: "higher",
        note:
          `accepted/s over the steady part: ours ${perSecond(a.many)} (one location alone ${perSecond(a.single)}), ` +
          `SDK ${perSecond(b.many)} (one location alone ${perSecond(b.single)}); ` +
          `least-used location: ours ${pct(worstLocation(a.many))}%, SDK ${pct(worstLocation(b.many))}% of its limit`,
      },
      {
        suite,
        figure: "aggregate accepted requests per window, steady part",
        unit: `% of ${count}x limit`,
        ours: pct(a.many.all.utilisation),
        peer: pct(b.many.all.utilisation),
        ...PEER,
        target: ">= 95%",
        met: a.many.all.utilisation >= 0.95,
        better: "higher",
        note: `ours: ${describe(a.many)}. SDK: ${describe(b.many)}.`,
      },
      {
        suite,
        figure: "429 answers, 10 locations",
        unit: "% of requests",
        ours: pct(tooManyShare(a.many)),
        peer: pct(tooManyShare(b.many)),
        ...PEER,
        target: "< 1%",
        met: tooManyShare(a.many) < 0.01,
        better: "lower",
      },
      {
        suite,
        figure: "failed records, 10 locations",
        unit: "records",
        ours: a.many.pool.failed,
        peer: b.many.pool.failed,
        ...PEER,
        target: "0",
        met: a.many.pool.failed === 0 && a.single.pool.failed === 0,
        better: "lower",
        note: `one location alone: ours ${a.single.pool.failed}, SDK ${b.single.pool.failed} failed`,
      },
    ];
  } finally {
    await sb.stop();
  }
}
