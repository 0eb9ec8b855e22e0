import { expect, test, WorkbenchPage } from './support/fixtures.ts';

test('opens on the first page of pairs; switching split and subset changes them, and Back goes back', async ({ workbench, page }) => {
  await expect(workbench.split()).toHaveValue('merged_balanced');
  await expect(workbench.total()).toHaveText('12 pairs');
  await expect(workbench.rows().first()).toContainText('Protesters gather in Lisbon square number 0');

  await workbench.subset().selectOption('val');
  await expect(workbench.total()).toHaveText('4 pairs');
  await expect(workbench.rows().first()).toContainText('square number 12');

  await workbench.split().selectOption({ label: 'Semantics / CLIP Text-Text' });
  await expect(workbench.total()).toHaveText('5 pairs');
  await expect(workbench.subset()).toHaveValue('val');
  await expect(page).toHaveURL(/split=semantics_clip_text_text&subset=val/);

  await page.goBack();
  await expect(workbench.split()).toHaveValue('merged_balanced');
  await expect(workbench.total()).toHaveText('4 pairs');
});

test('searching captions keeps only the matches and marks the words found', async ({ workbench, page }) => {
  await page.keyboard.press('/');
  await expect(workbench.search()).toBeFocused();
  await page.keyboard.type('nairob');
  await expect(workbench.total()).toHaveText('2 pairs');
  await expect(workbench.rows()).toHaveCount(2);
  await expect(workbench.rows().first().locator('mark')).toHaveText('Nairobi');
  await page.keyboard.press('Escape');
  await expect(workbench.search()).toHaveValue('nairob');
  await expect(page).toHaveURL(/q=nairob/);
});

test('no typed character is lost when the search commits while typing goes on', async ({ workbench, page }) => {
  // What a busy machine does by chance, made to happen every time: the search box commits "nai",
  // "r" arrives before the page has rendered that commit, and "o" right after the render.
  await page.evaluate(() => {
    const original = window.setTimeout.bind(window);
    const key = (box: HTMLInputElement, char: string): void => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(box, box.value + char);
      box.dispatchEvent(new Event('input', { bubbles: true }));
    };
    window.setTimeout = ((callback: () => void, ms?: number) =>
      original(() => {
        callback();
        const box = document.querySelector<HTMLInputElement>('input[aria-label="Search captions"]');
        if (box?.value !== 'nai') return;
        key(box, 'r');
        original(() => key(box, 'o'), 20);
      }, ms)) as typeof window.setTimeout;
  });
  await workbench.search().focus();
  await page.keyboard.type('nai');
  await expect(workbench.search()).toHaveValue('nairo');
  await page.keyboard.type('b');
  await expect(workbench.search()).toHaveValue('nairob');
  await expect(page).toHaveURL(/q=nairob/);
  await expect(workbench.total()).toHaveText('2 pairs');
  await expect(workbench.rows()).toHaveCount(2);
});

test('Back and Forward still set the search box (a change from outside)', async ({ workbench, page }) => {
  await workbench.search().fill('nairobi');
  await expect(workbench.total()).toHaveText('2 pairs');
  await workbench.chooseFacet('Source', 'bbc');
  await workbench.search().fill('');
  await expect(page).not.toHaveURL(/q=/);
  await page.goBack();
  await expect(workbench.search()).toHaveValue('nairobi');
  await expect(workbench.total()).toHaveText('2 pairs');
});

test('filtering by source shows only that source', async ({ workbench }) => {
  await workbench.chooseFacet('Source', 'bbc');
  await expect(workbench.total()).toHaveText('3 pairs');
  for (const row of await workbench.rows().all()) await expect(row).toContainText('bbc');
  // All three come from the Scene sub-split of Merged / Balanced: none from the other.
  await expect(workbench.facetValue('Sub-split', 'Scene / ResNet Place')).toHaveAccessibleName('Scene / ResNet Place, 3 pairs');
  await expect(workbench.facetValue('Sub-split', 'Semantics / CLIP Text-Text')).toHaveAccessibleName('Semantics / CLIP Text-Text, 0 pairs');
  await workbench.chooseFacet('Sub-split', 'Scene / ResNet Place');
  await expect(workbench.total()).toHaveText('3 pairs');
  await workbench.chooseFacet('Sub-split', 'Semantics / CLIP Text-Text');
  await expect(workbench.total()).toHaveText('0 pairs');
  await expect(workbench.page.getByText('No pairs match')).toBeVisible();
});

