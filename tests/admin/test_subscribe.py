"""`admin subscribe` and `admin subscriptions`: a checklist, or UNSUPPORTED endpoints on request."""

from __future__ import annotations

from sandbox.aws import SHARED_ACCOUNT

FLAG = "--experimental-internal-api"


def test_without_the_flag_subscribe_prints_the_checklist_and_calls_nothing_internal(
    use, aws
) -> None:
    result = use()("subscribe", "--json")
    assert result.code == 0
    assert result.json["mode"] == "checklist"
    assert len(result.json["checklist"]["subscriptions"]) == 2
    assert not aws.kiro_state.assignments
    assert not [key for key in aws.calls if key[0] in ("q", "codewhisperer", "user-subscriptions")]


def test_subscribe_creates_profile_and_assignments_and_a_rerun_succeeds(use, aws) -> None:
    run = use()
    first = run("subscribe", FLAG)
    assert first.code == 0, first.stderr
    assert "UNSUPPORTED" in first.stdout
    assert "undocumented" in first.stderr
    assert "created  group 'group-01'" in first.stdout
    assert list(aws.kiro_state.profiles) == [(SHARED_ACCOUNT, "us-east-1")]
    assert len(aws.kiro_state.assignments) == 2
    again = run("subscribe", FLAG, "--json")
    assert again.code == 0
    assert {o["action"] for o in again.json["outcomes"]} == {"exists"}
    assert "UNSUPPORTED" in again.json["unsupported"]
    assert aws.calls[("codewhisperer", "CreateProfile")] == 1


def test_throttling_is_retried_and_a_conflict_updates_the_plan(use, aws, tmp_path) -> None:
    from tests.admin.harness import write_config

    run = use(throttle={"q:CreateAssignment": 1})
    assert run("subscribe", FLAG).code == 0
    assert aws.calls[("q", "CreateAssignment")] == 3  # one throttled, then two
    upgraded = write_config(tmp_path, assignments=(("group", "group-01", "power"),))
    assert run("subscribe", FLAG, config=upgraded).code == 0
    plans = {a.principal_type: a.subscription_type for a in aws.kiro_state.assignments.values()}
    assert plans["GROUP"] == "Q_DEVELOPER_STANDALONE_POWER"
    pruned = run("subscribe", FLAG, "--prune", config=upgraded)
    assert "deleted  user" in pruned.stdout
    assert len(aws.kiro_state.assignments) == 1


def test_subscriptions_list_configured_then_live_users(use) -> None:
    run = use()
    configured = run("subscriptions", "--json")
    assert configured.json["source"] == "assignments"
    rows = {row["user_name"]: row for row in configured.json["subscriptions"]}
    assert len(rows) == 5
    assert rows["user00002"]["plan"] == "power"
    assert rows["user00003"]["via"] == ["group group-01"]
    assert run("subscribe", FLAG).code == 0
    live = run("subscriptions", FLAG, "--json")
    assert live.json["source"] == "internal-api"
    live_rows = {row["user_name"]: row for row in live.json["subscriptions"]}
    assert set(live_rows) == set(rows)
    assert live_rows["user00002"]["plan"] == "power"
    assert live_rows["user00003"]["status"] == "ACTIVE"


def test_a_bad_signature_is_refused_with_exit_10(use) -> None:
    result = use()("subscribe", FLAG, env={"AWS_SECRET_ACCESS_KEY": "wrong" * 8})
    assert result.code == 10
    assert "AWS rejected the credentials for AWSCodeWhispererService.ListProfiles" in result.stderr
    assert "InvalidSignatureException" in result.stderr


def test_help_labels_the_flag_unsupported(cli) -> None:
    result = cli("admin", "subscribe", "--help")
    assert result.code == 0
    assert "UNSUPPORTED" in result.stdout
    assert "--experimental-internal-api" in result.stdout


def test_prune_without_the_flag_is_a_usage_error(use) -> None:
    assert use()("subscribe", "--prune").code == 2


def test_live_subscriptions_are_read_in_the_idc_region_in_either_public_shape(use, aws) -> None:
    # The seed's own setup: IDC in ap-southeast-2, the Kiro profile in us-east-1.
    for shape in ("nested", "flat"):
        run = use(subscription_shape=shape)
        assert run("subscribe", FLAG).code == 0  # CreateProfile carried ssoRegion, or it fails
        live = run("subscriptions", FLAG, "--json")
        rows = {row["user_name"]: row for row in live.json["subscriptions"]}
        assert len(rows) == 5, shape
        assert rows["user00002"]["plan"] == "power"
        assert rows["user00003"]["plan"] == "pro"
        assert rows["user00003"]["status"] == "ACTIVE"
