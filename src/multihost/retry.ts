/**
 * JetStream calls that ride out an election. After a stream leader dies, writes stop for 4–9 s:
 * publishes time out or fail at once ("jetstream is not enabled"). A publish is therefore retried
 * under the same `Nats-Msg-Id` until it is acknowledged or the deadline passes, so it is stored
 * once, never twice, never lost. Answers that are final (a failed expectation) are not retried.
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';

/** JetStream stayed out of reach past the deadline: the command fails with `ERROR UNAVAILABLE`. */
export class UnavailableError extends Error {
  constructor(what: string, cause?: unknown) {
    super(`${what}: the chat's shared state is unreachable`, { cause });
    this.name = 'UnavailableError';
  }
}

/** The publish was refused because its expected sequence did not match: final, not retried. */
export function isWrongLastSequence(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

export interface RetryTiming {
  /** Milliseconds one attempt may take. */
  attempt: number;
  /** Milliseconds between two attempts. */
  pause: number;
  /** Milliseconds after which the whole call gives up. */
  deadline: number;
}

export const DEFAULT_RETRY: RetryTiming = { attempt: 2_000, pause: 250, deadline: 12_000 };

/** Calls `once` until it resolves, `isFinal` says its error is an answer, or the deadline passes. */
export async function retrying<T>(
  what: string,
  timing: RetryTiming,
  once: (timeout: number) => Promise<T>,
  isFinal: (error: unknown) => boolean = () => false,
): Promise<T> {
  const deadline = Date.now() + timing.deadline;
  let last: unknown;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw new UnavailableError(what, last);
    try {
      return await once(Math.min(timing.attempt, Math.max(left, 100)));
    } catch (error) {
      if (isFinal(error)) throw error;
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(timing.pause, Math.max(deadline - Date.now(), 0))));
  }
}

export interface PublishOptions {
  msgID: string;
  headers?: MsgHdrs;
  /** Stored only if the subject has no message yet (a claim). */
  expectNoMessage?: boolean;
  /** Stored only right after this stream sequence. */
  expectLastSequence?: number;
  /**
   * Runs before every attempt and throws to skip it: an `UnavailableError` ends the call, any
   * other error waits for the next attempt.
   */
  beforeAttempt?: () => void;
}

/** Publishes once under `msgID`, however many attempts it takes; a wrong expectation is thrown. */
export function publishOnce(
  js: JetStreamClient,
  subject: string,
  data: string,
  options: PublishOptions,
  timing: RetryTiming,
): Promise<PubAck> {
  return retrying(
    `publish to ${subject}`,
    timing,
    (timeout) => {
      options.beforeAttempt?.();
      return js.publish(subject, data, {
        msgID: options.msgID,
        timeout,
        ...(options.headers === undefined ? {} : { headers: options.headers }),
        expect: {
          ...(options.expectNoMessage === true ? { lastSubjectSequence: 0 } : {}),
          ...(options.expectLastSequence === undefined ? {} : { lastSequence: options.expectLastSequence }),
        },
      });
    },
    (error) => error instanceof UnavailableError || isWrongLastSequence(error),
  );
}
