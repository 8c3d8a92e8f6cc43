// Open data and the agreement register, in real Chromium on both databases: a visitor opens
// 岸和田市's agreement register (published agreements, the dormant one marked in words),
// filters it by form, follows 「オープンデータの説明」 to the page listing the files (licence,
// formats, the column tables, the feeds), and downloads the partnerships CSV, which answers as
// an attachment starting with the BOM and the standard's first columns. The national page too.
// Each page is checked with axe at 1280 px and for sideways scrolling at 375 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';

const TENANT = '272027';

for (const backend of BACKENDS) {
  describe(`open data on ${backend}`, { timeout: 300_000 }, () => {
    let srv;
    let browser;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const check = (page, problems, label) => checkPage(page, problems, label, `${backend}-opendata-`);

    test('the register, the open-data pages and the CSV download', async () => {
      const problems = [];
      const context = await newContext(browser, { viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const reg = await page.goto(srv.at(`/t/${TENANT}/agreements`));
        assert.equal(reg.status(), 200);
        assert.match(await page.locator('h1').innerText(), /協定一覧/);
        const rows = page.locator('main table tbody tr');
        assert.ok((await rows.count()) >= 1, 'the demo has published agreements');
        // Dates carry their ISO day; links go to the case pages.
        assert.ok((await page.locator('main table time[datetime]').count()) >= 1);
        assert.ok((await page.locator(`main table a[href^="/t/${TENANT}/cases/"]`).count()) >= 1);
        assert.equal(
          await page.locator('link[rel="alternate"][type="application/atom+xml"]').count(),
          1,
        );
        await check(page, problems, 'register');

        // Filter by form with the form's own controls.
        await page.selectOption('#form', 'comprehensive');
        await Promise.all([page.waitForNavigation(), page.locator('main form.filters button[type=submit]').click()]);
        assert.match(page.url(), /form=comprehensive/);
        await check(page, problems, 'register-filtered');

        // The page listing the files.
        await page.goto(srv.at(`/t/${TENANT}/agreements`));
        await Promise.all([
          page.waitForNavigation(),
          page.locator(`main a[href="/t/${TENANT}/opendata"]`).first().click(),
        ]);
        assert.match(await page.locator('h1').innerText(), /オープンデータ/);
        const text = await page.locator('main').innerText();
        assert.match(text, /CC BY 4\.0/);
        assert.match(text, /全国地方公共団体コード/);
        assert.match(text, /相手方法人番号/);
        assert.equal(
          await page.locator('link[rel="alternate"][type="application/atom+xml"]').count(),
          2,
        );
        await check(page, problems, 'tenant-opendata');

        // The download answers as an attachment with the BOM and the standard's first columns.
        const csv = await page.request.get(srv.at(`/t/${TENANT}/opendata/partnerships.csv`));
        assert.equal(csv.status(), 200);
        assert.match(csv.headers()['content-type'], /^text\/csv; charset=utf-8/);
        assert.match(csv.headers()['content-disposition'], /^attachment; filename="272027_partnerships\.csv"/);
        const body = await csv.body();
        assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
        const header = body.subarray(3).toString('utf8').split('\r\n')[0];
        assert.ok(header.startsWith('全国地方公共団体コード,ID,地方公共団体名,名称,種別,相手方名称'), header);
        // The same file by the link on the page (a real download in Chromium).
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.locator(`main a[href="/t/${TENANT}/opendata/partnerships.csv"]`).first().click(),
        ]);
        assert.equal(download.suggestedFilename(), '272027_partnerships.csv');

        const national = await page.goto(srv.at('/opendata'));
        assert.equal(national.status(), 200);
        assert.match(await page.locator('h1').innerText(), /オープンデータ/);
        await check(page, problems, 'national-opendata');

        // English too.
        await page.goto(srv.at(`/t/${TENANT}/agreements?lang=en`));
        assert.match(await page.locator('h1').innerText(), /agreement register/);
        await check(page, problems, 'register-en');
        await page.goto(srv.at(`/t/${TENANT}/agreements?lang=ja`));
      } finally {
        await context.close();
      }
      noProblems(problems);
    });
  });
}
