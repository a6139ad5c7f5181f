// Who is signed in: GET /api/session on start, the CSRF token handed to the API client, and a 401
// from any call flips the app back to the sign-in page.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, api, onUnauthorized, setCsrfToken } from "./api/client.ts";
import type { Session } from "./api/types.ts";

interface SessionState {
  session: Session | undefined;
  /** True until the first GET /api/session answers. */
  checking: boolean;
  signIn: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const Ctx = createContext<SessionState | undefined>(undefined);

export function useSession(): SessionState {
  const s = useContext(Ctx);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>();
  const [checking, setChecking] = useState(true);

  const refresh = useCallback(async () => {
    try {
      const s = await api<Session>("/session", { quiet401: true });
      setCsrfToken(s.csrfToken);
      setSession(s);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      setSession(undefined);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void refresh().catch(() => setChecking(false));
    return onUnauthorized(() => setSession(undefined));
  }, [refresh]);

  const signIn = useCallback(
    async (token: string) => {
      const answer = await api<{ csrfToken: string }>("/session", { body: { token }, quiet401: true });
      setCsrfToken(answer.csrfToken);
      await refresh();
    },
    [refresh],
  );

  const signOut = useCallback(async () => {
    try {
      await api("/session", { method: "DELETE", quiet401: true });
    } finally {
      setCsrfToken("");
      setSession(undefined);
    }
  }, []);

  return <Ctx.Provider value={{ session, checking, signIn, signOut }}>{children}</Ctx.Provider>;
}
