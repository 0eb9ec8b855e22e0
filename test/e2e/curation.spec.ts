import { expect, test } from './support/fixtures.ts';

test('an analyst marks a verdict with a key, tags a pair, filters by both, tags every match at once, and undoes', async ({ workbench, page }) => {
  await workbench.rows().first().click();
  await page.keyboard.press('Enter');
  const detail = workbench.detail();
  await expect(detail.getByRole('radiogroup', { name: 'Verdict' })).toBeVisible();
  await page.keyboard.press('2');
  await expect(detail.getByRole('radio', { name: /actually consistent/ })).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('t');
  await page.keyboard.type('hard case');
  await page.keyboard.press('Enter');
  await expect(detail.getByRole('button', { name: 'Remove tag hard case' })).toBeVisible();
  await expect(workbench.rows().first()).toContainText('actually consistent');
  await expect(workbench.rows().first()).toContainText('hard case');

  await workbench.chooseFacet('Verdict', 'actually consistent');
  await expect(workbench.total()).toHaveText('1 pair');
  await workbench.chooseFacet('Verdict', 'none yet');
  await expect(workbench.total()).toHaveText('11 pairs');

  // Every pair without a verdict gets a tag in one edit, once confirmed; undo takes it off again.
  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.accept();
  });
  await page.getByRole('textbox', { name: 'Tag all' }).fill('to review');
  await page.keyboard.press('Enter');
  await expect.poll(() => asked).toEqual(['Tag "to review" on 11 pairs (every pair the filters match)?']);
  await expect(page.getByRole('button', { name: 'Undo: tag to review on 11 pairs' })).toBeVisible();
  await workbench.chooseFacet('Verdict', 'none yet');
  await workbench.chooseFacet('Tag', 'to review');
  await expect(workbench.total()).toHaveText('11 pairs');
  await page.getByRole('listbox', { name: 'Pairs' }).focus();
  await page.keyboard.press('Control+z');
  await expect(workbench.total()).toHaveText('0 pairs');
  await expect(page.getByRole('button', { name: /Undo: verdict consistent|Undo: tag hard case/ })).toBeVisible();
  expect(page.url()).toContain('tag=to+review');
});

test('pairs marked with x (or their box) take an edit together, and only they do', async ({ workbench, page }) => {
  await workbench.rows().first().click();
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await workbench.rows().nth(3).getByRole('checkbox').check();
  const bar = page.getByRole('toolbar', { name: 'Edit several pairs' });
  await expect(bar).toContainText('3 marked');
  await bar.getByRole('combobox', { name: 'Verdict for several pairs' }).selectOption('ambiguous');
  page.once('dialog', (d) => void d.accept());
  await bar.getByRole('button', { name: 'Set verdict on 3 pairs' }).click();
  await expect(page.getByRole('button', { name: /^Undo: verdict ambiguous on 3 pairs/ })).toBeVisible();
  await workbench.chooseFacet('Verdict', 'ambiguous');
  await expect(workbench.total()).toHaveText('3 pairs');
  await expect(workbench.rows()).toHaveCount(3);
});

test('a bulk verdict needs its Apply button and a confirmation; arrow keys in the select change nothing', async ({ workbench, page }) => {
  const bar = page.getByRole('toolbar', { name: 'Edit several pairs' });
  const select = bar.getByRole('combobox', { name: 'Verdict for several pairs' });
  await select.focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('button', { name: 'Nothing to undo' })).toBeVisible();
  await workbench.chooseFacet('Verdict', 'none yet');
  await expect(workbench.total()).toHaveText('12 pairs');

  // Declining the confirmation changes nothing either.
  await select.selectOption('unsolvable');
  const apply = bar.getByRole('button', { name: 'Set verdict on 12 pairs' });
  page.once('dialog', (d) => void d.dismiss());
  await apply.click();
  await expect(page.getByRole('button', { name: 'Nothing to undo' })).toBeVisible();
  page.once('dialog', (d) => void d.accept());
  await apply.click();
  await expect(workbench.total()).toHaveText('0 pairs');
  await expect(page.getByRole('button', { name: /^Undo: verdict unsolvable on 12 pairs/ })).toBeVisible();
});

test('while a dialog is open, keys act in it only; Esc closes it', async ({ workbench, page }) => {
  await workbench.rows().first().click();
  await expect(workbench.selected()).toHaveCount(1);
  // The pair, its verdict and its mark (not the whole row's text: an image's placeholder may still
  // say "loading…" and then why the image is missing).
  const pairId = await workbench.selected().getAttribute('data-pair-id');
  await expect(workbench.selected().locator('.verdict-badge')).toHaveCount(0);
  await expect(workbench.selected().getByRole('checkbox')).not.toBeChecked();
  await page.getByRole('button', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  await page.locator('body').press('2');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  for (let i = 0; i < 30; i++) await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(workbench.selected()).toHaveAttribute('data-pair-id', pairId!);
  await expect(workbench.selected().locator('.verdict-badge')).toHaveCount(0);
  await expect(workbench.selected().getByRole('checkbox')).not.toBeChecked();
  await expect(page.getByRole('button', { name: 'Nothing to undo' })).toBeVisible();
  await expect(page.getByRole('toolbar', { name: 'Edit several pairs' })).toContainText('All 12 pairs matching');
});

test('marks are cleared when the filters change, so an edit never reaches a pair out of view', async ({ workbench, page }) => {
  await workbench.rows().first().click();
  await page.keyboard.press('x');
  const bar = page.getByRole('toolbar', { name: 'Edit several pairs' });
  await expect(bar).toContainText('1 marked');
  await workbench.search().fill('nairobi');
  await expect(workbench.total()).toHaveText('2 pairs');
  await expect(bar).toContainText('All 2 pairs matching');
  await expect(bar.getByRole('button', { name: 'clear marks' })).toHaveCount(0);
});

test('Undo offers the last edit right after a reload, before any pair is opened', async ({ workbench, page }) => {
  await workbench.rows().first().click();
  await page.keyboard.press('Enter');
  await page.keyboard.press('3');
  await expect(page.getByRole('button', { name: /^Undo: verdict ambiguous/ })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(workbench.detail()).toBeHidden();
  await page.reload();
  await expect(workbench.total()).toHaveText(/pairs/);
  await expect(page.getByRole('button', { name: /^Undo: verdict ambiguous/ })).toBeVisible();
});
