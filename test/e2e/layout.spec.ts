import type { Locator } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';

test.use({ viewport: { width: 1024, height: 700 } });

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  expect(b, 'laid out').not.toBeNull();
  return b!;
}

/** True when `inner` lies wholly inside `outer` (a pixel of rounding allowed). */
async function inside(inner: Locator, outer: Locator): Promise<boolean> {
  const [i, o] = [await box(inner), await box(outer)];
  return i.x >= o.x - 1 && i.y >= o.y - 1 && i.x + i.width <= o.x + o.width + 1 && i.y + i.height <= o.y + o.height + 1;
}

test('at 1024×700 with the detail open, the filters stay compact and every row keeps its ids and placeholder text inside it', async ({ workbench, page }) => {
  // The filters and the bulk bar leave most of the screen to the pairs.
  const filters = await box(page.getByRole('search'));
  const bulk = await box(page.getByRole('toolbar', { name: 'Edit several pairs' }));
  expect(filters.height).toBeLessThanOrEqual(0.2 * 700);
  expect(bulk.height, 'the bulk bar is one line').toBeLessThanOrEqual(40);
  await expect(page.getByRole('complementary', { name: 'Filters' }).getByText('with a note', { exact: true })).toBeVisible();

  // A pair with many tags, the detail open beside the list.
  const first = workbench.rows().first();
  await first.click();
  await page.keyboard.press('Enter');
  await expect(workbench.detail().getByRole('radiogroup', { name: 'Verdict' })).toBeVisible();
  await page.keyboard.press('t');
  for (const tag of ['needs a second look', 'protest', 'crowd', 'weather', 'night', 'signage']) {
    // The tag box keeps the focus for the next tag.
    await page.keyboard.type(tag);
    await page.keyboard.press('Enter');
    await expect(workbench.detail().getByRole('button', { name: `Remove tag ${tag}` })).toBeVisible();
  }
  await expect(first).toContainText('signage');
  expect(await inside(first.getByText('caption 100 · image 118'), first), 'the ids stay inside their row').toBe(true);
  const placeholder = first.getByRole('img', { name: /^Falsified image unavailable/ });
  expect(await inside(placeholder.locator('.placeholder-text'), placeholder), 'the reason stays inside its box').toBe(true);
  await expect(first).toContainText('file similarity 0.500');

  const article = workbench.detail().getByRole('button', { name: 'Load article text' });
  expect(await article.evaluate((b) => getComputedStyle(b).backgroundColor), 'a styled button, not the browser default').not.toBe('rgb(239, 239, 239)');

  // The header keeps every view's tab and the dataset's counts on screen.
  const header = page.getByRole('banner');
  expect(await header.evaluate((h) => h.scrollWidth - h.clientWidth), 'nothing runs off the header').toBeLessThanOrEqual(0);
  for (const view of ['Overview', 'Pairs', 'Items', 'Candidates', 'Investigate', 'Evaluation', 'Models', 'Dataset', 'Jobs']) {
    expect(await inside(header.getByRole('button', { name: view, exact: true }), header), `the ${view} tab`).toBe(true);
  }
  const counts = header.getByText(/^\d+ items · \d+ pairs$/);
  expect(await inside(counts, header), 'the counts').toBe(true);
  expect(await counts.evaluate((c) => c.scrollWidth - c.clientWidth), 'the counts are not cut short').toBeLessThanOrEqual(0);
});
