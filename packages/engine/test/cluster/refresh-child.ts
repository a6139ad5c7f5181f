// One process of the refresh race: its own PostgreSQL store and clients, 50 calls at once through an
// OAuth connection whose access token has expired. Prints {ok, errors}.
import { ConnectionClients } from "../../src/connections/clients.ts";
import { openPgStore } from "../../src/store/postgres/store.ts";
import { readyThenGo } from "./children.ts";

const [url, schema, secret, baseUrl, connectionId, calls] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const store = await openPgStore({ url, schema, secret, poolSize: 4 });
const clients = new ConnectionClients({ store, baseUrl, refreshSkewMs: 0 });
const connection = (await store.getConnection(connectionId))!;
await readyThenGo();
const client = await clients.client(connection);
const results = await Promise.allSettled(
  Array.from({ length: Number(calls) }, () =>
    client.call("get-location", { locationId: connection.locationIds[0]! }),
  ),
);
const errors = results.flatMap((r) =>
  r.status === "rejected" ? [String(r.reason?.message ?? r.reason)] : [],
);
process.stdout.write(`${JSON.stringify({ ok: results.length - errors.length, errors })}\n`);
await store.close();
process.exit(0);
