// What the sandbox was asked, for tests and for `GET /__sandbox/requests`.

export interface RequestLogEntry {
  /** Increasing from 1; `?after=<id>` lists newer entries. */
  id: number;
  time: string;
  method: string;
  path: string;
  /** HTTP status answered; 0 when no answer was sent (timeout / reset faults). */
  status: number;
  locationId: string | null;
  operationId: string | null;
  fault: string | null;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private nextId = 1;

  constructor(private readonly limit = 10_000) {}

  add(e: Omit<RequestLogEntry, "id">): RequestLogEntry {
    const entry = { id: this.nextId++, ...e };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  /** `since`: entries at or after that time (epoch ms or ISO); `after`: entries with a larger id. */
  list(filter: { since?: number; after?: number } = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        (filter.since === undefined || Date.parse(e.time) >= filter.since) &&
        (filter.after === undefined || e.id > filter.after),
    );
  }

  clear(): void {
    this.entries = [];
  }
}
