import type { Locator } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';

// Scene / ResNet Place train: 360 pairs, more than three pages of 100.
test.use({ largeCorpus: true, viewport: { width: 1400, height: 900 } });
const LARGE = '&split=scene_resnet_place&subset=train';

/** Tiles wholly inside the list's visible box. */
async function fullyVisible(list: Locator, tiles: Locator): Promise<number> {
  const box = (await list.boundingBox())!;
  let n = 0;
  for (const tile of await tiles.all()) {
    const b = await tile.boundingBox();
    if (b && b.y >= box.y - 1 && b.y + b.height <= box.y + box.height + 1 && b.x >= box.x - 1 && b.x + b.width <= box.x + box.width + 1) n++;
  }
  return n;
}

test('the grid shows at least 24 pairs a screen, keeps its layout in the address, moves by row with the arrows and pages to the end', async ({ workbench, page, served }) => {
  await page.goto(`${served.url}${LARGE}`);
  await expect(workbench.total()).toHaveText('360 pairs');
  await page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'Grid' }).click();
  await expect(page).toHaveURL(/layout=grid/);
  const list = page.getByRole('listbox', { name: 'Pairs' });
  await expect(workbench.rows().first()).toBeVisible();
  expect(await fullyVisible(list, workbench.rows())).toBeGreaterThanOrEqual(24);

  const columns = Number(await list.getAttribute('data-columns'));
  expect(columns).toBeGreaterThanOrEqual(6);
  await workbench.rows().first().click();
  await page.keyboard.press('ArrowRight');
  await expect(workbench.rows().nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(workbench.rows().nth(1 + columns)).toHaveAttribute('aria-selected', 'true');

  // Reloaded, the address brings the grid back; scrolling to the end loads every page.
  await page.reload();
  await expect(list).toHaveAttribute('data-columns', String(columns));
  const last = page.getByTestId('pair-row').filter({ hasText: 'district 359' });
  await expect(async () => {
    await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(last).toBeVisible({ timeout: 1000 });
  }).toPass();

  await page.getByRole('group', { name: 'Layout' }).getByRole('button', { name: 'Compact' }).click();
  await expect(page).toHaveURL(/layout=compact/);
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(workbench.rows().first()).toContainText('district 0');
  expect(await fullyVisible(list, workbench.rows())).toBeGreaterThanOrEqual(12);
});

test('the sidebar counts each value under the other filters, and a value clicked filters to exactly its count', async ({ workbench, page, served }) => {
  await page.goto(`${served.url}${LARGE}`);
  await expect(workbench.total()).toHaveText('360 pairs');
  for (const source of ['bbc', 'guardian', 'usa_today']) await expect(workbench.facetValue('Source', source)).toHaveAccessibleName(`${source}, 120 pairs`);

  await workbench.chooseFacet('Source', 'bbc');
  await expect(workbench.total()).toHaveText('120 pairs');
  // The source's own counts stay (choosing another would give those), the topics follow the source.
  await expect(workbench.facetValue('Source', 'guardian')).toHaveAccessibleName('guardian, 120 pairs');
  const topics = workbench.facet('Topic').getByRole('button', { name: /, \d+ pairs?$/ });
  // The counts come after the rows: read them once they are the source's, not the earlier ones.
  await expect(page.getByRole('complementary', { name: 'Filters' })).toHaveAttribute('aria-busy', 'false');
  await expect(topics).toHaveCount(5);
  const counts = (await topics.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')!))).map((name) => Number(/, (\d+) pairs?$/.exec(name)![1]));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(120);
  const sport = Number(/, (\d+) pairs?$/.exec((await workbench.facetValue('Topic', 'sport').getAttribute('aria-label'))!)![1]);
  await workbench.chooseFacet('Topic', 'sport');
  await expect(workbench.total()).toHaveText(`${sport} pairs`);
  await expect(page).toHaveURL(/source=bbc.*topic=sport|topic=sport.*source=bbc/);
  // Clicked again, a value clears its filter.
  await workbench.chooseFacet('Source', 'bbc');
  await expect(workbench.total()).toHaveText('72 pairs');
});

test('brushing the falsified histogram filters to that score range; the pristine one moves the range to pristine scores', async ({ workbench, page, served }) => {
  await page.goto(`${served.url}${LARGE}`);
  await expect(workbench.total()).toHaveText('360 pairs');
  const chart = page.getByRole('img', { name: /^falsified: 360 pairs by file similarity/ });
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page).toHaveURL(/min=0&max=0\.\d+/);
  const max = Number(new URL(page.url()).searchParams.get('max'));
  expect(max).toBeGreaterThan(0.2);
  expect(max).toBeLessThan(0.4);
  // The total says "…" while the range's pairs are asked for: read it once it is a number again.
  await expect(workbench.total()).not.toHaveText('360 pairs');
  await expect(workbench.total()).toHaveText(/^\d+ pairs?$/);
  const total = Number((await workbench.total().textContent())!.split(' ')[0]);
  expect(total).toBeGreaterThan(0);
  expect(total).toBeLessThan(360);
  await expect(page.getByRole('spinbutton', { name: 'Minimum score' })).toHaveValue('0');
  for (const row of (await workbench.rows().all()).slice(0, 5)) {
    const falsified = Number(/file similarity (\d\.\d+)/.exec((await row.locator('figcaption').nth(1).textContent())!)![1]);
    expect(falsified).toBeLessThanOrEqual(max);
  }

  // The histograms are drawn again when the counts for the new range come (after the rows): brush once they have.
  await expect(page.getByRole('complementary', { name: 'Filters' })).toHaveAttribute('aria-busy', 'false');
  const pristine = page.getByRole('img', { name: /^pristine: / });
  const p = (await pristine.boundingBox())!;
  await page.mouse.move(p.x + p.width * 0.6, p.y + p.height / 2);
  await page.mouse.down();
  await page.mouse.move(p.x + p.width - 1, p.y + p.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page).toHaveURL(/label=pristine/);
  await expect(workbench.rows().first().getByRole('img', { name: /^Falsified image/ })).toHaveCount(0);
});

