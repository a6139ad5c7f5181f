import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The `hlconnect` bin runs the sources in tests, never a build that may be older than them
    // (the tarball and start-up tests set HLCONNECT_FROM_SOURCE=0 where they test the build).
    env: { HLCONNECT_FROM_SOURCE: "1" },
  },
});
