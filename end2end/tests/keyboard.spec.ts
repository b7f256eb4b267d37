import { expect, type Page } from '@playwright/test';
import { expectConnected, joinAsGuest, openPage, openRoom, unique, test } from './helpers';

// The room page with a keyboard and a screen reader: shortcuts, focus, the live region; and its
// invite link and title.

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** Whether the local `kind` track is enabled, as the page's own stream says. */
const trackEnabled = (page: Page, kind: 'audio' | 'video') =>
  page.evaluate((kind) => {
    const stream = (document.getElementById('local-video') as HTMLVideoElement).srcObject as MediaStream;
    const tracks = kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
    return tracks.length === 1 ? tracks[0].enabled : `${tracks.length} ${kind} tracks`;
  }, kind);

test('m and v mute and stop the camera, but not while typing; the buttons say so', async ({ browser }) => {
  const page = await openPage(browser, 'keys');
  await joinAsGuest(page);
  // Full media (test mode's low-resolution picture has no microphone).
  await page.goto(`/r/${unique('keys')}`);
  await expect.poll(() => page.evaluate(() => !!(document.getElementById('local-video') as HTMLVideoElement).srcObject)).toBe(true);
  const mute = page.getByRole('button', { name: 'Mute', exact: true });
  await expect(mute).toHaveAttribute('aria-keyshortcuts', 'M');
  await expect(mute).toHaveAttribute('title', 'Mute (M)');
  await expect(page.getByRole('button', { name: 'Stop video' })).toHaveAttribute('aria-keyshortcuts', 'V');
  expect(await trackEnabled(page, 'audio')).toBe(true);

  await page.keyboard.press('m');
  await expect.poll(() => trackEnabled(page, 'audio')).toBe(false);
  await expect(page.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('v');
  await expect.poll(() => trackEnabled(page, 'video')).toBe(false);
  await expect(page.getByRole('button', { name: 'Start video' })).toHaveAttribute('title', 'Start video (V)');

  // Typing an m or a v in the chat is just typing.
  const message = page.locator('.chat input[name=message]');
  await message.focus();
  await page.keyboard.type('move');
  await expect(message).toHaveValue('move');
  expect(await trackEnabled(page, 'audio')).toBe(false);
  expect(await trackEnabled(page, 'video')).toBe(false);

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await page.keyboard.press('v');
  await expect.poll(() => trackEnabled(page, 'audio')).toBe(true);
  await expect.poll(() => trackEnabled(page, 'video')).toBe(true);
  await expect(mute).toHaveAttribute('aria-pressed', 'false');
});

test('the keyboard reaches the page with a visible focus ring, starting with a skip link', async ({ browser }) => {
  const page = await openPage(browser, 'focus');
  await page.goto('/');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  const ring = (el: Element) => {
    const s = getComputedStyle(el);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  };
  expect(await skip.evaluate(ring)).toBe(true);
  await page.keyboard.press('Tab');
  await expect(page.locator('a.brand')).toBeFocused();
  await page.keyboard.press('Tab');
  const english = page.getByRole('button', { name: 'English' });
  await expect(english).toBeFocused();
  expect(await english.evaluate(ring)).toBe(true);

  // The skip link jumps over the header to the page's content.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#content')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Room name' })).toBeFocused();
});

test('the live region tells who joined and left the call', async ({ browser }) => {
  const room = unique('live-region');
  const pa = await openPage(browser, 'lr-a');
  await joinAsGuest(pa);
  const pb = await openPage(browser, 'lr-b');
  const b = await joinAsGuest(pb);
  await openRoom(pa, room);
  const region = pa.locator('[data-testid=announcements]');
  await expect(region).toHaveAttribute('aria-live', 'polite');
  await expect(region).toHaveAttribute('role', 'log');
  await expect(region.locator('li')).toHaveCount(0);

  await openRoom(pb, room);
  await expect(region.locator('li').last()).toHaveText(`${b} joined the call.`);
  await pb.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(region.locator('li').last()).toHaveText(`${b} left the call.`);
  await expect(region.locator('li')).toHaveCount(2);
});

test('Copy invite link puts the room address on the clipboard, and the title counts who is in', async ({ browser, baseURL }) => {
  const room = unique('invite');
  const clipboard = { permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] };
  const pa = await openPage(browser, 'inv-a', clipboard);
  await joinAsGuest(pa);
  await openRoom(pa, room);
  await expect(pa).toHaveTitle(`${room} (1) · Parley`);

  await pa.getByRole('button', { name: 'Copy invite link' }).click();
  await expect(pa.getByTestId('copied')).toHaveText('Copied');
  expect(await pa.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/r/${room}`);

  const pb = await openPage(browser, 'inv-b');
  const b = await joinAsGuest(pb);
  await openRoom(pb, room);
  await expect(pa).toHaveTitle(`${room} (2) · Parley`);
  await expect(pb).toHaveTitle(`${room} (2) · Parley`);
  await expectConnected(pa, b);
  await pb.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(pa).toHaveTitle(`${room} (1) · Parley`);
});

test('where the clipboard is closed, the invite link is shown selected for copying by hand', async ({ browser, baseURL }) => {
  const room = unique('invite-by-hand');
  const pa = await openPage(browser, 'hand-a', { locale: 'ja-JP' });
  await pa.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  await joinAsGuest(pa);
  await openRoom(pa, room);
  await pa.getByRole('button', { name: '招待リンクをコピー' }).click();
  const url = `${baseURL}/r/${room}`;
  const link = pa.getByTestId('invite-link');
  await expect(link).toHaveValue(url);
  await expect(link).toBeFocused();
  expect(await link.evaluate((i: HTMLInputElement) => [i.selectionStart, i.selectionEnd])).toEqual([0, url.length]);
  await expect(pa.getByTestId('copied')).toBeEmpty();
});
