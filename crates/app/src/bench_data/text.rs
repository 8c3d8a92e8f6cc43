//! The words the generated data set is written in: departments, organisations, people and
//! the sentences of proposals, hearings, routings, answers and messages, composed from the
//! domain's field vocabulary ([`Field`]).

use super::rng::Rng;
use renkei_domain::proposal::{DeclineReason, Field, Kind, Offer, PartnerType};

/// The desk's own department (first in every tenant).
pub const DESK_DEPARTMENT: &str = "公民連携推進課";

/// Departments (課) of a Japanese local government, most common first.
pub const DEPARTMENTS: &[&str] = &[
    "政策企画課",
    "総務課",
    "財政課",
    "危機管理課",
    "子育て支援課",
    "健康づくり課",
    "環境政策課",
    "観光振興課",
    "産業振興課",
    "都市計画課",
    "情報政策課",
    "文化振興課",
    "市民協働課",
    "高齢福祉課",
    "障害福祉課",
    "教育総務課",
    "学校教育課",
    "生涯学習課",
    "スポーツ振興課",
    "道路課",
    "公園緑地課",
    "下水道課",
    "農政課",
    "商工労働課",
    "人事課",
    "広報課",
    "税務課",
    "保険年金課",
    "地域包括ケア推進課",
    "ごみ減量推進課",
    "脱炭素推進課",
    "住宅政策課",
    "交通政策課",
    "国際交流課",
    "男女共同参画課",
    "消防総務課",
    "資産経営課",
    "デジタル推進課",
];

const SURNAMES: &[&str] = &[
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
    "山崎",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "山下",
    "中島",
    "石井",
    "小川",
    "前田",
    "岡田",
];
const GIVEN: &[&str] = &[
    "翔太",
    "陽菜",
    "大輔",
    "美咲",
    "健一",
    "由美",
    "拓也",
    "彩",
    "直樹",
    "恵",
    "亮",
    "真由美",
    "浩二",
    "智子",
    "誠",
    "優子",
    "和也",
    "舞",
    "隆",
    "香織",
];

/// A person's name (姓 名).
pub fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

const COMPANY_STEMS: &[&str] = &[
    "みらい",
    "あおば",
    "さくら",
    "ひかり",
    "つばさ",
    "やまびこ",
    "かがやき",
    "ゆめ",
    "そら",
    "はばたき",
    "テクノ",
    "グリーン",
    "ライフ",
    "ネクスト",
    "スマイル",
    "コネクト",
    "イノベ",
    "ブルー",
    "エコ",
    "サンライズ",
];
const COMPANY_TRADES: &[&str] = &[
    "システムズ",
    "建設",
    "電機",
    "不動産",
    "食品",
    "物流",
    "エネルギー",
    "通信",
    "薬品",
    "ソリューションズ",
    "商事",
    "ホールディングス",
    "デザイン",
    "フーズ",
    "モビリティ",
    "ヘルスケア",
    "データ",
    "リサーチ",
    "ツーリズム",
    "アグリ",
];
const UNIVERSITY_STEMS: &[&str] = &[
    "東都",
    "北辰",
    "南海",
    "西湘",
    "中央学芸",
    "みなと",
    "青葉",
    "桜丘",
    "国際文化",
    "県立",
    "湘南工科",
    "臨海",
];
const NPO_THEMES: &[&str] = &[
    "子ども食堂ネットワーク",
    "防災まちづくりの会",
    "里山保全協会",
    "多文化共生センター",
    "まちの居場所づくり",
    "フードバンク",
    "シニア活躍支援機構",
    "地域スポーツクラブ",
    "こども未来ラボ",
    "デジタル市民の会",
];
const TOWN_PARTS: &[&str] = &[
    "本町",
    "東町",
    "西町",
    "南台",
    "北山",
    "中央",
    "緑ヶ丘",
    "旭町",
    "栄町",
    "新田",
    "港町",
    "若葉台",
];

