// Requests to the kernel: `model.send({type, req_id, ...})`, answered by one `ack` custom message with
// the same `req_id`. A request that gets no answer in time resolves as a failed ack (the kernel may be
// busy, dead or gone), so callers handle one shape and never lose what the user typed.

import type { Ack } from "./protocol";

export const NO_ANSWER = "no answer from the kernel: is it running?";

export interface Sender {
  send(content: unknown): void;
}

interface Pending {
  resolve: (ack: Ack) => void;
  timer: ReturnType<typeof setTimeout>;
}

let counter = 0;

/** A page-unique request id (several cards may share a page). */
function nextReqId(): string {
  counter += 1;
  return `rw-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

export class Requests {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly model: Sender,
    /** How long to wait for an ack (ms); the kernel answers at once unless it is busy or gone. */
    private readonly timeoutMs: number = 15000,
  ) {}

  /**
   * Send a request; resolves with its ack. A saved page's host (read-only) answers too: `detail` and
   * `export` from data saved with the page, anything else "not connected to a kernel".
   */
  send(type: string, fields: Record<string, unknown> = {}, timeoutMs?: number): Promise<Ack> {
    const req_id = nextReqId();
    return new Promise<Ack>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(req_id);
        resolve({ type: "ack", req_id, ok: false, error: NO_ANSWER, timeout: true });
      }, timeoutMs ?? this.timeoutMs);
      this.pending.set(req_id, { resolve, timer });
      try {
        this.model.send({ ...fields, type, req_id });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(req_id);
        resolve({ type: "ack", req_id, ok: false, error: `could not send the request (${String(err)})` });
      }
    });
  }

  /** An `ack` arrived: settle its request. Unknown or late acks are ignored. */
  settle(ack: Ack): void {
    const entry = this.pending.get(ack.req_id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(ack.req_id);
    entry.resolve(ack);
  }

  /** The model is going away: fail what is still waiting, and stop the timers. */
  dispose(): void {
    for (const [req_id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.resolve({ type: "ack", req_id, ok: false, error: "the card was closed" });
    }
    this.pending.clear();
  }
}
