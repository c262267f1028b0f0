/**
 * The chat-wide state the hub is built on: this process's memory with the history file (one host),
 * or NATS JetStream (several hosts: the history is the stream; there is no history file).
 */
import type { ChatState } from '../hub/chat-state.js';
import { MemoryLog } from '../hub/event-log.js';
import { HistoryFile, newEpoch, type RestoredHistory } from '../hub/history-file.js';
import type { HistoryRing } from '../hub/history-ring.js';
import { LocalState } from '../hub/local-state.js';
import type { Logger } from '../log.js';
import { formatPublicEvent } from '../protocol/wire.js';
import type { PrimaryOptions } from './primary-process.js';

/** Opens the state. One host's retained events go into `ring` now; JetStream's come through the hub once it starts. */
export async function openChatState(
  options: PrimaryOptions,
  ring: HistoryRing,
  log: Logger,
): Promise<{ state: ChatState; file?: HistoryFile }> {
  if (options.nats !== undefined) {
    if (options.dataDir !== undefined)
      log.info(`with --nats the history is in JetStream; ${options.dataDir} is not used`);
    // Loaded only here: a single host never loads the NATS client.
    const { JetStreamChat } = await import('../multihost/jetstream-chat.js');
    const { JetStreamState } = await import('../multihost/jetstream-state.js');
    const chat = await JetStreamChat.open({ ...options.nats, history: options.history, log });
    return { state: new JetStreamState(chat, log) };
  }
  const { file, restored } = await openHistory(options, log);
  for (const event of restored.events) ring.push(event.seq, formatPublicEvent(event));
  const state = new LocalState({
    epoch: restored.epoch,
    lastSeq: restored.lastSeq,
    journal: file ?? new MemoryLog(),
    log,
  });
  return file === undefined ? { state } : { state, file };
}

async function openHistory(
  options: PrimaryOptions,
  log: Logger,
): Promise<{ file?: HistoryFile; restored: RestoredHistory }> {
  if (options.dataDir === undefined) {
    return { restored: { epoch: newEpoch(), lastSeq: 0, events: [], fresh: true } };
  }
  const { file, restored } = await HistoryFile.open({
    dir: options.dataDir,
    retain: options.history,
    maxLine: options.limits.maxLine,
    log,
  });
  const kept = `${restored.events.length} events from ${options.dataDir}, last seq ${restored.lastSeq}`;
  if (!restored.fresh) log.info(`restored ${kept}`);
  else if (restored.events.length > 0) log.info(`new epoch ${restored.epoch}, keeping ${kept}`);
  else log.info(`new history in ${options.dataDir}, epoch ${restored.epoch}`);
  return { file, restored };
}
