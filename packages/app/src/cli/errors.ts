/** An error meant for the person at the terminal: its message is the whole story. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Parse a JSON option, saying which option was wrong and why. */
export function parseJsonOption(name: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${name} is not valid JSON: ${(err as Error).message}`, 2);
  }
}
