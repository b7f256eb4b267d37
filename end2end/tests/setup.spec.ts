// A call gets under way without waiting for what it need not wait for: the page's inline script
// joins the room and makes the call while the wasm is still loading, and a newcomer calls before
// its camera is up, its picture following when the camera is.
import { expect, type Browser, type Page } from '@playwright/test';
import {
  expectConnected,
  expectVideoBytesGrow,
  inboundVideoBytes,
  joinAsGuest,
  openPage,
  openRoom,
  pcState,
  remoteTile,
  test,
  unique,
} from './helpers';

/** Counts, in the page, the `join` and `call` frames sent and the `joined` and `response`
 *  frames received on any socket. */
function countJoins(): void {
  const w = window as any;
  w.__joins = { sent: 0, calls: 0, joined: 0, responses: 0 };
  const typeOf = (d: unknown) => {
    try {
      return typeof d === 'string' ? JSON.parse(d).type : undefined;
    } catch {
      return undefined;
    }
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, d: any) {
    if (typeOf(d) === 'join') w.__joins.sent += 1;
    if (typeOf(d) === 'call') w.__joins.calls += 1;
    return send.call(this, d);
  };
  const Ws = WebSocket;
  w.WebSocket = class extends Ws {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (typeOf(e.data) === 'joined') w.__joins.joined += 1;
        if (typeOf(e.data) === 'response') w.__joins.responses += 1;
      });
    }
  };
}

/** Ann waits in a fresh room; Ben, a guest too, has not opened it yet. */
async function annWaitingForBen(browser: Browser, label: string) {
  const room = unique(label);
  const pa = await openPage(browser, `${label}-a`);
  const ann = await joinAsGuest(pa);
  await openRoom(pa, room);
  const pb = await openPage(browser, `${label}-b`);
  const ben = await joinAsGuest(pb);
  return { room, pa, ann, pb, ben };
}

type Joins = { sent: number; calls: number; joined: number; responses: number };
const joins = (page: Page) => page.evaluate(() => (window as any).__joins as Joins);

test('the page joins and calls from its inline script while the wasm is held back, only once; the call connects before the wasm runs', async ({ browser }) => {
  const { room, pa, ann, pb, ben } = await annWaitingForBen(browser, 'early-join');
  await pb.addInitScript(countJoins);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let wasmAsked = false;
  await pb.route('**/*.wasm', async (route) => {
    wasmAsked = true;
    await held;
    await route.continue();
  });
  await pb.goto(`/r/${room}?lowres=1`, { waitUntil: 'commit' });
  // No wasm yet, and still: ben is in the room, and ann sees him arrive.
  await expect.poll(() => joins(pb).then((j) => j.joined), { message: 'joined without the wasm' }).toBe(1);
  await expect(remoteTile(pa, ben)).toBeAttached();
  // Ben's page calls, offers, takes ann's answer and candidates: the connection is up on
  // ann's side before ben's wasm has even arrived.
  await expect(remoteTile(pa, ben)).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  expect(wasmAsked, 'the page asked for its wasm').toBe(true);
  const before = await joins(pb);
  expect(before).toMatchObject({ sent: 1, calls: 1, joined: 1 });
  // Ann answered ben's arrival and his call alike.
  expect(before.responses).toBeGreaterThanOrEqual(1);

  // The wasm takes the call over: ben's tile for ann, the picture both ways, and no second
  // join or call.
  release();
  await expectConnected(pb, ann);
  await expectConnected(pa, ben);
  expect(await joins(pb)).toMatchObject({ sent: 1, calls: 1, joined: 1 });
});

/** Records, in `performance.now()` time, when the page's first connection is up and when each
 *  WebSocket is made (the first is the inline script's). */
function watchUp(): void {
  const w = window as any;
  w.__sockets = [];
  const Ws = WebSocket;
  w.WebSocket = class extends Ws {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      w.__sockets.push(performance.now());
    }
  };
  const Pc = RTCPeerConnection;
  w.RTCPeerConnection = class extends Pc {
    constructor(c?: RTCConfiguration) {
      super(c);
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') w.__upAt ??= performance.now();
      });
    }
  };
}

test('a call page hydrates once its call is up, the call first and the rest of the page after', async ({ browser }) => {
  const { room, pa, ann, pb, ben } = await annWaitingForBen(browser, 'hydrate-late');
  await pb.addInitScript(watchUp);
  await pb.goto(`/r/${room}?lowres=1`);
  await expectConnected(pb, ann);
  await expectConnected(pa, ben);
  // The call-by-name overlay, the page's other island, opens its socket once hydrated.
  await expect.poll(() => pb.evaluate(() => (window as any).__sockets.length)).toBeGreaterThanOrEqual(2);
  const t = await pb.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const w = window as any;
    return { up: w.__upAt, hydrate: at('parley hydrate'), hydrated: at('parley hydrated'), overlay: w.__sockets[1] };
  });
  // Every frame of the call was handled by the inline script, not held up by hydration.
  expect(t.hydrate, 'hydration starts once the connection made by the inline script is up').toBeGreaterThanOrEqual(t.up);
  expect(t.hydrated).toBeGreaterThanOrEqual(t.hydrate);
  expect(t.overlay, 'the overlay is hydrated after the call').toBeGreaterThanOrEqual(t.hydrated);
});

/** Holds `getUserMedia` until `window.__releaseCamera()`. */
function holdCamera(): void {
  const w = window as any;
  const media = navigator.mediaDevices;
  const gum = media.getUserMedia.bind(media);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  w.__releaseCamera = release;
  media.getUserMedia = (c?: MediaStreamConstraints) => held.then(() => gum(c));
}

