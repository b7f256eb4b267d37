import { expect, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import {
  expectConnected,
  expectVideoBytesGrow,
  guestInRoomAt,
  joinAsGuest,
  openPage,
  openRoom,
  remoteTile,
  unique,
  test,
} from './helpers';
import { startCoturn, startParley, stopProcess, type Coturn, type Parley } from './servers';

// Calls that survive network trouble: the same RTCPeerConnection finds a new path (an ICE
// restart by the side that made the first offer), and a dropped signaling socket comes back
// with the same peer id. No new tiles, no new peer ids, no new connections.

let turn: Coturn | undefined;
let server: Parley | undefined;
const secret = randomBytes(16).toString('hex');

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
  if (server) await stopProcess(server.child, 'SIGTERM');
  if (turn) await stopProcess(turn.child, 'SIGTERM');
  server = undefined;
  turn = undefined;
});

/** Remembers the page's RTCPeerConnection objects, to check later they are the same ones. */
function keepConnections(page: Page): Promise<void> {
  return page.evaluate(() => {
    (window as any).__kept = { ...(window as any).__parley.pcs };
  });
}

/** Is the connection to `peerId` the very object `keepConnections` saw? */
function sameConnection(page: Page, peerId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const w = window as any;
    return !!w.__kept?.[id] && w.__parley.pcs[id] === w.__kept[id];
  }, peerId);
}

/** The `data-peer-id` of every remote tile on the page. */
function tileIds(page: Page): Promise<(string | null)[]> {
  return page.locator('figure.tile.remote').evaluateAll((els) => els.map((e) => e.getAttribute('data-peer-id')));
}

/** The TURN username the connection to `peerId` currently uses. */
function turnUsername(page: Page, peerId: string): Promise<string | undefined> {
  return page.evaluate((id) => {
    const pc: RTCPeerConnection = (window as any).__parley.pcs[id];
    return pc.getConfiguration().iceServers?.find((s) => s.username)?.username;
  }, peerId);
}

/** Each page still has one tile, for the same peer, on the same RTCPeerConnection, and video
 *  from it keeps arriving. */
async function expectSameCallGoesOn(a: Page, idOfB: string, b: Page, idOfA: string): Promise<void> {
  expect(await tileIds(a)).toEqual([idOfB]);
  expect(await tileIds(b)).toEqual([idOfA]);
  expect(await sameConnection(a, idOfB)).toBe(true);
  expect(await sameConnection(b, idOfA)).toBe(true);
  await expectVideoBytesGrow(a, idOfB);
  await expectVideoBytesGrow(b, idOfA);
}

async function relayedCall(browser: import('@playwright/test').Browser, env: Record<string, string> = {}) {
  turn = await startCoturn(secret);
  server = await startParley({
    TURN_URLS: `turn:127.0.0.1:${turn.port}?transport=udp`,
    TURN_SECRET: secret,
    ICE_POLICY: 'relay',
    ...env,
  });
  const room = unique('survive');
  const a = await openPage(browser, 's1');
  const b = await openPage(browser, 's2');
  const nameA = await guestInRoomAt(a, server.base, room);
  const nameB = await guestInRoomAt(b, server.base, room);
  const idOfB = await expectConnected(a, nameB);
  const idOfA = await expectConnected(b, nameA);
  return { a, b, nameA, nameB, idOfA, idOfB };
}

test('a relayed call survives its TURN server restarting: same tiles, same connections', async ({ browser }) => {
  test.setTimeout(150_000);
  const { a, b, nameA, nameB, idOfA, idOfB } = await relayedCall(browser);
  await keepConnections(a);
  await keepConnections(b);

  // Every relayed path dies with the server; a new one on the same port knows none of them.
  const port = turn!.port;
  await stopProcess(turn!.child, 'SIGKILL');
  turn = await startCoturn(secret, port);

  for (const [page, name] of [[a, nameB], [b, nameA]] as const) {
    await expect(remoteTile(page, name)).toHaveAttribute('data-state', 'reconnecting', { timeout: 30_000 });
  }
  for (const [page, name] of [[a, nameB], [b, nameA]] as const) {
    await expect(remoteTile(page, name)).toHaveAttribute('data-state', 'connected', { timeout: 60_000 });
  }
  await expectSameCallGoesOn(a, idOfB, b, idOfA);
  await expect(a.locator('[data-testid=call-problem]')).toHaveCount(0);
});

test('TURN credentials are renewed before they expire, on the live connections too', async ({ browser }) => {
  test.setTimeout(150_000);
  // The shortest lifetime the server allows: the page asks again at about 48 s.
  const { a, b, idOfA, idOfB } = await relayedCall(browser, { TURN_TTL: '60' });
  const before = await turnUsername(a, idOfB);
  expect(before).toMatch(/^\d+:/);
  const renewed = a.waitForResponse((r) => r.url().endsWith('/api/ice') && r.ok(), { timeout: 80_000 });
  await renewed;
  await expect.poll(() => turnUsername(a, idOfB)).not.toBe(before);
  await expect(a.locator(`figure.tile.remote[data-peer-id="${idOfB}"]`)).toHaveAttribute('data-state', 'connected');
  await expectVideoBytesGrow(a, idOfB);
  await expectVideoBytesGrow(b, idOfA);
});

// Needs the server to resume sockets (`GET /ws?resume=<token>`, `"resumed":true` in `welcome`).
// Until it does, the page gets a new peer id and rebuilds its calls, which this test rejects.
test('a dropped signaling socket resumes: same tiles, same peer ids, same connections', async ({ browser }) => {
  const room = unique('resume');
  const a = await openPage(browser, 'r1');
  const b = await openPage(browser, 'r2');
  const nameA = await joinAsGuest(a);
  const nameB = await joinAsGuest(b);
  await openRoom(a, room);
  await openRoom(b, room);
  const idOfB = await expectConnected(a, nameB);
  const idOfA = await expectConnected(b, nameA);
  await keepConnections(a);
  await keepConnections(b);

  await a.evaluate(() => {
    const w = window as any;
    w.__oldWs = w.__parley.ws;
    w.__oldWs.close();
  });
  await expect
    .poll(() =>
      a.evaluate(() => {
        const w = window as any;
        const ws = w.__parley.ws;
        return ws !== w.__oldWs && ws.readyState === WebSocket.OPEN && ws.url.includes('resume=');
      }),
    )
    .toBe(true);
  await expect(a.locator('[data-testid=call-status]')).toHaveText('Connected');

  await expect(remoteTile(a, nameB)).toHaveAttribute('data-state', 'connected');
  await expect(remoteTile(b, nameA)).toHaveAttribute('data-state', 'connected');
  await expectSameCallGoesOn(a, idOfB, b, idOfA);
});
