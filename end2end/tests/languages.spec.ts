import { expect, type Page } from '@playwright/test';
import { expectConnected, me, openPage, remoteTile, unique, test } from './helpers';
import { startParley, stopProcess } from './servers';

// Pages speak the browser's language (English or Japanese), and the header's switch changes it
// for good.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

const JA = { locale: 'ja-JP' };
const status = (page: Page) => page.locator('[data-testid=call-status]');
const html = (page: Page) => page.locator('html');

test('a browser set to Japanese gets Japanese pages from the first byte', async ({ browser }) => {
  const page = await openPage(browser, 'ja-home', JA);
  const served = await page.goto('/');
  // Rendered on the server in Japanese: no English before the wasm hydrates.
  const source = await served!.text();
  expect(source).toContain('<html lang="ja"');
  expect(source).toContain('ルームを開く');
  expect(source).not.toContain('Open room');
  await expect(html(page)).toHaveAttribute('lang', 'ja');
  await expect(page).toHaveTitle('ルーム · Parley');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ルーム');
  await expect(page.locator('header').getByRole('link', { name: 'ログイン', exact: true })).toBeVisible();
  await expect(page.locator('header').getByRole('link', { name: '新規登録' })).toBeVisible();

  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ログイン');
  await expect(page.getByLabel('ユーザー名')).toBeVisible();
  await page.getByRole('button', { name: 'ゲストとして参加' }).click();
  await expect(me(page)).toHaveText(/^guest-/);
  await expect(page.getByRole('button', { name: 'ログアウト' })).toBeVisible();
  await expect(page.locator('header .badge')).toHaveText('ゲスト');
});

test('the header switch changes the language, and the choice outlives a reload and the browser language', async ({ browser }) => {
  const page = await openPage(browser, 'switch');
  await page.goto('/login?next=/r/somewhere');
  await expect(html(page)).toHaveAttribute('lang', 'en');
  const switcher = page.getByRole('group', { name: 'Language' });
  await expect(switcher.getByRole('button', { name: 'English' })).toHaveAttribute('aria-current', 'true');

  await switcher.getByRole('button', { name: '日本語' }).click();
  // Back on the same page, query and all, now in Japanese.
  await expect(html(page)).toHaveAttribute('lang', 'ja');
  expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/login?next=/r/somewhere');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ログイン');
  await page.reload();
  await expect(html(page)).toHaveAttribute('lang', 'ja');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ログイン');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ルーム');

  // A browser set to Japanese that chose English keeps English.
  const ja = await openPage(browser, 'switch-ja', JA);
  await ja.goto('/');
  await expect(html(ja)).toHaveAttribute('lang', 'ja');
  await ja.getByRole('group', { name: '言語' }).getByRole('button', { name: 'English' }).click();
  await expect(ja.getByRole('heading', { level: 1 })).toHaveText('Rooms');
  await ja.reload();
  await expect(html(ja)).toHaveAttribute('lang', 'en');
  await expect(ja.getByRole('heading', { level: 1 })).toHaveText('Rooms');
});

test('a call says where it stands in Japanese: connecting, waiting, connected, room full, peer left, reconnecting, failed', async ({ browser }) => {
  // A server of our own: two to a room, and one the test can kill.
  const server = await startParley({ ROOM_CAP: '2' });
  const BASE = server.base;
  try {
    const room = unique('ja-call');
    const guest = async (label: string) => {
      const page = await openPage(browser, label, JA);
      await page.goto(`${BASE}/login`);
      await page.getByRole('button', { name: 'ゲストとして参加' }).click();
      await expect(me(page)).toHaveText(/^guest-/);
      return { page, name: (await me(page).innerText()).trim() };
    };
    // As the server renders the stage, before the browser has connected anything.
    const a = await guest('ja-a');
    const rendered = await a.page.request.get(`${BASE}/r/${room}`, { headers: { 'accept-language': 'ja' } });
    expect(await rendered.text()).toMatch(/data-testid="call-status"[^>]*>接続中…</);

    // The clock is ours, so the page's two minutes of retries can pass in moments.
    await a.page.clock.install();
    await a.page.goto(`${BASE}/r/${room}?lowres=1`);
    await expect(status(a.page)).toHaveText('参加しました。ほかの人の参加を待っています。');
    await expect(a.page.getByRole('button', { name: '退出' })).toBeVisible();

    const b = await guest('ja-b');
    await b.page.goto(`${BASE}/r/${room}?lowres=1`);
    await expectConnected(a.page, b.name);
    await expect(status(a.page)).toHaveText('接続しました');
    await expect(status(b.page)).toHaveText('接続しました');

    const c = await guest('ja-c');
    await c.page.goto(`${BASE}/r/${room}?lowres=1`);
    await expect(status(c.page)).toHaveText('このルームは満員です。');
    await expect(c.page.locator('.status .detail')).toHaveText('参加できる人数の上限に達しています。');
    await expect(c.page.getByRole('link', { name: 'もう一度試す' })).toBeVisible();

    await b.page.getByRole('button', { name: '退出' }).click();
    await expect(status(b.page)).toHaveText('通話から退出しました。');
    await expect(remoteTile(a.page, b.name)).toHaveCount(0);
    await expect(a.page.getByTestId('announcements').locator('li').last()).toHaveText(`${b.name}さんが通話から退出しました。`);
    await expect(status(a.page)).toHaveText('参加しました。ほかの人の参加を待っています。');

    // There is room now: the refused one tries again, then goes without a word (tab closed).
    await c.page.getByRole('link', { name: 'もう一度試す' }).click();
    await expectConnected(a.page, c.name);
    await c.page.close();
    await expect(a.page.locator('.status .detail')).toHaveText(`${c.name}さんが退出しました。`);

    await stopProcess(server.child);
    await expect(status(a.page)).toHaveText('接続が切れました。再接続中…');
    // Each retry fails at once (nothing listens); skipping the pauses between them runs the
    // page out of tries.
    await expect
      .poll(
        async () => {
          await a.page.clock.fastForward(20_000);
          return status(a.page).innerText();
        },
        { timeout: 30_000, message: 'the page gives up' },
      )
      .toBe('サーバーに接続できませんでした。');
    await expect(a.page.locator('.status .detail')).toHaveText('ネットワークを確認して、もう一度お試しください。');
  } finally {
    await stopProcess(server.child);
  }
});
