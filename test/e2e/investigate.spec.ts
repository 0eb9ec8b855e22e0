import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test } from './support/fixtures.ts';

test.use({ photoCorpus: true });

test('an investigator hashes the corpus, pastes an image, types the claim, reads each part of the evidence, opens the earlier appearance, and finds the case again after a reload', async ({ workbench: _workbench, page, served }) => {
  await page.getByRole('button', { name: 'Investigate' }).click();
  const status = page.getByRole('status').filter({ hasText: 'corpus images have a hash' });
  await expect(status).toContainText('0 of 36 corpus images have a hash');
  await status.getByRole('button', { name: 'Hash the corpus images' }).click();
  // "Hashing the corpus images: …" while the job runs; gone when every image is hashed.
  await expect(page.getByRole('status').filter({ hasText: 'corpus images' })).toBeHidden();

  await page.getByRole('button', { name: 'New case', exact: true }).click();
  await page.getByRole('textbox', { name: 'Case title' }).fill('Valencia floods');
  await page.getByRole('textbox', { name: 'Case title' }).press('Enter');
  const claim = page.getByRole('textbox', { name: 'Claimed caption' });
  await claim.fill('Flooding in Valencia last week');
  await claim.blur();
  await expect(page.getByRole('navigation', { name: 'Cases' }).getByRole('button', { name: /Valencia floods/ })).toBeVisible();

  // The photo of item 105, mirrored and re-encoded, pasted from the clipboard.
  const copy = await sharp(readFileSync(path.join(served.visualnewsDir, 'bbc/images/0000/105.jpg'))).flop().jpeg({ quality: 70 }).toBuffer();
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'pasted.jpg', { type: 'image/jpeg' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true }));
  }, copy.toString('base64'));
  const image = page.getByRole('article', { name: 'Image pasted.jpg' });
  await expect(image).toContainText('JPEG · 120 × 80');
  await expect(image).toContainText('No evidence yet');

  await page.getByRole('button', { name: 'Gather evidence' }).click();
  const earlier = image.getByRole('region', { name: 'Earlier appearances' });
  await expect(earlier).toContainText('1 earlier appearance among 34 hashed corpus images of 36');
  await expect(earlier).toContainText('Tbilisi square number 5');
  await expect(earlier).toContainText('mirrored');
  const file = image.getByRole('region', { name: 'The file itself' });
  await expect(file).toContainText('JPEG · JPEG quality ≈ 70');
  await expect(file).toContainText('No EXIF, XMP or IPTC metadata');
  await expect(file.getByRole('img', { name: 'Error levels of the image' })).toBeVisible();
  const consistency = image.getByRole('region', { name: 'Consistency under tiny-random-clip' });
  await expect(consistency).toContainText('random weights: meaningless');
  await expect(consistency.getByTestId('consistency')).toContainText(/Image–claim similarity -?0\.\d{3}/);
  // The e2e corpus is not embedded: the view says what to do instead of showing neighbours.
  await expect(consistency).toContainText('no image embeddings under tiny-random-clip: run ooc embed to find neighbours');

  // The magnifier: hovering the error levels magnifies the same spot of the image beside them.
  await file.getByRole('img', { name: 'Error levels of the image', exact: true }).hover();
  await expect(file.getByRole('img', { name: 'Error levels of the image, magnified ×4' })).toBeVisible();
  await expect(file.getByRole('img', { name: 'The image, magnified ×4', exact: true })).toBeVisible();
  await page.mouse.move(0, 0);
  await expect(file.getByRole('img', { name: /magnified/ })).toHaveCount(0);

  // Saliency of the new image against the claim, as the pair detail explains corpus pairs.
  const saliency = image.getByRole('region', { name: 'Saliency' });
  await saliency.getByRole('button', { name: 'Explain' }).click();
  const map = saliency.getByRole('figure', { name: 'Saliency of the new image' });
  await expect(map).toContainText(/tiny-random-clip cosine -?0\.\d{4}/);
  await expect(map).toContainText('Flooding');
  await expect(map.locator('img.heat')).toBeVisible();
  await expect(saliency).toContainText('has random weights: these maps mean nothing');

  await earlier.getByRole('button', { name: 'Pin item 105, an earlier appearance' }).click();
  await expect(page.getByRole('region', { name: 'Verdict and notes' }).getByRole('listitem')).toContainText('item:105 item 105, an earlier appearance');
  await page.getByRole('combobox', { name: 'Verdict' }).selectOption('repurposed');

  await earlier.getByRole('button', { name: 'Item 105', exact: true }).click();
  await expect(page).toHaveURL(/view=items.*item=105/);
  await expect(page.getByText('Protesters gather in Tbilisi square number 5').first()).toBeVisible();

  await page.goBack();
  // The report: saved as one HTML file that opens from disk with the network off, images inside.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save report (HTML)' }).click();
  const report = await download;
  expect(report.suggestedFilename()).toBe('Valencia-floods-report.html');
  const saved = path.join(mkdtempSync(path.join(os.tmpdir(), 'ooc-report-')), report.suggestedFilename());
  await report.saveAs(saved);
  const offline = await page.context().newPage();
  await page.context().setOffline(true);
  await offline.goto(pathToFileURL(saved).href);
  await expect(offline.getByRole('heading', { level: 1 })).toHaveText('Valencia floods');
  await expect(offline.getByText('“Flooding in Valencia last week”')).toBeVisible();
  await expect(offline.getByText('Tbilisi square number 5').first()).toBeVisible();
  await expect(offline.getByRole('img', { name: 'occlusion saliency map' })).toBeVisible();
  await expect.poll(() => offline.locator('img').evaluateAll((imgs) => imgs.every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0))).toBe(true);
  await offline.close();
  await page.context().setOffline(false);
  rmSync(path.dirname(saved), { recursive: true, force: true });

  await expect(page).toHaveURL(/view=investigate.*case=\d+/);
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Claimed caption' })).toHaveValue('Flooding in Valencia last week');
  await expect(page.getByRole('combobox', { name: 'Verdict' })).toHaveValue('repurposed');
  await expect(page.getByRole('article', { name: 'Image pasted.jpg' }).getByRole('region', { name: 'Earlier appearances' })).toContainText('Tbilisi square number 5');

  // An image at a web address (a local server standing in for the network), fetched by the workbench.
  const smaller = await sharp(copy).resize(100).jpeg().toBuffer();
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(smaller));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}/news/flood.jpg`;
    await page.getByRole('textbox', { name: 'Image address' }).fill(address);
    await page.getByRole('button', { name: 'Fetch', exact: true }).click();
    await expect(page.getByRole('article', { name: 'Image flood.jpg' })).toContainText(`from ${address}`);
    await expect(page.getByRole('textbox', { name: 'Image address' })).toHaveValue('');
  } finally {
    server.closeAllConnections();
    server.close();
  }

  // A file that is not an image is refused by name, and nothing is added.
  await page.getByLabel('Add images').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not pixels at all') });
  await expect(page.getByRole('alert')).toContainText('notes.jpg is not an image');
  await expect(page.getByRole('article')).toHaveCount(2);
});