test('a newcomer calls before its camera is up; its picture and sound follow without renegotiating', async ({ browser }) => {
  const { room, pa, ann, pb, ben } = await annWaitingForBen(browser, 'late-camera');
  await pb.addInitScript(holdCamera);
  // Full mode (not `?lowres=1`, which has no microphone): both lines get a track later.
  await pb.goto(`/r/${room}`);
  // Connected with the camera still starting: ann's tile for ben says so (muted, camera off).
  const benTile = remoteTile(pa, ben);
  await expect(benTile).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  await expect(remoteTile(pb, ann)).toHaveAttribute('data-state', 'connected');
  await expect(benTile).toHaveAttribute('data-camera-off', 'true');
  await expect(benTile).toHaveAttribute('data-muted', 'true');
  const benId = (await benTile.getAttribute('data-peer-id'))!;
  expect(await inboundVideoBytes(pa, benId)).toBe(0);
  // Ben already sees and hears ann.
  await expectConnected(pb, ann);
  const offers = await pb.evaluate(() => {
    const pcs = (window as any).__parley.pcs;
    const pc: RTCPeerConnection = (pcs instanceof Map ? [...pcs.values()] : Object.values(pcs))[0] as any;
    (window as any).__pc = pc;
    return pc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.direction}:${t.sender.track ? 'track' : 'none'}`);
  });
  expect(offers).toEqual(['audio:sendrecv:none', 'video:sendrecv:none']);
  // Its connection uses the certificate the page's head made while the wasm loaded, so the
  // offer did not wait for one to be made.
  const usesEarlyCert = await pb.evaluate(() => {
    const w = window as any;
    const certs = (w.__pc as RTCPeerConnection).getConfiguration().certificates ?? [];
    const fingerprint = (c: RTCCertificate) => c.getFingerprints().map((f) => f.value).join();
    return w.__parleyCert instanceof RTCCertificate && certs.length === 1 && fingerprint(certs[0]) === fingerprint(w.__parleyCert);
  });
  expect(usesEarlyCert).toBe(true);

  await pb.evaluate(() => (window as any).__releaseCamera());
  await expectConnected(pa, ben);
  await expectVideoBytesGrow(pa, benId);
  await expect(benTile).toHaveAttribute('data-camera-off', 'false');
  await expect(benTile).toHaveAttribute('data-muted', 'false');
  // The same connection, its lines now carrying the camera: nothing was renegotiated.
  const after = await pb.evaluate(() => {
    const pc: RTCPeerConnection = (window as any).__pc;
    return {
      state: pc.connectionState,
      lines: pc.getTransceivers().map((t) => `${t.receiver.track.kind}:${t.sender.track?.kind ?? 'none'}`),
    };
  });
  expect(after).toEqual({ state: 'connected', lines: ['audio:audio', 'video:video'] });
});

test('an offer the inline script holds for a peer not ready yet goes out from the wasm when that peer answers', async ({ browser }) => {
  const room = unique('held-offer');
  // Ann's camera is held: she answers nobody's call until it runs.
  const pa = await openPage(browser, 'ho-a');
  const ann = await joinAsGuest(pa);
  await pa.addInitScript(holdCamera);
  await pa.goto(`/r/${room}?lowres=1`);
  await expect(pa.locator('[data-testid=call-status]')).toHaveText(/waiting/i, { timeout: 20_000 });

  const pb = await openPage(browser, 'ho-b');
  const ben = await joinAsGuest(pb);
  await pb.addInitScript(countJoins);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await pb.route('**/*.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await pb.goto(`/r/${room}?lowres=1`, { waitUntil: 'commit' });
  // Ben's script has called and made its offer to ann, and holds it: no `response` yet.
  const heldFrames = () =>
    pb.evaluate(() => {
      const links = (window as any).__parleySocket?.links ?? {};
      return Object.values(links).map((l: any) => (l.held ?? []).map((f: string) => JSON.parse(f).type));
    });
  await expect.poll(heldFrames, { message: 'the offer is held for ann' }).toEqual([expect.arrayContaining(['offer'])]);
  expect(await joins(pb)).toMatchObject({ calls: 1, responses: 0 });

  // Ben's wasm takes the call over, with the held offer; ann has had nothing from him yet.
  release();
  await expect.poll(() => pb.evaluate(() => (window as any).__parleySocket === undefined)).toBe(true);
  const benId = (await remoteTile(pa, ben).getAttribute('data-peer-id'))!;
  expect(await pcState(pa, benId)).toBe('missing');

  // Ann's camera runs: she answers, the engine sends the offer it took over, and the call is up.
  await pa.evaluate(() => (window as any).__releaseCamera());
  await expectConnected(pb, ann);
  await expectConnected(pa, ben);
  expect(await joins(pb)).toMatchObject({ sent: 1, calls: 1, joined: 1 });
});

test('the wasm travels compressed, and is revalidated rather than fetched again', async ({ request }) => {
  const get = (encoding: string) => request.get('/pkg/parley.wasm', { headers: { 'accept-encoding': encoding } });
  const plain = await get('identity');
  const br = await get('gzip, deflate, br');
  expect(plain.headers()['content-encoding']).toBeUndefined();
  expect(br.headers()['content-encoding']).toBe('br');
  const size = (r: typeof plain) => Number(r.headers()['content-length']);
  expect(size(br)).toBeLessThan(size(plain) / 2);
  expect(br.headers()['cache-control']).toBe('no-cache');
  const again = await request.get('/pkg/parley.wasm', {
    headers: { 'accept-encoding': 'br', 'if-modified-since': br.headers()['last-modified'] },
  });
  expect(again.status()).toBe(304);
});
