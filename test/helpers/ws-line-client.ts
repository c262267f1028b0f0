/**
 * A bare chat/1 connection over WebSocket (`GET /ws`), with the `ws` package's client: send
 * frames (text, several lines, binary), await lines as they come, and see the frames and the
 * close code themselves.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import { LineReader, registerOn, type Registered } from './line-client.js';
import type { Owner } from './server.js';

export class WsLineClient extends LineReader {
  readonly ws: WebSocket;
  /** Every text frame received, as it came. */
  readonly frames: string[] = [];
  closeCode: number | undefined;
  closeReason = '';

  constructor(ws: WebSocket) {
    super();
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = data.toString('utf8');
      this.frames.push(isBinary ? `<binary ${data.length}>` : text);
      this.received(text.split('\n').filter((line) => line !== ''));
    });
    ws.on('error', () => {});
    ws.on('close', (code: number, reason: Buffer) => {
      this.closeCode = code;
      this.closeReason = reason.toString('utf8');
      this.ended();
    });
  }

  /** One line as one text frame, without LF: a frame ends its last line. */
  send(line: string): void {
    this.ws.send(line);
  }

  /** One text frame, exactly as given. */
  sendFrame(text: string | Buffer): void {
    this.ws.send(text, { binary: false });
  }

  sendBinary(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens `ws://host:port/ws` (`wss://` with a CA to trust) and waits for the WELCOME line; the owner's teardown closes it. */
export async function connectWs(
  t: Owner,
  httpPort: number,
  options: { host?: string; path?: string; ca?: string } = {},
): Promise<{ client: WsLineClient; welcome: string }> {
  const scheme = options.ca === undefined ? 'ws' : 'wss';
  const url = `${scheme}://${options.host ?? '127.0.0.1'}:${httpPort}${options.path ?? '/ws'}`;
  const ws = new WebSocket(url, options.ca === undefined ? {} : { ca: options.ca });
  const client = new WsLineClient(ws);
  t.teardown(() => {
    client.close();
  });
  await once(ws, 'open');
  const welcome = await client.next();
  return { client, welcome };
}

/** Connects over WebSocket and registers `nick`. */
export async function registeredWs(t: Owner, httpPort: number, nick: string): Promise<Registered<WsLineClient>> {
  return registerOn(await connectWs(t, httpPort), nick);
}
