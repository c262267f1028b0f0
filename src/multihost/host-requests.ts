/**
 * Requests between hosts on core NATS, to `chat.host.<name>`: who is registered there (USERS),
 * deliver a DM, KICK a user, and "is this name taken" (a host starting under a live host's name
 * is refused). Each host answers for its own users only.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { HubSide } from '../hub/chat-state.js';
import type { Logger } from '../log.js';
import { hostSubject } from './names.js';

type HostRequest =
  | { op: 'ping' }
  | { op: 'users' }
  | { op: 'dm'; nick: string; line: string }
  | { op: 'kick'; nick: string; why: string };

/** How long a host waits for the others' user lists before answering USERS without the silent. */
const USERS_TIMEOUT_MS = 2_000;

export class HostRequests {
  readonly #nc: NatsConnection;
  readonly #name: string;
  readonly #hub: () => HubSide | undefined;
  readonly #log: Logger;
  #subscription: Subscription | undefined;

  constructor(nc: NatsConnection, name: string, hub: () => HubSide | undefined, log: Logger) {
    this.#nc = nc;
    this.#name = name;
    this.#hub = hub;
    this.#log = log;
  }

  /** Whether a live host answers to `name`. */
  static async nameTaken(nc: NatsConnection, name: string, timeout: number): Promise<boolean> {
    try {
      await nc.request(hostSubject(name), JSON.stringify({ op: 'ping' }), { timeout });
      return true;
    } catch {
      // No responders, or nobody answered in time: nobody lives under that name.
      return false;
    }
  }

  start(): void {
    this.#subscription = this.#nc.subscribe(hostSubject(this.#name), {
      callback: (error, msg) => {
        if (error !== null) return;
        void this.#answer(msg.json<HostRequest>()).then(
          (answer) => msg.respond(JSON.stringify(answer)),
          (failure: unknown) => {
            this.#log.warn(`request from another host failed: ${(failure as Error).message}`);
          },
        );
      },
    });
  }

  stop(): void {
    this.#subscription?.unsubscribe();
  }

  /** The users of the given hosts; a host that does not answer in time is left out. */
  async usersOf(hosts: string[]): Promise<string[]> {
    const lists = await Promise.all(
      hosts.map((host) =>
        this.#ask<{ nicks: string[] }>(host, { op: 'users' }, USERS_TIMEOUT_MS).then(
          (answer) => answer.nicks,
          () => [],
        ),
      ),
    );
    return lists.flat();
  }

  async dm(host: string, nick: string, line: string, timeout: number): Promise<boolean> {
    return this.#found(host, { op: 'dm', nick, line }, timeout);
  }

  async kick(host: string, nick: string, why: string, timeout: number): Promise<boolean> {
    return this.#found(host, { op: 'kick', nick, why }, timeout);
  }

  /** Asks a host; a host that is gone or silent did not find the user. */
  async #found(host: string, request: HostRequest, timeout: number): Promise<boolean> {
    try {
      return (await this.#ask<{ found: boolean }>(host, request, timeout)).found;
    } catch {
      return false;
    }
  }

  async #ask<T>(host: string, request: HostRequest, timeout: number): Promise<T> {
    const reply = await this.#nc.request(hostSubject(host), JSON.stringify(request), { timeout });
    return reply.json<T>();
  }

  async #answer(request: HostRequest): Promise<object> {
    const hub = this.#hub();
    switch (request.op) {
      case 'ping':
        return { name: this.#name };
      case 'users':
        return { nicks: hub?.localNicks() ?? [] };
      case 'dm':
        return { found: hub?.deliverDm(request.nick, request.line) ?? false };
      case 'kick': {
        const { nick, why } = request;
        return {
          found: await new Promise<boolean>((resolve) => {
            if (hub === undefined) resolve(false);
            else hub.kickLocal(nick, why, resolve);
          }),
        };
      }
      default: {
        const unknown: never = request;
        this.#log.warn(`unknown request from another host: ${JSON.stringify(unknown)}`);
        return {};
      }
    }
  }
}
