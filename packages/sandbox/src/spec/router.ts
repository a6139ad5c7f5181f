// Path template matching for all operations. Literal segments win over {params}
// (/contacts/search before /contacts/{contactId}); a trailing slash is optional.
import { type HttpMethod, loadSpec, type SpecOperation } from "./load.ts";

interface Node {
  literal: Map<string, Node>;
  param: { name: string; node: Node } | null;
  ops: Map<string, SpecOperation>;
}

export interface OperationMatch {
  operation: SpecOperation;
  params: Record<string, string>;
}

const newNode = (): Node => ({ literal: new Map(), param: null, ops: new Map() });

function segmentsOf(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

let root: Node | undefined;

function buildTree(): Node {
  const r = newNode();
  for (const op of loadSpec().operations) {
    let node = r;
    for (const seg of segmentsOf(op.path)) {
      const m = /^\{(.+)\}$/.exec(seg);
      if (m) {
        // Templates at the same position name their param differently across operations;
        // the first name is kept for the tree and each operation re-reads its own names.
        node.param ??= { name: m[1]!, node: newNode() };
        node = node.param.node;
      } else {
        let next = node.literal.get(seg);
        if (!next) {
          next = newNode();
          node.literal.set(seg, next);
        }
        node = next;
      }
    }
    node.ops.set(op.method, op);
  }
  return r;
}

function walk(node: Node, segs: string[], i: number, method: string, values: string[]): SpecOperation | null {
  if (i === segs.length) return node.ops.get(method) ?? null;
  const seg = segs[i]!;
  const lit = node.literal.get(seg);
  if (lit) {
    const found = walk(lit, segs, i + 1, method, values);
    if (found) return found;
  }
  if (node.param) {
    values.push(seg);
    const found = walk(node.param.node, segs, i + 1, method, values);
    if (found) return found;
    values.pop();
  }
  return null;
}

/** Find the operation a request addresses. `path` may carry a query string, which is ignored. */
export function findOperation(method: string, path: string): OperationMatch | null {
  root ??= buildTree();
  const pathname = path.split("?")[0]!;
  let segs: string[];
  try {
    segs = segmentsOf(pathname).map((s) => decodeURIComponent(s));
  } catch {
    return null; // malformed percent-encoding
  }
  const values: string[] = [];
  const operation = walk(root, segs, 0, method.toUpperCase() as HttpMethod, values);
  if (!operation) return null;
  const names = segmentsOf(operation.path)
    .filter((s) => s.startsWith("{"))
    .map((s) => s.slice(1, -1));
  const params: Record<string, string> = {};
  names.forEach((n, i) => {
    params[n] = values[i]!;
  });
  return { operation, params };
}
