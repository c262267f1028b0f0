/** The few DOM helpers the web client needs. Text only ever goes in through `textContent`. */
import { nickColorIndex } from '../client/nick-color.js';
import { sanitize } from '../protocol/text.js';

/** Classes `nick-0` … `nick-11` in app.css: a nick has the same colour everywhere. */
const NICK_COLORS = 12;

/** A new element with a class and, optionally, text (set as text: never parsed as markup). */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** The page's element with this id, checked to be of the expected kind. */
export function byId<T extends HTMLElement>(id: string, kind: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof kind)) throw new Error(`the page has no ${kind.name} #${id}`);
  return node;
}

/** A nick in its colour. */
export function nickElement(tag: 'span' | 'li', nick: string): HTMLElement {
  return element(tag, `nick nick-${nickColorIndex(nick, NICK_COLORS)}`, sanitize(nick));
}
