// Requests to the kernel: `model.send({type, req_id, ...})`, answered by one `ack` custom message with
// the same `req_id`. A request that gets no answer in time resolves as a failed ack (the kernel may be
// busy, dead or gone), so callers handle one shape and never lose what the user typed. Requests that
// must not be sent twice (submissions) can wait for their ack however long it takes instead.

import type { Ack } from "./protocol";

export const NO_ANSWER = "no answer from the kernel: is it running?";

export interface Sender {
  send(content: unknown): void;
}

interface Pending {
  resolve: (ack: Ack) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

/** Wait for the ack however long it takes (it comes, or the card is closed). */
export const UNTIL_ANSWERED = null;

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
   *
   * `timeoutMs`: how long to wait (default: the channel's); `UNTIL_ANSWERED` for requests whose
   * effect may still happen after any time-out (a submission queued behind a busy kernel, or behind
   * slow Python tools): giving up on those would let the user send them twice.
   */
  send(type: string, fields: Record<string, unknown> = {}, timeoutMs?: number | typeof UNTIL_ANSWERED): Promise<Ack> {
    const req_id = nextReqId();
    return new Promise<Ack>((resolve) => {
      const wait = timeoutMs === undefined ? this.timeoutMs : timeoutMs;
      const timer =
        wait === null
          ? null
          : setTimeout(() => {
              this.pending.delete(req_id);
              resolve({ type: "ack", req_id, ok: false, error: NO_ANSWER, timeout: true });
            }, wait);
      this.pending.set(req_id, { resolve, timer });
      try {
        this.model.send({ ...fields, type, req_id });
      } catch (err) {
        if (timer !== null) clearTimeout(timer);
        this.pending.delete(req_id);
        resolve({ type: "ack", req_id, ok: false, error: `could not send the request (${String(err)})` });
      }
    });
  }

  /** An `ack` arrived: settle its request. Unknown or late acks are ignored. */
  settle(ack: Ack): void {
    const entry = this.pending.get(ack.req_id);
    if (!entry) return;
    if (entry.timer !== null) clearTimeout(entry.timer);
    this.pending.delete(ack.req_id);
    entry.resolve(ack);
  }

  /** The model is going away: fail what is still waiting, and stop the timers. */
  dispose(): void {
    for (const [req_id, entry] of this.pending) {
      if (entry.timer !== null) clearTimeout(entry.timer);
      entry.resolve({ type: "ack", req_id, ok: false, error: "the card was closed" });
    }
    this.pending.clear();
  }
}
