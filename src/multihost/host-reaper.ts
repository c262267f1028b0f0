/**
 * A dead host's users leave exactly once. Every surviving host notices the death; they hold an
 * election by publishing on `chat.reap.<host>.<incarnation>` expecting no message yet (exactly one
 * winner on 2.9.10 too), and the winner publishes `LEAVE <nick> host lost` for each nick the dead
 * incarnation held — each under a message id of its own, so a retried publish is stored once —
 * then releases the nick.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { nickKey } from '../protocol/nick.js';
import type { HostId } from './host-directory.js';
import { EVENTS_SUBJECT, HOSTS_STREAM, REAPED_HEADER, reapSubject } from './names.js';
import type { NickClaims } from './nick-claims.js';
import { isWrongLastSequence, publishOnce, retrying, type RetryTiming } from './retry.js';

const HOST_LOST = 'host lost';

export interface HostReaperOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  claims: NickClaims;
  self: () => HostId;
  /** Whether this host may still act for the chat (it may have been fenced meanwhile). */
  alive: () => boolean;
  /** Whether a host incarnation is heard from (this one included). */
  isLive: (incarnation: string) => boolean;
  timing: RetryTiming;
  log: Logger;
}

export class HostReaper {
  readonly #options: HostReaperOptions;
  /** Incarnations being reaped by this host now. */
  readonly #busy = new Set<string>();

  constructor(options: HostReaperOptions) {
    this.#options = options;
  }

  /**
   * Reaps `dead` if this host wins its election. Resolves false when it could not finish (NATS
   * out of reach): the caller tries again later, and wins again, its own vote being the one stored.
   */
  async reap(dead: HostId): Promise<boolean> {
    const { log } = this.#options;
    if (this.#busy.has(dead.incarnation)) return true;
    this.#busy.add(dead.incarnation);
    try {
      if (!(await this.#elected(dead))) return true;
      let count = 0;
      for (const claim of await this.#options.claims.all()) {
        if (claim.incarnation !== dead.incarnation) continue;
        if (!this.#options.alive()) return false;
        const reaped = headers();
        reaped.set(REAPED_HEADER, dead.incarnation);
        await publishOnce(
          this.#options.js,
          EVENTS_SUBJECT,
          JSON.stringify({ type: 'LEAVE', nick: claim.nick, text: HOST_LOST }),
          { msgID: `lost.${dead.incarnation}.${nickKey(claim.nick)}`, headers: reaped },
          this.#options.timing,
        );
        await this.#options.claims.release(claim);
        count++;
      }
      log.info(`host ${dead.host} (incarnation ${dead.incarnation}): ${count} users let go`);
      return true;
    } catch (error) {
      log.error(`could not reap host ${dead.host} yet: ${(error as Error).message}`);
      return false;
    } finally {
      this.#busy.delete(dead.incarnation);
    }
  }

  /**
   * Wins or loses the election to reap `dead`. Should the winner be dead itself (it won, then died
   * before it finished), the survivors hold a new election on a subject named after it.
   */
  async #elected(dead: HostId, after: string[] = []): Promise<boolean> {
    const me = this.#options.self();
    if (!this.#options.alive()) return false;
    const subject = [reapSubject(dead.host, dead.incarnation), ...after].join('.');
    try {
      await publishOnce(
        this.#options.js,
        subject,
        JSON.stringify(me),
        { msgID: `reap.${dead.incarnation}.${me.incarnation}`, expectNoMessage: true },
        this.#options.timing,
      );
      return true;
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
    }
    // Lost — unless to our own vote, stored by an attempt whose answer was lost.
    const winner = await retrying(`read ${subject}`, this.#options.timing, () =>
      this.#options.jsm.streams.getMessage(HOSTS_STREAM, { last_by_subj: subject }),
    );
    const winning = winner?.json<HostId>().incarnation;
    if (winning === undefined || winning === me.incarnation) return winning === me.incarnation;
    if (this.#options.isLive(winning)) return false;
    return this.#elected(dead, [...after, winning]);
  }
}
