// The toasts on screen, each belonging to the page it was raised on: moving to another page dismisses
// them, since "Renamed" or an error about a card means nothing once that card is gone. An action that
// itself navigates ("Flow saved", then the flow's page) carries its toast to the page it lands on,
// where it gets its full time to be read. No DOM here, so the rules are tested without a browser.

export interface ToastItem {
  id: number;
  text: string;
  bad: boolean;
  /** The page (hash path) it belongs to. */
  page: string;
  /** Moves along with the next change of page instead of being dismissed by it. */
  carry: boolean;
}

/** How long a toast stays, in ms: errors longer, to be read. */
export const TOAST_MS = { ok: 4000, bad: 8000 };

type Schedule = (fn: () => void, ms: number) => unknown;

export class ToastStore {
  items: readonly ToastItem[] = [];
  #next = 1;
  readonly #listeners = new Set<() => void>();
  readonly #schedule: Schedule;

  constructor(schedule: Schedule = (fn, ms) => setTimeout(fn, ms)) {
    this.#schedule = schedule;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  raise(text: string, o: { page: string; bad?: boolean; carry?: boolean }): number {
    const item: ToastItem = {
      id: this.#next++,
      text,
      bad: o.bad ?? false,
      page: o.page,
      carry: o.carry ?? false,
    };
    this.#set([...this.items, item]);
    this.#expire(item);
    return item.id;
  }

  dismiss(id: number): void {
    if (this.items.some((t) => t.id === id)) this.#set(this.items.filter((t) => t.id !== id));
  }

  /** The page is now `page`: other pages' toasts go, unless carried here (then they stay their full time). */
  pageChanged(page: string): void {
    const next: ToastItem[] = [];
    const carried: ToastItem[] = [];
    for (const t of this.items) {
      if (t.page === page) next.push(t.carry ? { ...t, carry: false } : t);
      else if (t.carry) {
        // A new id: the timer of its old page no longer removes it.
        const moved = { ...t, id: this.#next++, page, carry: false };
        next.push(moved);
        carried.push(moved);
      }
    }
    const changed = next.length !== this.items.length || next.some((t, i) => t !== this.items[i]);
    if (changed) this.#set(next);
    for (const t of carried) this.#expire(t);
  }

  #expire(t: ToastItem): void {
    this.#schedule(() => this.dismiss(t.id), t.bad ? TOAST_MS.bad : TOAST_MS.ok);
  }

  #set(items: ToastItem[]): void {
    this.items = items;
    for (const l of this.#listeners) l();
  }
}