test('a word inside a Chinese caption is found and marked, though Chinese puts no spaces between words', async ({ workbench }) => {
  await workbench.search().fill('北京');
  await expect(workbench.total()).toHaveText('1 pair');
  await expect(workbench.rows()).toHaveCount(1);
  await expect(workbench.rows().first().locator('mark')).toHaveText('北京');
});

test('the label filter shows one image per caption', async ({ workbench }) => {
  await workbench.chooseFacet('Label', 'falsified');
  await expect(workbench.page).toHaveURL(/label=falsified/);
  await expect(workbench.rows().first().getByRole('img', { name: /^Falsified image/ })).toBeVisible();
  await expect(workbench.rows().first().getByRole('img', { name: /^Pristine image/ })).toHaveCount(0);
  await expect(workbench.total()).toHaveText('12 pairs');
});

test('j and k move the selection; Enter opens the pair with the swapped image\'s own caption; Esc closes it', async ({ workbench, page }) => {
  await expect(workbench.total()).toHaveText('12 pairs');
  await page.keyboard.press('j');
  await expect(workbench.selected()).toContainText('square number 0');
  await page.keyboard.press('j');
  await page.keyboard.press('ArrowDown');
  await expect(workbench.selected()).toContainText('square number 2');
  await page.keyboard.press('k');
  await expect(workbench.selected()).toContainText('square number 1');

  await page.keyboard.press('Enter');
  await expect(workbench.detail()).toBeVisible();
  await expect(workbench.detail().getByTestId('original-caption')).toHaveText('Protesters gather in Nairobi square number 19');
  await expect(workbench.detail().getByRole('img', { name: /^Pristine image: Protesters gather in Nairobi square number 1/ })).toBeVisible();
  await expect(page).toHaveURL(/open=1/);
  await workbench.detail().getByRole('button', { name: 'Load article text' }).click();
  await expect(workbench.detail()).toContainText('the article file is missing');

  await page.keyboard.press('Escape');
  await expect(workbench.detail()).toBeHidden();
});

test('a missing or corrupt image shows a placeholder that says why', async ({ workbench }) => {
  const first = workbench.rows().first();
  await expect(first.getByRole('img', { name: /^Pristine image: / })).toBeVisible();
  await expect(first.getByRole('img', { name: /^Falsified image unavailable: missing: file not found/ })).toBeVisible();
  await expect(workbench.rows().nth(1).getByRole('img', { name: /^Falsified image unavailable: corrupt: truncated JPEG/ })).toBeVisible();
});

test('a shared address restores the split, the filters and the open pair', async ({ workbench, page, served }) => {
  await workbench.chooseFacet('Source', 'bbc');
  await expect(workbench.total()).toHaveText('3 pairs');
  await page.keyboard.press('Escape'); // leave the filter control, as a keyboard user does
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await expect(workbench.detail()).toBeVisible();
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(new WorkbenchPage(other).facetValue('Source', 'bbc')).toHaveAttribute('aria-pressed', 'true');
  await expect(other.getByRole('complementary', { name: 'Pair detail' })).toContainText('square number 1');
  expect(shared.startsWith(served.origin)).toBe(true);
  expect(shared).not.toContain('token=');
});

test('without the token from `ooc serve` nothing is shown', async ({ browser, served }) => {
  const stranger = await browser.newContext();
  const page = await stranger.newPage();
  const response = await page.goto(served.origin);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('open the address printed by `ooc serve`');
  await stranger.close();
});
