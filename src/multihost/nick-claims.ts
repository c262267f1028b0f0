/**
 * The chat-wide nick registry in the `CHAT_NICKS` stream: one subject per lower-cased nick, whose
 * one message says which host incarnation holds it.
 *
 * Only primitives that are safe on nats-server 2.9.10 in a cluster: a claim is a publish expecting
 * the subject to have no message yet (sequence 0, checked when applied: exactly one winner); a
 * release purges the subject up to the claim's own sequence (it never removes a newer claim).
 * Compare-and-set with a revision above 0 (`kv.update`, `kv.delete` with a revision, `kv.create`
 * over a deleted key) can have several winners on 2.9.10 and is not used.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { nickKey } from '../protocol/nick.js';
import { NICK_SUBJECTS, NICKS_STREAM, nickSubject } from './names.js';
import { isWrongLastSequence, publishOnce, retrying, type RetryTiming } from './retry.js';

export interface Claim {
  nick: string;
  host: string;
  incarnation: string;
  /** Unique per claim attempt: tells our own claim, stored by an earlier attempt, from a rival's. */
  id: string;
}

export interface StoredClaim extends Claim {
  seq: number;
}

export class NickClaims {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #timing: RetryTiming;

  constructor(js: JetStreamClient, jsm: JetStreamManager, timing: RetryTiming) {
    this.#js = js;
    this.#jsm = jsm;
    this.#timing = timing;
  }

  /** The stored claim, or undefined when someone else holds the nick. `beforeAttempt` as in `publishOnce`. */
  async claim(claim: Claim, beforeAttempt: () => void): Promise<StoredClaim | undefined> {
    const subject = nickSubject(nickKey(claim.nick));
    try {
      const ack = await publishOnce(
        this.#js,
        subject,
        JSON.stringify(claim),
        { msgID: `claim.${claim.id}`, expectNoMessage: true, beforeAttempt },
        this.#timing,
      );
      return { ...claim, seq: ack.seq };
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
    // Taken — unless by this very claim, stored by an attempt whose answer was lost.
    const holder = await this.holder(claim.nick);
    return holder?.id === claim.id ? holder : undefined;
  }

  /** Frees the nick if `claim` still holds it; a newer claim on the same nick stays. */
  async release(claim: StoredClaim): Promise<void> {
    await retrying(`release nick ${claim.nick}`, this.#timing, () =>
      this.#jsm.streams.purge(NICKS_STREAM, { filter: nickSubject(nickKey(claim.nick)), seq: claim.seq + 1 }),
    );
  }

  /** Who holds the nick now, if anyone. */
  async holder(nick: string): Promise<StoredClaim | undefined> {
    const stored = await retrying(`look up nick ${nick}`, this.#timing, () =>
      this.#jsm.streams.getMessage(NICKS_STREAM, { last_by_subj: nickSubject(nickKey(nick)) }),
    );
    if (stored === null) return undefined;
    return { ...stored.json<Claim>(), seq: stored.seq };
  }

  /** Every claim held now. */
  async all(): Promise<StoredClaim[]> {
    const info = await retrying('list nicks', this.#timing, () =>
      this.#jsm.streams.info(NICKS_STREAM, { subjects_filter: NICK_SUBJECTS }),
    );
    const claims: StoredClaim[] = [];
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const stored = await retrying(`read ${subject}`, this.#timing, () =>
        this.#jsm.streams.getMessage(NICKS_STREAM, { last_by_subj: subject }),
      );
      if (stored !== null) claims.push({ ...stored.json<Claim>(), seq: stored.seq });
    }
    return claims;
  }
}
