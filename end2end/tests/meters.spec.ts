import { expect, type Page } from '@playwright/test';
import { expectConnected, joinAsGuest, openPage, remoteTile, unique, test } from './helpers';

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** Opens the room with sound (not `?lowres=1`, which asks for no microphone) and waits for
 *  the local camera. The fake microphone speaks (end2end/voice.ts). */
async function openRoomWithSound(page: Page, room: string): Promise<void> {
  await page.goto(`/r/${room}`);
  const local = page.locator('#local-video');
  await expect
    .poll(() => local.evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 })
    .toBeGreaterThan(0);
}

test('tiles show link quality, who is speaking, and what the other side switched off', async ({ browser }) => {
  const room = unique('meters');
  const pa = await openPage(browser, 'ma');
  const a = await joinAsGuest(pa);
  const pb = await openPage(browser, 'mb');
  const b = await joinAsGuest(pb);
  await openRoomWithSound(pa, room);
  await openRoomWithSound(pb, room);
  await expectConnected(pa, b);
  await expectConnected(pb, a);

  // Quality, from getStats every 2 s: a grade, and figures that move.
  const bOnA = remoteTile(pa, b);
  const badge = bOnA.locator('.quality');
  await expect(badge).toHaveAttribute('data-quality', /^(good|fair|poor)$/, { timeout: 15_000 });
  await expect(badge).toHaveAttribute('data-kbps', /^\d+$/);
  const received = async () => Number(await badge.getAttribute('data-received'));
  const first = await received();
  expect(first).toBeGreaterThan(0);
  await expect.poll(received, { message: 'the bytes received grow between readings', timeout: 15_000 }).toBeGreaterThan(first);
  await badge.focus();
  const details = badge.locator('.details');
  await expect(details).toBeVisible();
  await expect(details).toContainText(/round trip \d+ ms/);
  await expect(details).toContainText(/\d+ kbps/);
  await expect(badge).toHaveAttribute('aria-label', /^Connection: (Good|Fair|Poor)\. round trip/);

  // a mutes: b's page shows it on a's tile, because a said so.
  const aOnB = remoteTile(pb, a);
  await expect(aOnB).toHaveAttribute('data-muted', 'false');
  await pa.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(aOnB).toHaveAttribute('data-muted', 'true');
  await expect(aOnB.getByRole('img', { name: 'Microphone off' })).toBeVisible();
  await expect(pa.locator('figure.tile.local')).toHaveAttribute('data-muted', 'true');

  // b stops its camera: a's page covers b's tile.
  await pb.getByRole('button', { name: 'Stop video' }).click();
  await expect(bOnA).toHaveAttribute('data-camera-off', 'true');
  await expect(bOnA.locator('.cover')).toBeVisible();

  // b's fake microphone speaks: a's page sees its level rise and makes b the active speaker
  // (a itself is muted, so b is the only one to hear).
  const level = () => bOnA.locator('.meter').getAttribute('data-level').then(Number);
  await expect.poll(level, { message: "b's audio level rises as b speaks", intervals: [100], timeout: 20_000 }).toBeGreaterThan(0);
  await expect
    .poll(() => bOnA.evaluate((el) => el.classList.contains('speaking')), { message: 'b becomes the active speaker', intervals: [100], timeout: 20_000 })
    .toBe(true);
  await expect(pa.locator('figure.tile.local')).not.toHaveClass(/speaking/);
  // b's own page hears b's microphone (before its processing) and highlights b's own tile.
  await expect
    .poll(() => pb.locator('figure.tile.local').evaluate((el) => el.classList.contains('speaking')), { intervals: [100], timeout: 20_000 })
    .toBe(true);

  // And back.
  await pa.getByRole('button', { name: 'Unmute' }).click();
  await expect(aOnB).toHaveAttribute('data-muted', 'false');
  await pb.getByRole('button', { name: 'Start video' }).click();
  await expect(bOnA).toHaveAttribute('data-camera-off', 'false');
  await expect(bOnA.locator('.cover')).toBeHidden();
});
