import { expect, type Locator, type Page } from '@playwright/test';
import { expectConnected, expectVideoBytesGrow, joinAsGuest, openPage, openRoom, remoteTile, test, unique } from './helpers';

// Chromium's fake display capture (with --use-fake-ui-for-media-stream) is a 1280×720 screen,
// 16:9; the test camera (?lowres=1) is 160×120, 4:3. So the shape of the picture that arrives
// tells which one is being sent.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

const shareButton = (page: Page) => page.getByTestId('share-screen');
const banner = (page: Page) => page.getByTestId('sharing-banner');

/** The width-to-height ratio of the picture in `video`, once it has one. */
const aspect = (video: Locator) =>
  video.evaluate((v: HTMLVideoElement) => (v.videoHeight ? v.videoWidth / v.videoHeight : 0));

async function expectShape(video: Locator, what: 'screen' | 'camera') {
  const [lo, hi] = what === 'screen' ? [1.7, 1.85] : [1.25, 1.4];
  // The shape's name once it is in range, else the ratio (which the failure message shows).
  await expect
    .poll(async () => {
      const a = await aspect(video);
      return a > lo && a < hi ? what : a;
    }, { message: `the picture is the ${what}'s shape`, timeout: 30_000 })
    .toBe(what);
}

/** `viewer` shows `name`'s tile large, marked as a screen, with the screen's picture. */
async function expectPresenting(viewer: Page, name: string) {
  const tile = remoteTile(viewer, name);
  await expect(tile).toHaveAttribute('data-screen', 'true', { timeout: 20_000 });
  await expect(tile.getByTestId('screen-label')).toHaveText('screen');
  await expect(viewer.locator('.tiles')).toHaveClass(/\bpresenting\b/);
  await expectShape(tile.locator('video'), 'screen');
}

async function expectCamera(viewer: Page, name: string) {
  const tile = remoteTile(viewer, name);
  await expect(tile).toHaveAttribute('data-screen', 'false', { timeout: 20_000 });
  await expect(tile.getByTestId('screen-label')).toHaveCount(0);
  await expect(viewer.locator('.tiles')).not.toHaveClass(/\bpresenting\b/);
  await expectShape(tile.locator('video'), 'camera');
}

/** The label of the picture `page` sends to `peerId` (Chromium names a screen `screen:…`). */
const sentLabel = (page: Page, peerId: string) =>
  page.evaluate((id) => {
    const pc: RTCPeerConnection = (window as any).__parley.pcs[id];
    return pc.getSenders().find((s) => s.track?.kind === 'video')?.track?.label ?? '';
  }, peerId);

test('a shared screen replaces the camera for everyone, newcomers too, and stops either way', async ({ browser }) => {
  const room = unique('share');
  const pa = await openPage(browser, 'amy');
  const pb = await openPage(browser, 'ben');
  const amy = await joinAsGuest(pa);
  const ben = await joinAsGuest(pb);
  await openRoom(pa, room);
  await openRoom(pb, room);
  const amyOnBen = await expectConnected(pb, amy);
  const benOnAmy = await expectConnected(pa, ben);
  await expectShape(remoteTile(pb, amy).locator('video'), 'camera');

  await shareButton(pa).click();
  await expect(banner(pa)).toContainText('You are sharing your screen');
  await expect(shareButton(pa)).toHaveText('Stop sharing');
  await expectPresenting(pb, amy);
  await expect(pb.getByTestId('announcements')).toContainText(`${amy} is sharing their screen`);
  expect(await sentLabel(pa, benOnAmy)).toMatch(/^screen/);
  await expectVideoBytesGrow(pb, amyOnBen);
  // Amy's own page keeps the grid: her screen is not shown back to her large.
  await expect(pa.locator('.tiles')).not.toHaveClass(/\bpresenting\b/);

  // Someone who joins while Amy shares gets the screen from the start.
  const pc = await openPage(browser, 'cat');
  await joinAsGuest(pc);
  await openRoom(pc, room);
  await expectConnected(pc, amy);
  await expectPresenting(pc, amy);
  await pc.context().close();

  await banner(pa).getByRole('button', { name: 'Stop sharing' }).click();
  await expect(banner(pa)).toHaveCount(0);
  await expect(shareButton(pa)).toHaveText('Share screen');
  await expectCamera(pb, amy);
  expect(await sentLabel(pa, benOnAmy)).not.toMatch(/^screen/);

  // The browser's own "Stop sharing" ends the screen's track: the same as our Stop.
  await shareButton(pa).click();
  await expectPresenting(pb, amy);
  await pa.evaluate(() => (window as any).__parley.screen.dispatchEvent(new Event('ended')));
  await expect(banner(pa)).toHaveCount(0);
  await expect(shareButton(pa)).toHaveText('Share screen');
  await expectCamera(pb, amy);
});

