// Call set-up time in Chromium: a guest is in a room with the camera on; a second guest (signed
// in, on the log-in page) opens the room. Measured from the second guest's navigation to both
// remote tiles reading "connected", over RUNS runs (default 10), with the time of each step.
// Not part of the test suite: `scripts/bench.sh --call-setup` runs it on the release build.
import { expect, type Page } from '@playwright/test';
import { joinAsGuest, openPage, remoteTile, test, unique } from '../tests/helpers';
import { probe } from './probe';

const RUNS = Number(process.env.RUNS ?? 10);
/** LOWRES=1: the test hooks' small, silent camera (`?lowres=1`), for less CPU per page. */
const QUERY = process.env.LOWRES === '1' ? '?lowres=1' : '';
/** CAMERA_DELAY=ms: the newcomer's camera starts that much later (a real webcam's warm-up). */
const CAMERA_DELAY = Number(process.env.CAMERA_DELAY ?? 0);

/** The steps reported, in order, each read from one of the pages' marks. */
const STEPS: [label: string, page: 'new' | 'old', mark: string][] = [
  ['HTML received', 'new', 'nav responseEnd'],
  ['DOM parsed', 'new', 'nav domInteractive'],
  ['wasm fetched', 'new', 'wasm responseEnd'],
  ['wasm compile started', 'new', 'wasm start'],
  ['wasm instantiated', 'new', 'wasm ready'],
  ['camera asked (hydrating)', 'new', 'camera asked'],
  ['socket created', 'new', 'ws created'],
  ['socket open', 'new', 'ws open'],
  ['welcome', 'new', 'ws recv welcome'],
  ['join sent', 'new', 'ws send join'],
  ['joined', 'new', 'ws recv joined'],
  ['camera ready', 'new', 'camera ready'],
  ['call sent', 'new', 'ws send call'],
  ['response received', 'new', 'ws recv response'],
  ['peer connection made', 'new', 'pc created'],
  ['… with the early certificate', 'new', 'pc with early certificate'],
  ['createOffer called', 'new', 'create offer'],
  ['createOffer resolved', 'new', 'offer created'],
  ['offer made (setLocalDescription)', 'new', 'set local offer'],
  ['offer sent', 'new', 'ws send offer'],
  ['peer_joined received (old page)', 'old', 'ws recv peer_joined'],
  ['response sent (old page)', 'old', 'ws send response'],
  ['call received (old page)', 'old', 'ws recv call'],
  ['peer connection made (old page)', 'old', 'pc created'],
  ['offer received (old page)', 'old', 'ws recv offer'],
  ['answer made (old page)', 'old', 'set local answer'],
  ['answer sent (old page)', 'old', 'ws send answer'],
  ['answer received', 'new', 'ws recv answer'],
  ['ICE connected', 'new', 'ice connected'],
  ['peer connection connected', 'new', 'pc connected'],
  ['tile connected (new page)', 'new', 'tile connected'],
  ['tile connected (old page)', 'old', 'tile connected'],
];

/** The page's marks, with the call's socket (the one that sent `join`) as `ws …`, and the
 *  navigation and wasm timings as epoch milliseconds. */
async function marks(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const w = window as any;
    const out: Record<string, number> = { ...w.__setup };
    const call = (w.__sockets ?? []).find((s: any) => s['send join']);
    for (const [k, v] of Object.entries(call ?? {})) out['ws ' + k] = v as number;
    const origin = performance.timeOrigin;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    if (nav) {
      out['nav responseEnd'] = origin + nav.responseEnd;
      out['nav domInteractive'] = origin + nav.domInteractive;
    }
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm')) as
      | PerformanceResourceTiming
      | undefined;
    if (wasm) out['wasm responseEnd'] = origin + wasm.responseEnd;
    return out;
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : `${Math.round(x)} ms`);

test('call set-up: second guest opens the room until both tiles are connected', async ({ browser }) => {
  test.setTimeout(RUNS * 30_000 + 30_000);
  const totals: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let run = 0; run < RUNS; run++) {
    const room = unique('setup');
    const old = await openPage(browser, `old-${run}`);
    await old.addInitScript(probe);
    const oldName = await joinAsGuest(old);
    await old.goto(`/r/${room}${QUERY}`);
    await expect(old.locator('[data-testid=call-status]')).toHaveText(/waiting/i, { timeout: 20_000 });

    const fresh = await openPage(browser, `new-${run}`);
    await fresh.addInitScript(probe, CAMERA_DELAY);
    const newName = await joinAsGuest(fresh);
    const t0 = Date.now();
    await fresh.goto(`/r/${room}${QUERY}`);
    await expect(remoteTile(fresh, oldName)).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    await expect(remoteTile(old, newName)).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });

    const m = { new: await marks(fresh), old: await marks(old) };
    const total = Math.max(m.new['tile connected'], m.old['tile connected']) - t0;
    totals.push(total);
    for (const [label, page, key] of STEPS) (steps[label] ??= []).push(m[page][key] - t0);
    console.log(`run ${run + 1}: ${ms(total)}`);
    await old.context().close();
    await fresh.context().close();
  }

  const rows = STEPS.map(([label]) => {
    const xs = steps[label].filter((x) => !Number.isNaN(x));
    return `| ${label} | ${xs.length ? ms(pct(xs, 50)) : '—'} | ${xs.length ? ms(pct(xs, 90)) : '—'} |`;
  });
  console.log(
    [
      '',
      `Call set-up, ${RUNS} runs${CAMERA_DELAY ? `, camera ${CAMERA_DELAY} ms late` : ''}: median ${ms(pct(totals, 50))}, p90 ${ms(pct(totals, 90))}` +
        ` (min ${ms(Math.min(...totals))}, max ${ms(Math.max(...totals))})`,
      '',
      '| step (from the navigation) | median | p90 |',
      '|---|---|---|',
      ...rows,
      `| **both tiles connected** | **${ms(pct(totals, 50))}** | **${ms(pct(totals, 90))}** |`,
    ].join('\n'),
  );
});
