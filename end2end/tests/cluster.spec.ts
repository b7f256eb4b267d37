import { expect, type Locator, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { expectConnected, expectVideoBytesGrow, guestInRoomAt, me, openPage, submitCredentials, unique, test } from './helpers';
import { freePort, startParley, stopProcess, type Parley } from './servers';

// Cluster mode: two Parley instances of our own sharing a redis-server and one database.
// Browsers on different instances meet in one room, and call each other by name.

let redis: ChildProcess;
let a: Parley;
let b: Parley;

test.beforeAll(async () => {
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await expect
    .poll(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => (s.destroy(), resolve(true)));
          s.once('error', () => resolve(false));
        }),
      { message: `redis-server listens on ${port}`, timeout: 15_000 },
    )
    .toBe(true);
  const cluster = (node: string) => ({
    REDIS_URL: `redis://127.0.0.1:${port}`,
    NODE_ID: node,
    CLUSTER_HEARTBEAT_MS: '500',
    CLUSTER_NODE_TTL_MS: '2000',
  });
  a = await startParley(cluster('a'));
  b = await startParley(cluster('b'), a.db);
  for (const s of [a, b]) {
    await expect.poll(async () => (await fetch(`${s.base}/readyz`)).text(), { timeout: 15_000 }).toBe('ready');
  }
});

test.afterAll(async () => {
  for (const s of [a, b]) if (s) await stopProcess(s.child, 'SIGTERM');
  if (redis) await stopProcess(redis);
});

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('two browsers on two instances meet in one room and media flows', async ({ browser }) => {
  const room = unique('cluster');
  const pa = await openPage(browser, 'on-a');
  const pb = await openPage(browser, 'on-b');
  const nameA = await guestInRoomAt(pa, a.base, room);
  const nameB = await guestInRoomAt(pb, b.base, room);
  const bOnA = await expectConnected(pa, nameB);
  const aOnB = await expectConnected(pb, nameA);
  await expectVideoBytesGrow(pa, bOnA);
  await expectVideoBytesGrow(pb, aOnB);
  // Either instance lists both people in the room.
  for (const s of [a, b]) {
    await expect
      .poll(async () => {
        const rooms: { name: string; people: string[] }[] = await (await fetch(`${s.base}/api/rooms`)).json();
        return rooms.find((r) => r.name === room)?.people.sort();
      })
      .toEqual([nameA, nameB].sort());
  }
});

/** Someone in the home page's "Online now" list. */
const online = (page: Page, name: string): Locator => page.locator(`[data-testid=online] li[data-user="${name}"]`);

/** Signs a fresh user up on `base` and opens its home page in test mode, live. */
async function onlineAt(page: Page, base: string, name: string): Promise<void> {
  await submitCredentials(page, `${base}/signup`, '/auth/signup', name, 'correct horse battery');
  await expect(me(page)).toHaveText(name);
  await page.goto(`${base}/?lowres=1`);
  await expect(page.locator('[data-testid=online]')).toHaveAttribute('data-live', 'true', { timeout: 20_000 });
}

test('a call by name from one instance to a user on another', async ({ browser }) => {
  const [amy, ben] = [unique('amy'), unique('ben')];
  const pa = await openPage(browser, amy);
  const pb = await openPage(browser, ben);
  await onlineAt(pa, a.base, amy);
  await onlineAt(pb, b.base, ben);
  await expect(online(pa, ben)).toBeVisible({ timeout: 20_000 });
  await expect(online(pb, amy)).toBeVisible({ timeout: 20_000 });

  await online(pa, ben).getByRole('button', { name: 'Call' }).click();
  const incoming = pb.locator('[data-testid=incoming]');
  await expect(incoming).toContainText(`${amy} is calling`, { timeout: 10_000 });
  await incoming.getByRole('button', { name: 'Accept' }).click();

  // Each lands in the same private room on their own instance, and they connect.
  await pa.waitForURL(/\/r\/call-[a-z0-9]{24}/, { timeout: 15_000 });
  await pb.waitForURL(/\/r\/call-[a-z0-9]{24}/, { timeout: 15_000 });
  expect(new URL(pa.url()).pathname).toBe(new URL(pb.url()).pathname);
  expect(new URL(pa.url()).port).not.toBe(new URL(pb.url()).port);
  const benOnAmy = await expectConnected(pa, ben);
  const amyOnBen = await expectConnected(pb, amy);
  await expectVideoBytesGrow(pa, benOnAmy);
  await expectVideoBytesGrow(pb, amyOnBen);
});
