//! One golden test per language: the same events, word for word.

use chrono::{TimeZone, Utc};

use super::*;
use crate::model::Refusal;
use crate::model::{Comparison, RuleValue, Unit};

fn http(value: f64) -> RuleValue {
    crate::text::http_value(value)
}

fn events() -> Vec<FeedEvent> {
    let at = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 3).unwrap();
    vec![
        FeedEvent::Detected {
            id: 1,
            code: "http_5xx_surge".into(),
            series: vec!["edge-node-01".into()],
            values: vec![http(0.1077)],
        },
        FeedEvent::Refired {
            id: 1,
            code: "http_5xx_surge".into(),
            count: 2,
            series: vec!["edge-node-03".into()],
            values: vec![http(0.0957)],
            ongoing: true,
        },
        FeedEvent::Cleared {
            threshold: ThresholdDesc {
                rule: "http_error_rate".into(),
                comparison: Comparison::Above,
                threshold: 0.05,
                unit: Unit::Ratio,
            },
            window: 5,
        },
        FeedEvent::SeriesMissing {
            rule: "exporter_up".into(),
            series: "127.0.0.1:9001".into(),
            samples: 5,
        },
        FeedEvent::PlanRefused {
            id: 4,
            reason: Refusal::Unacknowledged(vec![(1, "kubectl rollout undo".into())]),
        },
        FeedEvent::PlanRefused {
            id: 4,
            reason: Refusal::NotAllowed(vec![crate::model::ActionRefusal {
                runbook: "checkout_rollback_live".into(),
                number: 2,
                title: "Roll back".into(),
                reason: crate::model::RefusalReason::ProgramNotAllowed("/usr/bin/kubectl".into()),
            }]),
        },
        FeedEvent::ActionRan {
            id: 4,
            number: 1,
            dry_run: true,
            outcome: crate::model::ActionOutcome::Failed,
            status: Some(500),
            duration_ms: 1250,
        },
        FeedEvent::OutcomeUnknown {
            id: 4,
            numbers: vec![2],
        },
        FeedEvent::Verified {
            checks: vec![http(0.0123)],
            recovered: true,
        },
        FeedEvent::TargetUnusable {
            email: false,
            why: "no bot token is set".into(),
            set_up: false,
        },
        FeedEvent::DeliveryRetrying {
            job: JobDesc {
                incident: 1,
                event: NotifyEvent::Opened,
                destination: Destination::Slack {
                    channel: "#ops".into(),
                },
            },
            reason: "HTTP 503".into(),
            next: at,
        },
    ]
}

#[test]
fn english_words() {
    let got: Vec<String> = events().iter().map(|e| message(e, Lang::En)).collect();
    assert_eq!(
        got,
        [
            "http_5xx_surge opened incident #1: edge-node-01 http_error_rate=10.77 % (threshold 5.00 %)",
            "http_5xx_surge re-fired on incident #1 (re-fire 2) (another series was still in breach): edge-node-03 http_error_rate=9.57 % (threshold 5.00 %)",
            "http_error_rate breach cleared: the last 5 samples of every series are clean (> 5.00 %)",
            "exporter_up: series 127.0.0.1:9001 went missing (5 polls without a sample); counted as clean",
            "Refused to execute the plan of incident #4: high-risk action 1 `kubectl rollout undo` was not confirmed by typing the incident id (or the runbook's word); nothing ran",
            "Refused to execute the plan of incident #4; nothing ran: runbook `checkout_rollback_live`, action 2: program `/usr/bin/kubectl` is not on the allow-list (Settings → Actions)",
            "Incident #4, action 1: dry run failed, status 500 in 1.2 s",
            "Incident #4: action 2 was running when the console stopped; its outcome is unknown. Check the target before running it again",
            "Verification http_error_rate=1.23 % (threshold 5.00 %): recovered",
            "Slack is a target but no bot token is set; incidents are not posted until it is set in the Slack settings tab",
            "Not delivered yet: incident #1 report to Slack #ops: HTTP 503; retrying with backoff (next try at 09:00:03)",
        ]
    );
}

