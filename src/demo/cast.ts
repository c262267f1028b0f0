/**
 * The processes of the demo: the server (`dist/primary.js`; several hosts in the multi-host demo)
 * and the clients (`dist/client.js` on pipes, so in plain non-TTY mode). The cast remembers
 * everything it started, and the workers each server reported, so that `killAll` leaves nothing
 * behind whatever happened.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Actor } from './actor.js';
import type { Transcript } from './transcript.js';
import { killQuietly } from '../processes.js';

const PRIMARY_PATH = fileURLToPath(new URL('../primary.js', import.meta.url));
const CLIENT_PATH = fileURLToPath(new URL('../client.js', import.meta.url));

export const SERVER_NAME = 'server';
const WORKER_UP = /worker (\d+) listening \(pid (\d+)\)/;
const WORKER_GONE = /worker (\d+) (?:died|exited)/;

export class Cast {
  readonly #transcript: Transcript;
  readonly #actors = new Map<string, Actor>();
  /** server name → worker id → pid of every worker that server says is alive. */
  readonly #workers = new Map<string, Map<number, number>>();

  constructor(transcript: Transcript) {
    this.#transcript = transcript;
  }

  get server(): Actor {
    return this.actor(SERVER_NAME);
  }

  /** worker id → pid of every worker the server says is alive. */
  get liveWorkers(): Map<number, number> {
    return this.workersOf(SERVER_NAME);
  }

  workersOf(server: string): Map<number, number> {
    let workers = this.#workers.get(server);
    if (workers === undefined) this.#workers.set(server, (workers = new Map<number, number>()));
    return workers;
  }

  actor(name: string): Actor {
    const actor = this.#actors.get(name);
    if (actor === undefined) throw new Error(`no process named ${name} was started`);
    return actor;
  }

  startServer(args: readonly string[], name = SERVER_NAME): Actor {
    return this.#start(name, PRIMARY_PATH, args, (line) => {
      this.#trackWorkers(this.workersOf(name), line);
    });
  }

  startClient(nick: string, host: string, port: number): Actor {
    return this.startClientWith(nick, ['--host', host, '--port', String(port)]);
  }

  /** A client with its own connection options (`--server …` for several hosts). */
  startClientWith(nick: string, options: readonly string[]): Actor {
    return this.#start(nick, CLIENT_PATH, [...options, '--nick', nick], () => {});
  }

  /** kill -9 of a server and its workers at once, as when its machine dies. */
  killServer(name: string): void {
    this.actor(name).signal('SIGKILL');
    for (const pid of this.workersOf(name).values()) killQuietly(pid);
  }

  /** SIGKILLs every process still running, and the live workers of each server still up. */
  killAll(): void {
    const orphans = [...this.#workers]
      .filter(([name]) => this.#actors.get(name)?.running === true)
      .flatMap(([, workers]) => [...workers.values()]);
    for (const actor of this.#actors.values()) actor.signal('SIGKILL');
    // Gone already with their primary, as they should be, or killed now.
    for (const pid of orphans) killQuietly(pid);
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

  #trackWorkers(workers: Map<number, number>, line: string): void {
    const up = line.match(WORKER_UP);
    if (up !== null) workers.set(Number(up[1]), Number(up[2]));
    const gone = line.match(WORKER_GONE);
    if (gone !== null) workers.delete(Number(gone[1]));
  }
}
