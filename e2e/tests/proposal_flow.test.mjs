// The acceptance flow, in real Chromium, on both databases:
//
//   A proponent submits a proposal with an attachment; the desk records a hearing and
//   routes it to two departments; one answers; the desk declines it with a reason; the
//   proponent sees the reason on the tracking page and in an e-mail that the SMTP server
//   received.
//
// Each backend gets its own server and its own SMTP sink (lib/smtp.mjs); the server sends
// through it (`--smtp-url`, outbox polled every second). Every page visited is checked with
// axe (WCAG 2.0/2.1 A and AA); violations are collected so one run reports them all, and
// each step fails at its end if there were any. Proposals are confidential: the desk page
// is refused to department staff, the admin and another city's desk, and the department
// page to staff of a department the proposal was not routed to.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, freePort, startServer } from '../lib/server.mjs';
import { startSmtp } from '../lib/smtp.mjs';
import { LOGOUT_FORM, hasJapanese, login } from '../lib/site.mjs';

const TENANT = '272027';
const DESK_EMAIL = 'desk@kishiwada.demo.renkei.jp';
const DEPT_EMAIL = 'kikikanri@kishiwada.demo.renkei.jp';
const ADMIN_EMAIL = 'admin@kishiwada.demo.renkei.jp';
const OTHER_DESK_EMAIL = 'desk@kawasaki.demo.renkei.jp';
const ROUTED_TO = ['危機管理課', '環境課'];
const ANSWERED_BY = '危機管理課';
const NOT_ROUTED = '観光振興課';
const DECLINE_REASON = '財政負担が生じる';
const RECEIPT_RE = /\b272027-\d{4}-\d{4}\b/;
const MAIL_TIMEOUT_MS = 30_000;

