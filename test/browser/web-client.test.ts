/**
 * The web client in a real headless Chromium (playwright-core, Debian's /usr/bin/chromium)
 * against a real server: joined through its labels and roles, talking with raw TCP clients.
 */
import test from 'ava';
import type { Browser } from 'playwright-core';
import { ChatClient } from '../../src/client/chat-client.js';
import { tcpConnector } from '../../src/client/tcp-transport.js';
import type { PublicEvent } from '../../src/protocol/wire.js';
import { chromiumPath, joinAs, launchBrowser, openPage, say, shownSeqs, SKIP_REASON } from '../helpers/browser.js';
import { freePort } from '../helpers/chat-stream.js';
import { registered } from '../helpers/line-client.js';
import { SharedTeardown, startServer } from '../helpers/server.js';

const ADMIN_TOKEN = 'opensesame-0123456789';

if (chromiumPath === undefined) {
  test.skip(SKIP_REASON, () => {});
} else {
  const shared = new SharedTeardown();
  let browser: Browser;
  test.before(async () => {
    browser = await launchBrowser(shared);
  });
  test.after.always(() => shared.cleanup());

  test('joins by the Nick label and chats both ways with a TCP client; the Users list follows', async (t) => {
    const server = await startServer(t, { workers: 2 });
    const { page, problems } = await openPage(t, browser, server.httpUrl);
    await joinAs(page, 'webby');
    const { client: tcp } = await registered(t, server.port, 'tcpy');
    const log = page.getByRole('log');
    await log.getByText('tcpy joined').waitFor();

    await say(page, 'hello from the browser');
    t.regex(await tcp.seen((l) => l.endsWith(' webby hello from the browser')), /^MSG \d+ /);
    t.regex(await tcp.command('MSG hello from nc'), /^OK \d+$/);
    await log.getByText('hello from nc').waitFor();

    const users = page.getByRole('list', { name: 'Users' });
    await users.getByText('tcpy').waitFor();
    t.deepEqual(await users.getByRole('listitem').allTextContents(), ['tcpy', 'webby']);
    tcp.send('QUIT');
    await log.getByText('tcpy left (quit)').waitFor();
    t.deepEqual(await users.getByRole('listitem').allTextContents(), ['webby']);
    t.regex((await page.getByRole('status').textContent()) ?? '', /connected as webby/);
    t.deepEqual(problems, []);
  });

  test('a line the server or the client refuses goes back into the message box, with the reason in the log', async (t) => {
    const server = await startServer(t, { workers: 1, args: ['--max-line', '100'] });
    const { page, problems } = await openPage(t, browser, server.httpUrl);
    await joinAs(page, 'webby');
    const log = page.getByRole('log');
    const box = page.getByLabel('Message');
    const long = `${'z'.repeat(120)} the end`;
    await say(page, long);
    await log.locator('.error', { hasText: 'line longer than 100 bytes' }).waitFor();
    t.is(await box.inputValue(), long);
    await say(page, '/msg');
    await log.locator('.error', { hasText: 'usage' }).waitFor();
    t.is(await box.inputValue(), '/msg');
    await say(page, 'accepted');
    await log.locator('.msg', { hasText: 'accepted' }).waitFor();
    t.is(await box.inputValue(), '');
    t.deepEqual(problems, []);
  });

  test('DMs both ways, shown apart from public lines; slash commands answer in the log', async (t) => {
    const server = await startServer(t, { workers: 2, args: ['--admin-token', ADMIN_TOKEN] });
    const { page } = await openPage(t, browser, server.httpUrl);
    await joinAs(page, 'webby');
    const { client: tcp } = await registered(t, server.port, 'tcpy');
    const log = page.getByRole('log');

    await say(page, '/msg tcpy just between us');
    t.regex(await tcp.until((l) => l.startsWith('DM ')), / webby just between us$/);
    await log.locator('.dm', { hasText: 'just between us' }).waitFor();
    t.is(await tcp.command('DM webby and back'), 'OK');
    const received = log.locator('.dm', { hasText: 'and back' });
    await received.waitFor();
    t.regex((await received.textContent()) ?? '', /from tcpy and back/);

    await say(page, '/users');
    await log.getByText('2 users: tcpy webby').waitFor();
    await say(page, `/auth ${ADMIN_TOKEN}`);
    await log.getByText('operator rights granted').waitFor();
    await say(page, '/announce maintenance at noon');
    await log.locator('.announce', { hasText: 'maintenance at noon' }).waitFor();
    t.regex(await tcp.seen((l) => l.startsWith('ANNOUNCE ')), / maintenance at noon$/);
    await say(page, '/nick webster');
    await log.locator('.rename', { hasText: 'webby is now known as webster' }).waitFor();
    t.regex(await tcp.seen((l) => l.startsWith('JOIN ') && l.endsWith(' webster')), /^JOIN \d+ /);
    await page.getByRole('list', { name: 'Users' }).getByText('webster').waitFor();
    t.is(await log.locator('.joined', { hasText: 'webster' }).count(), 0, 'the change is one line');
    await say(page, '/frobnicate');
    await log.locator('.error', { hasText: 'unknown command /frobnicate' }).waitFor();
    await say(page, '/msg nobody hello?');
    await log.locator('.error', { hasText: 'NO_SUCH_NICK' }).waitFor();
    await say(page, '/quit');
    await log.getByText('you left the chat').waitFor();
    t.true(await page.getByLabel('Nick').isVisible(), 'the join form is back');
    t.regex(await tcp.seen((l) => l.startsWith('LEAVE ') && l.endsWith(' quit')), / webster quit$/);
  });

  test('a taken nick is explained and asked again; so is a bad one', async (t) => {
    const server = await startServer(t, { workers: 2 });
    await registered(t, server.port, 'alice');
    const { page } = await openPage(t, browser, server.httpUrl);
    await page.getByLabel('Nick').fill('ALICE');
    await page.getByLabel('Nick').press('Enter');
    await page.getByRole('alert').getByText('“ALICE” is taken: choose another nick.').waitFor();
    await page.getByLabel('Nick').fill('no spaces');
    await page.getByLabel('Nick').press('Enter');
    await page.getByRole('alert').getByText('is not a nick').waitFor();
    await joinAs(page, 'alice2');
    t.true(await page.getByLabel('Message').isVisible());
  });

  test('hostile text from the server is shown as text, never run or rendered as markup', async (t) => {
    const server = await startServer(t, { workers: 1, args: ['--admin-token', ADMIN_TOKEN] });
    const { page, problems } = await openPage(t, browser, server.httpUrl);
    await joinAs(page, 'webby');
    const { client: tcp } = await registered(t, server.port, 'mallory');
    const hostile = [
      '<script>window.pwned = 1</script>',
      '<img src=x onerror="window.pwned = 2">',
      '<b>bold?</b> &amp; &lt;',
      '"><iframe src=javascript:alert(1)>',
    ];
    for (const text of hostile) t.regex(await tcp.command(`MSG ${text}`), /^OK \d+$/);
    t.is(await tcp.command(`DM webby <img src=x onerror="window.pwned = 3">`), 'OK');
    t.is(await tcp.command(`AUTH ${ADMIN_TOKEN}`), 'OK');
    t.regex(await tcp.command('ANNOUNCE <svg onload="window.pwned = 4"></svg>'), /^OK \d+$/);
    const log = page.getByRole('log');
    await log.getByText('<svg onload="window.pwned = 4"></svg>').waitFor();
    for (const text of hostile) await log.getByText(text, { exact: false }).first().waitFor();
    await log.getByText('<img src=x onerror="window.pwned = 3">').waitFor();
    t.is(await page.evaluate<string>('typeof window.pwned'), 'undefined');
    t.is(await log.locator('script, img, svg, b, iframe').count(), 0, 'no element came from the server');
    t.deepEqual(problems, []);
  });

  test('every worker killed: the page reconnects by itself, fills the gap, shows nothing twice', async (t) => {
    const server = await startServer(t, { workers: 2 });
    const { page, context } = await openPage(t, browser, server.httpUrl);
    await joinAs(page, 'webby');
    // A Node client of the same library, over TCP: it sees the whole stream to compare with.
    const witness = new ChatClient({
      connector: tcpConnector({ host: '127.0.0.1', port: server.port }),
      nick: 'witness',
    });
    t.teardown(() => {
      witness.close();
    });
    const seen: PublicEvent[] = [];
    witness.on('public', (event) => seen.push(event));
    await witness.connect();
    await witness.message('before the crash');
    await page.getByRole('log').getByText('before the crash').waitFor();

    // The witness loses its worker too: it must be back before it speaks, or its message dies with
    // the old connection (a command in flight when a connection drops is reported, not re-sent).
    const witnessBack = new Promise<void>((resolve) => {
      witness.on('connected', ({ reconnected }) => {
        if (reconnected) resolve();
      });
    });
    // Offline, the page cannot reconnect until we say: what is said meanwhile must come from the gap fill.
    await context.setOffline(true);
    for (const pid of server.workerPids.values()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // A worker already replaced.
      }
    }
    await page.getByRole('status').getByText('reconnecting').waitFor();
    await witnessBack;
    const missed = await witness.message('said while the page was away');
    await context.setOffline(false);
    const log = page.getByRole('log');
    await log.getByText('said while the page was away').waitFor({ timeout: 30_000 });
    await log.getByText(/replayed \d+ events/).waitFor();
    const lines = await log.locator('.line').allTextContents();
    const replayedAt = lines.findIndex((line) => /^replayed \d+ events$/.test(line));
    const missedAt = lines.findIndex((line) => line.endsWith('said while the page was away'));
    t.true(missedAt !== -1 && missedAt < replayedAt, 'the message said while away came with the replay');
    await page.getByRole('status').getByText('connected as webby').waitFor();
    await say(page, 'back again');
    await log.getByText('back again').waitFor();

    const seqs = await shownSeqs(page);
    t.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'each seq once, in order',
    );
    t.true(seqs.includes(missed));
    const witnessSeqs = seen.map((event) => event.seq).filter((seq) => seq >= (seqs[0] ?? 0));
    t.deepEqual(
      seqs.filter((seq) => seq >= (witnessSeqs[0] ?? 0)),
      witnessSeqs,
      'the page and the TCP client saw the same stream',
    );
    t.true(await log.getByText('webby left (worker lost)').isVisible());
  });

  test('a server restarted without its history: the page reconnects and says the history was reset, as the console client does', async (t) => {
    // Only the HTTP port must stay: the page reconnects to its URL. The chat port is a free one
    // each time, so nothing else can take it in the instant between the two servers.
    const httpPort = ['--http-port', String(await freePort())];
    const first = await startServer(t, { workers: 1, args: httpPort });
    const { page } = await openPage(t, browser, first.httpUrl);
    await joinAs(page, 'webby');
    const { client: tcp } = await registered(t, first.port, 'tcpy');
    t.regex(await tcp.command('MSG before the restart'), /^OK \d+$/);
    await page.getByRole('log').getByText('before the restart').waitFor();
    await first.stop();
    const second = await startServer(t, { workers: 1, args: httpPort });
    const log = page.getByRole('log');
    await log
      .getByText(/history was reset \(new epoch \w+\): old seqs are void; replayed \d+ events?/)
      .waitFor({ timeout: 30_000 });
    await page.getByRole('status').getByText('connected as webby').waitFor();
    const { client: again } = await registered(t, second.port, 'tcpy2');
    t.regex(await again.command('MSG after the restart'), /^OK \d+$/);
    await log.getByText('after the restart').waitFor();
    t.is(await log.getByText('before the restart').count(), 1, 'nothing shown twice');
  });

  test('at phone width everything fits: the Users list, the log and the Message box, without sideways scrolling', async (t) => {
    const server = await startServer(t, { workers: 1 });
    const { page } = await openPage(t, browser, server.httpUrl, { width: 375, height: 667 });
    await joinAs(page, 'thumbs');
    const { client: tcp } = await registered(t, server.port, 'desk');
    t.regex(await tcp.command(`MSG ${'a-very-long-word-without-spaces-'.repeat(8)}`), /^OK \d+$/);
    await page.getByRole('log').getByText('a-very-long-word', { exact: false }).waitFor();
    for (const locator of [
      page.getByLabel('Message'),
      page.getByRole('list', { name: 'Users' }),
      page.getByRole('log'),
    ]) {
      t.true(await locator.isVisible());
      const box = await locator.boundingBox();
      t.true(box !== null && box.x >= 0 && box.x + box.width <= 375 && box.y + box.height <= 667, JSON.stringify(box));
    }
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    t.is(overflow, 0);
    await say(page, 'typed on a phone');
    t.regex(await tcp.seen((l) => l.endsWith(' thumbs typed on a phone')), /^MSG /);
  });
}
