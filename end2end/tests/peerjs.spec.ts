import { expect, type Page } from '@playwright/test';
import { openPage, unique, test } from './helpers';

// The stock PeerJS browser client from npm, unchanged, against our server's PeerJS endpoint.
// Each page is a page of our own origin (`/healthz`) with the client's bundle injected, so the
// only thing under test is the PeerJS protocol, not our UI.

const PEERJS_BUNDLE = require.resolve('peerjs/dist/peerjs.min.js');

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** Loads the client and makes a Peer (`id` undefined: ask the server for one); returns its id
 *  once the server has said OPEN. Everything the test inspects is kept on `window.__pj`. */
async function startPeer(page: Page, id?: string): Promise<string> {
  await page.goto('/healthz');
  await page.addScriptTag({ path: PEERJS_BUNDLE });
  return page.evaluate(
    (wanted) =>
      new Promise<string>((resolve, reject) => {
        const w = window as any;
        const peer = new w.peerjs.Peer(wanted, {
          host: '127.0.0.1',
          port: 3000,
          path: '/',
          config: { iceServers: [] },
        });
        const pj: any = (w.__pj = { peer, received: [], errors: [], server: [], call: null, remote: null });
        // Every message from the signaling server, as the client parsed it.
        peer.socket.on('message', (m: any) => pj.server.push(m));
        peer.on('error', (e: any) => {
          pj.errors.push(`${e.type}: ${e.message}`);
          reject(new Error(`${e.type}: ${e.message}`));
        });
        // Answer data connections by echoing, and calls with our own camera.
        peer.on('connection', (conn: any) => {
          conn.on('data', (d: unknown) => {
            pj.received.push(d);
            conn.send(`echo:${String(d)}`);
          });
        });
        peer.on('call', async (call: any) => {
          const local = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
          pj.call = call;
          call.on('stream', (s: MediaStream) => showRemote(s));
          call.answer(local);
        });
        function showRemote(stream: MediaStream) {
          const video = document.createElement('video');
          video.id = 'remote';
          video.muted = true;
          video.autoplay = true;
          video.playsInline = true;
          video.srcObject = stream;
          document.body.appendChild(video);
          pj.remote = video;
        }
        pj.showRemote = showRemote;
        peer.on('open', (got: string) => resolve(got));
      }),
    id,
  );
}

const remoteWidth = (page: Page) =>
  page.evaluate(() => ((window as any).__pj.remote as HTMLVideoElement | null)?.videoWidth ?? 0);
const remoteTime = (page: Page) =>
  page.evaluate(() => ((window as any).__pj.remote as HTMLVideoElement | null)?.currentTime ?? 0);
const pcState = (page: Page) =>
  page.evaluate(() => (window as any).__pj.call?.peerConnection?.connectionState ?? 'missing');
const inboundVideoBytes = (page: Page) =>
  page.evaluate(async () => {
    const pc: RTCPeerConnection | undefined = (window as any).__pj.call?.peerConnection;
    if (!pc) return 0;
    let bytes = 0;
    (await pc.getStats()).forEach((s: any) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') bytes += s.bytesReceived ?? 0;
    });
    return bytes;
  });

async function expectVideoFlowing(page: Page, who: string) {
  await expect.poll(() => pcState(page), { message: `${who}: call connected`, timeout: 30_000 }).toBe('connected');
  await expect
    .poll(() => remoteWidth(page), { message: `${who}: remote video has a picture`, timeout: 30_000 })
    .toBeGreaterThan(0);
  const t0 = await remoteTime(page);
  await expect.poll(() => remoteTime(page), { message: `${who}: remote video plays` }).toBeGreaterThan(t0);
  const b0 = await inboundVideoBytes(page);
  await expect
    .poll(() => inboundVideoBytes(page), { message: `${who}: inbound video bytes grow past ${b0}` })
    .toBeGreaterThan(b0);
}

test('stock PeerJS client: server-assigned and chosen ids, data both ways, then a video call', async ({
  browser,
}) => {
  const alice = await openPage(browser, 'alice');
  const bob = await openPage(browser, 'bob');

  const aliceId = await startPeer(alice);
  expect(aliceId, 'an id from GET /peerjs/id').toMatch(/^[a-z0-9]{16}$/);
  const bobId = unique('bob');
  expect(await startPeer(bob, bobId)).toBe(bobId);

  // A DataConnection, messages both ways (bob echoes; then alice's side echoes bob's).
  await alice.evaluate(
    (to) =>
      new Promise<void>((resolve, reject) => {
        const pj = (window as any).__pj;
        const conn = pj.peer.connect(to, { reliable: true });
        pj.conn = conn;
        conn.on('data', (d: unknown) => pj.received.push(d));
        conn.on('open', () => {
          conn.send('hello from alice');
          resolve();
        });
        conn.on('error', (e: any) => reject(new Error(String(e))));
      }),
    bobId,
  );
  await expect
    .poll(() => bob.evaluate(() => (window as any).__pj.received), { message: 'bob got alice\'s message' })
    .toContain('hello from alice');
  await expect
    .poll(() => alice.evaluate(() => (window as any).__pj.received), { message: 'alice got bob\'s reply' })
    .toContain('echo:hello from alice');
  await bob.evaluate(() => {
    const pj = (window as any).__pj;
    const conn = Object.values(pj.peer.connections as Record<string, any[]>).flat()[0];
    conn.send('hello from bob');
  });
  await expect
    .poll(() => alice.evaluate(() => (window as any).__pj.received), { message: 'alice got bob\'s own message' })
    .toContain('hello from bob');

  // A media call with the fake camera, frames flowing both ways.
  await alice.evaluate(async (to) => {
    const pj = (window as any).__pj;
    const local = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: false });
    const call = pj.peer.call(to, local);
    pj.call = call;
    call.on('stream', (s: MediaStream) => pj.showRemote(s));
  }, bobId);
  await expectVideoFlowing(alice, 'alice');
  await expectVideoFlowing(bob, 'bob');

  // Both sides relayed OFFER/ANSWER/CANDIDATE, stamped by the server with the sender's id.
  const bobSaw = await bob.evaluate(() => (window as any).__pj.server.map((m: any) => `${m.type}:${m.src}`));
  expect(bobSaw).toContain(`OFFER:${aliceId}`);
  expect(bobSaw).toContain(`CANDIDATE:${aliceId}`);

  // When alice's page goes, the server tells bob (LEAVE), and his client drops the call.
  await alice.context().close();
  await expect
    .poll(() => bob.evaluate(() => (window as any).__pj.server.filter((m: any) => m.type === 'LEAVE')), {
      message: 'the server told bob that alice left',
    })
    .toEqual([{ type: 'LEAVE', src: aliceId, dst: bobId }]);
  await expect
    .poll(() => bob.evaluate(() => Object.values((window as any).__pj.peer.connections).flat().length), {
      message: 'bob\'s client cleaned up alice\'s connections',
      timeout: 20_000,
    })
    .toBe(0);
  expect(await bob.evaluate(() => (window as any).__pj.errors)).toEqual([]);
});

test('stock PeerJS client: a taken id is refused with the client\'s own error', async ({ browser }) => {
  const first = await openPage(browser, 'first');
  const second = await openPage(browser, 'second');
  const id = unique('taken');
  await startPeer(first, id);
  await expect(startPeer(second, id)).rejects.toThrow(/unavailable-id/);
});
