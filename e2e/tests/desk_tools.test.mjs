// The desk officer's tools in real Chromium on both databases:
//
//   The desk filters the inbox and downloads it as CSV through the link on the page: the file
//   starts with the UTF-8 byte order mark (so Excel reads the Japanese), has the register's
//   columns and one row per proposal the inbox counts. The .xlsx link downloads a ZIP workbook.
//   The print view of a proposal lays out on A4: printed to PDF by Chromium with nothing wider
//   than the printable width, and without the site's navigation or forms.
//
// Each page is checked with axe and for sideways scrolling at 375 px; with
// RENKEI_E2E_SCREENSHOTS=<dir> each is saved as a PNG at 1280 and 375 px (and the PDF).
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SHOTS, checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';
import { LOGOUT_FORM, login } from '../lib/site.mjs';

const TENANT = '272027';
const DESK_EMAIL = 'desk@kishiwada.demo.renkei.jp';
// A4 portrait less the 15 mm margins of the print stylesheet: 180 mm at 96 px per inch.
const A4_PRINTABLE_PX = Math.floor((180 / 25.4) * 96);

/** RFC 4180 rows (quoted fields with "" and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  return rows;
}

for (const backend of BACKENDS) {
  describe(`desk tools on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;
    let context;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
      if (SHOTS) await mkdir(SHOTS, { recursive: true });
    });

    after(async () => {
      try {
        await context?.close().catch(() => {});
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const check = (page, problems, label) => checkPage(page, problems, label, `${backend}-desk-`);

    test('export the filtered inbox, print a proposal on A4', async () => {
      const problems = [];
      context = await newContext(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      const page = await context.newPage();
      const creds = srv.logins.find((l) => l.email === DESK_EMAIL);
      assert.ok(creds, `no demo login printed for ${DESK_EMAIL}`);
      const landed = await login(page, srv, creds);
      assert.ok(landed && landed.status() < 400);
      assert.equal(await page.locator(LOGOUT_FORM).count(), 1);

      // Filter the inbox to every status through the form, then download the CSV.
      await page.goto(srv.at(`/t/${TENANT}/desk/proposals`));
      await page.locator('#f-status').selectOption('all');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('form[role=search] button[type=submit]').click()]);
      const total = Number((await page.locator('main').innerText()).match(/(\d+)件/)?.[1]);
      assert.ok(total > 0, 'the demo inbox is empty');
      await check(page, problems, 'inbox');
      const csvLink = page.locator('a[href*="/desk/export/proposals.csv"]');
      assert.equal(await csvLink.count(), 1, 'no CSV export link');
      assert.match(await csvLink.getAttribute('href'), /status=all/);
      const [csv] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
      assert.match(csv.suggestedFilename(), /^renkei-272027-proposals-\d{8}\.csv$/);
      const bytes = await readFile(await csv.path());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no UTF-8 BOM: Excel would misread the Japanese');
      const rows = parseCsv(bytes.subarray(3).toString('utf8'));
      const header = rows[0];
      for (const col of ['受付番号', '受付日', '件名', '種別', '状態', '団体名', '初回回答期限']) {
        assert.ok(header.includes(col), `no column ${col}: ${header.join(',')}`);
      }
      assert.equal(rows.length - 1, total, 'the CSV does not hold every proposal the inbox counts');
      const title = header.indexOf('件名');
      assert.ok(rows.slice(1).every((r) => r.length === header.length), 'rows of uneven width');
      assert.ok(rows.slice(1).some((r) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(r[title])), 'no Japanese titles');
      if (SHOTS) await writeFile(path.join(SHOTS, `${backend}-inbox.csv`), bytes);

      const [xlsx] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('a[href*="/desk/export/proposals.xlsx"]').click(),
      ]);
      assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
      const book = await readFile(await xlsx.path());
      assert.equal(book.subarray(0, 2).toString('latin1'), 'PK', 'the workbook is not a ZIP container');

      // A proposal's print view.
      await page.locator('table tbody tr a').first().click();
      await page.waitForLoadState('load');
      const printLink = page.locator('a[href$="/print"]');
      assert.equal(await printLink.count(), 1, 'no link to the print view');
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), printLink.click()]);
      assert.ok(await page.locator('table.stamp-boxes').isVisible(), 'no seal boxes');
      await check(page, problems, 'print');

      // As printed: nothing of the site's chrome, and nothing wider than A4's printable width.
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: A4_PRINTABLE_PX, height: 1100 });
      const printed = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        header: getComputedStyle(document.querySelector('.site-header')).display,
        footer: getComputedStyle(document.querySelector('.site-footer')).display,
        forms: [...document.querySelectorAll('form')].filter((f) => getComputedStyle(f).display !== 'none').length,
        wide: [...document.querySelectorAll('main *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((e) => e.tagName + '.' + e.className)
          .slice(0, 5),
      }));
      assert.equal(printed.header, 'none', 'the site header is printed');
      assert.equal(printed.footer, 'none', 'the site footer is printed');
      assert.equal(printed.forms, 0, 'a form is printed');
      assert.ok(printed.scroll <= A4_PRINTABLE_PX, `wider than A4 (${printed.scroll} > ${A4_PRINTABLE_PX} px): ${printed.wide.join(', ')}`);
      assert.deepEqual(printed.wide, []);
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
      assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      assert.ok(pages >= 1 && pages <= 10, `${pages} A4 pages`);
      if (SHOTS) await writeFile(path.join(SHOTS, `${backend}-print.pdf`), pdf);
      await page.emulateMedia({ media: 'screen' });

      noProblems(problems);
    });

    test('the admin writes the desk profile; the desk merges two partners', async () => {
      const problems = [];
      const ctx = await newContext(browser, { viewport: { width: 1280, height: 900 } });
      try {
        const page = await ctx.newPage();
        const admin = srv.logins.find((l) => l.email === 'admin@kishiwada.demo.renkei.jp');
        assert.ok(await login(page, srv, admin));
        await page.goto(srv.at(`/t/${TENANT}/admin`));
        await Promise.all([page.waitForNavigation(), page.locator(`a[href="/t/${TENANT}/admin/profile"]`).first().click()]);
        await check(page, problems, 'profile');
        // A bad field first: the summary lists and links it, what was typed stays.
        await page.locator('#desk_name').fill('試験デスク');
        await page.locator('#hours').evaluate((e) => e.removeAttribute('maxlength'));
        await page.locator('#hours').fill('あ'.repeat(201));
        await page.locator('#description').fill(`${backend}で書いた紹介文です。`);
        await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
        assert.equal(await page.locator('.error-summary a[href="#hours"]').count(), 1, 'the summary does not link the field');
        assert.equal(await page.locator('#description').inputValue(), `${backend}で書いた紹介文です。`);
        await check(page, problems, 'profile-error');
        await page.locator('#hours').fill('平日 9時〜17時');
        await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
        assert.match(await page.locator('[role=status]').innerText(), /保存しました/);
        await page.goto(srv.at(`/t/${TENANT}`));
        assert.match(await page.locator('h1').innerText(), /試験デスク/);
        assert.match(await page.locator('main').innerText(), new RegExp(`${backend}で書いた紹介文です。`));
        await check(page, problems, 'public-desk');

        // The desk merges two partners (the demo's partners) through the confirmation page.
        const desk = await ctx.newPage();
        await ctx.clearCookies();
        const creds = srv.logins.find((l) => l.email === DESK_EMAIL);
        assert.ok(await login(desk, srv, creds));
        await desk.goto(srv.at(`/t/${TENANT}/desk/partners`));
        const hrefs = await desk.locator('main table a[href*="/desk/partners/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        assert.ok(hrefs.length >= 2, 'the demo has fewer than two partners');
        await desk.goto(srv.at(hrefs[0]));
        const before = await desk.locator('main table tbody tr').count();
        await desk.locator('details summary').filter({ hasText: '統合' }).click();
        const other = await desk.locator('#merge_with option').nth(1);
        const otherName = await other.innerText();
        await desk.locator('#merge_with').selectOption(await other.getAttribute('value'));
        await Promise.all([desk.waitForNavigation(), desk.locator('form[action$="/merge"] button[type=submit]').click()]);
        assert.match(await desk.locator('main').innerText(), /元に戻せません/);
        await check(desk, problems, 'merge-confirm');
        await Promise.all([desk.waitForNavigation(), desk.locator('main form button[type=submit]').first().click()]);
        assert.match(await desk.locator('[role=status]').innerText(), /統合しました/);
        const after = await desk.locator('main table tbody tr').count();
        assert.ok(after > before, `the merged partner's proposals did not follow (${before} → ${after})`);
        assert.equal(await desk.locator('#merge_with option').filter({ hasText: otherName }).count(), 0);
      } finally {
        await ctx.close();
      }
      noProblems(problems);
    });
  });
}
