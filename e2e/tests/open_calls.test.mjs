// Open calls (行政課題・テーマ型提案募集) in real Chromium, on both databases:
//
//   A department drafts a call (first refused: weights not adding up to 100) and sends it to
//   the desk; the desk publishes it after the confirmation page; two proponents answer it
//   through the public list and the intake's 確認画面; the desk closes it and assigns two
//   evaluators; one declares a conflict of interest on an answer and is then shown no scoring
//   form for it (and a crafted POST is refused); the other answer is scored; the desk selects
//   one answer with a reason after the confirmation page; the public page shows who was chosen
//   and why, and nothing of the answer that was not chosen.
//
// Every page state is checked with axe at 1280 and 375 px (lib/check.mjs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPage, noProblems } from '../lib/check.mjs';
import { launchBrowser, newContext } from '../lib/browser.mjs';
import { BACKENDS, startServer } from '../lib/server.mjs';
import { LOGOUT_FORM, login } from '../lib/site.mjs';

const TENANT = '272027';
const DESK_EMAIL = 'desk@kishiwada.demo.renkei.jp';
const DEPT_EMAIL = 'kikikanri@kishiwada.demo.renkei.jp';
const REASON = '地域の防災力向上への効果と実現性が最も高いと評価したため。';

/** Clicks `button` (a locator) and waits for the page load it causes; returns the response. */
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

