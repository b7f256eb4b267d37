import { expect } from '@playwright/test';
import { expectConnected, expectVideoBytesGrow, guestInRoomAt, openPage, unique, test } from './helpers';
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

test('a server stopped with SIGTERM drains: pages say they are reconnecting, media keeps flowing, all rejoin the restarted server', async ({ browser }) => {
  let server = await startParley({ DRAIN_SECS: '10' });
  const BASE = server.base;
  try {
    const room = unique('drain');
    const a = await openPage(browser, 'd1');
    const b = await openPage(browser, 'd2');
    const nameA = await guestInRoomAt(a, BASE, room);
    const nameB = await guestInRoomAt(b, BASE, room);
    const idOfB = await expectConnected(a, nameB);
    await expectConnected(b, nameA);

    // SIGTERM: every page is told `reconnect`, leaves, and the server exits once they have.
    const exited = stopProcess(server.child, 'SIGTERM');
    for (const p of [a, b]) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Reconnecting…');
    }
    await exited;
    expect(server.child.signalCode, 'the server exits by itself, not killed').toBeNull();
    expect(server.child.exitCode).toBe(0);

    // No server at all, and the call goes on browser to browser.
    await expectVideoBytesGrow(a, idOfB);
    await expect(a.locator('[data-testid=call-status]')).toHaveText('Reconnecting…');

    server = await startParley({}, server.db, Number(new URL(BASE).port));
    for (const [p, other] of [[a, nameB], [b, nameA]] as const) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Connected', { timeout: 40_000 });
      await expectConnected(p, other);
    }
  } finally {
    await stopProcess(server.child);
  }
});
