// Checks on an incoming payload before it is stored: what can never be stored (or would stall the
// process when read back) is refused with a 400 that names the problem, never a 500 that asks the
// sender to deliver it again.

/** Deeper than any real event; deep enough to keep JSON.stringify far from the stack limit. */
export const MAX_PAYLOAD_DEPTH = 64;

/** The payload is the sender's mistake: answer 400 with this message. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

/** Throws WebhookPayloadError when the value nests deeper than MAX_PAYLOAD_DEPTH (checked without recursion). */
export function checkPayloadDepth(value: unknown, what = "the body"): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth > MAX_PAYLOAD_DEPTH) {
      throw new WebhookPayloadError(
        `${what} is nested deeper than ${MAX_PAYLOAD_DEPTH} levels: it cannot be stored`,
      );
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
}
