import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The `hlconnect` bin runs the sources in tests, never a build that may be older than them
    // (the tarball and start-up tests set HLCONNECT_FROM_SOURCE=0 where they test the build).
    // Tests reach the sandbox and local listeners on loopback, which user-given URLs may not reach
    // by default; tests of the outbound guard's defaults clear HLCONNECT_ALLOW_PRIVATE_URLS.
    env: { HLCONNECT_FROM_SOURCE: "1", HLCONNECT_ALLOW_PRIVATE_URLS: "127.0.0.0/8,::1,localhost" },
  },
});
