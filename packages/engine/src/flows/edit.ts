// Writing a flow edited as JSON (the web app's builder) back into its YAML text without disturbing
// what the user wrote by hand: every part of the file whose value did not change stays byte for byte,
// comments included, and only the changed values are re-rendered in place. Steps are matched by id,
// so reordering them moves their text (with their comments) instead of rewriting it.
import { Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, parseDocument, Scalar } from "yaml";

interface Edit {
  from: number;
  to: number;
  text: string;
}

export class FlowEditError extends Error {}

/** The YAML text of `source` changed to hold `value` (a JSON value), touching only what changed. */
export function applyFlowDocument(source: string, value: unknown): string {
  if (source.trim() === "") return renderDocument(value);
  const doc = parseDocument(source);
  if (doc.errors.length > 0 || !doc.contents) return renderDocument(value);
  const edits = patch(source, doc.contents as Node, doc.toJS(), value);
  return applyEdits(source, 0, source.length, edits);
}

/** A flow document as fresh YAML (a new flow, or a file that could not be parsed). */
export function renderDocument(value: unknown): string {
  return new Document(value).toString({ lineWidth: 0 });
}

function patch(source: string, node: Node, old: unknown, value: unknown): Edit[] {
  if (deepEqual(old, value)) return [];
  const [start, end] = [node.range![0], node.range![1]];
  if (isMap(node) && !node.flow && isObject(value) && isObject(old))
    return patchMap(source, node, old, value);
  if (isSeq(node) && !node.flow && Array.isArray(value) && Array.isArray(old))
    return patchSeq(source, node, old, value);
  const blockish = endsBlock(source, node);
  const column = start - lineStart(source, start);
  if (blockish) {
    // The new text takes the old one's place from its first character to its last line's end.
    return [{ from: start, to: end, text: renderBlockAt(value, column) }];
  }
  const type = isScalar(node) ? node.type : undefined;
  return [{ from: start, to: end, text: renderInline(value, column, type) }];
}

function patchMap(
  source: string,
  node: import("yaml").YAMLMap,
  old: Record<string, unknown>,
  value: Record<string, unknown>,
): Edit[] {
  const edits: Edit[] = [];
  const seen = new Set<string>();
  const pairs = node.items.filter(isPair);
  const firstKey = pairs[0]?.key as Node | undefined;
  const column = firstKey?.range ? firstKey.range[0] - lineStart(source, firstKey.range[0]) : 0;
  for (const [i, pair] of pairs.entries()) {
    const keyNode = pair.key as Node;
    const key = String(isScalar(keyNode) ? keyNode.value : keyNode);
    seen.add(key);
    const valueNode = pair.value as Node | null;
    if (key in value) {
      if (deepEqual(old[key], value[key])) continue;
      if (valueNode?.range) edits.push(...patch(source, valueNode, old[key], value[key]));
      else {
        // `key:` with nothing after it.
        const at = keyNode.range![1];
        const colon = source.indexOf(":", at);
        edits.push({
          from: colon + 1,
          to: colon + 1,
          text: ` ${renderInline(value[key], column, undefined)}`,
        });
      }
      continue;
    }
    // Removed: its lines go. The first pair of a "- " item shares its line with the dash: keep the dash.
    const from = i === 0 ? keyNode.range![0] : lineStart(source, keyNode.range![0]);
    const next = pairs[i + 1]?.key as Node | undefined;
    const to = next?.range ? (i === 0 ? next.range[0] : lineStart(source, next.range[0])) : node.range![1];
    edits.push({ from, to, text: "" });
  }
  const added = Object.keys(value).filter((k) => !seen.has(k) && value[k] !== undefined);
  if (added.length > 0) {
    const at = node.range![1];
    const lines = added.map((k) => renderPair(k, value[k], column)).join("");
    const needsBreak = at > 0 && source[at - 1] !== "\n";
    edits.push({ from: at, to: at, text: needsBreak ? `\n${lines.replace(/\n$/, "")}` : lines });
  }
  return edits;
}

