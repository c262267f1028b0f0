/**
 * Creates the chat's streams, or finds them: every host does this at start, possibly all at the
 * same moment against a fresh NATS. Adding a stream that exists with the same configuration
 * succeeds; concurrent adds may time out or fail, so each is retried, and whatever happened the
 * stream's info is read afterwards: the epoch comes from that, never from an add response (one of
 * those can carry a `created` time the stored stream does not have).
 */
import {
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { EVENTS_STREAM, EVENTS_SUBJECT, HOSTS_STREAM, NICK_SUBJECTS, NICKS_STREAM, REAP_SUBJECTS } from './names.js';
import { retrying, type RetryTiming } from './retry.js';

export interface StreamSettings {
  replicas: number;
  /** Public events the stream keeps: what HISTORY can serve to a host that starts later. */
  history: number;
}

/** How long a retried publish is recognised as a duplicate: far beyond any retry deadline. */
const DUPLICATE_WINDOW_MS = 120_000;
/** Election records: a host incarnation is reaped once; older records serve nobody. */
const REAP_RECORD_AGE_MS = 24 * 60 * 60 * 1000;
/** NATS's answer to more than one replica on a server without a cluster (`JSStreamReplicasNotSupportedErr`). */
const REPLICAS_NOT_SUPPORTED = 10074;

/** A configuration NATS cannot hold at all: no retry makes it, and the user must hear why. */
function isRefused(error: unknown): error is JetStreamApiError {
  return error instanceof JetStreamApiError && error.code === REPLICAS_NOT_SUPPORTED;
}

function streamConfigs(settings: StreamSettings): Array<Partial<StreamConfig> & { name: string }> {
  const common = {
    storage: StorageType.File,
    num_replicas: settings.replicas,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    allow_direct: true,
  };
  return [
    { ...common, name: EVENTS_STREAM, subjects: [EVENTS_SUBJECT], max_msgs: settings.history },
    { ...common, name: NICKS_STREAM, subjects: [NICK_SUBJECTS], max_msgs_per_subject: 1 },
    { ...common, name: HOSTS_STREAM, subjects: [REAP_SUBJECTS], max_age: nanos(REAP_RECORD_AGE_MS) },
  ];
}

/** Adds (or finds) every stream; returns the events stream's info as stored. */
export async function ensureStreams(
  jsm: JetStreamManager,
  settings: StreamSettings,
  timing: RetryTiming,
  log: Logger,
): Promise<StreamInfo> {
  for (const config of streamConfigs(settings)) {
    await retrying(
      `create stream ${config.name}`,
      timing,
      async () => {
        const existing = await jsm.streams.info(config.name).catch(() => undefined);
        if (existing !== undefined) {
          if (existing.config.num_replicas !== config.num_replicas) {
            log.warn(
              `stream ${config.name} has ${existing.config.num_replicas} replicas, not the ${config.num_replicas} asked for; using it as it is`,
            );
          }
          return existing;
        }
        return jsm.streams.add(config);
      },
      isRefused,
    ).catch((error: unknown) => {
      if (!isRefused(error)) throw error;
      throw new Error(
        `--nats-replicas ${String(settings.replicas)}: NATS refuses to create stream ${config.name}: ${error.message}`,
        { cause: error },
      );
    });
  }
  return retrying(`read stream ${EVENTS_STREAM}`, timing, () => jsm.streams.info(EVENTS_STREAM));
}

/**
 * The chat's epoch: the events stream's creation time, which every server of the cluster reports
 * alike and which changes only when the stream (the history) is recreated. `created` is RFC 3339
 * with a fraction of variable length (trailing zeros dropped): parsed to nanoseconds, never sliced.
 */
export function epochOf(created: string): string {
  const match =
    /^(?<whole>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<zone>Z|[+-]\d{2}:\d{2})$/.exec(
      created,
    );
  const { whole, fraction = '', zone } = match?.groups ?? {};
  if (whole === undefined || zone === undefined) throw new Error(`unreadable stream creation time: ${created}`);
  const seconds = Date.parse(`${whole}${zone}`);
  if (Number.isNaN(seconds)) throw new Error(`unreadable stream creation time: ${created}`);
  const nanoseconds = BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
  return nanoseconds.toString(36);
}
