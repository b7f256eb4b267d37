import { expect } from '@playwright/test';
import { guestInRoomAt, openPage, test, unique } from './helpers';
import { startParley, stopProcess } from './servers';

// A server of our own without TEST_HOOKS: what users get.
test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('without TEST_HOOKS a call page exposes no window.__parley and ignores ?lowres=1', async ({ browser }) => {
  const server = await startParley({ TEST_HOOKS: '' });
  try {
    const page = await openPage(browser, 'nohooks');
    await guestInRoomAt(page, server.base, unique('nohooks'));
    await expect(page.locator('meta[name=parley-test-hooks]')).toHaveCount(0);
    await expect(page.locator('[data-testid=call-status]')).toHaveText("You're in. Waiting for others to join.");
    const local = page.locator('#local-video');
    await expect
      .poll(() => local.evaluate((v: HTMLVideoElement) => v.videoWidth), {
        message: 'the local camera preview shows a picture',
      })
      .toBeGreaterThan(0);
    // The full-size picture asked for without `lowres` (the test one is 160 wide).
    expect(await local.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(160);
    expect(await page.evaluate(() => (window as any).__parley)).toBeUndefined();
  } finally {
    await stopProcess(server.child);
  }
});

test('the home page room list stays live across a server restart: it reconnects and asks again', async ({ browser }) => {
  let server = await startParley();
  const BASE = server.base;
  try {
    const home = await openPage(browser, 'lobby');
    await home.goto(`${BASE}/login`);
    await home.locator('form[action="/auth/guest"] button').click();
    await expect(home.locator('[data-testid=me]')).toHaveText(/^guest-/);
    await home.goto(`${BASE}/`);

    const before = unique('before');
    const first = await openPage(browser, 'lobby-a');
    await guestInRoomAt(first, BASE, before);
    await expect(home.locator(`[data-room="${before}"]`)).toBeVisible();
    await first.close();

    await stopProcess(server.child);
    server = await startParley({}, server.db, Number(new URL(BASE).port));

    // A room that only exists after the restart: only a resubscribed socket can show it.
    const after = unique('after');
    const second = await openPage(browser, 'lobby-b');
    await guestInRoomAt(second, BASE, after);
    await expect(home.locator(`[data-room="${after}"]`)).toBeVisible({ timeout: 40_000 });
  } finally {
    await stopProcess(server.child);
  }
});
