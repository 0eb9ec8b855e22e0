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

  await page.getByRole('combobox', { name: 'Verdict', exact: true }).selectOption('consistent');
  await expect(workbench.total()).toHaveText('1 pairs');
  await page.getByRole('combobox', { name: 'Verdict', exact: true }).selectOption('none');
  await expect(workbench.total()).toHaveText('11 pairs');

  // Every pair without a verdict gets a tag in one edit; undo takes it off again.
  await page.getByRole('textbox', { name: 'Tag all' }).fill('to review');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Undo: tag to review on 11 pairs' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Verdict', exact: true }).selectOption('');
  await page.getByRole('combobox', { name: 'Tag', exact: true }).selectOption('to review');
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
  await bar.getByRole('combobox', { name: 'Set verdict on all' }).selectOption('ambiguous');
  await page.getByRole('combobox', { name: 'Verdict', exact: true }).selectOption('ambiguous');
  await expect(workbench.total()).toHaveText('3 pairs');
  await expect(workbench.rows()).toHaveCount(3);
});
