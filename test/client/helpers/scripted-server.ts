/**
 * A TCP server whose every line is written by the test: for client behaviour the real server
 * cannot be made to show on demand (a connection never greeted, replay overtaken by live events,
 * a new epoch, a gap). It listens on port 0 and is closed by the test's teardown.
 */
import net from 'node:net';
import type { ExecutionContext } from 'ava';
import { LineClient } from '../../helpers/line-client.js';

/** One connection of the client under test; the test writes every line it gets. */
export class ScriptedPeer extends LineClient {
  override send(...lines: string[]): void {
    this.socket.write(lines.map((line) => `${line}\n`).join(''));
  }
}

export class ScriptedServer {
  readonly server: net.Server;
  readonly peers: ScriptedPeer[] = [];
  #taken = 0;
  #wake: (() => void) | undefined;

  constructor(server: net.Server) {
    this.server = server;
    server.on('connection', (socket) => {
      this.peers.push(new ScriptedPeer(socket));
      this.#wake?.();
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The next connection the client made. */
  async accept(): Promise<ScriptedPeer> {
    for (;;) {
      const peer = this.peers[this.#taken];
      if (peer !== undefined) {
        this.#taken++;
        return peer;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

export async function startScriptedServer(t: ExecutionContext): Promise<ScriptedServer> {
  const server = net.createServer();
  const scripted = new ScriptedServer(server);
  t.teardown(() => {
    for (const peer of scripted.peers) peer.close();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return scripted;
}
