// Maps a path in the flow (["steps", 1, "input", "title"]) to its place in the YAML source, so every
// error points at a line and column. Also maps a column inside a string value back to the file.
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";

export type FlowPath = ReadonlyArray<string | number>;

export interface Position {
  line: number;
  column: number;
}

/** `steps[1].input.title`. */
export function formatPath(path: FlowPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {}

  position(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line: Math.max(line, 1), column: Math.max(col, 1) };
  }

  /**
   * The node at `path` (or, with `key`, the key of its pair). A path that does not exist stops at
   * its deepest existing node, so "missing key" errors point at the mapping that lacks it.
   */
  node(path: FlowPath, key = false): Node | undefined {
    let node: Node | undefined = (this.doc.contents as Node | null) ?? undefined;
    for (let i = 0; i < path.length && node; i++) {
      if (isAlias(node)) node = (node.resolve(this.doc) as Node | undefined) ?? node;
      const part = path[i];
      let next: Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part),
        );
        if (pair && key && i === path.length - 1) return pair.key as Node;
        next = (pair?.value as Node | null) ?? (pair?.key as Node | undefined);
      } else if (isSeq(node) && typeof part === "number") {
        next = (node.items[part] as Node | undefined) ?? undefined;
      }
      if (!next) break;
      node = next;
    }
    return node;
  }

  /** Where the node at `path` starts (its key's start with `key`). */
  at(path: FlowPath, key = false): Position {
    const start = this.node(path, key)?.range?.[0] ?? 0;
    return this.position(start);
  }

  /**
   * Where the `index`th character (0-based) of the string at `path` is in the file. The value and
   * its source differ by quotes, escapes and block indentation: walk both, skipping source
   * characters that are not in the value.
   */
  inString(path: FlowPath, value: string, index: number): Position {
    const node = this.node(path);
    const range = node?.range;
    if (!node || !range || !isScalar(node)) return this.at(path);
    const src = this.source;
    let s = range[0];
    const end = range[1];
    // Block scalars start with their header line (`|`, `>-`): the value begins on the next line.
    if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
      const nl = src.indexOf("\n", s);
      s = nl === -1 ? end : nl + 1;
    }
    const target = Math.min(Math.max(index, 0), value.length);
    for (let v = 0; v < target && s < end; s++) {
      if (src[s] === value[v]) v++;
    }
    // Land on the character itself, not on skipped indentation or quotes before it.
    while (s < end && target < value.length && src[s] !== value[target]) s++;
    return this.position(Math.min(s, end));
  }
}
