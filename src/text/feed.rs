//! Feed events in words, in English or Korean. Both languages sit side by side in each arm, so
//! a sentence can never be missing in one of them. Words from outside (a server's error, a
//! parse error, an OS error) are quoted as they came.
//!
//! Longer than our usual 600 lines on purpose: it is one `match` over every event, and keeping
//! it whole is what lets the compiler check that no event lacks its words.
//! A concern whose events grow as a group gets a file of its own that this match hands them
//! to (the Alertmanager intake's, the desktop's, the AI analyst's and the knowledge base's are in
//! `text/alerts.rs`; a plan's runs, stops and refusals in `text/plan.rs`; what only an
//! incident's timeline records in `text/timeline.rs`; team mode's in `text/team.rs`), so this one grows only
//! with events that fit nowhere else. Splitting the match itself by variant would give up that
//! exhaustiveness check; its 869 lines are the routing arms to those files and the events of
//! no group (start, sources, saves, deferral and close, notifications).

use super::{format_duration, rule_value};
use crate::model::{
    Destination, FeedEntry, FeedEvent, JobDesc, Lang, NotifyEvent, RuleValue, SavedFile,
    SourceDesc, ThresholdDesc, UserFile,
};

/// The single line headless prints: time, kind tag, words.
pub fn line(entry: &FeedEntry, lang: Lang) -> String {
    format!(
        "{} {:<9} {}",
        entry.at.format("%Y-%m-%dT%H:%M:%SZ"),
        entry.kind.tag(),
        message(&entry.event, lang)
    )
}

