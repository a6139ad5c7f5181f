import { defineConfig } from "vitest/config";

/**
 * Suites that start many processes, a browser or an npm install: they run after the others, one file at
 * a time (`npm run test:unit` runs the two projects in turn), so they never starve each other of the
 * machine's cores and their waits stay far from their deadlines.
 */
const HEAVY = [
  "packages/web/test/e2e/**/*.test.ts",
  "packages/app/test/cluster/**/*.test.ts",
  "packages/engine/test/cluster/**/*.test.ts",
  "packages/app/test/package.test.ts",
  "packages/app/test/export-zapier.test.ts",
  "packages/app/test/crash-restart.test.ts",
  "packages/app/test/demo.test.ts",
  "packages/app/test/demo-restart.test.ts",
  "packages/app/test/serve-startup.test.ts",
  "packages/app/test/mcp-stdio.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // The `hlconnect` bin runs the sources in tests, never a build that may be older than them
    // (the tarball and start-up tests set HLCONNECT_FROM_SOURCE=0 where they test the build).
    // Tests reach the sandbox and local listeners on loopback, which user-given URLs may not reach
    // by default; tests of the outbound guard's defaults clear HLCONNECT_ALLOW_PRIVATE_URLS.
    env: { HLCONNECT_FROM_SOURCE: "1", HLCONNECT_ALLOW_PRIVATE_URLS: "127.0.0.0/8,::1,localhost" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "scripts/test/**/*.test.ts"],
          exclude: [...HEAVY, "**/node_modules/**"],
        },
      },
      { extends: true, test: { name: "heavy", include: HEAVY } },
    ],
  },
});
