/**
 * How a host joins a multi-host chat: what it is told (servers, replicas, node name, history,
 * timing, the timing with its defaults), its NATS connection, the refusal of a node name another
 * live host uses, and the streams found or created.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { HostRequests } from './host-requests.js';
import { DEFAULT_RETRY, retrying, type RetryTiming } from './retry.js';
import { ensureStreams, epochOf } from './streams.js';

export interface JetStreamChatOptions {
  servers: string[];
  replicas: number;
  nodeName: string;
  /** Public events the stream keeps and a starting host loads. */
  history: number;
  log: Logger;
  timing?: Partial<MultiHostTiming>;
}

export interface MultiHostTiming {
  heartbeatInterval: number;
  /** Silence after which another host counts as dead (its users are let go). */
  hostTimeout: number;
  /** Time without JetStream after which this host fences itself. */
  fenceAfter: number;
  /** A consumer silent this long is recreated. */
  stallAfter: number;
  retry: RetryTiming;
}

/** Defaults: a dead host's users leave within 15 s (10 s of silence + election and publishes). */
const DEFAULT_TIMING: MultiHostTiming = {
  heartbeatInterval: 1_000,
  hostTimeout: 10_000,
  fenceAfter: 15_000,
  stallAfter: 4_000,
  retry: DEFAULT_RETRY,
};

/** A host connected to NATS, with the chat's streams ready. */
export interface JoinedChat {
  nc: NatsConnection;
  jsm: JetStreamManager;
  timing: MultiHostTiming;
  epoch: string;
  /** The seqs the events stream retains. */
  retained: { first: number; last: number };
}

/** Connects, refuses a node name another live host uses, and finds or creates the streams. */
export async function joinChat(options: JetStreamChatOptions): Promise<JoinedChat> {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: options.nodeName,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: timing.retry.attempt,
    });
  } catch (error) {
    throw new Error(`cannot reach NATS at ${options.servers.join(',')}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    if (await HostRequests.nameTaken(nc, options.nodeName, timing.retry.attempt)) {
      throw new Error(`node name ${options.nodeName} is in use by a live host; pick another with --node-name`);
    }
    // Its first JetStream request (account info) rides out a busy or electing NATS like every other.
    const jsm = await retrying('reach JetStream', timing.retry, () =>
      jetstreamManager(nc, { timeout: timing.retry.attempt }),
    );
    const info = await ensureStreams(jsm, options, timing.retry, options.log);
    const retained = { first: info.state.first_seq, last: info.state.last_seq };
    return { nc, jsm, timing, epoch: epochOf(info.created), retained };
  } catch (error) {
    await nc.close();
    throw error;
  }
}
