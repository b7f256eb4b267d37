// The floor under call set-up on this machine: the newcomer as a page of plain JavaScript (no
// wasm, no framework, no layout to speak of) that does only what a call needs (socket, join,
// camera, one RTCPeerConnection, offer, candidates), against the real app as the peer already in
// the room. Alternated run by run with the real app as the newcomer, in the same browser, and
// timed the same way: navigation → both sides connected. Not part of the test suite:
// `scripts/bench.sh --call-setup` runs it after call-setup.spec.ts.
//
// The page is served by Playwright (`route.fulfill`) at a path of the site, so the site's
// cookie and Origin apply; Chromium then counts it as not local, and its local network access
// checks would refuse its socket to 127.0.0.1: this browser runs without them.
import { expect, type Page } from '@playwright/test';
import config from '../playwright.config';
import { joinAsGuest, openPage, test, unique } from '../tests/helpers';
import { probe } from './probe';
import { connected, marks, ms, STEPS } from './steps';

const RUNS = Number(process.env.RUNS ?? 10);
const launch = config.use!.launchOptions!;
test.use({
  launchOptions: { ...launch, args: [...(launch.args ?? []), '--disable-features=LocalNetworkAccessChecks'] },
});

/** The plain newcomer: the app's protocol (docs/protocol.md, "Mesh room"), the app's camera
 *  constraints, offering on the older peer's `response` as the app does. */
const plainPage = (room: string) => `<!doctype html><meta charset=utf-8><title>floor</title>
<video id=v autoplay muted playsinline></video><script>
const now=()=>performance.timeOrigin+performance.now();
window.__floor={};
const ws=new WebSocket('ws://'+location.host+'/ws'),pcs={};
const send=o=>ws.send(JSON.stringify(o));
const cam=navigator.mediaDevices.getUserMedia({video:{width:{ideal:640},height:{ideal:480}},audio:true});
cam.then(s=>{v.srcObject=s;for(const pc of Object.values(pcs))put(pc,s)},()=>{});
const put=(pc,s)=>{const [a,vi]=pc.getTransceivers();a.sender.replaceTrack(s.getAudioTracks()[0]);vi.sender.replaceTrack(s.getVideoTracks()[0])};
ws.onmessage=async e=>{const m=JSON.parse(e.data);
 if(m.type==='welcome')send({type:'join',room:${JSON.stringify(room)}});
 else if(m.type==='joined')send({type:'call'});
 else if(m.type==='response'&&!pcs[m.from]){
  const pc=pcs[m.from]=new RTCPeerConnection();
  pc.addTransceiver('audio');pc.addTransceiver('video');pc.createDataChannel('parley');
  pc.onicecandidate=ev=>{if(ev.candidate)send({type:'candidate',to:m.from,payload:ev.candidate.toJSON()})};
  pc.onconnectionstatechange=()=>{if(pc.connectionState==='connected')window.__floor.connected??=now()};
  cam.then(s=>put(pc,s),()=>{});
  const o=await pc.createOffer();await pc.setLocalDescription(o);
  send({type:'offer',to:m.from,payload:{type:o.type,sdp:o.sdp}});
 }else if(m.type==='answer')await pcs[m.from].setRemoteDescription(m.payload);
 else if(m.type==='candidate'&&pcs[m.from])await pcs[m.from].addIceCandidate(m.payload);
};</script>`;

const tileConnected = (page: Page) => page.locator('figure.tile.remote[data-state="connected"]');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]);
};
const median = (xs: number[] | undefined) => {
  const ys = (xs ?? []).filter((x) => !Number.isNaN(x));
  return ys.length ? pct(ys, 50) : undefined;
};

test('call set-up floor: a plain JavaScript newcomer against the app, alternated with the app', async ({
  browser,
}) => {
  test.setTimeout(RUNS * 2 * 30_000 + 30_000);
  const times: Record<'plain' | 'app', number[]> = { plain: [], app: [] };
  const steps: Record<'plain' | 'app', Record<string, number[]>> = { plain: {}, app: {} };
  for (let run = 0; run < RUNS * 2; run++) {
    const kind = run % 2 === 0 ? 'plain' : 'app';
    const room = unique('floor');
    const old = await openPage(browser, `old-${run}`);
    await old.addInitScript(probe, 0);
    await joinAsGuest(old);
    await old.goto(`/r/${room}`);
    await expect(old.locator('[data-testid=call-status]')).toHaveText(/waiting/i, { timeout: 20_000 });

    const fresh = await openPage(browser, `new-${run}`);
    await fresh.addInitScript(probe, 0);
    await joinAsGuest(fresh);
    await fresh.route('**/floor', (r) => r.fulfill({ contentType: 'text/html', body: plainPage(room) }));
    const t0 = Date.now();
    await fresh.goto(kind === 'plain' ? '/floor' : `/r/${room}`);
    await connected(fresh);
    await connected(old);
    if (kind === 'app') await expect(tileConnected(fresh)).toHaveCount(1);
    await expect(tileConnected(old)).toHaveCount(1);
    const mine = await fresh.evaluate(
      () => (window as any).__floor?.connected ?? (window as any).__setup['tile connected'],
    );
    const theirs = await old.evaluate(() => (window as any).__setup['tile connected']);
    const total = Math.max(mine, theirs) - t0;
    times[kind].push(total);
    const m = { new: await marks(fresh), old: await marks(old) };
    m.new['tile connected'] ??= mine;
    for (const [label, page, key] of STEPS) (steps[kind][label] ??= []).push(m[page][key] - t0);
    console.log(`run ${run + 1} (${kind}): ${Math.round(total)} ms`);
    await old.context().close();
    await fresh.context().close();
  }
  expect(times.plain.length).toBe(RUNS);
  console.log(
    [
      '',
      `Call set-up floor, ${RUNS} runs each, alternated (navigation → both sides connected):`,
      '',
      '| newcomer | median | p90 | min |',
      '|---|---|---|---|',
      ...(['plain', 'app'] as const).map(
        (k) =>
          `| ${k === 'plain' ? 'plain JavaScript page' : 'the app (wasm)'} | ${pct(times[k], 50)} ms | ${pct(times[k], 90)} ms | ${Math.round(Math.min(...times[k]))} ms |`,
      ),
      '',
      'Step by step, median from the navigation:',
      '',
      '| step | plain JavaScript page | the app (wasm) |',
      '|---|---|---|',
      ...STEPS.map(([label]) => `| ${label} | ${ms(median(steps.plain[label]))} | ${ms(median(steps.app[label]))} |`),
    ].join('\n'),
  );
});