test('the pair detail is resized by dragging or with the arrow keys, and keeps its width', async ({ workbench, page, served }) => {
  await page.goto(`${served.url}${LARGE}`);
  await workbench.rows().first().click();
  await page.keyboard.press('Enter');
  await expect(workbench.detail()).toBeVisible();
  const before = (await workbench.detail().boundingBox())!.width;
  const splitter = page.getByRole('separator', { name: 'Resize the pair detail' });
  await splitter.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Math.round((await workbench.detail().boundingBox())!.width - before)).toBe(48);
  await page.reload();
  await expect(workbench.detail()).toBeVisible();
  await expect.poll(async () => Math.round((await workbench.detail().boundingBox())!.width - before)).toBe(48);
});

test('a fling shows each pair as its caption alone until it stops, then the full rows where it stopped; a single jump shows full rows at once', async ({ workbench, page, served }) => {
  await page.goto(`${served.url}${LARGE}`);
  await expect(workbench.total()).toHaveText('360 pairs');
  const list = page.getByRole('listbox', { name: 'Pairs' });
  await expect(workbench.rows().first()).toBeVisible();
  // Counts the caption-only rows ever put in the list.
  await list.evaluate((el) => {
    const seen = { skeletons: 0 };
    (window as unknown as { seen: typeof seen }).seen = seen;
    new MutationObserver((records) => {
      for (const r of records) for (const n of Array.from(r.addedNodes)) if (n instanceof Element && (n.matches('.pair-skeleton') || n.querySelector('.pair-skeleton'))) seen.skeletons++;
    }).observe(el, { childList: true, subtree: true });
  });
  const skeletons = (): Promise<number> => page.evaluate(() => (window as unknown as { seen: { skeletons: number } }).seen.skeletons);
  const rowAt = (index: number): Locator => workbench.rows().filter({ hasText: new RegExp(`district ${index}(?!\\d)`) });

  // One jump, 60 rows down: full rows there, no caption-only rows on the way.
  await list.evaluate((el) => el.scrollTo({ top: 60 * 132 }));
  await expect(rowAt(60)).toBeVisible();
  await expect(rowAt(60).getByRole('img', { name: /^Pristine image/ })).toBeVisible();
  expect(await skeletons()).toBe(0);

  // A fling: jumps of 60 rows, back and forth, one a frame, until the rows show as captions.
  const flung = await list.evaluate(
    (el) =>
      new Promise<boolean>((resolve) => {
        let frame = 0;
        const step = (): void => {
          if (el.querySelector('.pair-skeleton')) return resolve(true);
          if (++frame > 120) return resolve(false);
          el.scrollTop = (frame % 2 === 0 ? 20 : 80) * 132;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      }),
  );
  expect(flung).toBe(true);
  expect(await skeletons()).toBeGreaterThan(0);
  // Once it has stopped: full rows where it stopped, with their images and their mark boxes.
  const stoppedAt = Math.floor((await list.evaluate((el) => el.scrollTop)) / 132);
  await expect(list.locator('.pair-skeleton')).toHaveCount(0);
  await expect(rowAt(stoppedAt)).toBeVisible();
  await expect(rowAt(stoppedAt).getByRole('checkbox', { name: /^Mark pair/ })).toBeVisible();
});
