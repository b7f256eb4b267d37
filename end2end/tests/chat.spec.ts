import { expect } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { expectConnected, joinAsGuest, openPage, openRoom, unique, test } from './helpers';

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('chat messages and a chunked file go peer to peer over the data channel', async ({ browser }) => {
  const room = unique('chat');
  const pa = await openPage(browser, 'chat-a');
  const a = await joinAsGuest(pa);
  const pb = await openPage(browser, 'chat-b');
  const b = await joinAsGuest(pb);
  await openRoom(pa, room);
  await openRoom(pb, room);
  await expectConnected(pa, b);
  await expectConnected(pb, a);

  const say = async (page: typeof pa, text: string) => {
    await page.locator('.chat input[name=message]').fill(text);
    await page.locator('.chat button[type=submit]').click();
  };
  // The channel opens just after the media connection: retry sending until it is open.
  await expect(async () => {
    await say(pa, 'hello from a');
    await expect(pb.locator(`[data-testid=chat] li[data-from="${a}"] .text`).first()).toHaveText('hello from a', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  await say(pb, 'hi a, b here');
  await expect(pa.locator(`[data-testid=chat] li[data-from="${b}"] .text`)).toHaveText('hi a, b here');

  // 300 KB: many 16 KiB chunks; the receiver must rebuild it byte for byte.
  const bytes = randomBytes(300 * 1024);
  const digest = createHash('sha256').update(bytes).digest('hex');
  await pa.locator('.chat input[type=file]').setInputFiles({ name: 'data.bin', mimeType: 'application/octet-stream', buffer: bytes });
  const link = pb.locator('[data-testid=chat] a[data-file="data.bin"]');
  await expect(link).toBeVisible({ timeout: 20_000 });
  const received = await link.evaluate(async (a: HTMLAnchorElement) => {
    const buf = await (await fetch(a.href)).arrayBuffer();
    const hash = await crypto.subtle.digest('SHA-256', buf);
    return { size: buf.byteLength, hex: [...new Uint8Array(hash)].map((x) => x.toString(16).padStart(2, '0')).join('') };
  });
  expect(received.size).toBe(bytes.length);
  expect(received.hex).toBe(digest);
  await expect(pa.locator(`[data-testid=chat] li[data-from="${a}"]`).last()).toContainText('shared data.bin');
});

test('camera and microphone can be switched off and on during a call', async ({ browser }) => {
  const room = unique('toggle');
  const pa = await openPage(browser, 'tog-a');
  await joinAsGuest(pa);
  const pb = await openPage(browser, 'tog-b');
  const b = await joinAsGuest(pb);
  await openRoom(pa, room);
  await openRoom(pb, room);
  await expectConnected(pa, b);
  const videoEnabled = () =>
    pa.evaluate(() => ((document.getElementById('local-video') as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0].enabled);
  const stop = pa.getByRole('button', { name: 'Stop video' });
  await stop.click();
  await expect(pa.getByRole('button', { name: 'Start video' })).toHaveAttribute('aria-pressed', 'true');
  expect(await videoEnabled()).toBe(false);
  await pa.getByRole('button', { name: 'Start video' }).click();
  await expect(stop).toHaveAttribute('aria-pressed', 'false');
  expect(await videoEnabled()).toBe(true);
  await pa.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(pa.getByRole('button', { name: 'Unmute' })).toHaveAttribute('aria-pressed', 'true');
  // The call itself is untouched: nothing was renegotiated.
  await expect(pa.locator(`figure.tile.remote[data-peer="${b}"]`)).toHaveAttribute('data-state', 'connected');
});
