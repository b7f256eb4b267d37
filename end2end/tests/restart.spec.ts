import { expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectConnected, openPage, unique, test } from './helpers';

// A server of our own (not the shared one), so this test can stop and restart it.
// playwright.config.ts names the binary under test (release by default) and its site folder.
const SERVER = process.env.PARLEY_E2E_SERVER!;
const SITE_ROOT = process.env.PARLEY_SITE_ROOT!;
const ADDR = '127.0.0.1:3100';
const BASE = `http://${ADDR}`;

function startServer(db: string): Promise<ChildProcess> {
  const child = spawn(SERVER, [], {
    cwd: __dirname,
    env: {
      ...process.env,
      LEPTOS_SITE_ADDR: ADDR,
      LEPTOS_SITE_ROOT: SITE_ROOT,
      LEPTOS_OUTPUT_NAME: 'parley',
      LEPTOS_SITE_PKG_DIR: 'pkg',
      DATABASE_URL: `sqlite://${db}`,
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return expect
    .poll(async () => (await fetch(`${BASE}/healthz`).then((r) => r.ok).catch(() => false)), { timeout: 20_000 })
    .toBe(true)
    .then(() => child);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL'); // a crash, not a clean shutdown
  });
}

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('after a server crash and restart, sessions survive and calls reconnect by themselves', async ({ browser }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-restart-'));
  const db = path.join(dir, 'app.db');
  let server = await startServer(db);
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

    await stop(server);
    for (const p of pages) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Connection lost. Reconnecting…');
    }
    server = await startServer(db);

    // Same cookies, same sessions (committed before the crash): both rejoin and reconnect.
    for (const [i, p] of pages.entries()) {
      await expect(p.locator('[data-testid=call-status]')).toHaveText('Connected', { timeout: 40_000 });
      await expectConnected(p, names[1 - i]);
    }
  } finally {
    await stop(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
