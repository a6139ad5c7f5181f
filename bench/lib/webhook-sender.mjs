// The sender of the ingest suite, in a process of its own as HighLevel's senders are: the figures
// are then the server's answer times, not stalls of the bench process (which also reads the
// children's output and polls the API). Signs each delivery with Ed25519, sends at a fixed rate over
// keep-alive connections, sends a 429'd delivery again after a second (as HighLevel redelivers),
// and prints one JSON line with what it saw. Input: one JSON argument
// { url, privateKeyPem, locationId, total, perSecond, idPrefix }.
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import http from "node:http";

const { url, privateKeyPem, locationId, total, perSecond, idPrefix } = JSON.parse(process.argv[2]);
const key = createPrivateKey(privateKeyPem);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const target = new URL(url);

const latencies = [];
const counts = { ok: 0, tooMany: 0, other: 0, resets: 0, slow: 0 };

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-ghl-signature": sign(null, Buffer.from(body), key).toString("base64"),
        },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function deliver(i) {
  const body = JSON.stringify({
    type: "ContactCreate",
    locationId,
    id: `${idPrefix}-${i}`,
    webhookId: randomUUID(),
    timestamp: new Date().toISOString(),
  });
  for (;;) {
    const t0 = performance.now();
    let status;
    try {
      status = await post(body);
    } catch {
      // A connection the server dropped: nothing was acknowledged, so it is sent again.
      counts.resets++;
      await wait(1000);
      continue;
    }
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (ms > 1000) counts.slow++;
    if (status === 200) return void counts.ok++;
    if (status !== 429) return void counts.other++;
    counts.tooMany++;
    await wait(1000);
  }
}

const began = performance.now();
const sends = [];
for (let i = 0; i < total; i++) {
  const due = began + (i * 1000) / perSecond;
  const gap = due - performance.now();
  if (gap > 0) await wait(gap);
  sends.push(deliver(i));
}
await Promise.all(sends);
agent.destroy();
process.stdout.write(`${JSON.stringify({ ...counts, latencies })}\n`);
