/** The console client on a real terminal (a pseudo-terminal from `script`), against the real server. */
import test from 'ava';
import { connect } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { freePort } from '../helpers/chat-stream.js';
import { runOnTerminal, terminalAvailable } from './helpers/terminal-process.js';

const available = terminalAvailable();
if (!available) console.log('skipping the terminal tests: `script` (util-linux) is not installed');
const terminalTest = available ? test : test.skip;

terminalTest('without --nick it connects first and asks for the nick only once the server answers', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const client = runOnTerminal(t, ['--port', String(server.port)]);
  await client.shows(/nick: $/);
  const text = client.text;
  t.true(
    text.indexOf(`Connecting to 127.0.0.1:${server.port}`) < text.indexOf('the server at'),
    'the spinner comes first',
  );
  t.true(text.includes(`* the server at 127.0.0.1:${server.port} answers; choose your nick\nnick: `));
  client.type('alice\r');
  await client.shows(/✔ Connected to worker 1 as alice\n/);
  client.type('/quit\r');
  t.is(await client.exited, 0);
});

terminalTest('without --nick and without a server it never asks for a nick: it says it cannot connect', async (t) => {
  const port = await freePort();
  const client = runOnTerminal(t, ['--port', String(port), '--retries', '1']);
  t.is(await client.exited, 1);
  t.regex(client.text, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));
  t.false(client.text.includes('nick:'));
});

terminalTest('a nick that is taken is explained and asked for again; the second one joins', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const { client: alice } = await connect(t, server.port);
  t.is(await alice.command('REGISTER alice'), 'OK alice');
  const client = runOnTerminal(t, ['--port', String(server.port), '--nick', 'ALICE']);
  await client.shows(/nick: $/);
  t.true(client.text.includes('! nick ALICE is taken (NICK_TAKEN); choose another nick\nnick: '));
  client.type('bad nick!\r');
  await client.shows(/a nick is 1 to 24 characters.*\nnick: $/);
  client.type('alice2\r');
  await client.shows(/✔ Connected to worker 1 as alice2\n/);
  t.is(await alice.command('USERS'), 'OK 2 alice alice2');
  client.type('\x03');
  t.is(await client.exited, 0);
});

terminalTest('Ctrl-C at the nick question leaves at once, with exit code 0', async (t) => {
  const server = await startServer(t, { workers: 1 });
  const client = runOnTerminal(t, ['--port', String(server.port)]);
  await client.shows(/nick: $/);
  client.type('ali');
  await client.shows(/nick: ali$/);
  client.type('\x03');
  t.is(await client.exited, 0);
  t.true(client.text.endsWith('nick: ali\n'), 'the shell prompt after it starts on a line of its own');
});
