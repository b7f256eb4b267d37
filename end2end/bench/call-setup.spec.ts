// Call set-up time in Chromium: a guest is in a room with the camera on; a second guest (signed
// in, on the log-in page) opens the room. Measured from the second guest's navigation to both
// remote tiles reading "connected", over RUNS runs (default 10), with the time of each step.
// Not part of the test suite: `scripts/bench.sh --call-setup` runs it on the release build.
import { expect } from '@playwright/test';
import { joinAsGuest, openPage, remoteTile, test, unique } from '../tests/helpers';
import { probe } from './probe';
import { connected, marks, ms, pct, STEPS } from './steps';

const RUNS = Number(process.env.RUNS ?? 10);
/** LOWRES=1: the test hooks' small, silent camera (`?lowres=1`), for less CPU per page. */
const QUERY = process.env.LOWRES === '1' ? '?lowres=1' : '';
/** CAMERA_DELAY=ms: the newcomer's camera starts that much later (a real webcam's warm-up). */
const CAMERA_DELAY = Number(process.env.CAMERA_DELAY ?? 0);

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
    await connected(fresh);
    await connected(old);
    // The tiles the marks are for.
    await expect(remoteTile(fresh, oldName)).toHaveAttribute('data-state', 'connected');
    await expect(remoteTile(old, newName)).toHaveAttribute('data-state', 'connected');

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
