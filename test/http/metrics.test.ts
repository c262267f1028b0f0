/** `/metrics` against a real server: one view over the primary and every worker, scraped before and after traffic. */
import test from 'ava';
import { registered } from '../helpers/line-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registeredWs } from '../helpers/ws-line-client.js';

async function scrape(server: TestServer): Promise<string> {
  const response = await fetch(`${server.httpUrl}metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** The value of one sample, `name{labels} value`; undefined when the page has no such line. */
function sample(page: string, name: string, labels = ''): number | undefined {
  const line = page.split('\n').find((text) => text.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('/metrics: the same counts before traffic from every worker, then what the traffic did', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const response = await fetch(`${server.httpUrl}metrics`);
  const startTime = sample(await response.clone().text(), 'process_start_time_seconds');
  t.true(startTime !== undefined && Math.abs(startTime - Date.now() / 1000) < 600, 'a start time of today');
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  for (let scrapes = 0; scrapes < 4; scrapes++) {
    // Each scrape lands on a worker in turn: every one gives the whole server's view.
    const before = await scrape(server);
    t.is(sample(before, 'clusterchat_workers'), 2);
    t.is(sample(before, 'clusterchat_worker_restarts_total'), 0);
    t.is(sample(before, 'clusterchat_messages_total'), 0);
    t.is(sample(before, 'clusterchat_deliveries_total'), 0);
    t.is(sample(before, 'clusterchat_history_events'), 0);
    t.is(sample(before, 'clusterchat_connections', '{transport="tcp"}'), 0);
    t.is(sample(before, 'clusterchat_connections', '{transport="ws"}'), 0);
    t.true((sample(before, 'process_cpu_seconds_total') ?? 0) > 0);
    t.true((sample(before, 'nodejs_heap_size_total_bytes') ?? 0) > 0);
    t.is(sample(before, 'process_start_time_seconds'), startTime, "the primary's, whichever worker answers");
  }

  const { client: tcp } = await registered(t, server.port, 'tcpy');
  const { client: web } = await registeredWs(t, server.httpPort, 'webby');
  for (const text of ['one', 'two', 'three']) t.regex(await tcp.command(`MSG ${text}`), /^OK \d+$/);
  for (const text of ['four', 'five']) t.regex(await web.command(`MSG ${text}`), /^OK \d+$/);
  t.is(await web.command('DM tcpy psst'), 'OK');
  await tcp.seen((line) => line.endsWith(' webby psst'));
  await tcp.seen((line) => line.endsWith(' webby five'));

  const after = await scrape(server);
  t.is(sample(after, 'clusterchat_messages_total'), 5);
  t.is(sample(after, 'clusterchat_history_events'), 7, '2 JOIN and 5 MSG');
  // tcpy's JOIN to 1, webby's to 2, 5 MSG to 2 each, 1 DM.
  t.is(sample(after, 'clusterchat_deliveries_total'), 1 + 2 + 10 + 1);
  t.is(sample(after, 'clusterchat_connections', '{transport="tcp"}'), 1);
  t.is(sample(after, 'clusterchat_connections', '{transport="ws"}'), 1);
  t.is(sample(after, 'clusterchat_workers'), 2);
});

test('/metrics counts a worker replaced after kill -9', async (t) => {
  const server = await startServer(t, { workers: 2 });
  const [victim] = [...server.workerPids.values()];
  process.kill(victim ?? 0, 'SIGKILL');
  await server.waitFor(/worker 3 listening/);
  const page = await scrape(server);
  t.is(sample(page, 'clusterchat_worker_restarts_total'), 1);
  t.is(sample(page, 'clusterchat_workers'), 2);
});
