// Sign in with the server's API token. A refusal says so and nothing more (no hint of why).
import { type FormEvent, useState } from "react";
import { ApiError, messageOf } from "../api/client.ts";
import { navigate, useLocation } from "../router.tsx";
import { useSession } from "../session.tsx";

export function SignInPage() {
  const { signIn } = useSession();
  const location = useLocation();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(
    location.query.get("error")
      ? "That sign-in link was not accepted. Paste the API token instead."
      : undefined,
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token.trim());
      if (location.path === "/signin") navigate("/", { replace: true });
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401
          ? "Sign-in refused: that is not this server's API token."
          : err instanceof ApiError && err.status === 429
            ? "Too many tries. Wait a minute, then try again."
            : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="card">
        <div className="brand" style={{ padding: "0 0 12px" }}>
          <span className="brand-mark" aria-hidden="true" /> hlconnect
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Use the API token <code>hlconnect serve</code> printed when it started (
          <code>HLCONNECT_API_TOKEN</code>). In the demo, the printed sign-in link does this for you.
        </p>
        <form onSubmit={submit}>
          <div className="field">
            <label htmlFor="token">API token</label>
            <input
              id="token"
              type="password"
              autoComplete="current-password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              required
              aria-describedby={error ? "signin-error" : undefined}
              aria-invalid={error ? true : undefined}
            />
          </div>
          {error ? (
            <p id="signin-error" className="error-text" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={busy || !token.trim()}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
