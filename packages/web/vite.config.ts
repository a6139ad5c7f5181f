// The browser app, built into packages/web/dist and served by `hlconnect serve` at "/": hashed files
// under /assets/, nothing fetched from elsewhere at run time. `vite dev` proxies /api, /login and
// /oauth to a running server (HLCONNECT_URL, default http://127.0.0.1:3000) so the UI can be worked on live.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const server = process.env.HLCONNECT_URL ?? "http://127.0.0.1:3000";
const proxy = Object.fromEntries(["/api", "/login", "/oauth"].map((p) => [p, { target: server }]));

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    // The README's budget is on gzipped initial JS; vite prints gzip sizes, the e2e test measures them.
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
  server: { proxy },
  preview: { proxy },
});
