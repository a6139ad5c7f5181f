// An export refused or impossible for a reason the user can act on: the CLI prints the message alone.
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportError";
  }
}
