// Preloaded with `node --import` by the start-up suite: reports the process's peak RSS (KiB) on a
// line of its own to stderr as it exits.
process.on("exit", () => {
  process.stderr.write(`\nmax-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
