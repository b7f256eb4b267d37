import { expect } from '@playwright/test';
import { expectConnected, openPage, unique, test } from './helpers';
import { startParley, stopProcess } from './servers';

// A server of our own (not the shared one), so this test can crash and restart it.
test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('after a server crash and restart, sessions survive and calls reconnect by themselves', async ({ browser }) => {
  let server = await startParley();
  const BASE = server.base;
  try {
    const room = unique('crash');
    const pages = [];
    const names = [];
    for (const label of ['r1', 'r2']) {
      const page = await openPage(browser, label);
      await page.goto(`${BASE}/login`);
      await page.locator('form[action="/auth/guest"] button').click();
      await expect(page.locator('[data-testid=me]')).toHaveText(/^guest-/);
      names.push((await page.locator('[data-testid=me]').innerText()).trim());
      await page.goto(`${BASE}/r/${room}?lowres=1`);
      pages.push(page);
    }
    await expectConnected(pages[0], names[1]);

    await stopProcess(server.child);
    for (const p of pages) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Connection lost. Reconnecting…');
    }
    server = await startParley({}, server.db, Number(new URL(BASE).port));

    // Same cookies, same sessions (committed before the crash): both rejoin and reconnect.
    for (const [i, p] of pages.entries()) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Connected', { timeout: 40_000 });
      await expectConnected(p, names[1 - i]);
    }
  } finally {
    await stopProcess(server.child);
  }
});
