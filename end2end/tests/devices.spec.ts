import { expect, type Page } from '@playwright/test';
import {
  DEVICES_KEY,
  expectConnected,
  expectVideoBytesGrow,
  joinAsGuest,
  openFirstTimePage,
  openPage,
  openRoom,
  remoteTile,
  unique,
  test,
} from './helpers';

// Choosing camera, microphone and speaker (Chromium's fake devices: one camera, one
// microphone), the pre-join screen, and pinning a tile. A real hot-plug cannot happen headless:
// `devicechange` is dispatched by hand, with `enumerateDevices` answering a changed list.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** The id of our local `kind` track, as the preview's stream holds it. */
const localTrackId = (page: Page, kind: 'audio' | 'video') =>
  page.evaluate((kind) => {
    const stream = (document.getElementById('local-video') as HTMLVideoElement).srcObject as MediaStream | null;
    const t = kind === 'audio' ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
    return t && t.readyState === 'live' ? t.id : '';
  }, kind);

/** The ids of the tracks every connection sends. */
const sentTrackIds = (page: Page) =>
  page.evaluate(() => {
    const pcs = (window as any).__parley.pcs;
    const all: RTCPeerConnection[] = pcs instanceof Map ? [...pcs.values()] : Object.values(pcs);
    return all.flatMap((pc) => pc.getSenders().map((s) => s.track?.id ?? ''));
  });

