/**
 * What the console client prints in non-TTY mode (see the top of `src/client.ts`), as patterns
 * the demo waits for. One place, so a change of the client's output format is one edit here.
 */
const TIME = String.raw`\[\d\d:\d\d:\d\d\]`;

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const clientLines = {
  connected: (nick: string) => new RegExp(`^\\* connected to worker (\\d+) as ${literal(nick)}$`),
  reconnected: (nick: string) => new RegExp(`^\\* reconnected to worker (\\d+) as ${literal(nick)}$`),
  disconnected: /^\* disconnected: (.+)$/,
  /** A drop whose reason is known, e.g. the reason of the server's BYE. */
  disconnectedBecause: (reason: string) => new RegExp(`^\\* disconnected: ${literal(reason)}$`),
  reconnecting: /^\* reconnecting in /,
  replayed: /^\* replayed (\d+) events?$/,
  message: (nick: string, text: string) => new RegExp(`^${TIME} <${literal(nick)}> ${literal(text)}$`),
  join: (nick: string) => new RegExp(`^${TIME} --> ${literal(nick)} joined$`),
  leave: (nick: string, reason: string) => new RegExp(`^${TIME} <-- ${literal(nick)} left \\(${literal(reason)}\\)$`),
  announce: (text: string) => new RegExp(`^${TIME} !!! ${literal(text)}$`),
  dmReceived: (from: string, text: string) => new RegExp(`^${TIME} \\*${literal(from)}\\* ${literal(text)}$`),
  dmSent: (to: string, text: string) => new RegExp(`^${TIME} -> \\*${literal(to)}\\* ${literal(text)}$`),
  users: (nicks: readonly string[]) => new RegExp(`^\\* ${nicks.length} users?: ${nicks.map(literal).join(' ')}$`),
  operator: /^\* operator rights granted$/,
  quit: /^\* quit$/,
  /** Any public event: a message, a join, a leave or an announcement (not DMs, not status lines). */
  publicEvent: new RegExp(`^${TIME} (?:<|-->|<--|!!!)`),
  /** Any line holding `text`, whatever its form. */
  mentioning: (text: string) => new RegExp(literal(text)),
};

export const serverLines = {
  listening: (workers: number) => new RegExp(`^listening on (\\S+):(\\d+) with ${workers} workers$`),
  workerUp: /worker (\d+) listening \(pid (\d+)\)/,
  workerDied: (id: number) => new RegExp(`worker ${id} died \\(signal SIGKILL\\)`),
  stopped: /primary: stopped; last seq (\d+)/,
};