/// An organisation's name for a partner type; `n` varies it (branch numbers, districts).
pub fn organisation(rng: &mut Rng, t: PartnerType, n: u64) -> String {
    match t {
        PartnerType::Company => {
            let stem = rng.pick(COMPANY_STEMS);
            let trade = rng.pick(COMPANY_TRADES);
            match rng.below(3) {
                0 => format!("株式会社{stem}{trade}"),
                1 => format!("{stem}{trade}株式会社"),
                _ => format!("{stem}{trade}合同会社"),
            }
        }
        PartnerType::University => {
            let stem = rng.pick(UNIVERSITY_STEMS);
            if rng.chance(0.3) {
                format!("{stem}短期大学")
            } else {
                format!("{stem}大学")
            }
        }
        PartnerType::Npo => format!("特定非営利活動法人{}", rng.pick(NPO_THEMES)),
        PartnerType::Neighborhood => format!("{}{}丁目自治会", rng.pick(TOWN_PARTS), n % 9 + 1),
        PartnerType::SocialBusiness => {
            format!(
                "一般社団法人{}{}",
                rng.pick(COMPANY_STEMS),
                rng.pick(NPO_THEMES)
            )
        }
        PartnerType::Intermediary => {
            format!("一般財団法人{}地域振興財団", rng.pick(TOWN_PARTS))
        }
        PartnerType::LocalGovernment => format!("{}広域連合", rng.pick(TOWN_PARTS)),
        PartnerType::Other => format!("{}商店会", rng.pick(TOWN_PARTS)),
    }
}

/// A 法人番号 with a correct check digit (companies and incorporated associations).
pub fn corporate_number(rng: &mut Rng) -> String {
    let body: Vec<u32> = (0..12).map(|_| rng.below(10) as u32).collect();
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    let check = 9 - sum % 9;
    let mut s = check.to_string();
    for d in body {
        s.push(char::from(b'0' + d as u8));
    }
    s
}

/// Japanese words for a field: the theme and a few things proposals in it offer.
fn field_words(f: Field) -> (&'static str, &'static [&'static str]) {
    match f {
        Field::Disaster => (
            "防災",
            &[
                "避難所運営訓練",
                "備蓄品の提供",
                "防災アプリの実証",
                "災害時の物資輸送協定",
                "地域防災マップづくり",
            ],
        ),
        Field::Childcare => (
            "子育て",
            &[
                "子ども食堂の開設",
                "放課後の学習支援",
                "おむつの定期配布",
                "親子向けワークショップ",
                "保育人材の育成",
            ],
        ),
        Field::Health => (
            "健康",
            &[
                "健康ポイント事業",
                "がん検診の受診勧奨",
                "フレイル予防教室",
                "ウォーキングイベント",
                "オンライン健康相談",
            ],
        ),
        Field::Environment => (
            "環境",
            &[
                "プラスチック削減の実証",
                "公共施設への太陽光発電導入",
                "食品ロス削減キャンペーン",
                "緑化ボランティア",
                "EV充電設備の設置",
            ],
        ),
        Field::Tourism => (
            "観光",
            &[
                "観光マップの多言語化",
                "地域の魅力発信動画",
                "サイクルツーリズム",
                "周遊スタンプラリー",
                "体験型観光プログラム",
            ],
        ),
        Field::Industry => (
            "産業振興",
            &[
                "創業支援セミナー",
                "地元産品の販路開拓",
                "事業承継マッチング",
                "企業向けDX研修",
                "インターンシップ連携",
            ],
        ),
        Field::Town => (
            "まちづくり",
            &[
                "空き家の利活用",
                "公園の魅力向上",
                "商店街のにぎわい創出",
                "歩きたくなる道路空間づくり",
                "公共施設の有効活用",
            ],
        ),
        Field::Digital => (
            "デジタル",
            &[
                "行政手続のオンライン化支援",
                "高齢者向けスマホ教室",
                "オープンデータの活用",
                "AIチャットボットの実証",
                "窓口のキャッシュレス化",
            ],
        ),
        Field::Culture => (
            "文化・スポーツ",
            &[
                "地域の歴史資料のデジタル化",
                "市民音楽祭の共催",
                "部活動の地域移行支援",
                "スポーツ教室の開催",
                "伝統行事の継承",
            ],
        ),
        Field::Community => (
            "地域コミュニティ",
            &[
                "自治会のデジタル化",
                "多世代交流拠点づくり",
                "見守り活動の連携",
                "地域の担い手育成",
                "外国人住民との交流会",
            ],
        ),
        Field::Other => (
            "その他",
            &[
                "職員向け研修の提供",
                "広報紙への協賛",
                "庁舎の省エネ診断",
                "公用車のシェアリング",
                "アンケート調査の協力",
            ],
        ),
    }
}

/// A field's Japanese name.
pub fn field_name(f: Field) -> &'static str {
    field_words(f).0
}

