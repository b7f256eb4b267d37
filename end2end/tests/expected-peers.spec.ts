import { expect, type Page } from '@playwright/test';
import { expectConnected, joinAsGuest, openPage, openRoom, pcState, remoteTile, unique, test } from './helpers';

// A page acts on signaling only from peers it expects: in a mesh, mesh members; on a watch
// page, the talker. Here a hand-written client joins as a watcher and sends what only a mesh
// peer or the talker may send. Either the server refuses to relay it (an `error` to the
// sender) or the page ignores it (a `console.debug` line); the page must never answer.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

const status = (page: Page) => page.locator('[data-testid=call-status]');

/** Lines the page logged with `console.debug`. */
function debugLines(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'debug') lines.push(m.text());
  });
  return lines;
}

/** Joins `room` as a watcher from a raw socket on `page` and sends each of `kinds` to the peer
 *  named `victim`, an `offer` with a real receive-only SDP. Returns the spy's peer id and whether
 *  the server let it join. Frames the spy receives go to `window.__spy`. */
function spy(page: Page, room: string, victim: string, kinds: string[]): Promise<{ id: string; joined: boolean }> {
  return page.evaluate(
    ({ room, victim, kinds }) => {
      const seen: string[] = [];
      (window as any).__spy = seen;
      const ws = new WebSocket(`ws://${location.host}/ws`);
      const send = (m: object) => ws.send(JSON.stringify(m));
      return new Promise<{ id: string; joined: boolean }>((resolve, reject) => {
        let id = '';
        let joined = false;
        ws.onmessage = async (ev) => {
          const m = JSON.parse(ev.data);
          seen.push(m.type === 'error' ? `error:${m.code}` : m.type);
          if (m.type === 'welcome') {
            id = m.id;
            send({ type: 'join', room, role: 'watch' });
          } else if (m.type === 'error' && !joined) {
            resolve({ id, joined });
          } else if (m.type === 'joined') {
            joined = true;
            const target = m.peers.find((p: any) => p.name === victim);
            if (!target) return reject(new Error(`${victim} is not in ${room}`));
            const pc = new RTCPeerConnection();
            pc.addTransceiver('video', { direction: 'recvonly' });
            pc.addTransceiver('audio', { direction: 'recvonly' });
            pc.createDataChannel('chat');
            await pc.setLocalDescription(await pc.createOffer());
            for (const type of kinds) {
              const payload = type === 'offer' ? { type: 'offer', sdp: pc.localDescription!.sdp } : null;
              send({ type, to: target.id, payload });
            }
            resolve({ id, joined });
          }
        };
      });
    },
    { room, victim, kinds },
  );
}

/** Waits until each forged message was either refused by the server or ignored by the page
 *  (or the page took the bait: it answered, or its call ended); returns what the spy received. */
async function settle(victim: Page, spyPage: Page, spyId: string, debug: string[], kinds: string[]): Promise<string[]> {
  const seen = () => spyPage.evaluate(() => (window as any).__spy as string[]);
  await expect
    .poll(
      async () => {
        const got = await seen();
        const refused = got.filter((t) => t.startsWith('error:')).length;
        const ignored = kinds.filter((k) => debug.includes(`ignored ${k} from ${spyId}`)).length;
        const answered = got.some((t) => t === 'answer' || t === 'response');
        const ended = (await status(victim).innerText()) === 'The broadcast has ended.';
        return answered || ended || refused + ignored >= kinds.length;
      },
      { message: 'each forged message was refused, ignored or answered' },
    )
    .toBe(true);
  return seen();
}

test('a mesh page ignores offers and calls from someone who joined its room as a watcher', async ({ browser }) => {
  const room = unique('spied');
  const victim = await openPage(browser, 'victim');
  const victimName = await joinAsGuest(victim);
  const debug = debugLines(victim);
  await openRoom(victim, room);
  await expect(status(victim)).toHaveText("You're in. Waiting for others to join.");

  const spyPage = await openPage(browser, 'spy');
  await joinAsGuest(spyPage);
  await spyPage.goto('/healthz');
  const kinds = ['call', 'offer'];
  const { id: spyId, joined } = await spy(spyPage, room, victimName, kinds);
  if (joined) {
    const seen = await settle(victim, spyPage, spyId, debug, kinds);
    expect(seen).not.toContain('answer');
    expect(seen).not.toContain('response');
  }
  // (Not joined: the server kept it out of the room, so nothing can have reached the page.)
  expect(await pcState(victim, spyId)).toBe('missing');
  await expect(victim.locator('figure.tile.remote')).toHaveCount(0);
});

test('a watcher ignores offers and end_talk from anyone but the talker', async ({ browser }) => {
  const room = unique('spied-live');
  const talker = await openPage(browser, 'talker');
  const talkerName = await joinAsGuest(talker);
  await talker.goto(`/live/${room}/talk?lowres=1`);
  await expect(status(talker)).toHaveText('On air');
  const watcher = await openPage(browser, 'watcher');
  const watcherName = await joinAsGuest(watcher);
  const debug = debugLines(watcher);
  await watcher.goto(`/live/${room}?lowres=1`);
  await expectConnected(watcher, talkerName);

  const spyPage = await openPage(browser, 'spy');
  await joinAsGuest(spyPage);
  await spyPage.goto('/healthz');
  const kinds = ['offer', 'end_talk'];
  const { id: spyId, joined } = await spy(spyPage, room, watcherName, kinds);
  expect(joined, 'anyone may watch a broadcast').toBe(true);
  const seen = await settle(watcher, spyPage, spyId, debug, kinds);
  await expect(status(watcher)).toHaveText('Connected');
  expect(seen).not.toContain('answer');
  expect(await pcState(watcher, spyId)).toBe('missing');
  await expect(remoteTile(watcher, talkerName)).toHaveAttribute('data-state', 'connected');
});