/** The values of a picker's options (the first, "", is the default). */
const options = (page: Page, kind: string) =>
  page.locator(`[data-testid=pick-${kind}] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));

test('a first call asks for devices first; Join with camera off joins with the camera off, remembered next time', async ({ browser }) => {
  const room = unique('prejoin');
  const pa = await openFirstTimePage(browser, 'first');
  await joinAsGuest(pa);
  await pa.goto(`/r/${room}`);
  const prejoin = pa.locator('[data-testid=prejoin]');
  await expect(prejoin).toBeVisible();
  await expect(pa.getByRole('heading', { name: 'Ready to join?' })).toBeVisible();
  // Nothing is connecting yet, so no call status is shown.
  await expect(pa.locator('[data-testid=call-status]')).toBeHidden();
  // The preview shows our camera, and the lists are filled once permission is there.
  await expect
    .poll(() => pa.locator('#prejoin-video').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await expect.poll(() => options(pa, 'camera').then((o) => o.length)).toBeGreaterThan(1);
  await expect.poll(() => options(pa, 'microphone').then((o) => o.length)).toBeGreaterThan(1);
  await expect(pa.getByRole('combobox', { name: /^Camera/ })).toBeVisible();
  // Nobody in the room sees us before Join.
  const pb = await openPage(browser, 'other');
  const ben = await joinAsGuest(pb);
  await openRoom(pb, room);
  await expect(pb.locator('[data-testid=call-status]')).toHaveText("You're in. Waiting for others to join.");
  expect(await pa.evaluate((k) => localStorage.getItem(k), DEVICES_KEY)).toBeNull();

  await pa.getByRole('button', { name: 'Join with camera off' }).click();
  await expect(prejoin).toHaveCount(0);
  await expect(pa.locator('[data-testid=call-status]')).toBeVisible();
  await expectConnected(pa, ben);
  const amyTile = pb.locator('figure.tile.remote');
  await expect(amyTile).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(amyTile).toHaveAttribute('data-camera-off', 'true');
  await expect(pa.locator('figure.tile.local')).toHaveAttribute('data-camera-off', 'true');
  await expect(pa.getByRole('button', { name: 'Start video' })).toBeVisible();
  expect(await pa.evaluate((k) => localStorage.getItem(k), DEVICES_KEY)).not.toBeNull();

  // Chosen once: the next call starts at once, camera on.
  await pa.reload();
  await expect
    .poll(() => pa.locator('#local-video').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await expect(prejoin).toHaveCount(0);
  await expect(pa.locator('figure.tile.local')).toHaveAttribute('data-camera-off', 'false');
});

test('the Devices panel switches camera and microphone mid-call, remembers them, and follows devicechange', async ({ browser }) => {
  const room = unique('devices');
  const pa = await openPage(browser, 'amy');
  const amy = await joinAsGuest(pa);
  const pb = await openPage(browser, 'ben');
  const ben = await joinAsGuest(pb);
  // Full media: test mode's low-resolution picture has no microphone.
  await pa.goto(`/r/${room}`);
  await pb.goto(`/r/${room}`);
  await expectConnected(pa, ben);
  const amyOnBen = await expectConnected(pb, amy);

  const toggle = pa.getByRole('button', { name: 'Devices' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await expect(pa.locator('[data-testid=devices-panel]')).toBeVisible();
  await expect.poll(() => options(pa, 'camera').then((o) => o.length)).toBeGreaterThan(1);
  // Chromium has setSinkId, so the speaker can be chosen too.
  await expect.poll(() => options(pa, 'speaker').then((o) => o.length)).toBeGreaterThan(1);

  // Switching re-opens the camera: a new track, sent in place of the old one, still arriving.
  const camera = (await options(pa, 'camera'))[1];
  const before = await localTrackId(pa, 'video');
  await pa.locator('[data-testid=pick-camera]').selectOption(camera);
  await expect.poll(() => localTrackId(pa, 'video')).not.toBe(before);
  const after = await localTrackId(pa, 'video');
  expect(after).not.toBe('');
  await expect.poll(() => sentTrackIds(pa)).toContain(after);
  expect(await sentTrackIds(pa)).not.toContain(before);
  await expectVideoBytesGrow(pb, amyOnBen);

  const mic = (await options(pa, 'microphone'))[1];
  const micBefore = await localTrackId(pa, 'audio');
  await pa.locator('[data-testid=pick-microphone]').selectOption(mic);
  await expect.poll(() => localTrackId(pa, 'audio')).not.toBe(micBefore);
  await expect.poll(() => sentTrackIds(pa)).toContain(await localTrackId(pa, 'audio'));

  // Remembered: after a reload the call uses, and the panel shows, the chosen camera.
  const stored = JSON.parse((await pa.evaluate((k) => localStorage.getItem(k), DEVICES_KEY)) ?? '{}');
  expect(stored).toMatchObject({ camera, microphone: mic });
  await pa.reload();
  await expect.poll(() => localTrackId(pa, 'video'), { timeout: 20_000 }).not.toBe('');
  await pa.getByRole('button', { name: 'Devices' }).click();
  await expect(pa.locator('[data-testid=pick-camera]')).toHaveValue(camera);
  await expect(pa.locator('[data-testid=pick-microphone]')).toHaveValue(mic);
  const amyAgain = await expectConnected(pb, amy);

  // A camera plugged in: the list is read again, and a nameless one gets a number.
  await pa.evaluate(() => {
    const md = navigator.mediaDevices;
    const real = md.enumerateDevices.bind(md);
    (window as any).__realEnumerate = real;
    md.enumerateDevices = async () => [
      ...(await real()),
      { kind: 'videoinput', deviceId: 'plugged-in', label: '', groupId: '' } as MediaDeviceInfo,
    ];
    md.dispatchEvent(new Event('devicechange'));
  });
  await expect(pa.locator('[data-testid=pick-camera] option[value=plugged-in]')).toHaveText('Camera 2');

  // The camera in use unplugged: the call falls back to the default one and says so.
  const inUse = await localTrackId(pa, 'video');
  await pa.evaluate(() => {
    const md = navigator.mediaDevices;
    const real = (window as any).__realEnumerate;
    md.enumerateDevices = async () => (await real()).filter((d: MediaDeviceInfo) => d.kind !== 'videoinput');
    md.dispatchEvent(new Event('devicechange'));
  });
  await expect(pa.locator('.status .detail')).toHaveText(
    'The camera you chose is not connected; using the default camera.',
  );
  await expect.poll(() => localTrackId(pa, 'video')).not.toBe(inUse);
  await expect(pa.locator('[data-testid=pick-camera] option')).toHaveCount(1);
  await expectVideoBytesGrow(pb, amyAgain);
});

test('a pinned tile shows large and the others small; unpinning restores the grid', async ({ browser }) => {
  const room = unique('pin');
  const pa = await openPage(browser, 'amy');
  await joinAsGuest(pa);
  const pb = await openPage(browser, 'ben');
  const ben = await joinAsGuest(pb);
  await openRoom(pa, room);
  await openRoom(pb, room);
  await expectConnected(pa, ben);

  const remote = remoteTile(pa, ben);
  const local = pa.locator('figure.tile.local');
  const width = async (l: typeof local) => (await l.boundingBox())!.width;
  expect(Math.abs((await width(remote)) - (await width(local)))).toBeLessThan(2);

  const pin = remote.getByRole('button', { name: `Pin ${ben}` });
  await expect(pin).toHaveAttribute('aria-pressed', 'false');
  // By keyboard.
  await pin.focus();
  await pa.keyboard.press('Enter');
  const unpin = remote.getByRole('button', { name: `Unpin ${ben}` });
  await expect(unpin).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await width(remote)) / (await width(local))).toBeGreaterThan(2);
  const r = (await remote.boundingBox())!;
  const l = (await local.boundingBox())!;
  expect(r.y, 'the pinned tile comes first, the others below it').toBeLessThan(l.y);

  await unpin.click();
  await expect(pin).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => Math.abs((await width(remote)) - (await width(local)))).toBeLessThan(2);

  // Full screen shows that tile alone.
  await remote.getByRole('button', { name: `Show ${ben} full screen` }).click();
  await expect
    .poll(() => pa.evaluate(() => document.fullscreenElement?.getAttribute('data-peer') ?? null))
    .toBe(ben);
  await pa.evaluate(() => document.exitFullscreen());
});