/// The text of a proposal: title, summary, details, expected effects.
pub struct ProposalText {
    pub title: String,
    pub summary: String,
    pub details: String,
    pub expected_effects: String,
}

fn offer_words(o: Offer) -> &'static str {
    match o {
        Offer::People => "社員・学生の人的協力",
        Offer::Goods => "物品の提供",
        Offer::Funds => "費用の負担",
        Offer::Knowhow => "専門的なノウハウ",
        Offer::Place => "会場・施設の提供",
        Offer::Other => "広報面での協力",
    }
}

const OPENINGS: &[&str] = &[
    "当社はこれまで",
    "私たちの団体は",
    "本学の研究室では",
    "地域の皆さまとともに",
    "昨年度の実績を踏まえ、",
];
const CLOSINGS: &[&str] = &[
    "まずは一地区での試行から始め、効果を検証したうえで全域への展開を検討したいと考えています。",
    "市の費用負担が生じない形での実施を想定しており、詳細は協議のうえ決定したいと考えています。",
    "関係課の皆さまとの意見交換の場を設けていただけますと幸いです。",
    "実施にあたっては個人情報の取扱いに十分配慮いたします。",
];

/// Composes a proposal's text from its fields, offers and kind.
pub fn proposal_text(
    rng: &mut Rng,
    kind: Kind,
    fields: &[Field],
    offers: &[Offer],
    place: &str,
    org: &str,
) -> ProposalText {
    let main = fields.first().copied().unwrap_or(Field::Other);
    let (theme, topics) = field_words(main);
    let topic = rng.pick(topics);
    let title = match kind {
        Kind::Proposal => format!("{place}における{topic}に関する提案"),
        Kind::Consultation => format!("{topic}についてのご相談"),
        Kind::Donation => format!("{theme}分野への寄附の申出（{topic}）"),
    };
    let offer_text: Vec<&str> = offers.iter().map(|o| offer_words(*o)).collect();
    let summary = format!(
        "{org}が{}を活かし、{place}の{theme}分野の課題解決に向けて{topic}を実施するものです。",
        offer_text.join("と")
    );
    let mut details = String::new();
    details.push_str(rng.word(OPENINGS));
    details.push_str(&format!(
        "{theme}の分野で地域に根ざした活動を続けてきました。\n"
    ));
    for f in fields.iter().skip(1) {
        let (t2, topics2) = field_words(*f);
        details.push_str(&format!(
            "あわせて{t2}の観点から{}にも取り組みます。\n",
            rng.pick(topics2)
        ));
    }
    details.push_str(&format!(
        "具体的には、年{}回程度の{topic}を計画しており、1回あたり{}名程度の参加を見込んでいます。\n",
        rng.range(2, 12),
        rng.range(2, 30) * 10
    ));
    details.push_str(&format!(
        "当方からは{}を提供できます。\n",
        offer_text.join("、")
    ));
    details.push_str(rng.word(CLOSINGS));
    let expected_effects = format!(
        "{theme}に関する住民の満足度向上、参加者{}名以上、関係団体との連携強化。",
        rng.range(5, 50) * 10
    );
    ProposalText {
        title,
        summary,
        details,
        expected_effects,
    }
}

/// Why a proposal would cost the city (財政負担あり), when it does.
pub fn fiscal_explanation(rng: &mut Rng) -> String {
    format!(
        "会場使用料および広報費として約{}万円の負担をお願いしたいと考えています。",
        rng.range(5, 300)
    )
}

/// The desk's justification for deciding despite a cost to the city.
pub const FISCAL_JUSTIFICATION: &str =
    "既存事業の予算の範囲内で対応でき、費用を上回る効果が見込まれるため実施を決定した。";