for (const backend of BACKENDS) {
  describe(`open calls on ${backend}`, { timeout: 600_000 }, () => {
    let srv;
    let browser;
    const contexts = [];
    const flow = {};
    const uniq = `${backend}-${Date.now().toString(36)}`;
    const title = `だんじり会館の夜間活用 ${uniq}`;
    const winner = { org: `株式会社選ばれる ${uniq}`, title: `夜の防災ワークショップ ${uniq}`, summary: '夜間に防災の学びの場を開きます。' };
    const loser = { org: `株式会社ひみつ ${uniq}`, title: `落選する応募 ${uniq}`, summary: `公開されない本文 ${uniq}` };
    const evaluator = { email: `hyoka-${uniq}@kishiwada.demo.renkei.jp`, password: `e2e-${uniq}-password` };

    before(async () => {
      srv = await startServer(backend);
      browser = await launchBrowser();
    });

    after(async () => {
      try {
        for (const c of contexts) await c.close().catch(() => {});
        await browser?.close();
      } finally {
        await srv?.stop();
      }
    });

    async function freshPage() {
      const context = await newContext(browser);
      contexts.push(context);
      return context.newPage();
    }

    async function signedIn(email, password) {
      const creds = password ? { email, password } : srv.logins.find((l) => l.email === email);
      assert.ok(creds, `no demo login for ${email}`);
      const page = await freshPage();
      const resp = await login(page, srv, creds);
      assert.ok(resp && resp.status() < 400, `login of ${email} answered ${resp?.status()}`);
      assert.equal(await page.locator(LOGOUT_FORM).count(), 1, `${email} is not signed in`);
      return page;
    }

    const axe = (page, problems, label) => checkPage(page, problems, label, `${backend}-calls-`);

    function need(...keys) {
      for (const k of keys) {
        if (flow[k] === undefined) throw new Error(`an earlier step failed (no ${k}); see above`);
      }
    }

    async function fillCall(page, w2) {
      await page.locator('#call-title').fill(title);
      await page.locator('#call-background').fill('夜間は会館が使われていません。');
      await page.locator('#call-problem').fill('夜間の有効な活用方法が見つかっていません。');
      await page.locator('#call-offers').fill('会館の場所、来館者データ、市の広報');
      await page.locator('#call-outcomes').fill('夜間の来館者が増えること。');
      await page.locator('#call-opens_on').fill('2026-11-24');
      await page.locator('#call-closes_on').fill('2026-12-18');
      await page.locator('input[name=fields]').first().check();
      await page.locator('#criterion-name-1').fill('実現性');
      await page.locator('#criterion-weight-1').fill('60');
      await page.locator('#criterion-name-2').fill('効果');
      await page.locator('#criterion-weight-2').fill(w2);
    }

    test('a department drafts a call and sends it; the desk publishes it', async () => {
      const problems = [];
      const dept = await signedIn(DEPT_EMAIL);
      let resp = await dept.goto(srv.at(`/t/${TENANT}/department`));
      assert.equal(resp?.status(), 200);
      resp = await submit(dept, dept.locator(`a[href="/t/${TENANT}/department/calls"]`).first());
      assert.equal(resp?.status(), 200);
      await axe(dept, problems, 'department calls');
      resp = await submit(dept, dept.locator(`a[href="/t/${TENANT}/department/calls/new"]`).first());
      assert.equal(resp?.status(), 200);
      await axe(dept, problems, 'call form');
      await fillCall(dept, '30');
      const save = dept.locator(`form[action="/t/${TENANT}/department/calls"] button[type=submit]`);
      resp = await submit(dept, save);
      assert.equal(resp?.status(), 422, 'weights adding up to 90 were accepted');
      assert.ok((await text(dept)).includes('配点の合計を100にしてください。'));
      assert.equal(await dept.locator('#call-title').inputValue(), title, 'the title was not kept');
      await axe(dept, problems, 'call form with errors');
      await dept.locator('#criterion-weight-2').fill('40');
      resp = await submit(dept, save);
      assert.equal(resp?.status(), 200);
      const m = /\/department\/calls\/(\d+)/.exec(new URL(dept.url()).pathname);
      assert.ok(m, `not on the call's page: ${dept.url()}`);
      flow.call = Number(m[1]);
      await axe(dept, problems, 'call page (draft)');
      resp = await submit(dept, dept.locator(`form[action="/t/${TENANT}/department/calls/${flow.call}/submit"] button`));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(dept)).includes('承認待ち'));

      const desk = await signedIn(DESK_EMAIL);
      resp = await desk.goto(srv.at(`/t/${TENANT}/desk`));
      resp = await submit(desk, desk.locator(`a[href="/t/${TENANT}/desk/calls"]`).first());
      assert.equal(resp?.status(), 200);
      await axe(desk, problems, 'desk calls');
      resp = await submit(desk, desk.locator(`a[href="/t/${TENANT}/desk/calls/${flow.call}"]`).first());
      assert.equal(resp?.status(), 200);
      await axe(desk, problems, 'desk call page (submitted)');
      const publish = desk.locator(`form[action="/t/${TENANT}/desk/calls/${flow.call}/move"]:has(input[value=publish]) button`);
      resp = await submit(desk, publish);
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('この募集を公開しますか'));
      await axe(desk, problems, 'publish confirmation');
      resp = await submit(desk, desk.locator('button[name=confirm][value=yes]'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('公開中'));
      flow.published = true;
      noProblems(problems);
    });

    test('two proponents answer through the public list and the confirmation page', async () => {
      need('published');
      const problems = [];
      for (const who of [winner, loser]) {
        const page = await freshPage();
        let resp = await page.goto(srv.at(`/t/${TENANT}/calls`));
        assert.equal(resp?.status(), 200);
        if (who === winner) await axe(page, problems, 'public calls');
        resp = await submit(page, page.locator(`a[href="/t/${TENANT}/propose?call=${flow.call}"]`).first());
        assert.equal(resp?.status(), 200);
        assert.ok((await text(page)).includes(title), 'the form does not say which call is answered');
        if (who === winner) await axe(page, problems, 'intake answering a call');
        await page.locator('input[name=kind]').first().check();
        await page.locator('#org_name').fill(who.org);
        await page.locator('#partner_type').selectOption({ index: 1 });
        await page.locator('#org_address').fill('大阪府岸和田市宮本町1番1号');
        await page.locator('#contact_name').fill('試験 花子');
        await page.locator('#email').fill(`answer-${uniq}@example.co.jp`);
        await page.locator('#title').fill(who.title);
        await page.locator('#summary').fill(who.summary);
        await page.locator('input[name=fields]').first().check();
        await page.locator('input[name=fiscal_burden][value=none]').check();
        await page.locator('#privacy_consent').check();
        resp = await submit(page, page.locator(`form[action="/t/${TENANT}/propose"] button[type=submit]`));
        assert.equal(resp?.status(), 200);
        assert.ok(new URL(page.url()).pathname.includes('/propose/confirm/'), `not on the confirmation page: ${page.url()}`);
        if (who === winner) await axe(page, problems, 'intake confirmation for a call');
        resp = await submit(page, page.locator('form[action*="/propose/confirm/"] button[type=submit]'));
        assert.equal(resp?.status(), 200);
        assert.ok(new URL(page.url()).pathname.includes('/track/'), `not on the tracking page: ${page.url()}`);
      }
      flow.answered = true;
      noProblems(problems);
    });

    test('the desk closes the call; an evaluator with a conflict is kept from scoring', async () => {
      need('answered');
      const problems = [];
      const desk = await signedIn(DESK_EMAIL);
      let resp = await desk.goto(srv.at(`/t/${TENANT}/desk/calls/${flow.call}`));
      resp = await submit(desk, desk.locator(`form[action="/t/${TENANT}/desk/calls/${flow.call}/move"]:has(input[value=close]) button`));
      assert.equal(resp?.status(), 200);
      await axe(desk, problems, 'close confirmation');
      resp = await submit(desk, desk.locator('button[name=confirm][value=yes]'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('締切'));
      // A second evaluator, added with the CLI while the server runs.
      const r = await srv.cli(['user', 'add', '--tenant', TENANT, '--role', 'department', '--email', evaluator.email,
        '--name', '審査 五郎', '--department', '観光振興課', '--password-stdin'], { input: `${evaluator.password}\n` });
      assert.equal(r.code, 0, `renkei user add failed (${r.code}): ${r.stdout}\n${r.stderr}`);
      await desk.reload();
      for (const name of ['審査 五郎', 'デスク']) {
        const option = desk.locator('#call-evaluator option', { hasText: name }).first();
        if (await option.count() === 0) continue;
        await desk.locator('#call-evaluator').selectOption(await option.getAttribute('value'));
        resp = await submit(desk, desk.locator(`form[action="/t/${TENANT}/desk/calls/${flow.call}/evaluators"] button`));
        assert.equal(resp?.status(), 200);
      }
      assert.ok((await text(desk)).includes('審査 五郎'), 'the evaluator was not assigned');
      await axe(desk, problems, 'desk call page (closed, evaluators)');
      const rows = desk.locator('table.stacked tbody tr');
      const hrefs = {};
      for (let i = 0; i < await rows.count(); i++) {
        const row = rows.nth(i);
        const rowText = await row.innerText();
        const href = await row.locator('a').first().getAttribute('href');
        if (rowText.includes(winner.title)) hrefs.winner = href;
        if (rowText.includes(winner.title)) flow.winnerHref = href;
        if (rowText.includes(loser.title)) hrefs.loser = href;
      }
      assert.ok(hrefs.winner && hrefs.loser, 'the answers are not listed on the desk call page');

      const ev = await signedIn(evaluator.email, evaluator.password);
      resp = await ev.goto(srv.at(`/t/${TENANT}/evaluations`));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(ev)).includes(title));
      await axe(ev, problems, 'my evaluations');
      resp = await submit(ev, ev.locator(`a[href="/t/${TENANT}/evaluations/${flow.call}"]`).first());
      await axe(ev, problems, 'evaluation call');
      const answerLink = async (t) => ev.locator('table.stacked tbody tr', { hasText: t }).locator('a').first();
      resp = await submit(ev, await answerLink(loser.title));
      assert.equal(resp?.status(), 200);
      await axe(ev, problems, 'answer with the scoring form');
      await ev.locator('#conflict-reason').fill('応募団体の役員が親族です。');
      resp = await submit(ev, ev.locator('form[action$="/conflict"] button'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(ev)).includes('利益相反を申告した応募は採点できません。'));
      assert.equal(await ev.locator('form[action$="/scores"]').count(), 0, 'the scoring form is still shown');
      await axe(ev, problems, 'answer after the conflict');
      // A crafted POST is refused too.
      const csrf = await ev.locator('input[name=_csrf]').first().inputValue();
      const loserId = /answers\/(\d+)/.exec(ev.url())[1];
      const crafted = await ev.context().request.post(srv.at(`/t/${TENANT}/evaluations/${flow.call}/answers/${loserId}/scores`), {
        form: { _csrf: csrf, criterion: '1', score: '5' },
        maxRedirects: 0,
      });
      assert.ok(crafted.status() === 422 || crafted.status() === 403, `the crafted score answered ${crafted.status()}`);
      // The other answer is scored.
      resp = await ev.goto(srv.at(`/t/${TENANT}/evaluations/${flow.call}`));
      resp = await submit(ev, await answerLink(winner.title));
      const selects = ev.locator('form[action$="/scores"] select');
      for (let i = 0; i < await selects.count(); i++) await selects.nth(i).selectOption('4');
      resp = await submit(ev, ev.locator('form[action$="/scores"] button'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(ev)).includes('採点済み'));
      // The second evaluator, the desk's officer, scores both answers.
      const second = await signedIn(DESK_EMAIL);
      for (const t of [winner.title, loser.title]) {
        resp = await second.goto(srv.at(`/t/${TENANT}/evaluations/${flow.call}`));
        assert.equal(resp?.status(), 200, 'the desk officer is not an evaluator of the call');
        resp = await submit(second, second.locator('table.stacked tbody tr', { hasText: t }).locator('a').first());
        const sel = second.locator('form[action$="/scores"] select');
        assert.ok(await sel.count() > 0, `no scoring form for the second evaluator on ${t}`);
        for (let i = 0; i < await sel.count(); i++) await sel.nth(i).selectOption('4');
        resp = await submit(second, second.locator('form[action$="/scores"] button'));
        assert.equal(resp?.status(), 200);
        assert.ok((await text(second)).includes('採点済み'));
      }
      flow.scored = true;
      noProblems(problems);
    });

    test('the desk selects one answer; the public result names it and hides the other', async () => {
      need('scored');
      const problems = [];
      const desk = await signedIn(DESK_EMAIL);
      let resp = await desk.goto(srv.at(`/t/${TENANT}/desk/calls/${flow.call}`));
      assert.ok((await text(desk)).includes('80.0'), 'the score sheet does not show the weighted total');
      await desk.locator('label.choice', { hasText: winner.title }).locator('input').check();
      await desk.locator('#call-reason').fill(REASON);
      resp = await submit(desk, desk.locator(`form[action="/t/${TENANT}/desk/calls/${flow.call}/select"] button`));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('次の内容で選定を記録しますか'));
      await axe(desk, problems, 'selection confirmation');
      resp = await submit(desk, desk.locator('button[name=confirm][value=yes]'));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('選定済'));
      await axe(desk, problems, 'desk call page (decided)');

      const anon = await freshPage();
      resp = await anon.goto(srv.at(`/t/${TENANT}/calls/${flow.call}`));
      assert.equal(resp?.status(), 200);
      const body = await text(anon);
      assert.ok(body.includes(winner.org), 'the chosen organisation is not named');
      assert.ok(body.includes(REASON), 'the reason is not shown');
      for (const secret of [loser.org, loser.title, loser.summary]) {
        assert.ok(!(await anon.content()).includes(secret), `the public page shows ${secret}`);
      }
      await axe(anon, problems, 'public result');
      flow.selected = true;
      noProblems(problems);
    });

    test('a 事業連携協定 is made from the chosen answer, an activity recorded, and its public page explains the choice', async () => {
      need('selected');
      const problems = [];
      const desk = await signedIn(DESK_EMAIL);
      let resp = await desk.goto(srv.at(flow.winnerHref));
      assert.equal(resp?.status(), 200);
      assert.ok((await text(desk)).includes('実施決定'), 'the chosen answer is not 実施決定');
      const create = desk.locator('a[href*="/partnerships/new?proposal="]');
      assert.equal(await create.count(), 1, 'no 「連携事業を登録」 on the chosen answer');
      resp = await submit(desk, create);
      assert.equal(resp?.status(), 200);
      assert.equal(await desk.locator('#title').inputValue(), winner.title);
      await desk.locator('#form').selectOption('business');
      await desk.locator('#department_id').selectOption({ label: '危機管理課' });
      await desk.locator('#purpose').fill('夜間の防災学習の場をつくり、地域の防災力を高める。');
      await desk.locator('#signed_on').fill('令和8年11月20日');
      await desk.locator('#ends_on').fill('令和10年3月31日');
      if (!(await desk.locator('#published').isChecked())) await desk.locator('#published').check();
      resp = await submit(desk, desk.locator('main form button[type=submit]').filter({ hasText: '確認画面へ進む' }));
      assert.equal(resp?.status(), 200);
      assert.match(await desk.locator('h1').innerText(), /登録しますか/);
      await axe(desk, problems, 'partnership confirmation');
      resp = await submit(desk, desk.locator('main form button[value=yes]'));
      assert.match(desk.url(), new RegExp(`/t/${TENANT}/partnerships/\\d+`));
      const partnership = /partnerships\/(\d+)/.exec(desk.url())[1];
      assert.ok((await text(desk)).includes('事業連携協定'));
      // An activity.
      await desk.locator('#activity-title').fill('夜の防災ワークショップ第1回');
      await desk.locator('#people').fill('32');
      resp = await submit(desk, desk.locator('form[action$="/activities"] button[type=submit]'));
      assert.match(await desk.locator('[role=status]').innerText(), /取組実績を記録しました/);
      await axe(desk, problems, 'partnership with its activity');
      // The accountability record tells the open call, its answers and the reason.
      resp = await desk.goto(srv.at(`/t/${TENANT}/partnerships/${partnership}/accountability`));
      assert.equal(resp?.status(), 200);
      let body = await text(desk);
      assert.ok(body.includes(title), 'the record does not name the call');
      assert.ok(body.includes(REASON), 'the record does not give the reason');
      await axe(desk, problems, 'accountability record');
      // The public page: who was chosen and why, nothing of the answer not chosen.
      const anon = await freshPage();
      resp = await anon.goto(srv.at(`/t/${TENANT}/partnerships/${partnership}/public`));
      assert.equal(resp?.status(), 200);
      body = await text(anon);
      assert.ok(body.includes(winner.org), 'the public page does not name the partner');
      assert.ok(body.includes(REASON), 'the public page does not give the reason');
      for (const secret of [loser.org, loser.title, loser.summary]) {
        assert.ok(!(await anon.content()).includes(secret), `the public partnership page shows ${secret}`);
      }
      await axe(anon, problems, 'public partnership page');
      noProblems(problems);
    });
  });
}
