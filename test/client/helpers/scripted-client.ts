/** A ChatClient against a scripted server (`scripted-server.ts`), driven by sinon's fake timers. */
import type { ExecutionContext } from 'ava';
import sinon from 'sinon';
import { ChatClient } from '../../../src/client/chat-client.js';
import type { ChatClientSettings } from '../../../src/client/client-options.js';
import { tcpConnector } from '../../../src/client/tcp-transport.js';
import { nextEvent } from '../../helpers/next-event.js';
import { startScriptedServer, type ScriptedPeer, type ScriptedServer } from './scripted-server.js';

export const T = '2026-11-24T11:09:21.123Z';

export function fakeClock(t: ExecutionContext): sinon.SinonFakeTimers {
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  t.teardown(() => {
    clock.restore();
  });
  return clock;
}

export function newClient(t: ExecutionContext, server: ScriptedServer, options: Partial<ChatClientSettings> = {}) {
  // random 0: every delay is exactly half the nominal one (125 ms, 125 ms, 250 ms, …).
  const client = new ChatClient({
    connector: tcpConnector({ host: '127.0.0.1', port: server.port }),
    nick: 'alice',
    backoff: { random: () => 0 },
    ...options,
  });
  t.teardown(() => {
    client.close();
  });
  const seqs: number[] = [];
  client.on('public', (event) => seqs.push(event.seq));
  return { client, seqs };
}

/** Greets and registers the client on `peer`; alice's JOIN gets `joinSeq`. */
export async function greet(peer: ScriptedPeer, workerId: number, joinSeq: number, epoch = 'ep1'): Promise<void> {
  peer.send(`WELCOME chat/1 ${workerId} ${joinSeq - 1} ${epoch}`);
  assertLine(await peer.next(), 'REGISTER alice');
  peer.send(`JOIN ${joinSeq} ${T} alice`, 'OK alice');
}

/** Closes the client's connection from the server's side; its next one, after the first backoff (125 ms at random 0). */
export async function dropAndAccept(
  client: ChatClient,
  server: ScriptedServer,
  peer: ScriptedPeer,
  clock: sinon.SinonFakeTimers,
): Promise<ScriptedPeer> {
  const reconnecting = nextEvent(client, 'reconnecting');
  peer.close();
  await reconnecting;
  clock.tick(125);
  return server.accept();
}

function assertLine(actual: string, expected: string): void {
  if (actual !== expected)
    throw new Error(`expected ${JSON.stringify(expected)}, the client sent ${JSON.stringify(actual)}`);
}

export async function connected(t: ExecutionContext, options: Partial<ChatClientSettings> = {}) {
  const server = await startScriptedServer(t);
  const { client, seqs } = newClient(t, server, options);
  const connecting = client.connect();
  const peer = await server.accept();
  await greet(peer, 1, 11);
  const welcome = await connecting;
  return { server, client, seqs, peer, welcome };
}
