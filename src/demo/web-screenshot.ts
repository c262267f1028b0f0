#!/usr/bin/env node
/**
 * `npm run screenshot:web`: starts the real server, plays a short conversation with console-client
 * library users over TCP, joins it from the real web client in headless Chromium, and writes
 * docs/images/web-desktop.png and docs/images/web-phone.png. Needs Chromium; says so when it is
 * missing. Not part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { ChatClient } from '../client/chat-client.js';
import { tcpConnector } from '../client/tcp-transport.js';
import { CHROMIUM_MISSING, findChromium } from '../report/chromium.js';
import { launchChromium } from './browser.js';

const PRIMARY_PATH = fileURLToPath(new URL('../primary.js', import.meta.url));
const IMAGES = new URL('../../docs/images/', import.meta.url);
const START_TIMEOUT_MS = 20_000;
const ADMIN_TOKEN = randomBytes(12).toString('hex');

interface Server {
  process: ChildProcess;
  port: number;
  url: string;
}

async function startServer(): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      PRIMARY_PATH,
      '--workers',
      '2',
      '--port',
      '0',
      '--no-persist',
      '--log-level',
      'warn',
      '--admin-token',
      ADMIN_TOKEN,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8');
  const started = new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const port = /listening on \S+:(\d+)/.exec(output)?.[1];
      const url = /web client on (\S+)/.exec(output)?.[1];
      if (port === undefined || url === undefined) return;
      clearTimeout(timer);
      resolve({ process: child, port: Number(port), url });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code})`));
    });
  });
  return started;
}

async function user(port: number, nick: string): Promise<ChatClient> {
  const client = new ChatClient({ connector: tcpConnector({ host: '127.0.0.1', port }), nick });
  await client.connect();
  return client;
}

async function join(
  browser: Browser,
  url: string,
  nick: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.getByLabel('Nick').fill(nick);
  await page.getByLabel('Nick').press('Enter');
  await page.getByRole('log').locator('.joined', { hasText: nick }).first().waitFor();
  return page;
}

async function say(page: Page, line: string): Promise<void> {
  await page.getByLabel('Message').fill(line);
  await page.getByLabel('Message').press('Enter');
}

/**
 * The conversation pictured, seen by a desktop and a phone user: messages both ways, a DM each
 * way, an announcement, a nick change, a leave. Resolves with the two pages and the TCP users.
 */
async function converse(server: Server, browser: Browser): Promise<{ pages: Page[]; users: ChatClient[] }> {
  const alice = await user(server.port, 'alice');
  const bob = await user(server.port, 'bob');
  const carol = await user(server.port, 'carol');
  const desktop = await join(browser, server.url, 'dana', { width: 1100, height: 640 });
  const phone = await join(browser, server.url, 'erin', { width: 390, height: 720 });
  await alice.message('morning all — the build is green again');
  await bob.message('nice! was it the flaky reconnect test?');
  await alice.message('yes: a worker killed mid-handshake. fixed and covered now');
  await carol.changeNick('carol_w');
  await say(desktop, 'hello from the browser');
  await bob.dm('dana', 'could you review my PR when you have a minute?');
  await say(desktop, '/msg bob on it after lunch');
  await alice.auth(ADMIN_TOKEN);
  await alice.announce('maintenance window tonight, 22:00 UTC');
  await carol.quit('lunch');
  await bob.message('welcome erin!');
  await say(phone, 'thanks! joining from my phone');
  await desktop.getByRole('log').getByText('joining from my phone').waitFor();
  return { pages: [desktop, phone], users: [alice, bob] };
}

async function main(): Promise<number> {
  const chromium = findChromium();
  if (chromium === undefined) {
    process.stderr.write(`screenshot:web: ${CHROMIUM_MISSING}\n`);
    return 1;
  }
  const server = await startServer();
  const browser = await launchChromium(chromium);
  try {
    const { pages, users } = await converse(server, browser);
    const [desktop, phone] = pages;
    for (const [page, name] of [
      [desktop, 'web-desktop.png'],
      [phone, 'web-phone.png'],
    ] as const) {
      const path = fileURLToPath(new URL(name, IMAGES));
      await page?.screenshot({ path });
      process.stdout.write(`wrote ${path}\n`);
    }
    for (const client of users) client.close();
    return 0;
  } finally {
    await browser.close();
    server.process.kill('SIGTERM');
    await once(server.process, 'exit');
  }
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`screenshot:web: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
});
