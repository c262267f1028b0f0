/**
 * AUTH against guessing, over real sockets: failures count per address across reconnects and
 * workers, the token never travels on a command line or to the workers, and a weak token stops
 * the start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { connect, registered } from '../helpers/line-client.js';
import { failedStart, startServer } from '../helpers/server.js';

const TOKEN = 'k7-operator-token-for-tests';

function tokenFile(t: ExecutionContext, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'clusterchat-auth-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const path = join(dir, 'token');
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

test('guessing across reconnects: after three failures from an address even the right token is refused, and each failure is logged', async (t) => {
  const server = await startServer(t, { workers: 2, args: ['--admin-token-file', tokenFile(t, `${TOKEN}\n`)] });
  const { client: guesser } = await connect(t, server.port);
  guesser.write('AUTH guess-1\nAUTH guess-2\nAUTH guess-3\n');
  for (let i = 0; i < 3; i++) t.is(await guesser.next(), 'ERROR AUTH_FAILED wrong token');
  t.is(await guesser.next(), 'BYE too many failed AUTH attempts', 'the contract: three strikes close the connection');
  await guesser.closedByPeer();

  const workers = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const { client, welcome } = await connect(t, server.port);
    workers.add(welcome.split(' ')[2] ?? '');
    t.regex(
      await client.command(`AUTH ${TOKEN}`),
      /^ERROR AUTH_FAILED too many failed AUTH attempts from your address; try again in \d+ s$/,
      'reconnecting does not start over, whatever the worker',
    );
  }
  t.is(workers.size, 2);
  const { client: neighbour } = await connect(t, server.port, '127.0.0.1', '127.0.0.2');
  t.is(await neighbour.command(`AUTH ${TOKEN}`), 'OK', 'another address is not locked out');
  await server.waitFor(/AUTH failed from 127\.0\.0\.1 \(worker \d+, connection \d+\): failure 3 from this address/);
  t.regex(server.output, /AUTH refused from 127\.0\.0\.1 .*locked out/);
});

test('commands pipelined after the third failed AUTH change nothing: no JOIN, no MSG from a closed connection', async (t) => {
  const server = await startServer(t, { workers: 2, env: { CHAT_ADMIN_TOKEN: TOKEN } });
  const { client: watcher } = await registered(t, server.port, 'watcher');
  const { client: guesser } = await connect(t, server.port);
  guesser.write('AUTH guess-1\nAUTH guess-2\nAUTH guess-3\nREGISTER sneaky\nMSG said after the third strike\n');
  for (let i = 0; i < 3; i++) t.is(await guesser.next(), 'ERROR AUTH_FAILED wrong token');
  t.is(await guesser.next(), 'BYE too many failed AUTH attempts');
  await guesser.closedByPeer();
  // The hub takes requests in order: an event of the closed connection would come before this one.
  const mark = await watcher.command('MSG mark');
  await watcher.seen((line) => line.startsWith(`MSG ${mark.slice(3)} `));
  t.deepEqual(
    watcher.lines.filter((line) => line.includes('sneaky')),
    [],
  );
});

test('an operator token from the file or the environment appears on no command line and in no worker', async (t) => {
  for (const how of ['file', 'env'] as const) {
    const server = await startServer(t, {
      args: how === 'file' ? ['--admin-token-file', tokenFile(t, TOKEN)] : [],
      env: how === 'env' ? { CHAT_ADMIN_TOKEN: TOKEN } : {},
    });
    const { client } = await registered(t, server.port, `op${how}`);
    t.is(await client.command(`AUTH ${TOKEN}`), 'OK', how);
    t.false(readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8').includes(TOKEN), `${how}: not in cmdline`);
    for (const pid of server.workerPids.values()) {
      t.false(readFileSync(`/proc/${pid}/environ`, 'utf8').includes(TOKEN), `${how}: not in a worker's environment`);
      t.false(readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(TOKEN), `${how}: not in a worker's cmdline`);
    }
    await server.stop();
  }
});

const refusals: Array<{
  title: string;
  args: (t: ExecutionContext) => string[];
  env?: NodeJS.ProcessEnv;
  error: RegExp;
}> = [
  {
    title: 'a token shorter than 16 characters',
    args: () => ['--admin-token', 'short'],
    error: /^clusterchat: the admin token is too short: at least 16 characters, it has 5\n$/,
  },
  {
    title: 'a short token in CHAT_ADMIN_TOKEN',
    args: () => [],
    env: { CHAT_ADMIN_TOKEN: 'fifteen-chars-x' },
    error: /^clusterchat: the admin token is too short: at least 16 characters, it has 15\n$/,
  },
  {
    title: 'a short token in the file',
    args: (t) => ['--admin-token-file', tokenFile(t, 'abc\n')],
    error: /^clusterchat: the admin token in \S+ is too short: at least 16 characters, it has 3\n$/,
  },
  {
    title: 'a token file that cannot be read',
    args: () => ['--admin-token-file', '/nonexistent/token'],
    error: /^clusterchat: cannot read --admin-token-file \/nonexistent\/token: ENOENT/,
  },
  {
    title: 'both a token and a token file',
    args: (t) => ['--admin-token', TOKEN, '--admin-token-file', tokenFile(t, TOKEN)],
    error: /^clusterchat: give the admin token one way/,
  },
];

for (const { title, args, env, error } of refusals) {
  test(`the server refuses to start with ${title}: one line, exit code 1`, async (t) => {
    const failed = await failedStart(args(t), env);
    t.is(failed.code, 1);
    t.regex(failed.stderr, error);
    t.is(failed.stdout, '', 'nothing started');
  });
}
