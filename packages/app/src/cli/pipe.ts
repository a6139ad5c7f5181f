// `hlconnect ops list | head`: when the reader closes the pipe early, stop quietly (exit 0) instead
// of dying on EPIPE with a stack trace. Nothing more can be said to a reader that left.
export function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPIPE") process.exit(0);
      // Any other stream error stays as loud as it would be without this listener.
      if (stream.listenerCount("error") === 1) throw err;
    });
  }
}