function patchSeq(source: string, node: import("yaml").YAMLSeq, old: unknown[], value: unknown[]): Edit[] {
  const items = node.items as Node[];
  if (items.length === 0 || items.some((n) => !n?.range)) {
    return [{ from: node.range![0], to: node.range![1], text: renderBlockAt(value, column(source, node)) }];
  }
  const dashColumn = column(source, node);
  const chunkStart = (i: number) => lineStart(source, items[i]!.range![0]);
  const chunkEnd = (i: number) => (i + 1 < items.length ? chunkStart(i + 1) : node.range![1]);
  const ids = (list: unknown[]) =>
    list.every((x) => isObject(x) && typeof x.id === "string")
      ? list.map((x) => (x as { id: string }).id)
      : null;
  const oldIds = ids(old);
  const newIds = ids(value);
  const byId = oldIds && newIds && new Set(oldIds).size === oldIds.length;
  const matchOf = (j: number): number => (byId ? oldIds!.indexOf(newIds![j]!) : j < items.length ? j : -1);

  const matched = value.map((_, j) => matchOf(j));
  const kept = matched.filter((i) => i >= 0);
  const inOrder = kept.every((i, k) => k === 0 || i > kept[k - 1]!);
  if (inOrder) {
    const edits: Edit[] = [];
    const keptSet = new Set(kept);
    for (const [j, i] of matched.entries())
      if (i >= 0) edits.push(...patch(source, items[i]!, old[i], value[j]));
    for (let i = 0; i < items.length; i++) {
      if (!keptSet.has(i)) edits.push({ from: chunkStart(i), to: chunkEnd(i), text: "" });
    }
    // New items go after the kept item they follow (or first, when none does).
    let after = -1;
    for (const [j, i] of matched.entries()) {
      if (i >= 0) {
        after = i;
        continue;
      }
      const at = after >= 0 ? chunkEnd(after) : chunkStart(0);
      const text = renderSeqItem(value[j], dashColumn);
      edits.push({ from: at, to: at, text: source[at - 1] === "\n" || at === 0 ? text : `\n${text}` });
    }
    return edits;
  }
  // Reordered: the items' texts (each with its own changes) are laid out in the new order.
  const regionStart = chunkStart(0);
  const parts = value.map((v, j) => {
    const i = matched[j]!;
    if (i < 0) return renderSeqItem(v, dashColumn);
    const text = applyEdits(source, chunkStart(i), chunkEnd(i), patch(source, items[i]!, old[i], v));
    return text.endsWith("\n") ? text : `${text}\n`;
  });
  let text = parts.join("");
  if (source[node.range![1] - 1] !== "\n") text = text.replace(/\n$/, "");
  return [{ from: regionStart, to: node.range![1], text }];
}

// -------------------------------------------------------------------------------------- rendering

function renderPair(key: string, value: unknown, column: number): string {
  return indent(new Document({ [key]: value }).toString({ lineWidth: 0 }), column);
}

function renderSeqItem(value: unknown, column: number): string {
  return indent(new Document([value]).toString({ lineWidth: 0 }), column);
}

/** A block value whose first line starts at `column` (already indented there in the file). */
function renderBlockAt(value: unknown, column: number): string {
  const text = indent(new Document(value).toString({ lineWidth: 0 }), column);
  return text.slice(column);
}

/** A value placed after `key: ` (or `- `) on the same line. */
function renderInline(value: unknown, column: number, type: Scalar["type"] | undefined): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    if (type === Scalar.QUOTE_DOUBLE || value.includes("\n")) return JSON.stringify(value);
    if (type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
    const plain = new Document(value).toString({ lineWidth: 0 }).replace(/\n$/, "");
    return plain.includes("\n") ? JSON.stringify(value) : plain;
  }
  if ((Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0))
    return Array.isArray(value) ? "[]" : "{}";
  // A collection under a key: a block on the following lines, one level deeper.
  return `\n${indent(new Document(value).toString({ lineWidth: 0 }), column + 2).replace(/\n$/, "")}`;
}

function indent(text: string, column: number): string {
  const pad = " ".repeat(column);
  return text
    .split("\n")
    .map((line) => (line === "" ? line : pad + line))
    .join("\n");
}

// -------------------------------------------------------------------------------------- positions

function applyEdits(source: string, from: number, to: number, edits: Edit[]): string {
  let text = "";
  let at = from;
  for (const e of [...edits].sort((a, b) => a.from - b.from || a.to - b.to)) {
    if (e.from < at) throw new FlowEditError("overlapping edits: the flow could not be written back");
    text += source.slice(at, e.from) + e.text;
    at = e.to;
  }
  return text + source.slice(at, to);
}

function lineStart(source: string, at: number): number {
  return source.lastIndexOf("\n", at - 1) + 1;
}

function column(source: string, node: Node): number {
  return node.range![0] - lineStart(source, node.range![0]);
}

/** Block collections and block scalars own their last line's end; plain values do not. */
function endsBlock(source: string, node: Node): boolean {
  if (isAlias(node)) return false;
  if ((isMap(node) || isSeq(node)) && !node.flow) return true;
  if (isScalar(node) && (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL))
    return true;
  return source[node.range![1] - 1] === "\n" && !isScalar(node);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date || b instanceof Date) return String(a) === String(b);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
