//! Where people already are: a month of the routine delivered to real servers on loopback
//! (an SMTP server, the 企业微信 and 钉钉 robots, a signed webhook, Aliyun and Tencent SMS,
//! each checking requests and signatures as the providers document them), on SQLite and
//! PostgreSQL. Every message in the outbox is accounted for: sent, none lost, none twice;
//! retries after the provider's errors; rate limits kept; refused ones given up and shown
//! to the administrator; credentials never shown again.

use duban_testkit as common;

use common::{Client, Outside, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};
use std::collections::BTreeMap;

duban_testkit::on_both!(
    180,
    a_month_delivered_everywhere,
    refusals_rate_limits_and_secrets,
);

/// 09:05 in Beijing on a day of December 2025, as milliseconds.
fn at(day: u32) -> i64 {
    common::beijing(2025, 12, day, 9, 5)
}

/// The busiest leaf unit with November reports missing, and its parent: (unit code,
/// parent code, parent id).
async fn busy_unit(db: &Db) -> (String, i64, String, i64) {
    let missing = common::not_submitted(db, 2025, 11).await;
    let units = duban_store::units::list(db).await.unwrap();
    let mut counts: BTreeMap<i64, usize> = Default::default();
    for m in &missing {
        *counts.entry(m.unit_id).or_default() += 1;
    }
    let mut ranked: Vec<(i64, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let leaf = |id: i64| !units.iter().any(|u| u.parent_id == Some(id));
    let unit = ranked
        .iter()
        .map(|(u, _)| units.iter().find(|x| x.id == *u).unwrap())
        .find(|u| u.parent_id.is_some() && leaf(u.id))
        .unwrap();
    let parent = units.iter().find(|u| Some(u.id) == unit.parent_id).unwrap();
    (unit.code.clone(), unit.id, parent.code.clone(), parent.id)
}

async fn add_channel(admin: &Client, body: Value) -> i64 {
    let (s, v) = admin.post("/api/v1/channels", body.clone()).await;
    assert_eq!(s, 200, "{body} → {v}");
    v["id"].as_i64().unwrap()
}

/// Deliver everything due, passing time an hour a round so retries come due.
async fn deliver_all(db: &Db, from: i64) -> (i64, duban_app::delivery::Delivered) {
    let mut total = duban_app::delivery::Delivered::default();
    let mut now = from.max(duban_store::now_ms());
    for _ in 0..12 {
        let d = duban_app::delivery::deliver_due(db, now, 1000)
            .await
            .unwrap();
        total.sent += d.sent;
        total.retried += d.retried;
        total.failed += d.failed;
        total.postponed += d.postponed;
        if d.is_empty() {
            break;
        }
        now += 3_600_000;
    }
    (now, total)
}

async fn a_month_delivered_everywhere(db: Db) {
    let (busy, busy_id, parent, parent_id) = busy_unit(&db).await;
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::All)]).await;
    user(&db, "rep", &busy, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &busy, &[(Role::Approver, Scope::Own)]).await;
    user(&db, "boss", &parent, &[(Role::Leader, Scope::Subtree)]).await;
    let addr = spawn_app(db.clone()).await;
    let out = Outside::start();
    let admin = Client::login(&addr, "admin").await;
    let (rep, appr, boss) = (
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
        Client::login(&addr, "boss").await,
    );

    // The administrator sets up the office's channels.
    let email = add_channel(
        &admin,
        json!({"name": "单位邮箱", "config": {"kind": "email",
        "host": "127.0.0.1", "port": out.smtp, "security": "none", "username": "duban",
        "password": "mail-pass", "from": "督办系统 <duban@fgw.example.gov.cn>"}}),
    )
    .await;
    let wecom = add_channel(
        &admin,
        json!({"name": "项目单位工作群", "unit_id": busy_id,
        "config": {"kind": "wecom", "url": out.url("/wecom/send?key=WK-test")}}),
    )
    .await;
    let dingtalk = add_channel(
        &admin,
        json!({"name": "上级单位钉钉群", "unit_id": parent_id,
        "config": {"kind": "dingtalk", "url": out.url("/dingtalk/send?access_token=DT-test"),
        "secret": "SEC-dingtalk-test"}}),
    )
    .await;
    let hook = add_channel(
        &admin,
        json!({"name": "浙政钉对接", "events": ["report_escalated", "report_missing"],
        "config": {"kind": "webhook", "url": out.url("/hook"), "secret": "hook-secret"}}),
    )
    .await;
    let aliyun = add_channel(
        &admin,
        json!({"name": "阿里云短信", "events": ["report_missing"],
        "config": {"kind": "sms", "provider": "aliyun", "endpoint": out.url("/aliyun/"),
        "access_key_id": "LTAI-test", "access_key_secret": "ali-secret", "sign_name": "某市发改委",
        "template_code": "SMS_0001", "params": ["title"]}}),
    )
    .await;
    let tencent = add_channel(
        &admin,
        json!({"name": "腾讯云短信", "events": ["report_escalated"],
        "config": {"kind": "sms", "provider": "tencent", "endpoint": out.url("/tencent/"),
        "access_key_id": "AKID-test", "access_key_secret": "tc-secret", "sign_name": "某市发改委",
        "template_code": "1234567", "sdk_app_id": "1400000001", "params": ["title"]}}),
    )
    .await;
    let names: BTreeMap<i64, &str> = [
        (email, "email"),
        (wecom, "wecom"),
        (dingtalk, "dingtalk"),
        (hook, "webhook"),
        (aliyun, "sms-aliyun"),
        (tencent, "sms-tencent"),
    ]
    .into_iter()
    .collect();

    // Each person says where they want their messages.
    rep.ok_put(
        "/api/v1/me/notify-prefs",
        json!({"email": "rep@unit.example.cn",
        "mobile": "13800000001", "channels": ["email"]}),
    )
    .await;
    appr.ok_put(
        "/api/v1/me/notify-prefs",
        json!({"mobile": "138-0000-0002", "channels": ["sms"]}),
    )
    .await;
    boss.ok_put(
        "/api/v1/me/notify-prefs",
        json!({"email": "boss@gov.example.cn",
        "mobile": "13800000003", "channels": ["email", "sms"]}),
    )
    .await;
    // A choice that cannot work is refused, naming the field.
    let (s, e) = appr
        .put("/api/v1/me/notify-prefs", json!({"channels": ["email"]}))
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(common::fields(&e).contains(&"channels"), "{e}");
    let mine = appr.ok("/api/v1/me/notify-prefs").await;
    assert_eq!(mine["prefs"]["mobile"], "13800000002");
    assert_eq!(mine["groups"], json!(["项目单位工作群"]));

    // The webhook fails twice (the receiver is down), then recovers.
    out.fail("/hook", 2, 503).await;

    // The month, a tick a day at 09:05, each day's outbox delivered.
    let mut now = duban_store::now_ms();
    let mut total = duban_app::delivery::Delivered::default();
    for day in 1..=31 {
        duban_app::routine::tick(&db, at(day)).await.unwrap();
        let (t, d) = deliver_all(&db, now).await;
        now = t;
        total.sent += d.sent;
        total.retried += d.retried;
        total.failed += d.failed;
    }

    // Every message in the outbox is accounted for.
    let counts = duban_store::deliveries::counts(&db).await.unwrap();
    let lost: i64 = counts.iter().filter(|c| c.1 != "sent").map(|c| c.2).sum();
    assert_eq!(lost, 0, "every message sent: {counts:?}");
    let log = out.log().await;
    let http = log["http"].as_array().unwrap();
    let ok_at = |p: &str| {
        http.iter()
            .filter(|e| e["path"] == p && e["ok"] == true)
            .count()
    };
    let dup = http.iter().filter(|e| e["duplicate"] == true).count();
    assert_eq!(dup, 0, "no message twice");
    let mails = log["mail"].as_array().unwrap();
    // What each person heard in the app went to their own channels as they chose.
    let bell = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["event"].as_str().unwrap().to_string())
            .collect()
    };
    let rep_heard = bell(rep.ok("/api/v1/notifications?page_size=100").await);
    let appr_heard = bell(appr.ok("/api/v1/notifications?page_size=100").await);
    let boss_heard = bell(boss.ok("/api/v1/notifications?page_size=100").await);
    assert!(
        rep_heard.contains(&"report_due_soon".to_string()),
        "{rep_heard:?}"
    );
    assert!(
        boss_heard.contains(&"report_escalated".to_string()),
        "{boss_heard:?}"
    );
    let mails_to = |who: &str| {
        mails
            .iter()
            .filter(|m| {
                m["to"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t.as_str().unwrap().contains(who))
            })
            .count()
    };
    assert_eq!(
        mails_to("rep@unit.example.cn"),
        rep_heard.len(),
        "{mails:?}"
    );
    assert_eq!(mails_to("boss@gov.example.cn"), boss_heard.len());
    // Mail went through the SMTP server signed in, with a subject in words.
    assert!(mails.iter().all(|m| m["user"] == "duban"));
    assert!(
        mails
            .iter()
            .any(|m| m["data"].as_str().unwrap().contains("Subject: =?utf-8?")),
        "{mails:?}"
    );
    // SMS: the approver's "missing" through Aliyun, the leader's escalation through
    // Tencent, each with the number and the message's title as the template parameter.
    let sms = |p: &str| -> Vec<&Value> {
        http.iter()
            .filter(|e| e["path"] == p && e["ok"] == true)
            .collect()
    };
    let missing_for_appr = appr_heard.iter().filter(|e| *e == "report_missing").count();
    assert_eq!(sms("/aliyun/").len(), missing_for_appr);
    assert_eq!(sms("/aliyun/")[0]["to"], "13800000002");
    assert!(
        sms("/aliyun/")[0]["param"]["title"]
            .as_str()
            .unwrap()
            .contains("2025年11月")
    );
    let escalations = boss_heard
        .iter()
        .filter(|e| *e == "report_escalated")
        .count();
    assert_eq!(sms("/tencent/").len(), escalations);
    assert_eq!(sms("/tencent/")[0]["to"][0], "+8613800000003");
    // The unit's work group: one message per stage for the clerk and the approver
    // together, mentioning both.
    let wecom_msgs = sms("/wecom/send");
    assert!(!wecom_msgs.is_empty());
    let both = wecom_msgs.iter().find(|m| {
        let men = m["mentions"].as_array().unwrap();
        men.contains(&json!("13800000001")) && men.contains(&json!("13800000002"))
    });
    assert!(
        both.is_some(),
        "the missing-report message mentions both: {wecom_msgs:?}"
    );
    // Escalation climbs the tree: the parent's 钉钉 group hears it.
    assert!(
        sms("/dingtalk/send")
            .iter()
            .any(|m| m["content"].as_str().unwrap().contains("督办")),
        "{:?}",
        sms("/dingtalk/send")
    );
    // The webhook got every message once, after two refusals and retries.
    assert_eq!(
        ok_at("/hook"),
        http.iter()
            .filter(|e| e["path"] == "/hook" && e["ok"] == true)
            .count()
    );
    assert_eq!(total.retried, 2, "{total:?}");
    assert_eq!(total.failed, 0);

    // The administrator's log: every attempt, the two failures among them.
    let l = admin
        .ok(&format!("/api/v1/deliveries?channel={hook}&page_size=100"))
        .await;
    let attempts: usize = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["attempt_log"].as_array().unwrap().len())
        .sum();
    assert_eq!(attempts as i64, l["total"].as_i64().unwrap() + 2, "{l}");
    assert_eq!(l["failed_last_day"], 0);

    // The counts for the closing note: messages by event and channel.
    let rows = admin.ok("/api/v1/deliveries?page_size=500").await;
    let mut by: BTreeMap<(String, String), usize> = BTreeMap::new();
    for d in rows["items"].as_array().unwrap() {
        let ch = names[&d["channel_id"].as_i64().unwrap()].to_string();
        *by.entry((d["event"].as_str().unwrap().to_string(), ch))
            .or_default() += 1;
    }
    let bell_counts = duban_store::notifications::count_by_event(&db)
        .await
        .unwrap();
    eprintln!(
        "a month delivered: in-app {bell_counts:?}; outbox by (event, channel) {by:?}; sent {}, retries {}, failed {}, duplicates {dup}, lost {lost}; mails {}",
        total.sent,
        total.retried,
        total.failed,
        mails.len()
    );
}