test('a cancelled picker says so and changes nothing; without screen sharing the button is off', async ({ browser }) => {
  const page = await openPage(browser, 'solo');
  await joinAsGuest(page);
  await page.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await openRoom(page, unique('share-no'));
  await shareButton(page).click();
  await expect(page.locator('.status .detail')).toHaveText(/Screen sharing did not start/);
  await expect(shareButton(page)).toHaveText('Share screen');
  await expect(shareButton(page)).toBeEnabled();
  await expect(banner(page)).toHaveCount(0);

  const phone = await openPage(browser, 'phone');
  await joinAsGuest(phone);
  await phone.addInitScript(() => {
    delete (MediaDevices.prototype as any).getDisplayMedia;
  });
  await openRoom(phone, unique('share-none'));
  await expect(shareButton(phone)).toBeDisabled();
  await expect(shareButton(phone)).toHaveAttribute('title', 'This browser cannot share its screen.');
});

test('the watchers of a broadcast see the talker\'s screen', async ({ browser }) => {
  const room = unique('share-live');
  const talker = await openPage(browser, 'talker');
  const talkerName = await joinAsGuest(talker);
  await talker.goto(`/live/${room}/talk?lowres=1`);
  await expect(talker.getByTestId('call-status')).toHaveText('On air');
  const watcher = await openPage(browser, 'watcher');
  await joinAsGuest(watcher);
  await watcher.goto(`/live/${room}?lowres=1`);
  await expectConnected(watcher, talkerName);
  await expect(shareButton(watcher)).toHaveCount(0);

  await shareButton(talker).click();
  await expect(banner(talker)).toBeVisible();
  await expectPresenting(watcher, talkerName);
  await banner(talker).getByRole('button', { name: 'Stop sharing' }).click();
  await expectCamera(watcher, talkerName);
});

test('a peer that says its state on the chat channel hears ours again, screen included', async ({ browser }) => {
  const room = unique('share-hello');
  const pa = await openPage(browser, 'amy');
  await joinAsGuest(pa);
  await openRoom(pa, room);
  // Sharing needs the camera up (the screen takes its place).
  await expect
    .poll(() => pa.evaluate(() => (document.getElementById('local-video') as HTMLVideoElement).videoWidth))
    .toBeGreaterThan(0);
  await shareButton(pa).click();
  await expect(banner(pa)).toBeVisible();

  // A hand-written mesh peer: it calls, offers with a chat channel (vanilla ICE), and keeps
  // every text the page sends on that channel.
  const raw = await openPage(browser, 'raw');
  const rawName = await joinAsGuest(raw);
  await raw.goto('/healthz');
  await raw.evaluate(async (room) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const init = { direction: 'recvonly' } as RTCRtpTransceiverInit;
    pc.addTransceiver('audio', init);
    pc.addTransceiver('video', init);
    const dc = pc.createDataChannel('chat');
    const heard: string[] = [];
    dc.onmessage = (e) => heard.push(e.data);
    (window as any).__raw = { pc, dc, heard };
    const ws = new WebSocket(`ws://${location.host}/ws`);
    let target: string | null = null;
    ws.onmessage = async (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'join', room, role: 'mesh' }));
      else if (m.type === 'joined') ws.send(JSON.stringify({ type: 'call' }));
      else if (m.type === 'response' && !target) {
        target = m.from;
        await pc.setLocalDescription(await pc.createOffer());
        await new Promise<void>((done) => {
          if (pc.iceGatheringState === 'complete') return done();
          pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done());
        });
        ws.send(JSON.stringify({ type: 'offer', to: target, payload: { type: 'offer', sdp: pc.localDescription!.sdp } }));
      } else if (m.type === 'answer') await pc.setRemoteDescription(m.payload);
      else if (m.type === 'candidate') await pc.addIceCandidate(m.payload);
    };
  }, room);
  // It sends no media, so its tile shows no picture: connected is enough.
  await expect(remoteTile(pa, rawName)).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

  const heard = () => raw.evaluate(() => (window as any).__raw.heard.map((t: string) => JSON.parse(t)));
  // What the page says when the channel opens: its microphone and camera, and its screen.
  await expect.poll(heard, { timeout: 20_000 }).toContainEqual({ t: 'screen', on: true });
  const state = [{ t: 'media', audio: expect.any(Boolean), video: true }, { t: 'screen', on: true }];
  const said = await heard();
  // Said once. Under load, Chromium has been seen to lose the first message a page sends on a
  // channel the other side opened (a full suite once heard only the `screen`): the reply
  // below is what makes up for that, so it is what must hold in full.
  expect(said.length === 1 ? [state[0], ...said] : said).toEqual(state);
  // Our first word gets the page's whole state again, once.
  await raw.evaluate(() => (window as any).__raw.dc.send(JSON.stringify({ t: 'media', audio: false, video: false })));
  await expect.poll(async () => (await heard()).slice(said.length)).toEqual(state);
  await expect(remoteTile(pa, rawName)).toHaveAttribute('data-muted', 'true');
  await raw.evaluate(() => (window as any).__raw.dc.send(JSON.stringify({ t: 'media', audio: true, video: false })));
  await expect(remoteTile(pa, rawName)).toHaveAttribute('data-muted', 'false');
  expect(await heard()).toHaveLength(said.length + state.length);
});
