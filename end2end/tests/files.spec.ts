import { expect, type Locator, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test, twoInACall } from './helpers';

test.afterEach(async ({ browser }) => {
  for (const context of browser.contexts()) await context.close();
});

/** The chat line of file `name` on `page`. */
const fileLine = (page: Page, name: string): Locator => page.locator(`[data-testid=chat] li.file[data-file-name="${name}"]`);

/** Waits until the chat channel between the two pages carries messages. */
async function channelOpen(from: Page, to: Page): Promise<void> {
  await expect(async () => {
    await from.locator('.chat input[name=message]').fill('ready?');
    await from.locator('.chat button[type=submit]').click();
    await expect(to.locator('[data-testid=chat] li .text').first()).toHaveText('ready?', { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
}

/** The SHA-256 (hex) of what the page offers behind a received file's link, saved as a person
 *  would (the page's own rules forbid it to fetch its blob URLs, so it is read from the download). */
async function savedDigest(link: Locator): Promise<string> {
  const [download] = await Promise.all([link.page().waitForEvent('download'), link.click()]);
  return createHash('sha256').update(await readFile(await download.path())).digest('hex');
}

/** Chooses files made in the page (large ones cost nothing to pass in), as a person would. */
async function chooseZeroFiles(page: Page, files: { name: string; size: number }[]): Promise<void> {
  await page.evaluate((files) => {
    const input = document.querySelector<HTMLInputElement>('.chat input[type=file]')!;
    const chosen = new DataTransfer();
    for (const f of files) chosen.items.add(new File([new Uint8Array(f.size)], f.name));
    input.files = chosen.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, files);
}

test('two files sent at once arrive whole, verified by SHA-256 on both sides', async ({ browser }) => {
  const { pa, pb, b } = await twoInACall(browser, 'files2');
  await channelOpen(pa, pb);

  const files = [
    { name: 'one.bin', bytes: randomBytes(3 * 1024 * 1024) },
    { name: 'two.bin', bytes: randomBytes(2 * 1024 * 1024 + 77) },
  ];
  await pa.locator('.chat input[type=file]').setInputFiles(
    files.map((f) => ({ name: f.name, mimeType: 'application/octet-stream', buffer: f.bytes })),
  );
  for (const { name, bytes } of files) {
    const digest = createHash('sha256').update(bytes).digest('hex');
    const got = fileLine(pb, name);
    const sent = fileLine(pa, name);
    await expect(got).toHaveAttribute('data-file-state', 'verified', { timeout: 30_000 });
    await expect(got).toHaveAttribute('data-percent', '100');
    await expect(got).toHaveAttribute('data-sha256', digest);
    await expect(got.locator('.badge.ok')).toHaveText('verified');
    // The sender hears that it arrived and matched.
    await expect(sent).toHaveAttribute('data-file-state', 'verified');
    await expect(sent).toHaveAttribute('data-percent', '100');
    await expect(sent).toHaveAttribute('data-sha256', digest);
    await expect(sent).toContainText(`shared ${name}`);
    await expect(sent).toContainText('received and verified');
    // data-sha256 is what each page computed over the bytes it sent or received; the saved
    // file is what the receiving page holds.
    expect(await savedDigest(got.locator(`a[data-file="${name}"]`)), `the bytes ${b}'s page holds for ${name}`).toBe(digest);
  }
});

test('a file cancelled by either side while on its way shows cancelled on both', async ({ browser }) => {
  const { pa, pb } = await twoInACall(browser, 'cancel');
  await channelOpen(pa, pb);

  // Two large files, so both are still on their way when the buttons are pressed.
  const size = 90 * 1024 * 1024;
  await chooseZeroFiles(pa, [
    { name: 'by-sender.bin', size },
    { name: 'by-receiver.bin', size },
  ]);
  for (const name of ['by-sender.bin', 'by-receiver.bin']) {
    await expect(fileLine(pb, name)).toHaveAttribute('data-file-state', 'moving', { timeout: 20_000 });
    await expect(fileLine(pb, name).locator('.pct')).toContainText('of 90.0 MB');
  }
  await fileLine(pa, 'by-sender.bin').getByRole('button', { name: 'Cancel by-sender.bin' }).click();
  await fileLine(pb, 'by-receiver.bin').getByRole('button', { name: 'Cancel by-receiver.bin' }).click();
  for (const page of [pa, pb]) {
    for (const name of ['by-sender.bin', 'by-receiver.bin']) {
      await expect(fileLine(page, name)).toHaveAttribute('data-file-state', 'cancelled', { timeout: 20_000 });
      await expect(fileLine(page, name)).toContainText('cancelled');
      await expect(fileLine(page, name).getByRole('button')).toHaveCount(0);
    }
  }
  await expect(pb.locator('[data-testid=chat] a[data-file]')).toHaveCount(0);

  // Cancelled files give their places back: another one still arrives.
  await pa.locator('.chat input[type=file]').setInputFiles({ name: 'after.txt', mimeType: 'text/plain', buffer: Buffer.from('still here') });
  await expect(fileLine(pb, 'after.txt')).toHaveAttribute('data-file-state', 'verified');
});
