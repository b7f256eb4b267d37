import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expectConnected, joinAsGuest, openPage, openRoom, twoInACall, unique, test } from './helpers';

/** Clicks a received file's link, as a person saving it would; returns the saved file. */
async function save(link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([link.page().waitForEvent('download'), link.click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

/** Opens `url` in a new tab beside `page`, as "open link in new tab" would: the download it
 *  starts, or how the navigation failed. A page that loads is an error. */
async function openInNewTab(page: Page, url: string): Promise<Download | string> {
  const tab = await page.context().newPage();
  const download = tab.waitForEvent('download');
  const failure = await tab.goto(url).then(
    () => 'loaded as a page',
    (e: Error) => e.message,
  );
  if (/Download is starting/.test(failure)) return await download;
  download.catch(() => {});
  await tab.close();
  return failure;
}

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

test('chat messages and a chunked file go peer to peer over the data channel', async ({ browser }) => {
  const { pa, pb, a, b } = await twoInACall(browser, 'chat');

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
  const received = await save(link);
  expect(received.name).toBe('data.bin');
  expect(received.bytes.length).toBe(bytes.length);
  expect(createHash('sha256').update(received.bytes).digest('hex')).toBe(digest);
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

test('received files are inert downloads that must match their declared size, and the chat keeps its latest lines', async ({ browser }) => {
  const { pa, pb, a, bId } = await twoInACall(browser, 'files');
  const chat = pb.locator('[data-testid=chat]');

  // A page someone shares must not open as a page of this site: it arrives as plain bytes,
  // offered for download under its name.
  // The channel opens just after the media connection: retry a message until it is open.
  await expect(async () => {
    await pa.locator('.chat input[name=message]').fill('ready?');
    await pa.locator('.chat button[type=submit]').click();
    await expect(chat.locator('li .text').first()).toHaveText('ready?', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  const html = '<script>document.title = "ran in the site"</script>';
  await pa.locator('.chat input[type=file]').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from(html) });
  const page = chat.locator('a[data-file="page.html"]');
  await expect(page).toHaveAttribute('download', 'page.html');
  const saved = await save(page);
  expect(saved).toEqual({ name: 'page.html', bytes: Buffer.from(html) });
  const pageUrl = (await page.getAttribute('href'))!;
  const opened = await openInNewTab(pb, pageUrl);
  expect(typeof opened === 'string' ? opened : 'a download', 'the file opened in a tab is downloaded, not shown').toBe('a download');
  expect(await readFile(await (opened as Download).path(), 'utf8')).toBe(html);

  // A peer that lies about its files, on a channel of its own (the receiver takes any channel
  // its peer opens as the chat). Chunks carry their file's 4-byte id in front; `end` gives
  // the digest.
  await pa.evaluate(async (peer) => {
    const pc: RTCPeerConnection = (window as any).__parley.pcs[peer];
    const dc = pc.createDataChannel('chat');
    await new Promise((resolve, reject) => {
      dc.onopen = resolve;
      dc.onerror = reject;
    });
    (window as any).__forged = dc;
    const file = (id: number, name: string, size: number) => dc.send(JSON.stringify({ t: 'file', id, name, mime: 'text/html', size }));
    const chunk = (id: number, bytes: Uint8Array) => {
      const frame = new Uint8Array(4 + bytes.length);
      new DataView(frame.buffer).setUint32(0, id);
      frame.set(bytes, 4);
      dc.send(frame);
    };
    const end = async (id: number, bytes: Uint8Array) => {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      dc.send(JSON.stringify({ t: 'end', id, sha256 }));
    };
    file(1, 'overrun.html', 10);
    chunk(1, new Uint8Array(20));
    file(2, 'huge.bin', 200 * 1024 * 1024);
    chunk(2, new Uint8Array(16));
    file(3, 'cut.bin', 100);
    chunk(3, new Uint8Array(50));
    await end(3, new Uint8Array(50));
    file(4, 'bad.bin', 3);
    chunk(4, new Uint8Array([1, 2, 3]));
    await end(4, new Uint8Array([1, 2, 4]));
    dc.send(JSON.stringify({ t: 'file', name: 'no-id.bin', size: 1 }));
    file(5, '../../ok.txt', 3);
    chunk(5, new Uint8Array([104, 105, 33]));
    await end(5, new Uint8Array([104, 105, 33]));
  }, bId);
  const ok = chat.locator('a[data-file="ok.txt"]');
  await expect(ok).toBeVisible();
  // The channel is ordered: everything sent before ok.txt has been handled.
  await expect(chat.locator(`li.notice[data-from="${a}"]`)).toHaveText([
    /overrun\.html was not received: more data arrived than it announced/,
    /huge\.bin was not received: it is larger than 100 MB/,
    /cut\.bin was not received: it stopped before the whole file arrived/,
    /bad\.bin was not received: it doesn't match what was sent \(the checksum differs\), so it was discarded/,
    /no-id\.bin was not received: it was announced in a form this page doesn't understand/,
  ]);
  await expect(chat.locator('li[data-file-name="ok.txt"]')).toHaveAttribute('data-file-state', 'verified');
  await expect(chat.locator('a[data-file]')).toHaveCount(2);
  expect(await save(ok)).toEqual({ name: 'ok.txt', bytes: Buffer.from('hi!') });

  // A flood of messages: the chat keeps the latest 200 lines, and the files of the lines it
  // dropped are freed.
  await pa.evaluate(() => {
    const dc: RTCDataChannel = (window as any).__forged;
    for (let i = 1; i <= 205; i++) dc.send(JSON.stringify({ t: 'msg', text: `flood ${i}` }));
  });
  await expect(chat.locator('li .text').last()).toHaveText('flood 205');
  await expect(chat.locator('li')).toHaveCount(200);
  await expect(chat.locator('a[data-file="page.html"]')).toHaveCount(0);
  const reopened = await openInNewTab(pb, pageUrl);
  expect(typeof reopened === 'string' ? reopened : 'a download', 'the dropped file is freed').toMatch(/ERR_FILE_NOT_FOUND/);
});
