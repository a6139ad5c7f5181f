// Leadership: which process runs the scheduler. The embedded deployment's process always leads;
// scale-out leadership (a PostgreSQL advisory lock) is in leader.ts.

export interface LeadershipHandlers {
  gained(): void;
  lost(): void;
}

export interface Leadership {
  start(handlers: LeadershipHandlers): void;
  readonly isLeader: boolean;
  /** How many times this process became leader. */
  readonly terms: number;
  stop(): Promise<void>;
}

/** The embedded deployment: one process, always the leader. */
export function soleLeader(): Leadership {
  let leading = false;
  let handlers: LeadershipHandlers | undefined;
  return {
    start(h) {
      handlers = h;
      leading = true;
      h.gained();
    },
    get isLeader() {
      return leading;
    },
    get terms() {
      return leading ? 1 : 0;
    },
    async stop() {
      if (leading) handlers?.lost();
      leading = false;
    },
  };
}