/// The explanation told to the proponent with a 不採択.
pub fn decline_explanation(reason: DeclineReason) -> &'static str {
    match reason {
        DeclineReason::SalesPitch => {
            "特定の商品・サービスの販売を目的とするご提案と判断したため、今回は見送らせていただきます。"
        }
        DeclineReason::UnrelatedDonation => {
            "市の事業との関連が確認できない寄附の申出のため、お受けすることができません。"
        }
        DeclineReason::FiscalBurden => {
            "市の新たな財政負担が見込まれ、現時点では予算措置が困難なため見送らせていただきます。"
        }
        DeclineReason::Duplicate => {
            "同趣旨の事業を既に他の事業者と実施しているため、今回は見送らせていただきます。"
        }
        DeclineReason::Infeasible => {
            "関係課で検討しましたが、法令上・運用上の課題があり実施は困難との結論になりました。"
        }
        DeclineReason::Other => {
            "総合的に検討した結果、今回は採択を見送らせていただくこととなりました。"
        }
    }
}

pub const DESK_MESSAGES: &[&str] = &[
    "ご提案ありがとうございます。内容を拝見しました。詳しくお話を伺いたく、ご都合のよい日時を3つほどお知らせください。",
    "先日はお時間をいただきありがとうございました。関係課と検討を進めておりますので、今しばらくお待ちください。",
    "追加で、実施体制と想定スケジュールが分かる資料をご提供いただけますでしょうか。",
    "検討の結果についてご連絡いたします。詳細は経過欄をご確認ください。",
];

pub const PROPONENT_MESSAGES: &[&str] = &[
    "ご連絡ありがとうございます。来週の火曜日か木曜日の午後でしたら伺えます。",
    "資料を準備いたしますので、少しお時間をください。",
    "承知いたしました。引き続きよろしくお願いいたします。",
    "オンラインでの打合せも可能です。ご検討ください。",
];

pub const HEARING_NOTES: &[&str] = &[
    "提案の背景と実施体制を確認した。費用は事業者負担とのこと。",
    "先行事例の説明を受けた。対象地区と実施時期について意見交換した。",
    "個人情報の取扱いと広報の方法について確認した。",
    "関係課の同席のもと、実施可能性を協議した。",
];

pub const NEXT_STEPS: &[&str] = &[
    "関係課へ庁内照会を行う。",
    "提案者から追加資料の提出を受ける。",
    "次回打合せで実施案を具体化する。",
    "",
];

pub const ROUTING_QUESTIONS: &[&str] = &[
    "本提案について、貴課の所管事業との関連および連携の可否をご回答ください。",
    "本提案の実施にあたり、貴課で想定される課題や条件があればお知らせください。",
    "貴課の施設・事業での受け入れの可否についてご検討をお願いします。",
];

/// A department's comment with its answer.
pub fn answer_comment(answer: renkei_domain::proposal::Answer) -> &'static str {
    use renkei_domain::proposal::Answer;
    match answer {
        Answer::Interested => "所管事業の課題解決につながるため、連携して進めたい。",
        Answer::Conditional => "実施時期と費用負担の条件が整えば協力可能。",
        Answer::NotInterested => "現時点では所管事業との関連が薄く、対応は難しい。",
    }
}

/// A note the desk keeps on a status change (internal), sometimes empty.
pub fn transition_note(rng: &mut Rng) -> &'static str {
    rng.word(&[
        "",
        "",
        "課長了承済み。",
        "庁内調整会議で報告。",
        "提案者に電話で連絡済み。",
    ])
}

/// What a partner takes on in a partnership.
pub const PARTY_ROLES: &[&str] = &[
    "人材とノウハウの提供、事業の企画・運営",
    "物資・機材の提供と保管",
    "会場の提供と参加者の募集",
    "調査・分析と報告書の作成",
    "広報・情報発信への協力",
];

/// What the city takes on.
pub const CITY_ROLES: &[&str] = &[
    "関係部署との調整と広報、公共施設の使用に関する便宜",
    "参加者募集への協力と会場の確保",
    "地域団体との橋渡しと市の計画との整合の確認",
];

/// Activities (取組実績) recorded under partnerships.
pub const ACTIVITY_TITLES: &[&str] = &[
    "出前講座",
    "地域イベントへの出展",
    "防災訓練",
    "親子向けワークショップ",
    "清掃活動",
    "健康相談会",
    "連携会議",
    "市民向けセミナー",
    "実証実験",
    "成果報告会",
];
