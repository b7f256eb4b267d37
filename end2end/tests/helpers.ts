import { test as base, expect, type Browser, type BrowserContextOptions, type Locator, type Page } from '@playwright/test';

/** Uncaught errors seen on any page opened with `openPage` during the current test. */
const uncaught: string[] = [];

/** Playwright's `test`, failing any test during which a page threw an uncaught error (an
 *  exception or rejected promise nobody handled, or a Rust panic): a release wasm that fails to
 *  start shows up here first. Every spec imports `test` from this file. */
export const test = base.extend<{ noUncaughtErrors: void }>({
  noUncaughtErrors: [
    async ({}, use) => {
      uncaught.length = 0;
      await use();
      expect(uncaught, 'uncaught errors in the browser').toEqual([]);
    },
    { auto: true },
  ],
});

export const PASSWORD = 'e2e-password-123';

const runId = Date.now();
let seq = 0;
/** A name no earlier run used: usernames (3-32 of [A-Za-z0-9._-]) and rooms (1-48 of [A-Za-z0-9_-]). */
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}-${runId}-${seq}`;
}

/** The `localStorage` key of the remembered devices (src/calls/devices.rs). */
export const DEVICES_KEY = 'parley.devices';

/** A page in a fresh browser context (its own cookies, so its own user), made with `options`
 *  (e.g. a `locale`). Browser console errors and uncaught exceptions are echoed to the test
 *  output, labelled. */
export function openPage(browser: Browser, label: string, options: BrowserContextOptions = {}): Promise<Page> {
  return labelledPage(browser, label, options, true);
}

/** `openPage` for a browser that has never chosen its devices: its first call shows the
 *  pre-join screen. */
export function openFirstTimePage(browser: Browser, label: string, options: BrowserContextOptions = {}): Promise<Page> {
  return labelledPage(browser, label, options, false);
}

async function labelledPage(browser: Browser, label: string, options: BrowserContextOptions, chosen: boolean): Promise<Page> {
  const context = await browser.newContext(options);
  if (chosen) {
    // As if this browser had been through the pre-join screen once: calls start at once,
    // with the default devices.
    await context.addInitScript((key) => {
      if (localStorage.getItem(key) === null) localStorage.setItem(key, '{}');
    }, DEVICES_KEY);
  }
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    console.log(`[${label}] page error: ${e.message}`);
    uncaught.push(`[${label}] ${e.message}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console.log(`[${label}] console.${m.type()}: ${m.text()}`);
    // console_error_panic_hook reports Rust panics as console errors.
    if (m.type() === 'error' && /panicked at|RuntimeError|unreachable/.test(m.text())) {
      uncaught.push(`[${label}] ${m.text()}`);
    }
  });
  return page;
}

/** The signed-in name in the header. */
export const me = (page: Page): Locator => page.locator('[data-testid=me]');

/** Someone in the room's presence list. */
export const presence = (page: Page, name: string): Locator =>
  page.locator(`[data-testid=presence] li[data-name="${name}"]`);

/** The tile showing a remote peer's video. */
export const remoteTile = (page: Page, name: string): Locator =>
  page.locator(`figure.tile.remote[data-peer="${name}"]`);

/** Opens `path` and submits the username/password form that posts to `action`. */
export async function submitCredentials(page: Page, path: string, action: string, name: string, password: string) {
  await page.goto(path);
  const form = page.locator(`form[action="${action}"]`);
  await form.locator('input[name=username]').fill(name);
  await form.locator('input[name=password]').fill(password);
  await form.locator('button[type=submit]').click();
}

export async function signUp(page: Page, name: string, password = PASSWORD): Promise<void> {
  await submitCredentials(page, '/signup', '/auth/signup', name, password);
  await expect(me(page)).toHaveText(name);
}

/** "Join as guest" from the log-in page; returns the generated `guest-…` name. */
export async function joinAsGuest(page: Page): Promise<string> {
  await page.goto('/login');
  await page.locator('form[action="/auth/guest"] button').click();
  await expect(me(page)).toHaveText(/^guest-/);
  return (await me(page).innerText()).trim();
}

