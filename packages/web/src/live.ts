// Live updates: the server's event stream of runs when it has one, else a quiet poll. Either way the
// page just hears "something changed" and reloads what it shows.
import { useEffect, useRef } from "react";

export function useLiveRuns(onChange: () => void, pollMs = 2500): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let source: EventSource | undefined;
    const poll = () => {
      if (timer) return;
      timer = setInterval(() => {
        if (document.visibilityState === "visible") latest.current();
      }, pollMs);
    };
    if (typeof EventSource === "function") {
      source = new EventSource("/api/runs/stream");
      source.addEventListener("run", () => latest.current());
      source.onerror = () => {
        // No stream on this server (or it dropped): poll instead.
        source?.close();
        source = undefined;
        poll();
      };
    } else {
      poll();
    }
    return () => {
      source?.close();
      if (timer) clearInterval(timer);
    };
  }, [pollMs]);
}
