/**
 * A worker's HTTP side, loaded with its first HTTP connection: `http`, `ws` and the web client's
 * files cost a worker tens of milliseconds to load, and a worker forked to replace a dead one
 * should take its chat/1 connections as soon as it can. Until then the handed socket waits
 * paused, as it came.
 */
import type net from 'node:net';
import type { HttpFront, HttpFrontOptions } from './http-front.js';

export class LazyHttpFront {
  readonly #options: Omit<HttpFrontOptions, 'assets'>;
  #front: Promise<HttpFront> | undefined;
  #draining = false;

  constructor(options: Omit<HttpFrontOptions, 'assets'>) {
    this.#options = options;
  }

  accept(socket: net.Socket): void {
    if (this.#draining) {
      socket.destroy();
      return;
    }
    this.#load().then(
      (front) => {
        front.accept(socket);
      },
      (error: unknown) => {
        this.#options.log.error(`HTTP side failed to load: ${error instanceof Error ? error.message : String(error)}`);
        socket.destroy();
      },
    );
  }

  /** This worker is leaving; nothing to do if it never served HTTP. */
  drain(): void {
    this.#draining = true;
    void this.#front?.then((front) => {
      front.drain();
    });
  }

  #load(): Promise<HttpFront> {
    this.#front ??= Promise.all([import('./http-front.js'), import('./web-assets.js')]).then(
      ([{ HttpFront }, { loadWebAssets }]) => {
        const { assets, missing } = loadWebAssets();
        if (missing.length > 0)
          this.#options.log.warn(`web client not built (missing ${missing.join(', ')}): npm run build`);
        return new HttpFront({ ...this.#options, assets });
      },
    );
    return this.#front;
  }
}