/** On a server of the spec's own at `base`: "Join as guest", then open `room` in test mode;
 *  returns the guest's name. */
export async function guestInRoomAt(page: Page, base: string, room: string): Promise<string> {
  await page.goto(`${base}/login`);
  await page.locator('form[action="/auth/guest"] button').click();
  await expect(me(page)).toHaveText(/^guest-/);
  const name = (await me(page).innerText()).trim();
  await page.goto(`${base}/r/${room}?lowres=1`);
  return name;
}

/** Opens the room in test mode (small, silent video) and waits for the local camera. */
export async function openRoom(page: Page, room: string): Promise<void> {
  await page.goto(`/r/${room}?lowres=1`);
  const local = page.locator('#local-video');
  await expect(local).toBeAttached();
  await expect
    .poll(() => local.evaluate((v: HTMLVideoElement) => v.videoWidth), {
      message: 'the local camera preview shows a picture',
      timeout: 20_000,
    })
    .toBeGreaterThan(0);
}

/** Two guests on pages labelled `label`-a and `label`-b in a fresh room (`openRoom`), each
 *  connected to the other; `bId` is b's peer id as a sees it. */
export async function twoInACall(browser: Browser, label: string) {
  const room = unique(label);
  const pa = await openPage(browser, `${label}-a`);
  const a = await joinAsGuest(pa);
  const pb = await openPage(browser, `${label}-b`);
  const b = await joinAsGuest(pb);
  await openRoom(pa, room);
  await openRoom(pb, room);
  const bId = await expectConnected(pa, b);
  await expectConnected(pb, a);
  return { room, pa, pb, a, b, bId };
}

/** The state of the RTCPeerConnection the page exposes for `peerId`, or 'missing'. */
export function pcState(page: Page, peerId: string): Promise<string> {
  return page.evaluate((id) => {
    const pcs = (window as any).__parley?.pcs;
    const pc: RTCPeerConnection | undefined = pcs instanceof Map ? pcs.get(id) : pcs?.[id];
    return pc ? pc.connectionState : 'missing';
  }, peerId);
}

/** Waits until the call with `peerName` is connected and its video plays; returns the peer id. */
export async function expectConnected(page: Page, peerName: string): Promise<string> {
  const tile = remoteTile(page, peerName);
  await expect(tile).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  const peerId = await tile.getAttribute('data-peer-id');
  expect(peerId, `tile for ${peerName} has a data-peer-id`).toBeTruthy();
  await expect
    .poll(() => pcState(page, peerId!), { message: `window.__parley.pcs[${peerId}] is connected` })
    .toBe('connected');

  const video = tile.locator('video');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), {
      message: `video from ${peerName} has a picture`,
      timeout: 30_000,
    })
    .toBeGreaterThan(0);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), {
      message: `video from ${peerName} is playing`,
      timeout: 15_000,
    })
    .toBeGreaterThan(t0);
  return peerId!;
}

/** Sum of `bytesReceived` over the video `inbound-rtp` stats of the connection to `peerId`. */
export function inboundVideoBytes(page: Page, peerId: string): Promise<number> {
  return page.evaluate(async (id) => {
    const pcs = (window as any).__parley?.pcs;
    const pc: RTCPeerConnection | undefined = pcs instanceof Map ? pcs.get(id) : pcs?.[id];
    if (!pc) throw new Error(`window.__parley.pcs has no RTCPeerConnection for ${id}`);
    let bytes = 0;
    (await pc.getStats()).forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived ?? 0;
    });
    return bytes;
  }, peerId);
}

/** Video keeps arriving from `peerId`: two readings of the stats, the second larger. */
export async function expectVideoBytesGrow(page: Page, peerId: string): Promise<void> {
  const first = await inboundVideoBytes(page, peerId);
  await expect
    .poll(() => inboundVideoBytes(page, peerId), {
      message: `inbound video bytes from ${peerId} grow past ${first}`,
      timeout: 15_000,
    })
    .toBeGreaterThan(first);
}