fn pick(lang: Lang, en: String, ko: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// `http_error_rate > 5.00 %`.
fn threshold(t: &ThresholdDesc) -> String {
    format!(
        "{} {} {}",
        t.rule,
        t.comparison.symbol(),
        t.unit.format(t.threshold)
    )
}

fn values(values: &[RuleValue], lang: Lang) -> String {
    if values.is_empty() {
        return pick(lang, "no values".into(), "값 없음".into());
    }
    values
        .iter()
        .map(|v| rule_value(v, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where numbers come from, in words.
pub fn source(s: &SourceDesc, lang: Lang) -> String {
    match s {
        SourceDesc::Demo { forced: true, seed } => pick(
            lang,
            format!("demo source forced by --demo (seed {seed})"),
            format!("--demo로 지정한 데모 소스 (시드 {seed})"),
        ),
        SourceDesc::Demo {
            forced: false,
            seed,
        } => pick(
            lang,
            format!("demo source (seed {seed})"),
            format!("데모 소스 (시드 {seed})"),
        ),
        SourceDesc::Live { url } => pick(
            lang,
            format!("live Prometheus {url}"),
            format!("실시간 Prometheus {url}"),
        ),
        SourceDesc::Failing { url, reason } => pick(
            lang,
            format!("Prometheus {url}, failing: {reason}"),
            format!("Prometheus {url}, 실패 중: {reason}"),
        ),
        SourceDesc::Off => pick(
            lang,
            "no metric source (demo is off and no Prometheus URL is set)".into(),
            "메트릭 소스 없음 (데모가 꺼져 있고 Prometheus URL이 없습니다)".into(),
        ),
    }
}

fn file(f: SavedFile, lang: Lang) -> &'static str {
    match (f, lang) {
        (SavedFile::Feed, Lang::En) => "the feed",
        (SavedFile::Incidents, Lang::En) => "incidents",
        (SavedFile::Outbox, Lang::En) => "the notification outbox",
        (SavedFile::Feed, Lang::Ko) => "이벤트 피드",
        (SavedFile::Incidents, Lang::Ko) => "인시던트",
        (SavedFile::Outbox, Lang::Ko) => "알림 보관함",
        (SavedFile::AlertHistory, Lang::En) => "the alert history",
        (SavedFile::AlertHistory, Lang::Ko) => "알림 기록",
        (SavedFile::Samples, Lang::En) => "an incident's kept samples",
        (SavedFile::Samples, Lang::Ko) => "인시던트 샘플",
    }
}

/// `incident #3 report to Slack #ops`.
pub fn job(j: &JobDesc, lang: Lang) -> String {
    let what = match (j.event, lang) {
        (NotifyEvent::Opened, Lang::En) => "report".to_string(),
        (NotifyEvent::Manual(_), Lang::En) => "report (sent by hand)".into(),
        (NotifyEvent::PlanExecuted, Lang::En) => "plan-executed update".into(),
        (NotifyEvent::PlanDeferred, Lang::En) => "plan-deferred update".into(),
        (NotifyEvent::PlanStopped, Lang::En) => "plan-stopped update".into(),
        (NotifyEvent::PlanStopped, Lang::Ko) => "플랜 중단 알림".into(),
        (NotifyEvent::Recovered, Lang::En) => "recovered update".into(),
        (NotifyEvent::AiReport, Lang::En) => "AI report".into(),
        (NotifyEvent::AiReport, Lang::Ko) => "AI 보고서".into(),
        (NotifyEvent::Reminder, Lang::En) => "reminder".into(),
        (NotifyEvent::Reminder, Lang::Ko) => "리마인더".into(),
        (NotifyEvent::Escalated, Lang::En) => "escalation".into(),
        (NotifyEvent::Escalated, Lang::Ko) => "에스컬레이션".into(),
        (NotifyEvent::Closed, Lang::En) => "closed update".into(),
        (NotifyEvent::Refired(n), Lang::En) => format!("re-fire {n} update"),
        (NotifyEvent::Opened, Lang::Ko) => "보고".into(),
        (NotifyEvent::Manual(_), Lang::Ko) => "보고 (수동 전송)".into(),
        (NotifyEvent::PlanExecuted, Lang::Ko) => "플랜 실행 알림".into(),
        (NotifyEvent::PlanDeferred, Lang::Ko) => "플랜 보류 알림".into(),
        (NotifyEvent::Recovered, Lang::Ko) => "복구 알림".into(),
        (NotifyEvent::Closed, Lang::Ko) => "종료 알림".into(),
        (NotifyEvent::Refired(n), Lang::Ko) => format!("재발 {n} 알림"),
    };
    let to = match &j.destination {
        Destination::Slack { channel } => format!("Slack {channel}"),
        Destination::Email { to } => match lang {
            Lang::En => format!("email to {}", to.join(", ")),
            Lang::Ko => format!("메일 ({})", to.join(", ")),
        },
    };
    pick(
        lang,
        format!("incident #{} {what} to {to}", j.incident),
        format!("인시던트 #{} {what} → {to}", j.incident),
    )
}

/// The event in words (a provisional incident number as `#L1`, see [`super::local_ids`]).
pub fn message(event: &FeedEvent, lang: Lang) -> String {
    super::local_ids(words(event, lang))
}

fn words(event: &FeedEvent, lang: Lang) -> String {
    use FeedEvent::*;
    match event {
        Legacy(text) => text.clone(),
        AlertFired { .. }
        | AlertResolved { .. }
        | AlertStorm { .. }
        | AlertsTruncated { .. }
        | IntakeListening { .. }
        | IntakeUnusable { .. }
        | IntakeRefused { .. }
        | AlertmanagerUp { .. }
        | AlertmanagerFailing { .. }
        | AlertIncident { .. }
        | AlertAttached { .. }
        | AlertsAllResolved { .. }
        | Acknowledged { .. }
        | AckExtended { .. }
        | AckLapsed { .. }
        | AckReminder { .. }
        | AckDropped { .. }
        | Escalated { .. }
        | AcknowledgedMany { .. }
        | AckFailed { .. }
        | AckNotMade { .. }
        | Unsilenced { .. } => super::alerts::message(event, lang).unwrap_or_default(),
        DesktopUnavailable { .. }
        | WentToTray
        | TrayUnavailable { .. }
        | TrayHost { .. }
        | AutostartSet { .. }
        | AutostartFailed { .. } => super::desktop::message(event, lang).unwrap_or_default(),
        HypothesisMarked { .. }
        | PlanApproved { .. }
        | RunApproved { .. }
        | NoteAdded { .. }
        | NoteEdited { .. }
        | Starred { .. }
        | EvidenceChecked { .. }
        | ReviewWritten { .. }
        | FollowUpAdded { .. }
        | FollowUpChanged { .. }
        | UnknownEvent { .. } => super::timeline::message(event, lang).unwrap_or_default(),
        AiReportReady { .. }
        | KnowledgeImported { .. }
        | AiReportFailed { .. }
        | ReviewDraftAsked { .. }
        | ReviewDrafted { .. }
        | ReviewDraftFailed { .. } => super::analyst::message(event, lang).unwrap_or_default(),
        OwnerChanged { .. }
        | TeamJoined { .. }
        | TeamUnreachable { .. }
        | TeamBack { .. }
        | TeamUnusable { .. }
        | TeamRefused { .. }
        | TeamOpened { .. }
        | TeamEventUnreadable { .. }
        | RunLost { .. } => super::team::message(event, lang).unwrap_or_default(),
        NotTaken { .. } | AlertsCut { .. } | IntakeTokenMade => {
            super::intake::message(event, lang).unwrap_or_default()
        }
        Started {
            source: s,
            poll_secs,
            data_dir,
            restored,
            active,
        } => {
            let list: Vec<String> = active.iter().map(|(id, c)| format!("#{id} {c}")).collect();
            let (en_list, ko_list) = if list.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!(": {}", list.join(", ")),
                    format!(": {}", list.join(", ")),
                )
            };
            pick(
                lang,
                format!(
                    "Console started: {}, poll every {poll_secs} s, data dir {data_dir}; restored {restored} incidents ({} active{en_list})",
                    source(s, lang),
                    active.len()
                ),
                format!(
                    "콘솔 시작: {}, {poll_secs}초마다 수집, 데이터 폴더 {data_dir}; 인시던트 {restored}건 복원 (진행 중 {}건{ko_list})",
                    source(s, lang),
                    active.len()
                ),
            )
        }
        RestoreProblem(words) | EnvironmentProblem(words) => words.clone(),
        FileSkipped { file, error } => match (file, lang) {
            (UserFile::Scenario, Lang::En) => format!("scenario file skipped: {error}"),
            (UserFile::Rule, Lang::En) => format!("rule file skipped: {error}"),
            (UserFile::Scenario, Lang::Ko) => format!("런북 파일을 건너뜀: {error}"),
            (UserFile::Rule, Lang::Ko) => format!("규칙 파일을 건너뜀: {error}"),
        },
        Overridden { names } => pick(
            lang,
            format!("Settings overridden for this run by {}", names.join(", ")),
            format!(
                "이번 실행의 설정을 환경 변수가 덮어씀: {}",
                names.join(", ")
            ),
        ),
        OutboxRestored { waiting, pending } => pick(
            lang,
            format!(
                "Notifications from the last run: {waiting} still to deliver, {pending} pending your decision"
            ),
            format!("지난 실행의 알림: 전송 대기 {waiting}건, 결정 대기 {pending}건"),
        ),
        DemoBackfilled { samples } => pick(
            lang,
            format!(
                "Graphs back-filled with {samples} simulated calm demo samples; the monitor watches from now on"
            ),
            format!(
                "그래프를 시뮬레이션한 평온한 데모 샘플 {samples}개로 채웠습니다. 감시는 지금부터 시작합니다"
            ),
        ),
        DemoLacks { rules } => pick(
            lang,
            format!(
                "Demo source has no data for {}: their cards stay empty until a Prometheus is set",
                rules.join(", ")
            ),
            format!(
                "데모 소스에는 {}의 데이터가 없습니다. Prometheus를 설정할 때까지 카드가 비어 있습니다",
                rules.join(", ")
            ),
        ),
        Detected {
            id,
            code,
            series,
            values: v,
        } => pick(
            lang,
            format!(
                "{code} opened incident #{id}: {} {}",
                series.join(", "),
                values(v, lang)
            ),
            format!(
                "{code} 인시던트 #{id} 열림: {} {}",
                series.join(", "),
                values(v, lang)
            ),
        ),
        Refired {
            id,
            code,
            count,
            series,
            values: v,
            ongoing,
        } => {
            let (en_also, ko_also) = if *ongoing {
                (
                    " (another series was still in breach)",
                    " (다른 시리즈가 아직 초과 중)",
                )
            } else {
                ("", "")
            };
            pick(
                lang,
                format!(
                    "{code} re-fired on incident #{id} (re-fire {count}){en_also}: {} {}",
                    series.join(", "),
                    values(v, lang)
                ),
                format!(
                    "{code} 인시던트 #{id} 재발 ({count}회){ko_also}: {} {}",
                    series.join(", "),
                    values(v, lang)
                ),
            )
        }
        Triggered {
            id,
            code,
            random,
            refired,
            values: v,
            stale_since,
        } => {
            let (en_how, ko_how) = if *random {
                ("random manual trigger", "무작위 수동 발생")
            } else {
                ("manual trigger", "수동 발생")
            };
            let (en_what, ko_what) = if *refired {
                (
                    format!("re-fired open incident #{id}"),
                    format!("진행 중 인시던트 #{id} 재발"),
                )
            } else {
                (
                    format!("opened incident #{id}"),
                    format!("인시던트 #{id} 열림"),
                )
            };
            let (en_stale, ko_stale) = match stale_since {
                Some(t) => (
                    format!(
                        " (stale: last good sample at {}; the source is failing)",
                        t.format("%H:%M:%S")
                    ),
                    format!(
                        " (오래된 값: 마지막 정상 샘플 {}; 소스가 실패 중)",
                        t.format("%H:%M:%S")
                    ),
                ),
                None => (String::new(), String::new()),
            };
            pick(
                lang,
                format!(
                    "{en_how} of {code} {en_what}: {}{en_stale}",
                    values(v, lang)
                ),
                format!("{code} {ko_how}, {ko_what}: {}{ko_stale}", values(v, lang)),
            )
        }
        Cleared {
            threshold: t,
            window,
        } => {
            let value = t.unit.format(t.threshold);
            let side = t.comparison.symbol();
            pick(
                lang,
                format!(
                    "{} breach cleared: the last {window} samples of every series are clean ({side} {value})",
                    t.rule
                ),
                format!(
                    "{} 초과 해소: 모든 시리즈의 최근 {window}개 샘플이 정상입니다 ({side} {value})",
                    t.rule
                ),
            )
        }
        SeriesClear { rule, series } => pick(
            lang,
            format!("{series} of {rule} clean again"),
            format!("{rule}의 {series} 정상으로 돌아옴"),
        ),
        SeriesMissing {
            rule,
            series,
            samples,
        } => pick(
            lang,
            format!(
                "{rule}: series {series} went missing ({samples} polls without a sample); counted as clean"
            ),
            format!(
                "{rule}: 시리즈 {series}가 사라졌습니다 ({samples}번 수집 동안 샘플 없음). 정상으로 간주합니다"
            ),
        ),
        FlappingStarted {
            rule,
            breaches,
            window_mins,
        } => pick(
            lang,
            format!(
                "{rule} is flapping: {breaches} breaches began in the last {window_mins} min; its re-fires are recorded but not notified"
            ),
            format!(
                "{rule} 플래핑: 최근 {window_mins}분 동안 초과가 {breaches}번 시작되었습니다. 재발은 기록하지만 알리지 않습니다"
            ),
        ),
        FlappingStopped { rule } => pick(
            lang,
            format!("{rule} is no longer flapping; its re-fires are notified again"),
            format!("{rule} 플래핑 끝: 재발을 다시 알립니다"),
        ),
        RunbookMissing { rule, runbook } => pick(
            lang,
            format!(
                "Rule {rule} names runbook `{runbook}`, which is not loaded; opening a generic incident instead"
            ),
            format!("규칙 {rule}의 런북 `{runbook}`이(가) 없어 일반 인시던트를 엽니다"),
        ),
        Recovered {
            id,
            code,
            samples,
            ttr_secs,
        } => {
            let ttr = format_duration(chrono::Duration::seconds(*ttr_secs));
            pick(
                lang,
                format!(
                    "Incident #{id} {code} recovered after {samples} healthy samples; time to recover {ttr}"
                ),
                format!("인시던트 #{id} {code} 복구: 정상 샘플 {samples}회 연속; 복구 시간 {ttr}"),
            )
        }
        PlanExecuted { .. }
        | ActionRan { .. }
        | DryRunReady { .. }
        | PlanStopped { .. }
        | OutcomeUnknown { .. }
        | AuditFailed { .. }
        | PlanRefused { .. } => super::plan::message(event, lang).unwrap_or_default(),
        PlanDeferred { id, code, actions } => pick(
            lang,
            format!(
                "Action plan of incident #{id} {code} deferred for manual review ({actions} actions kept)"
            ),
            format!("인시던트 #{id} {code}의 조치 계획을 수동 검토로 보류 (조치 {actions}개 보관)"),
        ),
        NotDeferred { id } => pick(
            lang,
            format!("Action plan of incident #{id} is not awaiting approval; nothing deferred"),
            format!("인시던트 #{id}의 플랜은 승인 대기 중이 아니어서 보류하지 않았습니다"),
        ),
        Closed {
            id,
            code,
            resolution,
        } => {
            let why = if resolution.is_empty() {
                String::new()
            } else {
                format!(": {resolution}")
            };
            pick(
                lang,
                format!("Incident #{id} {code} closed{why}"),
                format!("인시던트 #{id} {code} 종료{why}"),
            )
        }
        UnknownIncident { id } => pick(
            lang,
            format!("There is no incident #{id}"),
            format!("인시던트 #{id}는 없습니다"),
        ),
        NoScenario { code: None } => pick(
            lang,
            "No scenario is loaded; nothing to trigger".into(),
            "불러온 런북이 없어 발생시킬 것이 없습니다".into(),
        ),
        NoScenario { code: Some(code) } => pick(
            lang,
            format!("Unknown scenario `{code}`"),
            format!("알 수 없는 런북 `{code}`"),
        ),
        Verified { checks, recovered } => {
            let (en_state, ko_state) = if *recovered {
                ("recovered", "복구됨")
            } else {
                ("pending", "대기")
            };
            pick(
                lang,
                format!("Verification {}: {en_state}", values(checks, lang)),
                format!("복구 검증 {}: {ko_state}", values(checks, lang)),
            )
        }
        VerifyImpossible { source: s, reason } => {
            let (en_r, ko_r) = if reason.is_empty() {
                (String::new(), String::new())
            } else {
                (format!(": {reason}"), format!(": {reason}"))
            };
            pick(
                lang,
                format!("Verification not possible: {}{en_r}", source(s, lang)),
                format!("복구 검증 불가: {}{ko_r}", source(s, lang)),
            )
        }
        Connected {
            url,
            series,
            poll_secs,
        } => {
            let counts: Vec<String> = series
                .iter()
                .map(|(r, n)| match lang {
                    Lang::En => format!("{r} {n} series"),
                    Lang::Ko => format!("{r} 시리즈 {n}개"),
                })
                .collect();
            pick(
                lang,
                format!(
                    "Connected to Prometheus {url}: {}; polling every {poll_secs} s",
                    counts.join(", ")
                ),
                format!(
                    "Prometheus {url} 연결: {}; {poll_secs}초마다 수집",
                    counts.join(", ")
                ),
            )
        }
        Backfilled {
            url,
            points,
            series,
            since,
            missing,
        } => {
            let since = since.format("%H:%M:%S");
            let (en_m, ko_m) = if missing.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!(" (not back-filled: {})", missing.join("; ")),
                    format!(" (채우지 못함: {})", missing.join("; ")),
                )
            };
            pick(
                lang,
                format!(
                    "Graphs back-filled from Prometheus {url}: {points} points in {series} series since {since}{en_m}"
                ),
                format!(
                    "Prometheus {url}에서 그래프를 채움: {since}부터 시리즈 {series}개, 점 {points}개{ko_m}"
                ),
            )
        }
        SourceFailing {
            url,
            reason,
            had_values,
            backoff_cap_secs,
        } => {
            let (en_s, ko_s) = if *had_values {
                (
                    "the last values stay on screen, marked stale",
                    "마지막 값은 오래된 값으로 표시해 둡니다",
                )
            } else {
                ("no values yet", "아직 값이 없습니다")
            };
            pick(
                lang,
                format!(
                    "Prometheus {url} failing: {reason}; {en_s}; retrying with backoff (at most {backoff_cap_secs} s apart)"
                ),
                format!(
                    "Prometheus {url} 실패: {reason}; {ko_s}; 간격을 늘리며 다시 시도합니다 (최대 {backoff_cap_secs}초)"
                ),
            )
        }
        SourceBack { url, after_secs } => {
            let d = format_duration(chrono::Duration::seconds(*after_secs));
            pick(
                lang,
                format!("Prometheus {url} answers again after {d} of failures; polling resumed"),
                format!("Prometheus {url}가 {d} 동안의 실패 후 다시 응답합니다. 수집을 재개합니다"),
            )
        }
        QueryProblems { url, problems } => format!("Prometheus {url}: {}", problems.join("; ")),
        QueriesHealthy { url } => pick(
            lang,
            format!("Prometheus {url}: every query gives values again"),
            format!("Prometheus {url}: 모든 쿼리가 다시 값을 줍니다"),
        ),
        SourceUnusable { reason } => pick(
            lang,
            format!("Prometheus settings cannot be used: {reason}"),
            format!("Prometheus 설정을 쓸 수 없습니다: {reason}"),
        ),
        PromTested { url, results } => match results {
            Err(e) => pick(
                lang,
                format!("Prometheus test of {url} failed: {e}"),
                format!("Prometheus {url} 테스트 실패: {e}"),
            ),
            Ok(per_rule) => {
                let parts: Vec<String> = per_rule
                    .iter()
                    .map(|(rule, r)| match (r, lang) {
                        (Ok(n), Lang::En) => format!("{rule} {n} series"),
                        (Ok(n), Lang::Ko) => format!("{rule} 시리즈 {n}개"),
                        (Err(e), Lang::En) => format!("{rule} failed ({e})"),
                        (Err(e), Lang::Ko) => format!("{rule} 실패 ({e})"),
                    })
                    .collect();
                pick(
                    lang,
                    format!("Prometheus test of {url}: {}", parts.join(", ")),
                    format!("Prometheus {url} 테스트: {}", parts.join(", ")),
                )
            }
        },
        SettingsSaved {
            source: s,
            poll_secs,
            thresholds,
        } => {
            let rules: Vec<String> = thresholds.iter().map(threshold).collect();
            pick(
                lang,
                format!(
                    "Settings saved: {}; poll every {poll_secs} s; rules {}",
                    source(s, lang),
                    rules.join(", ")
                ),
                format!(
                    "설정 저장: {}; {poll_secs}초마다 수집; 규칙 {}",
                    source(s, lang),
                    rules.join(", ")
                ),
            )
        }
        LanguageSet => pick(
            lang,
            "Language set to English".into(),
            "언어를 한국어로 바꿨습니다".into(),
        ),
        SettingsRejected { reason } => pick(
            lang,
            format!("Settings not saved: {reason}"),
            format!("설정을 저장하지 않음: {reason}"),
        ),
        SaveFailed { file: f, reason } => pick(
            lang,
            format!(
                "Could not save {}: {reason}; will keep trying",
                file(*f, lang)
            ),
            format!(
                "{}을(를) 저장하지 못했습니다: {reason}; 계속 시도합니다",
                file(*f, lang)
            ),
        ),
        SaveRecovered { file: f } => pick(
            lang,
            format!("Saving {} works again", file(*f, lang)),
            format!("{} 저장이 다시 됩니다", file(*f, lang)),
        ),
        Exported { id, path } => pick(
            lang,
            format!("Report of incident #{id} exported to {path}"),
            format!("인시던트 #{id} 보고서를 {path}에 내보냈습니다"),
        ),
        ExportFailed { id, path, reason } => pick(
            lang,
            format!("Report of incident #{id} not exported to {path}: {reason}"),
            format!("인시던트 #{id} 보고서를 {path}에 내보내지 못했습니다: {reason}"),
        ),
        ExportCancelled => pick(
            lang,
            "Report export cancelled (or this desktop offers no file dialog)".into(),
            "보고서 내보내기 취소 (또는 이 데스크톱에 파일 대화상자가 없습니다)".into(),
        ),
        ScenariosReloaded { count } => pick(
            lang,
            format!("Scenarios reloaded: {count} available"),
            format!("런북을 다시 읽었습니다: {count}개"),
        ),
        RulesReloaded { enabled, total } => pick(
            lang,
            format!("Rules reloaded: {enabled} enabled of {total}"),
            format!("규칙을 다시 읽었습니다: {total}개 중 {enabled}개 사용"),
        ),
        RuleSaved {
            rule,
            path,
            enabled,
            query,
            threshold: t,
            window,
        } => {
            let side = t.comparison.symbol();
            let value = t.unit.format(t.threshold);
            let (en_state, ko_state) = if *enabled {
                ("enabled", "사용")
            } else {
                ("disabled", "사용 안 함")
            };
            pick(
                lang,
                format!(
                    "Rule {rule} saved to {path} ({en_state}): `{query}` {side} {value}, window {window} samples"
                ),
                format!(
                    "규칙 {rule}을(를) {path}에 저장 ({ko_state}): `{query}` {side} {value}, 판정 구간 샘플 {window}개"
                ),
            )
        }
        RuleRemoved {
            rule,
            path,
            built_in,
        } => match (built_in, lang) {
            (true, Lang::En) => {
                format!("Rule {rule} its file removed; the built-in rule is back ({path})")
            }
            (false, Lang::En) => format!("Rule {rule} removed ({path})"),
            (true, Lang::Ko) => {
                format!("규칙 {rule} 파일을 지웠습니다. 내장 규칙으로 돌아갑니다 ({path})")
            }
            (false, Lang::Ko) => format!("규칙 {rule}을(를) 지웠습니다 ({path})"),
        },
        RuleRejected { rule, reason } => pick(
            lang,
            format!("Rule {rule} not saved: {reason}"),
            format!("규칙 {rule}을(를) 저장하지 않음: {reason}"),
        ),
        TargetUnusable {
            email: false, why, ..
        } => pick(
            lang,
            format!(
                "Slack is a target but {why}; incidents are not posted until it is set in the Slack settings tab"
            ),
            format!(
                "Slack이 보고 대상이지만 설정이 덜 되었습니다 ({why}). Slack 설정 탭에서 설정할 때까지 게시하지 않습니다"
            ),
        ),
        TargetUnusable {
            email: true, why, ..
        } => pick(
            lang,
            format!(
                "Email is off: {why}; nothing is mailed until it is set in the Email settings tab"
            ),
            format!(
                "메일을 보낼 수 없습니다 ({why}). 메일 설정 탭에서 설정할 때까지 보내지 않습니다"
            ),
        ),
        NotSentToSlack { id, why } => pick(
            lang,
            format!("Incident #{id} not sent to Slack: {why} (see the Slack settings tab)"),
            format!("인시던트 #{id}를 Slack에 보내지 않음: {why} (Slack 설정 탭 참고)"),
        ),
        QueuedForSlack { id, channel } => pick(
            lang,
            format!("Incident #{id} queued for Slack {channel}"),
            format!("인시던트 #{id}를 Slack {channel} 전송 대기열에 넣었습니다"),
        ),
        SlackTested { url, result } => match result {
            Ok(who) => pick(
                lang,
                format!("Slack test of {url}: {who}"),
                format!("Slack {url} 테스트: {who}"),
            ),
            Err(e) => pick(
                lang,
                format!("Slack test of {url} failed: {e}"),
                format!("Slack {url} 테스트 실패: {e}"),
            ),
        },
        Delivered {
            job: j,
            attempts,
            link,
            ..
        } => {
            let (en_r, ko_r) = match attempts {
                Some(n) => (
                    format!(" (after {n} attempts)"),
                    format!(" ({n}번 시도 끝에)"),
                ),
                None => (String::new(), String::new()),
            };
            let link = link
                .as_deref()
                .map_or_else(String::new, |l| format!(": {l}"));
            pick(
                lang,
                format!("Sent: {}{en_r}{link}", job(j, lang)),
                format!("전송함: {}{ko_r}{link}", job(j, lang)),
            )
        }
        DeliveryPending { job: j, reason } => pick(
            lang,
            format!(
                "Not delivered, pending: {}: {reason}; retry or acknowledge it under Notifications",
                job(j, lang)
            ),
            format!(
                "전송 못 함, 결정 대기: {}: {reason}; 알림 패널에서 다시 시도하거나 확인하세요",
                job(j, lang)
            ),
        ),
        DeliveryRetrying {
            job: j,
            reason,
            next,
        } => pick(
            lang,
            format!(
                "Not delivered yet: {}: {reason}; retrying with backoff (next try at {})",
                job(j, lang),
                next.format("%H:%M:%S")
            ),
            format!(
                "아직 전송 못 함: {}: {reason}; 간격을 늘리며 다시 시도합니다 (다음 시도 {})",
                job(j, lang),
                next.format("%H:%M:%S")
            ),
        ),
        DeliveryRetry { job: j } => pick(
            lang,
            format!("Trying again: {}", job(j, lang)),
            format!("다시 시도: {}", job(j, lang)),
        ),
        DeliveryDropped { job: j } => pick(
            lang,
            format!("Acknowledged, will not be sent: {}", job(j, lang)),
            format!("확인함, 보내지 않음: {}", job(j, lang)),
        ),
    }
}

#[cfg(test)]
mod tests;