// A small but valid PDF (one empty page).
function tinyPdf() {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The server's clock starts here (RENKEI_CLOCK, set by lib/server.mjs): Tuesday in Japan. */
const SERVER_TODAY = '2026-11-24';

/** YYYY-MM-DD in Japan on the server's clock, `days` from its today. */
function jstDate(days = 0) {
  const d = new Date(Date.parse(`${SERVER_TODAY}T00:00:00Z`) + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date as the Japanese pages show it: 令和8年12月13日. */
function wareki(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `令和${y - 2018}年${m}月${d}日`;
}

/** Clicks `button` (a locator) and waits for the page load it causes; returns the final response. */
async function submit(page, button) {
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    button.click(),
  ]);
  return resp;
}

async function text(page) {
  return page.locator('body').innerText();
}

/** The <tr> of a routing table whose first cell is `dept`. */
function routingRow(page, dept) {
  return page.locator('table tbody tr').filter({ has: page.locator('td:first-child', { hasText: dept }) });
}

// The sink itself (no Renkei server): a hand-written SMTP session with dot-stuffing, a
// folded subject of base64 and quoted-printable words, and a quoted-printable body.
describe('the SMTP sink (lib/smtp.mjs)', () => {
  test('receives and decodes a message sent over a raw socket', async () => {
    const smtp = await startSmtp();
    try {
      const socket = net.connect(smtp.port, '127.0.0.1');
      socket.setEncoding('utf8');
      let got = '';
      socket.on('data', (d) => { got += d; });
      const expectReply = async (code) => {
        const deadline = Date.now() + 5000;
        for (;;) {
          const lines = got.split('\r\n').filter(Boolean);
          const done = lines.find((l) => /^\d{3} /.test(l));
          if (done) {
            got = '';
            assert.equal(done.slice(0, 3), String(code), `expected ${code}, got ${lines.join(' | ')}`);
            return lines;
          }
          if (Date.now() > deadline) assert.fail(`no reply; got ${JSON.stringify(got)}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const send = (line) => socket.write(`${line}\r\n`);
      await expectReply(220);
      send('EHLO tester');
      const ehlo = await expectReply(250);
      assert.ok(!ehlo.some((l) => /AUTH|STARTTLS/.test(l)), `EHLO advertises ${ehlo}`);
      send('NOOP'); await expectReply(250);
      send('MAIL FROM:<a@example.jp>'); await expectReply(250);
      send('RSET'); await expectReply(250);
      send('RCPT TO:<b@example.jp>'); await expectReply(503);
      send('MAIL FROM:<a@example.jp> BODY=8BITMIME'); await expectReply(250);
      send('RCPT TO:<b@example.jp>'); await expectReply(250);
      send('RCPT TO:<c@example.jp>'); await expectReply(250);
      send('DATA'); await expectReply(354);
      const b64 = (s) => `=?utf-8?b?${Buffer.from(s, 'utf8').toString('base64')}?=`;
      // "受付番号" split inside a character across two base64 words, then a Q word.
      const bytes = Buffer.from('【岸和田市】受付番号', 'utf8');
      const w1 = `=?utf-8?b?${bytes.subarray(0, 7).toString('base64')}?=`;
      const w2 = `=?utf-8?b?${bytes.subarray(7).toString('base64')}?=`;
      socket.write([
        'From: =?utf-8?q?Renkei?= <no-reply@renkei.invalid>',
        'To: b@example.jp',
        `Subject: ${w1}`,
        ` ${w2}`,
        `\t${b64(' 272027-2026-')}=?UTF-8?Q?0001_=E2=80=94_=E4=B8=8D?=`,
        '  =?utf-8?Q?=E6=8E=A1=E6=8A=9E?=',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '=E3=81=93=E3=82=93=E3=81=AB=E3=81=A1=E3=81=AF',
        '..dot-stuffed line',
        'a soft =',
        'break and http://127.0.0.1/t/272027/track/ab=3Dc',
        '.',
        '',
      ].join('\r\n'));
      await expectReply(250);
      send('QUIT'); await expectReply(221);
      const m = await smtp.waitFor((x) => x.to.includes('c@example.jp'), 2000);
      assert.equal(m.from, 'a@example.jp');
      assert.deepEqual(m.to, ['b@example.jp', 'c@example.jp']);
      assert.equal(m.subject, '【岸和田市】受付番号 272027-2026-0001 — 不採択');
      assert.equal(m.headerFrom, 'Renkei <no-reply@renkei.invalid>');
      assert.equal(m.text, 'こんにちは\n.dot-stuffed line\na soft break and http://127.0.0.1/t/272027/track/ab=c');
      socket.destroy();
      await assert.rejects(smtp.waitFor((x) => x.subject === 'never', 50), /no matching mail within 50 ms; 1 received/);
    } finally {
      await smtp.stop();
    }
  });
});

for (const backend of BACKENDS) {
  describe(`proposal flow on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let smtp;
    let browser;
    let tmpDir;
    let pdfPath;
    const contexts = [];
    // Filled in as the flow goes on; later steps need earlier ones.
    const flow = {};
    const uniq = `${backend}-${Date.now().toString(36)}`;
    const proponent = {
      org: `株式会社れんけい試験${uniq}`,
      contact: '試験 花子',
      email: `proponent-${uniq}@example.co.jp`,
      phone: '072-000-0000',
      title: `防災倉庫の備蓄品を循環させる実証実験の提案 ${uniq}`,
      summary: '市内の防災倉庫にある備蓄食品を、期限前に子ども食堂へ回して新しい物と入れ替える仕組みの実証です。',
      details: '倉庫ごとの在庫を週に一度確認し、\n賞味期限が半年以内の品を回収します。',
      effects: '食品ロスの削減と、備蓄の鮮度維持。',
    };

    before(async () => {
      tmpDir = await mkdtemp(path.join(os.tmpdir(), 'renkei-e2e-flow-'));
      pdfPath = path.join(tmpDir, '提案資料.pdf');
      await writeFile(pdfPath, tinyPdf());
      smtp = await startSmtp();
      // --smtp-url as an argument, the poll interval and the public URL through the
      // environment: both ways of configuring are exercised. The public URL must be the
      // server's own address, so the port is chosen here (retried if it was taken meanwhile).
      let lastError;
      for (let attempt = 0; attempt < 3 && !srv; attempt++) {
        const port = await freePort();
        try {
          srv = await startServer(backend, {
            port,
            args: ['--smtp-url', smtp.url],
            env: { RENKEI_MAIL_POLL_SECS: '1', RENKEI_PUBLIC_URL: `http://127.0.0.1:${port}` },
          });
        } catch (e) {
          lastError = e;
          if (!/cannot listen|address already in use/i.test(e.message)) throw e;
        }
      }
      if (!srv) throw lastError;
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        for (const c of contexts) await c.close().catch(() => {});
        await browser?.close();
      } finally {
        try {
          await srv?.stop();
        } finally {
          await smtp?.stop();
          if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
        }
      }
    });

    async function freshPage() {
      const context = await newContext(browser);
      contexts.push(context);
      return context.newPage();
    }

    async function signedIn(email) {
      const creds = srv.logins.find((l) => l.email === email);
      assert.ok(creds, `no demo login printed for ${email}: ${srv.logins.map((l) => l.email).join(', ')}`);
      const page = await freshPage();
      const resp = await login(page, srv, creds);
      assert.ok(resp && resp.status() < 400, `login of ${email} answered ${resp?.status()}`);
      assert.equal(await page.locator(LOGOUT_FORM).count(), 1, `${email} is not signed in after login (${page.url()})`);
      return page;
    }

    /** Runs axe; violations are collected in `problems` (the step fails at its end). */
    // axe, no sideways scrolling at 375 px, tables as tables at 1280 px (and screenshots).
    const axe = (page, problems, label) => checkPage(page, problems, label, `${backend}-flow-`);

    function need(...keys) {
      for (const k of keys) {
        if (flow[k] === undefined) throw new Error(`an earlier step failed (no ${k}); see above`);
      }
    }

    async function fillProposal(page, { title }) {
      await page.locator('input[name=kind]').first().check();
      await page.locator('#org_name').fill(proponent.org);
      await page.locator('#partner_type').selectOption({ index: 1 });
      await page.locator('#org_address').fill('大阪府岸和田市宮本町2番3号');
      await page.locator('#contact_name').fill(proponent.contact);
      await page.locator('#contact_department').fill('地域連携部');
      await page.locator('#email').fill(proponent.email);
      await page.locator('#phone').fill(proponent.phone);
      await page.locator('#title').fill(title);
      await page.locator('#summary').fill(proponent.summary);
      await page.locator('#details').fill(proponent.details);
      await page.locator('input[name=fields]').nth(0).check();
      await page.locator('input[name=fields]').nth(1).check();
      await page.locator('input[name=offers]').first().check();
      await page.locator('#expected_effects').fill(proponent.effects);
      await page.locator('input[name=fiscal_burden][value=none]').check();
      await page.locator('input[name=publication_consent]').check();
      await page.locator('#privacy_consent').check();
      await page.locator('#attachments').setInputFiles(pdfPath);
    }

    test('an anonymous proponent submits a proposal with a PDF and lands on the tracking page', async (t) => {
      const problems = [];
      const page = await freshPage();

      let resp = await page.goto(srv.at(`/t/${TENANT}`));
      assert.equal(resp?.status(), 200, `GET /t/${TENANT}`);
      await axe(page, problems, 'tenant page');

      const link = page.locator(`a[href="/t/${TENANT}/propose"]`);
      assert.ok(await link.count() >= 1, `no link to /t/${TENANT}/propose on /t/${TENANT}`);
      resp = await submit(page, link.first());
      assert.equal(resp?.status(), 200, 'GET the intake form');
      assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/propose`);
      assert.equal(await page.locator(`form[action="/t/${TENANT}/propose"][enctype="multipart/form-data"]`).count(), 1,
        'the intake form is not a multipart form posting to /propose');
      await axe(page, problems, 'intake form');

      // 1. Everything but the title (required): refused with a Japanese message, input kept.
      await fillProposal(page, { title: '' });
      const submitButton = page.locator(`form[action="/t/${TENANT}/propose"] button[type=submit]`);
      resp = await submit(page, submitButton);
      assert.equal(resp?.status(), 422, `submitting without a title answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).pathname, `/t/${TENANT}/propose`);
      const titleError = page.locator('#title-error');
      assert.equal(await titleError.count(), 1, 'no field error #title-error for the missing title');
      const msg = await titleError.innerText();
      assert.ok(hasJapanese(msg), `the title error is not Japanese: ${msg}`);
      assert.equal(await page.locator('#title').getAttribute('aria-invalid'), 'true', '#title is not aria-invalid');
      assert.ok((await page.locator('#title').getAttribute('aria-describedby') ?? '').includes('title-error'),
        '#title is not described by its error');
      assert.equal(await page.locator('.error-summary').count(), 1, 'no error summary');
      // The summary takes the focus and links to the field in error.
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), true,
        'the error summary does not have the focus');
      await page.locator('.error-summary a[href="#title"]').click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'title', 'the summary link does not reach #title');
      t.diagnostic(`field error shown: ${msg}`);
      // What was typed is kept.
      assert.equal(await page.locator('#org_name').inputValue(), proponent.org, 'org_name not kept');
      assert.equal(await page.locator('#contact_name').inputValue(), proponent.contact, 'contact_name not kept');
      assert.equal(await page.locator('#email').inputValue(), proponent.email, 'email not kept');
      assert.equal(await page.locator('#phone').inputValue(), proponent.phone, 'phone not kept');
      assert.equal(await page.locator('#summary').inputValue(), proponent.summary, 'summary not kept');
      assert.equal(await page.locator('#details').inputValue(), proponent.details, 'details (with a line break) not kept');
      assert.equal(await page.locator('#expected_effects').inputValue(), proponent.effects, 'expected_effects not kept');
      assert.notEqual(await page.locator('#partner_type').inputValue(), '', 'partner_type not kept');
      assert.ok(await page.locator('input[name=fields]').nth(0).isChecked(), 'fields[0] not kept');
      assert.ok(await page.locator('input[name=fields]').nth(1).isChecked(), 'fields[1] not kept');
      assert.ok(await page.locator('input[name=offers]').first().isChecked(), 'offers[0] not kept');
      assert.ok(await page.locator('input[name=kind]').first().isChecked(), 'kind not kept');
      assert.ok(await page.locator('input[name=fiscal_burden][value=none]').isChecked(), 'fiscal_burden not kept');
      assert.ok(await page.locator('input[name=publication_consent]').isChecked(), 'publication_consent not kept');
      // A browser never keeps a chosen file; the page says to choose it again.
      assert.ok((await page.locator('.error-summary').innerText()).includes('添付ファイル'),
        'the error summary does not ask to attach the file again');
      await axe(page, problems, 'intake form with errors');

      // 2. Complete it, with the PDF: the confirmation page (確認画面) shows it back, sends nothing yet.
      await page.locator('#title').fill(proponent.title);
      await page.locator('#attachments').setInputFiles(pdfPath);
      resp = await submit(page, submitButton);
      assert.equal(resp?.status(), 200, `the confirmation page answered ${resp?.status()}`);
      assert.match(new URL(page.url()).pathname, new RegExp(`^/t/${TENANT}/propose/confirm/[^/]+$`), `landed on ${page.url()}`);
      const review = await text(page);
      for (const shown of ['入力内容の確認', 'まだ送信されていません', proponent.title, proponent.org, '大阪府岸和田市宮本町2番3号', '地域連携部', '提案資料.pdf', '同意する']) {
        assert.ok(review.includes(shown), `the confirmation page does not show ${shown}`);
      }
      assert.ok(!RECEIPT_RE.test(review), 'a receipt number before sending');
      await axe(page, problems, 'intake confirmation page');
      resp = await submit(page, page.locator('form[action*="/propose/confirm/"] button[type=submit]'));
      assert.ok(resp, 'no response after submitting the proposal');
      assert.equal(resp.status(), 200, `the tracking page answered ${resp.status()}`);
      const landed = new URL(page.url());
      assert.match(landed.pathname, new RegExp(`^/t/${TENANT}/track/[^/]+$`), `landed on ${page.url()}`);
      assert.equal(landed.search, '?notice=proposal-received', `query of ${page.url()}`);
      const body = await text(page);
      assert.ok(body.includes('受付番号'), 'the tracking page does not say 受付番号');
      const receipt = RECEIPT_RE.exec(body)?.[0];
      assert.ok(receipt, `no receipt number 272027-YYYY-NNNN on the tracking page:\n${body}`);
      assert.equal(receipt.split('-')[1], '2026', `receipt ${receipt} is not numbered in fiscal 2026 (令和8年度)`);
      assert.ok(body.includes(proponent.title), 'the tracking page does not show the title');
      // The number once, and when to expect the first answer.
      assert.equal(body.split(receipt).length - 1, 1, `the receipt number is shown more than once:\n${body}`);
      assert.match(body, /令和\d+年\d+月\d+日までに/, `no expected first-answer date on the receipt page:\n${body}`);
      assert.ok(body.includes('提案資料.pdf'), 'the tracking page does not list the attachment');
      await axe(page, problems, 'tracking page after submission');

      flow.receipt = receipt;
      flow.trackUrl = `${landed.origin}${landed.pathname}`;
      t.diagnostic(`receipt ${receipt}, tracking page ${landed.pathname}`);
      noProblems(problems);
    });

    test('the receipt mail reaches the SMTP server with the receipt number and the tracking link', async (t) => {
      need('receipt', 'trackUrl');
      const mail = await smtp.waitFor((m) => m.to.includes(proponent.email) && m.subject.includes(flow.receipt), MAIL_TIMEOUT_MS)
        .catch((e) => { throw new Error(`${e.message}\nserver log:\n${srv.log()}`); });
      const h = (name) => mail.headers.find((x) => x.name.toLowerCase() === name)?.value;
      t.diagnostic(`subject: ${mail.subject} (raw: ${h('subject')}; ${h('content-type')}; ${h('content-transfer-encoding')})`);
      assert.ok(mail.subject.includes('受付番号'), `subject: ${mail.subject}`);
      assert.ok(mail.text.includes(flow.receipt), 'the body does not contain the receipt number');
      assert.ok(mail.text.includes(proponent.title), 'the body does not contain the title');
      const links = mail.text.match(/https?:\/\/[^\s<>」）]+/g) ?? [];
      const trackLinks = links.filter((l) => l.includes('/track/'));
      assert.deepEqual(trackLinks, [flow.trackUrl], `tracking link(s) in the mail ${JSON.stringify(links)} vs the page ${flow.trackUrl}`);
    });

    test('the desk finds the proposal, sees the attachment, records a hearing and routes it to two departments', async (t) => {
      need('receipt');
      const problems = [];
      const page = await signedIn(DESK_EMAIL);
      flow.deskPage = page;

      let resp = await page.goto(srv.at(`/t/${TENANT}/desk/proposals`));
      assert.equal(resp?.status(), 200, 'GET the desk inbox');
      await axe(page, problems, 'desk inbox');

      await page.locator('input[name=q]').fill(proponent.title);
      resp = await submit(page, page.locator('form[role=search] button[type=submit]'));
      assert.equal(resp?.status(), 200, 'searching the inbox');
      assert.equal(new URL(page.url()).searchParams.get('q'), proponent.title, `search URL ${page.url()}`);
      const rows = page.locator('table tbody tr');
      assert.equal(await rows.count(), 1, `searching the unique title found ${await rows.count()} row(s)`);
      assert.ok((await rows.first().innerText()).includes(proponent.title));
      await axe(page, problems, 'desk inbox, searched');

      const open = page.locator(`a[href="/t/${TENANT}/desk/proposals/${flow.receipt}"]`);
      assert.equal(await open.count(), 1, 'no link to the proposal in the search result');
      resp = await submit(page, open);
      assert.equal(resp?.status(), 200, 'GET the proposal');
      const proposalPath = `/t/${TENANT}/desk/proposals/${flow.receipt}`;
      assert.equal(new URL(page.url()).pathname, proposalPath);
      flow.deskProposalUrl = srv.at(proposalPath);
      let body = await text(page);
      for (const s of [proponent.title, proponent.org, proponent.contact, proponent.email, proponent.summary]) {
        assert.ok(body.includes(s), `the desk's proposal page does not show ${s}`);
      }
      await axe(page, problems, 'desk proposal page');

      // The attachment: linked, downloadable by the desk (with its session), not by anyone.
      const att = page.locator('a[href*="/attachments/"]', { hasText: '提案資料.pdf' });
      assert.equal(await att.count(), 1, 'no attachment link 提案資料.pdf on the desk page');
      const attUrl = new URL(await att.getAttribute('href'), page.url()).href;
      flow.attachmentUrl = attUrl;
      const dl = await page.context().request.get(attUrl);
      assert.equal(dl.status(), 200, `the desk downloading ${attUrl}`);
      assert.match(dl.headers()['content-type'] ?? '', /^application\/pdf/, 'attachment content type');
      assert.equal((await dl.body()).subarray(0, 8).toString('latin1'), '%PDF-1.4', 'attachment bytes');
      t.diagnostic(`attachment: ${new URL(attUrl).pathname}, content-disposition: ${dl.headers()['content-disposition']}`);
      const anon = await (await freshPage()).context().request.get(attUrl, { maxRedirects: 0 });
      assert.ok(anon.status() >= 300 && anon.status() !== 304, `an anonymous request for the attachment answered ${anon.status()}`);

      // A hearing, through the <details> panel.
      const hearingPanel = page.locator('details', { has: page.locator('summary', { hasText: '聞き取り・対話を記録する' }) });
      assert.equal(await hearingPanel.count(), 1, 'no 聞き取り・対話を記録する panel');
      await hearingPanel.locator('summary').click();
      assert.ok(await hearingPanel.evaluate((d) => d.open), 'the hearing panel did not open');
      await axe(page, problems, 'desk proposal page, hearing panel open');
      const hearingForm = hearingPanel.locator('form');
      const notes = `実施場所と時期を確認しました（${uniq}）。`;
      await hearingForm.locator('[name=held_on]').fill(jstDate());
      await hearingForm.locator('[name=channel]').selectOption({ label: '面談' });
      await hearingForm.locator('[name=participants]').fill('提案者2名、デスク1名');
      await hearingForm.locator('[name=notes]').fill(notes);
      await hearingForm.locator('[name=next_steps]').fill('危機管理課と環境課へ照会する');
      resp = await submit(page, hearingForm.locator('button[type=submit]'));
      assert.equal(resp?.status(), 200, `recording the hearing answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).pathname, proposalPath, `after the hearing: ${page.url()}`);
      body = await text(page);
      assert.ok(body.includes(notes), 'the hearing notes are not listed after saving');
      assert.ok(body.includes('提案者2名、デスク1名'), 'the hearing participants are not listed');
      assert.ok(body.includes('面談'), 'the hearing channel is not listed');
      await axe(page, problems, 'desk proposal page after the hearing');

      // Routing to two departments, through the other <details> panel.
      const routingPanel = page.locator('details', { has: page.locator('summary', { hasText: '庁内照会を送る' }) });
      assert.equal(await routingPanel.count(), 1, 'no 庁内照会を送る panel');
      await routingPanel.locator('summary').click();
      await axe(page, problems, 'desk proposal page, routing panel open');
      const routingForm = routingPanel.locator('form');
      for (const dept of ROUTED_TO) {
        await routingForm.getByLabel(dept, { exact: true }).check();
      }
      const question = `実証の場として倉庫を使えるか、ご意見をください（${uniq}）。`;
      const due = jstDate(21);
      await routingForm.locator('[name=question]').fill(question);
      await routingForm.locator('[name=due_on]').fill(due);
      resp = await submit(page, routingForm.locator('button[type=submit]'));
      assert.equal(resp?.status(), 200, `routing answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).pathname, proposalPath, `after routing: ${page.url()}`);
      for (const dept of ROUTED_TO) {
        const row = routingRow(page, dept);
        assert.equal(await row.count(), 1, `no routing row for ${dept}`);
        const rowText = await row.innerText();
        assert.ok(rowText.includes('回答待ち'), `the routing to ${dept} is not 回答待ち: ${rowText}`);
        assert.ok(rowText.includes(question), `the routing to ${dept} does not show the question`);
        assert.ok(rowText.includes(wareki(due)) || rowText.includes(due),
          `the routing to ${dept} does not show the due date ${wareki(due)}: ${rowText}`);
      }
      await axe(page, problems, 'desk proposal page after routing');
      flow.routed = true;
      flow.question = question;

      // The department member is told by mail (without the proposal's content).
      const routingMail = await smtp.waitFor((m) => m.to.includes(DEPT_EMAIL) && m.subject.includes(flow.receipt), MAIL_TIMEOUT_MS);
      t.diagnostic(`routing mail to ${DEPT_EMAIL}: ${routingMail.subject}`);
      assert.ok(!routingMail.text.includes(proponent.summary), 'the routing mail carries the confidential summary');
      noProblems(problems);
    });

    test('department staff answer one of the two routings; the desk sees one answer and one 回答待ち', async (t) => {
      need('routed', 'deskPage');
      const problems = [];
      const page = await signedIn(DEPT_EMAIL);
      let resp = await page.goto(srv.at(`/t/${TENANT}/department`));
      assert.equal(resp?.status(), 200, 'GET the department home');
      await axe(page, problems, 'department home');
      const links = page.locator(`a[href="/t/${TENANT}/department/proposals/${flow.receipt}"]`);
      assert.ok(await links.count() >= 1, `the proposal ${flow.receipt} is not listed on the department home`);

      resp = await submit(page, links.first());
      assert.equal(resp?.status(), 200, 'GET the department proposal page');
      const deptPath = `/t/${TENANT}/department/proposals/${flow.receipt}`;
      assert.equal(new URL(page.url()).pathname, deptPath);
      flow.deptProposalUrl = srv.at(deptPath);
      const body = await text(page);
      assert.ok(body.includes(proponent.title) && body.includes(proponent.summary), 'the department page lacks the proposal');
      assert.ok(body.includes(flow.question), 'the department page lacks the question');
      await axe(page, problems, 'department proposal page');

      // Each pending routing has its answer form (and a folded form to ask the desk first).
      const forms = page.locator(`form[action*="/department/routings/"][action$="/answer"]`);
      assert.equal(await forms.count(), 2, 'expected one answer form per routed department of this member');
      const section = page.locator('section', { has: page.locator('h3', { hasText: ANSWERED_BY }) });
      assert.equal(await section.count(), 1, `no section for ${ANSWERED_BY}`);
      const comment = `倉庫の鍵の管理を当課で行う条件で協力できます（${uniq}）。`;
      await section.getByLabel('条件付き', { exact: true }).check();
      await section.locator('textarea[name=comment]').fill(comment);
      resp = await submit(page, section.locator('form[action$="/answer"] button[type=submit]'));
      assert.equal(resp?.status(), 200, `answering answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).pathname, deptPath, `after answering: ${page.url()}`);
      const answered = page.locator('section', { has: page.locator('h3', { hasText: ANSWERED_BY }) });
      assert.equal(await answered.locator('form').count(), 0, 'the answered routing still shows a form');
      assert.ok((await answered.innerText()).includes('条件付き'), 'the answer is not shown to the department');
      assert.equal(await page.locator(`form[action*="/department/routings/"][action$="/answer"]`).count(), 1, 'the other routing should still be open');
      await axe(page, problems, 'department proposal page after answering');

      // The desk is told: a mail, and a marker in its inbox until it opens the proposal.
      const told = await smtp.waitFor((m) => m.to.includes(DESK_EMAIL) && m.subject.includes(flow.receipt)
        && m.subject.includes(ANSWERED_BY), MAIL_TIMEOUT_MS)
        .catch((e) => { throw new Error(`${e.message}\nserver log:\n${srv.log()}`); });
      assert.ok(!told.text.includes(comment), 'the answer mail carries the confidential comment');
      const desk = flow.deskPage;
      resp = await desk.goto(srv.at(`/t/${TENANT}/desk/proposals?q=${encodeURIComponent(flow.receipt)}`));
      assert.equal(resp?.status(), 200);
      const row = desk.locator('tr', { has: desk.locator(`a[href="/t/${TENANT}/desk/proposals/${flow.receipt}"]`) });
      assert.ok((await row.first().innerText()).includes('新しい回答 1件'), `no 新しい回答 marker: ${await row.first().innerText()}`);
      await axe(desk, problems, 'desk inbox with a new answer');

      // The desk's page.
      resp = await desk.goto(flow.deskProposalUrl);
      assert.equal(resp?.status(), 200);
      const answeredRow = await routingRow(desk, ANSWERED_BY).innerText();
      assert.ok(answeredRow.includes('条件付き'), `the desk does not see the answer: ${answeredRow}`);
      assert.ok(answeredRow.includes(comment), `the desk does not see the comment: ${answeredRow}`);
      assert.ok(!answeredRow.includes('回答待ち'), `the answered routing is still 回答待ち: ${answeredRow}`);
      const other = ROUTED_TO.find((d) => d !== ANSWERED_BY);
      const waitingRow = await routingRow(desk, other).innerText();
      assert.ok(waitingRow.includes('回答待ち'), `the routing to ${other} is not 回答待ち: ${waitingRow}`);
      await axe(desk, problems, 'desk proposal page with one answer');
      t.diagnostic(`answered by ${ANSWERED_BY}; ${other} waiting`);
      flow.answered = true;
      noProblems(problems);
    });

    test('the desk declines: an empty explanation is refused, then the proposal is 不採択', async (t) => {
      need('answered', 'deskPage');
      const problems = [];
      const page = flow.deskPage;
      await page.goto(flow.deskProposalUrl);
      const statusBefore = await page.locator('dl.facts dd').first().innerText();
      assert.ok(!statusBefore.includes('不採択'), `already 不採択: ${statusBefore}`);
      const declineForm = () => page.locator('form:has(input[name=action][value=decline])');
      assert.equal(await declineForm().count(), 1, 'no decline form');
      // The irreversible 不採択 does not stand up front: it is folded in the side panel until asked for.
      assert.equal(await declineForm().isVisible(), false, 'the decline form is open before anyone asked for it');
      const openDecline = async () => {
        const details = page.locator('details.action:has(input[name=action][value=decline])');
        if (!(await declineForm().isVisible())) await details.locator('summary').click();
        assert.ok(await declineForm().isVisible(), 'the decline form does not open from its summary');
      };
      await openDecline();

      // 1. No explanation.
      await declineForm().locator('select[name=reason]').selectOption({ label: DECLINE_REASON });
      await declineForm().locator('textarea[name=explanation]').fill('');
      let resp = await submit(page, declineForm().locator('button[type=submit]', { hasText: '不採択とする' }));
      assert.ok(resp, 'no response after declining without an explanation');
      assert.equal(resp.status(), 422, `declining without an explanation answered ${resp.status()}`);
      const summary = page.locator('.error-summary');
      assert.equal(await summary.count(), 1, 'no error summary after declining without an explanation');
      const err = await summary.innerText();
      assert.ok(hasJapanese(err), `the error is not Japanese: ${err}`);
      assert.ok(err.includes('説明'), `the error does not mention the explanation: ${err}`);
      t.diagnostic(`error shown: ${err}`);
      const statusAfterError = await page.locator('dl.facts dd').first().innerText();
      assert.equal(statusAfterError, statusBefore, 'the status changed although the decline was refused');
      assert.equal(await declineForm().locator('select[name=reason]').inputValue(), 'fiscal_burden', 'the chosen reason was not kept');
      await axe(page, problems, 'desk proposal page, decline refused');
      // Reloading shows that nothing was written.
      await page.goto(flow.deskProposalUrl);
      assert.equal(await page.locator('dl.facts dd').first().innerText(), statusBefore, 'the status changed (after reload)');

      // 2. With a polite explanation.
      await openDecline();
      const explanation = `ご提案ありがとうございました。検討の結果、倉庫の改修に市の予算が必要となるため、今回は見送らせていただきます。（${uniq}）`;
      await declineForm().locator('select[name=reason]').selectOption({ label: DECLINE_REASON });
      await declineForm().locator('textarea[name=explanation]').fill(explanation);
      resp = await submit(page, declineForm().locator('button[type=submit]', { hasText: '不採択とする' }));
      // 不採択 cannot be undone: a confirmation page (確認画面) shows what goes to the proponent.
      assert.equal(resp?.status(), 200, `declining answered ${resp?.status()}`);
      const confirmText = await text(page);
      assert.ok(confirmText.includes('不採択としてよろしいですか'), `no confirmation page:\n${confirmText}`);
      assert.ok(confirmText.includes(explanation), 'the confirmation does not show the explanation');
      assert.ok(confirmText.includes('この操作は取り消せません'), 'the confirmation does not say it cannot be undone');
      await axe(page, problems, 'decline confirmation page');
      resp = await submit(page, page.locator('button[name=confirm][value=yes]'));
      assert.equal(resp?.status(), 200, `confirming answered ${resp?.status()}`);
      assert.equal(new URL(page.url()).pathname, new URL(flow.deskProposalUrl).pathname, `after declining: ${page.url()}`);
      const status = await page.locator('dl.facts dd').first().innerText();
      assert.ok(status.includes('不採択'), `status after declining: ${status}`);
      assert.ok(status.includes(DECLINE_REASON), `the reason is not shown with the status: ${status}`);
      assert.equal(await declineForm().count(), 0, 'a closed proposal still offers the decline form');
      await axe(page, problems, 'desk proposal page, declined');
      flow.explanation = explanation;
      noProblems(problems);
    });

    test('the proponent sees 不採択, the reason and the explanation on the tracking page and in a mail', async (t) => {
      need('explanation', 'trackUrl');
      const problems = [];
      const page = await freshPage();
      const resp = await page.goto(flow.trackUrl);
      assert.equal(resp?.status(), 200, `GET ${flow.trackUrl}`);
      assert.equal(await page.locator(LOGOUT_FORM).count(), 0, 'the proponent is not signed in');
      const body = await text(page);
      assert.ok(body.includes(flow.receipt), 'the tracking page does not show the receipt number');
      assert.ok(body.includes('不採択'), `the tracking page does not show 不採択:\n${body}`);
      assert.ok(body.includes(DECLINE_REASON), 'the tracking page does not show the reason');
      assert.ok(body.includes(flow.explanation), 'the tracking page does not show the explanation');
      // The desk's internal work stays internal.
      assert.ok(!body.includes(flow.question), 'the tracking page shows the internal routing question');
      assert.ok(!body.includes('倉庫の鍵の管理'), 'the tracking page shows a department answer');
      await axe(page, problems, 'tracking page, declined');

      const mail = await smtp.waitFor((m) => m.to.includes(proponent.email) && m.subject.includes(flow.receipt) && m.subject.includes('不採択'), MAIL_TIMEOUT_MS);
      t.diagnostic(`subject: ${mail.subject}`);
      assert.ok(mail.text.includes(DECLINE_REASON), `the status mail lacks the reason:\n${mail.text}`);
      assert.ok(mail.text.includes(flow.explanation), `the status mail lacks the explanation:\n${mail.text}`);
      assert.ok(!mail.text.includes('倉庫の鍵の管理'), 'the status mail carries a department answer');
      t.diagnostic(`mails to the proponent: ${smtp.messages.filter((m) => m.to.includes(proponent.email)).map((m) => m.subject).join(' | ')}`);
      noProblems(problems);
    });

    test('the proposal is confidential to the desk and the departments it was routed to', async (t) => {
      need('receipt', 'deskProposalUrl', 'deptProposalUrl', 'attachmentUrl');
      const problems = [];
      const expectRefused = async (page, url, who) => {
        const resp = await page.goto(url);
        assert.equal(resp?.status(), 403, `${who}: GET ${new URL(url).pathname} answered ${resp?.status()} (expected 403)`);
        const body = await text(page);
        assert.ok(!body.includes(proponent.title) && !body.includes(proponent.summary), `${who}: the 403 page shows the proposal`);
        await axe(page, problems, `403 page for ${who}`);
      };

      // Department staff of a routed department: not the desk's page.
      const dept = await signedIn(DEPT_EMAIL);
      await expectRefused(dept, flow.deskProposalUrl, DEPT_EMAIL);
      // The city's admin and another city's desk: neither.
      const admin = await signedIn(ADMIN_EMAIL);
      await expectRefused(admin, flow.deskProposalUrl, ADMIN_EMAIL);
      await expectRefused(admin, flow.deptProposalUrl, `${ADMIN_EMAIL} (department page)`);
      const kawasaki = await signedIn(OTHER_DESK_EMAIL);
      await expectRefused(kawasaki, flow.deskProposalUrl, OTHER_DESK_EMAIL);

      // Staff of a department the proposal was not routed to (added with the CLI while the server runs).
      const email = `kanko-${uniq}@kishiwada.demo.renkei.jp`;
      const password = `e2e-${uniq}-password`;
      const r = await srv.cli(['user', 'add', '--tenant', TENANT, '--role', 'department', '--email', email,
        '--name', '観光 四郎', '--department', NOT_ROUTED, '--password-stdin'], { input: `${password}\n` });
      assert.equal(r.code, 0, `renkei user add failed (${r.code}): ${r.stdout}\n${r.stderr}`);
      const other = await freshPage();
      const loginResp = await login(other, srv, { email, password });
      assert.ok(loginResp && loginResp.status() < 400, `login of ${email} answered ${loginResp?.status()}`);
      assert.equal(await other.locator(LOGOUT_FORM).count(), 1, `${email} is not signed in`);
      let resp = await other.goto(srv.at(`/t/${TENANT}/department`));
      assert.equal(resp?.status(), 200, `${email}: department home`);
      assert.ok(!(await text(other)).includes(flow.receipt), `${email} (${NOT_ROUTED}) sees ${flow.receipt} on the department home`);
      await axe(other, problems, `department home of ${NOT_ROUTED}`);
      await expectRefused(other, flow.deptProposalUrl, `${email} (${NOT_ROUTED})`);
      await expectRefused(other, flow.deskProposalUrl, `${email} (${NOT_ROUTED}, desk page)`);
      resp = await other.context().request.get(flow.attachmentUrl);
      assert.equal(resp.status(), 403, `${email} (${NOT_ROUTED}) downloading the attachment answered ${resp.status()}`);

      // Staff of a routed department may download it.
      resp = await dept.context().request.get(flow.attachmentUrl);
      assert.equal(resp.status(), 200, `${DEPT_EMAIL} downloading the attachment answered ${resp.status()}`);
      t.diagnostic('403 for department staff / admin / other city on the desk page; 403 for a non-routed department');
      noProblems(problems);
    });
  });
}