#[test]
fn korean_words() {
    let got: Vec<String> = events().iter().map(|e| message(e, Lang::Ko)).collect();
    assert_eq!(
        got,
        [
            "http_5xx_surge 인시던트 #1 열림: edge-node-01 HTTP 오류율 10.77 % (임계치 5.00 %)",
            "http_5xx_surge 인시던트 #1 재발 (2회) (다른 시리즈가 아직 초과 중): edge-node-03 HTTP 오류율 9.57 % (임계치 5.00 %)",
            "http_error_rate 초과 해소: 모든 시리즈의 최근 5개 샘플이 정상입니다 (> 5.00 %)",
            "exporter_up: 시리즈 127.0.0.1:9001가 사라졌습니다 (5번 수집 동안 샘플 없음). 정상으로 간주합니다",
            "인시던트 #4의 플랜 실행 거부: 위험도 높은 조치 1 `kubectl rollout undo`를 인시던트 번호(또는 런북의 확인 단어) 입력으로 확인하지 않았습니다. 아무것도 실행하지 않았습니다",
            "인시던트 #4의 플랜 실행 거부, 아무것도 실행하지 않았습니다: 런북 `checkout_rollback_live`, 조치 2: 프로그램 `/usr/bin/kubectl`가 허용 목록에 없습니다 (설정 → 조치)",
            "인시던트 #4, 조치 1: 사전 점검(dry run) 실패, 상태 500, 1.2초",
            "인시던트 #4: 콘솔이 멈출 때 조치 2가 실행 중이었습니다. 결과를 알 수 없으니 대상을 확인한 뒤 다시 실행하세요",
            "복구 검증 HTTP 오류율 1.23 % (임계치 5.00 %): 복구됨",
            "Slack이 보고 대상이지만 설정이 덜 되었습니다 (no bot token is set). Slack 설정 탭에서 설정할 때까지 게시하지 않습니다",
            "아직 전송 못 함: 인시던트 #1 보고 → Slack #ops: HTTP 503; 간격을 늘리며 다시 시도합니다 (다음 시도 09:00:03)",
        ]
    );
}

#[test]
fn every_kind_of_event_has_words_in_both_languages() {
    for e in events() {
        let (en, ko) = (message(&e, Lang::En), message(&e, Lang::Ko));
        assert!(!en.is_empty() && !ko.is_empty());
        assert_ne!(en, ko, "{e:?} is not translated");
    }
}

#[test]
fn a_missing_tray_is_said_in_the_readers_language_with_the_os_words_as_data() {
    use crate::model::TrayFault;
    let no_bus = FeedEvent::TrayUnavailable {
        fault: TrayFault::NoSessionBus,
        reason: "Failed to connect".into(),
    };
    assert_eq!(
        message(&no_bus, Lang::Ko),
        "트레이 아이콘이 없습니다: D-Bus 세션 버스가 응답하지 않습니다 (Failed to connect). 창을 닫으면 콘솔이 종료됩니다"
    );
    assert_eq!(
        message(&no_bus, Lang::En),
        "No tray icon: no D-Bus session bus answered (Failed to connect); closing the window quits the console"
    );
    // An entry written before the kinds carries its sentence, and reads as it did.
    let old: FeedEvent =
        ron::from_str(r#"TrayUnavailable(reason: "no tray host answered on the session bus")"#)
            .unwrap();
    assert_eq!(
        message(&old, Lang::En),
        "No tray icon: no tray host answered on the session bus; closing the window quits the console"
    );
}

#[test]
fn a_provisional_incident_reads_l1_in_the_feed_and_nothing_else_is_taken_for_one() {
    use crate::model::PROVISIONAL_ID_BASE;
    let p = PROVISIONAL_ID_BASE;
    let event = FeedEvent::Detected {
        id: p + 1,
        code: "http_5xx_surge".into(),
        series: vec!["edge-node-01".into()],
        values: vec![http(0.1077)],
    };
    assert!(message(&event, Lang::En).starts_with("http_5xx_surge opened incident #L2: "));
    assert!(message(&event, Lang::Ko).starts_with("http_5xx_surge 인시던트 #L2 열림: "));
    // Team ids, short numbers, longer digit runs and numbers past the provisional range stay.
    let keep = format!("#57 #{} #{}0 #1{p}", p - 1, p);
    assert_eq!(super::super::local_ids(keep.clone()), keep);
    assert_eq!(
        super::super::local_ids(format!("#{p}, #{}.", p + 9)),
        "#L1, #L10."
    );
}

#[test]
fn no_desktop_notifications_is_said_in_the_readers_language_with_the_os_words_as_data() {
    use crate::model::DesktopFault;
    let none = FeedEvent::DesktopUnavailable {
        fault: DesktopFault::NoService,
        reason: "ServiceUnknown".into(),
    };
    assert_eq!(
        message(&none, Lang::Ko),
        "데스크톱 알림을 띄울 수 없습니다: 알림 서비스가 응답하지 않습니다 (ServiceUnknown). 콘솔은 계속 동작합니다"
    );
    let old: FeedEvent =
        ron::from_str(r#"DesktopUnavailable(reason: "no notification service answered (x)")"#)
            .unwrap();
    assert_eq!(
        message(&old, Lang::En),
        "Cannot show desktop notifications: no notification service answered (x); the console carries on"
    );
}
