import { expect, type Page } from '@playwright/test';
import { expectConnected, expectVideoBytesGrow, joinAsGuest, openPage, openRoom, remoteTile, unique, test } from './helpers';

// The Playwright config starts the server with ROOM_CAP=3.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

const status = (page: Page) => page.locator('[data-testid=call-status]');

/** Sum of bytes this page sends over every connection (watchers must send none). */
function outboundBytes(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let bytes = 0;
    for (const pc of Object.values((window as any).__parley?.pcs ?? {}) as RTCPeerConnection[]) {
      (await pc.getStats()).forEach((s: any) => {
        if (s.type === 'outbound-rtp') bytes += s.bytesSent ?? 0;
      });
    }
    return bytes;
  });
}

test('three peers in a mesh connect pairwise; a fourth is refused when the room is full', async ({ browser }) => {
  const room = unique('mesh');
  const pages: Page[] = [];
  const names: string[] = [];
  for (const label of ['m1', 'm2', 'm3']) {
    const page = await openPage(browser, label);
    names.push(await joinAsGuest(page));
    await openRoom(page, room);
    pages.push(page);
  }
  for (let i = 0; i < 3; i++) {
    await expect(pages[i].locator('figure.tile.remote')).toHaveCount(2);
    for (let j = 0; j < 3; j++) {
      if (i === j) continue;
      const id = await expectConnected(pages[i], names[j]);
      await expectVideoBytesGrow(pages[i], id);
    }
    await expect(status(pages[i])).toHaveText('Connected');
  }

  const fourth = await openPage(browser, 'm4');
  await joinAsGuest(fourth);
  await fourth.goto(`/r/${room}?lowres=1`);
  await expect(status(fourth)).toHaveText('This room is full.');
  await expect(fourth.locator('.status .detail')).toContainText('3 people is the limit');
  await expect(fourth.locator('figure.tile.remote')).toHaveCount(0);
  // The three already there are untouched.
  await expect(pages[0].locator('figure.tile.remote[data-state=connected]')).toHaveCount(2);
});

test('a broadcast: one talker, three watchers who receive only; leaving and ending', async ({ browser }) => {
  const room = unique('live');
  const talker = await openPage(browser, 'talker');
  const talkerName = await joinAsGuest(talker);
  await talker.goto(`/live/${room}/talk?lowres=1`);
  await expect(status(talker)).toHaveText('On air');

  const watchers: Page[] = [];
  const watcherNames: string[] = [];
  for (const label of ['w1', 'w2', 'w3']) {
    const page = await openPage(browser, label);
    watcherNames.push(await joinAsGuest(page));
    await page.goto(`/live/${room}?lowres=1`);
    watchers.push(page);
  }
  for (const [i, w] of watchers.entries()) {
    await expect(w.locator('#local-video')).toHaveCount(0);
    const id = await expectConnected(w, talkerName);
    await expectVideoBytesGrow(w, id);
    expect(await outboundBytes(w), `watcher ${i + 1} sends no media`).toBe(0);
    await expect(remoteTile(talker, watcherNames[i])).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  }

  // One watcher leaving affects nobody else.
  await watchers[0].getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(remoteTile(talker, watcherNames[0])).toHaveCount(0);
  const stillWatching = await remoteTile(watchers[1], talkerName).getAttribute('data-peer-id');
  await expectVideoBytesGrow(watchers[1], stillWatching!);
  await expect(remoteTile(talker, watcherNames[2])).toHaveAttribute('data-state', 'connected');

  // "End" stops it for everyone.
  await talker.getByRole('button', { name: 'End broadcast', exact: true }).click();
  for (const w of watchers.slice(1)) {
    await expect(status(w)).toHaveText('The broadcast has ended.');
    await expect(w.locator('figure.tile.remote')).toHaveCount(0);
  }
});

test('a watcher who asks before the talker is on air is connected when the broadcast starts', async ({ browser }) => {
  const room = unique('early');
  const watcher = await openPage(browser, 'early-watcher');
  await joinAsGuest(watcher);
  await watcher.goto(`/live/${room}?lowres=1`);
  await expect(status(watcher)).toContainText('Nobody is on air yet');

  const talker = await openPage(browser, 'late-talker');
  const talkerName = await joinAsGuest(talker);
  await talker.goto(`/live/${room}/talk?lowres=1`);
  const id = await expectConnected(watcher, talkerName);
  await expectVideoBytesGrow(watcher, id);
});

test('a vanilla-ICE peer (SDP sent after gathering, no candidate messages) connects', async ({ browser }) => {
  const room = unique('vanilla');
  const ours = await openPage(browser, 'ours');
  await joinAsGuest(ours);
  await openRoom(ours, room);

  const vanilla = await openPage(browser, 'vanilla');
  const vanillaName = await joinAsGuest(vanilla);
  await vanilla.goto('/healthz');
  // A hand-written client in the vanilla-ICE style: it waits for ICE gathering to complete,
  // then sends one offer whose SDP carries every candidate, and never sends `candidate`.
  await vanilla.evaluate(async (room) => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 160, height: 120, frameRate: 10 }, audio: false });
    const pc = new RTCPeerConnection({ iceServers: [] });
    stream.getTracks().forEach((t) => pc.addTrack(t, stream));
    const video = document.createElement('video');
    video.id = 'vanilla-remote';
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    pc.ontrack = (e) => (video.srcObject = e.streams[0]);
    const sent: string[] = [];
    (window as any).__vanilla = { pc, sent };
    const ws = new WebSocket(`ws://${location.host}/ws`);
    const send = (m: any) => {
      sent.push(m.type);
      ws.send(JSON.stringify(m));
    };
    let target: string | null = null;
    ws.onmessage = async (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === 'welcome') send({ type: 'join', room, role: 'mesh' });
      else if (m.type === 'joined') send({ type: 'call' });
      else if (m.type === 'response' && !target) {
        target = m.from;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((done) => {
          if (pc.iceGatheringState === 'complete') return done();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done());
        });
        (window as any).__vanilla.offerSdp = pc.localDescription!.sdp;
        send({ type: 'offer', to: target, payload: { type: 'offer', sdp: pc.localDescription!.sdp } });
      } else if (m.type === 'answer') await pc.setRemoteDescription(m.payload);
      else if (m.type === 'candidate') await pc.addIceCandidate(m.payload);
    };
  }, room);

  const id = await expectConnected(ours, vanillaName);
  await expectVideoBytesGrow(ours, id);
  await expect
    .poll(() => vanilla.evaluate(() => (document.getElementById('vanilla-remote') as HTMLVideoElement).videoWidth), {
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
  const info = await vanilla.evaluate(() => ({
    sent: (window as any).__vanilla.sent as string[],
    sdp: (window as any).__vanilla.offerSdp as string,
    state: (window as any).__vanilla.pc.connectionState as string,
  }));
  expect(info.state).toBe('connected');
  expect(info.sdp).toContain('a=candidate:');
  expect(info.sent).not.toContain('candidate');
});