async fn refusals_rate_limits_and_secrets(db: Db) {
    let (busy, busy_id, _, _) = busy_unit(&db).await;
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::All)]).await;
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "rep", &busy, &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let out = Outside::start();
    let admin = Client::login(&addr, "admin").await;
    let sup = Client::login(&addr, "sup").await;

    // Bad settings are refused with the field named.
    let (s, e) = admin
        .post(
            "/api/v1/channels",
            json!({"name": "x", "config": {"kind": "wecom", "url": "ftp://robot"}}),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    assert!(common::fields(&e).contains(&"url"), "{e}");
    let (s, e) = admin
        .post(
            "/api/v1/channels",
            json!({"name": "x", "config": {"kind": "dingtalk",
            "url": out.url("/dingtalk/send?access_token=DT-test"), "secret": ""}}),
        )
        .await;
    assert_eq!(s, 400);
    assert!(common::fields(&e).contains(&"secret"), "{e}");
    // Only administrators manage channels.
    let (s, _) = sup.get("/api/v1/channels").await;
    assert_eq!(s, 403);

    // A robot with a key that is wrong: refused, given up, and the admin page warns.
    let wrong = add_channel(
        &admin,
        json!({"name": "错误的机器人", "unit_id": busy_id,
        "config": {"kind": "wecom", "url": out.url("/wecom/send?key=WRONG")}}),
    )
    .await;
    // A 钉钉 robot whose secret is wrong: the signature does not match.
    let unsigned = add_channel(
        &admin,
        json!({"name": "加签错误", "unit_id": busy_id,
        "config": {"kind": "dingtalk", "url": out.url("/dingtalk/send?access_token=DT-test"),
        "secret": "SEC-wrong"}}),
    )
    .await;
    let good = add_channel(
        &admin,
        json!({"name": "正确的机器人", "unit_id": busy_id,
        "config": {"kind": "wecom", "url": out.url("/wecom/send?key=WK-test")}}),
    )
    .await;

    // Credentials are never shown again; a change that leaves them blank keeps them.
    let list = admin.ok("/api/v1/channels").await;
    let text = list.to_string();
    assert!(
        !text.contains("WK-test") && !text.contains("SEC-wrong"),
        "{text}"
    );
    let shown = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == good)
        .unwrap()
        .clone();
    assert_eq!(shown["config"]["url"], out.url("/wecom/send"));
    admin
        .ok_put(
            &format!("/api/v1/channels/{good}"),
            json!({"name": "正确的机器人（改名）", "unit_id": busy_id, "config": shown["config"]}),
        )
        .await;
    // In the database the settings are sealed: the robot's key is not there in clear.
    let sealed = duban_store::deliveries::channels(&db).await.unwrap();
    assert!(
        sealed
            .iter()
            .all(|c| !c.sealed.contains("WK-test") && c.sealed.starts_with("v1:"))
    );

    // 催报 from the supervisor's page: 25 messages' worth cannot all go in one minute to
    // a robot that takes 20 — the rest wait, then go.
    for i in 0..25 {
        let mut w = duban_app::unit_of_work::Console::open()
            .write(&db)
            .await
            .unwrap();
        let m = duban_domain::notify::Message {
            event: duban_domain::notify::Event::ReportDueToday,
            title_zh: format!("第{i}条"),
            title_en: format!("number {i}"),
            body_zh: "正文".into(),
            body_en: "body".into(),
            link: "/reports".into(),
        };
        let rep_id = duban_store::users::by_username(&db, "rep")
            .await
            .unwrap()
            .unwrap()
            .id;
        w.notify(rep_id, &m, format!("burst:{i}"));
        w.commit().await.unwrap();
    }
    let now = duban_store::now_ms();
    let first = duban_app::delivery::deliver_due(&db, now, 1000)
        .await
        .unwrap();
    // Each of the 25 messages goes to the three robots of the unit, each robot taking 20
    // in the minute and leaving 5 for the next: the wrong one and the unsigned one refuse
    // every message they get (given up at once, no retry), the right one delivers.
    assert_eq!(first.failed, 40, "{first:?}");
    assert_eq!(first.sent, 20, "{first:?}");
    assert_eq!(first.postponed, 15, "{first:?}");
    let limited = |log: Value| {
        log["http"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["limited"] == true)
            .count()
    };
    assert_eq!(
        limited(out.log().await),
        0,
        "duban kept to the robot's rate"
    );
    // A minute later by duban's clock, but not by the robot's: the robot answers 45009
    // (too many a minute) and the five wait the minute it asks for.
    let later = duban_app::delivery::deliver_due(&db, now + 61_000, 1000)
        .await
        .unwrap();
    assert_eq!((later.retried, later.failed), (5, 10), "{later:?}");
    assert_eq!(limited(out.log().await), 5);
    out.minute_passed().await;
    let last = duban_app::delivery::deliver_due(&db, now + 200_000, 1000)
        .await
        .unwrap();
    assert_eq!(last.sent, 5, "{last:?}");

    let l = admin
        .ok(&format!("/api/v1/deliveries?channel={wrong}&status=failed"))
        .await;
    assert_eq!(l["total"], 25);
    assert!(l["failed_last_day"].as_i64().unwrap() >= 50);
    assert!(
        l["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("93000"),
        "{l}"
    );
    let l = admin
        .ok(&format!(
            "/api/v1/deliveries?channel={unsigned}&status=failed"
        ))
        .await;
    assert!(
        l["items"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("310000"),
        "{l}"
    );
    // The channel list counts them.
    let list = admin.ok("/api/v1/channels").await;
    let w = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == wrong)
        .unwrap();
    assert_eq!(w["failed"], 25);

    // A test message from the channel page goes out like any other.
    admin
        .ok_post(&format!("/api/v1/channels/{good}/test"), json!({}))
        .await;
    let t = duban_app::delivery::deliver_due(&db, now + 400_000, 10)
        .await
        .unwrap();
    assert_eq!(t.sent, 1);

    // The supervisor's 催报 sends reminders, once a day per unit and person.
    let sent = sup
        .ok_post("/api/v1/reports/urge", json!({"period": "2025-11"}))
        .await;
    assert!(sent["messages"].as_i64().unwrap() >= 1, "{sent}");
    let again = sup
        .ok_post("/api/v1/reports/urge", json!({"period": "2025-11"}))
        .await;
    let rep = Client::login(&addr, "rep").await;
    let v = rep.ok("/api/v1/notifications?page_size=100").await;
    let urged = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["link"] == "/reports?period=2025-11")
        .count();
    assert_eq!(urged, 1, "pressed twice, told once: {again}");
    // Only a supervisor urges.
    let (s, _) = rep
        .post("/api/v1/reports/urge", json!({"period": "2025-11"}))
        .await;
    assert_eq!(s, 403);

    // Templates: an unknown variable is refused; a preview fills the example.
    let (s, e) = admin
        .post(
            "/api/v1/settings/templates/preview",
            json!({"template": {"zh": "{title}{foo}", "en": "x"}}),
        )
        .await;
    assert_eq!(s, 400, "{e}");
    let p = admin
        .ok_post(
            "/api/v1/settings/templates/preview",
            json!({"template": {"zh": "{recipient}：{title}", "en": "x"}}),
        )
        .await;
    assert_eq!(p["text"], "张三：2025年11月月报今日截止");
    // The routine's runs are the administrator's to see.
    let runs = admin.ok("/api/v1/jobs/runs").await;
    assert!(runs["items"].is_array());
}
