// A few requests in flight at once, and an order between leads that would write the same contact.

/** Run `fn` over items with at most `limit` running at once; stops taking new items once `stop()` says so. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && !stop() && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/**
 * Work sharing a key runs one after the other, in the order it was asked for (two leads with the
 * same owner's email would otherwise race to create the same contact). Each task waits only for
 * tasks registered before it, so there is no deadlock.
 */
export class KeyedSequencer {
  private readonly tails = new Map<string, Promise<void>>();

  async run<R>(keys: readonly string[], fn: () => Promise<R>): Promise<R> {
    const before = [...new Set(keys)].map((k) => this.tails.get(k)).filter((p) => p !== undefined);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const k of keys) this.tails.set(k, done);
    try {
      await Promise.all(before);
      return await fn();
    } finally {
      release();
      for (const k of keys) if (this.tails.get(k) === done) this.tails.delete(k);
    }
  }
}
