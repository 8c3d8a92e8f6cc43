// The public case library (連携事例) in real Chromium, on both databases: a visitor searches
// 防災 on the national page, finds a case of another local government than 岸和田市, narrows
// by a facet link (no JavaScript needed), opens the case, sees its accountability record,
// beneficiaries' voice and the same partner's case in another local government, then follows
// links to that local government's open-data page and downloads its partnerships CSV (BOM,
// CRLF, the documented columns, a row for the case just seen); the tenant's own library and
// the empty result are shown too.
//
// Every page state is checked with axe at 1280 and 375 px (lib/check.mjs).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';

const TENANT = '272027';
const KAWASAKI = '141305';

async function text(page) {
  return page.locator('body').innerText();
}

/**
 * RFC 4180 records of a CSV text; every record must end with CRLF (a bare CR or LF outside
 * quotes fails), quoted fields may hold commas, quotes ("") and line breaks.
 */
function parseCsv(text) {
  const records = [];
  let record = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' || c === '\n') {
      assert.equal(text.slice(i, i + 2), '\r\n', `a line ends without CRLF at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i += 1;
    }
  }
  assert.ok(!quoted, 'an unclosed quote');
  assert.equal(field, '', 'the last record ends with CRLF');
  assert.equal(record.length, 0, 'the last record ends with CRLF');
  return records;
}

for (const backend of BACKENDS) {
  describe(`case library on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;
    let context;

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
      context = await newContext(browser);
    });

    after(async () => {
      try {
        await context?.close().catch(() => {});
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    const axe = (page, problems, label) => checkPage(page, problems, label, `${backend}-cases-`);

    test('search 防災 nationwide, narrow, open another local government’s case', async () => {
      const problems = [];
      const page = await context.newPage();
      let resp = await page.goto(srv.at('/cases'));
      assert.equal(resp?.status(), 200);
      await axe(page, problems, 'cases start');
      await page.locator('#cases-q').fill('防災');
      [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator('form[role=search] button[type=submit]').click(),
      ]);
      assert.equal(resp?.status(), 200);
      assert.equal(await page.locator('#cases-q').inputValue(), '防災', 'the query stays in the box');
      const body = await text(page);
      assert.match(body, /神奈川県川崎市/);
      assert.match(body, /大阪府岸和田市/);
      await axe(page, problems, 'cases 防災');

      // A facet link narrows to 川崎市 (a plain link: works without JavaScript).
      const facet = page.locator('#facet-tenant ~ ul a', { hasText: '神奈川県川崎市' }).first();
      [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), facet.click()]);
      assert.equal(resp?.status(), 200);
      assert.match(page.url(), /tenant=141305/);
      const narrowed = await text(page);
      assert.doesNotMatch(narrowed, /大阪府岸和田市\n/);
      await axe(page, problems, 'cases 防災 kawasaki');

      // Open the 物流 case: accountability record, beneficiaries' voice, the same partner.
      const link = page.locator('.case-list a', { hasText: 'だんじり物流' }).first();
      [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
      assert.equal(resp?.status(), 200);
      assert.match(page.url(), /\/t\/141305\/cases\/\d+$/);
      const casePage = await text(page);
      assert.match(casePage, /経緯|どのように/);
      assert.match(casePage, /受益者の声/);
      assert.match(casePage, /同じ相手方の他の自治体での事例/);
      assert.ok(
        (await page.locator(`.case-related a[href^="/t/${TENANT}/cases/"]`).count()) >= 1,
        '岸和田市’s case with the same partner is listed',
      );
      await axe(page, problems, 'case page');

      // From the case, by links only, to 川崎市's open-data page and its partnerships CSV: a real
      // download (UTF-8 with the BOM, CRLF, the documented columns) with a row for this case.
      const caseUrl = new URL(page.url());
      const caseId = caseUrl.pathname.split('/').pop();
      const caseTitle = (await page.locator('main h1').innerText()).trim();
      [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator(`main a[href="/t/${KAWASAKI}"]`).first().click(),
      ]);
      assert.equal(resp?.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/t/${KAWASAKI}`);
      [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator(`main a[href="/t/${KAWASAKI}/opendata"]`).first().click(),
      ]);
      assert.equal(resp?.status(), 200);
      assert.equal(new URL(page.url()).pathname, `/t/${KAWASAKI}/opendata`);
      await axe(page, problems, 'kawasaki opendata');
      // The columns the page documents, in order.
      const documented = (
        await page.locator('#h-cols-p ~ table tbody tr td:first-child').allInnerTexts()
      ).map((t) => t.trim());
      assert.deepEqual(documented.slice(0, 3), ['全国地方公共団体コード', 'ID', '地方公共団体名']);
      assert.ok(documented.length >= 10, documented.join(','));
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator(`main a[href="/t/${KAWASAKI}/opendata/partnerships.csv"]`).first().click(),
      ]);
      assert.equal(download.suggestedFilename(), `${KAWASAKI}_partnerships.csv`);
      const file = await download.path();
      assert.ok(file, `the download failed: ${await download.failure()}`);
      const bytes = await readFile(file);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      const records = parseCsv(bytes.subarray(3).toString('utf8'));
      assert.deepEqual(records[0], documented, 'the header is the documented columns');
      const col = (name) => records[0].indexOf(name);
      const rows = records.slice(1);
      assert.ok(rows.length >= 1);
      for (const r of rows) {
        assert.equal(r.length, documented.length, `a row of ${r.length} cells: ${r.join(',')}`);
        assert.equal(r[col('全国地方公共団体コード')], KAWASAKI);
        assert.equal(r[col('地方公共団体名')], '神奈川県川崎市');
      }
      const seen = rows.filter((r) => r[col('ID')] === caseId);
      assert.equal(seen.length, 1, `one row for case ${caseId}`);
      assert.equal(seen[0][col('名称')], caseTitle);
      assert.match(seen[0][col('名称')], /だんじり物流/);
      assert.ok(
        seen[0][col('URL')].endsWith(`/t/${KAWASAKI}/cases/${caseId}`),
        seen[0][col('URL')],
      );

      // The tenant's own library, and a search that finds nothing.
      resp = await page.goto(srv.at(`/t/${TENANT}/cases`));
      assert.equal(resp?.status(), 200);
      await axe(page, problems, 'tenant cases');
      resp = await page.goto(srv.at('/cases?q=' + encodeURIComponent('見つからない語句です')));
      assert.equal(resp?.status(), 200);
      assert.match(await text(page), /見つかりませんでした/);
      await axe(page, problems, 'cases none');
      noProblems(problems);
    });
  });
}
