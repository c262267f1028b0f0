/**
 * This host's publishes, between JetStream's ack and the feed: a publish resolves only once the
 * feed has handed its event to the hub (so a sender sees its event before its `OK <seq>`), and
 * what it asked to run just before that delivery runs then.
 */
export class DeliveryWaits {
  /** What to run just before our own events are delivered, by message id. */
  readonly #before = new Map<string, () => void>();
  /** Publishes waiting for the feed to deliver their seq, by seq. */
  readonly #waiting = new Map<number, () => void>();

  /** `run` runs just before the event published with `msgID` is delivered. */
  runBefore(msgID: string, run: () => void): void {
    this.#before.set(msgID, run);
  }

  /** The publish with `msgID` is over, delivered or failed. */
  forget(msgID: string): void {
    this.#before.delete(msgID);
  }

  /** Resolves once the feed has delivered `seq`; at once when `lastSeq` (the feed's) is past it. */
  delivered(seq: number, lastSeq: number): Promise<void> {
    if (seq <= lastSeq) return Promise.resolve();
    return new Promise((resolve) => {
      const earlier = this.#waiting.get(seq);
      this.#waiting.set(seq, () => {
        earlier?.();
        resolve();
      });
    });
  }

  /** The feed is about to deliver the event published with `msgId` (undefined: not one of ours). */
  delivering(msgId: string | undefined): void {
    if (msgId !== undefined) this.#before.get(msgId)?.();
  }

  /** The feed has delivered `seq`: every publish waiting for it, or for an earlier one, resolves. */
  reached(seq: number): void {
    if (this.#waiting.size === 0) return;
    for (const [waitingFor, resolve] of this.#waiting) {
      if (waitingFor > seq) continue;
      this.#waiting.delete(waitingFor);
      resolve();
    }
  }
}
