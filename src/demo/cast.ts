/**
 * The processes of the demo: one server (`dist/primary.js`) and the clients (`dist/client.js` on
 * pipes, so in plain non-TTY mode). The cast remembers everything it started, and the workers the
 * server reported, so that `killAll` leaves nothing behind whatever happened.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Actor } from './actor.js';
import type { Transcript } from './transcript.js';

const PRIMARY_PATH = fileURLToPath(new URL('../primary.js', import.meta.url));
const CLIENT_PATH = fileURLToPath(new URL('../client.js', import.meta.url));

export const SERVER_NAME = 'server';
const WORKER_UP = /worker (\d+) listening \(pid (\d+)\)/;
const WORKER_GONE = /worker (\d+) (?:died|exited)/;

export class Cast {
  readonly #transcript: Transcript;
  readonly #actors = new Map<string, Actor>();
  /** worker id → pid of every worker the server says is alive. */
  readonly liveWorkers = new Map<number, number>();

  constructor(transcript: Transcript) {
    this.#transcript = transcript;
  }

  get server(): Actor {
    return this.actor(SERVER_NAME);
  }

  actor(name: string): Actor {
    const actor = this.#actors.get(name);
    if (actor === undefined) throw new Error(`no process named ${name} was started`);
    return actor;
  }

  startServer(args: readonly string[]): Actor {
    return this.#start(SERVER_NAME, PRIMARY_PATH, args, (line) => {
      this.#trackWorkers(line);
    });
  }

  startClient(nick: string, host: string, port: number): Actor {
    return this.#start(nick, CLIENT_PATH, ['--host', host, '--port', String(port), '--nick', nick], () => {});
  }

  /** SIGKILLs every process still running, and the server's live workers when the server was still up. */
  killAll(): void {
    const server = this.#actors.get(SERVER_NAME);
    const orphans = server?.running === true ? [...this.liveWorkers.values()] : [];
    for (const actor of this.#actors.values()) actor.signal('SIGKILL');
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already with its primary, which is how it should be.
      }
    }
  }

  #start(name: string, script: string, args: readonly string[], watch: (line: string) => void): Actor {
    const child = spawn(process.execPath, [script, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    const actor = new Actor({
      name,
      child,
      onLine: (_, line) => {
        watch(line);
        this.#transcript.output(name, line);
      },
      onInput: (_, line) => {
        this.#transcript.input(name, line);
      },
    });
    this.#actors.set(name, actor);
    return actor;
  }

  #trackWorkers(line: string): void {
    const up = line.match(WORKER_UP);
    if (up !== null) this.liveWorkers.set(Number(up[1]), Number(up[2]));
    const gone = line.match(WORKER_GONE);
    if (gone !== null) this.liveWorkers.delete(Number(gone[1]));
  }
}
