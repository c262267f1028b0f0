/** The list labelled "Users": who is on the server, kept up to date by JOIN and LEAVE. */
import { compareNicks } from '../protocol/nick.js';
import { nickElement } from './dom.js';

export class UserList {
  readonly #list: HTMLElement;
  readonly #count: HTMLElement;
  readonly #nicks = new Set<string>();

  constructor(list: HTMLElement, count: HTMLElement) {
    this.#list = list;
    this.#count = count;
  }

  /** The whole list, from a `USERS` reply. */
  replace(nicks: readonly string[]): void {
    this.#nicks.clear();
    for (const nick of nicks) this.#nicks.add(nick);
    this.#render();
  }

  add(nick: string): void {
    this.#nicks.add(nick);
    this.#render();
  }

  remove(nick: string): void {
    this.#nicks.delete(nick);
    this.#render();
  }

  #render(): void {
    this.#list.replaceChildren(...[...this.#nicks].sort(compareNicks).map((nick) => nickElement('li', nick)));
    this.#count.textContent = `(${this.#nicks.size})`;
  }
}
