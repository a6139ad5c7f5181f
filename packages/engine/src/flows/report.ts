// Collects flow errors, each placed at its line and column in the file.
import { type FlowPath, formatPath, type Position, type SourceMap } from "./locate.ts";
import type { FlowError } from "./types.ts";

export interface ErrorOptions {
  suggestion?: string | undefined;
  /** Point at the key of the pair rather than its value (unknown or duplicate keys). */
  key?: boolean;
  /** An exact place, e.g. a column inside a template. */
  at?: Position;
}

export class Report {
  readonly errors: FlowError[] = [];

  constructor(
    readonly file: string,
    readonly map: SourceMap,
  ) {}

  add(path: FlowPath, message: string, opts: ErrorOptions = {}): void {
    const pos = opts.at ?? this.map.at(path, opts.key);
    this.errors.push({
      file: this.file,
      line: pos.line,
      column: pos.column,
      path: formatPath(path),
      message,
      ...(opts.suggestion ? { suggestion: opts.suggestion } : {}),
    });
  }
}
