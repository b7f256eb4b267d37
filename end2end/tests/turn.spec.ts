import { expect, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { expectConnected, expectVideoBytesGrow, guestInRoomAt, openPage, unique, test } from './helpers';
import { startCoturn, startParley, stopProcess, type Coturn, type Parley } from './servers';

// Calls through a real coturn with time-limited REST credentials, in relay-only mode: what
// connects two people whose networks allow no direct path.

let turn: Coturn;
let server: Parley | undefined;
const secret = randomBytes(16).toString('hex');

test.beforeAll(async () => {
  turn = await startCoturn(secret);
});
test.afterAll(async () => {
  await stopProcess(turn.child, 'SIGTERM');
});
test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
  if (server) await stopProcess(server.child, 'SIGTERM');
  server = undefined;
});

/** The candidate types of the pair ICE selected on the connection to `peerId`. */
function selectedPairTypes(page: Page, peerId: string): Promise<string> {
  return page.evaluate(async (id) => {
    const pcs = (window as any).__parley?.pcs;
    const pc: RTCPeerConnection | undefined = pcs instanceof Map ? pcs.get(id) : pcs?.[id];
    if (!pc) return 'no connection';
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s: any) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair: any = pairId && stats.get(pairId);
    if (!pair) return 'no selected pair';
    return `${stats.get(pair.localCandidateId)?.candidateType}/${stats.get(pair.remoteCandidateId)?.candidateType}`;
  }, peerId);
}

test('with ICE_POLICY=relay two browsers talk through coturn', async ({ browser }) => {
  server = await startParley({
    TURN_URLS: `turn:127.0.0.1:${turn.port}?transport=udp`,
    TURN_SECRET: `${secret},an-older-secret`,
    ICE_POLICY: 'relay',
  });
  const room = unique('turn');
  const a = await openPage(browser, 't1');
  const b = await openPage(browser, 't2');
  const nameA = await guestInRoomAt(a, server.base, room);
  const nameB = await guestInRoomAt(b, server.base, room);
  const idOfB = await expectConnected(a, nameB);
  const idOfA = await expectConnected(b, nameA);
  expect(await selectedPairTypes(a, idOfB)).toBe('relay/relay');
  expect(await selectedPairTypes(b, idOfA)).toBe('relay/relay');
  await expectVideoBytesGrow(a, idOfB);
  await expectVideoBytesGrow(b, idOfA);
});

test('with a wrong TURN secret the call does not connect and the page says why', async ({ browser }) => {
  server = await startParley({
    TURN_URLS: `turn:127.0.0.1:${turn.port}?transport=udp`,
    TURN_SECRET: 'not-the-secret-coturn-has',
    ICE_POLICY: 'relay',
  });
  const room = unique('turnbad');
  const a = await openPage(browser, 'w1');
  const b = await openPage(browser, 'w2');
  await guestInRoomAt(a, server.base, room);
  const nameB = await guestInRoomAt(b, server.base, room);
  const tile = a.locator(`figure.tile.remote[data-peer="${nameB}"]`);
  await expect(tile).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
  await expect(a.locator('[data-testid=call-problem]')).toContainText('relay server', { timeout: 30_000 });
});
